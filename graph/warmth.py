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

import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from graph.errors import SchemaError
from graph.schema import KindSpec, Schema, load_schema, schema_file, yaml_problem

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


#: the kinds the first warmth files named; the strengths digest of a file with only these stays what it was
_LEGACY_TYPES = ("SERVES_AS", "HOLDS_SHARES", "SUPPLIES", "GUARANTEES", "LOCATED_IN")
#: how a step table's thresholds are written in its band: 25% / 1亿 (¥100M) / 3
SCALES = ("percent", "yuan", "number")


@dataclass(frozen=True)
class StrengthRule:
    """How strong one relationship kind is: one of three generic forms, named in ``warmth.yaml``.

    * ``steps``: a table over a numeric property, first threshold reached (``by_ratio: [[0.5, 0.9], ...]``),
      with ``unknown`` when the property is missing;
    * ``map``: a value per enum value (``by_role: {chairman: 0.9, ...}``), an unknown value counting
      as the enum's fallback (or ``unknown``);
    * ``constant``: one strength (``default: 0.8``).

    ``former_factor`` multiplies the strength of a former tie (the kind's ``former`` date is set).
    ``times_over`` / ``times_steps`` (``times_by_<property>``) multiply any form by a second step table
    of factors over another numeric property, ``times_unknown`` when it is missing (a transaction's
    amount, then how many payments made it).
    """

    type: str
    form: str
    over: str | None = None
    steps: tuple[tuple[float, float], ...] = ()
    values: Mapping[str, float] = field(default_factory=dict)
    #: the map key an unknown or missing value counts as (None: ``unknown`` applies)
    other: str | None = None
    unknown: float | None = None
    constant: float | None = None
    former_factor: float | None = None
    #: the schema's former-tie date property of the kind (None: no former ties)
    former: str | None = None
    #: the schema's entry of the kind (its sentence templates): no second schema look-up per hop
    spec: KindSpec | None = field(default=None, compare=False, repr=False)
    scale: str = "number"
    band: tuple[str, str] = ("{over} ≥ {threshold}", "{over} ≥ {threshold}")
    band_unknown: tuple[str, str] = ("{over}未知", "{over} unknown")
    times_over: str | None = None
    times_steps: tuple[tuple[float, float], ...] = ()
    times_unknown: float = 1.0
    times_band: tuple[str, str] = ("{over} ≥ {threshold}", "{over} ≥ {threshold}")
    #: recency (``recency: {date: since, steps: [[10, 0.7], ...]}``): the strength times the factor of the first
    #: threshold the tie's age in years (today minus this date) reaches; no date, no change
    age_of: str | None = None
    age_steps: tuple[tuple[float, float], ...] = ()

    def age_factor(self, props: Mapping[str, Any]) -> float:
        """The recency factor of one tie (1 when the rule has none or the date is missing)."""
        if self.age_of is None:
            return 1.0
        years = _years_since(props.get(self.age_of))
        return 1.0 if years is None else _step(years, self.age_steps, 1.0)

    def missing(self) -> float:
        """The strength of a relationship whose property is missing or unknown."""
        if self.other is not None:
            return self.values[self.other]
        return self.unknown if self.unknown is not None else 0.0

    def is_former(self, props: Mapping[str, Any]) -> bool:
        """Whether the tie is a former one (its former-tie date is set) and the rule prices that."""
        return self.former is not None and self.former_factor is not None and not _is_missing(props.get(self.former))

    def strength(self, props: Mapping[str, Any]) -> float:
        """Strength in (0, 1] of one relationship with ``props``."""
        if self.form == "constant":
            value = float(self.constant or 0.0)
        elif self.form == "map":
            value = self.values.get(str(props.get(self.over or "")), self.missing())
        else:
            value = _step(props.get(self.over or ""), self.steps, self.missing())
        if self.times_over is not None:
            value *= _step(props.get(self.times_over), self.times_steps, self.times_unknown)
        if self.is_former(props):
            value *= float(self.former_factor or 1.0)
        return value * self.age_factor(props)

    def strengths(self, frame: pd.DataFrame) -> np.ndarray:
        """Vectorised :meth:`strength` over the rows of ``frame``."""
        import pandas as pd

        n = len(frame)
        over = self.over or ""
        if self.form == "constant":
            values = np.full(n, float(self.constant or 0.0), dtype=float)
        elif self.form == "map":
            col = frame[over].astype("object") if over in frame else pd.Series([None] * n)
            missing = self.missing()
            values = col.map(lambda v: self.values.get(str(v), missing)).to_numpy(dtype=float)
        else:
            values = _step_vec(frame.get(over), n, self.steps, self.missing())
        if self.times_over is not None:
            values = values * _step_vec(frame.get(self.times_over), n, self.times_steps, self.times_unknown)
        if self.former is not None and self.former_factor is not None and self.former in frame:
            values = np.where(frame[self.former].isna().to_numpy(), values, values * self.former_factor)
        if self.age_of is not None and self.age_of in frame:
            born = pd.to_datetime(frame[self.age_of].astype("object"), errors="coerce", format="ISO8601")
            years = (pd.Timestamp(dt.date.today()) - born).dt.days / 365.25
            values = values * _step_vec(years, n, self.age_steps, 1.0)
        return values

    def why(self, props: Mapping[str, Any]) -> tuple[str, str]:
        """The band the relationship fell in, in Chinese and English."""
        if self.form == "constant":
            zh, en = "按关系类型", "by kind"
        elif self.form == "map":
            key = str(props.get(self.over or "") or self.other or "")
            zh = en = key if key in self.values else str(self.other or "?")
        else:
            value = props.get(self.over or "")
            if _is_missing(value):
                zh, en = self.band_unknown[0].format(over=self.over), self.band_unknown[1].format(over=self.over)
            else:
                x = float(value)  # type: ignore[arg-type]  # not missing: a number the loader checked
                threshold = next((t for t, _ in self.steps if x >= t), self.steps[-1][0])
                word_zh, word_en = _threshold(threshold, self.scale)
                zh = self.band[0].format(over=self.over, threshold=word_zh)
                en = self.band[1].format(over=self.over, threshold=word_en)
        if self.times_over is not None and not _is_missing(props.get(self.times_over)):
            x = float(props[self.times_over])
            factor, threshold = next(((f, t) for t, f in self.times_steps if x >= t), self.times_steps[-1][::-1])
            word_zh, word_en = _threshold(threshold, "number")
            zh += f"，{self.times_band[0].format(over=self.times_over, threshold=word_zh)} × {factor:g}"
            en += f", {self.times_band[1].format(over=self.times_over, threshold=word_en)} × {factor:g}"
        if self.is_former(props):
            f = float(self.former_factor or 1.0)
            zh, en = f"{zh}，已离任 × {f:g}", f"{en}, former × {f:g}"
        age = self.age_factor(props)
        if age != 1.0:
            years = int(_years_since(props.get(self.age_of or "")) or 0)
            zh, en = f"{zh}，{years}年前 × {age:g}", f"{en}, {years} years ago × {age:g}"
        return zh, en

    def as_data(self) -> list[Any]:
        """What decides the strengths, as plain data (for a digest)."""
        return [
            self.form,
            self.over,
            self.steps,
            sorted(self.values.items()),
            self.other,
            self.unknown,
            self.constant,
            self.former_factor,
            *([self.times_over, self.times_steps, self.times_unknown] if self.times_over is not None else []),
            *([["recency", self.age_of, self.age_steps]] if self.age_of else []),
        ]


