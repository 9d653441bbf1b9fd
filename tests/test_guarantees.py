"""Mutual guarantees, guarantee circles and chains, exposure to black-listed and closed entities."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter
from graph.store import GraphStore
from graph.uscc import check_char
from queries.guarantees import (
    circles_of,
    exposed_companies,
    exposure,
    guarantee_chains,
    guarantee_circles,
    mutual_guarantees,
)
from tests.reference import RawGraph, loaded

MakeStore = Callable[[], GraphStore]


def uscc(i: int) -> str:
    body = f"91330100MA{i:07d}"
    return body + check_char(body)


def circle_graph() -> tuple[RawGraph, dict[str, str]]:
    """A → B → C → A (B client, C black-listed, A deregistered), D ⇄ E, F → A, A → G,
    G's director is the black-listed person X, G supplies H."""
    g = RawGraph()
    ids = {
        "A": g.add_company(uscc(1), "甲纺织有限公司", status="deregistered"),
        "B": g.add_company(uscc(2), "乙印染有限公司", is_client=True, manager="王经理"),
        "C": g.add_company(uscc(3), "丙化纤有限公司", blacklisted=True),
        "D": g.add_company(uscc(4), "丁贸易有限公司"),
        "E": g.add_company(uscc(5), "戊物流有限公司"),
        "F": g.add_company(uscc(6), "己担保有限公司"),
        "G": g.add_company(uscc(7), "庚机械有限公司"),
        "H": g.add_company(uscc(8), "辛电子有限公司", is_client=True),
        "X": g.add_person("p1", "黑名单人", blacklisted=True),
    }
    gu = "GUARANTEES"
    g.add_edge(gu, ids["A"], ids["B"], amount=1e7, start="2023-01-01", end="2025-12-31")
    g.add_edge(gu, ids["B"], ids["C"], amount=2e7, start="2023-01-01")
    g.add_edge(gu, ids["C"], ids["A"], amount=3e7, start="2023-01-01")
    g.add_edge(gu, ids["C"], ids["A"], start="2024-06-01")  # a second guarantee, amount unknown
    g.add_edge(gu, ids["D"], ids["E"], amount=5e6, start="2022-01-01", end="2022-12-31")
    g.add_edge(gu, ids["E"], ids["D"], amount=6e6, start="2022-01-01")
    g.add_edge(gu, ids["F"], ids["A"], amount=1e6, start="2023-01-01")
    g.add_edge(gu, ids["A"], ids["G"], amount=2e6, start="2023-01-01")
    g.add_edge("SERVES_AS", ids["X"], ids["G"], role="director")
    g.add_edge("SUPPLIES", ids["G"], ids["H"], amount=1e6)
    return g, ids


def test_circles_of_the_graph(make_store: MakeStore) -> None:
    g, ids = circle_graph()
    store = loaded(make_store, g)
    circles = guarantee_circles(store)
    assert [(c.kind, sorted(m.name for m in c.members)) for c in circles] == [
        ("circle", ["丙化纤有限公司", "乙印染有限公司", "甲纺织有限公司"]),
        ("mutual", ["丁贸易有限公司", "戊物流有限公司"]),
    ]
    big = circles[0]
    assert big.total_amount == pytest.approx(6e7)
    assert big.unknown_amounts == 1
    assert [m.name for m in big.clients] == ["乙印染有限公司"]
    assert [m.name for m in big.blacklisted] == ["丙化纤有限公司"]
    assert [m.name for m in big.closed] == ["甲纺织有限公司"]
    assert big.cycles == ((ids["A"], ids["B"], ids["C"]),)
    assert big.cycles_complete
    assert len(big.links) == 4
    assert guarantee_circles(store, min_size=3) == circles[:1]
    # on 2024-01-01 the D → E guarantee has ended: no mutual pair
    assert [c.kind for c in guarantee_circles(store, active_on="2024-01-01")] == ["circle"]
    assert big.to_dict()["kind"] == "circle"


