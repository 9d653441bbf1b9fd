"""Effective ownership, beneficial owners, actual controller, control groups, officers and related parties.

Hand-built cases with answers worked out by hand, and property tests against
brute force: explicit enumeration of every simple path on acyclic equity
graphs, a long truncated series on cyclic ones.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.embedded import EmbeddedStore
from graph.errors import AmbiguousNode, InvalidParameter, NodeNotFound
from graph.model import Edge
from graph.store import GraphStore
from graph.uscc import check_char
from queries.ownership import (
    actual_controller,
    controlled_companies,
    effective_ownership,
    effective_stake,
    related_parties,
    same_controller_group,
    shared_officers,
    ultimate_owners,
)
from tests.reference import RawGraph, loaded

MakeStore = Callable[[], GraphStore]


def uscc(i: int, prefix: str = "91") -> str:
    body = f"{prefix}310000MA{i:07d}"
    return body + check_char(body)


def pyramid() -> tuple[RawGraph, dict[str, str]]:
    """张三 60% A, 李四 40% A; A 60% B, 王五 40% B; B 80% C, Q 20% C."""
    g = RawGraph()
    ids = {
        "张三": g.add_person("p1", "张三"),
        "李四": g.add_person("p2", "李四"),
        "王五": g.add_person("p3", "王五"),
        "A": g.add_company(uscc(1), "甲控股有限公司"),
        "B": g.add_company(uscc(2), "乙实业有限公司"),
        "C": g.add_company(uscc(3), "丙科技有限公司"),
        "Q": g.add_company(uscc(4), "丁投资有限公司"),
    }
    g.add_edge("HOLDS_SHARES", ids["张三"], ids["A"], ratio=0.6)
    g.add_edge("HOLDS_SHARES", ids["李四"], ids["A"], ratio=0.4)
    g.add_edge("HOLDS_SHARES", ids["A"], ids["B"], ratio=0.6)
    g.add_edge("HOLDS_SHARES", ids["王五"], ids["B"], ratio=0.4)
    g.add_edge("HOLDS_SHARES", ids["B"], ids["C"], ratio=0.8)
    g.add_edge("HOLDS_SHARES", ids["Q"], ids["C"], ratio=0.2)
    return g, ids


# -- effective ownership -------------------------------------------------------------------------------
def test_pyramid_effective_stakes(make_store: MakeStore) -> None:
    g, ids = pyramid()
    store = loaded(make_store, g)
    own = effective_ownership(store, "丙科技有限公司")
    got = {s.owner.name: s.effective for s in own.stakes}
    assert got == pytest.approx(
        {
            "乙实业有限公司": 0.8,
            "甲控股有限公司": 0.48,
            "王五": 0.32,
            "张三": 0.288,
            "李四": 0.192,
            "丁投资有限公司": 0.2,
        }
    )
    assert [s.owner.name for s in own.stakes][:3] == ["乙实业有限公司", "甲控股有限公司", "王五"]
    assert own.stake(ids["王五"]) is not None and own.stake(ids["王五"]).direct == 0.0  # type: ignore[union-attr]
    assert own.stake(ids["B"]).direct == pytest.approx(0.8)  # type: ignore[union-attr]
    assert not own.circular
    assert effective_stake(store, "张三", uscc(3)) == pytest.approx(0.288)
    assert effective_stake(store, "丁投资有限公司", "甲控股有限公司") == 0.0
    assert [s.owner.name for s in effective_ownership(store, uscc(3), min_stake=0.25).stakes] == [
        "乙实业有限公司",
        "甲控股有限公司",
        "王五",
        "张三",
    ]
    assert "stakes" in own.to_dict()


def test_pyramid_beneficial_owners_show_the_arithmetic(make_store: MakeStore) -> None:
    g, _ = pyramid()
    store = loaded(make_store, g)
    ubo = ultimate_owners(store, uscc(3))
    assert [(o.owner.name, o.kind, o.basis) for o in ubo.owners] == [
        ("王五", "person", "ownership"),
        ("张三", "person", "ownership"),
    ]
    zhang = ubo.owners[1]
    assert zhang.stake == pytest.approx(0.288)
    assert [c.text() for c in zhang.chains] == [
        "张三 → 甲控股有限公司 60% × 甲控股有限公司 → 乙实业有限公司 60% × 乙实业有限公司 → 丙科技有限公司 80% = 28.8%"
    ]
    assert zhang.explanation("zh").endswith("合计 28.8%")
    assert ultimate_owners(store, uscc(3), threshold=0.1).owners[-1].owner.name == "李四"
    assert ubo.to_dict()["owners"][0]["explanation_en"].endswith("total 32%")  # type: ignore[index]


def loop_graph() -> tuple[RawGraph, dict[str, str]]:
    """A ⇄ B cross-holding above the target C.

    张三 60% A; A 50% B; B 40% A; 赵六 50% B; B 50% C; 孙七 50% C.
    Worked by hand, x = stake in C:  x_B = 0.5 + 0.4 x_A,  x_A = 0.5 x_B
    → x_B = 0.5 / 0.8 = 0.625, x_A = 0.3125, 张三 = 0.6 x_A = 0.1875,
    赵六 = 0.5 x_B = 0.3125 (simple chain 25% + 6.25% round the loop), 孙七 = 0.5.
    """
    g = RawGraph()
    ids = {
        "张三": g.add_person("p1", "张三"),
        "赵六": g.add_person("p4", "赵六"),
        "孙七": g.add_person("p5", "孙七"),
        "A": g.add_company(uscc(11), "甲公司"),
        "B": g.add_company(uscc(12), "乙公司"),
        "C": g.add_company(uscc(13), "丙公司"),
    }
    for src, dst, r in (
        ("张三", "A", 0.6),
        ("A", "B", 0.5),
        ("B", "A", 0.4),
        ("赵六", "B", 0.5),
        ("B", "C", 0.5),
        ("孙七", "C", 0.5),
    ):
        g.add_edge("HOLDS_SHARES", ids[src], ids[dst], ratio=r)
    return g, ids


def test_cross_holding_loop_is_solved_exactly(make_store: MakeStore) -> None:
    g, _ = loop_graph()
    store = loaded(make_store, g)
    own = effective_ownership(store, "丙公司")
    got = {s.owner.name: s.effective or 0.0 for s in own.stakes}
    assert got == pytest.approx({"乙公司": 0.625, "甲公司": 0.3125, "张三": 0.1875, "赵六": 0.3125, "孙七": 0.5})
    assert own.circular
    # the persons at the top own all of it
    assert got["张三"] + got["赵六"] + got["孙七"] == pytest.approx(1.0)
    ubo = ultimate_owners(store, "丙公司")
    assert [(o.owner.name, o.stake) for o in ubo.owners] == [  # type: ignore[comparison-overlap]
        ("孙七", pytest.approx(0.5)),
        ("赵六", pytest.approx(0.3125)),
    ]
    zhao = ubo.owners[1]
    assert zhao.simple_total == pytest.approx(0.25)
    assert "其中 6.25% 来自交叉持股循环" in zhao.explanation("zh")
    assert "6.25% through cross-holdings" in zhao.explanation("en")


def test_company_holding_its_own_owner_does_not_count(make_store: MakeStore) -> None:
    """Chains end at the company: C holding shares of its holder A adds nothing to A's stake in C."""
    g = RawGraph()
    p = g.add_person("p1", "钱八")
    a = g.add_company(uscc(21), "甲")
    c = g.add_company(uscc(22), "丙")
    g.add_edge("HOLDS_SHARES", p, a, ratio=0.7)
    g.add_edge("HOLDS_SHARES", a, c, ratio=0.6)
    g.add_edge("HOLDS_SHARES", c, a, ratio=0.3)
    store = loaded(make_store, g)
    got = {s.owner.name: s.effective for s in effective_ownership(store, uscc(22)).stakes}
    assert got == pytest.approx({"甲": 0.6, "钱八": 0.42})