@dataclass(frozen=True)
class Weights:
    """The parsed warmth configuration."""

    #: the strength rule of every relationship kind of the schema
    rules: Mapping[str, StrengthRule]
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

    # -- the first kinds' rules by their old names (the calibration and the title order read them) --------
    @property
    def by_role(self) -> Mapping[str, float]:
        """The officer rule's strength per role (its order is the warmest-title order of compound titles)."""
        rule = self.rules.get("SERVES_AS")
        return rule.values if rule is not None else {}

    @property
    def former_factor(self) -> float:
        """What leaving a post costs an officer tie."""
        rule = self.rules.get("SERVES_AS")
        return float(rule.former_factor) if rule is not None and rule.former_factor is not None else 1.0

    @property
    def by_ratio(self) -> tuple[tuple[float, float], ...]:
        """The equity rule's step table."""
        return self.rules["HOLDS_SHARES"].steps if "HOLDS_SHARES" in self.rules else ()

    @property
    def ratio_unknown(self) -> float:
        """The equity rule's strength for an unknown stake."""
        return self.rules["HOLDS_SHARES"].missing() if "HOLDS_SHARES" in self.rules else 0.0

    @property
    def by_amount(self) -> tuple[tuple[float, float], ...]:
        """The supply rule's step table."""
        return self.rules["SUPPLIES"].steps if "SUPPLIES" in self.rules else ()

    @property
    def amount_unknown(self) -> float:
        """The supply rule's strength for an unknown amount."""
        return self.rules["SUPPLIES"].missing() if "SUPPLIES" in self.rules else 0.0

    @property
    def defaults(self) -> Mapping[str, float]:
        """The constant strength of every kind whose rule is a constant."""
        return {t: float(r.constant) for t, r in self.rules.items() if r.constant is not None}

    @property
    def strengths_digest(self) -> str:
        """A digest of what decides relationship strengths (the ``relationships:`` section) and nothing else.

        A graph that stores strengths (Neo4j) is shared by clients whose
        warmth files may differ in what each computes for itself (hub
        discount, defaults, who connects nobody); only this part must agree.
        A file with only the first five kinds keeps the digest it always had.

        >>> load_weights().strengths_digest == load_weights().strengths_digest
        True
        """
        parts: list[Any] = [
            sorted(self.by_role.items()),
            self.former_factor,
            self.by_ratio,
            self.ratio_unknown,
            self.by_amount,
            self.amount_unknown,
            sorted(self.defaults.items()),
        ]
        extra = sorted((t, r.as_data()) for t, r in self.rules.items() if t not in _LEGACY_TYPES)
        if extra:
            parts.append(extra)
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]

    # -- relationships -----------------------------------------------------
    def rule(self, type_: str) -> StrengthRule:
        """The strength rule of ``type_``; SchemaError naming the kind when the warmth file has none."""
        try:
            return self.rules[type_]
        except KeyError:
            raise SchemaError(
                f"{self.source or 'warmth'}: relationship kind {type_!r} has no strength rule under `relationships:`"
            ) from None

    def strength(self, type_: str, props: Mapping[str, Any]) -> float:
        """Strength in (0, 1] of one relationship of ``type_`` with ``props``."""
        return self.rule(type_).strength(props)

    def why(self, type_: str, props: Mapping[str, Any]) -> tuple[str, str]:
        """Why a relationship has the strength it has, in Chinese and English: the rule that applied.

        >>> w = load_weights()
        >>> w.why("HOLDS_SHARES", {"ratio": 0.3})
        ('持股 ≥ 25%', 'stake ≥ 25%')
        >>> w.why("SERVES_AS", {"role": "director", "until": "2020-01-01"})
        ('director，已离任 × 0.5', 'director, former × 0.5')
        """
        return self.rule(type_).why(props)

    def strengths(self, type_: str, frame: pd.DataFrame) -> np.ndarray:
        """Vectorised :meth:`strength` over the rows of ``frame``."""
        return self.rule(type_).strengths(frame)

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


