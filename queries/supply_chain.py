"""Supply chains (产业链/供应链): tiers of suppliers and customers, core enterprises, finance leads.

A ``SUPPLIES`` relationship runs supplier → customer and may carry an annual
``amount``, a ``year`` and a ``product``. Where a pair has records for
several years, a question uses the given ``year``, or by default each pair's
most recent record (an undated record counts as older than any dated one).

Shares: a partner's *share* is its amount over the total known amount of the
company it trades with (purchases for suppliers, sales for customers).
Unknown amounts are left out of totals and their shares are None.

Core enterprise (核心企业), as used for supply-chain-finance leads and for
"which core enterprises does this prospect serve": a company that

* is tagged ``核心企业`` or ``链主``, or
* has at least ``min_partners`` distinct supply counterparties (default 10)
  and is in the top ``1 - percentile`` of companies (default the top 1%)
  by number of supply counterparties or by total purchases.

The thresholds come from the whole graph (:func:`core_enterprises`, cached
per store); a single large contract does not make a core enterprise.

Everything here walks out from the company with
:meth:`~graph.store.GraphStore.edges_of` one tier at a time, except the
graph-wide core-enterprise census, which reads every ``SUPPLIES`` record once.

Transactions (``PAYS``, the bank's own settlement data) confirm a supply tie:
a supplier its customer is seen paying (in the asked ``year``, else the
pair's latest payment record) is **confirmed**, with what was paid. Industry
chains (``Segment`` nodes, companies ``IN_SEGMENT``, segments ``UPSTREAM_OF``
segments) give leads beyond the named suppliers: :func:`segment_leads`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from graph.errors import InvalidParameter
from graph.model import Edge, Node
from graph.store import GraphStore, one_snapshot
from queries.common import cached, closed_statuses, entity, fraction, node_dict, number, tags_of, whole_number
from queries.format import Lang, money, percent
from queries.messages import Message, note_dict
from queries.paths import ExplainedPath

SUPPLIES = "SUPPLIES"
#: payer → payee, from the bank's own settlement data: confirms a supply tie
PAYS = "PAYS"
#: company → industry-chain segment, and segment → the segment downstream of it
IN_SEGMENT, UPSTREAM_OF = "IN_SEGMENT", "UPSTREAM_OF"
#: tags that make a company a core enterprise whatever its size
CORE_TAGS = ("核心企业", "链主")

Direction = Literal["upstream", "downstream"]
Role = Literal["supplier", "customer"]


@dataclass(frozen=True)
class Payment:
    """What the bank saw a customer pay its supplier: ``amount`` in ``payments`` payments in ``year``."""

    amount: float | None
    payments: int | None
    year: int | None

    def to_dict(self) -> dict[str, object]:
        return {"amount": self.amount, "payments": self.payments, "year": self.year}

    def text(self, lang: Lang = "zh") -> str:
        """``已确认 ¥1.2亿（36笔）`` / ``confirmed ¥120m (36 payments)``."""
        count = (
            ""
            if self.payments is None
            else (f"（{self.payments}笔）" if lang == "zh" else f" ({self.payments} payments)")
        )
        word = "已确认" if lang == "zh" else "confirmed"
        return f"{word} {money(self.amount, lang)}{count}" if self.amount is not None else f"{word}{count}"


@dataclass(frozen=True)
class SupplyLink:
    """One supply relationship: ``supplier`` sells ``amount`` a year to ``customer``.

    ``share`` is the amount over the total known purchases (walking upstream)
    or sales (walking downstream) of the company nearer the one asked about.
    """

    supplier: Node
    customer: Node
    amount: float | None
    year: int | None
    product: str | None
    share: float | None
    #: what the bank saw the customer pay the supplier (None: no payment seen, the tie is unconfirmed)
    paid: Payment | None = None

    @property
    def confirmed(self) -> bool:
        """Whether the bank's own transactions confirm the tie."""
        return self.paid is not None

    def to_dict(self) -> dict[str, object]:
        return {
            "supplier": node_dict(self.supplier),
            "customer": node_dict(self.customer),
            "amount": self.amount,
            "year": self.year,
            "product": self.product,
            "share": self.share,
            "confirmed": self.confirmed,
            "paid": None if self.paid is None else self.paid.to_dict(),
        }

    def text(self, lang: Lang = "zh") -> str:
        """``A → B ¥1.2亿 (35%)``, with ``✓ 已确认 ¥1.1亿（30笔）`` when the bank saw the payments."""
        share = f" ({percent(self.share)})" if self.share is not None else ""
        seen = "" if self.paid is None else f" ✓ {self.paid.text(lang)}"
        return f"{self.supplier.name} → {self.customer.name} {money(self.amount, lang)}{share}{seen}"


