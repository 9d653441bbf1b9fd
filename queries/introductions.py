"""Who can introduce us? The warmest paths from any client to a prospect.

>>> from queries.introductions import introductions  # doctest: +SKIP
>>> answer = introductions(store, "苏州某源半导体")  # doctest: +SKIP
>>> answer.paths[0].sentence_en  # doctest: +SKIP
'张某 is chairman of client 上海某芯科技 and a director of the prospect 苏州某源半导体.'
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import InvalidParameter
from graph.model import Node
from graph.store import GraphStore
from queries.directory import check_known, client_directory
from queries.paths import PathAnswer, PathOptions, build_query, explain
from queries.resolve import resolve


def introductions(
    store: GraphStore,
    prospect: str | Node,
    *,
    k: int | None = None,
    max_hops: int | None = None,
    kinds: Sequence[str] | None = None,
    min_warmth: float | None = None,
    manager: str | None = None,
    branch: str | None = None,
    include_closed: bool = False,
    include_blacklisted: bool = False,
) -> PathAnswer:
    """The top ``k`` introduction paths from a client company to ``prospect``.

    ``prospect`` is an USCC, a name (full or partial) or a node. Paths rank
    by warmth (see ``graph/warmth.yaml``); ``manager``/``branch`` keep only
    clients of that relationship manager or branch. An empty answer carries
    notes saying why and what to try.
    """
    target = prospect if isinstance(prospect, Node) else resolve(store, prospect)
    for name, value in (("manager", manager), ("branch", branch)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidParameter(name, "must be a non-empty name")
    options = PathOptions(k, max_hops, kinds, min_warmth, include_closed, include_blacklisted)
    query = build_query(store, target, options, manager=manager, branch=branch)
    paths = store.top_paths(query)
    notes: list[str] = []
    if target.is_client:
        notes.append(f"{target.name} 已是本行客户 (already a client; manager {target.manager or '-'})")
    if not paths and (manager is not None or branch is not None):
        directory = client_directory(store)
        check_known(directory, "manager", manager)
        check_known(directory, "branch", branch)
    if not paths:
        scope = f" of manager {manager}" if manager else (f" of branch {branch}" if branch else "")
        scope_zh = f"（客户经理 {manager}）" if manager else (f"（{branch}）" if branch else "")
        notes.append(
            f"没有在 {query.max_hops} 跳内找到客户{scope_zh}的引荐路径 / no client{scope} reaches this company within "
            f"{query.max_hops} hops with the chosen kinds ({', '.join(query.types)})"
            + (f" and warmth ≥ {query.min_warmth}" if query.min_warmth > 0 else "")
            + "; try more hops, all relationship kinds, a lower minimum warmth, or including closed/black-listed"
        )
    return PathAnswer(target=target, paths=explain(paths), notes=notes)
