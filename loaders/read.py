"""Read one table file into raw strings and name its columns the schema's way.

A table is a CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or GBK/GB18030 or
Big5 when it reads as Chinese: :mod:`loaders.decode`), a tab-separated
``.tsv``/``.txt`` (or a ``.csv`` whose header holds tabs), or an Excel sheet
(``.xlsx``, ``.xlsm``; ``.xls`` needs the optional ``xlrd``). Every cell comes
back as a string exactly as written (``dtype=str``, no ``NA``/``null``
guessing); the frame's index is the row number the user sees in Excel, the
header being row 1. Every physical line of a CSV is accounted for
(:mod:`loaders.csv_text`): read, rejected with its line (too many fields,
lines joined by an unmatched quote, bytes not in the file's encoding), blank,
or a line of a quoted multi-line cell.

Cells that no parser should ever see are refused here, per row, naming the
column: longer than the column's limit (:func:`~loaders.values.cell_limit`:
names, keys and lists 1,000 characters, free text 4,000, other values 200)
or holding a control character (:func:`~loaders.values.control_problem`).

Headers are matched against the schema's ``headers`` lists: English ones
case-insensitively, all of them trimmed, with full-width characters made
half-width and a bracketed unit split off, so ``持股比例（%）`` matches
``持股比例`` (and tells the ratio parser that plain numbers are percentages)
and ``注册资本(万元)`` matches ``注册资本`` with amounts in units of 10,000 yuan.

>>> header_key("持股比例（%）")
('持股比例', '%')
>>> header_key(" Company_Name ")
('companyname', None)
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from graph.errors import LoadError
from graph.messages import Message, render  # noqa: F401 - render: for the examples
from graph.schema import Schema, load_schema
from loaders.csv_text import Accounting, blank_rows, split_csv
from loaders.decode import decode_bytes
from loaders.values import NAME_CONTROL, cell_limit, control_problem, length_problem

What = Literal["nodes", "edges", "clients"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
TABLE_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES

_UNIT = re.compile(r"^(.*?)\s*[(\[【〔]([^)\]】〕]*)[)\]】〕]\s*$")
_JOINERS = re.compile(r"[\s_\-]+")
#: control characters a CSV's text may hold outside any cell: line breaks, and the tab of a tab-separated file
_FILE_CONTROL = {
    sep: re.compile(
        "[\x00-\x08"
        + ("" if sep == "\t" else "\t")
        + "\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
    )
    for sep in (",", "\t")
}
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Column:
    """A column a table of one target may have: its canonical name and accepted headers."""

    name: str
    headers: tuple[str, ...]
    required: bool = False
    type: str = "text"
    #: a key, a name or a reference to one: no control character at all, the shorter length limit
    name_like: bool = False


@dataclass(frozen=True)
class RawTable:
    """One table read from a file, its columns renamed to canonical names, cells raw strings.

    ``frame`` holds only the recognised columns (canonical names, ``str``
    dtype, ``""`` for an empty cell) and is indexed by the Excel row number.
    ``headers`` maps each canonical column to its header as written in the
    file; ``units`` to the bracketed unit of that header, if any.
    ``bad_lines`` are rows refused before any cell was parsed: ``(row,
    reason)`` for CSV lines that could not be split into the header's
    columns, and ``(row, reason)`` naming the column for cells too long or
    holding control characters (also in ``bad_cells`` as ``(row, header,
    reason)``); ``lines`` accounts for every physical line of a CSV.
    """

    file: str
    what: What
    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    units: dict[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    bad_lines: tuple[tuple[int, str], ...] = ()
    bad_cells: tuple[tuple[int, str, str], ...] = ()
    lines: Accounting | None = None

    @property
    def rows(self) -> np.ndarray:
        """Excel row number of every frame row."""
        return self.frame.index.to_numpy(dtype=np.int64)

    def header(self, column: str) -> str:
        """The header as written in the file for a canonical column (the name itself if none)."""
        return self.headers.get(column, column)


def header_key(header: object) -> tuple[str, str | None]:
    """How a header is compared, and the unit in brackets after it (``%``, ``万元``).

    Full-width made half-width, a leading ``*`` (a template's required
    marker) and a bracketed or trailing ``%`` unit split off, blanks,
    ``_`` and ``-`` removed, case-folded.
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lstrip("*").strip()
    unit: str | None = None
    match = _UNIT.match(text)
    if match and match.group(1):
        text, unit = match.group(1), match.group(2).strip() or None
    elif len(text) > 1 and text.endswith("%"):
        text, unit = text[:-1], "%"
    return _JOINERS.sub("", text).casefold(), unit


