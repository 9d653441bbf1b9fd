"""Turn what a user typed (USCC, exact name, partial name, node id) into one entity.

An unknown name raises :class:`~graph.errors.NodeNotFound`; several matches
raise :class:`~graph.errors.AmbiguousNode` listing the candidates, so the user
can pick one by USCC or full name.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import AmbiguousNode, InvalidParameter, NodeNotFound
from graph.identifiers import identifier_forms
from graph.model import Node, node_id
from graph.store import GraphStore
from graph.uscc import normalise_uscc


def describe(node: Node) -> str:
    """``name (key, label)`` for candidate lists."""
    return f"{node.name} ({node.key}, {node.label})"


def resolve(store: GraphStore, text: str, labels: Sequence[str] | None = None) -> Node:
    """The single entity ``text`` names.

    Tried in order: a node id (``Company:...``), an USCC or other key or a company
    identifier in any usual form (``600519.SH``, ``HKEX:700``), an exact
    name, an exact former name, then a partial name (Chinese or English); a
    partial name must match exactly one entity.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidParameter("name", "give a name, USCC or id")
    query = text.strip()
    if ":" in query and query.split(":", 1)[0] in store.schema.labels:
        hit = store.get_nodes([query]).get(query)
        if hit is not None and (not labels or hit.label in labels):
            return hit
    as_uscc = normalise_uscc(query)
    if len(as_uscc) == 18:
        hit = store.get_nodes([node_id("Company", as_uscc)]).get(node_id("Company", as_uscc))
        if hit is not None and (not labels or hit.label in labels):
            return hit
    found = store.find_nodes(query, labels=labels, limit=50)
    forms = set(identifier_forms(query, store.schema.schemes))  # 600519.SH is SSE:600519
    exact = [
        n
        for n in found
        if n.key == query
        or n.name == query
        or n.key.upper() == as_uscc
        or n.key in forms
        or forms.intersection(str(i) for i in n.props.get("identifiers") or ())
    ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousNode(query, [describe(n) for n in exact])
    former = [n for n in found if query in _former(n)]
    if len(former) == 1:
        return former[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NodeNotFound(query)
    raise AmbiguousNode(query, [describe(n) for n in found])


def _former(node: Node) -> list[str]:
    raw = node.props.get("former_names")
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(";") if p.strip()]
    if isinstance(raw, list | tuple):
        return [str(p) for p in raw]
    return []
