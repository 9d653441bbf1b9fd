"""Warm ``introductions`` latency on one store, per prospect: the figure issues 13 and 14 set targets for.

    python -m bench.latency --store graph.gx [--prospects 200] [--seed 1] [--slowest 10] [--answers out.jsonl]

Opens the store, picks the same random non-client prospects as
:mod:`bench.contenders` (:func:`~bench.contenders.pick_prospects`, same seed),
answers one query to warm up (imports, saved bounds, caches, as a running
service has them), then times ``introductions`` with its defaults (top 5
different introducers, ≤ 4 hops, explained) for each prospect. Both the wall
clock (:func:`time.perf_counter`) and this process's CPU time
(:func:`time.process_time`) are kept: on a shared machine the wall time
stretches with the load, the CPU time much less, so the load average before
and after is printed too. The slowest prospects are listed with how many
paths their answer explains (shown, and folded under them).

``--answers`` writes every answer (``PathAnswer.to_dict``) one JSON line per
prospect, so that two runs (before and after a change to the query code) can
be compared byte for byte: a speed-up must not change any answer.

No timing is asserted anywhere: the figures are for ``docs/benchmarks.md``
and issue reports, measured on whatever machine runs this.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.contenders import pick_prospects
from bench.stages import percentile
from graph.embedded import EmbeddedStore
from queries.introductions import introductions


@dataclass(frozen=True)
class Sample:
    """One prospect's timed answer: wall and CPU milliseconds, paths shown and folded under them."""

    prospect: str
    wall_ms: float
    cpu_ms: float
    shown: int
    folded: int


def measure(store: EmbeddedStore, prospects: Sequence[str], answers: Any = None) -> list[Sample]:
    """Time ``introductions`` (defaults) for each prospect id after one warm-up query.

    ``answers``, a text file open for writing, receives each answer as a JSON line.
    """
    if not prospects:
        return []
    introductions(store, prospects[0])  # warm: imports, saved bounds, caches
    out: list[Sample] = []
    for nid in prospects:
        w0, c0 = time.perf_counter(), time.process_time()
        answer = introductions(store, nid)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        folded = sum(len(p.more) for p in answer.paths)
        out.append(Sample(nid, wall * 1000, cpu * 1000, len(answer.paths), folded))
        if answers is not None:
            answers.write(json.dumps({"prospect": nid, **answer.to_dict()}, ensure_ascii=False, sort_keys=True) + "\n")
    return out


def summary(samples: Sequence[Sample], slowest: int = 10) -> dict[str, Any]:
    """Median, p90, p99 and max (wall and CPU ms), how many prospects were reached, and the slowest."""
    if not samples:
        return {"prospects": 0}
    out: dict[str, Any] = {"prospects": len(samples), "reached": sum(1 for s in samples if s.shown)}
    for name, values in (("wall", [s.wall_ms for s in samples]), ("cpu", [s.cpu_ms for s in samples])):
        out[name] = {
            "median_ms": statistics.median(values),
            "p90_ms": percentile(values, 90),
            "p99_ms": percentile(values, 99),
            "max_ms": max(values),
        }
    worst = sorted(samples, key=lambda s: s.wall_ms, reverse=True)[:slowest]
    out["slowest"] = [
        {"prospect": s.prospect, "wall_ms": s.wall_ms, "cpu_ms": s.cpu_ms, "shown": s.shown, "folded": s.folded}
        for s in worst
    ]
    return out


def report(result: dict[str, Any]) -> str:
    """The summary as a few plain lines for a terminal."""
    if not result.get("prospects"):
        return "no prospects"
    lines = [
        f"store {result['store']}: {result['prospects']} prospects, {result['reached']} reached; "
        f"load average {result['load_before']:.2f} before, {result['load_after']:.2f} after",
    ]
    for name in ("wall", "cpu"):
        r = result[name]
        lines.append(
            f"{name:4} ms: median {r['median_ms']:.2f}  p90 {r['p90_ms']:.2f}  "
            f"p99 {r['p99_ms']:.2f}  max {r['max_ms']:.2f}"
        )
    if result["slowest"]:
        lines.append("slowest (wall ms, CPU ms, paths shown + folded):")
        lines += [
            f"  {s['wall_ms']:8.2f} {s['cpu_ms']:8.2f}  {s['shown']} + {s['folded']:<4} {s['prospect']}"
            for s in result["slowest"]
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a saved store file (.gx)")
    parser.add_argument("--prospects", type=int, default=200, help="how many random non-client companies")
    parser.add_argument("--seed", type=int, default=1, help="the prospects' random seed (as bench.contenders)")
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest prospects to list")
    parser.add_argument("--answers", type=Path, help="write every answer as a JSON line here (to compare runs)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args(argv)
    if args.prospects < 1 or args.slowest < 0:
        parser.error("--prospects must be at least 1 and --slowest at least 0")
    if not args.store.is_file():
        parser.error(f"--store: no such file {args.store}")
    load_before = os.getloadavg()[0]
    store = EmbeddedStore.open(args.store)
    prospects = pick_prospects(store, args.prospects, args.seed)
    if args.answers is not None:
        with args.answers.open("w", encoding="utf-8") as out:
            samples = measure(store, prospects, out)
    else:
        samples = measure(store, prospects)
    result = {"store": str(args.store), **summary(samples, args.slowest)}
    result["load_before"], result["load_after"] = load_before, os.getloadavg()[0]
    print(json.dumps(result, ensure_ascii=False) if args.json else report(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