def columns_for(schema: Schema, what: What, name: str) -> tuple[Column, ...]:
    """The columns a table holding ``what`` (a label, a relationship type or the client list) may have.

    >>> [c.name for c in columns_for(load_schema(), "edges", "HOLDS_SHARES")]
    ['holder', 'holder_type', 'company', 'ratio', 'amount', 'since', 'until']
    """
    if what == "nodes":
        label = schema.label(name)
        return tuple(
            Column(
                p.name,
                p.headers,
                label.column_required(p.name),
                p.type,
                p.name in (label.key, label.name_property, *label.key_from),
            )
            for p in label.columns.values()
        )
    if what == "edges":
        kind = schema.kind(name)
        cols: list[Column] = []
        for end in (kind.source, kind.target):
            cols.append(Column(end.column, end.headers, True, "key", True))
            if end.type_column:
                cols.append(Column(end.type_column, end.type_headers or (end.type_column,), type="enum"))
        cols += [Column(p.name, p.headers, p.required, p.type) for p in kind.properties.values()]
        return tuple(cols)
    return tuple(
        Column(p.name, p.headers, p.required, p.type, p.name in ("uscc", "name"))
        for p in schema.clients.properties.values()
    )


def detect_encoding(path: Path) -> str:
    """The encoding a text file is read with (``utf-8``, ``utf-8-sig``, ``gb18030``, ...); LoadError if none.

    See :mod:`loaders.decode` for the rules.
    """
    return decode_bytes(path.read_bytes(), str(path)).encoding


def _separator(first: str, suffix: str) -> str:
    if suffix == ".tsv" or first.count("\t") > first.count(","):
        return "\t"
    return ","


def _header_names(header: list[str]) -> list[str]:
    """Headers as pandas names them: a blank one ``Unnamed: i``, a repeated one ``name.1``, ``name.2``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = cell if cell.strip() else f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _read_csv(path: Path) -> tuple[pd.DataFrame, str, tuple[tuple[int, str], ...], Accounting, bool]:
    data = path.read_bytes()
    decoded = decode_bytes(data, str(path))
    text = decoded.text
    newline = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    sep = _separator(text[:newline], path.suffix.lower())
    utf8: bytes | None = None  # the text's own bytes, for the Arrow reader
    if decoded.encoding in ("utf-8", "utf-8-sig") and not decoded.bad_lines:
        utf8 = data[len(codecs.BOM_UTF8) :] if decoded.encoding == "utf-8-sig" else data
    del data
    split = split_csv(text, sep, decoded.bad_lines, utf8)
    del utf8
    if not split.header or not any(cell.strip() for cell in split.header):
        raise LoadError(Message("load.blank_header", file=str(path)))
    frame = split.frame
    frame.columns = pd.Index(_header_names(split.header))
    controls = '"' in text or _FILE_CONTROL[sep].search(text) is not None
    return frame, decoded.encoding, split.bad, split.accounting, controls


#: how much of a CSV is read to find its header when the file is recognised by content
PEEK_BYTES = 1 << 18


def peek_headers(path: str | Path, *, sheet: str | None = None) -> list[str]:
    """The header cells of a table file (or one sheet), reading as little as possible.

    Used to recognise a file by its headers. LoadError (one line) when the
    file cannot be read as a table.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            _check_workbook(file)
            frame = pd.read_excel(file, sheet_name=0 if sheet is None else sheet, nrows=0, dtype=str)
            return [str(c) for c in frame.columns]
        with file.open("rb") as fh:
            data = fh.read(PEEK_BYTES)
            more = bool(fh.read(1))
    except LoadError:
        raise
    except ImportError as exc:
        raise LoadError(_needs_reader(file, suffix, exc)) from exc
    except Exception as exc:
        raise LoadError(Message("load.unreadable", file=str(file), detail=_one_line(exc))) from exc
    if more and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]  # whole lines only: no character cut in half
    text = decode_bytes(data, str(file)).text
    newline = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    sep = _separator(text[:newline], suffix)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
    except csv.Error as exc:
        raise LoadError(Message("load.header_split", file=str(file), detail=_one_line(exc))) from exc
    return [cell for cell in header]


