"""The long list of prospects (潜客长名单): gathered from sources, filtered, risky ones left out with the reason.

Sources (any combination; a company found by several keeps every source):

* ``parks``: the companies located in these parks (:mod:`queries.parks`);
* ``segments``: the companies of industry-chain segments (``"集成电路/设计"``
  or ``("集成电路", "设计")``; a segment includes the segments that refine
  it), from the operational memberships;
* ``core_clients``: the suppliers and customers, within ``supply_tiers``, of
  client core enterprises (``True``: every client core enterprise, see
  :func:`queries.supply_chain.core_enterprises`; or the named clients);
* ``prospects``: an uploaded list (a :class:`~queries.matching.MatchReport`,
  a frame or names/USCCs), matched with :func:`queries.matching.match_list`.

Filters (a company must pass all given): ``region`` — a prefix of the
administrative division code in USCC characters 3–8 (``"3205"`` for 苏州);
``tags`` — at least one of these tags (operational tags, the graph's tags,
上市 for listed companies); ``event_types`` / ``event_categories`` /
``events_since`` — at least one such event.

Left out, with every reason that applies (:data:`REASONS`): existing clients
(unless ``include_clients``), black-listed companies, closed ones (注销/吊销),
members of a guarantee circle (:func:`queries.guarantees.guarantee_circles`),
and companies within ``exposure_hops`` (default 1) of a black-listed entity
(:func:`queries.guarantees.exposure`). With ``keep_risky`` the last two stay
on the list with their risks (:attr:`Entry.risks`, :meth:`LongList.risk`),
for the scorecard to penalise instead. Circles are found once per store
(cached); exposure walks out from the companies that the graph-wide census
puts near a flagged entity only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from graph.errors import InvalidParameter
from graph.model import Node, node_id
from graph.store import GraphStore
from graph.uscc import region_code
from loaders.ops_data import OpsData
from queries.common import cached, closed_statuses, entity, list_prop, node_dict, whole_number
from queries.guarantees import exposed_companies, exposure, guarantee_circles
from queries.matching import MatchReport, match_list
from queries.messages import Message, note_dict
from queries.parks import park_companies
from queries.supply_chain import supply_chain_leads

#: why a company is left out: code → (中文, English)
REASONS: dict[str, tuple[str, str]] = {
    "client": ("已是本行客户", "already a client"),
    "blacklisted": ("黑名单", "black-listed"),
    "closed": ("已注销或吊销", "closed (deregistered or revoked)"),
    "guarantee_circle": ("处于担保圈", "in a guarantee circle"),
    "blacklist_exposure": ("关联黑名单主体", "black-listed entity within reach"),
}

#: the reasons ``keep_risky`` keeps a company for (flagged, and penalised by the scorecard)
RISKY: tuple[str, ...] = ("guarantee_circle", "blacklist_exposure")


@dataclass(frozen=True)
class Entry:
    """A company on the long list and where it came from (``park:…``, ``segment:…``, ``supply:…``, ``list:row N``)."""

    node: Node
    sources: tuple[str, ...]
    risks: tuple[str, ...] = ()

    @property
    def region_code(self) -> str | None:
        return region_code(self.node.key)

    def to_dict(self) -> dict[str, object]:
        return {
            **node_dict(self.node),
            "region_code": self.region_code,
            "sources": list(self.sources),
            "risks": list(self.risks),
        }


@dataclass(frozen=True)
class Excluded:
    """A company left out, with every reason (codes of :data:`REASONS`) and a detail per reason."""

    node: Node
    sources: tuple[str, ...]
    reasons: tuple[str, ...]
    details: tuple[str, ...] = ()

    def reason_text(self, lang: str = "zh") -> str:
        words = [REASONS[r][0 if lang == "zh" else 1] for r in self.reasons]
        return "；".join(words) if lang == "zh" else "; ".join(words)

    def to_dict(self) -> dict[str, object]:
        return {
            **node_dict(self.node),
            "sources": list(self.sources),
            "reasons": list(self.reasons),
            "reason_text": self.reason_text("en"),
            "details": list(self.details),
        }


@dataclass(frozen=True)
class LongList:
    """The kept companies, those left out with reasons, and notes (filter counts, unmatched rows)."""

    entries: tuple[Entry, ...]
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def companies(self) -> tuple[str, ...]:
        """The kept companies' graph keys (USCCs), in list order."""
        return tuple(e.node.key for e in self.entries)

    def risk(self) -> dict[str, tuple[str, ...]]:
        """Risk findings of the kept companies (with ``keep_risky``), for the scorecard's risk component."""
        return {e.node.key: e.risks for e in self.entries if e.risks}

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Kept and left-out companies in one table, for a download."""
        zh = lang == "zh"
        rows = [
            {
                "uscc": e.node.key,
                "name": e.node.name,
                "region": e.region_code,
                "sources": "; ".join(e.sources),
                "excluded": "",
            }
            for e in self.entries
        ] + [
            {
                "uscc": x.node.key,
                "name": x.node.name,
                "region": region_code(x.node.key),
                "sources": "; ".join(x.sources),
                "excluded": x.reason_text(lang),
            }
            for x in self.excluded
        ]
        frame = pd.DataFrame(rows, columns=["uscc", "name", "region", "sources", "excluded"])
        if zh:
            frame.columns = pd.Index(["统一社会信用代码", "企业名称", "行政区划", "来源", "排除原因"])
        return frame

    def to_dict(self) -> dict[str, object]:
        return {
            "entries": [e.to_dict() for e in self.entries],
            "excluded": [x.to_dict() for x in self.excluded],
            "notes": [note_dict(n) for n in self.notes],
        }


def _segment(value: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) and v.strip() for v in value):
        return value[0].strip(), value[1].strip()
    if isinstance(value, str) and "/" in value:
        chain, _, seg = value.partition("/")
        if chain.strip() and seg.strip():
            return chain.strip(), seg.strip()
    raise InvalidParameter("segments", f"name a segment as '产业链/环节' or (chain, segment), got {value!r}")


def _with_children(ops: OpsData, chain: str, segment: str) -> set[str]:
    """The segment and every segment refining it, transitively."""
    rows = ops.chains[ops.chains["chain"] == chain]
    children: dict[str, list[str]] = {}
    for seg, parent in zip(rows["segment"], rows["parent"], strict=True):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(str(seg))
    found, todo = {segment}, [segment]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _company_tags(ops: OpsData | None, nodes: Mapping[str, Node]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {
        nid: set(list_prop(n.props, "tags")) | ({"上市"} if n.get("listed") else set()) for nid, n in nodes.items()
    }
    if ops is not None and len(ops.tags):
        for company, tag in zip(ops.tags["company"], ops.tags["tag"], strict=True):
            nid = node_id("Company", str(company))
            if nid in out:
                out[nid].add(str(tag))
    return out


def _with_events(
    ops: OpsData | None, types: Sequence[str], categories: Sequence[str], since: str | None
) -> set[str] | None:
    """Companies (keys) with a matching event, or None when no event filter is given."""
    if not types and not categories and since is None:
        return None
    if ops is None:
        raise InvalidParameter("ops", "filtering by events needs the operational data (events)")
    ev = ops.events
    mask = pd.Series(True, index=ev.index)
    if types:
        mask &= ev["event_type"].isin(list(types))
    if categories:
        mask &= ev["category"].isin(list(categories))
    if since is not None:
        mask &= ev["date"].astype(str) >= since
    return set(ev.loc[mask, "company"].astype(str))


def _since(value: str | dt.date | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise InvalidParameter("events_since", f"must be a date (YYYY-MM-DD), got {value!r}") from None


def _circle_members(store: GraphStore) -> frozenset[str]:
    return cached(
        store,
        "longlist:circle_members",
        lambda: frozenset(i for c in guarantee_circles(store, max_cycles=1) for i in c.ids),
    )


def _exposed(store: GraphStore, ids: Iterable[str], hops: int) -> dict[str, str]:
    """Of ``ids``, those within ``hops`` of a black-listed entity: id → the entity's name and distance."""
    near = cached(
        store,
        f"longlist:exposed:{hops}",
        lambda: {h.company.id: h for h in exposed_companies(store, hops=hops)},
    )
    found: dict[str, str] = {}
    for nid in ids:
        hit = near.get(nid)
        if hit is None:
            continue
        if "blacklisted" in hit.flags:
            found[nid] = f"{hit.flagged.name} ({hit.hops} hops)"
            continue
        # the nearest flagged entity is only closed: look further for a black-listed one
        for h in exposure(store, hit.company, hops=hops).hits:
            if "blacklisted" in h.flags:
                found[nid] = f"{h.flagged.name} ({h.hops} hops)"
                break
    return found