@dataclass(frozen=True)
class Partner:
    """A supplier or customer ``tier`` steps from the company, with its links to the tier before.

    ``amount`` sums the known amounts of ``links`` (None when all are
    unknown); ``share`` is, for tier 1, the partner's share of the company's
    purchases or sales, and None beyond tier 1 (see each link's share).
    """

    tier: int
    company: Node
    amount: float | None
    share: float | None
    links: tuple[SupplyLink, ...]

    def best_link(self) -> SupplyLink:
        """The link with the largest amount (the first when none is known)."""
        return max(self.links, key=lambda lk: -1.0 if lk.amount is None else lk.amount)

    @property
    def confirmed(self) -> bool:
        """Whether the bank's transactions confirm a link of the partner's."""
        return any(lk.confirmed for lk in self.links)

    @property
    def paid(self) -> float | None:
        """What the bank saw paid over the partner's links (None: no payment seen or none with an amount)."""
        return _sum(lk.paid.amount for lk in self.links if lk.paid is not None)

    def to_dict(self) -> dict[str, object]:
        return {
            "tier": self.tier,
            "company": node_dict(self.company),
            "amount": self.amount,
            "share": self.share,
            "confirmed": self.confirmed,
            "paid": self.paid,
            "links": [lk.to_dict() for lk in self.links],
        }


@dataclass(frozen=True)
class SupplyChain:
    """Suppliers (upstream) and customers (downstream) of ``company``, tier by tier."""

    company: Node
    year: int | None
    tiers: int
    suppliers: tuple[Partner, ...]
    customers: tuple[Partner, ...]
    purchases: float | None
    sales: float | None
    notes: tuple[str, ...] = ()

    def tier(self, n: int, direction: Direction = "upstream") -> tuple[Partner, ...]:
        """The partners of tier ``n`` on one side."""
        side = self.suppliers if direction == "upstream" else self.customers
        return tuple(p for p in side if p.tier == n)

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "year": self.year,
            "tiers": self.tiers,
            "purchases": self.purchases,
            "sales": self.sales,
            "suppliers": [p.to_dict() for p in self.suppliers],
            "customers": [p.to_dict() for p in self.customers],
            "notes": [note_dict(n) for n in self.notes],
        }


@dataclass(frozen=True)
class CoreEnterprises:
    """The core enterprises of the graph, each with the reason it counts as one."""

    reasons: Mapping[str, str]
    percentile: float
    min_partners: int
    partners_threshold: float
    purchases_threshold: float

    def __contains__(self, company_id: object) -> bool:
        return company_id in self.reasons

    def __len__(self) -> int:
        return len(self.reasons)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.reasons))

    def to_dict(self) -> dict[str, object]:
        return {
            "percentile": self.percentile,
            "min_partners": self.min_partners,
            "partners_threshold": self.partners_threshold,
            "purchases_threshold": self.purchases_threshold,
            "core": dict(sorted(self.reasons.items())),
        }


