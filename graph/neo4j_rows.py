"""What a Neo4j graph stores for each validated row: one definition for both ways of writing it.

:meth:`graph.neo4j_store.Neo4jStore.write` (Cypher, row by row) and
:func:`loaders.neo4j_import.export_for_import` (files for ``neo4j-admin``,
column by column) must store the same properties, bookkeeping included, or
the two ways would give different graphs. Both start from the columns made
here: a column per stored property, a missing value where a row has none.

>>> import pandas as pd
>>> from graph.schema import load_schema
>>> columns = node_columns(load_schema(), "Person", pd.DataFrame({"id": ["p1"], "name": ["Wang"]}))
>>> from graph.records import row_props
>>> list(columns), row_props(columns, skip=("_id",))
(['_id', 'name', 'id', '_key_uc', '_name_lc'], [{'name': 'Wang', 'id': 'p1', '_key_uc': 'P1', '_name_lc': 'wang'}])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from graph import cypher
from graph.records import RESERVED, edge_keys, present
from graph.schema import Schema
from graph.warmth import Weights


def former_names(raw: Any) -> list[str]:
    """Case-folded former names, split and stripped as the embedded name index does."""
    items = raw.split(";") if isinstance(raw, str) else raw or ()
    return [str(fn).strip().casefold() for fn in items if fn]


def former_text(raw: Any) -> str:
    """The searchable copy of the former names (``_former_lc``): each between :data:`cypher.FORMER_SEP`.

    Not a line break: a value without one keeps an import file single-line,
    which the importer reads much faster.
    """
    sep = cypher.FORMER_SEP
    return sep + sep.join(former_names(raw)) + sep


def node_columns(schema: Schema, label: str, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """``_id``, ``name`` (the key when missing), the data columns and the search copies of key and names.

    The label and key are not stored apart: the id ``"Label:key"`` holds both.
    """
    spec = schema.label(label)
    frame = frame.reset_index(drop=True)
    keys = frame[spec.key].astype(str)
    names = frame[spec.name_property] if spec.name_property in frame else pd.Series([None] * len(frame))
    names = names.where(names.notna(), keys).astype(str)
    out: dict[str, pd.Series] = {cypher.ID: label + ":" + keys, "name": names}
    for col in frame.columns:
        if str(col) not in RESERVED:
            out[str(col)] = frame[col]
    out[cypher.KEY_UC] = keys.str.upper()
    out[cypher.NAME_LC] = pd.Series([n.casefold() for n in names.tolist()])
    if "identifiers" in frame.columns:
        sep = cypher.FORMER_SEP
        out[cypher.IDENTS_UC] = pd.Series(
            [sep + sep.join(str(i).upper() for i in v) + sep if present(v) else None for v in frame["identifiers"]],
            dtype=object,
        )
    if "former_names" in frame.columns:
        out[cypher.FORMER_LC] = pd.Series(
            [former_text(v) if present(v) else None for v in frame["former_names"].tolist()], dtype=object
        )
    return out


def edge_columns(schema: Schema, weights: Weights, type_: str, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """``source``, ``target``, ``_key`` (the identity among relationships joining the same two nodes),
    the data columns and ``_strength`` (what the warmth weights give it)."""
    spec = schema.kind(type_)
    frame = frame.reset_index(drop=True)
    out: dict[str, pd.Series] = {"source": frame["source"].astype(str), "target": frame["target"].astype(str)}
    out[cypher.KEY] = pd.Series(edge_keys(spec.type, frame, spec.identity), dtype=object)
    for col in frame.columns:
        if col not in ("source", "target") and str(col) not in RESERVED:
            out[str(col)] = frame[col]
    out[cypher.STRENGTH] = pd.Series(weights.strengths(spec.type, frame), dtype="float64").reset_index(drop=True)
    return out


def visible_props(props: Mapping[str, Any], published: int) -> dict[str, Any]:
    """A node's or relationship's properties as generation ``published`` sees them.

    While a load that is not published yet (a generation above ``published``)
    has changed it, the values it had are kept (:func:`graph.cypher._stamp`):
    each key listed in ``_osaved`` takes its ``_o_<key>`` value, or is left out
    if it had none. Bookkeeping stays (the caller hides it).

    >>> visible_props({"name": "new", "_ogen": 3, "_osaved": ["name", "city"], "_o_name": "old", "city": "x"}, 2)
    {'name': 'old', '_ogen': 3, '_osaved': ['name', 'city'], '_o_name': 'old'}
    >>> visible_props({"name": "new", "_ogen": 3, "_osaved": ["name"], "_o_name": "old"}, 3)["name"]
    'new'
    """
    changed = props.get(cypher.OGEN)
    if changed is None or int(changed) <= published:
        return dict(props)
    out = dict(props)
    for key in props.get(cypher.OSAVED) or ():
        old = cypher.OLD_PREFIX + str(key)
        if old in props:
            out[key] = props[old]
        else:
            out.pop(key, None)
    return out


def restored_props(props: Mapping[str, Any], published: int) -> dict[str, Any]:
    """What a node or relationship holds once every generation above ``published`` is abandoned and the
    published ones are final: the kept old values given back where an abandoned load changed it, the
    sequence number a failed replace moved given back, and the generation bookkeeping gone.

    >>> restored_props({"_id": "C:1", "name": "new", "_ogen": 3, "_osaved": ["name"], "_o_name": "old"}, 2)
    {'_id': 'C:1', 'name': 'old'}
    >>> restored_props({"_id": "C:1", "name": "new", "_ogen": 3, "_osaved": ["name"], "_o_name": "old"}, 3)
    {'_id': 'C:1', 'name': 'new'}
    """
    out = visible_props(props, published)
    rewritten = out.get(cypher.RGEN)
    if rewritten is not None and int(rewritten) > published and out.get(cypher.OSEQ) is not None:
        out[cypher.SEQ] = out[cypher.OSEQ]
    gone = {cypher.OGEN, cypher.OSAVED, cypher.OSEQ, cypher.RGEN, cypher.KEYS, cypher.DGEN}
    end = out.get(cypher.END)
    if end is not None and int(end) > published:
        gone.add(cypher.END)
    return {k: v for k, v in out.items() if k not in gone and not k.startswith(cypher.OLD_PREFIX)}
