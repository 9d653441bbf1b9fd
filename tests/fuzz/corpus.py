"""Malformed and hostile input files, by category, each with the outcome a correct load must have.

A :class:`Case` is a set of files (name → bytes) and an :class:`Expect`:

* ``accepted``: the load succeeds with ``rejected`` rows rejected and the
  company names in ``names`` stored exactly (nothing else);
* ``rejected``: the load succeeds, at least one row is rejected, and a
  reject's reason contains ``says``; a strict load is refused;
* ``refused``: the load raises :class:`~graph.errors.LoadError` whose one
  line contains ``says`` (and the file name).

:func:`hand_written` gives the hand-written cases (a few per category);
:func:`random_case` builds a random hostile table from a seed, whose outcome
is judged by the invariants alone (see :mod:`tests.fuzz.oracle`).
"""

from __future__ import annotations

import codecs
import io
import random
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import openpyxl

from graph.uscc import check_char

Outcome = Literal["accepted", "rejected", "refused", "any"]


def uscc(n: int) -> str:
    """A valid USCC, different for every ``n``."""
    body = f"91310000MA1K{n:05d}"
    return body + check_char(body)


A, B, C = uscc(1), uscc(2), uscc(3)
NAME_A, NAME_B, NAME_C = "上海某芯科技有限公司", "苏州某源半导体有限公司", "北京某某集团股份有限公司"
HEADER = "统一社会信用代码,企业名称,注册资本,成立日期\n"
EN_HEADER = "uscc,name,registered_capital,founded\n"


@dataclass(frozen=True)
class Expect:
    """What a correct load of a case does (see the module docstring)."""

    outcome: Outcome
    says: str = ""
    rejected: int = 0
    names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Case:
    """One fuzz input: a category, a name, the files and what a correct load does."""

    category: str
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    expect: Expect = Expect("any")


def _companies(rows: str, header: str = HEADER, encoding: str = "utf-8") -> dict[str, bytes]:
    return {"companies.csv": (header + rows).encode(encoding)}


def _ok(*names: str, rejected: int = 0) -> Expect:
    return Expect("accepted", rejected=rejected, names=tuple(names))


def _good_rows() -> str:
    return f"{A},{NAME_A},100万,2021-03-05\n{B},{NAME_B},2000000,2019/1/2\n"


# -- lines: every physical line accounted for -----------------------------------------------------------------------
def _lines() -> list[Case]:
    c = "lines"
    return [
        Case(c, "plain", _companies(_good_rows()), _ok(NAME_A, NAME_B)),
        Case(c, "crlf", {"companies.csv": (HEADER + _good_rows()).replace("\n", "\r\n").encode()}, _ok(NAME_A, NAME_B)),
        Case(
            c, "lone-cr", {"companies.csv": (HEADER + _good_rows()).replace("\n", "\r").encode()}, _ok(NAME_A, NAME_B)
        ),
        Case(c, "no-final-newline", _companies(_good_rows().rstrip("\n")), _ok(NAME_A, NAME_B)),
        Case(c, "blank-lines", _companies(f"\n{A},{NAME_A},1,\n\n,,,\n  \n{B},{NAME_B},2,\n\n"), _ok(NAME_A, NAME_B)),
        Case(
            c,
            "first-row-too-many-fields",
            _companies(f"{A},{NAME_A},1,2021-01-01,extra,more\n{B},{NAME_B},2,2021-01-01\n{C},{NAME_C},3,\n"),
            Expect("rejected", "fields, the header has", 1),
        ),
        Case(
            c,
            "middle-row-too-many-fields",
            _companies(f"{A},{NAME_A},1,\n{B},{NAME_B},2,2021-01-01,x\n{C},{NAME_C},3,\n"),
            Expect("rejected", "line 3 has 5 fields", 1),
        ),
        Case(c, "trailing-blank-fields", _companies(f"{A},{NAME_A},1,,,\n{B},{NAME_B},2,\n"), _ok(NAME_A, NAME_B)),
        Case(c, "short-rows", _companies(f"{A},{NAME_A}\n{B},{NAME_B},2\n"), _ok(NAME_A, NAME_B)),
        Case(
            c,
            "stray-quote-joins-lines",
            _companies(f'{A},"{NAME_A},1,\n{B},{NAME_B},2,\n{C},{NAME_C},3,\n'),
            Expect("rejected", "joined by an unmatched quote in column 企业名称", 1),
        ),
        Case(
            c,
            "stray-quote-joins-until-next-quote",
            _companies(f'{A},"{NAME_A},1,\n{B},{NAME_B},2,\n{C},"{NAME_C}",3,\n'),
            Expect("rejected", "joined by an unmatched quote", 1),
        ),
        Case(
            c,
            "quote-then-text",
            _companies(f'{A},"{NAME_A}"x,1,\n{B},{NAME_B},2,\n'),
            Expect("rejected", "not closed properly", 1),
        ),
        Case(
            c,
            "quoted-comma-and-quote",
            _companies(f'{A},"{NAME_A}，""芯""",1,\n{B},"{NAME_B}",2,\n'),
            _ok(NAME_A + '，"芯"', NAME_B),
        ),
        Case(
            c,
            "quoted-newline-in-free-text",
            {
                "companies.csv": (
                    f'统一社会信用代码,企业名称,行业\n{A},{NAME_A},"集成电路\n设计"\n{B},{NAME_B},制造\n'
                ).encode()
            },
            _ok(NAME_A, NAME_B),
        ),
        Case(
            c,
            "quoted-newline-in-name",
            _companies(f'{A},"上海某芯\n科技有限公司",1,\n{B},{NAME_B},2,\n'),
            Expect("rejected", "line breaks", 1),
        ),
        Case(c, "header-only", _companies(""), _ok()),
        Case(
            c,
            "blank-first-line",
            {"companies.csv": ("\n" + HEADER + _good_rows()).encode()},
            Expect("refused", "header"),
        ),
        Case(c, "empty-file", {"companies.csv": b""}, Expect("refused", "empty")),
        Case(
            c,
            "tab-separated",
            {"companies.tsv": (HEADER + _good_rows()).replace(",", "\t").encode()},
            _ok(NAME_A, NAME_B),
        ),
        Case(
            c,
            "duplicate-header",
            _companies(f"{A},{NAME_A},x,\n", header="统一社会信用代码,企业名称,企业名称,成立日期\n"),
            _ok(NAME_A),
        ),
    ]


