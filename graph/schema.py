"""Read the schema file (``schema.yaml``) into typed, immutable specs.

The schema is data: node labels, relationship kinds, their properties and
the column headers a loader accepts. Python reads it once, checks it and
raises :class:`~graph.errors.SchemaError` naming the bad entry.

>>> schema = load_schema()
>>> schema.kind("SERVES_AS").source.labels
('Person',)
>>> schema.label("Company").key
'uscc'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import SchemaError

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")

PROPERTY_TYPES = frozenset({"text", "uscc", "key", "ratio", "amount", "int", "date", "bool", "list", "enum", "idno"})


@dataclass(frozen=True)
class PropertySpec:
    """One property: its canonical name, type, accepted headers and enum values."""

    name: str
    type: str
    required: bool = False
    headers: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default: str | None = None

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


@dataclass(frozen=True)
class EndpointSpec:
    """One end of a relationship kind: the loader column and allowed labels."""

    column: str
    labels: tuple[str, ...]
    headers: tuple[str, ...]
    type_column: str | None = None
    type_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    """A relationship kind: type, direction, identity and properties."""

    type: str
    kind: str
    zh: str
    file: str
    source: EndpointSpec
    target: EndpointSpec
    identity: tuple[str, ...]
    properties: dict[str, PropertySpec]


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


def _property(name: str, entry: Any, where: str) -> PropertySpec:
    if not isinstance(entry, dict):
        raise SchemaError(f"{where}: expected a mapping")
    type_ = _need(entry, "type", where)
    if type_ not in PROPERTY_TYPES:
        raise SchemaError(f"{where}: unknown type {type_!r}; known: {', '.join(sorted(PROPERTY_TYPES))}")
    values: dict[str, tuple[str, ...]] = {}
    if type_ == "enum":
        raw = _need(entry, "values", where)
        if not isinstance(raw, dict) or not raw:
            raise SchemaError(f"{where}: enum values must be a non-empty mapping")
        values = {str(k): _strings(v, f"{where}.values.{k}") for k, v in raw.items()}
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
    )


def _properties(raw: Any, where: str) -> dict[str, PropertySpec]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: properties must be a mapping")
    return {str(n): _property(str(n), e, f"{where}.{n}") for n, e in raw.items()}


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
        type_headers=_strings(headers.get(type_column), f"{where}.type_headers") if type_column else (),
    )


def parse_schema(data: Any, source: str = "schema") -> Schema:
    """Build a :class:`Schema` from parsed YAML, checking every entry."""
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: expected a mapping at the top")
    labels: dict[str, LabelSpec] = {}
    for name, entry in (_need(data, "labels", source) or {}).items():
        where = f"{source}: labels.{name}"
        props = _properties(entry.get("properties"), where)
        key = str(_need(entry, "key", where))
        if key not in props:
            raise SchemaError(f"{where}: key {key!r} is not one of its properties")
        labels[str(name)] = LabelSpec(
            name=str(name),
            key=key,
            name_property=str(entry.get("name", "name")),
            zh=str(entry.get("zh", name)),
            file=str(entry.get("file", str(name).lower())),
            properties=props,
        )
    kinds: dict[str, KindSpec] = {}
    for type_, entry in (_need(data, "kinds", source) or {}).items():
        where = f"{source}: kinds.{type_}"
        if not str(type_).replace("_", "").isalpha() or str(type_).upper() != str(type_):
            raise SchemaError(f"{where}: relationship types are UPPER_SNAKE_CASE letters")
        headers = entry.get("headers") or {}
        props = _properties(entry.get("properties"), where)
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
        )
    clients_raw = _need(data, "clients", source)
    clients = ClientsSpec(
        file=str(clients_raw.get("file", "clients")),
        zh=str(clients_raw.get("zh", "clients")),
        properties=_properties(clients_raw.get("properties"), f"{source}: clients"),
    )
    return Schema(labels=labels, kinds=kinds, clients=clients)


@lru_cache(maxsize=8)
def load_schema(path: str | Path | None = None) -> Schema:
    """Read and check the schema file (the packaged ``schema.yaml`` by default)."""
    file = Path(path) if path else SCHEMA_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read schema file {file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(f"schema file {file} is not valid YAML: {exc}") from exc
    return parse_schema(data, str(file))
