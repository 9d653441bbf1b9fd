"""One safe writer for the tables users open in a spreadsheet: CSV and Excel.

Every export of guanxi — the command line's ``-o`` files, the load's rejects
CSV, the explorer's download buttons — builds its bytes here, so that a
hostile name in the data cannot turn into something a spreadsheet runs:

- **no formulas**: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return (or the full-width ``＝＋－＠``) gets a leading ``'``
  (OWASP's advice for CSV injection); Excel cells are always written as text
  or numbers, never as formulas. Numbers stay numbers.
- **no refused characters**: C0 control characters, which Excel's XML cannot
  hold (openpyxl raises ``IllegalCharacterError``), are shown as ``\\x01``.
- **no partial files**: a file is written to a temporary file in the same
  folder and renamed over the target, so a full disk or any other failure
  leaves the old file (or none) and gives one line, e.g. "no space left
  writing result.xlsx".

CSV is UTF-8 with a BOM (Excel then reads Chinese) or GB18030 (what Excel on
a Chinese Windows reads without a BOM).

>>> safe_cell("=HYPERLINK(\\"http://evil.example\\")")
'\\'=HYPERLINK("http://evil.example")'
>>> safe_cell(-3.5), safe_cell("-3.5"), safe_cell("上海\\x01芯源")
(-3.5, "'-3.5", '上海\\\\x01芯源')
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pandas as pd

from graph.errors import ExportError, InvalidParameter

#: what a text cell may not start with: a spreadsheet would read it as a formula (full-width forms too)
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
#: the CSV encodings offered: UTF-8 with BOM (default) and GB18030
CsvEncoding = Literal["utf-8-sig", "gb18030"]
CSV_ENCODINGS: tuple[CsvEncoding, ...] = ("utf-8-sig", "gb18030")
#: Excel's longest sheet name, and the characters it refuses in one
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: the most characters an Excel cell holds; a longer text is cut with a note saying so
CELL_MAX = 32_767
#: integers beyond this many digits lose digits in a spreadsheet (15 significant digits): written as text
EXACT_DIGITS = 15
#: the control characters Excel's XML cannot hold (C0 except tab, newline and carriage return)
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: every control character a terminal may act on: C0, DEL, C1 and the bidirectional overrides
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

Cell = str | int | float | bool | dt.datetime | dt.date | None
Table = pd.DataFrame | tuple[Sequence[str], Iterable[Sequence[object]]]


# -- cells ---------------------------------------------------------------------------------------------
def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible_controls(text: str, keep: str = "") -> str:
    """``text`` with control characters written as visible escapes (``\\x1b``, ``\\x9b``, ``\\u202e``).

    Covers C0, DEL, C1 and the bidirectional overrides, except the characters
    in ``keep`` (e.g. ``"\\n"`` for output made of several lines). A terminal
    then shows what a name holds instead of acting on it.

    >>> visible_controls("红\\x1b[31m色")
    '红\\\\x1b[31m色'
    >>> visible_controls("a\\nb", keep="\\n")
    'a\\nb'
    """
    return _TERMINAL_CONTROLS.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


def safe_text(text: str) -> str:
    """A text cell as a spreadsheet must get it: refused characters escaped, a formula start
    neutralised, and at most :data:`CELL_MAX` characters (a longer text says where it was cut)."""
    text = _EXCEL_ILLEGAL.sub(_escape, text)
    if text and text[0] in FORMULA_STARTS:
        text = "'" + text
    if len(text) > CELL_MAX:
        note = f"…[cut: {len(text):,} characters]"
        text = text[: CELL_MAX - len(note)] + note
    return text


def _integer_text(whole: int) -> str:
    """All the digits of ``whole``, or how many there are when Python refuses to write them (> 4,300)."""
    try:
        return str(whole)
    except ValueError:
        return f"{'-' if whole < 0 else ''}(an integer of about {int(whole.bit_length() * math.log10(2)):,} digits)"


def safe_cell(value: object) -> Cell:
    """One value ready for a cell: numbers, booleans and dates as they are, text through :func:`safe_text`.

    Missing values (None, NaN, NaT, pandas' NA of a nullable integer column) become None (an empty
    cell), never the text ``<NA>``; infinities, which no spreadsheet holds, and any other object
    become text.

    >>> safe_cell(pd.NA) is None, safe_cell(pd.array([2], dtype="Int64")[0])
    (True, 2)
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        whole = int(value)
        return whole if abs(whole) < 10**EXACT_DIGITS else safe_text(_integer_text(whole))
    if isinstance(value, float | Decimal):
        number = float(value)
        if math.isnan(number):
            return None
        return number if math.isfinite(number) else safe_text(str(value))
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()  # spreadsheets hold no time zone: the exact time as text
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        try:
            return safe_cell(value.item())
        except (TypeError, ValueError):
            pass
    return safe_text(str(value))


