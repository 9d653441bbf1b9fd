"""The Neo4j store's path search: the search's seam (:class:`Steps`) and the search bounds kept in the graph.

The ranked search is :mod:`queries.search`, run in Python over adjacency
that :class:`Steps` fetches from Neo4j (see :mod:`graph.neo4j_store`). What
makes it fast is the bound: how warm any path beyond a node can still be.

**Bounds kept in the graph.** After each load is published (and on the first
connection to an imported graph) :func:`refresh_bounds` computes, for the
default filter (all relationship kinds, every client a source, the warmth
file's exclusions), the least cost (``-log`` warmth, hub discounts included)
and the fewest hops from every node to a client: one multi-source Dijkstra
over the whole graph (:meth:`graph.search_index.SearchIndex.bounds`, the
embedded store's own), written to the nodes (:data:`graph.cypher.BOUND_COST`,
:data:`graph.cypher.BOUND_HOPS`). The expansion query then returns each
neighbour's saved bounds instead of walking its relationships for the
strongest one, and the search follows the warmest paths almost without
detour: a few round trips per prospect instead of ten or more.

**Versioned with the generations.** Bounds belong to one published
generation and one filter digest (:func:`bounds_key`: the whole warmth
file, the schema's kinds). There are two slots; a generation's bounds go into
the slot of its parity, which is first taken away from readers
(:data:`graph.cypher.CLAIM_BOUNDS`) and handed back, marked with the
generation, once every node is written (:data:`graph.cypher.PUBLISH_BOUNDS`).
So a reader of the generation before still reads whole bounds from the other
slot, and a reader whose generation has none (a load just published, bounds
still being written) searches as before, with the weaker bound: slower, same
answers.

**Which queries use them.** The saved bounds are lower bounds on cost (upper
bounds on warmth) for every query that allows no more than the default filter:
some of the kinds, clients narrowed by manager or branch, more exclusions. A
path such a query accepts is either a default path to a client or passes a
client first, and costs never fall along a path (strengths and discounts are
at most 1). A query with explicit sources, or one that lets closed or
black-listed companies stand inside a path, searches with the weaker bound.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from neo4j import READ_ACCESS, ManagedTransaction, NotificationDisabledClassification, Record

from graph import cypher
from graph.model import PathQuery
from graph.schema import Schema
from graph.search_index import SearchIndex
from graph.warmth import Weights
from queries.search import Neighbour, NodeInfo, SearchSteps

if TYPE_CHECKING:  # the store imports this module
    from graph.neo4j_store import Neo4jStore

#: nodes whose neighbours one search query fetches (without saved bounds: the bound is weak, so a wide
#: frontier is fetched at once; with them, the best entries are nearly always on the answer's paths,
#: and a small frontier does less work for the same round trips: 18,100 against 19,100 db hits an answer at 100k)
FETCH_BATCH = 256
FETCH_BATCH_BOUNDED = 16
#: nodes above this degree are hubs: remembered, so a later fetch does not count them again,
#: and their neighbours are never fetched ahead of need
HUB_DEGREE = 64
#: hops saved for a node no client can be reached from (no path through it can end at a source)
UNREACHABLE_HOPS = 99
#: nodes whose bounds one write transaction sets
BOUNDS_WRITE_BATCH = 50_000
#: the internal ids the bounds are computed over are deprecated in Cypher (they live only while the bounds
#: are computed and written, which is what they are still for): the server's notice is not shown
_QUIET = (NotificationDisabledClassification.DEPRECATION, NotificationDisabledClassification.UNRECOGNIZED)
#: relative slack on a saved bound: a warmth multiplied in another order may differ in its last bits
_BOUND_SLACK = 1e-12


def bounds_key(schema: Schema, weights: Weights) -> str:
    """The digest of what the saved bounds depend on: the whole warmth file (strengths, hub
    discounts, exclusions) and the schema's relationship kinds."""
    text = "\x1f".join([weights.digest, *schema.types])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def covered_by_default(query: PathQuery, weights: Weights, schema: Schema) -> bool:
    """Whether the default filter's bounds are admissible for ``query`` (see the module docstring)."""
    return (
        query.sources == "clients"
        and set(query.types) <= set(schema.types)
        and set(weights.exclude_statuses) <= set(query.exclude_statuses)
        and (query.exclude_blacklisted or not weights.exclude_blacklisted)
    )


def bounds_slot(meta: Record | dict[str, Any], pub: int, key: str) -> int | None:
    """The slot holding bounds of generation ``pub`` under filter digest ``key``, from the meta row."""
    gens, keys = meta["bounds_gen"] or [], meta["bounds_key"] or []
    for slot in (0, 1):
        if slot < len(gens) and slot < len(keys) and gens[slot] == pub and keys[slot] == key:
            return slot
    return None


