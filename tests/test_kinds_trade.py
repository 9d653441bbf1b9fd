"""Transactions (PAYS, the bank's own settlement data) and industry-chain segments (Segment, IN_SEGMENT,
UPSTREAM_OF): warmth, sentences, confirmed suppliers, leads by segment, and files as banks export them,
on both stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graph.errors import SchemaError
from graph.model import Edge
from graph.schema import load_schema
from graph.store import GraphStore
from graph.warmth import load_weights, parse_weights
from queries.explain import clause, edge_label
from queries.introductions import introductions
from queries.supply_chain import segment_leads, supply_chain
from tests.reference import RawGraph, loaded
from tests.scenarios import uscc

MakeStore = Callable[[], GraphStore]


def trade() -> tuple[RawGraph, dict[str, str]]:
    """Client K (晶圆制造) buys from S1 (the bank sees K pay it: confirmed) and S2 (not seen).

    The chain 集成电路: 芯片设计 and 半导体材料 → 晶圆制造 → 封装测试. D1 and M1 sit upstream of K's
    segment, P1 downstream; client C2 pays P1 (an introduction over a transaction). X1 (closed)
    and C3 (a client) sit downstream too and are no leads; S1 is in 芯片设计 as a side business.
    """
    g = RawGraph()
    ids = {
        "K": g.add_company(uscc(1), "核心晶圆有限公司", is_client=True, manager="王经理"),
        "S1": g.add_company(uscc(2), "一级供应商甲"),
        "S2": g.add_company(uscc(3), "一级供应商乙"),
        "D1": g.add_company(uscc(4), "芯源设计有限公司", registered_capital=100_000_000.0),
        "M1": g.add_company(uscc(5), "硅材料有限公司", registered_capital=50_000_000.0),
        "P1": g.add_company(uscc(6), "封测科技有限公司"),
        "C2": g.add_company(uscc(7), "客户乙有限公司", is_client=True, manager="李经理"),
        "X1": g.add_company(uscc(8), "注销封测有限公司", status="deregistered"),
        "C3": g.add_company(uscc(9), "客户丙封测有限公司", is_client=True, manager="李经理"),
    }
    seg = {
        name: g.add_node("Segment", key, name, chain="集成电路", stage=stage)
        for key, name, stage in (("SEG1", "芯片设计", 1), ("SEG2", "晶圆制造", 2), ("SEG3", "封装测试", 3))
    }
    seg["半导体材料"] = g.add_node("Segment", "SEG4", "半导体材料", chain="集成电路", stage=1)
    for up, down in (("芯片设计", "晶圆制造"), ("半导体材料", "晶圆制造"), ("晶圆制造", "封装测试")):
        g.add_edge("UPSTREAM_OF", seg[up], seg[down])
    for company, segment in (("K", "晶圆制造"), ("D1", "芯片设计"), ("M1", "半导体材料"), ("P1", "封装测试")):
        g.add_edge("IN_SEGMENT", ids[company], seg[segment], main=True)
    g.add_edge("IN_SEGMENT", ids["S1"], seg["芯片设计"], main=False)
    g.add_edge("IN_SEGMENT", ids["X1"], seg["封装测试"], main=True)
    g.add_edge("IN_SEGMENT", ids["C3"], seg["封装测试"], main=True)
    g.add_edge("SUPPLIES", ids["S1"], ids["K"], amount=100_000_000.0, year=2024)
    g.add_edge("SUPPLIES", ids["S2"], ids["K"], amount=30_000_000.0, year=2024)
    g.add_edge("PAYS", ids["K"], ids["S1"], amount=120_000_000.0, payments=36, year=2024)
    g.add_edge("PAYS", ids["C2"], ids["P1"], amount=2_000_000.0, payments=3, year=2024)
    return g, ids


def test_a_transaction_is_warm_by_amount_and_by_how_often() -> None:
    w = load_weights()
    assert w.strength("PAYS", {"amount": 1.2e8, "payments": 36}) == pytest.approx(0.85)
    assert w.strength("PAYS", {"amount": 2e6, "payments": 3}) == pytest.approx(0.6 * 0.8)
    assert w.strength("PAYS", {"amount": 2e6}) == pytest.approx(0.6)  # count unknown: no factor
    assert w.strength("PAYS", {}) == pytest.approx(0.45)
    assert w.why("PAYS", {"amount": 2e6, "payments": 5}) == (
        "交易额 ≥ 100万，4笔以上 × 0.9",
        "paid ≥ ¥1M, ≥ 4 payments × 0.9",
    )
    # stronger than the same amount declared as supply: the bank's own evidence
    assert w.strength("PAYS", {"amount": 2e6, "payments": 12}) > w.strength("SUPPLIES", {"amount": 2e6})
    assert w.strength("IN_SEGMENT", {}) == w.strength("UPSTREAM_OF", {}) == pytest.approx(0.1)


def test_a_bad_second_factor_is_refused_naming_it() -> None:
    import yaml

    from graph.warmth import WARMTH_FILE

    data = yaml.safe_load(WARMTH_FILE.read_text(encoding="utf-8"))
    data["relationships"]["PAYS"]["times_by_channel"] = [[1, 1.0]]
    with pytest.raises(SchemaError, match="at most one times_by_<property>"):
        parse_weights(data, "w.yaml")
    del data["relationships"]["PAYS"]["times_by_payments"]
    with pytest.raises(SchemaError, match="'channel' is not a numeric property of kind PAYS"):
        parse_weights(data, "w.yaml")
    data["relationships"]["PAYS"].pop("times_by_channel")
    with pytest.raises(SchemaError, match="times_band, times_unknown without a times_by_<property>"):
        parse_weights(data, "w.yaml")


def test_sentences_say_who_paid_whom_how_much_and_how_often() -> None:
    paid = Edge("PAYS", "Company:a", "Company:b", {"amount": 1.2e8, "payments": 36, "year": 2024}, 0.85)
    assert clause(paid, "甲公司", "乙公司", "zh") == "甲公司2024年向乙公司付款¥1.2亿（36笔）"
    assert clause(paid, "A", "B", "en") == "A paid B ¥120m in 2024 (36 payments)"
    assert clause(paid, "甲公司", "乙公司", "zh", reverse=True) == "乙公司2024年收到甲公司付款¥1.2亿（36笔）"
    assert clause(paid, "A", "B", "en", reverse=True) == "B was paid ¥120m by A in 2024 (36 payments)"
    assert edge_label(paid, "zh") == "付款 ¥1.2亿（36笔）" and edge_label(paid, "en") == "paid ¥120m (36×)"
    bare = Edge("PAYS", "Company:a", "Company:b", {}, 0.45)
    assert clause(bare, "A", "B", "en") == "A pays B"
    member = Edge("IN_SEGMENT", "Company:a", "Segment:s", {}, 0.1)
    assert clause(member, "甲公司", "电芯", "zh") == "甲公司属于电芯环节"


def test_segments_are_data_driven_nodes_not_walked_in_paths() -> None:
    schema = load_schema()
    assert schema.label("Segment").file == "segments"
    assert schema.kind("IN_SEGMENT").target.labels == ("Segment",)
    assert "PAYS" in schema.flagged("in_paths")
    assert not {"IN_SEGMENT", "UPSTREAM_OF"} & set(schema.flagged("in_paths"))


def test_a_supplier_the_bank_sees_paid_is_confirmed(make_store: MakeStore) -> None:
    g, _ = trade()
    store = loaded(make_store, g)
    chain = supply_chain(store, "核心晶圆有限公司", tiers=1)
    by_name = {p.company.name: p for p in chain.suppliers}
    confirmed, unseen = by_name["一级供应商甲"], by_name["一级供应商乙"]
    assert confirmed.confirmed and not unseen.confirmed
    assert confirmed.paid == pytest.approx(120_000_000.0) and unseen.paid is None
    link = confirmed.links[0]
    assert link.paid is not None and link.paid.payments == 36 and link.paid.year == 2024
    assert link.text("zh").endswith("✓ 已确认 ¥1.2亿（36笔）")
    assert link.text("en").endswith("✓ confirmed ¥120m (36 payments)")
    assert [p.to_dict()["confirmed"] for p in chain.suppliers] == [p.confirmed for p in chain.suppliers]
    # a year without payments confirms nothing
    assert not any(p.confirmed for p in supply_chain(store, "核心晶圆有限公司", tiers=1, year=2023).suppliers)


def test_a_payment_is_an_introduction_with_its_sentence(make_store: MakeStore) -> None:
    g, _ = trade()
    store = loaded(make_store, g)
    answer = introductions(store, "封测科技有限公司", k=5)
    assert [p.introducer.name for p in answer.paths] == ["客户乙有限公司"]  # C3 shares a segment: no path
    best = answer.paths[0]
    assert best.warmth == pytest.approx(0.48)
    assert "2024年向" in best.sentence_zh and "付款¥200万（3笔）" in best.sentence_zh
    assert "¥2m in 2024 (3 payments)" in best.sentence_en


def test_leads_by_segment_around_a_client(make_store: MakeStore) -> None:
    g, ids = trade()
    store = loaded(make_store, g)
    found = segment_leads(store, "核心晶圆有限公司")
    assert [s.name for s in found.segments] == ["晶圆制造"]
    rows = [(ld.company.name, ld.side, ld.segment.name, ld.next_to.name, ld.trades) for ld in found.leads]
    assert rows == [
        ("芯源设计有限公司", "upstream", "芯片设计", "晶圆制造", False),
        ("硅材料有限公司", "upstream", "半导体材料", "晶圆制造", False),
        ("一级供应商甲", "upstream", "芯片设计", "晶圆制造", True),
        ("封测科技有限公司", "downstream", "封装测试", "晶圆制造", False),
    ]
    intro = found.leads[3].introduction
    assert intro is not None and intro.introducer.id == ids["C2"] and intro.warmth == pytest.approx(0.48)
    assert all(ld.introduction is None for ld in found.leads[:2])  # nobody knows them
    supplier = found.leads[2].introduction  # K pays it: the warmest way in is K itself
    assert supplier is not None and supplier.introducer.id == ids["K"] and supplier.warmth == pytest.approx(0.85)
    assert [ld.company.name for ld in segment_leads(store, ids["K"], introductions_for=0, limit=1).leads] == [
        "芯源设计有限公司"
    ]
    closed = segment_leads(store, ids["K"], include_closed=True, introductions_for=0)
    assert "注销封测有限公司" in [ld.company.name for ld in closed.leads]
    lonely = segment_leads(store, ids["S2"])
    assert not lonely.leads and lonely.notes


TRANSACTIONS_CSV = (
    "付款方名称,付款方账号,收款方名称,收款方统一社会信用代码,交易金额,交易笔数,统计年度,首次交易日期,最近交易日期,结算方式\n"
    "核心晶圆有限公司,6222021234567890123,一级供应商乙,{payee},3500万,14,2024,2024-01-05,2024-12-20,网银\n"
)


def test_a_settlement_export_loads_without_its_account_numbers(make_store: MakeStore, tmp_path: Path) -> None:
    from loaders.pipeline import load_files

    g, ids = trade()
    store = loaded(make_store, g)
    (tmp_path / "transactions.csv").write_text(TRANSACTIONS_CSV.format(payee=uscc(3)), encoding="utf-8")
    report = load_files(store, tmp_path)
    assert "付款方账号" in report.summary("en")
    edges = [e for e in store.edges_of([ids["S2"]], ["PAYS"])]
    assert len(edges) == 1
    props = edges[0].props
    assert props["amount"] == pytest.approx(35_000_000.0) and props["payments"] == 14 and props["channel"] == "网银"
    assert not any("6222021234567890123" in str(v) for v in props.values())
    chain = supply_chain(store, ids["K"], tiers=1)
    assert {p.company.name for p in chain.suppliers if p.confirmed} == {"一级供应商甲", "一级供应商乙"}


def test_the_supply_page_marks_confirmed_suppliers_and_lists_leads_by_segment(demo_env: Path) -> None:
    """On the demo graph the explorer opens: a client in a segment, its confirmed suppliers and segment leads."""
    from streamlit.testing.v1 import AppTest

    from loaders.demo import demo_store
    from tests.conftest import DEMO_COMPANIES
    from ui.i18n import t

    store = demo_store(companies=DEMO_COMPANIES)
    in_segment = {e.source for e in store.iter_edges(["IN_SEGMENT"])}
    confirmed = {(e.target, e.source) for e in store.iter_edges(["PAYS"])}  # (supplier, customer) pairs paid
    supplied = {(e.source, e.target) for e in store.iter_edges(["SUPPLIES"])}
    clients = sorted(
        (n for n in store.get_nodes(sorted(in_segment)).values() if n.is_client),
        key=lambda n: (-sum(1 for s, c in supplied & confirmed if c == n.id), n.id),
    )
    assert clients, "the demo has clients classified in a chain segment"
    company = clients[0]
    expected = segment_leads(store, company)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.run(timeout=180)
    at.radio(key="page").set_value("supply").run()
    at.text_input(key="supply_q").set_value(company.key).run()
    assert not at.exception, at.exception
    tier1 = next(d.value for d in at.dataframe if "交易确认" in d.value.columns)
    chain = supply_chain(store, company, tiers=2, limit=None)
    # the first tab: the nearest tier of suppliers, else of customers
    first = next(chain.tier(n, side) for side in ("upstream", "downstream") for n in (1, 2) if chain.tier(n, side))
    assert list(tier1["企业"]) == [p.company.name for p in first]
    assert list(tier1["交易确认"]) == ["✓" if p.confirmed else "" for p in first]
    assert t("segment.leads", "zh") in "".join(m.value for m in at.markdown)
    if expected.leads:
        table = next(d.value for d in at.dataframe if "产业链环节" in d.value.columns)
        assert list(table["企业"]) == [ld.company.name for ld in expected.leads]
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert any("confirmed" in d.value.columns for d in at.dataframe)


def test_the_cli_marks_confirmed_suppliers_and_lists_leads_by_segment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from graph.embedded import EmbeddedStore
    from guanxi.cli import main as main_cli

    g, _ = trade()
    store = EmbeddedStore()
    g.write_to(store)
    at = ["--store", str(store.save(tmp_path / "trade.gx"))]
    assert main_cli(["supply", uscc(1), "--tiers", "1", *at]) == 0
    out = capsys.readouterr().out
    assert "交易确认" in out and "✓ ¥1.2亿" in out
    assert main_cli(["supply", uscc(1), "--tiers", "1", "--lang", "en", *at]) == 0
    out = capsys.readouterr().out
    assert "confirmed" in out and "✓ ¥120m" in out
    assert main_cli(["supply", uscc(1), "--segments", "--lang", "en", *at]) == 0
    out = capsys.readouterr().out
    assert "集成电路·晶圆制造" in out and "封测科技有限公司" in out and "downstream" in out
    assert "paid the prospect 封测科技有限公司 ¥2m in 2024 (3 payments)" in out
    assert main_cli(["supply", uscc(1), "--segments", "--json", *at]) == 0
    assert '"side": "upstream"' in capsys.readouterr().out


def test_ftm_payments_load_as_one_transaction_per_pair_and_year(make_store: MakeStore, tmp_path: Path) -> None:
    import json

    from loaders.pipeline import load_files

    def company(eid: str, name: str, code: str) -> dict[str, object]:
        return {"id": eid, "schema": "Company", "properties": {"name": [name], "registrationNumber": [code]}}

    def payment(eid: str, payer: str, payee: str, amount: str, date: str) -> dict[str, object]:
        props = {"payer": [payer], "beneficiary": [payee], "amount": [amount], "currency": ["CNY"], "date": [date]}
        return {"id": eid, "schema": "Payment", "properties": props}

    entities = [
        company("a", "甲公司", uscc(1)),
        company("b", "乙公司", uscc(2)),
        {"id": "p", "schema": "Person", "properties": {"name": ["张三"]}},
        payment("x1", "a", "b", "1000000", "2024-03-01"),
        payment("x2", "a", "b", "500000", "2024-09-30"),
        payment("x3", "a", "b", "70000", "2023-05-05"),
        payment("x4", "p", "b", "10", "2024-01-01"),
    ]
    path = tmp_path / "payments.ftm.json"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities), encoding="utf-8")
    store = make_store()
    report = load_files(store, path)
    assert report.rejected == 0, report.summary("en")
    assert "Payment by or to a person" in report.summary("en")
    rows = sorted(
        (e.props.get("year"), e.props.get("amount"), e.props.get("payments"), e.props.get("first"), e.props.get("last"))
        for e in store.iter_edges(["PAYS"])
    )
    assert rows == [(2023, 70000.0, 1, "2023-05-05", "2023-05-05"), (2024, 1500000.0, 2, "2024-03-01", "2024-09-30")]
