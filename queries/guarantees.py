"""Guarantees (担保): mutual guarantees, guarantee circles and chains, and exposure to flagged entities.

A ``GUARANTEES`` relationship runs guarantor → borrower. When the borrower
defaults the guarantor pays, so risk travels against the arrow, and a
*guarantee circle* (担保圈, 互保, 联保) is a set of companies that guarantee
each other round a cycle: a strongly connected component of the guarantee
graph with at least two members. A *mutual guarantee* (互保) is a pair
that guarantees each other; it is the smallest circle. The circle of a
company is found by walking out from it (everything it can reach along
guarantees, then what of that can reach it back; a store with a
``reachable`` method answers both reaches natively, see
:func:`queries.common.native`); the list of every circle reads all
guarantees once.

A *guarantee chain* (担保链) is a path of guarantees from a company: up to
its guarantors and their guarantors, or down to the borrowers it backs and
theirs.

*Exposure*: companies within ``hops`` relationships (equity, officer, supply
and guarantee by default; parks on request) of a black-listed or closed
(注销/吊销) entity, with the hop count and the path. A node with more
than ``hub_degree`` relationships is not walked through (a state asset
commission or a big park links everything to everything), but is reported
when it is itself flagged.

``active_on`` (a date) keeps only guarantees in force that day: started on
or before it and ending on or after it (a missing date counts as open).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from graph.errors import InvalidParameter
from graph.model import Edge, Node, Path
from graph.schema import SCHEMA_FILE, load_schema
from graph.store import GraphStore, one_snapshot
from queries.common import entity, flags, native, node_dict, number, whole_number
from queries.explain import sentence
from queries.format import Lang, money
from queries.paths import resolve_kinds

GUARANTEES = "GUARANTEES"
#: relationship kinds exposure walks by default: those the packaged schema flags ``exposure`` (all but parks);
#: queries read their store's schema
EXPOSURE_KINDS = load_schema(SCHEMA_FILE).flagged("exposure")

ChainDirection = Literal["guarantors", "borrowers"]


@dataclass(frozen=True)
class GuaranteeLink:
    """One guarantee: ``guarantor`` backs ``borrower``'s loans for ``amount``."""

    guarantor: Node
    borrower: Node
    amount: float | None
    start: str | None
    end: str | None
    type: str | None

    def text(self, lang: Lang = "zh") -> str:
        kind = f"（{self.type}）" if lang == "zh" and self.type else (f" ({self.type})" if self.type else "")
        return f"{self.guarantor.name} → {self.borrower.name} {money(self.amount, lang)}{kind}"

    def to_dict(self) -> dict[str, object]:
        return {
            "guarantor": node_dict(self.guarantor),
            "borrower": node_dict(self.borrower),
            "amount": self.amount,
            "start": self.start,
            "end": self.end,
            "type": self.type,
        }


@dataclass(frozen=True)
class MutualGuarantee:
    """``a`` and ``b`` guarantee each other: the amounts each way (None: unknown)."""

    a: Node
    b: Node
    a_to_b: float | None
    b_to_a: float | None

    def to_dict(self) -> dict[str, object]:
        return {"a": node_dict(self.a), "b": node_dict(self.b), "a_to_b": self.a_to_b, "b_to_a": self.b_to_a}


@dataclass(frozen=True)
class Circle:
    """A guarantee circle: members, the guarantees among them, and what a risk officer checks.

    ``cycles`` lists simple cycles (member ids, each from its smallest id)
    of at most ``max_cycle_length`` members, at most ``max_cycles`` of them;
    ``cycles_complete`` says whether that list holds every cycle up to the
    length bound.
    """

    members: tuple[Node, ...]
    links: tuple[GuaranteeLink, ...]
    total_amount: float
    unknown_amounts: int
    clients: tuple[Node, ...]
    closed: tuple[Node, ...]
    blacklisted: tuple[Node, ...]
    cycles: tuple[tuple[str, ...], ...]
    cycles_complete: bool

    @property
    def kind(self) -> Literal["mutual", "circle"]:
        """``mutual`` for a pair (互保), ``circle`` for three or more (担保圈)."""
        return "mutual" if len(self.members) == 2 else "circle"

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(m.id for m in self.members)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "members": [node_dict(m) for m in self.members],
            "total_amount": self.total_amount,
            "unknown_amounts": self.unknown_amounts,
            "clients": [m.id for m in self.clients],
            "closed": [m.id for m in self.closed],
            "blacklisted": [m.id for m in self.blacklisted],
            "links": [lk.to_dict() for lk in self.links],
            "cycles": [list(c) for c in self.cycles],
            "cycles_complete": self.cycles_complete,
        }


