"""Every export a user opens in a spreadsheet: no formula, no refused character, no partial file.

Hostile names go through each path — the safe writer itself, ``guanxi batch`` and
``guanxi match`` ``-o`` (CSV and Excel), the load's rejects CSV, the explorer's
download bytes — and the files are read back: no Excel cell is a formula, no
text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
numbers are still numbers. A full disk (the write raising ENOSPC) leaves no
file behind and gives one line.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from graph.embedded import EmbeddedStore
from graph.errors import ExportError, InvalidParameter
from graph.uscc import check_char
from guanxi.cli import main
from loaders import export
from loaders.export import FORMULA_STARTS, csv_bytes, excel_bytes, safe_cell, sheet_title, write_bytes, write_table
from loaders.report import FileReport, LoadReport, Reject
from tests.reference import RawGraph
from ui.page_batch import workbook_bytes
from ui.widgets import csv_bytes as ui_csv_bytes
from ui.widgets import excel_bytes as ui_excel_bytes

HOSTILE = (
    '=HYPERLINK("http://evil.example/login","点我登录")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd",
    "\t=1+1",
    "\r=1+1",
    "＝１＋１",
    "＋上海",
    "－１",
    "＠张三",
    "上海\x01芯源\x1b[31m科技",
    "NUL\x00名字",
)


def uscc(i: int) -> str:
    body = f"91310115MA{i:07d}"
    return body + check_char(body)


def hostile_graph() -> RawGraph:
    """Client A and prospect T share a chairman; every name, manager and branch is hostile."""
    g = RawGraph()
    a = g.add_company(uscc(1), HOSTILE[0], is_client=True, manager=HOSTILE[2], branch=HOSTILE[6])
    t = g.add_company(uscc(2), HOSTILE[10])
    u = g.add_company(uscc(3), HOSTILE[3])
    b = g.add_company(uscc(4), HOSTILE[1], is_client=True, manager=HOSTILE[9])
    person = g.add_person("p1", HOSTILE[4])
    g.add_edge("SERVES_AS", person, a, role="chairman")
    g.add_edge("SERVES_AS", person, t, role="director")
    g.add_edge("SUPPLIES", b, u, amount=-5.0e7 + 1e8)
    return g


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    store = EmbeddedStore()
    hostile_graph().write_to(store)
    return store.save(tmp_path / "hostile.gx")


@pytest.fixture
def prospects(tmp_path: Path) -> Path:
    """A prospect list naming the hostile companies (by USCC, with their hostile names beside)."""
    path = tmp_path / "prospects.csv"
    frame = pd.DataFrame(
        {"企业名称": [HOSTILE[10], HOSTILE[3], HOSTILE[5]], "统一社会信用代码": [uscc(2), uscc(3), ""]}
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


# -- reading back ----------------------------------------------------------------------------------
def neutral(text: str) -> bool:
    """Whether a text cell is safe: it does not start like a formula and holds no refused character."""
    return not (text and text[0] in FORMULA_STARTS) and not any(ord(c) < 0x20 and c not in "\t\n\r" for c in text)


def excel_cells(data: bytes) -> Iterator[tuple[str, object, str]]:
    """(sheet, value, data type) of every non-empty cell of a workbook."""
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell.value, cell.data_type


def assert_safe_excel(data: bytes) -> list[object]:
    values = []
    for _, value, kind in excel_cells(data):
        assert kind != "f", f"formula cell {value!r}"
        if isinstance(value, str):
            assert neutral(value), value
        values.append(value)
    return values


def assert_safe_csv(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
    for row in rows:
        for value in row:
            assert neutral(value) or is_number(value), value
    return rows


def is_number(text: str) -> bool:
    """A CSV field holding a plain number (``-1.5``): a number, which Excel reads as one, not a formula."""
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "(" not in text


def shown(value: str) -> str:
    """What a hostile string reads as once neutralised (for the assertions that it is still there)."""
    return str(safe_cell(value))


# -- the writer -------------------------------------------------------------------------------------
def test_cells_are_neutralised_and_numbers_stay_numbers() -> None:
    for text in HOSTILE:
        cell = safe_cell(text)
        assert isinstance(cell, str) and neutral(cell)
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("上海\x01芯源") == "上海\\x01芯源"
    assert safe_cell("plain 名字") == "plain 名字"
    assert [safe_cell(v) for v in (-3, -2.5, 0, True, None, float("nan"))] == [-3, -2.5, 0, True, None, None]
    assert safe_cell(float("inf")) == "inf"
    assert safe_cell(float("-inf")) == "'-inf"
    assert sheet_title("a/b:c*d?[e]") == "a_b_c_d__e_"
    assert safe_cell(10**15 - 1) == 10**15 - 1 and safe_cell(-(10**20)) == "'-100000000000000000000"
    assert safe_cell(10**5000) == "(an integer of about 5,000 digits)"
    cut = safe_cell("x" * 100_000)
    assert isinstance(cut, str) and len(cut) == export.CELL_MAX and cut.endswith("[cut: 100,000 characters]")
    aware = pd.Timestamp("2024-03-05 10:00", tz="Asia/Shanghai")
    assert safe_cell(aware) == "2024-03-05T10:00:00+08:00"
    assert safe_cell(pd.Timestamp("2024-03-05")) == dt.datetime(2024, 3, 5)
    assert_safe_excel(excel_bytes({"t": pd.DataFrame({"when": [aware], "big": [10**30], "long": ["=" * 50_000]})}))


def test_excel_and_csv_bytes_hold_hostile_names_as_text() -> None:
    frame = pd.DataFrame({"name": list(HOSTILE), "amount": [-1.5] * len(HOSTILE), "n": range(len(HOSTILE))})
    values = assert_safe_excel(excel_bytes({"=bad/sheet": frame, "second": frame}))
    assert values.count(-1.5) == 2 * len(HOSTILE)
    assert shown(HOSTILE[0]) in values and shown(HOSTILE[10]) in values
    for encoding in ("utf-8-sig", "gb18030"):
        data = csv_bytes(frame, encoding)
        rows = assert_safe_csv(data, encoding)
        assert rows[0] == ["name", "amount", "n"]
        assert rows[1] == [shown(HOSTILE[0]), "-1.5", "0"]
    assert csv_bytes(frame).startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
    assert back["amount"].dtype.kind == "f" and back["n"].dtype.kind == "i"
    with pytest.raises(InvalidParameter):
        csv_bytes(frame, "latin-1")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="output"):
        export.table_format("x.json", "output")


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every export write half its bytes and then fail as a full disk does."""

    def write_half(handle: io.BufferedWriter, data: bytes) -> None:
        handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "_write_all", write_half)


