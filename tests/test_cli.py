"""The command line end to end on a small generated graph (embedded store)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from guanxi.cli import main


def test_generate_load_paths_and_replace_an_old_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files, graph = tmp_path / "data", tmp_path / "graph.gx"
    assert main(["generate", str(files), "--companies", "300", "--seed", "3"]) == 0
    graph.write_bytes(pickle.dumps({"format": "guanxi-embedded/0"}))  # a file an older guanxi wrote
    capsys.readouterr()
    assert main(["stats", "--store", str(graph)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["load", str(files), "--store", str(graph), "--replace", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["rejected"] == 0 and report["accepted"] > 0
    prospect = (files / "companies.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert main(["paths", prospect, "--store", str(graph), "--json", "-k", "2"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["target"]["id"] == f"Company:{prospect}"
    assert 1 <= len(answer["paths"]) <= 2