def test_unknown_ratio_makes_the_owner_unknown(make_store: MakeStore) -> None:
    g = RawGraph()
    p = g.add_person("p1", "周九")
    r = g.add_person("p2", "吴十")
    q = g.add_person("p3", "郑一")
    a = g.add_company(uscc(31), "甲")
    t = g.add_company(uscc(32), "目标")
    g.add_edge("HOLDS_SHARES", p, a)  # ratio unknown
    g.add_edge("HOLDS_SHARES", r, a, ratio=0.5)
    g.add_edge("HOLDS_SHARES", a, t, ratio=0.6)
    g.add_edge("HOLDS_SHARES", q, t, ratio=0.4)
    store = loaded(make_store, g)
    own = effective_ownership(store, "目标")
    got = {s.owner.name: s.effective for s in own.stakes}
    assert got["周九"] is None
    assert got["吴十"] == pytest.approx(0.3)
    assert got["甲"] == pytest.approx(0.6)
    assert own.stakes[-1].owner.name == "周九"
    assert effective_stake(store, "周九", "目标") is None
    ubo = ultimate_owners(store, "目标")
    assert [o.owner.name for o in ubo.owners] == ["郑一", "吴十"]
    assert [n.name for n in ubo.unknown] == ["周九"]
    assert any("周九" in note for note in ubo.notes)


