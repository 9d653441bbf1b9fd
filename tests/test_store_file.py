"""The embedded store's file: a faithful round trip, hostile files that run nothing, writers in turn, readers whole.

Embedded only (the Neo4j store has no file). Small generated graphs keep it fast.
"""

from __future__ import annotations

import ast
import errno
import json
import math
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import graph.store_file as store_file
from graph.embedded import EmbeddedStore
from graph.errors import StoreError, StoreUnavailable
from graph.open_store import open_store, writing
from graph.settings import Settings
from graph.store_file import HEADER_SIZE, MAGIC, StoreFile, WriterLock, write_store_file
from graph.warmth import load_weights
from guanxi.cli import main
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.introductions import introductions

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two small generated data sets (different seeds: different companies)."""
    base = tmp_path_factory.mktemp("storefile-data")
    generate(base / "a", companies=120, seed=11)
    generate(base / "b", companies=120, seed=12)
    return base / "a", base / "b"


@pytest.fixture(scope="module")
def saved(data: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Path]:
    """A store loaded from data set a and its saved file."""
    store = EmbeddedStore()
    load_files(store, data[0])
    file = tmp_path_factory.mktemp("storefile-saved") / "graph.gx"
    store.save(file)
    return store, file


def _nodes(store: EmbeddedStore) -> dict[str, dict[str, Any]]:
    return {nid: dict(attrs) for nid, attrs in store.graph.nodes(data=True)}


def _edges(store: EmbeddedStore) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(u, v, k): dict(a) for u, v, k, a in store.graph.edges(keys=True, data=True)}


def _answers(store: EmbeddedStore, prospects: list[str]) -> list[list[tuple[tuple[str, ...], float]]]:
    return [[(p.path.ids, p.warmth) for p in introductions(store, nid, k=5).paths] for nid in prospects]


def _prospects(store: EmbeddedStore) -> list[str]:
    return [n.id for n in store.iter_nodes("Company") if not n.is_client][:15]


# -- round trip -----------------------------------------------------------------------------
def test_a_query_on_a_just_opened_store_does_not_build_the_graph(saved: tuple[EmbeddedStore, Path]) -> None:
    """Search, answers, nodes, degrees and counts come from the file's columns and index, the same as after a build."""
    store, file = saved
    lazy = EmbeddedStore.open(file)
    prospects = _prospects(lazy)
    name = store.get_nodes([prospects[0]])[prospects[0]].name
    assert [n.id for n in lazy.find_nodes(name[:3])] == [n.id for n in store.find_nodes(name[:3])]
    assert _answers(lazy, prospects) == _answers(store, prospects)
    assert lazy.get_nodes(prospects) == store.get_nodes(prospects)
    assert lazy.degrees(prospects) == store.degrees(prospects)
    assert lazy.existing_ids([*prospects, "Company:nope"]) == set(prospects)
    assert lazy.stats() == store.stats()
    assert lazy.edges_of(prospects) == store.edges_of(prospects)  # neighbourhoods for the analysis queries
    assert lazy.edges_of(prospects, ["SERVES_AS"]) == store.edges_of(prospects, ["SERVES_AS"])
    assert list(lazy.iter_edges(["GUARANTEES", "HOLDS_SHARES"])) == list(
        store.iter_edges(["GUARANTEES", "HOLDS_SHARES"])
    )
    assert list(lazy.iter_nodes("Person")) == list(store.iter_nodes("Person"))
    assert lazy._graph is None, "none of these built the NetworkX graph"
    assert list(lazy.iter_edges()) == list(store.iter_edges())  # every relationship: this one builds it
    assert lazy._graph is not None


def test_round_trip_keeps_every_node_edge_property_and_answer(saved: tuple[EmbeddedStore, Path]) -> None:
    store, file = saved
    reopened = EmbeddedStore.open(file)
    assert list(reopened.graph.nodes) == list(store.graph.nodes)  # positions in the index too
    assert _nodes(reopened) == _nodes(store)
    assert list(reopened.graph.edges(keys=True)) == list(store.graph.edges(keys=True))
    assert _edges(reopened) == _edges(store)
    assert reopened.graph.graph == store.graph.graph
    assert reopened.stats() == store.stats()
    tuples = [v for a in _nodes(reopened).values() for v in a.values() if isinstance(v, tuple)]
    assert tuples, "the generated graph has list properties; they come back as tuples"
    prospects = _prospects(store)
    assert _answers(reopened, prospects) == _answers(store, prospects)
    assert reopened._index is not None, "the saved index is used, not rebuilt"
    again = file.with_name("again.gx")
    EmbeddedStore.open(file).save(again)
    assert again.read_bytes() == file.read_bytes(), "a reopened store saves the very same bytes"
    for name in ("degree", "indptr", "nbr", "etype", "ecost", "node_cost", "is_client", "status", "manager"):
        assert np.array_equal(getattr(reopened._index, name), getattr(store.index(), name)), name


