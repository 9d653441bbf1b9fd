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
from queries.ranking import DISTINCT_MODES, FETCH_CAP, Distinct, ranked_groups
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
    distinct: Distinct = "introducer",
    include_state_holders: bool = False,
) -> PathAnswer:
    """The warmest introduction paths from ``k`` different client companies to ``prospect``.

    ``prospect`` is an USCC, a name (full or partial) or a node. Paths rank
    by warmth (see ``graph/warmth.yaml``); ``manager``/``branch`` keep only
    clients of that relationship manager or branch. The rules of
    :mod:`queries.ranking` apply: each introducer (``distinct="introducer"``;
    ``"first_contact"``: each person or company the client talks to;
    ``"none"``: every path) stands once with its warmest path, its further
    paths folded under it, and holders that connect nobody (state-assets
    commissions and the like) never stand inside a path unless
    ``include_state_holders``. Every path carries its warmth arithmetic. The
    notes say why an answer is empty or short and what was left out.
    """
    target = prospect if isinstance(prospect, Node) else resolve(store, prospect)
    for name, value in (("manager", manager), ("branch", branch)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidParameter(name, "must be a non-empty name")
    if distinct not in DISTINCT_MODES:
        raise InvalidParameter("distinct", f"must be one of {', '.join(DISTINCT_MODES)}, got {distinct!r}")
    options = PathOptions(k, max_hops, kinds, min_warmth, include_closed, include_blacklisted)
    query = build_query(store, target, options, manager=manager, branch=branch)
    groups = ranked_groups(store, query, distinct, include_state_holders)
    paths = groups.best
    notes: list[str] = []
    if groups.left_out:
        shown = "、".join(groups.holders[:3]) + ("…" if len(groups.holders) > 3 else "")
        notes.append(
            f"{groups.left_out} 条经过国资/财政等持股方的路径未列出（{shown}），它们不代表相识 / "
            f"{groups.left_out} paths through holders that connect nobody ({shown}) were left out; "
            "include them with include_state_holders (--include-state-holders)"
        )
    if groups.capped:
        notes.append(
            f"已检索最温暖的 {FETCH_CAP} 条路径，可能还有其他引荐客户 / searched the {FETCH_CAP} warmest paths; "
            "more introducers may exist further down"
        )
    if len(paths) < query.k and query.min_warmth > 0:
        colder = store.top_paths(query.model_copy(update={"min_warmth": 0.0, "k": query.k}))
        hidden = sum(1 for p in colder if p.warmth < query.min_warmth)
        if hidden:
            notes.append(
                f"另有温度低于 {query.min_warmth:g} 的路径未显示（如仅同在一个园区） / colder paths below the minimum "
                f"warmth {query.min_warmth:g} are hidden (such as sharing a park); lower min_warmth to see them"
            )
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
    explained = explain(paths, weights=store.weights, degrees=groups.degrees, more=groups.more)
    return PathAnswer(target=target, paths=explained, notes=notes)
