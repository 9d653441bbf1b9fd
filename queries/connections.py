"""How are two entities connected? The warmest paths between any two companies or persons."""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import InvalidParameter
from graph.model import Node
from graph.store import GraphStore, one_snapshot
from queries.messages import Message
from queries.paths import PathAnswer, PathOptions, build_query, explain, path_options
from queries.resolve import resolve


@one_snapshot
def connections(
    store: GraphStore,
    a: str | Node,
    b: str | Node,
    *,
    options: PathOptions | None = None,
    k: int | None = None,
    max_hops: int | None = None,
    kinds: Sequence[str] | None = None,
    min_warmth: float | None = None,
    include_closed: bool = False,
    include_blacklisted: bool = False,
) -> PathAnswer:
    """The top ``k`` paths from ``a`` to ``b`` under the same warmth rules as introductions.

    The options come as one :class:`~queries.paths.PathOptions` or as keywords;
    the introduction rules (manager, branch, distinct introducers) do not apply.
    """
    opts = path_options(
        options,
        k=k,
        max_hops=max_hops,
        kinds=kinds,
        min_warmth=min_warmth,
        include_closed=include_closed,
        include_blacklisted=include_blacklisted,
    )
    source = a if isinstance(a, Node) else resolve(store, a)
    target = b if isinstance(b, Node) else resolve(store, b)
    if source.id == target.id:
        raise InvalidParameter("b", f"{target.name} is the same entity as a")
    query = build_query(store, target, opts, sources=(source.id,))
    paths = store.top_paths(query)
    notes: list[str] = []
    if not paths:
        notes.append(Message("connect.no_path", source=source.name, target=target.name, hops=query.max_hops))
    interior = sorted({n.id for p in paths for n in p.nodes[1:-1]})
    degrees = store.degrees(interior) if interior else {}
    explained = explain(paths, last_word_zh="", last_word_en="", weights=store.weights, degrees=degrees)
    return PathAnswer(target=target, paths=explained, notes=notes, source=source)
