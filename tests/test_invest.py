"""Investment through funds and partnerships (INVESTS_IN) and former holdings, on both stores.

A partnership is controlled by its 执行事务合伙人 (else its only general
partner), never by a limited partner's share, while every partner's share is
economic ownership; a holder that has exited (退出日期) is history: no
ownership, no control, a weaker and worded tie.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.model import Edge
from graph.schema import load_schema
from graph.store import GraphStore
from graph.uscc import check_char
from graph.warmth import load_weights
from queries.explain import clause
from queries.ownership import (
    actual_controller,
    controlled_companies,
    effective_ownership,
    related_parties,
    ultimate_owners,
)
from tests.reference import RawGraph, loaded

MakeStore = Callable[[], GraphStore]


def uscc(i: int) -> str:
    body = f"91310000MA{i:07d}"
    return body + check_char(body)


def fund_graph() -> tuple[RawGraph, dict[str, str]]:
    """A fund 丙基金 (a partnership): 甲管理 its managing partner with 1%, 王五 an LP with 69%, 乙公司 an LP
    with 30%; 张三 holds 80% of 甲管理; the fund holds 60% of 丁科技, 赵六 the other 40%. 李四 held 50% of
    丁科技 until 2019 (exited); 钱七 was the fund's managing partner until 2020."""
    g = RawGraph()
    ids = {
        "张三": g.add_person("p1", "张三"),
        "王五": g.add_person("p2", "王五"),
        "李四": g.add_person("p3", "李四"),
        "赵六": g.add_person("p4", "赵六"),
        "钱七": g.add_person("p5", "钱七"),
        "甲管理": g.add_company(uscc(1), "甲私募基金管理有限公司"),
        "乙公司": g.add_company(uscc(2), "乙实业有限公司"),
        "丙基金": g.add_company(uscc(3), "丙股权投资合伙企业（有限合伙）"),
        "丁科技": g.add_company(uscc(4), "丁科技有限公司"),
    }
    g.add_edge("HOLDS_SHARES", ids["张三"], ids["甲管理"], ratio=0.8)
    g.add_edge("INVESTS_IN", ids["甲管理"], ids["丙基金"], partner_role="managing_partner", ratio=0.01)
    g.add_edge("INVESTS_IN", ids["王五"], ids["丙基金"], partner_role="limited_partner", ratio=0.69)
    g.add_edge("INVESTS_IN", ids["乙公司"], ids["丙基金"], partner_role="limited_partner", ratio=0.3)
    g.add_edge(
        "INVESTS_IN", ids["钱七"], ids["丙基金"], partner_role="managing_partner", ratio=0.05, until="2020-06-30"
    )
    g.add_edge("HOLDS_SHARES", ids["丙基金"], ids["丁科技"], ratio=0.6)
    g.add_edge("HOLDS_SHARES", ids["赵六"], ids["丁科技"], ratio=0.4)
    g.add_edge("HOLDS_SHARES", ids["李四"], ids["丁科技"], ratio=0.5, since="2015-01-01", until="2019-03-01")
    return g, ids


def test_managing_partner_controls_the_fund_and_what_it_controls(make_store: MakeStore) -> None:
    g, ids = fund_graph()
    store = loaded(make_store, g)
    fund = actual_controller(store, ids["丙基金"])
    assert fund.controller is not None and fund.controller.name == "张三"
    assert [s.rule for s in fund.chain] == ["managing_partner", "majority"]
    assert "执行事务合伙人" in fund.chain[0].text("zh") and "managing partner" in fund.chain[0].text("en")
    # the fund holds 60% of 丁科技: control goes up through the fund to its managing partner, not its LPs
    ctrl = actual_controller(store, ids["丁科技"])
    assert ctrl.controller is not None and ctrl.controller.name == "张三"
    assert [s.holder.name for s in ctrl.chain] == ["丙股权投资合伙企业（有限合伙）", "甲私募基金管理有限公司", "张三"]
    group = controlled_companies(store, ids["张三"])
    assert {m.company.name for m in group.members} == {
        "甲私募基金管理有限公司",
        "丙股权投资合伙企业（有限合伙）",
        "丁科技有限公司",
    }


def test_limited_partners_own_but_do_not_control(make_store: MakeStore) -> None:
    g, ids = fund_graph()
    store = loaded(make_store, g)
    own = effective_ownership(store, ids["丁科技"])
    got = {s.owner.name: s.effective for s in own.stakes}
    # 王五 owns 69% × 60% of 丁科技 economically; the former holder 李四 and former partner 钱七 own nothing
    assert got == pytest.approx(
        {
            "丙股权投资合伙企业（有限合伙）": 0.6,
            "赵六": 0.4,
            "王五": 0.414,
            "乙实业有限公司": 0.18,
            "甲私募基金管理有限公司": 0.006,
            "张三": 0.0048,
        }
    )
    ubo = ultimate_owners(store, ids["丁科技"])
    assert {o.owner.name: o.stake for o in ubo.owners} == pytest.approx({"王五": 0.414, "赵六": 0.4})
    assert "王五" not in {s.holder.name for s in actual_controller(store, ids["丁科技"]).chain}


