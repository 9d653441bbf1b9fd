"""Warmth: how strong a relationship is, how much a hub costs, how paths rank.

The numbers live in ``warmth.yaml`` (or the file named by ``GUANXI_WARMTH``);
this module reads them and applies them, identically for every store:

* a relationship's strength comes from its type and properties (role, stake,
  amount) and lies in (0, 1];
* a node a path passes through counts ``min(1, (free_degree/degree)**exponent)``;
* a path's warmth is the product of both, multiplied in path order by
  :func:`path_warmth`, and paths rank by :func:`rank_key`.

>>> w = load_weights()
>>> w.strength("SERVES_AS", {"role": "chairman"})
0.9
>>> w.strength("HOLDS_SHARES", {"ratio": 0.6})
0.9
>>> round(w.discount(2000), 3)
0.1
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from graph.errors import SchemaError

if TYPE_CHECKING:  # pandas is imported where frames are scored: a path query never needs it
    import pandas as pd

WARMTH_FILE = Path(__file__).with_name("warmth.yaml")

#: warmth is compared at this many decimals, so that mathematically equal
#: products computed in another order still tie
RANK_DECIMALS = 12


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if type(value) in (str, int, bool):  # what a store holds, answered without pandas
        return False
    if type(value) is float:
        return math.isnan(value)
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Weights:
    """The parsed warmth configuration."""

    by_role: Mapping[str, float]
    former_factor: float
    by_ratio: tuple[tuple[float, float], ...]
    ratio_unknown: float
    by_amount: tuple[tuple[float, float], ...]
    amount_unknown: float
    defaults: Mapping[str, float]
    free_degree: float
    exponent: float
    exclude_statuses: tuple[str, ...]
    exclude_blacklisted: bool
    k: int
    max_hops: int
    min_warmth: float
    digest: str
    #: name fragments of holders that connect nobody (国资委, 财政局 ...): never inside an introduction path
    no_connector_names: tuple[str, ...] = ()
    #: a holder with at least this many stakes connects nobody either (0: no such rule)
    no_connector_stakes: int = 0
    #: where the weights came from (a file name), to name it in messages; not part of the digest
    source: str = field(default="", compare=False)

    @property
    def strengths_digest(self) -> str:
        """A digest of what decides relationship strengths (the ``relationships:`` section) and nothing else.

        A graph that stores strengths (Neo4j) is shared by clients whose
        warmth files may differ in what each computes for itself (hub
        discount, defaults, who connects nobody); only this part must agree.

        >>> load_weights().strengths_digest == load_weights().strengths_digest
        True
        """
        parts = [
            sorted(self.by_role.items()),
            self.former_factor,
            self.by_ratio,
            self.ratio_unknown,
            self.by_amount,
            self.amount_unknown,
            sorted(self.defaults.items()),
        ]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]

    # -- relationships -----------------------------------------------------
    def strength(self, type_: str, props: Mapping[str, Any]) -> float:
        """Strength in (0, 1] of one relationship of ``type_`` with ``props``."""
        if type_ == "SERVES_AS":
            role = props.get("role")
            value = self.by_role.get(str(role), self.by_role.get("other", 0.3))
            if not _is_missing(props.get("until")):
                value *= self.former_factor
            return value
        if type_ == "HOLDS_SHARES":
            return _step(props.get("ratio"), self.by_ratio, self.ratio_unknown)
        if type_ == "SUPPLIES":
            return _step(props.get("amount"), self.by_amount, self.amount_unknown)
        return self.defaults.get(type_, 0.5)

    def why(self, type_: str, props: Mapping[str, Any]) -> tuple[str, str]:
        """Why a relationship has the strength it has, in Chinese and English: the rule that applied.

        >>> w = load_weights()
        >>> w.why("HOLDS_SHARES", {"ratio": 0.3})
        ('持股 ≥ 25%', 'stake ≥ 25%')
        >>> w.why("SERVES_AS", {"role": "director", "until": "2020-01-01"})
        ('director，已离任 × 0.5', 'director, former × 0.5')
        """
        if type_ == "SERVES_AS":
            role = str(props.get("role") or "other")
            role = role if role in self.by_role else "other"
            if _is_missing(props.get("until")):
                return role, role
            return f"{role}，已离任 × {self.former_factor:g}", f"{role}, former × {self.former_factor:g}"
        if type_ in ("HOLDS_SHARES", "SUPPLIES"):
            equity = type_ == "HOLDS_SHARES"
            value = props.get("ratio" if equity else "amount")
            if _is_missing(value):
                return ("持股比例未知", "stake unknown") if equity else ("金额未知", "amount unknown")
            table = self.by_ratio if equity else self.by_amount
            x = float(value)  # type: ignore[arg-type]  # not missing: a number the loader checked
            threshold = next((t for t, _ in table if x >= t), table[-1][0])
            if equity:
                pct = f"{threshold * 100:g}%"
                return f"持股 ≥ {pct}", f"stake ≥ {pct}"
            zh, en = _yuan(threshold)
            return f"年交易额 ≥ {zh}", f"annual amount ≥ {en}"
        return "按关系类型", "by kind"

    def strengths(self, type_: str, frame: pd.DataFrame) -> np.ndarray:
        import pandas as pd

        """Vectorised :meth:`strength` over the rows of ``frame``."""
        n = len(frame)
        if type_ == "SERVES_AS":
            roles = frame["role"].astype("object") if "role" in frame else pd.Series([None] * n)
            other = self.by_role.get("other", 0.3)
            values = roles.map(lambda r: self.by_role.get(str(r), other)).to_numpy(dtype=float)
            if "until" in frame:
                values = np.where(frame["until"].isna().to_numpy(), values, values * self.former_factor)
            return values
        if type_ == "HOLDS_SHARES":
            return _step_vec(frame.get("ratio"), n, self.by_ratio, self.ratio_unknown)
        if type_ == "SUPPLIES":
            return _step_vec(frame.get("amount"), n, self.by_amount, self.amount_unknown)
        return np.full(n, self.defaults.get(type_, 0.5), dtype=float)

    # -- nodes ---------------------------------------------------------------
    def discount(self, degree: int) -> float:
        """What passing through a node with ``degree`` relationships costs."""
        if degree <= self.free_degree:
            return 1.0
        return float((self.free_degree / degree) ** self.exponent)

    def discounts(self, degrees: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`discount`."""
        deg = np.maximum(degrees.astype(float), 1.0)
        return np.where(deg <= self.free_degree, 1.0, (self.free_degree / deg) ** self.exponent)


