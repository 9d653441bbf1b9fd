"""The store file's save path: property columns read a row layout at a time, sections written as made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.embedded_file import _columns_of, _props_table, load_graph
from graph.errors import StoreError
from loaders.generate import generate
from loaders.pipeline import load_files

ROWS: list[dict[str, Any]] = [
    {"a": 1, "b": "x"},
    {"b": "y", "a": 2},  # the same names in another order: another layout
    {"a": 3},
    {},
    {"c": None, "a": 4, "b": "z"},  # an explicit None is a value, not an absence
    {"a": 5, "b": "x", "d": ("p", "q")},
    {"b": "w", "a": 6},
]


def _naive(rows: list[dict[str, Any]]) -> dict[str, tuple[list[int], list[Any]]]:
    names = dict.fromkeys(name for row in rows for name in row)
    return {
        name: ([i for i, row in enumerate(rows) if name in row], [row[name] for row in rows if name in row])
        for name in names
    }


def test_columns_of_matches_the_row_by_row_reading() -> None:
    got = _columns_of(ROWS)
    expected = _naive(ROWS)
    assert list(got) == list(expected)  # properties in the order they first appear
    for name, (positions, values) in got.items():
        assert positions.tolist() == expected[name][0]
        assert values.tolist() == expected[name][1]
    assert _columns_of([]) == {}


def test_props_table_keeps_kinds_and_absences() -> None:
    table, kinds = _props_table(ROWS, frozenset({"b"}), "test")
    assert kinds == [["a", "int"], ["c", "json"], ["d", "tuple"]]
    assert table.column("a").to_pylist() == [1, 2, 3, None, 4, 5, 6]
    assert table.column("c").to_pylist() == [None, None, None, None, "null", None, None]
    assert table.column("d").to_pylist() == [None, None, None, None, None, ["p", "q"], None]


def test_props_table_names_a_property_a_file_cannot_hold() -> None:
    with pytest.raises(StoreError, match="property 'a'"):
        _props_table([{"a": object()}], frozenset(), "Company node")
    with pytest.raises(StoreError, match="not text"):
        odd: dict[Any, Any] = {1: "x"}
        _props_table([odd], frozenset(), "Company node")


def test_a_saved_store_reads_back_and_a_bad_one_leaves_the_old_file(tmp_path: Path) -> None:
    generate(tmp_path / "data", companies=100, seed=2)
    store = EmbeddedStore()
    load_files(store, tmp_path / "data")
    file = tmp_path / "g.gx"
    store.save(file)
    contents = load_graph(file)
    graph = store.graph
    assert contents.ids == store._ids
    assert contents.nodes == [graph.nodes[nid] for nid in store._ids]
    edges = list(graph.edges(keys=True, data=True))
    assert len(contents.edges) == len(edges) > 0
    saved = {
        (contents.ids[s], contents.ids[d], k): attrs
        for s, d, k, attrs in zip(
            contents.src.tolist(), contents.dst.tolist(), contents.keys, contents.edges, strict=True
        )
    }
    assert saved == {(u, v, k): attrs for u, v, k, attrs in edges}
    before = file.read_bytes()
    store.save(file)
    assert file.read_bytes() == before  # the same graph, the same bytes
    graph.nodes[store._ids[3]]["key"] = "other"  # no longer its id: refused, and the old file is kept
    with pytest.raises(StoreError, match="cannot be saved"):
        store.save(file)
    assert file.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
