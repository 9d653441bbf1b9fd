"""Demo leads: the lead store filled from the demo graph's generated operational files.

The explorer's demo (``loaders.demo``) has a graph but no lead database. On
first use of the 商机 / 线索 / 看板 pages this writes the generator's
operational files beside the demo graph's files (same seed), loads them,
scores every company with an event as of the newest event's date, attaches
the warmest path to the best prospects, distributes the leads by capacity,
and walks a fixed share of them along the follow-up states (by ``demo``, so
the history says who did it), so the board and the funnel have something to
show. A store that already holds events is left alone.
"""

from __future__ import annotations

from pathlib import Path

from graph.store import GraphStore
from leads.distribute import DistributionResult, distribute
from leads.store import LeadStore
from leads.workflow import move

#: the demo's follow-up: every n-th lead (by id) is walked to these states
WALKS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (11, ("跟进中", "拟合作", "已落地")),
    (7, ("跟进中", "拟合作")),
    (5, ("已结束",)),
    (3, ("跟进中",)),
)


def fill_demo(
    store: LeadStore, graph: GraphStore, files: Path, seed: int, *, paths_for: int = 100
) -> DistributionResult | None:
    """Fill an empty lead store from the demo files in ``files``; None when it already holds events."""
    from loaders.generate_ops import generate_ops
    from loaders.ops import read_ops
    from queries.candidates import to_candidates
    from queries.scoring import company_frame, score

    if store.has_events():
        return None
    if not (files / "events.csv").exists():
        generate_ops(files, seed)
    ops, _ = read_ops(files, graph)
    store.write_ops(ops)
    keys = sorted({str(c) for c in ops.events["company"]})
    if not keys:
        return None
    as_of = max(str(d) for d in ops.events["date"] if d)
    scored = score(company_frame(graph, keys), ops, as_of=as_of)
    result = distribute(store, to_candidates(graph, scored, ops, paths_for=paths_for), by="demo")
    for lead in store.leads():
        if lead.manager is None:
            continue
        for every, states in WALKS:
            if lead.id % every == 0:
                for state in states:
                    move(store, lead.id, state, by=lead.manager)
                break
    return result
