"""20 readers during a load into Neo4j: every answer is the graph before the load or the graph after it.

A small generated graph (A) is loaded; then a load of more files (B: A's
rows and new ones) runs while 20 reader threads ask ``introductions`` for a
few prospects in a loop. The same two loads into an embedded store, with the
answers recorded after each of its writes (a load writes one batch per file,
and on Neo4j each batch of this size is one transaction), give every answer
the graph has at a committed point: A's, each intermediate batch's, the
final graph's.

What is guaranteed, and checked: no reader gets an error; answers before
the load are A's and answers begun after it are the final graph's (no stale
cache); every answer given during the load is A's or the final graph's,
never a mix of two committed points (``mixed`` must be 0), although the load
commits many transactions: it writes under a generation readers do not see
until it is published in one small transaction at its end, and one answer
(many queries: the search's rounds, then the degrees and names its
explanation shows) reads one published generation (``introductions`` is
one :meth:`~graph.store.GraphStore.snapshot`).

What a failed or killed load leaves is tested in ``tests/test_neo4j_publish.py``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.model import RecordBatch
from graph.store import GraphStore
from guanxi.cli import main
from loaders.pipeline import load_files
from queries.introductions import introductions
from tests.conftest import Neo4jTarget

pytestmark = pytest.mark.neo4j

READERS = 20
PROSPECTS = 4
#: seconds a reader waits between its answers while the load runs. Asking back to back, 20 readers kept both
#: cores busy (some 1,000 answers during a load of some 15 transactions on a cold server), which slowed the
#: load they watch, which gave them more time to ask. Paced, they still ask all through the load (300-600
#: answers during it), and the test costs the server 13 s of CPU instead of 26 (warm; cold 41-51 s, not 89)
READ_PAUSE = 0.3


def answer_of(store: GraphStore, prospect: str) -> str:
    """An ``introductions`` answer as comparable text (paths, warmth, sentences, notes)."""
    return json.dumps(introductions(store, prospect, k=5).to_dict(), sort_keys=True, ensure_ascii=False, default=str)


def hops(answer: str) -> Iterator[tuple[str, str, str]]:
    """Every relationship (type, source, target) of every path of an answer, folded paths included."""

    def walk(paths: list[dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
        for p in paths:
            for e in p["edges"]:
                yield e["type"], e["source"], e["target"]
            yield from walk(p.get("more") or [])

    yield from walk(json.loads(answer)["paths"])


def first_part(full: Path, part: Path, share: float = 0.6) -> None:
    """``part``: every CSV of ``full`` cut to its first ``share`` of data rows (the graph before)."""
    part.mkdir()
    for f in sorted(full.glob("*.csv")):
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        keep = 1 + int((len(lines) - 1) * share)
        (part / f.name).write_text("".join(lines[:keep]), encoding="utf-8")


def recording(store: EmbeddedStore, record: Callable[[], None]) -> EmbeddedStore:
    """``store`` whose every write is followed by ``record()``: the answers at each committed batch."""
    write = store.write

    def write_and_record(batch: RecordBatch) -> int:
        n = write(batch)
        record()
        return n

    store.write = write_and_record  # type: ignore[method-assign]
    return store


def test_readers_during_a_load(neo4j_target: Neo4jTarget, tmp_path: Path) -> None:
    full, before = tmp_path / "full", tmp_path / "before"
    assert main(["generate", str(full), "--companies", "150", "--seed", "11"]) == 0
    first_part(full, before)
    rows = (before / "companies.csv").read_text("utf-8").splitlines()[1 : PROSPECTS + 1]
    prospects = [line.split(",")[0] for line in rows]

    # the answers at each committed point, from an embedded store loaded the same way
    reference = EmbeddedStore()
    load_files(reference, before)
    start = {p: answer_of(reference, p) for p in prospects}
    committed: dict[str, set[str]] = {p: {start[p]} for p in prospects}

    def record() -> None:
        for p in prospects:
            committed[p].add(answer_of(reference, p))

    load_files(recording(reference, record), full)
    final = {p: answer_of(reference, p) for p in prospects}
    # the load passes through other committed states: a reader that saw them would be caught
    assert any(committed[p] - {start[p], final[p]} for p in prospects)
    relationships = {(e.type, e.source, e.target) for e in reference.iter_edges()}

    neo4j_target.empty()
    with neo4j_target.store() as writer, neo4j_target.store() as reader:
        load_files(writer, before)
        assert {p: answer_of(reader, p) for p in prospects} == start
        done = threading.Event()
        during: list[tuple[str, str]] = []
        after: list[tuple[str, str]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def read(i: int) -> None:
            n = late = 0
            while late < len(prospects):  # until each prospect was asked once after the load ended
                p = prospects[(i + n) % len(prospects)]
                n += 1
                begun_after = done.is_set()
                late += begun_after
                try:
                    got = answer_of(reader, p)
                except BaseException as exc:  # any error fails the test, below
                    with lock:
                        errors.append(exc)
                    return
                with lock:
                    (after if begun_after else during).append((p, got))
                done.wait(READ_PAUSE)  # no wait once the load is over

        threads = [threading.Thread(target=read, args=(i,), name=f"reader-{i}") for i in range(READERS)]
        for t in threads:
            t.start()
        try:
            load_files(writer, full)
        finally:
            done.set()
            for t in threads:
                t.join(timeout=120)
        try:
            assert not errors, f"{len(errors)} readers failed, e.g. {errors[0]!r}"
            assert len(after) == READERS * PROSPECTS
            assert all(got == final[p] for p, got in after)
            assert len(during) >= READERS, f"only {len(during)} answers during the load"
            strays = {h for _, got in during for h in hops(got)} - relationships
            assert not strays, f"answers hold relationships the final graph lacks: {sorted(strays)[:3]}"
            mixed = [(p, got) for p, got in during if got not in (start[p], final[p])]
            print(f"{len(during)} answers during the load, {len(mixed)} not the graph before or after it")
            assert not mixed, f"{len(mixed)} of {len(during)} answers mixed two states, e.g. {mixed[0]}"
        finally:
            neo4j_target.empty()  # keeps the indexes: a real clear would empty the server's plan cache