def test_a_full_disk_leaves_no_file_and_the_old_one_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"name": list(HOSTILE)})
    old = write_table(tmp_path / "old.xlsx", frame)
    before = old.read_bytes()
    full_disk(monkeypatch)
    for name in ("new.csv", "new.xlsx", "old.xlsx"):
        with pytest.raises(ExportError, match=f"^no space left writing .*{name}$"):
            write_table(tmp_path / name, frame)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsx"]
    assert old.read_bytes() == before
    report = LoadReport(rejects=[Reject("a.csv", 2, "name", HOSTILE[0], "bad")])
    with pytest.raises(ExportError, match="no space left writing"):
        report.write_rejects(tmp_path / "rejects.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsx"]


def test_write_failures_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(ExportError, match="folder"):
        write_bytes(tmp_path / "folder.csv", b"x")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        write_bytes(blocker / "below.csv", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder.csv"]


# -- every path ---------------------------------------------------------------------------------------
def test_rejects_csv_neutralises_values(tmp_path: Path) -> None:
    report = LoadReport(
        files=[FileReport("=evil.csv", "nodes", "Company", rows_read=len(HOSTILE), rejected=len(HOSTILE))],
        rejects=[Reject("=evil.csv", i + 2, "@col", value, "-reason") for i, value in enumerate(HOSTILE)],
    )
    path = report.write_rejects(tmp_path / "rejects.csv", lang="en")
    rows = assert_safe_csv(path.read_bytes())
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    assert [r[3] for r in rows[1:]] == [shown(v) for v in HOSTILE]
    assert rows[1][1] == "2"


def test_cli_match_and_batch_outputs(
    hostile_store: Path, prospects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(hostile_store)]
    assert main(["match", str(prospects), "-o", str(tmp_path / "m.xlsx"), *store]) == 0
    values = assert_safe_excel((tmp_path / "m.xlsx").read_bytes())
    assert shown(HOSTILE[10]) in values and shown(HOSTILE[3]) in values
    assert main(["match", str(prospects), "-o", str(tmp_path / "m.csv"), "--encoding", "gb18030", *store]) == 0
    rows = assert_safe_csv((tmp_path / "m.csv").read_bytes(), "gb18030")
    assert shown(HOSTILE[10]) in rows[1]

    capsys.readouterr()
    assert main(["batch", str(prospects), "-o", str(tmp_path / "b.xlsx"), "--json", *store]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["written"] == [str(tmp_path / "b.xlsx")]
    values = assert_safe_excel((tmp_path / "b.xlsx").read_bytes())
    for name in (HOSTILE[0], HOSTILE[2], HOSTILE[6], HOSTILE[10]):  # introducer, manager, branch, prospect
        assert any(shown(name) in str(v) for v in values), name
    assert any(isinstance(v, float) and 0 < v < 1 for v in values)  # warmth stays a number
    assert main(["batch", str(prospects), "-o", str(tmp_path / "b.csv"), *store]) == 0
    for path in tmp_path.glob("b*.csv"):
        assert_safe_csv(path.read_bytes())


def test_cli_outputs_on_a_full_disk(
    hostile_store: Path,
    prospects: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    full_disk(monkeypatch)
    capsys.readouterr()
    for command in (
        ["batch", str(prospects), "-o", str(out / "b.xlsx")],
        ["match", str(prospects), "-o", str(out / "m.csv")],
    ):
        assert main([*command, "--store", str(hostile_store)]) == 2
        last = capsys.readouterr().err.splitlines()[-1]
        assert last.startswith("error: no space left writing ") and last.endswith((".xlsx", ".csv"))
    assert list(out.iterdir()) == []
    assert main(["match", str(prospects), "-o", str(out / "m.txt"), "--store", str(hostile_store)]) == 2
    assert "--output" in capsys.readouterr().err


def test_explorer_downloads(hostile_store: Path) -> None:
    frame = pd.DataFrame({"名称": list(HOSTILE), "温度": [0.5] * len(HOSTILE)})
    assert_safe_csv(ui_csv_bytes(frame))
    values = assert_safe_excel(ui_excel_bytes(frame, "=sheet"))
    assert 0.5 in values
    assert_safe_excel(workbook_bytes({"结果": frame, "summary": frame.head(1)}))


def test_cli_load_writes_neutral_rejects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``guanxi load`` with bad rows: the rejects CSV beside the store holds their values as text."""
    good = "91310000MA1FL0XG1"
    rows = [
        ("统一社会信用代码", "企业名称"),
        (good + check_char(good), "上海好公司"),
        (HOSTILE[0], "坏"),
        (HOSTILE[3], "坏"),
    ]
    with (tmp_path / "companies.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    graph = tmp_path / "g.gx"
    assert main(["load", str(tmp_path / "companies.csv"), "--store", str(graph)]) == 0
    rejects = tmp_path / "g-rejects.csv"
    assert f"rejected rows written to {rejects}" in capsys.readouterr().out
    values = [row[3] for row in assert_safe_csv(rejects.read_bytes())[1:]]
    assert values == [shown(HOSTILE[0]), shown(HOSTILE[3])]
