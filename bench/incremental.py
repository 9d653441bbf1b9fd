"""Benchmark stage: a day's delta appended to a file store, against a full load (issue 13 item 4).

    python -m bench.incremental WORK_DIR --companies 100000 --seed 1

Generates ``--companies`` companies into ``WORK_DIR/data`` (once), splits
them into a base and a ~1% delta (:func:`split_delta`), then times, each as
its own ``guanxi load`` process (wall and CPU seconds of the child):

* ``full``: the day's full extract (base with the delta's changes, and the
  delta's new rows) in one load into a new store;
* ``base``: the base alone into a new store;
* ``delta``: the delta appended to a copy of the base store (the same
  command a bank runs every day: ``guanxi load DELTA --store X``).

The delta holds what a day's registry extract holds: new companies with
their people and relationships, ended officer posts (``until`` set on a
post the base holds), new posts of existing people at existing companies,
and changed company properties (a new status). Prints one JSON object on its
last line.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: the files whose rows name companies by these columns (any end in the delta's new companies moves the row)
_ENDS = {
    "equity.csv": ("holder", "company"),
    "officers.csv": ("person", "company"),
    "supply.csv": ("supplier", "customer"),
    "guarantees.csv": ("guarantor", "borrower"),
    "parks_located.csv": ("company", "park"),
    "investments.csv": ("investor", "fund"),
    "clients.csv": ("uscc",),
    "prospects.csv": ("uscc",),
}
_GRAPH_FILES = ("companies.csv", "persons.csv", "parks.csv", "family.csv", "acting_in_concert.csv", *_ENDS)


def _read(file: Path) -> tuple[list[str], list[list[str]]]:
    with file.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(file: Path, header: list[str], rows: list[list[str]]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def split_delta(data: Path, base: Path, delta: Path, today: Path, share: float = 0.01) -> dict[str, int]:
    """Split ``data`` into ``base`` and a ``delta`` of ~``share`` of the companies; the delta's row counts.

    The delta's changes of existing rows (an ended post, a new status) are
    rows with the identity of a base row and other values: loaded after the
    base they override it. ``today`` is the day's full extract (the base
    with the changes made, plus the new rows): what a full load would read.
    """
    counts: dict[str, int] = {}
    header, companies = _read(data / "companies.csv")
    cut = len(companies) - max(1, int(len(companies) * share))
    new = {row[0] for row in companies[cut:]}
    status = header.index("status")
    step = max(1, int(1 / share) * 2)
    changed = [[*row] for row in companies[:cut:step]]
    for row in changed:
        row[status] = "注销" if row[status] != "注销" else "存续"
    _write(base / "companies.csv", header, companies[:cut])
    _write(delta / "companies.csv", header, companies[cut:] + changed)
    edited = {i * step: row for i, row in enumerate(changed)}
    _write(today / "companies.csv", header, [edited.get(i, row) for i, row in enumerate(companies)])
    counts["companies.csv"] = len(companies) - cut + len(changed)
    for name in _GRAPH_FILES:
        if name == "companies.csv" or not (data / name).is_file():
            continue
        header, rows = _read(data / name)
        cols = [header.index(c) for c in _ENDS.get(name, ()) if c in header]
        moved = [r for r in rows if any(r[c] in new for c in cols)]
        kept = [r for r in rows if not any(r[c] in new for c in cols)]
        current = rows
        if name == "officers.csv":  # a day's ended posts: the base's posts, now with an end date
            until = header.index("until")
            ended = {id(r): [*r] for r in kept[::step] if not r[until]}
            for r in ended.values():
                r[until] = "2026-12-01"
            moved += list(ended.values())
            current = [ended.get(id(r), r) for r in rows]
        if name == "persons.csv":  # people stay in the base (the delta's posts name them)
            kept, moved = rows, []
        _write(base / name, header, kept)
        _write(today / name, header, current)
        if moved:
            _write(delta / name, header, moved)
            counts[name] = len(moved)
    return counts


def _timed(args: list[str]) -> dict[str, float]:
    """Wall and CPU seconds of one child process (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def run(work: Path, companies: int, seed: int) -> dict[str, Any]:
    """Run the stage (see the module docstring)."""
    from loaders.generate import generate

    data = work / "data"
    if not (data / "companies.csv").is_file():
        generate(data, companies=companies, seed=seed)
    out: dict[str, Any] = {"companies": companies}
    out["delta_rows"] = split_delta(data, work / "base", work / "delta", work / "today")
    guanxi = [sys.executable, "-m", "guanxi"]
    for name in ("full.gx", "base.gx", "delta.gx"):
        (work / name).unlink(missing_ok=True)
    out["full"] = _timed([*guanxi, "load", str(work / "today"), "--store", str(work / "full.gx")])
    out["base"] = _timed([*guanxi, "load", str(work / "base"), "--store", str(work / "base.gx")])
    shutil.copyfile(work / "base.gx", work / "delta.gx")
    out["delta"] = _timed([*guanxi, "load", str(work / "delta"), "--store", str(work / "delta.gx")])
    out["delta_share_of_full_wall"] = round(out["delta"]["wall_s"] / out["full"]["wall_s"], 3)
    out["delta_share_of_full_cpu"] = round(out["delta"]["cpu_s"] / out["full"]["cpu_s"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.incremental WORK_DIR --companies N --seed S``."""
    parser = argparse.ArgumentParser(prog="python -m bench.incremental")
    parser.add_argument("work", type=Path)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.work, args.companies, args.seed), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
