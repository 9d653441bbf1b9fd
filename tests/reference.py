"""The references the stores are checked against: brute force, and the one search over plain data.

:func:`brute_force` enumerates every simple path and ranks it by the
documented rules; it shares nothing with the stores' search but the warmth
arithmetic (strength, discount, product, rank), which is what defines the
answer. :func:`reference_search` runs the one ranked search of
:mod:`queries.search` (the Neo4j store's) over a :class:`RawGraph` through its
``expand(ids)`` seam (:class:`RawSteps`), so the search itself is checked
against brute force without a database, and the embedded store's array
search against it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graph.model import PathQuery, RecordBatch
from graph.store import GraphStore
from graph.warmth import Weights, path_warmth, rank_key
from queries.search import Neighbour, NodeInfo, SearchSpec, SearchSteps, search


@dataclass
class RawGraph:
    """Nodes and relationships as plain data, for writing and for brute force."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> props (label, key, name, ...)
    edges: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)  # (type, src, dst, props)

    def add_company(self, key: str, name: str | None = None, **props: Any) -> str:
        nid = f"Company:{key}"
        self.nodes[nid] = {"label": "Company", "key": key, "name": name or key, **props}
        return nid

    def add_person(self, key: str, name: str | None = None, **props: Any) -> str:
        nid = f"Person:{key}"
        self.nodes[nid] = {"label": "Person", "key": key, "name": name or key, **props}
        return nid

    def add_park(self, key: str, name: str | None = None, **props: Any) -> str:
        nid = f"Park:{key}"
        self.nodes[nid] = {"label": "Park", "key": key, "name": name or key, **props}
        return nid

    def add_node(self, label: str, key: str, name: str | None = None, **props: Any) -> str:
        """A node of any label of the schema (a Segment ...), keyed by its ``id`` column."""
        nid = f"{label}:{key}"
        self.nodes[nid] = {"label": label, "key": key, "name": name or key, **props}
        return nid

    def add_edge(self, type_: str, src: str, dst: str, **props: Any) -> None:
        self.edges.append((type_, src, dst, props))

    def write_to(self, store: GraphStore) -> None:
        """Write everything into ``store`` through the ordinary batch interface."""
        # every label is keyed by its ``id`` column (a company's key: its USCC here); companies first
        first = ["Company", "Person", "Park"]
        for label in first + sorted({p["label"] for p in self.nodes.values()} - set(first)):
            key_col = "id"
            rows = []
            for props in self.nodes.values():
                if props["label"] != label:
                    continue
                row = {k: v for k, v in props.items() if k not in ("label", "key", "is_client", "manager", "branch")}
                row[key_col] = props["key"]
                rows.append(row)
            if rows:
                store.write(RecordBatch("nodes", label, pd.DataFrame(rows)))
        by_type: dict[str, list[dict[str, Any]]] = {}
        for type_, src, dst, props in self.edges:
            by_type.setdefault(type_, []).append({"source": src, "target": dst, **props})
        for type_, rows in by_type.items():
            store.write(RecordBatch("edges", type_, pd.DataFrame(rows)))
        clients = [
            {"uscc": p["key"], "manager": p.get("manager"), "branch": p.get("branch"), "since": None}
            for p in self.nodes.values()
            if p["label"] == "Company" and p.get("is_client")
        ]
        if clients:
            store.write(RecordBatch("clients", "clients", pd.DataFrame(clients)))
        store.finish_load()


def loaded(make_store: Callable[[], GraphStore], graph: RawGraph) -> GraphStore:
    """A fresh store from ``make_store`` holding ``graph``."""
    store = make_store()
    store.clear()
    graph.write_to(store)
    return store


