"""The benchmark's compiled floor (bench/floor.py) gives guanxi's exact answers, so its timings are a fair floor.

On a small generated graph saved and reopened as a store file (the mapped
arrays the benchmark reads at 1M), every prospect's ranked top 5 from
``introductions`` equals the floor's, and the floor's answers do not depend
on the saved bounds; on small random graphs (hubs, ties, exclusions) the
same holds for whatever the graph holds. Embedded store only: the floor is a
benchmark contender, not a store.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from bench.contenders import pick_prospects
from bench.floor import cross_check, default_floor
from graph.embedded import EmbeddedStore
from graph.model import PathQuery
from loaders.generate import generate
from loaders.pipeline import load_files
from tests.reference import RawGraph
from tests.test_search_property import any_graph


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    folder = tmp_path_factory.mktemp("floor")
    generate(folder / "files", companies=300, seed=3)
    store = EmbeddedStore()
    load_files(store, folder / "files")
    store.save(folder / "graph.gx")
    return EmbeddedStore.open(folder / "graph.gx")


def test_floor_equals_introductions_on_a_saved_store(small_store: EmbeddedStore) -> None:
    prospects = pick_prospects(small_store, 40, seed=1)
    check = cross_check(small_store, prospects)
    assert check.disagreements == [] and check.same == len(prospects), check.summary()
    floor = default_floor(small_store, prospects[0])
    assert any(floor.top(small_store.index().pos[p]) for p in prospects)  # not vacuous: paths were found


def test_floor_answers_do_not_depend_on_the_bounds(small_store: EmbeddedStore) -> None:
    prospects = pick_prospects(small_store, 40, seed=2)
    pos = small_store.index().pos
    bounded = default_floor(small_store, prospects[0])
    plain = default_floor(small_store, prospects[0], bounds=False)
    assert [bounded.top(pos[p]) for p in prospects] == [plain.top(pos[p]) for p in prospects]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=any_graph)
def test_floor_equals_introductions_on_random_graphs(case: tuple[RawGraph, PathQuery]) -> None:
    graph, query = case
    store = EmbeddedStore()
    graph.write_to(store)
    check = cross_check(store, [query.target])
    assert check.disagreements == [], check.summary()