def long_list(
    store: GraphStore,
    ops: OpsData | None = None,
    *,
    parks: Sequence[str | Node] = (),
    segments: Sequence[str | tuple[str, str]] = (),
    core_clients: bool | Sequence[str | Node] = False,
    supply_tiers: int = 1,
    prospects: MatchReport | pd.DataFrame | Sequence[str] | None = None,
    region: str | Sequence[str] | None = None,
    tags: Sequence[str] = (),
    event_types: Sequence[str] = (),
    event_categories: Sequence[str] = (),
    events_since: str | dt.date | None = None,
    include_clients: bool = False,
    exposure_hops: int = 1,
    keep_risky: bool = False,
) -> LongList:
    """Gather, filter and screen prospects (see the module docstring); entries ordered by sources, then key."""
    # one name given where a list is expected means a list of one
    parks = [parks] if isinstance(parks, str | Node) else list(parks)
    segments = [segments] if isinstance(segments, str) else list(segments)
    tags = [tags] if isinstance(tags, str) else list(tags)
    event_types = [event_types] if isinstance(event_types, str) else list(event_types)
    event_categories = [event_categories] if isinstance(event_categories, str) else list(event_categories)
    supply_tiers = whole_number("supply_tiers", supply_tiers, 1, 6)
    exposure_hops = whole_number("exposure_hops", exposure_hops, 0, 6)
    regions = (region,) if isinstance(region, str) else tuple(region or ())
    for r in regions:
        if not (isinstance(r, str) and r.isascii() and r.isdigit() and 1 <= len(r) <= 6):
            raise InvalidParameter("region", f"a region is a prefix of a 6-digit division code, got {r!r}")
    if segments and ops is None:
        raise InvalidParameter("ops", "chain segments need the operational data (memberships)")
    found: dict[str, list[str]] = {}
    notes: list[str] = []

    def add(nid: str, source: str) -> None:
        found.setdefault(nid, [])
        if source not in found[nid]:
            found[nid].append(source)

    for park in parks:
        listing = park_companies(store, park)
        for c in listing.companies:
            add(c.id, f"park:{listing.park.name}")
    for value in segments:
        chain, seg = _segment(value)
        assert ops is not None
        wanted = _with_children(ops, chain, seg)
        m = ops.memberships
        hit = m[(m["chain"] == chain) & m["segment"].isin(list(wanted))]
        if not len(hit):
            notes.append(Message("longlist.segment_empty", chain=chain, segment=seg))
        for company, s in zip(hit["company"], hit["segment"], strict=True):
            add(node_id("Company", str(company)), f"segment:{chain}/{s}")
    if isinstance(core_clients, str | Node):
        core_clients = [core_clients]
    if core_clients is not False:
        anchors: list[Node | None] = (
            [None] if core_clients is True else [entity(store, a, param="core_clients") for a in core_clients]
        )
        for anchor in anchors:
            for lead in supply_chain_leads(store, anchor=anchor, tiers=supply_tiers, include_closed=True, limit=None):
                via = lead.anchors[0].client.name if lead.anchors else "?"
                add(lead.company.id, f"supply:{lead.role} of {via}")
    if prospects is not None:
        report = prospects if isinstance(prospects, MatchReport) else _match(store, prospects)
        for row in report.rows:
            if row.node is not None and row.status == "matched":
                add(row.node.id, f"list:row {row.row}")
        if report.unmatched or report.ambiguous:
            notes.append(report.summary_message())
    nodes = {nid: n for nid, n in store.get_nodes(sorted(found)).items() if n.label == "Company"}
    kept = _filter(
        nodes, ops, regions, tags, _with_events(ops, event_types, event_categories, _since(events_since)), notes
    )
    entries, excluded = _screen(store, kept, found, include_clients, exposure_hops, keep_risky)
    return LongList(entries, excluded, tuple(notes))


