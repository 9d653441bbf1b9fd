"""Split decoded CSV text into a header and rows with every physical line accounted for.

A line of a CSV file ends at ``\\r\\n``, ``\\r`` or ``\\n``. Each line is one of:

* part of the **header** (line 1);
* part of a **row** that is read (the frame's rows, numbered as Excel numbers
  them: the header is row 1, each record after it the next row);
* part of a row that is **rejected** before any cell is parsed (``bad``):
  more fields than the header (unless the extra fields are all blank), quotes
  that do not close before other text, lines joined by an unmatched quote
  (``"lines 5–9 were joined by an unmatched quote in column 企业名称"``), or a
  line whose bytes were not valid in the file's encoding;
* a **blank** row (every cell blank);
* a **continued** line: a line after the first of a row whose quoted cell
  holds line breaks (read or rejected with that row).

so that ``lines == header + rows + bad + blank + continued`` (:class:`Accounting`).

Three ways, one result. Text without any ``"``, NUL or lone ``\\r`` is split
one row per line: by Arrow's multi-threaded CSV reader straight from the
file's UTF-8 bytes when every line has exactly the header's number of fields
(no Python object per cell), else by pandas' C parser when no line has more
fields than the header (plus one blank). Anything else goes through the
:mod:`csv` module with strict quoting, record by record, so a record's first
and last line are known. The three agree wherever more than one applies
(``tests/test_loaders_read.py`` loads the same files each way).

A record that spans several lines is taken as a quoted cell with line breaks
(an address typed in Excel with Alt+Enter) unless one of the lines inside a
quoted cell holds as many separators as a whole row: then the quote that
opened it is taken as unmatched and the lines are reported as joined.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from graph.messages import Message

#: a cell may be this long when read; the parsers' own limits are much smaller (see loaders.values)
csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))

_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


@dataclass(frozen=True)
class Accounting:
    """How the physical lines of a text file were used (see the module docstring)."""

    lines: int
    header: int
    rows: int
    bad: int
    blank: int
    continued: int

    @property
    def balanced(self) -> bool:
        """True when every physical line is accounted for exactly once."""
        return self.lines == self.header + self.rows + self.bad + self.blank + self.continued


@dataclass(frozen=True)
class CsvText:
    """A CSV text split up: header cells, a frame of raw cells (index: Excel row), rejected rows, accounting."""

    header: list[str]
    frame: pd.DataFrame
    bad: tuple[tuple[int, str], ...]
    accounting: Accounting


def count_lines(text: str) -> int:
    """Physical lines of a text: line breaks, plus one for a last line without a break.

    >>> count_lines("a\\r\\nb\\rc\\n"), count_lines("a\\nb"), count_lines("")
    (3, 2, 0)
    """
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (1 if text and not text.endswith(("\n", "\r")) else 0)


def _count_byte_lines(data: bytes) -> int:
    """:func:`count_lines` of UTF-8 bytes (the line breaks are the same bytes there)."""
    breaks = data.count(b"\n")
    if b"\r" in data:  # a quick scan: most files have no carriage return to count
        breaks += data.count(b"\r") - data.count(b"\r\n")
    return breaks + (1 if data and not data.endswith((b"\n", b"\r")) else 0)


def _plain_text(text: str) -> bool:
    """No quote, no NUL and no lone carriage return: every line is one row, split at each separator."""
    return '"' not in text and "\x00" not in text and text.count("\r") == text.count("\r\n")


def _plain_bytes(data: bytes) -> bool:
    """:func:`_plain_text` of UTF-8 bytes (these characters are the same single bytes there; a search of
    bytes is quicker than one of wide text)."""
    if b'"' in data or b"\x00" in data:
        return False
    return b"\r" not in data or data.count(b"\r") == data.count(b"\r\n")


def split_csv(text: str, sep: str, bad_lines: dict[int, str] | None = None, data: bytes | None = None) -> CsvText:
    """Split CSV ``text`` (separator ``sep``) into header, rows and rejects; ``bad_lines``: undecodable lines.

    ``data``: the text's exact UTF-8 bytes (no byte-order mark), when the
    file was UTF-8, so that a clean file is split from its bytes by Arrow.
    """
    bad_lines = bad_lines or {}
    fast = not bad_lines and (_plain_bytes(data) if data is not None else _plain_text(text))
    if fast:
        result = _arrow(data, text, sep) if data is not None else None
        if result is None:
            result = _fast(text, sep)
        if result is not None:
            return result
    return _exact(text, sep, bad_lines)


def _arrow(data: bytes, text: str, sep: str) -> CsvText | None:
    """One row per line through Arrow's CSV reader; None unless every line has the header's number of fields.

    Quotes are not special (the caller saw none), blank lines are kept as
    blank rows and every cell is text exactly as written, as in :func:`_fast`.
    """
    end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    header = text[:end].split(sep)
    n = len(header)
    uneven: list[int] = []

    def refuse(row: pa_csv.InvalidRow) -> str:
        uneven.append(row.actual_columns)
        return "skip"

    names = [str(i) for i in range(n)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=refuse,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if uneven or table.num_rows != _count_byte_lines(data) - 1:
        return None
    frame = table.to_pandas()
    del table
    frame.columns = pd.Index(range(n))
    frame.index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64))
    blank = blank_rows(frame)
    if blank.any():
        frame = frame.loc[~blank]
    accounting = Accounting(len(blank) + 1, 1, len(frame), 0, int(blank.sum()), 0)
    return CsvText(header, frame, (), accounting)


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows have only blank cells (the other columns are looked at only where the first is blank)."""
    if not len(frame) or not len(frame.columns):
        return np.zeros(len(frame), dtype=bool)
    blank = frame.iloc[:, 0].astype("str").str.strip().eq("").to_numpy(dtype=bool).copy()
    maybe = np.flatnonzero(blank)
    if len(maybe):
        rest = frame.iloc[maybe, 1:]
        for col in range(rest.shape[1]):
            blank[maybe] &= rest.iloc[:, col].astype("str").str.strip().eq("").to_numpy(dtype=bool)
    return blank