def test_closed_loop_without_outside_owner_is_unknown(make_store: MakeStore) -> None:
    g = RawGraph()
    a = g.add_company(uscc(41), "甲")
    b = g.add_company(uscc(42), "乙")
    t = g.add_company(uscc(43), "目标")
    g.add_edge("HOLDS_SHARES", a, b, ratio=1.0)
    g.add_edge("HOLDS_SHARES", b, a, ratio=1.0)
    g.add_edge("HOLDS_SHARES", b, t, ratio=0.5)
    store = loaded(make_store, g)
    own = effective_ownership(store, "目标")
    assert {s.owner.name: s.effective for s in own.stakes} == {"甲": None, "乙": None}
    assert any("闭环" in n for n in own.notes)


def test_input_is_checked(make_store: MakeStore) -> None:
    g, _ = pyramid()
    g.add_company(uscc(5), "甲控股有限公司分部")
    store = loaded(make_store, g)
    with pytest.raises(NodeNotFound):
        effective_ownership(store, "不存在的公司")
    with pytest.raises(AmbiguousNode):
        ultimate_owners(store, "甲控股")
    with pytest.raises(InvalidParameter):
        ultimate_owners(store, uscc(3), threshold=1.5)
    with pytest.raises(InvalidParameter):
        ultimate_owners(store, uscc(3), threshold=0)
    with pytest.raises(InvalidParameter):
        effective_stake(store, uscc(3), uscc(3))
    with pytest.raises(NodeNotFound):
        actual_controller(store, "张三")  # a person is not a company