def _match(store: GraphStore, prospects: pd.DataFrame | Sequence[str]) -> MatchReport:
    if isinstance(prospects, pd.DataFrame):
        return match_list(store, prospects)
    if isinstance(prospects, str) or not all(isinstance(p, str) for p in prospects):
        raise InvalidParameter("prospects", "give a match report, a list frame or a list of names/USCCs")
    return match_list(store, pd.DataFrame({"name": list(prospects)}, index=pd.RangeIndex(1, len(prospects) + 1)))


def _filter(
    nodes: dict[str, Node],
    ops: OpsData | None,
    regions: Sequence[str],
    tags: Sequence[str],
    with_events: set[str] | None,
    notes: list[str],
) -> dict[str, Node]:
    kept = dict(nodes)
    if regions:
        kept = {
            i: n
            for i, n in kept.items()
            if (code := region_code(n.key)) is not None and code.startswith(tuple(regions))
        }
        notes.append(Message("longlist.region_kept", regions=tuple(regions), kept=len(kept), total=len(nodes)))
    if tags:
        held = _company_tags(ops, kept)
        before = len(kept)
        kept = {i: n for i, n in kept.items() if held[i] & set(tags)}
        notes.append(Message("longlist.tags_kept", tags=tuple(tags), kept=len(kept), total=before))
    if with_events is not None:
        before = len(kept)
        kept = {i: n for i, n in kept.items() if n.key in with_events}
        notes.append(Message("longlist.events_kept", kept=len(kept), total=before))
    return kept


