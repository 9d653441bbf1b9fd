"""The operational file kinds as data: ``loaders/ops_schema.yaml`` read, checked, and written out as docs.

Each kind (events, tags, chains, memberships, branches, outcomes) names its
files (English stem, Chinese names) and its columns, each with a type and
the headers accepted for it; ``company`` kinds name a company per row by
USCC and/or name. :func:`ops_columns_markdown` writes the column reference
the README shows (``python -m loaders.ops_schema``).

>>> schema = load_ops_schema()
>>> ops_file_names(schema)["商机事件"], ops_file_names(schema)["chain_members"]
('events', 'memberships')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import ConfigError
from loaders.catalogue import match_key
from loaders.ops_data import OPS_COLUMNS

SCHEMA_PATH = Path(__file__).resolve().parent / "ops_schema.yaml"
_TYPES = frozenset({"text", "uscc", "date", "amount", "event", "position", "region", "capacity", "outcome"})
_JOINERS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class OpsColumn:
    """A column of an operational kind: canonical name, type, whether required, accepted headers."""

    name: str
    type: str
    required: bool
    headers: tuple[str, ...]


@dataclass(frozen=True)
class OpsKind:
    """One operational file kind: its names and columns (``company``: it names a company per row)."""

    name: str
    zh: str
    files: tuple[str, ...]
    company: bool
    columns: tuple[OpsColumn, ...]


@dataclass(frozen=True)
class OpsSchema:
    """Every operational kind, how a company is named, and the words for positions and outcomes."""

    kinds: Mapping[str, OpsKind]
    uscc_headers: tuple[str, ...]
    name_headers: tuple[str, ...]
    positions: Mapping[str, str]
    outcomes: Mapping[str, str]


def _words(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of value → words")
    out: dict[str, str] = {}
    for value, words in raw.items():
        if not isinstance(words, list):
            raise ConfigError(f"{where}.{value}: expected a list of words")
        for word in [value, *words]:
            out[match_key(str(word))] = str(value)
    return out


def _headers(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(h, str) and h.strip() for h in raw):
        raise ConfigError(f"{where}: expected a non-empty list of headers")
    return tuple(raw)


def parse_ops_schema(data: Any, source: str = "ops_schema.yaml") -> OpsSchema:
    """Check and build the schema from parsed YAML; ConfigError naming the bad entry."""
    try:
        if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
            raise ConfigError("expected a mapping with kinds, company, positions and outcomes")
        kinds: dict[str, OpsKind] = {}
        for name, entry in data["kinds"].items():
            where = f"kinds.{name}"
            if name not in OPS_COLUMNS:
                raise ConfigError(f"{where}: not an operational table ({', '.join(OPS_COLUMNS)})")
            if not isinstance(entry, dict) or not isinstance(entry.get("columns"), dict):
                raise ConfigError(f"{where}: expected zh, files and columns")
            columns: list[OpsColumn] = []
            for col, spec in entry["columns"].items():
                if not isinstance(spec, dict) or spec.get("type") not in _TYPES:
                    raise ConfigError(f"{where}.columns.{col}: type must be one of {', '.join(sorted(_TYPES))}")
                if col not in OPS_COLUMNS[name]:
                    raise ConfigError(f"{where}.columns.{col}: not a column of {name} ({', '.join(OPS_COLUMNS[name])})")
                headers = _headers(spec.get("headers"), f"{where}.columns.{col}.headers")
                columns.append(OpsColumn(col, spec["type"], bool(spec.get("required")), headers))
            files = _headers(entry.get("files"), f"{where}.files")
            kinds[name] = OpsKind(name, str(entry.get("zh") or name), files, bool(entry.get("company")), tuple(columns))
        company = data.get("company")
        if not isinstance(company, dict):
            raise ConfigError("company: expected uscc and name header lists")
        return OpsSchema(
            kinds,
            _headers(company.get("uscc"), "company.uscc"),
            _headers(company.get("name"), "company.name"),
            _words(data.get("positions"), "positions"),
            _words(data.get("outcomes"), "outcomes"),
        )
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


@functools.lru_cache(maxsize=4)
def _load_schema(path: str) -> OpsSchema:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the operational schema: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not a valid YAML file: {exc}") from None
    return parse_ops_schema(data, str(file))


def load_ops_schema(path: str | Path | None = None) -> OpsSchema:
    """The operational schema (``loaders/ops_schema.yaml`` by default), read once per path."""
    return _load_schema(str(Path(path or SCHEMA_PATH).resolve()))


def stem_key(stem: str) -> str:
    """How a file or sheet name is compared: NFKC, blanks and dashes made ``_``, case-folded."""
    return _JOINERS.sub("_", unicodedata.normalize("NFKC", stem).strip()).casefold()


def ops_file_names(schema: OpsSchema) -> dict[str, str]:
    """Every name an operational file (or sheet) may have, normalised, and the kind it holds."""
    names: dict[str, str] = {}
    for kind in schema.kinds.values():
        for name in (*kind.files, kind.zh, kind.name):
            names.setdefault(stem_key(name), kind.name)
    return names


_TYPE_NOTES = {
    "event": "a type of the event catalogue (queries/events.yaml), by name, alias or English label",
    "position": "上游 / 中游 / 下游 (upstream / midstream / downstream)",
    "region": "2, 4 or 6 digits; several per cell (3101;310115); more specific wins",
    "capacity": "a whole number ≥ 1; required with a manager",
    "outcome": "won (成功/落地/中标 …) or lost (失败/流失 …)",
}


def _others(headers: Sequence[str], name: str) -> str:
    return ", ".join(h for h in headers if h != name)


def ops_columns_markdown(schema: OpsSchema | None = None) -> str:
    """Markdown tables of the operational files, written from ops_schema.yaml (for the README).

    ``python -m loaders.ops_schema``
    """
    s = schema or load_ops_schema()
    head = ["| column | type | required | also accepted as header | notes |", "|---|---|---|---|---|"]
    out: list[str] = []
    for kind in s.kinds.values():
        names = ", ".join(f"`{f}`" for f in kind.files)
        out += [f"#### {kind.zh} — {names}", "", *head]
        if kind.company:
            out.append(f"| `uscc` | uscc | one of the two | {_others(s.uscc_headers, 'uscc')} | the company's USCC |")
            out.append(f"| `name` | text | one of the two | {_others(s.name_headers, 'name')} | its exact name |")
        for c in kind.columns:
            required = "yes" if c.required else ""
            note = _TYPE_NOTES.get(c.type, "")
            out.append(f"| `{c.name}` | {c.type} | {required} | {_others(c.headers, c.name)} | {note} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(ops_columns_markdown(), end="")