@dataclass(frozen=True)
class GuaranteeChain:
    """A chain from the company: up its ``guarantors`` or down to the ``borrowers`` it backs.

    ``nodes[0]`` is the company; ``links[i]`` are the guarantees (one or
    more) of hop ``i``; ``closes`` is set when the last hop returns to a
    node already on the chain (the chain runs into a circle).
    """

    direction: ChainDirection
    nodes: tuple[Node, ...]
    links: tuple[tuple[GuaranteeLink, ...], ...]
    closes: Node | None = None

    @property
    def amounts(self) -> tuple[float | None, ...]:
        """The amount of each hop: its guarantees added up (None when one is unknown)."""
        return tuple(
            None if any(lk.amount is None for lk in hop) else math.fsum(lk.amount or 0.0 for lk in hop)
            for hop in self.links
        )

    def text(self, lang: Lang = "zh") -> str:
        arrow = " ← " if self.direction == "guarantors" else " → "
        out = arrow.join(n.name for n in self.nodes)
        if self.closes is not None:
            out += arrow + self.closes.name + (" (成环)" if lang == "zh" else " (circle)")
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "nodes": [node_dict(n) for n in self.nodes],
            "links": [[lk.to_dict() for lk in hop] for hop in self.links],
            "amounts": list(self.amounts),
            "closes": None if self.closes is None else node_dict(self.closes),
            "text": self.text(),
        }


@dataclass(frozen=True)
class GuaranteeChains:
    """The guarantee chains of ``company`` up to ``max_hops``."""

    company: Node
    max_hops: int
    chains: tuple[GuaranteeChain, ...]
    truncated: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "max_hops": self.max_hops,
            "chains": [c.to_dict() for c in self.chains],
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class ExposureHit:
    """``company`` is ``hops`` relationships from the flagged entity ``flagged``, along ``path``."""

    company: Node
    flagged: Node
    flags: tuple[str, ...]
    hops: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def sentence(self, lang: Lang = "zh") -> str:
        """The path told in one sentence, each relationship in its true direction."""
        if not self.edges:
            return ""
        return sentence(Path(self.nodes, self.edges, 1.0), lang, "")

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "flagged": node_dict(self.flagged),
            "flags": list(self.flags),
            "hops": self.hops,
            "path": [node_dict(n) for n in self.nodes],
            "edges": [{"type": e.type, "source": e.source, "target": e.target} for e in self.edges],
            "sentence_zh": self.sentence("zh"),
            "sentence_en": self.sentence("en"),
        }


@dataclass(frozen=True)
class Exposure:
    """The flagged entities within ``hops`` of ``company`` (and its own flags)."""

    company: Node
    own_flags: tuple[str, ...]
    hops: int
    kinds: tuple[str, ...]
    hits: tuple[ExposureHit, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "own_flags": list(self.own_flags),
            "hops": self.hops,
            "kinds": list(self.kinds),
            "hits": [h.to_dict() for h in self.hits],
        }


# -- guarantees as data --------------------------------------------------------------------------
def _date(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)[:10]


def _check_day(active_on: str | dt.date | None) -> str | None:
    if active_on is None:
        return None
    if isinstance(active_on, dt.date):
        return active_on.isoformat()[:10]
    if isinstance(active_on, str):
        try:
            return dt.date.fromisoformat(active_on.strip()[:10]).isoformat()
        except ValueError:
            pass
    raise InvalidParameter("active_on", f"must be a date (YYYY-MM-DD), got {active_on!r}")


def _in_force(edge: Edge, day: str | None) -> bool:
    if edge.type != GUARANTEES or edge.source == edge.target:
        return False
    if day is None:
        return True
    start, end = _date(edge.props.get("start")), _date(edge.props.get("end"))
    return (start is None or start <= day) and (end is None or end >= day)


