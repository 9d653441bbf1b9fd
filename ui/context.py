"""What every page gets: the store, its cache key, where it came from, the language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graph.settings import redact_credentials
from graph.store import GraphStore
from ui.i18n import Lang, t

StoreKind = Literal["demo", "uploaded", "embedded", "neo4j"]


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
        if self.kind == "uploaded":
            return t("app.store_uploaded", lang, companies=f"{self.companies:,}")
        if self.kind == "embedded":
            return t("app.store_embedded", lang, path=self.path)
        return t("app.store_neo4j", lang, uri=redact_credentials(self.uri), database=self.database)

    def after_load(self, companies: int) -> StoreInfo:
        """What this store is after a load: the demo graph, once changed, is uploaded data in memory."""
        if self.kind in ("demo", "uploaded"):
            return StoreInfo("uploaded", companies=companies)
        return self


@dataclass
class Opened:
    """The store the explorer has open and where it came from: one per configuration, shared by
    every session. A replace that builds a new store (embedded) puts it here, so that every page,
    the caption and every cache key follow what is really loaded."""

    store: GraphStore
    info: StoreInfo

    def swap(self, store: GraphStore, info: StoreInfo) -> None:
        """Use ``store`` (described by ``info``) from now on."""
        self.store, self.info = store, info


@dataclass(frozen=True)
class Context:
    """A page's inputs: the store, the key its cached results are filed under, its origin, the language.

    ``loading_allowed``: whether the data page offers loading (see ``GUANXI_READ_ONLY`` in
    :mod:`graph.settings`); ``opened``: where a load puts the store it leaves in use.
    """

    store: GraphStore
    key: str
    info: StoreInfo
    lang: Lang
    loading_allowed: bool = True
    opened: Opened | None = None