def test_beneficial_owner_fallbacks(make_store: MakeStore) -> None:
    """Nobody owns 25%: the actual controller counts by control; with no controller, the persons running it."""
    g = RawGraph()
    jia = g.add_person("p1", "甲")
    yi = g.add_person("p2", "乙")
    bing = g.add_person("p3", "丙")
    ding = g.add_person("p4", "丁")
    a = g.add_company(uscc(51), "控股平台")
    t1 = g.add_company(uscc(52), "分散持股公司")
    t2 = g.add_company(uscc(53), "相对控股公司")
    others = [g.add_company(uscc(60 + i), f"小股东{i}") for i in range(5)]
    for o in others:
        g.add_edge("HOLDS_SHARES", o, t1, ratio=0.2)
        g.add_edge("HOLDS_SHARES", o, t2, ratio=0.13)
    g.add_edge("HOLDS_SHARES", jia, a, ratio=0.6)
    g.add_edge("HOLDS_SHARES", a, t2, ratio=0.35)
    g.add_edge("SERVES_AS", yi, t1, role="legal_representative")
    g.add_edge("SERVES_AS", yi, t1, role="general_manager")
    g.add_edge("SERVES_AS", bing, t1, role="supervisor")
    g.add_edge("SERVES_AS", ding, t1, role="chairman", until="2021-06-30")
    store = loaded(make_store, g)
    by_control = ultimate_owners(store, "相对控股公司")
    assert [(o.owner.name, o.basis, o.stake) for o in by_control.owners] == [("甲", "control", None)]
    assert "控股平台" in by_control.owners[0].explanation("zh")
    assert effective_stake(store, "甲", "相对控股公司") == pytest.approx(0.21)
    running = ultimate_owners(store, "分散持股公司")
    assert [(o.owner.name, o.basis) for o in running.owners] == [("乙", "senior_manager")]
    assert running.owners[0].explanation("en") == "runs the company: legal representative, general manager"
    assert any("nobody owns 25%" in n for n in running.notes)


# -- actual controller -------------------------------------------------------------------------------------
def test_controller_follows_majorities_to_a_person(make_store: MakeStore) -> None:
    g, _ = pyramid()
    store = loaded(make_store, g)
    ctrl = actual_controller(store, uscc(3))
    assert ctrl.controller is not None and ctrl.controller.name == "张三"
    assert ctrl.kind == "person"
    assert [(s.holder.name, s.company.name, s.ratio, s.rule) for s in ctrl.chain] == [
        ("乙实业有限公司", "丙科技有限公司", 0.8, "majority"),
        ("甲控股有限公司", "乙实业有限公司", 0.6, "majority"),
        ("张三", "甲控股有限公司", 0.6, "majority"),
    ]
    assert "张三 持有 甲控股有限公司 60%" in ctrl.reason_zh
    assert ctrl.to_dict()["kind"] == "person"


def control_cases() -> tuple[RawGraph, dict[str, str]]:
    g = RawGraph()
    ids = {
        "P": g.add_person("p1", "冯二"),
        "S": g.add_company(uscc(1, "11"), "某市财政局"),
        "SASAC": g.add_company(uscc(2), "某省人民政府国有资产监督管理委员会"),
    }
    for i, name in enumerate(("largest", "tie", "small", "state", "unknown", "loop", "x", "y", "z", "w"), start=60):
        ids[name] = g.add_company(uscc(i), f"公司{name}")
    h = "HOLDS_SHARES"
    # largest holder with >= 30%, nobody above 50%
    g.add_edge(h, ids["P"], ids["largest"], ratio=0.35)
    g.add_edge(h, ids["x"], ids["largest"], ratio=0.2)
    g.add_edge(h, ids["y"], ids["largest"], ratio=0.2)
    g.add_edge(h, ids["z"], ids["largest"], ratio=0.25)
    # a tie at 40%
    g.add_edge(h, ids["x"], ids["tie"], ratio=0.4)
    g.add_edge(h, ids["y"], ids["tie"], ratio=0.4)
    # everybody small
    g.add_edge(h, ids["x"], ids["small"], ratio=0.25)
    g.add_edge(h, ids["y"], ids["small"], ratio=0.25)
    g.add_edge(h, ids["P"], ids["small"], ratio=0.2)
    # a state body through a company
    g.add_edge(h, ids["w"], ids["state"], ratio=0.7)
    g.add_edge(h, ids["SASAC"], ids["w"], ratio=1.0)
    # an unknown ratio that could be a majority
    g.add_edge(h, ids["x"], ids["unknown"])
    g.add_edge(h, ids["y"], ids["unknown"], ratio=0.3)
    # control goes round a circle: unknown <- ... loop: x 60% y, y 60% x, x 60% loop
    g.add_edge(h, ids["x"], ids["loop"], ratio=0.6)
    g.add_edge(h, ids["y"], ids["x"], ratio=0.6)
    g.add_edge(h, ids["x"], ids["y"], ratio=0.6)
    return g, ids


