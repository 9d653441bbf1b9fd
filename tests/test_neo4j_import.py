"""The bulk path: files for ``neo4j-admin database import``, imported into a real Neo4j.

The server test runs Neo4j's own importer (the class behind ``neo4j-admin``,
from the test server's jars) on the session's server (its database overwritten), then checks that the
imported graph is the graph a Cypher load gives: every node and
relationship with the same properties in the same order as the embedded
store, the same ranked introductions, the same search, the constraints and
indexes made on the first connection, and a later ``load`` over it changing
nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from neo4j import GraphDatabase

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter, LoadError, LoadRefused
from graph.neo4j_store import Neo4jStore
from graph.schema import load_schema
from guanxi.cli import main
from loaders.generate import generate
from loaders.neo4j_import import ARRAY_DELIMITER, _cells, _neo4j_type, export_for_import
from loaders.pipeline import load_files
from queries.common import steps
from queries.guarantees import circles_of
from queries.introductions import introductions
from queries.ownership import ultimate_owners
from tests import neo4j_server
from tests.conftest import neo4j_unavailable


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated data set with Chinese headers in GB18030, as a bank's system exports it."""
    out = tmp_path_factory.mktemp("import-data")
    generate(out, 300, seed=11, headers="zh", encoding="gb18030")
    return out


# -- without a server ---------------------------------------------------------------
def test_column_types() -> None:
    assert _neo4j_type(pd.Series([1.5, None]), "x") == "double"
    assert _neo4j_type(pd.Series([3, None], dtype=object), "x") == "long"
    assert _neo4j_type(pd.Series([True, None], dtype=object), "x") == "boolean"
    assert _neo4j_type(pd.Series(["a", None], dtype=object), "x") == "string"
    assert _neo4j_type(pd.Series([("a",), None], dtype=object), "x") == "string[]"
    with pytest.raises(LoadError, match="'x' mixes"):
        _neo4j_type(pd.Series(["a", 3], dtype=object), "x")
    with pytest.raises(LoadError, match="list item contains"):
        _cells(pd.Series([("a;b",)], dtype=object), "string[]", "tags")


def test_files_and_command(files: Path, tmp_path: Path) -> None:
    done = export_for_import(files, tmp_path / "out")
    assert set(done.nodes) == {*load_schema().labels, "GuanxiMeta"}
    assert set(done.relationships) == set(load_schema().types)
    assert not done.multiline  # former names are joined without line breaks
    with done.nodes["Company"].open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[0] == "_id:ID" and "registered_capital:double" in header and "former_names:string[]" in header
    with done.relationships["HOLDS_SHARES"].open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == [":START_ID", ":END_ID", "_key"] and "_strength:double" in header
    args = done.admin_args("graph2")
    assert args[:3] == ["database", "import", "full"] and args[-1] == "graph2"
    assert f"--array-delimiter={ARRAY_DELIMITER}" in args and "--overwrite-destination=true" in args
    assert done.command().startswith("neo4j-admin database import full --nodes=Company=")
    assert "--nodes=Company=/import/nodes_Company.csv" in done.admin_args(folder="/import/")
    with pytest.raises(InvalidParameter, match="database"):
        done.admin_args("two words")


def test_bad_input(files: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(InvalidParameter, match="is a file"):
        export_for_import(files, target)
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in files.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    with (bad / "companies.csv").open("a", encoding="gb18030") as fh:
        fh.write("123,坏企业\n")
    with pytest.raises(LoadRefused):
        export_for_import(bad, tmp_path / "strict", strict=True)
    assert not (tmp_path / "strict").exists()  # refused before anything is written


def test_cli_export(files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-neo4j", str(files), "--out", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    assert "neo4j-admin database import full" in out
    assert (tmp_path / "cli" / "nodes_Company.csv").is_file()


# -- on a real server -----------------------------------------------------------------
@pytest.fixture(scope="module")
def imported(
    files: Path, tmp_path_factory: pytest.TempPathFactory, spare_server: neo4j_server.Neo4jTestServer
) -> Iterator[neo4j_server.Neo4jTestServer]:
    """A server whose database was written by ``neo4j-admin database import`` from the export: the
    worker's spare server (``admin`` stops it if it runs, the importer overwrites its database, and it
    starts on the same port), so the session's server keeps its warm JIT and plan cache.
    """
    done = export_for_import(files, tmp_path_factory.mktemp("import-files"))
    server = spare_server
    try:
        server.admin(*done.admin_args())
        server.start()
    except neo4j_server.Neo4jServerError as exc:
        neo4j_unavailable(str(exc))
    try:
        yield server
    finally:
        server.start()  # does nothing when it runs


@pytest.mark.neo4j
def test_imported_graph_is_a_loaded_graph(files: Path, imported: neo4j_server.Neo4jTestServer) -> None:
    embedded = EmbeddedStore()
    load_files(embedded, files)
    with Neo4jStore(imported.uri, imported.user, imported.password) as store:  # makes the schema
        with GraphDatabase.driver(imported.uri, auth=imported.auth) as driver:
            records, _, _ = driver.execute_query("SHOW INDEXES YIELD name, state RETURN *", database_="neo4j")
        states = {r["name"]: r["state"] for r in records}
        assert states["guanxi_company_id"] == "ONLINE" and states["guanxi_person_name_text"] == "ONLINE"
        assert store.stats() == embedded.stats()
        assert list(store.iter_nodes()) == list(embedded.iter_nodes())
        assert list(store.iter_edges()) == list(embedded.iter_edges())
        prospects = [n for n in embedded.iter_nodes("Company") if not n.is_client][:8]
        for node in prospects:
            ours = [p.to_dict() for p in introductions(store, node.id).paths]
            assert ours == [p.to_dict() for p in introductions(embedded, node.id).paths], node.name
        with_former = next(n for n in embedded.iter_nodes("Company") if n.props.get("former_names"))
        former = with_former.props["former_names"][0]
        assert [n.id for n in store.find_nodes(former)] == [n.id for n in embedded.find_nodes(former)]
        companies = [n.id for n in embedded.iter_nodes("Company")][::20]
        for cid in companies:  # the native steps (one query each) and the walk agree
            with steps("reachable", "upstream_holdings"):
                native = (circles_of(store, cid), ultimate_owners(store, cid))
            with steps():
                assert (circles_of(store, cid), ultimate_owners(store, cid)) == native, cid
            assert native == (circles_of(embedded, cid), ultimate_owners(embedded, cid)), cid
        version = store.version()
        before = (store.stats(), list(store.iter_nodes()))
        load_files(store, files)  # a Cypher load over the imported graph: nothing new
        assert (store.stats(), list(store.iter_nodes())) == before
        assert store.version() != version