def _yuan(amount: float) -> tuple[str, str]:
    """A threshold in yuan as a reader says it: ``1亿`` / ``¥100M``."""
    if amount >= 1e8:
        return f"{amount / 1e8:g}亿", f"¥{amount / 1e6:g}M"
    if amount >= 1e4:
        return f"{amount / 1e4:g}万", f"¥{amount / 1e6:g}M" if amount >= 1e6 else f"¥{amount / 1e3:g}k"
    return f"{amount:g}元", f"¥{amount:g}"


def _step(value: Any, table: Sequence[tuple[float, float]], unknown: float) -> float:
    if _is_missing(value):
        return unknown
    x = float(value)
    for threshold, strength in table:
        if x >= threshold:
            return strength
    return table[-1][1]


def _step_vec(col: Any, n: int, table: Sequence[tuple[float, float]], unknown: float) -> np.ndarray:
    if col is None:
        return np.full(n, unknown, dtype=float)
    import pandas as pd

    x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    out = np.full(n, table[-1][1], dtype=float)
    for threshold, strength in reversed(table):
        out = np.where(x >= threshold, strength, out)
    return np.where(np.isnan(x), unknown, out)


def path_warmth(strengths: Sequence[float], discounts: Sequence[float]) -> float:
    """Warmth of a path from its hop strengths and interior-node discounts.

    ``discounts`` has one entry per interior node (``len(strengths) - 1``).
    Multiplied in path order so every store gets the very same float.

    >>> path_warmth([0.9, 0.7], [0.5])
    0.315
    """
    if len(discounts) != max(len(strengths) - 1, 0):
        raise ValueError("need one discount per interior node")
    warmth = 1.0
    for i, s in enumerate(strengths):
        if i:
            warmth *= discounts[i - 1]
        warmth *= s
    return warmth


def rank_key(warmth: float, ids: Sequence[str]) -> tuple[float, int, tuple[str, ...]]:
    """Sort key of a path: warmest first, then fewer hops, then by node ids."""
    return (-round(warmth, RANK_DECIMALS), len(ids), tuple(ids))


