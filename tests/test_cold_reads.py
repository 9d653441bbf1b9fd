"""Analyst queries on a just-opened store file read only what they need, and answer as the built graph does (issue 13).

Embedded only (the Neo4j store has no file). One small generated graph, saved once.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings

from graph import embedded_file
from graph.embedded import EmbeddedStore, _filter_key
from graph.model import PathQuery
from graph.search_index import local_bounds
from queries.common import steps
from queries.connections import connections
from queries.guarantees import guarantee_circles, mutual_guarantees
from queries.introductions import introductions
from tests.reference import RawGraph
from tests.scenarios import saved_generated
from tests.test_paths_property import graphs


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Path]:
    """A store loaded from a generated data set, and its saved file."""
    return saved_generated(tmp_path_factory.mktemp("cold-reads"), companies=300, seed=5)


def test_circles_on_an_opened_file_read_only_the_guarantees_arrays(saved: tuple[EmbeddedStore, Path]) -> None:
    store, file = saved
    lazy = EmbeddedStore.open(file)
    circles = guarantee_circles(lazy)
    assert circles, "the generated graph has guarantee circles"
    assert [c.to_dict() for c in circles] == [c.to_dict() for c in guarantee_circles(store)]
    with steps():  # the walk over every guarantee, without the native components
        walked = guarantee_circles(store)
    assert [c.to_dict() for c in circles] == [c.to_dict() for c in walked]
    assert guarantee_circles(lazy, min_size=3) == guarantee_circles(store, min_size=3)
    assert guarantee_circles(lazy, active_on="2024-06-30") == guarantee_circles(store, active_on="2024-06-30")
    assert mutual_guarantees(lazy) == mutual_guarantees(store)
    assert lazy._graph is None, "no query built the NetworkX graph"


def test_strong_components_are_networkx_s(saved: tuple[EmbeddedStore, Path]) -> None:
    store, file = saved
    graph = nx.DiGraph((e.source, e.target) for e in store.iter_edges(["GUARANTEES"]) if e.source != e.target)
    expected = sorted(sorted(g) for g in nx.strongly_connected_components(graph) if len(g) >= 2)
    assert sorted(store.strong_components(["GUARANTEES"])) == expected
    assert sorted(EmbeddedStore.open(file).strong_components(["GUARANTEES"])) == expected
    assert sorted(store.strong_components(["GUARANTEES"], min_size=3)) == [g for g in expected if len(g) >= 3]


def test_many_rows_read_at_once_are_the_rows_read_one_by_one(saved: tuple[EmbeddedStore, Path]) -> None:
    """Node and relationship rows decoded by table (hundreds at once) equal the built graph's."""
    store, file = saved
    lazy = EmbeddedStore.open(file)
    ids = [n.id for n in store.iter_nodes()]
    assert lazy.get_nodes(ids) == store.get_nodes(ids)
    some = ids[::3]
    assert lazy.edges_of(some) == store.edges_of(some)
    assert lazy.edges_of(some, ["GUARANTEES", "SUPPLIES"]) == store.edges_of(some, ["GUARANTEES", "SUPPLIES"])
    with pytest.MonkeyPatch.context() as mp:  # large dictionaries are read through their buffers
        mp.setattr(embedded_file, "SMALL_DICTIONARY", 0)
        assert EmbeddedStore.open(file).get_nodes(ids) == store.get_nodes(ids)
    one = EmbeddedStore.open(file)  # one at a time, in another process's order
    assert [one.get_nodes([nid]) for nid in some[:40]] == [store.get_nodes([nid]) for nid in some[:40]]
    assert lazy._graph is None


def test_connect_on_an_opened_file_bounds_locally(saved: tuple[EmbeddedStore, Path]) -> None:
    """A one-off filter (connect's one source) gets bounds local to its source, and the same answer."""
    store, file = saved
    lazy = EmbeddedStore.open(file)
    companies = [n.id for n in store.iter_nodes("Company")]
    pairs = [(companies[i], companies[-1 - 3 * i]) for i in range(12)]
    for a, b in pairs:
        assert connections(lazy, a, b).to_dict() == connections(store, a, b).to_dict()
    idx = lazy.index()
    default = _filter_key(lazy.default_filter())
    assert all(k[-1] == ("within", 3) for k in idx._bounds if k != default), "no whole-graph Dijkstra ran"
    prospect = next(n.id for n in store.iter_nodes("Company") if not n.is_client)
    assert introductions(lazy, prospect).to_dict() == introductions(store, prospect).to_dict()


@settings(max_examples=60, deadline=None)
@given(case=graphs())
def test_local_bounds_are_lower_bounds_and_exact_hops(case: tuple[RawGraph, PathQuery]) -> None:
    """The rounds out from the sources give the whole-graph Dijkstra's hops up to their depth, and costs
    no lower than its (both are lower bounds of what a search still has to pay, so its answers agree)."""
    graph, query = case
    store = EmbeddedStore()
    graph.write_to(store)
    idx = store.index()
    key = _filter_key(query)
    sources, _, interior_ok, type_mask = store._filter_arrays(idx, query, key)
    depth = query.max_hops - 1
    found = local_bounds(idx, sources, interior_ok, type_mask, depth)
    assert found is not None
    cost, hops = found
    full_cost, full_hops = idx.bounds(key, sources, interior_ok, type_mask)
    assert np.array_equal(hops, np.where(full_hops <= depth, full_hops, np.inf))
    reached = np.isfinite(hops)
    assert bool(np.all(cost[reached] >= full_cost[reached] - 1e-12))
    assert store.search_paths(query) == store.search_paths(query, native=False)


def test_the_coldstart_table_gives_cpu_beside_wall() -> None:
    """bench.coldstart's section: every cold row and the warm row carry CPU seconds beside the wall time."""
    from bench.coldstart import section

    row = {"wall": 8.0, "cpu": 1.5, "rss_mib": 800.0}
    result = {
        "store_mib": 971.0,
        "when": "now",
        "machine": "2 cores",
        "runs": 1,
        "load_average": [15.0, 19.0],
        "cold": {"guanxi circles": row, "guanxi supply X": row},
        "open": {"with_imports": 3.0, "open": 1.0},
        "warm": {"median_ms": 30.0, "p99_ms": 250.0, "cpu_median_ms": 5.0, "cpu_p99_ms": 25.0, "count": 200},
    }
    text = section(result, "python -m bench.coldstart")
    assert "| `guanxi circles` | cold | 8.00 | 1.50 | 800 | ≤ 3 s |" in text
    assert "| `guanxi supply X` | cold | 8.00 | 1.50 | 800 | ≤ 3 s |" in text
    assert "| 0.0300 / 0.2500 | 0.0050 / 0.0250 |" in text
