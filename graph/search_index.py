"""A compact index for path search over a NetworkX graph.

NetworkX stays the model (every node and relationship with its properties);
walking its dict-of-dicts in Python is too slow for a million companies, so
the search runs on this index instead: node positions, an undirected CSR
adjacency in numpy arrays (neighbour, relationship type, cost = -log strength),
degrees and the flags that decide sources and exclusions.

The ranked search is written once, in :mod:`queries.search`; the array
search here is the embedded store's optimised override of it (its
``native_top_k``), and ``tests/test_search_property.py`` proves the two give
the same ranked answers, ties included. It returns candidates only: the
store orders them on exact warmth and builds ``k``.

The search (:func:`top_paths`) is a best-first enumeration of simple partial
paths from the target outward, ordered by cost + an admissible lower bound of
the cost still to go (A*). The bound and a hop-distance bound are computed by
one multi-source Dijkstra from all sources at once (scipy's C
implementation) and cached per source set and filter, so a query touches only
the few partial paths that can still beat the k-th answer.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

#: two costs closer than this are treated as a tie while searching; the final
#: order is decided on exact warmth afterwards
COST_SLACK = 1e-9


@dataclass
class SearchIndex:
    """Arrays describing the graph for the search; positions index ``ids``."""

    ids: list[str]
    pos: dict[str, int]
    degree: np.ndarray  # int64, all relationships, both directions
    node_cost: np.ndarray  # -log(hub discount)
    is_client: np.ndarray  # bool
    blacklisted: np.ndarray  # bool
    status: np.ndarray  # object: canonical status or None
    manager: np.ndarray  # object
    branch: np.ndarray  # object
    indptr: np.ndarray  # CSR over positions, each relationship twice (both ways)
    nbr: np.ndarray  # int32
    etype: np.ndarray  # int8, index into ``types``
    ecost: np.ndarray  # float64, -log strength
    types: tuple[str, ...]
    _bounds: dict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _masks: dict[tuple[object, ...], np.ndarray] = field(default_factory=dict)
    _sources: dict[tuple[object, ...], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )

    def excluded_mask(self, statuses: Sequence[str], blacklisted: bool) -> np.ndarray:
        """Nodes that may not stand inside a path under these exclusions."""
        mask = (
            np.isin(self.status, np.array(list(statuses), dtype=object))
            if statuses
            else np.zeros(len(self.ids), dtype=bool)
        )
        if blacklisted:
            mask = mask | self.blacklisted
        return mask

    def bounds(
        self, key: tuple[object, ...], sources: np.ndarray, interior_ok: np.ndarray, type_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lower bounds (cost, hops) from every node to the nearest source.

        ``sources`` are positions; ``interior_ok`` says which nodes a path may
        pass through; ``type_mask`` which relationship types it may use.
        Cached under ``key`` (the caller's description of those three).
        """
        hit = self._bounds.get(key)
        if hit is not None:
            return hit
        # imported here: a query under the saved default bounds (most of them) needs no SciPy
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        n = len(self.ids)
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.indptr))
        cols = self.nbr.astype(np.int64)
        is_source = np.zeros(n, dtype=bool)
        is_source[sources] = True
        # Dijkstra runs from the sources outward: entry (u, v) is the step v -> u
        # of a path heading to a source, so v must be a permitted interior node
        # and u a source or a permitted interior node.
        keep = type_mask[self.etype] & interior_ok[cols] & (interior_ok[rows] | is_source[rows])
        keep &= ~is_source[cols]
        r, c = rows[keep], cols[keep]
        w = self.ecost[keep] + self.node_cost[c]
        # parallel relationships: keep the cheapest (csr_matrix would add them up); one sort on the pair's
        # code and a minimum per pair cost less than a three-key lexsort
        codes = r * n + c
        order = np.argsort(codes)  # any order within a pair: its minimum is taken
        codes, w = codes[order], w[order]
        first = np.ones(len(codes), dtype=bool)
        first[1:] = codes[1:] != codes[:-1]
        starts = np.flatnonzero(first)
        w = np.minimum.reduceat(w, starts) if len(starts) else w
        r, c = codes[starts] // n, codes[starts] % n
        # csgraph treats explicit zeros as missing edges: nudge free steps
        w = np.maximum(w, 1e-300)
        matrix = csr_matrix((w, (r, c)), shape=(n, n))
        if len(sources) == 0:
            cost = np.full(n, np.inf)
            hops = np.full(n, np.inf)
        else:
            cost = dijkstra(matrix, directed=True, indices=sources, min_only=True)
            hops = dijkstra(matrix, directed=True, indices=sources, min_only=True, unweighted=True)
        cost[sources] = 0.0
        hops[sources] = 0.0
        self.remember_bounds(key, (cost, hops))
        return cost, hops

    def remember_bounds(self, key: tuple[object, ...], bounds: tuple[np.ndarray, np.ndarray]) -> None:
        """Cache ``bounds`` under ``key``: at most 16 filters, the oldest but the first (the saved default) evicted."""
        if len(self._bounds) >= 16:
            first, *rest = self._bounds
            self._bounds.pop(rest[0] if rest else first)
        self._bounds[key] = bounds


