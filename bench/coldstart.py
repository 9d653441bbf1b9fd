"""Cold start on a saved store file: whole processes, from start to answer, and the open alone.

    python -m bench.coldstart --store 1m.gx --prospect NAME [--connect-to NAME] [--runs 3] [--warm 200] [--write]

Each *cold* row is a new ``guanxi`` process timed from its start to its exit
by ``/usr/bin/time`` (wall, CPU, peak RSS): imports, opening the file and
the query all count. "Cold" means a new process; the file's pages may be in
the operating system's cache (as they are for a user who queried a minute
ago). *open* is ``open_store`` in a new process, with and without the
imports before it. *warm* is ``introductions`` for random prospects in one
process that already answered one. The load average is recorded before and
after, since the machine is shared. ``--write`` puts the table in
``docs/benchmarks.md`` between ``<!-- coldstart -->`` markers (added at the
end the first time). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- coldstart -->", "<!-- /coldstart -->"
TIME = "/usr/bin/time"

_OPEN = """
import sys, time, json
t0 = time.perf_counter()
from graph.open_store import open_store
from graph.settings import Settings
t1 = time.perf_counter()
store = open_store(Settings.from_env({"GUANXI_STORE": sys.argv[1]}))
t2 = time.perf_counter()
print(json.dumps({"with_imports": t2 - t0, "open": t2 - t1}))
"""

_WARM = """
import sys, time, json, random
import numpy as np
from graph.open_store import open_store
from graph.settings import Settings
from queries.introductions import introductions
store = open_store(Settings.from_env({"GUANXI_STORE": sys.argv[1]}))
fg = store._file
rng = random.Random(1)
companies = np.flatnonzero((fg.label_codes == fg.labels.index("Company")) & ~store.index().is_client)
picked = [store._ids[int(p)] for p in rng.sample(companies.tolist(), int(sys.argv[2]))]
introductions(store, picked[0])
times, cpu = [], []
for nid in picked:
    t, c = time.perf_counter(), time.process_time()
    introductions(store, nid)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
times.sort()
cpu.sort()
mid, p99 = len(times) // 2, int(0.99 * (len(times) - 1))
print(json.dumps({"median_ms": 1000 * times[mid], "p99_ms": 1000 * times[p99],
                  "cpu_median_ms": 1000 * cpu[mid], "cpu_p99_ms": 1000 * cpu[p99], "count": len(times)}))
"""


def _timed(argv: list[str]) -> dict[str, float]:
    """Run a command under /usr/bin/time: wall seconds, CPU seconds, peak RSS in MiB."""
    done = subprocess.run(
        [TIME, "-f", "%e %U %S %M", *argv], cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    wall, user, system, rss = done.stderr.strip().splitlines()[-1].split()
    return {"wall": float(wall), "cpu": float(user) + float(system), "rss_mib": int(rss) / 1024}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def measure(store: Path, prospect: str, connect_to: str | None, runs: int, warm: int) -> dict[str, Any]:
    """Every row of the table, each the median of ``runs`` new processes."""
    guanxi = [str(Path(sys.executable).with_name("guanxi"))]
    commands = {
        f"guanxi paths {prospect}": ["paths", prospect],
        f"guanxi owners {prospect}": ["owners", prospect],
        "guanxi circles": ["circles"],
        f"guanxi supply {prospect}": ["supply", prospect],
        f"guanxi controller {prospect}": ["controller", prospect],
        "guanxi parks": ["parks"],
        "guanxi stats": ["stats"],
    }
    if connect_to:
        commands[f"guanxi connect {prospect} {connect_to}"] = ["connect", prospect, connect_to]
    load_before = os.getloadavg()[0]
    cold = {
        name: _median([_timed([*guanxi, *argv, "--store", str(store)]) for _ in range(runs)])
        for name, argv in commands.items()
    }
    opens = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _OPEN, str(store)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        opens.append(json.loads(done.stdout.strip().splitlines()[-1]))
    warm_result: dict[str, Any] = {}
    if warm:
        done = subprocess.run(
            [sys.executable, "-c", _WARM, str(store), str(warm)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        warm_result = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "store": str(store),
        "store_mib": store.stat().st_size / 2**20,
        "cold": cold,
        "open": _median(opens),
        "warm": warm_result,
        "runs": runs,
        "load_average": [load_before, os.getloadavg()[0]],
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}",
    }


def section(result: dict[str, Any], command: str) -> str:
    """The Markdown section for docs/benchmarks.md."""
    load = result["load_average"]
    cores = os.cpu_count() or 1
    busy = max(load) >= cores  # a core's worth of other work waiting: wall times stretch
    how = (
        "a busy machine, so wall times stretch with the load; the CPU seconds much less"
        if busy
        else "a quiet machine, so wall and CPU seconds agree"
    )
    lines = [
        BEGIN,
        "## Cold start on a saved store file (issue 13)",
        "",
        f"Store file {result['store_mib']:,.0f} MiB. Measured {result['when']} on {result['machine']}, "
        f"load average {load[0]:.1f} before and {load[1]:.1f} after: {how}. Each *cold* row is a new process "
        f"from start to exit (imports, open, query, output), median of {result['runs']}; the file's pages may be in "
        f"the system's cache. `{command}`",
        "",
        "| what | kind | wall s | CPU s | peak RSS MiB | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    targets = {
        "paths": "≤ 1.5 s, ≤ 1 GB",
        "owners": "≤ 3 s",
        "circles": "≤ 3 s",
        "connect": "≤ 3 s",
        "supply": "≤ 3 s",
        "controller": "≤ 3 s",
        "parks": "≤ 3 s",
    }
    for name, row in result["cold"].items():
        target = next((t for k, t in targets.items() if name.split()[1] == k), "—")
        lines.append(f"| `{name}` | cold | {row['wall']:.2f} | {row['cpu']:.2f} | {row['rss_mib']:,.0f} | {target} |")
    opened = result["open"]
    lines.append(f"| open the store (`open_store`), imports included | cold | {opened['with_imports']:.2f} | | | — |")
    lines.append(f"| open the store, after the imports | cold | {opened['open']:.2f} | | | ≤ 1 s |")
    warm = result["warm"]
    if warm:
        cpu = f"{warm['cpu_median_ms'] / 1000:.4f} / {warm['cpu_p99_ms'] / 1000:.4f}" if "cpu_median_ms" in warm else ""
        lines.append(
            f"| `introductions`, {warm['count']} random prospects, median / p99 | warm | "
            f"{warm['median_ms'] / 1000:.4f} / {warm['p99_ms'] / 1000:.4f} | {cpu} | | median ≤ 3 ms, p99 ≤ 20 ms |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(doc: Path, text: str) -> None:
    """Replace the section between the markers (or add it at the end)."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    begin, end = old.find(BEGIN), old.find(END)
    new = old[:begin] + text + old[end + len(END) + 1 :] if 0 <= begin < end else old.rstrip("\n") + "\n\n" + text
    doc.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart")
    parser.add_argument("--store", type=Path, required=True, help="a store file saved by `guanxi load`")
    parser.add_argument("--prospect", required=True, help="a company name, USCC or id in that store")
    parser.add_argument("--connect-to", help="a second entity for the `connect` row")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm", type=int, default=200, help="prospects for the warm row (0: none)")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args(argv)
    result = measure(args.store, args.prospect, args.connect_to, args.runs, args.warm)
    if args.write:
        shown = ["python -m bench.coldstart", *(argv if argv is not None else sys.argv[1:])]
        write_section(ROOT / "docs" / "benchmarks.md", section(result, " ".join(shown)))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