# -- encodings -------------------------------------------------------------------------------------------------------
def _encodings() -> list[Case]:
    c = "encoding"
    text = HEADER + _good_rows()
    bad_byte = text.encode("utf-8")
    at = bad_byte.index(NAME_B.encode()) + 3
    bad_byte = bad_byte[:at] + b"\xb5" + bad_byte[at:]
    mixed = (HEADER + f"{A},{NAME_A},1,\n").encode() + f"{B},{NAME_B},2,\n{C},{NAME_C},3,\n".encode("gbk")
    mixed_gbk = (EN_HEADER + f"{A},{NAME_A},1,\n").encode() + (f"{B},{NAME_B},2,\n{C},{NAME_C},3,\n").encode("gbk")
    korean = "삼성전자 주식회사"
    japanese = "トヨタ自動車株式会社"
    traditional = "台灣積體電路製造股份有限公司"
    many_korean = "".join(f"{uscc(10 + i)},{korean}{i} 서울특별시 강남구 테헤란로,1,\n" for i in range(5))
    many_japanese = "".join(f"{uscc(10 + i)},{japanese}{i} 東京都千代田区,1,\n" for i in range(5))
    return [
        Case(c, "utf-8", {"companies.csv": text.encode()}, _ok(NAME_A, NAME_B)),
        Case(c, "utf-8-bom", {"companies.csv": codecs.BOM_UTF8 + text.encode()}, _ok(NAME_A, NAME_B)),
        Case(c, "gbk", {"companies.csv": text.encode("gbk")}, _ok(NAME_A, NAME_B)),
        Case(c, "gb18030", {"companies.csv": text.encode("gb18030")}, _ok(NAME_A, NAME_B)),
        Case(c, "utf-16-bom", {"companies.csv": text.encode("utf-16")}, _ok(NAME_A, NAME_B)),
        Case(c, "utf-16-no-bom", {"companies.csv": text.encode("utf-16-le")}, Expect("refused", "UTF-16")),
        Case(c, "utf-8-one-bad-byte", {"companies.csv": bad_byte}, Expect("rejected", "not UTF-8", 1)),
        Case(c, "mixed-utf-8-and-gbk", {"companies.csv": mixed}, Expect("rejected", "mixes encodings", 2)),
        Case(c, "mostly-gbk-some-utf-8", {"companies.csv": mixed_gbk}, Expect("refused", "mixes encodings")),
        Case(
            c,
            "big5",
            {"companies.csv": (EN_HEADER + f"{A},{traditional},1,\n").encode("big5")},
            _ok(traditional),
        ),
        Case(
            c,
            "euc-kr",
            {"companies.csv": (EN_HEADER + many_korean).encode("euc_kr")},
            Expect("refused", "Korean"),
        ),
        Case(
            c,
            "shift-jis",
            {"companies.csv": (EN_HEADER + many_japanese).encode("shift_jis")},
            Expect("refused", "Japanese"),
        ),
        Case(
            c,
            "utf-8-read-as-gbk-mojibake",
            {"companies.csv": (HEADER + _good_rows() * 3).encode("utf-8").decode("gbk", "replace").encode("gb18030")},
            Expect("refused"),
        ),
        Case(
            c,
            "latin-1",
            {"companies.csv": (HEADER.encode() + "Société Générale,x\n".encode("latin-1"))},
            Expect("rejected", "not UTF-8", 1),
        ),
        Case(c, "binary", {"companies.csv": bytes(range(256)) * 4}, Expect("refused")),
        Case(c, "sqlite-named-csv", {"companies.csv": _sqlite_bytes()}, Expect("refused", "SQLite")),
        Case(c, "zip-named-csv", {"companies.csv": _xlsx_bytes([["a"]])}, Expect("refused", "zip")),
    ]