def test_controller_rules(make_store: MakeStore) -> None:
    g, ids = control_cases()
    store = loaded(make_store, g)
    largest = actual_controller(store, ids["largest"])
    assert largest.controller is not None and largest.controller.name == "冯二"
    assert largest.chain[0].rule == "largest"
    tie = actual_controller(store, ids["tie"])
    assert tie.controller is None and "equal stakes" in tie.reason_en and tie.top is None
    small = actual_controller(store, ids["small"])
    assert small.controller is None and "under 30%" in small.reason_en
    state = actual_controller(store, ids["state"])
    assert state.kind == "state" and state.controller is not None and "国有资产" in state.controller.name
    assert len(state.chain) == 2
    unknown = actual_controller(store, ids["unknown"])
    assert unknown.controller is None and "unknown" in unknown.reason_en
    loop = actual_controller(store, ids["loop"])
    assert loop.controller is None and "circle" in loop.reason_en
    itself = actual_controller(store, ids["S"])
    assert itself.kind == "state" and itself.controller is not None and itself.controller.id == ids["S"]
    no_holders = actual_controller(store, ids["z"])
    assert no_holders.controller is None and "no recorded shareholders" in no_holders.reason_en


def test_controller_chain_stopping_at_a_company_names_it(make_store: MakeStore) -> None:
    g, ids = pyramid()
    g.edges = [e for e in g.edges if not e[1].startswith("Person:p1") and not e[1].startswith("Person:p2")]
    store = loaded(make_store, g)
    ctrl = actual_controller(store, uscc(3))
    assert ctrl.controller is None
    assert ctrl.top is not None and ctrl.top.id == ids["A"]
    assert "甲控股有限公司" in ctrl.reason_zh


def group_graph() -> tuple[RawGraph, dict[str, str]]:
    """张三 controls A (60%) and D (55%); A controls B (60%) and C (35%, largest);
    B holds 10% of E, which 李四 controls (51%); SASAC-like F under A is a state body."""
    g = RawGraph()
    ids = {"张三": g.add_person("p1", "张三"), "李四": g.add_person("p2", "李四")}
    for i, name in enumerate("ABCDE", start=1):
        ids[name] = g.add_company(uscc(100 + i), f"集团{name}")
    ids["F"] = g.add_company(uscc(9, "11"), "某区财政局")
    h = "HOLDS_SHARES"
    g.add_edge(h, ids["张三"], ids["A"], ratio=0.6)
    g.add_edge(h, ids["张三"], ids["D"], ratio=0.55)
    g.add_edge(h, ids["A"], ids["B"], ratio=0.6)
    g.add_edge(h, ids["A"], ids["C"], ratio=0.35)
    g.add_edge(h, ids["B"], ids["E"], ratio=0.1)
    g.add_edge(h, ids["李四"], ids["E"], ratio=0.51)
    g.add_edge(h, ids["A"], ids["F"], ratio=0.9)
    return g, ids


def test_same_controller_group(make_store: MakeStore) -> None:
    g, ids = group_graph()
    store = loaded(make_store, g)
    group = same_controller_group(store, ids["B"])
    assert group.root is not None and group.root.name == "张三"
    assert [(m.company.name, m.depth, m.parent.name) for m in group.members] == [
        ("集团A", 1, "张三"),
        ("集团D", 1, "张三"),
        ("集团B", 2, "集团A"),
        ("集团C", 2, "集团A"),
    ]
    # every member's own controller is the root
    for m in group.members:
        ctrl = actual_controller(store, m.company)
        assert ctrl.controller is not None and ctrl.controller.id == ids["张三"]
    assert {m.company.name for m in controlled_companies(store, "集团A").members} == {"集团B", "集团C"}
    assert not controlled_companies(store, "集团A", limit=1).members[1:]
    assert controlled_companies(store, "集团A", limit=1).truncated
    lonely = same_controller_group(store, ids["F"])
    assert lonely.root is not None and lonely.root.id == ids["F"] and lonely.members == ()


