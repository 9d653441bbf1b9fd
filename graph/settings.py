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
==================  ===========================================  =====================

Setting ``NEO4J_URI`` without ``GUANXI_BACKEND`` selects the Neo4j store.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.errors import ConfigError

BACKENDS = ("embedded", "neo4j")


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