def test_a_partnership_without_a_general_partner_has_no_controller(make_store: MakeStore) -> None:
    g = RawGraph()
    lp = g.add_person("p1", "孙八")
    fund = g.add_company(uscc(9), "戊创业投资合伙企业（有限合伙）")
    g.add_edge("INVESTS_IN", lp, fund, partner_role="limited_partner", ratio=0.99)
    two = g.add_company(uscc(10), "己投资合伙企业（有限合伙）")
    for i, name in enumerate(("周一", "吴二"), start=20):
        g.add_edge("INVESTS_IN", g.add_person(f"p{i}", name), two, partner_role="general_partner", ratio=0.5)
    store = loaded(make_store, g)
    ctrl = actual_controller(store, fund)
    assert ctrl.controller is None and "有限合伙人不构成控制" in ctrl.reason_zh
    assert "limited partners do not control" in ctrl.reason_en
    both = actual_controller(store, two)
    assert both.controller is None and "several managing or general partners" in both.reason_en


def test_sole_general_partner_controls(make_store: MakeStore) -> None:
    g = RawGraph()
    gp = g.add_person("p1", "郑九")
    fund = g.add_company(uscc(11), "庚投资合伙企业（有限合伙）")
    g.add_edge("INVESTS_IN", gp, fund, partner_role="general_partner", ratio=0.02)
    g.add_edge("INVESTS_IN", g.add_person("p2", "冯十"), fund, partner_role="limited_partner", ratio=0.98)
    store = loaded(make_store, g)
    ctrl = actual_controller(store, fund)
    assert ctrl.controller is not None and ctrl.controller.name == "郑九"
    assert ctrl.chain[0].rule == "general_partner" and "唯一普通合伙人" in ctrl.reason_zh


def test_former_holders_are_history(make_store: MakeStore) -> None:
    g, ids = fund_graph()
    store = loaded(make_store, g)
    own = effective_ownership(store, ids["丁科技"])
    assert [(f.holder.name, f.ratio, f.until) for f in own.former] == [("李四", 0.5, "2019-03-01")]
    fund = effective_ownership(store, ids["丙基金"])
    assert [(f.holder.name, f.type, f.partner_role) for f in fund.former] == [
        ("钱七", "INVESTS_IN", "managing_partner")
    ]
    assert own.to_dict()["former"] == [own.former[0].to_dict()] and own.former[0].to_dict()["until"] == "2019-03-01"
    parties = {p.party.name for p in related_parties(store, ids["丁科技"]).parties}
    assert "李四" not in parties and "赵六" in parties


def test_former_and_partner_ties_are_worded_and_weaker() -> None:
    w = load_weights()
    current = w.strength("HOLDS_SHARES", {"ratio": 0.5})
    assert w.strength("HOLDS_SHARES", {"ratio": 0.5, "until": "2019-03-01"}) == pytest.approx(current * 0.5)
    assert w.strength("INVESTS_IN", {"partner_role": "managing_partner"}) > w.strength(
        "INVESTS_IN", {"partner_role": "limited_partner"}
    )
    gone = Edge("HOLDS_SHARES", "Person:p3", "Company:x", {"ratio": 0.5, "until": "2019-03-01"}, 0.45)
    assert clause(gone, "李四", "丁科技") == "李四曾持有丁科技 50%股权（2019年退出）"
    assert clause(gone, "李四", "丁科技", "en") == "李四 formerly held 50% of 丁科技 (until 2019)"
    assert clause(gone, "李四", "丁科技", "zh", reverse=True) == "丁科技曾由李四持股50%（2019年退出）"
    gp = Edge("INVESTS_IN", "Person:p1", "Company:f", {"partner_role": "managing_partner", "ratio": 0.01}, 0.85)
    assert clause(gp, "张三", "丙基金") == "张三是丙基金的执行事务合伙人（出资1%）"
    assert clause(gp, "张三", "丙基金", "en", reverse=True) == "丙基金 has 张三 as the managing partner (1%)"


def test_partner_roles_read_as_exports_print_them() -> None:
    role = load_schema().kind("INVESTS_IN").properties["partner_role"]
    for text, want in (
        ("执行事务合伙人", "managing_partner"),
        ("執行事務合夥人", "managing_partner"),
        ("普通合伙人", "general_partner"),
        ("GP", "general_partner"),
        ("有限合夥人", "limited_partner"),
        ("limited partner", "limited_partner"),
    ):
        assert role.canonical_value(text) == want


