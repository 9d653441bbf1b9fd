"""Typed values that cross the store interface: nodes, edges, paths, path queries.

Node ids are ``"Label:key"`` strings (``"Company:91310115MA1K4ABCD1"``,
``"Person:p000123"``), so a person id can never collide with a park id and the
label is known from the id alone.

>>> node_id("Company", "91350100M000100Y43")
'Company:91350100M000100Y43'
>>> split_node_id("Person:p1")
('Person', 'p1')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.errors import InvalidParameter

if TYPE_CHECKING:  # a record batch holds a DataFrame; a path query on an opened store never imports pandas
    import pandas as pd


def node_id(label: str, key: str) -> str:
    """The graph-wide id of the node with ``label`` and ``key``."""
    return f"{label}:{key}"


def split_node_id(nid: str) -> tuple[str, str]:
    """``(label, key)`` of a node id; InvalidParameter when it has no label."""
    label, sep, key = nid.partition(":")
    if not sep or not label or not key:
        raise InvalidParameter("node id", f"{nid!r} is not of the form 'Label:key'")
    return label, key


@dataclass(frozen=True, slots=True)
class Node:
    """An entity: a company, a person or a park, with its properties."""

    id: str
    label: str
    key: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)

    def get(self, prop: str, default: Any = None) -> Any:
        """A property's value, or ``default`` when missing or null."""
        value = self.props.get(prop)
        return default if value is None else value

    @property
    def is_client(self) -> bool:
        return bool(self.props.get("is_client"))

    @property
    def manager(self) -> str | None:
        value = self.props.get("manager")
        return None if value is None else str(value)

    @property
    def branch(self) -> str | None:
        value = self.props.get("branch")
        return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship in its true direction, with the strength warmth gives it."""

    type: str
    source: str
    target: str
    props: Mapping[str, Any] = field(default_factory=dict)
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class Path:
    """A path from ``nodes[0]`` (the introducer) to ``nodes[-1]`` (the prospect).

    ``edges[i]`` joins ``nodes[i]`` and ``nodes[i + 1]``; its own ``source`` and
    ``target`` keep the relationship's true direction, which may run against
    the path.
    """

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    warmth: float

    @property
    def hops(self) -> int:
        return len(self.edges)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.nodes)


class PathQuery(BaseModel):
    """What a store's native path search is asked: checked at the boundary.

    ``sources`` is ``"clients"`` (every client company, narrowed by ``manager``
    and ``branch``) or explicit node ids. ``types`` is the allow-list of
    relationship types a path may use.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: str = Field(min_length=3)
    sources: Literal["clients"] | tuple[str, ...] = "clients"
    manager: str | None = None
    branch: str | None = None
    types: tuple[str, ...]
    max_hops: int = Field(default=4, ge=1, le=6)
    k: int = Field(default=5, ge=1, le=200)
    min_warmth: float = Field(default=0.0, ge=0.0, le=1.0)
    exclude_statuses: tuple[str, ...] = ("revoked", "deregistered")
    exclude_blacklisted: bool = True


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Validated rows ready to be written into a store.

    ``what`` is ``"nodes"`` (``name`` a label; columns are its properties, the
    key column included), ``"edges"`` (``name`` a relationship type; columns
    ``source`` and ``target`` as node ids plus its properties) or
    ``"clients"`` (columns ``uscc``, ``manager``, ``branch``, ``since``).

    ``ends_checked``: the loader already found every relationship end and
    client company in the load or the graph, so a store need not read them
    again before writing (it still refuses a transaction whose ends vanished).
    """

    what: Literal["nodes", "edges", "clients"]
    name: str
    frame: pd.DataFrame
    ends_checked: bool = False


@dataclass(frozen=True, slots=True)
class GraphStats:
    """How big the graph is."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    clients: int

    @property
    def node_count(self) -> int:
        return sum(self.nodes.values())

    @property
    def relationship_count(self) -> int:
        return sum(self.relationships.values())