# -- numbers ---------------------------------------------------------------------------------------------------------
def _amount(value: str) -> dict[str, bytes]:
    return _companies(f"{A},{NAME_A},{value},\n{B},{NAME_B},100,\n")


def _supply(cells: str) -> dict[str, bytes]:
    return {
        **_companies(_good_rows()),
        "supply.csv": f"供应商,客户,年交易金额,交易笔数,年度\n{A},{B},{cells}\n".encode(),
    }


def _numbers() -> list[Case]:
    c = "numbers"
    cases = [
        Case(c, "400-digit-amount", _amount("9" * 400), Expect("rejected", "limit", 1)),
        Case(c, "40-digit-amount", _amount("9" * 39), Expect("rejected", "more than", 1)),
        Case(c, "1e400", _amount("1e400"), Expect("rejected", "more than", 1)),
        Case(c, "1e99999999", _amount("1e99999999"), Expect("rejected", "not an amount", 1)),
        Case(c, "inf", _amount("inf"), Expect("rejected", "not an amount", 1)),
        Case(c, "infinity", _amount("Infinity"), Expect("rejected", "not an amount", 1)),
        Case(c, "nan", _amount("nan"), Expect("rejected", "not an amount", 1)),
        Case(c, "negative", _amount("-5"), Expect("rejected", "negative", 1)),
        Case(c, "superscript", _amount("10²"), Expect("rejected", "not an amount", 1)),
        Case(c, "arabic-digits", _amount("١٢٣"), Expect("rejected", "not an amount", 1)),
        Case(c, "full-width", _amount("１２３万"), _ok(NAME_A, NAME_B)),
        Case(c, "10-MB-cell", _amount("1" * 10_000_000), Expect("rejected", "limit", 1)),
        Case(c, "amount-at-limit", _amount("1000万亿"), _ok(NAME_A, NAME_B)),
        Case(c, "20-digit-int", _supply("1000,99999999999999999999,2021"), Expect("rejected", "64-bit", 1)),
        Case(c, "negative-transactions", _supply("1000,-5,2021"), Expect("rejected", "negative", 1)),
        Case(c, "5000-digit-year", _supply("1000,5," + "2" * 5000), Expect("rejected", "limit", 1)),
        Case(c, "negative-year", _supply("1000,5,-2021"), Expect("rejected", "negative", 1)),
        Case(c, "year-out-of-range", _supply("1000,5,99999"), Expect("rejected", "out of range", 1)),
        Case(c, "good-supply", _supply("1000,5,2021"), _ok(NAME_A, NAME_B)),
    ]
    return cases


