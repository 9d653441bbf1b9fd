"""Run the benchmarks and write ``docs/benchmarks.md``.

    python -m bench                       # 10k and 100k companies
    python -m bench --sizes 10000,100000,1000000
    python -m bench --sizes 2000 --out /tmp/b.md   # a quick smoke run
    python -m bench --sizes "" --startup           # only the explorer's start-up, into docs/benchmarks.md

Each stage runs in its own process (see :mod:`bench.stages`) so that peak
memory is measured per stage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
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


def measure(
    size: int,
    prospects: int,
    seed: int,
    work: Path,
    contenders: bool,
    neo4j_max: int,
    analysis: bool = False,
    neo4j_import_max: int = 0,
) -> dict[str, Any]:
    files = work / f"c{size}"
    graph_file = work / f"c{size}.gx"
    print(f"[bench] {size:,} companies: generate", file=sys.stderr, flush=True)
    gen = run_stage("generate", str(files), "--companies", str(size), "--seed", str(seed))
    print(f"[bench] {size:,} companies: load", file=sys.stderr, flush=True)
    load = run_stage("load", str(files), str(graph_file))
    print(f"[bench] {size:,} companies: introductions x{prospects}", file=sys.stderr, flush=True)
    query = run_stage("query", str(graph_file), "--prospects", str(prospects), "--seed", str(seed))
    result: dict[str, Any] = {"size": size, "generate": gen, "load": load, "query": query}
    if contenders:
        print(f"[bench] {size:,} companies: contenders", file=sys.stderr, flush=True)
        result["contenders"] = run_stage(
            "contenders", str(graph_file), "--prospects", str(prospects), "--seed", str(seed)
        )
    if analysis:
        print(f"[bench] {size:,} companies: batch reach, owners, circles", file=sys.stderr, flush=True)
        batches = ",".join(str(b) for b in (1000, 10000) if b <= size) or str(max(1, size // 10))
        result["analysis"] = run_stage("analysis", str(graph_file), "--batches", batches, "--seed", str(seed))
    both = size <= neo4j_max and size <= neo4j_import_max
    for key, via, limit in (("neo4j", "cypher", neo4j_max), ("neo4j_import", "import", neo4j_import_max)):
        if size <= limit:
            print(f"[bench] {size:,} companies: Neo4j, loaded by {via}", file=sys.stderr, flush=True)
            asked = 0 if both and via == "cypher" else min(prospects, 100)  # queries timed once per size
            result[key] = run_stage(
                "neo4j",
                str(files),
                str(graph_file),
                "--prospects",
                str(asked),
                "--seed",
                str(seed),
                "--via",
                via,
            )
    return result


#: the start-up section's bounds in docs/benchmarks.md, so that ``--sizes "" --startup`` replaces just it
STARTUP_BEGIN = "<!-- startup -->"
STARTUP_END = "<!-- /startup -->"


def run_startup(work: Path, companies: int, direct: bool = False) -> dict[str, Any]:
    """The explorer's start-up (:mod:`bench.startup`) in a fresh process."""
    args = ["--companies", str(companies), "--work", str(work / "startup")] + (["--direct"] if direct else [])
    proc = subprocess.run(
        [sys.executable, "-m", "bench.startup", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench start-up failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def startup_markdown(s: dict[str, Any], command: str) -> str:
    """The start-up section: one row, with what the page must not show or fetch."""
    outside = s["outside_requests"]
    return "\n".join(
        [
            STARTUP_BEGIN,
            "## Explorer start-up (second launch)",
            "",
            f"`{s['command']}` with the virtual environment installed and the demo graph cached (the launch a user",
            "makes every day; the first one also installs and builds the demo). Timed from starting the",
            "command: the server answering `/_stcore/health`; the 谁能引荐 page's text in headless Chromium",
            "(its script has run); its path graph drawn. Target: a usable first page in ≤ 5 s.",
            f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on {machine()}; `{command}`.",
            "",
            "*server CPU s*: CPU time the Streamlit process used up to health / up to the first page (on a",
            "busy machine the wall-clock figures stretch with the load average shown, the CPU time much less).",
            "",
            "| demo companies | health s | first page s | graph drawn s | server CPU s | load average "
            "| requests off the machine | Deploy button | developer menu | favicon |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {s['companies']:,} | {s['health_seconds']:.1f} | {s['first_page_seconds']:.1f} "
            f"| {s['graph_seconds']:.1f} | {s['health_cpu_seconds']:.1f} / {s['first_page_cpu_seconds']:.1f} "
            f"| {s['load_average']:.1f} "
            f"| {len(outside)}{' (' + ', '.join(outside[:3]) + ')' if outside else ''} "
            f"| {'shown' if s['deploy_button'] else 'hidden'} | {'shown' if s['developer_menu'] else 'hidden'} "
            f"| {'local' if s['favicon_local'] else 'remote'} |",
            STARTUP_END,
            "",
        ]
    )


def with_startup(text: str, section: str) -> str:
    """``text`` (a benchmark report) with its start-up section replaced by ``section``, or it added."""
    begin, end = text.find(STARTUP_BEGIN), text.find(STARTUP_END)
    if begin >= 0 and end > begin:
        return text[:begin] + section.rstrip("\n") + text[end + len(STARTUP_END) :]
    return text.rstrip("\n") + "\n\n" + section


def fair_cell(n: dict[str, Any]) -> str:
    """The nearest-client reference's cells (runs before it was timed have none)."""
    if "fair" not in n:
        return "– | –"
    return f"{n['fair']['median_ms']:.1f} / {n['fair']['p99_ms']:.1f} | {n['fair_ratio_median']:.2f}"


def neo4j_run(r: dict[str, Any]) -> dict[str, Any] | None:
    """The Neo4j run whose queries a size's row shows: after the import if there was one (any load
    gives the same graph, and the import reaches the larger sizes)."""
    run: dict[str, Any] | None = r.get("neo4j_import") or r.get("neo4j")
    return run


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
        "| companies | nodes | relationships | generate s | generate peak MB | load s (read+validate) "
        "| write s (file, index, bounds) | load peak MB | imports + reopen s | first query s | median ms | p99 ms "
        "| max ms | reached |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        g, ld, q = r["generate"], r["load"], r["query"]
        reopen = f"{q.get('imports_seconds', 0.0):.1f} + {q['open_seconds']:.1f}"
        lines.append(
            f"| {r['size']:,} | {ld['nodes']:,} | {ld['relationships']:,} | {g['seconds']:.1f} | {g['peak_mb']:,.0f} "
            f"| {ld['load_seconds']:.1f} | {ld['index_seconds']:.1f} | {ld['peak_mb']:,.0f} | {reopen} "
            f"| {q['first_query_seconds']:.2f} | {q['median_ms']:.1f} | {q['p99_ms']:.1f} | {q['max_ms']:.1f} "
            f"| {q['reached']}/{q['prospects']} |"
        )
    lines += [
        "",
        "- The load is what `guanxi load FILES --store FILE` does, in one process (`bench.stages load`): *load s*",
        "  reads and validates every file, *write s* writes the store file from the validated columns (search",
        "  index and the default filter's bounds included; no NetworkX graph is built); *load peak MB* is the",
        "  peak resident memory of that process.",
        "- *imports + reopen s*: a new process importing guanxi's store and query modules, then opening the",
        "  store file (checked, the NetworkX graph rebuilt from its columns, the saved search index used as is).",
        "- *first query s*: the default filter's search bounds are saved with the store, so only another filter",
        "  computes them (one multi-source Dijkstra from all clients, cached per filter); the latency columns are",
        "  the following queries over random non-client prospects",
        "  (top 5, up to 4 hops, all kinds, explanation sentences included).",
        "- *reached*: prospects with at least one introduction path.",
        "",
    ]
    with_contenders = [r for r in results if "contenders" in r]
    if with_contenders:
        from bench.contenders import section as contender_section

        shown = [{"companies": r["size"], "contenders": r["contenders"]} for r in with_contenders]
        lines += [contender_section(shown, "python -m bench --contenders"), ""]
    with_analysis = [r for r in results if "analysis" in r]
    if with_analysis:
        lines += [
            "## Batch reach, ultimate owners, actual controller, guarantee circles (embedded)",
            "",
            "Batch reach: top 5 paths for each of N random non-client prospects (targets at 1M companies:",
            "10,000 prospects < 120 s; owners and circles < 1 s per company). Per-company figures over 200 random",
            "companies.",
            "",
            "| companies | batch 1,000 s | batch 10,000 s | ultimate_owners median / p99 / max ms "
            "| actual_controller median / p99 / max ms | circles_of median / p99 / max ms |",
            "|---|---|---|---|---|---|",
        ]
        for r in with_analysis:
            a = r["analysis"]
            by = {b["prospects"]: b["seconds"] for b in a["batch"]}

            def cell(d: dict[str, float]) -> str:
                return f"{d['median_ms']:.1f} / {d['p99_ms']:.1f} / {d['max_ms']:.1f}"

            lines.append(
                f"| {r['size']:,} | {by.get(1000, float('nan')):.1f} | {by.get(10000, float('nan')):.1f} "
                f"| {cell(a['ultimate_owners'])} | {cell(a['actual_controller'])} | {cell(a['circles_of'])} |"
            )
        lines.append("")
    with_neo4j = [r for r in results if neo4j_run(r) is not None]
    if with_neo4j:
        lines += [
            "## Neo4j: load rate, and `introductions` side by side with the embedded store",
            "",
            "A fresh Neo4j Community 5.26 test server (heap 4 GB, page cache 2 GB) on the same machine, loaded",
            "from the same files in one of two ways. *cypher*: `guanxi load` (read, validate, batched",
            "`UNWIND ... MERGE` in transactions of ≤ 10,000 rows, indexes filled at the end), idempotent, into",
            "any server, Aura included. *import*: `guanxi export-neo4j` (read, validate, write the import",
            "files), Neo4j's own `neo4j-admin database import full` on them, then guanxi's first connection,",
            "which makes the constraints and indexes; for the first load of a database. The seconds run from",
            "the raw files to a database that answers with its indexes online; the restart between import and",
            "connection (the operator's `neo4j start`) is shown apart and not counted.",
            "",
            "*rels/s in Neo4j*: relationships over the seconds spent in Neo4j itself (neo4j-admin and the",
            "schema), leaving out reading and validating the files, which any load does.",
            "",
            "| companies | load by | relationships | load s | rels/s | export s | neo4j-admin s (importer's own) "
            "| schema s | rels/s in Neo4j | restart s (not counted) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in with_neo4j:
            for key, via in (("neo4j", "cypher"), ("neo4j_import", "import")):
                if key not in r:
                    continue
                n = r[key]
                parts = n.get("load_parts", {})

                def part(name: str, parts: dict[str, float] = parts) -> str:
                    return f"{parts[name]:.1f}" if name in parts else "–"

                admin = f"{part('admin_import')} ({part('importer_own')})" if "admin_import" in parts else "–"
                inside = (
                    f"{n['relationships'] / (parts['admin_import'] + parts['schema']):,.0f}"
                    if "admin_import" in parts
                    else "–"
                )
                lines.append(
                    f"| {r['size']:,} | {via} | {n['relationships']:,} | {n['load_seconds']:.1f} "
                    f"| {n['rels_per_second']:,.0f} | {part('export')} | {admin} | {part('schema')} | {inside} "
                    f"| {part('server_start')} |"
                )
        lines += [
            "",
            "*SHORTEST* is Neo4j's own plain `SHORTEST 1` path from the prospect to any client (unweighted,",
            "≤ 4 hops): the reference a Cypher user would write by hand. *same answers*: prospects whose ranked",
            "paths on Neo4j equal the embedded store's exactly. A SHORTEST query still running after 10 s is",
            "stopped by the server and counted at 10 s (*timeouts*). *nearest client* is the fair form of it:",
            "the same `SHORTEST 1` with `ORDER BY hops LIMIT 1` (one row, the nearest client; plain SHORTEST",
            "returns one path per reachable client); *ratio ours/nearest* is the median of the per-prospect ratios.",
            "",
            "| companies | Neo4j median ms | Neo4j p99 ms | embedded median ms "
            "| embedded p99 ms | SHORTEST median ms | SHORTEST p99 ms | ratio ours/SHORTEST "
            "| nearest client median / p99 ms | ratio ours/nearest | same answers | timeouts |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in with_neo4j:
            n = neo4j_run(r) or {}
            lines.append(
                f"| {r['size']:,} | {n['neo4j']['median_ms']:.1f} | {n['neo4j']['p99_ms']:.1f} "
                f"| {n['embedded']['median_ms']:.1f} "
                f"| {n['embedded']['p99_ms']:.1f} | {n['shortest']['median_ms']:.1f} | {n['shortest']['p99_ms']:.1f} "
                f"| {n['ratio_median']:.2f} | {fair_cell(n)} | {n['same_answers']}/{n['prospects']} "
                f"| {n.get('shortest_timeouts', 0)} |"
            )
        lines += [
            "",
            "The analyst and risk queries on Neo4j. Each is written once on the store interface, which walks",
            "the graph a level (one batched read) at a time; where Neo4j can answer a step in one query",
            "(*native*: the ownership tree, the guarantee circle's two reaches) both ways are timed on the",
            "same 50 companies after a warm-up, and the store uses the faster (`Neo4jStore.native_steps`).",
            "Times are median / p99 / max ms.",
            "",
            "| companies | batch reach s per prospect (matched) | ultimate_owners native | ultimate_owners walk "
            "| circles_of native | circles_of walk |",
            "|---|---|---|---|---|---|",
        ]
        for r in with_neo4j:
            a = (neo4j_run(r) or {}).get("analysis", {})
            if not a:
                continue

            def cell4(d: dict[str, float] | None) -> str:
                return f"{d['median_ms']:.1f} / {d['p99_ms']:.1f} / {d['max_ms']:.1f}" if d else "–"

            matched = f"{a.get('batch_matched', '?')}/{a.get('batch_prospects', '?')}"
            lines.append(
                f"| {r['size']:,} | {a['batch_seconds_per_prospect']:.3f} ({matched}) "
                f"| {cell4(a.get('ultimate_owners_native'))} "
                f"| {cell4(a.get('ultimate_owners_walk'))} | {cell4(a.get('circles_of_native'))} "
                f"| {cell4(a.get('circles_of_walk'))} |"
            )
        lines.append("")
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], out: Path) -> Path | None:
    """Latency against graph size for each contender (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, list[tuple[int, float]]] = {}
    for r in results:
        series.setdefault("guanxi embedded", []).append((r["size"], r["query"]["median_ms"]))
        for entry in r.get("contenders", {}).get("contenders", []):
            if "median_ms" in entry and "guanxi" not in entry["name"]:
                series.setdefault(entry["name"], []).append((r["size"], entry["median_ms"]))
        n = neo4j_run(r)
        if n is not None:
            series.setdefault("guanxi on Neo4j", []).append((r["size"], n["neo4j"]["median_ms"]))
            series.setdefault("Neo4j plain SHORTEST", []).append((r["size"], n["shortest"]["median_ms"]))
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in series.items():
        xs, ys = zip(*sorted(points), strict=True)
        ax.plot(xs, ys, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("companies")
    ax.set_ylabel("median latency per prospect (ms)")
    ax.set_title("introductions: latency against graph size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sizes", default="10000,100000", help="company counts, comma-separated")
    parser.add_argument("--prospects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--work", type=Path, help="where generated files go (default: a temporary folder)")
    parser.add_argument("--contenders", action="store_true", help="also time igraph and NetworkX on the same prospects")
    parser.add_argument("--analysis", action="store_true", help="also time batch reach, owners and circles")
    parser.add_argument(
        "--neo4j-max", type=int, default=0, help="also load into a Neo4j test server by Cypher for sizes up to this"
    )
    parser.add_argument(
        "--neo4j-import-max",
        type=int,
        default=0,
        help="also load into a Neo4j test server by neo4j-admin import for sizes up to this",
    )
    parser.add_argument(
        "--startup", action="store_true", help="also time the explorer's second launch to its first page (Chromium)"
    )
    parser.add_argument("--startup-companies", type=int, default=3000, help="demo graph size for --startup")
    parser.add_argument(
        "--startup-direct", action="store_true", help="time `streamlit run app.py` instead of scripts/explore.sh"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="guanxi-bench-") as tmp:
        work = args.work or Path(tmp)
        startup = None
        if args.startup:
            print("[bench] explorer start-up", file=sys.stderr, flush=True)
            startup = startup_markdown(run_startup(work, args.startup_companies, args.startup_direct), command.strip())
        if not sizes:  # the start-up alone: into the existing report, the rest of it kept
            if startup is None:
                parser.error("nothing to measure: give --sizes or --startup")
            old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmarks\n"
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(with_startup(old, startup), encoding="utf-8")
            print(startup)
            return 0
        results = [
            measure(
                size,
                args.prospects,
                args.seed,
                work,
                args.contenders,
                args.neo4j_max,
                args.analysis,
                args.neo4j_import_max,
            )
            for size in sizes
        ]
    text = markdown(results, command.strip())
    if startup is not None:
        text = with_startup(text, startup)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    picture = plot(results, args.out.with_suffix(".png"))
    if picture is not None:
        text += f"\n![latency against graph size]({picture.name})\n"
    notes = Path(__file__).with_name("notes.md")
    if args.out == ROOT / "docs" / "benchmarks.md" and notes.exists():
        text += notes.read_text(encoding="utf-8")  # the reading of the last full run, kept by hand
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