def sheet_names(path: str | Path) -> list[str]:
    """The sheet names of an Excel workbook, in order."""
    file = Path(path)
    _check_workbook(file)
    try:
        with pd.ExcelFile(file) as book:
            return [str(s) for s in book.sheet_names]
    except ImportError as exc:
        raise LoadError(_needs_reader(file, file.suffix, exc)) from exc
    except Exception as exc:
        raise LoadError(Message("load.not_workbook", file=str(file), detail=_one_line(exc))) from exc


def _needs_reader(file: Path, suffix: str, exc: ImportError) -> Message:
    """A workbook whose reader library is not installed (xlrd for .xls)."""
    return Message("load.needs_reader", file=str(file), suffix=suffix, package=exc.name or "xlrd")


def _one_line(exc: BaseException) -> str:
    """An exception's message on one short line, for a LoadError that wraps it."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _check_workbook(path: Path) -> None:
    """Refuse what is no workbook before a reader library sees it: encrypted, old .xls, damaged or other content."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise LoadError(Message("load.unreadable", file=str(path), detail=_one_line(exc))) from exc
    suffix = path.suffix.lower()
    if head.startswith(_OLE2):
        if suffix == ".xls":
            return
        raise LoadError(Message("load.password", file=str(path), suffix=suffix))
    if suffix == ".xls":
        raise LoadError(Message("load.not_xls", file=str(path)))
    if not head.startswith(_ZIP):
        what = "load.sqlite_not_workbook" if head.startswith(b"SQLite f") else "load.other_not_workbook"
        raise LoadError(Message(what, file=str(path)))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise LoadError(Message("load.damaged", file=str(path), detail=_one_line(exc))) from exc
    if damaged is not None:
        raise LoadError(Message("load.damaged_part", file=str(path), part=damaged))
    if "xl/workbook.xml" not in names:
        raise LoadError(Message("load.zip_not_workbook", file=str(path)))


def _read_excel(path: Path, sheet: str | None) -> pd.DataFrame:
    if sheet is not None and sheet not in sheet_names(path):
        raise LoadError(Message("load.no_sheet", file=str(path), sheet=repr(sheet), sheets=tuple(sheet_names(path))))
    _check_workbook(path)
    try:
        frame = pd.read_excel(
            path, sheet_name=0 if sheet is None else sheet, dtype=str, keep_default_na=False, na_filter=False
        )
    except ImportError as exc:
        raise LoadError(_needs_reader(path, path.suffix, exc)) from exc
    frame.index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64))
    return frame


@dataclass(frozen=True)
class RawFile:
    """A table file as read: every cell a string, headers as written, indexed by Excel row number.

    ``bad_lines``: rows refused while splitting the file (``(row, reason)``);
    ``lines``: how the file's physical lines (a workbook's rows) were used.
    """

    frame: pd.DataFrame
    encoding: str | None = None
    bad_lines: tuple[tuple[int, str], ...] = ()
    lines: Accounting | None = None
    #: False when no cell can hold a control character (none in the whole text): cells need not be searched
    controls: bool = True


