"""One SQLAlchemy metadata and engine for the lead store's tables.

Every table of the lead store is declared on :data:`metadata`, so one
``create_all`` makes them all. :func:`engine_for` turns a setting into an
engine: a plain path is an SQLite file, anything with ``://`` an SQLAlchemy
URL (``postgresql+psycopg://user@host/db`` for a shared deployment).

>>> str(database_url("/tmp/x/leads.db"))
'sqlite:////tmp/x/leads.db'
>>> database_url("postgresql+psycopg://u@h/db").get_backend_name()
'postgresql'
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import URL, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError

from graph.errors import ConfigError

#: every lead-store table is declared on this
metadata = MetaData()

#: the default database: an SQLite file beside the default graph
DEFAULT_PATH = Path.home() / ".guanxi" / "leads.db"


def default_location() -> str:
    """``GUANXI_LEADS_DB`` (a path or an SQLAlchemy URL), else the default SQLite file."""
    return os.environ.get("GUANXI_LEADS_DB") or str(DEFAULT_PATH)


def database_url(location: str | Path) -> URL:
    """The SQLAlchemy URL for a setting: a path means an SQLite file; ConfigError if malformed."""
    text = str(location).strip()
    if not text:
        raise ConfigError("GUANXI_LEADS_DB is empty: give a file path or an SQLAlchemy URL")
    if "://" not in text:
        return make_url("sqlite:///" + str(Path(text).expanduser().resolve()))
    try:
        return make_url(text)
    except ArgumentError as exc:
        raise ConfigError(f"GUANXI_LEADS_DB is not a database URL: {exc}") from None


def engine_for(location: str | Path | None = None) -> Engine:
    """An engine on the lead database (created for SQLite files), with foreign keys on in SQLite."""
    url = database_url(location if location is not None else default_location())
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # type: ignore[no-untyped-def]
            cursor = conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine
