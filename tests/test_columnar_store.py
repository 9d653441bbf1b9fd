"""A load into a file store writes the file from the load's columns: the same file as through NetworkX.

The columnar writer (:mod:`graph.columnar_store`) must mean exactly what the
NetworkX path writes: every section byte for byte and the same manifest, for
generated graphs of several seeds, for files in the shapes real exports come
in (companies without a USCC, Traditional titles, a company holding its own
shares, guarantees that look like duplicates), for hostile names, and for
appends that merge into what a file already holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import StoreError
from graph.model import RecordBatch
from graph.store_file import StoreFile
from loaders.generate import generate
from loaders.pipeline import load_files, replace_files
from tests.test_real_exports import uscc, write_export

HOSTILE = "统一社会信用代码,企业名称,成立日期\n" + "".join(
    f"{uscc(900 + i)},{name},2001-01-01\n"
    for i, name in enumerate(
        ['=HYPERLINK("http://x")', "<script>alert(1)</script>", '"名称,带逗号 ""引号"""', "ＡＢＣ（全角）有限公司"]
    )
)


def _sections(path: Path) -> tuple[dict[str, object], dict[str, bytes]]:
    sf = StoreFile.open(path)
    return sf.meta, {name: bytes(sf._bytes(sf._entries[name])) for name in sf.names()}


def _same_file(a: Path, b: Path) -> None:
    meta_a, sections_a = _sections(a)
    meta_b, sections_b = _sections(b)
    assert list(sections_a) == list(sections_b)
    assert [n for n in sections_a if sections_a[n] != sections_b[n]] == []
    assert meta_a == meta_b


def _load(path: Path, files: Path, *, graph: bool) -> dict[str, object]:
    """Load into the file at ``path`` through NetworkX (``graph``) or from the load's columns; the report."""
    if graph and not path.exists():  # a store without a file writes into NetworkX
        store = EmbeddedStore()
        report = load_files(store, files)
        store.save(path)
        return report.to_dict("en")
    store = EmbeddedStore.open_for_writing(path)
    if graph:
        store.graph  # noqa: B018 - built: the batches go into NetworkX and the save walks it
    report = load_files(store, files)
    assert bool(store._staged) is not graph
    store.save()
    assert (store._graph is None) is not graph  # the columnar save built no graph
    return report.to_dict("en")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("columnar")
    out = {f"seed{s}": root / f"seed{s}" for s in (3, 11)}
    for seed, folder in zip((3, 11), out.values(), strict=True):
        generate(folder, companies=150, seed=seed)
    out["export"] = write_export(root / "export")
    hostile = root / "hostile"
    hostile.mkdir()
    (hostile / "companies.csv").write_text(HOSTILE, encoding="utf-8")
    out["hostile"] = hostile
    return out


@pytest.mark.parametrize("seed", ["seed3", "seed11"])
def test_a_fresh_load_writes_the_same_file_and_report(tmp_path: Path, data: dict[str, Path], seed: str) -> None:
    assert _load(tmp_path / "a.gx", data[seed], graph=True) == _load(tmp_path / "b.gx", data[seed], graph=False)
    _same_file(tmp_path / "a.gx", tmp_path / "b.gx")


def test_appends_merge_into_the_file_as_through_networkx(tmp_path: Path, data: dict[str, Path]) -> None:
    a, b = tmp_path / "a.gx", tmp_path / "b.gx"
    for files in ("export", "seed11", "hostile", "seed11"):  # the last: every row merges into what is there
        assert _load(a, data[files], graph=True) == _load(b, data[files], graph=False), files
        _same_file(a, b)
    reopened = EmbeddedStore.open(b)
    assert reopened.stats() == EmbeddedStore.open(a).stats()
    for text in ("HYPERLINK", "script", "全角"):  # each hostile name found, as written, in both files
        found = [n.name for n in reopened.find_nodes(text, limit=5)]
        assert len(found) == 1 and found == [n.name for n in EmbeddedStore.open(a).find_nodes(text, limit=5)]


def test_a_replace_writes_the_same_file(tmp_path: Path, data: dict[str, Path]) -> None:
    files = {}
    for name, graph in (("a.gx", True), ("b.gx", False)):
        path = tmp_path / name
        _load(path, data["seed3"], graph=graph)
        store = EmbeddedStore.open_for_writing(path)
        new, _ = replace_files(store, data["export"])
        assert isinstance(new, EmbeddedStore) and bool(new._staged)
        if graph:
            new._settle()  # written into NetworkX, and saved from there
        new.save()
        files[name] = path
    _same_file(files["a.gx"], files["b.gx"])


def test_reading_before_the_save_writes_the_kept_batches_into_the_graph(tmp_path: Path, data: dict[str, Path]) -> None:
    store = EmbeddedStore.open_for_writing(tmp_path / "a.gx")
    load_files(store, data["seed3"])
    assert store._staged
    counted = store.stats()  # needs the graph: the kept batches are written into it
    assert not store._staged and store._graph is not None
    store.save()
    _load(tmp_path / "b.gx", data["seed3"], graph=False)
    _same_file(tmp_path / "a.gx", tmp_path / "b.gx")
    assert EmbeddedStore.open(tmp_path / "b.gx").stats() == counted


def test_a_failed_columnar_save_leaves_the_old_file(tmp_path: Path, data: dict[str, Path]) -> None:
    import pandas as pd

    path = tmp_path / "a.gx"
    _load(path, data["seed3"], graph=False)
    before = path.read_bytes()
    store = EmbeddedStore.open_for_writing(path)
    frame = pd.DataFrame({"source": ["Company:nobody"], "target": ["Company:nobody"], "ratio": [0.5]})
    store.write(RecordBatch("edges", "HOLDS_SHARES", frame, ends_checked=True))
    with pytest.raises(StoreError, match="relationship ends are not in the graph"):
        store.save()
    store.close()
    assert path.read_bytes() == before
