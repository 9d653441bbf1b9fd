"""A compiled floor for ``introductions``: guanxi's exact rules in numba over guanxi's own index arrays.

What a query could cost at best on this machine, so that the benchmark can
say how far guanxi is from it (issue 13: warm median ≤ 3× the floor). The
floor reads the arrays the opened store already holds (the format-4 file
maps them: CSR adjacency ``indptr``/``nbr``/``etype``, hop costs ``ecost`` =
``-log strength``, hub costs ``node_cost``, the client flags, the saved
default bounds) and applies the same rules as :mod:`queries.search`,
:mod:`graph.search_index` and :mod:`queries.ranking`:

* sources are the clients not excluded (closed statuses, black list), a path
  may pass only through permitted nodes that are not sources, of the query's
  kinds (the schema's ``in_paths`` by default); parallel relationships of one
  pair count once, at the strongest allowed;
* a path's cost is the sum of its hop costs plus the hub cost of every
  interior node; at most ``max_hops`` hops, warmth at least ``min_warmth``,
  simple;
* holders that connect nobody (the warmth file's ``no_connectors``: a name
  fragment, or at least ``min_stakes`` stakes held) never stand inside it;
* distinct introducers: the top ``k`` are the warmest path of ``k`` different
  clients, ordered by :func:`graph.warmth.rank_key` on exact warmth (ties on
  hops, then node ids).

``referral_only`` (parks) changes only how a hop is drawn, not the search, so
the floor has no rule for it. Unlike guanxi, the floor has no cap on how many
paths it looks at to find ``k`` introducers (guanxi stops at
:data:`queries.ranking.FETCH_CAP`); the cross-check counts those cases apart.

The search is A* from the prospect outward (the bounds are admissible lower
bounds, so any bound gives the same answer: the test runs it without them
too), complete paths popped in cost order; it stops once ``k`` introducers
are found and no path within :data:`SLACK` of the k-th is left. Only the
final order of the few candidates (Python's ``round`` of exact warmth, id
strings) runs in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.embedded import EmbeddedStore
from graph.model import PathQuery
from graph.warmth import path_warmth, rank_key

#: costs closer than this are ties while searching (the final order is on exact warmth)
SLACK = 1e-9


_SEARCH: Any = None


def compiled() -> Any:
    """The compiled search (compiling it, or loading it from numba's cache, the first time)."""
    global _SEARCH
    if _SEARCH is None:
        from bench._floor_kernel import search

        _SEARCH = search
    return _SEARCH


@dataclass(frozen=True)
class FloorPath:
    """One answer of the floor: positions from the introducer to the prospect, cost and exact warmth."""

    nodes: tuple[int, ...]
    cost: float
    warmth: float


class Floor:
    """The floor over one opened store, for one filter (by default: ``introductions``' defaults).

    Setting up reads the store's arrays and the query's masks once (what a
    load would save); :meth:`top` answers one prospect.
    """

    def __init__(self, store: EmbeddedStore, query: PathQuery, *, bounds: bool = True) -> None:
        idx = store.index()
        self.store, self.idx, self.query = store, idx, query
        steps = store.search_steps(query)
        self.is_source = np.ascontiguousarray(steps.is_source)
        self.interior_ok = np.ascontiguousarray(steps.interior_ok & ~blocked_mask(store))
        self.type_mask = np.ascontiguousarray(steps.type_mask)
        n = len(idx.ids)
        if bounds:
            h, hop_bound = idx.bounds(steps.key, steps.sources, steps.interior_ok, steps.type_mask)
        else:  # no bounds at all: plain best-first, to prove the bounds change nothing
            h, hop_bound = np.zeros(n), np.zeros(n)
        self.h, self.hop_bound = np.asarray(h, np.float64), np.asarray(hop_bound, np.float64)
        self.max_cost = math.inf if query.min_warmth <= 0 else -math.log(query.min_warmth)
        self.scratch = np.full(n, np.inf)
        self.seen = np.full(n, -1.0)
        self.arrays = (
            np.asarray(idx.indptr, np.int64),
            np.asarray(idx.nbr, np.int32),
            np.asarray(idx.etype, np.int8),
            np.asarray(idx.ecost, np.float64),
            np.asarray(idx.node_cost, np.float64),
        )
        self.search = compiled()

    def raw(self, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The compiled search alone: candidate paths (positions, hop costs, costs, lengths), unordered."""
        q = self.query
        result: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = self.search(
            *self.arrays,
            self.is_source,
            self.interior_ok,
            self.type_mask,
            self.h,
            self.hop_bound,
            target,
            q.max_hops,
            q.k,
            self.max_cost,
            self.scratch,
            self.seen,
        )
        return result

    def top(self, target: int) -> list[FloorPath]:
        """The top ``k`` paths of ``k`` different introducers to the node at ``target``, ranked."""
        nodes, hopc, costs, lengths = self.raw(target)
        idx, w, q = self.idx, self.store.weights, self.query
        ranked: list[tuple[tuple[float, int, tuple[str, ...]], FloorPath]] = []
        for r in range(len(costs)):
            n = int(lengths[r])
            path = tuple(int(p) for p in nodes[r, :n])  # source first
            strengths = [math.exp(-c) for c in hopc[r, : n - 1].tolist()]
            warmth = path_warmth(strengths, [w.discount(int(idx.degree[p])) for p in path[1:-1]])
            if warmth >= q.min_warmth:
                ids = tuple(idx.ids[p] for p in path)
                ranked.append((rank_key(warmth, ids), FloorPath(path, float(costs[r]), warmth)))
        ranked.sort(key=lambda item: item[0])
        out: list[FloorPath] = []
        taken: set[int] = set()
        for _, fp in ranked:
            if fp.nodes[0] not in taken and len(out) < q.k:
                taken.add(fp.nodes[0])
                out.append(fp)
        return out


def blocked_mask(store: EmbeddedStore) -> np.ndarray:
    """Nodes that connect nobody (the warmth file's ``no_connectors``): a name fragment, or many stakes held."""
    w = store.weights
    idx = store.index()
    n = len(idx.ids)
    fg = store._lazy()
    if fg is not None:
        import pyarrow.compute as pc

        blocked = np.zeros(n, dtype=bool)
        for fragment in w.no_connector_names:
            blocked |= np.asarray(pc.fill_null(pc.match_substring(fg.names, fragment), False))
        src, _, codes = fg.edge_arrays()
        holds = fg.types.index("HOLDS_SHARES") if "HOLDS_SHARES" in fg.types else -1
        stakes = np.bincount(src[codes == holds], minlength=n)
    else:
        blocked = np.array([any(f in node.name for f in w.no_connector_names) for node in _in_order(store)], bool)
        stakes = np.zeros(n, dtype=np.int64)
        for edge in store.iter_edges(["HOLDS_SHARES"]):
            stakes[idx.pos[edge.source]] += 1
    if w.no_connector_stakes > 0:
        blocked |= stakes >= w.no_connector_stakes
    return blocked


def _in_order(store: EmbeddedStore) -> list[Any]:
    idx = store.index()
    nodes = store.get_nodes(list(idx.ids))
    return [nodes[nid] for nid in idx.ids]


@dataclass
class Check:
    """The cross-check of guanxi's ``introductions`` against the floor for a sample of prospects."""

    prospects: int = 0
    same: int = 0
    capped: int = 0  # guanxi stopped at FETCH_CAP paths before finding k introducers (a known limit)
    disagreements: list[str] = field(default_factory=list)

    def add(self, nid: str, exact: str | None, capped: str | None) -> None:
        """Count one prospect: the same answer, a capped answer whose paths are the floor's first, or a difference."""
        self.prospects += 1
        if exact is None:
            self.same += 1
        elif capped is None:
            self.capped += 1
        else:
            self.disagreements.append(exact)

    def summary(self) -> dict[str, Any]:
        d = self.disagreements
        return {
            "prospects": self.prospects,
            "same": self.same,
            "capped": self.capped,
            "disagreements": len(d),
            "examples": d[:3],
        }


def compare(
    store: EmbeddedStore, floor: Floor, nid: str, answer_paths: list[tuple[tuple[str, ...], float]], capped: bool
) -> str | None:
    """Why guanxi's ranked paths (ids, warmth) differ from the floor's for ``nid``; None when they agree."""
    idx = floor.idx
    ours = floor.top(idx.pos[nid])
    if capped:  # guanxi stopped at FETCH_CAP paths: what it lists must still be the floor's first ones
        ours = ours[: len(answer_paths)]
    if len(ours) != len(answer_paths):
        return f"{nid}: guanxi {len(answer_paths)} paths, floor {len(ours)}"
    for rank, ((ids, warmth), fp) in enumerate(zip(answer_paths, ours, strict=True)):
        theirs = tuple(idx.ids[p] for p in fp.nodes)
        if ids != theirs:
            return f"{nid} #{rank + 1}: guanxi {' > '.join(ids)}, floor {' > '.join(theirs)}"
        if abs(-math.log(warmth) - fp.cost) > 1e-9:
            return f"{nid} #{rank + 1}: guanxi cost {-math.log(warmth):.12f}, floor {fp.cost:.12f}"
    return None


def is_capped(answer: Any) -> bool:
    """Whether an ``introductions`` answer says it stopped at :data:`queries.ranking.FETCH_CAP` paths."""
    return any(getattr(note, "code", None) == "intro.capped" for note in answer.notes)


def cross_check(store: EmbeddedStore, prospects: list[str], floor: Floor | None = None) -> Check:
    """guanxi's ``introductions`` (defaults) against the floor for every prospect id; 0 disagreements expected."""
    from queries.introductions import introductions

    check = Check()
    for nid in prospects:
        answer = introductions(store, store.get_nodes([nid])[nid])
        if floor is None:
            from queries.paths import PathOptions, build_query

            floor = Floor(store, build_query(store, answer.target, PathOptions()))
        got = [(p.path.ids, p.path.warmth) for p in answer.paths]
        check.add(nid, compare(store, floor, nid, got, False), compare(store, floor, nid, got, is_capped(answer)))
    return check


def default_floor(store: EmbeddedStore, any_node: str, *, bounds: bool = True) -> Floor:
    """The floor for ``introductions``' default options (the filter does not depend on the prospect)."""
    from queries.paths import PathOptions, build_query

    node = store.get_nodes([any_node])[any_node]
    return Floor(store, build_query(store, node, PathOptions()), bounds=bounds)


__all__ = [
    "SLACK",
    "Check",
    "Floor",
    "FloorPath",
    "blocked_mask",
    "compare",
    "compiled",
    "cross_check",
    "default_floor",
    "is_capped",
]
