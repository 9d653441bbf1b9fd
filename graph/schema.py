"""Read the schema file (``schema.yaml``) into typed, immutable specs.

The schema is data: node labels, relationship kinds, their properties and
the column headers a loader accepts. Python reads it once, checks it and
raises :class:`~graph.errors.SchemaError` naming the bad entry.

>>> schema = load_schema()
>>> schema.kind("SERVES_AS").source.labels
('Person',)
>>> schema.label("Company").key, schema.label("Company").key_from[:2]
('id', ('uscc', 'stock_code'))
>>> schema.schemes["SSE"].suffixes
('SH', 'SS')
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from graph.errors import SchemaError

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")

PROPERTY_TYPES = frozenset(
    {"text", "uscc", "key", "ratio", "amount", "int", "date", "bool", "list", "enum", "idno", "stock_code", "lei"}
)
SCHEME_KINDS = frozenset({"exchange", "registry", "name"})
#: what a kind's ``self_loops`` may say: a row pointing to its own source is rejected (None) or kept as this
SELF_LOOP_MEANINGS = frozenset({"treasury"})
#: the environment variable naming a schema file that replaces the packaged one
SCHEMA_ENV = "GUANXI_SCHEMA"
#: the sentence templates a kind may declare (``sentence`` is required), see schema.yaml
TEXT_KEYS = frozenset(
    {
        "sentence",
        "former_sentence",
        "reverse",
        "former_reverse",
        "label",
        "former_label",
        "reason",
        "former_reason",
        "shared",
    }
)
#: the flags a kind may declare; an unnamed flag is off
FLAG_KEYS = frozenset({"exposure", "in_paths", "referral_only"})
#: what a placeholder may add after a colon: ``{role:bare}`` (no article), ``{role:plain}`` (the label alone),
#: ``{until:year}`` (a date's year)
TEMPLATE_MODIFIERS = frozenset({"", "bare", "plain", "year"})
#: placeholders every template may use besides the kind's properties
TEMPLATE_NAMES = frozenset({"source", "target", "a", "b", "band", "former_factor"})
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class PropertySpec:
    """One property: its canonical name, type, accepted headers and enum values."""

    name: str
    type: str
    required: bool = False
    headers: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default: str | None = None
    #: computed by the loader (a label's key made by ``key_from``), never read from a column
    derived: bool = False
    #: the enum value an unknown value is kept as (listed in the load report), instead of refusing it
    fallback: str | None = None
    #: characters folded before a second look-up of an enum value (Traditional → Simplified titles)
    fold: dict[str, str] = field(default_factory=dict)
    #: sanity rules (see schema.yaml): smallest and largest sensible value, the date this one follows,
    #: and the per-target sum a ratio should not pass
    min: float | None = None
    max: float | None = None
    after: str | None = None
    warn_sum_over: float | None = None
    #: an enum value's words for a reader: value → (Chinese, English)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: an enum of a relation between two ends (亲属关系): each value said the other way round (father → child)
    converse: dict[str, str] = field(default_factory=dict)

    def label_of(self, value: Any, lang: Literal["zh", "en"]) -> str:
        """An enum value as a reader says it (the value itself when the schema gives no words)."""
        zh, en = self.labels.get(str(value), (str(value), str(value)))
        return zh if lang == "zh" else en

    def canonical_value(self, raw: str) -> str | None:
        """Map a raw enum value (canonical or alias, any case) to its canonical name."""
        text = raw.strip()
        low = text.lower()
        for canonical, aliases in self.values.items():
            if low == canonical.lower() or text in aliases or low in (a.lower() for a in aliases):
                return canonical
        return None


@dataclass(frozen=True)
class LabelSpec:
    """A node label: its key property, display-name property and properties."""

    name: str
    key: str
    name_property: str
    zh: str
    file: str
    properties: dict[str, PropertySpec]
    #: where the key comes from when it is not a column: the first of these a row has
    key_from: tuple[str, ...] = ()
    #: keys that are national ID numbers are replaced by a keyed hash (graph.idkeys), here and in references
    hash_id_numbers: bool = False
    #: the label in English words (default: its name)
    en: str = ""

    def words(self, lang: Literal["zh", "en"]) -> str:
        """The label as a reader says it: 产业链环节 / industry-chain segment."""
        return self.zh if lang == "zh" else (self.en or self.name)

    @property
    def columns(self) -> dict[str, PropertySpec]:
        """The properties a file may have as columns (all but the derived ones)."""
        return {n: p for n, p in self.properties.items() if not p.derived}

    def column_required(self, name: str) -> bool:
        """Whether a file of this label must have the column ``name`` (its key, unless derived)."""
        prop = self.properties[name]
        return prop.required or (name == self.key and not self.key_from)


@dataclass(frozen=True)
class SchemeSpec:
    """An identifier scheme (the ``SSE`` of ``SSE:600519``): a stock exchange, a registry or the name."""

    code: str
    kind: str
    zh: str
    en: str
    suffixes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    digits: int | None = None


@dataclass(frozen=True)
class EndpointSpec:
    """One end of a relationship kind: the loader column and allowed labels."""

    column: str
    labels: tuple[str, ...]
    headers: tuple[str, ...]
    type_column: str | None = None
    type_headers: tuple[str, ...] = ()
    #: a cell may name several (专利权人 "A公司；B公司"): split on ； and ; into one row each
    split: bool = False


@dataclass(frozen=True)
class Texts:
    """One sentence template in both languages: alternatives, the first whose placeholders all have a value wins."""

    zh: tuple[str, ...]
    en: tuple[str, ...]
    #: the placeholders the alternatives of each language use (to word a value only where it is said)
    names_zh: frozenset[str] = frozenset()
    names_en: frozenset[str] = frozenset()

    def of(self, lang: Literal["zh", "en"]) -> tuple[str, ...]:
        """The alternatives in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def uses(self, lang: Literal["zh", "en"], name: str) -> bool:
        """Whether an alternative in ``lang`` has the placeholder ``name``."""
        return name in (self.names_zh if lang == "zh" else self.names_en)


