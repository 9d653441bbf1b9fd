"""The large fuzz run: hostile inputs through the real load pipeline, a table of category × outcome.

    python -m bench.fuzz --inputs 1500              # writes docs/fuzz.md
    python -m bench.fuzz --inputs 200 --out /tmp/f.md

Every hand-written case of :mod:`tests.fuzz.corpus` (the 10 MB cells
included), then random tables (half from :func:`tests.fuzz.corpus.random_case`,
half drawn by the Hypothesis strategy :func:`tests.fuzz.strategies.hostile_tables`)
until ``--inputs`` is reached; each is loaded plain and strict into an
embedded store and judged by :mod:`tests.fuzz.oracle`. A few hand-written
cases also go through the ``guanxi load`` command. Exit status 1 when any
input has a bad outcome.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

from tests.fuzz.corpus import Case, hand_written, random_case
from tests.fuzz.oracle import BAD, GOOD, Result, base_store, run_case
from tests.fuzz.strategies import hostile_tables

ROOT = Path(__file__).resolve().parent.parent
#: hand-written cases also run through ``guanxi load`` (name, strict, expected exit status)
CLI_CASES = (
    ("stray-quote-joins-lines", False, 0),
    ("stray-quote-joins-lines", True, 2),
    ("euc-kr", False, 2),
    ("utf-8-one-bad-byte", False, 0),
    ("1e400", True, 2),
    ("truncated", False, 2),
)


def drawn(count: int, start: int) -> list[Case]:
    """``count`` tables drawn by the Hypothesis strategy (reproducible from ``start``)."""
    cases: list[Case] = []

    @seed(start)
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile_tables())
    def collect(case: Case) -> None:
        cases.append(case)

    while len(cases) < count:
        before = len(cases)
        collect()
        if len(cases) == before:
            break
    return cases[:count]


def run_cli(case: Case, strict: bool, code: int, workdir: Path, base: Path) -> Result:
    """Load a case with ``guanxi load``: no traceback, the expected exit status, the store file unchanged on failure."""
    folder = workdir / f"cli-{case.name}-{strict}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    store = folder / "graph.gx"
    store.write_bytes(base.read_bytes())
    env = {**os.environ, "GUANXI_BACKEND": "embedded", "PYTHONPATH": str(ROOT)}
    env.pop("NEO4J_URI", None)
    args = [sys.executable, "-m", "guanxi", "load", str(folder), "--store", str(store), *(["--strict"] * strict)]
    name = f"{case.name}{' --strict' if strict else ''}"
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return Result("cli", name, "hang", "guanxi load ran past 120 s")
    if "Traceback" in done.stderr:
        return Result("cli", name, "traceback", done.stderr.strip().splitlines()[-1][:200])
    if done.returncode != code:
        return Result("cli", name, "unexpected", f"exit {done.returncode}, expected {code}")
    if code:
        if store.read_bytes() != base.read_bytes():
            return Result("cli", name, "store-changed", "store file differs after a failed load")
        errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        return Result("cli", name, "refused" if len(errors) == 1 else "unclear", "")
    return Result("cli", name, "rejected" if "rejected" in done.stdout else "accepted", "")


def table(results: list[Result]) -> str:
    """Markdown table: one row per category, one column per outcome, totals last."""
    outcomes = [*GOOD, *BAD]
    counts: dict[str, Counter[str]] = {}
    for r in results:
        counts.setdefault(r.category, Counter())[r.outcome] += 1
    lines = ["| category | inputs | " + " | ".join(outcomes) + " |", "|---|" + "---:|" * (len(outcomes) + 1)]
    total: Counter[str] = Counter()
    for category, counter in counts.items():
        total.update(counter)
        cells = " | ".join(str(counter.get(o, 0)) for o in outcomes)
        lines.append(f"| {category} | {sum(counter.values())} | {cells} |")
    cells = " | ".join(f"**{total.get(o, 0)}**" for o in outcomes)
    lines.append(f"| **all** | **{sum(total.values())}** | {cells} |")
    return "\n".join(lines)


def report(results: list[Result], args: argparse.Namespace, seconds: float) -> str:
    """The whole docs/fuzz.md text."""
    bad = [r for r in results if r.outcome in BAD]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = [
        "# Fuzzing the loaders",
        "",
        f"`python -m bench.fuzz --inputs {args.inputs} --seed {args.seed}` on {when}, "
        f"{platform.python_version()} on {os.cpu_count()} cores: {len(results):,} inputs in {seconds:.0f} s "
        f"(per-input timeout {args.timeout:g} s).",
        "",
        "Each input is loaded plain and with `--strict` into an embedded store through the real pipeline "
        "(`loaders.pipeline.load_files`), and some through `guanxi load` (category `cli`). Outcomes: "
        "**accepted** (loaded exactly as expected), **rejected** (the bad rows rejected, each with file, row and "
        "column or line; the strict load refused), **refused** (one line naming the file); the bad ones: "
        "**traceback**, **hang**, **accepted-wrongly** (a value stored that must not be), **unclear** (an error "
        "or reject not one line naming where), **store-changed** (the store, saved again after a failed or strict "
        "load, not byte-identical to its file) and **unexpected** (another outcome than the case expects). "
        "Categories: [`tests/fuzz/corpus.py`](../tests/fuzz/corpus.py) (hand-written, `random`) and "
        "[`tests/fuzz/strategies.py`](../tests/fuzz/strategies.py) (`random-companies`, `random-persons`, "
        "drawn by Hypothesis). CI runs the same judge on the hand-written cases under 1 MB and 25 drawn tables "
        "(`tests/fuzz/test_fuzz.py`).",
        "",
        table(results),
        "",
    ]
    if bad:
        text += ["## Bad outcomes", ""] + [f"- {r.category} / {r.name}: **{r.outcome}** {r.detail}" for r in bad]
    else:
        text.append("No input had a bad outcome.")
    return "\n".join(text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1500, help="how many inputs in all (default 1500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input before it counts as a hang")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "fuzz.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cases = hand_written()
    rest = max(args.inputs - len(cases) - len(CLI_CASES), 0)
    cases += [random_case(args.seed * 1_000_003 + i) for i in range(rest // 2)]
    cases += drawn(rest - rest // 2, args.seed)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="guanxi-fuzz-") as tmp:
        workdir = Path(tmp)
        base = workdir / "base.gx"
        base_store(base)
        for i, case in enumerate(cases, start=1):
            results.append(run_case(case, workdir / str(i), base, timeout=args.timeout))
            if i % 100 == 0:
                print(f"{i:,} of {len(cases):,} inputs", file=sys.stderr)
        by_name = {c.name: c for c in hand_written()}
        for name, strict, code in CLI_CASES:
            results.append(run_cli(by_name[name], strict, code, workdir, base))
    args.out.write_text(report(results, args, time.perf_counter() - started), encoding="utf-8")
    bad = sum(r.outcome in BAD for r in results)
    print(f"{len(results):,} inputs, {bad} bad outcomes; wrote {args.out}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
