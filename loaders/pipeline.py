"""Load table files into a store: find them, read and validate them all, then write.

:func:`load_files` takes a directory, one file or several. Files are known by
their name: the ``file:`` stem in schema.yaml (``companies.csv``,
``equity.xlsx``, ...), the Chinese name (``企业.csv``, ``股权.xlsx``, ...) or the
label / type name; a workbook whose own name is none of these is read sheet
by sheet, each sheet known by the same names. A file (or sheet) whose name
says nothing (``企业信息.csv``, ``companies_2024.csv``) is known by its headers
(:func:`match_headers`). A file that is unknown, ambiguous, unreadable as a
table when its name said nothing, or of a kind guanxi does not read (SQLite,
JSON, ...) is listed in the report's ``ignored_files`` with the reason and
left out; the files beside it still load.

The order is fixed so that a load is all-or-nothing up to the store's own
batches and gives the same batches every time:

1. read and validate each file in turn, nodes first (label order of the
   schema), then relationships (dangling references are checked against
   this load and ``store.existing_ids``), then the client list; a file that
   cannot be read raises :class:`LoadError` before anything is written, and
   each file's raw cells are let go once it is validated;
2. in strict mode, any reject raises :class:`~graph.errors.LoadRefused` (a
   ``LoadRejected`` carrying the report) and nothing is written;
3. write accepted rows in batches of at most ``batch_size``: nodes, then
   relationships, then clients; then ``store.finish_load()``.

:func:`replace_files` replaces the whole graph the same way, and never
empties it first: every file is read and validated against the new files
alone (the old graph goes away, so it cannot resolve a reference), the
strict-mode decision is taken, and only then is the new graph written, into
the store's :meth:`~graph.store.GraphStore.replacing` block, which swaps it
in only when every batch has succeeded (a new store object for the embedded
store; a new generation, the old ones deleted after, for Neo4j).

>>> names = file_names(load_schema())
>>> names["companies"], names["股权"], names["园区"], names["入园"]
(('nodes', 'Company'), ('edges', 'HOLDS_SHARES'), ('nodes', 'Park'), ('edges', 'LOCATED_IN'))
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graph.errors import InvalidParameter, LoadError, LoadRefused
from graph.gc_pause import gc_paused
from graph.messages import Message, mapped, render  # noqa: F401 - render: for the examples
from graph.model import RecordBatch
from graph.schema import Schema, load_schema
from graph.store import GraphStore
from loaders.interchange import JSON_SUFFIXES, Mapped, sniff
from loaders.read import (
    EXCEL_SUFFIXES,
    TABLE_SUFFIXES,
    RawTable,
    What,
    columns_for,
    header_key,
    peek_headers,
    read_table,
    sheet_names,
)
from loaders.report import LoadReport
from loaders.validate import Resolver, Seen, Validated, validate

#: ``progress(done, total, stage)``; stage is ``"read FILE"`` or ``"validate FILE"`` (counting files)
#: or ``"write NAME"`` (counting rows written)
Progress = Callable[[int, int, str], None]

#: more names a file may have, by its schema ``file:`` stem
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "parks_located": ("园区企业", "入园", "入园企业", "入驻企业"),
    "clients": ("客户名单", "存量客户名单"),
}

#: files guanxi does not read, by suffix, and what to do instead
_SQLITE = Message("load.sqlite_file", command="sqlite3 FILE -header -csv 'select * from T'")
_JSON = Message("load.json_file")
UNSUPPORTED: dict[str, Message] = {
    ".db": _SQLITE,
    ".sqlite": _SQLITE,
    ".sqlite3": _SQLITE,
    ".json": _JSON,
    ".jsonl": _JSON,
    ".ndjson": _JSON,
    ".parquet": Message("load.parquet_file"),
    ".xml": Message("load.xml_file"),
    ".zip": Message("load.zip_file"),
}

#: file names that are lists for other commands, not tables to load
NOT_TABLES: dict[str, Message] = {
    name: Message("load.prospect_list") for name in ("prospects", "潜客", "潜客名单", "目标客户")
}

_ORDER: dict[str, int] = {"nodes": 0, "edges": 1, "clients": 2}
_JOINERS = re.compile(r"[\s\-]+")


def _stem_key(stem: str) -> str:
    return _JOINERS.sub("_", unicodedata.normalize("NFKC", stem).strip()).casefold()


def file_names(schema: Schema) -> dict[str, tuple[What, str]]:
    """Every name a table file (or sheet) may have, normalised, and what it holds.

    A name two tables would share (the Park label and the LOCATED_IN kind are
    both 园区 in Chinese) goes to the first: labels before kinds.
    """
    names: dict[str, tuple[What, str]] = {}

    def add(target: tuple[What, str], *candidates: str) -> None:
        for candidate in candidates:
            names.setdefault(_stem_key(candidate), target)

    for label in schema.labels.values():
        add(("nodes", label.name), label.file, label.zh, label.name, *EXTRA_NAMES.get(label.file, ()))
    for kind in schema.kinds.values():
        add(("edges", kind.type), kind.file, kind.zh, kind.type, *EXTRA_NAMES.get(kind.file, ()))
    for kind in schema.kinds.values():  # short kind names last: "park" is the Park label's
        add(("edges", kind.type), kind.kind)
    add(("clients", "clients"), schema.clients.file, schema.clients.zh, *EXTRA_NAMES.get(schema.clients.file, ()))
    return names


@dataclass(frozen=True)
class Source:
    """One table to load: a file (or one sheet of a workbook) and what it holds."""

    path: Path
    what: What
    name: str
    sheet: str | None = None
    #: the rows of an FtM or BODS file, already mapped to guanxi's tables (:mod:`loaders.interchange`)
    mapped: Mapped | None = field(default=None, compare=False, repr=False)

    @property
    def shown(self) -> str:
        """How reports name it: ``companies.csv`` or ``data.xlsx[企业]``."""
        return f"{self.path.name}[{self.sheet}]" if self.sheet is not None else self.path.name


def _expected(schema: Schema) -> Message:
    files = [label.file for label in schema.labels.values()] + [k.file for k in schema.kinds.values()]
    zh = [label.zh for label in schema.labels.values()] + [k.zh for k in schema.kinds.values()]
    return Message(
        "load.expected", files=(*files, schema.clients.file), names=tuple(dict.fromkeys([*zh, schema.clients.zh]))
    )


@lru_cache(maxsize=1)
def _ops_names() -> dict[str, str]:
    """The names of operational-data files (events, tags, ...): never sniffed as graph tables."""
    from loaders.ops_schema import load_ops_schema, ops_file_names

    return ops_file_names(load_ops_schema())


def _targets(schema: Schema) -> list[tuple[What, str]]:
    return [
        *(("nodes", label) for label in schema.labels),
        *(("edges", kind) for kind in schema.kinds),
        ("clients", "clients"),
    ]


def _target_text(schema: Schema, target: tuple[What, str]) -> str:
    what, name = target
    if what == "nodes":
        return f"{schema.label(name).file} ({schema.label(name).zh})"
    if what == "edges":
        return f"{schema.kind(name).file} ({schema.kind(name).zh})"
    return f"{schema.clients.file} ({schema.clients.zh})"


def match_headers(headers: Sequence[str], schema: Schema, stem: str = "") -> tuple[tuple[What, str] | None, str]:
    """Which table a file holds, judged by its headers: ``(target, "")`` or ``(None, reason)``.

    A table fits when every required column has a header; the fit with most
    recognised headers wins. A tie is broken by a table name inside the file
    name (``companies_2024`` → companies); otherwise the file is ambiguous.

    >>> match_headers(["统一社会信用代码", "企业名称", "成立日期"], load_schema())
    (('nodes', 'Company'), Message('empty', {}))
    >>> render(match_headers(["a", "b"], load_schema())[1], "en")
    'cannot tell what this file holds: its headers (a, b) fit no table'
    """
    keys = [header_key(h)[0] for h in headers]
    fits: list[tuple[int, tuple[What, str]]] = []
    for target in _targets(schema):
        columns = columns_for(schema, *target)
        found = {c.name for c in columns if any(header_key(h)[0] in keys for h in c.headers)}
        if any(c.required and c.name not in found for c in columns):
            continue
        if target[0] == "clients" and not ({"uscc", "name"} & found):
            continue
        fits.append((len(found), target))
    shown = ", ".join(str(h) for h in headers[:8]) + (", ..." if len(headers) > 8 else "")
    if not fits:
        return None, Message("load.fits_no_table", headers=shown)
    best = max(score for score, _ in fits)
    top = [target for score, target in fits if score == best]
    if len(top) > 1:
        key = _stem_key(stem)
        names = file_names(schema)
        hinted = {t for n, t in names.items() if len(n) > 1 and n in key}
        top = [t for t in top if t in hinted] or top
    if len(top) > 1:
        tables = tuple(_target_text(schema, t) for t in top)
        return None, Message("load.fits_several", headers=shown, tables=tables)
    return top[0], Message("empty")


def _by_headers(path: Path, schema: Schema, sheet: str | None = None) -> tuple[tuple[What, str] | None, str]:
    try:
        headers = peek_headers(path, sheet=sheet)
    except LoadError as exc:
        return None, _reason_of(exc, path)
    return match_headers(headers, schema, sheet if sheet is not None else path.stem)


def _reason_of(exc: LoadError, path: Path) -> Message:
    """Why a file that could not be read is left out: its error without the leading path."""
    if exc.message is None:
        return Message("text", detail=str(exc).removeprefix(f"{path}: "))
    return mapped(exc.message, lambda text: text.replace(str(path), path.name))


def _sources_of(path: Path, schema: Schema, names: dict[str, tuple[What, str]]) -> tuple[list[Source], list[str]]:
    """The tables of one file, and what of it is left out: ``"name (reason)"``."""
    suffix = path.suffix.lower()
    fmt = sniff(path) if suffix in JSON_SUFFIXES and path.is_file() else None
    if fmt is not None:
        return _interchange_sources(path, schema, fmt)
    if suffix in UNSUPPORTED:
        return [], [Message("load.left_out", name=path.name, reason=UNSUPPORTED[suffix])]
    if suffix not in TABLE_SUFFIXES:
        known = Message("load.not_table_file", known=tuple(sorted(TABLE_SUFFIXES)))
        return [], [Message("load.left_out", name=path.name, reason=known)]
    target = names.get(_stem_key(path.stem))
    if target is not None:
        return [Source(path, target[0], target[1])], []
    if _stem_key(path.stem) in NOT_TABLES:
        return [], [Message("load.left_out", name=path.name, reason=NOT_TABLES[_stem_key(path.stem)])]
    ops = _ops_names().get(_stem_key(path.stem))
    if ops is not None:
        return [], [Message("load.left_out", name=path.name, reason=Message("load.ops_file", kind=ops))]
    if suffix not in EXCEL_SUFFIXES:
        target, reason = _by_headers(path, schema)
        if target is None:
            return [], [Message("load.left_out", name=path.name, reason=reason)]
        return [Source(path, target[0], target[1])], []
    try:
        sheets = sheet_names(path)
    except LoadError as exc:
        return [], [Message("load.left_out", name=path.name, reason=_reason_of(exc, path))]
    found: list[Source] = []
    ignored: list[str] = []
    for sheet in sheets:
        target = names.get(_stem_key(sheet))
        reason = ""
        if target is None:
            target, reason = _by_headers(path, schema, sheet)
        if target is None:
            ignored.append(Message("load.left_out", name=f"{path.name}[{sheet}]", reason=reason))
        else:
            found.append(Source(path, target[0], target[1], sheet))
    return found, ignored


def _interchange_sources(path: Path, schema: Schema, fmt: str) -> tuple[list[Source], list[str]]:
    """The tables an FtM or BODS file maps to (one source each), and what of it has no home."""
    from loaders.bods import read_statements
    from loaders.ftm import read_entities

    try:
        mapped = read_entities(path, schema) if fmt == "ftm" else read_statements(path, schema)
    except LoadError as exc:
        return [], [Message("load.left_out", name=path.name, reason=_reason_of(exc, path))]
    sources = [Source(path, what, name, mapped=mapped) for what, name in mapped.rows]
    if not sources:
        return [], mapped.left_out() or [Message("load.nothing_loadable", file=path.name, fmt=mapped.fmt)]
    return sources, mapped.left_out()


def find_sources(
    paths: str | Path | Iterable[str | Path], schema: Schema | None = None
) -> tuple[list[Source], list[str]]:
    """The tables to load from a directory, a file or several, in load order; and what is left out, with why.

    Files and sheets are known by name, else by headers; the ones left out
    are listed as ``"name (reason)"``. LoadError only when nothing at all
    can be loaded (or a path does not exist).
    """
    schema = schema or load_schema()
    names = file_names(schema)
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    sources: list[Source] = []
    ignored: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            for file in sorted(path.iterdir()):
                suffix = file.suffix.lower()
                if not file.is_file() or file.name.startswith((".", "~$")):
                    continue
                if suffix not in TABLE_SUFFIXES and suffix not in UNSUPPORTED:
                    continue
                found, skipped = _sources_of(file, schema, names)
                sources += found
                ignored += skipped
        elif path.is_file():
            found, skipped = _sources_of(path, schema, names)
            sources += found
            ignored += skipped
        else:
            raise LoadError(Message("load.no_path", file=str(path)))
    if not sources:
        where = ", ".join(str(Path(p)) for p in items) or Message("load.nothing_given")
        why = Message("load.left_out_list", files=tuple(ignored)) if ignored else Message("empty")
        raise LoadError(Message("load.no_tables", where=where, left_out=why, expected=_expected(schema)))
    labels = list(schema.labels)
    kinds = list(schema.kinds)

    def order(source: Source) -> tuple[int, int]:
        within = labels.index(source.name) if source.what == "nodes" else 0
        if source.what == "edges":
            within = kinds.index(source.name)
        return _ORDER[source.what], within

    unique: dict[tuple[Path, str | None, str], Source] = {}
    for source in sources:  # a file named twice is loaded once
        unique.setdefault((source.path.resolve(), source.sheet, source.name if source.mapped else ""), source)
    return sorted(unique.values(), key=order), ignored


def validate_tables(
    tables: Iterable[RawTable],
    store: GraphStore | None = None,
    *,
    schema: Schema | None = None,
    total: int | None = None,
    progress: Progress | None = None,
    keep_zeros: bool = False,
) -> list[Validated]:
    """Validate tables, given in load order (nodes, relationships, clients), sharing one view of the load.

    ``tables`` may be a generator that reads each file when asked: each raw
    table is let go once validated. ``progress`` counts tables (of ``total``).
    ``keep_zeros``: zero amounts are stored as zero (by default as unknown).
    """
    schema = store.schema if store is not None else (schema or load_schema())
    resolver = Resolver(store, schema, keep_zeros=keep_zeros)
    seen = Seen()
    results: list[Validated] = []
    for table in tables:
        result = validate(table, resolver, schema=schema, seen=seen)
        resolver.add_nodes(result.batch)
        results.append(result)
        if progress is not None:
            progress(len(results), total or len(results), f"validate {table.file}")
    return results


def write_batches(
    store: GraphStore,
    results: Sequence[Validated],
    *,
    batch_size: int = 50_000,
    progress: Progress | None = None,
    release: bool = False,
) -> dict[str, int]:
    """Write accepted rows in batches of at most ``batch_size``, in the order given; rows written per name.

    ``release`` (``results`` a list): each result's rows are let go once
    written (its batch left empty, its report and rejects kept), so a large
    load does not hold every validated table beside the graph it has become.
    """
    total = sum(r.accepted for r in results)
    done = 0
    written: dict[str, int] = {}
    for i, result in enumerate(results):
        batch = result.batch
        frame = batch.frame
        for start in range(0, len(frame), batch_size):
            chunk = frame.iloc[start : start + batch_size].reset_index(drop=True)
            count = store.write(RecordBatch(batch.what, batch.name, chunk, ends_checked=True))
            written[batch.name] = written.get(batch.name, 0) + int(count)
            done += len(chunk)
            if progress is not None:
                progress(done, total, f"write {batch.name}")
        if release and isinstance(results, list):
            results[i] = Validated(RecordBatch(batch.what, batch.name, frame.iloc[:0]), result.rejects, result.report)
            del batch, frame, result
    return written


def read_and_validate(
    store: GraphStore | None,
    paths_or_directory: str | Path | Iterable[str | Path],
    *,
    strict: bool = False,
    schema: Schema | None = None,
    progress: Progress | None = None,
    keep_zeros: bool = False,
) -> tuple[list[Validated], LoadReport]:
    """Steps 1 and 2 of a load: every file read and validated, and the report; nothing written.

    ``store`` (may be None for a graph that starts empty) answers whether a
    relationship end not in these files is already in the graph. In strict
    mode any reject raises :class:`~graph.errors.LoadRefused`.
    """
    schema = store.schema if store is not None else (schema or load_schema())
    sources, ignored = find_sources(paths_or_directory, schema)

    def tables() -> Iterator[RawTable]:
        for i, source in enumerate(sources):
            if progress is not None:
                progress(i, len(sources), f"read {source.shown}")
            if source.mapped is not None:
                yield source.mapped.table((source.what, source.name), schema)
                continue
            yield read_table(
                source.path, source.what, source.name, sheet=source.sheet, schema=schema, file=source.shown
            )

    with gc_paused():  # millions of values read and checked, no garbage cycles
        results = validate_tables(
            tables(), store, schema=schema, total=len(sources), progress=progress, keep_zeros=keep_zeros
        )
    report = LoadReport(ignored_files=ignored, strict=strict)
    report.extend((r.report for r in results), (x for r in results for x in r.rejects))
    if strict and not report.ok:
        counts = {"rejected": f"{report.rejected:,}", "rows": f"{report.rows_read:,}", "dropped": f"{report.dropped:,}"}
        raise LoadRefused(Message("load.refused", **counts), report)
    return results, report


def load_files(
    store: GraphStore,
    paths_or_directory: str | Path | Iterable[str | Path],
    *,
    strict: bool = False,
    batch_size: int = 50_000,
    progress: Progress | None = None,
    keep_zeros: bool = False,
) -> LoadReport:
    """Read, validate and write table files into ``store``; return the report.

    ``strict``: refuse the whole load (raise :class:`~graph.errors.LoadRefused`,
    a ``LoadRejected`` with ``.report``) when any row is rejected, writing
    nothing. Otherwise bad rows are reported and skipped. ``keep_zeros``: store
    zero amounts as zero instead of unknown. LoadError when a
    file cannot be read or lacks a required column, before anything is written.
    """
    if batch_size < 1:
        raise InvalidParameter("batch_size", f"must be at least 1, got {batch_size}")
    # nothing is written before every file has been read and validated
    results, report = read_and_validate(
        store, paths_or_directory, strict=strict, progress=progress, keep_zeros=keep_zeros
    )
    report.written = write_batches(store, results, batch_size=batch_size, progress=progress, release=True)
    store.finish_load()
    return report


def replace_files(
    store: GraphStore,
    paths_or_directory: str | Path | Iterable[str | Path],
    *,
    strict: bool = False,
    batch_size: int = 50_000,
    progress: Progress | None = None,
    keep_zeros: bool = False,
) -> tuple[GraphStore, LoadReport]:
    """Replace the graph in ``store`` by the table files; the store now holding it, and the report.

    Checks everything before anything changes: a file named one by one
    that gives no table guanxi can load (:func:`named_but_unusable`: a load
    would leave it out, a replace would drop that kind of data from the
    graph), a file that cannot be read (LoadError), a strict-mode reject
    (LoadRefused), or a
    relationship whose end is not in the new files (rejected, since the old
    graph goes away) leave ``store`` exactly as it was. The new graph is then
    written inside ``store.replacing()``: if a write fails, the error is
    raised and the old graph stays (see each store's ``replacing`` for the
    details). The returned store may be a new object (the embedded store
    builds the new graph apart); the caller uses it from then on and saves it.
    ``keep_zeros`` as for :func:`load_files`.
    """
    if batch_size < 1:
        raise InvalidParameter("batch_size", f"must be at least 1, got {batch_size}")
    unusable = named_but_unusable(paths_or_directory, store.schema)
    if unusable:
        raise LoadError(Message("load.replace_refused", files=tuple(unusable)))
    results, report = read_and_validate(
        None, paths_or_directory, strict=strict, schema=store.schema, progress=progress, keep_zeros=keep_zeros
    )
    with store.replacing() as target:
        report.written = write_batches(target, results, batch_size=batch_size, progress=progress, release=True)
        target.finish_load()
    return target, report


def named_but_unusable(paths: str | Path | Iterable[str | Path], schema: Schema | None = None) -> list[str]:
    """The files named one by one (not found in a folder) that give no table, as ``"name (reason)"``.

    A load leaves them out and says so; a replace refuses them
    (:func:`replace_files`). Files in a named folder that are not tables
    are ordinary (a folder may hold other files) and not listed here.
    """
    schema = schema or load_schema()
    names = file_names(schema)
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    out: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_file():
            found, skipped = _sources_of(path, schema, names)
            if not found:
                out += skipped
    return out
