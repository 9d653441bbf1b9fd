"""Turn a raw table into a validated :class:`~graph.model.RecordBatch` plus the rows it refused.

One function per kind of table: :func:`validate_nodes` (a label's file),
:func:`validate_edges` (a relationship kind's file) and
:func:`validate_clients` (the bank's client list); :func:`validate` picks
the right one. Each returns a :class:`Validated`: the batch of accepted rows
and a :class:`~loaders.report.Reject` for every problem (file, Excel row,
header as written, value, reason). A row with several problems is reported
once per problem and counted once.

Columns of the batches
----------------------
* only the columns the file had (plus the key, always), in schema order;
  edges start with ``source`` and ``target`` (node ids ``"Label:key"``),
  SERVES_AS adds ``role_text`` (the title as written, e.g. 执行董事兼总经理);
  clients always have ``uscc, manager, branch, since``;
* ``ratio`` and ``amount`` are ``float64`` with ``NaN`` for missing;
  every other column is ``object`` holding ``str`` (text, uscc, key, enum,
  date as ``YYYY-MM-DD``, masked idno), ``int``, ``bool`` or
  ``tuple[str, ...]`` (list) values, with ``None`` for missing;
* an enum with a ``default`` (company ``status``) gets it where the cell is blank.

Speed
-----
Cells are parsed once per distinct value (``pd.factorize`` then a Python
parser per unique value, mapped back by code); whitespace clean-up, USCC
check digits, endpoint lookups and duplicate detection are vectorised, so a
million companies or several million relationship rows take seconds.

Endpoints
---------
An edge's end columns hold keys (USCC, person id, park id). Where several
labels are allowed (a shareholder is a Company or a Person) a type column
decides if present; otherwise a valid USCC known as a Company is that
company, else the value is tried as a Person (or other label) id. A value
that is no known key but the exact name (ignoring blanks, width and case)
of exactly one company in this load or in the store is taken as that
company. Anything else is dangling and rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.identifiers import identifier_forms, name_identifier, parse_lei, parse_other_id, parse_stock_code
from graph.idkeys import ID_SCHEME, configured_key, id_key, id_shaped, masked_id
from graph.messages import Message, mapped
from graph.model import RecordBatch
from graph.schema import EndpointSpec, KindSpec, LabelSpec, PropertySpec, Schema, load_schema
from graph.store import GraphStore
from graph.uscc import ALPHABET, normalise_uscc, uscc_problem
from graph.warmth import load_weights
from loaders.read import RawTable, What
from loaders.report import FileReport, Outcome, Reject
from loaders.values import (
    MAX_AMOUNT,
    is_blank,
    mask_text,
    parse_label,
    parse_text,
    parser_for,
    reason_of,
    role_of,
    unit_factor,
)

#: extra column that keeps an officer's title as written
ROLE_TEXT = "role_text"
#: how many node ids one ``store.existing_ids`` call is asked about
EXISTS_CHUNK = 100_000
#: how many candidates ``store.find_nodes`` returns when a value is tried as a company name
NAME_CANDIDATES = 10

REQUIRED_EMPTY = Message("reject.required_empty")
#: joins an ``other_id`` cell and its ``id_scheme`` cell while they are parsed together
_SCHEME_SEP = "\x1f"

#: Python's ``\s`` spelled out as literal characters, so pandas can hand the pattern to pyarrow's RE2
_WS_CHARS = "".join(
    chr(c)
    for c in (
        *range(0x09, 0x0E),
        *range(0x1C, 0x21),
        0x85,
        0xA0,
        0x1680,
        *range(0x2000, 0x200B),
        0x2028,
        0x2029,
        0x202F,
        0x205F,
        0x3000,
    )
)
_WS = f"[{_WS_CHARS}]+"
_WS_RE = re.compile(_WS)
_ID_SHAPED = re.compile(r"\s*(?:\d{15}|\d{17}[\dXx])\s*")
_USCC_LUT = np.full(256, -1, dtype=np.int64)
for _i, _ch in enumerate(ALPHABET):
    _USCC_LUT[ord(_ch)] = _i
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_FLOAT_TYPES = frozenset({"ratio", "amount"})


# -- results ---------------------------------------------------------------------------------------------------------
@dataclass
class Validated:
    """The accepted rows of one table as a batch, the problems found, and the file's line of the report.

    It does not keep the raw table, so a load can let go of each file's raw
    cells as soon as the file is validated.
    """

    batch: RecordBatch
    rejects: list[Reject]
    report: FileReport

    @property
    def rows_read(self) -> int:
        return self.report.rows_read

    @property
    def accepted(self) -> int:
        return self.report.accepted

    @property
    def rejected(self) -> int:
        """Rejected rows (a row with several problems counts once)."""
        return self.report.rejected


def _hidden(reason: str, shown: Sequence[str], mask: str) -> str:
    """``reason`` with every text in ``shown`` (an ID number as written) replaced by ``mask``, in a
    message's parameters too."""

    def hide(text: str) -> str:
        for clear in shown:
            if clear:
                text = text.replace(clear, mask)
        return text

    return mapped(reason, hide) if isinstance(reason, Message) else hide(reason)


