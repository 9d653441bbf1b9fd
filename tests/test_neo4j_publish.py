"""A load into a shared Neo4j graph is published all at once: readers never see part of one.

A load writes under a generation of its own that readers do not see, and
publishes it in one small transaction at its end (:mod:`graph.neo4j_store`).
Checked here on small generated graphs: rows a load changes keep their old
values for readers until it is published; a load that fails, or whose process
dies, leaves readers on the old graph, and what it wrote is cleaned (at
once, or by the next load or ``guanxi doctor`` once its hold has lapsed); a
graph written before generations existed reads whole.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from neo4j import GraphDatabase

from graph import cypher, neo4j_store
from graph.embedded import EmbeddedStore
from graph.errors import StoreError
from graph.model import GraphStats, PathQuery, RecordBatch
from graph.model import Path as GPath
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from loaders.generate import generate
from loaders.pipeline import load_files
from tests.conftest import Neo4jTarget

pytestmark = pytest.mark.neo4j

TABLES = ("companies", "persons", "parks", "officers", "equity", "supply", "guarantees", "parks_located", "clients")


def first_part(full: Path, part: Path, share: float = 0.6) -> Path:
    """``part``: every CSV of ``full`` cut to its first ``share`` of data rows (the graph before)."""
    part.mkdir()
    for f in sorted(full.glob("*.csv")):
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        (part / f.name).write_text("".join(lines[: 1 + int((len(lines) - 1) * share)]), encoding="utf-8")
    return part


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``full``: a small generated graph; ``before``: its first 60% of every file."""
    root = tmp_path_factory.mktemp("publish")
    generate(root / "full", companies=100, seed=5)
    return {"full": root / "full", "before": first_part(root / "full", root / "before")}


def view(store: GraphStore, targets: list[str]) -> tuple[GraphStats, list[object], list[list[GPath]]]:
    """What a reader sees: counts, every node, answers."""
    types = tuple(store.schema.types)
    with store.snapshot():
        return (
            store.stats(),
            list(store.iter_nodes()),
            [store.top_paths(PathQuery(target=t, types=types, k=3)) for t in targets],
        )


def targets_of(folder: Path) -> list[str]:
    companies = pd.read_csv(folder / "companies.csv", dtype=str)
    return [f"Company:{u}" for u in companies["uscc"].iloc[:40:6]]


def reference(*folders: Path) -> EmbeddedStore:
    store = EmbeddedStore()
    for folder in folders:
        load_files(store, folder)
    return store


def leftovers(target: Neo4jTarget) -> int:
    """Rows holding generation bookkeeping or not published (raw Cypher, not through the store)."""
    where = "WHERE x._gen > $pub OR x._ogen IS NOT NULL OR x._end IS NOT NULL RETURN count(x) AS n"
    total = 0
    with GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as driver:
        meta, _, _ = driver.execute_query(
            f"OPTIONAL MATCH (m:{cypher.META_LABEL}) RETURN coalesce(m.published, 0) AS pub", database_=target.database
        )
        for match in ("MATCH (x)", "MATCH ()-[x]->()"):
            records, _, _ = driver.execute_query(f"{match} {where}", pub=meta[0]["pub"], database_=target.database)
            total += int(records[0]["n"])
    return total


@pytest.fixture
def stores(neo4j_target: Neo4jTarget) -> Iterator[tuple[Neo4jStore, Neo4jStore]]:
    """A writer and a reader on the session's (cleared) database."""
    neo4j_target.empty()
    with neo4j_target.store() as writer, neo4j_target.store() as reader:
        yield writer, reader
    neo4j_target.empty()


def fail_after(monkeypatch: pytest.MonkeyPatch, store: Neo4jStore, after: int) -> None:
    """``store``'s writes after the first ``after`` fail, as a dropped connection would."""
    calls = {"n": 0}
    original = store.write

    def write(batch: RecordBatch) -> int:
        calls["n"] += 1
        if calls["n"] > after:
            raise StoreError(f"test: the connection dropped while writing {batch.name}")
        return original(batch)

    monkeypatch.setattr(store, "write", write)