def _screen(
    store: GraphStore,
    nodes: dict[str, Node],
    found: dict[str, list[str]],
    include_clients: bool,
    hops: int,
    keep_risky: bool,
) -> tuple[tuple[Entry, ...], tuple[Excluded, ...]]:
    closed = set(closed_statuses(store))
    circles = _circle_members(store)
    exposed = _exposed(store, sorted(nodes), hops) if hops else {}
    entries: list[Entry] = []
    excluded: list[Excluded] = []
    for nid in sorted(nodes, key=lambda i: (-len(found[i]), i)):
        n = nodes[nid]
        reasons: list[str] = []
        details: list[str] = []
        if n.is_client and not include_clients:
            reasons.append("client")
            details.append(f"manager {n.manager or '-'}")
        if n.get("blacklisted"):
            reasons.append("blacklisted")
            details.append("")
        if n.get("status") in closed:
            reasons.append("closed")
            details.append(str(n.get("status")))
        if nid in circles:
            reasons.append("guarantee_circle")
            details.append("")
        if nid in exposed:
            reasons.append("blacklist_exposure")
            details.append(exposed[nid])
        risky = tuple(r for r in reasons if r in RISKY)
        if reasons and not (keep_risky and len(risky) == len(reasons)):
            excluded.append(Excluded(n, tuple(found[nid]), tuple(reasons), tuple(details)))
        else:
            entries.append(Entry(n, tuple(found[nid]), risky))
    return tuple(entries), tuple(excluded)
