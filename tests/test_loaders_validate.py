"""Validation of nodes, relationships and client lists, and the load pipeline, against a recording fake store."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import LoadError, LoadRefused, LoadRejected
from graph.messages import render
from graph.model import Edge, GraphStats, Node, PathQuery, RecordBatch
from graph.model import Path as GraphPath
from graph.store import GraphStore
from graph.uscc import check_char
from loaders.pipeline import find_sources, load_files
from loaders.read import table_from_frame
from loaders.report import LoadReport, Reject
from loaders.validate import (
    Resolver,
    Seen,
    Validated,
    clean_text,
    validate_clients,
    validate_edges,
    validate_nodes,
)
from loaders.values import is_blank, parse_text, parse_uscc


def uscc(n: int) -> str:
    """A valid USCC, different for every ``n``."""
    body = f"91310000MA1K{n:05d}"
    return body + check_char(body)


A, B, C, D = uscc(1), uscc(2), uscc(3), uscc(4)


class FakeStore(GraphStore):
    """Records written batches; knows a few existing nodes (by id, and companies by name)."""

    backend = "fake"

    def __init__(self, existing: Iterable[str] = (), names: dict[str, str] | None = None) -> None:
        super().__init__()
        self.existing = set(existing)
        self.names = names or {}  # company name -> uscc
        self.batches: list[RecordBatch] = []
        self.finished = 0

    def write(self, batch: RecordBatch) -> int:
        self.batches.append(batch)
        return len(batch.frame)

    def clear(self) -> None:
        self.batches.clear()

    def finish_load(self) -> None:
        self.finished += 1

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        return {}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return {i for i in ids if i in self.existing}

    def find_nodes(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        found = [Node(f"Company:{k}", "Company", k, n) for n, k in self.names.items() if text in n]
        return found[:limit]

    def edges_of(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        return []

    def degrees(self, ids: Sequence[str]) -> dict[str, int]:
        return {}

    def stats(self) -> GraphStats:
        return GraphStats({}, {}, 0)

    def top_paths(self, query: PathQuery) -> list[GraphPath]:
        return []


def frame(rows: list[list[object]], header: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header, dtype=object)


def nodes(
    label: str, header: list[str], rows: list[list[object]], file: str = "f.csv", seen: Seen | None = None
) -> Validated:
    return validate_nodes(table_from_frame(frame(rows, header), "nodes", label, file=file), seen=seen)


def edges(
    type_: str,
    header: list[str],
    rows: list[list[object]],
    resolver: Resolver,
    file: str = "e.csv",
    seen: Seen | None = None,
) -> Validated:
    return validate_edges(table_from_frame(frame(rows, header), "edges", type_, file=file), resolver, seen=seen)


def reasons(result: Validated | LoadReport) -> list[tuple[str, int, str, str]]:
    return [(r.file, r.row, r.column, r.reason_text("en")) for r in result.rejects]


def loaded(*batches: Validated, store: GraphStore | None = None) -> Resolver:
    resolver = Resolver(store)
    for batch in batches:
        resolver.add_nodes(batch.batch)
    return resolver


COMPANY_HEADER = ["统一社会信用代码", "企业名称", "登记状态", "成立日期", "注册资本", "产业链", "是否上市"]


# -- vectorised helpers agree with the per-cell parsers -------------------------------------------------------------
# (no "\x1c" and other control characters: the reader refuses them before any parser sees them)
_MESSY = st.text(alphabet=st.sampled_from(["a", "公", "司", " ", "\t", "\n", "\u3000", "\u00a0", "\u2003", "\x0b"]))


@settings(deadline=None)  # pandas work per example: no per-example deadline on a busy machine
@given(st.lists(_MESSY, min_size=1, max_size=20))
def test_clean_text_is_parse_text_vectorised(cells: list[str]) -> None:
    expected = [parse_text(c) if not is_blank(c) else "" for c in cells]
    assert clean_text(pd.Series(cells, dtype="str")).tolist() == expected


@settings(deadline=None)
@given(st.lists(st.sampled_from([A, B.lower(), " " + C, "12345", A[:-1] + "0", "９" + D[1:], "", "x"]), min_size=1))
def test_vectorised_uscc_check_agrees_with_parse_uscc(cells: list[str]) -> None:
    result = nodes("Company", ["uscc", "name"], [[c, "n"] for c in cells])
    accepted = [u for u in result.batch.frame["uscc"].tolist() if u is not None]  # a blank one: keyed by name
    expected: list[str] = []
    for cell in cells:
        try:
            code = parse_uscc(cell)
        except ValueError:
            continue
        if code not in expected:
            expected.append(code)
    assert accepted == expected


# -- nodes ----------------------------------------------------------------------------------------------------------
def test_companies_parsed_into_canonical_columns() -> None:
    result = nodes(
        "Company",
        COMPANY_HEADER,
        [
            [A.lower(), " 上海某芯科技\u3000有限公司 ", "存续", "2015/3/5", "1000万", "集成电路；人工智能", "是"],
            [B, "苏州某源半导体有限公司", "", "", "", "", ""],
        ],
    )
    assert result.rejects == []
    out = result.batch.frame
    assert result.batch.what == "nodes" and result.batch.name == "Company"
    assert list(out.columns) == ["id", "name", "status", "founded", "registered_capital", "tags", "listed", "uscc"]
    assert out.to_dict("records")[0] == {
        "id": A,  # a company with a USCC is keyed by it
        "uscc": A,
        "name": "上海某芯科技 有限公司",
        "status": "active",
        "founded": "2015-03-05",
        "registered_capital": 10_000_000.0,
        "tags": ("集成电路", "人工智能"),
        "listed": True,
    }
    second = out.iloc[1]
    assert second["status"] == "active"  # the schema's default for a blank status
    assert second["founded"] is None and second["tags"] is None and second["listed"] is None
    assert np.isnan(second["registered_capital"])
    assert out["registered_capital"].dtype == np.float64
    assert out["uscc"].dtype == object and out["listed"].dtype == object


def test_bad_company_rows_name_file_row_column_and_reason() -> None:
    bad = A[:-1] + ("0" if A[-1] != "0" else "1")
    result = nodes(
        "Company",
        COMPANY_HEADER,
        [
            [A, "好公司", "存续", "", "", "", ""],
            [bad, "坏代码", "", "", "", "", ""],
            ["", "没有代码", "", "", "", "", ""],
            [B, "", "", "", "", "", ""],
            [C, "坏日期", "休眠", "2021-02-30", "-5", "", "maybe"],
            [A, "重复", "", "", "", "", ""],
        ],
        file="companies.csv",
    )
    got = [(*g, r.outcome) for g, r in zip(reasons(result), result.rejects, strict=True)]
    status = next(g for g in got if g[2] == "登记状态")
    got.remove(status)
    assert status[:3] == ("companies.csv", 6, "登记状态") and status[4] == "dropped"
    assert status[3].startswith("unknown status '休眠'; known: active (存续")
    assert got == [
        (
            "companies.csv",
            3,
            "统一社会信用代码",
            f"USCC check character is {bad[-1]!r}, expected {A[-1]!r}",
            "rejected",
        ),
        ("companies.csv", 5, "企业名称", "required value is empty", "rejected"),
        # bad optional values are dropped and their row kept
        ("companies.csv", 6, "成立日期", "no such date: '2021-02-30'", "dropped"),
        ("companies.csv", 6, "注册资本", "amount -5 is negative", "dropped"),
        ("companies.csv", 6, "是否上市", "not yes or no: 'maybe'; write 是/否, Y/N, 1/0, true/false", "dropped"),
        (
            "companies.csv",
            7,
            "统一社会信用代码",
            "duplicate of row 2 in companies.csv: same id, other values differ",
            "rejected",
        ),
    ]
    assert result.rejects[0].value == bad
    assert result.rows_read == 6 and result.accepted == 3 and result.rejected == 3
    assert result.report.dropped == 4
    out = result.batch.frame
    assert out["name"].tolist() == ["好公司", "没有代码", "坏日期"]
    # no USCC: keyed by name, and said so
    assert out["id"].tolist()[1] == "NAME:没有代码" and out["uscc"].tolist()[1] is None
    assert "keyed by name" in result.report.notes[0]
    kept = out.iloc[2]
    assert kept["status"] is None and kept["founded"] is None and kept["listed"] is None


def test_persons_keep_only_a_masked_id_number_even_in_rejects() -> None:
    result = nodes(
        "Person",
        ["人员编号", "姓名", "身份证号"],
        [["p1", "张三", "11010519491231002x"], ["p2", "李四", "110105194912310021"], ["p3", "王五", ""]],
        file="persons.csv",
    )
    # a wrong check digit: the number is dropped, the person kept
    assert result.batch.frame["id_number"].tolist() == ["110105********002X", None, None]
    assert [(r.row, r.column, r.value, r.outcome) for r in result.rejects] == [
        (3, "身份证号", "110105********0021", "dropped")
    ]
    assert "110105194912310021" not in json.dumps([r.reason for r in result.rejects])


def test_duplicate_keys_across_files_name_the_first_file() -> None:
    seen = Seen()
    first = nodes("Person", ["人员编号", "姓名"], [["p1", "张三"], ["p2", "李四"]], file="persons.csv", seen=seen)
    second = nodes("Person", ["id", "name"], [["p3", "王五"], ["p2", "李四改"]], file="人员.xlsx", seen=seen)
    assert first.rejects == []
    assert reasons(second) == [
        ("人员.xlsx", 3, "id", "duplicate of row 3 in persons.csv: same id, other values differ")
    ]
    third = nodes("Person", ["id", "name"], [["p2", "李四"]], file="p3.csv", seen=seen)
    assert [(r.reason_text("en"), r.outcome) for r in third.rejects] == [("repeats row 3 in persons.csv", "merged")]
    assert third.report.merged == 1 and third.report.rejected == 0 and third.accepted == 0


def test_two_spellings_of_one_uscc_are_duplicates() -> None:
    result = nodes("Company", ["uscc", "name"], [[A, "x"], [" " + A.lower(), "y"]])
    assert reasons(result) == [("f.csv", 3, "uscc", "duplicate of row 2 in f.csv: same id, other values differ")]


# -- edges ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def load() -> Resolver:
    companies = nodes(
        "Company",
        ["uscc", "name"],
        [[A, "上海某芯科技有限公司"], [B, "苏州某源半导体有限公司"], [C, "同名有限公司"], [D, "同名有限公司"]],
    )
    persons = nodes("Person", ["id", "name"], [["p1", "张三"], ["p2", "李四"]])
    parks = nodes("Park", ["id", "name"], [["k1", "张江高科技园区"]])
    return loaded(companies, persons, parks)


def test_officers_resolve_and_keep_the_title_as_written(load: Resolver) -> None:
    result = edges(
        "SERVES_AS",
        ["人员编号", "统一社会信用代码", "职务", "任职日期", "离职日期"],
        [["p1", A, "执行董事兼总经理", "2019-01-01", ""], ["p2", B.lower(), "监事", "", "2022年5月1日"]],
        load,
    )
    assert result.rejects == []
    assert result.batch.frame.to_dict("records") == [
        {
            "source": "Person:p1",
            "target": f"Company:{A}",
            "role": "chairman",
            "role_text": "执行董事兼总经理",
            "since": "2019-01-01",
            "until": None,
        },
        {
            "source": "Person:p2",
            "target": f"Company:{B}",
            "role": "supervisor",
            "role_text": "监事",
            "since": None,
            "until": "2022-05-01",
        },
    ]


def test_bad_officer_rows(load: Resolver) -> None:
    result = edges(
        "SERVES_AS",
        ["人员编号", "统一社会信用代码", "职务"],
        [
            ["p1", A, "董事长"],
            ["p9", A, "董事"],
            ["p1", uscc(99), "董事"],
            ["p1", A, "执行董事"],
            ["p1", A, "吉祥物"],
            ["p1", A, ""],
            ["", A, "监事"],
            ["p1", A, "董事"],
        ],
        load,
        file="officers.csv",
    )
    got = reasons(result)
    assert got[0] == ("officers.csv", 3, "人员编号", "refers to 'p9', which is neither in this load nor in the store")
    assert got[1] == (
        "officers.csv",
        4,
        "统一社会信用代码",
        f"refers to '{uscc(99)}', which is neither in this load nor in the store (valid USCC, but no such company)",
    )
    # 执行董事 is chairman too
    assert got[2] == (
        "officers.csv",
        5,
        "人员编号",
        "duplicate of row 2 in officers.csv: same ends, role, other values differ",
    )
    assert got[3] == ("officers.csv", 7, "职务", "required value is empty")
    assert got[4] == ("officers.csv", 8, "人员编号", "required value is empty")
    assert len(got) == 5
    # a title outside the vocabulary is kept as `other`, as written, and named in the report
    assert result.batch.frame["role"].tolist() == ["chairman", "other", "director"]
    assert result.batch.frame["role_text"].tolist() == ["董事长", "吉祥物", "董事"]
    assert "吉祥物 ×1" in result.report.notes[0] and "'other'" in result.report.notes[0]


def test_shareholders_company_or_person(load: Resolver) -> None:
    result = edges(
        "HOLDS_SHARES",
        ["股东", "股东类型", "被投资企业统一社会信用代码", "持股比例"],
        [
            [A, "企业", B, "35%"],
            ["p1", "自然人", A, "60"],
            ["p2", "", B, "5"],
            [C, "", A, ""],
            ["上海某芯科技有限公司", "", C, "1"],
            ["p1", "企业", B, "10"],
            [B, "外星人", A, "10"],
            [B, "", B, "10"],
            ["同名有限公司", "", A, "10"],
            ["p2", "", A, "150"],
        ],
        load,
        file="equity.csv",
    )
    assert result.batch.frame.to_dict("records") == [
        {"source": f"Company:{A}", "target": f"Company:{B}", "ratio": 0.35},
        {"source": "Person:p1", "target": f"Company:{A}", "ratio": 0.6},
        {"source": "Person:p2", "target": f"Company:{B}", "ratio": 0.05},
        {"source": f"Company:{C}", "target": f"Company:{A}", "ratio": pytest.approx(float("nan"), nan_ok=True)},
        # no unit in the header and numbers above 1: the whole column is percents, so 1 is 1%
        {"source": f"Company:{A}", "target": f"Company:{C}", "ratio": 0.01},
        # a company holding its own shares: a treasury stake, kept
        {"source": f"Company:{B}", "target": f"Company:{B}", "ratio": 0.1},
        # an impossible share is dropped, the holding kept
        {"source": "Person:p2", "target": f"Company:{A}", "ratio": pytest.approx(float("nan"), nan_ok=True)},
    ]
    got = [(*g, r.outcome) for g, r in zip(reasons(result), result.rejects, strict=True)]
    assert got[0] == (
        "equity.csv",
        7,
        "股东",
        "refers to 'p1', which is neither in this load nor in the store",
        "rejected",
    )
    assert got[1][:3] == ("equity.csv", 8, "股东类型") and got[1][3].startswith("unknown type '外星人'")
    assert got[2][:3] == ("equity.csv", 10, "股东")
    assert "the name of 2 companies" in got[2][3] and "give the USCC" in got[2][3]
    assert got[3] == ("equity.csv", 11, "持股比例", "ratio 150 is more than 100%", "dropped")
    assert len(got) == 4
    notes = "\n".join(result.report.notes)
    assert "read as percents" in notes and "treasury" in notes


def test_type_column_company_still_accepts_a_unique_name(load: Resolver) -> None:
    result = edges(
        "GUARANTEES",
        ["担保方", "担保方类型", "被担保方", "担保金额", "起始日期"],
        [["苏州某源半导体有限公司", "公司", A, "1.2亿", "2023-01-01"], ["p1", "个人", A, "500万", "2023-01-01"]],
        load,
    )
    assert result.rejects == []
    assert result.batch.frame[["source", "target", "amount"]].to_dict("records") == [
        {"source": f"Company:{B}", "target": f"Company:{A}", "amount": 120_000_000.0},
        {"source": "Person:p1", "target": f"Company:{A}", "amount": 5_000_000.0},
    ]


def test_identity_properties_make_repeated_pairs_distinct(load: Resolver) -> None:
    result = edges(
        "SUPPLIES",
        ["supplier", "customer", "year", "amount"],
        [[A, B, "2022", "1000万"], [A, B, "2023", "1200万"], [A, B, "2023.0", "1"], [A, B, "", ""], [A, B, "", ""]],
        load,
        file="supply.csv",
    )
    assert [(*g, r.outcome) for g, r in zip(reasons(result), result.rejects, strict=True)] == [
        (
            "supply.csv",
            4,
            "supplier",
            "duplicate of row 3 in supply.csv: same ends, year, other values differ",
            "rejected",
        ),
        ("supply.csv", 6, "supplier", "repeats row 5 in supply.csv", "merged"),
    ]
    assert result.report.rejected == 1 and result.report.merged == 1
    assert result.batch.frame["year"].tolist() == [2022, 2023, None]


def test_edges_may_refer_to_nodes_only_in_the_store() -> None:
    store = FakeStore(existing={f"Company:{A}", "Park:k7"}, names={"仓库里的公司": B})
    resolver = Resolver(store)
    result = edges(
        "LOCATED_IN",
        ["企业", "园区编号", "入园日期"],
        [[A, "k7", "2020-01-01"], ["仓库里的公司", "k7", ""], [C, "k7", ""], [A, "k8", ""]],
        resolver,
        file="parks_located.csv",
    )
    assert result.batch.frame[["source", "target"]].to_dict("records") == [
        {"source": f"Company:{A}", "target": "Park:k7"},
        {"source": f"Company:{B}", "target": "Park:k7"},
    ]
    assert reasons(result) == [
        (
            "parks_located.csv",
            4,
            "企业",
            f"refers to '{C}', which is neither in this load nor in the store (valid USCC, but no such company)",
        ),
        ("parks_located.csv", 5, "园区编号", "refers to 'k8', which is neither in this load nor in the store"),
    ]


# -- clients --------------------------------------------------------------------------------------------------------
def test_clients_matched_by_uscc_then_name(load: Resolver) -> None:
    table = table_from_frame(
        frame(
            [
                [A, "", "王经理", "浦东支行", "2020-01-01"],
                ["", "苏州某源半导体有限公司", "李经理", "", ""],
                ["", "不存在公司", "x", "", ""],
                [uscc(99), "", "y", "", ""],
                ["", "同名有限公司", "z", "", ""],
                ["12345", "", "z", "", ""],
                ["", "", "z", "", ""],
                [A.lower(), "", "重复", "", ""],
                [uscc(98), "上海某芯科技有限公司", "名称补救", "", ""],
            ],
            ["统一社会信用代码", "客户名称", "客户经理", "所属支行", "建立关系日期"],
        ),
        "clients",
        "clients",
        file="clients.csv",
    )
    result = validate_clients(table, load)
    assert result.batch.what == "clients"
    assert result.batch.frame.to_dict("records") == [
        {"uscc": A, "manager": "王经理", "branch": "浦东支行", "since": "2020-01-01"},
        {"uscc": B, "manager": "李经理", "branch": None, "since": None},
    ]
    assert reasons(result) == [
        ("clients.csv", 4, "客户名称", "no company is named '不存在公司' in this load or the store"),
        ("clients.csv", 5, "统一社会信用代码", f"USCC {uscc(99)} is not a company in this load or the store"),
        ("clients.csv", 6, "客户名称", f"2 companies are named '同名有限公司' ({C}, {D}); give the USCC"),
        ("clients.csv", 7, "统一社会信用代码", "USCC must have 18 characters, got 5"),
        ("clients.csv", 8, "客户名称", "needs a USCC or a company name"),
        ("clients.csv", 9, "统一社会信用代码", "duplicate of row 2 in clients.csv: same company, other values differ"),
        ("clients.csv", 10, "统一社会信用代码", "duplicate of row 2 in clients.csv: same company, other values differ"),
    ]


# -- the pipeline ---------------------------------------------------------------------------------------------------
def write_files(directory: Path) -> Path:
    """A small load: Chinese and English file names, UTF-8, BOM, GBK and a workbook, with some bad rows."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "企业.csv").write_text(
        "统一社会信用代码,企业名称,登记状态,注册资本(万元),备注\n"
        f"{A},上海某芯科技有限公司,存续,1000,x\n"
        f"{B},苏州某源半导体有限公司,在业,50,\n"
        f"{C},北京某某（集团）有限公司,注销,,\n"
        "12345,坏公司,存续,,\n",
        encoding="utf-8-sig",
    )
    (directory / "persons.csv").write_bytes("人员编号,姓名\np1,张三\np2,李四\n".encode("gbk"))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "任职"
    sheet.append(["人员编号", "统一社会信用代码", "职务"])
    sheet.append(["p1", A, "执行董事兼总经理"])
    sheet.append(["p2", A, "监事"])
    sheet.append(["p3", A, "董事"])
    equity = book.create_sheet("股权")
    equity.append(["股东", "被投资企业统一社会信用代码", "持股比例(%)"])
    equity.append([A, B, 35])
    equity.append(["北京某某(集团)有限公司", A, 0.5])
    book.create_sheet("说明").append(["这是说明"])
    book.save(directory / "relations.xlsx")
    (directory / "存量客户.csv").write_text(
        f"统一社会信用代码,客户经理,所属支行\n{A},王经理,浦东支行\n", encoding="utf-8"
    )
    (directory / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    return directory


def test_find_sources_by_english_and_chinese_names_and_sheets(tmp_path: Path) -> None:
    sources, ignored = find_sources(write_files(tmp_path / "in"))
    assert [(s.shown, s.what, s.name) for s in sources] == [
        ("企业.csv", "nodes", "Company"),
        ("persons.csv", "nodes", "Person"),
        ("relations.xlsx[股权]", "edges", "HOLDS_SHARES"),
        ("relations.xlsx[任职]", "edges", "SERVES_AS"),
        ("存量客户.csv", "clients", "clients"),
    ]
    assert [render(i, "en").split(" (")[0] for i in ignored] == ["notes.csv", "relations.xlsx[说明]"]
    assert "fit no table" in ignored[0]


def test_load_writes_accepted_rows_in_order_and_reports_rejects(tmp_path: Path) -> None:
    store = FakeStore()
    calls: list[tuple[int, int, str]] = []
    report = load_files(store, write_files(tmp_path / "in"), progress=lambda d, t, s: calls.append((d, t, s)))
    assert [(b.what, b.name, len(b.frame)) for b in store.batches] == [
        ("nodes", "Company", 3),
        ("nodes", "Person", 2),
        ("edges", "HOLDS_SHARES", 2),
        ("edges", "SERVES_AS", 2),
        ("clients", "clients", 1),
    ]
    assert store.finished == 1
    company = store.batches[0].frame
    assert company["registered_capital"].tolist()[:2] == [10_000_000.0, 500_000.0]
    assert company["status"].tolist() == ["active", "active", "deregistered"]
    equity = store.batches[2].frame
    assert equity["source"].tolist() == [f"Company:{A}", f"Company:{C}"]  # the second by its name
    assert equity["ratio"].tolist() == [0.35, 0.005]  # the header said (%)
    assert reasons(report) == [
        ("企业.csv", 5, "统一社会信用代码", "USCC must have 18 characters, got 5"),
        ("relations.xlsx[任职]", 4, "人员编号", "refers to 'p3', which is neither in this load nor in the store"),
    ]
    assert not report.ok
    assert (report.rows_read, report.accepted, report.rejected) == (12, 10, 2)
    by_file = {f.file: f for f in report.files}
    assert by_file["企业.csv"].encoding == "utf-8-sig"
    assert by_file["企业.csv"].ignored_columns == ("备注",)
    assert by_file["persons.csv"].encoding == "gb18030"
    assert by_file["relations.xlsx[任职]"].sheet == "任职"
    assert report.written == {"Company": 3, "Person": 2, "HOLDS_SHARES": 2, "SERVES_AS": 2, "clients": 1}
    assert [render(i, "en").split(" (")[0] for i in report.ignored_files] == ["notes.csv", "relations.xlsx[说明]"]
    stages = [s.split()[0] for _, _, s in calls]
    assert stages == ["read", "validate"] * 5 + ["write"] * 5
    assert calls[-1][:2] == (10, 10)
    summary = report.summary("zh")
    assert "读取 12 行：接受 10 行，拒绝 2 行" in summary and "企业.csv 第 5 行 [统一社会信用代码] '12345'" in summary
    assert "notes.csv" in summary
    assert "12 rows read: 10 accepted, 2 rejected" in report.summary("en")


def test_loading_twice_gives_the_same_batches(tmp_path: Path) -> None:
    directory = write_files(tmp_path / "in")
    first, second = FakeStore(), FakeStore()
    report1 = load_files(first, directory, batch_size=2)
    report2 = load_files(second, directory, batch_size=2)
    assert report1.to_dict() == report2.to_dict()
    assert len(first.batches) == len(second.batches)
    for one, two in zip(first.batches, second.batches, strict=True):
        assert (one.what, one.name) == (two.what, two.name)
        pd.testing.assert_frame_equal(one.frame, two.frame)


def test_batches_are_at_most_batch_size_rows(tmp_path: Path) -> None:
    lines = "uscc,name\n" + "".join(f"{uscc(i)},公司{i}\n" for i in range(1, 12))
    (tmp_path / "companies.csv").write_text(lines, encoding="utf-8")
    store = FakeStore()
    report = load_files(store, tmp_path / "companies.csv", batch_size=5)
    assert [len(b.frame) for b in store.batches] == [5, 5, 1]
    assert pd.concat([b.frame for b in store.batches])["uscc"].tolist() == [uscc(i) for i in range(1, 12)]
    assert report.ok and report.written == {"Company": 11}


def test_strict_mode_refuses_and_writes_nothing(tmp_path: Path) -> None:
    store = FakeStore()
    with pytest.raises(LoadRejected) as info:
        load_files(store, write_files(tmp_path / "in"), strict=True)
    assert isinstance(info.value, LoadRefused)
    assert "2 of 12 rows rejected" in str(info.value)
    assert info.value.report.rejected == 2 and info.value.report.strict
    assert store.batches == [] and store.finished == 0


def test_strict_mode_writes_a_clean_load(tmp_path: Path) -> None:
    (tmp_path / "persons.csv").write_text("id,name\np1,张三\n", encoding="utf-8")
    store = FakeStore()
    assert load_files(store, tmp_path, strict=True).ok
    assert len(store.batches) == 1


def test_an_unreadable_file_stops_the_load_before_anything_is_written(tmp_path: Path) -> None:
    directory = write_files(tmp_path / "in")
    (directory / "guarantees.csv").write_text("担保方,担保金额\nx,1\n", encoding="utf-8")  # no borrower column
    store = FakeStore()
    with pytest.raises(LoadError, match=r"guarantees\.csv.*'borrower'"):
        load_files(store, directory)
    assert store.batches == []


def test_explicit_file_with_an_unknown_name_is_a_load_error(tmp_path: Path) -> None:
    file = tmp_path / "stuff.csv"
    file.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(LoadError, match="cannot tell what this file holds"):
        load_files(FakeStore(), file)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LoadError, match="no table files found"):
        load_files(FakeStore(), empty)


