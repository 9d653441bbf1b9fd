"""The one search of :mod:`queries.search` against brute force, and the embedded array search against it.

* :func:`tests.reference.reference_search` (the search over plain data, the
  Neo4j store's search without the database) equals brute force on small
  random graphs, hub graphs and graphs made of ties.
* The embedded store's numpy array search (its ``native_top_k``) gives the
  very same ranked paths as the generic search over the same store's index:
  same paths, same floats, same order, ties included.
* The tie tail: when many paths tie at the k-th warmth, both stores order
  them on ids and build only ``k``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import cypher
from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter, StoreError
from graph.model import PathQuery
from graph.warmth import load_weights
from queries.search import Neighbour, NodeInfo, SearchSpec, SearchSteps, search, top_candidates
from tests.conftest import Neo4jTarget, StoreFactory
from tests.reference import RawGraph, brute_force, reference_search, summary
from tests.test_paths_property import ROLES, TYPES, graphs, hub_graphs, uscc


@st.composite
def tie_graphs(draw: st.DrawFn) -> tuple[RawGraph, PathQuery]:
    """Many clients reaching the prospect the same way (same roles, same stakes): ties at every rank."""
    g = RawGraph()
    target = g.add_company(uscc(0), "潜客")
    people = [g.add_person(f"p{i}", f"人{i}") for i in range(draw(st.integers(1, 4)))]
    role = draw(st.sampled_from(ROLES))
    for p in people:
        g.add_edge("SERVES_AS", p, target, role=role)
    for i in range(1, draw(st.integers(2, 14))):
        client = g.add_company(uscc(i), f"客户{i}", is_client=True, manager="王经理")
        if draw(st.booleans()):
            g.add_edge("SERVES_AS", draw(st.sampled_from(people)), client, role=role)
        else:
            g.add_edge("HOLDS_SHARES", client, target, ratio=draw(st.sampled_from([0.3, 0.6])))
    return g, PathQuery(target=target, types=TYPES, max_hops=draw(st.integers(1, 4)), k=draw(st.integers(1, 6)))


any_graph = st.one_of(graphs(), hub_graphs(), tie_graphs())


@settings(max_examples=300, deadline=None)
@given(case=any_graph)
def test_reference_search_equals_brute_force(case: tuple[RawGraph, PathQuery]) -> None:
    graph, query = case
    weights = load_weights()
    assert reference_search(graph, query, weights) == brute_force(graph, query, weights)


@settings(max_examples=200, deadline=None)
@given(case=any_graph)
def test_array_search_equals_generic_search(case: tuple[RawGraph, PathQuery]) -> None:
    # the embedded store's numpy search is an optimisation only: it must give the generic search's answer
    graph, query = case
    store = EmbeddedStore()
    graph.write_to(store)
    native = store.search_paths(query, native=True)
    assert native == store.search_paths(query, native=False)
    assert summary(native) == brute_force(graph, query, store.weights)


def test_tie_tail_orders_ties_and_builds_only_k(make_store: StoreFactory) -> None:
    # 30 clients, each the chairman's other company: 30 paths of one warmth; k = 3
    g = RawGraph()
    target = g.add_company(uscc(0), "潜客")
    boss = g.add_person("boss", "张某")
    g.add_edge("SERVES_AS", boss, target, role="chairman")
    clients = [g.add_company(uscc(i), f"客户{i}", is_client=True) for i in range(1, 31)]
    for c in clients:
        g.add_edge("SERVES_AS", boss, c, role="chairman")
    store = make_store()
    g.write_to(store)
    built: list[tuple[str, ...]] = []
    materialise = store._materialise  # type: ignore[attr-defined]

    def counting(first: Sequence[Any], *rest: Any) -> Any:
        # the embedded store builds one path per call, the Neo4j store a list of them in one
        built.extend([tuple(first)] if first and isinstance(first[0], str) else [tuple(c) for c in first])
        return materialise(first, *rest)

    store._materialise = counting  # type: ignore[attr-defined]
    paths = store.top_paths(PathQuery(target=target, types=TYPES, k=3))
    assert [p.ids[0] for p in paths] == sorted(clients)[:3]  # ties broken on ids, as rank_key says
    assert len({p.warmth for p in paths}) == 1
    assert len(built) == 3  # only k answers are built, however many tie


class _Line(SearchSteps):
    """client c -- person p -- prospect t, with only ``expand``: every other step is the default."""

    def expand(self, ids: object) -> list[Neighbour]:
        adj = {"t": [("p", 0.9)], "p": [("t", 0.9), ("c", 0.8)], "c": [("p", 0.8)]}
        info = {
            "t": NodeInfo(False, False, 1, 0.9),
            "p": NodeInfo(False, True, 2, 0.9),
            "c": NodeInfo(True, False, 1, 0.8),
        }
        return [Neighbour(v, u, s, info[u]) for v in ids for u, s in adj[v]]  # type: ignore[attr-defined]


def test_default_steps() -> None:
    steps = _Line(load_weights())
    assert steps.native_top_k(SearchSpec("t")) is None
    assert [n.other for n in steps.expand_sources(["p"])] == ["c"]
    assert top_candidates(steps, SearchSpec("t")) == search(steps, SearchSpec("t"))
    assert [c.ids for c in search(steps, SearchSpec("t", max_hops=1))] == []
    assert [c.ids for c in search(steps, SearchSpec("t", min_warmth=0.73))] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("k", 0), ("k", 201), ("k", True), ("max_hops", 7), ("max_hops", 2.0), ("min_warmth", 1.5), ("min_warmth", "x")],
)
def test_search_spec_names_the_bad_parameter(field: str, value: object) -> None:
    with pytest.raises(InvalidParameter, match=field):
        SearchSpec("t", **{field: value})  # type: ignore[arg-type]


@pytest.mark.neo4j
def test_neo4j_refuses_strengths_written_by_another_tool(neo4j_target: Neo4jTarget) -> None:
    # the search ranks on the stored ``_strength``: one that is not its relationship's strength is refused,
    # naming the fix, rather than answered in a silently wrong order
    g = RawGraph()
    target = g.add_company(uscc(0), "潜客")
    boss = g.add_person("boss", "张某")
    g.add_edge("SERVES_AS", boss, target, role="chairman")
    client = g.add_company(uscc(1), "客户", is_client=True)
    g.add_edge("SERVES_AS", boss, client, role="supervisor")
    store = neo4j_target.scenario_store()
    try:
        store.clear()
        g.write_to(store)
        query = PathQuery(target=target, types=TYPES, k=3)
        assert [p.ids for p in store.top_paths(query)] == [(client, boss, target)]
        store._command(f"MATCH ()-[r:SERVES_AS]->() SET r.{cypher.STRENGTH} = 0.99")
        with pytest.raises(StoreError, match="reweight"):
            store.top_paths(query)
    finally:
        store.clear()
        store.close()