def read_raw(path: str | Path, *, sheet: str | None = None) -> RawFile:
    """Every cell of a table file as a string, headers as written, and the text encoding (None for Excel).

    Rows whose cells are all blank (the trailing rows Excel leaves) are
    dropped and counted; the index is the Excel row number. LoadError (one
    line naming the file) when the file is missing, unreadable, not a table
    or empty.
    """
    file = Path(path)
    if not file.is_file():
        raise LoadError(Message("load.no_file", file=str(file)))
    suffix = file.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        known = tuple(sorted(TABLE_SUFFIXES))
        raise LoadError(Message("load.unknown_type", file=str(file), suffix=repr(suffix), known=known))
    if file.stat().st_size == 0:
        raise LoadError(Message("load.empty", file=str(file)))
    encoding: str | None = None
    bad: tuple[tuple[int, str], ...] = ()
    lines: Accounting | None = None
    controls = True
    try:
        if suffix in EXCEL_SUFFIXES:
            frame = _read_excel(file, sheet)
        else:
            frame, encoding, bad, lines, controls = _read_csv(file)
    except LoadError:
        raise
    except pd.errors.EmptyDataError:
        raise LoadError(Message("load.empty", file=str(file))) from None
    except MemoryError:
        raise LoadError(Message("load.too_large", file=str(file))) from None
    except Exception as exc:
        raise LoadError(Message("load.unreadable", file=str(file), detail=_one_line(exc))) from exc
    if len(frame.columns) == 0:
        raise LoadError(Message("load.no_header", file=str(file)))
    frame.columns = pd.Index([str(c) for c in frame.columns])
    if lines is None:  # a workbook: its blank rows (the ones Excel leaves at the end) are dropped here
        blank = blank_rows(frame)
        lines = Accounting(1 + len(frame), 1, int((~blank).sum()), 0, int(blank.sum()), 0)
        frame = frame.loc[~blank]
    return RawFile(frame, encoding, bad, lines, controls)


def _blank(column: pd.Series) -> np.ndarray:
    return column.astype("str").fillna("").str.strip().eq("").to_numpy(dtype=bool)


def map_columns(frame: pd.DataFrame, columns: Sequence[Column], file: str) -> tuple[dict[str, str], dict[str, str]]:
    """Match a frame's headers to canonical columns: ``({canonical: header}, {canonical: unit})``.

    Where several headers match one column, the one earlier in the schema's
    list wins (``被投资企业统一社会信用代码`` before ``被投资企业``); a header
    serves one column only. LoadError naming the file, the column and the
    accepted headers when a required column has no header.
    """
    keyed = [(header, *header_key(header)) for header in frame.columns]
    chosen: dict[str, str] = {}
    units: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        wanted = {header_key(h)[0]: i for i, h in enumerate(column.headers)}
        best: tuple[int, str, str | None] | None = None
        for header, key, unit in keyed:
            if header in taken or key not in wanted:
                continue
            if best is None or wanted[key] < best[0]:
                best = (wanted[key], header, unit)
        if best is None:
            if column.required:
                raise LoadError(
                    Message("load.missing_column", file=file, column=repr(column.name), headers=tuple(column.headers))
                )
            continue
        _, header, unit = best
        taken.add(header)
        chosen[column.name] = header
        if unit:
            units[column.name] = unit
    return chosen, units


def _ignored(frame: pd.DataFrame, used: set[str]) -> tuple[str, ...]:
    ignored: list[str] = []
    for header in frame.columns:
        if header in used:
            continue
        if header.startswith("Unnamed:") and _blank(frame[header]).all():
            continue  # a blank column Excel left behind
        ignored.append(header)
    return tuple(ignored)