@dataclass(frozen=True)
class LeadAnchor:
    """The client a lead hangs off: ``tier`` steps away, through ``via`` beyond tier 1.

    ``amount`` is the lead's trade with the company before it on the chain
    (the client at tier 1); ``share`` that trade's share of the nearer
    company's purchases or sales.
    """

    client: Node
    tier: int
    via: Node | None
    amount: float | None
    share: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "client": node_dict(self.client),
            "tier": self.tier,
            "via": None if self.via is None else node_dict(self.via),
            "amount": self.amount,
            "share": self.share,
        }


@dataclass(frozen=True)
class Lead:
    """A supply-chain-finance lead: a non-client ``supplier`` or ``customer`` of client core enterprises."""

    company: Node
    role: Role
    amount: float | None
    anchors: tuple[LeadAnchor, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "role": self.role,
            "amount": self.amount,
            "anchors": [a.to_dict() for a in self.anchors],
        }


@dataclass(frozen=True)
class ServedCore:
    """A core enterprise a company sells to, ``tier`` steps downstream, and the chain that leads there."""

    core: Node
    tier: int
    chain: tuple[SupplyLink, ...]
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "core": node_dict(self.core),
            "tier": self.tier,
            "reason": self.reason,
            "chain": [lk.to_dict() for lk in self.chain],
        }


@dataclass(frozen=True)
class CoreService:
    """Which core enterprises ``company`` serves, directly (tier 1) or through its customers."""

    company: Node
    tiers: int
    served: tuple[ServedCore, ...]
    own_reason: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "tiers": self.tiers,
            "is_core": self.own_reason,
            "served": [s.to_dict() for s in self.served],
            "notes": [note_dict(n) for n in self.notes],
        }


# -- public questions ------------------------------------------------------------------------------
@one_snapshot
def supply_chain(
    store: GraphStore,
    company: str | Node,
    *,
    tiers: int = 2,
    direction: Literal["upstream", "downstream", "both"] = "both",
    year: int | None = None,
    limit: int | None = 200,
) -> SupplyChain:
    """Suppliers and customers of ``company`` up to ``tiers`` steps, with amounts and shares.

    Tier 1 are the direct suppliers (upstream) or customers (downstream);
    tier 2 their suppliers or customers, and so on; a company is listed
    once, at its nearest tier. Each tier keeps its ``limit`` largest
    partners by amount (None: all) and the walk continues from those; a
    note says how many were left out.
    """
    node = entity(store, company)
    tiers = whole_number("tiers", tiers, 1, 10)
    year = _check_year(year)
    if direction not in ("upstream", "downstream", "both"):
        raise InvalidParameter("direction", f"must be upstream, downstream or both, got {direction!r}")
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    notes: list[str] = []
    up: list[Partner] = []
    down: list[Partner] = []
    purchases = sales = None
    if direction in ("upstream", "both"):
        up, purchases, up_notes = _walk(store, node, "upstream", tiers, year, limit)
        notes += up_notes
    if direction in ("downstream", "both"):
        down, sales, down_notes = _walk(store, node, "downstream", tiers, year, limit)
        notes += down_notes
    if not up and not down:
        notes.append(
            Message(
                "supply.no_records", name=node.name, year=Message("scope.year", year=year) if year else Message("empty")
            )
        )
    return SupplyChain(node, year, tiers, tuple(up), tuple(down), purchases, sales, tuple(notes))


@one_snapshot
def core_partners(
    store: GraphStore,
    company: str | Node,
    *,
    direction: Direction = "upstream",
    min_share: float = 0.1,
    year: int | None = None,
) -> tuple[Partner, ...]:
    """The direct suppliers (upstream) or customers (downstream) with at least ``min_share`` of the
    company's purchases or sales, largest share first: its core suppliers or core customers."""
    node = entity(store, company)
    min_share = fraction("min_share", min_share)
    if direction not in ("upstream", "downstream"):
        raise InvalidParameter("direction", f"must be upstream or downstream, got {direction!r}")
    partners, _, _ = _walk(store, node, direction, 1, _check_year(year), None)
    chosen = [p for p in partners if p.share is not None and p.share >= min_share]
    chosen.sort(key=lambda p: (-(p.share or 0.0), p.company.id))
    return tuple(chosen)