def _rows(table: Table) -> tuple[list[Cell], list[list[Cell]]]:
    """The header and rows of ``table``, every cell through :func:`safe_cell`."""
    if isinstance(table, pd.DataFrame):
        header: Sequence[object] = [str(c) for c in table.columns]
        body: Iterable[Sequence[object]] = table.itertuples(index=False, name=None)
    else:
        header, body = table
    return [safe_cell(str(h)) for h in header], [[safe_cell(v) for v in row] for row in body]


# -- bytes ---------------------------------------------------------------------------------------------
def csv_bytes(table: Table, encoding: CsvEncoding = "utf-8-sig") -> bytes:
    """``table`` as CSV that Excel opens with Chinese intact (UTF-8 with BOM, or GB18030)."""
    if encoding not in CSV_ENCODINGS:
        raise InvalidParameter("encoding", f"one of {', '.join(CSV_ENCODINGS)}, not {encoding!r}")
    header, rows = _rows(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["" if h is None else h for h in header])
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(encoding)


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters, not empty, unique in ``taken``.

    >>> sheet_title("结果/results: 2024"), sheet_title("a" * 40) == "a" * 31, sheet_title("x", ["x"])
    ('结果_results_ 2024', True, 'x (2)')
    """
    clean = visible_controls(_SHEET_FORBIDDEN.sub("_", name)).strip("' ") or "sheet"
    title = clean[:SHEET_NAME_MAX]
    used = {t.lower() for t in taken}
    n = 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = clean[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    return title


def excel_bytes(sheets: Mapping[str, Table]) -> bytes:
    """An .xlsx workbook with one sheet per table (in order); no cell is ever a formula."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    titles: list[str] = []
    for name, table in (sheets or {"sheet": pd.DataFrame()}).items():
        title = sheet_title(name, titles)
        titles.append(title)
        sheet = book.create_sheet(title)
        header, rows = _rows(table)
        for r, values in enumerate([header, *rows], start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text, whatever it looks like
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- files ---------------------------------------------------------------------------------------------
def _write_all(handle: io.BufferedWriter, data: bytes) -> None:
    """Write ``data`` and push it to the disk (a separate step so tests can make the disk full)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def _failure(path: Path, exc: OSError) -> ExportError:
    """One line for a failed write, naming the file."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ExportError(f"no space left writing {path}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError(f"not allowed to write {path}")
    if exc.errno == errno.ENOENT:
        return ExportError(f"cannot write {path}: the folder does not exist")
    if exc.errno == errno.EISDIR or path.is_dir():
        return ExportError(f"cannot write {path}: it is a folder")
    return ExportError(f"cannot write {path}: {exc.strerror or exc}")


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    On any failure the temporary file is removed, the old ``path`` (if any)
    is left as it was, and an :class:`~graph.errors.ExportError` says why in one line.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise _failure(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_all(handle, data)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise _failure(target, exc) from None
        raise
    return target


def write_csv(path: str | Path, table: Table, encoding: CsvEncoding = "utf-8-sig") -> Path:
    """``table`` as a CSV file (see :func:`csv_bytes`), written atomically."""
    return write_bytes(path, csv_bytes(table, encoding))


def write_excel(path: str | Path, sheets: Mapping[str, Table]) -> Path:
    """The tables as an .xlsx workbook (see :func:`excel_bytes`), written atomically."""
    return write_bytes(path, excel_bytes(sheets))


def table_format(path: str | Path, parameter: str = "path") -> Literal["csv", "xlsx"]:
    """``"csv"`` or ``"xlsx"`` by the suffix of ``path``; any other is an InvalidParameter naming ``parameter``.

    Callers check it before a long computation, so that a wrong name fails at once.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise InvalidParameter(parameter, f"write to .xlsx or .csv, not {suffix or 'a file without suffix'}")


def write_table(path: str | Path, table: Table, *, sheet: str = "sheet", encoding: CsvEncoding = "utf-8-sig") -> Path:
    """One table to ``.csv`` or ``.xlsx`` by the file's suffix (see :func:`table_format`)."""
    if table_format(path) == "csv":
        return write_csv(path, table, encoding)
    return write_excel(path, {sheet: table})
