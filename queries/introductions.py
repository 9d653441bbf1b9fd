"""Who can introduce us? The warmest paths from any client to a prospect.

An example (the hand-built graph of ``tests/test_introductions.py``)::

    answer = introductions(store, "苏州某源半导体")
    answer.paths[3].sentence_en
    # '张某 is chairman of client 上海某芯科技有限公司 and a director of the prospect 苏州某源半导体有限公司.'
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.model import Node
from graph.store import GraphStore, one_snapshot
from queries.directory import check_known, client_directory
from queries.messages import Message, shown_names
from queries.paths import PathAnswer, PathOptions, build_query, explain, path_options
from queries.ranking import FETCH_CAP, Distinct, path_warmths, ranked_groups
from queries.resolve import resolve


@one_snapshot
def introductions(
    store: GraphStore,
    prospect: str | Node,
    *,
    options: PathOptions | None = None,
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

    ``prospect`` is an USCC, a name (full or partial) or a node. The options
    come as one checked :class:`~queries.paths.PathOptions` (``options``) or
    as keywords of the same names. Paths rank by warmth (see
    ``graph/warmth.yaml``); ``manager``/``branch`` keep only clients of that
    relationship manager or branch. The rules of :mod:`queries.ranking`
    apply: each introducer (``distinct="introducer"``; ``"first_contact"``:
    each person or company the client talks to; ``"none"``: every path) stands
    once with its warmest path, its further paths folded under it, and
    holders that connect nobody (state-assets commissions and the like) never
    stand inside a path unless ``include_state_holders``. Every path carries
    its warmth arithmetic. The notes say why an answer is empty or short and
    what was left out.
    """
    opts = path_options(
        options,
        k=k,
        max_hops=max_hops,
        kinds=kinds,
        min_warmth=min_warmth,
        manager=manager,
        branch=branch,
        include_closed=include_closed,
        include_blacklisted=include_blacklisted,
        distinct=distinct,
        include_state_holders=include_state_holders,
    )
    manager, branch = opts.manager, opts.branch
    target = prospect if isinstance(prospect, Node) else resolve(store, prospect)
    query = build_query(store, target, opts)
    groups = ranked_groups(store, query, opts.distinct, opts.include_state_holders)
    paths = groups.best
    notes: list[str] = []
    if groups.left_out:
        notes.append(
            Message("intro.state_holders_left_out", n=groups.left_out, holders=shown_names(list(groups.holders), 3))
        )
    if groups.capped:
        notes.append(Message("intro.capped", cap=FETCH_CAP))
    if len(paths) < query.k and query.min_warmth > 0:
        colder = path_warmths(store, query.model_copy(update={"min_warmth": 0.0, "k": query.k}))
        hidden = sum(1 for w in colder if w < query.min_warmth)
        if hidden:
            notes.append(Message("intro.colder_hidden", min_warmth=query.min_warmth))
    if target.is_client:
        notes.append(Message("intro.already_client", name=target.name, manager=target.manager or "-"))
    if not paths and (manager is not None or branch is not None):
        directory = client_directory(store)
        check_known(directory, "manager", manager)
        check_known(directory, "branch", branch)
    if not paths:
        scope = (
            Message("scope.manager", manager=manager)
            if manager
            else (Message("scope.branch", branch=branch) if branch else Message("empty"))
        )
        warmth = Message("scope.min_warmth", min_warmth=query.min_warmth) if query.min_warmth > 0 else Message("empty")
        notes.append(
            Message("intro.no_path", hops=query.max_hops, scope=scope, kinds=tuple(query.types), warmth=warmth)
        )
    explained = explain(paths, weights=store.weights, degrees=groups.degrees, more=groups.more)
    return PathAnswer(target=target, paths=explained, notes=notes)
