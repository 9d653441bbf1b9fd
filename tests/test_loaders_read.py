"""Reading table files: encodings, separators, Excel, header matching, and files that cannot be read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.messages import render
from graph.schema import load_schema
from loaders.csv_text import count_lines, split_csv
from loaders.decode import looks_chinese
from loaders.pipeline import find_sources, match_headers
from loaders.read import (
    RawTable,
    cell_problems,
    columns_for,
    detect_encoding,
    header_key,
    read_raw,
    read_table,
    sheet_names,
    table_from_frame,
)

HEADER = "统一社会信用代码,企业名称,成立日期,持股比例\n"
ROWS = "91350100M000100Y43,上海某芯科技有限公司,2021/3/5,35%\n"


def english(lines: tuple[tuple[int, str], ...]) -> tuple[tuple[int, str], ...]:
    """Rows refused on read with their reasons in English."""
    return tuple((row, render(why, "en")) for row, why in lines)


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
    assert english(table.bad_lines) == ((3, "line 3 has 3 fields, the header has 2"),)


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


# -- every physical line accounted for (issue 11) ---------------------------------------------------------------------
def _balanced(table: RawTable) -> None:
    assert table.lines is not None and table.lines.balanced, table.lines


def test_a_first_row_with_extra_fields_shifts_nothing(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", "uscc,name\na,A,x,y\nb,B\nc,C\n", "utf-8")
    table = read_table(file, "nodes", "Company")
    assert table.frame.to_dict("index") == {3: {"uscc": "b", "name": "B"}, 4: {"uscc": "c", "name": "C"}}
    assert english(table.bad_lines) == ((2, "line 2 has 4 fields, the header has 2"),)
    _balanced(table)


def test_extra_fields_that_are_blank_lose_nothing(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path / "c.csv", "uscc,name\na,A,,\n", "utf-8"), "nodes", "Company")
    assert table.frame.to_dict("records") == [{"uscc": "a", "name": "A"}] and table.bad_lines == ()


def test_an_unmatched_quote_is_reported_with_the_lines_it_joined(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", 'uscc,企业名称\na,"A\nb,B\nc,"C"\nd,D\n', "utf-8")
    table = read_table(file, "nodes", "Company")
    assert english(table.bad_lines) == ((2, "lines 2–4 were joined by an unmatched quote in column 企业名称"),)
    assert table.frame["uscc"].tolist() == ["d"]
    _balanced(table)


def test_an_unmatched_quote_to_the_end_of_the_file(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path / "c.csv", 'uscc,name\na,A\nb,"B\nc,C\n', "utf-8"), "nodes", "Company")
    assert english(table.bad_lines) == ((3, "lines 3–4 were joined by an unmatched quote in column name"),)
    assert table.frame["uscc"].tolist() == ["a"]
    _balanced(table)


def test_a_quoted_line_break_in_free_text_is_one_row(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", 'uscc,name,industry\na,A,"集成电路\n设计"\nb,B,x\n', "utf-8")
    table = read_table(file, "nodes", "Company")
    assert table.frame["industry"].tolist() == ["集成电路\n设计", "x"]
    assert table.rows.tolist() == [2, 3] and table.bad_lines == ()
    assert table.lines is not None and (table.lines.continued, table.lines.lines) == (1, 4)
    _balanced(table)


def test_blank_lines_are_counted(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path / "c.csv", "uscc,name\n\na,A\n,\n \n", "utf-8"), "nodes", "Company")
    assert table.lines is not None and (table.lines.blank, table.lines.rows, table.lines.lines) == (3, 1, 5)
    _balanced(table)


_CSV_PIECES = st.sampled_from(["a", "公司", ",", '"', '""', "\n", "\r\n", "\r", " ", "", "x,y"])


@settings(deadline=None, max_examples=150)
@given(st.lists(st.lists(_CSV_PIECES, max_size=5).map("".join), max_size=8))
def test_every_line_is_accounted_for(lines: list[str]) -> None:
    text = "a,b,c\n" + "\n".join(lines)
    split = split_csv(text, ",")
    assert split.accounting.balanced, (text, split.accounting)
    assert split.accounting.lines == count_lines(text)
    rows = [*split.frame.index.tolist(), *(row for row, _ in split.bad)]
    assert len(rows) == len(set(rows))


@settings(deadline=None, max_examples=100)
@given(st.lists(st.lists(st.sampled_from(["a", "公司", " ", "", "1e5", "，"]), min_size=1, max_size=4), max_size=6))
def test_the_fast_and_the_exact_reader_agree(rows: list[list[str]]) -> None:
    text = "a,b,c,d\n" + "\n".join(",".join(r) for r in rows) + "\n"
    fast, exact = split_csv(text, ","), split_csv(text + '"x"\n', ",")  # the quote sends the second the exact way
    cut = exact.frame.iloc[: len(fast.frame)] if len(exact.frame) else exact.frame
    assert fast.frame.to_dict("index") == cut.to_dict("index")
    assert fast.bad == ()


# -- encodings --------------------------------------------------------------------------------------------------------
def test_one_bad_byte_in_utf8_rejects_that_line_and_keeps_the_rest_as_utf8(tmp_path: Path) -> None:
    data = (HEADER + ROWS + "91310000MA1K000019,苏州某源半导体有限公司,2018-01-02,5\n").encode()
    at = data.index("苏州".encode())
    (tmp_path / "c.csv").write_bytes(data[:at] + b"\xb5" + data[at:])
    table = read_table(tmp_path / "c.csv", "nodes", "Company")
    assert table.encoding == "utf-8"
    assert table.frame["name"].tolist() == ["上海某芯科技有限公司"]
    assert len(table.bad_lines) == 1 and table.bad_lines[0][0] == 3
    assert "line 3: byte 0xB5" in table.bad_lines[0][1] and "not UTF-8" in table.bad_lines[0][1]
    _balanced(table)


@pytest.mark.parametrize(
    ("text", "encoding", "says"),
    [
        ("uscc,name\n" + "x,삼성전자 주식회사 서울특별시 강남구\n" * 4, "euc_kr", "Korean (EUC-KR)"),
        ("uscc,name\n" + "x,トヨタ自動車株式会社 東京都\n" * 4, "shift_jis", "Japanese (Shift-JIS)"),
        (HEADER + ROWS, "utf-16-le", "UTF-16 without a byte-order mark"),
        ((HEADER + ROWS) * 3, "utf-16-be", "UTF-16 without a byte-order mark"),
        ((HEADER + ROWS) * 3, "mojibake", "neither UTF-8 nor GBK"),
    ],
)
def test_other_encodings_are_named_and_refused(tmp_path: Path, text: str, encoding: str, says: str) -> None:
    if encoding == "mojibake":  # UTF-8 read as GBK and saved so: valid GB18030, not Chinese
        data = text.encode("utf-8").decode("gb18030", errors="replace").replace("\ufffd", "").encode("gb18030")
        data = b"\xa1\xa1" + data.replace(b"\n", b"\n\xa1\xa1")  # no line left that is UTF-8
    else:
        data = text.encode(encoding)
    (tmp_path / "c.csv").write_bytes(data)
    with pytest.raises(LoadError, match=r"c\.csv") as info:
        read_raw(tmp_path / "c.csv")
    assert says in str(info.value) and "\n" not in str(info.value)


def test_mojibake_characters_do_not_look_chinese() -> None:
    assert looks_chinese("上海某芯科技有限公司，张伟，苏州工业园区星湖街")
    assert not looks_chinese("涓婃捣鏌愯姱绉戞妧鏈夐檺鍏徃锛屽紶浼燂紝鑻忓窞宸ヤ笟鍥尯")


@pytest.mark.parametrize(("encoding", "reported"), [("big5", "big5hkscs"), ("utf-16", "utf-16")])
def test_big5_traditional_chinese_and_utf16_with_a_mark_are_read(tmp_path: Path, encoding: str, reported: str) -> None:
    file = tmp_path / "c.csv"
    file.write_bytes("uscc,name\n91350100M000100Y43,台灣積體電路製造股份有限公司\n".encode(encoding))
    table = read_table(file, "nodes", "Company")
    assert table.encoding == reported
    assert table.frame["name"].tolist() == ["台灣積體電路製造股份有限公司"]


def test_a_mixed_file_that_is_mostly_gbk_is_refused(tmp_path: Path) -> None:
    data = "uscc,name\nx,上海某芯科技有限公司\n".encode() + "y,苏州某源\nz,北京某某\n".encode("gbk")
    (tmp_path / "c.csv").write_bytes(data)
    with pytest.raises(LoadError, match="mixes encodings: lines 3, 4"):
        read_raw(tmp_path / "c.csv")


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"SQLite format 3\x00" + b"\x00" * 100, "SQLite database"), (b"PK\x03\x04rest", "zip archive")],
)
def test_binary_content_named_csv_is_refused_with_what_it_is(tmp_path: Path, content: bytes, says: str) -> None:
    (tmp_path / "c.csv").write_bytes(content)
    with pytest.raises(LoadError, match=says):
        read_raw(tmp_path / "c.csv")


# -- Excel that is not ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "password-protected"),
        (b"uscc,name\na,b\n", "not an Excel workbook"),
        (b"PK\x03\x04" + b"\x00" * 50, "damaged"),
    ],
)
def test_excel_that_cannot_be_read_gives_one_line(tmp_path: Path, content: bytes, says: str) -> None:
    file = tmp_path / "companies.xlsx"
    file.write_bytes(content)
    with pytest.raises(LoadError, match=says) as info:
        read_raw(file)
    assert "\n" not in str(info.value) and "companies.xlsx" in str(info.value)


def test_a_truncated_workbook_gives_one_line(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "book.xlsx").read_bytes()
    (tmp_path / "companies.xlsx").write_bytes(good[: len(good) // 2])
    with pytest.raises(LoadError, match="damaged") as info:
        read_raw(tmp_path / "companies.xlsx")
    assert "\n" not in str(info.value)


# -- cells no parser should see ---------------------------------------------------------------------------------------
def test_long_cells_and_control_characters_reject_the_row_naming_the_column(tmp_path: Path) -> None:
    text = "uscc,企业名称,行业\na,上海\x00某芯,x\nb,B,集成\t电路\nc,C," + "x" * 4001 + "\nd," + "长" * 1001 + ",y\n"
    table = read_table(_write(tmp_path / "c.csv", text, "utf-8"), "nodes", "Company")
    assert table.frame["uscc"].tolist() == ["b"]  # a tab in free text is kept (folded to a space later)
    assert [(row, header) for row, header, _ in table.bad_cells] == [(2, "企业名称"), (4, "行业"), (5, "企业名称")]
    reasons = dict(english(table.bad_lines))
    assert reasons[2].startswith("column 企业名称: value holds the control character U+0000")
    assert reasons[4] == "column 行业: value is 4,001 characters long; the limit is 4,000"
    assert reasons[5] == "column 企业名称: value is 1,001 characters long; the limit is 1,000"


def test_keys_and_references_may_not_hold_tabs(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path / "p.csv", "人员编号,姓名\np\t1,张三\n", "utf-8"), "nodes", "Person")
    assert len(table.frame) == 0 and "line breaks" in table.bad_lines[0][1]
    assert cell_problems(pd.Series(["91350100M000100Y43"], index=[2]), "key", name=True) == []


# -- files known by their headers (issue 12 item 7) -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["企业信息.csv", "companies_2024.csv", "企业基本信息.csv"])
def test_a_file_is_known_by_its_headers_when_its_name_says_nothing(tmp_path: Path, name: str) -> None:
    _write(tmp_path / name, HEADER + ROWS, "gbk")
    sources, ignored = find_sources(tmp_path)
    assert [(s.shown, s.what, s.name) for s in sources] == [(name, "nodes", "Company")]
    assert ignored == []


def test_unknown_ambiguous_and_unsupported_files_are_left_out_with_the_reason(tmp_path: Path) -> None:
    _write(tmp_path / "companies.csv", HEADER + ROWS, "utf-8")
    _write(tmp_path / "notes.csv", "a,b\n1,2\n", "utf-8")
    _write(tmp_path / "list.csv", "id,name\np1,x\n", "utf-8")  # a person or a park?
    (tmp_path / "data.json").write_text("[]")
    (tmp_path / "graph.db").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "broken.csv").write_bytes(b"\xff\xfe\x00\xd8")
    sources, ignored = find_sources(tmp_path)
    assert [s.shown for s in sources] == ["companies.csv"]
    why = {item.split(" (")[0]: item for item in (render(i, "en") for i in ignored)}
    assert set(why) == {"notes.csv", "list.csv", "data.json", "graph.db", "broken.csv"}
    assert "fit no table" in why["notes.csv"]
    assert "ambiguous" in why["list.csv"] and "persons" in why["list.csv"] and "parks" in why["list.csv"]
    assert (
        "JSON is read only as FollowTheMoney entities or BODS 0.4 statements; export a table as CSV" in why["data.json"]
    )
    assert "SQLite database is not read" in why["graph.db"]


def test_the_file_name_breaks_a_tie_between_tables(tmp_path: Path) -> None:
    _write(tmp_path / "人员名单.csv", "id,name\np1,张三\n", "utf-8")
    sources, _ = find_sources(tmp_path)
    assert [(s.what, s.name) for s in sources] == [("nodes", "Person")]


def test_a_load_with_an_unknown_file_beside_good_ones_loads_the_good_ones(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore
    from loaders.pipeline import load_files

    _write(tmp_path / "企业信息.csv", HEADER + ROWS, "utf-8")
    (tmp_path / "dump.sqlite").write_bytes(b"SQLite format 3\x00")
    report = load_files(EmbeddedStore(), tmp_path)
    assert report.accepted == 1 and render(report.ignored_files[0], "en").startswith("dump.sqlite (an SQLite database")
    assert "dump.sqlite" in report.summary("en")
    assert report.files[0].lines == {"lines": 2, "header": 1, "rows": 1, "bad": 0, "blank": 0, "continued": 0}


def test_only_unsupported_files_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text("[]")
    with pytest.raises(LoadError, match=r"no table files found; left out: data\.json \(JSON is read only as"):
        find_sources(tmp_path / "data.json")


def test_match_headers_by_kind() -> None:
    schema = load_schema()
    assert match_headers(["股东", "被投资企业统一社会信用代码", "持股比例"], schema) == (("edges", "HOLDS_SHARES"), "")
    assert match_headers(["统一社会信用代码", "客户经理", "所属支行"], schema) == (("clients", "clients"), "")
    assert match_headers(["统一社会信用代码", "企业名称", "成立日期"], schema) == (("nodes", "Company"), "")
    target, reason = match_headers(["统一社会信用代码", "企业名称"], schema, "名单")
    assert target is None and "ambiguous" in reason


def test_the_load_report_accounts_for_every_line(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore
    from loaders.pipeline import load_files

    text = HEADER + ROWS + "\n" + '91310000MA1K000019,"苏州\n' + "91310000MA1K000027,北京\x00某某,2020-01-01,1\n"
    _write(tmp_path / "companies.csv", text, "utf-8")
    report = load_files(EmbeddedStore(), tmp_path)
    line = report.files[0]
    assert line.lines == {"lines": 5, "header": 1, "rows": 1, "bad": 1, "blank": 1, "continued": 1}
    assert "5 lines = 1 header + 1 rows + 1 refused + 1 blank + 1 continued" in report.summary("en")
    assert [(r.row, r.column) for r in report.rejects] == [(4, "")]
    assert "lines 4–5 were joined by an unmatched quote in column 企业名称" in report.rejects[0].reason


def test_a_cell_refused_on_read_is_reported_under_its_column(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore
    from loaders.pipeline import load_files

    _write(tmp_path / "companies.csv", HEADER + "91350100M000100Y43,上海\x1b[31m某芯,2021-01-01,1\n", "utf-8")
    report = load_files(EmbeddedStore(), tmp_path)
    assert [(r.row, r.column) for r in report.rejects] == [(2, "企业名称")]
    assert "control character U+001B" in report.rejects[0].reason
