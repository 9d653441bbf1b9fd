"""The embedded store: a NetworkX MultiDiGraph in the process, no server.

Nodes are keyed by ``"Label:key"`` and carry ``label``, ``key``, ``name`` and
their properties; relationships carry ``type`` and their properties, keyed by
``"TYPE|identity"`` so that writing the same row twice updates in place.
Path search runs on a compact numpy index (:mod:`graph.search_index`) built
from the graph on first use and dropped whenever the graph changes.

The whole store saves to one file and reopens from it, so a large graph is
built once. The file is data only — numeric arrays and Arrow tables under a
checked JSON manifest (:mod:`graph.store_file` for the container,
:mod:`graph.embedded_file` for its sections) — so opening a crafted file runs
nothing; the saved search index is used as it is when the warmth settings are
the same. Saves are atomic and take the file's writer lock
(:class:`graph.store_file.WriterLock`); :meth:`EmbeddedStore.open_for_writing`
takes it before reading, so two loads into one file run one after the other.
Opening decodes nothing (:class:`graph.embedded_file.FileGraph`): the search
index is memory-mapped, ids are found by binary search on the saved id
order, names by scanning the file's name columns, and a node's or
relationship's properties are read when a query touches it. Path queries,
look-ups, search, neighbourhoods (:meth:`EmbeddedStore.edges_of`), one
label's nodes, some types' relationships, degrees and counts all run on the
file; the NetworkX graph — still the analysis and writing API — is built
once when something needs all of it (:attr:`EmbeddedStore.graph`).

A load into a file store never builds it: while the graph is not built,
:meth:`EmbeddedStore.write` keeps the load's batches and :meth:`EmbeddedStore.save`
writes the file from them and the old file's columns
(:mod:`graph.columnar_store`), the same file the graph would have given;
anything that reads before the save writes the kept batches into the graph first.

>>> store = EmbeddedStore()
>>> store.stats().node_count
0
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast, overload

import numpy as np

from graph.embedded_file import Contents, FileGraph, bitmap, int_values, one_chunk, save_graph, true_positions
from graph.errors import InvalidParameter, StoreError
from graph.gc_pause import gc_paused
from graph.identifiers import identifier_forms
from graph.model import Edge, GraphStats, Node, PathQuery, RecordBatch, node_id
from graph.model import Path as GPath
from graph.records import RESERVED, client_columns, edge_choice_key, edge_keys, plain_value, present, row_props
from graph.schema import Schema, SchemeSpec
from graph.search_index import SearchIndex, local_bounds, top_paths
from graph.sorting import stable_order
from graph.store import GraphStore
from graph.store_file import WriterLock, file_stamp, lock_timeout, not_a_store
from graph.warmth import Weights, path_warmth, rank_key
from queries.search import Candidate, Neighbour, NodeInfo, SearchSpec, SearchSteps, rank_candidates, top_candidates

if TYPE_CHECKING:  # NetworkX and pandas are imported where used: a path query on an opened file needs neither
    import networkx as nx
    import pandas as pd


def _add_edges(
    graph: nx.MultiDiGraph, src: list[str], dst: list[str], keys: list[str], rows: list[dict[str, Any]]
) -> int:
    """``graph.add_edges_from`` for edges whose ends exist, without its per-edge view lookups.

    Does what MultiDiGraph.add_edge does with an explicit key: the key dict
    of (u, v) is shared by the successor and predecessor maps; an existing
    key's attributes are updated, a new key is added. About four times
    faster at millions of relationships. Returns how many relationships are new.
    """
    added = 0
    succ, pred = graph._succ, graph._pred
    for u, v, key, attrs in zip(src, dst, keys, rows, strict=True):
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = graph.edge_key_dict_factory()
            succ[u][v] = keydict
            pred[v][u] = keydict
        old = keydict.get(key)
        if old is None:
            keydict[key] = attrs
            added += 1
        else:
            old.update(attrs)
    cache = getattr(graph, "__networkx_cache__", None)
    if cache:
        cache.clear()  # what add_edge does: cached backend conversions are stale now
    return added


def _fill(
    rows: list[dict[str, Any]], frame: pd.DataFrame, columns: Sequence[str], shared: dict[Any, Any] | None = None
) -> None:
    """Add each column's present values to the row dicts, column by column (fast for big batches).

    Values of a column that repeats (dates, regions, statuses, roles) are
    shared through ``shared``, so a million rows hold a few thousand strings,
    not a million copies.
    """
    for col in columns:
        series = frame[col]
        at, values = present_values(series)
        if not values:
            continue
        text_like = series.dtype == object or series.dtype.kind == "M"
        if text_like and shared is not None and len(values) > 64 and len(set(values[:1000])) < 500:
            values = [shared.setdefault((type(v), v), v) for v in values]  # 1 and 1.0 and True stay apart
        for i, v in zip(at.tolist(), values, strict=True):
            rows[i][col] = v


def present_values(series: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """The rows of a column that hold a value, and those values as stored (plain Python values).

    The one conversion both writing paths use: the NetworkX graph's
    attribute dicts (:func:`_fill`) and the columnar file writer
    (:mod:`graph.columnar_store`).
    """
    mask = series.notna().to_numpy()
    if not mask.any():
        return np.zeros(0, dtype=np.int64), []
    values = series[mask].tolist()
    plain = series.dtype == object and set(map(type, values)) <= {str, int, float, bool}  # at C speed
    if not plain and (series.dtype == object or series.dtype.kind == "M"):
        values = [v if type(v) is str else plain_value(v) for v in values]
    return np.flatnonzero(mask), values


def key_ranks(table: Mapping[str, int]) -> np.ndarray:
    """Each key code's rank among the key texts: the order parallel relationships take in the index.

    >>> key_ranks({"SUPPLIES": 0, "PAYS|2024": 1}).tolist()
    [1, 0]
    """
    ranks = np.empty(len(table), dtype=np.int64)
    ranks[[code for _, code in sorted(table.items())]] = np.arange(len(table), dtype=np.int64)
    return ranks


class _EdgeMirror:
    """A columnar copy of every relationship written (ends, type, key, strength).

    The search index is built from these numpy arrays instead of walking the
    NetworkX graph, which is what makes building it at a million companies
    take seconds. A relationship written twice appears twice here; the index
    keeps the last copy.
    """

    def __init__(self) -> None:
        self.src: list[np.ndarray] = []
        self.dst: list[np.ndarray] = []
        self.key_ids: list[np.ndarray] = []
        self.types: list[np.ndarray] = []
        self.strengths: list[np.ndarray] = []
        self.key_table: dict[str, int] = {}

    def append(self, src: np.ndarray, dst: np.ndarray, keys: list[str], type_idx: int, strengths: np.ndarray) -> None:
        table = self.key_table
        ids = [table.setdefault(k, len(table)) for k in keys]
        self.src.append(np.asarray(src, dtype=np.int64))
        self.dst.append(np.asarray(dst, dtype=np.int64))
        self.key_ids.append(np.array(ids, dtype=np.int64))
        self.types.append(np.full(len(src), type_idx, dtype=np.int8))
        self.strengths.append(np.asarray(strengths, dtype=float))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(source positions, target positions, type indexes, strengths), one row per distinct relationship."""
        if not self.src:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.int8), np.zeros(0, dtype=float)
        src = np.concatenate(self.src)
        dst = np.concatenate(self.dst)
        keys = np.concatenate(self.key_ids)
        types = np.concatenate(self.types)
        strengths = np.concatenate(self.strengths)
        # keep the last write of each (source, target, key); parallel relationships in the order of their
        # key texts, not of first writes, so a store saved again from its file lists them the same way
        order = np.lexsort((np.arange(len(src)), key_ranks(self.key_table)[keys], dst, src))
        s, d, k = src[order], dst[order], keys[order]
        last = np.ones(len(order), dtype=bool)
        last[:-1] = (s[1:] != s[:-1]) | (d[1:] != d[:-1]) | (k[1:] != k[:-1])
        keep = order[last]
        # compact the parts so a store that is written and saved again stays small
        self.src, self.dst = [src[keep]], [dst[keep]]
        self.key_ids, self.types, self.strengths = [keys[keep]], [types[keep]], [strengths[keep]]
        return src[keep], dst[keep], types[keep], strengths[keep]


