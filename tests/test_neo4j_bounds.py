"""The Neo4j store's search bounds without a server: the computation (against the embedded store's own
bounds), which queries may use them, and which saved slot a reader takes."""

from __future__ import annotations

import numpy as np
import pytest

from graph.embedded import EmbeddedStore
from graph.model import PathQuery
from graph.neo4j_search import bounds_key, bounds_slot, compute_bounds, covered_by_default
from graph.schema import load_schema
from graph.warmth import load_weights
from tests.test_neo4j_store import TYPES, generate, load


def test_bounds_equal_the_embedded_stores() -> None:
    """Computed from node and relationship lists keyed by arbitrary integers (Neo4j's internal ids),
    the bounds are the embedded store's default bounds, node for node."""
    store = EmbeddedStore()
    load(store, generate(300, seed=3))
    _, cost, hops = store.default_bounds()
    idx = store.index()
    weights = store.weights
    node_ids = np.arange(len(idx.ids), dtype=np.int64) * 7 + 1000  # any integers, in any order
    excluded = idx.excluded_mask(weights.exclude_statuses, weights.exclude_blacklisted)
    source = idx.is_client & ~excluded
    rels = [(u, v, data["type"], weights.strength(data["type"], data)) for u, v, data in store.graph.edges(data=True)]
    a = np.array([node_ids[idx.pos[u]] for u, _, _, _ in rels], dtype=np.int64)
    b = np.array([node_ids[idx.pos[v]] for _, v, _, _ in rels], dtype=np.int64)
    strength = np.array([s for _, _, _, s in rels])
    got_cost, got_hops = compute_bounds(
        node_ids, idx.degree.astype(np.int64), source, ~excluded & ~source, a, b, strength, weights
    )
    assert got_hops.tolist() == hops.tolist()
    finite = np.isfinite(cost)
    assert (np.isfinite(got_cost) == finite).all()
    assert np.allclose(got_cost[finite], cost[finite], rtol=1e-12, atol=1e-300)


def test_which_queries_the_default_bounds_bound() -> None:
    """Admissible for narrower filters (fewer kinds, a manager, more exclusions); not for explicit
    sources or for closed or black-listed companies allowed inside a path."""
    schema, weights = load_schema(), load_weights()
    base = PathQuery(
        target="Company:x",
        types=TYPES,
        exclude_statuses=tuple(weights.exclude_statuses),
        exclude_blacklisted=weights.exclude_blacklisted,
    )
    assert covered_by_default(base, weights, schema)
    assert covered_by_default(base.model_copy(update={"types": TYPES[:1], "manager": "王经理"}), weights, schema)
    more = (*weights.exclude_statuses, "cancelled")
    assert covered_by_default(base.model_copy(update={"exclude_statuses": more}), weights, schema)
    assert not covered_by_default(base.model_copy(update={"sources": ("Company:y",)}), weights, schema)
    assert not covered_by_default(base.model_copy(update={"exclude_statuses": ()}), weights, schema)
    if weights.exclude_blacklisted:
        assert not covered_by_default(base.model_copy(update={"exclude_blacklisted": False}), weights, schema)


@pytest.mark.parametrize(
    ("gens", "keys", "pub", "expected"),
    [
        ([4, 3], ["k", "k"], 4, 0),
        ([4, 5], ["k", "k"], 5, 1),
        ([4, 5], ["k", "other"], 5, None),  # saved under other weights or kinds
        ([-1, 3], ["", "k"], 4, None),  # the slot is being written
        ([], [], 0, None),  # a graph that never had bounds
    ],
)
def test_bounds_slot(gens: list[int], keys: list[str], pub: int, expected: int | None) -> None:
    assert bounds_slot({"bounds_gen": gens, "bounds_key": keys}, pub, "k") == expected


def test_bounds_key_follows_weights_and_kinds() -> None:
    schema, weights = load_schema(), load_weights()
    assert bounds_key(schema, weights) == bounds_key(schema, load_weights())
    assert len(bounds_key(schema, weights)) == 32
