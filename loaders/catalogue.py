"""The opportunity-event catalogue (商机事件目录): event types, their category, products and value grade.

The catalogue is data, ``queries/events.yaml`` (or the file ``GUANXI_EVENTS``
names): each event type maps to a category (新增项目, 新增机构, 投融资并购,
融资担保到期 ...), the bank products it signals (开户, 存款, 代发, 项目贷款 ...)
and a value grade rule, A > B > C, fixed or by amount. It also holds the tag
vocabulary (高新技术企业, 专精特新 ...). It is read once per path and checked:
a malformed file raises :class:`~graph.errors.ConfigError` naming the entry.

It lives in ``loaders`` because validating an events file needs it; scoring
in ``queries`` reads the same object.

>>> cat = load_catalogue()
>>> cat.resolve("政府项目中标")
'中标政府项目'
>>> cat.grade("中标政府项目", 80_000_000), cat.grade("中标政府项目", 1_000_000), cat.grade("新增专利", None)
('A', 'C', 'C')
>>> cat.types["新设子公司/分支机构"].products[:2]
('开户', '代发')
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import ConfigError

#: value grades, best first
GRADES: tuple[str, ...] = ("A", "B", "C")

#: where the packaged catalogue is (queries/events.yaml, installed beside this package)
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "queries" / "events.yaml"


@dataclass(frozen=True)
class EventType:
    """One event type: its names, category, the products it signals and its grade rule.

    ``thresholds`` are the least amounts (yuan) for grade A and B; None for a
    fixed grade, which is then ``fixed``. ``unknown`` is the grade of an event
    without an amount under an amount rule.
    """

    name: str
    en: str
    category: str
    products: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    fixed: str | None = None
    thresholds: tuple[float, float] | None = None
    unknown: str = "C"

    def grade(self, amount: float | None) -> str:
        """The value grade of an event of this type with ``amount`` yuan (None: unknown)."""
        if self.fixed is not None:
            return self.fixed
        assert self.thresholds is not None
        if amount is None:
            return self.unknown
        a, b = self.thresholds
        return "A" if amount >= a else ("B" if amount >= b else "C")


@dataclass(frozen=True)
class Catalogue:
    """Every event type by name, categories and products with labels, and the tag vocabulary."""

    types: Mapping[str, EventType]
    categories: Mapping[str, str]
    products: Mapping[str, str]
    tags: tuple[str, ...]
    source: str = "events.yaml"

    @functools.cached_property
    def _lookup(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in self.types.values():
            for alias in (t.name, t.en, *t.aliases):
                out.setdefault(match_key(alias), t.name)
        return out

    def resolve(self, text: str) -> str | None:
        """The catalogue name of an event type given by name, alias or English label; None if unknown."""
        return self._lookup.get(match_key(text))

    def grade(self, event_type: str, amount: float | None) -> str:
        """The value grade of an event (``event_type`` a catalogue name)."""
        return self.types[event_type].grade(amount)

    def known_types(self) -> str:
        """The type names, for an error message."""
        return "、".join(self.types)


def match_key(text: str) -> str:
    """How names are compared: NFKC, blanks removed, case-folded."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of names")
    return tuple(v.strip() for v in value)


def _amount(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: expected an amount in yuan (a number >= 0), got {value!r}")
    return float(value)


def _grade(value: Any, where: str) -> str:
    if value not in GRADES:
        raise ConfigError(f"{where}: a grade is one of {', '.join(GRADES)}, got {value!r}")
    return str(value)


def _event_type(name: str, entry: Any, categories: Mapping[str, str], products: Mapping[str, str]) -> EventType:
    where = f"types.{name}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with category, products and a grade rule")
    unknown = set(entry) - {"en", "aliases", "category", "products", "grade", "grade_by_amount"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    category = str(entry.get("category"))
    if category not in categories:
        known = ", ".join(categories)
        raise ConfigError(f"{where}.category: {entry.get('category')!r} is not one of the categories ({known})")
    prods = _strings(entry.get("products"), f"{where}.products")
    missing = [p for p in prods if p not in products]
    if missing:
        raise ConfigError(f"{where}.products: {', '.join(missing)} not in the product list")
    en = entry.get("en")
    if not isinstance(en, str) or not en.strip():
        raise ConfigError(f"{where}.en: every type needs an English label")
    fixed, rule = entry.get("grade"), entry.get("grade_by_amount")
    if (fixed is None) == (rule is None):
        raise ConfigError(f"{where}: give exactly one of grade (fixed) or grade_by_amount")
    if fixed is not None:
        return EventType(name, en.strip(), category, prods, _strings(entry.get("aliases"), where), _grade(fixed, where))
    if not isinstance(rule, dict) or set(rule) - {"A", "B", "unknown"} or not {"A", "B"} <= set(rule):
        raise ConfigError(f"{where}.grade_by_amount: expected A and B thresholds (and optionally unknown)")
    a, b = _amount(rule["A"], f"{where}.grade_by_amount.A"), _amount(rule["B"], f"{where}.grade_by_amount.B")
    if a < b:
        raise ConfigError(f"{where}.grade_by_amount: the A threshold must not be below the B threshold")
    return EventType(
        name,
        en.strip(),
        category,
        prods,
        _strings(entry.get("aliases"), where),
        None,
        (a, b),
        _grade(rule.get("unknown", "C"), f"{where}.grade_by_amount.unknown"),
    )


def parse_catalogue(data: Any, source: str = "events.yaml") -> Catalogue:
    """Check and build a catalogue from parsed YAML; ConfigError naming the bad entry."""
    try:
        if not isinstance(data, dict):
            raise ConfigError("expected a mapping with categories, products, types and tags")
        categories, products, types = data.get("categories"), data.get("products"), data.get("types")
        for key, value in (("categories", categories), ("products", products), ("types", types)):
            if not isinstance(value, dict) or not value:
                raise ConfigError(f"{key}: expected a non-empty mapping")
        assert isinstance(categories, dict) and isinstance(products, dict) and isinstance(types, dict)
        cats = {str(k): str(v) for k, v in categories.items()}
        prods = {str(k): str(v) for k, v in products.items()}
        built = {str(name): _event_type(str(name), entry, cats, prods) for name, entry in types.items()}
        catalogue = Catalogue(built, cats, prods, _strings(data.get("tags"), "tags"), source)
        seen: dict[str, str] = {}
        for t in built.values():
            for alias in (t.name, t.en, *t.aliases):
                other = seen.setdefault(match_key(alias), t.name)
                if other != t.name:
                    raise ConfigError(f"types.{t.name}: the name {alias!r} is also used by {other}")
        return catalogue
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Catalogue:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the event catalogue: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not a valid YAML file: {exc}") from None
    return parse_catalogue(data, str(file))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue at ``path``, else ``GUANXI_EVENTS``, else the packaged one (read once per path)."""
    chosen = path if path is not None else (os.environ.get("GUANXI_EVENTS") or DEFAULT_PATH)
    return _load(str(Path(chosen).expanduser().resolve()))
