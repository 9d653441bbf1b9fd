"""What a user would otherwise pick, on the same graph and the same prospects.

* **igraph BFS**: an unweighted breadth-first search from the prospect in
  compiled C (``Graph.distances`` to every client): the floor of what a
  graph library does without warmth, hubs or ranking.
* **NetworkX** ``shortest_simple_paths`` (Yen's algorithm) from a
  super-source joined to every client, on a directed graph whose weights are
  our costs (``-log`` strength plus the hub cost of the node entered), taking
  the first k paths: the library answer to the same ranked question.

Each contender's answer is checked against ours where they must agree: the
BFS's nearest client is at most as many hops away as our warmest path (and
our search finds a path whenever the BFS finds a client within the hop
limit, unless every such path runs through an excluded node), and NetworkX's
warmest path has our warmest warmth when it obeys our rules.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.embedded import EmbeddedStore
from graph.model import Node
from queries.introductions import introductions


@dataclass
class Timings:
    """Per-prospect latencies (ms) of one contender, and disagreements found."""

    name: str
    ms: list[float] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    skipped: str | None = None

    def summary(self) -> dict[str, Any]:
        if not self.ms:
            return {"name": self.name, "skipped": self.skipped}
        ordered = sorted(self.ms)
        return {
            "name": self.name,
            "n": len(ordered),
            "median_ms": statistics.median(ordered),
            "p99_ms": ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)],
            "disagreements": len(self.disagreements),
            "examples": self.disagreements[:3],
        }


def ratio_spread(ours: list[float], theirs: list[float]) -> dict[str, float]:
    """Median and quartiles of per-prospect ratios ours/theirs."""
    ratios = sorted(a / b for a, b in zip(ours, theirs, strict=True) if b > 0)
    if not ratios:
        return {}
    q = np.quantile(ratios, [0.25, 0.5, 0.75])
    return {"ratio_median": float(q[1]), "ratio_q1": float(q[0]), "ratio_q3": float(q[2])}


def run(store: EmbeddedStore, prospects: list[Node], networkx_limit: int = 200_000) -> dict[str, Any]:
    """Time ours and every contender on ``prospects``; return summaries and ratios."""
    import igraph

    index = store.index()
    n = len(index.ids)
    heads = np.repeat(np.arange(n), np.diff(index.indptr))
    keep = heads < index.nbr
    started = time.perf_counter()
    ig = igraph.Graph(n=n, edges=np.column_stack([heads[keep], index.nbr[keep]]).tolist(), directed=False)
    igraph_build = time.perf_counter() - started
    excluded = index.excluded_mask(store.weights.exclude_statuses, store.weights.exclude_blacklisted)
    clients = np.flatnonzero(index.is_client & ~excluded).tolist()
    ours = Timings("guanxi introductions (embedded)")
    bfs = Timings("igraph BFS (unweighted, compiled)")
    nxt = Timings("NetworkX shortest_simple_paths (k=5)")
    introductions(store, prospects[0])  # warm the per-filter bounds, as a running service has them
    nx_graph = _networkx_graph(store, clients) if n <= networkx_limit else None
    if nx_graph is None:
        nxt.skipped = f"graph of {n:,} nodes is over the {networkx_limit:,} limit (minutes per query)"
    for node in prospects:
        t0 = time.perf_counter()
        answer = introductions(store, node)
        ours.ms.append((time.perf_counter() - t0) * 1000)
        best = answer.paths[0] if answer.paths else None
        target = index.pos[node.id]
        t0 = time.perf_counter()
        dist = ig.distances(source=[target], target=clients)[0]
        nearest = min(dist) if dist else math.inf
        bfs.ms.append((time.perf_counter() - t0) * 1000)
        if best is not None and nearest > best.hops:
            bfs.disagreements.append(f"{node.name}: BFS nearest client {nearest} hops, ours {best.hops}")
        if best is None and nearest <= 1:
            bfs.disagreements.append(f"{node.name}: BFS finds a client 1 hop away, ours none")
        if nx_graph is not None:
            t0 = time.perf_counter()
            theirs = _networkx_top(nx_graph, node.id, 5)
            nxt.ms.append((time.perf_counter() - t0) * 1000)
            if theirs and best is not None:
                warmth = math.exp(-(theirs[0][0] - float(index.node_cost[target])))
                if len(theirs[0][1]) - 2 <= 4 and abs(warmth - best.warmth) > 1e-9 and warmth > best.warmth:
                    nxt.disagreements.append(f"{node.name}: NetworkX best warmth {warmth:.4f}, ours {best.warmth:.4f}")
    result: dict[str, Any] = {
        "nodes": n,
        "igraph_build_s": igraph_build,
        "contenders": [t.summary() for t in (ours, bfs, nxt)],
        "vs_igraph": ratio_spread(ours.ms, bfs.ms),
    }
    if nxt.ms:
        result["vs_networkx"] = ratio_spread(ours.ms, nxt.ms)
    return result


def _networkx_graph(store: EmbeddedStore, clients: list[int]) -> Any:
    """Directed NetworkX graph with our costs and a super-source on every client."""
    import networkx as nx

    index = store.index()
    excluded = index.excluded_mask(store.weights.exclude_statuses, store.weights.exclude_blacklisted)
    g = nx.DiGraph()
    n = len(index.ids)
    heads = np.repeat(np.arange(n), np.diff(index.indptr))
    for a, b, c in zip(heads.tolist(), index.nbr.tolist(), index.ecost.tolist(), strict=True):
        if excluded[b]:
            continue
        w = c + float(index.node_cost[b])  # entering b costs its hub discount (the target's is removed below)
        if not g.has_edge(index.ids[a], index.ids[b]) or g[index.ids[a]][index.ids[b]]["weight"] > w:
            g.add_edge(index.ids[a], index.ids[b], weight=w)
    for c in clients:
        g.add_edge("__clients__", index.ids[c], weight=0.0)
    return g


def _networkx_top(g: Any, target: str, k: int) -> list[tuple[float, list[str]]]:
    import networkx as nx

    out: list[tuple[float, list[str]]] = []
    if target not in g:
        return out
    try:
        for path in nx.shortest_simple_paths(g, "__clients__", target, weight="weight"):
            cost = sum(g[a][b]["weight"] for a, b in itertools.pairwise(path))
            out.append((cost, path))
            if len(out) >= k:
                break
    except nx.NetworkXNoPath:
        pass
    return out
