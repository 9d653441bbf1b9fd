"""The lead store: operational data, leads, their history and RM subscriptions in one SQL database.

``LeadStore.open(location)`` opens an SQLite file (a path; the default is
``~/.guanxi/leads.db`` or ``GUANXI_LEADS_DB``) or any SQLAlchemy URL
(``postgresql+psycopg://user@host/db`` for a shared deployment), creates the
tables on first use and refuses a database written by a newer guanxi.

Operational data (:class:`loaders.ops_data.OpsData`) is written by natural
key: a row whose key is new is added, a row whose values differ is updated,
an identical row is left alone, so writing the same data twice changes
nothing; each write is one transaction (all tables or none). Rows are never
deleted by a write: a reload adds and corrects, it does not forget.

Leads are made by :mod:`leads.distribute` and moved by :mod:`leads.workflow`;
this module reads them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, bindparam, func, select, tuple_
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from graph.errors import InvalidParameter
from graph.uscc import region_code
from leads.db import database_url, default_location, engine_for, metadata
from leads.errors import LeadNotFound, LeadStoreError
from leads.tables import (
    MISSING_KEY,
    OPEN_STATES,
    OPS_TABLES,
    OPTIONAL_KEYS,
    SCHEMA_VERSION,
    SUBSCRIPTION_KINDS,
    lead_history,
    leads,
    schema_info,
    subscriptions,
)
from loaders.ops_data import OPS_COLUMNS, STATES, OpsData


def now_text() -> str:
    """The current time as an ISO-8601 UTC string with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class WriteCount:
    """What one write did to one table."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged}


@dataclass(frozen=True)
class Lead:
    """One lead as stored: who, why, to whom, where it stands."""

    id: int
    company: str
    name: str
    region_code: str | None
    is_client: bool
    score: float
    tier: str
    products: tuple[str, ...]
    breakdown: tuple[tuple[str, float], ...]
    event_ids: tuple[str, ...]
    introducer: str | None
    introducer_manager: str | None
    introducer_branch: str | None
    path_text: str | None
    path_warmth: float | None
    branch: str | None
    manager: str | None
    joint_manager: str | None
    rule: str
    reason: str
    state: str
    version: int
    batch: str
    created_at: str
    updated_at: str
    updated_by: str

    @property
    def is_open(self) -> bool:
        """Whether the lead can still move (not 已落地 / 已结束)."""
        return self.state in OPEN_STATES

    @classmethod
    def from_row(cls, row: Any) -> Lead:
        """A lead from a database row (a mapping of column names to values)."""
        values = dict(row)
        values["products"] = tuple(values["products"] or ())
        values["breakdown"] = tuple((str(k), float(v)) for k, v in values["breakdown"] or ())
        values["event_ids"] = tuple(values["event_ids"] or ())
        values.pop("event_key", None)
        return cls(**values)

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        out: dict[str, object] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["products"] = list(self.products)
        out["breakdown"] = [list(item) for item in self.breakdown]
        out["event_ids"] = list(self.event_ids)
        return out


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a lead: from which state to which, by whom, when, with what note."""

    lead_id: int
    from_state: str | None
    to_state: str
    version: int
    by: str
    at: str
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Subscription:
    """Something a relationship manager watches: their clients, their leads, a chain segment, a park, a company."""

    manager: str
    kind: str
    value: str = ""
    created_at: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, object]:
        return {"manager": self.manager, "kind": self.kind, "value": self.value, "created_at": self.created_at}