def test_shared_officers(make_store: MakeStore) -> None:
    g = RawGraph()
    a = g.add_company(uscc(1), "甲")
    b = g.add_company(uscc(2), "乙")
    zhang = g.add_person("p1", "张三")
    wang = g.add_person("p2", "王五")
    li = g.add_person("p3", "李四")
    g.add_edge("SERVES_AS", zhang, a, role="chairman")
    g.add_edge("SERVES_AS", zhang, b, role="director")
    g.add_edge("SERVES_AS", zhang, b, role="general_manager")
    g.add_edge("SERVES_AS", wang, a, role="supervisor")
    g.add_edge("SERVES_AS", wang, b, role="other")
    g.add_edge("SERVES_AS", li, a, role="director")
    g.add_edge("SERVES_AS", li, b, role="director", until="2020-01-01")
    store = loaded(make_store, g)
    shared = shared_officers(store, "甲", "乙")
    assert [(o.person.name, o.roles_a, o.roles_b) for o in shared.officers] == [
        ("张三", ("chairman",), ("director", "general_manager"))
    ]
    with_former = shared_officers(store, "甲", "乙", include_former=True)
    assert [o.person.name for o in with_former.officers] == ["张三", "李四"]
    with pytest.raises(InvalidParameter):
        shared_officers(store, "甲", "甲")
    with pytest.raises(InvalidParameter):
        shared_officers(store, "甲", "乙", roles=("boss",))


def test_related_parties_reasons(make_store: MakeStore) -> None:
    g, ids = group_graph()
    h = "HOLDS_SHARES"
    ids["G"] = g.add_company(uscc(120), "参股公司")
    ids["H"] = g.add_company(uscc(121), "担保人公司", blacklisted=True)
    ids["S"] = g.add_company(uscc(122), "大供应商")
    ids["s"] = g.add_company(uscc(123), "小供应商")
    ids["X"] = g.add_company(uscc(124), "董事的其他公司")
    ids["Y"] = g.add_company(uscc(125), "董事控股公司")
    ids["officer"] = g.add_person("p9", "陈董事")
    g.add_edge(h, ids["A"], ids["G"], ratio=0.25)
    g.add_edge("GUARANTEES", ids["H"], ids["A"], amount=5e7)
    g.add_edge("SUPPLIES", ids["S"], ids["A"], amount=9e6)
    g.add_edge("SUPPLIES", ids["s"], ids["A"], amount=1e6)
    g.add_edge("SERVES_AS", ids["officer"], ids["A"], role="director")
    g.add_edge("SERVES_AS", ids["officer"], ids["X"], role="chairman")
    g.add_edge(h, ids["officer"], ids["Y"], ratio=0.8)
    store = loaded(make_store, g)
    related = related_parties(store, ids["A"])
    reasons = {p.party.name: [r.code for r in p.reasons] for p in related.parties}
    assert reasons["张三"] == ["actual_controller", "controlling_shareholder", "beneficial_owner", "shareholder"]
    assert reasons["集团B"] == ["subsidiary"]
    assert reasons["集团C"] == ["subsidiary"]
    assert reasons["参股公司"] == ["investee"]
    assert reasons["集团D"] == ["same_controller"]
    assert reasons["陈董事"] == ["key_officer"]
    assert reasons["董事的其他公司"] == ["shared_officer"]
    assert reasons["董事控股公司"] == ["officer_controlled"]
    assert reasons["担保人公司"] == ["guarantor"]
    assert reasons["大供应商"] == ["major_supplier"]
    assert "小供应商" in reasons  # 10% of purchases is major
    assert "集团E" not in reasons  # B's 10% of E makes E related to B, not to A
    assert "某区财政局" in reasons and reasons["某区财政局"] == ["investee"]  # a state body is not a subsidiary
    assert related.parties[0].party.name == "张三"
    assert any("担保人公司" in n for n in related.notes)
    assert related_parties(store, ids["A"], major_share=0.5).to_dict()["parties"]


