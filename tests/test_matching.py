"""Matching uploaded client and prospect lists: USCC, normalised names, former names, fuzzy; GBK, UTF-8, Excel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from graph.errors import InvalidParameter, LoadError
from graph.model import RecordBatch
from graph.store import GraphStore
from graph.uscc import check_char
from queries.matching import match_file, match_list, name_index, name_keys, read_list
from tests.reference import RawGraph

MakeStore = Callable[[], GraphStore]


def uscc(i: int) -> str:
    body = f"91330200MA{i:07d}"
    return body + check_char(body)


NAMES = {
    1: "上海某芯科技(集团)有限公司",
    2: "苏州恒芯微电子股份有限公司",
    3: "深圳市华辰智能装备制造有限公司",
    4: "南京恒达贸易有限公司",
    5: "南京恒达贸易有限责任公司",
    6: "杭州新名科技有限公司",
    7: "海天塑机（宁波）有限公司",
}


def loaded(make_store: MakeStore) -> GraphStore:
    g = RawGraph()
    for i, name in NAMES.items():
        props = {"former_names": ["杭州旧名科技有限公司"]} if i == 6 else {}
        g.add_company(uscc(i), name, **props)
    store = make_store()
    store.clear()
    g.write_to(store)
    return store


def test_name_keys() -> None:
    assert name_keys("上海某芯科技（集团）有限公司")[0] == name_keys("上海某芯科技(集团)有限公司")[0]
    assert name_keys("苏州恒芯微电子有限公司")[1] == name_keys("苏州恒芯微电子股份有限公司")[1]
    assert name_keys("苏州恒芯微电子集团有限公司")[1] == "苏州恒芯微电子"
    assert name_keys("江苏省苏州市恒芯微电子有限公司")[2] == name_keys("苏州恒芯微电子有限责任公司")[2]
    assert name_keys("宁波市海天塑机有限公司")[2] == name_keys("海天塑机（宁波）有限公司")[2]
    assert name_keys("ＡＢＣ Ｔｅｃｈ Co., Ltd.")[1] == name_keys("abc tech limited")[1]


def test_a_list_with_every_kind_of_row(make_store: MakeStore) -> None:
    store = loaded(make_store)
    frame = pd.DataFrame(
        {
            "客户名称": [
                "",
                "上海某芯科技（集团）有限公司",
                "苏州恒芯微电子有限公司",
                "江苏省苏州市恒芯微电子有限责任公司",
                "深圳市华晨智能装备制造有限公司",
                "南京恒达贸易股份有限公司",
                "完全不存在的某某公司",
                "杭州旧名科技有限公司",
                "宁波市海天塑机有限公司",
                "上海某芯科技(集团)有限公司",
                "南京恒达贸易有限公司",
                uscc(6),
            ],
            "统一社会信用代码": [uscc(2), "", "", "", "", "", "", "", "91330100MA00000XXX", uscc(1), uscc(99), ""],
            "备注": [""] * 12,
        }
    )
    report = match_list(store, frame)
    got = [(r.row, r.status, r.method, None if r.node is None else r.node.key) for r in report.rows]
    assert got == [
        (2, "matched", "uscc", uscc(2)),
        (3, "matched", "name", uscc(1)),
        (4, "matched", "name_variant", uscc(2)),
        (5, "matched", "name_without_region", uscc(2)),
        (6, "matched", "fuzzy", uscc(3)),
        (7, "ambiguous", "name_variant", None),
        (8, "unmatched", None, None),
        (9, "matched", "former_name", uscc(6)),
        (10, "matched", "name_without_region", uscc(7)),
        (11, "matched", "uscc", uscc(1)),
        (12, "matched", "name", uscc(4)),
        (13, "matched", "uscc", uscc(6)),
    ]
    rows = {r.row: r for r in report.rows}
    assert rows[6].score is not None and 85 <= rows[6].score < 100
    assert sorted(c.key for c in rows[7].candidates) == [uscc(4), uscc(5)]
    assert "信用代码无效" in rows[10].note
    assert "same company as row 3" in rows[11].note
    assert "not in the graph" in rows[12].note
    assert "same company as row 2" in rows[4].note
    assert report.name_column == "客户名称" and report.uscc_column == "统一社会信用代码"
    assert (len(report.matched), len(report.ambiguous), len(report.unmatched)) == (10, 1, 1)
    assert report.summary("en") == "12 rows: 10 matched, 1 ambiguous, 1 unmatched"
    assert list(report.to_frame()["row"]) == list(range(2, 14))
    assert report.to_dict()["summary"] == {"rows": 12, "matched": 10, "ambiguous": 1, "unmatched": 1}
    strict = match_list(store, frame, fuzzy=False)
    assert strict.rows[4].status == "unmatched"
    assert match_list(store, frame, threshold=95).rows[4].status == "unmatched"


def test_name_differs_from_uscc_is_noted(make_store: MakeStore) -> None:
    store = loaded(make_store)
    report = match_list(store, pd.DataFrame({"name": ["别的名字有限公司"], "uscc": [uscc(4)]}))
    assert report.rows[0].node is not None and report.rows[0].node.key == uscc(4)
    assert "名称与图中不同" in report.rows[0].note


def test_columns_must_be_found(make_store: MakeStore) -> None:
    store = loaded(make_store)
    with pytest.raises(InvalidParameter):
        match_list(store, pd.DataFrame({"地址": ["上海"]}))
    with pytest.raises(InvalidParameter):
        match_list(store, pd.DataFrame({"名称": ["上海"]}), name_column="企业")
    with pytest.raises(InvalidParameter):
        match_list(store, pd.DataFrame({"名称": ["上海"]}), threshold=120)
    english = match_list(store, pd.DataFrame({"Company Name": [NAMES[3]], "USCC": [""]}))
    assert english.name_column == "Company Name" and english.rows[0].status == "matched"


def test_gbk_csv_and_excel_files(make_store: MakeStore, tmp_path: Path) -> None:
    store = loaded(make_store)
    csv = tmp_path / "潜客名单.csv"
    pd.DataFrame({"企业名称": [NAMES[2], "不存在公司"], "统一社会信用代码": ["", ""]}).to_csv(
        csv, index=False, encoding="gbk"
    )
    report = match_file(store, csv)
    assert [(r.row, r.status) for r in report.rows] == [(2, "matched"), (3, "unmatched")]
    xlsx = tmp_path / "list.xlsx"
    pd.DataFrame({"企业名称": [NAMES[4], None, NAMES[6]]}).to_excel(xlsx, index=False)
    frame = read_list(xlsx)
    assert list(frame.index) == [2, 4]  # the blank row 3 is dropped, row numbers kept
    assert [r.row for r in match_list(store, frame).rows] == [2, 4]
    with pytest.raises(LoadError):
        read_list(tmp_path / "missing.csv")


def test_name_index_is_cached_and_refreshed(make_store: MakeStore) -> None:
    store = loaded(make_store)
    first = name_index(store)
    assert name_index(store) is first
    store.write(
        RecordBatch(
            "nodes", "Company", pd.DataFrame({"id": [uscc(50)], "uscc": [uscc(50)], "name": ["新来的有限公司"]})
        )
    )
    assert name_index(store) is not first
    assert match_list(store, pd.DataFrame({"name": ["新来的有限公司"]})).rows[0].status == "matched"


def test_row_numbers_follow_the_frame(make_store: MakeStore) -> None:
    store = loaded(make_store)
    frame = pd.DataFrame({"name": [NAMES[1], NAMES[2], NAMES[3]]})
    assert [r.row for r in match_list(store, frame).rows] == [2, 3, 4]
    assert [r.row for r in match_list(store, frame.drop(index=1)).rows] == [2, 4]  # rows of the original sheet
    assert [r.row for r in match_list(store, frame.set_index(pd.Index([5, 9, 12]))).rows] == [5, 9, 12]
    assert [r.row for r in match_list(store, frame.set_index(pd.Index(["a", "b", "c"]))).rows] == [2, 3, 4]
