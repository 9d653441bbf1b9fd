"""Read one table file into raw strings and name its columns the schema's way.

A table is a CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030, detected), a
tab-separated ``.tsv``/``.txt`` (or a ``.csv`` whose header holds tabs), or an
Excel sheet (``.xlsx``, ``.xlsm``; ``.xls`` needs the optional ``xlrd``).
Every cell comes back as a string exactly as written (``dtype=str``, no
``NA``/``null`` guessing); the frame's index is the row number the user sees
in Excel, the header being row 1.

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
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from graph.errors import LoadError
from graph.schema import Schema, load_schema

What = Literal["nodes", "edges", "clients"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
TABLE_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES

_BOM = codecs.BOM_UTF8
_CHUNK = 1 << 22
_UNIT = re.compile(r"^(.*?)\s*[(\[【〔]([^)\]】〕]*)[)\]】〕]\s*$")
_JOINERS = re.compile(r"[\s_\-]+")
_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")


@dataclass(frozen=True)
class Column:
    """A column a table of one target may have: its canonical name and accepted headers."""

    name: str
    headers: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class RawTable:
    """One table read from a file, its columns renamed to canonical names, cells raw strings.

    ``frame`` holds only the recognised columns (canonical names, ``str``
    dtype, ``""`` for an empty cell) and is indexed by the Excel row number.
    ``headers`` maps each canonical column to its header as written in the
    file; ``units`` to the bracketed unit of that header, if any.
    ``bad_lines`` are CSV lines that could not be split into the header's
    columns: ``(row, reason)``.
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
    ['holder', 'holder_type', 'company', 'ratio', 'amount', 'since']
    """
    if what == "nodes":
        label = schema.label(name)
        return tuple(Column(p.name, p.headers, label.column_required(p.name)) for p in label.columns.values())
    if what == "edges":
        kind = schema.kind(name)
        cols: list[Column] = []
        for end in (kind.source, kind.target):
            cols.append(Column(end.column, end.headers, True))
            if end.type_column:
                cols.append(Column(end.type_column, end.type_headers or (end.type_column,)))
        cols += [Column(p.name, p.headers, p.required) for p in kind.properties.values()]
        return tuple(cols)
    return tuple(Column(p.name, p.headers, p.required) for p in schema.clients.properties.values())


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (with BOM), ``utf-8`` or ``gb18030`` (which covers GBK): the first that decodes strictly."""
    with path.open("rb") as fh:
        head = fh.read(len(_BOM))
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" and head == _BOM else encoding
    raise LoadError(f"{path}: the file is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8")


def _separator(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        first = fh.readline()
    if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(","):
        return "\t"
    return ","


def _read_csv(path: Path) -> tuple[pd.DataFrame, str, tuple[tuple[int, str], ...]]:
    encoding = detect_encoding(path)
    sep = _separator(path, encoding)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            on_bad_lines="warn",
        )
    bad: list[tuple[int, str]] = []
    for warning in caught:
        for line in str(warning.message).splitlines():
            match = _BAD_LINE.match(line.strip())
            if match:
                bad.append((int(match.group(1)), match.group(2)))
    bad.sort()
    rows = np.arange(2, 2 + len(frame) + len(bad), dtype=np.int64)
    if bad:  # the lines pandas skipped have no frame row
        rows = rows[~np.isin(rows, [line for line, _ in bad])][: len(frame)]
    frame.index = pd.Index(rows)
    return frame, encoding, tuple(bad)


def sheet_names(path: str | Path) -> list[str]:
    """The sheet names of an Excel workbook, in order."""
    file = Path(path)
    try:
        with pd.ExcelFile(file) as book:
            return [str(s) for s in book.sheet_names]
    except ImportError as exc:
        raise LoadError(f"{file}: reading {file.suffix} files needs {exc.name or 'xlrd'}; save it as .xlsx") from exc
    except Exception as exc:
        raise LoadError(f"{file}: not a readable Excel workbook: {exc}") from exc


def _read_excel(path: Path, sheet: str | None) -> pd.DataFrame:
    if sheet is not None and sheet not in sheet_names(path):
        raise LoadError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(sheet_names(path))}")
    try:
        frame = pd.read_excel(
            path, sheet_name=0 if sheet is None else sheet, dtype=str, keep_default_na=False, na_filter=False
        )
    except ImportError as exc:
        raise LoadError(f"{path}: reading {path.suffix} files needs {exc.name or 'xlrd'}; save it as .xlsx") from exc
    frame.index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64))
    return frame


@dataclass(frozen=True)
class RawFile:
    """A table file as read: every cell a string, headers as written, indexed by Excel row number."""

    frame: pd.DataFrame
    encoding: str | None = None
    bad_lines: tuple[tuple[int, str], ...] = ()


def read_raw(path: str | Path, *, sheet: str | None = None) -> RawFile:
    """Every cell of a table file as a string, headers as written, and the text encoding (None for Excel).

    Rows whose cells are all blank (the trailing rows Excel leaves) are
    dropped; the index is the Excel row number. LoadError when the file is
    missing, unreadable or empty.
    """
    file = Path(path)
    if not file.is_file():
        raise LoadError(f"{file}: no such file")
    suffix = file.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise LoadError(f"{file}: unknown file type {suffix!r}; use {', '.join(sorted(TABLE_SUFFIXES))}")
    if file.stat().st_size == 0:
        raise LoadError(f"{file}: the file is empty")
    encoding: str | None = None
    bad: tuple[tuple[int, str], ...] = ()
    try:
        if suffix in EXCEL_SUFFIXES:
            frame = _read_excel(file, sheet)
        else:
            frame, encoding, bad = _read_csv(file)
    except LoadError:
        raise
    except pd.errors.EmptyDataError:
        raise LoadError(f"{file}: the file is empty") from None
    except Exception as exc:
        raise LoadError(f"{file}: cannot read it: {exc}") from exc
    if len(frame.columns) == 0:
        raise LoadError(f"{file}: the file has no header row")
    frame.columns = pd.Index([str(c) for c in frame.columns])
    if len(frame):
        blank = np.ones(len(frame), dtype=bool)
        for col in frame.columns:
            blank &= _blank(frame[col])
        frame = frame.loc[~blank]
    return RawFile(frame, encoding, bad)


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
                    f"{file}: no column for {column.name!r}, which is required; "
                    f"accepted headers: {', '.join(column.headers)}"
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
) -> RawTable:
    """Make a :class:`RawTable` from a frame of raw cells with headers as written.

    Used by :func:`read_table`, and directly for data already in memory.
    ``rows`` are the Excel row numbers of the frame's rows (default 2, 3, ...).
    LoadError when a required column is missing.
    """
    schema = schema or load_schema()
    columns = columns_for(schema, what, name)
    frame = frame.rename(columns=str)
    headers, units = map_columns(frame, columns, file)
    if what == "clients" and not ({"uscc", "name"} & set(headers)):
        accepted = [h for c in columns if c.name in ("uscc", "name") for h in c.headers]
        raise LoadError(
            f"{file}: a client list needs a USCC or a company name column; accepted headers: " + ", ".join(accepted)
        )
    index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64))
    if len(index) != len(frame):
        raise ValueError(f"{len(index)} row numbers for {len(frame)} rows")
    raw = pd.DataFrame(
        {name: frame[header].astype("str").fillna("").reset_index(drop=True) for name, header in headers.items()}
    )
    raw.index = index
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
    )


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
    )
