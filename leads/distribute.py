"""Distribution (商机分发): which branch and relationship manager (RM) a lead goes to, and why.

The rules, in order:

1. **A client** goes to its own RM (and that RM's branch): rule ``client``.
2. **A prospect** goes to the branch whose region codes cover the company's
   administrative division code (a USCC's characters 3–8). Region codes in
   the branch table may be prefixes (``32`` a province, ``3205`` a city,
   ``320571`` a district); the longest matching prefix wins
   (:func:`loaders.ops.covering_branch`, the rule the branches file is
   checked against; the loader refuses one code on two branches). No region
   code or no covering branch: the lead waits in the unassigned queue (no
   branch, no manager) with the reason; so does a lead whose branch has no
   RM, or no RM with capacity.
3. Within the branch, an RM by the chosen rule:

   * ``capacity``: the RM with the fewest open leads relative to capacity
     (open leads already stored plus those given out in this run, divided
     by capacity; ties by name). An RM with capacity 0 takes no new leads;
     one without a stated capacity counts as :data:`DEFAULT_CAPACITY`.
   * ``round_robin``: the branch's RMs in name order, one after the other,
     continuing where the last round-robin run in that branch stopped.
   * ``introducer``: the RM of the introducing client when the warmest path
     runs through a client of this branch; otherwise the capacity rule.

   Whatever the rule, when the warmest path's introducer is owned by another
   RM than the one chosen, that RM is recorded as ``joint_manager``: a joint
   visit (联合拜访).

Candidates are taken best first (score, then company key), so the result is
the same for the same input and the same stored leads.

**No duplicates.** A company has at most one open lead (the database
enforces it with a partial unique index). A candidate is skipped when its
company has an open lead, or when an earlier lead of the company (closed
since) already carried every one of its events: a dropped lead does not come
back on the same news, and a new event makes a new lead.

Everything one run creates is written in one transaction, in bulk, with a
creation row in the history of each lead.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, literal, null, select

from graph.errors import InvalidParameter
from leads.store import LeadStore, now_text
from leads.tables import OPEN_STATES, lead_history, leads
from loaders.ops import covering_branch
from loaders.ops_data import STATES, TIERS, LeadCandidate

#: the assignment rules within a branch
RULES: tuple[str, ...] = ("capacity", "round_robin", "introducer")

#: capacity of an RM whose capacity the branch table leaves empty
DEFAULT_CAPACITY = 30

#: rows per INSERT statement
CHUNK = 5000

#: unassigned reasons a summary lists (the most frequent first)
SHOWN_REASONS = 20


@dataclass(frozen=True)
class Assignment:
    """Where one candidate goes: branch and manager (None: the unassigned queue), the rule used and why."""

    company: str
    branch: str | None
    manager: str | None
    joint_manager: str | None
    rule: str
    reason: str


@dataclass(frozen=True)
class DistributionResult:
    """What a distribution run did."""

    batch: str
    rule: str
    created: int
    skipped_open: int
    skipped_seen: int
    duplicates: int
    unassigned: int
    joint_visits: int
    by_manager: dict[str, int] = field(default_factory=dict)
    unassigned_reasons: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def summary(self) -> str:
        """A few lines a user reads."""
        lines = [
            f"{self.created} new leads (rule {self.rule}); {self.skipped_open} companies already have an open lead, "
            f"{self.skipped_seen} had a lead on the same events, {self.duplicates} repeated candidates ignored",
        ]
        if self.joint_visits:
            lines.append(f"{self.joint_visits} joint visits with the introducer's RM")
        if self.unassigned:
            lines.append(f"{self.unassigned} unassigned:")
            common = sorted(self.unassigned_reasons.items(), key=lambda item: (-item[1], item[0]))
            lines.extend(f"  {n} × {reason}" for reason, n in common[:SHOWN_REASONS])
            if len(common) > SHOWN_REASONS:
                lines.append(f"  … and {len(common) - SHOWN_REASONS} more reasons (guanxi leads list --unassigned)")
        return "\n".join(lines)


@dataclass
class _Branch:
    name: str
    managers: list[str]  # name order
    capacity: dict[str, int]
    load: dict[str, int]  # open leads now (stored + given out in this run)
    turn: int = 0  # round robin: next index

    def by_capacity(self) -> str | None:
        takers = [m for m in self.managers if self.capacity[m] > 0]
        if not takers:
            return None
        return min(takers, key=lambda m: (self.load[m] / self.capacity[m], m))

    def by_turn(self) -> str | None:
        takers = [m for m in self.managers if self.capacity[m] > 0]
        if not takers:
            return None
        chosen = takers[self.turn % len(takers)]
        self.turn += 1
        return chosen


def check_candidates(candidates: Iterable[object]) -> list[LeadCandidate]:
    """The candidates as a list; InvalidParameter naming the first bad one (position and company)."""
    return [_check_one(c, f"candidates[{i}]") for i, c in enumerate(candidates, start=1)]


def _check_one(c: object, where: str) -> LeadCandidate:
    if not isinstance(c, LeadCandidate):
        raise InvalidParameter(where, f"must be a LeadCandidate, got {type(c).__name__}")
    if not isinstance(c.company, str) or not c.company.strip():
        raise InvalidParameter(where, "has no company key")
    where = f"{where} ({c.company})"
    if c.tier not in TIERS:
        raise InvalidParameter(where, f"tier {c.tier!r} is not one of {'、'.join(TIERS)}")
    if isinstance(c.score, bool) or not isinstance(c.score, int | float) or not math.isfinite(c.score):
        raise InvalidParameter(where, f"score must be a finite number, got {c.score!r}")
    if c.path_warmth is not None and not (0.0 <= c.path_warmth <= 1.0):
        raise InvalidParameter(where, f"path warmth must be in 0..1, got {c.path_warmth!r}")
    return c


def candidate_from_dict(data: object, where: str = "candidate") -> LeadCandidate:
    """A candidate from plain data (JSON): the fields of :class:`LeadCandidate`; InvalidParameter names the bad one.

    >>> candidate_from_dict({"company": "91320571MA00000001", "name": "甲", "score": 81, "tier": "优质"}).region_code
    '320571'
    """
    if not isinstance(data, dict):
        raise InvalidParameter(where, "must be an object with company, name, score and tier")
    known = set(LeadCandidate.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidParameter(where, f"unknown fields: {', '.join(unknown)}")
    for required in ("company", "name", "score", "tier"):
        if data.get(required) is None:
            raise InvalidParameter(where, f"field {required!r} is missing")
    values = dict(data)
    company = values["company"]
    if not isinstance(company, str):
        raise InvalidParameter(where, "field 'company' must be text")
    if "region_code" not in values:
        values["region_code"] = company[2:8] if len(company) == 18 and company[2:8].isdigit() else None
    values.setdefault("is_client", values.get("client_manager") is not None)
    for name in ("event_ids", "products"):
        raw = values.get(name) or ()
        if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
            raise InvalidParameter(where, f"field {name!r} must be a list of text")
        values[name] = tuple(raw)
    raw_parts = values.get("breakdown") or ()
    try:
        values["breakdown"] = tuple((str(k), float(v)) for k, v in raw_parts)
    except (TypeError, ValueError):
        raise InvalidParameter(where, "field 'breakdown' must be a list of [name, points] pairs") from None
    for name in ("name", "region_code", "client_manager", "client_branch", "introducer", "introducer_manager",
                 "introducer_branch", "path_text", "tier"):  # fmt: skip
        if values.get(name) is not None and not isinstance(values[name], str):
            raise InvalidParameter(where, f"field {name!r} must be text")
    for name in ("score", "path_warmth"):
        v = values.get(name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise InvalidParameter(where, f"field {name!r} must be a number")
    if not isinstance(values["is_client"], bool):
        raise InvalidParameter(where, "field 'is_client' must be true or false")
    return _check_one(LeadCandidate(**values), where)


def _missing(value: object) -> bool:
    """None, NaN or an empty text: a cell the branch table leaves empty."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _branches(table: pd.DataFrame, open_counts: dict[str, int]) -> dict[str, _Branch]:
    """Branches with their RMs (a row may name a region, a manager, or both)."""
    managers: dict[str, dict[str, int]] = defaultdict(dict)
    for branch, manager, capacity in table[["branch", "manager", "capacity"]].itertuples(index=False, name=None):
        if _missing(branch):
            continue
        caps = managers[str(branch)]
        if _missing(manager):
            continue
        cap = DEFAULT_CAPACITY if _missing(capacity) else int(capacity)
        caps[str(manager)] = max(cap, caps.get(str(manager), 0))
    return {
        b: _Branch(b, sorted(caps), dict(caps), {m: open_counts.get(m, 0) for m in caps})
        for b, caps in managers.items()
    }