def guarantee_type(props: Mapping[str, object]) -> str | None:
    """The guarantee's type (担保方式: 连带责任保证, 抵押 ...) as loaded, or None.

    The loader stores it as ``guarantee_type`` (the schema's column name);
    ``type`` is read too, for graphs written before the two were aligned.

    >>> guarantee_type({"guarantee_type": "连带责任保证"}), guarantee_type({})
    ('连带责任保证', None)
    """
    kind = props.get("guarantee_type")
    if kind is None:
        kind = props.get("type")
    return None if kind is None or kind == "" else str(kind)


def _link(edge: Edge, nodes: dict[str, Node]) -> GuaranteeLink:
    kind = guarantee_type(edge.props)
    return GuaranteeLink(
        nodes[edge.source],
        nodes[edge.target],
        number(edge.props.get("amount")),
        _date(edge.props.get("start")),
        _date(edge.props.get("end")),
        kind,
    )


def _circle(
    store: GraphStore,
    members: Iterable[str],
    edges: Iterable[Edge],
    nodes: dict[str, Node],
    max_cycle_length: int,
    max_cycles: int,
) -> Circle:
    ids = sorted(members)
    inside = set(ids)
    among = sorted(
        (e for e in edges if e.source in inside and e.target in inside),
        key=lambda e: (e.source, e.target, str(e.props.get("start")), str(e.props.get("_key", ""))),
    )
    if len(ids) == 2:  # a mutual guarantee (the members are a strongly connected component): one cycle
        found = [ids]
    else:
        import networkx as nx  # imported here: most circles are pairs, and a query without one needs none

        graph = nx.DiGraph()
        graph.add_nodes_from(ids)
        graph.add_edges_from((e.source, e.target) for e in among)
        found = list(itertools.islice(nx.simple_cycles(graph, length_bound=max_cycle_length), max_cycles + 1))
    cycles = sorted({_rotate(c) for c in found[:max_cycles]}, key=lambda c: (len(c), c))
    amounts = [number(e.props.get("amount")) for e in among]
    closed = store.weights.exclude_statuses
    people = [nodes[i] for i in ids]
    return Circle(
        members=tuple(people),
        links=tuple(_link(e, nodes) for e in among),
        total_amount=math.fsum(a for a in amounts if a is not None),
        unknown_amounts=sum(a is None for a in amounts),
        clients=tuple(n for n in people if n.is_client),
        closed=tuple(n for n in people if n.get("status") in closed),
        blacklisted=tuple(n for n in people if n.get("blacklisted")),
        cycles=tuple(cycles),
        cycles_complete=len(found) <= max_cycles,
    )


def _rotate(cycle: Sequence[str]) -> tuple[str, ...]:
    i = min(range(len(cycle)), key=lambda k: cycle[k])
    return tuple(cycle[i:]) + tuple(cycle[:i])


def _circle_sort(c: Circle) -> tuple[float, int, str]:
    return (-c.total_amount, -len(c.members), c.members[0].id)


def _check_cycle_options(max_cycle_length: int, max_cycles: int) -> None:
    whole_number("max_cycle_length", max_cycle_length, 2, 50)
    whole_number("max_cycles", max_cycles, 1, 100_000)


# -- circles ---------------------------------------------------------------------------------------------
@one_snapshot
def guarantee_circles(
    store: GraphStore,
    *,
    min_size: int = 2,
    max_cycle_length: int = 6,
    max_cycles: int = 100,
    active_on: str | dt.date | None = None,
) -> tuple[Circle, ...]:
    """Every guarantee circle of the graph with at least ``min_size`` members, largest amount first.

    Reads all guarantees once (a graph-wide listing).
    """
    min_size = whole_number("min_size", min_size, 2)
    _check_cycle_options(max_cycle_length, max_cycles)
    day = _check_day(active_on)
    hook = native(store, "strong_components") if day is None else None
    if hook is not None:  # the components from the store, then only their members' guarantees read
        groups: list[set[str]] = [set(g) for g in cast(list[list[str]], hook([GUARANTEES], min_size))]
        members = sorted(set().union(*groups)) if groups else []
        edges = [e for e in store.edges_of(members, [GUARANTEES]) if _in_force(e, day)] if members else []
    else:
        import networkx as nx

        edges = [e for e in store.iter_edges([GUARANTEES]) if _in_force(e, day)]
        graph = nx.DiGraph()
        graph.add_edges_from((e.source, e.target) for e in edges)
        groups = [g for g in nx.strongly_connected_components(graph) if len(g) >= min_size]
    nodes = store.get_nodes(sorted(set().union(*groups))) if groups else {}
    by_member: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        by_member[e.source].append(e)
    circles = [
        _circle(store, g, (e for m in g for e in by_member[m]), nodes, max_cycle_length, max_cycles) for g in groups
    ]
    return tuple(sorted(circles, key=_circle_sort))


