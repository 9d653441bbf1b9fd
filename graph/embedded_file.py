"""What the embedded store writes into its file, by column, and how it is read back and checked.

The container (header, manifest, checksums, atomic write, lock) is
:mod:`graph.store_file`; this module decides the sections:

================================  ======================================================
section                           content
================================  ======================================================
``node_label``                    int8 per node (position order): index into meta ``labels``
``nodes``                         Arrow: ``key``, ``name`` per node
``node_props/<i>``                Arrow: the properties of label ``i``'s nodes, one column
                                  per property, null where a node has none
``edge_src``, ``edge_dst``        int64 node positions, one row per relationship
                                  (NetworkX's edge order)
``edge_type``                     int8: index into meta ``types``
``edge_strength``                 float64 strength under meta ``weights`` (warmth digest)
``edge_keys``                     Arrow: ``key``, the relationship's identity string
``edge_props/<j>``                Arrow: properties of type ``j``'s relationships
``index/<array>``                 the search index's numeric arrays (CSR, costs, degrees, flags)
``bounds/cost``, ``bounds/hops``  float64 search bounds of the default filter (meta
                                  ``bounds_key``), so a new process need not compute them
================================  ======================================================

The index and bounds are used only when the file's warmth digest and
relationship types are the reader's; otherwise they are rebuilt from the
relationships. Every array's length, every code and position, the index's
adjacency and costs are checked on opening, so a crafted file with valid
checksums still cannot send a look-up outside its arrays.

Property columns say in meta how to read them back: ``bool``, ``int``,
``float``, ``str``, ``tuple``/``list`` (of strings) or ``json`` (anything else a
property holds — mixed types, nested lists, an explicit None — as tagged JSON
text, so a tuple comes back a tuple). Values the file cannot hold exactly make
the save fail rather than come back different.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.errors import StoreError
from graph.model import node_id
from graph.search_index import SearchIndex
from graph.store_file import Section, StoreFile, write_store_file

#: the arrays of :class:`~graph.search_index.SearchIndex` saved as they are, with their dtypes
INDEX_ARRAYS: dict[str, str] = {
    "degree": "<i8",
    "node_cost": "<f8",
    "is_client": "|b1",
    "blacklisted": "|b1",
    "indptr": "<i8",
    "nbr": "<i4",
    "etype": "|i1",
    "ecost": "<f8",
}

#: node properties the search index reads as they are (object arrays, from the node columns)
INDEX_TEXT = ("status", "manager", "branch")

_ABSENT = object()
_INT64 = (-(2**63), 2**63 - 1)


# -- property columns ---------------------------------------------------------------------
def _tagged(value: Any) -> Any:
    """A property value as JSON data that keeps tuples and lists apart."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, tuple):
        return {"t": [_tagged(v) for v in value]}
    if isinstance(value, list):
        return {"l": [_tagged(v) for v in value]}
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {"d": {k: _tagged(v) for k, v in value.items()}}
    raise TypeError(f"a value of type {type(value).__name__}")


def _untagged(data: Any) -> Any:
    if isinstance(data, dict):
        if set(data) == {"t"} and isinstance(data["t"], list):
            return tuple(_untagged(v) for v in data["t"])
        if set(data) == {"l"} and isinstance(data["l"], list):
            return [_untagged(v) for v in data["l"]]
        if set(data) == {"d"} and isinstance(data["d"], dict):
            return {k: _untagged(v) for k, v in data["d"].items()}
        raise ValueError("an unknown tagged value")
    if isinstance(data, list):
        raise ValueError("an untagged list")
    return data


def _kind(values: Sequence[Any]) -> str:
    """How a column of present values is stored (see the module docstring)."""
    types = set(map(type, values))
    if types == {bool}:
        return "bool"
    if types == {int} and _INT64[0] <= min(values) and max(values) <= _INT64[1]:
        return "int"
    if types == {float}:
        return "float"
    if types == {str}:
        return "str"
    for seq in (tuple, list):
        if types == {seq} and all(type(x) is str for v in values for x in v):
            return seq.__name__
    return "json"