class _Problems:
    """Collects the problems of one table as arrays; builds :class:`Reject` objects once at the end.

    Three outcomes: :meth:`add` rejects rows, :meth:`drop` reports a bad
    optional value that the caller removed (the row is kept), :meth:`merge`
    takes out rows that repeat an earlier row exactly. :meth:`note` records
    what the load assumed or noticed, for the file's line of the report.
    """

    def __init__(self, table: RawTable, masked: Iterable[str] = (), id_columns: Iterable[str] = ()) -> None:
        self.table = table
        self._id_columns = set(id_columns)  # columns whose values are masked where they are ID numbers
        self.bad = np.zeros(len(table.frame), dtype=bool)
        self.merged = np.zeros(len(table.frame), dtype=bool)
        self.dropped = np.zeros(len(table.frame), dtype=np.int64)
        self.notes: list[str] = []
        self._parts: list[tuple[np.ndarray, str, np.ndarray, Outcome]] = []
        self._masked = set(masked)

    def _record(self, positions: np.ndarray, column: str, reasons: np.ndarray | str, outcome: Outcome) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.int64)
        if len(positions):
            if isinstance(reasons, str):
                one, reasons = reasons, np.empty(len(positions), dtype=object)
                reasons.fill(one)  # np.full would turn a Message into a plain str
            self._parts.append((positions, column, np.asarray(reasons, dtype=object), outcome))
        return positions

    def add(self, positions: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        """Reject rows at ``positions`` (of the frame) for a problem in ``column`` (canonical name)."""
        self.bad[self._record(positions, column, reasons, "rejected")] = True

    def drop(self, positions: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        """Report bad optional values at ``positions`` that were dropped; the rows stay."""
        np.add.at(self.dropped, self._record(positions, column, reasons, "dropped"), 1)

    def merge(self, positions: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        """Take out rows that repeat an earlier row exactly (reported as merged, not rejected)."""
        self.merged[self._record(positions, column, reasons, "merged")] = True

    def note(self, text: str) -> None:
        """Something the load assumed or noticed (one line of the file's report)."""
        self.notes.append(text)

    def rejects(self) -> list[Reject]:
        t = self.table
        rows = t.rows
        order = {name: i for i, name in enumerate(t.frame.columns)}
        found: list[tuple[int, int, Reject]] = []
        for positions, column, reasons, outcome in self._parts:
            cells = t.frame[column].to_numpy(dtype=object)[positions] if column in t.frame else None
            header = t.header(column) if column else ""
            for i, pos in enumerate(positions.tolist()):
                value = "" if cells is None else str(cells[i])
                if column in self._masked and value:
                    value = mask_text(value)
                reason = reasons[i] if isinstance(reasons[i], str) else str(reasons[i])  # a Message stays one
                number = id_shaped(value) if column in self._id_columns else None
                if number is not None:  # never an ID number in clear, not even in a reason
                    reason = _hidden(reason, (value.strip(), number), masked_id(number))
                    value = masked_id(number)
                reject = Reject(t.file, int(rows[pos]), header, value, reason, outcome)
                found.append((reject.row, order.get(column, -1), reject))
        cells = {row: header for row, header, _ in reversed(t.bad_cells)}  # a cell refused on read: its column
        found += [(row, -1, Reject(t.file, row, cells.get(row, ""), "", reason)) for row, reason in t.bad_lines]
        found.sort(key=lambda item: (item[0], item[1]))
        return [r for _, _, r in found]

    def finish(self, what: What, name: str, columns: dict[str, np.ndarray]) -> Validated:
        """The batch of the rows without problems, and the rejects."""
        keep = ~(self.bad | self.merged)
        every = bool(keep.all())
        frame = pd.DataFrame(
            {
                c: pd.Series(v if every else v[keep], dtype=v.dtype if v.dtype.kind == "f" else object, copy=False)
                for c, v in columns.items()
            }
        )
        t = self.table
        report = FileReport(
            file=t.file,
            what=t.what,
            name=t.name,
            rows_read=len(self.bad) + len(t.bad_lines),
            accepted=len(frame),
            rejected=int(self.bad.sum()) + len(t.bad_lines),
            encoding=t.encoding,
            sheet=t.sheet,
            ignored_columns=t.ignored,
            merged=int((self.merged & ~self.bad).sum()),
            dropped=int(self.dropped[keep].sum()),
            notes=tuple(self.notes),
            lines={} if t.lines is None else asdict(t.lines),
        )
        return Validated(RecordBatch(what, name, frame), self.rejects(), report)


# -- column parsing --------------------------------------------------------------------------------------------------
@dataclass
class ParsedColumn:
    """A parsed column: values by row, which are missing, which failed and why.

    ``codes`` number the distinct parsed values (equal codes, equal values),
    so duplicate checks work on integers.
    """

    values: np.ndarray  # object (None = missing) or float64 (NaN = missing)
    missing: np.ndarray  # bool
    error_pos: np.ndarray  # int positions
    error_reasons: np.ndarray  # object
    codes: np.ndarray  # int64
    text: np.ndarray | None = None  # role_text
    # the stripped raw cells' row codes and distinct cells, when parsed one distinct cell at a time: reused by
    # the placeholder-date check instead of stripping and factorising the column again
    raw: tuple[np.ndarray, np.ndarray] | None = None


def clean_text(raw: pd.Series) -> pd.Series:
    """Vectorised :func:`~loaders.values.parse_text`: whitespace runs (full-width too) to one space, stripped."""
    return raw.astype("str").fillna("").str.replace(_WS, " ", regex=True).str.strip()


def name_key(names: pd.Series) -> pd.Series:
    """How company names are compared: half-width, no blanks, lower case (vectorised :func:`name_key1`)."""
    text = pa.array(names.astype("str").fillna("").to_numpy(dtype=object), type=pa.large_string())
    key = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(text, form="NFKC"), _WS, ""))  # at C speed
    return pd.Series(key.to_numpy(zero_copy_only=False), index=names.index, dtype="str")


def name_key1(name: str) -> str:
    """How a company name is compared: ``北京某某（集团） 有限公司`` and ``北京某某(集团)有限公司`` are one name.

    >>> name_key1("北京某某（集团） 有限公司") == name_key1("北京某某(集团)有限公司")
    True
    """
    return _WS_RE.sub("", unicodedata.normalize("NFKC", name)).lower()


def _factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row codes (int64) and the distinct strings (object array) of a column without NaN."""
    codes, uniques = pd.factorize(series)
    return codes.astype(np.int64), np.asarray(uniques.to_numpy(dtype=object), dtype=object)


def _clean_factorize(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``_factorize(clean_text(raw))``, cleaning each distinct cell once instead of every row.

    The same codes and distinct strings in the same order: a cleaned value
    first appears with the first raw cell that cleans to it.

    >>> [x.tolist() for x in _clean_factorize(pd.Series([" a", None, "a", "b "], dtype=object))]
    [[0, 1, 0, 2], ['a', '', 'b']]
    """
    raw_codes, raw_uniques = pd.factorize(raw, use_na_sentinel=False)  # a missing cell is one more value
    codes, uniques = _factorize(clean_text(pd.Series(raw_uniques, dtype=object)))
    return codes[raw_codes], uniques


def _column(
    codes: np.ndarray,
    values_u: np.ndarray,
    blank_u: np.ndarray,
    reasons_u: np.ndarray,
    *,
    merge: bool,
    text_u: np.ndarray | None = None,
) -> ParsedColumn:
    """Map per-unique results back to rows. ``merge``: distinct raw cells may parse to equal values."""
    bad = np.flatnonzero(reasons_u != None)  # noqa: E711 - element-wise
    error_pos = np.flatnonzero(np.isin(codes, bad)) if len(bad) else np.empty(0, dtype=np.int64)
    same = codes
    if merge:
        canon, _ = pd.factorize(values_u, use_na_sentinel=False)
        same = canon.astype(np.int64)[codes]
    return ParsedColumn(
        values=values_u[codes],
        missing=blank_u[codes],
        error_pos=error_pos,
        error_reasons=reasons_u[codes[error_pos]],
        codes=same,
        text=None if text_u is None else text_u[codes],
    )


def _text_column(raw: pd.Series) -> ParsedColumn:
    codes, uniques = _clean_factorize(raw)
    blank = uniques == ""
    uniques[blank] = None
    return _column(codes, uniques, blank, np.full(len(uniques), None, dtype=object), merge=False)


def normalise_usccs(values: np.ndarray) -> np.ndarray:
    """:func:`~graph.uscc.normalise_uscc` over an object array of stripped strings (ASCII ones the quick way)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [v.upper().replace(" ", "") if v.isascii() else normalise_uscc(_WS_RE.sub("", v)) for v in values]
    return out


def valid_usccs(codes: np.ndarray) -> np.ndarray:
    """Vectorised :func:`~graph.uscc.is_valid_uscc` over an object array of normalised codes."""
    items = codes.tolist()
    lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    candidate = (lengths == 18) & np.fromiter(map(str.isascii, items), dtype=bool, count=len(items))
    valid = np.zeros(len(codes), dtype=bool)
    if candidate.any():
        chars = np.frombuffer("".join(codes[candidate].tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        digits = _USCC_LUT[chars]
        total = digits[:, :17] @ _USCC_WEIGHTS
        check = (31 - total % 31) % 31
        valid[candidate] = (digits >= 0).all(axis=1) & (digits[:, 17] == check)
    return valid


def _uscc_column(raw: pd.Series) -> ParsedColumn:
    text = raw.astype("str").fillna("").str.strip()
    ascii_ = text.str.isascii().to_numpy(dtype=bool)
    fallback = not ascii_.all()
    codes, norm = _factorize(text.str.upper().str.replace(" ", "", regex=False) if not fallback else text)
    if fallback:  # full-width letters or inner full-width blanks somewhere: the careful way
        norm = normalise_usccs(norm)
    blank = norm == ""
    ok = valid_usccs(norm)
    reasons = np.full(len(norm), None, dtype=object)
    for i in np.flatnonzero(~ok & ~blank).tolist():
        reasons[i] = uscc_problem(str(norm[i]))
    norm[~ok] = None
    return _column(codes, norm, blank, reasons, merge=fallback)


def _quick_amounts(uniques: np.ndarray, unit: int) -> tuple[np.ndarray, np.ndarray]:
    """Which distinct amount cells are plain whole numbers of at most 15 digits within the limit, and their
    values in yuan: what :func:`~loaders.values.parse_amount` gives them, found with Arrow kernels at once."""
    values = np.full(len(uniques), np.nan)
    done = np.zeros(len(uniques), dtype=bool)
    if not len(uniques):
        return done, values
    arrow = pa.array(uniques.tolist(), type=pa.string())
    at = np.flatnonzero(pc.match_substring_regex(arrow, "^[0-9]{1,15}$").to_numpy(zero_copy_only=False))
    if len(at):
        # below 2**53 every such product is exact in float64, as float(int(cell) * unit) is
        numbers = pc.cast(arrow.take(pa.array(at)), pa.int64()).to_numpy().astype(np.float64) * unit
        ok = numbers <= MAX_AMOUNT
        values[at[ok]] = numbers[ok]
        done[at[ok]] = True
    return done, values


def _mapped_column(
    raw: pd.Series,
    parse: Callable[[Any], Any],
    floats: bool,
    keep_text: bool = False,
    quick: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
) -> ParsedColumn:
    """Parse a column one distinct cell at a time; ``quick`` (floats only) parses the common cells at once
    and returns which it did and their values, so ``parse`` sees only the rest."""
    codes, uniques = _factorize(raw.astype("str").fillna("").str.strip())
    m = len(uniques)
    results: list[Any] = [None] * m
    texts: list[str | None] = [None] * m
    reasons = np.full(m, None, dtype=object)
    blank = np.zeros(m, dtype=bool)
    done, quick_values = quick(uniques) if quick is not None and floats else (None, None)
    cells = uniques.tolist()
    for i in range(m) if done is None else np.flatnonzero(~done).tolist():
        cell = cells[i]
        if is_blank(cell):
            blank[i] = True
            continue
        try:
            value = parse(cell)
        except ValueError as exc:
            reasons[i] = reason_of(exc)
            continue
        if value == ():
            blank[i] = True
            continue
        results[i] = value
        if keep_text:
            texts[i] = parse_text(cell)
    if floats:
        values_u = np.array([np.nan if v is None else v for v in results], dtype=np.float64)
        if done is not None and quick_values is not None:
            values_u[done] = quick_values[done]
    else:
        values_u = np.empty(m, dtype=object)
        values_u[:] = results
    text_u: np.ndarray | None = None
    if keep_text:
        text_u = np.empty(m, dtype=object)
        text_u[:] = texts
    return replace(_column(codes, values_u, blank, reasons, merge=True, text_u=text_u), raw=(codes, uniques))


def parse_column(
    raw: pd.Series, prop: PropertySpec, *, unit: str | None = None, role_order: Sequence[str] = ()
) -> ParsedColumn:
    """Parse a column of raw cells as ``prop``: values, missing mask and errors by position."""
    if prop.type in ("text", "key"):
        return _text_column(raw)
    if prop.type == "uscc":
        return _uscc_column(raw)
    parse = parser_for(prop, unit=unit, role_order=role_order)
    factor = unit_factor(unit)
    quick = (lambda uniques: _quick_amounts(uniques, factor)) if prop.type == "amount" else None
    return _mapped_column(
        raw, parse, prop.type in _FLOAT_TYPES, keep_text=prop.name == "role" and bool(role_order), quick=quick
    )


def _missing_like(values: np.ndarray) -> Any:
    return np.nan if values.dtype.kind == "f" else None


def _parse_properties(
    table: RawTable,
    props: dict[str, PropertySpec],
    problems: _Problems,
    out: dict[str, np.ndarray],
    codes: dict[str, np.ndarray],
    role_order: Sequence[str] = (),
    *,
    schema: Schema | None = None,
    keep_zeros: bool = False,
) -> None:
    """Parse each property column the table has into ``out`` (values) and ``codes`` (distinct-value numbers).

    A bad value of a required property (or the key) rejects its row; a bad
    optional value is dropped (stored as unknown) and reported, and the row
    is kept. Then the schema's sanity rules: a unit-less share column is read
    one way for the whole file, zero amounts and placeholder dates become
    unknown (zeros kept with ``keep_zeros``), values outside ``min``/``max``
    and end dates before their start are dropped.
    """
    frame = table.frame
    placeholders = (schema or load_schema()).placeholder_dates
    for name, prop in props.items():
        if name not in frame:
            continue
        unit = table.units.get(name)
        unclear: np.ndarray | None = None
        if prop.type == "ratio" and unit is None:
            unit, unclear = _ratio_unit(table, name, problems)
        col = parse_column(frame[name], prop, unit=unit, role_order=role_order)
        values = col.values
        error_pos, error_reasons = col.error_pos, col.error_reasons
        if prop.type == "date" and placeholders:
            error_pos, error_reasons, values = _placeholder_dates(table, name, col, placeholders, problems)
        if prop.required:
            problems.add(error_pos, name, error_reasons)
            problems.add(np.flatnonzero(col.missing), name, REQUIRED_EMPTY)
        else:
            problems.drop(error_pos, name, error_reasons)
            if len(error_pos):
                values = values.copy()
                values[error_pos] = _missing_like(values)
        if unclear is not None and len(unclear):
            values = values.copy()
            values[unclear] = np.nan
        if prop.type == "amount" and not keep_zeros:
            zero = np.flatnonzero(values == 0)
            if len(zero):
                values = values.copy()
                values[zero] = np.nan
                problems.note(Message("note.zero_amounts", header=table.header(name), count=f"{len(zero):,}"))
        values = _in_range(table, name, prop, values, problems)
        if prop.default is not None and col.missing.any():
            values = values.copy()
            values[col.missing] = prop.default
        out[name] = values
        codes[name] = col.codes if values is col.values else _codes_of(values)
        if col.text is not None:
            out[ROLE_TEXT] = col.text
            codes[ROLE_TEXT] = _codes_of(col.text)
            if prop.fallback is not None:
                _note_unknown_titles(table, prop, col.text, problems, role_order)
    for name, prop in props.items():
        if prop.after is not None and name in out and prop.after in out:
            _date_pairs(table, prop.after, name, out, codes, problems)


_PLAIN_NUMBER = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")
_YMD = re.compile(r"^(\d{1,4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\.0+)?$")


def _plain_number(cell: str) -> float | None:
    """A cell that is a bare number (no %, ‰ or unit), as a float; None otherwise."""
    text = unicodedata.normalize("NFKC", cell).replace(" ", "").replace(",", "")
    if not _PLAIN_NUMBER.match(text):
        return None
    try:
        value = float(text)
    except ValueError:  # pragma: no cover - the pattern already excludes this
        return None
    return value if np.isfinite(value) else None


def _ratio_unit(table: RawTable, name: str, problems: _Problems) -> tuple[str | None, np.ndarray | None]:
    """Decide, for the whole file, what bare numbers in a share column without a unit mean.

    All at most 1: fractions. Otherwise percents, unless fractions strictly
    between 0 and 1 (0.35) stand next to numbers above 1 (35): then which is
    meant is unclear, and those bare numbers are dropped and reported. Cells
    with their own % or ‰ are read as written either way. Returns the unit
    to parse with (``"%"`` for percents) and the positions to drop.
    """
    codes, uniques = _factorize(table.frame[name].astype("str").fillna("").str.strip())
    plain = np.array([_plain_number(str(c)) for c in uniques.tolist()], dtype=object)
    counts = np.bincount(codes, minlength=len(uniques)) if len(codes) else np.zeros(len(uniques), dtype=np.int64)
    known = np.flatnonzero(plain != None)  # noqa: E711 - element-wise
    if not len(known):
        return None, None
    numbers = plain[known].astype(np.float64)
    big, fraction = numbers > 1, (numbers > 0) & (numbers < 1)
    header = table.header(name)
    n_big, n_fraction = int(counts[known[big]].sum()), int(counts[known[fraction]].sum())
    n_all = int(counts[known].sum())
    if not big.any():
        problems.note(Message("note.unit_fractions", header=header, count=f"{n_all:,}"))
        return "fraction", None
    if not fraction.any():
        problems.note(Message("note.unit_percents", header=header, count=f"{n_all:,}", big=f"{n_big:,}"))
        return "%", None
    a = str(uniques[known[fraction][0]])
    b = str(uniques[known[big][0]])
    reason = Message(
        "reject.unit_unclear",
        fraction=a,
        n_fraction=f"{n_fraction:,}",
        percent=b,
        n_percent=f"{n_big:,}",
        header_example="持股比例(%)",
    )
    drop = np.flatnonzero(np.isin(codes, known))
    problems.drop(drop, name, reason)
    problems.note(Message("note.unit_dropped", header=header, reason=reason, count=f"{len(drop):,}"))
    return "%", drop


@lru_cache(maxsize=1 << 16)  # the same dates recur in every date column of a load
def _iso_guess(cell: str) -> str | None:
    """A cell that reads as year-month-day, in ISO form (any year, so 0001-01-01 and 9999-12-31 too)."""
    text = unicodedata.normalize("NFKC", cell).strip()
    match = _YMD.match(text) or _YMD_COMPACT.match(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _placeholder_dates(
    table: RawTable, name: str, col: ParsedColumn, placeholders: frozenset[str], problems: _Problems
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates that mean "unknown" (1900-01-01, 9999-12-31 ...): made missing, counted in a note;
    returns the remaining errors and the values."""
    codes, uniques = (
        col.raw if col.raw is not None else _factorize(table.frame[name].astype("str").fillna("").str.strip())
    )
    hit_u = np.array([_iso_guess(str(c)) in placeholders for c in uniques.tolist()], dtype=bool)
    if not hit_u.any():
        return col.error_pos, col.error_reasons, col.values
    hit = hit_u[codes]
    values = col.values.copy()
    values[hit] = None
    keep = ~hit[col.error_pos]
    shown = sorted({str(_iso_guess(str(c))) for c in uniques[hit_u].tolist()})
    problems.note(
        Message("note.placeholder_dates", header=table.header(name), count=f"{int(hit.sum()):,}", dates=tuple(shown))
    )
    return col.error_pos[keep], col.error_reasons[keep], values


def _in_range(table: RawTable, name: str, prop: PropertySpec, values: np.ndarray, problems: _Problems) -> np.ndarray:
    """Drop values outside the property's ``min``/``max`` (a negative count, the year 20)."""
    if prop.min is None and prop.max is None:
        return values
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    low = numbers < prop.min if prop.min is not None else np.zeros(len(values), dtype=bool)
    high = numbers > prop.max if prop.max is not None else np.zeros(len(values), dtype=bool)
    bad = np.flatnonzero(low | high)
    if not len(bad):
        return values
    reasons = np.array(
        [
            Message("reject.below", name=name, value=str(values[i]), limit=f"{prop.min:g}")
            if low[i]
            else Message("reject.above", name=name, value=str(values[i]), limit=f"{prop.max:g}")
            for i in bad.tolist()
        ],
        dtype=object,
    )
    problems.drop(bad, name, reasons)
    values = values.copy()
    values[bad] = _missing_like(values)
    return values


def _date_pairs(
    table: RawTable,
    start: str,
    end: str,
    out: dict[str, np.ndarray],
    codes: dict[str, np.ndarray],
    problems: _Problems,
) -> None:
    """An end before its start: both dates are dropped (the row is kept) and the pair reported."""
    first, last = out[start], out[end]
    both = (first != None) & (last != None)  # noqa: E711 - element-wise
    rows = np.flatnonzero(both)
    wrong = rows[np.array([str(last[i]) < str(first[i]) for i in rows.tolist()], dtype=bool)] if len(rows) else rows
    if not len(wrong):
        return
    reasons = np.array(
        [Message("reject.ends_before", end=str(last[i]), start=str(first[i])) for i in wrong.tolist()], dtype=object
    )
    problems.drop(wrong, end, reasons)
    for name in (start, end):
        values = out[name].copy()
        values[wrong] = None
        out[name] = values
        codes[name] = _codes_of(values)


#: how many distinct unknown titles a file's note names
UNKNOWN_TITLES_SHOWN = 10


def _note_unknown_titles(
    table: RawTable, prop: PropertySpec, texts: np.ndarray, problems: _Problems, order: Sequence[str]
) -> None:
    """Say which titles the vocabulary does not know (kept as the fallback class), with their counts."""
    counts = pd.Series(texts[~problems.bad], dtype=object).value_counts(dropna=True)
    unknown = [(str(t), int(n)) for t, n in counts.items() if not role_of(t, prop, order)[1]]
    if not unknown:
        return
    total = sum(n for _, n in unknown)
    shown = "、".join(f"{t} ×{n}" for t, n in unknown[:UNKNOWN_TITLES_SHOWN])
    left = len(unknown) - UNKNOWN_TITLES_SHOWN
    more = Message("note.more", n=left) if left > 0 else Message("empty")
    problems.note(
        Message(
            "note.unknown_titles",
            header=table.header(prop.name),
            count=f"{total:,}",
            titles=len(unknown),
            fallback=repr(prop.fallback),
            shown=shown,
            more=more,
        )
    )


#: how many companies a note about holders summing over the limit names
SUMS_SHOWN = 10


def _warn_sums(
    table: RawTable,
    props: dict[str, PropertySpec],
    out: dict[str, np.ndarray],
    problems: _Problems,
    former: str | None = None,
) -> None:
    """Warn (a note, nothing dropped) where a ratio summed per target passes ``warn_sum_over``; former
    ties (the kind's ``former`` date set: a holder that has exited) are not summed."""
    for name, prop in props.items():
        if prop.warn_sum_over is None or name not in out:
            continue
        values = np.asarray(out[name], dtype=np.float64)
        keep = ~problems.bad & ~np.isnan(values) & (out["target"] != None)  # noqa: E711 - element-wise
        if former is not None and former in out:
            keep &= pd.isna(pd.Series(out[former], dtype=object)).to_numpy()
        if not keep.any():
            continue
        codes, targets = pd.factorize(out["target"][keep])
        sums = np.bincount(codes, weights=values[keep])
        over = np.flatnonzero(sums > prop.warn_sum_over + 1e-9)
        if not len(over):
            continue
        order = over[np.lexsort((np.asarray(targets, dtype=object)[over].astype(str), -sums[over]))]
        shown = ", ".join(f"{targets[i]} {sums[i] * 100:.1f}%" for i in order[:SUMS_SHOWN].tolist())
        more = Message("note.more", n=len(over) - SUMS_SHOWN) if len(over) > SUMS_SHOWN else Message("empty")
        limit = f"{prop.warn_sum_over * 100:g}"
        header = table.header(name)
        problems.note(
            Message("note.sums_over", header=header, count=f"{len(over):,}", limit=limit, shown=shown, more=more)
        )


# -- duplicates ------------------------------------------------------------------------------------------------------
#: one part of an identity: its values by row and their codes (equal codes, equal values)
Part = tuple[np.ndarray, np.ndarray]


def _codes_of(values: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64)


def _combine(parts: Sequence[np.ndarray]) -> np.ndarray:
    """One int per distinct combination of per-part codes (each code < number of rows)."""
    code = parts[0]
    for part in parts[1:]:
        code, _ = pd.factorize(code * (int(part.max(initial=0)) + 1) + part)
        code = code.astype(np.int64)
    return code


class Seen:
    """Identities accepted so far in one load, per label / relationship type / ``clients``.

    Lets a duplicate, in the same file or a later one, name the first row and
    its file: ``duplicate of row 7 in 企业.csv``; and tells an exact repeat
    (every value equal: merged) from a conflicting one (rejected).
    """

    def __init__(self) -> None:
        self._parts: dict[str, list[tuple[list[np.ndarray], list[np.ndarray], str, np.ndarray]]] = {}

    def add(self, name: str, values: list[np.ndarray], file: str, rows: np.ndarray, full: list[np.ndarray]) -> None:
        """Remember accepted identities (one value array per identity part) and whole rows of ``file``."""
        if len(rows):
            self._parts.setdefault(name, []).append((values, full, file, rows))

    def duplicates(
        self, name: str, parts: list[Part], file: str, rows: np.ndarray, full: list[Part]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions in ``parts`` that repeat an earlier identity, "duplicate of row N in FILE" for each,
        and whether the whole row (``full``: every value) repeats that earlier row exactly."""
        prior = self._parts.get(name, [])
        n_prior = sum(len(p[3]) for p in prior)
        if prior:  # compare values with earlier files: the slower way, only when a kind has several files
            codes = [_codes_of(np.concatenate([p[0][i] for p in prior] + [v])) for i, (v, _) in enumerate(parts)]
            whole = [_codes_of(np.concatenate([p[1][i] for p in prior] + [v])) for i, (v, _) in enumerate(full)]
        else:
            codes = [c for _, c in parts]
            whole = [c for _, c in full]
        code = _combine(codes)
        order = np.arange(len(code), dtype=np.int64)
        first = np.empty(int(code.max(initial=-1)) + 1, dtype=np.int64)
        first[code[::-1]] = order[::-1]
        first_of = first[code]
        dup = np.flatnonzero(first_of[n_prior:] != order[n_prior:])
        # an exact repeat: every other value equal too (compared for the repeats only)
        exact = np.ones(len(dup), dtype=bool)
        for column in whole:
            exact &= column[first_of[n_prior + dup]] == column[n_prior + dup]
        where: list[tuple[str, np.ndarray]] = [(p[2], p[3]) for p in prior] + [(file, rows)]
        starts = np.cumsum([0] + [len(r) for _, r in where])
        reasons = np.empty(len(dup), dtype=object)
        for i, pos in enumerate(first_of[n_prior + dup].tolist()):
            part = int(np.searchsorted(starts, pos, side="right")) - 1
            src_file, src_rows = where[part]
            said = "reject.repeats" if exact[i] else "reject.duplicate_of"
            reasons[i] = Message(said, row=int(src_rows[pos - starts[part]]), file=src_file)
        return dup, reasons, exact


def _dedupe(
    problems: _Problems,
    seen: Seen | None,
    name: str,
    identity: list[Part],
    column: str,
    full: Sequence[Part] = (),
    what: Message | None = None,
) -> None:
    """Merge later rows that repeat an earlier accepted row exactly; reject those whose identity repeats
    one with other values (``what`` names the identity in the reason); remember the survivors."""
    seen = seen if seen is not None else Seen()
    full = list(full)
    table = problems.table
    gone = problems.bad | problems.merged
    if gone.any():
        keep = np.flatnonzero(~gone)
        parts = [(v[keep], c[keep]) for v, c in identity]
        whole = [(v[keep], c[keep]) for v, c in full]
        rows = table.rows[keep]
    else:
        keep = np.arange(len(problems.bad), dtype=np.int64)
        parts, whole, rows = identity, full, table.rows
    dup, reasons, exact = seen.duplicates(name, parts, table.file, rows, whole)
    problems.merge(keep[dup[exact]], column, reasons[exact])
    conflict = ~exact
    if what is not None:
        reasons[conflict] = [Message("reject.conflict", duplicate=r, what=what) for r in reasons[conflict].tolist()]
    problems.add(keep[dup[conflict]], column, reasons[conflict])
    if len(dup):
        survivors = np.ones(len(keep), dtype=bool)
        survivors[dup] = False
        seen.add(name, [v[survivors] for v, _ in parts], table.file, rows[survivors], [v[survivors] for v, _ in whole])
    else:
        seen.add(name, [v for v, _ in parts], table.file, rows, [v for v, _ in whole])


# -- resolving references ----------------------------------------------------------------------------------------------
class Resolver:
    """Which node keys exist (in this load or in the store), and which company has a given name.

    The pipeline registers every node batch it validated with
    :meth:`add_nodes`, so that edges and the client list can refer to nodes
    of the same load; anything else is asked of the store in chunks.
    """

    def __init__(
        self, store: GraphStore | None = None, schema: Schema | None = None, *, keep_zeros: bool = False
    ) -> None:
        self.store = store
        #: store zero amounts as zero, not as unknown
        self.keep_zeros = keep_zeros
        self.schema = schema or (store.schema if store is not None else load_schema())
        self._keys: dict[str, list[np.ndarray]] = {}
        self._index: dict[str, pd.Index] = {}
        self._names: list[tuple[np.ndarray, np.ndarray]] = []
        self._name_map: tuple[dict[str, str], dict[str, tuple[str, ...]]] | None = None
        self._idents: dict[str, str] = {}  # a company identifier (SSE:600519) -> its company's key

    def add_nodes(self, batch: RecordBatch) -> None:
        """Register the nodes of a validated batch as part of this load."""
        if batch.what != "nodes" or not len(batch.frame):
            return
        spec = self.schema.label(batch.name)
        if "identifiers" in batch.frame:
            for key, idents in zip(batch.frame[spec.key].tolist(), batch.frame["identifiers"].tolist(), strict=True):
                for ident in idents or ():
                    self._idents.setdefault(str(ident), str(key))
        keys = batch.frame[spec.key].to_numpy(dtype=object)
        self._keys.setdefault(spec.name, []).append(keys)
        self._index.pop(spec.name, None)
        if spec.name == "Company" and spec.name_property in batch.frame:
            self._names.append((batch.frame[spec.name_property].to_numpy(dtype=object), keys))
            self._name_map = None

    def _loaded(self, label: str) -> pd.Index:
        if label not in self._index:
            parts = self._keys.get(label, [])
            keys = np.concatenate(parts) if parts else np.empty(0, dtype=object)
            self._index[label] = pd.Index(keys, dtype=object).unique()
        return self._index[label]

    def known(self, label: str, keys: np.ndarray) -> np.ndarray:
        """For each key (object array of str), whether ``label:key`` is in this load or the store."""
        keys = np.asarray(keys, dtype=object)
        if not len(keys):
            return np.zeros(0, dtype=bool)
        found = self._loaded(label).get_indexer(pd.Index(keys, dtype=object)) >= 0
        rest = np.flatnonzero(~found)
        if self.store is not None and len(rest):
            prefix = f"{label}:"
            for start in range(0, len(rest), EXISTS_CHUNK):
                chunk = rest[start : start + EXISTS_CHUNK]
                ids = [prefix + str(k) for k in keys[chunk]]
                existing = self.store.existing_ids(ids)
                if existing:
                    found[chunk] = [i in existing for i in ids]
        return found

    def _loaded_names(self) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
        if self._name_map is None:
            if self._names:
                names = np.concatenate([n for n, _ in self._names])
                keys = np.concatenate([k for _, k in self._names])
            else:
                names = keys = np.empty(0, dtype=object)
            frame = pd.DataFrame(
                {"name": name_key(pd.Series(names, dtype="str")), "key": pd.Series(keys, dtype="str")}
            ).drop_duplicates()
            frame = frame[frame["name"].ne("")]
            many = frame["name"].duplicated(keep=False).to_numpy(dtype=bool)
            unique = dict(zip(frame["name"][~many].tolist(), frame["key"][~many].tolist(), strict=True))
            ambiguous = {
                str(n): tuple(str(k) for k in g.tolist()) for n, g in frame[many].groupby("name", sort=False)["key"]
            }
            self._name_map = (unique, ambiguous)
        return self._name_map

    def companies_named(self, names: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """For each name, the USCCs of companies (in this load or the store) with exactly that name.

        Names are compared ignoring blanks, full/half width and case.
        """
        unique, ambiguous = self._loaded_names()
        spec = self.schema.label("Company")
        answer: dict[str, tuple[str, ...]] = {}
        for name in names:
            key = name_key1(name)
            found: dict[str, None] = {}
            if key in unique:
                found[unique[key]] = None
            for k in ambiguous.get(key, ()):
                found[k] = None
            if self.store is not None and key:
                for node in self.store.find_nodes(name, [spec.name], limit=NAME_CANDIDATES):
                    if node.label == spec.name and name_key1(node.name) == key:
                        found[node.key] = None
            answer[name] = tuple(found)
        return answer

    def identifier_owners(self) -> dict[str, str]:
        """Identifiers (``SSE:600519``) of companies keyed by their USCC in this load, with that USCC."""
        return {i: k for i, k in self._idents.items() if ":" not in k}

    def companies_identified(self, values: Sequence[str]) -> dict[int, str]:
        """For values that name a company by an identifier (``600519.SH``, ``LEI:...``, ``HKCR:123``), by
        position, the company's key: known in this load, as a key in the store, or among the store's
        companies' ``identifiers``."""
        schemes = self.schema.schemes
        found: dict[int, str] = {}
        wanted: dict[int, tuple[str, ...]] = {}
        for i, value in enumerate(values):
            forms = tuple(f for f in identifier_forms(value, schemes) if ":" in f)
            hit = next((self._idents[f] for f in forms if f in self._idents), None)
            if hit is not None:
                found[i] = hit
            elif forms:
                wanted[i] = forms
        if not wanted:
            return found
        keys = np.array([f for forms in wanted.values() for f in forms], dtype=object)
        known = dict(zip(keys.tolist(), self.known("Company", keys).tolist(), strict=True))
        for i, forms in wanted.items():
            key = next((f for f in forms if known.get(f)), None)
            if key is None and self.store is not None:
                for node in self.store.find_nodes(forms[0], ["Company"], limit=NAME_CANDIDATES):
                    if forms[0] in (node.props.get("identifiers") or ()):
                        key = node.key
                        break
            if key is not None:
                found[i] = key
        return found

    def resolve(self, values: np.ndarray, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Node ids for distinct, cleaned, non-blank values that may be any of ``labels``.

        Returns ``(ids, reasons)``: object arrays, ``None`` in ``ids`` where
        the value resolves to nothing, and then the reason in ``reasons``.
        """
        values = np.asarray(values, dtype=object)
        ids = np.full(len(values), None, dtype=object)
        usccs: np.ndarray | None = None
        uscc_ok: np.ndarray | None = None
        for label in labels:
            spec = self.schema.label(label)
            pending = np.flatnonzero(ids == None)  # noqa: E711 - element-wise
            if not len(pending):
                break
            if spec.properties[spec.key].type == "uscc" or "uscc" in spec.key_from:
                if usccs is None:
                    uscc_ok = valid_usccs(values)  # a valid code is already in normal form
                    usccs = values.copy()
                    other = np.flatnonzero(~uscc_ok)
                    usccs[other] = normalise_usccs(values[other])
                    uscc_ok[other] = valid_usccs(usccs[other])
                assert uscc_ok is not None
                if spec.key_from:  # a key written out (SSE:600519, NAME:...) is tried as it stands too
                    schemed = np.zeros(len(pending), dtype=bool)
                    other = np.flatnonzero(~uscc_ok[pending])
                    schemed[other] = [":" in str(v) for v in values[pending[other]]]
                    pending = pending[uscc_ok[pending] | schemed]
                    keys = np.where(uscc_ok[pending], usccs[pending], values[pending])
                else:
                    pending = pending[uscc_ok[pending]]
                    keys = usccs[pending]
            else:
                keys = values[pending]
            hit = self.known(label, keys)
            ids[pending[hit]] = np.array([f"{label}:{k}" for k in keys[hit]], dtype=object)
        reasons = np.full(len(values), None, dtype=object)
        pending = np.flatnonzero(ids == None)  # noqa: E711 - element-wise
        if "Company" in labels and len(pending) and self.schema.label("Company").key_from:
            # a stock code, LEI or other registry number of a company (600519.SH is SSE:600519)
            others = pending[~uscc_ok[pending]] if uscc_ok is not None else pending
            for i, key in self.companies_identified([str(v) for v in values[others]]).items():
                ids[others[i]] = f"Company:{key}"
            pending = np.flatnonzero(ids == None)  # noqa: E711 - element-wise
        if "Company" in labels and len(pending):
            # a valid USCC is never taken for a name
            pending_names = pending[~uscc_ok[pending]] if uscc_ok is not None else pending
            matches = self.companies_named([str(v) for v in values[pending_names]])
            for i in pending_names.tolist():
                found = matches[str(values[i])]
                if len(found) == 1:
                    ids[i] = f"Company:{found[0]}"
                elif found:
                    reasons[i] = Message(
                        "reject.ambiguous_name", value=repr(values[i]), count=len(found), keys=tuple(found[:5])
                    )
        for i in np.flatnonzero((ids == None) & (reasons == None)).tolist():  # noqa: E711 - element-wise
            value = str(values[i])
            hint = Message("empty")
            if tuple(labels) == ("Company",):
                code = normalise_uscc(value)
                if code.isascii() and code.isalnum() and 15 <= len(code) <= 20:
                    hint = Message("reject.hint", problem=uscc_problem(code) or Message("reject.uscc_unknown"))
            reasons[i] = Message("reject.unresolved", value=repr(value), hint=hint)
        return ids, reasons


def _endpoint(table: RawTable, end: EndpointSpec, resolver: Resolver, problems: _Problems) -> Part:
    """Node ids of one end of every row (None where blank or unresolved: those rows are rejected) and their codes."""
    frame = table.frame
    n = len(frame)
    codes, uniques = _clean_factorize(frame[end.column])
    blank = (uniques == "")[codes]
    problems.add(np.flatnonzero(blank), end.column, REQUIRED_EMPTY)
    if any(resolver.schema.label(label).hash_id_numbers for label in end.labels):
        uniques = hash_id_numbers(uniques, may_be_uscc=len(end.labels) > 1)
    # which labels each row's value may have: all allowed ones, or the one its type cell names
    hints = np.zeros(n, dtype=np.int64)  # 0: any allowed label; i + 1: end.labels[i]; -1: bad type cell
    if end.type_column and end.type_column in frame and len(end.labels) > 1:
        allowed = end.labels
        col = _mapped_column(frame[end.type_column], lambda raw: parse_label(raw, allowed), floats=False)
        problems.add(col.error_pos, end.type_column, col.error_reasons)
        for i, label in enumerate(allowed):
            hints[col.values == label] = i + 1
        hints[col.error_pos] = -1
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for hint in sorted(pd.unique(hints[~blank]).tolist()):
        if hint < 0:
            continue
        rows = np.flatnonzero((hints == hint) & ~blank)
        sub, first = pd.factorize(codes[rows])
        labels = end.labels if hint == 0 else (end.labels[hint - 1],)
        ids_u, reasons_u = resolver.resolve(uniques[first], labels)
        groups.append((rows, sub.astype(np.int64), ids_u))
        bad = np.flatnonzero(ids_u == None)  # noqa: E711 - element-wise
        if len(bad):
            at = np.flatnonzero(np.isin(sub, bad))
            problems.add(rows[at], end.column, reasons_u[sub[at]])
    ids = np.full(n, None, dtype=object)
    id_codes = np.zeros(n, dtype=np.int64)
    if groups:  # number the distinct node ids (two spellings of one company are one id)
        canon = _codes_of(np.concatenate([g[2] for g in groups]))
        offset = 0
        for rows, sub, ids_u in groups:
            ids[rows] = ids_u[sub]
            id_codes[rows] = canon[offset + sub]
            offset += len(ids_u)
    return ids, id_codes


# -- the three validators --------------------------------------------------------------------------------------------
def _identifier_column(frame: pd.DataFrame, name: str, prop: PropertySpec, schema: Schema) -> ParsedColumn:
    """One identifier column of a label with ``key_from``, parsed to its canonical ``SCHEME:VALUE`` form."""
    schemes = schema.schemes
    if prop.type == "uscc":
        return _uscc_column(frame[name])
    if prop.type == "stock_code":
        return _mapped_column(frame[name], lambda raw: parse_stock_code(str(raw), schemes), floats=False)
    if prop.type == "lei":
        return _mapped_column(frame[name], lambda raw: parse_lei(str(raw)), floats=False)
    # another registry's number, with the scheme from the id_scheme column when the file has one
    raw = frame[name].astype("str").fillna("")
    if "id_scheme" in frame:
        scheme = frame["id_scheme"].astype("str").fillna("").str.strip()
        raw = raw.where(raw.str.strip().eq("") | scheme.eq(""), raw + _SCHEME_SEP + scheme)

    def parse(cell: Any) -> str:
        number, _, scheme_cell = str(cell).partition(_SCHEME_SEP)
        return parse_other_id(number, scheme_cell or None, schemes)

    return _mapped_column(raw, parse, floats=False)


def _keys_from(
    table: RawTable,
    spec: LabelSpec,
    schema: Schema,
    problems: _Problems,
    out: dict[str, np.ndarray],
    resolver: Resolver | None,
) -> None:
    """The key of every row of a label with ``key_from``: its first identifier (a bad one rejects the row
    unless a valid USCC keys it; then it is dropped), else its name; plus the ``identifiers`` column.

    A row without a USCC that carries an identifier of a company with a USCC (in this file or earlier in
    the load) is that company: it is merged into it and reported so."""
    frame = table.frame
    n = len(frame)
    keys = np.full(n, None, dtype=object)
    strong = np.zeros(n, dtype=bool)  # keyed by a valid USCC
    extra: list[np.ndarray] = []  # canonical identifiers other than the USCC, by column
    for name in spec.key_from:
        prop = spec.properties[name]
        if name == spec.name_property:
            continue
        if name not in frame:
            continue
        col = _identifier_column(frame, name, prop, schema)
        values = col.values.copy()
        values[col.error_pos] = None
        if prop.type == "uscc":
            problems.add(col.error_pos, name, col.error_reasons)
        else:
            soft = strong[col.error_pos]
            problems.drop(col.error_pos[soft], name, col.error_reasons[soft])
            problems.add(col.error_pos[~soft], name, col.error_reasons[~soft])
            extra.append(values)
        out[name] = values
        has = (values != None) & (keys == None)  # noqa: E711 - element-wise
        keys[has] = values[has]
        if prop.type == "uscc":
            strong = has
    nameless = np.flatnonzero(keys == None)  # noqa: E711 - element-wise
    names = out.get(spec.name_property)
    if len(nameless) and names is not None:
        keys[nameless] = [None if names[i] is None else name_identifier(str(names[i])) for i in nameless.tolist()]
        kept = nameless[~problems.bad[nameless]]
        if len(kept):
            problems.note(Message("note.keyed_by_name", count=f"{len(kept):,}", example=str(keys[kept[0]])))
    if extra:
        stacked = np.stack(extra, axis=1)
        carried = np.flatnonzero((stacked != None).any(axis=1))  # noqa: E711 - element-wise
        idents = np.full(n, None, dtype=object)
        uscc_values = out.get("uscc")
        for i in carried.tolist():
            own = [str(v) for v in stacked[i].tolist() if v is not None]
            if uscc_values is not None and uscc_values[i] is not None:
                own.insert(0, str(uscc_values[i]))
            idents[i] = tuple(own)
        out["identifiers"] = idents
        _merge_into_uscc(table, problems, keys, strong, idents, resolver, out)
    out[spec.key] = keys


def _merge_into_uscc(
    table: RawTable,
    problems: _Problems,
    keys: np.ndarray,
    strong: np.ndarray,
    idents: np.ndarray,
    resolver: Resolver | None,
    columns: dict[str, np.ndarray],
) -> None:
    """Rows without a USCC whose identifier a USCC company carries are that company: merged into it."""
    owner: dict[str, tuple[str, Message]] = {}
    if resolver is not None:
        earlier = Message("reject.where_earlier")
        owner.update((i, (k, earlier)) for i, k in resolver.identifier_owners().items())
    rows = table.rows
    for i in np.flatnonzero(strong & (idents != None)).tolist():  # noqa: E711 - element-wise
        for ident in idents[i][1:]:
            owner.setdefault(ident, (str(keys[i]), Message("reject.where_row", row=int(rows[i]))))
    if not owner:
        return
    weak = np.flatnonzero(~strong & (idents != None) & ~problems.bad)  # noqa: E711 - element-wise
    found: dict[str, tuple[list[int], list[Message]]] = {}
    for i in weak.tolist():
        hit = next(((ident, owner[ident]) for ident in idents[i] if ident in owner), None)
        if hit is None:
            continue
        ident, (key, where) = hit
        holder = next(c for c in ("stock_code", "lei", "other_id") if c in columns and columns[c][i] == ident)
        at, why = found.setdefault(holder, ([], []))
        at.append(i)
        why.append(Message("reject.merged_identifier", ident=ident, key=key, where=where))
    for column, (at, why) in found.items():
        problems.merge(np.array(at, dtype=np.int64), column, np.array(why, dtype=object))


def hash_id_numbers(values: np.ndarray, *, may_be_uscc: bool = False) -> np.ndarray:
    """Distinct cleaned person references with every value shaped like a national ID number replaced by
    its keyed hash (:func:`graph.idkeys.id_key`); ``may_be_uscc``: a valid USCC is left alone (the
    column may name a company). Vectorised: one pattern match over the column finds the candidates.
    """
    out = values.copy()
    if not len(values):
        return out
    texts = [str(v) for v in values.tolist()]
    arrow = pa.array(texts, type=pa.string())
    # at C speed, the cells that may be ID-shaped: fifteen ASCII digits in a row, or any non-ASCII text
    maybe = pc.or_(pc.match_substring_regex(arrow, "[0-9]{15}"), pc.invert(pc.string_is_ascii(arrow)))
    shaped: list[int] = []
    for i in np.flatnonzero(maybe.to_numpy(zero_copy_only=False)).tolist():
        text = texts[i]
        if not text.isascii():  # full-width digits: the careful way, for those cells only
            text = _WS_RE.sub("", unicodedata.normalize("NFKC", text))
        if _ID_SHAPED.fullmatch(text):
            shaped.append(i)
    candidates = np.array(shaped, dtype=np.int64)
    if not len(candidates):
        return out
    if may_be_uscc:
        candidates = candidates[~valid_usccs(normalise_usccs(values[candidates]))]
    secret = configured_key()
    for i in candidates.tolist():
        number = id_shaped(str(values[i]))
        if number is not None:
            out[i] = id_key(number, secret)
    return out


def _hash_keys(
    table: RawTable, spec: LabelSpec, problems: _Problems, out: dict[str, np.ndarray], codes: dict[str, np.ndarray]
) -> None:
    """Persons keyed by a national ID number: key made the keyed hash, the masked number kept as ``idno``."""
    keys = out[spec.key]
    present_ = np.flatnonzero(keys != None)  # noqa: E711 - element-wise
    sub, distinct = pd.factorize(keys[present_])
    hashed = hash_id_numbers(np.asarray(distinct, dtype=object))
    changed = np.flatnonzero(hashed != np.asarray(distinct, dtype=object))
    if not len(changed):
        return
    new_keys = keys.copy()
    new_keys[present_] = hashed[sub]
    out[spec.key] = new_keys
    codes[spec.key] = _codes_of(new_keys)
    idno = next((n for n, p in spec.properties.items() if p.type == "idno"), None)
    rows = present_[np.isin(sub, changed)]
    if idno is not None:
        shown = out.get(idno, np.full(len(keys), None, dtype=object)).copy()
        fill = rows[shown[rows] == None]  # noqa: E711 - element-wise
        shown[fill] = [masked_id(str(id_shaped(str(keys[i])))) for i in fill.tolist()]
        out[idno] = shown
        codes[idno] = _codes_of(shown)
    problems.note(Message("note.hashed_ids", header=table.header(spec.key), count=f"{len(rows):,}", scheme=ID_SCHEME))


def validate_nodes(
    table: RawTable, *, schema: Schema | None = None, seen: Seen | None = None, resolver: Resolver | None = None
) -> Validated:
    """Validate a label's table (``table.name`` is the label): key present, valid and unique.

    A later row with a key seen before in this load is rejected as
    ``duplicate of row N in FILE`` (merged when it repeats that row exactly).
    A label with ``key_from`` (Company) takes its key from the row's first
    identifier: USCC, stock code, LEI, other registry number, else its name.
    """
    schema = schema or load_schema()
    keep_zeros = resolver.keep_zeros if resolver is not None else False
    spec = schema.label(table.name)
    masked = [n for n, p in spec.properties.items() if p.type == "idno"]
    problems = _Problems(table, masked, id_columns=[spec.key] if spec.hash_id_numbers else [])
    out: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    if spec.key_from:
        plain = {n: p for n, p in spec.columns.items() if n not in spec.key_from or n == spec.name_property}
        plain.pop("id_scheme", None)  # read with other_id
        _parse_properties(table, plain, problems, out, codes, schema=schema, keep_zeros=keep_zeros)
        _keys_from(table, spec, schema, problems, out, resolver)
        for name in out:
            codes.setdefault(name, _codes_of(out[name]))
        out = {n: out[n] for n in (spec.key, *[c for c in out if c != spec.key])}
    else:
        props = {spec.key: replace(spec.properties[spec.key], required=True)}
        props.update((n, p) for n, p in spec.properties.items() if n != spec.key)
        _parse_properties(table, props, problems, out, codes, schema=schema, keep_zeros=keep_zeros)
        if spec.hash_id_numbers:
            _hash_keys(table, spec, problems, out, codes)
    full = [(out[c], codes[c]) for c in out if c != spec.key]
    column = next((c for c in (spec.key, *spec.key_from) if c in table.frame), spec.key)  # a derived key: its source
    same = Message("reject.same_key", key=spec.key)
    _dedupe(problems, seen, spec.name, [(out[spec.key], codes[spec.key])], column, full, same)
    return problems.finish("nodes", spec.name, out)


#: what separates the ends a cell names when its end may name several (``split``)
_END_SEPARATORS = r"\s*[；;]\s*"


def split_ends(table: RawTable, kind: KindSpec) -> tuple[RawTable, list[Message]]:
    """The table with one row per end where an end may name several in one cell (``split``): an export's
    专利权人 "A公司；B公司" becomes two rows, both numbered as the file's row; and a note per split column."""
    columns = [e.column for e in (kind.source, kind.target) if e.split and e.column in table.frame]
    frame = table.frame
    notes: list[Message] = []
    for column in columns:
        cells = frame[column].astype("str")
        several = cells.str.contains("[；;]", regex=True)
        if not several.any():
            continue
        parts = cells.str.split(_END_SEPARATORS, regex=True).map(lambda xs: [x for x in xs if x] or [""])
        rows = int(parts[several].map(len).sum())
        frame = frame.assign(**{column: parts}).explode(column)
        frame[column] = frame[column].astype("str")
        header = table.header(column)
        notes.append(Message("note.split_ends", header=header, cells=f"{int(several.sum()):,}", rows=f"{rows:,}"))
    return (table if frame is table.frame else replace(table, frame=frame)), notes


def validate_edges(
    table: RawTable,
    resolver: Resolver | None = None,
    *,
    schema: Schema | None = None,
    seen: Seen | None = None,
    role_order: Sequence[str] | None = None,
) -> Validated:
    """Validate a relationship kind's table (``table.name`` is the type, e.g. ``SERVES_AS``).

    Both ends must resolve to nodes of an allowed label in this load or the
    store; self-loops and repeated identities (type, source, target and the
    kind's identity properties) are rejected. ``role_order`` ranks the parts
    of compound titles (default: the kind's own map in warmth.yaml, warmest first:
    an officer's ``by_role``, an association office's).
    """
    resolver = resolver or Resolver(schema=schema)
    schema = schema or resolver.schema
    kind = schema.kind(table.name)
    if role_order is None:
        weights = resolver.store.weights if resolver.store is not None else load_weights()
        rule = weights.rules.get(kind.type)
        if rule is not None and rule.form == "map" and rule.values:  # this kind's own titles, warmest first
            role_order = tuple(sorted(rule.values, key=lambda v: -rule.values[v]))
        else:
            role_order = tuple(weights.by_role)
    table, split = split_ends(table, kind)
    n = len(table.frame)
    ends = (kind.source, kind.target)
    person_ends = [e.column for e in ends if any(schema.label(lb).hash_id_numbers for lb in e.labels)]
    problems = _Problems(table, id_columns=person_ends)
    for note in split:
        problems.note(note)
    source = _endpoint(table, kind.source, resolver, problems)
    target = _endpoint(table, kind.target, resolver, problems)
    out: dict[str, np.ndarray] = {"source": source[0], "target": target[0]}
    codes: dict[str, np.ndarray] = {}
    _parse_properties(
        table, kind.properties, problems, out, codes, role_order, schema=schema, keep_zeros=resolver.keep_zeros
    )
    loop = np.flatnonzero((source[0] == target[0]) & ~problems.bad)  # rows not yet rejected have both ends
    if kind.self_loops is None:
        loops = [Message("reject.self_loop", node=str(source[0][i])) for i in loop]
        problems.add(loop, kind.source.column, np.array(loops, dtype=object))
    elif len(loop):
        example = str(source[0][loop[0]])
        problems.note(Message("note.own_shares", count=f"{len(loop):,}", kind=str(kind.self_loops), example=example))
    _warn_sums(table, kind.properties, out, problems, kind.former)
    absent = (np.full(n, None, dtype=object), np.zeros(n, dtype=np.int64))
    identity = [source, target] + [(out[p], codes[p]) if p in out else absent for p in kind.identity]
    full = [(out[c], codes[c]) for c in out if c in codes and c not in kind.identity]
    same = Message("reject.same_ends_and", props=tuple(kind.identity)) if kind.identity else Message("reject.same_ends")
    _dedupe(problems, seen, kind.type, identity, kind.source.column, full, same)
    return problems.finish("edges", kind.type, out)


def validate_clients(
    table: RawTable,
    resolver: Resolver | None = None,
    *,
    schema: Schema | None = None,
    seen: Seen | None = None,
) -> Validated:
    """Validate the client list: each row matched to a company by USCC, else by its exact (unique) name.

    The batch has columns ``uscc, manager, branch, since``; a company listed
    twice is rejected the second time.
    """
    resolver = resolver or Resolver(schema=schema)
    schema = schema or resolver.schema
    props = schema.clients.properties
    frame = table.frame
    n = len(frame)
    problems = _Problems(table)
    out: dict[str, np.ndarray] = {}
    _parse_properties(table, {k: p for k, p in props.items() if k not in ("uscc", "name")}, problems, out, {})
    matched = np.full(n, None, dtype=object)
    why = np.full(n, None, dtype=object)
    given = np.zeros(n, dtype=bool)
    if "uscc" in frame:
        col = _uscc_column(frame["uscc"])
        usccs = col.values
        given = ~col.missing
        why[col.error_pos] = col.error_reasons
        valid = np.flatnonzero(usccs != None)  # noqa: E711 - element-wise
        sub, distinct = pd.factorize(usccs[valid])
        hit = resolver.known("Company", np.asarray(distinct, dtype=object))[sub]
        matched[valid[hit]] = usccs[valid[hit]]
        for i in valid[~hit].tolist():
            why[i] = Message("reject.client_uscc_unknown", uscc=str(usccs[i]))
    names = clean_text(frame["name"]).to_numpy(dtype=object) if "name" in frame else np.full(n, "", dtype=object)
    todo = np.flatnonzero((matched == None) & (names != ""))  # noqa: E711 - element-wise
    found = resolver.companies_named(pd.unique(names[todo]).tolist()) if len(todo) else {}
    for i in todo.tolist():
        hits = found[names[i]]
        if len(hits) == 1:
            matched[i] = hits[0]
            continue
        name = repr(names[i])
        more = (
            Message("reject.client_named", count=len(hits), name=name, keys=tuple(hits[:5]))
            if hits
            else Message("reject.client_no_name", name=name)
        )
        why[i] = Message("reject.and", first=why[i], second=more) if why[i] else more
    unmatched = np.flatnonzero(matched == None)  # noqa: E711 - element-wise
    why[unmatched[why[unmatched] == None]] = Message("reject.client_nothing")  # noqa: E711 - element-wise
    # a row is reported under its USCC header when it gave one, else under its name header
    uscc_column, name_column = ("uscc" if "uscc" in frame else "name"), ("name" if "name" in frame else "uscc")
    by_uscc = unmatched[given[unmatched]]
    by_name = unmatched[~given[unmatched]]
    problems.add(by_uscc, uscc_column, why[by_uscc])
    problems.add(by_name, name_column, why[by_name])
    result: dict[str, np.ndarray] = {"uscc": matched}
    for column in ("manager", "branch", "since"):
        result[column] = out.get(column, np.full(n, None, dtype=object))
    full = [(result[c], _codes_of(result[c])) for c in ("manager", "branch", "since")]
    _dedupe(
        problems, seen, "clients", [(matched, _codes_of(matched))], uscc_column, full, Message("reject.same_company")
    )
    return problems.finish("clients", "clients", result)


def validate(
    table: RawTable,
    resolver: Resolver | None = None,
    *,
    schema: Schema | None = None,
    seen: Seen | None = None,
) -> Validated:
    """Validate a table of any kind (by ``table.what``)."""
    if table.what == "nodes":
        return validate_nodes(
            table, schema=schema or (resolver.schema if resolver else None), seen=seen, resolver=resolver
        )
    if table.what == "edges":
        return validate_edges(table, resolver, schema=schema, seen=seen)
    return validate_clients(table, resolver, schema=schema, seen=seen)