class _Adjacency:
    """Guarantees of nodes fetched from the store on demand, a frontier at a time."""

    def __init__(self, store: GraphStore, day: str | None) -> None:
        self.store = store
        self.day = day
        self.out: dict[str, list[Edge]] = {}
        self.into: dict[str, list[Edge]] = {}

    def fetch(self, ids: Iterable[str]) -> None:
        need = sorted({i for i in ids if i not in self.out})
        if not need:
            return
        wanted = set(need)
        for i in need:
            self.out[i] = []
            self.into[i] = []
        for e in self.store.edges_of(need, [GUARANTEES]):
            if not _in_force(e, self.day):
                continue
            if e.source in wanted:
                self.out[e.source].append(e)
            if e.target in wanted:
                self.into[e.target].append(e)

    def reach(self, start: str, forward: bool, within: set[str] | None = None) -> set[str]:
        """Everything reachable from ``start`` along (``forward``) or against guarantees, inside ``within``."""
        seen = {start}
        frontier = [start]
        while frontier:
            self.fetch(frontier)
            fresh: list[str] = []
            for here in frontier:
                for e in (self.out if forward else self.into)[here]:
                    other = e.target if forward else e.source
                    if other not in seen and (within is None or other in within):
                        seen.add(other)
                        fresh.append(other)
            frontier = fresh
        return seen


def _circle_of(store: GraphStore, adj: _Adjacency, start: str, max_cycle_length: int, max_cycles: int) -> Circle | None:
    hook = native(store, "reachable") if adj.day is None else None
    if hook is not None:
        ahead = cast(set[str], hook(start, [GUARANTEES], True))
        members = ahead & cast(set[str], hook(start, [GUARANTEES], False))
        adj.fetch(members)
    else:
        ahead = adj.reach(start, forward=True)
        members = adj.reach(start, forward=False, within=ahead)
    if len(members) < 2:
        return None
    nodes = store.get_nodes(sorted(members))
    return _circle(store, members, (e for m in members for e in adj.out[m]), nodes, max_cycle_length, max_cycles)


@one_snapshot
def circles_of(
    store: GraphStore,
    company: str | Node,
    *,
    neighbours: bool = False,
    max_cycle_length: int = 6,
    max_cycles: int = 100,
    active_on: str | dt.date | None = None,
) -> tuple[Circle, ...]:
    """The guarantee circle ``company`` belongs to (at most one), and with ``neighbours`` also the
    circles of the companies it guarantees or is guaranteed by. Walks out from the company only."""
    node = entity(store, company)
    _check_cycle_options(max_cycle_length, max_cycles)
    adj = _Adjacency(store, _check_day(active_on))
    circles: list[Circle] = []
    own = _circle_of(store, adj, node.id, max_cycle_length, max_cycles)
    if neighbours:
        adj.fetch([node.id])
        counterparties = sorted({e.target for e in adj.out[node.id]} | {e.source for e in adj.into[node.id]})
        covered = set() if own is None else set(own.ids)
        for other in counterparties:
            if other in covered:
                continue
            circle = _circle_of(store, adj, other, max_cycle_length, max_cycles)
            if circle is not None:
                covered |= circle.ids
                circles.append(circle)
    return (() if own is None else (own,)) + tuple(sorted(circles, key=_circle_sort))


@one_snapshot
def mutual_guarantees(
    store: GraphStore, company: str | Node | None = None, *, active_on: str | dt.date | None = None
) -> tuple[MutualGuarantee, ...]:
    """Pairs that guarantee each other (互保): those of ``company``, or of the whole graph when None."""
    day = _check_day(active_on)
    if company is None:
        edges = [e for e in store.iter_edges([GUARANTEES]) if _in_force(e, day)]
    else:
        node = entity(store, company)
        edges = [e for e in store.edges_of([node.id], [GUARANTEES]) if _in_force(e, day)]
    amounts: dict[tuple[str, str], list[float | None]] = defaultdict(list)
    for e in edges:
        amounts[(e.source, e.target)].append(number(e.props.get("amount")))
    pairs = sorted((a, b) for a, b in amounts if a < b and (b, a) in amounts)
    nodes = store.get_nodes(sorted({x for p in pairs for x in p}))

    def total(values: list[float | None]) -> float | None:
        return None if any(v is None for v in values) else math.fsum(v for v in values if v is not None)

    return tuple(
        MutualGuarantee(nodes[a], nodes[b], total(amounts[(a, b)]), total(amounts[(b, a)]))
        for a, b in pairs
        if a in nodes and b in nodes
    )


