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