def test_circles_touching_a_company(make_store: MakeStore) -> None:
    g, ids = circle_graph()
    store = loaded(make_store, g)
    own = circles_of(store, "乙印染有限公司")
    assert len(own) == 1 and own[0].ids == {ids["A"], ids["B"], ids["C"]}
    assert circles_of(store, ids["F"]) == ()
    near = circles_of(store, ids["F"], neighbours=True)
    assert [c.ids for c in near] == [frozenset({ids["A"], ids["B"], ids["C"]})]
    assert circles_of(store, ids["D"])[0].kind == "mutual"
    assert circles_of(store, ids["D"], active_on="2023-06-01") == ()


def test_mutual_guarantees(make_store: MakeStore) -> None:
    g, ids = circle_graph()
    store = loaded(make_store, g)
    pairs = mutual_guarantees(store)
    assert [(p.a.name, p.b.name, p.a_to_b, p.b_to_a) for p in pairs] == [("丁贸易有限公司", "戊物流有限公司", 5e6, 6e6)]
    assert mutual_guarantees(store, ids["E"]) == pairs
    assert mutual_guarantees(store, ids["A"]) == ()


def test_guarantee_chains(make_store: MakeStore) -> None:
    g, ids = circle_graph()
    store = loaded(make_store, g)
    chains = guarantee_chains(store, ids["F"], direction="borrowers", max_hops=4)
    got = [(c.text(), None if c.closes is None else c.closes.name) for c in chains.chains]
    assert got == [
        ("己担保有限公司 → 甲纺织有限公司 → 庚机械有限公司", None),
        ("己担保有限公司 → 甲纺织有限公司 → 乙印染有限公司 → 丙化纤有限公司 → 甲纺织有限公司 (成环)", "甲纺织有限公司"),
    ]
    up = guarantee_chains(store, ids["G"], direction="guarantors", max_hops=2)
    assert sorted(c.text() for c in up.chains) == [
        "庚机械有限公司 ← 甲纺织有限公司 ← 丙化纤有限公司",
        "庚机械有限公司 ← 甲纺织有限公司 ← 己担保有限公司",
    ]
    assert guarantee_chains(store, ids["F"], limit=1).truncated
    with pytest.raises(InvalidParameter):
        guarantee_chains(store, ids["F"], max_hops=0)


def test_exposure_of_a_company(make_store: MakeStore) -> None:
    g, ids = circle_graph()
    store = loaded(make_store, g)
    exp = exposure(store, "辛电子有限公司", hops=2)
    assert [(h.flagged.name, h.flags, h.hops, [n.name for n in h.nodes]) for h in exp.hits] == [
        ("甲纺织有限公司", ("deregistered",), 2, ["辛电子有限公司", "庚机械有限公司", "甲纺织有限公司"]),
        ("黑名单人", ("blacklisted",), 2, ["辛电子有限公司", "庚机械有限公司", "黑名单人"]),
    ]
    assert (
        exp.hits[1].sentence("zh") == "庚机械有限公司向客户辛电子有限公司供货(年¥100万)；黑名单人任庚机械有限公司董事。"
    )
    three = exposure(store, ids["H"], hops=3)
    assert {h.flagged.name: h.hops for h in three.hits} == {"黑名单人": 2, "甲纺织有限公司": 2, "丙化纤有限公司": 3}
    only_supply = exposure(store, ids["H"], hops=3, kinds=["supply"])
    assert only_supply.hits == ()
    # G has 4 relationships: with hub_degree=2 it is not walked through
    assert exposure(store, ids["H"], hops=3, hub_degree=2).hits == ()
    assert exposure(store, ids["C"], hops=1).own_flags == ("blacklisted",)
    with pytest.raises(InvalidParameter):
        exposure(store, ids["H"], hops=0)
    with pytest.raises(InvalidParameter):
        exposure(store, ids["H"], kinds=["friendship"])


