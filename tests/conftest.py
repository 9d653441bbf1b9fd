"""Shared fixtures: the stores every scenario runs against."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore

STORES = ["embedded"]


@pytest.fixture(params=STORES)
def make_store(request: pytest.FixtureRequest) -> Iterator[Callable[[], GraphStore]]:
    """A factory of empty stores of each kind; every store it made is closed after the test."""
    made: list[GraphStore] = []

    def factory() -> GraphStore:
        store: GraphStore = EmbeddedStore()
        made.append(store)
        return store

    yield factory
    for store in made:
        store.close()
