"""How rows become stored properties and relationship identities, the same in every store.

Both stores keep the same node and relationship properties, key a
relationship by the same identity string and explain a hop with the same
relationship; these small functions are that shared contract.

>>> edge_key("SERVES_AS", ["director"])
'SERVES_AS|director'
>>> present(float("nan")), plain_value(np.int64(3))
(False, 3)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.model import Edge, node_id

if TYPE_CHECKING:  # pandas is imported with the frames it reads: a query on an opened store never needs it
    import pandas as pd

#: node and relationship attributes a store sets itself; a loader column of that name is not copied
RESERVED = frozenset({"label", "key", "name", "type"})
#: client list column -> the company property it sets (besides ``is_client = True``)
CLIENT_PROPS: Mapping[str, str] = {"manager": "manager", "branch": "branch", "since": "client_since"}


def present(value: Any) -> bool:
    """False for None, NaN, pandas' NA and NaT: a property that is not stored."""
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    pd = sys.modules.get("pandas")  # no pandas loaded: the value cannot be one of its missing markers
    return pd is None or not (value is pd.NA or value is pd.NaT)


def plain_value(value: Any) -> Any:
    """Plain Python values for storage (numpy scalars become int/float/bool, timestamps ISO dates)."""
    if isinstance(value, np.generic):
        return value.item()
    pd = sys.modules.get("pandas")  # no pandas loaded: the value cannot be a timestamp of its
    if pd is not None and isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def edge_key(type_: str, identity: Iterable[Any]) -> str:
    """The key of a relationship among those joining the same two nodes: its type and identity values."""
    parts = [type_, *("" if not present(v) else str(plain_value(v)) for v in identity)]
    return "|".join(parts)


def edge_keys(type_: str, frame: pd.DataFrame, identity: Sequence[str]) -> list[str]:
    """:func:`edge_key` for every row of ``frame``, vectorised and interned (few distinct keys)."""
    codes, texts = edge_key_codes(type_, frame, identity)
    keys = np.empty(len(texts), dtype=object)
    keys[:] = texts
    out: list[str] = keys[codes].tolist()
    return out


def edge_key_codes(type_: str, frame: pd.DataFrame, identity: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """:func:`edge_keys` as a code per row and the distinct key texts the codes index (no string per row)."""
    if not identity:
        return np.zeros(len(frame), dtype=np.int64), [sys.intern(type_)]
    import pandas as pd

    texts: list[list[str]] = []
    columns: list[np.ndarray] = []
    for col in identity:
        if col in frame.columns:
            codes, uniques = pd.factorize(frame[col], use_na_sentinel=True)
            texts.append([str(plain_value(v)) if present(v) else "" for v in uniques.tolist()] + [""])
            columns.append(np.where(codes < 0, len(texts[-1]) - 1, codes))  # missing picks the trailing ""
        else:
            texts.append([""])
            columns.append(np.zeros(len(frame), dtype=np.int64))
    # one string per distinct combination of values, not per row
    combos, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    keys = [sys.intern("|".join((type_, *(t[c] for t, c in zip(texts, row, strict=True))))) for row in combos.tolist()]
    return np.asarray(inverse, dtype=np.int64).reshape(-1), keys


def edge_choice_key(edge: Edge, type_order: Mapping[str, int]) -> tuple[float, int, str, str, str]:
    """Which of several relationships joining the same two nodes a hop uses.

    The strongest; among equals the earlier type in the schema, then by ends
    and identity, so every store explains a hop with the same relationship.
    """
    return (-edge.strength, type_order.get(edge.type, 99), edge.source, edge.target, str(edge.props.get("_key", "")))


def client_columns(frame: pd.DataFrame) -> tuple[list[str], dict[str, pd.Series]]:
    """The client companies' ids, and the properties a client list sets on them, by column
    (``is_client`` and :data:`CLIENT_PROPS`; missing values where a row has none)."""
    import pandas as pd

    ids = [node_id("Company", str(u)) for u in frame["uscc"].tolist()]
    out: dict[str, pd.Series] = {"is_client": pd.Series([True] * len(frame), dtype=object)}
    for col, prop in CLIENT_PROPS.items():
        if col in frame.columns:
            out[prop] = frame[col].reset_index(drop=True)
    return ids, out


def row_props(columns: Mapping[str, pd.Series], skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Each row's properties from columns: its present values, as plain Python values."""
    left_out = set(skip)
    names = [c for c in columns if c not in left_out]
    values: list[list[Any]] = [columns[c].tolist() for c in names]
    rows = len(values[0]) if values else 0
    pairs = list(zip(names, values, strict=True))
    return [{c: plain_value(vals[i]) for c, vals in pairs if present(vals[i])} for i in range(rows)]
