"""Write an embedded store file straight from a load's validated rows, with no NetworkX graph in between.

A load into a file store (``guanxi load``, the explorer's data page) used to
build the whole graph as a NetworkX MultiDiGraph and then walk it to write
the file: at a million companies that graph alone is seven gigabytes. The
embedded store now keeps the load's batches as they are
(:meth:`graph.embedded.EmbeddedStore.write` while no graph is built) and
:func:`write_columnar` writes the file from them, column by column, merged
with the columns of the file the store was opened from (an append).

The file means exactly what the NetworkX path would have written (the tests
compare the two section by section), because the same rules are applied to
arrays instead of dicts:

* a node's position is the order its id first appears (the old file's nodes
  first, then the batches in order); its label and key are its first row's,
  its name its last row's (every write sets the name, the key when the row
  has none); a property holds its last present value;
* a relationship is identified by (source, target, key); it keeps its last
  write's strength and each property's last present value; the file lists
  relationships by source position, then by when each (source, target) pair
  was first written, then by when each key of the pair was (NetworkX's edge
  order); the search index takes them by (source, target, key code), key
  codes in order of first appearance (the embedded store's edge mirror);
* a property table's columns are in the order a scan of the rows in file
  order would first meet them in each row's attribute dict: a column's rank
  is the least (row, write, row of that write, column of that write) at
  which it is present.

Values are converted by the same function as the NetworkX path
(:func:`graph.embedded.present_values`) and encoded by the same column
encoder (:func:`graph.embedded_file._encode_present`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.embedded import EmbeddedStore, _filter_key, check_edge_order, csr_arrays, present_values
from graph.embedded_file import (
    INDEX_ARRAYS,
    FileGraph,
    _decode_column,
    _edge_key_array,
    _encode_present,
    _objects,
    lookup_sections,
)
from graph.errors import InvalidParameter, StoreError
from graph.model import RecordBatch, node_id
from graph.records import RESERVED, client_columns, edge_key_codes, plain_value, present
from graph.schema import Schema
from graph.search_index import SearchIndex
from graph.sorting import stable_order
from graph.store_file import Section, not_a_store, write_store_file
from graph.warmth import Weights

if TYPE_CHECKING:
    import pandas as pd

#: node properties the search index reads (flags and the text its filters compare)
_FLAGS = ("is_client", "blacklisted", "status", "manager", "branch")
_MAX_CODES = 127


def check_batch(batch: RecordBatch, schema: Schema) -> None:
    """What :meth:`EmbeddedStore.write` refuses before writing anything, checked when a batch is kept for later."""
    frame = batch.frame
    if batch.what == "nodes":
        spec = schema.label(batch.name)
        if spec.key not in frame.columns:
            raise InvalidParameter("batch", f"a {batch.name} batch needs its key column {spec.key!r}")
    elif batch.what == "edges":
        schema.kind(batch.name)
        for col in ("source", "target"):
            if col not in frame.columns:
                raise InvalidParameter("batch", f"a {batch.name} batch needs a {col!r} column")
    elif batch.what == "clients":
        if "uscc" not in frame.columns:
            raise InvalidParameter("batch", "a client batch needs a 'uscc' column")
    else:  # pragma: no cover - RecordBatch's type forbids it
        raise InvalidParameter("batch.what", f"unknown batch kind {batch.what!r}")


# -- small pure helpers ---------------------------------------------------------------------
def _last_of(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``groups`` (non-negative, ascending) and the index of each one's last occurrence.

    >>> [a.tolist() for a in _last_of(np.array([3, 1, 3, 0]))]
    [[0, 1, 3], [3, 1, 2]]
    """
    order = stable_order(groups)
    ordered = groups[order]
    last = np.ones(len(ordered), dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    return ordered[last], order[last]


def _first_order(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (non-negative) renumbered in order of first appearance: (new codes, old code of each new code).

    >>> [a.tolist() for a in _first_order(np.array([5, 2, 5, 0]))]
    [[0, 1, 0, 2], [5, 2, 0]]
    """
    if not len(codes):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = stable_order(codes)
    ordered = codes[order]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    found, at = ordered[first], order[first]
    olds = found[np.argsort(at)].astype(np.int64)  # first positions are distinct: no ties
    remap = np.zeros(int(found.max()) + 1, dtype=np.int64)
    remap[olds] = np.arange(len(olds), dtype=np.int64)
    return remap[codes], olds


def _first_present(rows: np.ndarray, at: np.ndarray) -> tuple[int, int]:
    """The least (graph row, row of the source) among present values: ``rows`` per value, ``at`` ascending."""
    least = int(rows.min())
    return least, int(at[int(np.argmax(rows == least))])


def _text_array(values: Sequence[str | None]) -> pa.Array:
    return pa.array(values, type=pa.large_string())


def _text_or_null(series: pd.Series) -> pa.Array:
    """A column as text: its strings as they are, a missing value (None, NaN, NA) as null.

    At C speed when the column holds only text and missing values; ``str()``
    of any other value otherwise, as the row-by-row conversion does.
    """
    values = series.to_numpy(dtype=object)
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return _text_array([str(v) if present(v) else None for v in values.tolist()])


def _text_of(series: pd.Series) -> pa.Array:
    """A column as text with ``str()`` of every value (a missing one too, as ``astype(str)`` does)."""
    found = _text_or_null(series)
    return found if not found.null_count else _text_array([str(v) for v in series.tolist()])


def _first_seen(codes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """For codes numbered in order of first appearance (0 .. count-1): each code's first and last index.

    >>> [a.tolist() for a in _first_seen(np.array([0, 1, 0, 2, 1]), 3)]
    [[0, 1, 3], [2, 4, 3]]
    """
    if len(codes) == count:  # every code once: the codes are 0, 1, 2, ...
        at = np.arange(count, dtype=np.int64)
        return at, at
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    first = np.flatnonzero(new)
    _, last = _last_of(codes)
    return first, last


# -- one source of property values ----------------------------------------------------------
@dataclass
class _Source:
    """Rows of one label's nodes or one type's relationships from one write (or the old file).

    ``rows`` maps the source's rows to graph rows (node positions, or
    relationship numbers); ``columns`` gives, per property, its present rows
    (ascending) and their values.
    """

    seq: int
    rows: np.ndarray
    columns: dict[str, Any] = field(default_factory=dict)  # name -> callable giving (at, values)
    order: list[str] = field(default_factory=list)


def _frame_source(seq: int, rows: np.ndarray, frame: pd.DataFrame, skip: frozenset[str]) -> _Source:
    names = [str(c) for c in frame.columns if c not in skip and c not in RESERVED]
    source = _Source(seq, rows, order=names)
    for name in names:
        source.columns[name] = lambda name=name: present_values(cast("pd.Series", frame[name]))
    return source


def _client_source(seq: int, rows: np.ndarray, columns: dict[str, Any]) -> _Source:
    def values(series: Any) -> tuple[np.ndarray, list[Any]]:
        items = series.tolist()
        at = [i for i, v in enumerate(items) if present(v)]
        return np.array(at, dtype=np.int64), [plain_value(items[i]) for i in at]

    source = _Source(seq, rows, order=list(columns))
    for name, series in columns.items():
        source.columns[name] = lambda series=series: values(series)
    return source


def _file_source(fg: FileGraph, section: str, kinds: list[tuple[str, str]], rows: np.ndarray) -> _Source:
    table = fg._props(section, kinds, len(rows))
    source = _Source(-1, rows, order=[n for n, _ in kinds])

    def values(name: str, kind: str) -> tuple[np.ndarray, list[Any]]:
        try:
            at, found = _decode_column(table.column(name).combine_chunks(), kind)
        except (ValueError, TypeError, RecursionError, pa.ArrowException) as exc:
            raise fg.file.bad(f"property {name!r} holds unreadable values ({str(exc)[:120]})") from None
        return at, found

    for name, kind in kinds:
        source.columns[name] = lambda name=name, kind=kind: values(name, kind)
    return source


def _props_table(
    sources: Sequence[_Source], rank: np.ndarray, count: int, what: str, keep: Sequence[str] = ()
) -> tuple[pa.Table, list[list[str]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """One property table: each column's last present value per graph row, columns in attribute-dict order.

    ``rank`` maps a graph row to its row in the table. Also returns the
    ``keep`` columns as (graph rows, values).
    """
    first: dict[str, tuple[int, int, int, int]] = {}
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for source in sources:
        for j, name in enumerate(source.order):
            at, values = source.columns[name]()
            if not len(values):
                continue
            rows = source.rows[at]
            least, row = _first_present(rows, at)
            key = (least, source.seq, row, j)
            if name not in first or key < first[name]:
                first[name] = key
            parts.setdefault(name, []).append((rows, _objects(values)))
    arrays: list[pa.Array] = []
    kinds: list[list[str]] = []
    kept: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in sorted(first, key=first.__getitem__):
        found = parts.pop(name)
        rows = np.concatenate([r for r, _ in found])
        values = np.concatenate([v for _, v in found])
        at, last = _last_of(rows)
        values = values[last]
        if name in keep:
            kept[name] = (at, values)
        try:
            arr, kind = _encode_present(count, rank[at], values)
        except (TypeError, ValueError, OverflowError, pa.ArrowException) as exc:
            raise StoreError(f"{what} property {name!r} holds {exc}, which a store file cannot hold") from None
        arrays.append(arr)
        kinds.append([name, kind])
    if not arrays:
        return pa.table({"_rows": pa.nulls(count, type=pa.bool_())}), kinds, kept
    return pa.Table.from_arrays(arrays, names=[n for n, _ in kinds]), kinds, kept


# -- the plan: positions and orders -----------------------------------------------------------
@dataclass
class _Nodes:
    ids: pa.Array  # distinct ids in position order
    keys: pa.Array
    names: pa.Array
    label_codes: np.ndarray  # file label code per position
    label_names: list[str]
    sources: dict[str, list[_Source]]  # by label name
    ends: dict[int, tuple[pa.Array, np.ndarray]]  # per batch: the relationship ends or client ids, positions


@dataclass
class _Edges:
    src: np.ndarray  # file order
    dst: np.ndarray
    type_codes: np.ndarray
    type_names: list[str]
    strength: np.ndarray
    keys: pa.Array  # dictionary array, file order
    mirror: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # (src, dst, type order, strength) by key order
    sources: dict[str, list[_Source]]  # by type name, rows are file rows
    graph_attrs: dict[str, Any]


def _old_ids(fg: FileGraph) -> pa.Array:
    prefixes = pa.array(fg.prefixes, type=pa.large_string()).take(pa.array(fg.label_codes.astype(np.int32)))
    return pc.binary_join_element_wise(prefixes, fg.keys.cast(pa.large_string()), pa.scalar("", pa.large_string()))


def _plan_nodes(fg: FileGraph | None, batches: Sequence[RecordBatch], schema: Schema) -> _Nodes:
    """Every node's position, label, key and name, and where each label's property values come from."""
    label_ix: dict[str, int] = {}
    ids: list[pa.Array] = []
    keys: list[pa.Array] = []
    names: list[pa.Array] = []
    labels: list[np.ndarray] = []
    pending: list[tuple[int, int, RecordBatch]] = []  # seq, first row, batch
    start = 0
    if fg is not None and fg.n:
        codes = np.array([label_ix.setdefault(label, len(label_ix)) for label in fg.labels], dtype=np.int64)
        ids.append(_old_ids(fg))
        keys.append(fg.keys.cast(pa.large_string()))
        names.append(fg.names.cast(pa.large_string()))
        labels.append(codes[fg.label_codes])
        start = fg.n
    for seq, batch in enumerate(batches):
        if batch.what != "nodes":
            continue
        spec = schema.label(batch.name)
        frame = batch.frame
        row_keys = _text_of(frame[spec.key])
        prefix = pa.scalar(node_id(batch.name, ""), pa.large_string())
        ids.append(pc.binary_join_element_wise(prefix, row_keys, pa.scalar("", pa.large_string())))
        keys.append(row_keys)
        # the name given, else the key
        names.append(
            pc.coalesce(_text_or_null(frame[spec.name_property]), row_keys) if spec.name_property in frame else row_keys
        )
        labels.append(np.full(len(frame), label_ix.setdefault(batch.name, len(label_ix)), dtype=np.int64))
        pending.append((seq, start, batch))
        start += len(frame)
    # the ids that relationships and client lists name, encoded in the same pass (one hash table): a code
    # past the nodes' is an id no node has
    named: list[tuple[int, pa.Array]] = []
    for seq, batch in enumerate(batches):
        if batch.what == "edges":
            named += [(seq, _text_of(batch.frame[c])) for c in ("source", "target")]
        elif batch.what == "clients":
            named.append((seq, _text_array(client_columns(batch.frame)[0])))
    node_rows = start
    ids += [wanted for _, wanted in named]
    all_ids = pa.concat_arrays(ids) if ids else _text_array([])
    del ids
    encoded = all_ids.dictionary_encode()
    del all_ids
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    row_pos = codes[:node_rows]
    n = int(row_pos.max()) + 1 if node_rows else 0  # codes count in order of first appearance, nodes first
    ends: dict[int, tuple[pa.Array, np.ndarray]] = {}
    offset = node_rows
    for seq, wanted in named:
        found = codes[offset : offset + len(wanted)]
        offset += len(wanted)
        found = np.where(found < n, found, -1)
        if batch_ends := ends.get(seq):  # a relationship batch: (sources, targets) kept side by side
            ends[seq] = (pa.concat_arrays([batch_ends[0], wanted]), np.concatenate([batch_ends[1], found]))
        else:
            ends[seq] = (wanted, found)
    del codes
    if fg is not None and fg.n and not np.array_equal(row_pos[: fg.n], np.arange(fg.n)):
        raise not_a_store(fg.file.file, "two of its nodes have the same id")
    first, last = _first_seen(row_pos, n)
    row_label = np.concatenate(labels) if labels else np.zeros(0, dtype=np.int64)
    label_codes, olds = _first_order(row_label[first])
    if len(olds) > _MAX_CODES:
        raise StoreError("a store file holds at most 127 labels and 127 relationship types")
    by_ix = {i: label for label, i in label_ix.items()}
    label_names = [by_ix[int(i)] for i in olds]
    sources: dict[str, list[_Source]] = {}
    if fg is not None and fg.n:
        for i, (label, kinds) in enumerate(zip(fg.labels, fg.node_columns, strict=True)):
            where = np.flatnonzero(fg.label_codes == i)
            sources.setdefault(label, []).append(_file_source(fg, f"node_props/{i}", kinds, where))
    for seq, lo, batch in pending:
        rows = row_pos[lo : lo + len(batch.frame)]
        sources.setdefault(batch.name, []).append(_frame_source(seq, rows, batch.frame, frozenset()))
    dictionary = encoded.dictionary.slice(0, n)
    for seq, batch in enumerate(batches):
        if batch.what != "clients":
            continue
        client_ids, at = ends[seq]
        missing = client_ids.filter(pa.array(at < 0)).to_pylist()
        if missing:
            raise StoreError(f"clients: {len(missing)} companies are not in the graph (e.g. {missing[0]})")
        sources.setdefault("Company", []).append(_client_source(seq, at, client_columns(batch.frame)[1]))
    return _Nodes(
        ids=dictionary,
        keys=pa.concat_arrays(keys).take(pa.array(first)) if keys else _text_array([]),
        names=pa.concat_arrays(names).take(pa.array(last)) if names else _text_array([]),
        label_codes=label_codes,
        label_names=label_names,
        sources=sources,
        ends=ends,
    )


@dataclass
class _Occurrences:
    """Every relationship write in order (the old file's rows first), as parallel arrays."""

    src: list[np.ndarray] = field(default_factory=list)
    dst: list[np.ndarray] = field(default_factory=list)
    keys: list[np.ndarray] = field(default_factory=list)  # codes into key_texts
    key_texts: dict[str, int] = field(default_factory=dict)
    types: list[np.ndarray] = field(default_factory=list)  # schema order (len(types) for an unknown type)
    names: list[np.ndarray] = field(default_factory=list)  # index into the plan's type names
    strength: list[np.ndarray] = field(default_factory=list)
    count: int = 0

    def add(
        self,
        src: np.ndarray,
        dst: np.ndarray,
        keys: tuple[np.ndarray, list[str]],
        types: tuple[np.ndarray, np.ndarray],
        strength: np.ndarray,
    ) -> int:
        """Append writes; ``keys`` as (a code per write, the texts the codes index). Returns the first's number."""
        self.types.append(types[0])
        self.names.append(types[1])
        self.src.append(src)
        self.dst.append(dst)
        local, texts = keys
        shared = np.array([self.key_texts.setdefault(t, len(self.key_texts)) for t in texts], dtype=np.int64)
        self.keys.append(shared[local] if len(local) else np.zeros(0, dtype=np.int64))
        self.strength.append(strength)
        self.count += len(src)
        return self.count - len(src)


def _plan_edges(
    fg: FileGraph | None, batches: Sequence[RecordBatch], nodes: _Nodes, schema: Schema, weights: Weights
) -> _Edges:
    """Every relationship's identity, file order, strength and where its property values come from."""
    type_order = {t: i for i, t in enumerate(schema.types)}
    # every type name a relationship may have: the schema's, then any other the old file holds
    all_types = [*schema.types, *(t for t in (fg.types if fg is not None else []) if t not in type_order)]
    name_ix = {t: i for i, t in enumerate(all_types)}
    occ = _Occurrences()
    graph_attrs: dict[str, Any] = dict(fg.graph_attrs) if fg is not None else {}
    old_sections: list[tuple[str, int, list[tuple[str, str]], np.ndarray]] = []
    if fg is not None and fg.m:
        src, dst, codes = fg.edge_arrays()
        strength = fg.file.array("edge_strength", "<f8", fg.m)
        if not bool(np.all((strength > 0) & (strength <= 1))):
            raise fg.file.bad("a relationship's strength is outside (0, 1]")
        key_arr = _edge_key_array(fg.file, fg.m)
        plain = key_arr.cast(pa.large_string()) if not pa.types.is_dictionary(key_arr.type) else None
        if plain is None:
            plain = key_arr.dictionary.cast(pa.large_string()).take(key_arr.indices)
        encoded = plain.dictionary_encode()
        key_codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        check_edge_order(fg.file.file, fg.n, np.asarray(src), np.asarray(dst), key_codes)
        type_map = np.array([type_order.get(t, len(type_order)) for t in fg.types], dtype=np.int8)
        name_map = np.array([name_ix[t] for t in fg.types], dtype=np.int64)
        types = (type_map[codes], name_map[codes])
        old_keys = (key_codes, encoded.dictionary.to_pylist())
        occ.add(np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), old_keys, types, strength)
        del encoded, plain, old_keys
        for j, type_ in enumerate(fg.types):
            old_sections.append((type_, j, fg.edge_columns[j], np.flatnonzero(codes == j)))
    pending: list[tuple[int, int, RecordBatch]] = []
    for seq, batch in enumerate(batches):
        if batch.what != "edges":
            continue
        spec = schema.kind(batch.name)
        frame = batch.frame
        named, both = nodes.ends.pop(seq)
        src_pos, dst_pos = both[: len(frame)], both[len(frame) :]
        missing = sorted(set(named.filter(pa.array(both < 0)).to_pylist())) if both.min(initial=0) < 0 else []
        del named
        if missing:
            raise StoreError(
                f"{spec.type}: {len(missing)} relationship ends are not in the graph (e.g. {', '.join(missing[:3])}); "
                "nothing of this batch was written"
            )
        stamp = graph_attrs.get("weights")
        if stamp is None:
            graph_attrs["weights"] = weights.digest
        elif stamp != weights.digest:
            graph_attrs["weights"] = "stale"
        types = (
            np.full(len(frame), type_order[spec.type], dtype=np.int8),
            np.full(len(frame), name_ix[spec.type], dtype=np.int64),
        )
        keys = edge_key_codes(spec.type, frame, spec.identity)
        start = occ.add(src_pos, dst_pos, keys, types, np.asarray(weights.strengths(spec.type, frame), dtype=float))
        pending.append((seq, start, batch))
    total = occ.count
    if total:
        o_src, o_dst = np.concatenate(occ.src), np.concatenate(occ.dst)
        o_keys = np.concatenate(occ.keys)
        key_table = _text_array(list(occ.key_texts))
        o_types, o_strength = np.concatenate(occ.types), np.concatenate(occ.strength)
        o_names = np.concatenate(occ.names)
    else:
        o_src = o_dst = o_keys = o_names = np.zeros(0, dtype=np.int64)
        key_table = _text_array([])
        o_types, o_strength = np.zeros(0, dtype=np.int8), np.zeros(0, dtype=float)
    del occ
    # relationships (source, target, key), in the mirror's order; occurrences in write order within each
    # (distinct keys: no ties; UTF-8 byte order is the code point order Python's str compares by)
    key_rank = np.empty(len(key_table), dtype=np.int64)
    key_rank[np.asarray(pc.sort_indices(key_table), dtype=np.int64)] = np.arange(len(key_table), dtype=np.int64)
    order = stable_order(o_src, o_dst, key_rank[o_keys] if total else o_keys)
    s, d, k = o_src[order], o_dst[order], o_keys[order]
    starts_mask = np.ones(total, dtype=bool)
    starts_mask[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1]) | (k[1:] != k[:-1])
    starts = np.flatnonzero(starts_mask)
    ends_ = np.append(starts[1:], total)
    first_occ, last_occ = order[starts], order[ends_ - 1] if total else order[:0]
    rel_of_occ = np.empty(total, dtype=np.int64)
    rel_of_occ[order] = np.cumsum(starts_mask) - 1
    m = len(starts)
    m_src, m_dst, m_key = o_src[first_occ], o_dst[first_occ], o_keys[first_occ]
    m_types, m_strength = o_types[first_occ], o_strength[last_occ]
    # NetworkX's edge order: by source, then the pair's first write, then the key's first write in the pair
    pair_mask = np.ones(m, dtype=bool)
    pair_mask[1:] = (m_src[1:] != m_src[:-1]) | (m_dst[1:] != m_dst[:-1])
    pair_starts = np.flatnonzero(pair_mask)
    pair_first = np.minimum.reduceat(first_occ, pair_starts) if m else first_occ
    pair_first_rel = np.repeat(pair_first, np.diff(np.append(pair_starts, m)))
    file_order = stable_order(m_src, pair_first_rel, first_occ)
    file_row = np.empty(m, dtype=np.int64)
    file_row[file_order] = np.arange(m, dtype=np.int64)
    occ_row = file_row[rel_of_occ]
    del rel_of_occ, order, s, d, k
    # type names in order of first appearance in the file
    type_codes, olds = _first_order(o_names[first_occ][file_order])
    if len(olds) > _MAX_CODES:
        raise StoreError("a store file holds at most 127 labels and 127 relationship types")
    type_names = [all_types[int(i)] for i in olds]
    key_codes, key_olds = _first_order(m_key[file_order])
    dictionary = key_table.take(pa.array(key_olds, type=pa.int64())).cast(pa.string())
    keys = pa.DictionaryArray.from_arrays(pa.array(key_codes.astype(np.int32), type=pa.int32()), dictionary)
    sources: dict[str, list[_Source]] = {}
    for type_, j, kinds, rows in old_sections:
        assert fg is not None
        sources.setdefault(type_, []).append(_file_source(fg, f"edge_props/{j}", kinds, occ_row[rows]))
    for seq, start, batch in pending:
        rows = occ_row[start : start + len(batch.frame)]
        sources.setdefault(batch.name, []).append(
            _frame_source(seq, rows, batch.frame, frozenset({"source", "target"}))
        )
    return _Edges(
        src=m_src[file_order],
        dst=m_dst[file_order],
        type_codes=type_codes,
        type_names=type_names,
        strength=m_strength[file_order],
        keys=keys,
        mirror=(m_src, m_dst, m_types, m_strength),
        sources=sources,
        graph_attrs=graph_attrs,
    )