# -- properties ----------------------------------------------------------------------------------------
RATIOS = (0.1, 0.2, 0.3, 0.5, 0.7)


@st.composite
def acyclic_equity(draw: st.DrawFn) -> tuple[RawGraph, str]:
    g = RawGraph()
    n = draw(st.integers(2, 7))
    comps = [g.add_company(uscc(i), f"公司{i}") for i in range(n)]
    people = [g.add_person(f"p{i}", f"人{i}") for i in range(draw(st.integers(0, 3)))]
    pairs = [(comps[i], comps[j]) for i in range(n) for j in range(i)]  # higher index holds lower: no cycle
    pairs += [(p, c) for p in people for c in comps]
    for src, dst in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=14)) if pairs else []:
        ratio = (
            draw(st.sampled_from((*RATIOS, None))) if draw(st.integers(0, 5)) == 0 else draw(st.sampled_from(RATIOS))
        )
        g.add_edge("HOLDS_SHARES", src, dst, **({} if ratio is None else {"ratio": ratio}))
    return g, draw(st.sampled_from(comps))


def enumerate_paths(graph: RawGraph, target: str) -> dict[str, float | None]:
    """Every owner's stake by listing every simple path to ``target`` (None if one has an unknown ratio)."""
    out: dict[str, list[tuple[str, float | None]]] = {}
    for _, src, dst, props in graph.edges:
        out.setdefault(src, []).append((dst, props.get("ratio")))
    result: dict[str, float | None] = {}
    for owner in graph.nodes:
        if owner == target:
            continue
        total: float | None = 0.0
        found = False
        stack: list[tuple[str, float | None, frozenset[str]]] = [(owner, 1.0, frozenset([owner]))]
        while stack:
            here, product, seen = stack.pop()
            for nxt, r in out.get(here, []):
                if nxt in seen:
                    continue
                value = None if product is None or r is None else product * r
                if nxt == target:
                    found = True
                    total = None if total is None or value is None else total + value
                else:
                    stack.append((nxt, value, seen | {nxt}))
        if found:
            result[owner] = total
    return result


def same(got: dict[str, float | None], want: dict[str, float | None]) -> bool:
    if got.keys() != want.keys():
        return False
    for k, v in want.items():
        w = got[k]
        if v is None or w is None:
            if v is not w:
                return False
        elif not math.isclose(v, w, rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=acyclic_equity())
def test_effective_ownership_equals_path_enumeration(make_store: MakeStore, case: tuple[RawGraph, str]) -> None:
    graph, target = case
    store = loaded(make_store, graph)
    got = {s.owner.id: s.effective for s in effective_ownership(store, target).stakes}
    assert same(got, enumerate_paths(graph, target))


@st.composite
def cyclic_equity(draw: st.DrawFn) -> tuple[RawGraph, str]:
    """Any direction between companies; at most three holders of 10-30% each, so the series converges."""
    g = RawGraph()
    n = draw(st.integers(2, 6))
    comps = [g.add_company(uscc(i), f"公司{i}") for i in range(n)]
    people = [g.add_person(f"p{i}", f"人{i}") for i in range(draw(st.integers(0, 2)))]
    for c in comps:
        holders = draw(st.lists(st.sampled_from([x for x in comps + people if x != c]), unique=True, max_size=3))
        for h in holders:
            if draw(st.integers(0, 7)) == 0:
                g.add_edge("HOLDS_SHARES", h, c)
            else:
                g.add_edge("HOLDS_SHARES", h, c, ratio=draw(st.sampled_from((0.1, 0.2, 0.3))))
    return g, draw(st.sampled_from(comps))


