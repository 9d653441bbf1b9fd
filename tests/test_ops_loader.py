"""Operational files: Chinese and English headers, GBK, Excel, and every bad input named by file, row and column."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import ConfigError, LoadError, LoadRejected
from graph.messages import render
from graph.store import GraphStore
from graph.uscc import check_char
from loaders.catalogue import load_catalogue, parse_catalogue
from loaders.ops import event_id, find_ops_sources, read_ops
from loaders.ops_report import OpsReport
from loaders.ops_schema import ops_columns_markdown, parse_ops_schema
from loaders.pipeline import find_sources
from loaders.report import Reject
from tests.reference import RawGraph


def uscc(i: int, region: str = "320505") -> str:
    body = f"91{region}MA{i:07d}"[:17]
    return body + check_char(body)


A, B, C = uscc(1), uscc(2), uscc(3, "310115")
UNKNOWN = uscc(99)


@pytest.fixture
def store() -> GraphStore:
    g = RawGraph()
    g.add_company(A, "苏州甲科技有限公司", is_client=True, manager="王芳", branch="苏州分行")
    g.add_company(B, "苏州乙材料有限公司")
    g.add_company(C, "上海丙医药有限公司")
    s = EmbeddedStore()
    g.write_to(s)
    return s


def write(folder: Path, name: str, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    path = folder / name
    frame = pd.DataFrame([list(r) for r in rows[1:]], columns=[str(c) for c in rows[0]])
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding=encoding)
    return path


def one(report: OpsReport, column: str) -> Reject:
    found = [r for r in report.rejects if r.column == column]
    assert len(found) == 1, report.summary("en")
    return found[0]


# -- good files in both languages -------------------------------------------------------------------
def test_english_headers_every_kind(tmp_path: Path, store: GraphStore) -> None:
    write(
        tmp_path,
        "events.csv",
        [
            ["uscc", "event_type", "date", "amount", "source", "text"],
            [A, "won a government tender", "2025-03-01", "8000万", "ccgp", "tender"],
            [B, "新增专利", "2025/4/2", "", "", ""],
        ],
    )
    write(tmp_path, "tags.csv", [["uscc", "tag", "date"], [A, "专精特新", "2024-01-01"], [B, "高新技术企业", ""]])
    write(
        tmp_path,
        "chains.csv",
        [
            ["chain", "segment", "position", "parent"],
            ["集成电路", "设计", "中游", ""],
            ["集成电路", "EDA", "upstream", "设计"],
        ],
    )
    write(tmp_path, "memberships.csv", [["uscc", "chain", "segment"], [B, "集成电路", "EDA"]])
    write(
        tmp_path,
        "branches.csv",
        [
            ["branch", "region_code", "manager", "capacity"],
            ["苏州分行", "3205", "王芳", "50"],
            ["浦东支行", "310115", "", ""],
        ],
    )
    write(tmp_path, "outcomes.csv", [["uscc", "product", "date", "outcome"], [A, "保函", "2024-05-01", "won"]])
    data, report = read_ops(tmp_path, store)
    assert report.ok and report.rows_read == 10, report.summary("en")
    ev = data.events.set_index("company")
    assert ev.loc[A, "event_type"] == "中标政府项目" and ev.loc[A, "grade"] == "A" and ev.loc[A, "amount"] == 8e7
    assert ev.loc[A, "category"] == "新增项目" and "保函" in str(ev.loc[A, "products"]).split("|")
    assert ev.loc[B, "date"] == "2025-04-02" and ev.loc[B, "grade"] == "C"
    assert data.chains["position"].tolist() == ["中游", "上游"]
    assert data.branches.to_dict("records") == [
        {"branch": "苏州分行", "region_code": "3205", "manager": "王芳", "capacity": 50},
        {"branch": "浦东支行", "region_code": "310115", "manager": None, "capacity": None},
    ]
    assert data.outcomes["outcome"].tolist() == ["won"]


def test_chinese_headers_gbk_names_and_excel(tmp_path: Path, store: GraphStore) -> None:
    write(
        tmp_path,
        "商机事件.csv",
        [
            ["企业名称", "事件类型", "事件日期", "金额(万元)", "来源", "内容"],
            ["苏州甲科技有限公司", "增资", "2025年1月5日", "500", "企查查", "注册资本增加"],
        ],
        encoding="gbk",
    )
    write(
        tmp_path,
        "营销结果.csv",
        [["统一社会信用代码", "产品", "日期", "结果"], [B, "存款", "", "流失"], [A, "开户", "", "落地"]],
        "gbk",
    )
    write(
        tmp_path,
        "机构与客户经理.xlsx",
        [["支行", "行政区划代码", "客户经理", "容量"], ["苏州分行", "3205；320506", "李娜", 30]],
    )
    data, report = read_ops(tmp_path, store)
    assert report.ok, report.summary("en")
    assert report.files[0].encoding is None  # the Excel file; the CSVs were GBK
    assert {f.encoding for f in report.files if f.file.endswith(".csv")} == {"gb18030"}
    row = data.events.iloc[0]
    assert (row["company"], row["event_type"], row["amount"], row["grade"]) == (A, "注册资本增加", 5e6, "C")
    assert data.outcomes["outcome"].tolist() == ["lost", "won"]
    assert sorted(data.branches["region_code"]) == ["3205", "320506"]


def test_reload_is_idempotent(tmp_path: Path, store: GraphStore) -> None:
    rows = [["uscc", "event_type", "date"], [A, "股权融资", "2025-01-02"], [A, "股权融资", "2025-01-02"]]
    write(tmp_path, "events.csv", rows)
    first, report = read_ops(tmp_path, store)
    again, _ = read_ops(tmp_path, store)
    assert first.events["event_id"].tolist() == again.events["event_id"].tolist()
    assert first.events["event_id"].tolist() == [event_id(A, "股权融资", "2025-01-02", None, None)]
    assert "same as row 2" in report.warnings[0].reason and report.warnings[0].row == 3


def test_graph_files_beside_ops_files(tmp_path: Path) -> None:
    write(tmp_path, "companies.csv", [["uscc", "name"], [A, "甲"]])
    write(tmp_path, "events.csv", [["uscc", "event_type", "date"], [A, "股权融资", "2025-01-02"]])
    sources, ignored = find_ops_sources(tmp_path)
    assert [s.kind for s in sources] == ["events"] and ignored == ["companies.csv"]
    graph_sources, graph_ignored = find_sources(tmp_path)
    left_out = [render(i, "en").split(" (")[0] for i in graph_ignored]
    assert [s.name for s in graph_sources] == ["Company"] and left_out == ["events.csv"]
    with pytest.raises(LoadError, match="cannot tell what this file holds"):
        find_ops_sources(tmp_path / "companies.csv")


# -- bad input ---------------------------------------------------------------------------------------
def test_unknown_event_type_and_unknown_company(tmp_path: Path, store: GraphStore) -> None:
    write(
        tmp_path,
        "events.csv",
        [
            ["统一社会信用代码", "事件类型", "事件日期"],
            [A, "天降横财", "2025-01-01"],
            [UNKNOWN, "股权融资", "2025-01-01"],
            ["91320505MA00000019", "股权融资", "2025-01-01"],
            [A, "股权融资", "not a date"],
        ],
    )
    write(tmp_path, "tags.csv", [["企业名称", "标签"], ["苏州乙材料有限公司", "专精特性"], ["不存在的公司", "上市"]])
    data, report = read_ops(tmp_path, store)
    assert len(data.events) == 0 and data.tags["tag"].tolist() == ["专精特性"]
    bad_type = one(report, "事件类型")
    assert (bad_type.file, bad_type.row, bad_type.value) == ("events.csv", 2, "天降横财")
    assert "unknown event type" in bad_type.reason and "中标政府项目" in bad_type.reason
    codes = [r for r in report.rejects if r.column == "统一社会信用代码"]
    assert [(r.row, r.reason_text("en").split(" (")[0].split(":")[0]) for r in codes] == [
        (3, "company not in the graph"),
        (4, "invalid USCC"),
    ]
    assert one(report, "事件日期").row == 5
    name = one(report, "企业名称")
    assert (name.file, name.row, name.value) == ("tags.csv", 3, "不存在的公司")
    warning = report.warnings[0]
    assert (warning.file, warning.row, warning.column, warning.value) == ("tags.csv", 2, "标签", "专精特性")
    assert "vocabulary" in warning.reason
    assert [(f.file, f.rejected, f.accepted) for f in report.files] == [("events.csv", 4, 0), ("tags.csv", 1, 1)]
    with pytest.raises(LoadRejected, match="strict"):
        read_ops(tmp_path, store, strict=True)


def test_without_a_graph_names_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "tags.csv", [["企业名称", "标签"], ["苏州乙材料有限公司", "上市"], [A, "上市"]])
    data, report = read_ops(tmp_path)
    assert data.tags["company"].tolist() == [A]  # a USCC in the name column counts as one
    assert "give its USCC" in one(report, "企业名称").reason


def test_branch_problems(tmp_path: Path) -> None:
    write(
        tmp_path,
        "branches.csv",
        [
            ["机构", "行政区划代码", "客户经理", "容量"],
            ["苏州分行", "3205", "王芳", "50"],
            ["", "", "赵六", "20"],  # an RM without a branch
            ["昆山支行", "3205", "", ""],  # the same code as 苏州分行
            ["园区支行", "320571", "钱七", "0"],  # capacity not positive
            ["园区支行", "32057", "孙八", "10"],  # not a division code
            ["吴中支行", "320506", "周九", "十"],  # capacity not a number
            ["吴中支行", "320506", "王芳", "50"],  # 王芳 is 苏州分行's
            ["吴江支行", "320509", "吴十", "15"],  # more specific than 3205: allowed, with a warning
        ],
    )
    data, report = read_ops(tmp_path)
    got = sorted((r.row, r.column, r.value) for r in report.rejects)
    assert got == [
        (3, "机构", "赵六"),
        (4, "行政区划代码", "3205"),
        (5, "容量", "0"),
        (6, "行政区划代码", "32057"),
        (7, "容量", "十"),
        (8, "客户经理", "王芳"),
    ], report.summary("en")
    reasons = {r.row: r.reason for r in report.rejects}
    assert "needs a branch" in reasons[3] and "苏州分行" in reasons[4] and "at least 1" in reasons[5]
    assert sorted(data.branches["branch"].unique()) == ["吴江支行", "苏州分行"]
    overlap = [w for w in report.warnings if w.row == 9]
    assert overlap and "more specific wins" in overlap[0].reason


def test_chain_and_membership_problems(tmp_path: Path, store: GraphStore) -> None:
    write(
        tmp_path,
        "产业链.csv",
        [
            ["产业链", "环节", "上中下游", "上级环节"],
            ["集成电路", "设计", "中游", ""],
            ["集成电路", "设计", "下游", ""],  # conflicting repeat
            ["集成电路", "封测", "旁游", ""],  # not a position
            ["集成电路", "EDA", "上游", "工具"],  # unknown parent
        ],
    )
    write(
        tmp_path,
        "产业链企业.csv",
        [["统一社会信用代码", "产业链", "环节"], [A, "集成电路", "设计"], [B, "集成电路", "制造"]],
    )
    data, report = read_ops(tmp_path, store)
    got = sorted((r.file, r.row, r.column) for r in report.rejects)
    assert got == [
        ("产业链.csv", 3, "上中下游"),
        ("产业链.csv", 4, "上中下游"),
        ("产业链.csv", 5, "上级环节"),
        ("产业链企业.csv", 3, "环节"),
    ], report.summary("en")
    assert data.chains["segment"].tolist() == ["设计"] and data.memberships["company"].tolist() == [A]
    assert report.files[0].accepted == 1 and report.files[0].rejected == 3


def test_outcome_words_and_missing_columns(tmp_path: Path, store: GraphStore) -> None:
    write(tmp_path, "outcomes.csv", [["uscc", "outcome"], [A, "maybe"]])
    _, report = read_ops(tmp_path, store)
    assert one(report, "outcome").row == 2 and "won" in one(report, "outcome").reason
    write(tmp_path, "outcomes.csv", [["uscc", "product"], [A, "存款"]])
    with pytest.raises(LoadError, match=r"outcomes\.csv: no column for .outcome."):
        read_ops(tmp_path, store)
    (tmp_path / "outcomes.csv").unlink()
    write(tmp_path, "tags.csv", [["tag"], ["上市"]])
    with pytest.raises(LoadError, match="no column naming the company"):
        read_ops(tmp_path, store)


# -- the catalogue and schema files -------------------------------------------------------------------
def test_catalogue_has_the_common_types() -> None:
    cat = load_catalogue()
    for name in (
        "中标政府项目",
        "新拟建项目",
        "对外投资",
        "注册资本增加",
        "新设子公司/分支机构",
        "融资租赁到期",
        "担保到期",
    ):
        assert name in cat.types
    for name in ("股权融资", "新增专利", "招聘扩张", "新入驻园区"):
        assert cat.types[name].en and cat.types[name].products
    assert cat.resolve("Equity Financing Round") == "股权融资"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("nope", "expected a mapping"),
        ({"categories": {"a": "a"}, "products": {"p": "p"}, "types": {"x": {"category": "b"}}}, "types.x.category"),
        (
            {
                "categories": {"a": "a"},
                "products": {"p": "p"},
                "types": {"x": {"category": "a", "en": "x", "products": ["q"]}},
            },
            "q not in the product list",
        ),
        (
            {
                "categories": {"a": "a"},
                "products": {"p": "p"},
                "types": {"x": {"category": "a", "en": "x", "grade": "Z"}},
            },
            "a grade is one of",
        ),
        (
            {
                "categories": {"a": "a"},
                "products": {"p": "p"},
                "types": {"x": {"category": "a", "en": "x", "grade_by_amount": {"A": 1, "B": 5}}},
            },
            "must not be below",
        ),
    ],
)
def test_bad_catalogue(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_catalogue(data, "my.yaml")


def test_bad_catalogue_file(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text("types: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a valid YAML file"):
        load_catalogue(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yaml")


def test_bad_ops_schema() -> None:
    with pytest.raises(ConfigError, match=r"kinds\.parties: not an operational table"):
        parse_ops_schema({"kinds": {"parties": {}}})


def test_readme_block_matches_the_schema() -> None:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- ops-columns:start -->\n", 1)[1].split("<!-- ops-columns:end -->", 1)[0]
    assert section == ops_columns_markdown(), (
        "README.md's operational columns are stale: run python -m loaders.ops_schema"
    )


def test_placeholders_are_unknown_not_facts(tmp_path: Path, store: GraphStore) -> None:
    write(
        tmp_path,
        "events.csv",
        [
            ["uscc", "event_type", "date", "amount"],
            [A, "对外投资", "1900-01-01", "5亿"],
            [A, "对外投资", "2025-02-01", "0"],
        ],
    )
    write(tmp_path, "tags.csv", [["uscc", "tag", "date"], [A, "上市", "1900/1/1"]])
    data, report = read_ops(tmp_path, store)
    assert [(r.row, r.column) for r in report.rejects] == [(2, "date")]
    assert data.events["amount"].tolist() == [None] and data.events["grade"].tolist() == ["C"]  # unknown: C
    assert data.tags["date"].tolist() == [None]
    assert sorted((w.file, w.row, w.column) for w in report.warnings) == [
        ("events.csv", 3, "amount"),
        ("tags.csv", 2, "date"),
    ]


def test_a_broken_csv_line_is_a_reject(tmp_path: Path, store: GraphStore) -> None:
    text = f"uscc,tag\n{A},上市\n{B},专精特新,extra,cells\n{A},高新技术企业\n"
    (tmp_path / "tags.csv").write_text(text, encoding="utf-8")
    data, report = read_ops(tmp_path, store)
    assert data.tags["tag"].tolist() == ["上市", "高新技术企业"]
    assert [(r.file, r.row, r.column) for r in report.rejects] == [("tags.csv", 3, "")]
    assert (report.files[0].rows_read, report.files[0].accepted, report.files[0].rejected) == (3, 2, 1)