def test_edges_in_the_store_count_and_company_names_in_the_store_resolve(tmp_path: Path) -> None:
    (tmp_path / "officers.csv").write_text(f"person,company,role\np1,{A},董事\np1,仓库公司,监事\n", encoding="utf-8")
    store = FakeStore(existing={"Person:p1", f"Company:{A}"}, names={"仓库公司": B})
    report = load_files(store, tmp_path)
    assert report.ok
    assert store.batches[0].frame["target"].tolist() == [f"Company:{A}", f"Company:{B}"]


# -- the report -----------------------------------------------------------------------------------------------------
def test_rejects_csv_has_a_bom_and_chinese_headers(tmp_path: Path) -> None:
    report = LoadReport(rejects=[Reject("企业.csv", 5, "统一社会信用代码", "12345", "USCC must have 18 characters")])
    path = report.write_rejects(tmp_path / "rejects.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["文件", "行号", "列", "值", "原因", "处理"],
        ["企业.csv", "5", "统一社会信用代码", "12345", "USCC must have 18 characters", "整行拒绝"],
    ]
    english = report.write_rejects(tmp_path / "en.csv", lang="en")
    assert english.read_text(encoding="utf-8-sig").splitlines()[0] == "file,row,column,value,reason,outcome"


def test_report_to_dict_is_json(tmp_path: Path) -> None:
    report = load_files(FakeStore(), write_files(tmp_path / "in"))
    data = json.loads(json.dumps(report.to_dict("en"), ensure_ascii=False))
    assert data["ok"] is False and data["rejected"] == 2 and data["rows_read"] == 12
    assert data["rejects"][0] == {
        "file": "企业.csv",
        "row": 5,
        "column": "统一社会信用代码",
        "value": "12345",
        "reason": "USCC must have 18 characters, got 5",
        "reason_code": "uscc.length",
        "reason_params": {"length": 5},
        "outcome": "rejected",
    }
    assert report.to_dict("zh")["rejects"][0]["reason"] == "统一社会信用代码应为 18 位，实为 5 位"
    assert data["files"][0]["ignored_columns"] == ["备注"]
    assert data["merged"] == 0 and data["dropped"] == 0 and data["files"][0]["notes"] == []