@one_snapshot
def core_enterprises(
    store: GraphStore, *, percentile: float = 0.99, min_partners: int = 10, year: int | None = None
) -> CoreEnterprises:
    """The graph's core enterprises under the rule in this module's docstring (cached per store).

    Reads every ``SUPPLIES`` record once and every company's tags once: a
    graph-wide census, not a per-company walk.
    """
    percentile = fraction("percentile", percentile)
    min_partners = whole_number("min_partners", min_partners, 1)
    year = _check_year(year)
    return cached(
        store,
        f"core_enterprises:{percentile}:{min_partners}:{year}",
        lambda: _census(store, percentile, min_partners, year),
    )


@one_snapshot
def supply_chain_leads(
    store: GraphStore,
    *,
    anchor: str | Node | None = None,
    tiers: int = 1,
    year: int | None = None,
    core: CoreEnterprises | None = None,
    include_closed: bool = False,
    limit: int | None = 100,
) -> tuple[Lead, ...]:
    """Supply-chain-finance leads: suppliers and customers of client core enterprises that are not clients.

    The anchors are the client companies that are core enterprises (see
    :func:`core_enterprises`; pass ``core`` to reuse a census), or only
    ``anchor`` when given. Leads within ``tiers`` steps of an anchor rank by
    amount (summed over the anchors; a tier-1 lead's amount is its trade with
    the anchor, a deeper lead's its trade with the partner in between, named
    as ``via``), then by how many anchors they hang off. Closed (注销/吊销)
    and black-listed companies are left out unless ``include_closed``.
    """
    tiers = whole_number("tiers", tiers, 1, 6)
    year = _check_year(year)
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    if anchor is not None:
        anchors = [entity(store, anchor, param="anchor")]
    else:
        census = core if core is not None else core_enterprises(store, year=year)
        found = store.get_nodes(list(census.ids))
        anchors = [found[i] for i in sorted(found) if found[i].is_client]
    closed = set(closed_statuses(store))
    pooled: dict[tuple[str, Role], tuple[Node, list[LeadAnchor]]] = {}
    for client in anchors:
        chain = supply_chain(store, client, tiers=tiers, year=year, limit=None)
        sides: tuple[tuple[Role, tuple[Partner, ...]], ...] = (
            ("supplier", chain.suppliers),
            ("customer", chain.customers),
        )
        for role, side in sides:
            for p in side:
                c = p.company
                if c.is_client or (not include_closed and (c.get("blacklisted") or c.get("status") in closed)):
                    continue
                link = p.best_link()
                via = None if p.tier == 1 else (link.customer if role == "supplier" else link.supplier)
                entry = pooled.setdefault((c.id, role), (c, []))
                entry[1].append(LeadAnchor(client, p.tier, via, p.amount, link.share))
    leads: list[Lead] = []
    for (_, role), (company, hung) in pooled.items():
        hung.sort(key=lambda a: (a.tier, -(a.amount or -1.0), a.client.id))
        leads.append(Lead(company, role, _sum(a.amount for a in hung), tuple(hung)))
    leads.sort(key=lambda ld: (ld.amount is None, -(ld.amount or 0.0), -len(ld.anchors), ld.company.id, ld.role))
    return tuple(leads if limit is None else leads[:limit])