def test_exposed_companies(make_store: MakeStore) -> None:
    g, _ = circle_graph()
    store = loaded(make_store, g)
    hits = exposed_companies(store, hops=1)
    got = {h.company.name: (h.flagged.name, h.hops) for h in hits}
    assert got == {
        "乙印染有限公司": ("甲纺织有限公司", 1),
        "己担保有限公司": ("甲纺织有限公司", 1),
        "庚机械有限公司": ("黑名单人", 1),  # the officer edge comes before the guarantee in schema order
    }
    two = {h.company.name: h for h in exposed_companies(store, hops=2)}
    assert two["辛电子有限公司"].hops == 2
    assert [n.name for n in two["辛电子有限公司"].nodes] == ["辛电子有限公司", "庚机械有限公司", "黑名单人"]
    assert [h.company.name for h in exposed_companies(store, hops=2, clients_only=True)] == [
        "乙印染有限公司",
        "辛电子有限公司",
    ]
    assert len(exposed_companies(store, hops=2, limit=1)) == 1


# -- property: circles equal brute-force cycle enumeration -------------------------------------------------
@st.composite
def guarantee_graphs(draw: st.DrawFn) -> RawGraph:
    g = RawGraph()
    n = draw(st.integers(2, 7))
    comps = [g.add_company(uscc(i), f"公司{i}") for i in range(n)]
    people = [g.add_person(f"p{i}") for i in range(draw(st.integers(0, 2)))]
    pairs = [(a, b) for a in comps + people for b in comps if a != b]
    for a, b in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=14)):
        g.add_edge("GUARANTEES", a, b, amount=float(draw(st.integers(1, 9))) * 1e6)
    return g


def brute_cycles(graph: RawGraph) -> set[tuple[str, ...]]:
    """Every simple cycle, from its smallest node, by depth-first search over larger nodes."""
    out: dict[str, set[str]] = {}
    for _, s, d, _ in graph.edges:
        out.setdefault(s, set()).add(d)
    found: set[tuple[str, ...]] = set()
    for start in sorted(graph.nodes):
        stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
        while stack:
            here, path = stack.pop()
            for nxt in out.get(here, ()):
                if nxt == start:
                    found.add(path)
                elif nxt > start and nxt not in path:
                    stack.append((nxt, (*path, nxt)))
    return found


def merge(cycles: set[tuple[str, ...]]) -> set[frozenset[str]]:
    """Cycles sharing a node belong to one circle."""
    groups: list[set[str]] = []
    for c in cycles:
        joined = set(c)
        for g in [g for g in groups if g & joined]:
            joined |= g
            groups.remove(g)
        groups.append(joined)
    return {frozenset(g) for g in groups}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=guarantee_graphs())
def test_circles_equal_brute_force(make_store: MakeStore, graph: RawGraph) -> None:
    store = loaded(make_store, graph)
    cycles = brute_cycles(graph)
    circles = guarantee_circles(store, max_cycle_length=10, max_cycles=10_000)
    assert {c.ids for c in circles} == merge(cycles)
    assert {cyc for c in circles for cyc in c.cycles} == cycles
    assert all(c.cycles_complete for c in circles)
    for nid, props in graph.nodes.items():
        if props["label"] != "Company":
            continue
        mine = circles_of(store, nid, max_cycle_length=10, max_cycles=10_000)
        expected = [g for g in merge(cycles) if nid in g]
        assert [c.ids for c in mine] == expected
        if mine:
            assert set(mine[0].cycles) == {c for c in cycles if set(c) <= mine[0].ids}


class NativeStore(EmbeddedStore):
    """An embedded store answering the ``reachable`` hook itself, as a database would."""

    def reachable(self, start: str, types: list[str], forward: bool) -> set[str]:
        sub = nx.DiGraph()
        sub.add_node(start)
        sub.add_edges_from((u, v) for u, v, t in self.graph.edges(data="type") if t in types)
        found: set[str] = nx.descendants(sub, start) if forward else nx.ancestors(sub, start)
        return found | {start}


@settings(max_examples=40, deadline=None)
@given(graph=guarantee_graphs())
def test_a_native_reach_hook_gives_the_same_circles(graph: RawGraph) -> None:
    plain, hooked = EmbeddedStore(), NativeStore()
    graph.write_to(plain)
    graph.write_to(hooked)
    for nid, props in graph.nodes.items():
        if props["label"] == "Company":
            assert [c.to_dict() for c in circles_of(hooked, nid)] == [c.to_dict() for c in circles_of(plain, nid)]
