"""Benchmark stages of the lead store: distribution in bulk, and one RM's board.

    python -m bench.leads_stage distribute --candidates 100000 --db /tmp/leads.db
    python -m bench.leads_stage distribute --candidates 100000 --db postgresql+psycopg://u@host/db
    python -m bench.leads_stage board --leads 500 --db /tmp/board.db

``distribute`` makes synthetic scored candidates (USCC-like keys spread over
the regions of 40 branches with 8 RMs each, a tenth of them clients, a
fifth with an introducer) and times :func:`leads.distribute.distribute`
into an empty database: the rule within branches, the bulk insert of the
leads and of their creation history, in one transaction. Scoring is part A
of issue 16 (``queries.scoring``) and is timed there.

``board`` fills a database with one RM's ``--leads`` leads (among other
RMs' leads), moves a share of them along, and times what the 线索 page does
when it opens: the RM's leads, grouped by state, as the tables it shows,
and the picked lead's history.

Each prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from typing import Any

import pandas as pd

from loaders.ops_data import OPS_COLUMNS, TIERS, LeadCandidate

BRANCHES = 40
#: the RM whose board is timed
BOARD_RM = "看板经理"
MANAGERS_PER_BRANCH = 8


def _branches(regions: list[str]) -> pd.DataFrame:
    """40 branches with 8 RMs each; region i belongs to branch i mod 40."""
    rows = []
    for i, region in enumerate(regions):
        b = i % BRANCHES
        for m in range(MANAGERS_PER_BRANCH):
            rows.append((f"分行{b:02d}", region, f"经理{b:02d}{m}", 20 + 10 * (m % 3)))
    return pd.DataFrame(rows, columns=list(OPS_COLUMNS["branches"]), dtype=object)


def _candidates(n: int, regions: list[str], seed: int) -> list[LeadCandidate]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        region = rng.choice(regions)
        key = f"91{region}MA{i:08d}"
        client = rng.random() < 0.1
        branch = rng.randrange(BRANCHES)
        introduced = rng.random() < 0.2
        score = round(rng.uniform(20, 100), 2)
        out.append(
            LeadCandidate(
                company=key,
                name=f"企业{i}",
                region_code=region,
                is_client=client,
                score=score,
                tier=TIERS[0] if score >= 80 else (TIERS[1] if score >= 60 else TIERS[2]),
                client_manager=f"经理{branch:02d}{rng.randrange(MANAGERS_PER_BRANCH)}" if client else None,
                client_branch=f"分行{branch:02d}" if client else None,
                event_ids=(f"ev{i}",),
                products=("开户", "存款"),
                breakdown=(("tags", 20.0), ("events", score - 20.0)),
                introducer=f"客户{i}" if introduced else None,
                introducer_manager=f"经理{rng.randrange(BRANCHES):02d}0" if introduced else None,
                introducer_branch=None,
                path_text="某某任客户董事长并任潜客董事" if introduced else None,
                path_warmth=round(rng.uniform(0.05, 0.9), 4) if introduced else None,
            )
        )
    return out


def _regions(seed: int) -> list[str]:
    """Up to 120 distinct 6-digit region codes in six provinces."""
    rng = random.Random(seed)
    provinces = ["11", "31", "32", "33", "44", "51"]
    codes = {f"{rng.choice(provinces)}{rng.randrange(1, 20):02d}{rng.randrange(1, 30):02d}" for _ in range(400)}
    return sorted(codes)[: BRANCHES * 3]


def stage_distribute(candidates: int, db: str, rule: str, seed: int) -> dict[str, Any]:
    from leads.distribute import distribute
    from leads.store import LeadStore

    regions = _regions(seed)
    branches = _branches(regions)
    cands = _candidates(candidates, regions, seed)
    with LeadStore.open(db) as store:
        t0 = time.perf_counter()
        result = distribute(store, cands, rule=rule, branch_table=branches)
        seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = distribute(store, cands[: min(len(cands), 10_000)], rule=rule, branch_table=branches)
        rerun = time.perf_counter() - t1
        backend = store.backend
    return {
        "backend": backend,
        "candidates": candidates,
        "rule": rule,
        "seconds": round(seconds, 3),
        "leads_per_second": round(result.created / seconds) if seconds else None,
        "created": result.created,
        "unassigned": result.unassigned,
        "joint_visits": result.joint_visits,
        "rerun_10k_seconds": round(rerun, 3),
        "rerun_created": again.created,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def stage_board(leads: int, db: str, seed: int) -> dict[str, Any]:
    from leads.distribute import distribute
    from leads.store import LeadStore
    from leads.workflow import move
    from ui.leads_ui import by_state, leads_table

    regions = _regions(seed)
    mine = pd.DataFrame(
        [("看板支行", regions[0], BOARD_RM, leads)], columns=list(OPS_COLUMNS["branches"]), dtype=object
    )
    others = _branches(regions[1:])
    rng = random.Random(seed)
    with LeadStore.open(db) as store:
        own = [c for c in _candidates(leads * 3, [regions[0]], seed) if not c.is_client][:leads]
        distribute(store, own, branch_table=mine)
        distribute(store, _candidates(leads * 10, regions[1:], seed + 1), branch_table=others)
        for lead in store.leads(manager=BOARD_RM):
            if rng.random() < 0.4:
                move(store, lead.id, "跟进中", by=BOARD_RM)
        t0 = time.perf_counter()
        found = store.leads(manager=BOARD_RM)
        groups = by_state(found)
        tables = {state: leads_table(group, "zh") for state, group in groups.items()}
        history = store.history(found[0].id)
        seconds = time.perf_counter() - t0
        backend = store.backend
    return {
        "backend": backend,
        "leads": len(found),
        "rows_shown": sum(len(t) for t in tables.values()),
        "history_rows": len(history),
        "seconds": round(seconds, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.leads_stage")
    sub = parser.add_subparsers(dest="stage", required=True)
    p = sub.add_parser("distribute")
    p.add_argument("--candidates", type=int, default=10_000)
    p.add_argument("--db", required=True, help="an empty SQLite file path or an SQLAlchemy URL")
    p.add_argument("--rule", default="capacity")
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("board")
    p.add_argument("--leads", type=int, default=500)
    p.add_argument("--db", required=True)
    p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.stage == "distribute":
        result = stage_distribute(args.candidates, args.db, args.rule, args.seed)
    else:
        result = stage_board(args.leads, args.db, args.seed)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
