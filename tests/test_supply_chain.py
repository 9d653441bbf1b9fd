"""Supply-chain tiers, core partners, core enterprises, finance leads and the core enterprises a prospect serves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidParameter, NodeNotFound
from graph.store import GraphStore
from graph.uscc import check_char
from queries.supply_chain import (
    core_enterprises,
    core_enterprises_served,
    core_partners,
    supply_chain,
    supply_chain_leads,
)
from tests.reference import RawGraph, loaded

MakeStore = Callable[[], GraphStore]


def uscc(i: int) -> str:
    body = f"91320500MA{i:07d}"
    return body + check_char(body)


def tiers() -> tuple[RawGraph, dict[str, str]]:
    """K (核心企业, client) buys from S1 (client) 100 and S2 300; S1 buys from T1 50 and from S2 10,
    S2 buys from T2 20 (T2 closed). K sells to C1 1000 and C2 (amount unknown); C1 sells to D1 400.
    S1 → K also has an older 2022 record of 80."""
    g = RawGraph()
    ids = {
        "K": g.add_company(
            uscc(1), "核心电子集团有限公司", tags=["核心企业", "集成电路"], is_client=True, manager="王经理"
        ),
        "S1": g.add_company(uscc(2), "一级供应商甲", is_client=True, manager="李经理"),
        "S2": g.add_company(uscc(3), "一级供应商乙"),
        "T1": g.add_company(uscc(4), "二级供应商丙"),
        "T2": g.add_company(uscc(5), "二级供应商丁", status="deregistered"),
        "C1": g.add_company(uscc(6), "一级客户戊"),
        "C2": g.add_company(uscc(7), "一级客户己"),
        "D1": g.add_company(uscc(8), "二级客户庚"),
    }
    s = "SUPPLIES"
    g.add_edge(s, ids["S1"], ids["K"], amount=100.0, year=2023, product="芯片")
    g.add_edge(s, ids["S1"], ids["K"], amount=80.0, year=2022)
    g.add_edge(s, ids["S2"], ids["K"], amount=300.0, year=2023)
    g.add_edge(s, ids["T1"], ids["S1"], amount=50.0, year=2023)
    g.add_edge(s, ids["S2"], ids["S1"], amount=10.0, year=2023)
    g.add_edge(s, ids["T2"], ids["S2"], amount=20.0, year=2023)
    g.add_edge(s, ids["K"], ids["C1"], amount=1000.0, year=2023)
    g.add_edge(s, ids["K"], ids["C2"], year=2023)
    g.add_edge(s, ids["C1"], ids["D1"], amount=400.0, year=2023)
    return g, ids


def test_tiers_with_amounts_and_shares(make_store: MakeStore) -> None:
    g, _ = tiers()
    store = loaded(make_store, g)
    chain = supply_chain(store, "核心电子集团有限公司", tiers=2)
    assert chain.purchases == pytest.approx(400.0)
    assert chain.sales == pytest.approx(1000.0)
    up1 = chain.tier(1, "upstream")
    assert [(p.company.name, p.amount) for p in up1] == [("一级供应商乙", 300.0), ("一级供应商甲", 100.0)]
    assert [p.share for p in up1] == pytest.approx([0.75, 0.25])
    up2 = chain.tier(2, "upstream")
    assert [(p.company.name, p.amount, p.share) for p in up2] == [
        ("二级供应商丙", 50.0, None),
        ("二级供应商丁", 20.0, None),
    ]
    link = up2[0].links[0]
    assert (link.supplier.name, link.customer.name) == ("二级供应商丙", "一级供应商甲")
    assert link.share == pytest.approx(50 / 60)
    assert chain.tier(1, "upstream")[1].links[0].product == "芯片"
    # S2 supplies both K (tier 1) and S1: listed once, at tier 1
    assert [p.company.name for p in chain.suppliers].count("一级供应商乙") == 1
    down = [(p.tier, p.company.name, p.amount, p.share) for p in chain.customers]
    assert down == [(1, "一级客户戊", 1000.0, 1.0), (1, "一级客户己", None, None), (2, "二级客户庚", 400.0, None)]
    assert chain.to_dict()["suppliers"]


def test_year_and_direction_and_limit(make_store: MakeStore) -> None:
    g, ids = tiers()
    store = loaded(make_store, g)
    old = supply_chain(store, ids["K"], tiers=1, year=2022, direction="upstream")
    assert [(p.company.name, p.amount, p.share) for p in old.suppliers] == [("一级供应商甲", 80.0, 1.0)]
    assert old.customers == ()
    capped = supply_chain(store, ids["K"], tiers=2, direction="upstream", limit=1)
    assert [p.company.name for p in capped.suppliers] == ["一级供应商乙", "二级供应商丁"]
    assert any("showing the largest 1" in n for n in capped.notes)
    assert supply_chain(store, ids["T2"], tiers=1, direction="upstream").notes


def test_core_partners(make_store: MakeStore) -> None:
    g, ids = tiers()
    store = loaded(make_store, g)
    assert [p.company.name for p in core_partners(store, ids["K"], min_share=0.5)] == ["一级供应商乙"]
    assert [p.company.name for p in core_partners(store, ids["K"], min_share=0.2)] == ["一级供应商乙", "一级供应商甲"]
    assert [p.company.name for p in core_partners(store, ids["K"], direction="downstream")] == ["一级客户戊"]


def test_input_is_checked(make_store: MakeStore) -> None:
    g, ids = tiers()
    store = loaded(make_store, g)
    with pytest.raises(InvalidParameter):
        supply_chain(store, ids["K"], tiers=0)
    with pytest.raises(InvalidParameter):
        supply_chain(store, ids["K"], direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter):
        supply_chain(store, ids["K"], year=20)
    with pytest.raises(InvalidParameter):
        core_partners(store, ids["K"], min_share=2)
    with pytest.raises(NodeNotFound):
        supply_chain(store, "没有这家公司")
    with pytest.raises(InvalidParameter):
        core_enterprises(store, percentile=1.5)


def test_core_enterprises_by_tag_and_by_size(make_store: MakeStore) -> None:
    g, ids = tiers()
    # a hub: H buys from eight small suppliers
    ids["H"] = g.add_company(uscc(50), "采购大户")
    for i in range(8):
        small = g.add_company(uscc(60 + i), f"小供应商{i}")
        g.add_edge("SUPPLIES", small, ids["H"], amount=5.0, year=2023)
    store = loaded(make_store, g)
    core = core_enterprises(store, percentile=0.9, min_partners=5)
    assert set(core.ids) == {ids["K"], ids["H"]}
    assert "核心企业" in core.reasons[ids["K"]]
    assert "8" in core.reasons[ids["H"]]
    assert ids["H"] not in core_enterprises(store, percentile=0.9, min_partners=9)
    assert core_enterprises(store, percentile=0.9, min_partners=5) is core  # cached


def test_supply_chain_finance_leads(make_store: MakeStore) -> None:
    g, _ = tiers()
    store = loaded(make_store, g)
    leads = supply_chain_leads(store)
    got = [(ld.company.name, ld.role, ld.amount, [a.client.name for a in ld.anchors]) for ld in leads]
    assert got == [
        ("一级客户戊", "customer", 1000.0, ["核心电子集团有限公司"]),
        ("一级供应商乙", "supplier", 300.0, ["核心电子集团有限公司"]),
        ("一级客户己", "customer", None, ["核心电子集团有限公司"]),
    ]
    assert leads[1].anchors[0].share == pytest.approx(0.75)
    deeper = supply_chain_leads(store, tiers=2)
    by_name = {ld.company.name: ld for ld in deeper}
    assert "二级供应商丁" not in by_name  # closed
    assert by_name["二级供应商丙"].anchors[0].tier == 2
    via = by_name["二级供应商丙"].anchors[0].via
    assert via is not None and via.name == "一级供应商甲"
    assert "二级供应商丁" in {ld.company.name for ld in supply_chain_leads(store, tiers=2, include_closed=True)}
    # around one client, core or not
    around = supply_chain_leads(store, anchor="一级供应商甲")
    assert [(ld.company.name, ld.role) for ld in around] == [("二级供应商丙", "supplier"), ("一级供应商乙", "supplier")]
    assert len(supply_chain_leads(store, limit=1)) == 1
    assert leads[0].to_dict()["role"] == "customer"


def test_core_enterprises_a_prospect_serves(make_store: MakeStore) -> None:
    g, ids = tiers()
    store = loaded(make_store, g)
    served = core_enterprises_served(store, "二级供应商丙", tiers=3)
    assert [(s.core.name, s.tier) for s in served.served] == [("核心电子集团有限公司", 2)]
    assert [(lk.supplier.name, lk.customer.name) for lk in served.served[0].chain] == [
        ("二级供应商丙", "一级供应商甲"),
        ("一级供应商甲", "核心电子集团有限公司"),
    ]
    assert core_enterprises_served(store, "二级供应商丙", tiers=1).served == ()
    assert core_enterprises_served(store, ids["K"]).own_reason is not None
    assert core_enterprises_served(store, ids["D1"]).notes


# -- property: tiers are breadth-first distances along SUPPLIES --------------------------------------
@st.composite
def supply_graphs(draw: st.DrawFn) -> tuple[RawGraph, str, int]:
    g = RawGraph()
    n = draw(st.integers(2, 8))
    comps = [g.add_company(uscc(i), f"公司{i}") for i in range(n)]
    pairs = [(a, b) for a in comps for b in comps if a != b]
    for a, b in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=16)):
        amount = draw(st.sampled_from([None, 10.0, 20.0, 50.0]))
        g.add_edge("SUPPLIES", a, b, **({} if amount is None else {"amount": amount}))
    return g, draw(st.sampled_from(comps)), draw(st.integers(1, 4))


def bfs_tiers(graph: RawGraph, start: str, depth: int, upstream: bool) -> dict[str, int]:
    seen = {start: 0}
    frontier = [start]
    for tier in range(1, depth + 1):
        nxt = []
        for _, s, d, _ in graph.edges:
            near, far = (d, s) if upstream else (s, d)
            if near in frontier and far not in seen:
                seen[far] = tier
                nxt.append(far)
        frontier = nxt
    return {k: v for k, v in seen.items() if v > 0}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=supply_graphs())
def test_tiers_are_bfs_distances(make_store: MakeStore, case: tuple[RawGraph, str, int]) -> None:
    graph, start, depth = case
    store = loaded(make_store, graph)
    chain = supply_chain(store, start, tiers=depth, limit=None)
    assert {p.company.id: p.tier for p in chain.suppliers} == bfs_tiers(graph, start, depth, upstream=True)
    assert {p.company.id: p.tier for p in chain.customers} == bfs_tiers(graph, start, depth, upstream=False)
    shares = [p.share for p in chain.tier(1, "upstream") if p.share is not None]
    if shares:
        assert sum(shares) == pytest.approx(1.0)