@dataclass(frozen=True)
class KindFlags:
    """What a kind may do in the queries.

    ``exposure``: counts for exposure (who is tied to a guarantee circle);
    ``in_paths``: may stand inside an introduction path (walked by default);
    ``referral_only``: the middle node only refers, as a park does (drawn dashed,
    two companies in one such node read "both in").
    """

    exposure: bool = False
    in_paths: bool = False
    referral_only: bool = False


@dataclass(frozen=True)
class KindSpec:
    """A relationship kind: type, direction, identity and properties, and how readers see it."""

    type: str
    kind: str
    zh: str
    file: str
    source: EndpointSpec
    target: EndpointSpec
    identity: tuple[str, ...]
    properties: dict[str, PropertySpec]
    #: what a row whose two ends are one node means (``treasury``: a company holding its own shares);
    #: None: such a row is rejected
    self_loops: str | None = None
    #: the kind's name in English (``zh`` is its Chinese name)
    en: str = ""
    #: the colour it is drawn in (#rrggbb), and whether its line is dashed
    colour: str = "#757575"
    dashed: bool = False
    flags: KindFlags = field(default_factory=KindFlags)
    #: the date property that, when set, makes a tie a former one (an officer's ``until``)
    former: str | None = None
    #: sentence templates by use (see :data:`TEXT_KEYS`)
    texts: dict[str, Texts] = field(default_factory=dict)

    def name(self, lang: Literal["zh", "en"]) -> str:
        """The kind's name in ``lang``: 股权 / equity."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class ClientsSpec:
    """The bank's client list file and its columns."""

    file: str
    zh: str
    properties: dict[str, PropertySpec]


