"""The embedded store: a NetworkX MultiDiGraph in the process, no server.

Nodes are keyed by ``"Label:key"`` and carry ``label``, ``key``, ``name`` and
their properties; relationships carry ``type`` and their properties, keyed by
``"TYPE|identity"`` so that writing the same row twice updates in place.
Path search runs on a compact numpy index (:mod:`graph.search_index`) built
from the graph on first use and dropped whenever the graph changes.

The whole store saves to one file (pickle) and reopens from it, so a large
graph is built once.

>>> store = EmbeddedStore()
>>> store.stats().node_count
0
"""

from __future__ import annotations

import gc
import itertools
import math
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graph.errors import InvalidParameter, StoreError, StoreUnavailable
from graph.identifiers import identifier_forms
from graph.model import Edge, GraphStats, Node, PathQuery, RecordBatch, node_id
from graph.model import Path as GPath
from graph.records import RESERVED, client_columns, edge_choice_key, edge_keys, plain_value, present, row_props
from graph.schema import Schema, SchemeSpec
from graph.search_index import SearchIndex, top_paths
from graph.store import GraphStore
from graph.warmth import Weights, path_warmth, rank_key

FILE_FORMAT = "guanxi-embedded/2"


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
) -> None:
    """``graph.add_edges_from`` for edges whose ends exist, without its per-edge view lookups.

    Does what MultiDiGraph.add_edge does with an explicit key: the key dict
    of (u, v) is shared by the successor and predecessor maps; an existing
    key's attributes are updated, a new key is added. About four times
    faster at millions of relationships.
    """
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
        else:
            old.update(attrs)
    cache = getattr(graph, "__networkx_cache__", None)
    if cache:
        cache.clear()  # what add_edge does: cached backend conversions are stale now


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
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._index: SearchIndex | None = None
        self._names: _NameIndex | None = None
        self._type_order = {t: i for i, t in enumerate(self.schema.types)}
        self._mirror = _EdgeMirror()
        self._version = 0
        self._ids: list[str] = []  # node ids in insertion order: positions in the search index
        self._pos: dict[str, int] = {}
        self._shared: dict[Any, Any] = {}
        self.path: Path | None = None

    # -- persistence -----------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, schema: Schema | None = None, weights: Weights | None = None) -> EmbeddedStore:
        """Reopen a store saved with :meth:`save`; StoreUnavailable if unreadable."""
        file = Path(path)
        if not file.exists():
            raise StoreUnavailable(f"no embedded graph at {file}; create it with 'guanxi load FILES --store {file}'")
        try:
            with file.open("rb") as fh, _gc_paused():
                data = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            raise StoreUnavailable(f"cannot read embedded graph {file}: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise StoreUnavailable(
                f"{file} is not a guanxi graph file of this version (expected format {FILE_FORMAT}); "
                f"rebuild it with 'guanxi load FILES --store {file} --replace'"
            )
        store = cls(schema, weights)
        store.graph = data["graph"]
        store._ids = list(store.graph.nodes)
        store._pos = {nid: i for i, nid in enumerate(store._ids)}
        if data.get("weights") == store.weights.digest and isinstance(data.get("mirror"), _EdgeMirror):
            store._mirror = data["mirror"]
            store._index = data.get("index")
        else:  # other warmth settings: strengths are recomputed from the graph
            store._mirror = _mirror_from_graph(store.graph, store._pos, store.weights, store._type_order)
        store.path = file
        return store

    def save(self, path: str | Path | None = None) -> Path:
        """Write the store to ``path`` atomically (a temporary file, then rename)."""
        file = Path(path) if path is not None else self.path
        if file is None:
            raise InvalidParameter("path", "no file to save to")
        file.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FILE_FORMAT,
            "graph": self.graph,
            "mirror": self._mirror,
            "index": self.index(),
            "weights": self.weights.digest,
        }
        fd, tmp = tempfile.mkstemp(prefix=file.name, dir=file.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StoreError(f"cannot save embedded graph to {file}: {exc}") from exc
        self.path = file
        return file

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
        return (id(self.graph), self._version)

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
        missing = [n for n in ids if n not in self.graph]
        if missing:
            raise StoreError(f"clients: {len(missing)} companies are not in the graph (e.g. {missing[0]})")
        for nid, attrs in zip(ids, row_props(columns), strict=True):
            self.graph.nodes[nid].update(attrs)
        return len(ids)

    # -- reading ---------------------------------------------------------------
    def _node(self, nid: str) -> Node:
        attrs = self.graph.nodes[nid]
        props = {k: v for k, v in attrs.items() if k not in ("label", "key", "name")}
        return Node(id=nid, label=attrs["label"], key=attrs["key"], name=attrs["name"], props=props)

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        return {nid: self._node(nid) for nid in ids if nid in self.graph}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        graph = self.graph
        return {nid for nid in ids if nid in graph}

    def find_nodes(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        query = text.strip()
        if not query:
            raise InvalidParameter("text", "empty search text")
        if limit < 1:
            raise InvalidParameter("limit", "must be at least 1")
        if self._names is None:
            self._names = _NameIndex.build(self.graph, self.schema.schemes)
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
        for nid, attrs in self.graph.nodes(data=True):
            if label is None or attrs["label"] == label:
                yield self._node(nid)

    def iter_edges(self, types: Sequence[str] | None = None) -> Iterator[Edge]:
        wanted = set(types) if types else None
        for u, v, key, attrs in self.graph.edges(keys=True, data=True):
            if wanted is None or attrs["type"] in wanted:
                yield self._edge(u, v, key, attrs)

    def degrees(self, ids: Sequence[str]) -> dict[str, int]:
        return {nid: int(self.graph.degree(nid)) for nid in ids if nid in self.graph}

    def stats(self) -> GraphStats:
        nodes: dict[str, int] = dict.fromkeys(self.schema.labels, 0)
        clients = 0
        for _, attrs in self.graph.nodes(data=True):
            nodes[attrs["label"]] = nodes.get(attrs["label"], 0) + 1
            clients += bool(attrs.get("is_client"))
        rels: dict[str, int] = dict.fromkeys(self.schema.types, 0)
        for _, _, t in self.graph.edges(data="type"):
            rels[t] = rels.get(t, 0) + 1
        return GraphStats(nodes=nodes, relationships=rels, clients=clients)

    # -- path search -------------------------------------------------------------
    def index(self) -> SearchIndex:
        """The search index, built from the graph on first use."""
        if self._index is None:
            if self.graph.graph.get("weights") not in (None, self.weights.digest):
                self._mirror = _mirror_from_graph(self.graph, self._pos, self.weights, self._type_order)
            self._index = build_index(self.graph, self._ids, self._pos, self._mirror, self.schema.types, self.weights)
        return self._index

    def top_paths(self, query: PathQuery) -> list[GPath]:
        idx = self.index()
        if query.target not in idx.pos:
            raise InvalidParameter("target", f"{query.target!r} is not in the graph")
        unknown = [t for t in query.types if t not in self._type_order]
        if unknown:
            raise InvalidParameter("types", f"unknown relationship types {unknown}")
        target = idx.pos[query.target]
        key: tuple[object, ...] = (
            query.sources if query.sources == "clients" else tuple(sorted(query.sources)),
            query.manager,
            query.branch,
            tuple(sorted(query.types)),
            tuple(sorted(query.exclude_statuses)),
            query.exclude_blacklisted,
        )
        cached = idx._sources.get(key)
        if cached is None:
            cached = self._source_arrays(idx, query)
            if len(idx._sources) >= 64:
                idx._sources.pop(next(iter(idx._sources)))
            idx._sources[key] = cached
        sources, is_source, interior_ok, type_mask = cached
        max_cost = math.inf if query.min_warmth <= 0 else -math.log(query.min_warmth)
        found = top_paths(
            idx, target, sources, is_source, interior_ok, type_mask, key, query.max_hops, query.k, max_cost
        )
        paths = [self._materialise([idx.ids[p] for p in f.nodes], query.types) for f in found]
        paths = [p for p in paths if p.warmth >= query.min_warmth]
        paths.sort(key=lambda p: rank_key(p.warmth, p.ids))
        return paths[: query.k]

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

    def _materialise(self, ids: Sequence[str], types: Sequence[str]) -> GPath:
        allowed = set(types)
        nodes = tuple(self._node(nid) for nid in ids)
        edges: list[Edge] = []
        for a, b in itertools.pairwise(ids):
            options = [
                self._edge(u, v, key, attrs)
                for (u, v) in ((a, b), (b, a))
                if self.graph.has_edge(u, v)
                for key, attrs in self.graph[u][v].items()
                if attrs["type"] in allowed
            ]
            edges.append(min(options, key=lambda e: edge_choice_key(e, self._type_order)))
        discounts = [self.weights.discount(int(self.graph.degree(nid))) for nid in ids[1:-1]]
        warmth = path_warmth([e.strength for e in edges], discounts)
        return GPath(nodes=nodes, edges=tuple(edges), warmth=warmth)


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
    def build(cls, graph: nx.MultiDiGraph, schemes: Mapping[str, SchemeSpec] | None = None) -> _NameIndex:
        ids: list[str] = []
        keys: list[str] = []
        names: list[str] = []
        former: dict[str, list[str]] = {}
        idents: list[tuple[str, str]] = []
        for nid, attrs in graph.nodes(data=True):
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