def cover(region: str | None, table: pd.DataFrame) -> tuple[str | None, str]:
    """The branch covering ``region`` and the reason, by :func:`loaders.ops.covering_branch` (the one
    definition of "the longest matching prefix wins"; the loader refuses one code on two branches).

    >>> table = pd.DataFrame({"branch": ["苏州分行", "工业园区支行"], "region_code": ["3205", "320571"]})
    >>> cover("320571", table)
    ('工业园区支行', 'region 320571 → 工业园区支行 (covers 320571)')
    >>> cover("440300", table)
    (None, 'no branch covers region 440300')
    """
    if not region:
        return None, "no region code (the company has no USCC)"
    branch = covering_branch(region, table)
    if branch is None:
        return None, f"no branch covers region {region}"
    codes = [
        str(c) for b, c in zip(table["branch"], table["region_code"], strict=True) if b == branch and not _missing(c)
    ]
    code = max((c for c in codes if region.startswith(c)), key=len)
    return branch, f"region {region} → {branch} (covers {code})"


def plan(
    candidates: Sequence[LeadCandidate],
    branch_table: pd.DataFrame,
    *,
    rule: str = "capacity",
    open_counts: dict[str, int] | None = None,
    turns: dict[str, int] | None = None,
) -> list[Assignment]:
    """Where each candidate goes, in the order given (a pure function: no database)."""
    if rule not in RULES:
        raise InvalidParameter("rule", f"{rule!r} is not one of {', '.join(RULES)}")
    branches = _branches(branch_table, open_counts or {})
    pairs = {
        (str(b), str(c))
        for b, c in branch_table[["branch", "region_code"]].itertuples(index=False, name=None)
        if not (_missing(b) or _missing(c))
    }  # one row per (branch, region, manager) in the table: each region once here
    regions = pd.DataFrame(sorted(pairs), columns=["branch", "region_code"], dtype=object)
    for name, branch in branches.items():
        branch.turn = (turns or {}).get(name, 0)
    manager_branch: dict[str, str] = {}
    for name in sorted(branches):
        for m in branches[name].managers:
            manager_branch.setdefault(m, name)
    covering = {r: cover(r, regions) for r in {c.region_code for c in candidates}}
    out: list[Assignment] = []
    for c in candidates:
        out.append(_assign(c, rule, branches, covering, manager_branch))
    return out