def compute_bounds(
    node_ids: np.ndarray,
    degree: np.ndarray,
    is_source: np.ndarray,
    interior_ok: np.ndarray,
    rel_a: np.ndarray,
    rel_b: np.ndarray,
    strength: np.ndarray,
    weights: Weights,
) -> tuple[np.ndarray, np.ndarray]:
    """Least cost and fewest hops from each node (``node_ids``, any integers) to a source.

    ``rel_a``/``rel_b`` are the relationships' ends (values of ``node_ids``;
    either way round: a path may walk them both ways), ``strength`` their
    strengths. The cost of a step into a node includes that node's hub
    discount, as the embedded store's bounds do. Unreachable: ``inf``.

    >>> from graph.warmth import load_weights
    >>> cost, hops = compute_bounds(np.array([7, 3, 5]), np.array([1, 2, 1]), np.array([False, False, True]),
    ...     np.array([True, True, False]), np.array([7, 3]), np.array([3, 5]), np.array([0.5, 1.0]), load_weights())
    >>> hops.tolist()
    [2.0, 1.0, 0.0]
    """
    n = len(node_ids)
    order = np.argsort(node_ids, kind="stable")
    sorted_ids = node_ids[order]
    at_a = np.minimum(np.searchsorted(sorted_ids, rel_a), max(n - 1, 0))
    at_b = np.minimum(np.searchsorted(sorted_ids, rel_b), max(n - 1, 0))
    # a relationship whose end is not among the nodes (none should be) cannot be walked: left out
    known = (sorted_ids[at_a] == rel_a) & (sorted_ids[at_b] == rel_b) if n else np.zeros(len(rel_a), dtype=bool)
    a, b, edge_cost = order[at_a[known]], order[at_b[known]], -np.log(strength[known])
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    cost = np.concatenate([edge_cost, edge_cost])
    by_row = np.argsort(rows, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    index = SearchIndex(
        ids=[""] * n,  # only their number matters to the bounds
        pos={},
        degree=degree,
        node_cost=-np.log(weights.discounts(degree)),
        is_client=is_source,
        blacklisted=np.zeros(n, dtype=bool),
        status=np.empty(n, dtype=object),
        manager=np.empty(n, dtype=object),
        branch=np.empty(n, dtype=object),
        indptr=indptr,
        nbr=cols[by_row].astype(np.int32),
        etype=np.zeros(len(rows), dtype=np.int8),
        ecost=cost[by_row],
        types=("any",),
    )
    return index.bounds(("default",), np.flatnonzero(is_source), interior_ok, np.array([True]))


def _stream(store: Neo4jStore, query: str, pub: int) -> Iterator[list[Any]]:
    """The rows of a bounds read (parallel lists per row), streamed."""
    with store._driver.session(
        database=store.database, default_access_mode=READ_ACCESS, notifications_disabled_classifications=_QUIET
    ) as session:
        for record in session.run(query, {"pub": pub}):
            yield record.values()


def refresh_bounds(store: Neo4jStore) -> int | None:
    """Compute the default filter's bounds for the generation published now and save them in the
    graph; the generation, or None when another writer took the slot meanwhile."""
    pub = store._view()
    slot = pub % 2
    token = secrets.token_hex(8)
    store._command(cypher.CLAIM_BOUNDS, slot=slot, token=token)
    ids: list[int] = []
    degrees: list[int] = []
    client: list[bool] = []
    excluded: list[bool] = []
    weights, statuses = store.weights, frozenset(store.weights.exclude_statuses)
    for i, degree, is_client, status, blacklisted in _stream(store, cypher.bound_nodes(store.schema), pub):
        ids.extend(i)
        degrees.extend(degree)
        client.extend(is_client)
        excluded.extend(
            st in statuses or (weights.exclude_blacklisted and bool(b))
            for st, b in zip(status, blacklisted, strict=True)
        )
    rel_a: list[int] = []
    rel_b: list[int] = []
    strengths: list[float] = []
    for a, b, strength in _stream(store, cypher.bound_relationships(store.schema), pub):
        rel_a.extend(a)
        rel_b.extend(b)
        strengths.extend(strength)
    out = np.array(excluded, dtype=bool)
    source = np.array(client, dtype=bool) & ~out
    node_ids = np.array(ids, dtype=np.int64)
    cost, hops = compute_bounds(
        node_ids,
        np.array(degrees, dtype=np.int64),
        source,
        ~out & ~source,
        np.array(rel_a, dtype=np.int64),
        np.array(rel_b, dtype=np.int64),
        np.array(strengths, dtype=np.float64),
        weights,
    )
    _write_bounds(store, slot, node_ids, cost, hops)
    done = store._command(
        cypher.PUBLISH_BOUNDS, slot=slot, token=token, pub=pub, key=bounds_key(store.schema, store.weights)
    )
    return pub if done else None


def _write_bounds(store: Neo4jStore, slot: int, node_ids: np.ndarray, cost: np.ndarray, hops: np.ndarray) -> None:
    """Save the bounds, :data:`BOUNDS_WRITE_BATCH` nodes a transaction; a node no client can be reached
    from gets no cost and :data:`UNREACHABLE_HOPS`."""
    query = cypher.set_bounds(slot)
    far = np.isinf(cost)
    costs: list[float | None] = [None if f else c for c, f in zip(cost.tolist(), far.tolist(), strict=True)]
    steps = np.where(far, UNREACHABLE_HOPS, np.where(np.isinf(hops), UNREACHABLE_HOPS, hops)).astype(np.int64).tolist()
    every = node_ids.tolist()

    def work(tx: ManagedTransaction, lo: int) -> None:
        hi = lo + BOUNDS_WRITE_BATCH
        tx.run(query, ids=every[lo:hi], cost=costs[lo:hi], hops=steps[lo:hi]).consume()

    with store._driver.session(
        database=store.database,
        bookmark_manager=store._driver.execute_query_bookmark_manager,
        notifications_disabled_classifications=_QUIET,
    ) as session:
        for lo in range(0, len(every), BOUNDS_WRITE_BATCH):
            session.execute_write(work, lo)


class Steps(SearchSteps):
    """The search's seam on Neo4j for one query: :func:`graph.cypher.neighbours` per frontier batch,
    :func:`graph.cypher.source_neighbours` for the last hop; hubs counted once; the saved bounds
    (``slot``) where the query allows them."""

    def __init__(self, store: Neo4jStore, query: PathQuery, slot: int | None = None) -> None:
        super().__init__(store.weights)
        self.store = store
        self.query = query
        self.types = list(dict.fromkeys(query.types))
        self.explicit: frozenset[str] | None = (
            None if query.sources == "clients" else frozenset(query.sources) - {query.target}
        )
        self.statuses = frozenset(query.exclude_statuses)
        self.slot = slot if slot is not None and covered_by_default(query, store.weights, store.schema) else None
        self.batch = FETCH_BATCH if self.slot is None else FETCH_BATCH_BOUNDED
        self.degree: dict[str, int] = {}
        self.best: dict[str, float] = {}
        #: saved bounds of the nodes seen: (warmth factor, hops)
        self.saved: dict[str, tuple[float, int]] = {}

    def _flags(self, r: Record) -> tuple[bool, bool]:
        """(is a source, may stand inside a path) of a neighbour row's node."""
        q = self.query
        excluded = r["status"] in self.statuses or (q.exclude_blacklisted and bool(r["blacklisted"]))
        if self.explicit is not None:
            source = r["u"] in self.explicit
        else:
            source = (
                bool(r["client"])
                and not excluded
                and (q.manager is None or r["manager"] == q.manager)
                and (q.branch is None or r["branch"] == q.branch)
            )
        return source, not excluded and not source

    def expand(self, ids: Sequence[str]) -> list[Neighbour]:
        hubs = [nid for nid, d in self.degree.items() if d > HUB_DEGREE]
        schema = self.store.schema
        out: list[Neighbour] = []
        for r in self.store._read_by_ids(cypher.neighbours(schema, self.types, self.slot), ids, known=hubs):
            u = r["u"]
            if u not in self.degree or self.degree[u] <= HUB_DEGREE:
                self.degree[u] = int(r["degree"])
                if self.slot is None:
                    self.best[u] = float(r["best"])
                else:
                    self.best[u] = 1.0
                    self.saved[u] = _saved(r["cost"], r["hops"])
            source, interior_ok = self._flags(r)
            info = NodeInfo(source, interior_ok, self.degree[u], self.best[u])
            out.append(Neighbour(r["v"], u, float(r["strength"]), info))
        return out

    def expand_sources(self, ids: Sequence[str]) -> list[Neighbour]:
        explicit = sorted(self.explicit) if self.explicit is not None else []
        out: list[Neighbour] = []
        query = cypher.source_neighbours(self.store.schema, self.types)
        for r in self.store._read_by_ids(query, ids, clients=self.explicit is None, explicit=explicit):
            u = r["u"]
            source, interior_ok = self._flags(r)
            info = NodeInfo(source, interior_ok, self.degree.get(u, -1), self.best.get(u, 0.0))
            out.append(Neighbour(r["v"], u, float(r["strength"]), info))
        return out

    def bound(self, nid: str, info: NodeInfo) -> tuple[float, int]:
        saved = self.saved.get(nid)
        return saved if saved is not None else super().bound(nid, info)

    def is_hub(self, nid: str, info: NodeInfo) -> bool:
        return info.degree > HUB_DEGREE


def _saved(cost: float | None, hops: int | None) -> tuple[float, int]:
    """A saved bound as the search takes it: (warmth factor, hops); none saved: no pruning (1, 1)."""
    if hops is None:
        return 1.0, 1
    if cost is None:  # no client reachable: no path through this node ends at a source
        return 0.0, UNREACHABLE_HOPS
    return math.exp(-float(cost)) * (1.0 + _BOUND_SLACK), max(1, int(hops))


__all__ = ["FETCH_BATCH", "HUB_DEGREE", "Steps", "bounds_key", "bounds_slot", "compute_bounds", "refresh_bounds"]