def _fast(text: str, sep: str) -> CsvText | None:
    """One row per line through pandas' C parser; None when a line has more fields than the header."""
    end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    header = text[:end].split(sep)
    n = len(header)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8", errors="surrogatepass")),  # bytes: pandas reads a StringIO slowly
            encoding="utf-8",
            encoding_errors="surrogatepass",
            sep=sep,
            header=None,
            names=list(range(n + 1)),
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            on_bad_lines="warn",
            engine="c",
        )
    if any(_BAD_LINE.search(str(w.message)) for w in caught):
        return None
    extra = frame[n].astype("str").str.strip().ne("").to_numpy(dtype=bool)
    if extra.any():
        return None
    frame = frame.iloc[1:, :n].fillna("")
    frame.columns = pd.Index(range(n))
    lines = count_lines(text)
    frame.index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64))
    blank = blank_rows(frame)
    frame = frame.loc[~blank]
    accounting = Accounting(lines, 1, len(frame), 0, int(blank.sum()), 0)
    return CsvText(header, frame, (), accounting)


def _looks_like_rows(cell: str, sep: str, n: int) -> bool:
    """A quoted cell with line breaks whose lines hold as many separators as a whole row: joined lines."""
    return n >= 2 and any(part.count(sep) >= n - 1 for part in re.split(r"\r\n|\r|\n", cell))


def _several(reasons: list[str]) -> Message:
    """Several reasons for one row (undecodable lines joined by a quote), as one."""
    return Message("reject.cells", cells=tuple(reasons))


def _open_quote_column(line: str, sep: str, header: list[str]) -> str:
    """The header of the cell whose quote never closed on ``line``."""
    fields = next(csv.reader([line], delimiter=sep), [])
    index = max(len(fields) - 1, 0)
    return header[index] if index < len(header) else Message("reject.field_n", n=index + 1)


def _exact(text: str, sep: str, bad_lines: dict[int, str]) -> CsvText:
    """Record by record with :mod:`csv` (strict quoting), knowing each record's first and last line."""
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(physical), delimiter=sep, strict=True)
    header: list[str] | None = None
    header_lines = 0
    rows: list[list[str]] = []
    numbers: list[int] = []
    bad: list[tuple[int, str]] = []
    blank = continued = 0
    row = 1
    done = 0
    while True:
        try:
            record = next(reader)
            error = None
        except StopIteration:
            break
        except csv.Error as exc:
            record, error = None, str(exc)
        first, last = done + 1, max(reader.line_num, done + 1)
        done = last
        spans = last - first + 1
        if header is None:
            header = [] if record is None else record
            header_lines = spans
            continue
        row += 1
        continued += spans - 1
        undecodable = [bad_lines[i] for i in range(first, last + 1) if i in bad_lines]
        if undecodable:
            bad.append((row, undecodable[0] if len(undecodable) == 1 else _several(undecodable)))
        elif record is None:
            where = _open_quote_column(physical[first - 1], sep, header)
            if spans > 1:
                bad.append((row, Message("reject.joined_lines", first=first, last=last, column=where)))
            else:
                bad.append((row, Message("reject.open_quote", line=first, column=where, detail=str(error))))
        elif (
            spans > 1
            and any("\n" in c or "\r" in c for c in record)
            and any(_looks_like_rows(c, sep, len(header)) for c in record)
        ):
            where = next((header[i] for i, c in enumerate(record) if ("\n" in c or "\r" in c) and i < len(header)), "?")
            bad.append((row, Message("reject.joined_lines", first=first, last=last, column=where)))
        elif len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            bad.append((row, Message("reject.too_many_fields", line=first, fields=len(record), header=len(header))))
        elif not any(c.strip() for c in record):
            blank += spans
            continued -= spans - 1
        else:
            rows.append(record[: len(header)] + [""] * (len(header) - len(record)))
            numbers.append(row)
    header = header or []
    n = len(header)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(n)]
    frame = pd.DataFrame({i: pd.Series(list(col), dtype=object) for i, col in enumerate(columns)})
    if not rows:
        frame = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(n)})
    frame.index = pd.Index(np.asarray(numbers, dtype=np.int64))
    accounting = Accounting(count_lines(text), header_lines, len(rows), len(bad), blank, continued)
    return CsvText(header, frame, tuple(bad), accounting)
