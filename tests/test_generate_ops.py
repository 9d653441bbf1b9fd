"""Synthetic operational files: written by `guanxi generate`, read back cleanly, every region covered, seeded."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter, LoadError
from graph.messages import render
from guanxi.cli import main
from loaders.generate_ops import FILES, generate_ops
from loaders.ops import read_ops
from loaders.pipeline import load_files


def test_generate_writes_ops_files_that_load_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    args = ["generate", str(folder), "--companies", "300", "--seed", "4", "--headers", "zh", "--encoding", "gb18030"]
    assert main(args) == 0
    assert "events.csv" in capsys.readouterr().out
    assert all((folder / f"{name}.csv").is_file() for name in FILES)
    assert "事件类型" in (folder / "events.csv").read_text(encoding="gb18030").splitlines()[0]
    store = EmbeddedStore()
    graph_report = load_files(store, folder)
    left_out = {render(i, "en").split(" (")[0] for i in graph_report.ignored_files}
    assert graph_report.ok and {f"{n}.csv" for n in FILES} <= left_out
    data, report = read_ops(folder, store)
    assert report.ok, report.summary("en")
    assert {f.kind for f in report.files} == set(FILES)
    assert len(data.events) and len(data.tags) and len(data.memberships) and len(data.outcomes)
    assert set(data.outcomes["outcome"]) == {"won", "lost"}
    codes = [c for c in data.branches["region_code"] if isinstance(c, str)]
    for node in store.iter_nodes("Company"):
        region = node.key[2:8]
        if node.key[:1] == "9":  # generated companies with a region code (not 11... state bodies)
            assert any(region.startswith(c) for c in codes), f"no branch covers {region}"
    managers = data.branches.dropna(subset=["manager"])
    clients = [n for n in store.iter_nodes("Company") if n.is_client]
    assert {n.manager for n in clients} <= set(managers["manager"])


def test_same_seed_same_files(tmp_path: Path) -> None:
    graph = tmp_path / "g"
    assert main(["generate", str(graph), "--companies", "200", "--seed", "2", "--no-ops"]) == 0
    assert not (graph / "events.csv").exists()
    generate_ops(tmp_path / "a", 3, graph_dir=graph)
    generate_ops(tmp_path / "b", 3, graph_dir=graph)
    generate_ops(tmp_path / "c", 4, graph_dir=graph)
    for name in FILES:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    assert (tmp_path / "a" / "events.csv").read_bytes() != (tmp_path / "c" / "events.csv").read_bytes()


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="seed"):
        generate_ops(tmp_path, -1)
    with pytest.raises(LoadError, match="run guanxi generate first"):
        generate_ops(tmp_path, 1)
