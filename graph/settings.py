"""Settings from environment variables, with defaults, in one place.

==================  ===========================================  =====================
variable            meaning                                      default
==================  ===========================================  =====================
GUANXI_BACKEND      ``embedded`` or ``neo4j``                    ``embedded``
GUANXI_STORE        the embedded graph file                      ``~/.guanxi/graph.gx``
GUANXI_WARMTH       a warmth file replacing the defaults         packaged warmth.yaml
NEO4J_URI           ``bolt://``, ``neo4j://``, ``neo4j+s://`` …   (none)
NEO4J_USER          Neo4j user                                   ``neo4j``
NEO4J_PASSWORD      Neo4j password                               (none)
NEO4J_DATABASE      Neo4j database                               ``neo4j``
GUANXI_READ_ONLY    the explorer offers no load or clear         on for ``neo4j``,
                    controls (loading is ``guanxi load``'s job)  off for ``embedded``
GUANXI_ADMIN        ``1``: the explorer offers them anyway       off
==================  ===========================================  =====================

``GUANXI_LOCK_TIMEOUT`` (seconds a load waits for another one writing the
same embedded file, default 600) is read when a writer waits
(:func:`graph.store_file.lock_timeout`), not here.

Setting ``NEO4J_URI`` without ``GUANXI_BACKEND`` selects the Neo4j store.

A Neo4j graph is shared by everyone who connects, so by default the explorer
only reads it: one user must not be able to wipe or reload everyone's graph
from a browser. An administrator loads with ``guanxi load``, or starts an
explorer of their own with ``GUANXI_ADMIN=1``. Yes/no values are ``1``,
``true``, ``yes``, ``on`` or ``0``, ``false``, ``no``, ``off`` (any case).

>>> Settings.from_env({"NEO4J_URI": "bolt://db:7687"}).loading_allowed
False
>>> Settings.from_env({"NEO4J_URI": "bolt://db:7687", "GUANXI_ADMIN": "1"}).loading_allowed
True
>>> Settings.from_env({}).loading_allowed
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.errors import ConfigError

BACKENDS = ("embedded", "neo4j")
_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"0", "false", "no", "off"})


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no variable; unset or empty gives ``default``; anything else is a ConfigError."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise ConfigError(f"{name} must be one of 1, true, yes, on, 0, false, no, off; got {env.get(name)!r}")


@dataclass(frozen=True)
class Settings:
    """Where the graph lives and how to reach it."""

    backend: str = "embedded"
    store_path: Path = Path.home() / ".guanxi" / "graph.gx"
    warmth_file: Path | None = None
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = field(default=None, repr=False)  # never in a repr or a log
    neo4j_database: str = "neo4j"
    #: the explorer shows no load or clear controls (default: on for Neo4j, off for embedded)
    read_only: bool = False
    #: an administrator's explorer: load and clear controls even when read-only
    admin: bool = False

    @property
    def loading_allowed(self) -> bool:
        """Whether the explorer may load into (or clear) the store."""
        return self.admin or not self.read_only

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the variables above (``os.environ`` by default)."""
        e = os.environ if env is None else env
        uri = e.get("NEO4J_URI") or None
        backend = e.get("GUANXI_BACKEND") or ("neo4j" if uri else "embedded")
        settings = cls(
            backend=backend,
            store_path=Path(e["GUANXI_STORE"]).expanduser() if e.get("GUANXI_STORE") else cls.store_path,
            warmth_file=Path(e["GUANXI_WARMTH"]).expanduser() if e.get("GUANXI_WARMTH") else None,
            neo4j_uri=uri,
            neo4j_user=e.get("NEO4J_USER") or "neo4j",
            neo4j_password=e.get("NEO4J_PASSWORD") or None,
            neo4j_database=e.get("NEO4J_DATABASE") or "neo4j",
            read_only=_flag(e, "GUANXI_READ_ONLY", default=backend == "neo4j"),
            admin=_flag(e, "GUANXI_ADMIN", default=False),
        )
        settings.check()
        return settings

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced (None values are ignored)."""
        given = {k: v for k, v in changes.items() if v is not None}
        updated = replace(self, **given)  # type: ignore[arg-type]
        if "neo4j_uri" in given and "backend" not in given:
            updated = replace(updated, backend="neo4j")
        updated.check()
        return updated

    def check(self) -> None:
        """ConfigError naming the bad setting."""
        if self.backend not in BACKENDS:
            raise ConfigError(f"GUANXI_BACKEND must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.backend == "neo4j" and not self.neo4j_uri:
            raise ConfigError("the neo4j backend needs NEO4J_URI (or --neo4j-uri), e.g. bolt://localhost:7687")


#: the user name and password part of a URI (``bolt://user:secret@host``), up to the last ``@`` of the authority
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^\s/?#'\"@]*(?:@[^\s/?#'\"@]*)*@")


def redact_credentials(text: str) -> str:
    """``text`` with the credentials of every URI in it masked: ``bolt://***@host:7687``.

    For every message that shows a URI (``NEO4J_URI`` may carry a password), and
    for driver errors that echo it.

    >>> redact_credentials("cannot use 'bolt://neo4j:s3cr@t@db.example:7687' (bolt://db.example)")
    "cannot use 'bolt://***@db.example:7687' (bolt://db.example)"
    """
    return _USERINFO.sub(lambda m: f"{m['scheme']}***@", text)