def _encode_column(column: list[Any]) -> tuple[pa.Array, str]:
    """An Arrow array for one property (``_ABSENT`` where a row has none) and its kind."""
    present = np.flatnonzero(np.fromiter((v is not _ABSENT for v in column), dtype=bool, count=len(column)))
    return _encode_present(len(column), present, _objects([column[p] for p in present.tolist()]))


def _encode_present(count: int, positions: np.ndarray, values: np.ndarray) -> tuple[pa.Array, str]:
    """An Arrow array of ``count`` rows holding ``values`` (object array) at ``positions`` (ascending), and its kind.

    Rows not in ``positions`` have no value (null). Array-at-once conversions:
    no Python loop over the rows except for the kinds that need one (lists,
    JSON).
    """
    listed = values.tolist()
    kind = _kind(listed)
    full = len(positions) == count

    def spread(items: np.ndarray) -> np.ndarray:
        out = np.full(count, None, dtype=object)
        out[positions] = items
        return out

    if kind in ("tuple", "list"):
        arr = pa.array(spread(_objects([list(v) for v in listed])), type=pa.list_(pa.string()))
    elif kind == "json":
        text = _objects([json.dumps(_tagged(v), ensure_ascii=False) for v in listed])
        arr = pa.array(text if full else spread(text), type=pa.string())
    else:
        arrow_type = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}[kind]
        arr = pa.array(values if full else spread(values), type=arrow_type)
    if kind in ("str", "json") and count > 64:
        encoded = arr.dictionary_encode()
        if 2 * len(encoded.dictionary) <= count:  # repeated values: stored and read back once each
            arr = encoded
    return arr, kind


def _columns_of(rows: Sequence[dict[str, Any]]) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    """Every property of the row dicts as (positions, values), in the order the properties first appear.

    Rows are grouped by their layout (the tuple of their property names, in
    order): a graph's rows share a handful of layouts, and the values of one
    layout's rows are read row by row at C speed into one flat object array
    that is then cut into columns, so no Python code runs per row and property.
    """
    count = len(rows)
    if not count:
        return {}
    row_arr = _objects(rows)
    table: dict[tuple[Any, ...], int] = {}
    # codes in order of first appearance, at C speed: len(table) is taken just before each setdefault
    layout_codes = np.fromiter(
        map(table.setdefault, map(tuple, rows), map(len, itertools.repeat(table))), dtype=np.int64, count=count
    )
    layouts = list(table)
    if len(layouts) == 1:
        groups = [(np.arange(count, dtype=np.int64), layouts[0])]
    else:
        order = np.argsort(layout_codes, kind="stable")
        bounds = np.searchsorted(layout_codes[order], np.arange(len(layouts) + 1))
        groups = [(order[bounds[g] : bounds[g + 1]], layouts[g]) for g in range(len(layouts))]
    parts: dict[Any, list[tuple[np.ndarray, np.ndarray]]] = {}
    for at, layout in groups:
        if not layout:
            continue
        width = len(layout)
        flat = np.fromiter(
            itertools.chain.from_iterable(map(dict.values, row_arr[at].tolist())), dtype=object, count=len(at) * width
        ).reshape(len(at), width)
        for j, name in enumerate(layout):
            parts.setdefault(name, []).append((at, flat[:, j]))
    out: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    for name, found in parts.items():
        if len(found) == 1:
            out[name] = found[0]
            continue
        at = np.concatenate([a for a, _ in found])
        values = np.concatenate([v for _, v in found])
        order = np.argsort(at, kind="stable")
        out[name] = (at[order], values[order])
    return out


def _props_table(rows: Sequence[dict[str, Any]], skip: frozenset[str], what: str) -> tuple[pa.Table, list[list[str]]]:
    """One table of the rows' properties (all but ``skip``) and the kind of each column."""
    arrays: list[pa.Array] = []
    kinds: list[list[str]] = []
    for name, (positions, values) in _columns_of(rows).items():
        if name in skip:
            continue
        if type(name) is not str:
            raise StoreError(f"{what} has a property named {name!r}, which is not text")
        try:
            arr, kind = _encode_present(len(rows), positions, values)
        except (TypeError, ValueError, OverflowError, pa.ArrowException) as exc:
            raise StoreError(f"{what} property {name!r} holds {exc}, which a store file cannot hold") from None
        arrays.append(arr)
        kinds.append([name, kind])
    if not arrays:  # no properties: one all-null column keeps the row count
        return pa.table({"_rows": pa.nulls(len(rows), type=pa.bool_())}), kinds
    return pa.Table.from_arrays(arrays, names=[n for n, _ in kinds]), kinds


