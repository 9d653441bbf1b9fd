"""The benchmark still runs end to end (a tiny graph; nothing is timed here)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bench.__main__
from bench import stages
from bench.__main__ import main
from graph.neo4j_store import Neo4jStore
from tests import neo4j_server
from tests.conftest import Neo4jTarget


@pytest.mark.slow
def test_bench_runs_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "bench.md"
    monkeypatch.setattr(sys, "argv", ["bench"])
    assert (
        main(
            [
                "--sizes",
                "300",
                "--prospects",
                "8",
                "--contenders",
                "--analysis",
                "--out",
                str(out),
                "--work",
                str(tmp_path),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "| 300 |" in text
    assert "write s (file, index, bounds)" in text  # the load is `guanxi load`'s: validated columns to the file
    assert "compiled floor" in text and "igraph 4-hop ball" in text and "NetworkX shortest_simple_paths" in text
    assert out.with_suffix(".png").exists()
    assert "disagreements" in text
    assert "Batch reach" in text


class SessionServer:
    """Stands in for the fresh Neo4j server bench's Neo4j stage starts: the worker's spare test server, emptied.

    A benchmark wants a server of its own (4 GB heap, warmed up for speed), but this test only checks that
    the stage runs and gives the embedded store's answers, and two more JVM starts would cost it most of
    its time. The stage uses what it uses of a fresh server: ``start``, ``admin`` (neo4j-admin on the
    stopped server; it starts again on the same port) and ``close``, which leaves the spare server
    running for the tests after it.
    """

    def __init__(self, server: neo4j_server.Neo4jTestServer) -> None:
        self._server = server
        server.start()  # does nothing when it runs
        with Neo4jStore(server.uri, server.user, server.password) as store:
            store.clear()  # a fresh server's empty database (the next scenario store makes its indexes again)

    @property
    def uri(self) -> str:
        return self._server.uri

    @property
    def user(self) -> str:
        return self._server.user

    @property
    def password(self) -> str:
        return self._server.password

    def start(self) -> SessionServer:
        self._server.start()
        return self

    def admin(self, *args: str) -> str:
        return self._server.admin(*args)

    def close(self) -> None:
        self._server.start()  # running again for the next tests, whatever the stage did


def stage_in_process(*args: str) -> dict[str, Any]:
    """``bench.__main__.run_stage`` in this process: the same command line and JSON line, no new Python."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert stages.main(list(args)) == 0
    result: dict[str, Any] = json.loads(printed.getvalue().strip().splitlines()[-1])
    return result


@pytest.fixture
def session_server_stages(spare_neo4j: Neo4jTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """bench's stages run in this process and its Neo4j stage on the worker's spare server (the stage
    stops it for neo4j-admin; the session's server stays warm for the other tests). The stages in fresh
    processes are :func:`test_bench_runs_small`'s."""
    session = spare_neo4j.server
    assert session is not None
    monkeypatch.setattr(bench.__main__, "run_stage", stage_in_process)
    monkeypatch.setattr(neo4j_server, "Neo4jTestServer", lambda **_: SessionServer(session))
    try:
        yield
    finally:
        session.start()


@pytest.mark.slow
@pytest.mark.neo4j
@pytest.mark.usefixtures("session_server_stages")
def test_bench_neo4j_both_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "bench.md"
    monkeypatch.setattr(sys, "argv", ["bench"])
    args = ["--sizes", "150", "--prospects", "5", "--neo4j-max", "150", "--neo4j-import-max", "150"]
    assert main([*args, "--out", str(out), "--work", str(tmp_path)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| 150 | cypher |" in text and "| 150 | import |" in text
    assert "5/5" in text  # same answers as the embedded store after either load
    assert "(5/5) |" in text  # batch reach matched every prospect (their ids given as names matched none)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(300)
def test_bench_startup_section(tmp_path: Path) -> None:
    """The start-up stage runs (a small demo, streamlit started directly) and fills its section in place."""
    from bench.__main__ import STARTUP_BEGIN, STARTUP_END, with_startup
    from tests.test_browser import chromium_path, give_up

    if chromium_path() is None:
        give_up("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM")
    out = tmp_path / "bench.md"
    out.write_text("# Benchmarks\n\nearlier results\n", encoding="utf-8")
    args = ["--sizes", "", "--startup", "--startup-companies", "300", "--startup-direct"]
    assert main([*args, "--out", str(out), "--work", str(tmp_path)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nearlier results\n")  # the rest of the report is kept
    assert text.count(STARTUP_BEGIN) == 1 and text.count(STARTUP_END) == 1
    row = next(line for line in text.splitlines() if line.startswith("| 300 |"))
    # nothing fetched from outside the machine, no Deploy button or developer menu, the favicon served locally
    assert row.endswith("| 0 | hidden | hidden | local |"), row
    again = with_startup(text, f"{STARTUP_BEGIN}\nnew\n{STARTUP_END}\n")  # a later run replaces it, adds nothing
    assert again.startswith("# Benchmarks\n\nearlier results\n") and again.count(STARTUP_BEGIN) == 1
    assert "\nnew\n" in again and row not in again
