"""Monitoring: what a relationship manager (RM) should look at now.

Two questions:

* **New events** (:func:`new_events`): events since a date on the companies
  an RM watches. What is watched comes from their subscriptions
  (:meth:`leads.store.LeadStore.subscribe`): ``clients`` (companies whose
  RM they are, from the graph), ``leads`` (companies of their leads),
  ``segment`` (members of an industry-chain segment ``chain/segment``),
  ``park`` (companies located in a park, from the graph) and ``company``.
  An RM without subscriptions watches their clients and their leads.
* **Path changes** (:func:`path_changes`): after a reload of the graph, the
  warmest introduction path of each open lead is searched again and
  compared with the one stored on the lead: ``broken`` (there was a path,
  there is none), ``colder`` / ``warmer`` (the warmest path's warmth
  changed beyond a tolerance), ``new`` (there was none, there is one),
  ``gone`` (the company is no longer in the graph). :func:`record_paths`
  then stores the new paths on the leads (version-checked, with a history
  note each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, select

from graph.errors import GuanxiError, InvalidParameter
from graph.model import node_id
from graph.store import GraphStore
from leads.store import Lead, LeadStore, Subscription, check_date, now_text
from leads.tables import OPS_TABLES, lead_history, leads
from queries.paths import ExplainedPath

#: warmth differences smaller than this are "the same path"
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Watch:
    """Events since a date on watched companies, with why each company is watched and notes on what was
    left out."""

    manager: str
    since: str
    events: pd.DataFrame  # the events columns + region_code + why
    subscriptions: tuple[Subscription, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        records = self.events.astype(object).where(self.events.notna(), None).to_dict("records")
        return {
            "manager": self.manager,
            "since": self.since,
            "subscriptions": [s.to_dict() for s in self.subscriptions],
            "events": records,
            "notes": list(self.notes),
        }


def watched_companies(
    store: LeadStore, manager: str, graph: GraphStore | None = None
) -> tuple[dict[str, list[str]], tuple[Subscription, ...], list[str]]:
    """Company key → why it is watched, the subscriptions used, and notes (what needs the graph)."""
    if not isinstance(manager, str) or not manager.strip():
        raise InvalidParameter("manager", "must be a non-empty name")
    manager = manager.strip()
    subs = tuple(store.subscriptions(manager)) or (Subscription(manager, "clients"), Subscription(manager, "leads"))
    why: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []
    members: pd.DataFrame | None = None
    for sub in subs:
        if sub.kind == "leads":
            for lead in store.leads(manager=manager):
                why[lead.company].append(f"lead {lead.id}")
        elif sub.kind == "company":
            why[sub.value].append("watched company")
        elif sub.kind == "segment":
            if members is None:
                members = store.read_ops().memberships
            chain, _, segment = sub.value.partition("/")
            hit = members[(members["chain"] == chain) & (members["segment"] == segment)]
            for company in hit["company"]:
                why[str(company)].append(f"segment {sub.value}")
        elif graph is None:
            notes.append(
                f"the {sub.kind} subscription {sub.value or ''} needs the graph: not checked".replace("  ", " ")
            )
        elif sub.kind == "clients":
            for node in graph.iter_nodes("Company"):
                if node.is_client and node.manager == manager:
                    why[node.key].append("client")
        elif sub.kind == "park":
            from queries.parks import park_companies

            try:
                for node in park_companies(graph, sub.value).companies:
                    why[node.key].append(f"park {sub.value}")
            except GuanxiError as exc:
                notes.append(f"park {sub.value}: {exc}")
    return dict(why), subs, notes


def new_events(store: LeadStore, manager: str, since: str, graph: GraphStore | None = None) -> Watch:
    """Events dated ``since`` or later on the companies ``manager`` watches, newest first."""
    check_date("since", since)
    why, subs, notes = watched_companies(store, manager, graph)
    events = store.events(since=since, companies=sorted(why))
    events["why"] = ["、".join(dict.fromkeys(why.get(str(c), []))) for c in events["company"]]
    return Watch(manager.strip(), since, events, subs, tuple(notes))


@dataclass(frozen=True)
class PathChange:
    """How an open lead's warmest introduction changed after a reload of the graph."""

    lead_id: int
    company: str
    name: str
    manager: str | None
    status: str  # broken / colder / warmer / new / same / gone
    before_introducer: str | None
    before_warmth: float | None
    version: int = 1  # the lead's version when it was compared
    after_introducer: str | None = None
    after_manager: str | None = None
    after_branch: str | None = None
    after_warmth: float | None = None
    after_text: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["notes"] = list(self.notes)
        return out


def _compare(lead: Lead, warmth: float | None, tolerance: float) -> str:
    before = lead.path_warmth
    if before is None:
        return "new" if warmth is not None else "same"
    if warmth is None:
        return "broken"
    if warmth > before + tolerance:
        return "warmer"
    if warmth < before - tolerance:
        return "colder"
    return "same"