# -- chains ---------------------------------------------------------------------------------------------
@one_snapshot
def guarantee_chains(
    store: GraphStore,
    company: str | Node,
    *,
    direction: Literal["guarantors", "borrowers", "both"] = "both",
    max_hops: int = 4,
    limit: int = 200,
    active_on: str | dt.date | None = None,
) -> GuaranteeChains:
    """The guarantee chains from ``company``: each maximal simple path of at most ``max_hops``
    guarantees up its ``guarantors`` and/or down to the ``borrowers`` it backs, at most ``limit``."""
    node = entity(store, company)
    max_hops = whole_number("max_hops", max_hops, 1, 10)
    limit = whole_number("limit", limit, 1)
    if direction not in ("guarantors", "borrowers", "both"):
        raise InvalidParameter("direction", f"must be guarantors, borrowers or both, got {direction!r}")
    adj = _Adjacency(store, _check_day(active_on))
    wanted: tuple[ChainDirection, ...] = ("guarantors", "borrowers") if direction == "both" else (direction,)
    found: list[tuple[ChainDirection, _Walk]] = []
    truncated = False
    for way in wanted:
        walks, cut = _walks(adj, node.id, way == "borrowers", max_hops, limit - len(found))
        found += [(way, w) for w in walks]
        truncated = truncated or cut
    nodes = store.get_nodes(sorted({n for _, w in found for n in (*w.path, *([w.close] if w.close else []))}))
    nodes[node.id] = node
    chains = [
        GuaranteeChain(
            way,
            tuple(nodes[n] for n in w.path),
            tuple(tuple(_link(e, nodes) for e in hop) for hop in w.hops),
            None if w.close is None else nodes[w.close],
        )
        for way, w in found
    ]
    chains.sort(key=lambda c: (c.direction, len(c.nodes), [n.id for n in c.nodes]))
    return GuaranteeChains(node, max_hops, tuple(chains), truncated)


@dataclass(frozen=True)
class _Walk:
    path: tuple[str, ...]
    hops: tuple[tuple[Edge, ...], ...]
    close: str | None = None


def _walks(adj: _Adjacency, start: str, forward: bool, max_hops: int, limit: int) -> tuple[list[_Walk], bool]:
    """Maximal simple walks of at most ``max_hops`` along (``forward``) or against guarantees; at most
    ``limit``, and whether more were left out. The guarantees joining two companies make one hop."""
    layer = [start]
    for _ in range(max_hops):  # fetch every node within max_hops - 1 steps, then walk in memory
        adj.fetch(layer)
        layer = sorted(
            {e.target if forward else e.source for n in layer for e in (adj.out if forward else adj.into)[n]}
        )
    found: list[_Walk] = []
    stack = [_Walk((start,), ())]
    while stack:
        walk = stack.pop()
        steps: dict[str, list[Edge]] = defaultdict(list)
        if len(walk.hops) < max_hops:
            for e in (adj.out if forward else adj.into)[walk.path[-1]]:
                steps[e.target if forward else e.source].append(e)
        for other in sorted(steps, reverse=True):
            hop = (*walk.hops, tuple(steps[other]))
            if other in walk.path:
                if len(found) >= limit:
                    return found, True
                found.append(_Walk(walk.path, hop, other))
            else:
                stack.append(_Walk((*walk.path, other), hop))
        if not steps and walk.hops:
            if len(found) >= limit:
                return found, True
            found.append(walk)
    return found, False


# -- exposure ---------------------------------------------------------------------------------------------
def _exposure_kinds(store: GraphStore, kinds: Sequence[str] | None) -> tuple[str, ...]:
    return store.schema.flagged("exposure") if kinds is None else resolve_kinds(store, kinds)