@dataclass(frozen=True, slots=True)
class FoundPath:
    """Positions from source to target and the search cost of the path."""

    nodes: tuple[int, ...]
    cost: float


Chain = tuple[int, "Chain | None"]

_T = TypeVar("_T")


def unwind(entry: tuple[_T, Any]) -> list[_T]:
    """Nodes of a parent-linked chain ``(node, parent chain or None)``, from its head back to its root.

    A search extends a partial path by pairing the new node with the chain it
    grew from, so no path is ever copied; this lists one when it is needed.

    >>> unwind((3, (2, (1, None))))
    [3, 2, 1]
    """
    out: list[_T] = []
    cur: tuple[_T, Any] | None = entry
    while cur is not None:
        out.append(cur[0])
        cur = cur[1]
    return out


def top_paths(
    index: SearchIndex,
    target: int,
    sources: np.ndarray,
    is_source: np.ndarray,
    interior_ok: np.ndarray,
    type_mask: np.ndarray,
    bounds_key: tuple[object, ...],
    max_hops: int,
    k: int,
    max_cost: float,
) -> list[FoundPath]:
    """Every path that can be among the k cheapest, cheapest first.

    Returns at least the k cheapest simple paths (fewer if fewer exist) from
    a source to ``target`` with at most ``max_hops`` hops and cost at most
    ``max_cost``, plus any path tied with the k-th within :data:`COST_SLACK`, so
    the caller can order ties exactly.
    """
    h, hop_bound = index.bounds(bounds_key, sources, interior_ok, type_mask)
    arrays = (is_source, interior_ok, h, hop_bound)
    indptr, nbr, etype, ecost, node_cost = index.indptr, index.nbr, index.etype, index.ecost, index.node_cost
    allowed_types = {int(t) for t in np.flatnonzero(type_mask)}
    found: list[FoundPath] = []
    kth = math.inf
    counter = 0
    # heap entries: (f, tiebreak, g, hops, complete, chain); chain = (node, parent_chain)
    heap: list[tuple[float, int, float, int, bool, Chain]] = [(0.0, 0, 0.0, 0, False, (target, None))]
    while heap:
        f, _, g, hops, complete, chain = heapq.heappop(heap)
        limit = min(max_cost, kth) + COST_SLACK
        if f > limit:
            break
        if complete:
            nodes = unwind(chain)  # source ... target
            found.append(FoundPath(tuple(nodes), g))
            if len(found) >= k:
                kth = min(kth, sorted(p.cost for p in found)[k - 1])
            continue
        v = chain[0]
        on_path = set(unwind(chain))
        step_base = g + (node_cost[v] if hops else 0.0)
        lo, hi = int(indptr[v]), int(indptr[v + 1])
        nh = hops + 1
        if hi - lo > HUB_ROWS:  # a hub: the neighbours that could still be pushed are picked in numpy first
            rows = _hub_rows(index, lo, hi, float(step_base), limit, max_hops - nh, type_mask, arrays)
            us, ts, cs = nbr[rows].tolist(), etype[rows].tolist(), ecost[rows].tolist()
        else:
            us, ts, cs = nbr[lo:hi].tolist(), etype[lo:hi].tolist(), ecost[lo:hi].tolist()
        best: dict[int, float] = {}
        for u, t, c in zip(us, ts, cs, strict=True):
            if t not in allowed_types or u in on_path:
                continue
            prev = best.get(u)
            if prev is None or c < prev:
                best[u] = c
        for u, c in best.items():
            g2 = step_base + c
            if u == target:
                continue
            if is_source[u]:
                if g2 <= limit:
                    counter += 1
                    heapq.heappush(heap, (g2, counter, g2, nh, True, (u, chain)))
                continue
            if nh >= max_hops or not interior_ok[u]:
                continue
            if hop_bound[u] > max_hops - nh:
                continue
            f2 = g2 + h[u]
            if f2 > limit:
                continue
            counter += 1
            heapq.heappush(heap, (f2, counter, g2, nh, False, (u, chain)))
    found.sort(key=lambda p: p.cost)
    if len(found) > k:
        cut = found[k - 1].cost + COST_SLACK
        found = [p for p in found if p.cost <= cut]
    return found