@one_snapshot
def core_enterprises_served(
    store: GraphStore,
    company: str | Node,
    *,
    tiers: int = 3,
    year: int | None = None,
    core: CoreEnterprises | None = None,
) -> CoreService:
    """Which core enterprises ``company`` serves: customers (tier 1) or customers of customers
    (up to ``tiers``) that are core enterprises, each with one chain of sales leading there
    (the largest link at each step)."""
    node = entity(store, company)
    tiers = whole_number("tiers", tiers, 1, 6)
    year = _check_year(year)
    census = core if core is not None else core_enterprises(store, year=year)
    partners, _, notes = _walk(store, node, "downstream", tiers, year, None)
    by_id = {p.company.id: p for p in partners}
    served: list[ServedCore] = []
    for p in partners:
        reason = census.reasons.get(p.company.id)
        if reason is None:
            continue
        chain: list[SupplyLink] = []
        here = p
        while True:
            link = here.best_link()
            chain.append(link)
            if here.tier == 1:
                break
            here = by_id[link.supplier.id]
        served.append(ServedCore(p.company, p.tier, tuple(reversed(chain)), reason))
    served.sort(key=lambda s: (s.tier, -(s.chain[-1].amount or -1.0), s.core.id))
    if not served:
        notes.append(Message("supply.no_core", name=node.name, tiers=tiers))
    return CoreService(node, tiers, tuple(served), census.reasons.get(node.id), tuple(notes))


@dataclass(frozen=True)
class SegmentLead:
    """A non-client company in a segment ``side`` of the client's segment ``next_to`` on a chain.

    ``trades`` says whether it already supplies, buys from, pays or is paid by the client;
    ``introduction`` is the warmest introduction path to it (None when none was found or
    none was looked up).
    """

    company: Node
    segment: Node
    side: Direction
    next_to: Node
    trades: bool
    introduction: ExplainedPath | None = None

    def to_dict(self) -> dict[str, object]:
        intro = self.introduction
        return {
            "company": node_dict(self.company),
            "segment": node_dict(self.segment),
            "chain": self.segment.get("chain"),
            "side": self.side,
            "next_to": node_dict(self.next_to),
            "trades": self.trades,
            "introduction": None if intro is None else intro.to_dict(),
        }


@dataclass(frozen=True)
class SegmentLeads:
    """Leads by industry-chain segment around ``company``: its ``segments`` and the leads next to them."""

    company: Node
    segments: tuple[Node, ...]
    leads: tuple[SegmentLead, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "segments": [{**node_dict(s), "chain": s.get("chain")} for s in self.segments],
            "leads": [ld.to_dict() for ld in self.leads],
            "notes": [note_dict(n) for n in self.notes],
        }