def _threshold(value: float, scale: str) -> tuple[str, str]:
    """A band's threshold as a reader says it, in Chinese and English."""
    if scale == "percent":
        pct = f"{value * 100:g}%"
        return pct, pct
    if scale == "yuan":
        return _yuan(value)
    return f"{value:g}", f"{value:g}"


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


def _years_since(value: Any) -> float | None:
    """Years from a date (ISO text or a date) to today; None when there is no date.

    >>> _years_since(None), _years_since(dt.date.today().isoformat())
    (None, 0.0)
    """
    if _is_missing(value) or value == "":
        return None
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    return (dt.date.today() - day).days / 365.25


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


def _pair(raw: Any, where: str, default: tuple[str, str]) -> tuple[str, str]:
    if raw is None:
        return default
    if not isinstance(raw, dict) or set(raw) != {"zh", "en"} or not all(isinstance(v, str) for v in raw.values()):
        raise SchemaError(f"{where}: expected {{zh: ..., en: ...}}")
    return str(raw["zh"]), str(raw["en"])


#: the keys a rule may have besides its one ``by_<property>`` or ``default``
_RULE_KEYS = frozenset(
    {"unknown", "former_factor", "scale", "band", "band_unknown", "times_unknown", "times_band", "recency"}
)


def _recency(raw: Any, spec: KindSpec, where: str) -> dict[str, Any]:
    """A rule's ``recency: {date: <date property>, steps: [[years, factor], ...]}``, or nothing."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) != {"date", "steps"}:
        raise SchemaError(f"{where}: expected {{date: <a date property>, steps: [[years, factor], ...]}}")
    date = str(raw["date"])
    if date not in spec.properties or spec.properties[date].type != "date":
        raise SchemaError(f"{where}.date: {date!r} is not a date property of kind {spec.type}")
    return {"age_of": date, "age_steps": _table(raw["steps"], f"{where}.steps")}


def parse_rule(type_: str, raw: Any, where: str, schema: Schema) -> StrengthRule:
    """One kind's rule from ``relationships:``, checked against the kind's properties in the schema."""
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: expected a mapping with one of by_<property> or default")
    spec = schema.kinds[type_]
    forms = [k for k in raw if str(k).startswith("by_") or k == "default"]
    times = [k for k in raw if str(k).startswith("times_by_")]
    if len(forms) != 1:
        raise SchemaError(
            f"{where}: give exactly one rule: by_<property> (a step table or a map over an enum) or default "
            f"(a constant); got {', '.join(map(str, forms)) or 'none'}"
        )
    unknown_keys = sorted(str(k) for k in raw if k not in _RULE_KEYS and k != forms[0] and k not in times)
    if unknown_keys:
        raise SchemaError(f"{where}: unknown {', '.join(unknown_keys)}")
    key = str(forms[0])
    former_factor = _number(raw, "former_factor", where) if "former_factor" in raw else None
    if former_factor is not None and spec.former is None:
        raise SchemaError(f"{where}.former_factor: kind {type_} has no `former` date in the schema")
    common: dict[str, Any] = {
        "type": type_,
        "former_factor": former_factor,
        "former": spec.former,
        "spec": spec,
        **_times(raw, times, where, spec),
        **_recency(raw.get("recency"), spec, f"{where}.recency"),
    }
    if key == "default":
        return StrengthRule(form="constant", constant=_number(raw, "default", where), **common)
    over = key.removeprefix("by_")
    prop = spec.properties.get(over)
    if prop is None:
        raise SchemaError(f"{where}.{key}: {over!r} is not a property of kind {type_}")
    table = raw[key]
    if isinstance(table, dict):
        if prop.type != "enum":
            raise SchemaError(f"{where}.{key}: a map needs an enum property; {over!r} is {prop.type}")
        values = {str(v): _number(table, v, f"{where}.{key}") for v in table}
        strange = sorted(v for v in values if v not in prop.values)
        if strange:
            raise SchemaError(f"{where}.{key}: {', '.join(strange)} not values of {over!r}")
        other = prop.fallback if prop.fallback in values else None
        unknown = _number(raw, "unknown", where) if "unknown" in raw else None
        if not values or (other is None and unknown is None):
            raise SchemaError(f"{where}: a map needs a strength for {prop.fallback or 'unknown values'} (or `unknown`)")
        return StrengthRule(form="map", over=over, values=values, other=other, unknown=unknown, **common)
    if prop.type not in ("ratio", "amount", "int"):
        raise SchemaError(f"{where}.{key}: a step table needs a numeric property; {over!r} is {prop.type}")
    scale = str(raw.get("scale") or {"ratio": "percent", "amount": "yuan"}.get(prop.type, "number"))
    if scale not in SCALES:
        raise SchemaError(f"{where}.scale: one of {', '.join(SCALES)}, got {scale!r}")
    return StrengthRule(
        form="steps",
        over=over,
        steps=_table(table, f"{where}.{key}"),
        unknown=_number(raw, "unknown", where),
        scale=scale,
        band=_pair(raw.get("band"), f"{where}.band", StrengthRule.band),
        band_unknown=_pair(raw.get("band_unknown"), f"{where}.band_unknown", StrengthRule.band_unknown),
        **common,
    )


def _times(raw: Mapping[Any, Any], keys: list[Any], where: str, spec: KindSpec) -> dict[str, Any]:
    """The optional second factor of a rule: ``times_by_<property>`` (a step table of factors), its
    ``times_unknown`` and ``times_band``; nothing when the rule has none."""
    if len(keys) > 1:
        raise SchemaError(f"{where}: at most one times_by_<property>, got {', '.join(map(str, keys))}")
    if not keys:
        strange = sorted(k for k in ("times_unknown", "times_band") if k in raw)
        if strange:
            raise SchemaError(f"{where}: {', '.join(strange)} without a times_by_<property>")
        return {}
    key = str(keys[0])
    over = key.removeprefix("times_by_")
    prop = spec.properties.get(over)
    if prop is None or prop.type not in ("ratio", "amount", "int"):
        raise SchemaError(f"{where}.{key}: {over!r} is not a numeric property of kind {spec.type}")
    return {
        "times_over": over,
        "times_steps": _table(raw[key], f"{where}.{key}"),
        "times_unknown": _number(raw, "times_unknown", where) if "times_unknown" in raw else 1.0,
        "times_band": _pair(raw.get("times_band"), f"{where}.times_band", StrengthRule.times_band),
    }


def parse_rules(rel: Any, source: str, schema: Schema) -> dict[str, StrengthRule]:
    """Every kind's rule; SchemaError naming a kind without one, or a rule for a kind the schema lacks."""
    if not isinstance(rel, dict):
        raise SchemaError(f"{source}: relationships must be a mapping of relationship type to rule")
    strange = sorted(str(t) for t in rel if t not in schema.kinds)
    if strange:
        raise SchemaError(
            f"{source}: relationships.{strange[0]}: no such relationship kind in the schema; "
            f"known: {', '.join(schema.kinds)}"
        )
    missing = [t for t in schema.kinds if t not in rel]
    if missing:
        raise SchemaError(
            f"{source}: relationship kind {missing[0]} has no strength rule under `relationships:` "
            "(by_<property>: a step table or an enum map, or default: a constant)"
        )
    return {t: parse_rule(t, rel[t], f"{source}: {t}", schema) for t in schema.kinds}


