"""Brute force: every simple path, enumerated, ranked by the documented rules.

The reference the stores are checked against. It shares nothing with the
stores' search but the warmth arithmetic (strength, discount, product, rank),
which is what defines the answer.
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

    def add_edge(self, type_: str, src: str, dst: str, **props: Any) -> None:
        self.edges.append((type_, src, dst, props))

    def write_to(self, store: GraphStore) -> None:
        """Write everything into ``store`` through the ordinary batch interface."""
        keys = {"Company": "id", "Person": "id", "Park": "id"}  # a company's key: its USCC here
        for label, key_col in keys.items():
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


def summary(paths: Sequence[Any]) -> list[tuple[tuple[str, ...], float]]:
    """``(ids, warmth)`` of store paths, for comparing with :func:`brute_force`."""
    return [(p.ids, p.warmth) for p in paths]