def _plain(value: object) -> object:
    """A frame cell as a plain Python value; NaN and pandas' missing markers become None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _plain(value.item())
    return value


def _ops_rows(name: str, frame: object) -> list[tuple[object, ...]]:
    """The rows of one operational frame as typed tuples in column order; InvalidParameter on a bad cell."""
    columns = OPS_COLUMNS[name]
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameter(f"ops.{name}", "must be a pandas DataFrame")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidParameter(f"ops.{name}", f"missing columns: {', '.join(missing)}")
    table = OPS_TABLES[name]
    rows: list[tuple[object, ...]] = []
    for number, record in enumerate(frame[list(columns)].itertuples(index=False, name=None), start=1):
        row: list[object] = []
        for column, raw in zip(columns, record, strict=True):
            value = _plain(raw)
            col = table.c[column]
            where = f"ops.{name} row {number} column {column}"
            if value is None:
                if column in OPTIONAL_KEYS.get(name, ()):
                    value = MISSING_KEY
                elif not col.nullable:
                    raise InvalidParameter(where, "is empty but required")
            elif column in ("amount",):
                if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(float(value)):
                    raise InvalidParameter(where, f"must be a number, got {value!r}")
                value = float(value)
            elif column == "capacity":
                if isinstance(value, bool) or not isinstance(value, int | float) or float(value) != int(value):
                    raise InvalidParameter(where, f"must be a whole number, got {value!r}")
                if int(value) < 0:
                    raise InvalidParameter(where, f"must not be negative, got {value!r}")
                value = int(value)
            else:
                value = str(value)
            row.append(value)
        rows.append(tuple(row))
    return rows


def _key_of(table: Table) -> list[int]:
    names = [c.name for c in table.columns]
    return [names.index(c.name) for c in table.primary_key]


def _dedupe(name: str, table: Table, rows: list[tuple[object, ...]]) -> dict[tuple[object, ...], tuple[object, ...]]:
    """Rows by natural key; exact repeats collapse, the same key with other values is an error."""
    positions = _key_of(table)
    by_key: dict[tuple[object, ...], tuple[object, ...]] = {}
    for number, row in enumerate(rows, start=1):
        key = tuple(row[i] for i in positions)
        seen = by_key.get(key)
        if seen is not None and seen != row:
            raise InvalidParameter(
                f"ops.{name} row {number}", f"key {key} appears twice with different values: {seen} and {row}"
            )
        by_key[key] = row
    return by_key


class LeadStore:
    """Operational data and leads in one SQL database (SQLite file or SQLAlchemy URL)."""

    def __init__(self, engine: Engine, where: str) -> None:
        self.engine = engine
        self.where = where

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, location: str | Path | None = None) -> LeadStore:
        """Open (and on first use create) the lead database at ``location`` (default: ``GUANXI_LEADS_DB``)."""
        setting = location if location is not None else default_location()
        url = database_url(setting)
        where = url.render_as_string(hide_password=True)
        try:
            engine = engine_for(setting)
        except (SQLAlchemyError, ImportError, OSError) as exc:
            raise LeadStoreError(f"cannot open the lead database {where}: {_first_line(exc)}") from None
        store = cls(engine, where)
        try:
            store._prepare()
        except BaseException:
            engine.dispose()
            raise
        return store

    def _prepare(self) -> None:
        with self.transaction("create the tables") as conn:
            metadata.create_all(conn, checkfirst=True)
            found = conn.execute(
                select(schema_info.c.version).where(schema_info.c.component == "leads")
            ).scalar_one_or_none()
            if found is None:
                conn.execute(schema_info.insert().values(component="leads", version=SCHEMA_VERSION))
            elif found > SCHEMA_VERSION:
                raise LeadStoreError(
                    f"the lead database {self.where} has schema version {found}, newer than this guanxi reads "
                    f"({SCHEMA_VERSION}): upgrade guanxi, or use another database"
                )

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> LeadStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy dialect's name)."""
        return self.engine.dialect.name

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self, what: str) -> Iterator[Connection]:
        """One transaction for the modules of :mod:`leads`: committed when the block ends, rolled back on any
        error; database errors come out as one-line LeadStoreError saying what could not be done (``what``)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            raise LeadStoreError(
                f"lead database {self.where}: {what} conflicts with a concurrent change: {_first_line(exc.orig)}; "
                "nothing was written, try again"
            ) from None
        except SQLAlchemyError as exc:
            raise LeadStoreError(f"lead database {self.where}: cannot {what}: {_first_line(exc)}") from None

    @contextmanager
    def reading(self, what: str) -> Iterator[Connection]:
        """A connection for reads; database errors come out as one-line LeadStoreError (``what`` failed)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise LeadStoreError(f"lead database {self.where}: cannot {what}: {_first_line(exc)}") from None

    # -- operational data ------------------------------------------------------------------
    def write_ops(self, ops: OpsData) -> dict[str, WriteCount]:
        """Upsert every operational table by natural key in one transaction; what was added, changed, kept."""
        if not isinstance(ops, OpsData):
            raise InvalidParameter("ops", "must be an OpsData")
        incoming = {name: _dedupe(name, OPS_TABLES[name], _ops_rows(name, getattr(ops, name))) for name in OPS_COLUMNS}
        counts: dict[str, WriteCount] = {}
        with self.transaction("write the operational data") as conn:
            for name, rows in incoming.items():
                counts[name] = _upsert(conn, OPS_TABLES[name], rows)
        return counts

    def read_ops(self) -> OpsData:
        """Every operational table, ordered by natural key, in the contract's frames."""
        frames: dict[str, pd.DataFrame] = {}
        with self.reading("read the operational data") as conn:
            for name, table in OPS_TABLES.items():
                result = conn.execute(select(table).order_by(*table.primary_key.columns))
                frames[name] = _frame(name, [tuple(r) for r in result])
        return OpsData(**frames)

    def has_events(self) -> bool:
        """Whether any event is stored (one cheap query)."""
        with self.reading("read events") as conn:
            return conn.execute(select(OPS_TABLES["events"].c.event_id).limit(1)).first() is not None

    def events(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        types: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        grades: Sequence[str] | None = None,
        region: str | None = None,
        companies: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Events (newest first) filtered by date range, type, category, grade, region prefix and company."""
        table = OPS_TABLES["events"]
        query = select(table)
        for name, value in (("since", since), ("until", until)):
            if value is not None:
                check_date(name, value)
        if since:
            query = query.where(table.c.date >= since)
        if until:
            query = query.where(table.c.date <= until)
        for column, values in (("event_type", types), ("category", categories), ("grade", grades)):
            if values:
                query = query.where(table.c[column].in_(list(values)))
        if region is not None and (not region.isdigit() or not 1 <= len(region) <= 6):
            raise InvalidParameter("region", f"must be 1 to 6 digits of an administrative division code: {region!r}")
        query = query.order_by(table.c.date.desc(), table.c.event_id)
        wanted = None if companies is None else set(companies)
        with self.reading("read events") as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        if wanted is not None:
            rows = [r for r in rows if r[1] in wanted]
        if region:
            rows = [r for r in rows if (region_code(str(r[1]), check=False) or "").startswith(region)]
        frame = _frame("events", rows)
        frame["region_code"] = [region_code(str(c), check=False) for c in frame["company"]]
        return frame

    # -- leads -----------------------------------------------------------------------------
    def lead(self, lead_id: int) -> Lead:
        """One lead by id; LeadNotFound when there is none."""
        _check_id(lead_id)
        with self.reading("read a lead") as conn:
            row = conn.execute(select(leads).where(leads.c.id == lead_id)).mappings().first()
        if row is None:
            raise LeadNotFound(lead_id)
        return Lead.from_row(row)

    def leads(
        self,
        *,
        manager: str | None = None,
        branch: str | None = None,
        state: str | None = None,
        company: str | None = None,
        open_only: bool = False,
        limit: int | None = None,
    ) -> list[Lead]:
        """Leads, best first (score, then id), narrowed by manager, branch, state, company or openness."""
        if state is not None and state not in STATES:
            raise InvalidParameter("state", f"{state!r} is not one of {'、'.join(STATES)}")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise InvalidParameter("limit", "must be a positive whole number")
        query = select(leads)
        for column, value in (("manager", manager), ("branch", branch), ("state", state), ("company", company)):
            if value is not None:
                query = query.where(leads.c[column] == value)
        if open_only:
            query = query.where(leads.c.state.in_(OPEN_STATES))
        query = query.order_by(leads.c.score.desc(), leads.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.reading("read leads") as conn:
            return [Lead.from_row(r) for r in conn.execute(query).mappings()]

    def lead_frame(self) -> pd.DataFrame:
        """Every lead's id, company, tier, score, branch, manager, rule, state and times: for the dashboards."""
        columns = ["id", "company", "name", "tier", "score", "branch", "manager", "rule", "state"]
        query = select(*(leads.c[c] for c in columns), leads.c.created_at, leads.c.updated_at).order_by(leads.c.id)
        with self.reading("read leads") as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        return pd.DataFrame(rows, columns=[*columns, "created_at", "updated_at"])

    def reached(self) -> pd.DataFrame:
        """Every (lead id, state) a lead has been in, from its history: what the funnel counts."""
        query = select(lead_history.c.lead_id, lead_history.c.to_state).distinct()
        with self.reading("read lead history") as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        return pd.DataFrame(rows, columns=["lead_id", "state"])

    def history(self, lead_id: int) -> list[HistoryEntry]:
        """Every change of a lead, oldest first; LeadNotFound when there is no such lead."""
        self.lead(lead_id)
        query = (
            select(lead_history)
            .where(lead_history.c.lead_id == lead_id)
            .order_by(lead_history.c.version, lead_history.c.id)
        )
        with self.reading("read a lead's history") as conn:
            rows = list(conn.execute(query).mappings())
        return [
            HistoryEntry(
                lead_id=r["lead_id"],
                from_state=r["from_state"],
                to_state=r["to_state"],
                version=r["version"],
                by=r["by"],
                at=r["at"],
                note=r["note"],
            )
            for r in rows
        ]

    def open_counts(self) -> dict[str, int]:
        """Open leads per manager (for the capacity rule and the dashboards)."""
        query = (
            select(leads.c.manager, func.count())
            .where(and_(leads.c.state.in_(OPEN_STATES), leads.c.manager.is_not(None)))
            .group_by(leads.c.manager)
        )
        with self.reading("count open leads") as conn:
            return {str(m): int(n) for m, n in conn.execute(query)}

    # -- subscriptions ---------------------------------------------------------------------
    def subscribe(self, manager: str, kind: str, value: str = "") -> Subscription:
        """Watch something (idempotent): ``clients``/``leads`` of the manager, a ``segment`` "chain/segment",
        a ``park``, a ``company``."""
        manager = _name("manager", manager)
        if kind not in SUBSCRIPTION_KINDS:
            raise InvalidParameter("kind", f"{kind!r} is not one of {', '.join(SUBSCRIPTION_KINDS)}")
        value = (value or "").strip()
        if kind in ("segment", "park", "company") and not value:
            raise InvalidParameter("value", f"a {kind} subscription needs what to watch")
        if kind == "segment" and "/" not in value:
            raise InvalidParameter("value", f"a segment is written chain/segment, e.g. 集成电路/设计: {value!r}")
        if kind in ("clients", "leads"):
            value = ""
        sub = Subscription(manager, kind, value, now_text())
        with self.transaction("subscribe") as conn:
            exists = conn.execute(
                select(subscriptions.c.id).where(
                    and_(
                        subscriptions.c.manager == manager,
                        subscriptions.c.kind == kind,
                        subscriptions.c.value == value,
                    )
                )
            ).first()
            if exists is None:
                conn.execute(subscriptions.insert().values(**sub.to_dict()))
        return sub

    def unsubscribe(self, manager: str, kind: str, value: str = "") -> bool:
        """Stop watching; whether there was such a subscription."""
        with self.transaction("unsubscribe") as conn:
            result = conn.execute(
                subscriptions.delete().where(
                    and_(
                        subscriptions.c.manager == manager,
                        subscriptions.c.kind == kind,
                        subscriptions.c.value == (value or "").strip(),
                    )
                )
            )
        return bool(result.rowcount)

    def subscriptions(self, manager: str) -> list[Subscription]:
        """What ``manager`` watches, in a stable order."""
        query = (
            select(subscriptions)
            .where(subscriptions.c.manager == manager)
            .order_by(subscriptions.c.kind, subscriptions.c.value)
        )
        with self.reading("read subscriptions") as conn:
            return [
                Subscription(r["manager"], r["kind"], r["value"], r["created_at"])
                for r in conn.execute(query).mappings()
            ]


def _first_line(exc: BaseException | None) -> str:
    text = str(exc) if exc is not None else "unknown error"
    return (text.strip().splitlines() or ["unknown error"])[0][:300]


def _check_id(lead_id: object) -> None:
    if isinstance(lead_id, bool) or not isinstance(lead_id, int) or lead_id < 1:
        raise InvalidParameter("lead id", f"must be a positive whole number, got {lead_id!r}")


def check_date(name: str, value: str) -> None:
    """InvalidParameter unless ``value`` is a date written YYYY-MM-DD."""
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except (TypeError, ValueError):
        raise InvalidParameter(name, f"must be a date YYYY-MM-DD, got {value!r}") from None


def _name(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameter(what, "must be a non-empty name")
    return value.strip()


def _frame(name: str, rows: list[tuple[object, ...]]) -> pd.DataFrame:
    columns = OPS_COLUMNS[name]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    frame = frame.astype(object).where(frame.notna(), None)
    for column in OPTIONAL_KEYS.get(name, ()):
        frame[column] = pd.Series([None if v == MISSING_KEY else v for v in frame[column]], dtype=object)
    return frame


def _upsert(conn: Connection, table: Table, rows: dict[tuple[object, ...], tuple[object, ...]]) -> WriteCount:
    """Add new keys, update changed rows, leave identical rows alone: one table, inside the caller's transaction."""
    if not rows:
        return WriteCount()
    key_columns = list(table.primary_key.columns)
    names = [c.name for c in table.columns]
    existing: dict[tuple[object, ...], tuple[object, ...]] = {}
    keys = list(rows)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        condition = (
            key_columns[0].in_([k[0] for k in chunk]) if len(key_columns) == 1 else tuple_(*key_columns).in_(chunk)
        )
        for found in conn.execute(select(table).where(condition)):
            row = tuple(found)
            existing[tuple(row[names.index(c.name)] for c in key_columns)] = row
    added = [dict(zip(names, row, strict=True)) for key, row in rows.items() if key not in existing]
    changed = [
        dict(zip(names, row, strict=True))
        for key, row in rows.items()
        if key in existing and not _same(existing[key], row)
    ]
    if added:
        conn.execute(table.insert(), added)
    if changed:
        others = [c for c in table.columns if not c.primary_key]
        statement = (
            table.update()
            .where(and_(*(c == bindparam(f"k_{c.name}") for c in key_columns)))
            .values({c.name: bindparam(f"v_{c.name}") for c in others})
        )
        conn.execute(
            statement,
            [
                {**{f"k_{c.name}": row[c.name] for c in key_columns}, **{f"v_{c.name}": row[c.name] for c in others}}
                for row in changed
            ],
        )
    return WriteCount(added=len(added), changed=len(changed), unchanged=len(rows) - len(added) - len(changed))


def _same(stored: tuple[object, ...], incoming: tuple[object, ...]) -> bool:
    for a, b in zip(stored, incoming, strict=True):
        if isinstance(a, float) and isinstance(b, float):
            if not math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0):
                return False
        elif a != b:
            return False
    return True