# -- dates -----------------------------------------------------------------------------------------------------------
def _dates() -> list[Case]:
    c = "dates"

    def founded(value: str) -> dict[str, bytes]:
        return _companies(f"{A},{NAME_A},1,{value}\n{B},{NAME_B},1,2020-01-01\n")

    bad = {
        "bad-time": "2021-03-05 25:99",
        "bad-minute": "2021-03-05 12:60",
        "feb-30": "2021-02-30",
        "year-0": "0000-01-01",
        "five-digit-year": "20210-01-01",
        "negative-year": "-2021-01-01",
        "5000-digit-year": "2" * 5000 + "-01-01",
        "excel-serial": "44256",
        "words": "yesterday",
    }
    cases = [Case(c, name, founded(value), Expect("rejected", "", 1)) for name, value in bad.items()]
    cases += [
        Case(c, "good-time", founded("2021-03-05 23:59:59"), _ok(NAME_A, NAME_B)),
        Case(c, "chinese-date", founded("2021年3月5日"), _ok(NAME_A, NAME_B)),
    ]
    return cases


# -- text cells ------------------------------------------------------------------------------------------------------
def _texts() -> list[Case]:
    c = "text"

    def name(value: str) -> dict[str, bytes]:
        return _companies(f"{A},{value},1,\n{B},{NAME_B},1,\n")

    controls = {
        "nul": "上海\x00某芯",
        "escape-sequence": "上海\x1b[31m某芯",
        "bell": "上海\x07某芯",
        "del": "上海\x7f某芯",
        "c1": "上海\x85某芯",
        "bidi-override": "上海\u202e某芯",
        "tab": "上海\t某芯",
    }
    cases = [Case(c, k, name(v), Expect("rejected", "control character", 1)) for k, v in controls.items()]
    cases += [
        Case(c, "1001-chars", name("长" * 1001), Expect("rejected", "limit is 1,000", 1)),
        Case(c, "1000-chars", name("长" * 1000), _ok("长" * 1000, NAME_B)),
        Case(c, "10-MB-name", name("长" * 10_000_000), Expect("rejected", "limit is 1,000", 1)),
        Case(c, "9011-bytes", name("长" * 3004), Expect("rejected", "limit is 1,000", 1)),
        Case(c, "markup", name("<script>alert(1)</script>"), _ok("<script>alert(1)</script>", NAME_B)),
        Case(c, "formula", name('=HYPERLINK("http://x")'), _ok('=HYPERLINK("http://x")', NAME_B)),
        Case(
            c,
            "free-text-tab",
            {"companies.csv": f"统一社会信用代码,企业名称,行业\n{A},{NAME_A},集成\t电路\n".encode()},
            _ok(NAME_A),
        ),
        Case(
            c,
            "free-text-4001",
            {"companies.csv": f"统一社会信用代码,企业名称,行业\n{A},{NAME_A},{'x' * 4001}\n".encode()},
            Expect("rejected", "limit is 4,000", 1),
        ),
        Case(
            c,
            "person-key-nul",
            {"persons.csv": "人员编号,姓名\np\x001,张三\np2,李四\n".encode()},
            Expect("rejected", "control character", 1),
        ),
    ]
    return cases


# -- Excel -----------------------------------------------------------------------------------------------------------
def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sqlite_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.db"
        con = sqlite3.connect(path)
        con.execute("create table companies (uscc text, name text)")
        con.commit()
        con.close()
        return path.read_bytes()


