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
Opening does not build the NetworkX graph: path queries, node look-ups,
search, degrees and counts run on the file's columns and saved index, and
the graph is built once when something needs it (:attr:`EmbeddedStore.graph`).

>>> store = EmbeddedStore()
>>> store.stats().node_count
0
"""

from __future__ import annotations

import gc
import itertools
import math
import threading
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graph.embedded_file import Contents, load_graph, save_graph
from graph.errors import InvalidParameter, StoreError
from graph.identifiers import identifier_forms
from graph.model import Edge, GraphStats, Node, PathQuery, RecordBatch, node_id
from graph.model import Path as GPath
from graph.records import RESERVED, client_columns, edge_choice_key, edge_keys, plain_value, present, row_props
from graph.schema import Schema, SchemeSpec
from graph.search_index import SearchIndex, top_paths
from graph.store import GraphStore
from graph.store_file import WriterLock, file_stamp, lock_timeout, not_a_store
from graph.warmth import Weights, path_warmth, rank_key
from queries.search import Candidate, Neighbour, NodeInfo, SearchSpec, SearchSteps, rank_candidates, top_candidates


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of containers are made.

    The graph's dicts are long-lived and hold no garbage cycles; without the
    pause, each collection walks all of them again. Afterwards they are moved
    out of the collector's generations (``gc.freeze``) for the same reason.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


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
        mask = series.notna().to_numpy()
        if not mask.any():
            continue
        values = series[mask].tolist()
        if series.dtype == object or series.dtype.kind == "M":
            values = [v if type(v) is str else plain_value(v) for v in values]
            if shared is not None and len(values) > 64 and len(set(values[:1000])) < 500:
                values = [shared.setdefault(v, v) for v in values]
        for i, v in zip(np.flatnonzero(mask).tolist(), values, strict=True):
            rows[i][col] = v


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
        # keep the last write of each (source, target, key)
        order = np.lexsort((np.arange(len(src)), keys, dst, src))
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
        self._graph: nx.MultiDiGraph | None = nx.MultiDiGraph()
        self._pending: _Pending | None = None  # a file's graph, not yet built into NetworkX
        self._building = threading.Lock()
        self._index: SearchIndex | None = None
        self._names: _NameIndex | None = None
        self._type_order = {t: i for i, t in enumerate(self.schema.types)}
        self._mirror = _EdgeMirror()
        self._version = 0
        self._ids: list[str] = []  # node ids in insertion order: positions in the search index
        self._pos: dict[str, int] = {}
        self._shared: dict[Any, Any] = {}
        self.path: Path | None = None
        self._lock: WriterLock | None = None
        self._stamp: tuple[int, int, int, int] | None = None  # the file version this store holds

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The NetworkX graph: every node and relationship with its properties (built on first use after open)."""
        graph = self._graph
        if graph is None:
            with self._building:
                if self._graph is None:
                    assert self._pending is not None  # one of the two is always set
                    self._graph = self._pending.build()
                    self._pending = None
                graph = self._graph
        return graph

    @graph.setter
    def graph(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph
        self._pending = None
        self._changed()

    def _attrs(self, nid: str) -> dict[str, Any]:
        """A node's attribute dict (the graph's own), without building the graph."""
        pending = self._pending
        if pending is not None and self._graph is None:
            return pending.nodes[self._pos[nid]]
        attrs: dict[str, Any] = self.graph.nodes[nid]
        return attrs

    def _node_items(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """(id, attributes) of every node in position order, without building the graph."""
        pending = self._pending
        if pending is not None and self._graph is None:
            return zip(self._ids, pending.nodes, strict=True)
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
        store = cls._from_contents(load_graph(file), schema, weights)
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
    def _from_contents(cls, contents: Contents, schema: Schema | None, weights: Weights | None) -> EmbeddedStore:
        """A store holding what a file held: the NetworkX graph rebuilt, the saved index used if still valid."""
        store = cls(schema, weights)
        c = contents
        store._pos = dict(zip(c.ids, range(len(c.ids)), strict=True))
        if len(store._pos) != len(c.ids):
            raise not_a_store(c.file, "two of its nodes have the same id")
        store._ids = c.ids
        store._pending = _Pending.check(c)
        store._graph = None
        if c.weights == store.weights.digest:
            type_map = np.array([store._type_order.get(t, len(store._type_order)) for t in c.types], dtype=np.int8)
            mirror = _EdgeMirror()
            mirror.src, mirror.dst = [np.array(c.src, dtype=np.int64)], [np.array(c.dst, dtype=np.int64)]
            mirror.key_ids, mirror.types = [c.key_codes], [type_map[c.type_codes] if len(c.types) else c.type_codes]
            mirror.strengths = [np.array(c.strength, dtype=float)]
            mirror.key_table = {k: i for i, k in enumerate(c.key_table)}
            store._mirror = mirror
            if c.index_types == list(store.schema.types):
                store._index = _index_from_arrays(c, store._pos, store.schema.types)
                if c.bounds is not None:  # the default filter's bounds, computed when the file was saved
                    key, cost, hops = c.bounds
                    store._index._bounds[key] = (cost, hops)
        else:  # other warmth settings: strengths are recomputed from the graph
            store._mirror = _mirror_from_graph(store.graph, store._pos, store.weights, store._type_order)
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
            index = self.index()
            save_graph(
                file,
                self.graph,
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
        self._graph, self._pending = other._graph, other._pending
        self._mirror, self._ids, self._pos = other._mirror, other._ids, other._pos
        self._stamp = other._stamp
        self._shared = {}
        self._changed()
        self._index = other._index

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
        with _gc_paused():
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
        attrs = self._attrs(nid)
        props = {k: v for k, v in attrs.items() if k not in ("label", "key", "name")}
        return Node(id=nid, label=attrs["label"], key=attrs["key"], name=attrs["name"], props=props)

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        return {nid: self._node(nid) for nid in ids if nid in self._pos}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        pos = self._pos
        return {nid for nid in ids if nid in pos}

    def find_nodes(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        query = text.strip()
        if not query:
            raise InvalidParameter("text", "empty search text")
        if limit < 1:
            raise InvalidParameter("limit", "must be at least 1")
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
        for nid, attrs in self._node_items():
            if label is None or attrs["label"] == label:
                yield self._node(nid)

    def iter_edges(self, types: Sequence[str] | None = None) -> Iterator[Edge]:
        wanted = set(types) if types else None
        for u, v, key, attrs in self.graph.edges(keys=True, data=True):
            if wanted is None or attrs["type"] in wanted:
                yield self._edge(u, v, key, attrs)

    def degrees(self, ids: Sequence[str]) -> dict[str, int]:
        if self._graph is None and self._index is not None:  # a store just opened: the saved index knows them
            degree, pos = self._index.degree, self._pos
            return {nid: int(degree[pos[nid]]) for nid in ids if nid in pos}
        return {nid: int(self.graph.degree(nid)) for nid in ids if nid in self.graph}

    def stats(self) -> GraphStats:
        nodes: dict[str, int] = dict.fromkeys(self.schema.labels, 0)
        clients = 0
        for _, attrs in self._node_items():
            nodes[attrs["label"]] = nodes.get(attrs["label"], 0) + 1
            clients += bool(attrs.get("is_client"))
        rels: dict[str, int] = dict.fromkeys(self.schema.types, 0)
        pending = self._pending if self._graph is None else None
        if pending is not None:  # counted from the file's columns, without building the graph
            counts = np.bincount(pending.contents.type_codes, minlength=len(pending.contents.types))
            for t, count in zip(pending.contents.types, counts.tolist(), strict=True):
                rels[t] = rels.get(t, 0) + count
        else:
            for _, _, t in self.graph.edges(data="type"):
                rels[t] = rels.get(t, 0) + 1
        return GraphStats(nodes=nodes, relationships=rels, clients=clients)

    # -- path search -------------------------------------------------------------
    def index(self) -> SearchIndex:
        """The search index, built from the graph on first use."""
        if self._index is None:
            if self.graph.graph.get("weights") not in (None, self.weights.digest):  # (an opened store has an index)
                self._mirror = _mirror_from_graph(self.graph, self._pos, self.weights, self._type_order)
            self._index = build_index(self.graph, self._ids, self._pos, self._mirror, self.schema.types, self.weights)
        return self._index

    def top_paths(self, query: PathQuery) -> list[GPath]:
        return self.search_paths(query)

    def search_paths(self, query: PathQuery, *, native: bool = True) -> list[GPath]:
        """:meth:`top_paths` by the numpy array search (``native``) or by the one generic search of
        :mod:`queries.search` over this store's index: the property tests prove the two equal."""
        steps = self.search_steps(query)
        spec = SearchSpec(query.target, query.k, query.max_hops, query.min_warmth)
        candidates = top_candidates(steps, spec, native=native)  # ranked, ties ordered, cut to k
        paths = [self._materialise(c.ids, query.types, steps.idx, steps.hop_edge) for c in candidates]
        paths.sort(key=lambda p: rank_key(p.warmth, p.ids))
        return paths

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
        pending = self._pending if self._graph is None else None
        between = (
            pending.between(self._pos[a], self._pos[b])
            if pending is not None
            else [
                (u, v, key, attrs)
                for (u, v) in ((a, b), (b, a))
                if self.graph.has_edge(u, v)
                for key, attrs in self.graph[u][v].items()
            ]
        )
        options = [self._edge(u, v, key, attrs) for u, v, key, attrs in between if attrs["type"] in allowed]
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
        """The filter of a query with every default (all kinds, the warmth file's exclusions), any target.

        Its search bounds are saved with the store, so a new process does
        not compute them again for the most common query.
        """
        return PathQuery(
            target="(any)",
            types=self.schema.types,
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
    ) -> GPath:
        """The path through ``ids`` (source first): its nodes, each hop's relationship (``hop_edge``,
        which a search may have looked up already, or :meth:`_hop_edge`) and its warmth."""
        if hop_edge is None:
            allowed = set(types)

            def hop_edge(a: str, b: str) -> Edge:
                return self._hop_edge(a, b, allowed)

        nodes = tuple(self._node(nid) for nid in ids)
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

    def hop_strength(self, a: str, b: str) -> float:
        return self.hop_edge(a, b).strength

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
            self.key,
            spec.max_hops,
            spec.k,
            max_cost,
        )
        # the tie tail: every path tied with the k-th is ordered on exact warmth before any is built;
        # degrees from the index (graph.degree() walks a hub's every neighbour)
        return rank_candidates(
            ([idx.ids[p] for p in f.nodes] for f in found),
            self.hop_strength,
            lambda nid: int(idx.degree[idx.pos[nid]]),
            self.weights,
            spec.k,
            spec.min_warmth,
        )


class _Pending:
    """A store file's relationships, checked, before they are built into the NetworkX graph.

    Opening a file does not build the graph: a path query needs only the
    search index, a few nodes and the relationships joining the nodes of its
    answer, which :meth:`between` finds by binary search. Anything else
    builds the graph once (:attr:`EmbeddedStore.graph`).
    """

    def __init__(self, contents: Contents, pair_order: np.ndarray, pair_codes: np.ndarray) -> None:
        self.contents = contents
        self.nodes = contents.nodes
        self._order = pair_order  # relationship rows sorted by (source, target)
        self._codes = pair_codes  # source * n + target, in that order

    @classmethod
    def check(cls, c: Contents) -> _Pending:
        """Refuse a file that lists a relationship twice or splits a pair's relationships (NetworkX never does)."""
        n, m = len(c.ids), len(c.keys)
        codes = c.src * n + c.dst  # n < 2**31 (int32 neighbours), so no overflow
        order = np.lexsort((c.key_codes, codes))
        sorted_codes = codes[order]
        if m > 1:
            same_pair = sorted_codes[1:] == sorted_codes[:-1]
            if bool(np.any(same_pair & (c.key_codes[order][1:] == c.key_codes[order][:-1]))):
                raise not_a_store(c.file, "it lists a relationship twice")
            runs = 1 + int(np.count_nonzero(codes[1:] != codes[:-1]))
            if runs != m - int(np.count_nonzero(same_pair)):
                raise not_a_store(c.file, "its relationships are not in graph order")
        return cls(c, order, sorted_codes)

    def between(self, a: int, b: int) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(source id, target id, key, attributes) of every relationship joining positions a and b."""
        c, n = self.contents, len(self.contents.ids)
        out: list[tuple[str, str, str, dict[str, Any]]] = []
        for u, v in ((a, b), (b, a)):
            lo, hi = np.searchsorted(self._codes, [u * n + v, u * n + v + 1])
            for e in sorted(self._order[lo:hi].tolist()):  # file order, as the graph would list them
                out.append((c.ids[u], c.ids[v], c.keys[e], c.edges[e]))
        return out

    def build(self) -> nx.MultiDiGraph:
        """The NetworkX graph of the file (nodes in position order, relationships in the file's order)."""
        c = self.contents
        graph = nx.MultiDiGraph()
        with _gc_paused():
            node, succ, pred = graph._node, graph._succ, graph._pred
            node.update(zip(c.ids, c.nodes, strict=True))
            for nid in c.ids:
                succ[nid] = {}
                pred[nid] = {}
            _adjacency(graph, c.ids, c.src, c.dst, c.keys, c.edges)
        graph.graph.update(c.graph_attrs)
        return graph


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


def _index_from_arrays(contents: Contents, pos: dict[str, int], types: Sequence[str]) -> SearchIndex:
    """The search index from a file's saved arrays; the text-valued columns come from the node columns."""
    arrays = contents.index_arrays
    is_client = arrays["is_client"]
    manager, branch = contents.index_text["manager"], contents.index_text["branch"]
    manager[~is_client] = None  # as build_index: a manager or branch counts for clients only
    branch[~is_client] = None
    return SearchIndex(
        ids=contents.ids,
        pos=pos,
        degree=arrays["degree"],
        node_cost=arrays["node_cost"],
        is_client=is_client,
        blacklisted=arrays["blacklisted"],
        status=contents.index_text["status"],
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
    src, dst, typ, strength = mirror.arrays()
    # undirected CSR: every relationship listed under both of its ends
    heads = np.concatenate([src, dst])
    tails = np.concatenate([dst, src])
    order = np.argsort(heads, kind="stable")
    counts = np.bincount(heads, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    ecost = -np.log(np.concatenate([strength, strength]))
    degree = counts.astype(np.int64)
    return SearchIndex(
        ids=ids,
        pos=pos,
        degree=degree,
        node_cost=-np.log(weights.discounts(degree)),
        is_client=is_client,
        blacklisted=blacklisted,
        status=status,
        manager=manager,
        branch=branch,
        indptr=indptr,
        nbr=tails[order].astype(np.int32),
        etype=np.concatenate([typ, typ])[order],
        ecost=ecost[order],
        types=tuple(types),
    )


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
        out: list[str] = []
        seen: set[str] = set()

        def add(items: Iterable[str]) -> None:
            for nid in items:
                if len(out) >= limit:
                    return
                if labels is not None and nid.split(":", 1)[0] not in labels:
                    continue
                if nid not in seen:
                    seen.add(nid)
                    out.append(nid)

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