_ARROW_OF_KIND: dict[str, Callable[[pa.DataType], bool]] = {
    "bool": pa.types.is_boolean,
    "int": pa.types.is_int64,
    "float": pa.types.is_float64,
    "str": pa.types.is_string,
    "json": pa.types.is_string,
    "tuple": lambda t: pa.types.is_list(t) and pa.types.is_string(t.value_type),
    "list": lambda t: pa.types.is_list(t) and pa.types.is_string(t.value_type),
}


def _decode_column(arr: pa.Array, kind: str) -> tuple[np.ndarray, list[Any]]:
    """Positions of the present values of a column and those values as Python objects."""
    if pa.types.is_dictionary(arr.type):
        valid = np.asarray(arr.is_valid())
        codes = arr.indices.to_numpy(zero_copy_only=False)[valid].astype(np.int64)
        table = arr.dictionary.to_pylist()
        if codes.size and (codes.min() < 0 or codes.max() >= len(table)):
            raise ValueError("dictionary codes out of range")
        if arr.dictionary.null_count:
            raise ValueError("a null inside the dictionary")
        if kind == "json":
            table = [_untagged(json.loads(t)) if t is not None else None for t in table]
        shared = np.empty(len(table), dtype=object)
        shared[:] = table
        values = shared[codes].tolist()
    else:
        valid = np.asarray(arr.is_valid())
        values = [v for v in arr.to_pylist() if v is not None] if arr.null_count else arr.to_pylist()
        if kind == "json":
            values = [_untagged(json.loads(v)) for v in values]
        elif kind == "tuple":
            values = [tuple(v) for v in values]
    return np.flatnonzero(valid), values


def _objects(values: Sequence[Any]) -> np.ndarray:
    """A 1-d object array of the values (tuples and dicts stay single items)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _rows_of(
    head: dict[str, list[Any]], count: int, table: pa.Table, kinds: Any, file: StoreFile, wanted: Sequence[str] = ()
) -> tuple[list[dict[str, Any]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The row dicts of one label's nodes or one type's relationships: ``head`` columns, then the table's.

    Properties keep the order the writer saw them in, so saving a reopened
    store writes the same bytes; a row without a value has no key. Also
    returns the ``wanted`` columns as (positions, values).
    """
    if not isinstance(kinds, list) or not all(
        isinstance(k, list) and len(k) == 2 and all(isinstance(x, str) for x in k) for k in kinds
    ):
        raise file.bad("a property table has no valid column list")
    names = [n for n, _ in kinds]
    if table.column_names != (names or ["_rows"]) or len(set(names)) != len(names):
        raise file.bad("a property table's columns do not match the manifest")
    columns: list[Any] = list(head.values())
    gaps: list[tuple[str, np.ndarray]] = []
    picked: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, kind in kinds:
        check = _ARROW_OF_KIND.get(kind)
        arr = table.column(name).combine_chunks()
        value_type = arr.type.value_type if pa.types.is_dictionary(arr.type) else arr.type
        if check is None or not check(value_type) or name in head:
            raise file.bad(f"property {name!r} is stored as {arr.type}, not as {kind!r}")
        try:
            positions, values = _decode_column(arr, kind)
        except (ValueError, TypeError, RecursionError, pa.ArrowException) as exc:
            raise file.bad(f"property {name!r} holds unreadable values ({str(exc)[:120]})") from None
        if name in wanted:
            picked[name] = (positions, _objects(values))
        if len(positions) == count:
            columns.append(values)
            continue
        full = np.full(count, None, dtype=object)
        full[positions] = _objects(values)
        columns.append(full.tolist())
        absent = np.ones(count, dtype=bool)
        absent[positions] = False
        gaps.append((name, np.flatnonzero(absent)))
    keys = [*head, *names]
    # map(dict, map(zip, ...)) makes the row dicts at C speed; every column has ``count`` values (checked above)
    rows: list[dict[str, Any]] = list(map(dict, map(zip, itertools.repeat(keys), zip(*columns, strict=True))))
    for name, absent_at in gaps:
        for p in absent_at.tolist():
            del rows[p][name]
    return rows, picked


