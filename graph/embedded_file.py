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
``lookup/id_order``               int64 node positions sorted by id (binary search)
``lookup/in_order``               int64 relationship rows sorted by target (stable)
``lookup/text``                   Arrow: ``key_upper``, ``name_folded`` per node, null
                                  where the same as the key or name (the name search)
================================  ======================================================

Opening (:class:`FileGraph`) decodes nothing: the numeric sections are
mapped, a node's or relationship's properties are read when asked for, so a
query touches the few rows of its answer. The NetworkX graph is built from
the whole file (:meth:`FileGraph.contents`) only for what needs it.

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

import bisect
import functools
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
from graph.sorting import stable_order
from graph.store_file import Section, StoreFile, check_layout, write_store_file

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

#: decoded rows an opened file keeps (then it starts again): a few hundred bytes each
ROW_CACHE = 200_000

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
    valid = (
        np.ones(len(arr), dtype=bool) if arr.buffers()[0] is None else bitmap(arr.buffers()[0], arr.offset, len(arr))
    )
    if pa.types.is_dictionary(arr.type):
        codes = int_values(arr.indices)[valid].astype(np.int64)
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
    checked = _kinds(kinds, file)
    _check_columns(table, checked, file, list(head))
    names = [n for n, _ in checked]
    columns: list[Any] = list(head.values())
    gaps: list[tuple[str, np.ndarray]] = []
    picked: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, kind in checked:
        arr = table.column(name).combine_chunks()
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


