"""Read and validate the operational files into :class:`~loaders.ops_data.OpsData`, with a report.

The kinds, their file names and accepted headers are data:
``loaders/ops_schema.yaml``. Files are read with :mod:`loaders.read` (CSV in
UTF-8, UTF-8 with BOM or GBK/GB18030, tab-separated text, Excel; Chinese or
English headers, a bracketed unit such as ``金额(万元)``) and known by their
name (``events.csv``, ``商机事件.xlsx`` ...) or, in a workbook with another
name, by sheet name.

What is checked, and what happens to a bad row (every problem names the
file, the row as numbered in Excel, the column header as written and the
value):

* **company** (events, tags, memberships, outcomes): a USCC and/or a name
  column. Against a graph store: a USCC must be a Company of the graph; a
  name must be the exact name of exactly one Company. Without a store only
  a valid USCC is accepted. A row whose company is not found is rejected.
* **events**: the type must be in the event catalogue
  (:mod:`loaders.catalogue`, by name, alias or English label), else the row
  is rejected; category, products and grade come from the catalogue.
  ``event_id`` is a stable hash of (company, type, date, source, text), so
  loading the same file twice gives the same ids; a repeated event is kept
  once, with a warning naming the first row.
* **tags**: a tag outside the catalogue's tag vocabulary is *kept* with a
  warning: banks have tags of their own, but a typo (专精特性) should be seen.
* **chains**: a segment is named once per chain (a conflicting repeat is
  rejected); a parent must be a segment of the same chain.
* **memberships**: when chains are loaded too, the (chain, segment) must be
  one of them.
* **branches**: a manager (RM) needs a branch; a manager's capacity must be a
  whole number of at least 1; region codes are 2, 4 or 6 digits (several per
  cell allowed). The same code on two branches is an error. A code that is a
  prefix of another branch's code is allowed and means **more specific wins**
  (a 支行 with 310115 takes 浦东 companies from a 分行 with 3101); the report
  lists each such overlap as a warning. One manager in two branches, or with
  two capacities, is an error.
* **outcomes**: won (成功/落地/中标 ...) or lost (失败/流失 ...).
* **placeholders**: a date on or before 1900-01-01 or an amount of 0 means
  "unknown" in real exports: a required date so written is rejected, an
  optional one (and a zero amount) kept as unknown with a warning; never
  stored as a fact.

Nothing is written anywhere: the caller (the lead store) persists the
:class:`OpsData`; a strict read refuses everything when any row is rejected.

>>> covering_branch("310115", pd.DataFrame({"branch": ["上海分行"], "region_code": ["3101"]}))
'上海分行'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graph.errors import LoadError, LoadRejected
from graph.messages import BadValue, Message
from graph.model import node_id
from graph.store import GraphStore
from graph.uscc import normalise_uscc, uscc_problem
from loaders.catalogue import Catalogue, load_catalogue, match_key
from loaders.ops_data import OPS_COLUMNS, OpsData
from loaders.ops_report import OpsFileReport, OpsReport
from loaders.ops_schema import OpsColumn, OpsKind, OpsSchema, load_ops_schema, ops_file_names, stem_key
from loaders.read import EXCEL_SUFFIXES, TABLE_SUFFIXES, Column, map_columns, read_raw, sheet_names
from loaders.report import Reject
from loaders.validate import valid_usccs
from loaders.values import is_blank, parse_amount, parse_date, parse_int, parse_text, reason_of, unit_factor

#: the order kinds are validated in: chains before the memberships they check
KIND_ORDER: tuple[str, ...] = ("chains", "memberships", "branches", "events", "tags", "outcomes")
#: a date on or before this is a placeholder for "unknown" (real exports write 1900-01-01)
SENTINEL_DATE = "1900-01-01"
_REGION_SPLIT = re.compile(r"[;；,，、|/\s]+")


# -- company resolution ------------------------------------------------------------------------
class CompanyResolver:
    """Turns a row's USCC and/or name into the graph key of a Company, or says why not.

    With a store: a USCC must be a Company node; a name must be the exact
    name of exactly one Company (looked up once per distinct name). Without
    a store, only a valid USCC is accepted.
    """

    def __init__(self, store: GraphStore | None) -> None:
        self.store = store
        self._by_uscc: dict[str, bool] = {}
        self._by_name: dict[str, tuple[str | None, str]] = {}
        self._problems: dict[str, str | None] = {}

    def prefetch(self, usccs: Iterable[str]) -> None:
        """Ask the store about many USCCs at once."""
        wanted = sorted({u for u in usccs if u not in self._by_uscc})
        if wanted:
            valid = valid_usccs(np.array(wanted, dtype=object))
            self._problems.update((u, None) for u, ok in zip(wanted, valid, strict=True) if ok)
        if self.store is None or not wanted:
            return
        found = self.store.existing_ids(node_id("Company", u) for u in wanted)
        for u in wanted:
            self._by_uscc[u] = node_id("Company", u) in found

    def by_uscc(self, code: str) -> tuple[str | None, str]:
        """(USCC, "") when usable, else (None, reason)."""
        problem = self._problems.get(code, "?")
        if problem == "?":
            problem = self._problems[code] = uscc_problem(code)
        if problem:
            return None, Message("reject.ops_invalid_uscc", problem=problem)
        if self.store is None:
            return code, ""
        if code not in self._by_uscc:
            self.prefetch([code])
        if not self._by_uscc[code]:
            return None, Message("reject.ops_no_uscc_company")
        return code, ""

    def by_name(self, name: str) -> tuple[str | None, str]:
        """(USCC, "") for the one Company of exactly this name, else (None, reason)."""
        if self.store is None:
            return None, Message("reject.ops_name_needs_graph")
        hit = self._by_name.get(name)
        if hit is None:
            nodes = self.store.find_nodes(name, ["Company"], limit=50)
            exact = sorted({n.key for n in nodes if n.name == name})
            if len(exact) == 1:
                hit = (exact[0], "")
            elif exact:
                hit = (None, Message("reject.ops_same_name", count=len(exact)))
            else:
                hit = (None, Message("reject.ops_no_name_company"))
            self._by_name[name] = hit
        return hit


# -- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpsSource:
    """One operational table: a file (or a sheet of a workbook) and its kind."""

    path: Path
    kind: str
    sheet: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.path.name}[{self.sheet}]" if self.sheet is not None else self.path.name


def find_ops_sources(
    paths: str | Path | Iterable[str | Path], schema: OpsSchema | None = None
) -> tuple[list[OpsSource], list[str]]:
    """The operational tables in a folder, a file or several, in validation order; and names not recognised.

    In a folder, other table files (the graph's own ``companies.csv`` ...) are
    listed as not recognised; a file named explicitly that holds no known
    kind raises LoadError.
    """
    schema = schema or load_ops_schema()
    names = ops_file_names(schema)
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[OpsSource] = []
    ignored: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files = [
                f
                for f in sorted(path.iterdir())
                if f.is_file() and not f.name.startswith((".", "~$")) and f.suffix.lower() in TABLE_SUFFIXES
            ]
            explicit = False
        elif path.is_file():
            files, explicit = [path], True
        else:
            raise LoadError(Message("load.no_path", file=str(path)))
        for file in files:
            kind = names.get(stem_key(file.stem))
            if kind is not None:
                found.append(OpsSource(file, kind))
                continue
            sheets = (
                [s for s in sheet_names(file) if stem_key(s) in names] if file.suffix.lower() in EXCEL_SUFFIXES else []
            )
            if sheets:
                found += [OpsSource(file, names[stem_key(s)], s) for s in sheets]
            elif explicit:
                expected = ", ".join(f"{k.files[0]} ({k.zh})" for k in schema.kinds.values())
                raise LoadError(Message("load.ops_unknown_file", file=str(file), expected=expected))
            else:
                ignored.append(file.name)
    unique = {(s.path.resolve(), s.sheet): s for s in found}
    ordered = sorted(unique.values(), key=lambda s: (KIND_ORDER.index(s.kind), str(s.path), s.sheet or ""))
    return ordered, ignored


@dataclass
class _Table:
    """One file's cells under canonical names, the headers as written, Excel row numbers."""

    file: str
    kind: str
    frame: pd.DataFrame
    headers: dict[str, str]
    units: dict[str, str]
    report: OpsFileReport
    cells: dict[str, list[str | None]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)

    def cell(self, column: str, i: int) -> str | None:
        """The stripped cell of row position ``i``, None when blank or the column is absent."""
        values = self.cells.get(column)
        return None if values is None else values[i]


def _plain(values: pd.Series) -> list[str | None]:
    return [None if is_blank(v) else str(v).strip() for v in values.tolist()]


def _table(frame: pd.DataFrame, kind: OpsKind, schema: OpsSchema, file: str, encoding: str | None) -> _Table:
    columns = [Column(c.name, c.headers, c.required) for c in kind.columns]
    if kind.company:
        columns += [Column("uscc", schema.uscc_headers), Column("name", schema.name_headers)]
    frame = frame.rename(columns=str)
    headers, units = map_columns(frame, columns, file)
    if kind.company and not ({"uscc", "name"} & set(headers)):
        accepted = (*schema.uscc_headers, *schema.name_headers)
        raise LoadError(Message("load.ops_no_company_column", file=file, headers=accepted))
    used = set(headers.values())
    ignored = tuple(h for h in frame.columns if h not in used and not h.startswith("Unnamed:"))
    cells = pd.DataFrame({name: frame[header].astype("str") for name, header in headers.items()}, index=frame.index)
    report = OpsFileReport(file, kind.name, rows_read=len(cells), encoding=encoding, ignored_columns=ignored)
    plain = {name: _plain(cells[name]) for name in cells.columns}
    return _Table(file, kind.name, cells, headers, units, report, plain, [int(r) for r in cells.index])


class _Rows:
    """Collects one kind's accepted rows, rejects and warnings, counting per file."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.rows: list[dict[str, Any]] = []
        self.where: list[tuple[_Table, int]] = []
        self.rejects: list[Reject] = []
        self.warnings: list[Reject] = []

    def reject(self, table: _Table, row: int, column: str, value: object, reason: str) -> None:
        self.rejects.append(
            Reject(table.file, row, table.headers.get(column, column if column else ""), _shown(value), reason)
        )

    def warn(self, table: _Table, row: int, column: str, value: object, reason: str) -> None:
        self.warnings.append(Reject(table.file, row, table.headers.get(column, column), _shown(value), reason))
        table.report.warnings += 1

    def accept(self, table: _Table, row: int, values: dict[str, Any]) -> None:
        self.rows.append(values)
        self.where.append((table, row))

    def drop(self, index: int) -> None:
        """Take back an accepted row (a later cross-row check refused it)."""
        del self.rows[index]
        del self.where[index]

    def frame(self) -> pd.DataFrame:
        columns = OPS_COLUMNS[self.kind]
        data = {c: pd.Series([r.get(c) for r in self.rows], dtype=object) for c in columns}
        return pd.DataFrame(data, columns=list(columns))


def _shown(value: object) -> str:
    return "" if value is None else str(value)


_Parse = Callable[[str], Any]


def _parser(col: OpsColumn, table: _Table, schema: OpsSchema, catalogue: Catalogue) -> _Parse:
    """The function that turns one non-blank cell of ``col`` into its value (ValueError with a reason)."""
    if col.type == "date":
        return parse_date
    if col.type == "amount":
        factor = unit_factor(table.units.get(col.name))
        return lambda raw: parse_amount(raw, unit=factor)
    if col.type == "event":

        def event(raw: str) -> str:
            name = catalogue.resolve(raw)
            if name is None:
                raise BadValue("reject.ops_unknown_event", source=str(catalogue.source), known=catalogue.known_types())
            return name

        return event
    if col.type in ("position", "outcome"):
        words = schema.positions if col.type == "position" else schema.outcomes

        def word(raw: str) -> str:
            value = words.get(match_key(raw))
            if value is None:
                said = "reject.ops_unknown_position" if col.type == "position" else "reject.ops_unknown_outcome"
                raise BadValue(said, known=tuple(dict.fromkeys(words.values())))
            return value

        return word
    if col.type == "capacity":

        def capacity(raw: str) -> int:
            value = parse_int(raw)
            if value < 1:
                raise BadValue("reject.ops_capacity")
            return value

        return capacity
    if col.type == "region":
        return _regions
    return parse_text


def _regions(raw: str) -> tuple[str, ...]:
    """Administrative division codes: 2, 4 or 6 digits each, several per cell (``3101;310115``)."""
    codes = tuple(dict.fromkeys(p for p in _REGION_SPLIT.split(unicodedata.normalize("NFKC", raw)) if p))
    for code in codes:
        if not (code.isascii() and code.isdigit() and len(code) in (2, 4, 6)):
            raise BadValue("reject.ops_region_code", value=repr(code))
        if set(code[len(code) - 2 :]) == {"0"} and len(code) > 2:
            raise BadValue("reject.ops_region_00", value=repr(code), prefix=code.rstrip("0") or code)
    return codes


def _parse_row(
    table: _Table, i: int, kind: OpsKind, parsers: dict[str, _Parse], rows: _Rows
) -> tuple[dict[str, Any], bool]:
    """The parsed cells of row ``i`` (position) and whether every cell was fine (rejects recorded)."""
    row = table.rows[i]
    values: dict[str, Any] = {}
    ok = True
    for col in kind.columns:
        raw = table.cell(col.name, i)
        if raw is None:
            if col.required:
                rows.reject(table, row, col.name, "", Message("reject.ops_required", column=col.name))
                ok = False
            values[col.name] = None
            continue
        try:
            value = parsers[col.name](raw)
        except ValueError as exc:
            rows.reject(table, row, col.name, raw, reason_of(exc))
            ok = False
            continue
        unknown = _placeholder(col.type, value)
        if unknown:
            if col.required:
                rows.reject(table, row, col.name, raw, Message("reject.ops_placeholder_refused", placeholder=unknown))
                ok = False
                continue
            rows.warn(table, row, col.name, raw, Message("reject.ops_placeholder_kept", placeholder=unknown))
            value = None
        values[col.name] = value
    return values, ok


def _placeholder(type_: str, value: Any) -> Message | None:
    """Why a parsed value is a placeholder meaning "unknown" (a 1900-01-01 date, a zero amount), or None."""
    if type_ == "date" and isinstance(value, str) and value <= SENTINEL_DATE:
        return Message("reject.ops_placeholder_date", date=value)
    if type_ == "amount" and value == 0:
        return Message("reject.ops_zero_amount")
    return None


def _company(table: _Table, i: int, resolver: CompanyResolver, rows: _Rows) -> str | None:
    """The company key of row ``i``: by USCC when given (a bad USCC is not rescued by the name), else by name."""
    row = table.rows[i]
    code, name = table.cell("uscc", i), table.cell("name", i)
    if code is not None:
        key, why = resolver.by_uscc(normalise_uscc(code))
        if key is None:
            rows.reject(table, row, "uscc", code, why)
        return key
    if name is not None:
        # a USCC typed into the name column counts as one
        cleaned = normalise_uscc(name)
        key, why = resolver.by_uscc(cleaned) if uscc_problem(cleaned) is None else resolver.by_name(parse_text(name))
        if key is None:
            rows.reject(table, row, "name", name, why)
        return key
    column = "uscc" if "uscc" in table.headers else "name"
    rows.reject(table, row, column, "", Message("reject.ops_no_company"))
    return None


def covering_branch(region: str | None, branches: pd.DataFrame) -> str | None:
    """The branch whose region code covers a company's division code: the longest matching prefix wins.

    ``branches`` is :attr:`OpsData.branches`; None when no code covers
    ``region`` (or it is None). This is the "more specific wins" rule the
    branches file is checked against.

    >>> frame = pd.DataFrame({"branch": ["上海分行", "浦东支行"], "region_code": ["3101", "310115"]})
    >>> covering_branch("310115", frame), covering_branch("310104", frame), covering_branch("320505", frame)
    ('浦东支行', '上海分行', None)
    """
    if not region:
        return None
    best: tuple[int, str] | None = None
    for branch, code in zip(branches["branch"], branches["region_code"], strict=True):
        if isinstance(code, str) and region.startswith(code) and (best is None or len(code) > best[0]):
            best = (len(code), str(branch))
    return None if best is None else best[1]


def event_id(company: str, event_type: str, date: str, source: str | None, text: str | None) -> str:
    """A stable id of an event: the same event read twice gets the same id.

    >>> event_id("91310115MA1K4ABCD1", "股权融资", "2025-01-02", None, None)
    'ev-6c3d80cd5d7e1c7d'
    """
    key = "\x1f".join((company, event_type, date, source or "", text or ""))
    return "ev-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _validate_kind(
    kind: OpsKind,
    tables: Sequence[_Table],
    schema: OpsSchema,
    catalogue: Catalogue,
    resolver: CompanyResolver,
    chains: pd.DataFrame | None,
) -> _Rows:
    rows = _Rows(kind.name)
    first: dict[tuple[Any, ...], tuple[_Table, int, dict[str, Any]]] = {}
    vocabulary = {match_key(t) for t in catalogue.tags}
    segments = set() if chains is None else set(zip(chains["chain"], chains["segment"], strict=True))
    for table in tables:
        if kind.company:
            resolver.prefetch(normalise_uscc(c) for c in table.cells.get("uscc", []) if c is not None)
        parsers = {c.name: _parser(c, table, schema, catalogue) for c in kind.columns}
        bad_rows: set[int] = set()
        for i, row in enumerate(table.rows):
            count = len(rows.rejects)
            values, ok = _parse_row(table, i, kind, parsers, rows)
            if kind.company:
                company = _company(table, i, resolver, rows)
                ok = ok and company is not None
                values["company"] = company
            if ok:
                ok = _check_row(kind.name, table, row, values, rows, first, vocabulary, segments, catalogue)
            if not ok or len(rows.rejects) > count:
                bad_rows.add(row)
        table.report.rejected = len(bad_rows)
        table.report.accepted = table.report.rows_read - len(bad_rows)
    if kind.name == "chains":
        _check_parents(rows)
    if kind.name == "branches":
        rows.rows = _expand_regions(rows.rows)
    return rows


def _check_row(
    kind: str,
    table: _Table,
    row: int,
    values: dict[str, Any],
    rows: _Rows,
    first: dict[tuple[Any, ...], tuple[_Table, int, dict[str, Any]]],
    vocabulary: set[str],
    segments: set[tuple[str, str]],
    catalogue: Catalogue,
) -> bool:
    """Per-kind checks of one parsed row; accepts it (or notes it as a repeat) and returns False on a reject."""

    def repeat(key: tuple[Any, ...], conflict_columns: Sequence[str] = ()) -> bool:
        """True when ``key`` was seen: a warning for an identical repeat, a reject for a conflicting one."""
        seen = first.get(key)
        if seen is None:
            first[key] = (table, row, values)
            return False
        other_table, other_row, other = seen
        where = (
            Message("reject.ops_row", row=other_row)
            if other_table is table
            else Message("reject.ops_row_of", row=other_row, file=other_table.file)
        )
        for column in conflict_columns:
            if values.get(column) != other.get(column):
                said = Message("reject.ops_conflict", where=where, other=repr(other.get(column)))
                rows.reject(table, row, column, values.get(column), said)
                raise _Refused
        rows.warn(table, row, "", "", Message("reject.ops_same_as", where=where))
        return True

    try:
        if kind == "events":
            t = catalogue.types[values["event_type"]]
            values["event_id"] = event_id(values["company"], t.name, values["date"], values["source"], values["text"])
            values["category"] = t.category
            values["products"] = "|".join(t.products)
            values["grade"] = t.grade(values["amount"])
            if repeat((values["event_id"],)):
                return True
        elif kind == "tags":
            if match_key(values["tag"]) not in vocabulary:
                rows.warn(table, row, "tag", values["tag"], Message("reject.ops_tag_unknown"))
            if repeat((values["company"], values["tag"])):
                return True
        elif kind == "chains":
            if values["parent"] == values["segment"]:
                rows.reject(table, row, "parent", values["parent"], Message("reject.ops_own_parent"))
                return False
            if repeat((values["chain"], values["segment"]), ("position", "parent")):
                return True
        elif kind == "memberships":
            if segments and (values["chain"], values["segment"]) not in segments:
                rows.reject(
                    table,
                    row,
                    "segment",
                    values["segment"],
                    Message("reject.ops_no_segment", segment=repr(values["segment"]), chain=repr(values["chain"])),
                )
                return False
            if repeat((values["company"], values["chain"], values["segment"])):
                return True
        elif kind == "branches":
            return _check_branch(table, row, values, rows, first)
        elif kind == "outcomes" and repeat((values["company"], values["product"], values["date"], values["outcome"])):
            return True
    except _Refused:
        return False
    rows.accept(table, row, values)
    return True


class _Refused(Exception):
    """A cross-row check refused the row (already recorded as a reject)."""


def _check_branch(
    table: _Table,
    row: int,
    values: dict[str, Any],
    rows: _Rows,
    first: dict[tuple[Any, ...], tuple[_Table, int, dict[str, Any]]],
) -> bool:
    branch, manager, codes, capacity = (
        values["branch"],
        values["manager"],
        values["region_code"] or (),
        values["capacity"],
    )
    if branch is None:
        column = "manager" if manager is not None else "branch"
        said = "reject.ops_manager_needs_branch" if manager is not None else "reject.ops_branch_required"
        rows.reject(table, row, "branch", values.get(column) or "", Message(said))
        return False
    if manager is not None and capacity is None:
        rows.reject(table, row, "capacity", "", Message("reject.ops_manager_needs_capacity"))
        return False
    if manager is None and not codes:
        rows.reject(table, row, "region_code", "", Message("reject.ops_branch_needs_regions"))
        return False
    if manager is None and capacity is not None:
        rows.warn(table, row, "capacity", capacity, Message("reject.ops_capacity_ignored"))
        values["capacity"] = None
    for code in codes:
        seen = first.get(("region", code))
        if seen is not None and seen[2]["branch"] != branch:
            other = seen[2]["branch"]
            said = Message("reject.ops_region_taken", code=code, branch=other, row=seen[1])
            rows.reject(table, row, "region_code", code, said)
            return False
    if manager is not None:
        seen = first.get(("manager", manager))
        if seen is not None and seen[2]["branch"] != branch:
            rows.reject(
                table,
                row,
                "manager",
                manager,
                Message("reject.ops_manager_elsewhere", manager=manager, branch=seen[2]["branch"], row=seen[1]),
            )
            return False
        if seen is not None and seen[2]["capacity"] != capacity:
            rows.reject(
                table,
                row,
                "capacity",
                capacity,
                Message("reject.ops_manager_capacity", manager=manager, capacity=seen[2]["capacity"], row=seen[1]),
            )
            return False
        first.setdefault(("manager", manager), (table, row, values))
    for code in codes:
        for (tag, other_code), (_, other_row, other) in list(first.items()):
            if tag != "region" or other["branch"] == branch:
                continue
            if code.startswith(other_code) or other_code.startswith(code):
                broad, narrow = (other_code, code) if code.startswith(other_code) else (code, other_code)
                rows.warn(
                    table,
                    row,
                    "region_code",
                    code,
                    Message(
                        "reject.ops_overlap",
                        branch=other["branch"],
                        code=other_code,
                        row=other_row,
                        narrow=narrow,
                        broad=broad,
                    ),
                )
        first.setdefault(("region", code), (table, row, values))
    rows.accept(table, row, values)
    return True


def _expand_regions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (branch, region_code, manager), as the contract has it."""
    out: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    for r in rows:
        for code in r["region_code"] or (None,):
            out.setdefault((r["branch"], code, r["manager"]), {**r, "region_code": code})
    return list(out.values())


def _check_parents(rows: _Rows) -> None:
    """Refuse a segment whose parent is not a segment of the same chain."""
    known = {(r["chain"], r["segment"]) for r in rows.rows}
    for i in range(len(rows.rows) - 1, -1, -1):
        r = rows.rows[i]
        if r["parent"] is not None and (r["chain"], r["parent"]) not in known:
            table, row = rows.where[i]
            said = Message("reject.ops_no_segment", segment=repr(r["parent"]), chain=repr(r["chain"]))
            rows.reject(table, row, "parent", r["parent"], said)
            table.report.accepted -= 1
            table.report.rejected += 1
            rows.drop(i)


def validate_ops(
    tables: Mapping[str, Sequence[tuple[pd.DataFrame, str]]],
    store: GraphStore | None = None,
    *,
    catalogue: Catalogue | None = None,
    schema: OpsSchema | None = None,
    encodings: Mapping[str, str | None] | None = None,
) -> tuple[OpsData, OpsReport]:
    """Validate frames of raw cells (headers as written, index = Excel row numbers) by kind.

    ``tables`` maps a kind (``"events"`` ...) to ``(frame, file name)`` pairs.
    Used by :func:`read_ops` and directly for data already in memory.
    LoadError when a frame lacks a required column.
    """
    schema = schema or load_ops_schema()
    catalogue = catalogue or load_catalogue()
    unknown = set(tables) - set(schema.kinds)
    if unknown:
        raise LoadError(Message("load.ops_unknown_kinds", kinds=tuple(sorted(unknown))))
    resolver = CompanyResolver(store)
    report = OpsReport()
    frames: dict[str, pd.DataFrame] = {}
    for name in KIND_ORDER:
        kind = schema.kinds[name]
        built = [_table(frame, kind, schema, file, (encodings or {}).get(file)) for frame, file in tables.get(name, ())]
        rows = _validate_kind(
            kind, built, schema, catalogue, resolver, frames.get("chains") if "chains" in tables else None
        )
        frames[name] = rows.frame()
        report.files += [t.report for t in built]
        report.rejects += rows.rejects
        report.warnings += rows.warnings
    data = OpsData(**{name: frames[name] for name in OPS_COLUMNS})
    return data, report


def read_ops(
    paths: str | Path | Iterable[str | Path],
    store: GraphStore | None = None,
    *,
    strict: bool = False,
    catalogue: Catalogue | None = None,
    schema: OpsSchema | None = None,
) -> tuple[OpsData, OpsReport]:
    """Read and validate operational files (a folder, a file or several) into :class:`OpsData` and a report.

    ``store`` is the graph companies are resolved against (None: USCCs are
    taken on trust, names refused). Bad rows are reported and left out;
    ``strict`` raises :class:`~graph.errors.LoadRejected` when any row is
    rejected. LoadError when a file cannot be read or lacks a column, before
    anything is returned.
    """
    schema = schema or load_ops_schema()
    sources, ignored = find_ops_sources(paths, schema)
    tables: dict[str, list[tuple[pd.DataFrame, str]]] = {}
    encodings: dict[str, str | None] = {}
    bad: dict[str, tuple[tuple[int, str], ...]] = {}
    for source in sources:
        raw = read_raw(source.path, sheet=source.sheet)
        tables.setdefault(source.kind, []).append((raw.frame, source.shown))
        encodings[source.shown] = raw.encoding
        bad[source.shown] = raw.bad_lines
    if not sources:
        where = ", ".join(str(p) for p in ([paths] if isinstance(paths, str | Path) else paths))
        raise LoadError(Message("load.ops_none", where=where))
    data, report = validate_ops(tables, store, catalogue=catalogue, schema=schema, encodings=encodings)
    report.ignored_files = ignored
    for file in report.files:  # CSV lines that could not be split into the header's columns
        lines = bad.get(file.file, ())
        file.rows_read += len(lines)
        file.rejected += len(lines)
        report.rejects += [Reject(file.file, row, "", "", Message("reject.ops_split", why=why)) for row, why in lines]
    if strict and not report.ok:
        refused = LoadRejected(
            Message("load.ops_refused", rejected=f"{report.rejected:,}", rows=f"{report.rows_read:,}")
        )
        refused.args = (f"{refused.args[0]}\n{report.summary('en')}",)  # the whole report in logs and str()
        raise refused
    return data, report