# -- writing ------------------------------------------------------------------------------
def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Codes in order of first appearance, and the distinct values."""
    encoded = pa.array(values, type=pa.string()).dictionary_encode()  # dictionary in order of first appearance
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary.to_pylist()


def _all_text(values: Sequence[Any]) -> bool:
    return not values or set(map(type, values)) == {str}


def _node_heads(graph: Any, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str], pa.Array, pa.Array]:
    """The attribute dicts of the nodes in position order, their labels, and keys and names as Arrow text.

    Every node must have a text label, key and name matching its id (checked
    at once with Arrow kernels; the first that does not is named).
    """
    node_rows: list[dict[str, Any]] = list(map(graph._node.__getitem__, ids))
    try:
        heads = [list(h) for h in zip(*map(operator.itemgetter("label", "key", "name"), node_rows), strict=True)]
    except KeyError:
        heads = []
    if not ids:
        heads = [[], [], []]
    if len(heads) != 3 or not all(_all_text(h) for h in heads):
        _refuse_node(ids, node_rows)
    labels, keys, names = heads
    key_arr, name_arr = pa.array(keys, type=pa.string()), pa.array(names, type=pa.string())
    joined = pc.binary_join_element_wise(pa.array(labels, type=pa.string()), key_arr, ":")
    if len(ids) and not pc.all(pc.equal(joined, pa.array(ids, type=pa.string()))).as_py():
        _refuse_node(ids, node_rows)
    return node_rows, labels, key_arr, name_arr


def _refuse_node(ids: Sequence[str], node_rows: Sequence[dict[str, Any]]) -> None:
    """Raise StoreError naming the first node without a text label, key and name matching its id."""
    for nid, row in zip(ids, node_rows, strict=True):
        label, key, name = row.get("label"), row.get("key"), row.get("name")
        if type(label) is not str or type(key) is not str or type(name) is not str or node_id(label, key) != nid:
            raise StoreError(f"node {nid!r} has no text label, key and name matching its id; it cannot be saved")
    raise StoreError("the nodes cannot be saved")  # pragma: no cover - the caller found a bad node


def _edge_walk(
    graph: Any, pos: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, list[str], list[dict[str, Any]], list[str]]:
    """Every relationship in NetworkX's edge order: source and target positions, keys, attribute dicts, types.

    What ``graph.edges(keys=True, data=True)`` yields, read from the
    adjacency dicts directly (no edge-view objects). Keys and types must be text.
    """
    src_l: list[int] = []
    dst_l: list[int] = []
    keys: list[str] = []
    rows: list[dict[str, Any]] = []
    add_src, add_dst, add_key, add_row = src_l.append, dst_l.append, keys.append, rows.append
    for u, nbrs in graph._succ.items():
        if not nbrs:
            continue
        pu = pos[u]
        for v, keydict in nbrs.items():
            pv = pos[v]
            for key, attrs in keydict.items():
                add_src(pu)
                add_dst(pv)
                add_key(key)
                add_row(attrs)
    try:
        types: list[str] = list(map(operator.itemgetter("type"), rows))
    except KeyError:
        types = []
    if len(types) != len(rows) or not _all_text(keys) or not _all_text(types):
        for u, v, key, attrs in graph.edges(keys=True, data=True):
            if type(key) is not str or type(attrs.get("type")) is not str:
                raise StoreError(f"relationship {u!r} -> {v!r} has no text key and type; it cannot be saved")
    return np.array(src_l, dtype=np.int64), np.array(dst_l, dtype=np.int64), keys, rows, types


def save_graph(
    file: Path,
    graph: Any,
    ids: Sequence[str],
    pos: dict[str, int],
    strength_of: Callable[[np.ndarray, np.ndarray, list[str], list[str]], np.ndarray],
    index: SearchIndex,
    weights_digest: str,
    bounds: tuple[tuple[object, ...], np.ndarray, np.ndarray] | None = None,
) -> None:
    """Write a NetworkX multigraph (nodes in position order ``ids``), its edge strengths and search index.

    ``strength_of(src, dst, keys, types)`` gives each relationship's strength
    in the same order; ``bounds`` is a filter key of the index and its search
    bounds (cost, hops), saved so that a new process need not compute them.
    Sections are made one at a time and written as they are made
    (:func:`_sections`), so the file's contents are never all in memory at once.
    """
    graph_attrs = dict(graph.graph)
    if not all(type(k) is str and (v is None or type(v) in (str, int, float, bool)) for k, v in graph_attrs.items()):
        raise StoreError("the graph's own attributes hold values a store file cannot hold")
    meta: dict[str, Any] = {}
    write_store_file(
        file, _sections(meta, graph, ids, pos, strength_of, index, weights_digest, bounds, graph_attrs), meta
    )


def _sections(
    meta: dict[str, Any],
    graph: Any,
    ids: Sequence[str],
    pos: dict[str, int],
    strength_of: Callable[[np.ndarray, np.ndarray, list[str], list[str]], np.ndarray],
    index: SearchIndex,
    weights_digest: str,
    bounds: tuple[tuple[object, ...], np.ndarray, np.ndarray] | None,
    graph_attrs: dict[str, Any],
) -> Iterator[Section]:
    """The sections of :func:`save_graph` one by one; ``meta`` is complete once the last is made."""
    node_rows, labels, key_arr, name_arr = _node_heads(graph, ids)
    label_codes, label_names = _codes(labels)
    del labels
    if len(label_names) > 127:
        raise StoreError("a store file holds at most 127 labels and 127 relationship types")
    yield "node_label", label_codes.astype(np.int8)
    yield "nodes", pa.table({"key": key_arr, "name": name_arr})
    del key_arr, name_arr
    node_arr = _objects(node_rows)
    del node_rows
    node_kinds: list[list[list[str]]] = []
    reserved = frozenset({"label", "key", "name"})
    for i, label in enumerate(label_names):
        table, kinds = _props_table(node_arr[label_codes == i].tolist(), reserved, f"{label} node")
        node_kinds.append(kinds)
        yield f"node_props/{i}", table
        del table
    del node_arr
    src, dst, keys, edge_rows, types = _edge_walk(graph, pos)
    type_codes, type_names = _codes(types)
    if len(type_names) > 127:
        raise StoreError("a store file holds at most 127 labels and 127 relationship types")
    yield "edge_src", src
    yield "edge_dst", dst
    yield "edge_type", type_codes.astype(np.int8)
    yield "edge_strength", np.asarray(strength_of(src, dst, keys, types), dtype=np.float64)
    del src, dst, types
    yield "edge_keys", pa.table({"key": pa.array(keys, type=pa.string()).dictionary_encode()})
    count = len(keys)
    del keys
    edge_arr = _objects(edge_rows)
    del edge_rows
    edge_kinds: list[list[list[str]]] = []
    for j, type_ in enumerate(type_names):
        table, kinds = _props_table(edge_arr[type_codes == j].tolist(), frozenset({"type"}), f"{type_} relationship")
        edge_kinds.append(kinds)
        yield f"edge_props/{j}", table
        del table
    del edge_arr
    for name in INDEX_ARRAYS:
        yield f"index/{name}", np.asarray(getattr(index, name))
    bounds_key: list[Any] | None = None
    if bounds is not None:
        key, cost, hops = bounds
        bounds_key = [list(k) if isinstance(k, tuple) else k for k in key]
        yield "bounds/cost", np.asarray(cost, dtype=np.float64)
        yield "bounds/hops", np.asarray(hops, dtype=np.float64)
    meta.update(
        {
            "counts": {"nodes": len(ids), "relationships": count},
            "labels": label_names,
            "types": type_names,
            "node_columns": node_kinds,
            "edge_columns": edge_kinds,
            "graph": graph_attrs,
            "weights": weights_digest,
            "index_types": list(index.types),
            "bounds_key": bounds_key,
        }
    )


# -- reading ------------------------------------------------------------------------------
@dataclass
class Contents:
    """A store file's graph, read and checked: what :class:`~graph.embedded.EmbeddedStore` rebuilds itself from."""

    file: Path
    ids: list[str]
    nodes: list[dict[str, Any]]
    src: np.ndarray
    dst: np.ndarray
    keys: list[str]
    key_codes: np.ndarray
    key_table: list[str]
    types: list[str]
    type_codes: np.ndarray
    edges: list[dict[str, Any]]
    strength: np.ndarray
    graph_attrs: dict[str, Any]
    weights: str
    index_types: list[str]
    index_arrays: dict[str, np.ndarray]
    index_text: dict[str, np.ndarray]
    bounds: tuple[tuple[object, ...], np.ndarray, np.ndarray] | None


