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
from typing import Any

import numpy as np
import pandas as pd

from graph.model import RecordBatch
from graph.schema import EndpointSpec, PropertySpec, Schema, load_schema
from graph.store import GraphStore
from graph.uscc import ALPHABET, normalise_uscc, uscc_problem
from graph.warmth import load_weights
from loaders.read import RawTable, What
from loaders.report import FileReport, Reject
from loaders.values import is_blank, mask_text, parse_label, parse_text, parser_for

#: extra column that keeps an officer's title as written
ROLE_TEXT = "role_text"
#: how many node ids one ``store.existing_ids`` call is asked about
EXISTS_CHUNK = 100_000
#: how many candidates ``store.find_nodes`` returns when a value is tried as a company name
NAME_CANDIDATES = 10

REQUIRED_EMPTY = "required value is empty"

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


class _Problems:
    """Collects rejects of one table as arrays; builds :class:`Reject` objects once at the end."""

    def __init__(self, table: RawTable, masked: Iterable[str] = ()) -> None:
        self.table = table
        self.bad = np.zeros(len(table.frame), dtype=bool)
        self._parts: list[tuple[np.ndarray, str, np.ndarray]] = []
        self._masked = set(masked)

    def add(self, positions: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        """Reject rows at ``positions`` (of the frame) for a problem in ``column`` (canonical name)."""
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return
        if isinstance(reasons, str):
            reasons = np.full(len(positions), reasons, dtype=object)
        self.bad[positions] = True
        self._parts.append((positions, column, np.asarray(reasons, dtype=object)))

    def rejects(self) -> list[Reject]:
        t = self.table
        rows = t.rows
        order = {name: i for i, name in enumerate(t.frame.columns)}
        found: list[tuple[int, int, Reject]] = []
        for positions, column, reasons in self._parts:
            cells = t.frame[column].to_numpy(dtype=object)[positions] if column in t.frame else None
            header = t.header(column) if column else ""
            for i, pos in enumerate(positions.tolist()):
                value = "" if cells is None else str(cells[i])
                if column in self._masked and value:
                    value = mask_text(value)
                reject = Reject(t.file, int(rows[pos]), header, value, str(reasons[i]))
                found.append((reject.row, order.get(column, -1), reject))
        cells = {row: header for row, header, _ in reversed(t.bad_cells)}  # a cell refused on read: its column
        found += [(row, -1, Reject(t.file, row, cells.get(row, ""), "", reason)) for row, reason in t.bad_lines]
        found.sort(key=lambda item: (item[0], item[1]))
        return [r for _, _, r in found]

    def finish(self, what: What, name: str, columns: dict[str, np.ndarray]) -> Validated:
        """The batch of the rows without problems, and the rejects."""
        keep = ~self.bad
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


def clean_text(raw: pd.Series) -> pd.Series:
    """Vectorised :func:`~loaders.values.parse_text`: whitespace runs (full-width too) to one space, stripped."""
    return raw.astype("str").fillna("").str.replace(_WS, " ", regex=True).str.strip()


def name_key(names: pd.Series) -> pd.Series:
    """How company names are compared: half-width, no blanks, lower case (vectorised :func:`name_key1`)."""
    return names.astype("str").fillna("").str.normalize("NFKC").str.replace(_WS, "", regex=True).str.lower()


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
    codes, uniques = _factorize(clean_text(raw))
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


def _mapped_column(raw: pd.Series, parse: Callable[[Any], Any], floats: bool, keep_text: bool = False) -> ParsedColumn:
    codes, uniques = _factorize(raw.astype("str").fillna("").str.strip())
    m = len(uniques)
    results: list[Any] = [None] * m
    texts: list[str | None] = [None] * m
    reasons = np.full(m, None, dtype=object)
    blank = np.zeros(m, dtype=bool)
    for i, cell in enumerate(uniques.tolist()):
        if is_blank(cell):
            blank[i] = True
            continue
        try:
            value = parse(cell)
        except ValueError as exc:
            reasons[i] = str(exc)
            continue
        if value == ():
            blank[i] = True
            continue
        results[i] = value
        if keep_text:
            texts[i] = parse_text(cell)
    if floats:
        values_u = np.array([np.nan if v is None else v for v in results], dtype=np.float64)
    else:
        values_u = np.empty(m, dtype=object)
        values_u[:] = results
    text_u: np.ndarray | None = None
    if keep_text:
        text_u = np.empty(m, dtype=object)
        text_u[:] = texts
    return _column(codes, values_u, blank, reasons, merge=True, text_u=text_u)


def parse_column(
    raw: pd.Series, prop: PropertySpec, *, unit: str | None = None, role_order: Sequence[str] = ()
) -> ParsedColumn:
    """Parse a column of raw cells as ``prop``: values, missing mask and errors by position."""
    if prop.type in ("text", "key"):
        return _text_column(raw)
    if prop.type == "uscc":
        return _uscc_column(raw)
    parse = parser_for(prop, unit=unit, role_order=role_order)
    return _mapped_column(raw, parse, prop.type in _FLOAT_TYPES, keep_text=prop.name == "role" and bool(role_order))


def _parse_properties(
    table: RawTable,
    props: dict[str, PropertySpec],
    problems: _Problems,
    out: dict[str, np.ndarray],
    codes: dict[str, np.ndarray],
    role_order: Sequence[str] = (),
) -> None:
    """Parse each property column the table has into ``out`` (values) and ``codes`` (distinct-value numbers)."""
    frame = table.frame
    for name, prop in props.items():
        if name not in frame:
            continue
        col = parse_column(frame[name], prop, unit=table.units.get(name), role_order=role_order)
        codes[name] = col.codes
        problems.add(col.error_pos, name, col.error_reasons)
        if prop.required:
            problems.add(np.flatnonzero(col.missing), name, REQUIRED_EMPTY)
        values = col.values
        if prop.default is not None and col.missing.any():
            values = values.copy()
            values[col.missing] = prop.default
        out[name] = values
        if col.text is not None:
            out[ROLE_TEXT] = col.text


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
    its file: ``duplicate of row 7 in 企业.csv``.
    """

    def __init__(self) -> None:
        self._parts: dict[str, list[tuple[list[np.ndarray], str, np.ndarray]]] = {}

    def add(self, name: str, values: list[np.ndarray], file: str, rows: np.ndarray) -> None:
        """Remember accepted identities (one value array per identity part) of ``file``."""
        if len(rows):
            self._parts.setdefault(name, []).append((values, file, rows))

    def duplicates(self, name: str, parts: list[Part], file: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``parts`` that repeat an earlier identity, and "duplicate of row N in FILE" for each."""
        prior = self._parts.get(name, [])
        n_prior = sum(len(r) for _, _, r in prior)
        if prior:  # compare values with earlier files: the slower way, only when a kind has several files
            codes = [_codes_of(np.concatenate([p[0][i] for p in prior] + [v])) for i, (v, _) in enumerate(parts)]
        else:
            codes = [c for _, c in parts]
        code = _combine(codes)
        order = np.arange(len(code), dtype=np.int64)
        first = np.empty(int(code.max(initial=-1)) + 1, dtype=np.int64)
        first[code[::-1]] = order[::-1]
        first_of = first[code]
        dup = np.flatnonzero(first_of[n_prior:] != order[n_prior:])
        where: list[tuple[str, np.ndarray]] = [(f, r) for _, f, r in prior] + [(file, rows)]
        starts = np.cumsum([0] + [len(r) for _, r in where])
        reasons = np.empty(len(dup), dtype=object)
        for i, pos in enumerate(first_of[n_prior + dup].tolist()):
            part = int(np.searchsorted(starts, pos, side="right")) - 1
            src_file, src_rows = where[part]
            reasons[i] = f"duplicate of row {int(src_rows[pos - starts[part]])} in {src_file}"
        return dup, reasons


def _dedupe(problems: _Problems, seen: Seen | None, name: str, identity: list[Part], column: str) -> None:
    """Reject later rows whose identity repeats an earlier accepted one; remember the survivors."""
    seen = seen if seen is not None else Seen()
    table = problems.table
    if problems.bad.any():
        keep = np.flatnonzero(~problems.bad)
        parts = [(v[keep], c[keep]) for v, c in identity]
        rows = table.rows[keep]
    else:
        keep = np.arange(len(problems.bad), dtype=np.int64)
        parts, rows = identity, table.rows
    dup, reasons = seen.duplicates(name, parts, table.file, rows)
    problems.add(keep[dup], column, reasons)
    if len(dup):
        survivors = np.ones(len(keep), dtype=bool)
        survivors[dup] = False
        seen.add(name, [v[survivors] for v, _ in parts], table.file, rows[survivors])
    else:
        seen.add(name, [v for v, _ in parts], table.file, rows)


# -- resolving references ----------------------------------------------------------------------------------------------
class Resolver:
    """Which node keys exist (in this load or in the store), and which company has a given name.

    The pipeline registers every node batch it validated with
    :meth:`add_nodes`, so that edges and the client list can refer to nodes
    of the same load; anything else is asked of the store in chunks.
    """

    def __init__(self, store: GraphStore | None = None, schema: Schema | None = None) -> None:
        self.store = store
        self.schema = schema or (store.schema if store is not None else load_schema())
        self._keys: dict[str, list[np.ndarray]] = {}
        self._index: dict[str, pd.Index] = {}
        self._names: list[tuple[np.ndarray, np.ndarray]] = []
        self._name_map: tuple[dict[str, str], dict[str, tuple[str, ...]]] | None = None

    def add_nodes(self, batch: RecordBatch) -> None:
        """Register the nodes of a validated batch as part of this load."""
        if batch.what != "nodes" or not len(batch.frame):
            return
        spec = self.schema.label(batch.name)
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
            if spec.properties[spec.key].type == "uscc":
                if usccs is None:
                    uscc_ok = valid_usccs(values)  # a valid code is already in normal form
                    usccs = values.copy()
                    other = np.flatnonzero(~uscc_ok)
                    usccs[other] = normalise_usccs(values[other])
                    uscc_ok[other] = valid_usccs(usccs[other])
                assert uscc_ok is not None
                pending = pending[uscc_ok[pending]]
                keys = usccs[pending]
            else:
                keys = values[pending]
            hit = self.known(label, keys)
            ids[pending[hit]] = np.array([f"{label}:{k}" for k in keys[hit]], dtype=object)
        reasons = np.full(len(values), None, dtype=object)
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
                    reasons[i] = (
                        f"refers to {values[i]!r}, the name of {len(found)} companies "
                        f"({', '.join(found[:5])}); give the USCC instead"
                    )
        for i in np.flatnonzero((ids == None) & (reasons == None)).tolist():  # noqa: E711 - element-wise
            value = str(values[i])
            hint = ""
            if tuple(labels) == ("Company",):
                code = normalise_uscc(value)
                if code.isascii() and code.isalnum() and 15 <= len(code) <= 20:
                    hint = f" ({uscc_problem(code) or 'valid USCC, but no such company'})"
            reasons[i] = f"refers to {value!r}, which is neither in this load nor in the store{hint}"
        return ids, reasons


def _endpoint(table: RawTable, end: EndpointSpec, resolver: Resolver, problems: _Problems) -> Part:
    """Node ids of one end of every row (None where blank or unresolved: those rows are rejected) and their codes."""
    frame = table.frame
    n = len(frame)
    codes, uniques = _factorize(clean_text(frame[end.column]))
    blank = (uniques == "")[codes]
    problems.add(np.flatnonzero(blank), end.column, REQUIRED_EMPTY)
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
def validate_nodes(table: RawTable, *, schema: Schema | None = None, seen: Seen | None = None) -> Validated:
    """Validate a label's table (``table.name`` is the label): key present, valid and unique.

    A later row with a key seen before in this load is rejected as
    ``duplicate of row N in FILE``.
    """
    schema = schema or load_schema()
    spec = schema.label(table.name)
    masked = [n for n, p in spec.properties.items() if p.type == "idno"]
    problems = _Problems(table, masked)
    out: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    props = {spec.key: replace(spec.properties[spec.key], required=True)}
    props.update((n, p) for n, p in spec.properties.items() if n != spec.key)
    _parse_properties(table, props, problems, out, codes)
    _dedupe(problems, seen, spec.name, [(out[spec.key], codes[spec.key])], spec.key)
    return problems.finish("nodes", spec.name, out)


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
    of compound officer titles (default: warmth.yaml's ``by_role`` order).
    """
    resolver = resolver or Resolver(schema=schema)
    schema = schema or resolver.schema
    kind = schema.kind(table.name)
    if role_order is None:
        weights = resolver.store.weights if resolver.store is not None else load_weights()
        role_order = tuple(weights.by_role)
    n = len(table.frame)
    problems = _Problems(table)
    source = _endpoint(table, kind.source, resolver, problems)
    target = _endpoint(table, kind.target, resolver, problems)
    out: dict[str, np.ndarray] = {"source": source[0], "target": target[0]}
    codes: dict[str, np.ndarray] = {}
    _parse_properties(table, kind.properties, problems, out, codes, role_order)
    loop = np.flatnonzero((source[0] == target[0]) & ~problems.bad)  # rows not yet rejected have both ends
    problems.add(loop, kind.source.column, np.array([f"self-loop: {source[0][i]} points to itself" for i in loop]))
    absent = (np.full(n, None, dtype=object), np.zeros(n, dtype=np.int64))
    identity = [source, target] + [(out[p], codes[p]) if p in out else absent for p in kind.identity]
    _dedupe(problems, seen, kind.type, identity, kind.source.column)
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
            why[i] = f"USCC {usccs[i]} is not a company in this load or the store"
    names = clean_text(frame["name"]).to_numpy(dtype=object) if "name" in frame else np.full(n, "", dtype=object)
    todo = np.flatnonzero((matched == None) & (names != ""))  # noqa: E711 - element-wise
    found = resolver.companies_named(pd.unique(names[todo]).tolist()) if len(todo) else {}
    for i in todo.tolist():
        hits = found[names[i]]
        if len(hits) == 1:
            matched[i] = hits[0]
            continue
        prefix = f"{why[i]}; and " if why[i] else ""
        if hits:
            why[i] = f"{prefix}{len(hits)} companies are named {names[i]!r} ({', '.join(hits[:5])}); give the USCC"
        else:
            why[i] = f"{prefix}no company is named {names[i]!r} in this load or the store"
    unmatched = np.flatnonzero(matched == None)  # noqa: E711 - element-wise
    why[unmatched[why[unmatched] == None]] = "needs a USCC or a company name"  # noqa: E711 - element-wise
    # a row is reported under its USCC header when it gave one, else under its name header
    uscc_column, name_column = ("uscc" if "uscc" in frame else "name"), ("name" if "name" in frame else "uscc")
    by_uscc = unmatched[given[unmatched]]
    by_name = unmatched[~given[unmatched]]
    problems.add(by_uscc, uscc_column, why[by_uscc])
    problems.add(by_name, name_column, why[by_name])
    result: dict[str, np.ndarray] = {"uscc": matched}
    for column in ("manager", "branch", "since"):
        result[column] = out.get(column, np.full(n, None, dtype=object))
    _dedupe(problems, seen, "clients", [(matched, _codes_of(matched))], uscc_column)
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
        return validate_nodes(table, schema=schema or (resolver.schema if resolver else None), seen=seen)
    if table.what == "edges":
        return validate_edges(table, resolver, schema=schema, seen=seen)
    return validate_clients(table, resolver, schema=schema, seen=seen)
