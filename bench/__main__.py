"""Run the benchmarks and write ``docs/benchmarks.md``.

    python -m bench                       # 10k and 100k companies
    python -m bench --sizes 10000,100000,1000000
    python -m bench --sizes 2000 --out /tmp/b.md   # a quick smoke run

Each stage runs in its own process (see :mod:`bench.stages`) so that peak
memory is measured per stage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_stage(*args: str) -> dict[str, Any]:
    """Run one stage in a fresh Python process and return its JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.stages", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench stage {args[0]} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    """A one-line description of the machine."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        mem = "?"
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, Python {platform.python_version()}, {platform.system()}"


def commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or "unknown"


def measure(size: int, prospects: int, seed: int, work: Path) -> dict[str, Any]:
    files = work / f"c{size}"
    graph_file = work / f"c{size}.gx"
    print(f"[bench] {size:,} companies: generate", file=sys.stderr, flush=True)
    gen = run_stage("generate", str(files), "--companies", str(size), "--seed", str(seed))
    print(f"[bench] {size:,} companies: load", file=sys.stderr, flush=True)
    load = run_stage("load", str(files), str(graph_file))
    print(f"[bench] {size:,} companies: introductions x{prospects}", file=sys.stderr, flush=True)
    query = run_stage("query", str(graph_file), "--prospects", str(prospects), "--seed", str(seed))
    return {"size": size, "generate": gen, "load": load, "query": query}


def markdown(results: list[dict[str, Any]], command: str) -> str:
    """The benchmark report."""
    lines = [
        "# Benchmarks",
        "",
        f"- machine: {machine()}",
        f"- commit: `{commit()}`, run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `{command}`",
        "",
        "## Embedded store: generation, load and `introductions`",
        "",
        "Targets at 1M companies: load < 120 s and < 8 GB; introductions median < 20 ms, p99 < 200 ms.",
        "",
        "| companies | nodes | relationships | generate s | generate peak MB | load s (read+validate+build) "
        "| index s | load peak MB | reopen s | first query s | median ms | p99 ms | max ms | reached |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        g, ld, q = r["generate"], r["load"], r["query"]
        lines.append(
            f"| {r['size']:,} | {ld['nodes']:,} | {ld['relationships']:,} | {g['seconds']:.1f} | {g['peak_mb']:,.0f} "
            f"| {ld['load_seconds']:.1f} | {ld['index_seconds']:.1f} | {ld['peak_mb']:,.0f} | {q['open_seconds']:.1f} "
            f"| {q['first_query_seconds']:.2f} | {q['median_ms']:.1f} | {q['p99_ms']:.1f} | {q['max_ms']:.1f} "
            f"| {q['reached']}/{q['prospects']} |"
        )
    lines += [
        "",
        "- *load s* is reading, validating and writing every CSV into the NetworkX graph; *index s* builds the numpy",
        "  search index from it; *load peak MB* is the peak resident memory of that process.",
        "- *first query s* includes computing the search bounds (one multi-source Dijkstra from all clients,",
        "  cached per filter); the latency columns are the following queries over random non-client prospects",
        "  (top 5, up to 4 hops, all kinds, explanation sentences included).",
        "- *reached*: prospects with at least one introduction path.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sizes", default="10000,100000", help="company counts, comma-separated")
    parser.add_argument("--prospects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--work", type=Path, help="where generated files go (default: a temporary folder)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    command = "python -m bench " + " ".join(a for a in (argv if argv is not None else sys.argv[1:]))
    with tempfile.TemporaryDirectory(prefix="guanxi-bench-") as tmp:
        work = args.work or Path(tmp)
        results = [measure(size, args.prospects, args.seed, work) for size in sizes]
    text = markdown(results, command.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