@dataclass(frozen=True)
class Schema:
    """The whole graph schema."""

    labels: dict[str, LabelSpec]
    kinds: dict[str, KindSpec]
    clients: ClientsSpec
    schemes: dict[str, SchemeSpec] = field(default_factory=dict)
    #: dates that mean "unknown" or "no end" (ISO), stored as unknown
    placeholder_dates: frozenset[str] = frozenset()

    def label(self, name: str) -> LabelSpec:
        """The label called ``name``; SchemaError if there is none."""
        try:
            return self.labels[name]
        except KeyError:
            raise SchemaError(f"unknown label {name!r}; known: {', '.join(self.labels)}") from None

    def kind(self, type_: str) -> KindSpec:
        """The relationship kind of type ``type_`` (e.g. ``SERVES_AS``) or short name (``officer``)."""
        if type_ in self.kinds:
            return self.kinds[type_]
        for spec in self.kinds.values():
            if spec.kind == type_ or spec.zh == type_:
                return spec
        raise SchemaError(
            f"unknown relationship kind {type_!r}; known: "
            + ", ".join(f"{k.type} ({k.kind}, {k.zh})" for k in self.kinds.values())
        )

    @property
    def types(self) -> tuple[str, ...]:
        """All relationship types in schema order: the allow-list for queries."""
        return tuple(self.kinds)

    def flagged(self, flag: str) -> tuple[str, ...]:
        """The relationship types with ``flag`` set (``exposure``, ``in_paths``, ``referral_only``), in schema order."""
        if flag not in FLAG_KEYS:
            raise SchemaError(f"unknown kind flag {flag!r}; known: {', '.join(sorted(FLAG_KEYS))}")
        return tuple(t for t, k in self.kinds.items() if getattr(k.flags, flag))


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: the problem and where it is (line and column from 1).

    >>> try:
    ...     yaml.safe_load("kinds: [")
    ... except yaml.YAMLError as exc:
    ...     yaml_problem(exc)
    "expected the node content, but found '<stream end>' (line 1, column 9)"
    """
    problem, mark = getattr(exc, "problem", None), getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(exc).split())


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise SchemaError(f"{where}: missing {key!r}")
    return entry[key]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise SchemaError(f"{where}: expected a list of strings")
    return tuple(str(v) for v in value)


def _vocabulary(file: str, values: dict[str, tuple[str, ...]], base: Path, where: str) -> dict[str, str]:
    """Add a vocabulary file's terms to ``values`` (each under a value the schema names); its fold map."""
    path = base / file
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"{where}: cannot read vocabulary {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(f"{where}: vocabulary {path} is not valid YAML: {yaml_problem(exc)}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("roles"), dict):
        raise SchemaError(f"{where}: vocabulary {path} needs a `roles:` mapping")
    for value, terms in data["roles"].items():
        if str(value) not in values:
            raise SchemaError(f"{where}: vocabulary {path}: {value!r} is not one of {', '.join(values)}")
        extra = _strings(terms, f"{path}: roles.{value}")
        values[str(value)] = tuple(dict.fromkeys((*values[str(value)], *extra)))
    fold = data.get("traditional") or {}
    if not isinstance(fold, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in fold.items()):
        raise SchemaError(f"{where}: vocabulary {path}: `traditional` maps characters to characters")
    return {str(k): str(v) for k, v in fold.items()}


def _property(name: str, entry: Any, where: str, base: Path = SCHEMA_FILE.parent) -> PropertySpec:
    if not isinstance(entry, dict):
        raise SchemaError(f"{where}: expected a mapping")
    type_ = _need(entry, "type", where)
    if type_ not in PROPERTY_TYPES:
        raise SchemaError(f"{where}: unknown type {type_!r}; known: {', '.join(sorted(PROPERTY_TYPES))}")
    values: dict[str, tuple[str, ...]] = {}
    fold: dict[str, str] = {}
    fallback = entry.get("fallback")
    if type_ == "enum":
        raw = _need(entry, "values", where)
        if not isinstance(raw, dict) or not raw:
            raise SchemaError(f"{where}: enum values must be a non-empty mapping")
        values = {str(k): _strings(v, f"{where}.values.{k}") for k, v in raw.items()}
        if entry.get("vocabulary"):
            fold = _vocabulary(str(entry["vocabulary"]), values, base, where)
        if fallback is not None and str(fallback) not in values:
            raise SchemaError(f"{where}: fallback {fallback!r} is not one of its values")
    labels = _value_labels(entry.get("labels"), values, where)
    headers = _strings(entry.get("headers"), f"{where}.headers") or (name,)
    if name not in headers:
        headers = (name, *headers)
    default = entry.get("default")
    return PropertySpec(
        name=name,
        type=type_,
        required=bool(entry.get("required", False)),
        headers=headers,
        values=values,
        default=None if default is None else str(default),
        derived=bool(entry.get("derived", False)),
        fallback=None if fallback is None else str(fallback),
        fold=fold,
        min=_number(entry.get("min"), f"{where}.min"),
        max=_number(entry.get("max"), f"{where}.max"),
        after=None if entry.get("after") is None else str(entry["after"]),
        warn_sum_over=_number(entry.get("warn_sum_over"), f"{where}.warn_sum_over"),
        labels=labels,
        converse=_converse(entry.get("converse"), values, where),
    )


