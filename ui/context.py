"""What every page gets: the store, its cache key, where it came from, the language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graph.settings import redact_credentials
from graph.store import GraphStore
from ui.i18n import Lang, t

StoreKind = Literal["demo", "embedded", "neo4j"]


@dataclass(frozen=True)
class StoreInfo:
    """Where the store in use comes from (never holds a password)."""

    kind: StoreKind
    companies: int = 0
    path: str = ""
    uri: str = ""
    database: str = ""

    def describe(self, lang: Lang) -> str:
        """One line a user reads: demo data, a graph file, or a Neo4j server."""
        if self.kind == "demo":
            return t("app.store_demo", lang, companies=f"{self.companies:,}")
        if self.kind == "embedded":
            return t("app.store_embedded", lang, path=self.path)
        return t("app.store_neo4j", lang, uri=redact_credentials(self.uri), database=self.database)


@dataclass(frozen=True)
class Context:
    """A page's inputs: the store, the key its cached results are filed under, its origin, the language."""

    store: GraphStore
    key: str
    info: StoreInfo
    lang: Lang