def _excel() -> list[Case]:
    c = "excel"
    good = _xlsx_bytes([["统一社会信用代码", "企业名称"], [A, NAME_A], [B, NAME_B]])
    truncated = good[: len(good) // 2]
    corrupt = bytearray(good)
    corrupt[len(corrupt) // 2 : len(corrupt) // 2 + 64] = b"\x00" * 64
    no_workbook = io.BytesIO()
    with zipfile.ZipFile(no_workbook, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return [
        Case(c, "good", {"companies.xlsx": good}, _ok(NAME_A, NAME_B)),
        Case(c, "truncated", {"companies.xlsx": truncated}, Expect("refused", "damaged")),
        Case(c, "corrupt-part", {"companies.xlsx": bytes(corrupt)}, Expect("refused")),
        Case(
            c,
            "encrypted",
            {"companies.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600},
            Expect("refused", "password"),
        ),
        Case(
            c, "csv-named-xlsx", {"companies.xlsx": (HEADER + _good_rows()).encode()}, Expect("refused", "not an Excel")
        ),
        Case(c, "zip-without-workbook", {"companies.xlsx": no_workbook.getvalue()}, Expect("refused", "not an Excel")),
        Case(c, "empty-xlsx-file", {"companies.xlsx": b""}, Expect("refused", "empty")),
        Case(
            c,
            "control-char-name",
            {"companies.xlsx": _xlsx_bytes([["统一社会信用代码", "企业名称"], [A, "上海_x001F_某芯"], [B, NAME_B]])},
            _ok("上海_x001F_某芯", NAME_B),  # openpyxl keeps Excel's escape as text
        ),
        Case(
            c,
            "numbers-as-numbers",
            {"companies.xlsx": _xlsx_bytes([["统一社会信用代码", "企业名称", "注册资本"], [A, NAME_A, 1e300]])},
            Expect("rejected", "", 1),
        ),
    ]


# -- file recognition ------------------------------------------------------------------------------------------------
def _files() -> list[Case]:
    c = "files"
    body = (HEADER + _good_rows()).encode()
    return [
        Case(c, "企业信息", {"企业信息.csv": body}, _ok(NAME_A, NAME_B)),
        Case(c, "companies_2024", {"companies_2024.csv": body}, _ok(NAME_A, NAME_B)),
        Case(c, "企业基本信息-gbk", {"企业基本信息.csv": (HEADER + _good_rows()).encode("gbk")}, _ok(NAME_A, NAME_B)),
        Case(c, "unknown-beside-good", {"companies.csv": body, "notes.csv": b"a,b\n1,2\n"}, _ok(NAME_A, NAME_B)),
        Case(c, "ambiguous-beside-good", {"companies.csv": body, "list.csv": b"id,name\np1,x\n"}, _ok(NAME_A, NAME_B)),
        Case(c, "sqlite-beside-good", {"companies.csv": body, "data.db": _sqlite_bytes()}, _ok(NAME_A, NAME_B)),
        Case(c, "json-beside-good", {"companies.csv": body, "data.json": b"[]"}, _ok(NAME_A, NAME_B)),
        Case(c, "only-json", {"data.json": b"[]"}, Expect("refused", "JSON")),
        Case(c, "only-unknown", {"stuff.csv": b"a,b\n1,2\n"}, Expect("refused", "fit no table")),
        Case(
            c,
            "undecodable-unknown-beside-good",
            {"companies.csv": body, "x.csv": b"\xff\xfe\x00\xd8"},
            _ok(NAME_A, NAME_B),
        ),
    ]


def hand_written() -> list[Case]:
    """Every hand-written case, category by category."""
    return [*_lines(), *_encodings(), *_numbers(), *_dates(), *_texts(), *_excel(), *_files()]


# -- random tables ---------------------------------------------------------------------------------------------------
_PIECES = (
    "上海",
    "某芯",
    "科技",
    "有限公司",
    "张伟",
    "a",
    "Z",
    "0",
    "9",
    " ",
    "\u3000",
    ",",
    "，",
    '"',
    '""',
    "'",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x1b",
    "\x7f",
    "\u202e",
    "\ufeff",
    "１",
    "%",
    "万",
    "亿",
    "e",
    "-",
    ".",
    "1e400",
    "inf",
    "nan",
    "=",
    "+",
    "@",
    "<b>",
    "2021-03-05",
    "25:99",
    "涓婃捣",
)
_COLUMNS = ("统一社会信用代码", "企业名称", "注册资本", "成立日期", "是否上市", "登记状态", "产业链", "备注")


def random_case(seed: int) -> Case:
    """A random hostile companies table (structure, cells and encoding drawn from ``seed``)."""
    rng = random.Random(seed)
    header = ["统一社会信用代码", "企业名称", *rng.sample(_COLUMNS[2:], rng.randint(0, len(_COLUMNS) - 2))]
    lines = [",".join(header)]
    for i in range(rng.randint(0, 8)):
        cells = [uscc(100 + i) if rng.random() < 0.8 else "".join(rng.choices(_PIECES, k=3))]
        cells += ["".join(rng.choices(_PIECES, k=rng.randint(0, 4))) for _ in header[1:]]
        if rng.random() < 0.2:
            cells.append("".join(rng.choices(_PIECES, k=2)))
        if rng.random() < 0.1:
            cells[rng.randrange(len(cells))] = "x" * rng.choice((1001, 4001, 100_000))
        lines.append(",".join(cells))
    newline = rng.choice(("\n", "\r\n", "\n", "\n"))
    text = newline.join(lines) + rng.choice((newline, ""))
    encoding = rng.choice(("utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"))
    data = text.encode(encoding, errors="replace")
    if rng.random() < 0.1 and data:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.randrange(128, 256)]) + data[at:]
    return Case("random", f"seed-{seed}", {"companies.csv": data}, Expect("any"))