def test_changes_are_invisible_until_the_load_is_published(
    stores: tuple[Neo4jStore, Neo4jStore], files: dict[str, Path]
) -> None:
    writer, reader = stores
    load_files(writer, files["before"])
    companies = pd.read_csv(files["before"] / "companies.csv", dtype=str, keep_default_na=False)
    first = companies.iloc[0]
    nid = f"Company:{first['uscc']}"
    old = reader.get_nodes([nid])[nid]
    stats = reader.stats()
    changed = pd.DataFrame([{"id": first["uscc"], "name": "改名后的测试公司", "status": "注销"}])
    added = pd.DataFrame([{"id": "91310000MA1FL0000X", "name": "新来的测试公司"}])
    writer.write(RecordBatch("nodes", "Company", changed))
    writer.write(RecordBatch("nodes", "Company", added))
    # the writer sees its load; readers see the graph before it, names found as they were
    assert writer.get_nodes([nid])[nid].name == "改名后的测试公司"
    assert reader.get_nodes([nid]) == {nid: old}
    assert reader.stats() == stats
    assert nid not in {n.id for n in reader.find_nodes("改名后的测试公司")}
    assert not reader.find_nodes("新来的测试公司")
    assert reader.existing_ids(["Company:91310000MA1FL0000X"]) == set()
    writer.finish_load()
    now = reader.get_nodes([nid])[nid]
    assert (now.name, now.props["status"]) == ("改名后的测试公司", "注销")
    assert reader.stats().nodes["Company"] == stats.nodes["Company"] + 1
    assert [n.id for n in reader.find_nodes("改名后的测试公司")] == [nid]


def test_a_failed_load_leaves_the_old_graph(
    stores: tuple[Neo4jStore, Neo4jStore],
    files: dict[str, Path],
    neo4j_target: Neo4jTarget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer, reader = stores
    load_files(writer, files["before"])
    targets = targets_of(files["before"])
    before = view(reader, targets)
    failing = neo4j_target.store()
    fail_after(monkeypatch, failing, 5)  # nodes and some relationships written (and changed), then a failure
    with pytest.raises(StoreError, match="connection dropped"):
        load_files(failing, files["full"])
    assert view(reader, targets) == before  # the failed load is still in the graph, unpublished
    assert leftovers(neo4j_target) > 0
    failing.close()  # takes back what the failed load wrote
    assert leftovers(neo4j_target) == 0
    assert view(reader, targets) == before
    with neo4j_target.store() as again:
        load_files(again, files["full"])
    assert view(reader, targets) == view(reference(files["before"], files["full"]), targets)


def test_a_dead_load_is_cleaned_by_the_next_one(
    stores: tuple[Neo4jStore, Neo4jStore],
    files: dict[str, Path],
    neo4j_target: Neo4jTarget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A load whose process dies (no clean-up, no more heartbeats) holds the graph until its lease
    lapses; then the next load (or ``guanxi doctor``) cleans what it wrote."""
    writer, reader = stores
    load_files(writer, files["before"])
    targets = targets_of(files["before"])
    before = view(reader, targets)
    dying = neo4j_target.store()
    fail_after(monkeypatch, dying, 5)
    with pytest.raises(StoreError):
        load_files(dying, files["full"])
    assert dying._heartbeat is not None
    dying._heartbeat.set()  # the process dies: its heartbeat stops, nothing is taken back
    dying._driver.close()
    assert leftovers(neo4j_target) > 0
    assert view(reader, targets) == before
    with neo4j_target.store() as tidy:
        with pytest.raises(StoreError, match="another guanxi load into this graph is running"):
            tidy.tidy()
        monkeypatch.setattr(neo4j_store, "LOAD_LEASE", 1.0)
        time.sleep(1.5)  # the dead load's hold lapses
        tidy.tidy()
    assert leftovers(neo4j_target) == 0
    assert view(reader, targets) == before
    load_files(writer, files["full"])
    assert view(reader, targets) == view(reference(files["before"], files["full"]), targets)


def test_a_graph_without_generations_reads_whole(
    stores: tuple[Neo4jStore, Neo4jStore], files: dict[str, Path], neo4j_target: Neo4jTarget
) -> None:
    """A graph loaded by a guanxi before generations (no ``_gen``, a meta node without ``published``, or
    none) is generation 0: all of it visible; the next load publishes over it as usual."""
    writer, reader = stores
    load_files(writer, files["before"])
    targets = targets_of(files["before"])
    before = view(reader, targets)
    with GraphDatabase.driver(neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)) as driver:
        for query in (
            "MATCH (n) REMOVE n._gen",
            "MATCH ()-[r]->() REMOVE r._gen",
            f"MATCH (m:{cypher.META_LABEL}) REMOVE m.published, m.generation, m.generations, m.dirty",
        ):
            driver.execute_query(query, database_=neo4j_target.database)
    assert view(reader, targets) == before
    load_files(writer, files["full"])
    after = view(reference(files["before"], files["full"]), targets)
    assert view(reader, targets) == after
    with GraphDatabase.driver(neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)) as driver:
        for query in (
            "MATCH (n) REMOVE n._gen, n._ogen, n._osaved, n._end",
            "MATCH ()-[r]->() REMOVE r._gen, r._ogen, r._osaved, r._end",
            f"MATCH (m:{cypher.META_LABEL}) DETACH DELETE m",
        ):
            driver.execute_query(query, database_=neo4j_target.database)
    # no meta node at all (it records no weights either, so only reads that need none are asked)
    assert (reader.stats(), list(reader.iter_nodes())) == after[:2]
