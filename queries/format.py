"""Numbers, money and labels as a Chinese or English reader expects them.

>>> money(120_000_000, "zh"), money(50_000_000, "zh"), money(8_000, "zh")
('¥1.2亿', '¥5000万', '¥8000')
>>> money(120_000_000, "en"), money(1_500_000, "en")
('¥120m', '¥1.5m')
>>> percent(0.355)
'35.5%'
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from graph.schema import SCHEMA_FILE, KindSpec, PropertySpec, load_schema

Lang = Literal["zh", "en"]

#: relationship type → (Chinese, English) name of the packaged schema's kinds (for matching type codes in
#: text; read at import, so never from GUANXI_SCHEMA, whose errors are reported where it is used;
#: :func:`kind` reads the schema in use each time)
KIND: dict[str, tuple[str, str]] = {t: (k.zh, k.en) for t, k in load_schema(SCHEMA_FILE).kinds.items()}
#: the officer kind and its role property, whose value labels :func:`role` reads
OFFICER, ROLE_PROPERTY = "SERVES_AS", "role"


def _trim(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def money(amount: Any, lang: Lang = "zh") -> str:
    """An amount in yuan, short: 亿/万 in Chinese, m/k in English."""
    if amount is None:
        return "?"
    value = float(amount)
    if lang == "zh":
        if abs(value) >= 1e8:
            return f"¥{_trim(value / 1e8)}亿"
        if abs(value) >= 1e4:
            return f"¥{_trim(value / 1e4)}万"
        return f"¥{_trim(value)}"
    if abs(value) >= 1e9:
        return f"¥{_trim(value / 1e9)}bn"
    if abs(value) >= 1e6:
        return f"¥{_trim(value / 1e6)}m"
    if abs(value) >= 1e3:
        return f"¥{_trim(value / 1e3)}k"
    return f"¥{_trim(value)}"


def percent(ratio: Any) -> str:
    """A ratio in 0..1 as a percentage with at most two decimals."""
    if ratio is None:
        return "?%"
    return f"{_trim(float(ratio) * 100)}%"


def role(code: Any, lang: Lang = "zh") -> str:
    """The name of an officer role (the schema's labels of the officer kind's ``role``)."""
    spec = load_schema().kinds.get(OFFICER)
    prop = spec.properties.get(ROLE_PROPERTY) if spec is not None else None
    return prop.label_of(code, lang) if prop is not None else str(code)


def status(code: Any, lang: Lang = "zh") -> str:
    """The name of a registration status (the schema's labels of a company's ``status``)."""
    prop = load_schema().label("Company").properties.get("status")
    return prop.label_of(code, lang) if prop is not None else str(code)


def kind(type_: str, lang: Lang = "zh") -> str:
    """The name of a relationship kind, as the schema says it."""
    spec = load_schema().kinds.get(type_)
    return spec.name(lang) if spec is not None else type_


def kind_spec(type_: str) -> KindSpec | None:
    """The schema's entry of a relationship type (None for a type the schema does not know)."""
    return load_schema().kinds.get(type_)


def is_former(spec: KindSpec, props: Mapping[str, Any]) -> bool:
    """Whether a relationship is a former tie: its kind has a ``former`` date and it is set."""
    return spec.former is not None and _given(props.get(spec.former))


def _given(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _enum_words(prop: PropertySpec, props: Mapping[str, Any], lang: Lang, modifier: str) -> str:
    """An enum value in words: in Chinese the words as printed when kept (``role_text``), else the label;
    in English the label (``bare``: without its article), with the printed words for the fallback value."""
    value = props.get(prop.name)
    printed = props.get(f"{prop.name}_text")
    if lang == "zh":
        return str(printed) if _given(printed) else prop.label_of(value, "zh")
    words = prop.label_of(value, "en")
    if modifier == "plain":
        return words
    if modifier == "bare":
        words = words.removeprefix("a ").removeprefix("an ")
    if prop.fallback is not None and str(value) == prop.fallback and _given(printed):
        words = f"{words} ({printed})"  # a value outside the vocabulary: the words as printed
    return words


def _value_words(prop: PropertySpec, props: Mapping[str, Any], lang: Lang, modifier: str) -> str:
    """A property's value as a reader expects it, by its type."""
    value = props.get(prop.name)
    if prop.type == "enum":
        return _enum_words(prop, props, lang, modifier)
    if prop.type == "ratio":
        return percent(value)
    if prop.type == "amount":
        return money(value, lang)
    if prop.type == "date" and modifier == "year":
        return str(value)[:4]
    if prop.type == "int" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def uses(spec: KindSpec, use: str, lang: Lang, name: str) -> bool:
    """Whether any alternative of the kind's ``use`` template in ``lang`` has the placeholder ``name``."""
    texts = spec.texts.get(use)
    return texts is not None and texts.uses(lang, name)


@lru_cache(maxsize=1024)
def _parsed(template: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """A template's literal parts and placeholders, parsed once."""
    return tuple((literal, name, modifier) for literal, name, modifier, _ in string.Formatter().parse(template))


def _fill_one(
    template: str, spec: KindSpec, props: Mapping[str, Any], lang: Lang, names: Mapping[str, str], strict: bool
) -> str | None:
    """One template filled in; None when ``strict`` and a placeholder has no value."""
    out: list[str] = []
    for literal, name, modifier in _parsed(template):
        out.append(literal)
        if name is None:
            continue
        if name in names:
            out.append(names[name])
            continue
        prop = spec.properties.get(name)
        value = props.get(name)
        if prop is None or value is None or value == "" or value != value or not _given(value):  # NaN != NaN
            if strict:
                return None
            out.append("?")
            continue
        out.append(_value_words(prop, props, lang, modifier or ""))
    return "".join(out)


def fill(
    spec: KindSpec, use: str, props: Mapping[str, Any], lang: Lang, names: Mapping[str, str] | None = None
) -> str | None:
    """The kind's ``use`` template (``sentence``, ``label`` ...) filled in from a relationship's ``props``.

    The first alternative whose placeholders all have a value wins (the last one, with ``?`` for what is
    missing, when none has); None when the kind declares no such template. ``names`` fills ``{source}``,
    ``{target}``, ``{band}`` and the like.

    >>> spec = load_schema().kind("HOLDS_SHARES")
    >>> fill(spec, "label", {"ratio": 0.35}, "en"), fill(spec, "label", {}, "zh")
    ('holds 35%', '股东')
    """
    texts = spec.texts.get(use)
    if texts is None:
        return None
    given = names or {}
    alternatives = texts.of(lang)
    for template in alternatives:
        text = _fill_one(template, spec, props, lang, given, strict=True)
        if text is not None:
            return text
    return _fill_one(alternatives[-1], spec, props, lang, given, strict=False)
