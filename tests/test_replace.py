"""Replacing a graph: everything is checked before anything changes, and the old graph stays if a write fails.

Every scenario runs on both stores (``make_store``). The reference for what a
replace must leave is an embedded store loaded fresh with the new files: a
replace gives exactly what a first load of them gives (counts, every node and
relationship with its properties, in the same order, and the same answers),
whatever the old graph held.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from graph.embedded import EmbeddedStore
from graph.errors import LoadError, LoadRefused, StoreError
from graph.model import Edge, GraphStats, Node, PathQuery, RecordBatch
from graph.model import Path as GPath
from graph.store import GraphStore
from graph.warmth import WARMTH_FILE
from guanxi.cli import main
from loaders.generate import generate
from loaders.pipeline import load_files, replace_files
from tests.conftest import Neo4jTarget, StoreFactory

TABLES = (
    "companies",
    "persons",
    "parks",
    "officers",
    "equity",
    "supply",
    "guarantees",
    "parks_located",
    "ip_rights",
    "ip_owners",
    "associations",
    "association_members",
    "segments",
    "transactions",
    "segment_members",
    "segment_links",
    "family",
    "acting_in_concert",
    "clients",
)


@dataclass(frozen=True)
class Snapshot:
    """Everything a user can see of a graph: counts, nodes, relationships, some answers."""

    stats: GraphStats
    nodes: list[Node]
    edges: list[Edge]
    answers: list[list[GPath]]


def snapshot(store: GraphStore, targets: list[str]) -> Snapshot:
    types = tuple(store.schema.types)
    return Snapshot(
        stats=store.stats(),
        nodes=list(store.iter_nodes()),
        edges=list(store.iter_edges()),
        answers=[store.top_paths(PathQuery(target=t, types=types, k=3)) for t in targets],
    )


def files_of(folder: Path) -> list[Path]:
    return [folder / f"{name}.csv" for name in TABLES]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three small data sets: ``old``, ``other`` (another generated graph: its persons share ids with
    the old one's, its companies do not) and ``changed`` (the old one edited: companies gone, values
    blanked, fewer clients, relationships gone or changed)."""
    root = tmp_path_factory.mktemp("replace")
    generate(root / "old", companies=100, seed=1)
    generate(root / "other", companies=100, seed=2)
    changed = root / "changed"
    changed.mkdir()
    for name in TABLES:
        frame = pd.read_csv(root / "old" / f"{name}.csv", dtype=str, keep_default_na=False)
        if name == "companies":
            frame = frame.iloc[:-5].copy()
            frame.loc[:9, "industry"] = ""  # a value the old graph had and the new files do not
            frame.loc[10:14, "status"] = "注销"
        elif name == "clients":
            frame = frame.iloc[::2]
        elif name == "equity":
            frame = frame.iloc[3:].copy()
            frame.loc[frame.index[:20], "ratio"] = ""
        elif name == "officers":
            frame.loc[frame.index[:30], "role"] = "监事"
        frame.to_csv(changed / f"{name}.csv", index=False)
    return {"old": root / "old", "other": root / "other", "changed": changed}


def targets_of(folder: Path) -> list[str]:
    companies = pd.read_csv(folder / "companies.csv", dtype=str)
    return [f"Company:{u}" for u in companies["uscc"].iloc[:60:7]]


def fresh(folder: Path) -> EmbeddedStore:
    """The reference: an embedded store that loaded only these files."""
    store = EmbeddedStore()
    load_files(store, files_of(folder))
    return store


def loaded(make_store: StoreFactory, folder: Path) -> GraphStore:
    store = make_store()
    load_files(store, files_of(folder))
    return store


