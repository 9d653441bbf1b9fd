"""The lead store's tables, as SQLAlchemy Core on :data:`leads.db.metadata`.

Six operational tables mirror :data:`loaders.ops_data.OPS_COLUMNS` with their
natural keys as primary keys, so an upsert of the same rows changes nothing.
``leads`` holds one row per lead (its company, score, tier, products, score
breakdown, events, warmest path, branch, manager, state and a version for
optimistic concurrency); ``lead_history`` every state change and note;
``subscriptions`` what a relationship manager watches; ``lead_schema`` the
schema version this code wrote.

Every column is portable: text, integers, floats, booleans and JSON, with
times as ISO-8601 UTC strings (``2026-12-07T09:30:00.123456+00:00``, which
sort as text), so SQLite and PostgreSQL store and return the same values.

>>> sorted(OPS_TABLES)
['branches', 'chains', 'events', 'memberships', 'outcomes', 'tags']
>>> [c.name for c in OPS_TABLES["tags"].primary_key]
['company', 'tag']
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from leads.db import metadata
from loaders.lead_terms import SUBSCRIPTION_KINDS as SUBSCRIPTION_KINDS  # what an RM can watch (no SQLAlchemy)
from loaders.ops_data import MOVES, OPS_COLUMNS

#: the schema version this code writes; a database with a higher one is refused
SCHEMA_VERSION = 1

#: states from which a lead can still move: "open" leads
OPEN_STATES: tuple[str, ...] = tuple(state for state, moves in MOVES.items() if moves)


def _s(name: str, primary: bool = False, nullable: bool = True) -> Column[str]:
    return Column(name, String(200), primary_key=primary, nullable=nullable and not primary)


schema_info = Table(
    "lead_schema",
    metadata,
    Column("component", String(40), primary_key=True),
    Column("version", Integer, nullable=False),
)

ops_events = Table(
    "ops_events",
    metadata,
    _s("event_id", primary=True),
    _s("company", nullable=False),
    _s("event_type", nullable=False),
    Column("date", String(10)),
    Column("amount", Float),
    _s("source"),
    Column("text", Text),
    _s("category"),
    _s("products"),
    Column("grade", String(10)),
    Index("ix_ops_events_company", "company"),
    Index("ix_ops_events_date", "date"),
)

ops_tags = Table(
    "ops_tags",
    metadata,
    _s("company", primary=True),
    _s("tag", primary=True),
    Column("date", String(10)),
)

ops_chains = Table(
    "ops_chains",
    metadata,
    _s("chain", primary=True),
    _s("segment", primary=True),
    _s("position"),
    _s("parent"),
)

ops_memberships = Table(
    "ops_memberships",
    metadata,
    _s("company", primary=True),
    _s("chain", primary=True),
    _s("segment", primary=True),
)

ops_branches = Table(
    "ops_branches",
    metadata,
    _s("branch", primary=True),
    Column("region_code", String(12), primary_key=True),
    _s("manager", primary=True),
    Column("capacity", Integer),
)

ops_outcomes = Table(
    "ops_outcomes",
    metadata,
    _s("company", primary=True),
    _s("product", primary=True),
    Column("date", String(10), primary_key=True),
    Column("outcome", String(10), nullable=False),
)

#: key columns the contract lets be empty (a branch row naming only a region or only a manager; an outcome
#: without product or date): a primary key cannot hold NULL, so they hold :data:`MISSING_KEY` in the database
#: and are None again when read
OPTIONAL_KEYS: dict[str, tuple[str, ...]] = {
    "branches": ("region_code", "manager"),
    "outcomes": ("product", "date"),
}
MISSING_KEY = ""

#: operational tables by the names of :data:`loaders.ops_data.OPS_COLUMNS`
OPS_TABLES: dict[str, Table] = {
    "events": ops_events,
    "tags": ops_tags,
    "chains": ops_chains,
    "memberships": ops_memberships,
    "branches": ops_branches,
    "outcomes": ops_outcomes,
}

assert all(tuple(c.name for c in OPS_TABLES[k].columns) == v for k, v in OPS_COLUMNS.items())

_OPEN_SQL = text("state IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")")

leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _s("company", nullable=False),
    _s("name", nullable=False),
    Column("region_code", String(12)),
    Column("is_client", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    Column("tier", String(10), nullable=False),
    Column("products", JSON, nullable=False),  # list of product names
    Column("breakdown", JSON, nullable=False),  # list of [feature, points]
    Column("event_ids", JSON, nullable=False),  # sorted list of event ids
    Column("event_key", Text, nullable=False),  # the sorted event ids "|"-joined: what makes a lead new
    _s("introducer"),
    _s("introducer_manager"),
    _s("introducer_branch"),
    Column("path_text", Text),
    Column("path_warmth", Float),
    _s("branch"),
    _s("manager"),
    _s("joint_manager"),  # the introducer's RM when in another branch: a joint visit
    Column("rule", String(20), nullable=False),  # client / capacity / round_robin / introducer / unassigned
    Column("reason", Text, nullable=False),  # why this branch and manager (or why unassigned)
    Column("state", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("batch", String(40), nullable=False),  # the distribution run that made it
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    _s("updated_by", nullable=False),
    Index("ix_leads_manager_state", "manager", "state"),
    Index("ix_leads_batch", "batch"),
    # one open lead per company, enforced by the database even for two distributions at once
    Index(
        "uq_leads_open_company",
        "company",
        unique=True,
        sqlite_where=_OPEN_SQL,
        postgresql_where=_OPEN_SQL,
    ),
)

lead_history = Table(
    "lead_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    Column("from_state", String(10)),  # None: the lead was created
    Column("to_state", String(10), nullable=False),
    Column("version", Integer, nullable=False),  # the lead's version after this change
    _s("by", nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text),
    Index("ix_lead_history_lead", "lead_id"),
)


subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _s("manager", nullable=False),
    Column("kind", String(20), nullable=False),
    _s("value", nullable=False),  # "" for clients/leads, "chain/segment", a park, a company key
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("manager", "kind", "value", name="uq_subscription"),
)