@one_snapshot
def segment_leads(
    store: GraphStore,
    company: str | Node,
    *,
    include_closed: bool = False,
    limit: int | None = 100,
    introductions_for: int = 10,
) -> SegmentLeads:
    """Companies in the segments up- and downstream of ``company``'s segments that are not clients.

    Not only the named suppliers: every company the bank classified in an adjacent segment of the
    chain (``IN_SEGMENT``, ``UPSTREAM_OF``). Upstream leads first, then downstream; within a side,
    companies of their main segment first, then by registered capital (largest first), then id.
    The first ``introductions_for`` leads get their warmest introduction path (0: none, the cheap
    answer). Closed and black-listed companies are left out unless ``include_closed``.
    """
    node = entity(store, company)
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    introductions_for = whole_number("introductions_for", introductions_for, 0, 100)
    kinds = store.schema.kinds
    if IN_SEGMENT not in kinds or UPSTREAM_OF not in kinds:
        return SegmentLeads(node, (), (), (Message("segment.none", name=node.name),))
    own = [e.target for e in store.edges_of([node.id], [IN_SEGMENT]) if e.source == node.id]
    if not own:
        return SegmentLeads(node, (), (), (Message("segment.none", name=node.name),))
    segments = store.get_nodes(own)
    neighbours: dict[str, tuple[Direction, str]] = {}
    for e in sorted(store.edges_of(own, [UPSTREAM_OF]), key=lambda e: (e.source, e.target)):
        if e.target in segments and e.source not in segments:
            neighbours.setdefault(e.source, ("upstream", e.target))
        elif e.source in segments and e.target not in segments:
            neighbours.setdefault(e.target, ("downstream", e.source))
    notes: list[str] = []
    if not neighbours:
        notes.append(Message("segment.no_neighbours", name=node.name))
    side_nodes = store.get_nodes(list(neighbours))
    members: dict[str, tuple[str, bool]] = {}
    for e in sorted(store.edges_of(list(neighbours), [IN_SEGMENT]), key=lambda e: (e.target, e.source)):
        if e.target in neighbours and e.source != node.id:
            held = members.get(e.source)
            main = e.props.get("main") is None or bool(e.props.get("main"))
            if held is None or (main and not held[1]):
                members[e.source] = (e.target, main)
    found = store.get_nodes(list(members))
    closed = set(closed_statuses(store))
    partners = {e.target if e.source == node.id else e.source for e in store.edges_of([node.id], _trade_types(store))}
    ranked: list[tuple[tuple[object, ...], SegmentLead]] = []
    for cid, (segment, main) in members.items():
        c = found.get(cid)
        if c is None or c.label != "Company" or c.is_client:
            continue
        if not include_closed and (c.get("blacklisted") or c.get("status") in closed):
            continue
        side, next_to = neighbours[segment]
        capital = number(c.get("registered_capital"))
        key = (side != "upstream", not main, -(capital or -1.0), c.id)
        lead = SegmentLead(c, side_nodes[segment], side, segments[next_to], cid in partners)
        ranked.append((key, lead))
    ranked.sort(key=lambda kv: kv[0])
    leads = [lead for _, lead in ranked]
    if limit is not None and len(leads) > limit:
        notes.append(Message("segment.leads_truncated", count=len(leads), limit=limit))
        leads = leads[:limit]
    if introductions_for and leads:
        from queries.introductions import introductions

        for i, lead in enumerate(leads[:introductions_for]):
            answer = introductions(store, lead.company, k=1)
            if answer.paths:
                leads[i] = replace(lead, introduction=answer.paths[0])
        if len(leads) > introductions_for:
            notes.append(Message("segment.introductions_for", count=introductions_for))
    return SegmentLeads(node, tuple(segments[s] for s in own if s in segments), tuple(leads), tuple(notes))


# -- helpers ---------------------------------------------------------------------------------------
def _trade_types(store: GraphStore) -> list[str]:
    """The kinds that say two companies already trade: supply, and payments where the schema has them."""
    return [t for t in (SUPPLIES, PAYS) if t in store.schema.kinds]


def _check_year(year: object) -> int | None:
    if year is None:
        return None
    return whole_number("year", year, 1900, 2200)


def _year(edge: Edge) -> int | None:
    value = number(edge.props.get("year"))
    return None if value is None else int(value)