def test_the_default_filters_bounds_are_saved(saved: tuple[EmbeddedStore, Path]) -> None:
    """A new process does not compute the most common query's search bounds again (issue 13)."""
    store, file = saved
    reopened = EmbeddedStore.open(file)
    assert reopened._index is not None
    key, cost, hops = store.default_bounds()
    assert set(reopened._index._bounds) == {key}
    saved_cost, saved_hops = reopened._index._bounds[key]
    assert np.array_equal(saved_cost, cost) and np.array_equal(saved_hops, hops)
    introductions(reopened, _prospects(store)[0])
    assert set(reopened._index._bounds) == {key}, "the default query used the saved bounds"


def test_round_trip_of_odd_values_and_later_writes(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    """Values a loader rarely makes come back exactly, types included."""
    _, file = saved
    odd = EmbeddedStore.open(file)
    nid = next(iter(odd.graph.nodes))
    other = list(odd.graph.nodes)[1]
    values: dict[str, Any] = {
        "none": None,
        "mixed": ("a", 1, 2.5, True, None, ["x"], {"k": ("y",)}),
        "big": 10**30,
        "inf": math.inf,
        "neg_zero": -0.0,
        "empty": (),
        "formula": "=HYPERLINK(1)",
        "as_list": ["a", "b"],
    }
    odd.graph.nodes[nid].update(values)
    odd.graph.nodes[other]["mixed"] = "plain"
    odd._changed()
    odd.save(tmp_path / "odd.gx")
    back = EmbeddedStore.open(tmp_path / "odd.gx")
    got = back.graph.nodes[nid]
    for name, value in values.items():
        assert got[name] == value and type(got[name]) is type(value), name
    assert math.copysign(1.0, got["neg_zero"]) == -1.0
    assert back.graph.nodes[other]["mixed"] == "plain"
    assert "none" not in back.graph.nodes[other], "absent stays absent, None stays None"


def test_reopened_store_takes_another_load(data: tuple[Path, Path], saved: tuple[EmbeddedStore, Path]) -> None:
    _, file = saved
    reopened = EmbeddedStore.open(file)
    load_files(reopened, data[1])
    both = EmbeddedStore()
    load_files(both, data[0])
    load_files(both, data[1])
    assert _edges(reopened) == _edges(both)
    prospects = _prospects(both)
    assert _answers(reopened, prospects) == _answers(both, prospects)


def test_other_warmth_settings_recompute_strengths(
    data: tuple[Path, Path], saved: tuple[EmbeddedStore, Path], tmp_path: Path
) -> None:
    store, file = saved
    warmth = tmp_path / "warmth.yaml"
    text = (ROOT / "graph" / "warmth.yaml").read_text(encoding="utf-8")
    changed = text.replace("0.9", "0.85", 1)
    assert changed != text
    warmth.write_text(changed, encoding="utf-8")
    weights = load_weights(warmth)
    reopened = EmbeddedStore.open(file, weights=weights)
    assert reopened._index is None, "an index saved under other warmth settings is not used"
    fresh = EmbeddedStore(weights=weights)
    load_files(fresh, data[0])
    prospects = _prospects(store)
    assert _answers(reopened, prospects) == _answers(fresh, prospects)


# -- hostile files ----------------------------------------------------------------------------
class _Evil:
    """Unpickling this creates the marker file: what a crafted store file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _evil_file(folder: Path, protocol: int = pickle.HIGHEST_PROTOCOL) -> tuple[Path, Path]:
    marker = folder / "pwned"
    evil = folder / "evil.gx"
    evil.write_bytes(pickle.dumps({"format": "guanxi-embedded/2", "graph": _Evil(marker)}, protocol=protocol))
    return evil, marker


def test_the_crafted_pickle_is_live(tmp_path: Path) -> None:
    """The payload really runs when unpickled, so the tests below prove something."""
    evil, marker = _evil_file(tmp_path)
    pickle.loads(evil.read_bytes())  # on purpose, in the test only
    assert marker.exists()


def _one_line(exc: BaseException, file: Path) -> str:
    message = str(exc)
    assert "\n" not in message and str(file) in message, message
    return message


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_crafted_pickle_runs_nothing(tmp_path: Path, protocol: int) -> None:
    evil, marker = _evil_file(tmp_path, protocol)
    with pytest.raises(StoreUnavailable) as caught:
        EmbeddedStore.open(evil)
    message = _one_line(caught.value, evil)
    assert ("older guanxi" in message or "not a guanxi store" in message) and "--replace" in message
    if protocol >= 2:
        assert "older guanxi" in message
    with pytest.raises(StoreUnavailable):
        open_store(Settings.from_env({"GUANXI_STORE": str(evil)}))
    assert not marker.exists()


def test_the_cli_refuses_a_crafted_pickle_in_one_line_and_rebuilds_it(
    tmp_path: Path, data: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    evil, marker = _evil_file(tmp_path)
    for argv in (["stats"], ["paths", "某公司"], ["load", str(data[0])]):
        assert main([*argv, "--store", str(evil)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and "older guanxi" in err, err
    assert not marker.exists()
    assert main(["load", str(data[0]), "--store", str(evil), "--replace", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert EmbeddedStore.open(evil).stats().node_count > 0
    assert not marker.exists()


def test_the_cli_in_a_new_process_prints_one_line(tmp_path: Path) -> None:
    evil, marker = _evil_file(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "guanxi", "stats", "--store", str(evil)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not marker.exists()


def test_the_demo_and_the_app_do_not_run_a_crafted_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from loaders.demo import DEMO_SEED, demo_store

    demo_graph = tmp_path / "demo" / f"c100-s{DEMO_SEED}" / "graph.gx"
    demo_graph.parent.mkdir(parents=True)
    evil, marker = _evil_file(tmp_path)
    demo_graph.write_bytes(evil.read_bytes())
    monkeypatch.setenv("GUANXI_DEMO_DIR", str(tmp_path / "demo"))
    rebuilt = demo_store(companies=100)
    assert rebuilt.stats().node_count > 0 and EmbeddedStore.open(demo_graph).stats() == rebuilt.stats()
    for name in ("NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUANXI_STORE", str(evil))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "older guanxi" in at.error[0].value
    assert not marker.exists()


def _damage(file: Path, out: Path, change: Callable[[bytearray], None]) -> Path:
    raw = bytearray(file.read_bytes())
    change(raw)
    out.write_bytes(bytes(raw))
    return out


def _manifest_of(raw: bytes) -> dict[str, Any]:
    offset = int.from_bytes(raw[16:24], "little")
    length = int.from_bytes(raw[24:32], "little")
    manifest: dict[str, Any] = json.loads(raw[offset : offset + length])
    return manifest


def _with_manifest(raw: bytes, manifest_bytes: bytes) -> bytes:
    """The file with another manifest, correctly signed: only the validation can refuse it."""
    import hashlib

    offset = int.from_bytes(raw[16:24], "little")
    head = MAGIC + offset.to_bytes(8, "little") + len(manifest_bytes).to_bytes(8, "little")
    return head + hashlib.sha256(manifest_bytes).digest() + raw[HEADER_SIZE:offset] + manifest_bytes


def _edited(raw: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    manifest = _manifest_of(raw)
    edit(manifest)
    return _with_manifest(raw, json.dumps(manifest).encode())


def _section(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in manifest["sections"] if s["name"] == name)
    return found


def _hostile_files(good: bytes) -> dict[str, bytes]:
    rng = np.random.default_rng(5)
    size = len(good)
    middle = HEADER_SIZE + (size - HEADER_SIZE) // 2
    flipped = bytearray(good)
    flipped[middle] ^= 0xFF
    cases: dict[str, bytes] = {
        "empty": b"",
        "random": rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "magic then random": MAGIC + rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "truncated header": good[:40],
        "truncated at half": good[: size // 2],
        "truncated by one": good[:-1],
        "bad section checksum": bytes(flipped),
        "bad manifest checksum": good[:-2] + b"!!",
        "json bomb (deep)": _with_manifest(good, b"[" * 200_000 + b"]" * 200_000),
        "json bomb (huge number)": _with_manifest(good, b'{"version": ' + b"9" * 10**5 + b"}"),
        "not an object": _with_manifest(good, b'"guanxi-store"'),
        "absurd manifest length": good[:24] + (2**62).to_bytes(8, "little") + good[32:],
        "absurd shape": _edited(good, lambda m: _section(m, "edge_src").update(shape=[10**15])),
        "offset past the end": _edited(good, lambda m: _section(m, "edge_src").update(offset=2**60)),
        "negative offset": _edited(good, lambda m: _section(m, "edge_src").update(offset=-64)),
        "overlapping sections": _edited(
            good, lambda m: _section(m, "edge_dst").update(offset=_section(m, "edge_src")["offset"])
        ),
        "object dtype": _edited(good, lambda m: _section(m, "edge_src").update(dtype="|O")),
        "unknown kind": _edited(good, lambda m: _section(m, "nodes").update(kind="pickle")),
        "absurd node count": _edited(good, lambda m: m["meta"]["counts"].update(nodes=10**12)),
        "float counts": _edited(good, lambda m: m["meta"]["counts"].update(nodes=1.5)),
        "other version": _edited(good, lambda m: m.update(version=99)),
        "column kind lies": _edited(good, lambda m: m["meta"]["node_columns"][0][0].__setitem__(1, "int")),
    }
    return cases


def test_damaged_and_crafted_files_give_one_line(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    _, file = saved
    good = file.read_bytes()
    for name, raw in _hostile_files(good).items():
        target = tmp_path / "bad.gx"
        target.write_bytes(raw)
        with pytest.raises(StoreUnavailable) as caught:
            EmbeddedStore.open(target)
        message = _one_line(caught.value, target)
        assert "not a guanxi store" in message and "--replace" in message, (name, message)


def test_a_folder_or_a_fifo_is_not_a_store(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.gx"
    os.mkfifo(fifo)
    for target in (tmp_path, fifo):
        with pytest.raises(StoreUnavailable) as caught:
            EmbeddedStore.open(target)
        assert "not a guanxi store" in _one_line(caught.value, target)


def _rewritten(file: Path, out: Path, change: dict[str, Any], meta: dict[str, Any] | None = None) -> Path:
    """A copy of a store file with some sections replaced, checksums recomputed (a crafted, consistent file)."""
    opened = StoreFile.open(file)
    sections: list[tuple[str, np.ndarray | pa.Table]] = []
    for name in opened.names():
        entry = opened._entries[name]
        value = opened.array(name) if entry.kind == "array" else opened.table(name)
        sections.append((name, change.get(name, value)))
    write_store_file(out, sections, {**opened.meta, **(meta or {})})
    return out


def test_crafted_contents_with_valid_checksums_are_refused(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    _, file = saved
    opened = StoreFile.open(file)
    n = opened.meta["counts"]["nodes"]
    src = np.array(opened.array("edge_src"))
    nbr = np.array(opened.array("index/nbr"))
    key_col = opened.table("nodes").column("key").to_pylist()
    cases: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {
        "edge end outside the graph": ({"edge_src": np.where(np.arange(len(src)) == 0, n + 5, src)}, None),
        "negative edge end": ({"edge_src": np.where(np.arange(len(src)) == 0, -1, src)}, None),
        "index neighbour outside": ({"index/nbr": np.where(np.arange(len(nbr)) == 0, n, nbr).astype(np.int32)}, None),
        "duplicate node ids": (
            {"nodes": pa.table({"key": [key_col[0]] * n, "name": ["x"] * n})},
            None,
        ),
        "duplicate relationships": (
            {"edge_src": np.full(len(src), src[0]), "edge_dst": np.full(len(src), opened.array("edge_dst")[0])},
            None,
        ),
        "label code outside": ({"node_label": np.full(n, 100, dtype=np.int8)}, None),
        "python object column": ({"node_props/0": pa.table({"x": pa.array([{"a": 1}] * _rows(opened, 0))})}, None),
        "strength above one": ({"edge_strength": np.full(len(src), 7.0)}, None),
        "nan costs": ({"index/ecost": np.full(len(nbr), np.nan)}, None),
        "nan bounds": ({"bounds/cost": np.full(n, np.nan)}, None),
        "bounds key not valid": ({}, {"bounds_key": ["clients", 1, None, [], [], True]}),
        "labels not text": ({}, {"labels": [1, 2, 3]}),
    }
    at_open = {"index neighbour outside", "label code outside", "nan bounds", "bounds key not valid", "labels not text"}
    for name, (change, meta) in cases.items():
        target = _rewritten(file, tmp_path / "crafted.gx", change, meta)
        with pytest.raises(StoreUnavailable) as caught:
            reopened = EmbeddedStore.open(target)
            assert name not in at_open, f"{name}: refused when the file is opened"
            reopened.graph  # noqa: B018 - what opening does not read is checked when it is used
        assert "not a guanxi store" in _one_line(caught.value, target), name


def _rows(opened: StoreFile, label: int) -> int:
    return int(opened.table(f"node_props/{label}").num_rows)


def test_graph_modules_never_unpickle() -> None:
    """No module under graph/ imports pickle-like loaders or calls eval/exec; numpy loads refuse pickles."""
    banned = {"pickle", "cPickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}
    for module in sorted((ROOT / "graph").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & banned, module
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] not in banned, module
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "__import__"), module
            if isinstance(node, ast.keyword) and node.arg == "allow_pickle":
                assert isinstance(node.value, ast.Constant) and node.value.value is False, module


# -- writers and readers ------------------------------------------------------------------------
def _load_process(files: Path, store: Path, timeout: float | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    if timeout is not None:
        env["GUANXI_LOCK_TIMEOUT"] = str(timeout)
    return subprocess.Popen(
        [sys.executable, "-m", "guanxi", "load", str(files), "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_loads_at_once_both_land(data: tuple[Path, Path], tmp_path: Path) -> None:
    """Both loads start while a writer holds the lock: they run one after the other and nothing is lost."""
    graph_file = tmp_path / "graph.gx"
    holder = WriterLock(graph_file)
    holder.acquire()
    loads = [_load_process(data[0], graph_file), _load_process(data[1], graph_file)]
    try:
        threading.Event().wait(1.0)
        assert all(p.poll() is None for p in loads), "both loads wait for the lock"
    finally:
        holder.release()
    for p in loads:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    both = EmbeddedStore()
    load_files(both, data[0])
    load_files(both, data[1])
    final = EmbeddedStore.open(graph_file)
    assert set(final.graph.nodes) == set(both.graph.nodes)
    assert set(_edges(final)) == set(_edges(both))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph-rejects.csv", "graph.gx", "graph.gx.lock"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["graph.gx", "graph.gx.lock"]


def test_a_writer_that_waits_too_long_fails_in_one_line(data: tuple[Path, Path], tmp_path: Path) -> None:
    graph_file = tmp_path / "graph.gx"
    holder = WriterLock(graph_file)
    holder.acquire()
    try:
        load = _load_process(data[0], graph_file, timeout=0.5)
        _, err = load.communicate(timeout=120)
    finally:
        holder.release()
    assert load.returncode == 2
    assert err.count("\n") == 1 and str(graph_file) in err and f"pid {os.getpid()}" in err, err
    assert not graph_file.exists()


def test_readers_during_saves_see_one_whole_version(data: tuple[Path, Path], tmp_path: Path) -> None:
    """20 readers open the file while it is saved again and again: each sees the before or the after graph."""
    graph_file = tmp_path / "graph.gx"
    small = EmbeddedStore()
    load_files(small, data[0])
    big = EmbeddedStore()
    load_files(big, data[0])
    load_files(big, data[1])
    small.save(graph_file)
    versions = [small.stats(), big.stats()]
    seen: list[object] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(EmbeddedStore.open(graph_file).stats())
            except BaseException as exc:  # every failure is reported
                errors.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(20)]
    for r in readers:
        r.start()
    try:
        for i in range(6):
            (big if i % 2 == 0 else small).save(graph_file)
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=60)
    assert not errors, errors[:3]
    assert len(seen) >= 20 and all(s in versions for s in seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.gx", "graph.gx.lock"]


def test_the_explorer_path_reloads_a_newer_file_before_writing(data: tuple[Path, Path], tmp_path: Path) -> None:
    """A store opened for reading (the explorer's) writes under the lock on top of what another process saved."""
    graph_file = tmp_path / "graph.gx"
    EmbeddedStore().save(graph_file)
    explorer = open_store(Settings.from_env({"GUANXI_STORE": str(graph_file)}))
    cli = EmbeddedStore.open_for_writing(graph_file)
    load_files(cli, data[0])
    cli.save()
    with writing(explorer, save=True):
        load_files(explorer, data[1])
    both = EmbeddedStore()
    load_files(both, data[0])
    load_files(both, data[1])
    assert set(EmbeddedStore.open(graph_file).graph.nodes) == set(both.graph.nodes)
    assert not WriterLock(graph_file).held


def test_stale_temp_files_are_removed_and_a_failed_save_keeps_the_old_file(
    saved: tuple[EmbeddedStore, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = saved
    graph_file = tmp_path / "graph.gx"
    store.save(graph_file)
    dead = tmp_path / ".graph.gx.999999999.abcd.tmp"  # no such pid
    alive = tmp_path / f".graph.gx.{os.getppid()}.abcd.tmp"  # a live process's save in progress
    other = tmp_path / "notes.tmp"
    for f in (dead, alive, other):
        f.write_bytes(b"x" * 100)

    def full_disk(fh: Any, sections: Any, meta: Any) -> None:
        fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_file, "_write_all", full_disk)
    with pytest.raises(StoreError) as caught:
        store.save(graph_file)
    assert "No space left on device" in _one_line(caught.value, graph_file)
    assert not dead.exists() and alive.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["graph.gx", "graph.gx.lock", alive.name, "notes.tmp"])
    assert EmbeddedStore.open(graph_file).stats() == store.stats()


_SLOW_SAVE = """
import sys, time
import graph.store_file as store_file
from graph.embedded import EmbeddedStore

def stalled(fh, sections, meta):
    fh.write(b"half a store file")
    fh.flush()
    time.sleep(120)

store_file._write_all = stalled
store = EmbeddedStore.open_for_writing(sys.argv[1])
store.save()
"""


def test_a_killed_save_leaves_the_old_file_and_its_temp_file_goes_at_the_next_save(
    saved: tuple[EmbeddedStore, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUANXI_LOCK_TIMEOUT", "30")  # fail, not hang, if the lock outlived its writer
    store, _ = saved
    graph_file = tmp_path / "graph.gx"
    store.save(graph_file)
    before = graph_file.read_bytes()
    saving = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(graph_file)], cwd=ROOT)
    try:
        for _ in range(600):
            temps = list(tmp_path.glob(".graph.gx.*.tmp"))
            if temps or saving.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert temps, "the save started"
    finally:
        saving.kill()
        saving.wait(timeout=60)
    assert graph_file.read_bytes() == before and EmbeddedStore.open(graph_file).stats() == store.stats()
    assert temps[0].exists()
    store.save(graph_file)  # the killed writer's lock went with it: no wait
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.gx", "graph.gx.lock"]


# -- a large file: opened without hashing or decoding it (issue 13) -----------------------------------
@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every file as a large one: no section hashed at open, only the structural checks."""
    monkeypatch.setattr(store_file, "EAGER_VERIFY_BYTES", 0)


def _bad_offsets(column: pa.Array) -> pa.Array:
    """The text column with its second value's end before its start (passes Arrow's cheap validation)."""
    offsets = np.frombuffer(column.buffers()[1], dtype="<i4")[column.offset : column.offset + len(column) + 1].copy()
    offsets[1] = offsets[2] + 1
    return pa.Array.from_buffers(pa.string(), len(column), [None, pa.py_buffer(offsets.tobytes()), column.buffers()[2]])


@pytest.mark.usefixtures("large")
def test_a_large_file_is_checked_structurally_and_the_doctor_finds_damage(
    saved: tuple[EmbeddedStore, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, file = saved
    lazy = EmbeddedStore.open(file)
    assert lazy._file is not None and not lazy._file.file.verified, "nothing hashed at open"
    prospects = _prospects(store)
    assert _answers(lazy, prospects) == _answers(store, prospects)
    lazy.verify()  # a whole file passes the doctor
    assert main(["doctor", "--store", str(file)]) == 0
    assert "whole" in capsys.readouterr().out
    # a flipped byte inside the relationships' strengths: not read to answer, found by the doctor
    entry = StoreFile.open(file)._entries["edge_strength"]
    damaged = _damage(
        file, tmp_path / "damaged.gx", lambda raw: raw.__setitem__(entry.offset + 3, raw[entry.offset + 3] ^ 0x10)
    )
    opened = EmbeddedStore.open(damaged)
    with pytest.raises(StoreUnavailable) as caught:
        opened.verify()
    assert "'edge_strength' is damaged" in _one_line(caught.value, damaged)
    assert main(["doctor", "--store", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "edge_strength" in err and "Traceback" not in err


@pytest.mark.usefixtures("large")
def test_hostile_files_opened_as_large_ones_give_one_line(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    """Every damaged or crafted file is refused in one line when opened or when used, never by a crash."""
    _, file = saved
    for name, raw in _hostile_files(file.read_bytes()).items():
        target = tmp_path / "bad.gx"
        target.write_bytes(raw)
        with pytest.raises(StoreUnavailable) as caught:
            opened = EmbeddedStore.open(target)
            opened.verify() if name == "bad section checksum" else opened.graph
        assert "not a guanxi store" in _one_line(caught.value, target), name


@pytest.mark.usefixtures("large")
def test_crafted_lookup_sections_are_refused(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    """The sections that let a reader skip decoding cannot send it outside the file either."""
    store, file = saved
    opened = StoreFile.open(file)
    n, m = opened.meta["counts"]["nodes"], opened.meta["counts"]["relationships"]
    nodes = opened.table("nodes")
    prospect = _prospects(store)[0]
    uses: dict[str, Callable[[EmbeddedStore], object]] = {
        "id order outside": lambda s: s.get_nodes([prospect]),
        "relationship order outside": lambda s: s.edges_of([prospect]),
        # every node: which of them a reversed order trips on depends on where the last target sits
        "relationship order unsorted": lambda s: [s.edges_of([nid]) for nid in list(store.graph.nodes)],
        "text lookup of numbers": lambda s: s.find_nodes("公司"),
        "key offsets out of order": lambda s: s.get_nodes([prospect]),
    }
    changes: dict[str, dict[str, Any]] = {
        "id order outside": {"lookup/id_order": np.full(n, n, dtype=np.int64)},
        "relationship order outside": {"lookup/in_order": np.full(m, m + 3, dtype=np.int64)},
        "relationship order unsorted": {"lookup/in_order": np.arange(m, dtype=np.int64)[::-1].copy()},
        "text lookup of numbers": {
            "lookup/text": pa.table({"key_upper": pa.array([1] * n), "name_folded": [None] * n})
        },
        "key offsets out of order": {
            "nodes": pa.table({"key": _bad_offsets(nodes.column("key").combine_chunks()), "name": nodes.column("name")})
        },
    }
    for name, change in changes.items():
        target = _rewritten(file, tmp_path / "crafted.gx", change)
        with pytest.raises(StoreUnavailable) as caught:
            uses[name](EmbeddedStore.open(target))
        assert "not a guanxi store" in _one_line(caught.value, target), name


def test_a_file_of_the_previous_format_asks_for_a_rebuild(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    _, file = saved
    old = tmp_path / "old.gx"
    old.write_bytes(_edited(file.read_bytes(), lambda m: m.update(version=3)))
    with pytest.raises(StoreUnavailable) as caught:
        EmbeddedStore.open(old)
    message = _one_line(caught.value, old)
    assert "version 3" in message and f"guanxi load FILES --store {old} --replace" in message


def test_the_name_search_on_an_opened_file_is_the_built_one(saved: tuple[EmbeddedStore, Path]) -> None:
    """Scanning the file's columns finds the same nodes in the same order as the index of every name."""
    store, file = saved
    lazy = EmbeddedStore.open(file)
    companies = [n for n in store.iter_nodes("Company")][:40]
    former = next(n for n in companies if n.props.get("former_names"))
    queries = [
        companies[0].name,
        companies[1].key.lower(),
        companies[2].name[:2],
        companies[3].name[2:5],
        str(former.props["former_names"][0]),
        "有限公司",
        "科技",
        "Company:" + companies[4].key,
        "no such name",
    ]
    for text in queries:
        for labels, limit in ((None, 20), (["Company"], 5), (["Person", "Park"], 50), (None, 1)):
            assert [n.id for n in lazy.find_nodes(text, labels, limit)] == [
                n.id for n in store.find_nodes(text, labels, limit)
            ], (text, labels, limit)
    assert lazy._graph is None


def _broken_column(column: pa.Array, how: str) -> pa.Array:
    """A copy of a property column damaged in one row so that Arrow's cheap validation still passes."""
    if how == "text offsets":
        return _bad_offsets(column)
    if how == "dictionary codes":
        codes = np.asarray(column.indices).astype(np.int32).copy()
        codes[1] = len(column.dictionary) + 7
        return pa.DictionaryArray.from_arrays(pa.array(codes), column.dictionary, safe=False)
    assert how == "list offsets"
    offsets = np.frombuffer(column.buffers()[1], dtype="<i4")[: len(column) + 1].copy()
    offsets[1] = offsets[2] + 1
    return pa.Array.from_buffers(
        column.type, len(column), [None, pa.py_buffer(offsets.tobytes())], children=[column.values]
    )


@pytest.mark.usefixtures("large")
@pytest.mark.parametrize("how", ["text offsets", "dictionary codes", "list offsets"])
def test_a_property_column_is_checked_where_it_is_read(
    saved: tuple[EmbeddedStore, Path], tmp_path: Path, how: str
) -> None:
    """An opened large file checks a property column's layout only where a query reads it (a cold query at a
    million companies would otherwise page in every text column's offsets); a damaged row is still refused
    in one line, whether one row or the whole column is read, and the rows around it still answer."""
    from graph.embedded_file import FileGraph

    _, file = saved
    opened = StoreFile.open(file)
    fg = FileGraph.open(file)
    wanted: Callable[[pa.DataType], bool] = {
        "text offsets": lambda t: bool(pa.types.is_string(t)),
        "dictionary codes": lambda t: bool(pa.types.is_dictionary(t) and pa.types.is_string(t.value_type)),
        "list offsets": lambda t: bool(pa.types.is_list(t)),
    }[how]
    found = [
        (i, name)
        for i in range(len(fg.labels))
        for name, _kind in fg.node_columns[i]
        if wanted(opened.table(f"node_props/{i}").schema.field(name).type)
        and opened.table(f"node_props/{i}").column(name).null_count == 0
        and fg.label_count(i) > 3
    ]
    assert found, f"the generated data has a complete node column stored with {how}"
    label, name = found[0]
    table = opened.table(f"node_props/{label}")
    column = _broken_column(table.column(name).combine_chunks(), how)
    target = _rewritten(
        file,
        tmp_path / "crafted.gx",
        {f"node_props/{label}": table.set_column(table.column_names.index(name), name, column)},
    )
    positions = np.flatnonzero(fg.label_codes == label)
    reader = FileGraph.open(target)
    assert name in reader.nodes_at([int(positions[0])])[0], "an undamaged row reads as before"
    with pytest.raises(StoreUnavailable) as caught:
        reader.nodes_at([int(positions[1])])
    assert "not a guanxi store" in _one_line(caught.value, target)
    with pytest.raises(StoreUnavailable) as caught:
        FileGraph.open(target).label_nodes(label)
    assert "not a guanxi store" in _one_line(caught.value, target)


@pytest.mark.usefixtures("large")
def test_a_strength_outside_the_range_is_refused_where_a_query_reads_it(
    saved: tuple[EmbeddedStore, Path], tmp_path: Path
) -> None:
    """Strengths are checked as a query takes them (not the whole array at its first use): a crafted
    file's strengths still never rank an answer, and the query is refused in one line."""
    store, file = saved
    m = StoreFile.open(file).meta["counts"]["relationships"]
    target = _rewritten(file, tmp_path / "crafted.gx", {"edge_strength": np.full(m, 7.0)})
    with pytest.raises(StoreUnavailable) as caught:
        _answers(EmbeddedStore.open(target), _prospects(store))
    assert "strength is outside" in _one_line(caught.value, target)


@pytest.mark.usefixtures("large")
def test_relationship_keys_are_checked_where_they_are_read(saved: tuple[EmbeddedStore, Path], tmp_path: Path) -> None:
    """A relationship's key is read (and its code and offsets checked) on its own; a damaged key is refused in
    one line when it is read, by one key or by the whole array."""
    from graph.embedded_file import FileGraph

    _, file = saved
    keys = StoreFile.open(file).table("edge_keys").column("key").combine_chunks()
    plain = keys.dictionary.take(keys.indices) if pa.types.is_dictionary(keys.type) else keys
    target = _rewritten(file, tmp_path / "crafted.gx", {"edge_keys": pa.table({"key": _bad_offsets(plain)})})
    reader = FileGraph.open(target)
    assert reader.edge_key(3) == plain[3].as_py(), "a key away from the damage reads as before"
    for use in (lambda: reader.edge_key(1), lambda: reader.edge_keys_at([3, 1]), lambda: reader.edges_of_type(0)):
        with pytest.raises(StoreUnavailable) as caught:
            use()
        assert "not a guanxi store" in _one_line(caught.value, target)
