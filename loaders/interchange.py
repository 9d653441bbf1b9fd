"""Open formats in: FollowTheMoney entities and BODS 0.4 statements become guanxi's own tables.

A bank receives ownership data in the open standards as well as in
spreadsheets: FollowTheMoney (FtM) entities from Aleph and OpenSanctions, and
Beneficial Ownership Data Standard (BODS) 0.4 statements from registers. A
JSON or JSON-lines file in either format is loaded like a folder of table
files: its records are mapped (:mod:`loaders.ftm`, :mod:`loaders.bods`) to
rows of guanxi's tables (``companies``, ``persons``, ``equity``,
``officers`` ...) with the same column names a spreadsheet would have, and
those rows go through the one validation every file goes through, so a bad
USCC in an FtM file is rejected exactly as in a CSV, naming the file and the
record. What has no home in guanxi's schema (a family tie, a payment, an
indirect interest) is not dropped silently: it is counted and listed in the
load report's left-out files, by kind.

The row number a report gives is the line of a JSON-lines file, or the
record's position (1, 2, ...) in a JSON array.

>>> mapped = Mapped("FtM", "x.json")
>>> mapped.add(("nodes", "Person"), 3, {"id": "p1", "name": "张伟"})
>>> mapped.no_home("homeless.schema", schema="Vessel")
>>> mapped.no_home("homeless.schema", schema="Vessel")
>>> [render(m, "en") for m in mapped.left_out()]
['x.json (FtM: 2 Vessel with no kind in guanxi)']
>>> [render(m, "zh") for m in mapped.left_out()]
['x.json（FtM：2 条类型为 Vessel 的实体在 guanxi 中没有对应的类型）']
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graph.errors import LoadError
from graph.identifiers import name_identifier, parse_lei, parse_other_id
from graph.messages import Message, Param, render  # noqa: F401 - render: for the examples
from graph.model import Edge, Node
from graph.schema import PropertySpec, Schema
from graph.store import GraphStore
from loaders.read import RawTable, What, table_from_frame

#: the largest interchange file read (JSON is held in memory whole)
MAX_BYTES = 512 * 1024 * 1024

#: one table a record maps into: ``("nodes", "Company")``, ``("edges", "HOLDS_SHARES")``
Target = tuple[What, str]

#: suffixes an interchange file may have
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


@dataclass
class Mapped:
    """The rows one interchange file gives each guanxi table, and what had no home.

    ``rows[target]`` are ``(row, cells)`` pairs, cells by the canonical column
    names of schema.yaml; ``homeless`` counts records (or parts of records)
    guanxi has no kind for, by what they are (a message: ``homeless.*`` code and parameters, so the
    load report words it in the reader's language).
    """

    fmt: str
    file: str
    rows: dict[Target, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    homeless: Counter[Message] = field(default_factory=Counter)
    #: the schema's partner role (INVESTS_IN), which an ownership's role or an interest's details may name
    partner_role: PropertySpec | None = None

    def add(self, target: Target, row: int, cells: dict[str, str]) -> None:
        """One row for ``target``, read from record ``row`` of the file."""
        self.rows.setdefault(target, []).append((row, cells))

    def no_home(self, code: str, **params: Param) -> None:
        """Count one record (or part of one) that guanxi's schema has no place for: what it is, as a
        ``homeless.*`` message of the catalogue (graph.messages)."""
        self.homeless[Message(code, **params)] += 1

    def left_out(self) -> list[str]:
        """What had no home, as the load report lists left-out files: ``"file (FtM: 2 Family ...)"``."""
        if not self.homeless:
            return []
        parts = tuple(Message("load.no_home_part", n=f"{n:,}", what=what) for what, n in sorted(self.homeless.items()))
        return [Message("load.no_home", file=self.file, fmt=self.fmt, parts=parts)]

    def table(self, target: Target, schema: Schema) -> RawTable:
        """The rows for ``target`` as a raw table, ready for the validation every file goes through."""
        pairs = self.rows.get(target, [])
        columns = sorted({c for _, cells in pairs for c in cells})
        frame = pd.DataFrame([[cells.get(c, "") for c in columns] for _, cells in pairs], columns=columns, dtype=str)
        rows = [row for row, _ in pairs]
        frame.index = pd.Index(rows, dtype="int64")
        return table_from_frame(frame, target[0], target[1], file=self.file, schema=schema, rows=rows)


def graph_part(store: GraphStore, ids: Sequence[str] | None) -> tuple[list[Node], dict[str, str], list[Edge]]:
    """What an export writes: the nodes (all, or ``ids``), their keys by node id, and the ties among them."""
    nodes = list(store.get_nodes(list(ids)).values()) if ids is not None else list(store.iter_nodes())
    keys = {n.id: n.key for n in nodes}
    edges = store.edges_of(list(keys)) if ids is not None else list(store.iter_edges())
    return nodes, keys, [e for e in edges if e.source in keys and e.target in keys]


def read_records(path: Path) -> Iterator[tuple[int, Any]]:
    """The JSON values of a file: the items of one top-level array, else one per non-blank line.

    Yields ``(row, value)``: the record's position in an array, or its line.
    LoadError naming the file and line for anything that is not JSON.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LoadError(Message("load.json_too_big", file=path.name, size=f"{size:,}", limit=f"{MAX_BYTES:,}"))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(Message("load.json_not_utf8", file=path.name, at=f"{exc.start:,}")) from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        value = _parse(text, path.name, 1)
        if not isinstance(value, list):
            raise LoadError(Message("load.json_not_array", file=path.name))
        yield from enumerate(value, start=1)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, _parse(line, path.name, number)


def _parse(text: str, file: str, line: int) -> Any:
    """One JSON value; LoadError naming the file and line (and JSON's own line within it)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = line + exc.lineno - 1
        raise LoadError(Message("load.json_bad", file=file, line=f"{at:,}", detail=exc.msg, column=exc.colno)) from None
    except RecursionError:
        raise LoadError(Message("load.json_deep", file=file, line=f"{line:,}")) from None


def sniff(path: Path) -> str | None:
    """``"ftm"`` or ``"bods"`` when the file's first record looks like one of the formats, else None.

    Only the first 64 KB are read: an FtM entity has ``schema`` and
    ``properties``, a BODS statement ``statementId`` and ``recordType`` (0.4)
    or ``statementType`` (older versions, which are refused with a message).
    """
    with path.open("rb") as handle:
        head = handle.read(65_536).decode("utf-8-sig", errors="replace")
    for key in ('"statementId"', '"recordType"', '"statementType"'):
        if key in head:
            return "bods"
    if '"schema"' in head and '"properties"' in head:
        return "ftm"
    return None


def text_of(value: Any) -> str:
    """A record's scalar value as cell text: numbers and strings as written, anything else empty.

    Lists give their first item (FtM values are lists); nested objects are not
    cell values. Longer text is kept whole for validation to judge.
    """
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)), None)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    return ""


def company_reference(cells: Mapping[str, str], schema: Schema) -> str:
    """How a relationship row names a mapped company: its USCC, else the first of its LEI and other
    registry number that parses (``LEI:…``, ``GB-COH:…``), else its name key (``NAME:…``), the same
    order in which the loaders key the company itself."""
    if cells.get("uscc"):
        return cells["uscc"]
    parsers: list[Callable[[], str]] = []
    if cells.get("lei"):
        parsers.append(lambda: parse_lei(cells["lei"]))
    if cells.get("other_id"):
        parsers.append(lambda: parse_other_id(cells["other_id"], cells.get("id_scheme"), schema.schemes))
    for parse in parsers:
        try:
            return parse()
        except ValueError:
            continue
    return name_identifier(cells.get("name", ""))


#: partner roles (INVESTS_IN) as registers print them, which both formats carry as text and read back
PARTNER_WORDS = {"managing_partner": "执行事务合伙人", "general_partner": "普通合伙人", "limited_partner": "有限合伙人"}


def partner_words(props: Mapping[str, Any]) -> str:
    """A partner's role as registers print it (执行事务合伙人 ...; 合伙人 when not given)."""
    return PARTNER_WORDS.get(str(props.get("partner_role")), "合伙人")