def _assign(
    c: LeadCandidate,
    rule: str,
    branches: dict[str, _Branch],
    covering: dict[str | None, tuple[str | None, str]],
    manager_branch: dict[str, str],
) -> Assignment:
    if c.is_client and c.client_manager:
        own = c.client_manager
        home = c.client_branch or manager_branch.get(own)
        known = branches.get(home or "")
        if known is not None and own in known.load:
            known.load[own] += 1
        joint = _joint(c, own)
        return Assignment(c.company, home, own, joint, "client", f"client of {own}" + _joint_text(joint))
    branch_name, reason = covering[c.region_code]
    if c.is_client:
        reason = f"client without a manager; {reason}"
    if branch_name is None:
        return Assignment(c.company, None, None, None, "unassigned", reason)
    branch = branches.get(branch_name)
    if branch is None or not branch.managers:
        return Assignment(c.company, branch_name, None, None, "unassigned", f"{reason}; the branch has no RM")
    manager: str | None = None
    used = rule
    if rule == "introducer" and c.introducer_manager in branch.load and c.introducer_branch in (None, branch_name):
        manager = c.introducer_manager
        why = f"introducer {c.introducer or '-'} is a client of {manager}"
    elif rule == "round_robin":
        manager = branch.by_turn()
        why = "round robin"
    else:
        used = "capacity"
        manager = branch.by_capacity()
        why = "fewest open leads for capacity" + (" (introducer not in this branch)" if rule == "introducer" else "")
        if manager is not None:
            why += f": {branch.load[manager]} open of {branch.capacity[manager]}"
    if manager is None:
        return Assignment(c.company, branch_name, None, None, "unassigned", f"{reason}; no RM with capacity")
    branch.load[manager] += 1
    joint = _joint(c, manager)
    return Assignment(c.company, branch_name, manager, joint, used, f"{reason}; {why}{_joint_text(joint)}")


def _joint(c: LeadCandidate, manager: str) -> str | None:
    if c.introducer_manager and c.introducer_manager != manager:
        return c.introducer_manager
    return None


def _joint_text(joint: str | None) -> str:
    return f"; joint visit with {joint}" if joint else ""


