"""Files for ``neo4j-admin database import full``: the fast first load of a large graph into Neo4j.

Why: a load through Cypher (``guanxi load --backend neo4j``, batched
``UNWIND ... MERGE`` in transactions) is limited by the server's
transactional storage engine (locks, commands, index updates per
relationship); on a 2-core machine that is some 20,000-40,000 relationships
a second however the statements are shaped (docs/benchmarks.md). Neo4j's
offline importer writes the store files directly and is an order of
magnitude faster, so for the first load of a big graph, or a full reload
into a database that may be replaced, guanxi prepares its input:

* the tables are read and validated exactly as ``guanxi load`` does (same
  rejects, same report, ``strict`` refuses the whole export);
* each label and relationship type becomes one CSV file whose rows carry the
  very properties a Cypher load stores, bookkeeping included (``_id``,
  ``_key``, ``_strength`` from the warmth weights, ``_seq`` in load order,
  the search copies, ``_loops``), plus the client flags on companies and the
  store's meta node, so the imported database is indistinguishable from one
  loaded through Cypher, answers included;
* the meta node says the schema is still to be made: the first time a
  :class:`~graph.neo4j_store.Neo4jStore` connects it creates the constraints
  and indexes and waits until they are online (:meth:`Neo4jStore.prepare`).

:meth:`ImportFiles.admin_args` gives the command's arguments. The database
must be stopped (Community) or new; ``--overwrite-destination`` replaces it.
Later loads go through ``guanxi load`` as usual (idempotent ``MERGE``).

>>> from graph.schema import load_schema
>>> _neo4j_type(pd.Series([0.5, None]), "ratio")
'double'
>>> _neo4j_type(pd.Series([("a", "b"), None], dtype=object), "tags")
'string[]'
"""

from __future__ import annotations

import os
import shlex
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graph import cypher
from graph.errors import InvalidParameter, LoadError
from graph.messages import Message
from graph.model import RecordBatch
from graph.neo4j_rows import edge_columns, node_columns
from graph.records import client_columns
from graph.schema import Schema, load_schema
from graph.warmth import Weights, load_weights
from loaders.pipeline import Progress, read_and_validate
from loaders.report import LoadReport

#: separates the items of a list property inside one CSV field (list items never contain it:
#: the loaders split lists on it)
ARRAY_DELIMITER = ";"
#: the property the meta node carries while its constraints and indexes are still to be made
#: (read by :data:`graph.cypher.SCHEMA_PENDING`)
SCHEMA_PENDING = "schema_pending"


@dataclass
class ImportFiles:
    """What :func:`export_for_import` wrote: one file per label and relationship type, and the report."""

    directory: Path
    nodes: dict[str, Path]
    relationships: dict[str, Path]
    node_count: int
    relationship_count: int
    report: LoadReport
    counts: dict[str, int] = field(default_factory=dict)
    #: files with a line break inside a value (the importer reads only these multi-line)
    multiline: list[Path] = field(default_factory=list)

    def admin_args(self, database: str = "neo4j", folder: str | None = None) -> list[str]:
        """Arguments of ``neo4j-admin`` that import these files into ``database``, replacing it.

        ``folder``: where the Neo4j server sees this export's folder, when it
        is not here (a container's ``/import``, another machine).
        """
        if not database or any(c.isspace() for c in database):
            raise InvalidParameter("database", f"not a database name: {database!r}")
        if folder is not None and not folder.strip():
            raise InvalidParameter("folder", "an empty folder name")

        def where(path: Path) -> str:
            return str(path) if folder is None else f"{folder.rstrip('/')}/{path.name}"

        args = ["database", "import", "full"]
        args += [f"--nodes={label}={where(path)}" for label, path in self.nodes.items()]
        args += [f"--relationships={type_}={where(path)}" for type_, path in self.relationships.items()]
        args.append(f"--array-delimiter={ARRAY_DELIMITER}")
        if self.multiline:  # the whole import parsed multi-line (slower): v2's per-file list trips on large files
            args.append("--multiline-fields=true")
        args += ["--overwrite-destination=true", database]
        return args

    def command(self, database: str = "neo4j", neo4j_admin: str = "neo4j-admin", folder: str | None = None) -> str:
        """The shell command: ``neo4j-admin database import full --nodes=... neo4j``."""
        return shlex.join([neo4j_admin, *self.admin_args(database, folder)])


