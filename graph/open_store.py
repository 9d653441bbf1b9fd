"""Open the store the settings name: the embedded graph file or a Neo4j server."""

from __future__ import annotations

from graph.embedded import EmbeddedStore
from graph.settings import Settings
from graph.store import GraphStore
from graph.warmth import load_weights


def open_store(settings: Settings, *, create: bool = False, fresh: bool = False) -> GraphStore:
    """The store for ``settings``; with ``create`` a missing embedded file starts empty.

    With ``fresh`` an embedded store starts empty without reading its file
    (which the next save replaces), so a graph file of an older format or a
    damaged one can be rebuilt.

    Raises StoreUnavailable (file missing or unreadable, server unreachable,
    wrong password, unknown database) with a message a user can act on.
    """
    weights = load_weights(settings.warmth_file)
    if settings.backend == "neo4j":
        from graph.neo4j_store import Neo4jStore  # imported lazily: the driver is only needed here

        return Neo4jStore.from_settings(settings, weights=weights)
    if fresh or (create and not settings.store_path.exists()):
        store = EmbeddedStore(weights=weights)
        store.path = settings.store_path
        return store
    return EmbeddedStore.open(settings.store_path, weights=weights)
