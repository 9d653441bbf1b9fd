"""Files written the way real exports are, loaded on both stores: what is kept, dropped, merged and assumed.

Listed companies known by stock code only, a Hong Kong parent, a foreign
holder by registry number, a fund by LEI, a partnership by name; persons
keyed by their ID numbers; Traditional Chinese titles and titles outside the
vocabulary; a share column without a unit; guarantees that look like
duplicates but are two contracts, an exact repeat, zero amounts and
placeholder dates; a company holding its own shares.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.idkeys import id_key, masked_id
from graph.store import GraphStore
from graph.uscc import check_char
from loaders.pipeline import load_files
from loaders.report import LoadReport
from queries.guarantees import circles_of
from queries.ownership import actual_controller, effective_ownership, ultimate_owners
from queries.resolve import resolve
from tests.conftest import StoreFactory


def uscc(n: int) -> str:
    body = f"91440300MA5F{n:05d}"
    return body + check_char(body)


def id_number(body: str) -> str:
    """A resident ID number with its GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


MAOTAI, SUPPLIER = uscc(1), uscc(2)
ZHANG = id_number("44030419800101123")  # 张三, keyed by his ID number
WRONG = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")  # the same number, mistyped


def write_export(folder: Path) -> Path:
    """A small export in the shapes real files come in (headers as Chinese systems print them)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "companies.csv").write_text(
        "统一社会信用代码,企业名称,股票代码,LEI,注册号,标识类型,成立日期,注册资本(万元)\n"
        f"{MAOTAI},贵州某台酒业股份有限公司,600519.SH,,,,1999-11-20,125000\n"
        ",腾某控股有限公司,00700.HK,,,,1999-11-11,0\n"
        ",某某环球有限公司,,,01234567,GB-COH,1900-01-01,\n"
        ",某成长基金,,5493001KJTIIGC8Y1R12,,,,\n"
        ",台積某電股份有限公司,2330.TW,,,,,\n"
        ",深圳某某投资合伙企业（有限合伙）,,,,,,\n"
        f"{SUPPLIER},深圳某某供应链有限公司,,,,,2015-06-01,1000\n"
        ",贵州某台酒业,600519,,,,,\n",  # the same listed company, by its bare code: merged
        encoding="utf-8-sig",
    )
    (folder / "persons.csv").write_text(
        f"人员编号,姓名,身份证号\n{ZHANG},张三,\np2,李四,{WRONG}\np3,王五,\n", encoding="utf-8"
    )
    (folder / "equity.csv").write_text(
        "股东证件号,股东类型,被投资企业,持股比例\n"
        f"00700.HK,企业,{MAOTAI},30\n"
        f"{ZHANG},自然人,{MAOTAI},1\n"  # 1 in a file of percents: 1%, not 100%
        f"{MAOTAI},企业,{MAOTAI},10\n"  # treasury shares
        f"01234567,,{SUPPLIER},80\n"  # the foreign holder by its registry number (not found: no scheme)
        f"GB-COH:01234567,企业,{SUPPLIER},70\n"
        f"某成长基金,企业,{SUPPLIER},40\n",  # 70% + 40%: the holders sum over 100%
        encoding="utf-8",
    )
    (folder / "officers.csv").write_text(
        "人员编号,企业统一社会信用代码,职务,任职日期,离职日期\n"
        f"{ZHANG},{MAOTAI},董事長,2015-01-01,\n"
        f"p2,{MAOTAI},獨立非執行董事,2016-01-01,\n"
        f"p3,{MAOTAI},吉祥物,2017-01-01,\n"
        f"p3,{SUPPLIER},董事兼总经理,2020-01-01,2019-01-01\n",  # leaves before starting: dates dropped
        encoding="utf-8",
    )
    (folder / "guarantees.csv").write_text(
        "担保方,被担保方,担保金额,起始日期,到期日期,担保方式\n"
        f"{MAOTAI},{SUPPLIER},1亿,2023-01-01,2026-01-01,连带责任保证\n"
        f"{MAOTAI},{SUPPLIER},1亿,2023-01-01,2026-01-01,抵押\n"  # same day, other type: another contract
        f"{MAOTAI},{SUPPLIER},1亿,2023-01-01,2026-01-01,抵押\n"  # an exact repeat: merged
        f"{SUPPLIER},{MAOTAI},0,2023-02-01,9999-12-31,一般保证\n"  # zero amount, no end
        f"{SUPPLIER},{MAOTAI},500万,2024-01-01,2023-01-01,质押\n",  # ends before it starts
        encoding="utf-8",
    )
    return folder


def _notes(report: LoadReport) -> str:
    return "\n".join(n for f in report.files for n in f.notes)


def test_a_real_export_loads_completely_on_both_stores(make_store: StoreFactory, tmp_path: Path) -> None:
    store: GraphStore = make_store()
    report = load_files(store, write_export(tmp_path / "export"))
    outcome = {(r.file, r.row): r.outcome for r in report.rejects}
    # kept: every company, with or without a USCC; dropped: only bad values; merged: exact repeats
    assert report.rejected == 1, [r.describe("en") for r in report.rejects if r.outcome == "rejected"]
    assert outcome[("equity.csv", 5)] == "rejected"  # 01234567 alone names nothing: no registry given
    assert outcome[("companies.csv", 9)] == "merged" and outcome[("guarantees.csv", 4)] == "merged"
    assert outcome[("persons.csv", 3)] == "dropped"  # the mistyped ID number; 李四 is kept
    assert outcome[("officers.csv", 5)] == "dropped" and outcome[("guarantees.csv", 6)] == "dropped"
    assert report.merged == 2 and report.dropped == 3
    notes = _notes(report)
    for said in (
        "keyed by name",
        "read as percents",
        "treasury",
        "sum to more than 100%",
        "吉祥物 ×1",
        "zero amounts stored as unknown",
        "placeholder dates",
        "national ID numbers",
    ):
        assert said in notes, said

    nodes = store.get_nodes(
        [
            f"Company:{MAOTAI}",
            "Company:HKEX:00700",
            "Company:GB-COH:01234567",
            "Company:LEI:5493001KJTIIGC8Y1R12",
            "Company:TWSE:2330",
            "Company:NAME:深圳某某投资合伙企业(有限合伙)",
        ]
    )
    assert len(nodes) == 6
    assert nodes[f"Company:{MAOTAI}"].get("identifiers") in (
        (MAOTAI, "SSE:600519"),
        [MAOTAI, "SSE:600519"],
    )
    assert nodes["Company:HKEX:00700"].get("registered_capital") is None  # a zero: unknown
    assert nodes["Company:GB-COH:01234567"].get("founded") is None  # 1900-01-01: unknown
    # search by any identifier, in any of its usual forms
    assert [n.id for n in store.find_nodes("600519.SH")] == [f"Company:{MAOTAI}"]
    assert [n.id for n in store.find_nodes("700.HK")][:1] == ["Company:HKEX:00700"]
    assert [n.id for n in store.find_nodes("2330.tw")][:1] == ["Company:TWSE:2330"]

    # the person keyed by an ID number: a keyed hash, shown masked, the number nowhere
    zhang = f"Person:{id_key(ZHANG)}"
    person = store.get_nodes([zhang])[zhang]
    assert person.name == "张三" and person.get("id_number") == masked_id(ZHANG)
    everything = json.dumps(
        [n.props for n in store.iter_nodes()] + [[e.source, e.target, dict(e.props)] for e in store.iter_edges()],
        ensure_ascii=False,
        default=str,
    )
    assert ZHANG not in everything and WRONG not in everything and ZHANG[:-1] not in everything

    # titles: Traditional ones known, an unknown one kept as `other` with its text
    serves = {(e.source, e.target): e for e in store.edges_of([f"Company:{MAOTAI}"], ["SERVES_AS"])}
    assert serves[(zhang, f"Company:{MAOTAI}")].props["role"] == "chairman"
    assert serves[("Person:p2", f"Company:{MAOTAI}")].props["role"] == "director"
    assert serves[("Person:p3", f"Company:{MAOTAI}")].props["role"] == "other"
    assert serves[("Person:p3", f"Company:{MAOTAI}")].props["role_text"] == "吉祥物"

    # two contracts on one day between one pair; the type shown on every link
    guarantees = [e for e in store.edges_of([f"Company:{MAOTAI}"], ["GUARANTEES"]) if e.source == f"Company:{MAOTAI}"]
    assert sorted(e.props["guarantee_type"] for e in guarantees) == ["抵押", "连带责任保证"]
    circle = circles_of(store, MAOTAI)
    assert circle and {link.type for link in circle[0].links} >= {"抵押", "连带责任保证", "一般保证"}
    back = next(lk for lk in circle[0].links if lk.type == "一般保证")
    assert back.amount is None and back.end is None  # zero amount and 9999-12-31: unknown

    # treasury: 30% of a company with 10% in treasury is a third of what is owned
    owners = effective_ownership(store, MAOTAI)
    hk = owners.stake("Company:HKEX:00700")
    assert hk is not None and hk.effective == pytest.approx(0.30 / 0.90) and hk.direct == pytest.approx(0.30)
    assert any("treasury" in n for n in owners.notes)
    assert owners.stake(zhang) is not None and owners.stake(zhang).effective == pytest.approx(0.01 / 0.90)  # type: ignore[union-attr]


def test_stakes_over_full_are_explained(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store()
    load_files(store, write_export(tmp_path / "export"))
    owners = effective_ownership(store, SUPPLIER)
    assert any("more than 100%" in n for n in owners.notes)


def _load(store: GraphStore, folder: Path, files: dict[str, str]) -> LoadReport:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_files(store, folder)


def test_treasury_shares_count_for_control_and_over_full_holders_are_named(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    store = make_store()
    a, b, c = uscc(11), uscc(12), uscc(13)
    _load(
        store,
        tmp_path / "in",
        {
            "companies.csv": f"uscc,name\n{a},甲公司\n{b},乙公司\n{c},丙公司\n",
            "persons.csv": "id,name\np1,赵一\np2,钱二\np3,孙三\n",
            # 46% of 甲 with 10% in treasury: 51.1% of the votes, a majority
            "equity.csv": f"holder,company,ratio\np1,{a},46%\n{a},{a},10%\np2,{a},44%\n"
            # three 60% holders of 乙: stored, warned about, and said again under its owners
            f"p1,{b},60%\np2,{b},60%\np3,{b},60%\n",
        },
    )
    controller = actual_controller(store, a)
    assert controller.controller is not None and controller.controller.id == "Person:p1"
    assert controller.chain[0].ratio == pytest.approx(0.46 / 0.90) and controller.chain[0].rule == "majority"
    owners = ultimate_owners(store, b)
    assert any("180" in n and "100%" in n for n in owners.notes)


def test_share_units_decided_per_file(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store()
    a, b, c = uscc(21), uscc(22), uscc(23)
    companies = f"uscc,name\n{a},甲公司\n{b},乙公司\n{c},丙公司\n"
    fractions = _load(
        store,
        tmp_path / "f",
        {"companies.csv": companies, "equity.csv": f"股东,被投资企业,持股比例\n{a},{b},0.5\n{c},{b},1\n"},
    )
    assert "read as fractions" in _notes(fractions)
    ratios = {e.source: e.props.get("ratio") for e in store.edges_of([f"Company:{b}"], ["HOLDS_SHARES"])}
    assert ratios == {f"Company:{a}": 0.5, f"Company:{c}": 1.0}
    mixed = _load(store, tmp_path / "m", {"equity.csv": f"股东,被投资企业,持股比例\n{a},{c},0.35\n{b},{c},35\n"})
    assert "unit unclear" in _notes(mixed) and mixed.dropped == 2 and mixed.rejected == 0
    assert [
        e.props.get("ratio") for e in store.edges_of([f"Company:{c}"], ["HOLDS_SHARES"]) if e.target == f"Company:{c}"
    ] == [None, None]


def test_a_company_is_named_by_any_identifier(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store()
    load_files(store, write_export(tmp_path / "export"))
    for text in ("600519.SH", "SSE:600519", "sh600519", MAOTAI.lower()):
        assert resolve(store, text).id == f"Company:{MAOTAI}", text
    assert resolve(store, "HKEX:700").id == "Company:HKEX:00700"


def test_readme_shows_this_load_report(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What a real export looks like after loading", 1)[1]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0].rstrip()
    report = load_files(EmbeddedStore(), write_export(tmp_path / "export"))
    assert shown == report.summary("en", max_rejects=50), "README: paste the new report (tests/test_real_exports.py)"