# -- speed ----------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_validation_is_vectorised() -> None:
    """50,000 companies and 200,000 officer rows validate in a few seconds (full-size figures in the README)."""
    n_companies, n_rows = 50_000, 200_000
    codes = np.array([uscc(i) for i in range(n_companies)], dtype=object)
    pids = np.array([f"p{i}" for i in range(n_rows // 4)], dtype=object)
    companies = pd.DataFrame({"uscc": codes, "name": [f"公司{i}" for i in range(n_companies)]})
    persons = pd.DataFrame({"id": pids, "name": "张三"})
    roles = np.array(["董事", "监事", "执行董事兼总经理", "财务负责人"], dtype=object)
    idx = np.arange(n_rows)
    officers = pd.DataFrame(
        {"person": pids[idx % len(pids)], "company": codes[idx % n_companies], "role": roles[idx // len(pids)]}
    )
    start = time.perf_counter()
    seen, resolver = Seen(), Resolver()
    for label, data in (("Company", companies), ("Person", persons)):
        result = validate_nodes(table_from_frame(data, "nodes", label), seen=seen)
        resolver.add_nodes(result.batch)
        assert result.rejected == 0
    result = validate_edges(table_from_frame(officers, "edges", "SERVES_AS"), resolver, seen=seen)
    elapsed = time.perf_counter() - start
    assert result.accepted == n_rows
    assert elapsed < 20, f"validation took {elapsed:.1f}s"


def test_zero_amounts_are_unknown_unless_kept() -> None:
    companies = nodes("Company", ["uscc", "name"], [[A, "甲"], [B, "乙"]])
    rows: list[list[object]] = [[A, B, "0", "2023-01-01"], [B, A, "1万", "2023-01-01"]]
    header = ["担保方", "被担保方", "担保金额", "起始日期"]
    result = edges("GUARANTEES", header, rows, loaded(companies))
    assert np.isnan(result.batch.frame["amount"][0]) and result.batch.frame["amount"][1] == 10_000.0
    assert [render(n, "en") for n in result.report.notes] == ["[担保金额] 1 zero amounts stored as unknown"]
    keeping = Resolver(keep_zeros=True)
    keeping.add_nodes(companies.batch)
    result = edges("GUARANTEES", header, rows, keeping)
    assert result.batch.frame["amount"].tolist() == [0.0, 10_000.0] and result.report.notes == ()