# -- column formatting ------------------------------------------------------------
def _neo4j_type(column: pd.Series, name: str) -> str:
    """The importer's type for a column of stored values: long, double, boolean, string or string[].

    Decided from the values, as the Cypher load stores them (Python int, float,
    bool, str, tuple); a column mixing kinds it cannot store alike is an error.
    """
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if pd.api.types.is_integer_dtype(column):
        return "long"
    if pd.api.types.is_float_dtype(column):
        return "double"
    inferred = pd.api.types.infer_dtype(column, skipna=True)
    simple = {"string": "string", "empty": "string", "boolean": "boolean", "integer": "long", "floating": "double"}
    if inferred in simple:
        return simple[inferred]
    kinds = {k for k in (_kind(v) for v in column.dropna().tolist()) if k is not None}
    if len(kinds) == 1:
        return kinds.pop()
    mixed = ", ".join(sorted(str(k) for k in kinds)) or inferred
    raise LoadError(Message("load.import_mixed", column=repr(name), kinds=mixed))


def _kind(value: object) -> str | None:
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int | np.integer):
        return "long"
    if isinstance(value, float | np.floating):
        return "double"
    if isinstance(value, tuple | list):
        return "string[]"
    if isinstance(value, str):
        return "string"
    return None


_ARROW_TYPES = {"double": pa.float64(), "long": pa.int64(), "boolean": pa.bool_(), "string": pa.string()}


def _cells(column: pd.Series, kind: str, name: str) -> pa.Array:
    """A column as the importer reads it: nulls for missing values, lists joined by :data:`ARRAY_DELIMITER`."""
    if kind == "string[]":
        joined: list[str | None] = []
        for items in column.tolist():
            if not isinstance(items, tuple | list):
                joined.append(None)
                continue
            texts = [str(i) for i in items]
            if any(ARRAY_DELIMITER in t for t in texts):
                said = Message(
                    "load.import_delimiter", column=repr(name), delimiter=repr(ARRAY_DELIMITER), items=repr(items)
                )
                raise LoadError(said)
            joined.append(ARRAY_DELIMITER.join(texts))
        return pa.array(joined, type=pa.string())
    if kind == "long":
        column = column.astype("Int64")
    elif kind == "boolean" and not pd.api.types.is_bool_dtype(column):
        column = column.astype("boolean")
    return pa.array(column, type=_ARROW_TYPES[kind], from_pandas=True)


def _write_csv(table: pa.Table, path: Path, multiline: list[Path]) -> None:
    """Write an importer table (headers already typed), atomically: a temporary file renamed.

    A file with a line break inside a value goes on ``multiline``: only then
    does the importer need its slower multi-line parsing.
    """
    tmp = path.with_name(path.name + ".tmp")
    pacsv.write_csv(table, tmp, pacsv.WriteOptions(include_header=True, delimiter=","))
    os.replace(tmp, path)
    for column in table.columns:
        if pa.types.is_string(column.type) and pc.any(pc.match_substring(column, "\n")).as_py():
            multiline.append(path)
            return


def _header(name: str, kind: str) -> str:
    """``ratio:double``; the id column ``_id:ID``; the ends of a relationship as they are."""
    if name.startswith(":"):
        return name
    if name == cypher.ID:
        return f"{name}:ID"
    return name if kind == "string" else f"{name}:{kind}"


def _table(columns: dict[str, pd.Series]) -> pa.Table:
    """Columns (missing values as NaN/None) as an importer table with typed headers.

    A property no row has is left out, as the Cypher load never stores it.
    """
    arrays: list[pa.Array] = []
    names: list[str] = []
    for name, column in columns.items():
        if name.startswith(":"):
            kind = "string"
        elif not column.notna().any():
            continue
        else:
            kind = _neo4j_type(column, name)
        arrays.append(_cells(column, kind, name))
        names.append(_header(name, kind))
    return pa.Table.from_arrays(arrays, names=names)


# -- the tables ---------------------------------------------------------------------
def _node_columns(schema: Schema, batch: RecordBatch, seq_start: int) -> dict[str, pd.Series]:
    """The nodes' stored properties (:func:`graph.neo4j_rows.node_columns`) and their creation order."""
    out = node_columns(schema, batch.name, batch.frame)
    out[cypher.SEQ] = pd.Series(np.arange(seq_start, seq_start + len(batch.frame), dtype=np.int64))
    return out


