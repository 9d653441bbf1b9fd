"""Batch reach for a prospect list: paths, summary, Excel/CSV output; and the analysis command line."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter
from graph.store import GraphStore
from graph.uscc import check_char
from guanxi import cli_analysis
from queries.batch import batch_reach, write_batch
from queries.introductions import introductions
from queries.matching import match_list
from tests.reference import RawGraph
from ui.batch_sheets import METHODS, SHEETS, result_sheets
from ui.i18n import Lang, t

MakeStore = Callable[[], GraphStore]


def uscc(i: int) -> str:
    body = f"91310115MA{i:07d}"
    return body + check_char(body)


def reach_graph() -> RawGraph:
    """Client A (王经理) and prospect T share chairman 张三 (2 hops); client B (李经理) supplies U (1 hop);
    W is a client guaranteed by A (1 hop); V has no relationship."""
    g = RawGraph()
    a = g.add_company(uscc(1), "上海甲客户有限公司", is_client=True, manager="王经理", branch="浦东支行")
    b = g.add_company(uscc(2), "上海乙客户有限公司", is_client=True, manager="李经理", branch="徐汇支行")
    t = g.add_company(uscc(3), "苏州丙潜客有限公司")
    u = g.add_company(uscc(4), "苏州丁潜客有限公司")
    g.add_company(uscc(5), "苏州戊孤立有限公司")
    w = g.add_company(uscc(6), "上海己客户有限公司", is_client=True, manager="王经理")
    zhang = g.add_person("p1", "张三")
    g.add_edge("SERVES_AS", zhang, a, role="chairman")
    g.add_edge("SERVES_AS", zhang, t, role="director")
    g.add_edge("SUPPLIES", b, u, amount=2e8)
    g.add_edge("GUARANTEES", a, w, amount=1e7)
    return g


PROSPECTS = pd.DataFrame(
    {
        "企业名称": [
            "苏州丙潜客有限公司",
            "苏州丁潜客有限公司",
            "苏州戊孤立有限公司",
            "不存在的公司",
            "",
            "上海己客户有限公司",
        ],
        "统一社会信用代码": ["", "", "", "", uscc(3), ""],
    }
)


def loaded(make_store: MakeStore) -> GraphStore:
    store = make_store()
    store.clear()
    reach_graph().write_to(store)
    return store


def test_batch_reach_and_summary(make_store: MakeStore) -> None:
    store = loaded(make_store)
    calls: list[tuple[int, int]] = []
    result = batch_reach(store, PROSPECTS, k=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 5) for i in range(1, 6)]
    assert [r.match.row for r in result.reaches] == [2, 3, 4, 6, 7]
    assert [r.best_hops for r in result.reaches] == [2, 1, None, 2, 1]
    assert [result.reachable_within(h) for h in (1, 2, 3, 4)] == [2, 3, 3, 3]
    # the same paths as asking one by one
    one = introductions(store, "苏州丙潜客有限公司", k=2)
    assert [p.to_dict() for p in result.reaches[0].answer.paths] == [p.to_dict() for p in one.paths]
    # a company listed twice is searched once
    assert result.reaches[0].answer is result.reaches[3].answer

    results = result.results_frame()
    assert list(results.columns)[:4] == ["行号", "输入名称", "输入信用代码", "潜客名称"]
    first = results[results["行号"] == 2].iloc[0]
    assert first["引荐客户"] == "上海甲客户有限公司" and first["客户经理"] == "王经理" and first["跳数"] == 2
    assert "张三" in first["关系说明"]
    lonely = results[results["行号"] == 4].iloc[0]
    assert pd.isna(lonely["排名"]) and "跳内找到客户" in lonely["关系说明"]  # the sheet's language only

    summary: dict[str, int] = dict(result.summary_frame("en").itertuples(index=False))
    assert summary["rows in the list"] == 6
    assert summary["matched"] == 5 and summary["unmatched"] == 1
    assert summary["distinct prospects"] == 4 and summary["already clients"] == 1
    assert summary["reachable within 2 hops"] == 3 and summary["no introduction path"] == 1

    intro = result.introducers_frame("en")
    assert list(intro["introducer"]) == ["上海甲客户有限公司", "上海乙客户有限公司"]
    assert list(intro["prospects"]) == [2, 1]
    managers = result.managers_frame("en")
    assert list(managers["manager"]) == ["王经理", "李经理"] and list(managers["prospects"]) == [2, 1]
    unmatched = result.unmatched_frame("en")
    assert list(unmatched["row"]) == [5] and list(unmatched["status"]) == ["unmatched"]
    assert result.to_dict()["reachable_within"] == {1: 2, 2: 3, 3: 3, 4: 3}


def test_batch_input_forms_and_checks(make_store: MakeStore) -> None:
    store = loaded(make_store)
    report = match_list(store, PROSPECTS)
    assert len(batch_reach(store, report, k=1).reaches) == 5
    by_names = batch_reach(store, ["苏州丁潜客有限公司", uscc(3)])
    assert [(r.match.row, r.best_hops) for r in by_names.reaches] == [(1, 1), (2, 2)]
    with pytest.raises(InvalidParameter):
        batch_reach(store, PROSPECTS, k=0)
    with pytest.raises(InvalidParameter):
        batch_reach(store, PROSPECTS, kinds=["friendship"])
    with pytest.raises(InvalidParameter):
        batch_reach(store, "苏州丁潜客有限公司")
    managed = batch_reach(store, PROSPECTS, manager="李经理")
    assert [result.best_hops for result in managed.reaches] == [None, 1, None, None, None]


def test_write_excel_and_csv(make_store: MakeStore, tmp_path: Path) -> None:
    store = loaded(make_store)
    result = batch_reach(store, PROSPECTS)
    [xlsx] = write_batch(result, tmp_path / "out" / "result.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["结果", "汇总", "引荐客户", "客户经理", "未匹配"]
    assert len(sheets["结果"]) == len(result.results_frame())
    written = write_batch(result, tmp_path / "result.csv", lang="en")
    assert [p.name for p in written] == [
        "result.csv",
        "result-summary.csv",
        "result-introducers.csv",
        "result-managers.csv",
        "result-unmatched.csv",
    ]
    assert written[0].read_bytes().startswith(b"\xef\xbb\xbf")
    assert "introducer" in pd.read_csv(written[0], encoding="utf-8-sig").columns
    with pytest.raises(InvalidParameter):
        write_batch(result, tmp_path / "result.json")


# -- the command line (embedded store file) -----------------------------------------------------------------
@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    store = EmbeddedStore()
    reach_graph().write_to(store)
    return store.save(tmp_path / "graph.gx")


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="guanxi")
    cli_analysis.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return cli_analysis.COMMANDS[args.command](args)


def test_cli_batch_and_match(graph_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prospects = tmp_path / "prospects.csv"
    PROSPECTS.to_csv(prospects, index=False, encoding="gb18030")
    out = tmp_path / "result.xlsx"
    assert run(["batch", str(prospects), "-o", str(out), "--store", str(graph_file), "--backend", "embedded"]) == 0
    assert out.exists()
    assert "2跳内可达" in capsys.readouterr().out
    assert run(["match", str(prospects), "--json", "--store", str(graph_file), "--backend", "embedded"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["unmatched"] == 1


def sheet_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet of a written workbook as rows of cell values (the header first), read with openpyxl."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def column(rows: list[tuple[object, ...]], header: str) -> list[object]:
    at = rows[0].index(header)
    return [row[at] for row in rows[1:]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_batch_export_reads_like_the_explorers(graph_file: Path, tmp_path: Path, lang: Lang) -> None:
    """Issue 10 item 7: the CLI's workbook is the explorer's download: paths with relationships and
    direction, match kinds and yes/no in words, one language for sheet names and headers, numbers."""
    prospects = tmp_path / "prospects.csv"
    PROSPECTS.assign(企业名称=[*PROSPECTS["企业名称"][:5], "上海己客户"]).to_csv(prospects, index=False)
    out = tmp_path / f"result-{lang}.xlsx"
    argv = ["batch", str(prospects), "-o", str(out), "--lang", lang, "--store", str(graph_file)]
    assert run([*argv, "--backend", "embedded"]) == 0
    book = sheet_rows(out)
    store = EmbeddedStore.open(graph_file)
    sheets = result_sheets(batch_reach(store, PROSPECTS), lang)
    expected = {title: list(frame.columns) for title, frame in sheets.items()}
    assert {title: list(rows[0]) for title, rows in book.items()} == expected
    assert list(book) == [t(f"batch.sheet_{key}", lang) for key in SHEETS]
    other: Lang = "en" if lang == "zh" else "zh"
    assert not set(book) & {t(f"batch.sheet_{key}", other) for key in SHEETS}
    for rows in book.values():  # headers in one language, no snake_case, no True/False
        for header in rows[0]:
            assert isinstance(header, str) and "_" not in header
            assert (re.search(r"[\u4e00-\u9fff]", header) is not None) == (lang == "zh"), header
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if isinstance(c, bool) or c in ("True", "False")]
    results = book[t("batch.sheet_results", lang)]
    paths = [p for p in column(results, t("col.path", lang)) if p]
    # 上海甲客户 →(chairman) 张三 ←(director) 苏州丙潜客: relationships and their direction, not "A - 张三 - B"
    assert paths and not any(" - " in str(p) for p in paths)
    zhang = next(str(p) for p in paths if "张三" in str(p))
    assert ("董事长" if lang == "zh" else "chairman") in zhang and re.search("[→←]", zhang), zhang
    methods = set(column(results, t("col.method", lang)))
    assert methods <= {t(f"batch.method.{m}", lang) for m in METHODS} | {None}
    assert {t("batch.method.name", lang), t("batch.method.name_variant", lang)} <= methods, methods
    assert set(column(results, t("col.already_client", lang))) == {t("yes", lang), t("no", lang)}
    warmth = [w for w in column(results, t("col.warmth", lang)) if w is not None]
    hops = [h for h in column(results, t("col.hops", lang)) if h is not None]
    assert warmth and all(isinstance(w, float) for w in warmth) and all(isinstance(h, int) for h in hops)
    summary = book[t("batch.sheet_summary", lang)]
    assert all(isinstance(row[1], int) for row in summary[1:])


@pytest.mark.parametrize(
    "argv",
    [
        ["supply", "上海乙客户有限公司"],
        ["supply", "上海乙客户有限公司", "--core-share", "0.1"],
        ["supply", "苏州丁潜客有限公司", "--serves"],
        ["leads", "--min-partners", "1", "--percentile", "0.5"],
        ["owners", "苏州丙潜客有限公司"],
        ["owners", "苏州丙潜客有限公司", "--all"],
        ["controller", "苏州丙潜客有限公司"],
        ["controller", "苏州丙潜客有限公司", "--group"],
        ["related", "上海甲客户有限公司"],
        ["related", "上海甲客户有限公司", "--shared-with", "苏州丙潜客有限公司"],
        ["circles"],
        ["circles", "上海甲客户有限公司", "--neighbours"],
        ["circles", "--mutual"],
        ["circles", "上海甲客户有限公司", "--chains"],
        ["exposure"],
        ["exposure", "上海甲客户有限公司", "--kinds", "officer,guarantee"],
        ["parks"],
        ["parks", "--leads"],
    ],
)
def test_cli_commands_answer(graph_file: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    store_args = ["--store", str(graph_file), "--backend", "embedded"]
    assert run([*argv, *store_args]) == 0
    assert capsys.readouterr().out
    assert run([*argv, "--json", *store_args]) == 0
    json.loads(capsys.readouterr().out)
