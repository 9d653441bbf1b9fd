"""The shapes operational data travels in between loaders, scoring and the lead store.

Operational data is what a bank runs around the path question (BRIEF: "the
system around the path question"): opportunity events (商机事件), company tags
(企业标签), industry chains (产业链) and their segments, branches and their
relationship managers (机构与客户经理), and the bank's won/lost history
(营销结果). It is read from files by ``loaders`` (validated, with a load
report), kept in the lead store's SQL database (``leads``), and scored by
``queries``. This module is the contract between those three: column names
and the record types, nothing else.

Every frame holds plain Python values (str, float, None); dates are ISO
strings ``YYYY-MM-DD``; ``company`` is the graph key of a Company (its USCC,
or its scheme-prefixed identifier where it has none).

>>> sorted(OPS_COLUMNS)
['branches', 'chains', 'events', 'memberships', 'outcomes', 'tags']
>>> OpsData.empty().events.columns.tolist()[:3]
['event_id', 'company', 'event_type']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from loaders.lead_terms import MOVES as MOVES  # lead tiers, states and moves (plain constants, no pandas)
from loaders.lead_terms import STATES as STATES
from loaders.lead_terms import TIERS as TIERS

#: the columns of each operational table, in order
OPS_COLUMNS: dict[str, tuple[str, ...]] = {
    # event_id: a stable hash of (company, event_type, date, source, text), so a reload is idempotent;
    # category, products ("|"-joined bank products) and grade (A/B/C value grade) come from the event catalogue
    "events": (
        "event_id",
        "company",
        "event_type",
        "date",
        "amount",
        "source",
        "text",
        "category",
        "products",
        "grade",
    ),
    "tags": ("company", "tag", "date"),
    # position: 上游 / 中游 / 下游; parent: the segment this one refines, or None
    "chains": ("chain", "segment", "position", "parent"),
    "memberships": ("company", "chain", "segment"),
    # one row per (branch, region_code, manager); region_code: an administrative division code or a prefix of it
    "branches": ("branch", "region_code", "manager", "capacity"),
    # outcome: "won" or "lost"
    "outcomes": ("company", "product", "date", "outcome"),
}


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in OPS_COLUMNS[name]})


@dataclass(frozen=True)
class OpsData:
    """Validated operational tables, one frame per kind (columns: :data:`OPS_COLUMNS`)."""

    events: pd.DataFrame = field(default_factory=lambda: _empty("events"))
    tags: pd.DataFrame = field(default_factory=lambda: _empty("tags"))
    chains: pd.DataFrame = field(default_factory=lambda: _empty("chains"))
    memberships: pd.DataFrame = field(default_factory=lambda: _empty("memberships"))
    branches: pd.DataFrame = field(default_factory=lambda: _empty("branches"))
    outcomes: pd.DataFrame = field(default_factory=lambda: _empty("outcomes"))

    @classmethod
    def empty(cls) -> OpsData:
        """No rows of any kind."""
        return cls()


@dataclass(frozen=True)
class LeadCandidate:
    """A company worth a call, scored, with its reasons: what scoring hands to distribution.

    ``region_code`` is the 6-digit administrative division code (a USCC's
    characters 3–8) or None where the company has no USCC. ``client_manager``
    and ``client_branch`` are set when the company is already a client.
    ``introducer*`` and ``path_*`` describe the warmest introduction path,
    when one was attached.
    """

    company: str
    name: str
    region_code: str | None
    is_client: bool
    score: float
    tier: str
    client_manager: str | None = None
    client_branch: str | None = None
    event_ids: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    breakdown: tuple[tuple[str, float], ...] = ()
    introducer: str | None = None
    introducer_manager: str | None = None
    introducer_branch: str | None = None
    path_text: str | None = None
    path_warmth: float | None = None