class Breaker:
    """Makes a store class's ``write`` raise StoreError after some batches succeeded, and undoes it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def fail(self, store: GraphStore, after: int) -> None:
        """From now on, the batches after the first ``after`` fail (in every store of that class)."""
        self.off()
        original = type(store).write
        calls = {"n": 0}

        def write(self: GraphStore, batch: RecordBatch) -> int:
            calls["n"] += 1
            if calls["n"] > after:
                raise StoreError(f"test: the connection dropped while writing {batch.name}")
            return original(self, batch)

        self.monkeypatch.setattr(type(store), "write", write)

    def off(self) -> None:
        self.monkeypatch.undo()


@pytest.fixture
def breaker(monkeypatch: pytest.MonkeyPatch) -> Breaker:
    return Breaker(monkeypatch)


def test_a_replace_with_a_bad_file_leaves_the_old_graph(make_store: StoreFactory, data: dict[str, Path]) -> None:
    store = loaded(make_store, data["old"])
    targets = targets_of(data["old"])
    before = snapshot(store, targets)
    assert before.stats.node_count > 0 and any(before.answers)
    bad = data["other"] / "prospects.csv"  # a load would leave it out; a replace refuses it whole
    with pytest.raises(LoadError, match=r"prospects\.csv"):
        replace_files(store, [*files_of(data["other"]), bad])
    assert snapshot(store, targets) == before
    with pytest.raises(LoadError, match="no such file"):
        replace_files(store, [*files_of(data["other"]), data["other"] / "missing.csv"])
    assert snapshot(store, targets) == before


def test_a_strict_replace_checks_references_against_the_new_files_only(
    make_store: StoreFactory, data: dict[str, Path]
) -> None:
    """Relationships whose ends are only in the old graph are rejects: the old graph goes away."""
    store = loaded(make_store, data["old"])
    targets = targets_of(data["old"])
    before = snapshot(store, targets)
    # the old files' relationships with the other files' nodes: nearly every end is dangling
    mixed = [f for f in files_of(data["other"]) if f.stem in ("companies", "persons", "parks")]
    mixed += [f for f in files_of(data["old"]) if f.stem in ("equity", "supply")]
    with pytest.raises(LoadRefused) as refused:
        replace_files(store, mixed, strict=True)
    assert refused.value.report.rejected > 0
    assert snapshot(store, targets) == before
    # not strict: the dangling rows are rejected (not resolved against the old graph) and the rest replaces it
    new, report = replace_files(store, mixed)
    reference = EmbeddedStore()
    reference_report = load_files(reference, mixed)
    assert report.rejected == reference_report.rejected > 0
    assert new.stats() == reference.stats()


def test_a_replace_that_fails_midway_leaves_the_old_graph_and_the_next_one_succeeds(
    make_store: StoreFactory, data: dict[str, Path], breaker: Breaker
) -> None:
    store = loaded(make_store, data["old"])
    targets = targets_of(data["old"])
    before = snapshot(store, targets)
    breaker.fail(store, 1)  # the first batch (the other files' companies) is written, then the writes fail
    with pytest.raises(StoreError, match="connection dropped"):
        replace_files(store, files_of(data["other"]))
    assert snapshot(store, targets) == before
    breaker.fail(store, 4)  # nodes and the shareholdings written, the officers fail
    with pytest.raises(StoreError, match="connection dropped"):
        replace_files(store, files_of(data["other"]))
    # both stores: the new graph was built apart (embedded) or, on Neo4j, what the failed replace created
    # is taken back and the rows it changed get their old values back (Neo4jStore.replacing)
    assert snapshot(store, targets) == before
    breaker.off()
    again, _ = replace_files(store, files_of(data["old"]))  # a later replace completes the job
    assert snapshot(again, targets) == before


def edge_identity(edge: Edge) -> tuple[str, str, str, str]:
    return (edge.type, edge.source, edge.target, str(edge.props.get("_key")))


@pytest.mark.parametrize("new", ["changed", "other"])
def test_a_replace_gives_what_a_first_load_of_the_new_files_gives(
    make_store: StoreFactory, data: dict[str, Path], breaker: Breaker, new: str
) -> None:
    """Whether the new files share most rows with the old graph (``changed``) or few (``other``),
    and after a replace that failed first."""
    store = loaded(make_store, data["old"])
    breaker.fail(store, 2)
    with pytest.raises(StoreError):
        replace_files(store, files_of(data[new]))
    breaker.off()
    replaced, report = replace_files(store, files_of(data[new]))
    reference = EmbeddedStore()
    expected = load_files(reference, files_of(data[new]))  # "changed" has rejects: ends of removed companies
    assert (report.accepted, report.rejected) == (expected.accepted, expected.rejected)
    targets = targets_of(data[new])
    assert snapshot(replaced, targets) == snapshot(reference, targets)
    again, _ = replace_files(replaced, files_of(data["old"]))  # and back: nothing of the replaced graph is left
    assert snapshot(again, targets_of(data["old"])) == snapshot(fresh(data["old"]), targets_of(data["old"]))


# -- the command line ----------------------------------------------------------------------
@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_args(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """The ``guanxi`` options naming an empty store of each kind."""
    if request.param == "embedded":
        yield ["--store", str(tmp_path / "graph.gx")]
        return
    target: Neo4jTarget = request.getfixturevalue("neo4j_target")
    target.empty()
    yield target.cli_options()


def cli_stats(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["stats", "--json", *args]) == 0
    answer: dict[str, Any] = json.loads(capsys.readouterr().out)
    return answer


def test_load_replace_with_a_bad_file_exits_2_and_keeps_the_graph(
    store_args: list[str], data: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", str(data["old"]), *store_args]) == 0
    before = cli_stats(store_args, capsys)
    assert before["nodes"]["Company"] == 100
    bad = [*map(str, files_of(data["other"])), str(data["other"] / "prospects.csv")]
    assert main(["load", *bad, "--replace", *store_args]) == 2
    err = capsys.readouterr().err
    assert "prospects.csv" in err and "Traceback" not in err
    assert cli_stats(store_args, capsys) == before
    assert main(["load", str(data["other"]), "--replace", *store_args]) == 0
    expected = fresh(data["other"]).stats()
    assert cli_stats(store_args, capsys) == {
        "nodes": expected.nodes,
        "relationships": expected.relationships,
        "clients": expected.clients,
    }


@pytest.mark.neo4j
def test_a_client_with_other_weights_must_reweight_explicitly(
    neo4j_target: Neo4jTarget, data: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--warmth`` other than the graph's: loads and searches refuse, naming both files, until ``--reweight``."""
    args = ["--neo4j-uri", neo4j_target.uri, "--neo4j-user", neo4j_target.user]
    args += ["--neo4j-password", neo4j_target.password, "--neo4j-database", neo4j_target.database]
    neo4j_target.empty()
    assert main(["load", str(data["old"]), *args]) == 0
    warmth = tmp_path / "our-warmth.yaml"
    raw = yaml.safe_load(WARMTH_FILE.read_text(encoding="utf-8"))
    raw["relationships"]["LOCATED_IN"]["default"] = 0.95
    warmth.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    prospect = targets_of(data["old"])[0].partition(":")[2]
    before = cli_stats(args, capsys)
    capsys.readouterr()
    for command in (["load", str(data["other"]), "--replace"], ["paths", prospect]):
        assert main([*command, *args, "--warmth", str(warmth)]) == 2
        err = capsys.readouterr().err
        assert "our-warmth.yaml" in err and str(WARMTH_FILE) in err and "--reweight" in err, err
    assert cli_stats(args, capsys) == before
    assert main(["load", "--reweight", *args, "--warmth", str(warmth)]) == 0
    assert main(["paths", prospect, "--json", *args, "--warmth", str(warmth)]) == 0
    assert main(["paths", prospect, *args]) == 2  # the packaged weights are not the graph's any more
    assert "--reweight" in capsys.readouterr().err