class EmbeddedStore(GraphStore):
    """Graph store on NetworkX, with a numpy index for fast path search."""

    backend = "embedded"

    def __init__(self, schema: Schema | None = None, weights: Weights | None = None) -> None:
        super().__init__(schema, weights)
        self._graph: nx.MultiDiGraph | None = None  # made on first use
        self._file: FileGraph | None = None  # an opened file, not yet built into NetworkX
        self._building = threading.Lock()
        self._index: SearchIndex | None = None
        self._names: _NameIndex | None = None
        self._type_order = {t: i for i, t in enumerate(self.schema.types)}
        self._mirror_data: _EdgeMirror | None = _EdgeMirror()  # None: still in the opened file
        self._version = 0
        # node ids in insertion order (positions in the search index) and their positions; on an opened
        # file, views that read the file (binary search) until the graph is built
        self._ids: Sequence[str] = []
        self._pos: Mapping[str, int] = {}
        self._shared: dict[Any, Any] = {}
        self.path: Path | None = None
        self._lock: WriterLock | None = None
        self._stamp: tuple[int, int, int, int] | None = None  # the file version this store holds
        #: batches written to a file store before its graph was needed: :meth:`save` writes the file from
        #: them without building the graph (:mod:`graph.columnar_store`); anything that reads first writes
        #: them into the graph (:meth:`_settle`)
        self._staged: list[RecordBatch] = []
        self._settled = False

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The NetworkX graph: every node and relationship with its properties (built on first use after open)."""
        if self._staged:
            self._settle()
        graph = self._graph
        if graph is None:
            with self._building:
                if self._graph is None:
                    self._graph = self._build()
                graph = self._graph
        return graph

    @graph.setter
    def graph(self, graph: nx.MultiDiGraph) -> None:
        self._staged = []
        self._graph = graph
        self._file = None
        self._changed()

    def _build(self) -> nx.MultiDiGraph:
        """The graph of the opened file (every node and relationship decoded), or a new empty one."""
        import networkx as nx

        fg = self._file
        if fg is None:
            return nx.MultiDiGraph()
        c = fg.contents()
        pos = dict(zip(c.ids, range(len(c.ids)), strict=True))
        if len(pos) != len(c.ids):
            raise not_a_store(c.file, "two of its nodes have the same id")
        graph = _graph_of(c)
        if self._mirror_data is None:
            self._mirror_data = _mirror_of(c, self._type_order)
        self._ids, self._pos, self._file = c.ids, pos, None
        return graph

    @property
    def _mirror(self) -> _EdgeMirror:
        """The columnar copy of the relationships (read from the file with the graph, on first use)."""
        if self._mirror_data is None:
            self.graph  # noqa: B018 - building the graph fills the mirror
        assert self._mirror_data is not None
        return self._mirror_data

    @_mirror.setter
    def _mirror(self, mirror: _EdgeMirror) -> None:
        self._mirror_data = mirror

    def _lazy(self) -> FileGraph | None:
        """The opened file while the graph is not built (reads then come from the file's columns)."""
        if self._staged:
            self._settle()
        return self._file if self._graph is None else None

    def _settle(self) -> None:
        """Write the batches kept for a columnar save into the graph: something needs the graph now."""
        staged, self._staged = self._staged, []
        if not staged:
            return
        self._settled = True  # the graph is wanted: no batch is kept from now on
        self.graph  # noqa: B018 - built first (empty, or the opened file's), so the batches go into it
        for batch in staged:
            self.write(batch)

    def _keeps(self, batch: RecordBatch) -> bool:
        """Whether a batch is kept for the columnar save instead of written into the graph.

        Only for a file store whose graph is not built (a load into a file),
        and only batches whose relationship ends and client companies the
        loader has found already (:attr:`RecordBatch.ends_checked`).
        """
        if self.path is None or not (batch.what == "nodes" or batch.ends_checked):
            return False
        graph = self._graph
        if graph is not None and self._file is None and not self._settled and not graph and not graph.graph:
            self._graph = None  # an empty graph made by a look-up (a load's name search): nothing to keep
        return self._graph is None

    def _attrs(self, nid: str) -> dict[str, Any]:
        """A node's attribute dict (the graph's own, or decoded from the file without building the graph)."""
        fg = self._lazy()
        if fg is not None:
            return fg.node(self._pos[nid])
        attrs: dict[str, Any] = self.graph.nodes[nid]
        return attrs

    def _node_items(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """(id, attributes) of every node in position order."""
        items: Iterable[tuple[str, dict[str, Any]]] = self.graph.nodes(data=True)
        return items

    # -- persistence -----------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, schema: Schema | None = None, weights: Weights | None = None) -> EmbeddedStore:
        """Reopen a store saved with :meth:`save` (no lock: readers see the last complete save).

        StoreUnavailable with one line if the file is missing, was written by
        an older guanxi, or is damaged or not a store at all; nothing in the
        file is executed.
        """
        file = Path(path)
        stamp = file_stamp(file)
        store = cls._from_file(FileGraph.open(file), schema, weights)
        store.path = file
        store._stamp = stamp
        return store

    @classmethod
    def open_for_writing(
        cls,
        path: str | Path,
        schema: Schema | None = None,
        weights: Weights | None = None,
        *,
        fresh: bool = False,
        timeout: float | None = None,
    ) -> EmbeddedStore:
        """Take the file's writer lock, then open it (empty if missing, or with ``fresh``).

        The lock is held until :meth:`save` completes or :meth:`close`: a
        second writer waits for it (``timeout`` seconds, GUANXI_LOCK_TIMEOUT
        or 10 minutes) and then reads the first writer's result, or fails
        with one line naming the file and the holder's pid.
        """
        file = Path(path)
        lock = WriterLock(file)
        lock.acquire(lock_timeout() if timeout is None else timeout)
        try:
            if fresh or file_stamp(file) is None:
                store = cls(schema, weights)
                store.path = file
                store._stamp = file_stamp(file)
            else:
                store = cls.open(file, schema, weights)
        except BaseException:
            lock.release()
            raise
        store._lock = lock
        return store

    @classmethod
    def _from_file(cls, fg: FileGraph, schema: Schema | None, weights: Weights | None) -> EmbeddedStore:
        """A store reading an opened file: nothing decoded, the saved index and bounds used if still valid.

        Under other warmth settings the strengths are recomputed from the
        relationships, which builds the graph.
        """
        store = cls(schema, weights)
        store._file = fg
        store._ids, store._pos = _Ids(fg), _Positions(fg)
        store._mirror_data = None
        if fg.weights == store.weights.digest:
            if fg.index_types == list(store.schema.types):
                store._index = _index_from_file(fg, store._ids, store._pos, store.schema.types)
                if fg.bounds is not None:  # the default filter's bounds, computed when the file was saved
                    key, cost, hops = fg.bounds
                    store._index._bounds[key] = (cost, hops)
        else:  # other warmth settings: strengths are recomputed from the graph
            graph = store.graph
            store._mirror = _mirror_from_graph(graph, store._pos, store.weights, store._type_order)
        return store

    def save(self, path: str | Path | None = None) -> Path:
        """Write the store to ``path`` atomically under the file's writer lock, then let the next writer in.

        Temporary files of saves that were killed are removed; a failed save
        leaves the previous file as it was (StoreError).
        """
        file = Path(path) if path is not None else self.path
        if file is None:
            raise InvalidParameter("path", "no file to save to")
        lock = self._lock if self._lock is not None and self._lock.file == file else WriterLock(file)
        try:
            lock.acquire(lock_timeout())
            if self._graph is None and (self._staged or self._file is not None):  # from the columns, no graph
                from graph.columnar_store import write_columnar

                with gc_paused():  # millions of short-lived values and no garbage cycles
                    write_columnar(file, self._file, self._staged, self.schema, self.weights)
                self._adopt(type(self)._from_file(FileGraph.open(file), self.schema, self.weights))
                self.path = file
                self._stamp = file_stamp(file)
                return file
            index = self.index()
            graph = self.graph
            assert isinstance(self._ids, list) and isinstance(self._pos, dict)  # built with the graph
            save_graph(
                file,
                graph,
                self._ids,
                self._pos,
                self._strengths,
                index,
                self.weights.digest,
                self.default_bounds(),
            )
        finally:
            lock.release()
            if lock is self._lock:
                self._lock = None
        self.path = file
        self._stamp = file_stamp(file)
        return file

    @contextmanager
    def replacing(self) -> Iterator[EmbeddedStore]:
        """A new, empty store that takes this one's file and writer lock for the block.

        The caller saves the new store (to this store's file, under the lock
        it inherited) and uses it from then on; if the block fails, the lock
        comes back here and this store and its file are untouched.
        """
        fresh = type(self)(self.schema, self.weights)
        fresh.path, fresh._lock, self._lock = self.path, self._lock, None
        try:
            yield fresh
        except BaseException:
            self._lock, fresh._lock = fresh._lock, None
            raise

    @contextmanager
    def writing(self, *, save: bool = True) -> Iterator[EmbeddedStore]:
        """Hold the writer lock around changes (and save them at the end when ``save`` and no error).

        If another process saved the file since this store read it, the
        store first reloads that newer version, so its changes are not lost.
        Without ``save`` (or without a file) no lock is taken.
        """
        if not save or self.path is None:
            yield self
            return
        file = self.path
        if self._lock is None:
            lock = WriterLock(file)
            lock.acquire(lock_timeout())
            self._lock = lock
        try:
            stamp = file_stamp(file)
            if stamp is not None and stamp != self._stamp:
                self._adopt(EmbeddedStore.open(file, self.schema, self.weights))
            yield self
            self.save()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def _adopt(self, other: EmbeddedStore) -> None:
        """Take over another store's contents (a newer version of the same file)."""
        self._staged = []
        self._graph, self._file = other._graph, other._file
        self._mirror_data, self._ids, self._pos = other._mirror_data, other._ids, other._pos
        self._stamp = other._stamp
        self._shared = {}
        self._changed()
        self._index = other._index

    def verify(self) -> None:
        """Check the store's file whole: every section's checksum, every value and relationship (``guanxi doctor``).

        Opening a large file checks only what queries rely on (see
        :meth:`graph.store_file.StoreFile.open`); this reads everything, as
        opening a small file does. StoreUnavailable with one line if damaged.
        """
        if self.path is not None and file_stamp(self.path) is not None:
            _check_relationships(FileGraph.open(self.path, verify=True).contents())

    def close(self) -> None:
        """Release the writer lock if this store holds it (unsaved changes are not written)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _strengths(self, src: np.ndarray, dst: np.ndarray, keys: list[str], types: list[str]) -> np.ndarray:
        """Each relationship's strength, in the order given, as the search index used it (from the mirror)."""
        self._mirror.arrays()  # compacts the mirror to one part, one row per relationship
        table = self._mirror.key_table
        key_ids = np.fromiter((table.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        parts = self._mirror
        if len(parts.src) == 1 and len(parts.src[0]) == len(keys) and not bool(np.any(key_ids < 0)):
            m_src, m_dst, m_key, m_str = parts.src[0], parts.dst[0], parts.key_ids[0], parts.strengths[0]
            om = np.lexsort((m_key, m_dst, m_src))
            og = np.lexsort((key_ids, dst, src))
            if (
                np.array_equal(m_src[om], src[og])
                and np.array_equal(m_dst[om], dst[og])
                and np.array_equal(m_key[om], key_ids[og])
            ):
                out = np.empty(len(keys), dtype=float)
                out[og] = m_str[om]
                return out
        # the mirror and the graph disagree (cannot happen through the public methods): compute afresh
        graph, ids = self.graph, self._ids
        return np.array(
            [
                self.weights.strength(t, graph[ids[u]][ids[v]][k])
                for u, v, k, t in zip(src.tolist(), dst.tolist(), keys, types, strict=True)
            ],
            dtype=float,
        )

    # -- writing ---------------------------------------------------------------
    def write(self, batch: RecordBatch) -> int:
        if self._keeps(batch):
            from graph.columnar_store import check_batch

            check_batch(batch, self.schema)
            self._staged.append(batch)
            self._changed()
            return len(batch.frame)
        self.graph  # noqa: B018 - writing needs the graph (an opened file's is built now)
        with gc_paused(freeze=True):  # the graph's containers live on
            if batch.what == "nodes":
                written = self._write_nodes(batch.name, batch.frame)
            elif batch.what == "edges":
                written = self._write_edges(batch.name, batch.frame)
            elif batch.what == "clients":
                written = self._write_clients(batch.frame)
            else:  # pragma: no cover - RecordBatch's type forbids it
                raise InvalidParameter("batch.what", f"unknown batch kind {batch.what!r}")
        self._changed()
        return written

    def clear(self) -> None:
        import networkx as nx

        self.graph = nx.MultiDiGraph()
        self._mirror = _EdgeMirror()
        self._ids, self._pos, self._shared = [], {}, {}
        self._changed()

    def _changed(self) -> None:
        self._index = None
        self._names = None
        self._version += 1

    def version(self) -> object:
        return (id(self), self._version)

    def _write_nodes(self, label: str, frame: pd.DataFrame) -> int:
        spec = self.schema.label(label)
        if spec.key not in frame.columns:
            raise InvalidParameter("batch", f"a {label} batch needs its key column {spec.key!r}")
        keys = [str(k) for k in frame[spec.key].tolist()]
        names = frame[spec.name_property].tolist() if spec.name_property in frame else [None] * len(frame)
        rows: list[dict[str, Any]] = [
            {"label": label, "key": k, "name": str(n) if present(n) else k} for k, n in zip(keys, names, strict=True)
        ]
        _fill(rows, frame, [str(c) for c in frame.columns if c not in RESERVED], self._shared)
        pos, ids = self._pos, self._ids
        assert isinstance(pos, dict) and isinstance(ids, list)  # the graph is built (write)
        graph = self.graph
        # what add_nodes_from does, keeping our attribute dicts instead of copying them
        node, succ, pred = graph._node, graph._succ, graph._pred
        for key, attrs in zip(keys, rows, strict=True):
            nid = node_id(label, key)
            old = node.get(nid)
            if old is None:
                node[nid] = attrs
                succ[nid] = graph.adjlist_inner_dict_factory()
                pred[nid] = graph.adjlist_inner_dict_factory()
                pos[nid] = len(ids)
                ids.append(nid)
            else:
                old.update(attrs)
        cache = getattr(graph, "__networkx_cache__", None)
        if cache:
            cache.clear()
        return len(keys)

    def _write_edges(self, type_: str, frame: pd.DataFrame) -> int:
        spec = self.schema.kind(type_)
        for col in ("source", "target"):
            if col not in frame.columns:
                raise InvalidParameter("batch", f"a {type_} batch needs a {col!r} column")
        pos, ids = self._pos, self._ids
        src_pos = [pos.get(n, -1) for n in frame["source"].astype(str).tolist()]
        dst_pos = [pos.get(n, -1) for n in frame["target"].astype(str).tolist()]
        graph = self.graph
        missing = sorted(
            {str(n) for n, p in zip(frame["source"], src_pos, strict=True) if p < 0}
            | {str(n) for n, p in zip(frame["target"], dst_pos, strict=True) if p < 0}
        )
        if missing:
            raise StoreError(
                f"{type_}: {len(missing)} relationship ends are not in the graph (e.g. {', '.join(missing[:3])}); "
                "nothing of this batch was written"
            )
        strengths = self.weights.strengths(spec.type, frame)
        stamp = graph.graph.get("weights")
        if stamp is None:
            graph.graph["weights"] = self.weights.digest
        elif stamp != self.weights.digest:
            graph.graph["weights"] = "stale"  # older edges carry other strengths
        keys = edge_keys(spec.type, frame, spec.identity)
        rows: list[dict[str, Any]] = [{"type": spec.type} for _ in range(len(frame))]
        columns = [str(c) for c in frame.columns if c not in ("source", "target") and c not in RESERVED]
        _fill(rows, frame, columns, self._shared)
        # the graph's own id strings, not per-row copies: one string per node however many edges it has
        src = [ids[p] for p in src_pos]
        dst = [ids[p] for p in dst_pos]
        _add_edges(graph, src, dst, keys, rows)
        self._mirror.append(np.array(src_pos), np.array(dst_pos), keys, self._type_order[spec.type], strengths)
        return len(src)

    def _write_clients(self, frame: pd.DataFrame) -> int:
        ids, columns = client_columns(frame)
        missing = [n for n in ids if n not in self._pos]
        if missing:
            raise StoreError(f"clients: {len(missing)} companies are not in the graph (e.g. {missing[0]})")
        for nid, attrs in zip(ids, row_props(columns), strict=True):
            self.graph.nodes[nid].update(attrs)
        return len(ids)

    # -- reading ---------------------------------------------------------------
    def _node(self, nid: str) -> Node:
        return _node_of(nid, self._attrs(nid))

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        self._settle()
        fg = self._lazy()
        if fg is not None:  # the rows read from the file's columns in one go, not one by one
            found = {nid: p for nid in ids if type(nid) is str and (p := fg.position(nid)) is not None}
            rows = fg.nodes_at(list(found.values()))
            return {nid: _node_of(nid, attrs) for nid, attrs in zip(found, rows, strict=True)}
        return {nid: self._node(nid) for nid in ids if nid in self._pos}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        self._settle()
        pos = self._pos
        return {nid for nid in ids if nid in pos}

    def find_nodes(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        query = text.strip()
        if not query:
            raise InvalidParameter("text", "empty search text")
        if limit < 1:
            raise InvalidParameter("limit", "must be at least 1")
        fg = self._lazy()
        if fg is not None:  # scans the file's name columns: no index of every name to build first
            found = _FileNames(fg, self.schema.schemes).search(query, limit, tuple(labels) if labels else None)
            return [self._node(nid) for nid in found]
        if self._names is None:
            self._names = _NameIndex.build(self._node_items(), self.schema.schemes)
        hits = self._names.search(query, limit, tuple(labels) if labels else None)
        return [self._node(nid) for nid in hits]

    def _edge(self, u: str, v: str, key: str, attrs: Mapping[str, Any]) -> Edge:
        props = {k: v for k, v in attrs.items() if k != "type"}
        props["_key"] = key
        return Edge(
            type=attrs["type"], source=u, target=v, props=props, strength=self.weights.strength(attrs["type"], props)
        )

    def edges_of(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        wanted = set(types) if types else None
        seen: set[tuple[str, str, str]] = set()
        out: list[Edge] = []
        fg = self._lazy()
        if fg is not None:  # a neighbourhood from the file's columns, without building the graph
            out = [self._edge(u, v, key, attrs) for u, v, key, attrs in _file_incident(fg, ids, wanted)]
            ids = []
        for nid in ids:
            if nid not in self.graph:
                continue
            for u, v, key, attrs in _incident(self.graph, nid):
                if (wanted is None or attrs["type"] in wanted) and (u, v, key) not in seen:
                    seen.add((u, v, key))
                    out.append(self._edge(u, v, key, attrs))
        out.sort(key=lambda e: (self._type_order.get(e.type, 99), e.source, e.target, str(e.props.get("_key"))))
        return out

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        fg = self._lazy()
        if fg is not None and label is not None:  # one label's table decoded, without building the graph
            if label in fg.labels:
                yield from _file_nodes(fg, fg.labels.index(label))
            return
        for nid, attrs in self._node_items():
            if label is None or attrs["label"] == label:
                yield self._node(nid)

    def iter_edges(self, types: Sequence[str] | None = None) -> Iterator[Edge]:
        wanted = set(types) if types else None
        fg = self._lazy()
        if fg is not None and wanted is not None:  # those types' tables decoded, without building the graph
            for u, v, key, attrs in _file_edges(fg, wanted):
                yield self._edge(u, v, key, attrs)
            return
        for u, v, key, attrs in self.graph.edges(keys=True, data=True):
            if wanted is None or attrs["type"] in wanted:
                yield self._edge(u, v, key, attrs)

    def degrees(self, ids: Sequence[str]) -> dict[str, int]:
        if self._graph is None and self._index is not None:  # a store just opened: the saved index knows them
            degree, pos = self._index.degree, self._pos
            return {nid: int(degree[pos[nid]]) for nid in ids if nid in pos}
        return {nid: int(self.graph.degree(nid)) for nid in ids if nid in self.graph}

    def strong_components(self, types: Sequence[str], min_size: int = 2) -> list[list[str]]:
        """Every strongly connected component of at least ``min_size`` nodes of the relationships of ``types``.

        Each component's ids sorted; relationships taken in their direction, one from
        a node to itself ignored. The native step of
        :func:`queries.guarantees.guarantee_circles` (see :func:`queries.common.native`):
        read from the relationship columns as arrays, so an opened file's
        relationships are not decoded, only the members' ids.
        """
        fg = self._lazy()
        if fg is not None:
            src, dst, _ = fg.edge_arrays()
            rows = fg.type_rows([j for j, t in enumerate(fg.types) if t in set(types)])
            src, dst = src[rows], dst[rows]
        else:
            src, dst, codes, _ = self._mirror.arrays()
            keep = np.isin(codes, [self._type_order[t] for t in types if t in self._type_order])
            src, dst = src[keep], dst[keep]
        loops = src == dst
        groups = _strong_groups(src[~loops], dst[~loops], max(2, min_size))
        if not groups:
            return []
        flat = np.concatenate(groups)
        ids = fg.ids_at(flat) if fg is not None else [self._ids[p] for p in flat.tolist()]
        out: list[list[str]] = []
        at = 0
        for group in groups:
            out.append(sorted(ids[at : at + len(group)]))
            at += len(group)
        return out

    def stats(self) -> GraphStats:
        nodes: dict[str, int] = dict.fromkeys(self.schema.labels, 0)
        clients = 0
        rels: dict[str, int] = dict.fromkeys(self.schema.types, 0)
        fg = self._lazy()
        if fg is not None and self._index is not None:  # counted from the file's columns and saved index
            for i, label in enumerate(fg.labels):
                nodes[label] = nodes.get(label, 0) + fg.label_count(i)
            clients = int(np.count_nonzero(self._index.is_client))
            type_codes = fg.edge_arrays()[2]
            counts = np.bincount(type_codes, minlength=len(fg.types))
            for t, count in zip(fg.types, counts.tolist(), strict=True):
                rels[t] = rels.get(t, 0) + count
            return GraphStats(nodes=nodes, relationships=rels, clients=clients)
        for _, attrs in self._node_items():
            nodes[attrs["label"]] = nodes.get(attrs["label"], 0) + 1
            clients += bool(attrs.get("is_client"))
        for _, _, t in self.graph.edges(data="type"):
            rels[t] = rels.get(t, 0) + 1
        return GraphStats(nodes=nodes, relationships=rels, clients=clients)

    # -- path search -------------------------------------------------------------
    def index(self) -> SearchIndex:
        """The search index, built from the graph on first use."""
        if self._index is None:
            if self.graph.graph.get("weights") not in (None, self.weights.digest):  # (an opened store has an index)
                self._mirror = _mirror_from_graph(self.graph, self._pos, self.weights, self._type_order)
            graph = self.graph
            assert isinstance(self._ids, list) and isinstance(self._pos, dict)  # built with the graph
            self._index = build_index(graph, self._ids, self._pos, self._mirror, self.schema.types, self.weights)
        return self._index

    def top_paths(self, query: PathQuery) -> list[GPath]:
        return self.search_paths(query)

    def search_paths(self, query: PathQuery, *, native: bool = True) -> list[GPath]:
        """:meth:`top_paths` by the numpy array search (``native``) or by the one generic search of
        :mod:`queries.search` over this store's index: the property tests prove the two equal."""
        steps = self.search_steps(query)
        spec = SearchSpec(query.target, query.k, query.max_hops, query.min_warmth)
        candidates = top_candidates(steps, spec, native=native)  # ranked, ties ordered, cut to k
        paths = self._build_paths(steps, candidates)
        paths.sort(key=lambda p: rank_key(p.warmth, p.ids))
        return paths

    def path_candidates(self, query: PathQuery) -> list[Candidate]:
        """What :meth:`top_paths` finds, in its order, not built: each path's node ids and exact warmth.

        The hook :mod:`queries.ranking` uses to build only the paths an answer
        keeps (the introducers' rules drop most of what it asks for): the
        warmth is the one the built path gets (the same hop strengths and
        discounts multiplied in the same order), so the order is the same.
        """
        steps = self.search_steps(query)
        return top_candidates(steps, SearchSpec(query.target, query.k, query.max_hops, query.min_warmth))

    def build_paths(self, query: PathQuery, candidates: Sequence[Candidate]) -> list[GPath]:
        """The paths of ``candidates`` (from :meth:`path_candidates` of ``query``), built in the order given."""
        return self._build_paths(self.search_steps(query), candidates)

    def node_names(self, ids: Sequence[str]) -> dict[str, str]:
        """The name of each of ``ids`` in the graph, read without decoding the nodes' other properties."""
        fg = self._lazy()
        if fg is None:
            return {nid: self._attrs(nid)["name"] for nid in ids if nid in self._pos}
        found = {nid: p for nid in ids if type(nid) is str and (p := fg.position(nid)) is not None}
        return dict(zip(found, fg.names_at(list(found.values())), strict=True))

    def out_counts(self, ids: Sequence[str], type_: str) -> dict[str, int]:
        """How many relationships of ``type_`` leave each of ``ids`` (the stakes a holder holds), counted from
        the relationship arrays: nothing decoded (a fund or a commission holds thousands)."""
        fg = self._lazy()
        if fg is None:
            graph = self.graph
            return {
                nid: sum(1 for _, _, t in graph.out_edges(nid, data="type") if t == type_)
                for nid in ids
                if nid in graph
            }
        codes = fg.edge_arrays()[2]
        code = fg.types.index(type_) if type_ in fg.types else -1
        out: dict[str, int] = {}
        for nid in ids:
            p = fg.position(nid) if type(nid) is str else None
            if p is not None:
                rows = fg.out_rows(p)
                out[nid] = int(np.count_nonzero(codes[rows] == code)) if rows else 0
        return out

    def _build_paths(self, steps: _Steps, candidates: Sequence[Candidate]) -> list[GPath]:
        steps.read_ahead(candidates)
        types = steps.query.types
        return [self._materialise(c.ids, types, steps.idx, steps.hop_edge, steps.node) for c in candidates]

    def search_steps(self, query: PathQuery) -> _Steps:
        """The search's seam over this store's index for ``query`` (checked: target and kinds exist)."""
        idx = self.index()
        if query.target not in idx.pos:
            raise InvalidParameter("target", f"{query.target!r} is not in the graph")
        unknown = [t for t in query.types if t not in self._type_order]
        if unknown:
            raise InvalidParameter("types", f"unknown relationship types {unknown}")
        return _Steps(self, idx, query)

    def _hop_edge(self, a: str, b: str, allowed: Container[str]) -> Edge:
        """The relationship the hop ``a``-``b`` uses: of the ``allowed`` types, the one
        :func:`graph.records.edge_choice_key` picks (the strongest)."""
        fg = self._lazy()
        if fg is not None:  # only the allowed rows made into relationships; the ends' ids are a and b
            ends = {self._pos[a]: a, self._pos[b]: b}
            options = [
                self._edge(ends[u], ends[v], fg.edge_key(e), attrs)
                for u, v, e in fg.between(self._pos[a], self._pos[b])
                if (attrs := fg.edge(e))["type"] in allowed
            ]
        else:
            options = [
                self._edge(u, v, key, attrs)
                for (u, v) in ((a, b), (b, a))
                if self.graph.has_edge(u, v)
                for key, attrs in self.graph[u][v].items()
                if attrs["type"] in allowed
            ]
        return min(options, key=lambda e: edge_choice_key(e, self._type_order))

    def _filter_arrays(
        self, idx: SearchIndex, query: PathQuery, key: tuple[object, ...]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_source_arrays` of a query, cached in the index under its filter ``key``."""
        cached = idx._sources.get(key)
        if cached is None:
            cached = self._source_arrays(idx, query)
            if len(idx._sources) >= 64:
                idx._sources.pop(next(iter(idx._sources)))
            idx._sources[key] = cached
        return cached

    def default_filter(self) -> PathQuery:
        """The filter of a query with every default (the kinds walked in paths, the warmth file's
        exclusions), any target.

        Its search bounds are saved with the store, so a new process does
        not compute them again for the most common query.
        """
        return PathQuery(
            target="(any)",
            types=self.schema.flagged("in_paths"),
            exclude_statuses=tuple(self.weights.exclude_statuses),
            exclude_blacklisted=self.weights.exclude_blacklisted,
        )

    def default_bounds(self) -> tuple[tuple[object, ...], np.ndarray, np.ndarray]:
        """The default filter's key and its search bounds (cost, hops), computed now if not cached."""
        idx = self.index()
        query = self.default_filter()
        key = _filter_key(query)
        sources, _, interior_ok, type_mask = self._filter_arrays(idx, query, key)
        cost, hops = idx.bounds(key, sources, interior_ok, type_mask)
        return key, cost, hops

    @staticmethod
    def _source_arrays(idx: SearchIndex, query: PathQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sources, a source mask, the permitted-interior mask and the type mask of a query (cached per filter)."""
        excluded = idx.excluded_mask(query.exclude_statuses, query.exclude_blacklisted)
        if query.sources == "clients":
            mask = idx.is_client & ~excluded
            if query.manager is not None:
                mask &= idx.manager == query.manager
            if query.branch is not None:
                mask &= idx.branch == query.branch
            sources = np.flatnonzero(mask)
        else:
            missing = [s for s in query.sources if s not in idx.pos]
            if missing:
                raise InvalidParameter("sources", f"not in the graph: {', '.join(missing)}")
            sources = np.array(sorted({idx.pos[s] for s in query.sources}), dtype=np.int64)
        is_source = np.zeros(len(idx.ids), dtype=bool)
        is_source[sources] = True
        interior_ok = ~excluded & ~is_source
        type_mask = np.array([t in query.types for t in idx.types], dtype=bool)
        for arr in (sources, is_source, interior_ok, type_mask):
            arr.setflags(write=False)
        return sources, is_source, interior_ok, type_mask

    def _materialise(
        self,
        ids: Sequence[str],
        types: Sequence[str],
        idx: SearchIndex,
        hop_edge: Callable[[str, str], Edge] | None = None,
        node: Callable[[str], Node] | None = None,
    ) -> GPath:
        """The path through ``ids`` (source first): its nodes (``node``, which a search may have made
        already, or :meth:`_node`), each hop's relationship (``hop_edge``, or :meth:`_hop_edge`) and its warmth."""
        if hop_edge is None:
            allowed = set(types)

            def hop_edge(a: str, b: str) -> Edge:
                return self._hop_edge(a, b, allowed)

        nodes = tuple(map(node or self._node, ids))
        edges = [hop_edge(a, b) for a, b in itertools.pairwise(ids)]
        # degrees from the index: graph.degree() walks every neighbour of a hub
        discounts = [self.weights.discount(int(idx.degree[idx.pos[nid]])) for nid in ids[1:-1]]
        warmth = path_warmth([e.strength for e in edges], discounts)
        return GPath(nodes=nodes, edges=tuple(edges), warmth=warmth)


class _Steps(SearchSteps):
    """The search's seam over the embedded index for one query.

    :meth:`native_top_k` is the numpy array search (:func:`graph.search_index.top_paths`,
    A* in cost space with Dijkstra bounds); :meth:`expand` serves the generic search of
    :mod:`queries.search` from the same arrays. Both rank their candidates on exact
    warmth (:meth:`hop_strength` reads the relationships: ``exp(-cost)`` is not exact)
    and build only ``k``.
    """

    def __init__(self, store: EmbeddedStore, idx: SearchIndex, query: PathQuery) -> None:
        super().__init__(store.weights)
        self.store = store
        self.idx = idx
        self.query = query
        self.key = _filter_key(query)
        self.sources, self.is_source, self.interior_ok, self.type_mask = store._filter_arrays(idx, query, self.key)
        self._allowed = frozenset(query.types)
        self._edges: dict[frozenset[str], Edge] = {}  # hops looked up: ranking the candidates, then building k
        self._best: np.ndarray | None = None
        self._strengths: dict[tuple[int, int], float] = {}  # hops' exact strengths read from an opened file
        self._nodes: dict[str, Node] = {}

    def _best_strengths(self) -> np.ndarray:
        """Per node, its strongest relationship of the query's kinds (0 when it has none)."""
        if self._best is None:
            idx = self.idx
            masked = np.where(self.type_mask[idx.etype], idx.ecost, np.inf)
            mins = np.full(len(idx.ids), np.inf)
            starts = idx.indptr[:-1]
            rows = starts < idx.indptr[1:]
            if bool(rows.any()):
                mins[rows] = np.minimum.reduceat(masked, starts[rows])
            self._best = np.exp(-mins)
        return self._best

    def _info(self, u: int) -> NodeInfo:
        idx = self.idx
        best = float(self._best_strengths()[u]) * (1.0 + 1e-12)  # exp(-cost) may fall a hair under the strength
        return NodeInfo(bool(self.is_source[u]), bool(self.interior_ok[u]), int(idx.degree[u]), best)

    def expand(self, ids: Sequence[str]) -> list[Neighbour]:
        idx = self.idx
        out: list[Neighbour] = []
        for nid in ids:
            v = idx.pos[nid]
            lo, hi = idx.indptr[v], idx.indptr[v + 1]
            cheapest: dict[int, float] = {}
            for u, t, c in zip(
                idx.nbr[lo:hi].tolist(), idx.etype[lo:hi].tolist(), idx.ecost[lo:hi].tolist(), strict=True
            ):
                if self.type_mask[t] and (u not in cheapest or c < cheapest[u]):
                    cheapest[u] = c
            for u, c in cheapest.items():
                out.append(Neighbour(nid, idx.ids[u], math.exp(-c), self._info(u)))
        return out

    def hop_edge(self, a: str, b: str) -> Edge:
        """The relationship of the hop ``a``-``b``, looked up once per search."""
        pair = frozenset((a, b))
        hit = self._edges.get(pair)
        if hit is None:
            hit = self._edges[pair] = self.store._hop_edge(a, b, self._allowed)
        return hit

    def node(self, nid: str) -> Node:
        """The node ``nid``, made once per search (the paths of one answer share most of their nodes)."""
        hit = self._nodes.get(nid)
        if hit is None:
            hit = self._nodes[nid] = self.store._node(nid)
        return hit

    def read_ahead(self, candidates: Sequence[Candidate]) -> None:
        """Decode the nodes and hop relationships of the paths about to be built, each table's rows in one go
        (an opened file; reading them one row at a time costs a column look-up per property)."""
        fg = self.store._lazy()
        if fg is None or not candidates:
            return
        pos = self.idx.pos
        nodes = sorted({pos[nid] for c in candidates for nid in c.ids})
        fg.nodes_at(nodes)
        pairs = {(pos[a], pos[b]) for c in candidates for a, b in itertools.pairwise(c.ids)}
        fg.edges_at(sorted({e for a, b in pairs for _, _, e in fg.between(a, b)}))

    def hop_strength(self, a: str, b: str) -> float:
        fg = self.store._lazy()
        if fg is None:
            return self.hop_edge(a, b).strength
        return self._file_strength(fg, self.idx.pos[a], self.idx.pos[b])

    def _file_strength(self, fg: FileGraph, a: int, b: int) -> float:
        """The hop's exact strength from an opened file's saved strengths: the strongest allowed relationship
        joining positions ``a`` and ``b`` is the one :meth:`hop_edge` picks, so no row is decoded."""
        pair = (a, b) if a < b else (b, a)
        if pair not in self._strengths:
            self._read_strengths(fg, {pair})
        hit = self._strengths[pair]
        if hit <= 0:  # the search only walks allowed relationships
            raise StoreError(f"no relationship of the query's kinds joins nodes {a} and {b}")
        return hit

    def _read_strengths(self, fg: FileGraph, pairs: set[tuple[int, int]]) -> None:
        """:meth:`_file_strength` of many hops (position pairs, smaller first) at once, remembered."""
        todo = [pair for pair in pairs if pair not in self._strengths]
        if not todo:
            return
        allowed = np.array([t in self._allowed for t in fg.types], dtype=bool)
        a = np.array([x for x, _ in todo], dtype=np.int64)
        b = np.array([y for _, y in todo], dtype=np.int64)
        self._strengths.update(zip(todo, fg.strongest(a, b, allowed).tolist(), strict=True))

    def _bounds_key(self, max_hops: int) -> tuple[object, ...]:
        """The key of search bounds valid for this query in the index's cache, computed now if there are none.

        The filter's whole-graph bounds when known (the default filter's are
        saved with the store); otherwise bounds local to the sources for
        paths of ``max_hops`` hops (:func:`graph.search_index.local_bounds`):
        a one-off filter (``connect``'s one source, one manager's clients)
        then reads the nodes near its sources instead of running a Dijkstra
        over the whole graph. Both are lower bounds, so the answers are the same.
        """
        idx = self.idx
        if self.key in idx._bounds:
            return self.key
        local = (*self.key, ("within", max_hops - 1))
        if local not in idx._bounds:
            budget = 2 * len(idx.nbr)  # past this, the whole-graph Dijkstra costs about the same
            found = local_bounds(idx, self.sources, self.interior_ok, self.type_mask, max_hops - 1, budget)
            if found is None:
                return self.key
            idx.remember_bounds(local, found)
        return local

    def native_top_k(self, spec: SearchSpec) -> list[Candidate]:
        idx = self.idx
        max_cost = math.inf if spec.min_warmth <= 0 else -math.log(spec.min_warmth)
        found = top_paths(
            idx,
            idx.pos[spec.target],
            self.sources,
            self.is_source,
            self.interior_ok,
            self.type_mask,
            self._bounds_key(spec.max_hops),
            spec.max_hops,
            spec.k,
            max_cost,
        )
        # the tie tail: every path tied with the k-th is ordered on exact warmth before any is built;
        # degrees from the index (graph.degree() walks a hub's every neighbour)
        # (each position's id read once; the callbacks go back to positions through this map, not a look-up)
        ids = {p: idx.ids[p] for f in found for p in f.nodes}
        where = {nid: p for p, nid in ids.items()}
        fg = self.store._lazy()
        if fg is not None:  # every hop's exact strength read in one go
            hops = {(a, b) if a < b else (b, a) for f in found for a, b in itertools.pairwise(f.nodes)}
            self._read_strengths(fg, hops)

        def strength(a: str, b: str) -> float:
            return self.hop_edge(a, b).strength if fg is None else self._file_strength(fg, where[a], where[b])

        return rank_candidates(
            ([ids[p] for p in f.nodes] for f in found),
            strength,
            lambda nid: int(idx.degree[where[nid]]),
            self.weights,
            spec.k,
            spec.min_warmth,
        )


def _strong_groups(src: np.ndarray, dst: np.ndarray, min_size: int) -> list[np.ndarray]:
    """The strongly connected components of at least ``min_size`` nodes of the directed edges ``src`` -> ``dst``
    (node positions), by SciPy over just those edges."""
    if not len(src):
        return []
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    nodes, at = np.unique(np.concatenate([src, dst]), return_inverse=True)
    m, k = len(src), len(nodes)
    matrix = csr_matrix((np.ones(m, dtype=np.int32), (at[:m], at[m:])), shape=(k, k))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    big = np.flatnonzero(np.bincount(labels) >= min_size)
    if not len(big):
        return []
    chosen = np.flatnonzero(np.isin(labels, big))
    order = chosen[np.argsort(labels[chosen], kind="stable")]
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [nodes[part] for part in np.split(order, cuts)]


def _node_of(nid: str, attrs: Mapping[str, Any]) -> Node:
    """A node from its attribute dict (``label``, ``key``, ``name`` and its properties)."""
    props = {k: v for k, v in attrs.items() if k not in ("label", "key", "name")}
    return Node(id=nid, label=attrs["label"], key=attrs["key"], name=attrs["name"], props=props)


def _check_relationships(c: Contents) -> None:
    """Refuse a file that lists a relationship twice or splits a pair's relationships (NetworkX never does)."""
    check_edge_order(c.file, len(c.ids), c.src, c.dst, c.key_codes)


def check_edge_order(file: Path, n: int, src: np.ndarray, dst: np.ndarray, key_codes: np.ndarray) -> None:
    """:func:`_check_relationships` on a file's relationship arrays (``key_codes``: one code per distinct key)."""
    m = len(src)
    codes = src * n + dst  # n < 2**31 (int32 neighbours), so no overflow
    order = np.lexsort((key_codes, codes))
    sorted_codes = codes[order]
    if m > 1:
        same_pair = sorted_codes[1:] == sorted_codes[:-1]
        if bool(np.any(same_pair & (key_codes[order][1:] == key_codes[order][:-1]))):
            raise not_a_store(file, "it lists a relationship twice")
        runs = 1 + int(np.count_nonzero(codes[1:] != codes[:-1]))
        if runs != m - int(np.count_nonzero(same_pair)):
            raise not_a_store(file, "its relationships are not in graph order")


def _graph_of(c: Contents) -> nx.MultiDiGraph:
    """The NetworkX graph of a decoded file (nodes in position order, relationships in the file's order)."""
    import networkx as nx

    _check_relationships(c)
    graph = nx.MultiDiGraph()
    with gc_paused(freeze=True):
        node, succ, pred = graph._node, graph._succ, graph._pred
        node.update(zip(c.ids, c.nodes, strict=True))
        for nid in c.ids:
            succ[nid] = {}
            pred[nid] = {}
        _adjacency(graph, c.ids, c.src, c.dst, c.keys, c.edges)
    graph.graph.update(c.graph_attrs)
    return graph


def _mirror_of(c: Contents, type_order: Mapping[str, int]) -> _EdgeMirror:
    """The columnar relationship copy of a decoded file (its strengths are the reader's: same warmth digest)."""
    type_map = np.array([type_order.get(t, len(type_order)) for t in c.types], dtype=np.int8)
    mirror = _EdgeMirror()
    mirror.src, mirror.dst = [np.array(c.src, dtype=np.int64)], [np.array(c.dst, dtype=np.int64)]
    mirror.key_ids, mirror.types = [c.key_codes], [type_map[c.type_codes] if len(c.types) else c.type_codes]
    mirror.strengths = [np.array(c.strength, dtype=float)]
    mirror.key_table = {k: i for i, k in enumerate(c.key_table)}
    return mirror


class _Ids(Sequence[str]):
    """The node ids of an opened file in position order, read from its key column when asked for."""

    def __init__(self, fg: FileGraph) -> None:
        self._fg = fg

    def __len__(self) -> int:
        return self._fg.n

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        n = self._fg.n
        if isinstance(index, slice):
            return self._fg.ids_at(range(*index.indices(n)))
        p = int(index) + n if index < 0 else int(index)
        if not 0 <= p < n:
            raise IndexError(index)
        return self._fg.id_at(p)

    def __iter__(self) -> Iterator[str]:
        step = 65_536
        for lo in range(0, self._fg.n, step):
            yield from self._fg.ids_at(range(lo, min(lo + step, self._fg.n)))


class _Positions(Mapping[str, int]):
    """Node id -> position of an opened file, by binary search on the file's saved id order (no dict of every id)."""

    def __init__(self, fg: FileGraph) -> None:
        self._fg = fg

    def __getitem__(self, nid: str) -> int:
        p = self._fg.position(nid) if type(nid) is str else None
        if p is None:
            raise KeyError(nid)
        return p

    def __contains__(self, nid: object) -> bool:
        return type(nid) is str and self._fg.position(nid) is not None

    def __len__(self) -> int:
        return self._fg.n

    def __iter__(self) -> Iterator[str]:
        return iter(_Ids(self._fg))


def _file_incident(
    fg: FileGraph, ids: Sequence[str], wanted: set[str] | None
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(source, target, key, attributes) of the relationships touching ``ids``, each once, read from the file."""
    src, dst, _ = fg.edge_arrays()
    codes = None if wanted is None else [j for j, t in enumerate(fg.types) if t in wanted]
    rows = fg.incident_rows([p for nid in ids if type(nid) is str and (p := fg.position(nid)) is not None], codes)
    found = rows.tolist()
    us, vs = fg.ids_at(src[rows]), fg.ids_at(dst[rows])
    return list(zip(us, vs, fg.edge_keys_at(found), fg.edges_at(found), strict=True))


def _file_nodes(fg: FileGraph, label: int) -> Iterator[Node]:
    """The nodes of one label in position order, that label's property table decoded in one go."""
    name = fg.labels[label]
    for nid, attrs in zip(*fg.label_nodes(label), strict=True):
        props = {k: v for k, v in attrs.items() if k not in ("label", "key", "name")}
        yield Node(id=nid, label=name, key=attrs["key"], name=attrs["name"], props=props)


def _file_edges(fg: FileGraph, wanted: set[str]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(source, target, key, attributes) of every relationship of the wanted types, in the file's order."""
    src, dst, _ = fg.edge_arrays()
    parts = [fg.edges_of_type(j) for j, t in enumerate(fg.types) if t in wanted]
    if not parts:
        return
    rows = np.concatenate([r for r, _, _ in parts])
    keys = [k for _, ks, _ in parts for k in ks]
    attrs = [a for _, _, rs in parts for a in rs]
    order = np.argsort(rows, kind="stable").tolist()
    us, vs = fg.ids_at(src[rows[order]]), fg.ids_at(dst[rows[order]])
    for u, v, i in zip(us, vs, order, strict=True):
        yield u, v, keys[i], attrs[i]


def _filter_key(query: PathQuery) -> tuple[object, ...]:
    """What decides a query's sources, permitted nodes and kinds: the key its cached arrays and bounds go under."""
    return (
        query.sources if query.sources == "clients" else tuple(sorted(query.sources)),
        query.manager,
        query.branch,
        tuple(sorted(query.types)),
        tuple(sorted(query.exclude_statuses)),
        query.exclude_blacklisted,
    )


def _incident(graph: nx.MultiDiGraph, nid: str) -> Iterator[tuple[str, str, str, Mapping[str, Any]]]:
    for _, v, key, attrs in graph.out_edges(nid, keys=True, data=True):
        yield nid, v, key, attrs
    for u, _, key, attrs in graph.in_edges(nid, keys=True, data=True):
        yield u, nid, key, attrs


def _mirror_from_graph(
    graph: nx.MultiDiGraph, pos: Mapping[str, int], weights: Weights, type_order: Mapping[str, int]
) -> _EdgeMirror:
    """Rebuild the columnar edge copy from the graph (after a change of warmth settings)."""
    mirror = _EdgeMirror()
    by_type: dict[str, tuple[list[int], list[int], list[str], list[float]]] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        cols = by_type.setdefault(data["type"], ([], [], [], []))
        cols[0].append(pos[u])
        cols[1].append(pos[v])
        cols[2].append(key)
        cols[3].append(weights.strength(data["type"], data))
    for type_, (src, dst, keys, strengths) in by_type.items():
        mirror.append(np.array(src), np.array(dst), keys, type_order.get(type_, len(type_order)), np.array(strengths))
    graph.graph["weights"] = weights.digest
    return mirror


def _node_flags(graph: nx.MultiDiGraph, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per node, in position order: is a client, is black-listed, status, and a client's manager and branch."""
    is_client = np.zeros(n, dtype=bool)
    blacklisted = np.zeros(n, dtype=bool)
    status = np.empty(n, dtype=object)
    manager = np.empty(n, dtype=object)
    branch = np.empty(n, dtype=object)
    for i, (_, a) in enumerate(graph.nodes(data=True)):
        if a.get("is_client"):
            is_client[i] = True
            manager[i] = a.get("manager")
            branch[i] = a.get("branch")
        if a.get("blacklisted"):
            blacklisted[i] = True
        status[i] = a.get("status")
    return is_client, blacklisted, status, manager, branch


def _index_from_file(fg: FileGraph, ids: Sequence[str], pos: Mapping[str, int], types: Sequence[str]) -> SearchIndex:
    """The search index from a file's saved arrays; the text-valued columns come from the node columns."""
    arrays = fg.index_arrays
    text = fg.index_text()
    is_client = arrays["is_client"]
    manager, branch = text["manager"], text["branch"]
    manager[~is_client] = None  # as build_index: a manager or branch counts for clients only
    branch[~is_client] = None
    return SearchIndex(
        # the index only reads ids and positions: the file's views stand in for the list and dict
        ids=cast(list[str], ids),
        pos=cast(dict[str, int], pos),
        degree=arrays["degree"],
        node_cost=arrays["node_cost"],
        is_client=is_client,
        blacklisted=arrays["blacklisted"],
        status=text["status"],
        manager=manager,
        branch=branch,
        indptr=arrays["indptr"],
        nbr=arrays["nbr"],
        etype=arrays["etype"],
        ecost=arrays["ecost"],
        types=tuple(types),
    )


def _adjacency(
    graph: nx.MultiDiGraph,
    ids: list[str],
    src: np.ndarray,
    dst: np.ndarray,
    keys: list[str],
    rows: list[dict[str, Any]],
) -> bool:
    """Fill an empty graph's adjacency from relationships listed in NetworkX's edge order; False on a repeat.

    That order lists the relationships joining two nodes one after the
    other, so each pair's key dict is made in one go and shared by the
    successor and predecessor maps, as MultiDiGraph.add_edge shares it.
    """
    m = len(keys)
    if m == 0:
        return True
    change = np.ones(m, dtype=bool)
    change[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    starts = np.flatnonzero(change)
    # one {key: attributes} dict per relationship, made at C speed; pairs joined more than once are merged
    keydicts: list[dict[str, Any]] = list(map(dict, zip(zip(keys, rows, strict=True))))
    for a, b in zip(starts.tolist(), [*starts[1:].tolist(), m], strict=True):
        if b > a + 1:
            keydicts[a] = dict(zip(keys[a:b], rows[a:b], strict=True))
            if len(keydicts[a]) != b - a:
                return False
    id_of = np.empty(len(ids), dtype=object)
    id_of[:] = ids
    succ, pred = graph._succ, graph._pred
    pairs = id_of[src[starts]].tolist(), id_of[dst[starts]].tolist(), [keydicts[a] for a in starts.tolist()]
    for u, v, keydict in zip(*pairs, strict=True):
        succ[u][v] = keydict
        pred[v][u] = keydict
    return sum(map(len, succ.values())) == len(starts)  # fewer: a pair listed in two places


def build_index(
    graph: nx.MultiDiGraph,
    ids: list[str],
    pos: dict[str, int],
    mirror: _EdgeMirror,
    types: Sequence[str],
    weights: Weights,
) -> SearchIndex:
    """Build the numpy search index from the graph's nodes and the columnar edge copy."""
    n = len(ids)
    is_client, blacklisted, status, manager, branch = _node_flags(graph, n)
    return SearchIndex(
        ids=ids,
        pos=pos,
        is_client=is_client,
        blacklisted=blacklisted,
        status=status,
        manager=manager,
        branch=branch,
        types=tuple(types),
        **csr_arrays(n, *mirror.arrays(), weights),  # type: ignore[arg-type]  # the six adjacency arrays
    )


def csr_arrays(
    n: int, src: np.ndarray, dst: np.ndarray, typ: np.ndarray, strength: np.ndarray, weights: Weights
) -> dict[str, np.ndarray]:
    """The search index's adjacency arrays (``degree``, ``node_cost``, ``indptr``, ``nbr``, ``etype``, ``ecost``).

    From one row per relationship ordered by (source, target, key), as
    :meth:`_EdgeMirror.arrays` gives them: every relationship is listed under
    both of its ends (undirected CSR).
    """
    heads = np.concatenate([src, dst])
    tails = np.concatenate([dst, src])
    order = stable_order(heads)
    counts = np.bincount(heads, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    ecost = -np.log(np.concatenate([strength, strength]))
    degree = counts.astype(np.int64)
    return {
        "degree": degree,
        "node_cost": -np.log(weights.discounts(degree)),
        "indptr": indptr,
        "nbr": tails[order].astype(np.int32),
        "etype": np.concatenate([typ, typ])[order],
        "ecost": ecost[order],
    }


class _Picked:
    """Search hits in the order found: each id once, only of ``labels`` (None: any), at most ``limit``."""

    def __init__(self, limit: int, labels: tuple[str, ...] | None) -> None:
        self.limit, self.labels = limit, labels
        self.out: list[str] = []
        self.seen: set[str] = set()

    def add(self, items: Iterable[str]) -> None:
        """Append the ids not seen yet, until the list is full."""
        for nid in items:
            if len(self.out) >= self.limit:
                return
            if self.labels is not None and nid.split(":", 1)[0] not in self.labels:
                continue
            if nid not in self.seen:
                self.seen.add(nid)
                self.out.append(nid)


class _NameIndex:
    """Look-ups by key, exact name, former name and partial name."""

    def __init__(self, ids: list[str], keys: list[str], names: list[str], former: dict[str, list[str]]) -> None:
        self.ids = ids
        self.by_key: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        for nid, key, name in zip(ids, keys, names, strict=True):
            self.by_key.setdefault(key.upper(), []).append(nid)
            self.by_name.setdefault(name.casefold(), []).append(nid)
        self.by_former = former
        self.schemes: dict[str, SchemeSpec] = {}
        import pandas as pd

        self.names = pd.Series([n.casefold() for n in names], dtype=object)
        self.lengths = np.array([len(n) for n in names])

    @classmethod
    def build(
        cls, nodes: Iterable[tuple[str, Mapping[str, Any]]], schemes: Mapping[str, SchemeSpec] | None = None
    ) -> _NameIndex:
        ids: list[str] = []
        keys: list[str] = []
        names: list[str] = []
        former: dict[str, list[str]] = {}
        idents: list[tuple[str, str]] = []
        for nid, attrs in nodes:
            ids.append(nid)
            keys.append(str(attrs["key"]))
            names.append(str(attrs["name"]))
            raw = attrs.get("former_names")
            for fn in raw.split(";") if isinstance(raw, str) else raw or ():
                if fn:
                    former.setdefault(str(fn).strip().casefold(), []).append(nid)
            for ident in attrs.get("identifiers") or ():  # a company's stock code, LEI ...: found as its key
                idents.append((str(ident), nid))
        index = cls(ids, keys, names, former)
        index.schemes = dict(schemes or {})
        for ident, nid in idents:
            found = index.by_key.setdefault(ident.upper(), [])
            if nid not in found:
                found.append(nid)
        return index

    def search(self, text: str, limit: int, labels: tuple[str, ...] | None = None) -> list[str]:
        picked = _Picked(limit, labels)
        out, add = picked.out, picked.add

        folded = text.casefold()
        for form in dict.fromkeys((text.upper(), *identifier_forms(text, self.schemes))):  # 600519.SH: SSE:600519
            add(sorted(self.by_key.get(form, [])))
        add(sorted(self.by_name.get(folded, [])))
        add(sorted(self.by_former.get(folded, [])))
        if len(out) < limit:
            hits = np.flatnonzero(self.names.str.contains(folded, regex=False).to_numpy(dtype=bool))
            ranked = sorted(hits.tolist(), key=lambda i: (self.lengths[i], self.ids[i]))
            add(self.ids[i] for i in ranked)
            former_hits = sorted(nid for name, nids in self.by_former.items() if folded in name for nid in nids)
            add(former_hits)
        return out[:limit]


class _FileNames:
    """:class:`_NameIndex`'s search over an opened file's columns: the same hits in the same order.

    Instead of dicts of every key and name (seconds to build at a million
    companies), each look-up scans the file's keys and names with Arrow's
    substring kernel: the upper-cased key or case-folded name where it
    differs (``lookup/text``), the key or name itself elsewhere. An exact
    match is a substring of the same byte length. Former names and
    identifiers, a few per company, are gathered once per file.
    """

    def __init__(self, fg: FileGraph, schemes: Mapping[str, SchemeSpec]) -> None:
        self.fg = fg
        self.schemes = schemes
        cached = fg._cache.get("names")
        if cached is None:
            text = fg.file.table("lookup/text", fg.n)
            if text.column_names != ["key_upper", "name_folded"] or not all(
                str(t) == "string" for t in text.schema.types
            ):
                raise fg.file.bad("section 'lookup/text' does not hold upper-cased keys and folded names")
            upper, folded = (one_chunk(c) for c in text.columns)
            former: dict[str, list[int]] = {}
            idents: dict[str, list[int]] = {}
            for i in range(len(fg.labels)):
                for p, raw in _listed(fg, i, "former_names"):
                    for name in raw.split(";") if isinstance(raw, str) else raw or ():
                        if name:
                            former.setdefault(str(name).strip().casefold(), []).append(p)
                for p, raw in _listed(fg, i, "identifiers"):
                    for ident in raw or ():
                        idents.setdefault(str(ident).upper(), []).append(p)
            cached = fg._cache["names"] = ((upper, fg.keys), (folded, fg.names), former, idents)
        self.keys: tuple[Any, Any] = cached[0]
        self.names: tuple[Any, Any] = cached[1]
        self.former: dict[str, list[int]] = cached[2]
        self.idents: dict[str, list[int]] = cached[3]

    @staticmethod
    def _hits(columns: tuple[Any, Any], text: str) -> tuple[np.ndarray, np.ndarray]:
        """Positions whose folded value (first column, or the second where the first is null) holds ``text``,
        and those whose value is ``text`` (a hit of the same length in bytes)."""
        import pyarrow.compute as pc

        folded, plain = columns
        size = len(text.encode("utf-8"))
        hits: list[np.ndarray] = []
        exact: list[np.ndarray] = []
        for arr, where_null in ((folded, False), (plain, True)):
            if arr.null_count == len(arr):  # nothing folded differs: no need to scan it
                continue
            hit = true_positions(pc.match_substring(arr, text))
            if where_null and folded.null_count != len(folded):  # the plain value counts where none is folded
                hit = hit[~_valid(folded)[hit]]
            hits.append(hit)
            exact.append(hit[_byte_lengths(arr)[hit] == size] if len(hit) else hit)
        empty = np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([empty, *hits])), np.unique(np.concatenate([empty, *exact]))

    def search(self, text: str, limit: int, labels: tuple[str, ...] | None = None) -> list[str]:
        fg = self.fg
        picked = _Picked(limit, labels)
        out, seen, add = picked.out, picked.seen, picked.add

        folded = text.casefold()
        for form in dict.fromkeys((text.upper(), *identifier_forms(text, self.schemes))):
            hits = dict.fromkeys(self._hits(self.keys, form)[1].tolist())
            hits.update(dict.fromkeys(self.idents.get(form, ())))
            add(sorted(fg.ids_at(list(hits))))
        where, exact = self._hits(self.names, folded)
        add(sorted(fg.ids_at(exact)))
        add(sorted(fg.ids_at(self.former.get(folded, []))))
        if len(out) < limit:
            if labels is not None:
                allowed = [i for i, label in enumerate(fg.labels) if label in labels]
                where = where[np.isin(fg.label_codes[where], allowed)]
            need = limit - len(out) + len(seen)  # hits already listed are skipped, the rest need ranking
            if len(where) > need:  # only the hits as short as the need-th shortest can be listed
                lengths = _lengths(fg, where)
                cutoff = np.partition(lengths, need - 1)[need - 1]
                where = where[lengths <= cutoff]
            ranked = sorted(zip(_lengths(fg, where).tolist(), fg.ids_at(where), strict=True))
            add(nid for _, nid in ranked)
            former_hits = sorted(
                nid for name, positions in self.former.items() if folded in name for nid in fg.ids_at(positions)
            )
            add(former_hits)
        return out[:limit]


def _valid(arr: Any) -> np.ndarray:
    """Which values of an Arrow array are present."""
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    if arr.null_count == len(arr):
        return np.zeros(len(arr), dtype=bool)
    return bitmap(arr.buffers()[0], arr.offset, len(arr))


def _byte_lengths(arr: Any) -> np.ndarray:
    """Each value's length in UTF-8 bytes, from a text array's offsets."""
    dtype = "<i8" if str(arr.type) == "large_string" else "<i4"
    offsets = np.frombuffer(arr.buffers()[1], dtype=dtype)[arr.offset : arr.offset + len(arr) + 1]
    return np.diff(offsets)


def _lengths(fg: FileGraph, where: np.ndarray) -> np.ndarray:
    """The names' lengths in characters (as ``len``) at these positions."""
    if len(where) <= 4096:
        return np.array([len(fg.names[p].as_py()) for p in where.tolist()], dtype=np.int64)
    import pyarrow.compute as pc

    lengths: np.ndarray = int_values(pc.utf8_length(fg.names))[where]
    return lengths


def _listed(fg: FileGraph, label: int, name: str) -> list[tuple[int, Any]]:
    """(position, value) of a list-valued property of one label's nodes, those that have it."""
    kinds = dict(fg.node_columns[label])
    if name not in kinds:
        return []
    if kinds[name] in ("tuple", "list"):  # flattened by Arrow: no Python object per node
        import pyarrow.compute as pc

        table = fg._props(f"node_props/{label}", fg.node_columns[label], fg.label_count(label), columns=(name,))
        arr = one_chunk(table.column(name))
        rows = np.flatnonzero(fg.label_codes == label)
        parents = rows[int_values(pc.list_parent_indices(arr))]
        values = pc.list_flatten(arr).to_pylist()
        grouped: dict[int, list[Any]] = {}
        for p, v in zip(parents.tolist(), values, strict=True):
            grouped.setdefault(p, []).append(v)
        return list(grouped.items())
    found = fg.column(label, name)
    return [] if found is None else list(zip(found[0].tolist(), found[1], strict=True))
