"""The introduction rules (distinct introducers, holders that connect nobody) against brute force.

:func:`queries.ranking.ranked_groups` filters a store's ranked search; the
reference here enumerates every simple path (:func:`tests.reference.brute_force`
with no limit), applies the rules as written in the module docstring, and
the two must agree on every store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.model import PathQuery
from graph.warmth import Weights
from queries.ranking import Distinct, ranked_groups
from tests.conftest import StoreFactory
from tests.reference import RawGraph, brute_force
from tests.test_paths_property import graphs, hub_graphs, together, type_filters, union


def reference_groups(
    graph: RawGraph, query: PathQuery, weights: Weights, distinct: Distinct, include_state_holders: bool
) -> tuple[list[tuple[tuple[str, ...], float]], list[list[tuple[str, ...]]], int]:
    """(best path per group, folded paths per group, paths left out) by enumeration."""
    every = brute_force(graph, query.model_copy(update={"k": 10**9}), weights)
    stakes: dict[str, int] = {}
    for type_, src, _dst, _props in graph.edges:
        if type_ == "HOLDS_SHARES":
            stakes[src] = stakes.get(src, 0) + 1

    def blocked(nid: str) -> bool:
        name = str(graph.nodes[nid].get("name", ""))
        if any(fragment in name for fragment in weights.no_connector_names):
            return True
        return weights.no_connector_stakes > 0 and stakes.get(nid, 0) >= weights.no_connector_stakes

    best: list[tuple[tuple[str, ...], float]] = []
    folded: list[list[tuple[str, ...]]] = []
    where: dict[str, int] = {}
    left_out = 0
    for ids, warmth in every:
        if not include_state_holders and any(blocked(n) for n in ids[1:-1]):
            left_out += 1
            continue
        if distinct == "introducer":
            key = ids[0]
        elif distinct == "first_contact":
            key = ids[1] if len(ids) > 2 else ids[0]
        else:
            key = "\x00".join(ids)
        if key in where:
            folded[where[key]].append(ids)
        elif len(best) < query.k:
            where[key] = len(best)
            best.append((ids, warmth))
            folded.append([])
    return best, folded, left_out


RankCase = tuple[RawGraph, PathQuery, Distinct, bool, int]


@st.composite
def cases(draw: st.DrawFn, base: int = 0, filters: Sequence[tuple[str, ...]] | None = None) -> RankCase:
    """A graph, a query and the rules' options; ``base`` numbers the nodes (see ``together``), ``filters``
    are the kinds filters a query may use (``graphs`` says why Neo4j's are few)."""
    graph, query = draw(st.one_of(graphs(base, filters), hub_graphs(base)))
    distinct: Distinct = draw(st.sampled_from(["introducer", "introducer", "first_contact", "none"]))
    return graph, query, distinct, draw(st.booleans()), draw(st.sampled_from([0, 2, 3, 200]))


def test_ranked_groups_equal_brute_force(make_store: StoreFactory) -> None:
    # the rules are store-independent code over top_paths (checked against brute force on its own): few Neo4j
    # examples, each one load of TOGETHER disjoint graphs whose queries are checked one by one
    filters = type_filters(make_store.backend)

    @settings(max_examples=100 if make_store.backend == "embedded" else 3, deadline=None)
    @given(cases=together(lambda base: cases(base, filters), make_store.backend))
    def check(cases: list[RankCase]) -> None:
        store = make_store()
        store.clear()
        union([c[0] for c in cases]).write_to(store)
        weights = store.weights
        for graph, query, distinct, include, min_stakes in cases:
            store.weights = dataclasses.replace(weights, no_connector_stakes=min_stakes)
            best, folded, _left_out = reference_groups(graph, query, store.weights, distinct, include)
            got = ranked_groups(store, query, distinct, include)
            assert not got.capped
            assert [(p.ids, p.warmth) for p in got.best] == best
            for mine, theirs in zip(got.more, folded, strict=True):
                ids = [p.ids for p in mine]
                assert ids == theirs[: len(ids)]  # folded paths: those the search fetched, in rank order

    check()
