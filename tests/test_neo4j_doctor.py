"""A Neo4j database with a FAILED guanxi index still opens, and ``guanxi doctor`` repairs it.

The state the issue found: a 9 KB company name (written by another tool, an
older guanxi) is too large for the name's range index, which goes FAILED.
The test makes that state with raw Cypher on the session's test server
(drop the index, write the value, create the index again), then checks that
a guanxi store opens with a one-line warning naming the index, that
``guanxi doctor`` lists the node, and that after the node is removed
``guanxi doctor --repair`` brings the index back ONLINE and searches work.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase

from graph import cypher
from graph.neo4j_store import Neo4jStore, one_line
from guanxi.cli import main
from tests.conftest import Neo4jTarget

pytestmark = pytest.mark.neo4j

INDEX = "guanxi_company_name_lc"
BAD_ID = "Company:TOO-LONG"
LONG_NAME = "深" * 3004  # 9,012 bytes in UTF-8: more than a range index entry holds
#: the generated files the test loads: companies, people and two kinds of ties are what it needs of a graph
KEPT_FILES = ("companies.csv", "persons.csv", "officers.csv", "equity.csv", "clients.csv")


def options(target: Neo4jTarget) -> list[str]:
    """The store options of the command line that name the test server."""
    return ["--backend", "neo4j", *target.cli_options()]


def index_state(driver: Driver, database: str, name: str) -> str:
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, state WHERE name = $name RETURN state", name=name, database_=database
    )
    return str(records[0]["state"]) if records else "MISSING"


def wait_for(driver: Driver, database: str, name: str, states: set[str], timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while (state := index_state(driver, database, name)) not in states and time.monotonic() < deadline:
        time.sleep(0.1)
    return state


@pytest.fixture
def loaded(spare_neo4j: Neo4jTarget, tmp_path: Path) -> Iterator[tuple[Neo4jTarget, Path]]:
    """The worker's spare test server holding a small generated graph loaded by the command line; cleared
    after. Not the session's: the indexes this test breaks, drops and makes empty a server's plan cache."""
    neo4j_target = spare_neo4j
    files = tmp_path / "data"
    assert main(["generate", str(files), "--companies", "100", "--seed", "5", "--no-ops"]) == 0
    for other in set(files.glob("*.csv")) - {files / name for name in KEPT_FILES}:
        other.unlink()  # each kind loaded is statements the server plans, twice (the test drops an index)
    with neo4j_target.store() as store:
        store.clear()
    assert main(["load", str(files), *options(neo4j_target)]) == 0
    try:
        yield neo4j_target, files
    finally:
        with neo4j_target.store() as store:
            store.clear()  # drops the secondary indexes, FAILED ones included: the next test starts clean


def test_failed_index_opens_with_a_warning_and_doctor_repairs_it(
    loaded: tuple[Neo4jTarget, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    target, files = loaded
    name = (files / "companies.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[1]
    with GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as driver:
        create = cypher.schema_statements(Neo4jStore(target.uri, target.user, target.password).schema)[INDEX]
        driver.execute_query(cypher.drop_index(INDEX), database_=target.database)
        driver.execute_query(
            "CREATE (n:Company {_id: $id, name: $name, _name_lc: $name, _key_uc: 'TOO-LONG', _seq: -1, _gen: 0})",
            id=BAD_ID,
            name=LONG_NAME,
            database_=target.database,
        )
        driver.execute_query(create, database_=target.database)
        assert wait_for(driver, target.database, INDEX, {"FAILED"}) == "FAILED"

        # guanxi opens it: the repair on connect fails again (the value is still there), one line says so
        capsys.readouterr()
        assert main(["stats", *options(target)]) == 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and INDEX in err[0] and "guanxi doctor" in err[0] and "\tat " not in err[0]
        with Neo4jStore(target.uri, target.user, target.password, target.database) as store:
            assert any(INDEX in w for w in store.warnings)  # later connections warn without rebuilding
            assert [n.name for n in store.find_nodes(name)][:1] == [name]  # searching works without the index

        assert main(["load", str(files), *options(target)]) == 0  # loading more still works
        capsys.readouterr()

        # the doctor lists the index and the node holding the value
        assert main(["doctor", "--json", *options(target)]) == 1
        report = json.loads(capsys.readouterr().out)
        states = {i["name"]: i for i in report["indexes"]}
        assert states[INDEX]["state"] == "FAILED" and "\n" not in states[INDEX]["cause"]
        assert states["guanxi_company_id"]["kind"] == "constraint"
        assert {"id": BAD_ID, "property": cypher.NAME_LC, "bytes": 9012, "limit": 8167} in report["oversize"]
        assert main(["doctor", *options(target)]) == 1
        text = capsys.readouterr().out
        assert BAD_ID in text and "9012" in text and "guanxi doctor --repair" in text

        # the user removes the node; the repair brings the index back
        driver.execute_query("MATCH (n:Company {_id: $id}) DETACH DELETE n", id=BAD_ID, database_=target.database)
        assert main(["doctor", "--repair", *options(target)]) == 0
        out = capsys.readouterr().out
        assert f"repaired: {INDEX}" in out and "all guanxi indexes and constraints are ONLINE" in out
        assert index_state(driver, target.database, INDEX) == "ONLINE"
    assert main(["search", name, "--json", *options(target)]) == 0
    assert name in capsys.readouterr().out
    with Neo4jStore(target.uri, target.user, target.password, target.database) as store:
        assert store.warnings == []


def test_one_line() -> None:
    trace = "java.lang.IllegalArgumentException: Property value is too large to index\n\tat org.neo4j.X(X.java:1)"
    assert one_line(trace) == "java.lang.IllegalArgumentException: Property value is too large to index"
    assert one_line("\n\n") == ""
    assert len(one_line("x" * 1000)) == 300


def test_doctor_without_a_server_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["doctor", "--backend", "neo4j", "--neo4j-uri", f"bolt://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: Neo4j is not reachable") and "\n" not in err