#: a node with more adjacency rows than this is expanded through :func:`_hub_rows`
HUB_ROWS = 48


def _hub_rows(
    index: SearchIndex,
    lo: int,
    hi: int,
    step_base: float,
    limit: float,
    hops_left: int,
    type_mask: np.ndarray,
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """The adjacency rows ``lo``..``hi`` of a hub that :func:`top_paths` may still push, in their order.

    A row passes if its type is allowed and it reaches a source within
    ``limit``, or a permitted interior node whose cost bound stays within
    ``limit`` and whose hop bound within ``hops_left``: the same tests, on
    the same float sums, that the search makes row by row, so it pushes
    exactly what it would without this (a row dropped here fails them;
    the cheapest row to a node passes whenever any row to it does).
    """
    is_source, interior_ok, h, hop_bound = arrays
    u = index.nbr[lo:hi]
    g2 = step_base + index.ecost[lo:hi]
    source = is_source[u]
    ok = source & (g2 <= limit)
    if hops_left > 0:
        ok |= ~source & interior_ok[u] & (hop_bound[u] <= hops_left) & (g2 + h[u] <= limit)
    ok &= type_mask[index.etype[lo:hi]]
    return np.flatnonzero(ok) + lo


def _entries(indptr: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR entries of ``nodes``: (entry positions, the node each belongs to), in one go."""
    starts = indptr[nodes]
    lengths = indptr[nodes + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift, np.repeat(nodes, lengths)


def local_bounds(
    index: SearchIndex,
    sources: np.ndarray,
    interior_ok: np.ndarray,
    type_mask: np.ndarray,
    depth: int,
    budget: int | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Lower bounds (cost, hops) to the nearest source for paths of at most ``depth`` more hops.

    What :meth:`SearchIndex.bounds` gives, computed by ``depth`` rounds of
    relaxation out from the sources instead of a Dijkstra over the whole
    graph: a one-off filter (one source, a manager's clients) touches only
    the nodes within ``depth`` hops of its sources. ``cost`` is the cheapest
    path of at most ``depth`` hops (never more than any path a search can
    still complete, so the search's answers are the same); ``hops`` is exact
    up to ``depth`` and infinite beyond, where no path of the search can
    reach a source anyway. None when the rounds would read more than
    ``budget`` adjacency entries (the whole-graph Dijkstra is cheaper then).
    """
    n = len(index.degree)
    cost = np.full(n, np.inf)
    hops = np.full(n, np.inf)
    frontier = np.unique(np.asarray(sources, dtype=np.int64))
    cost[frontier] = 0.0
    hops[frontier] = 0.0
    read = 0
    for level in range(1, depth + 1):
        if not len(frontier):
            break
        entries, owner = _entries(index.indptr, frontier)
        read += len(entries)
        if budget is not None and read > budget:
            return None
        v = index.nbr[entries].astype(np.int64)
        keep = type_mask[index.etype[entries]] & interior_ok[v]
        entries, owner, v = entries[keep], owner[keep], v[keep]
        # the step v -> owner of a path heading to a source, summed as the Dijkstra does
        step = cost[owner] + (index.ecost[entries] + index.node_cost[v])
        touched, at = np.unique(v, return_inverse=True)
        best = np.full(len(touched), np.inf)
        np.minimum.at(best, at, step)
        improved = best < cost[touched]
        better = touched[improved]
        cost[better] = best[improved]
        fresh = touched[np.isinf(hops[touched])]
        hops[fresh] = float(level)
        frontier = better
    return cost, hops
