"""The ranked path search, written once over a small neighbour-source seam (``expand(ids)``).

Every store answers :meth:`graph.store.GraphStore.top_paths` with this search
(or with a native search proven to give the same answers): the store only
says what a node's neighbours are, through a :class:`SearchSteps` object made
for one query. The rules of a path (sources, exclusions, hop limit, warmth,
order) are in :meth:`graph.store.GraphStore.top_paths`; how they are searched
is here:

* **Warmth space, best first.** A partial path ``target ... v`` (``v``
  neither target nor source) has warmth-so-far ``g``: its hop strengths times
  the discounts of its interior nodes before ``v``. Any completion multiplies
  it by ``discount(v)``, by a strength no greater than ``best(v)`` (the
  strongest allowed relationship ``v`` has) and by further factors no greater
  than 1, so ``g * bound(v)`` bounds every path through it
  (:meth:`SearchSteps.bound`; a store may offer a tighter one, and a lower
  bound on the hops ``v`` still needs). Partial paths are expanded
  warmest-bound first; complete paths (ending at a source) are collected as
  they appear. Once ``k`` are known, the k-th warmth (or ``min_warmth``,
  whichever is higher) is a threshold: partial paths whose bound is below it
  are never expanded, and the search stops when the best bound left falls
  below it. Every path that can rank in the top ``k`` (or tie with the k-th)
  has been found by then, because each of its prefixes had a bound at least
  its warmth.
* **Batches.** The search asks for the neighbours of the uncached ends of the
  best partial paths, up to :attr:`SearchSteps.batch` at once (one database
  round trip), all of which are expanded unless the threshold rises first; a
  node the steps call a hub (:meth:`SearchSteps.is_hub`) joins a batch only
  when it is the best entry itself. A node at ``max_hops - 1`` hops needs only
  its source neighbours (:meth:`SearchSteps.expand_sources`), so the last
  level never pulls a hub's whole adjacency.
* **The tie tail.** The candidates (every path within :data:`WARMTH_SLACK` of
  the k-th) are ordered on their exact warmth first — the hop strengths and
  hub discounts multiplied in path order by :func:`graph.warmth.path_warmth`,
  ranked by :func:`graph.warmth.rank_key`, which breaks ties on hops and then
  node ids so every store agrees — and only the first ``k`` are returned, so a
  store builds ``k`` answers however many paths tie.

Optional native steps are typed methods of :class:`SearchSteps` with a
default: :meth:`~SearchSteps.expand_sources` (the last hop),
:meth:`~SearchSteps.bound` (a tighter bound) and
:meth:`~SearchSteps.native_top_k` (a whole native search, as the embedded
store's numpy array search, which the property tests prove equal to this
one).

>>> from graph.warmth import load_weights
>>> class Line(SearchSteps):  # client c -- person p -- prospect t
...     def expand(self, ids):
...         adj = {"t": [("p", 0.9)], "p": [("t", 0.9), ("c", 0.8)], "c": [("p", 0.8)]}
...         info = {"t": NodeInfo(False, False, 1, 0.9), "p": NodeInfo(False, True, 2, 0.9),
...                 "c": NodeInfo(True, False, 1, 0.8)}
...         return [Neighbour(v, u, s, info[u]) for v in ids for u, s in adj[v]]
>>> top_candidates(Line(load_weights()), SearchSpec("t", k=5, max_hops=4))
[Candidate(ids=('c', 'p', 't'), warmth=0.7200000000000001)]
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from graph.errors import InvalidParameter
from graph.search_index import unwind
from graph.warmth import Weights, path_warmth, rank_key

#: relative slack under the k-th warmth: paths this close still count as ties and
#: are ordered on their exact warmth (the embedded array search's COST_SLACK in cost space)
WARMTH_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """What one search is asked, once the store has resolved sources and filters into its steps.

    >>> SearchSpec("Company:x", k=0, max_hops=4)
    Traceback (most recent call last):
    ...
    graph.errors.InvalidParameter: parameter 'k': must be a whole number from 1 to 200, got 0
    """

    target: str
    k: int = 5
    max_hops: int = 4
    min_warmth: float = 0.0

    def __post_init__(self) -> None:
        for name, value, lo, hi in (("k", self.k, 1, 200), ("max_hops", self.max_hops, 1, 6)):
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise InvalidParameter(name, f"must be a whole number from {lo} to {hi}, got {value!r}")
        w = self.min_warmth
        if isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w <= 1:
            raise InvalidParameter("min_warmth", f"must be a number from 0 to 1, got {w!r}")


class NodeInfo(NamedTuple):
    """What the search needs of a node it reached (under the query its steps were made for).

    ``degree`` counts all relationships both ways (the hub discount); ``best``
    is the strongest allowed relationship the node has (the bound on what
    lies beyond it). A node seen only as a possible source at the last hop
    may carry ``degree=-1``: a source never stands inside a path. (A named
    tuple: an expansion makes one per row.)
    """

    source: bool
    interior_ok: bool
    degree: int
    best: float


class Neighbour(NamedTuple):
    """One row of an expansion: ``other`` is a neighbour of ``node`` by the strongest allowed relationship."""

    node: str
    other: str
    strength: float
    info: NodeInfo


@dataclass(frozen=True, slots=True)
class Candidate:
    """A path found: node ids from the source (the introducer) to the target, and its exact warmth."""

    ids: tuple[str, ...]
    warmth: float


class SearchSteps:
    """The seam between the search and a store, for one query: ``expand`` plus optional native steps.

    A store subclasses it per query (it knows the query's sources, kinds and
    exclusions) and implements :meth:`expand`; every other method has a
    default that gives the same answers, which a store may override with a
    faster native step.
    """

    #: nodes whose neighbours one :meth:`expand` call is asked for at most
    batch: int = 1

    def __init__(self, weights: Weights) -> None:
        self.weights = weights

    def expand(self, ids: Sequence[str]) -> Iterable[Neighbour]:
        """Every neighbour of each node in ``ids`` over the allowed kinds, once per (node, neighbour)."""
        raise NotImplementedError(f"{type(self).__name__} must say how to expand a node")

    def expand_sources(self, ids: Sequence[str]) -> Iterable[Neighbour]:
        """The neighbours of each node in ``ids`` that are sources (the last hop); by default from :meth:`expand`."""
        return [n for n in self.expand(ids) if n.info.source]

    def bound(self, nid: str, info: NodeInfo) -> tuple[float, int]:
        """(the most any path's factors beyond reaching ``nid`` can multiply to, the fewest hops it still needs).

        By default its hub discount times its strongest relationship, and one hop.
        """
        return self.weights.discount(info.degree) * info.best, 1

    def is_hub(self, nid: str, info: NodeInfo) -> bool:
        """Whether ``nid``'s neighbours are fetched only when it is the best entry (never ahead of need)."""
        return False

    def hop_strength(self, a: str, b: str) -> float | None:
        """The exact strength of the hop ``a``-``b`` where the expansion's strength is not exact; None if it is."""
        return None

    def native_top_k(self, spec: SearchSpec) -> list[Candidate] | None:
        """A store's own complete search with the same answers as :func:`search`; None when it has none."""
        return None


Chain = tuple[str, "Chain | None"]


def rank_candidates(
    paths: Iterable[Sequence[str]],
    strength: Callable[[str, str], float],
    degree: Callable[[str], int],
    weights: Weights,
    k: int,
    min_warmth: float,
) -> list[Candidate]:
    """The first ``k`` of ``paths`` (ids source first) by :func:`graph.warmth.rank_key` of their exact warmth.

    ``strength(a, b)`` is the hop's strength, ``degree(n)`` an interior node's
    degree; warmth is multiplied in path order (:func:`graph.warmth.path_warmth`),
    so every store gets the same float and the same order, ties included.
    Paths under ``min_warmth`` are dropped.
    """
    out: list[tuple[tuple[float, int, tuple[str, ...]], Candidate]] = []
    for path in paths:
        ids = tuple(path)
        warmth = path_warmth(
            [strength(a, b) for a, b in itertools.pairwise(ids)],
            [weights.discount(degree(n)) for n in ids[1:-1]],
        )
        if warmth >= min_warmth:
            out.append((rank_key(warmth, ids), Candidate(ids, warmth)))
    out.sort(key=lambda item: item[0])
    return [c for _, c in out[:k]]


def top_candidates(steps: SearchSteps, spec: SearchSpec, *, native: bool = True) -> list[Candidate]:
    """The ``spec.k`` warmest paths to ``spec.target``, ranked: the store's native search if it has
    one (and ``native``), else :func:`search`."""
    if native:
        found = steps.native_top_k(spec)
        if found is not None:
            return found
    return search(steps, spec)


def search(steps: SearchSteps, spec: SearchSpec) -> list[Candidate]:
    """The ``spec.k`` warmest paths to ``spec.target`` over ``steps``, ranked (see the module docstring)."""
    return _Run(steps, spec).run()


_Entry = tuple[float, int, float, int, Chain]  # (-bound, tiebreak, warmth so far, hops, chain)


class _Run:
    """The state of one :func:`search`."""

    def __init__(self, steps: SearchSteps, spec: SearchSpec) -> None:
        self.steps = steps
        self.spec = spec
        self.info: dict[str, NodeInfo] = {}
        self.full: dict[str, list[tuple[str, float]]] = {}  # every neighbour, strongest hop
        self.last: dict[str, list[tuple[str, float]]] = {}  # source neighbours only
        self.hop: dict[tuple[str, str], float] = {}  # (expanded node, neighbour) -> strength
        self.top: list[float] = []  # min-heap of the k best warmths found
        self.found: list[tuple[float, tuple[str, ...]]] = []
        self.last_hop = spec.max_hops - 1

    # -- fetching -------------------------------------------------------------------------
    def _fetch(self, full: Sequence[str], last: Sequence[str]) -> None:
        if full:
            for row in self.steps.expand(full):
                self.full.setdefault(row.node, []).append((row.other, row.strength))
                self.hop[(row.node, row.other)] = row.strength
                self.info[row.other] = row.info
            for v in full:
                self.full.setdefault(v, [])
        if last:
            for row in self.steps.expand_sources(last):
                self.last.setdefault(row.node, []).append((row.other, row.strength))
                self.hop[(row.node, row.other)] = row.strength
                self.info.setdefault(row.other, row.info)
            for v in last:
                self.last.setdefault(v, [])

    def _cached(self, v: str, at_last: bool) -> bool:
        return v in self.full or (at_last and v in self.last)

    def _prefetch(self, heap: list[_Entry]) -> None:
        """Fetch the neighbours of the uncached ends of the best partial paths, in one go."""
        limit = self._limit()
        batch = max(1, self.steps.batch)
        full: dict[str, None] = {}
        last: dict[str, None] = {}
        popped: list[_Entry] = []
        while heap and len(full) + len(last) < batch and len(popped) < 8 * batch:
            if -heap[0][0] < limit:
                break
            entry = heapq.heappop(heap)
            popped.append(entry)
            v, at_last = entry[4][0], entry[3] == self.last_hop
            # a hub's whole neighbourhood is fetched only when it is the best entry left:
            # by then the threshold often rules it out (its discount is small)
            speculative = bool(full or last)
            if speculative and not at_last and v in self.info and self.steps.is_hub(v, self.info[v]):
                continue
            if not self._cached(v, at_last):
                (last if at_last else full)[v] = None
        for entry in popped:
            heapq.heappush(heap, entry)
        self._fetch(list(full), [v for v in last if v not in full])

    # -- the search -----------------------------------------------------------------------
    def _limit(self) -> float:
        kth = self.top[0] if len(self.top) >= self.spec.k else 0.0
        return max(self.spec.min_warmth, kth) * (1.0 - WARMTH_SLACK)

    def _record(self, warmth: float, ids: tuple[str, ...]) -> None:
        self.found.append((warmth, ids))
        if len(self.top) < self.spec.k:
            heapq.heappush(self.top, warmth)
        elif warmth > self.top[0]:
            heapq.heapreplace(self.top, warmth)

    def _discount(self, nid: str) -> float:
        return self.steps.weights.discount(self.info[nid].degree)

    def run(self) -> list[Candidate]:
        spec, steps = self.spec, self.steps
        counter = itertools.count()
        heap: list[_Entry] = [(-1.0, next(counter), 1.0, 0, (spec.target, None))]
        while heap and -heap[0][0] >= self._limit():
            _, _, g, hops, chain = heap[0]
            v = chain[0]
            at_last = hops == self.last_hop
            if not self._cached(v, at_last):
                self._prefetch(heap)
                continue
            heapq.heappop(heap)
            on_path = set(unwind(chain))
            base = g * self._discount(v) if hops else g
            for u, strength in self.full[v] if v in self.full else self.last[v]:
                if u in on_path:
                    continue
                info = self.info[u]
                w = base * strength
                if info.source:
                    if w >= self._limit():
                        self._record(w, tuple(unwind((u, chain))))
                    continue
                if at_last or not info.interior_ok:
                    continue
                factor, more_hops = steps.bound(u, info)
                if hops + 1 + more_hops > spec.max_hops:
                    continue
                bound = w * factor
                if bound >= self._limit():
                    heapq.heappush(heap, (-bound, next(counter), w, hops + 1, (u, chain)))
        limit = self._limit()
        kept = [ids for w, ids in self.found if w >= limit]

        def strength_of(a: str, b: str) -> float:
            exact = steps.hop_strength(a, b)
            return self.hop[(b, a)] if exact is None else exact  # b is nearer the target: it was expanded

        return rank_candidates(kept, strength_of, lambda n: self.info[n].degree, steps.weights, spec.k, spec.min_warmth)


__all__ = [
    "WARMTH_SLACK",
    "Candidate",
    "Neighbour",
    "NodeInfo",
    "SearchSpec",
    "SearchSteps",
    "rank_candidates",
    "search",
    "top_candidates",
]
