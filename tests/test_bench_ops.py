"""The operational benchmark stage still runs end to end (a tiny graph; nothing is timed here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ops import main


def test_bench_ops_runs_small(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "--companies", "300", "--score", "200", "--paths", "20", "--seed", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    result = json.loads(lines[-1])
    assert result["scored"] == 200 and result["ops_rejected"] == 0
    assert sum(result["tiers"].values()) == 200 and result["with_path"] > 0
    assert lines[2].startswith("| 300 | 200 |")