def cost(value: float) -> float:
    """``-log(value)``: warmth as an additive, non-negative search cost."""
    return math.inf if value <= 0 else -math.log(value)


def _number(data: Mapping[str, Any], key: str, where: str, lo: float = 0.0, hi: float = 1.0) -> float:
    if key not in data:
        raise SchemaError(f"{where}: missing {key!r}")
    try:
        value = float(data[key])
    except (TypeError, ValueError):
        raise SchemaError(f"{where}.{key}: expected a number, got {data[key]!r}") from None
    if not lo < value <= hi and not (lo == 0.0 and value == 0.0 and hi > 1.0):
        raise SchemaError(f"{where}.{key}: {value} is outside ({lo}, {hi}]")
    return value


def _table(raw: Any, where: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(raw, list) or not raw:
        raise SchemaError(f"{where}: expected a list of [threshold, strength] pairs")
    rows: list[tuple[float, float]] = []
    for i, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2:
            raise SchemaError(f"{where}[{i}]: expected [threshold, strength]")
        threshold = float(pair[0])
        strength = _number({"strength": pair[1]}, "strength", f"{where}[{i}]")
        rows.append((threshold, strength))
    if [t for t, _ in rows] != sorted((t for t, _ in rows), reverse=True):
        raise SchemaError(f"{where}: thresholds must go from high to low")
    return tuple(rows)


def parse_weights(data: Any, source: str = "warmth") -> Weights:
    """Build :class:`Weights` from parsed YAML, checking every number."""
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: expected a mapping at the top")
    rel = data.get("relationships") or {}
    officer = rel.get("SERVES_AS") or {}
    by_role = {
        str(k): _number(officer.get("by_role") or {}, k, f"{source}: SERVES_AS.by_role")
        for k in (officer.get("by_role") or {})
    }
    if not by_role:
        raise SchemaError(f"{source}: SERVES_AS.by_role is empty")
    equity = rel.get("HOLDS_SHARES") or {}
    supply = rel.get("SUPPLIES") or {}
    defaults = {
        str(t): _number(v, "default", f"{source}: {t}")
        for t, v in rel.items()
        if isinstance(v, dict) and "default" in v
    }
    hub = data.get("hub") or {}
    exclude = data.get("exclude") or {}
    connectors = data.get("no_connectors") or {}
    if not isinstance(connectors, dict):
        raise SchemaError(f"{source}: no_connectors must be a mapping (names, min_stakes)")
    names = connectors.get("names") or []
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise SchemaError(f"{source}: no_connectors.names must be a list of name fragments")
    stakes = connectors.get("min_stakes", 0)
    if isinstance(stakes, bool) or not isinstance(stakes, int) or stakes < 0:
        raise SchemaError(f"{source}: no_connectors.min_stakes must be a whole number ≥ 0, got {stakes!r}")
    dflt = data.get("defaults") or {}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Weights(
        by_role=by_role,
        former_factor=_number(officer, "former_factor", f"{source}: SERVES_AS"),
        by_ratio=_table(equity.get("by_ratio"), f"{source}: HOLDS_SHARES.by_ratio"),
        ratio_unknown=_number(equity, "unknown", f"{source}: HOLDS_SHARES"),
        by_amount=_table(supply.get("by_amount"), f"{source}: SUPPLIES.by_amount"),
        amount_unknown=_number(supply, "unknown", f"{source}: SUPPLIES"),
        defaults=defaults,
        free_degree=_number(hub, "free_degree", f"{source}: hub", 0.0, 1e9),
        exponent=_number(hub, "exponent", f"{source}: hub", 0.0, 10.0),
        exclude_statuses=tuple(str(s) for s in exclude.get("statuses", ())),
        exclude_blacklisted=bool(exclude.get("blacklisted", True)),
        k=int(dflt.get("k", 5)),
        max_hops=int(dflt.get("max_hops", 4)),
        min_warmth=float(dflt.get("min_warmth", 0.0)),
        digest=digest,
        no_connector_names=tuple(n.strip() for n in names),
        no_connector_stakes=stakes,
        source=source,
    )


@lru_cache(maxsize=8)
def load_weights(path: str | Path | None = None) -> Weights:
    """Read and check a warmth file (the packaged ``warmth.yaml`` by default)."""
    file = Path(path) if path else WARMTH_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read warmth file {file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(f"warmth file {file} is not valid YAML: {exc}") from exc
    return parse_weights(data, str(file))