# -- writing ------------------------------------------------------------------------------------
def write_columnar(
    file: Path, old: FileGraph | None, batches: Sequence[RecordBatch], schema: Schema, weights: Weights
) -> None:
    """Write the store file of ``old`` (None: an empty graph) with ``batches`` written into it, in order.

    The caller holds the file's writer lock; the write is atomic
    (:func:`graph.store_file.write_store_file`). StoreError when a batch
    names a node the graph does not have or holds a value a file cannot hold.
    """
    nodes = _plan_nodes(old, batches, schema)
    edges = _plan_edges(old, batches, nodes, schema, weights)
    graph_attrs = edges.graph_attrs
    if not all(type(k) is str and (v is None or type(v) in (str, int, float, bool)) for k, v in graph_attrs.items()):
        raise StoreError("the graph's own attributes hold values a store file cannot hold")
    meta: dict[str, Any] = {}
    write_store_file(file, _sections(meta, nodes, edges, schema, weights), meta)


def _sections(
    meta: dict[str, Any], nodes: _Nodes, edges: _Edges, schema: Schema, weights: Weights
) -> Iterator[Section]:
    """The sections in the order :func:`graph.embedded_file.save_graph` writes them; ``meta`` complete at the end."""
    n = len(nodes.ids)
    yield "node_label", nodes.label_codes.astype(np.int8)
    yield "nodes", pa.table({"key": nodes.keys.cast(pa.string()), "name": nodes.names.cast(pa.string())})
    node_kinds: list[list[list[str]]] = []
    flags: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i, label in enumerate(nodes.label_names):
        where = np.flatnonzero(nodes.label_codes == i)
        rank = np.full(n, -1, dtype=np.int64)
        rank[where] = np.arange(len(where), dtype=np.int64)
        table, kinds, kept = _props_table(nodes.sources.get(label, []), rank, len(where), f"{label} node", _FLAGS)
        for name, (at, values) in kept.items():
            old = flags.get(name)
            flags[name] = (
                (at, values) if old is None else (np.concatenate([old[0], at]), np.concatenate([old[1], values]))
            )
        node_kinds.append(kinds)
        yield f"node_props/{i}", table
        del table
    m = len(edges.src)
    yield "edge_src", edges.src
    yield "edge_dst", edges.dst
    yield "edge_type", edges.type_codes.astype(np.int8)
    yield "edge_strength", np.asarray(edges.strength, dtype=np.float64)
    yield "edge_keys", pa.table({"key": edges.keys})
    edge_kinds: list[list[list[str]]] = []
    for j, type_ in enumerate(edges.type_names):
        where = np.flatnonzero(edges.type_codes == j)
        rank = np.full(m, -1, dtype=np.int64)
        rank[where] = np.arange(len(where), dtype=np.int64)
        table, kinds, _ = _props_table(edges.sources.get(type_, []), rank, len(where), f"{type_} relationship")
        edge_kinds.append(kinds)
        yield f"edge_props/{j}", table
        del table
    ids: list[str] = nodes.ids.to_pylist()
    yield from lookup_sections(ids, nodes.keys.to_pylist(), nodes.names.to_pylist(), edges.dst)
    index = _index(ids, flags, edges, schema, weights)
    for name in INDEX_ARRAYS:
        yield f"index/{name}", np.asarray(getattr(index, name))
    query = EmbeddedStore(schema, weights).default_filter()
    key = _filter_key(query)
    sources, _, interior_ok, type_mask = EmbeddedStore._source_arrays(index, query)
    cost, hops = index.bounds(key, sources, interior_ok, type_mask)
    yield "bounds/cost", np.asarray(cost, dtype=np.float64)
    yield "bounds/hops", np.asarray(hops, dtype=np.float64)
    meta.update(
        {
            "counts": {"nodes": n, "relationships": m},
            "labels": nodes.label_names,
            "types": edges.type_names,
            "node_columns": node_kinds,
            "edge_columns": edge_kinds,
            "graph": edges.graph_attrs,
            "weights": weights.digest,
            "index_types": list(schema.types),
            "bounds_key": [list(k) if isinstance(k, tuple) else k for k in key],
        }
    )


def _index(
    ids: list[str], flags: dict[str, tuple[np.ndarray, np.ndarray]], edges: _Edges, schema: Schema, weights: Weights
) -> SearchIndex:
    """The search index :func:`graph.embedded.build_index` would build from the same graph."""
    n = len(ids)

    def column(name: str) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        found = flags.get(name)
        if found is not None:
            out[found[0]] = found[1]
        return out

    def truth(name: str) -> np.ndarray:
        values = column(name)
        return np.fromiter(map(bool, values.tolist()), dtype=bool, count=n)

    is_client = truth("is_client")
    manager, branch = column("manager"), column("branch")
    manager[~is_client] = None
    branch[~is_client] = None
    return SearchIndex(
        ids=ids,
        pos={},  # the bounds of the clients filter read no positions
        is_client=is_client,
        blacklisted=truth("blacklisted"),
        status=column("status"),
        manager=manager,
        branch=branch,
        types=tuple(schema.types),
        **csr_arrays(n, *edges.mirror, weights),  # type: ignore[arg-type]  # the six adjacency arrays
    )
