"""The Neo4j store on a real server: connecting, idempotent loads, re-weighting, saved search bounds.

A killed load and a real clear are ``tests/test_neo4j_recovery.py``'s (on the spare server).
"""

from __future__ import annotations

import random
import socket
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import pytest

from graph import cypher, neo4j_search
from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter, SchemaError, StoreError, StoreUnavailable, WeightsMismatch
from graph.model import PathQuery, RecordBatch
from graph.neo4j_store import Neo4jStore
from graph.schema import load_schema
from graph.settings import Settings
from graph.store import GraphStore
from graph.uscc import check_char
from graph.warmth import load_weights
from tests.conftest import Neo4jTarget

pytestmark = pytest.mark.neo4j

TYPES = load_schema().types
ROLES = ("legal_representative", "chairman", "general_manager", "director", "executive", "supervisor", "other")


def uscc(i: int) -> str:
    body = f"91440300MA{i:07d}"
    return body + check_char(body)


# -- a generated graph, as the loader's batches ---------------------------------------
def generate(companies: int, seed: int = 7) -> list[RecordBatch]:
    """A deterministic random graph as record batches in loading order (nodes, edges, clients)."""
    rnd = random.Random(seed)
    people = max(companies // 5, 2)
    parks = max(companies // 1000, 2)
    comp = [uscc(i) for i in range(companies)]
    cids = [f"Company:{u}" for u in comp]
    pids = [f"Person:p{i:06d}" for i in range(people)]
    company_rows = [
        {
            "id": u,
            "uscc": u,
            "name": f"深圳{i}号科技有限公司",
            "status": rnd.choice(["active"] * 8 + ["revoked", "deregistered"]),
            "founded": f"20{rnd.randint(0, 23):02d}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}",
            "registered_capital": float(rnd.choice([1e6, 5e6, 1e7, 1e8])) if rnd.random() < 0.8 else None,
            "tags": tuple(rnd.sample(["集成电路", "人工智能", "生物医药", "新能源"], rnd.randint(0, 2))),
            "former_names": (f"深圳{i}号电子有限公司",) if rnd.random() < 0.1 else None,
            "blacklisted": rnd.random() < 0.02,
            "listed": rnd.random() < 0.05,
        }
        for i, u in enumerate(comp)
    ]
    person_rows = [
        {"id": p.partition(":")[2], "name": f"员工{i}", "blacklisted": rnd.random() < 0.01} for i, p in enumerate(pids)
    ]
    park_rows = [{"id": f"park{i}", "name": f"第{i}产业园", "level": "省级"} for i in range(parks)]
    serves = [
        {
            "source": rnd.choice(pids),
            "target": rnd.choice(cids),
            "role": rnd.choice(ROLES),
            "until": "2020-06-30" if rnd.random() < 0.1 else None,
        }
        for _ in range(companies)
    ]
    holds = [
        {
            "source": rnd.choice(cids + pids),
            "target": rnd.choice(cids),
            "ratio": rnd.choice([None, 0.02, 0.1, 0.3, 0.51, 1.0]),
        }
        for _ in range(companies // 2)
    ]
    supplies = [
        {
            "source": rnd.choice(cids),
            "target": rnd.choice(cids),
            "amount": rnd.choice([5e5, 3e6, 2e7, 2e8]),
            "year": rnd.choice([2022, 2023]),
        }
        for _ in range(companies // 3)
    ]
    guarantees = [
        {
            "source": rnd.choice(cids),
            "target": rnd.choice(cids),
            "amount": 1e7,
            "start": f"202{rnd.randint(0, 3)}-01-01",
        }
        for _ in range(companies // 10)
    ]
    located = [{"source": c, "target": f"Park:park{rnd.randrange(parks)}"} for c in cids if rnd.random() < 0.7]
    clients = [
        {"uscc": u, "manager": rnd.choice(["王经理", "李经理", None]), "branch": "南山支行", "since": "2021-01-01"}
        for u in comp
        if rnd.random() < 0.1
    ]
    frames: list[tuple[str, str, list[dict[str, Any]]]] = [
        ("nodes", "Company", company_rows),
        ("nodes", "Person", person_rows),
        ("nodes", "Park", park_rows),
        ("edges", "SERVES_AS", [r for r in serves if r["source"] != r["target"]]),
        ("edges", "HOLDS_SHARES", [r for r in holds if r["source"] != r["target"]]),
        ("edges", "SUPPLIES", [r for r in supplies if r["source"] != r["target"]]),
        ("edges", "GUARANTEES", [r for r in guarantees if r["source"] != r["target"]]),
        ("edges", "LOCATED_IN", located),
        ("clients", "clients", clients),
    ]
    return [RecordBatch(what, name, pd.DataFrame(rows)) for what, name, rows in frames]  # type: ignore[arg-type]


def load(store: GraphStore, batches: Sequence[RecordBatch], progress: Callable[[int], None] | None = None) -> None:
    """Write the batches as the loader does (at most 50,000 rows per call), then finish."""
    done = 0
    for batch in batches:
        for start in range(0, len(batch.frame), 50_000):
            chunk = batch.frame.iloc[start : start + 50_000].reset_index(drop=True)
            done += store.write(RecordBatch(batch.what, batch.name, chunk))
            if progress is not None:
                progress(done)
    store.finish_load()


def all_ids(batches: Sequence[RecordBatch]) -> list[str]:
    schema = load_schema()
    out: list[str] = []
    for batch in batches:
        if batch.what == "nodes":
            key = schema.label(batch.name).key
            out.extend(f"{batch.name}:{k}" for k in batch.frame[key])
    return out


def assert_same_graph(got: GraphStore, expected: GraphStore, ids: Sequence[str]) -> None:
    """Counts, every node and relationship with its properties, in the same order."""
    assert got.stats() == expected.stats()
    assert got.get_nodes(ids) == expected.get_nodes(ids)
    assert got.degrees(ids) == expected.degrees(ids)
    assert got.edges_of(ids) == expected.edges_of(ids)
    assert list(got.iter_nodes()) == list(expected.iter_nodes())
    assert list(got.iter_edges()) == list(expected.iter_edges())


# -- connecting ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "localhost:7687", "ftp://example.com", ""])
def test_wrong_uri_scheme(uri: str) -> None:
    with pytest.raises(StoreUnavailable, match=r"cannot use Neo4j URI .*bolt://.*neo4j\+s://"):
        Neo4jStore(uri, "neo4j", "secret")


def test_nothing_listening() -> None:
    port = _free_port()
    with pytest.raises(StoreUnavailable, match=rf"not reachable at bolt://127.0.0.1:{port}: is the server running"):
        Neo4jStore(f"bolt://127.0.0.1:{port}", "neo4j", "secret", connection_timeout=5)


def test_wrong_password(neo4j_target: Neo4jTarget) -> None:
    with pytest.raises(StoreUnavailable, match="refused user 'neo4j': wrong user name or password") as info:
        Neo4jStore(neo4j_target.uri, neo4j_target.user, "not-the-password-123")
    assert "not-the-password-123" not in str(info.value)


def test_unknown_database(neo4j_target: Neo4jTarget) -> None:
    with pytest.raises(StoreUnavailable, match="has no database 'nosuchdb'"):
        Neo4jStore(neo4j_target.uri, neo4j_target.user, neo4j_target.password, "nosuchdb")


def test_routing_uri_and_settings(neo4j_target: Neo4jTarget) -> None:
    """``neo4j://`` (routing: clusters, Aura) works as well as ``bolt://``; settings build a store."""
    routed = neo4j_target.uri.replace("bolt://", "neo4j://")
    neo4j_target.empty()
    settings = Settings(
        backend="neo4j", neo4j_uri=routed, neo4j_user=neo4j_target.user, neo4j_password=neo4j_target.password
    )
    with Neo4jStore.from_settings(settings) as store:
        assert store.backend == "neo4j"
        load(store, generate(40))
        embedded = EmbeddedStore()
        load(embedded, generate(40))
        assert store.stats() == embedded.stats()
        query = PathQuery(target=f"Company:{uscc(3)}", types=TYPES, k=10)
        assert store.top_paths(query) == embedded.top_paths(query)
    with pytest.raises(StoreUnavailable, match="NEO4J_URI"):
        Neo4jStore.from_settings(Settings())


# -- loading ------------------------------------------------------------------------------
def test_idempotent_double_load(neo4j_target: Neo4jTarget) -> None:
    batches = generate(600)
    ids = all_ids(batches)
    embedded = EmbeddedStore()
    load(embedded, batches)
    neo4j_target.empty()
    with neo4j_target.store() as store:
        load(store, batches)
        assert_same_graph(store, embedded, ids)
        first = (store.stats(), store.get_nodes(ids), store.edges_of(ids))
        load(store, batches)
        assert (store.stats(), store.get_nodes(ids), store.edges_of(ids)) == first
        assert_same_graph(store, embedded, ids)


def test_bad_batches_write_nothing(neo4j_target: Neo4jTarget) -> None:
    neo4j_target.empty()
    with neo4j_target.store() as store:
        load(store, generate(30))
        before = store.stats()
        dangling = pd.DataFrame(
            [
                {"source": f"Company:{uscc(1)}", "target": f"Company:{uscc(2)}", "amount": 1.0, "year": 1999},
                {"source": f"Company:{uscc(1)}", "target": "Company:91440300MA9999999X", "amount": 1.0, "year": 1999},
            ]
        )
        with pytest.raises(StoreError, match="1 relationship ends are not in the graph"):
            store.write(RecordBatch("edges", "SUPPLIES", dangling))
        with pytest.raises(StoreError, match="clients: 1 companies are not in the graph"):
            store.write(RecordBatch("clients", "clients", pd.DataFrame([{"uscc": "91440300MA9999999X"}])))
        with pytest.raises(SchemaError):
            store.write(RecordBatch("nodes", "Planet", pd.DataFrame([{"id": "x", "name": "x"}])))
        with pytest.raises(InvalidParameter, match="key column"):
            store.write(RecordBatch("nodes", "Company", pd.DataFrame([{"name": "无代码"}])))
        assert store.stats() == before
        with pytest.raises(InvalidParameter, match="not in the graph"):
            store.top_paths(PathQuery(target="Company:nope", types=TYPES))
        with pytest.raises(InvalidParameter, match="unknown relationship types"):
            store.top_paths(PathQuery(target=f"Company:{uscc(1)}", types=("LIKES",)))
        with pytest.raises(InvalidParameter, match="not in the graph: Person:ghost"):
            store.top_paths(PathQuery(target=f"Company:{uscc(1)}", sources=("Person:ghost",), types=TYPES))
        with pytest.raises(InvalidParameter):
            store.find_nodes("  ")


def test_cypher_allow_list() -> None:
    schema = load_schema()
    with pytest.raises(InvalidParameter):
        cypher.label(schema, "Company`) DETACH DELETE (x")
    with pytest.raises(InvalidParameter):
        cypher.rel_types(schema, ["SERVES_AS", "KNOWS"])
    with pytest.raises(InvalidParameter):
        cypher.rel_types(schema, [])
    assert cypher.merge_edges(schema, "SERVES_AS", "Person", "Company").count("$rows") == 1


def test_other_weights_refuse_until_the_graph_is_reweighted(neo4j_target: Neo4jTarget) -> None:
    """Two clients of one graph with different warmth files: the second neither searches nor loads
    with strengths that are not its own; after its explicit re-weighting it answers as an embedded
    store with its weights, and the first client, still connected, refuses instead of pruning wrongly."""
    batches = generate(300)
    base = load_weights()
    parks_matter = replace(
        base,
        rules={**base.rules, "LOCATED_IN": replace(base.rules["LOCATED_IN"], constant=0.95)},
        free_degree=400.0,
        digest=base.digest + "-parks",
        source="parks.yaml",
    )
    embedded = EmbeddedStore(weights=parks_matter)
    load(embedded, batches)
    schema = load_schema()
    neo4j_target.empty()
    with (
        neo4j_target.store() as first,
        Neo4jStore(
            neo4j_target.uri, neo4j_target.user, neo4j_target.password, schema=schema, weights=parks_matter
        ) as second,
    ):
        load(first, batches)
        query = PathQuery(target=f"Company:{uscc(0)}", types=TYPES, k=5)
        answer = first.top_paths(query)
        with pytest.raises(WeightsMismatch, match=r"parks\.yaml.*warmth\.yaml|warmth\.yaml.*parks\.yaml") as refused:
            second.top_paths(query)
        assert base.strengths_digest in str(refused.value) and parks_matter.strengths_digest in str(refused.value)
        assert "--reweight" in str(refused.value)
        # a warmth file that differs only in what each client computes itself (here the hub discount) agrees
        hub_only = replace(base, free_degree=400.0, digest=base.digest + "-hub", source="hub.yaml")
        hub_embedded = EmbeddedStore(weights=hub_only)
        load(hub_embedded, batches)
        with Neo4jStore(
            neo4j_target.uri, neo4j_target.user, neo4j_target.password, schema=schema, weights=hub_only
        ) as third:
            assert third.top_paths(query) == hub_embedded.top_paths(query)
        before = first.stats()
        with pytest.raises(WeightsMismatch):  # a load refuses before it writes anything
            second.write(RecordBatch("nodes", "Company", pd.DataFrame([{"uscc": uscc(999), "name": "新公司"}])))
        assert first.stats() == before
        second.reweight()
        for i in range(0, 300, 37):
            query = PathQuery(target=f"Company:{uscc(i)}", types=TYPES, k=5)
            assert second.top_paths(query) == embedded.top_paths(query)
        strengths = set()
        for i in range(40):
            query = PathQuery(target=f"Company:{uscc(i)}", types=("LOCATED_IN",), k=1)
            paths = second.top_paths(query)
            assert paths == embedded.top_paths(query)
            strengths |= {e.strength for p in paths for e in p.edges}
        assert strengths == {0.95}
        with pytest.raises(WeightsMismatch):
            first.top_paths(PathQuery(target=f"Company:{uscc(0)}", types=TYPES, k=5))
        first.reweight()  # and back
        assert first.top_paths(PathQuery(target=f"Company:{uscc(0)}", types=TYPES, k=5)) == answer


# -- search bounds kept in the graph ------------------------------------------------------
def test_search_bounds_saved_per_generation(neo4j_target: Neo4jTarget) -> None:
    """A load saves the default filter's bounds (the embedded store's, node for node) for the generation
    it publishes; searches give the embedded store's answers with them, with a filter they only bound
    loosely, with a filter they may not bound, and once they belong to another generation."""
    batches = generate(400)
    embedded = EmbeddedStore()
    load(embedded, batches)
    _, cost, hops = embedded.default_bounds()
    ids = embedded.index().ids
    neo4j_target.empty()
    with neo4j_target.store() as store:
        load(store, batches)
        pub = store._view()
        slot = neo4j_search.bounds_slot(
            store._read(cypher.GET_META)[0], pub, neo4j_search.bounds_key(store.schema, store.weights)
        )
        assert slot == pub % 2
        saved = {
            r["id"]: (r["cost"], r["hops"])
            for r in store._read(
                f"MATCH (n) WHERE n._id IS NOT NULL AND NOT n:GuanxiMeta "
                f"RETURN n._id AS id, n.{cypher.BOUND_COST[slot]} AS cost, n.{cypher.BOUND_HOPS[slot]} AS hops"
            )
        }
        assert set(saved) == set(ids)
        for nid, c, h in zip(ids, cost.tolist(), hops.tolist(), strict=True):
            if c == float("inf"):
                assert saved[nid] == (None, neo4j_search.UNREACHABLE_HOPS)
            else:
                assert saved[nid][1] == h and saved[nid][0] == pytest.approx(c, rel=1e-9, abs=1e-12)
        targets = [f"Company:{uscc(i)}" for i in range(0, 400, 23)]
        queries = [PathQuery(target=t, types=TYPES, k=10) for t in targets] + [
            PathQuery(target=targets[0], types=TYPES[:2], k=5, manager="王经理"),  # bounded loosely
            PathQuery(target=targets[1], types=TYPES, k=5, exclude_statuses=(), exclude_blacklisted=False),
            PathQuery(target=targets[2], types=TYPES, k=5, sources=(f"Company:{uscc(5)}", f"Company:{uscc(9)}")),
        ]
        used: list[int | None] = []
        steps = neo4j_search.Steps.__init__

        def spy(self: neo4j_search.Steps, s: Neo4jStore, query: PathQuery, slot: int | None = None) -> None:
            steps(self, s, query, slot)
            used.append(self.slot)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(neo4j_search.Steps, "__init__", spy)
            for query in queries:
                assert store.top_paths(query) == embedded.top_paths(query), query
        assert used == [slot] * (len(targets) + 1) + [None, None]
        # the bounds of a generation nobody reads any more are not used: the search falls back
        store._command("MATCH (m:GuanxiMeta) SET m.bounds_gen = [-1, -1]")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(neo4j_search.Steps, "__init__", spy)
            used.clear()
            assert store.top_paths(queries[0]) == embedded.top_paths(queries[0])
        assert used == [None]
        # a second load publishes a new generation and saves its bounds in the other slot
        load(store, batches)
        meta = store._read(cypher.GET_META)[0]
        assert neo4j_search.bounds_slot(meta, store._view(), neo4j_search.bounds_key(store.schema, store.weights)) == (
            store._view() % 2
        )
        for query in queries[:3]:
            assert store.top_paths(query) == embedded.top_paths(query)