def _str_list(value: Any, file: StoreFile, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise file.bad(f"the manifest has no valid {what}")
    return value


def _codes_in_range(arr: np.ndarray, size: int, file: StoreFile, what: str) -> None:
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= size):
        raise file.bad(f"{what} point outside the graph")


def load_graph(path: Path) -> Contents:
    """Read and check a store file; StoreUnavailable with one line if it is not a valid guanxi store."""
    file = StoreFile.open(path)
    meta = file.meta
    counts = meta.get("counts")
    if not isinstance(counts, dict) or not all(type(counts.get(k)) is int for k in ("nodes", "relationships")):
        raise file.bad("the manifest has no valid counts")
    n, m = counts["nodes"], counts["relationships"]
    labels = _str_list(meta.get("labels"), file, "labels")
    types = _str_list(meta.get("types"), file, "relationship types")
    index_types = _str_list(meta.get("index_types"), file, "index types")
    weights = meta.get("weights")
    graph_attrs = meta.get("graph")
    if not isinstance(weights, str) or not isinstance(graph_attrs, dict):
        raise file.bad("the manifest has no valid weights or graph attributes")
    node_columns, edge_columns = meta.get("node_columns"), meta.get("edge_columns")
    if not isinstance(node_columns, list) or len(node_columns) != len(labels):
        raise file.bad("the manifest's node columns do not match its labels")
    if not isinstance(edge_columns, list) or len(edge_columns) != len(types):
        raise file.bad("the manifest's relationship columns do not match its types")

    label_codes = file.array("node_label", "|i1", n)
    _codes_in_range(label_codes, len(labels), file, "node labels")
    nodes_table = file.table("nodes", n)
    if nodes_table.column_names != ["key", "name"] or not all(pa.types.is_string(t) for t in nodes_table.schema.types):
        raise file.bad("section 'nodes' does not hold text keys and names")
    keys_col, names_col = (c.combine_chunks() for c in nodes_table.columns)
    if keys_col.null_count or names_col.null_count:
        raise file.bad("a node has no key or name")
    key_values = _objects(keys_col.to_pylist())
    name_values = _objects(names_col.to_pylist())
    id_values = np.empty(n, dtype=object)
    node_values = np.empty(n, dtype=object)
    text = {name: np.full(n, None, dtype=object) for name in INDEX_TEXT}
    for i, (label, kinds) in enumerate(zip(labels, node_columns, strict=True)):
        where = np.flatnonzero(label_codes == i)
        keys = key_values[where].tolist()
        head = {"label": [label] * len(where), "key": keys, "name": name_values[where].tolist()}
        table = file.table(f"node_props/{i}", len(where))
        rows, picked = _rows_of(head, len(where), table, kinds, file, INDEX_TEXT)
        prefix = node_id(label, "")
        id_values[where] = _objects([prefix + k for k in keys])
        node_values[where] = _objects(rows)
        for name, (positions, values) in picked.items():
            text[name][where[positions]] = values
    ids: list[str] = id_values.tolist()
    nodes: list[dict[str, Any]] = node_values.tolist()

    src = file.array("edge_src", "<i8", m)
    dst = file.array("edge_dst", "<i8", m)
    _codes_in_range(src, n, file, "relationship sources")
    _codes_in_range(dst, n, file, "relationship targets")
    type_codes = file.array("edge_type", "|i1", m)
    _codes_in_range(type_codes, len(types), file, "relationship types")
    strength = file.array("edge_strength", "<f8", m)
    if m and not bool(np.all((strength > 0) & (strength <= 1))):
        raise file.bad("a relationship's strength is outside (0, 1]")
    key_arr = file.table("edge_keys", m).column("key").combine_chunks()
    if not pa.types.is_dictionary(key_arr.type):
        key_arr = key_arr.dictionary_encode()
    if not pa.types.is_string(key_arr.type.value_type) or key_arr.null_count:
        raise file.bad("section 'edge_keys' does not hold text keys")
    key_codes = key_arr.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    key_table: list[str] = key_arr.dictionary.to_pylist()
    _codes_in_range(key_codes, len(key_table), file, "relationship keys")
    shared = np.empty(len(key_table), dtype=object)
    shared[:] = key_table
    edge_keys: list[str] = shared[key_codes].tolist()
    edge_values = np.empty(m, dtype=object)
    for j, (type_, kinds) in enumerate(zip(types, edge_columns, strict=True)):
        where = np.flatnonzero(type_codes == j)
        table = file.table(f"edge_props/{j}", len(where))
        rows, _ = _rows_of({"type": [type_] * len(where)}, len(where), table, kinds, file)
        edge_values[where] = _objects(rows)
    edges: list[dict[str, Any]] = edge_values.tolist()

    index_arrays = {name: file.array(f"index/{name}", dtype) for name, dtype in INDEX_ARRAYS.items()}
    _check_index(index_arrays, n, m, len(index_types), file)
    bounds = _bounds(file, meta.get("bounds_key"), n)
    return Contents(
        file=file.file,
        ids=ids,
        nodes=nodes,
        src=src,
        dst=dst,
        keys=edge_keys,
        key_codes=key_codes,
        key_table=key_table,
        types=types,
        type_codes=type_codes,
        edges=edges,
        strength=strength,
        graph_attrs=graph_attrs,
        weights=weights,
        index_types=index_types,
        index_arrays=index_arrays,
        index_text=text,
        bounds=bounds,
    )


