"""The benchmark still runs end to end (a tiny graph; nothing is timed here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.__main__ import main


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
    assert "igraph BFS" in text and "NetworkX shortest_simple_paths" in text
    assert out.with_suffix(".png").exists()
    assert "disagreements" in text
    assert "Batch reach" in text


@pytest.mark.slow
@pytest.mark.neo4j
def test_bench_neo4j_both_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "bench.md"
    monkeypatch.setattr(sys, "argv", ["bench"])
    args = ["--sizes", "300", "--prospects", "5", "--neo4j-max", "300", "--neo4j-import-max", "300"]
    assert main([*args, "--out", str(out), "--work", str(tmp_path)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| 300 | cypher |" in text and "| 300 | import |" in text
    assert "5/5" in text  # same answers as the embedded store after either load
