"""A killed load and a real clear, on the worker's spare Neo4j server: what the next load makes of them.

The fault test kills the server (SIGKILL, like a power cut) in the middle of
a load, restarts it, reruns the whole load and checks the graph is exactly
what a clean load gives: every committed sub-batch survived whole, none was
half-written, and loading again over it changed nothing but what was missing.
The clear test checks that a load after :meth:`Neo4jStore.clear` (which drops
the secondary indexes) makes the constraints and indexes again.

Both run on the spare server (``tests/conftest.py``, :func:`spare_neo4j`): a
restarted server compiles and plans everything again, and an index made or
dropped empties its plan cache, which the session's server keeps for the rest
of the suite.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from neo4j import GraphDatabase

from graph import cypher, neo4j_store
from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.model import PathQuery
from graph.neo4j_store import Neo4jStore
from tests import neo4j_server
from tests.conftest import Neo4jTarget
from tests.test_neo4j_store import TYPES, all_ids, assert_same_graph, generate, load, uscc

pytestmark = pytest.mark.neo4j


def test_constraints_and_indexes(spare_neo4j: Neo4jTarget) -> None:
    """A load after a clear (which drops the secondary indexes) makes the constraints and indexes (on the
    spare server: indexes made or dropped empty a server's plan cache)."""
    neo4j_target = spare_neo4j
    with neo4j_target.store() as store:
        store.clear()
        load(store, generate(20))
        with GraphDatabase.driver(neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)) as driver:
            records, _, _ = driver.execute_query(
                "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type RETURN *", database_="neo4j"
            )
            constraints = {r["name"]: (r["labelsOrTypes"], r["properties"], r["type"]) for r in records}
            records, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type RETURN *", database_="neo4j")
            indexes = {r["name"]: r["type"] for r in records}
    for label in ("Company", "Person", "Park"):
        assert constraints[f"guanxi_{label.lower()}_id"] == ([label], [cypher.ID], "UNIQUENESS")
        assert indexes[f"guanxi_{label.lower()}_name_lc"] == "RANGE"
        assert indexes[f"guanxi_{label.lower()}_name_text"] == "TEXT"


# -- crashing -----------------------------------------------------------------------------
@pytest.fixture
def own_server(spare_neo4j: Neo4jTarget) -> Iterator[neo4j_server.Neo4jTestServer]:
    """A server this test may kill: the worker's spare one (the session's stays warm for the others),
    running again afterwards whatever the test did."""
    server = spare_neo4j.server
    assert server is not None
    yield server
    server.start()  # does nothing when it runs


#: rows per write transaction in the fault test: many transactions from a small graph
FAULT_BATCH = 250


def test_kill_in_the_middle_of_a_load(
    own_server: neo4j_server.Neo4jTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load killed mid-way leaves nothing readers see (its committed sub-batches stay unpublished), and
    the next load, once the dead one's hold on the graph has lapsed, cleans them and completes."""
    monkeypatch.setattr(neo4j_store, "LOAD_LEASE", 1.0)
    companies = 5 * FAULT_BATCH + FAULT_BATCH // 2  # six transactions for the company batch
    batches = generate(companies, seed=11)
    ids = all_ids(batches)
    server = own_server
    killed = threading.Event()

    def killer() -> None:
        """Kill the server once the first sub-batch of companies is committed (the load goes on)."""
        with GraphDatabase.driver(server.uri, auth=server.auth, notifications_min_severity="OFF") as driver:
            while not killed.is_set():
                records, _, _ = driver.execute_query("MATCH (n:Company) RETURN count(n) AS n", database_="neo4j")
                if records[0]["n"] >= 2 * FAULT_BATCH:
                    server.kill()
                    killed.set()
                    return
                time.sleep(0.01)

    store = Neo4jStore(server.uri, server.user, server.password, max_retry_time=0.5, batch_rows=FAULT_BATCH)
    store.clear()
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    with pytest.raises(StoreUnavailable, match="became unreachable while"):
        load(store, batches)
    thread.join(timeout=60)
    assert killed.is_set()
    store.close()

    try:
        server.restart()
    except neo4j_server.Neo4jServerError as exc:
        pytest.fail(f"the server did not come back after the kill: {exc}")
    with Neo4jStore(server.uri, server.user, server.password, batch_rows=FAULT_BATCH) as store:
        # committed sub-batches survived whole, the one in flight left nothing, and readers see none of them
        with GraphDatabase.driver(server.uri, auth=server.auth, notifications_min_severity="OFF") as driver:
            records, _, _ = driver.execute_query("MATCH (n:Company) RETURN count(n) AS n", database_="neo4j")
        survived = records[0]["n"]
        assert survived % FAULT_BATCH == 0 or survived == companies
        assert survived >= 2 * FAULT_BATCH
        assert store.stats().nodes["Company"] == 0
        time.sleep(1.5)  # the dead load's hold lapses
        load(store, batches)  # rerun the whole load
        embedded = EmbeddedStore()
        load(embedded, batches)
        assert_same_graph(store, embedded, ids)
        for i in range(0, companies, companies // 7):
            query = PathQuery(target=f"Company:{uscc(i)}", types=TYPES, k=5)
            assert store.top_paths(query) == embedded.top_paths(query)