def table_from_frame(
    frame: pd.DataFrame,
    what: What,
    name: str,
    *,
    file: str = "<frame>",
    schema: Schema | None = None,
    rows: Sequence[int] | np.ndarray | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    bad_lines: tuple[tuple[int, str], ...] = (),
    lines: Accounting | None = None,
    controls: bool = True,
) -> RawTable:
    """Make a :class:`RawTable` from a frame of raw cells with headers as written.

    Used by :func:`read_table`, and directly for data already in memory.
    ``rows`` are the Excel row numbers of the frame's rows (default 2, 3, ...).
    Rows with a cell too long or holding a control character are taken out
    of the frame and added to ``bad_lines`` (see the module docstring).
    LoadError when a required column is missing.
    """
    schema = schema or load_schema()
    columns = columns_for(schema, what, name)
    frame = frame.rename(columns=str)
    headers, units = map_columns(frame, columns, file)
    if what == "clients" and not ({"uscc", "name"} & set(headers)):
        accepted = [h for c in columns if c.name in ("uscc", "name") for h in c.headers]
        raise LoadError(Message("load.client_columns", file=file, headers=tuple(accepted)))
    index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64))
    if len(index) != len(frame):
        raise ValueError(f"{len(index)} row numbers for {len(frame)} rows")
    raw = pd.DataFrame(
        {name: frame[header].astype("str").fillna("").reset_index(drop=True) for name, header in headers.items()}
    )
    raw.index = index
    by_name = {c.name: c for c in columns}
    cells = tuple(
        sorted(
            (row, headers[name], reason)
            for name in headers
            for row, reason in cell_problems(
                raw[name], by_name[name].type, name=by_name[name].name_like, controls=controls
            )
        )
    )
    if cells:
        refused = sorted({row for row, _, _ in cells})
        why: dict[int, list[str]] = {}
        for row, header, reason in cells:
            why.setdefault(row, []).append(Message("reject.cell", column=header, problem=reason))
        raw = raw.drop(index=refused)
        joined = {
            row: why[row][0] if len(why[row]) == 1 else Message("reject.cells", cells=tuple(why[row]))
            for row in refused
        }
        bad_lines = tuple(sorted([*bad_lines, *joined.items()]))
    return RawTable(
        file=file,
        what=what,
        name=name,
        frame=raw,
        headers=headers,
        units=units,
        ignored=_ignored(frame, set(headers.values())),
        encoding=encoding,
        sheet=sheet,
        bad_lines=bad_lines,
        bad_cells=cells,
        lines=lines,
    )


def cell_problems(column: pd.Series, type_: str, *, name: bool, controls: bool = True) -> list[tuple[int, str]]:
    """``(row, reason)`` for every cell of a column of raw strings that is too long or holds a control character.

    Fast for clean columns: the lengths are compared at once, and the cells
    are searched one by one only when the whole column holds a control
    character somewhere (and not at all when ``controls`` is False: the
    file's text holds none).

    >>> found = cell_problems(pd.Series(["ok", "a\\x1bb"], index=[2, 3]), "text", name=False)
    >>> [(row, render(why, "en")) for row, why in found]
    [(3, 'holds the control character U+001B at position 2, which no value may hold')]
    """
    if not len(column):
        return []
    limit = cell_limit(type_, name=name)
    found: list[tuple[int, str]] = []
    lengths = column.str.len().to_numpy()
    for at in np.flatnonzero(lengths > limit).tolist():
        found.append((int(column.index[at]), length_problem(str(column.iat[at]), limit) or Message("empty")))
    if controls and NAME_CONTROL.search("".join(column.tolist())):
        long = set(np.flatnonzero(lengths > limit).tolist())
        for at, value in enumerate(column.tolist()):
            problem = None if at in long else control_problem(value, name=name or type_ in ("key", "uscc"))
            if problem:
                found.append((int(column.index[at]), problem))
    return sorted(found)


def read_table(
    path: str | Path,
    what: What,
    name: str,
    *,
    sheet: str | None = None,
    schema: Schema | None = None,
    file: str | None = None,
) -> RawTable:
    """Read one table file for ``what``/``name`` (e.g. ``"nodes", "Company"``) into a :class:`RawTable`.

    ``file`` is how the report names the file (default: the path, plus
    ``[sheet]`` for a named sheet). LoadError when the file cannot be read or
    lacks a required column.
    """
    raw = read_raw(path, sheet=sheet)
    shown = file or (f"{Path(path).name}[{sheet}]" if sheet is not None else Path(path).name)
    return table_from_frame(
        raw.frame,
        what,
        name,
        file=shown,
        schema=schema,
        rows=raw.frame.index.to_numpy(),
        encoding=raw.encoding,
        sheet=sheet,
        bad_lines=raw.bad_lines,
        lines=raw.lines,
        controls=raw.controls,
    )
