"""From a scored list to lead candidates (:class:`~loaders.ops_data.LeadCandidate`): what distribution receives.

Each candidate carries the company's region code (USCC characters 3–8),
whether it is already a client and its manager and branch (the graph's
client properties), its recent opportunity events (ids, newest first, within
the scorecard's event window before the scoring day) and the bank products
they signal (best grade first, each product once), its score, tier and
breakdown.

The top ``paths_for`` candidates that are not clients get their warmest
introduction path (:meth:`GraphStore.top_paths`, the same search as
:func:`queries.introductions.introductions`), with the introducing client,
its manager and branch, the sentence and the warmth. Their scorecard's
``warmth`` component is then filled in (``warmth.points`` × the path's
warmth), score and tier recomputed, and the candidates re-ordered by score:
scoring a whole list runs without paths (too many searches), so only the
top of it gains the warmth points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from graph.errors import InvalidParameter
from graph.model import node_id
from graph.store import GraphStore
from graph.uscc import region_code
from loaders.catalogue import GRADES
from loaders.ops_data import LeadCandidate, OpsData
from queries.common import whole_number
from queries.paths import PathOptions, build_query, explain
from queries.scoring import COMPONENTS, Scorecard, Scored, load_scorecard

#: ``progress(done, total)`` while paths are attached
Progress = Callable[[int, int], None]


def _recent_events(ops: OpsData, keys: set[str], as_of: str, window: int) -> dict[str, list[tuple[str, str, str]]]:
    """company → [(event_id, grade, products)], best grade first, then newest."""
    ev = ops.events[ops.events["company"].isin(list(keys))]
    if not len(ev):
        return {}
    day = np.datetime64(as_of, "D")
    dates = pd.to_datetime(ev["date"], errors="coerce").to_numpy(dtype="datetime64[D]")
    age = (day - dates).astype(np.float64)
    ev = ev.assign(_age=age)[(age >= 0) & (age <= window)]
    ev = ev.assign(_g=ev["grade"].map({g: i for i, g in enumerate(GRADES)}).fillna(len(GRADES)))
    ev = ev.sort_values(["company", "_g", "_age", "event_id"], kind="stable")
    out: dict[str, list[tuple[str, str, str]]] = {}
    for company, eid, grade, products in zip(ev["company"], ev["event_id"], ev["grade"], ev["products"], strict=True):
        out.setdefault(str(company), []).append((str(eid), str(grade), str(products or "")))
    return out


def to_candidates(
    store: GraphStore,
    scored: Scored,
    ops: OpsData,
    *,
    top: int | None = None,
    paths_for: int = 0,
    card: Scorecard | None = None,
    max_hops: int | None = None,
    kinds: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> tuple[LeadCandidate, ...]:
    """The first ``top`` scored companies (all when None) as lead candidates, paths on the first ``paths_for``."""
    if not isinstance(scored, Scored):
        raise InvalidParameter("scored", f"expected the result of queries.scoring.score, got {type(scored).__name__}")
    if top is not None:
        top = whole_number("top", top, 1)
    paths_for = whole_number("paths_for", paths_for, 0)
    card = card or load_scorecard()
    frame = scored.frame if top is None else scored.frame.iloc[:top]
    keys = [str(k) for k in frame.index]
    nodes = store.get_nodes([node_id("Company", k) for k in keys])
    events = _recent_events(ops, set(keys), scored.as_of, card.window_days)
    options = PathOptions(k=1, max_hops=max_hops, kinds=kinds)
    out: list[LeadCandidate] = []
    wanted = [k for k in keys if (n := nodes.get(node_id("Company", k))) is not None and not n.is_client][:paths_for]
    paths = {}
    for i, key in enumerate(wanted, start=1):
        target = nodes[node_id("Company", key)]
        found = store.top_paths(build_query(store, target, options))
        if found:
            paths[key] = explain(found)[0]
        if progress is not None:
            progress(i, len(wanted))
    components = list(COMPONENTS)
    values = frame[components].to_numpy(dtype=np.float64)
    scores = frame["score"].to_numpy(dtype=np.float64)
    tiers = frame["tier"].to_numpy(dtype=object)
    names = frame["name"].to_numpy(dtype=object)
    w = components.index("warmth")
    for i, key in enumerate(keys):
        node = nodes.get(node_id("Company", key))
        path = paths.get(key)
        parts = values[i].copy()
        score, tier = float(scores[i]), str(tiers[i])
        if path is not None:
            parts[w] = round(card.warmth_points * path.warmth, 2)
            score = round(float(parts.sum()), 2)
            tier = str(card.tier_of(np.array([score]))[0])
        found_events = events.get(key, [])
        products = tuple(dict.fromkeys(p for _, _, joined in found_events for p in joined.split("|") if p))
        out.append(
            LeadCandidate(
                company=key,
                name=str(names[i]) if names[i] is not None else (node.name if node else key),
                region_code=region_code(key),
                is_client=bool(node and node.is_client),
                score=score,
                tier=tier,
                client_manager=node.manager if node and node.is_client else None,
                client_branch=node.branch if node and node.is_client else None,
                event_ids=tuple(e for e, _, _ in found_events),
                products=products,
                breakdown=tuple((c, float(v)) for c, v in zip(components, parts, strict=True)),
                introducer=None if path is None else path.introducer.name,
                introducer_manager=None if path is None else path.manager,
                introducer_branch=None if path is None else path.branch,
                path_text=None if path is None else path.sentence_zh,
                path_warmth=None if path is None else path.warmth,
            )
        )
    out.sort(key=lambda c: (-c.score, c.company))
    return tuple(out)
