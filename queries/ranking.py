"""The introduction rules on top of a store's ranked search: distinct introducers, holders that connect nobody.

A store's :meth:`~graph.store.GraphStore.top_paths` returns the warmest
simple paths in rank order. What a relationship manager wants is narrower,
and this module says exactly how, once, for every store:

1. **Holders that connect nobody.** A path whose *interior* holds a node that
   :func:`no_connector_ids` names (a state-assets commission, a finance
   bureau, a holder of very many stakes: ``no_connectors`` in warmth.yaml) is
   left out; the answer counts such paths and names the holders.
2. **Distinct introducers.** Of the remaining paths, in rank order, the first
   path of each introducer (the first node: the client) or of each first
   contact (the second node: the person or company the client talks to)
   stands for it; that introducer's further paths are folded under it.
   The top ``k`` are then ``k`` different introducers.

Both rules only *filter* a ranked list, so the answer is exact as soon as the
search has been asked for enough paths: :func:`ranked_groups` asks for more
(``4k``, then 4 times as many, up to :data:`FETCH_CAP`) until it has ``k``
groups or the search runs dry. When the cap is reached first, ``capped`` says
so and the answer may hold fewer groups than exist.

>>> _group_key(("Company:a", "Person:p", "Company:t"), "first_contact")
'Person:p'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from graph.model import Path, PathQuery
from graph.store import GraphStore
from queries.common import native
from queries.search import Candidate

#: the most paths one question asks a store for
FETCH_CAP = 200

Distinct = Literal["introducer", "first_contact", "none"]
DISTINCT_MODES: tuple[str, ...] = ("introducer", "first_contact", "none")


@dataclass
class RankedGroups:
    """The best path of each introducer (rank order), with its other paths, and what was left out."""

    best: list[Path] = field(default_factory=list)
    more: list[list[Path]] = field(default_factory=list)
    left_out: int = 0  # paths dropped because a holder that connects nobody stood inside them
    holders: list[str] = field(default_factory=list)  # names of those holders, first seen first
    capped: bool = False  # the search was asked for FETCH_CAP paths and more may exist
    degrees: dict[str, int] = field(default_factory=dict)  # degrees of every interior node seen


def _group_key(ids: Sequence[str], distinct: Distinct) -> str:
    if distinct == "first_contact" and len(ids) > 2:
        return ids[1]
    if distinct == "none":
        return "\x00".join(ids)
    return ids[0]


def no_connector_ids(store: GraphStore, paths: Sequence[Path], degrees: dict[str, int]) -> set[str]:
    """Interior nodes of ``paths`` that connect nobody, by the warmth file's ``no_connectors`` rules.

    A node qualifies by its name (a fragment from the list) or by holding at
    least ``min_stakes`` stakes; the second is counted only for nodes whose
    degree makes it possible, so ordinary paths cost no extra read.
    """
    interior: dict[str, str] = {}
    for path in paths:
        for node in path.nodes[1:-1]:
            interior.setdefault(node.id, node.name)
    return _blocked(store, interior, degrees)


def _blocked(store: GraphStore, interior: dict[str, str], degrees: dict[str, int]) -> set[str]:
    """:func:`no_connector_ids` of interior nodes given as id -> name."""
    w = store.weights
    blocked = {nid for nid, name in interior.items() if any(f in name for f in w.no_connector_names)}
    if w.no_connector_stakes > 0:
        heavy = [nid for nid in interior if nid not in blocked and degrees.get(nid, 0) >= w.no_connector_stakes]
        if heavy:
            counted = native(store, "out_counts")
            if counted is not None:  # counted from the store's arrays: a hub's stakes are not decoded
                stakes = cast(dict[str, int], counted(heavy, "HOLDS_SHARES"))
            else:
                stakes = dict.fromkeys(heavy, 0)
                for edge in store.edges_of(heavy, ["HOLDS_SHARES"]):
                    if edge.source in stakes:
                        stakes[edge.source] += 1
            blocked |= {nid for nid, n in stakes.items() if n >= w.no_connector_stakes}
    return blocked


class _Search:
    """One query's ranked paths as candidates (node ids, exact warmth), built into paths only when kept.

    A store with the ``path_candidates`` hook (:func:`queries.common.native`;
    with ``build_paths``) returns what ``top_paths`` would build, in the same
    order, without building it: the introduction rules below drop most of the
    paths they ask for (other paths of an introducer already listed beyond
    ``k``, paths through holders that connect nobody), so only the kept ones
    are built (their relationships and nodes decoded). Any other store builds
    every path of ``top_paths``, and the kept ones are picked from them.
    """

    def __init__(self, store: GraphStore, query: PathQuery) -> None:
        self.store = store
        self.query = query
        find = native(store, "path_candidates")
        self._built: dict[tuple[str, ...], Path] | None = None
        if find is not None and callable(getattr(store, "build_paths", None)):
            self.found = cast(list[Candidate], find(query))
        else:
            paths = store.top_paths(query)
            self._built = {p.ids: p for p in paths}
            self.found = [Candidate(p.ids, p.warmth) for p in paths]

    def names(self, ids: Sequence[str]) -> dict[str, str]:
        """The names of ``ids`` (nodes of the found paths)."""
        if self._built is not None:
            wanted = set(ids)
            return {n.id: n.name for p in self._built.values() for n in p.nodes if n.id in wanted}
        names = native(self.store, "node_names")
        if names is not None:
            return cast(dict[str, str], names(ids))
        return {nid: node.name for nid, node in self.store.get_nodes(ids).items()}

    def build(self, chosen: Sequence[Candidate]) -> dict[tuple[str, ...], Path]:
        """The paths of ``chosen`` (found candidates) by their ids, built in one go."""
        if self._built is not None:
            return {c.ids: self._built[c.ids] for c in chosen}
        paths = cast(list[Path], getattr(self.store, "build_paths")(self.query, chosen))  # noqa: B009
        return {p.ids: p for p in paths}


def path_warmths(store: GraphStore, query: PathQuery) -> list[float]:
    """The warmth of each of ``store.top_paths(query)``, in rank order, without building the paths where the
    store can say them unbuilt."""
    return [c.warmth for c in _Search(store, query).found]


def ranked_groups(store: GraphStore, query: PathQuery, distinct: Distinct, include_state_holders: bool) -> RankedGroups:
    """The top ``query.k`` groups of paths under the rules above (exact up to :data:`FETCH_CAP`)."""
    k = query.k
    plain = distinct == "none" and include_state_holders
    fetch = k if plain else min(FETCH_CAP, max(4 * k, k + 20))
    while True:
        search = _Search(store, query.model_copy(update={"k": fetch}))
        found = search.found
        interior = sorted({nid for c in found for nid in c.ids[1:-1]})
        degrees = store.degrees(interior) if interior else {}
        named = {} if include_state_holders or not interior else search.names(interior)
        blocked = _blocked(store, named, degrees) if named else set()
        result = RankedGroups(degrees=degrees)
        seen: dict[str, int] = {}
        best: list[Candidate] = []
        more: list[list[Candidate]] = []
        holders: list[str] = []  # ids of the blocked holders, first seen first
        for c in found:
            inside = [nid for nid in c.ids[1:-1] if nid in blocked]
            if inside:
                result.left_out += 1
                holders.extend(nid for nid in inside if nid not in holders)
                continue
            key = _group_key(c.ids, distinct)
            if key in seen:
                more[seen[key]].append(c)
            elif len(best) < k:
                seen[key] = len(best)
                best.append(c)
                more.append([])
        exhausted = len(found) < fetch
        if plain or len(best) >= k or exhausted or fetch >= FETCH_CAP:
            built = search.build([*best, *(c for group in more for c in group)])
            result.best = [built[c.ids] for c in best]
            result.more = [[built[c.ids] for c in group] for group in more]
            for nid in holders:  # blocked, so named above
                if named[nid] not in result.holders:
                    result.holders.append(named[nid])
            result.capped = not exhausted and len(best) < k and not plain
            return result
        fetch = min(FETCH_CAP, fetch * 4)