def _converse(raw: Any, values: dict[str, tuple[str, ...]], where: str) -> dict[str, str]:
    """An enum's ``converse:``: value → the value that says the same tie from the other end."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not values:
        raise SchemaError(f"{where}.converse: expected a mapping of the enum's values to its values")
    out = {str(k): str(v) for k, v in raw.items()}
    bad = sorted(x for pair in out.items() for x in pair if x not in values)
    if bad:
        raise SchemaError(f"{where}.converse: {', '.join(bad)} is not one of {', '.join(values)}")
    return out


def _value_labels(raw: Any, values: dict[str, tuple[str, ...]], where: str) -> dict[str, tuple[str, str]]:
    """An enum's ``labels:``: each value's words, ``[Chinese, English]``."""
    if raw is None:
        return {}
    if not values:
        raise SchemaError(f"{where}.labels: only an enum has value labels")
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}.labels: expected a mapping of value to [Chinese, English]")
    out: dict[str, tuple[str, str]] = {}
    for value, words in raw.items():
        if str(value) not in values:
            raise SchemaError(f"{where}.labels: {value!r} is not one of {', '.join(values)}")
        pair = _strings(words, f"{where}.labels.{value}")
        if len(pair) != 2 or not all(pair):
            raise SchemaError(f"{where}.labels.{value}: expected [Chinese, English]")
        out[str(value)] = (pair[0], pair[1])
    return out


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemaError(f"{where}: expected a number")
    return float(value)


def _properties(raw: Any, where: str, base: Path = SCHEMA_FILE.parent) -> dict[str, PropertySpec]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: properties must be a mapping")
    return {str(n): _property(str(n), e, f"{where}.{n}", base) for n, e in raw.items()}


def _endpoint(raw: Any, headers: dict[str, Any], labels: dict[str, LabelSpec], where: str) -> EndpointSpec:
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: expected a mapping")
    column = str(_need(raw, "column", where))
    allowed = _strings(_need(raw, "labels", where), f"{where}.labels")
    for label in allowed:
        if label not in labels:
            raise SchemaError(f"{where}: unknown label {label!r}")
    type_column = raw.get("type_column")
    col_headers = _strings(headers.get(column), f"{where}.headers") or (column,)
    return EndpointSpec(
        column=column,
        labels=allowed,
        headers=col_headers if column in col_headers else (column, *col_headers),
        type_column=None if type_column is None else str(type_column),
        split=_bool(raw.get("split", False), f"{where}.split"),
        type_headers=_strings(headers.get(type_column), f"{where}.type_headers") if type_column else (),
    )


def parse_schema(data: Any, source: str = "schema", base: Path | None = None) -> Schema:
    """Build a :class:`Schema` from parsed YAML, checking every entry; vocabulary files are read from
    ``base`` (the schema file's folder)."""
    base = base or SCHEMA_FILE.parent
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: expected a mapping at the top")
    labels: dict[str, LabelSpec] = {}
    for name, entry in (_need(data, "labels", source) or {}).items():
        where = f"{source}: labels.{name}"
        props = _properties(entry.get("properties"), where, base)
        key = str(_need(entry, "key", where))
        if key not in props:
            raise SchemaError(f"{where}: key {key!r} is not one of its properties")
        key_from = _strings(entry.get("key_from"), f"{where}.key_from")
        for origin in key_from:
            if origin not in props or props[origin].derived:
                raise SchemaError(f"{where}: key_from {origin!r} is not one of its (non-derived) properties")
        for pname, prop in props.items():
            if prop.derived and (pname != key or not key_from):
                raise SchemaError(f"{where}: only a key made by key_from may be derived, not {pname!r}")
        labels[str(name)] = LabelSpec(
            name=str(name),
            key=key,
            name_property=str(entry.get("name", "name")),
            zh=str(entry.get("zh", name)),
            en=str(entry.get("en", name)),
            file=str(entry.get("file", str(name).lower())),
            properties=props,
            key_from=key_from,
            hash_id_numbers=bool(entry.get("hash_id_numbers", False)),
        )
    kinds: dict[str, KindSpec] = {}
    for type_, entry in (_need(data, "kinds", source) or {}).items():
        where = f"{source}: kinds.{type_}"
        if not str(type_).replace("_", "").isalpha() or str(type_).upper() != str(type_):
            raise SchemaError(f"{where}: relationship types are UPPER_SNAKE_CASE letters")
        headers = entry.get("headers") or {}
        props = _properties(entry.get("properties"), where, base)
        _check_after(props, where)
        identity = _strings(entry.get("identity"), f"{where}.identity")
        for ident in identity:
            if ident not in props:
                raise SchemaError(f"{where}: identity property {ident!r} is not one of its properties")
        kinds[str(type_)] = KindSpec(
            type=str(type_),
            kind=str(_need(entry, "kind", where)),
            zh=str(entry.get("zh", type_)),
            file=str(entry.get("file", str(type_).lower())),
            source=_endpoint(_need(entry, "from", where), headers, labels, f"{where}.from"),
            target=_endpoint(_need(entry, "to", where), headers, labels, f"{where}.to"),
            identity=identity,
            properties=props,
            self_loops=_self_loops(entry.get("self_loops"), where),
            en=str(_need(entry, "en", where)),
            colour=_colour(_need(entry, "colour", where), where),
            dashed=_bool(entry.get("dashed", False), f"{where}.dashed"),
            flags=_flags(entry.get("flags"), where),
            former=_former(entry.get("former"), props, where),
            texts=_texts(_need(entry, "text", where), props, entry.get("former"), where),
        )
    clients_raw = _need(data, "clients", source)
    clients = ClientsSpec(
        file=str(clients_raw.get("file", "clients")),
        zh=str(clients_raw.get("zh", "clients")),
        properties=_properties(clients_raw.get("properties"), f"{source}: clients"),
    )
    return Schema(
        labels=labels,
        kinds=kinds,
        clients=clients,
        schemes=_schemes(data.get("identifier_schemes"), f"{source}: identifier_schemes"),
        placeholder_dates=frozenset(
            str(d) for d in _strings(data.get("placeholder_dates"), f"{source}: placeholder_dates")
        ),
    )


def _check_after(props: dict[str, PropertySpec], where: str) -> None:
    for name, prop in props.items():
        if prop.after is not None and (prop.type != "date" or props.get(prop.after, prop).type != "date"):
            raise SchemaError(f"{where}.{name}: `after` joins two date properties of one kind")
        if prop.after is not None and prop.after not in props:
            raise SchemaError(f"{where}.{name}: after {prop.after!r} is not one of its properties")


def _colour(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not _COLOUR.fullmatch(raw):
        raise SchemaError(f"{where}.colour: expected #rrggbb, got {raw!r}")
    return raw


def _bool(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise SchemaError(f"{where}: expected true or false, got {raw!r}")
    return raw


def _flags(raw: Any, where: str) -> KindFlags:
    if raw is None:
        return KindFlags()
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}.flags: expected a mapping of flag to true/false")
    unknown = sorted(str(k) for k in raw if k not in FLAG_KEYS)
    if unknown:
        raise SchemaError(f"{where}.flags: unknown {', '.join(unknown)}; known: {', '.join(sorted(FLAG_KEYS))}")
    return KindFlags(**{str(k): _bool(v, f"{where}.flags.{k}") for k, v in raw.items()})


def _former(raw: Any, props: dict[str, PropertySpec], where: str) -> str | None:
    if raw is None:
        return None
    if str(raw) not in props or props[str(raw)].type != "date":
        raise SchemaError(f"{where}.former: {raw!r} is not one of its date properties")
    return str(raw)


def _placeholders(template: str, props: dict[str, PropertySpec], where: str) -> None:
    """Every ``{name}`` or ``{name:modifier}`` of a template is known; SchemaError naming the first that is not."""
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise SchemaError(f"{where}: {template!r} is not a valid template ({exc})") from None
    for name, spec in fields:
        if name not in TEMPLATE_NAMES and name not in props:
            raise SchemaError(
                f"{where}: {template!r} names {{{name}}}, which is neither a property of the kind "
                f"nor one of {', '.join(sorted(TEMPLATE_NAMES))}"
            )
        if (spec or "") not in TEMPLATE_MODIFIERS:
            raise SchemaError(f"{where}: {template!r}: unknown modifier {spec!r} (known: bare, plain, year)")


def _template_names(templates: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name for t in templates for _, name, _, _ in string.Formatter().parse(t) if name is not None)


def _texts(raw: Any, props: dict[str, PropertySpec], former: Any, where: str) -> dict[str, Texts]:
    """A kind's ``text:`` block: templates by use, each in both languages."""
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}.text: expected a mapping of {', '.join(sorted(TEXT_KEYS))}")
    unknown = sorted(str(k) for k in raw if k not in TEXT_KEYS)
    if unknown:
        raise SchemaError(f"{where}.text: unknown {', '.join(unknown)}; known: {', '.join(sorted(TEXT_KEYS))}")
    need = {"sentence"} | ({"former_sentence"} if former is not None else set())
    missing = sorted(need - set(raw))
    if missing:
        raise SchemaError(f"{where}.text: missing {', '.join(missing)}")
    out: dict[str, Texts] = {}
    for use, entry in raw.items():
        at = f"{where}.text.{use}"
        if not isinstance(entry, dict) or set(entry) != {"zh", "en"}:
            raise SchemaError(f"{at}: expected zh and en (a template or a list of alternatives each)")
        pair: dict[str, tuple[str, ...]] = {}
        for lang in ("zh", "en"):
            value = entry[lang]
            alternatives = _strings([value] if isinstance(value, str) else value, f"{at}.{lang}")
            if not alternatives:
                raise SchemaError(f"{at}.{lang}: expected at least one template")
            for template in alternatives:
                _placeholders(template, props, f"{at}.{lang}")
            pair[lang] = alternatives
        out[str(use)] = Texts(
            zh=pair["zh"], en=pair["en"], names_zh=_template_names(pair["zh"]), names_en=_template_names(pair["en"])
        )
    return out


def _self_loops(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if raw not in SELF_LOOP_MEANINGS:
        raise SchemaError(
            f"{where}.self_loops: unknown meaning {raw!r}; known: {', '.join(sorted(SELF_LOOP_MEANINGS))}"
        )
    return str(raw)


def _schemes(raw: Any, where: str) -> dict[str, SchemeSpec]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: expected a mapping")
    out: dict[str, SchemeSpec] = {}
    for code, entry in raw.items():
        at = f"{where}.{code}"
        if not isinstance(entry, dict) or not str(code).replace("-", "").isalnum() or str(code) != str(code).upper():
            raise SchemaError(f"{at}: a scheme is an upper-case code with a mapping")
        kind = str(_need(entry, "kind", at))
        if kind not in SCHEME_KINDS:
            raise SchemaError(f"{at}: unknown kind {kind!r}; known: {', '.join(sorted(SCHEME_KINDS))}")
        digits = entry.get("digits")
        if digits is not None and (not isinstance(digits, int) or not 1 <= digits <= 12):
            raise SchemaError(f"{at}.digits: expected a whole number 1..12")
        out[str(code)] = SchemeSpec(
            code=str(code),
            kind=kind,
            zh=str(entry.get("zh", code)),
            en=str(entry.get("en", code)),
            suffixes=_strings(entry.get("suffixes"), f"{at}.suffixes"),
            prefixes=_strings(entry.get("prefixes"), f"{at}.prefixes"),
            aliases=_strings(entry.get("aliases"), f"{at}.aliases"),
            digits=digits,
        )
    return out


def schema_file() -> Path:
    """The schema file in use: ``GUANXI_SCHEMA`` when set (a copy with kinds of one's own), else the packaged one."""
    named = os.environ.get(SCHEMA_ENV, "").strip()
    return Path(named).expanduser() if named else SCHEMA_FILE


def load_schema(path: str | Path | None = None) -> Schema:
    """Read and check the schema file (``GUANXI_SCHEMA``, else the packaged ``schema.yaml``)."""
    if path:
        return _load_schema(Path(path))
    return _schema_named(os.environ.get(SCHEMA_ENV, ""))


@lru_cache(maxsize=8)
def _schema_named(named: str) -> Schema:
    """The schema a value of ``GUANXI_SCHEMA`` names (cached by that text: the look-up is on hot paths)."""
    return _load_schema(Path(named.strip()).expanduser() if named.strip() else SCHEMA_FILE)


@lru_cache(maxsize=8)
def _load_schema(file: Path) -> Schema:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read schema file {file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(f"schema file {file} is not valid YAML: {yaml_problem(exc)}") from exc
    return parse_schema(data, str(file), file.parent)
