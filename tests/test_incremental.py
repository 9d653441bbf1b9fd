"""Incremental loads (issue 13 item 4): a day's delta appended to a graph gives what a full load of the day gives.

The delta (:func:`bench.incremental.split_delta`) holds new companies with
their relationships, ended officer posts (``until`` set on a post the graph
holds), new posts at existing companies and changed company properties. The
reference is one load of the day's full extract (``today``): the base with
the delta's changes made, plus its new rows. Node positions may differ (the
delta's companies come after the base's people), so nodes and relationships
are compared as sorted lists; the ranked answers must be the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.incremental import split_delta
from graph.embedded import EmbeddedStore
from graph.embedded_file import FileGraph
from graph.model import Edge, GraphStats, Node, PathQuery
from graph.model import Path as GPath
from graph.store import GraphStore
from guanxi.cli import main
from loaders.generate import generate
from loaders.pipeline import load_files
from tests.conftest import StoreFactory


@dataclass(frozen=True)
class Seen:
    """What a user can see of a graph, independent of node positions."""

    stats: GraphStats
    nodes: list[Node]
    edges: list[Edge]
    answers: list[list[GPath]]


def seen(store: GraphStore, targets: list[str]) -> Seen:
    types = tuple(store.schema.types)
    return Seen(
        stats=store.stats(),
        nodes=sorted(store.iter_nodes(), key=lambda n: n.id),
        edges=sorted(store.iter_edges(), key=lambda e: (e.source, e.target, e.type, repr(sorted(e.props.items())))),
        answers=[store.top_paths(PathQuery(target=t, types=types, k=3)) for t in targets],
    )


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``base``, ``delta`` (5% of 300 companies and their changes) and ``today`` (the full extract)."""
    root = tmp_path_factory.mktemp("incremental")
    generate(root / "all", companies=300, seed=3)
    counts = split_delta(root / "all", root / "base", root / "delta", root / "today", share=0.05)
    assert counts["companies.csv"] > 15 and counts["officers.csv"] > 0
    return {"base": root / "base", "delta": root / "delta", "today": root / "today", "all": root / "all"}


def targets_of(day: dict[str, Path]) -> list[str]:
    """Prospects among the delta's new and changed companies, and the base's."""
    import csv

    with (day["delta"] / "companies.csv").open(encoding="utf-8") as fh:
        delta = [row["uscc"] for row in csv.DictReader(fh)]
    with (day["base"] / "companies.csv").open(encoding="utf-8") as fh:
        base = [row["uscc"] for row in csv.DictReader(fh)]
    return [f"Company:{u}" for u in [*delta[:12:2], *delta[-3:], *base[5:80:15]]]


def test_a_delta_changes_what_the_split_says(day: dict[str, Path]) -> None:
    """The delta really ends posts and changes a status (else the tests below would prove little)."""
    import csv

    with (day["delta"] / "officers.csv").open(encoding="utf-8") as fh:
        assert any(row["until"] == "2026-12-01" for row in csv.DictReader(fh))
    with (day["today"] / "companies.csv").open(encoding="utf-8") as fh:
        today = {row["uscc"]: row["status"] for row in csv.DictReader(fh)}
    with (day["all"] / "companies.csv").open(encoding="utf-8") as fh:
        assert sum(today[row["uscc"]] != row["status"] for row in csv.DictReader(fh)) > 0


def test_an_append_gives_what_a_full_load_of_the_day_gives(make_store: StoreFactory, day: dict[str, Path]) -> None:
    store = make_store()
    load_files(store, day["base"])
    load_files(store, day["delta"])
    reference = EmbeddedStore()
    load_files(reference, day["today"])
    targets = targets_of(day)
    expected = seen(reference, targets)
    assert any(expected.answers)
    assert seen(store, targets) == expected


def test_a_delta_appended_to_a_store_file_gives_the_full_load(
    day: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI's daily command on a store file: same graph and answers as a full load, and doctor is happy."""
    daily, full = tmp_path / "daily.gx", tmp_path / "full.gx"
    assert main(["load", str(day["base"]), "--store", str(daily)]) == 0
    assert main(["load", str(day["delta"]), "--store", str(daily)]) == 0
    assert main(["load", str(day["today"]), "--store", str(full)]) == 0
    targets = targets_of(day)
    appended, reference = EmbeddedStore.open(daily), EmbeddedStore.open(full)
    assert seen(appended, targets) == seen(reference, targets)
    # the saved search bounds of the default filter are the full load's, node by node
    saved = []
    for file in (daily, full):
        fg = FileGraph.open(file)
        assert fg.bounds is not None
        key, cost, hops = fg.bounds
        ids = fg.ids_at(range(fg.n))
        saved.append((key, dict(zip(ids, cost.tolist(), strict=True)), dict(zip(ids, hops.tolist(), strict=True))))
    assert saved[0] == saved[1]
    capsys.readouterr()
    assert main(["doctor", "--store", str(daily)]) == 0
    assert "whole" in capsys.readouterr().out


def test_a_second_delta_on_the_same_day_changes_nothing(day: dict[str, Path], tmp_path: Path) -> None:
    """Loading the same delta twice (a rerun after a crash) leaves the graph as one load of it left it."""
    once, twice = tmp_path / "once.gx", tmp_path / "twice.gx"
    for file, runs in ((once, 1), (twice, 2)):
        assert main(["load", str(day["base"]), "--store", str(file)]) == 0
        for _ in range(runs):
            assert main(["load", str(day["delta"]), "--store", str(file)]) == 0
    targets = targets_of(day)
    assert seen(EmbeddedStore.open(twice), targets) == seen(EmbeddedStore.open(once), targets)


def test_a_delta_that_fails_or_waits_for_a_writer_leaves_the_store_as_it_was(
    day: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Atomic as a full write: a failed save or a store held by another writer leaves the old file whole."""
    import graph.columnar_store
    from graph.errors import StoreError
    from graph.store_file import WriterLock

    daily = tmp_path / "daily.gx"
    assert main(["load", str(day["base"]), "--store", str(daily)]) == 0
    before = daily.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError(f"cannot save the graph to {daily}: No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(graph.columnar_store, "write_store_file", broken)
        assert main(["load", str(day["delta"]), "--store", str(daily)]) != 0
    assert "No space left on device" in capsys.readouterr().err
    assert daily.read_bytes() == before
    other = WriterLock(daily)
    other.acquire(0)
    try:
        monkeypatch.setenv("GUANXI_LOCK_TIMEOUT", "0")
        assert main(["load", str(day["delta"]), "--store", str(daily)]) != 0
        assert "being written by another guanxi" in capsys.readouterr().err
    finally:
        other.release()
    assert daily.read_bytes() == before
    assert main(["load", str(day["delta"]), "--store", str(daily)]) == 0  # the rerun applies it
    assert daily.read_bytes() != before