def _known(store: LeadStore, companies: set[str]) -> tuple[set[str], dict[str, set[str]], dict[str, int]]:
    """Companies with an open lead, every event id earlier leads carried per company, round-robin turns per branch."""
    open_: set[str] = set()
    seen: dict[str, set[str]] = defaultdict(set)
    with store.reading("read existing leads") as conn:
        for company, state, event_ids in conn.execute(select(leads.c.company, leads.c.state, leads.c.event_ids)):
            if company not in companies:
                continue
            if state in OPEN_STATES:
                open_.add(company)
            seen[company].update(event_ids or ())
        turns = {
            str(b): int(n)
            for b, n in conn.execute(
                select(leads.c.branch, func.count()).where(leads.c.rule == "round_robin").group_by(leads.c.branch)
            )
            if b is not None
        }
    return open_, seen, turns


def distribute(
    store: LeadStore,
    candidates: Iterable[LeadCandidate],
    *,
    rule: str = "capacity",
    by: str = "system",
    branch_table: pd.DataFrame | None = None,
) -> DistributionResult:
    """Turn candidates into leads (state 待认领) with a branch and an RM each, in one transaction.

    ``branch_table`` defaults to the stored branches (``read_ops().branches``).
    """
    if rule not in RULES:
        raise InvalidParameter("rule", f"{rule!r} is not one of {', '.join(RULES)}")
    if not isinstance(by, str) or not by.strip():
        raise InvalidParameter("by", "must be a non-empty name")
    ordered = sorted(check_candidates(candidates), key=lambda c: (-float(c.score), c.company))
    first: dict[str, LeadCandidate] = {}
    for c in ordered:
        first.setdefault(c.company, c)
    duplicates = len(ordered) - len(first)
    table = store.read_ops().branches if branch_table is None else branch_table
    open_, seen, turns = _known(store, set(first))
    fresh: list[LeadCandidate] = []
    skipped_open = skipped_seen = 0
    for company, c in first.items():
        if company in open_:
            skipped_open += 1
        elif company in seen and set(c.event_ids) <= seen[company]:
            skipped_seen += 1
        else:
            fresh.append(c)
    assignments = plan(fresh, table, rule=rule, open_counts=store.open_counts(), turns=turns)
    batch = uuid.uuid4().hex
    at = now_text()
    rows = [_row(c, a, batch, at, by.strip()) for c, a in zip(fresh, assignments, strict=True)]
    with store.transaction("store the new leads") as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(leads.insert(), rows[start : start + CHUNK])
        if rows:
            conn.execute(
                lead_history.insert().from_select(
                    ["lead_id", "from_state", "to_state", "version", "by", "at", "note"],
                    select(
                        leads.c.id,
                        null(),
                        literal(STATES[0]),
                        literal(1),
                        literal(by.strip()),
                        literal(at),
                        leads.c.reason,
                    ).where(leads.c.batch == batch),
                )
            )
    by_manager: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    for a in assignments:
        if a.manager is None:
            reasons[a.reason] += 1
        else:
            by_manager[a.manager] += 1
    return DistributionResult(
        batch=batch,
        rule=rule,
        created=len(rows),
        skipped_open=skipped_open,
        skipped_seen=skipped_seen,
        duplicates=duplicates,
        unassigned=sum(reasons.values()),
        joint_visits=sum(1 for a in assignments if a.joint_manager),
        by_manager=dict(sorted(by_manager.items())),
        unassigned_reasons=dict(sorted(reasons.items())),
    )


def _row(c: LeadCandidate, a: Assignment, batch: str, at: str, by: str) -> dict[str, object]:
    events = sorted(set(c.event_ids))
    return {
        "company": c.company,
        "name": c.name,
        "region_code": c.region_code,
        "is_client": bool(c.is_client),
        "score": float(c.score),
        "tier": c.tier,
        "products": list(c.products),
        "breakdown": [[str(k), float(v)] for k, v in c.breakdown],
        "event_ids": events,
        "event_key": "|".join(events),
        "introducer": c.introducer,
        "introducer_manager": c.introducer_manager,
        "introducer_branch": c.introducer_branch,
        "path_text": c.path_text,
        "path_warmth": c.path_warmth,
        "branch": a.branch,
        "manager": a.manager,
        "joint_manager": a.joint_manager,
        "rule": a.rule,
        "reason": a.reason,
        "state": STATES[0],
        "version": 1,
        "batch": batch,
        "created_at": at,
        "updated_at": at,
        "updated_by": by,
    }
