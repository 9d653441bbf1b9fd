"""Open the store the settings name: the embedded graph file or a Neo4j server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.settings import Settings
from graph.store import GraphStore
from graph.warmth import load_weights


def open_store(settings: Settings, *, create: bool = False, fresh: bool = False, write: bool = False) -> GraphStore:
    """The store for ``settings``; with ``create`` a missing embedded file starts empty.

    With ``fresh`` an embedded store starts empty without reading its file
    (which the next save replaces), so a graph file of an older format or a
    damaged one can be rebuilt. With ``write`` an embedded store is opened
    for a load: it holds the file's writer lock until its save (a second
    writer waits, then reads the first one's result).

    Raises StoreUnavailable (file missing, old or damaged, another writer
    holding it too long, server unreachable, wrong password, unknown
    database) with a message a user can act on.
    """
    weights = load_weights(settings.warmth_file)
    if settings.backend == "neo4j":
        try:
            from graph.neo4j_store import Neo4jStore  # imported lazily: the driver is only needed here
        except ImportError as exc:
            raise StoreUnavailable(
                f"the neo4j backend needs the Neo4j driver ({exc.name or exc}): pip install 'guanxi[neo4j]'"
            ) from None

        return Neo4jStore.from_settings(settings, weights=weights)
    if write:
        return EmbeddedStore.open_for_writing(settings.store_path, weights=weights, fresh=fresh)
    if fresh or (create and not settings.store_path.exists()):
        store = EmbeddedStore(weights=weights)
        store.path = settings.store_path
        return store
    return EmbeddedStore.open(settings.store_path, weights=weights)


@contextmanager
def writing(store: GraphStore, *, save: bool) -> Iterator[GraphStore]:
    """Changes to a store that was opened for reading (the explorer's): under the writer lock, saved at the end.

    For an embedded store with ``save``: takes the file's writer lock,
    reloads the file first if another process saved it meanwhile, and saves
    when the block ends without an error. Otherwise (Neo4j, the demo) the
    block just runs.
    """
    if isinstance(store, EmbeddedStore):
        with store.writing(save=save):
            yield store
    else:
        yield store
