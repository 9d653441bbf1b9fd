"""Tests of the Neo4j test server helper (``tests/neo4j_server.py``).

They prove that the suite really gets a Neo4j 5.26 server it can trust: the
official driver connects with the configured credentials, a wrong password is
rejected, and committed data survives a SIGKILL and restart (crash recovery
from the transaction log). If the server cannot be built or started the tests
skip locally, but fail when ``CI=true``, so CI can never go green without
having talked to a real Neo4j.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from tests import neo4j_server
from tests.conftest import Neo4jTarget, neo4j_unavailable

pytestmark = pytest.mark.neo4j


#: labels of the probe nodes these tests write (removed again: the session's database is shared)
PROBES = ("DurabilityProbe", "StopProbe")


@pytest.fixture(scope="module")
def server(spare_neo4j: Neo4jTarget) -> Iterator[neo4j_server.Neo4jTestServer]:
    """The worker's spare test server (these tests may stop, kill and restart it: it comes back on the
    same port with the same data; the session's server, warm for the other tests, is left alone)."""
    srv = spare_neo4j.server
    assert srv is not None
    try:
        yield srv
    finally:
        srv.start()  # does nothing when it runs
        with GraphDatabase.driver(srv.uri, auth=srv.auth) as driver:
            for label in PROBES:
                driver.execute_query(f"MATCH (p:{label}) DELETE p", database_="neo4j")


def test_driver_connects_and_queries(server: neo4j_server.Neo4jTestServer) -> None:
    assert server.uri == f"bolt://127.0.0.1:{server.port}"
    assert server.user == "neo4j"
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query("RETURN 1 AS x", database_="neo4j")
        assert [r["x"] for r in records] == [1]
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
            database_="neo4j",
        )
        component = records[0]
        assert component["edition"] == "community"
        assert component["versions"][0].startswith("5.26.")


def test_wrong_password_is_rejected(server: neo4j_server.Neo4jTestServer) -> None:
    with (
        GraphDatabase.driver(server.uri, auth=(server.user, server.password + "-wrong")) as driver,
        pytest.raises(AuthError),
    ):
        driver.verify_connectivity()
    # No lock-out after failed attempts: the right password still works at once.
    with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        driver.verify_connectivity()


def test_password_is_in_no_command_line_and_no_log(server: neo4j_server.Neo4jTestServer) -> None:
    """``ps`` shows every user the command line, and Neo4j writes it to debug.log: the password
    travels in the server's environment instead, and no file the server wrote holds it."""
    pid = server.pid
    assert pid is not None
    secret = server.password.encode()
    assert secret not in Path(f"/proc/{pid}/cmdline").read_bytes()
    written = [p for p in [server.log_path, *server.data_dir.rglob("*.log")] if p.is_file()]
    assert any(p.name == "debug.log" for p in written), "Neo4j's debug log was not found"
    for path in written:
        assert secret not in path.read_bytes(), path


def test_data_survives_kill_and_restart(server: neo4j_server.Neo4jTestServer) -> None:
    marker = f"durable-{time.time_ns()}"
    with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        driver.execute_query("CREATE (:DurabilityProbe {marker: $marker})", marker=marker, database_="neo4j")

    uri, data_dir, pid = server.uri, server.data_dir, server.pid
    server.kill()
    assert not server.is_running
    assert server.pid is None

    try:
        server.restart()
    except neo4j_server.Neo4jServerError as exc:
        neo4j_unavailable(f"restart after kill failed: {exc}")
    assert server.is_running
    assert (server.uri, server.data_dir) == (uri, data_dir)
    assert server.pid != pid

    with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query(
            "MATCH (p:DurabilityProbe {marker: $marker}) RETURN count(p) AS n", marker=marker, database_="neo4j"
        )
        assert records[0]["n"] == 1


def test_stop_is_idempotent_and_restart_keeps_data(server: neo4j_server.Neo4jTestServer) -> None:
    with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        driver.execute_query("MERGE (:StopProbe {name: 'clean'})", database_="neo4j")
    server.stop()
    server.stop()
    assert not server.is_running
    server.restart()
    with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        records, _, _ = driver.execute_query("MATCH (p:StopProbe) RETURN count(p) AS n", database_="neo4j")
        assert records[0]["n"] == 1


def test_build_is_cached(monkeypatch: pytest.MonkeyPatch, server: neo4j_server.Neo4jTestServer) -> None:
    """With the server already built (by the fixture), building again must not start Maven."""

    def no_maven(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"Maven was run although nothing changed: {args!r}")

    monkeypatch.setattr(neo4j_server, "_run_maven", no_maven)
    started = time.monotonic()
    target = neo4j_server.build_server()
    assert time.monotonic() - started < 5
    assert (target / "lib").is_dir()
    assert Path(target, "classes", "guanxi", "testserver", "TestServer.class").is_file()