def export_for_import(
    paths_or_directory: str | Path | Iterable[str | Path],
    out_dir: str | Path,
    *,
    schema: Schema | None = None,
    weights: Weights | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportFiles:
    """Validate table files as ``guanxi load`` does and write them as ``neo4j-admin`` import files.

    ``out_dir`` is created if missing; files of an earlier export there are
    replaced. Returns what was written; :meth:`ImportFiles.command` is the
    command to run. LoadError / LoadRefused as :func:`loaders.pipeline.load_files`.
    """
    schema = schema or load_schema()
    weights = weights or load_weights()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidParameter("out_dir", f"{out} is a file, not a folder")
    results, report = read_and_validate(None, paths_or_directory, strict=strict, schema=schema, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()

    seq = 0
    node_tables: dict[str, dict[str, pd.Series]] = {}
    edge_tables: dict[str, list[dict[str, pd.Series]]] = {}
    clients: list[pd.DataFrame] = []
    loops: dict[str, int] = {}
    counts: dict[str, int] = {}
    for result in results:
        batch = result.batch
        if batch.frame.empty:
            continue
        counts[batch.name] = counts.get(batch.name, 0) + len(batch.frame)
        if batch.what == "nodes":
            columns = _node_columns(schema, batch, seq)
            if batch.name in node_tables:  # a label in several files: stacked, in load order
                prior = node_tables[batch.name]
                names = list(dict.fromkeys([*prior, *columns]))
                n_prior, n_new = len(next(iter(prior.values()))), len(batch.frame)
                columns = {
                    c: pd.concat(
                        [
                            prior.get(c, pd.Series([None] * n_prior, dtype=object)),
                            columns.get(c, pd.Series([None] * n_new, dtype=object)),
                        ],
                        ignore_index=True,
                    )
                    for c in names
                }
            node_tables[batch.name] = columns
            seq += len(batch.frame)
        elif batch.what == "edges":
            columns, seq = _edge_columns(schema, weights, batch, seq, loops)
            edge_tables.setdefault(batch.name, []).append(columns)
        else:
            clients.append(batch.frame)

    if clients and "Company" in node_tables:
        _apply_clients(node_tables["Company"], pd.concat(clients, ignore_index=True))
    for columns in node_tables.values():
        if loops:
            ids = columns[cypher.ID]
            counted = ids.map(loops)
            if counted.notna().any():
                columns[cypher.LOOPS] = counted.astype("Int64")

    nodes: dict[str, Path] = {}
    multiline: list[Path] = []
    node_count = 0
    for label, columns in node_tables.items():
        table = _table(columns)
        path = out / f"nodes_{label}.csv"
        _write_csv(table, path, multiline)
        nodes[label] = path
        node_count += table.num_rows
    meta = _table(
        {
            cypher.ID: pd.Series([cypher.META_ID]),
            "epoch": pd.Series([str(uuid.uuid4())]),
            "seq": pd.Series([seq], dtype="int64"),
            "version": pd.Series([1], dtype="int64"),
            "weights": pd.Series([weights.digest]),
            SCHEMA_PENDING: pd.Series([True]),
        }
    )
    meta_path = out / "nodes_meta.csv"
    _write_csv(meta, meta_path, multiline)
    nodes[cypher.META_LABEL] = meta_path
    relationships: dict[str, Path] = {}
    rel_count = 0
    for type_, parts in edge_tables.items():
        names = list(dict.fromkeys(c for p in parts for c in p))
        stacked = {
            c: pd.concat(
                [p.get(c, pd.Series([None] * len(p[":START_ID"]), dtype=object)) for p in parts], ignore_index=True
            )
            for c in names
        }
        table = _table(stacked)
        path = out / f"relationships_{type_}.csv"
        _write_csv(table, path, multiline)
        relationships[type_] = path
        rel_count += table.num_rows
    report.written = counts
    return ImportFiles(out, nodes, relationships, node_count, rel_count, report, counts, multiline)


def _edge_columns(
    schema: Schema, weights: Weights, batch: RecordBatch, seq: int, loops: dict[str, int]
) -> tuple[dict[str, pd.Series], int]:
    """The relationships' stored properties (:func:`graph.neo4j_rows.edge_columns`), their ends as the
    importer names them and their creation order; counts each node's relationships to itself."""
    columns = edge_columns(schema, weights, batch.name, batch.frame)
    src, dst = columns.pop("source"), columns.pop("target")
    out = {":START_ID": src, ":END_ID": dst, **columns}
    out[cypher.SEQ] = pd.Series(np.arange(seq, seq + len(src), dtype=np.int64))
    for node in src[src == dst].tolist():
        loops[node] = loops.get(node, 0) + 1
    return out, seq + len(src)


def _apply_clients(companies: dict[str, pd.Series], frame: pd.DataFrame) -> None:
    """Set the client list's properties (:func:`graph.records.client_columns`) on the company rows;
    a client value replaces a company column of the same name where given, as in a Cypher load."""
    ids, columns = client_columns(frame)
    position = pd.Series(np.arange(len(companies[cypher.ID])), index=companies[cypher.ID].tolist())
    missing = [w for w in ids if w not in position.index]
    if missing:
        raise LoadError(Message("load.import_clients", count=len(missing), example=str(missing[0])))
    rows = position.loc[ids].to_numpy()
    for prop, column in columns.items():
        values = pd.Series([None] * len(position), dtype=object)
        values.iloc[rows] = column.astype(object).where(column.notna(), None).tolist()
        if prop in companies:
            values = values.where(values.notna(), companies[prop])
        companies[prop] = values