def parse_weights(data: Any, source: str = "warmth", schema: Schema | None = None) -> Weights:
    """Build :class:`Weights` from parsed YAML, checking every number and that every kind of ``schema``
    (``GUANXI_SCHEMA``, else the packaged one) has a strength rule."""
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: expected a mapping at the top")
    rules = parse_rules(data.get("relationships") or {}, source, schema or load_schema())
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
        rules=rules,
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


#: the environment variable naming a warmth file that replaces the packaged one
WARMTH_ENV = "GUANXI_WARMTH"


class _WeightsLoader:
    """:func:`load_weights`: reads each (warmth file, schema file) pair once."""

    def __call__(self, path: str | Path | None = None) -> Weights:
        """Read and check a warmth file (``GUANXI_WARMTH``, else the packaged ``warmth.yaml``) against the
        schema in use (``GUANXI_SCHEMA``, else the packaged one)."""
        named = os.environ.get(WARMTH_ENV, "").strip()
        file = Path(path) if path else (Path(named).expanduser() if named else WARMTH_FILE)
        return _load_weights(file, schema_file())

    def cache_clear(self) -> None:
        """Forget the files read so far (after writing one)."""
        _load_weights.cache_clear()


load_weights = _WeightsLoader()


@lru_cache(maxsize=8)
def _load_weights(file: Path, schema: Path) -> Weights:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read warmth file {file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(f"warmth file {file} is not valid YAML: {yaml_problem(exc)}") from exc
    return parse_weights(data, str(file), load_schema(schema))
