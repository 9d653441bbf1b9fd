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
from typing import Literal

from graph.model import Path, PathQuery
from graph.store import GraphStore

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
    w = store.weights
    interior: dict[str, str] = {}
    for path in paths:
        for node in path.nodes[1:-1]:
            interior.setdefault(node.id, node.name)
    blocked = {nid for nid, name in interior.items() if any(f in name for f in w.no_connector_names)}
    if w.no_connector_stakes > 0:
        heavy = [nid for nid in interior if nid not in blocked and degrees.get(nid, 0) >= w.no_connector_stakes]
        if heavy:
            stakes: dict[str, int] = dict.fromkeys(heavy, 0)
            for edge in store.edges_of(heavy, ["HOLDS_SHARES"]):
                if edge.source in stakes:
                    stakes[edge.source] += 1
            blocked |= {nid for nid, n in stakes.items() if n >= w.no_connector_stakes}
    return blocked


def ranked_groups(store: GraphStore, query: PathQuery, distinct: Distinct, include_state_holders: bool) -> RankedGroups:
    """The top ``query.k`` groups of paths under the rules above (exact up to :data:`FETCH_CAP`)."""
    k = query.k
    plain = distinct == "none" and include_state_holders
    fetch = k if plain else min(FETCH_CAP, max(4 * k, k + 20))
    while True:
        paths = store.top_paths(query.model_copy(update={"k": fetch}))
        interior = sorted({n.id for p in paths for n in p.nodes[1:-1]})
        degrees = store.degrees(interior) if interior else {}
        blocked = set() if include_state_holders else no_connector_ids(store, paths, degrees)
        result = RankedGroups(degrees=degrees)
        seen: dict[str, int] = {}
        for path in paths:
            inside = [n for n in path.nodes[1:-1] if n.id in blocked]
            if inside:
                result.left_out += 1
                for node in inside:
                    if node.name not in result.holders:
                        result.holders.append(node.name)
                continue
            key = _group_key(path.ids, distinct)
            if key in seen:
                result.more[seen[key]].append(path)
            elif len(result.best) < k:
                seen[key] = len(result.best)
                result.best.append(path)
                result.more.append([])
        exhausted = len(paths) < fetch
        if plain or len(result.best) >= k or exhausted or fetch >= FETCH_CAP:
            result.capped = not exhausted and len(result.best) < k and not plain
            return result
        fetch = min(FETCH_CAP, fetch * 4)
