"""What the analyst and risk queries share: checking input, naming entities, flags, a per-store cache.

The supply-chain, ownership, guarantee, park, matching and batch modules all
take an entity as a name, USCC or :class:`~graph.model.Node`, check numeric
options the same way and show a node the same way in ``--json``; this module
does it once.

>>> whole_number("tiers", 3, 1, 6)
3
>>> fraction("threshold", 0.25)
0.25
"""

from __future__ import annotations

import contextlib
import math
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

from graph.errors import InvalidParameter
from graph.model import Edge, Node
from graph.store import GraphStore
from queries.resolve import resolve

T = TypeVar("T")

#: words that make a Company a state body (政府机关、国资监管机构、财政部门)
STATE_NAME_WORDS = ("国有资产监督管理委员会", "国资委", "财政局", "财政厅", "财政部", "人民政府", "国务院")
#: USCC registration-authority code 1, kind 1: 机关 (government bodies)
STATE_USCC_PREFIX = "11"


def entity(
    store: GraphStore, value: str | Node, *, param: str = "company", labels: Sequence[str] = ("Company",)
) -> Node:
    """The node ``value`` names (name, USCC, id or a Node), of one of ``labels``.

    NodeNotFound / AmbiguousNode from :func:`queries.resolve.resolve`;
    InvalidParameter when a Node of another label is passed.
    """
    if isinstance(value, Node):
        if labels and value.label not in labels:
            raise InvalidParameter(param, f"{value.name} is a {value.label}; expected {' or '.join(labels)}")
        return value
    if not isinstance(value, str):
        raise InvalidParameter(param, f"give a name, USCC or node, got {type(value).__name__}")
    return resolve(store, value, labels=list(labels) if labels else None)


def whole_number(name: str, value: object, lo: int, hi: int | None = None) -> int:
    """``value`` when it is an int in ``lo..hi``; InvalidParameter otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi is not None and value > hi):
        span = f"from {lo} to {hi}" if hi is not None else f"of at least {lo}"
        raise InvalidParameter(name, f"must be a whole number {span}, got {value!r}")
    return value


def fraction(name: str, value: object, lo: float = 0.0, hi: float = 1.0) -> float:
    """``value`` as a float when it is a number in ``lo..hi``; InvalidParameter otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not lo <= value <= hi:
        raise InvalidParameter(name, f"must be a number from {lo:g} to {hi:g}, got {value!r}")
    return float(value)


def number(value: Any) -> float | None:
    """A stored numeric property as a float, or None when missing or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def ratio_of(edge: Edge) -> float | None:
    """A HOLDS_SHARES edge's ratio in 0..1, or None when unknown (missing or out of range)."""
    value = number(edge.props.get("ratio"))
    return value if value is not None and 0.0 <= value <= 1.0 else None


def closed_statuses(store: GraphStore) -> tuple[str, ...]:
    """Registration statuses that count as closed (注销/吊销): the ones warmth.yaml excludes."""
    return store.weights.exclude_statuses


def flags(store: GraphStore, node: Node) -> tuple[str, ...]:
    """Why a node is a risk: ``"blacklisted"`` and/or its closed status (``"revoked"``, ``"deregistered"``)."""
    out: list[str] = []
    if node.get("blacklisted"):
        out.append("blacklisted")
    status = node.get("status")
    if status is not None and status in closed_statuses(store):
        out.append(str(status))
    return tuple(out)


def is_state_body(node: Node) -> bool:
    """A government body or state asset holder: a Company whose USCC starts with ``11`` (机关)
    or whose name contains 国资委 / 国有资产监督管理委员会 / 财政局 / 财政厅 / 财政部 / 人民政府 / 国务院."""
    if node.label != "Company":
        return False
    return node.key.startswith(STATE_USCC_PREFIX) or any(word in node.name for word in STATE_NAME_WORDS)


def node_dict(node: Node) -> dict[str, object]:
    """The fields of a node a ``--json`` reader needs."""
    out: dict[str, object] = {"id": node.id, "label": node.label, "key": node.key, "name": node.name}
    if node.label == "Company":
        out["is_client"] = node.is_client
        out["manager"] = node.manager
        out["status"] = node.get("status")
    if node.get("blacklisted"):
        out["blacklisted"] = True
    return out


def tags_of(node: Node) -> tuple[str, ...]:
    """A list property (``tags``) as a tuple, whether stored as a list or as ``a;b`` text."""
    return list_prop(node.props, "tags")


def list_prop(props: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A ``list`` property as a tuple of strings, whether stored as a list or as ``a;b`` text."""
    raw = props.get(name)
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(p.strip() for p in raw.replace("；", ";").split(";") if p.strip())
    try:
        return tuple(str(p) for p in raw if p is not None and str(p).strip())
    except TypeError:
        return (str(raw),)


# -- hooks: a store's own faster version of a step ------------------------------------------------
def native(store: GraphStore, name: str) -> Callable[..., object] | None:
    """The store's own version of a query step, when it has a method called ``name``.

    The queries are written once on the store primitives (``edges_of``,
    ``get_nodes`` ...); a store that can answer a step natively (one Cypher
    query instead of a walk) defines the method and is used instead. The
    hooks, where they are used and what they must return:

    * ``upstream_holdings(company_id) -> list[Edge]``
      (:mod:`queries.ownership`): every current ``HOLDS_SHARES`` and ``INVESTS_IN`` relationship on a
      chain of holdings into the company;
    * ``reachable(start_id, types, forward) -> set[str]``
      (:mod:`queries.guarantees`): every node reachable from ``start_id``
      along relationships of ``types`` in their direction (``forward``) or
      against it, the start included;
    * ``strong_components(types, min_size) -> list[list[str]]``
      (:func:`queries.guarantees.guarantee_circles`, without ``active_on``):
      the strongly connected components of at least ``min_size`` nodes of the
      relationships of ``types`` (self-loops ignored), each one's ids sorted.

    A store lists the steps it wants used in ``native_steps``: it may define
    a step and still prefer the walk where that measured faster (see
    :class:`graph.neo4j_store.Neo4jStore`). :func:`steps` overrides the
    choice, to measure both.
    """
    wanted = _STEPS[-1] if _STEPS else getattr(store, "native_steps", None)
    if wanted is not None and name not in wanted:
        return None
    method = getattr(store, name, None)
    return method if callable(method) else None


_STEPS: list[frozenset[str]] = []


@contextlib.contextmanager
def steps(*names: str) -> Iterator[None]:
    """Inside this block the queries use exactly these native steps (where a store has them) and
    walk for the rest; ``steps()`` walks everywhere. For measuring one way against the other."""
    _STEPS.append(frozenset(names))
    try:
        yield
    finally:
        _STEPS.pop()


# -- a cache of whole-graph work, one per store --------------------------------------------------
_CACHE: weakref.WeakKeyDictionary[GraphStore, dict[str, tuple[object, object]]] = weakref.WeakKeyDictionary()


def cached(store: GraphStore, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per store, rebuilt when the store changes (:meth:`GraphStore.version`).

    The embedded store's version is a write counter; a database's is its
    counts, which miss a rewrite that changes only properties: call
    :func:`forget` after one.
    """
    stamp = store.version()
    slot = _CACHE.setdefault(store, {})
    hit = slot.get(name)
    if hit is not None and hit[0] == stamp:
        return cast(T, hit[1])
    value = build()
    slot[name] = (stamp, value)
    return value


def forget(store: GraphStore) -> None:
    """Drop everything cached for ``store`` (name index, core enterprises)."""
    _CACHE.pop(store, None)
