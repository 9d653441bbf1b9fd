"""Load table files into a store: find them, read and validate them all, then write.

:func:`load_files` takes a directory, one file or several. Files are known by
their name: the ``file:`` stem in schema.yaml (``companies.csv``,
``equity.xlsx``, ...), the Chinese name (``企业.csv``, ``股权.xlsx``, ...) or the
label / type name; a workbook whose own name is none of these is read sheet
by sheet, each sheet known by the same names.

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

>>> names = file_names(load_schema())
>>> names["companies"], names["股权"], names["园区"], names["入园"]
(('nodes', 'Company'), ('edges', 'HOLDS_SHARES'), ('nodes', 'Park'), ('edges', 'LOCATED_IN'))
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InvalidParameter, LoadError, LoadRefused
from graph.model import RecordBatch
from graph.schema import Schema, load_schema
from graph.store import GraphStore
from loaders.read import EXCEL_SUFFIXES, TABLE_SUFFIXES, RawTable, What, read_table, sheet_names
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

    @property
    def shown(self) -> str:
        """How reports name it: ``companies.csv`` or ``data.xlsx[企业]``."""
        return f"{self.path.name}[{self.sheet}]" if self.sheet is not None else self.path.name


def _expected(schema: Schema) -> str:
    files = [label.file for label in schema.labels.values()] + [k.file for k in schema.kinds.values()]
    zh = [label.zh for label in schema.labels.values()] + [k.zh for k in schema.kinds.values()]
    return f"{', '.join([*files, schema.clients.file])} (or {', '.join(dict.fromkeys([*zh, schema.clients.zh]))})"


def _sources_of(path: Path, schema: Schema, names: dict[str, tuple[What, str]]) -> tuple[list[Source], list[str]]:
    """The tables of one file and the sheets of it that are not tables."""
    target = names.get(_stem_key(path.stem))
    if target is not None:
        return [Source(path, target[0], target[1])], []
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return [], [path.name]
    found: list[Source] = []
    ignored: list[str] = []
    for sheet in sheet_names(path):
        target = names.get(_stem_key(sheet))
        if target is None:
            ignored.append(f"{path.name}[{sheet}]")
        else:
            found.append(Source(path, target[0], target[1], sheet))
    if not found:
        return [], [path.name]
    return found, ignored


def find_sources(
    paths: str | Path | Iterable[str | Path], schema: Schema | None = None
) -> tuple[list[Source], list[str]]:
    """The tables to load from a directory, a file or several, in load order; and the names not recognised.

    In a directory, table files with unknown names are listed as ignored;
    a file named explicitly that holds no known table raises LoadError.
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
                if not file.is_file() or file.name.startswith((".", "~$")) or file.suffix.lower() not in TABLE_SUFFIXES:
                    continue
                found, skipped = _sources_of(file, schema, names)
                sources += found
                ignored += skipped
        elif path.is_file():
            found, skipped = _sources_of(path, schema, names)
            if not found:
                raise LoadError(f"{path}: cannot tell what this file holds; name it one of {_expected(schema)}")
            sources += found
            ignored += skipped
        else:
            raise LoadError(f"{path}: no such file or directory")
    if not sources:
        where = ", ".join(str(Path(p)) for p in items) or "(nothing given)"
        raise LoadError(f"{where}: no table files found; expected names: {_expected(schema)}")
    labels = list(schema.labels)
    kinds = list(schema.kinds)

    def order(source: Source) -> tuple[int, int]:
        within = labels.index(source.name) if source.what == "nodes" else 0
        if source.what == "edges":
            within = kinds.index(source.name)
        return _ORDER[source.what], within

    unique: dict[tuple[Path, str | None], Source] = {}
    for source in sources:  # a file named twice is loaded once
        unique.setdefault((source.path.resolve(), source.sheet), source)
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
    store: GraphStore, results: Sequence[Validated], *, batch_size: int = 50_000, progress: Progress | None = None
) -> dict[str, int]:
    """Write accepted rows in batches of at most ``batch_size``, in the order given; rows written per name."""
    total = sum(r.accepted for r in results)
    done = 0
    written: dict[str, int] = {}
    for result in results:
        batch = result.batch
        frame = batch.frame
        for start in range(0, len(frame), batch_size):
            chunk = frame.iloc[start : start + batch_size].reset_index(drop=True)
            count = store.write(RecordBatch(batch.what, batch.name, chunk, ends_checked=True))
            written[batch.name] = written.get(batch.name, 0) + int(count)
            done += len(chunk)
            if progress is not None:
                progress(done, total, f"write {batch.name}")
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
            yield read_table(
                source.path, source.what, source.name, sheet=source.sheet, schema=schema, file=source.shown
            )

    results = validate_tables(
        tables(), store, schema=schema, total=len(sources), progress=progress, keep_zeros=keep_zeros
    )
    report = LoadReport(ignored_files=ignored, strict=strict)
    report.extend((r.report for r in results), (x for r in results for x in r.rejects))
    if strict and not report.ok:
        raise LoadRefused(
            f"load refused (strict mode): {report.rejected:,} of {report.rows_read:,} rows rejected, "
            f"{report.dropped:,} values dropped; nothing was written\n{report.summary('en')}",
            report,
        )
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
    report.written = write_batches(store, results, batch_size=batch_size, progress=progress)
    store.finish_load()
    return report