def test_ftm_and_bods_map_partners_and_ended_holdings() -> None:
    from graph.messages import render
    from loaders.bods import map_statements
    from loaders.ftm import map_entities

    schema = load_schema()
    own = {"owner": ["p1"], "asset": ["c1"], "percentage": ["1"], "role": ["执行事务合伙人"]}
    ended = {"owner": ["p1"], "asset": ["c2"], "percentage": ["30"], "endDate": ["2019-03-01"]}
    entities = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["张三"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["丙基金"], "registrationNumber": [uscc(3)]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["丁科技"], "registrationNumber": [uscc(4)]}},
        {"id": "o1", "schema": "Ownership", "properties": own},
        {"id": "o2", "schema": "Ownership", "properties": ended},
        {"id": "v1", "schema": "Vessel", "properties": {}},
    ]
    mapped = map_entities(enumerate(entities, start=1), "x.json", schema)
    [(_, partner)] = mapped.rows[("edges", "INVESTS_IN")]
    assert partner["partner_role"] == "执行事务合伙人" and partner["ratio"] == "1%"
    [(_, holding)] = mapped.rows[("edges", "HOLDS_SHARES")]
    assert holding["until"] == "2019-03-01"
    [left] = mapped.left_out()
    assert render(left, "zh") == "x.json（FtM：1 条类型为 Vessel 的实体在 guanxi 中没有对应的类型）"
    assert render(left, "en") == "x.json (FtM: 1 Vessel with no kind in guanxi)"

    def statement(rid: str, kind: str, details: dict[str, object]) -> dict[str, object]:
        return {"statementId": rid * 8, "recordId": rid, "recordType": kind, "recordDetails": details}

    interest = {"type": "shareholding", "directOrIndirect": "direct", "details": "有限合伙人", "share": {"exact": 40}}
    gone = {"type": "shareholding", "directOrIndirect": "direct", "share": {"exact": 25}, "endDate": "2020-01-01"}
    statements = [
        statement("e1", "entity", {"entityType": {"type": "registeredEntity"}, "name": "丙基金"}),
        statement("p1", "person", {"names": [{"fullName": "王五"}]}),
        statement("r1", "relationship", {"subject": "e1", "interestedParty": "p1", "interests": [interest]}),
        statement("p2", "person", {"names": [{"fullName": "李四"}]}),
        statement("r2", "relationship", {"subject": "e1", "interestedParty": "p2", "interests": [gone]}),
        statement("r3", "relationship", {"subject": "e1", "interestedParty": {"reason": ""}, "interests": []}),
    ]
    bods = map_statements(enumerate(statements, start=1), "b.json", schema)
    [(_, lp)] = bods.rows[("edges", "INVESTS_IN")]
    assert (lp["partner_role"], lp["ratio"]) == ("有限合伙人", "40%")
    [(_, former)] = bods.rows[("edges", "HOLDS_SHARES")]
    assert former["until"] == "2020-01-01"
    assert "未说明原因" in render(bods.left_out()[0], "zh")


def test_related_parties_name_partners_by_role(make_store: MakeStore) -> None:
    g, ids = fund_graph()
    store = loaded(make_store, g)
    fund = {p.party.name: p.reasons for p in related_parties(store, ids["丙基金"]).parties}
    assert any(r.zh == "有限合伙人，出资 69%" and r.en == "limited partner, 69%" for r in fund["王五"])
    manager = {p.party.name: p.reasons for p in related_parties(store, ids["甲管理"]).parties}
    fund_reasons = manager["丙股权投资合伙企业（有限合伙）"]
    assert fund_reasons[0].code == "subsidiary" and fund_reasons[0].zh == "本企业为其执行事务合伙人"


def test_funds_and_former_holdings_round_trip_through_ftm_and_bods(make_store: MakeStore, tmp_path: Path) -> None:
    """guanxi → FtM / BODS → guanxi keeps partner roles, shares and exit dates; the BODS is valid 0.4."""
    from loaders.bods import write_statements
    from loaders.ftm import write_entities
    from loaders.pipeline import load_files
    from tests.test_interchange import bods_schema

    g, _ = fund_graph()
    store = loaded(make_store, g)
    wanted = ("partner_role", "ratio", "until")

    def ties(s: GraphStore) -> set[tuple[str, str, str, tuple[object, ...]]]:
        names = {n.id: n.name for n in s.iter_nodes()}
        return {
            (e.type, names[e.source], names[e.target], tuple(e.props.get(p) for p in wanted))
            for e in s.iter_edges(["HOLDS_SHARES", "INVESTS_IN"])
        }

    ftm = tmp_path / "fund.ftm.json"
    write_entities(store, ftm)
    bods = tmp_path / "fund.bods.json"
    write_statements(store, bods, today="2026-12-07")
    statements = json.loads(bods.read_text(encoding="utf-8"))
    assert not list(bods_schema().iter_errors(statements))
    for path in (ftm, bods):
        again = make_store()
        again.clear()
        report = load_files(again, [path])
        assert report.rejected == 0, report.summary("en")
        assert ties(again) == ties(store), path.name