def _bounds(file: StoreFile, raw: Any, n: int) -> tuple[tuple[object, ...], np.ndarray, np.ndarray] | None:
    """The saved search bounds and their filter key (see :func:`graph.embedded._filter_key`), checked."""
    if raw is None:
        return None

    def texts(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    if not (
        isinstance(raw, list)
        and len(raw) == 6
        and (raw[0] == "clients" or texts(raw[0]))
        and all(v is None or isinstance(v, str) for v in raw[1:3])
        and texts(raw[3])
        and texts(raw[4])
        and isinstance(raw[5], bool)
    ):
        raise file.bad("the manifest's bounds key is not valid")
    key = tuple(tuple(v) if isinstance(v, list) else v for v in raw)
    cost = file.array("bounds/cost", "<f8", n)
    hops = file.array("bounds/hops", "<f8", n)
    if not (bool(np.all(cost >= 0)) and bool(np.all(hops >= 0))):  # also false for NaN
        raise file.bad("the saved search bounds hold invalid values")
    return key, cost, hops


def _check_index(arrays: dict[str, np.ndarray], n: int, m: int, type_count: int, file: StoreFile) -> None:
    """Structural checks so that a crafted index cannot send the search out of its arrays."""
    per_node = ("degree", "node_cost", "is_client", "blacklisted")
    per_entry = ("nbr", "etype", "ecost")
    if any(arrays[a].shape != (n,) for a in per_node) or arrays["indptr"].shape != (n + 1,):
        raise file.bad("the search index does not match the node count")
    if any(arrays[a].shape != (2 * m,) for a in per_entry):
        raise file.bad("the search index does not match the relationship count")
    indptr = arrays["indptr"]
    if indptr[0] != 0 or indptr[-1] != 2 * m or not bool(np.all(np.diff(indptr) == arrays["degree"])):
        raise file.bad("the search index's adjacency is inconsistent")
    _codes_in_range(arrays["nbr"], n, file, "search index neighbours")
    _codes_in_range(arrays["etype"], type_count, file, "search index types")
    for name in ("ecost", "node_cost"):
        values = arrays[name]
        if values.size and not bool(np.all(values >= 0)):  # also false for NaN
            raise file.bad(f"the search index's {name} holds invalid costs")