def _node_heads(graph: Any, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str], list[str], list[str]]:
    """The attribute dicts of the nodes in position order, their labels, keys and names.

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
    joined = pc.binary_join_element_wise(pa.array(labels, type=pa.string()), pa.array(keys, type=pa.string()), ":")
    if len(ids) and not pc.all(pc.equal(joined, pa.array(ids, type=pa.string()))).as_py():
        _refuse_node(ids, node_rows)
    return node_rows, labels, keys, names


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


#: text that may change under str.upper(): anything but ASCII without lower-case letters
_HAS_LOWER = r"[^\x00-\x60\x7b-\x7f]"
#: text that may change under str.casefold(): anything but ASCII without letters, CJK ideographs and symbols, and
#: full-width punctuation and digits (none of which has a case)
_HAS_CASE = (
    r"[^\x00-\x40\x5b-\x60\x7b-\x7f\x{3000}-\x{303f}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}"
    r"\x{ff01}-\x{ff20}\x{ff3b}-\x{ff40}\x{ff5b}-\x{ff65}]"
)


def _changed_text(texts: Sequence[str], may_change: str, change: Callable[[str], str]) -> pa.Array:
    """``change(t)`` of each text, null where it equals ``t``; Python runs only on texts ``may_change`` matches.

    >>> _changed_text(["91ab", "北京（a）", "X1"], _HAS_LOWER, str.upper).to_pylist()
    ['91AB', '北京（A）', None]
    """
    arr = pa.array(texts, type=pa.string())
    out = np.full(len(arr), None, dtype=object)
    candidates = np.flatnonzero(np.asarray(pc.match_substring_regex(arr, may_change), dtype=bool))
    for i, text in zip(candidates.tolist(), arr.take(pa.array(candidates)).to_pylist(), strict=True):
        if (changed := change(text)) != text:
            out[i] = changed
    return pa.array(out, type=pa.string())


def lookup_sections(ids: Sequence[str], keys: Sequence[str], names: Sequence[str], dst: np.ndarray) -> list[Section]:
    """What lets a reader find nodes and relationships without decoding the file (see the module docstring).

    ``lookup/id_order``: positions sorted by id (binary search instead of a
    dict of every id); ``lookup/in_order``: relationship rows sorted by
    target, stable (a node's incoming relationships); ``lookup/text``: each
    key's ``upper()`` and each name's ``casefold()``, null where equal to
    the key or name itself, which the name search scans.
    """
    id_order = np.asarray(pc.sort_indices(pa.array(ids, type=pa.string())), dtype=np.int64)
    upper = _changed_text(keys, _HAS_LOWER, str.upper)
    folded = _changed_text(names, _HAS_CASE, str.casefold)
    text = pa.table({"key_upper": upper, "name_folded": folded})
    return [
        ("lookup/id_order", id_order),
        ("lookup/in_order", stable_order(np.asarray(dst, dtype=np.int64))),
        ("lookup/text", text),
    ]


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
    node_rows, labels, node_keys, node_names = _node_heads(graph, ids)
    label_codes, label_names = _codes(labels)
    del labels
    if len(label_names) > 127:
        raise StoreError("a store file holds at most 127 labels and 127 relationship types")
    yield "node_label", label_codes.astype(np.int8)
    yield (
        "nodes",
        pa.table({"key": pa.array(node_keys, type=pa.string()), "name": pa.array(node_names, type=pa.string())}),
    )
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
    del src, types
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
    yield from lookup_sections(ids, node_keys, node_names, dst)
    del node_keys, node_names, dst
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


def bitmap(buffer: pa.Buffer, offset: int, count: int) -> np.ndarray:
    """A bitmap (validity or boolean values) as a numpy bool array."""
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")[offset : offset + count].astype(bool)


def true_positions(arr: pa.Array) -> np.ndarray:
    """Positions where a boolean Arrow array is true (read from its buffers: no conversion through pandas)."""
    validity, values = arr.buffers()[:2]
    if values is None or len(arr) == 0:
        return np.zeros(0, dtype=np.int64)
    hit = bitmap(values, arr.offset, len(arr))
    if validity is not None:
        hit &= bitmap(validity, arr.offset, len(arr))
    return np.flatnonzero(hit)


def int_values(arr: pa.Array) -> np.ndarray:
    """An integer Arrow array's values as a read-only numpy view (whatever a null slot holds)."""
    if not pa.types.is_signed_integer(arr.type):
        raise ValueError(f"{arr.type} is not a signed integer type")
    dtype = np.dtype(f"<i{arr.type.bit_width // 8}")
    return np.frombuffer(arr.buffers()[1], dtype=dtype)[arr.offset : arr.offset + len(arr)]


def indices(rows: Sequence[int] | np.ndarray) -> pa.Array:
    """Row numbers as an Arrow int64 array for ``take``, made from the numpy buffer.

    (``pa.array`` would do, but it imports pandas on first use: half a second of a cold query.)
    """
    values = np.ascontiguousarray(np.asarray(rows, dtype=np.int64))
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def one_chunk(column: pa.ChunkedArray) -> pa.Array:
    """A column as one array: its only chunk as it is (combine_chunks copies even one)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _str_list(value: Any, file: StoreFile, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise file.bad(f"the manifest has no valid {what}")
    return value


def _codes_in_range(arr: np.ndarray, size: int, file: StoreFile, what: str) -> None:
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= size):
        raise file.bad(f"{what} point outside the graph")


class FileGraph:
    """A store file opened for reading without decoding it: the search arrays mapped, the rest read on demand.

    Opening reads the manifest, maps the search index, the bounds and the
    node keys and names, and checks what every query relies on (codes and
    positions in range, adjacency consistent, text offsets inside their
    buffers): tens of milliseconds at a million companies, where decoding
    every node and relationship into Python takes twenty seconds. A node's
    or a relationship's properties are decoded when asked for (:meth:`node`,
    :meth:`edge`); ids are found by binary search on the saved id order;
    :meth:`contents` decodes everything (to build the NetworkX graph).
    """

    def __init__(self, file: StoreFile) -> None:
        self.file = file
        meta = file.meta
        counts = meta.get("counts")
        if not isinstance(counts, dict) or not all(type(counts.get(k)) is int for k in ("nodes", "relationships")):
            raise file.bad("the manifest has no valid counts")
        self.n: int = counts["nodes"]
        self.m: int = counts["relationships"]
        self.labels = _str_list(meta.get("labels"), file, "labels")
        self.types = _str_list(meta.get("types"), file, "relationship types")
        self.index_types = _str_list(meta.get("index_types"), file, "index types")
        weights, graph_attrs = meta.get("weights"), meta.get("graph")
        if not isinstance(weights, str) or not isinstance(graph_attrs, dict):
            raise file.bad("the manifest has no valid weights or graph attributes")
        self.weights: str = weights
        self.graph_attrs: dict[str, Any] = graph_attrs
        node_columns, edge_columns = meta.get("node_columns"), meta.get("edge_columns")
        if not isinstance(node_columns, list) or len(node_columns) != len(self.labels):
            raise file.bad("the manifest's node columns do not match its labels")
        if not isinstance(edge_columns, list) or len(edge_columns) != len(self.types):
            raise file.bad("the manifest's relationship columns do not match its types")
        self.node_columns = [_kinds(k, file) for k in node_columns]
        self.edge_columns = [_kinds(k, file) for k in edge_columns]
        n = self.n
        self.label_codes = file.array("node_label", "|i1", n)
        _codes_in_range(self.label_codes, len(self.labels), file, "node labels")
        nodes_table = file.table("nodes", n)
        if nodes_table.column_names != ["key", "name"] or not all(
            pa.types.is_string(t) for t in nodes_table.schema.types
        ):
            raise file.bad("section 'nodes' does not hold text keys and names")
        self.keys, self.names = (one_chunk(c) for c in nodes_table.columns)
        if self.keys.null_count or self.names.null_count:
            raise file.bad("a node has no key or name")
        self.prefixes = [node_id(label, "") for label in self.labels]
        self.id_order = file.array("lookup/id_order", "<i8", n)
        _codes_in_range(self.id_order, n, file, "the id order's positions")
        self.index_arrays = {name: file.array(f"index/{name}", dtype) for name, dtype in INDEX_ARRAYS.items()}
        _check_index(self.index_arrays, n, self.m, len(self.index_types), file, values=file.verified)
        self.bounds = _bounds(file, meta.get("bounds_key"), n)
        self._tables: dict[str, tuple[pa.Table, list[tuple[str, str]]]] = {}
        self._columns: dict[str, list[pa.Array]] = {}
        self._positions: dict[str, int | None] = {}
        #: rows decoded so far (a hub stands in many answers); read-only for the callers
        self._rows: dict[tuple[str, int], dict[str, Any]] = {}
        self._cache: dict[Any, Any] = {}

    @classmethod
    def open(cls, path: Path, verify: bool | None = None) -> FileGraph:
        """Open and check a store file (see :meth:`graph.store_file.StoreFile.open` for ``verify``)."""
        return cls(StoreFile.open(path, verify))

    # -- nodes ----------------------------------------------------------------------------
    def id_at(self, p: int) -> str:
        """The id of the node at position ``p``."""
        try:
            nid = str(self._id_bytes(int(p)), "utf-8")
        except UnicodeDecodeError:
            raise self.file.bad("a text value is not UTF-8") from None
        if len(self._positions) < 1_000_000:  # its position, free now: the caller often looks it up again
            self._positions[nid] = int(p)
        return nid

    def _id_bytes(self, p: int) -> bytes:
        """The id of the node at position ``p`` as UTF-8, read from the key column's buffers (no Arrow scalar)."""
        raw: tuple[memoryview, memoryview, list[bytes]] | None = self._cache.get("raw_keys")
        if raw is None:
            keys = self.keys
            data = keys.buffers()[2]
            # offsets as a memoryview of int32: indexing it gives ints, with no list of millions made
            offsets = memoryview(keys.buffers()[1]).cast("B").cast("i")[keys.offset : keys.offset + len(keys) + 1]
            prefixes = [prefix.encode("utf-8") for prefix in self.prefixes]
            raw = self._cache["raw_keys"] = (offsets, memoryview(b"" if data is None else data), prefixes)
        offsets, data, prefixes = raw
        found: bytes = prefixes[self.label_codes[p]] + data[offsets[p] : offsets[p + 1]]
        return found

    def ids_at(self, positions: Sequence[int] | np.ndarray) -> list[str]:
        """The ids of the nodes at these positions, in that order."""
        where = np.asarray(positions, dtype=np.int64)
        try:
            if len(where) <= 4096:  # a few: read one by one from the buffers (no index array to make)
                at = self._id_bytes
                ids = [str(at(p), "utf-8") for p in where.tolist()]
            else:
                keys = self.keys.take(indices(where)).to_pylist()
                prefixes = self.prefixes
                ids = [prefixes[c] + k for c, k in zip(self.label_codes[where].tolist(), keys, strict=True)]
        except UnicodeDecodeError:
            raise self.file.bad("a text value is not UTF-8") from None
        if len(where) <= 50_000 and len(self._positions) < 1_000_000:  # the ids' positions, free now
            self._positions.update(zip(ids, where.tolist(), strict=True))
        return ids

    def position(self, nid: str) -> int | None:
        """The position of node ``nid``, by binary search on the saved id order; None if there is none."""
        found = self._positions.get(nid, -1)
        if found != -1:
            return found
        found = self._search(nid)
        if len(self._positions) < 1_000_000:  # remembered: an analysis asks for the same nodes again
            self._positions[nid] = found
        return found

    def _search(self, nid: str) -> int | None:
        # on UTF-8 bytes: their order is the code points' order, which the saved id order follows
        try:
            needle = nid.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no stored id has one
            return None
        order, at = self.id_order, self._id_bytes
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if at(int(order[mid])) < needle:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.n:
            p = int(order[lo])
            if at(p) == needle:
                return p
        return None

    def _props(
        self, section: str, kinds: list[tuple[str, str]], rows: int, columns: Sequence[str] | None = None
    ) -> pa.Table:
        """A property table read once from the file, with the layout of ``columns`` (every one when None) checked.

        A column's offsets and dictionary codes are checked the first time a
        caller uses it as a whole (:func:`graph.store_file.check_layout`), not
        when the table is read: a query that decodes a few rows
        (:meth:`_rows_at`, whose readers check each row they read) would
        otherwise page in the offsets of every text column of a million-row
        table.
        """
        hit = self._tables.get(section)
        if hit is None:
            table = self.file.table(section, rows, layout=False)
            _check_columns(table, kinds, self.file, ())
            hit = self._tables[section] = (table, kinds)
        table = hit[0]
        for name in table.column_names if columns is None else columns:
            self._laid_out(section, table, name)
        return table

    def _laid_out(self, section: str, table: pa.Table, name: str) -> None:
        """Check one column's layout, once per opened file (a verified file's tables were validated in full)."""
        checked: set[tuple[str, str]] = self._cache.setdefault("laid_out", set())
        if self.file.verified or (section, name) in checked:
            return
        try:
            for chunk in table.column(name).chunks:
                check_layout(chunk)
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            raise self.file.bad(f"section {section!r} is not a valid table ({str(exc)[:200]})") from None
        checked.add((section, name))

    def _rows_at(
        self, section: str, kinds: list[tuple[str, str]], count: int, rows: np.ndarray
    ) -> list[dict[str, Any]]:
        """The properties of these rows of one property table (absent values left out), read by column."""
        table = self._props(section, kinds, count, columns=())
        at = indices(rows)
        wanted = rows.tolist()
        out: list[dict[str, Any]] = [{} for _ in range(len(rows))]
        try:
            for name, kind in kinds:
                key = ("reader", section, name)
                reader: _Reader | None = self._cache.get(key)
                if reader is None:
                    column = table.column(name)
                    if column.num_chunks != 1:  # joined by Arrow: checked first
                        self._laid_out(section, table, name)
                    whole = functools.partial(self._laid_out, section, table, name)
                    reader = self._cache[key] = _Reader(one_chunk(column), whole)
                values = reader.values(wanted, at)
                for row, value in zip(out, values, strict=True):
                    if value is None:
                        continue
                    if kind == "json":
                        value = _untagged(json.loads(value))
                    elif kind == "tuple":
                        value = tuple(value)
                    row[name] = value
        except (ValueError, TypeError, IndexError, RecursionError, pa.ArrowException) as exc:
            raise self.file.bad(f"{section} holds unreadable values ({str(exc)[:120]})") from None
        return out

    def _code_rows(self, name: str, codes: np.ndarray, code: int) -> np.ndarray:
        """The rows holding ``code`` (one label's nodes, one type's relationships), found once."""
        rows: np.ndarray | None = self._cache.get((name, code))
        if rows is None:
            rows = self._cache[(name, code)] = np.flatnonzero(codes == code)
        return rows

    def _label_ranks(self, i: int, at: np.ndarray) -> np.ndarray:
        """The rows of nodes at positions ``at`` (all of label ``i``) in that label's property table.

        A saved graph keeps each label's nodes together: then a row is the
        position less the label's first position, with no pass over every
        node's label (tens of milliseconds at a million companies, once per label).
        """
        if "label_starts" not in self._cache:  # (None: the labels are not grouped)
            lc = self.label_codes
            grouped = len(lc) < 2 or bool(np.all(lc[1:] >= lc[:-1]))
            self._cache["label_starts"] = np.searchsorted(lc, np.arange(len(self.labels) + 1)) if grouped else None
        starts: np.ndarray | None = self._cache["label_starts"]
        if starts is None:
            return np.searchsorted(self._code_rows("node_rows", self.label_codes, i), at)
        return at - int(starts[i])

    def _type_ranks(self, j: int, at: np.ndarray) -> tuple[np.ndarray, int]:
        """The rows of relationship rows ``at`` (sorted, all of type ``j``) in that type's property table,
        and how many rows that table has.

        Counted from per-block counts of every type, made in one pass over
        the type codes the first time (instead of one pass per type): a
        row's rank is its block's count plus the rows of its type before
        it in the block.
        """
        rows: np.ndarray | None = self._cache.get(("edge_rows", j))
        if rows is not None:  # found already (type_rows)
            return np.searchsorted(rows, at), len(rows)
        codes = self.edge_arrays()[2]
        block = RANK_BLOCK
        prefix: np.ndarray | None = self._cache.get("type_blocks")
        if prefix is None:
            blocks = -(-len(codes) // block)
            prefix = np.zeros((blocks + 1, len(self.types)), dtype=np.int64)
            for b in range(blocks):
                prefix[b + 1] = np.bincount(codes[b * block : (b + 1) * block], minlength=len(self.types))
            np.cumsum(prefix, axis=0, out=prefix)
            self._cache["type_blocks"] = prefix
        out = np.empty(len(at), dtype=np.int64)
        for k, e in enumerate(at.tolist()):
            b = e // block
            out[k] = prefix[b, j] + np.count_nonzero(codes[b * block : e] == j)
        return out, int(prefix[-1, j])

    def _decoded(self, kind: str, at: Sequence[int]) -> tuple[list[int], dict[int, dict[str, Any]], np.ndarray]:
        """The rows asked for, those of them decoded already, and the others (sorted) still to read."""
        wanted = [int(i) for i in at]
        got = {i: hit for i in wanted if (hit := self._rows.get((kind, i))) is not None}
        return wanted, got, np.array(sorted(set(wanted) - set(got)), dtype=np.int64)

    def nodes_at(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        """:meth:`node` of each of these positions, the rows not decoded yet read label by label in one go."""
        wanted, got, missing = self._decoded("node", positions)
        if len(missing):
            codes = self.label_codes[missing]
            for i in np.unique(codes).tolist():
                at = missing[codes == i]
                r = self._label_ranks(i, at)
                props = self._rows_at(f"node_props/{i}", self.node_columns[i], self.label_count(i), r)
                try:
                    keys, names = ([texts.at(p) for p in at.tolist()] for texts in self._head_texts())
                except UnicodeDecodeError:
                    raise self.file.bad("a text value is not UTF-8") from None
                label = self.labels[i]
                for p, key, name, row in zip(at.tolist(), keys, names, props, strict=True):
                    got[p] = self._remember("node", p, {"label": label, "key": key, "name": name, **row})
        return [got[p] for p in wanted]

    def names_at(self, positions: Sequence[int]) -> list[str]:
        """The names of the nodes at these positions, read from the name column alone (no other property)."""
        names = self._head_texts()[1]
        try:
            return [names.at(p) for p in positions]
        except UnicodeDecodeError:
            raise self.file.bad("a text value is not UTF-8") from None

    def _head_texts(self) -> tuple[_Texts, _Texts]:
        """Readers of the nodes' keys and names."""
        hit: tuple[_Texts, _Texts] | None = self._cache.get("head_texts")
        if hit is None:
            hit = self._cache["head_texts"] = (_Texts(self.keys), _Texts(self.names))
        return hit

    def edges_at(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """:meth:`edge` of each of these relationship rows, those not decoded yet read type by type in one go."""
        wanted, got, missing = self._decoded("edge", rows)
        if len(missing):
            type_codes = self.edge_arrays()[2]
            codes = type_codes[missing]
            for j in np.unique(codes).tolist():
                at = missing[codes == j]
                r, count = self._type_ranks(j, at)
                props = self._rows_at(f"edge_props/{j}", self.edge_columns[j], count, r)
                for e, row in zip(at.tolist(), props, strict=True):
                    got[e] = self._remember("edge", e, {"type": self.types[j], **row})
        return [got[e] for e in wanted]

    def edge_keys_at(self, rows: Sequence[int]) -> list[str]:
        """:meth:`edge_key` of each of these relationship rows, each read and checked on its own."""
        texts: _Texts | None = self._cache.get("edge_key_texts")
        if texts is None:
            texts = self._cache["edge_key_texts"] = _Texts(_edge_key_array(self.file, self.m, layout=False))
        try:
            return [texts.at(int(e)) for e in rows]
        except UnicodeDecodeError:
            raise self.file.bad("a text value is not UTF-8") from None
        except (ValueError, IndexError) as exc:
            raise self.file.bad(f"section 'edge_keys' is not a valid table ({exc})") from None

    def label_count(self, i: int) -> int:
        counts: list[int] | None = self._cache.get("label_counts")
        if counts is None:
            counts = self._cache["label_counts"] = np.bincount(self.label_codes, minlength=len(self.labels)).tolist()
        return counts[i]

    def _remember(self, kind: str, at: int, row: dict[str, Any]) -> dict[str, Any]:
        if len(self._rows) >= ROW_CACHE:
            self._rows.clear()
        self._rows[(kind, at)] = row
        return row

    def node(self, p: int) -> dict[str, Any]:
        """The attributes of the node at position ``p`` (``label``, ``key``, ``name``, then its properties).

        The dict is shared with later calls: read it, do not change it.
        """
        hit = self._rows.get(("node", p))
        return hit if hit is not None else self.nodes_at([p])[0]

    def column(self, label: int, name: str) -> tuple[np.ndarray, list[Any]] | None:
        """Positions (in the graph) and values of one property of one label's nodes; None if no node has it."""
        kinds = self.node_columns[label]
        kind = dict(kinds).get(name)
        if kind is None:
            return None
        table = self._props(f"node_props/{label}", kinds, self.label_count(label), columns=(name,))
        try:
            rows, values = _decode_column(table.column(name).combine_chunks(), kind)
        except (ValueError, TypeError, RecursionError, pa.ArrowException) as exc:
            raise self.file.bad(f"property {name!r} holds unreadable values ({str(exc)[:120]})") from None
        return np.flatnonzero(self.label_codes == label)[rows], values

    def label_nodes(self, label: int) -> tuple[list[str], list[dict[str, Any]]]:
        """Ids and attributes of one label's nodes in position order, its property table decoded in one go."""
        where = np.flatnonzero(self.label_codes == label)
        ids = self.ids_at(where)
        try:
            keys = self.keys.take(where).to_pylist()
            names = self.names.take(where).to_pylist()
        except UnicodeDecodeError:
            raise self.file.bad("a text value is not UTF-8") from None
        kinds = self.node_columns[label]
        table = self._props(f"node_props/{label}", kinds, len(where))
        head = {"label": [self.labels[label]] * len(where), "key": keys, "name": names}
        rows, _ = _rows_of(head, len(where), table, [list(k) for k in kinds], self.file)
        return ids, rows

    def index_text(self) -> dict[str, np.ndarray]:
        """The search index's text columns (status, manager, branch) for every node; None where absent.

        A repeated text is stored once (a dictionary column): its codes are
        read as a numpy view, so a million statuses cost milliseconds.
        """
        text = {name: np.full(self.n, None, dtype=object) for name in INDEX_TEXT}
        for i, kinds in enumerate(self.node_columns):
            for name, kind in kinds:
                if name not in INDEX_TEXT:
                    continue
                table = self._props(f"node_props/{i}", kinds, self.label_count(i), columns=(name,))
                arr = one_chunk(table.column(name))
                if kind == "str" and pa.types.is_dictionary(arr.type):
                    try:
                        values = np.array([*arr.dictionary.to_pylist(), None], dtype=object)
                    except UnicodeDecodeError:
                        raise self.file.bad("a text value is not UTF-8") from None
                    codes = int_values(arr.indices).astype(np.int64)
                    if arr.null_count:
                        codes = np.where(bitmap(arr.buffers()[0], arr.offset, len(arr)), codes, len(values) - 1)
                    if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= len(values)):
                        raise self.file.bad(f"property {name!r} holds dictionary codes out of range")
                    text[name][np.flatnonzero(self.label_codes == i)] = values[codes]
                else:
                    found = self.column(i, name)
                    if found is not None:
                        text[name][found[0]] = _objects(found[1])
        return text

    # -- relationships --------------------------------------------------------------------
    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Relationship sources, targets and type codes, checked on first use."""
        hit: tuple[np.ndarray, np.ndarray, np.ndarray] | None = self._cache.get("edges")
        if hit is None:
            file, n, m = self.file, self.n, self.m
            src, dst = file.array("edge_src", "<i8", m), file.array("edge_dst", "<i8", m)
            _codes_in_range(src, n, file, "relationship sources")
            _codes_in_range(dst, n, file, "relationship targets")
            type_codes = file.array("edge_type", "|i1", m)
            _codes_in_range(type_codes, len(self.types), file, "relationship types")
            hit = self._cache["edges"] = (src, dst, type_codes)
        return hit

    def strengths(self) -> np.ndarray:
        """Each relationship's saved strength (under meta ``weights``), as the file holds them: NOT checked.

        A query reads the strengths of a few hops; checking all of them here
        would page in 60 MB of the file at a million companies. A caller
        passes the values it takes through :meth:`checked_strengths`.
        """
        return self.file.array("edge_strength", "<f8", self.m)

    def checked_strengths(self, values: np.ndarray) -> np.ndarray:
        """``values`` taken from :meth:`strengths`, refused in one line if any is outside (0, 1]."""
        if len(values) and not bool(np.all((values > 0) & (values <= 1))):
            raise self.file.bad("a relationship's strength is outside (0, 1]")
        return values

    def _by_source(self) -> np.ndarray | None:
        """Relationship rows sorted by source (None: the file's order already is, as a saved graph's is)."""
        if "by_source" not in self._cache:
            src = self.edge_arrays()[0]
            ordered = bool(np.all(src[1:] >= src[:-1])) if self.m > 1 else True
            self._cache["by_source"] = None if ordered else np.argsort(src, kind="stable")
        order: np.ndarray | None = self._cache["by_source"]
        return order

    def _in_order(self) -> np.ndarray:
        order: np.ndarray | None = self._cache.get("in_order")
        if order is None:
            order = self.file.array("lookup/in_order", "<i8", self.m)
            _codes_in_range(order, self.m, self.file, "the target order's rows")
            self._cache["in_order"] = order
        return order

    def out_rows(self, p: int) -> list[int]:
        """Rows of the relationships leaving position ``p``, in file order."""
        src = self.edge_arrays()[0]
        order = self._by_source()
        if order is None:
            lo, hi = np.searchsorted(src, [p, p + 1])
            return list(range(int(lo), int(hi)))
        lo = bisect.bisect_left(order, p, key=lambda e: src[e])
        hi = bisect.bisect_left(order, p + 1, key=lambda e: src[e])
        return sorted(order[lo:hi].tolist())

    def in_rows(self, p: int) -> list[int]:
        """Rows of the relationships entering position ``p``, in file order."""
        dst, order = self.edge_arrays()[1], self._in_order()
        lo = bisect.bisect_left(order, p, key=lambda e: dst[e])
        hi = bisect.bisect_left(order, p + 1, key=lambda e: dst[e])
        rows = order[lo:hi]
        if len(rows) and bool(np.any(dst[rows] != p)):
            raise self.file.bad("the saved target order is not sorted")
        return sorted(rows.tolist())

    def type_rows(self, codes: Sequence[int]) -> np.ndarray:
        """Rows of the relationships of these type codes, in file order (each type's found once)."""
        type_codes = self.edge_arrays()[2]
        parts = [self._code_rows("edge_rows", type_codes, j) for j in sorted(set(codes))]
        return np.concatenate([np.zeros(0, dtype=np.int64), *parts]) if len(parts) != 1 else parts[0]

    def incident_rows(self, positions: Sequence[int] | np.ndarray, codes: Sequence[int] | None = None) -> np.ndarray:
        """Rows of the relationships (of these type ``codes``; None: any) leaving or entering these positions,
        each once, in file order.

        A few positions are looked up one by one; many (a component's thousands of members) by one pass
        over the relationships of those types.
        """
        src, dst, type_codes = self.edge_arrays()
        where = np.unique(np.asarray(positions, dtype=np.int64))
        if len(where) <= 64:
            found = np.unique(
                np.array([e for p in where.tolist() for e in (*self.out_rows(p), *self.in_rows(p))], dtype=np.int64)
            )
            return found if codes is None else found[np.isin(type_codes[found], list(codes))]
        chosen = np.zeros(self.n, dtype=bool)
        chosen[where] = True
        if codes is None:
            every: np.ndarray = np.flatnonzero(chosen[src] | chosen[dst])
            return every
        rows = np.sort(self.type_rows(codes))
        picked: np.ndarray = rows[chosen[src[rows]] | chosen[dst[rows]]]
        return picked

    def _joining(self, a: int, b: int) -> list[int]:
        """Rows of the relationships from position a to b, in file order."""
        src, dst, _ = self.edge_arrays()
        if self._by_source() is None:  # a's rows are one block: compared in one go (a hub has thousands)
            lo, hi = int(src.searchsorted(a)), int(src.searchsorted(a + 1))
            if hi - lo <= 32:  # most nodes: a few rows, compared without making arrays
                return [lo + i for i, d in enumerate(dst[lo:hi].tolist()) if d == b]
            return (np.flatnonzero(dst[lo:hi] == b) + lo).tolist()
        return [e for e in self.out_rows(a) if int(dst[e]) == b]

    def strongest(self, a: np.ndarray, b: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """For each pair ``(a[i], b[i])`` of positions, the greatest saved strength of the relationships
        joining them either way whose type code ``allowed`` (a mask over the codes) admits; 0 where none does.

        All pairs in one go over the relationship arrays (the rows of every
        pair's ends, compared at once), where :meth:`between` reads one pair.
        """
        src, dst, codes = self.edge_arrays()
        strength = self.strengths()
        out = np.zeros(len(a))
        if not len(a):
            return out
        if self._by_source() is not None:  # a file not in source order: pair by pair
            for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
                rows = [e for _, _, e in self.between(x, y) if allowed[codes[e]]]
                out[i] = max(self.checked_strengths(strength[rows]).tolist(), default=0.0)
            return out
        heads = np.concatenate([a, b]).astype(np.int64)
        tails = np.concatenate([b, a]).astype(np.int64)
        starts = src.searchsorted(heads)
        lengths = src.searchsorted(heads + 1) - starts
        owner = np.repeat(np.arange(len(heads)), lengths)
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        rows = np.arange(int(lengths.sum()), dtype=np.int64) + shift
        keep = (dst[rows] == tails[owner]) & allowed[codes[rows]]
        np.maximum.at(out, owner[keep] % len(a), self.checked_strengths(strength[rows[keep]]))
        return out

    def between(self, a: int, b: int) -> list[tuple[int, int, int]]:
        """(source, target, row) of every relationship joining positions a and b, a to b first (remembered:
        ranking paths, reading their rows and building them ask for the same hops)."""
        found: dict[tuple[int, int], list[tuple[int, int, int]]] = self._cache.setdefault("between", {})
        hit = found.get((a, b))
        if hit is None:
            hit = [(a, b, e) for e in self._joining(a, b)]
            if a != b:
                hit += [(b, a, e) for e in self._joining(b, a)]
            if len(found) >= ROW_CACHE:
                found.clear()
            found[(a, b)] = hit
        return list(hit)

    def edge_key(self, e: int) -> str:
        """The identity key of relationship row ``e``."""
        return self.edge_keys_at([e])[0]

    def edge(self, e: int) -> dict[str, Any]:
        """The attributes of relationship row ``e`` (``type``, then its properties); shared: do not change it."""
        hit = self._rows.get(("edge", e))
        return hit if hit is not None else self.edges_at([e])[0]

    def edges_of_type(self, j: int) -> tuple[np.ndarray, list[str], list[dict[str, Any]]]:
        """Rows (in file order), keys and attributes of every relationship of type ``j``, decoded together."""
        codes = self.edge_arrays()[2]
        rows = np.flatnonzero(codes == j)
        table = self._props(f"edge_props/{j}", self.edge_columns[j], len(rows))
        kinds = [list(k) for k in self.edge_columns[j]]
        attrs, _ = _rows_of({"type": [self.types[j]] * len(rows)}, len(rows), table, kinds, self.file)
        keys: pa.Array | None = self._cache.get("edge_keys")
        if keys is None:
            keys = self._cache["edge_keys"] = _edge_key_array(self.file, self.m)
        try:
            key_values = keys.take(indices(rows)).to_pylist()
        except UnicodeDecodeError:
            raise self.file.bad("a text value is not UTF-8") from None
        return rows, key_values, attrs

    # -- everything -------------------------------------------------------------------------
    def contents(self) -> Contents:
        """Every node and relationship decoded and checked: what the NetworkX graph is built from."""
        return _contents(self)


#: relationship rows per block of the per-type counts that rank a row within its type
RANK_BLOCK = 16384

#: a dictionary column of at most this many values is decoded once and then indexed (a status, a city, a date)
SMALL_DICTIONARY = 100_000


class _Texts:
    """The values of a text column (or a dictionary of texts, or a list of texts) read from its buffers by row,
    with no Arrow scalar made per value; None where a row has none. Each value's codes and offsets are
    checked as it is read, so a damaged or crafted file gives ValueError, never a read outside the buffers."""

    def __init__(self, column: pa.Array) -> None:
        self.codes: np.ndarray | None = None
        self.lists: np.ndarray | None = None
        self.valid: _Bits | None = None
        whole = column
        if column.null_count:
            self.valid = _Bits(column.buffers()[0], column.offset)
        if pa.types.is_dictionary(column.type):
            self.codes = int_values(column.indices)
            column = column.dictionary
        elif pa.types.is_list(column.type):
            self.lists = np.frombuffer(column.buffers()[1], dtype="<i4")[
                column.offset : column.offset + len(column) + 1
            ]
            column = column.values
        if column is not whole and column.null_count:
            raise ValueError("a null inside a text dictionary or list")
        self.size = len(column)
        self.offsets = np.frombuffer(column.buffers()[1], dtype="<i4")[column.offset : column.offset + len(column) + 1]
        data = column.buffers()[2]
        self.data = memoryview(b"" if data is None else data)

    def _text(self, i: int) -> str:
        if not 0 <= i < self.size:
            raise ValueError("a text code out of range")
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        if not 0 <= start <= end <= len(self.data):  # the column's layout may not have been checked as a whole
            raise ValueError("a text's offsets point outside its data")
        return str(self.data[start:end], "utf-8")

    def at(self, r: int) -> Any:
        """The value of row ``r``: a text, a list of texts, or None."""
        if self.valid is not None and not self.valid.at(r):
            return None
        if self.lists is not None:
            start, end = int(self.lists[r]), int(self.lists[r + 1])
            if not 0 <= start <= end <= self.size:
                raise ValueError("a list's offsets point outside its values")
            return [self._text(i) for i in range(start, end)]
        return self._text(int(self.codes[r]) if self.codes is not None else r)


def _texts(column: pa.Array) -> _Texts | None:
    """A :class:`_Texts` reader for a column of texts, dictionary texts or lists of texts; None for another type."""
    kind = column.type
    value = kind.value_type if pa.types.is_dictionary(kind) or pa.types.is_list(kind) else kind
    if pa.types.is_string(value) and not (pa.types.is_dictionary(kind) and len(column.dictionary) <= SMALL_DICTIONARY):
        return _Texts(column)
    return None


class _Bits:
    """One bit per row of an Arrow bitmap (validity or boolean values), read where asked: nothing unpacked."""

    def __init__(self, buffer: pa.Buffer, offset: int) -> None:
        self.bytes = memoryview(buffer)
        self.offset = offset

    def at(self, r: int) -> bool:
        i = self.offset + r
        return bool(self.bytes[i >> 3] >> (i & 7) & 1)


class _Reader:
    """Reads one property column at given rows, values or None: numbers, booleans, texts and small
    dictionaries through views of the column's buffers (a few rows cost no Arrow call and nothing is
    unpacked for the whole column), anything else by Arrow's ``take``.

    Each row read is checked against the buffers, so the column's layout
    need not have been checked as a whole; ``whole`` checks it, and is
    called before Arrow reads the column (``take``).
    """

    def __init__(self, column: pa.Array, whole: Callable[[], None]) -> None:
        self.column = column
        self.whole = whole
        kind = column.type
        self.valid = _Bits(column.buffers()[0], column.offset) if column.null_count else None
        self.table: list[Any] | None = None  # a small dictionary's values
        self.codes: np.ndarray | None = None
        self.numbers: np.ndarray | None = None
        self.bits: _Bits | None = None
        if pa.types.is_dictionary(kind) and len(column.dictionary) <= SMALL_DICTIONARY:
            if column.dictionary.null_count:
                raise ValueError("a null inside the dictionary")
            check_layout(column.dictionary)
            self.table, self.codes = column.dictionary.to_pylist(), int_values(column.indices)
        elif pa.types.is_boolean(kind) and column.buffers()[1] is not None:
            self.bits = _Bits(column.buffers()[1], column.offset)
        elif pa.types.is_float64(kind) or pa.types.is_int64(kind):
            dtype = "<f8" if pa.types.is_float64(kind) else "<i8"
            self.numbers = np.frombuffer(column.buffers()[1], dtype=dtype)[column.offset : column.offset + len(column)]
        plain = self.table is None and self.numbers is None and self.bits is None
        self.texts = _texts(column) if plain else None

    def values(self, rows: list[int], at: pa.Array) -> list[Any]:
        """The values at ``rows`` (``at``: the same rows as an Arrow array), None where a row has none."""
        valid = self.valid
        found: list[Any]
        if self.table is not None and self.codes is not None:
            table, size = self.table, len(self.table)
            found = []
            for r, c in zip(rows, self.codes[rows].tolist(), strict=True):
                if valid is not None and not valid.at(r):
                    found.append(None)
                elif 0 <= c < size:
                    found.append(table[c])
                else:
                    raise ValueError("dictionary codes out of range")
            return found
        if self.numbers is not None or self.bits is not None:
            bits = self.bits
            found = self.numbers[rows].tolist() if self.numbers is not None else [bits.at(r) for r in rows if bits]
            return found if valid is None else [v if valid.at(r) else None for v, r in zip(found, rows, strict=True)]
        if self.texts is not None and len(rows) <= 4096:
            return [self.texts.at(r) for r in rows]
        self.whole()
        column = self.column.take(at)
        if pa.types.is_dictionary(column.type):  # only the values taken, not the whole dictionary
            column = column.dictionary.take(column.indices)
        found = column.to_pylist()
        return found


def _kinds(raw: Any, file: StoreFile) -> list[tuple[str, str]]:
    """A property table's column list from the manifest: [(name, kind), ...]."""
    if not isinstance(raw, list) or not all(
        isinstance(k, list) and len(k) == 2 and all(isinstance(x, str) for x in k) for k in raw
    ):
        raise file.bad("a property table has no valid column list")
    return [(k[0], k[1]) for k in raw]


def _check_columns(table: pa.Table, kinds: Sequence[tuple[str, str]], file: StoreFile, head: Sequence[str]) -> None:
    """A property table's columns are the manifest's, each stored as its kind says."""
    names = [n for n, _ in kinds]
    if table.column_names != (names or ["_rows"]) or len(set(names)) != len(names):
        raise file.bad("a property table's columns do not match the manifest")
    for name, kind in kinds:
        check = _ARROW_OF_KIND.get(kind)
        arrow_type = table.schema.field(name).type
        value_type = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
        if check is None or not check(value_type) or name in head:
            raise file.bad(f"property {name!r} is stored as {arrow_type}, not as {kind!r}")


def _edge_key_array(file: StoreFile, m: int, layout: bool = True) -> pa.Array:
    """The relationships' identity keys as one array (text, or dictionary-coded text), no nulls.

    ``layout=False`` leaves the offsets and codes unchecked, for a reader that
    checks each value it reads (:class:`_Texts`): checking the codes of every
    relationship pages in 30 MB of the file at a million companies.
    """
    column = file.table("edge_keys", m, layout=layout).column("key")
    if not layout and column.num_chunks != 1:  # Arrow joins the chunks: their layout checked first
        column = file.table("edge_keys", m).column("key")
    key_arr = one_chunk(column)
    if (
        not pa.types.is_string(key_arr.type.value_type if pa.types.is_dictionary(key_arr.type) else key_arr.type)
        or key_arr.null_count
    ):
        raise file.bad("section 'edge_keys' does not hold text keys")
    return key_arr


def load_graph(path: Path) -> Contents:
    """Read, check and decode a whole store file; StoreUnavailable with one line if it is not a valid guanxi store."""
    return FileGraph.open(path).contents()


def _contents(fg: FileGraph) -> Contents:
    file, n, m = fg.file, fg.n, fg.m
    labels, types = fg.labels, fg.types
    label_codes = fg.label_codes
    key_values = _objects(fg.keys.to_pylist())
    name_values = _objects(fg.names.to_pylist())
    id_values = np.empty(n, dtype=object)
    node_values = np.empty(n, dtype=object)
    text = {name: np.full(n, None, dtype=object) for name in INDEX_TEXT}
    for i, (label, kinds) in enumerate(zip(labels, fg.node_columns, strict=True)):
        where = np.flatnonzero(label_codes == i)
        keys = key_values[where].tolist()
        head = {"label": [label] * len(where), "key": keys, "name": name_values[where].tolist()}
        table = fg._props(f"node_props/{i}", kinds, len(where))
        rows, picked = _rows_of(head, len(where), table, [list(k) for k in kinds], file, INDEX_TEXT)
        prefix = node_id(label, "")
        id_values[where] = _objects([prefix + k for k in keys])
        node_values[where] = _objects(rows)
        for name, (positions, values) in picked.items():
            text[name][where[positions]] = values
    ids: list[str] = id_values.tolist()
    nodes: list[dict[str, Any]] = node_values.tolist()

    src, dst, type_codes = fg.edge_arrays()
    strength = file.array("edge_strength", "<f8", m)
    if m and not bool(np.all((strength > 0) & (strength <= 1))):
        raise file.bad("a relationship's strength is outside (0, 1]")
    key_arr = _edge_key_array(file, m)
    if not pa.types.is_dictionary(key_arr.type):
        key_arr = key_arr.dictionary_encode()
    key_codes = key_arr.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    key_table: list[str] = key_arr.dictionary.to_pylist()
    _codes_in_range(key_codes, len(key_table), file, "relationship keys")
    shared = np.empty(len(key_table), dtype=object)
    shared[:] = key_table
    edge_keys: list[str] = shared[key_codes].tolist()
    edge_values = np.empty(m, dtype=object)
    for j, (type_, kinds) in enumerate(zip(types, fg.edge_columns, strict=True)):
        where = np.flatnonzero(type_codes == j)
        table = fg._props(f"edge_props/{j}", kinds, len(where))
        rows, _ = _rows_of({"type": [type_] * len(where)}, len(where), table, [list(k) for k in kinds], file)
        edge_values[where] = _objects(rows)
    edges: list[dict[str, Any]] = edge_values.tolist()
    if not file.verified:  # the value checks an unverified open skipped
        _check_index(fg.index_arrays, n, m, len(fg.index_types), file, values=True)
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
        graph_attrs=fg.graph_attrs,
        weights=fg.weights,
        index_types=fg.index_types,
        index_arrays=fg.index_arrays,
        index_text=text,
        bounds=fg.bounds,
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


def _check_index(
    arrays: dict[str, np.ndarray], n: int, m: int, type_count: int, file: StoreFile, *, values: bool = True
) -> None:
    """Structural checks so that a crafted index cannot send the search out of its arrays.

    With ``values`` the costs are checked too (no NaN, none negative): a
    pass over every relationship twice, left to the full decode and
    ``guanxi doctor`` when a large file is opened without verifying it.
    """
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
    for name in ("ecost", "node_cost") if values else ():
        costs = arrays[name]
        if costs.size and not bool(np.all(costs >= 0)):  # also false for NaN
            raise file.bad(f"the search index's {name} holds invalid costs")