def truncated_series(graph: RawGraph, target: str, terms: int = 3000) -> dict[str, float | None]:
    """x ← A x + b repeated ``terms`` times, chains ending at ``target``; None where an unknown ratio is reachable."""
    edges = [(s, d, p.get("ratio")) for _, s, d, p in graph.edges if s != target]
    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((s, d) for s, d, _ in edges)
    owners = {v for v in graph.nodes if v != target and nx.has_path(g, v, target)}
    unknown_sources = [(s, d) for s, d, r in edges if r is None and (d == target or d in owners)]
    x = dict.fromkeys(graph.nodes, 0.0)
    for _ in range(terms):
        nxt = dict.fromkeys(graph.nodes, 0.0)
        for s, d, r in edges:
            nxt[s] += (r or 0.0) * (1.0 if d == target else x[d])
        x = nxt
    out: dict[str, float | None] = {}
    for v in owners:
        hidden = any(v == s or nx.has_path(g, v, s) for s, _ in unknown_sources)
        out[v] = None if hidden else x[v]
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cyclic_equity())
def test_effective_ownership_equals_long_series_on_cycles(make_store: MakeStore, case: tuple[RawGraph, str]) -> None:
    graph, target = case
    store = loaded(make_store, graph)
    got = {s.owner.id: s.effective for s in effective_ownership(store, target).stakes}
    assert same(got, truncated_series(graph, target))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=acyclic_equity())
def test_beneficial_owner_chains_add_up_without_loops(make_store: MakeStore, case: tuple[RawGraph, str]) -> None:
    graph, target = case
    store = loaded(make_store, graph)
    for owner in ultimate_owners(store, target, threshold=0.01, max_chains=1000).owners:
        if owner.basis != "ownership":
            assert owner.stake is None and not owner.chains
            continue
        assert owner.simple_total == pytest.approx(owner.stake)
        assert math.fsum(c.product for c in owner.chains) == pytest.approx(owner.stake)
        for chain in owner.chains:
            assert chain.nodes[0].id == owner.owner.id and chain.nodes[-1].id == target
            assert len(set(n.id for n in chain.nodes)) == len(chain.nodes)


def test_every_pair_in_a_small_pyramid_matches_effective_stake(make_store: MakeStore) -> None:
    g, ids = pyramid()
    store = loaded(make_store, g)
    for owner, company in itertools.permutations(["A", "B", "C", "Q"], 2):
        want = enumerate_paths(g, ids[company]).get(ids[owner], 0.0)
        assert effective_stake(store, ids[owner], ids[company]) == pytest.approx(want)


class NativeStore(EmbeddedStore):
    """An embedded store answering the ``upstream_holdings`` hook itself, as a database would."""

    def upstream_holdings(self, company_id: str) -> list[Edge]:
        holds = nx.DiGraph()
        holds.add_edges_from((u, v) for u, v, t in self.graph.edges(data="type") if t == "HOLDS_SHARES")
        if company_id not in holds:
            return []
        up = nx.ancestors(holds, company_id) | {company_id}
        return [e for e in self.iter_edges(["HOLDS_SHARES"]) if e.source in up and e.target in up]


@settings(max_examples=40, deadline=None)
@given(case=cyclic_equity())
def test_a_native_upstream_hook_gives_the_same_stakes(case: tuple[RawGraph, str]) -> None:
    graph, target = case
    plain, hooked = EmbeddedStore(), NativeStore()
    graph.write_to(plain)
    graph.write_to(hooked)
    want = effective_ownership(plain, target)
    got = effective_ownership(hooked, target)
    assert [(s.owner.id, s.direct) for s in got.stakes] == [(s.owner.id, s.direct) for s in want.stakes]
    assert same({s.owner.id: s.effective for s in got.stakes}, {s.owner.id: s.effective for s in want.stakes})