def path_changes(
    store: LeadStore,
    graph: GraphStore,
    *,
    manager: str | None = None,
    include_same: bool = False,
    tolerance: float = TOLERANCE,
    max_hops: int | None = None,
) -> list[PathChange]:
    """Re-run the introduction search for every open lead (of ``manager``) and say what changed."""
    from queries.introductions import introductions

    if not 0 <= tolerance < 1:
        raise InvalidParameter("tolerance", f"must be in 0..1, got {tolerance!r}")
    open_leads = store.leads(manager=manager, open_only=True)
    nodes = graph.get_nodes([node_id("Company", ld.company) for ld in open_leads])
    out: list[PathChange] = []
    for lead in sorted(open_leads, key=lambda ld: ld.id):
        node = nodes.get(node_id("Company", lead.company))
        if node is None:
            out.append(_change(lead, "gone", None, ()))
            continue
        answer = introductions(graph, node, k=1, max_hops=max_hops)
        best = answer.paths[0] if answer.paths else None
        status = _compare(lead, None if best is None else best.warmth, tolerance)
        if status != "same" or include_same:
            out.append(_change(lead, status, best, tuple(answer.notes)))
    return out


def _change(lead: Lead, status: str, best: ExplainedPath | None, notes: tuple[str, ...]) -> PathChange:
    return PathChange(
        lead_id=lead.id,
        company=lead.company,
        name=lead.name,
        manager=lead.manager,
        status=status,
        before_introducer=lead.introducer,
        before_warmth=lead.path_warmth,
        version=lead.version,
        after_introducer=None if best is None else best.introducer.name,
        after_manager=None if best is None else best.manager,
        after_branch=None if best is None else best.branch,
        after_warmth=None if best is None else best.warmth,
        after_text=None if best is None else best.sentence_zh,
        notes=notes,
    )


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_paths` did: leads updated, and leads skipped because they changed meanwhile."""

    updated: tuple[int, ...]
    stale: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return {"updated": list(self.updated), "stale": list(self.stale)}


def _warmth_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def record_paths(store: LeadStore, changes: Sequence[PathChange], *, by: str) -> Recorded:
    """Store each changed lead's new warmest path on the lead (introducer, their RM and branch, sentence,
    warmth, joint visit), one version step and a history note per lead.

    Each update is checked against the version the comparison read: a lead
    changed since is left alone and reported as stale. ``gone`` and ``same``
    changes are not recorded.
    """
    if not isinstance(by, str) or not by.strip():
        raise InvalidParameter("by", "must be a non-empty name")
    updated: list[int] = []
    stale: list[int] = []
    at = now_text()
    with store.transaction("record the new paths") as conn:
        for c in changes:
            if c.status in ("same", "gone"):
                continue
            joint = c.after_manager if c.after_manager and c.after_manager != c.manager else None
            result = conn.execute(
                leads.update()
                .where(and_(leads.c.id == c.lead_id, leads.c.version == c.version))
                .values(
                    introducer=c.after_introducer,
                    introducer_manager=c.after_manager,
                    introducer_branch=c.after_branch,
                    path_text=c.after_text,
                    path_warmth=c.after_warmth,
                    joint_manager=joint,
                    version=c.version + 1,
                    updated_at=at,
                    updated_by=by.strip(),
                )
            )
            if result.rowcount != 1:
                stale.append(c.lead_id)
                continue
            state = conn.execute(select(leads.c.state).where(leads.c.id == c.lead_id)).scalar_one()
            note = (
                f"introduction path {c.status}: {c.before_introducer or '-'} ({_warmth_text(c.before_warmth)}) → "
                f"{c.after_introducer or '-'} ({_warmth_text(c.after_warmth)})"
            )
            conn.execute(
                lead_history.insert().values(
                    lead_id=c.lead_id,
                    from_state=state,
                    to_state=state,
                    version=c.version + 1,
                    by=by.strip(),
                    at=at,
                    note=note,
                )
            )
            updated.append(c.lead_id)
    return Recorded(tuple(updated), tuple(stale))


def events_by(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Event counts grouped by ``columns`` (for the dashboards), largest first."""
    known = set(OPS_TABLES["events"].columns.keys()) | {"region_code", "province"}
    bad = [c for c in columns if c not in known]
    if bad:
        raise InvalidParameter("columns", f"unknown event columns: {', '.join(bad)}")
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "events"])
    data = frame.copy()
    if "province" in columns:
        data["province"] = [None if r is None else str(r)[:2] for r in data["region_code"]]
    grouped = data.groupby(list(columns), dropna=False).size().reset_index(name="events")
    return grouped.sort_values(["events", *columns], ascending=[False, *[True] * len(columns)]).reset_index(drop=True)