def brute_force(graph: RawGraph, query: PathQuery, weights: Weights) -> list[tuple[tuple[str, ...], float]]:
    """The ranked ``(node ids, warmth)`` of the top ``query.k`` paths, by enumeration."""
    degree: dict[str, int] = dict.fromkeys(graph.nodes, 0)
    best: dict[frozenset[str], float] = {}
    for type_, src, dst, props in graph.edges:
        degree[src] += 1
        degree[dst] += 1
        if type_ in query.types:
            pair = frozenset((src, dst))
            best[pair] = max(best.get(pair, 0.0), weights.strength(type_, props))
    adj: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for pair in best:
        a, b = sorted(pair)
        adj[a].append(b)
        adj[b].append(a)

    def excluded(nid: str) -> bool:
        p = graph.nodes[nid]
        return p.get("status") in query.exclude_statuses or (query.exclude_blacklisted and bool(p.get("blacklisted")))

    if query.sources == "clients":
        sources = {
            n
            for n, p in graph.nodes.items()
            if p.get("is_client")
            and not excluded(n)
            and (query.manager is None or p.get("manager") == query.manager)
            and (query.branch is None or p.get("branch") == query.branch)
        }
    else:
        sources = set(query.sources)
    sources.discard(query.target)
    found: list[tuple[tuple[str, ...], float]] = []

    def walk(path: list[str]) -> None:
        here = path[-1]
        for nxt in adj[here]:
            if nxt in path:
                continue
            if nxt in sources:
                ids = tuple(reversed([*path, nxt]))
                strengths = [best[frozenset((a, b))] for a, b in itertools.pairwise(ids)]
                discounts = [weights.discount(degree[n]) for n in ids[1:-1]]
                found.append((ids, path_warmth(strengths, discounts)))
            elif len(path) < query.max_hops and not excluded(nxt) and nxt != query.target:
                walk([*path, nxt])

    walk([query.target])
    ranked = sorted((f for f in found if f[1] >= query.min_warmth), key=lambda f: rank_key(f[1], f[0]))
    return ranked[: query.k]


class RawSteps(SearchSteps):
    """The search's seam over a :class:`RawGraph` for one query: the rules of sources and exclusions
    as :func:`brute_force` states them, neighbours by the strongest allowed relationship."""

    batch = 3  # small batches, so the batching of the search is exercised too

    def __init__(self, graph: RawGraph, query: PathQuery, weights: Weights) -> None:
        super().__init__(weights)
        self.degree: dict[str, int] = dict.fromkeys(graph.nodes, 0)
        self.adj: dict[str, dict[str, float]] = {n: {} for n in graph.nodes}
        for type_, src, dst, props in graph.edges:
            self.degree[src] += 1
            self.degree[dst] += 1
            if type_ in query.types:
                s = weights.strength(type_, props)
                for a, b in ((src, dst), (dst, src)):
                    self.adj[a][b] = max(self.adj[a].get(b, 0.0), s)

        def excluded(nid: str) -> bool:
            p = graph.nodes[nid]
            return p.get("status") in query.exclude_statuses or (
                query.exclude_blacklisted and bool(p.get("blacklisted"))
            )

        if query.sources == "clients":
            self.sources = {
                n
                for n, p in graph.nodes.items()
                if p.get("is_client")
                and not excluded(n)
                and (query.manager is None or p.get("manager") == query.manager)
                and (query.branch is None or p.get("branch") == query.branch)
            }
        else:
            self.sources = set(query.sources)
        self.sources.discard(query.target)
        self.info = {
            n: NodeInfo(
                n in self.sources,
                n not in self.sources and not excluded(n),
                self.degree[n],
                max(self.adj[n].values(), default=0.0),
            )
            for n in graph.nodes
        }

    def expand(self, ids: Sequence[str]) -> list[Neighbour]:
        return [Neighbour(v, u, s, self.info[u]) for v in ids for u, s in sorted(self.adj[v].items())]


def reference_search(graph: RawGraph, query: PathQuery, weights: Weights) -> list[tuple[tuple[str, ...], float]]:
    """The ranked ``(node ids, warmth)`` of the top ``query.k`` paths by the one search of :mod:`queries.search`."""
    spec = SearchSpec(query.target, query.k, query.max_hops, query.min_warmth)
    return [(c.ids, c.warmth) for c in search(RawSteps(graph, query, weights), spec)]


def summary(paths: Sequence[Any]) -> list[tuple[tuple[str, ...], float]]:
    """``(ids, warmth)`` of store paths, for comparing with :func:`brute_force`."""
    return [(p.ids, p.warmth) for p in paths]