def _sum(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return math.fsum(known) if known else None


def pick_records(edges: Iterable[Edge], year: int | None, type_: str = SUPPLIES) -> dict[tuple[str, str], Edge]:
    """One ``type_`` record (``SUPPLIES``, or ``PAYS``) per (source, target): the one of ``year``, else the
    latest."""
    best: dict[tuple[str, str], tuple[float, Edge]] = {}
    for e in edges:
        if e.type != type_ or e.source == e.target:
            continue
        y = _year(e)
        if year is not None and y != year:
            continue
        rank = -math.inf if y is None else float(y)
        pair = (e.source, e.target)
        held = best.get(pair)
        if held is None or rank > held[0]:
            best[pair] = (rank, e)
    return {pair: e for pair, (_, e) in best.items()}


def _walk(
    store: GraphStore, start: Node, direction: Direction, tiers: int, year: int | None, limit: int | None
) -> tuple[list[Partner], float | None, list[str]]:
    """Partners tier by tier from ``start``, the start's total (purchases or sales) and notes."""
    upstream = direction == "upstream"
    nodes: dict[str, Node] = {start.id: start}
    seen = {start.id}
    frontier = [start.id]
    partners: list[Partner] = []
    notes: list[str] = []
    total_of_start: float | None = None
    for tier in range(1, tiers + 1):
        if not frontier:
            break
        near_set = set(frontier)
        edges = list(store.edges_of(frontier, [SUPPLIES, PAYS] if PAYS in store.schema.kinds else [SUPPLIES]))
        records = pick_records(edges, year)
        payments = pick_records(edges, year, PAYS)
        totals: dict[str, float] = defaultdict(float)
        linked: dict[str, list[tuple[str, Edge]]] = defaultdict(list)
        for (supplier, customer), e in records.items():
            near, far = (customer, supplier) if upstream else (supplier, customer)
            if near not in near_set:
                continue
            amount = number(e.props.get("amount"))
            if amount is not None:
                totals[near] += amount
            if far not in seen:
                linked[far].append((near, e))
        if tier == 1:
            total_of_start = totals.get(start.id) if records else None
        ranked = sorted(linked, key=lambda f: (-_known(linked[f]), f))
        if limit is not None and len(ranked) > limit:
            code = "supply.suppliers_truncated" if upstream else "supply.customers_truncated"
            notes.append(Message(code, tier=tier, count=len(ranked), limit=limit))
        seen.update(ranked)
        kept = ranked if limit is None else ranked[:limit]
        nodes.update(store.get_nodes(kept))
        for far in kept:
            links = []
            for near, e in linked[far]:
                amount = number(e.props.get("amount"))
                base = totals.get(near, 0.0)
                share = amount / base if amount is not None and base > 0 else None
                sup, cus = (far, near) if upstream else (near, far)
                product = e.props.get("product")
                paid = payments.get((cus, sup))
                links.append(
                    SupplyLink(
                        nodes[sup],
                        nodes[cus],
                        amount,
                        _year(e),
                        None if product is None else str(product),
                        share,
                        None if paid is None else _payment(paid),
                    )
                )
            links.sort(key=lambda lk: (-(lk.amount or -1.0), lk.supplier.id, lk.customer.id))
            share = links[0].share if tier == 1 else None
            partners.append(Partner(tier, nodes[far], _sum(lk.amount for lk in links), share, tuple(links)))
        frontier = [f for f in kept if f in nodes]
    return partners, total_of_start, notes


def _payment(edge: Edge) -> Payment:
    count = number(edge.props.get("payments"))
    return Payment(number(edge.props.get("amount")), None if count is None else int(count), _year(edge))


def _known(links: Sequence[tuple[str, Edge]]) -> float:
    values = [number(e.props.get("amount")) for _, e in links]
    known = [v for v in values if v is not None]
    return math.fsum(known) if known else -1.0


def _census(store: GraphStore, percentile: float, min_partners: int, year: int | None) -> CoreEnterprises:
    records = pick_records(store.iter_edges([SUPPLIES]), year)
    partners: dict[str, set[str]] = defaultdict(set)
    purchases: dict[str, float] = defaultdict(float)
    for (supplier, customer), e in records.items():
        partners[supplier].add(customer)
        partners[customer].add(supplier)
        amount = number(e.props.get("amount"))
        if amount is not None:
            purchases[customer] += amount
    degree = np.array([len(v) for v in partners.values()], dtype=float)
    bought = np.array([v for v in purchases.values() if v > 0], dtype=float)
    deg_cut = float(np.quantile(degree, percentile)) if len(degree) else math.inf
    pur_cut = float(np.quantile(bought, percentile)) if len(bought) else math.inf
    reasons: dict[str, str] = {}
    for company, others in partners.items():
        n = len(others)
        if n < min_partners:
            continue
        if n >= deg_cut:
            top = percent(1 - percentile)
            reasons[company] = Message("supply.core_partners", n=n, top=top)
        elif purchases.get(company, 0.0) >= pur_cut:
            reasons[company] = Message(
                "supply.core_purchases", amount=float(purchases[company]), top=percent(1 - percentile)
            )
    for node in store.iter_nodes("Company"):
        tagged = [t for t in tags_of(node) if t in CORE_TAGS]
        if tagged:
            reasons[node.id] = Message("supply.core_tagged", tag=tagged[0])
    return CoreEnterprises(reasons, percentile, min_partners, deg_cut, pur_cut)