def _bfs(
    store: GraphStore, sources: Sequence[str], hops: int, types: Sequence[str], hub_degree: int | None
) -> tuple[dict[str, int], dict[str, tuple[str, Edge]]]:
    """Hop counts and parent steps from the nearest source; hubs are reached but not walked through."""
    dist = dict.fromkeys(sources, 0)
    parent: dict[str, tuple[str, Edge]] = {}
    frontier = list(sources)
    for h in range(1, hops + 1):
        if not frontier:
            break
        walk = frontier
        if hub_degree is not None:
            degree = store.degrees(frontier)
            walk = [n for n in frontier if dist[n] == 0 or degree.get(n, 0) <= hub_degree]
        walkable = set(walk)
        fresh: list[str] = []
        for e in store.edges_of(walk, list(types)):
            for u, v in ((e.source, e.target), (e.target, e.source)):
                if u in walkable and v not in dist:
                    dist[v] = h
                    parent[v] = (u, e)
                    fresh.append(v)
        frontier = fresh
    return dist, parent


def _trace(start: str, parent: dict[str, tuple[str, Edge]]) -> tuple[list[str], list[Edge]]:
    """The path from ``start`` back to its BFS source: node ids and edges in walking order."""
    ids = [start]
    edges: list[Edge] = []
    while ids[-1] in parent:
        prev, e = parent[ids[-1]]
        ids.append(prev)
        edges.append(e)
    return ids, edges


def _check_exposure(hops: int, hub_degree: int | None) -> None:
    whole_number("hops", hops, 1, 6)
    if hub_degree is not None:
        whole_number("hub_degree", hub_degree, 1)


@one_snapshot
def exposure(
    store: GraphStore,
    company: str | Node,
    *,
    hops: int = 2,
    kinds: Sequence[str] | None = None,
    hub_degree: int | None = 1000,
) -> Exposure:
    """Black-listed and closed entities within ``hops`` of ``company``, nearest first, each with the
    shortest path (company first). Walks out from the company only."""
    node = entity(store, company, labels=("Company", "Person"))
    _check_exposure(hops, hub_degree)
    types = _exposure_kinds(store, kinds)
    dist, parent = _bfs(store, [node.id], hops, types, hub_degree)
    nodes = store.get_nodes(sorted(dist))
    hits: list[ExposureHit] = []
    for nid, h in dist.items():
        if h == 0 or nid not in nodes:
            continue
        why = flags(store, nodes[nid])
        if not why:
            continue
        ids, edges = _trace(nid, parent)
        ids.reverse()
        edges.reverse()
        hits.append(ExposureHit(node, nodes[nid], why, h, tuple(nodes[i] for i in ids), tuple(edges)))
    hits.sort(key=lambda x: (x.hops, x.flagged.id))
    return Exposure(node, flags(store, node), hops, tuple(types), tuple(hits))


@one_snapshot
def exposed_companies(
    store: GraphStore,
    *,
    hops: int = 2,
    kinds: Sequence[str] | None = None,
    clients_only: bool = False,
    hub_degree: int | None = 1000,
    limit: int | None = None,
) -> tuple[ExposureHit, ...]:
    """Every company within ``hops`` of a black-listed or closed entity (not itself flagged), with
    its nearest flagged entity, the hop count and the path; clients only with ``clients_only``.

    A graph-wide listing: finds the flagged entities by reading every node once,
    then walks out from all of them together.
    """
    _check_exposure(hops, hub_degree)
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    types = _exposure_kinds(store, kinds)
    sources = sorted(n.id for n in store.iter_nodes() if flags(store, n))
    dist, parent = _bfs(store, sources, hops, types, hub_degree)
    reached = sorted((h, nid) for nid, h in dist.items() if h > 0 and nid.startswith("Company:"))
    nodes = store.get_nodes([nid for _, nid in reached])
    chosen = [
        nid
        for _, nid in reached
        if nid in nodes and not flags(store, nodes[nid]) and (not clients_only or nodes[nid].is_client)
    ]
    if limit is not None:
        chosen = chosen[:limit]
    traces = {nid: _trace(nid, parent) for nid in chosen}
    on_paths = store.get_nodes(sorted({i for ids, _ in traces.values() for i in ids}))
    hits = []
    for nid in chosen:
        ids, edges = traces[nid]
        flagged = on_paths[ids[-1]]
        hits.append(
            ExposureHit(
                on_paths[nid], flagged, flags(store, flagged), dist[nid], tuple(on_paths[i] for i in ids), tuple(edges)
            )
        )
    return tuple(hits)
