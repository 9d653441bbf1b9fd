"""Reading table files: encodings, separators, Excel, header matching, and files that cannot be read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from graph.errors import LoadError
from graph.schema import load_schema
from loaders.read import columns_for, detect_encoding, header_key, read_raw, read_table, sheet_names, table_from_frame

HEADER = "统一社会信用代码,企业名称,成立日期,持股比例\n"
ROWS = "91350100M000100Y43,上海某芯科技有限公司,2021/3/5,35%\n"


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, reported: str) -> None:
    file = _write(tmp_path / "companies.csv", HEADER + ROWS, encoding)
    assert detect_encoding(file) == reported
    table = read_table(file, "nodes", "Company")
    assert table.encoding == reported
    assert table.file == "companies.csv"
    assert list(table.frame.columns) == ["uscc", "name", "founded"]
    assert table.frame.loc[2, "name"] == "上海某芯科技有限公司"
    assert table.headers == {"uscc": "统一社会信用代码", "name": "企业名称", "founded": "成立日期"}
    assert table.ignored == ("持股比例",)


def test_bytes_that_are_neither_utf8_nor_gb18030_are_a_load_error(tmp_path: Path) -> None:
    file = tmp_path / "companies.csv"
    file.write_bytes(b"uscc,name\n\xff\xff,\xff\n")
    with pytest.raises(LoadError, match=r"companies\.csv.*neither UTF-8 nor GBK"):
        read_table(file, "nodes", "Company")


@pytest.mark.parametrize("name", ["persons.tsv", "persons.txt", "persons.csv"])
def test_tab_separated(tmp_path: Path, name: str) -> None:
    file = _write(tmp_path / name, "人员编号\t姓名\np1\t张三, 李四\n", "utf-8")
    table = read_table(file, "nodes", "Person")
    assert table.frame.to_dict("records") == [{"id": "p1", "name": "张三, 李四"}]


def test_cells_stay_raw_strings(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", "uscc,name,listed\n007,NA,null\n,None,\n", "utf-8")
    frame = read_raw(file).frame
    assert frame.to_dict("records") == [
        {"uscc": "007", "name": "NA", "listed": "null"},
        {"uscc": "", "name": "None", "listed": ""},
    ]


def test_row_numbers_are_excel_rows_and_blank_rows_are_dropped(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", "uscc,name\na,A\n\n,\nb,B\n ,  \n", "utf-8")
    table = read_table(file, "nodes", "Company")
    assert table.rows.tolist() == [2, 5]
    assert table.frame["uscc"].tolist() == ["a", "b"]


def test_lines_with_too_many_fields_are_reported_with_their_row(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", "uscc,name\na,A\nb,B,extra\nc,C\n", "utf-8")
    table = read_table(file, "nodes", "Company")
    assert table.rows.tolist() == [2, 4]
    assert table.frame["uscc"].tolist() == ["a", "c"]
    assert table.bad_lines == ((3, "expected 2 fields, saw 3"),)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path / "c.csv", "uscc,name\n", "utf-8"), "nodes", "Company")
    assert len(table.frame) == 0
    assert list(table.frame.columns) == ["uscc", "name"]


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_empty_file_is_a_load_error(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "companies.csv"
    file.write_bytes(content)
    with pytest.raises(LoadError, match=r"companies\.csv"):
        read_table(file, "nodes", "Company")


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        read_raw(tmp_path / "nope.csv")
    other = tmp_path / "companies.json"
    other.write_text("{}")
    with pytest.raises(LoadError, match="unknown file type"):
        read_raw(other)


def test_xls_that_cannot_be_read_is_a_load_error(tmp_path: Path) -> None:
    file = tmp_path / "companies.xls"
    file.write_bytes(b"not really excel")
    with pytest.raises(LoadError, match=r"companies\.xls"):
        read_raw(file)


# -- headers --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "key", "unit"),
    [
        ("持股比例(%)", "持股比例", "%"),
        ("持股比例（%）", "持股比例", "%"),
        ("持股比例%", "持股比例", "%"),
        ("注册资本(万元)", "注册资本", "万元"),
        ("注册资本【万元】", "注册资本", "万元"),
        (" Company_Name ", "companyname", None),
        ("USCC", "uscc", None),
        ("*企业名称", "企业名称", None),
        ("Ｎａｍｅ", "name", None),
    ],
)
def test_header_key(header: str, key: str, unit: str | None) -> None:
    assert header_key(header) == (key, unit)


def test_headers_match_case_insensitively_with_units(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "equity.csv",
        "Holder,被投资企业统一社会信用代码,持股比例（%）,认缴出资额(万元),Remarks\np1,91350100M000100Y43,35,100,x\n",
        "utf-8",
    )
    table = read_table(file, "edges", "HOLDS_SHARES")
    assert table.headers == {
        "holder": "Holder",
        "company": "被投资企业统一社会信用代码",
        "ratio": "持股比例（%）",
        "amount": "认缴出资额(万元)",
    }
    assert table.units == {"ratio": "%", "amount": "万元"}
    assert table.ignored == ("Remarks",)


def test_the_more_specific_header_wins_and_the_other_is_ignored(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "equity.csv", "股东,被投资企业,被投资企业统一社会信用代码\np1,某公司,91350100M000100Y43\n", "utf-8"
    )
    table = read_table(file, "edges", "HOLDS_SHARES")
    assert table.headers["company"] == "被投资企业统一社会信用代码"
    assert table.ignored == ("被投资企业",)


def test_missing_required_column_names_file_column_and_accepted_headers(tmp_path: Path) -> None:
    file = _write(tmp_path / "officers.csv", "人员编号,职务\np1,董事\n", "utf-8")
    with pytest.raises(LoadError) as info:
        read_table(file, "edges", "SERVES_AS")
    message = str(info.value)
    assert "officers.csv" in message
    assert "'company'" in message
    assert "企业统一社会信用代码" in message and "company_uscc" in message


def test_client_list_needs_uscc_or_name(tmp_path: Path) -> None:
    file = _write(tmp_path / "clients.csv", "客户经理\n王经理\n", "utf-8")
    with pytest.raises(LoadError, match="USCC or a company name"):
        read_table(file, "clients", "clients")
    only_name = _write(tmp_path / "clients2.csv", "客户名称,客户经理\n某公司,王经理\n", "utf-8")
    assert list(read_table(only_name, "clients", "clients").frame.columns) == ["name", "manager"]


def test_columns_for_every_target() -> None:
    schema = load_schema()
    company = {c.name: c.required for c in columns_for(schema, "nodes", "Company")}
    # the key (id) is made from the USCC, a stock code ... or the name: no column of its own
    assert "id" not in company and not company["uscc"] and company["name"] and not company["status"]
    officer = [c.name for c in columns_for(schema, "edges", "SERVES_AS")]
    assert officer == ["person", "company", "role", "since", "until"]
    assert [c.name for c in columns_for(schema, "clients", "clients")] == ["uscc", "name", "manager", "branch", "since"]


def test_table_from_frame_numbers_rows_from_two() -> None:
    table = table_from_frame(pd.DataFrame({"姓名": ["张三"], "人员编号": ["p1"]}), "nodes", "Person", file="x")
    assert table.rows.tolist() == [2]
    assert table.header("id") == "人员编号"


# -- Excel ----------------------------------------------------------------------------------------------------------
def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "企业"
    sheet.append(["统一社会信用代码", "企业名称", "成立日期", "注册资本"])
    sheet.append(["91350100M000100Y43", "上海某芯科技有限公司", dt.datetime(2021, 3, 5), 1200000])
    sheet.append([None, None, None, None])
    sheet.append(["91310000MA1K000019", "苏州某源半导体有限公司", "2018年1月2日", "120万"])
    other = book.create_sheet("人员")
    other.append(["人员编号", "姓名"])
    other.append(["p1", "张三"])
    book.save(path)
    return path


def test_excel_first_sheet_with_chinese_headers(tmp_path: Path) -> None:
    file = _workbook(tmp_path / "companies.xlsx")
    table = read_table(file, "nodes", "Company")
    assert table.encoding is None
    assert table.rows.tolist() == [2, 4]
    assert str(table.frame.loc[2, "founded"]).startswith("2021-03-05")
    assert table.frame.loc[2, "registered_capital"] == "1200000"
    assert table.frame.loc[4, "registered_capital"] == "120万"


def test_excel_named_sheet(tmp_path: Path) -> None:
    file = _workbook(tmp_path / "book.xlsx")
    assert sheet_names(file) == ["企业", "人员"]
    table = read_table(file, "nodes", "Person", sheet="人员")
    assert table.file == "book.xlsx[人员]"
    assert table.sheet == "人员"
    assert table.frame.to_dict("records") == [{"id": "p1", "name": "张三"}]
    with pytest.raises(LoadError, match="no sheet '园区'"):
        read_table(file, "nodes", "Park", sheet="园区")
