"""``guanxi simulate-introductions`` and ``guanxi calibrate``: warmth learned from an introduction log.

guanxi simulate-introductions log.csv --prospects 2000 --seed 1
guanxi calibrate log.csv --out warmth.calibrated.yaml
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from graph.errors import LoadRejected
from guanxi.cli import _open, _print_json, _settings, _store_options, _table

Handler = Callable[[argparse.Namespace], int]


def cmd_simulate(args: argparse.Namespace) -> int:
    from queries.simulate_intros import simulate, write_log

    with _open(args) as store:
        sim = simulate(store, args.prospects, per_prospect=args.per_prospect, seed=args.seed)
    write_log(sim.attempts, args.out)
    met = sum(a.met for a in sim.attempts)
    if args.json:
        _print_json({"attempts": len(sim.attempts), "met": met, "written": str(args.out)})
    else:
        print(f"wrote {len(sim.attempts)} introduction attempts ({met} met) to {args.out}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from queries.calibrate import calibrate, write_calibrated
    from queries.intro_log import read_intro_log

    out: Path = args.out or args.log.with_name("warmth.calibrated.yaml")
    with _open(args) as store:
        log = read_intro_log(store, args.log)
        if log.rejects and args.strict:
            first = log.rejects[0].describe()
            raise LoadRejected(f"{len(log.rejects)} rows of {args.log.name} cannot be used, e.g. {first}")
        result = calibrate(store, log.attempts, prior=args.prior, holdout=args.holdout, seed=args.seed)
    written = write_calibrated(result, out, _settings(args).warmth_file)
    if args.json:
        _print_json({**result.to_dict(), "written": str(written), "rejects": [r.describe() for r in log.rejects]})
        return 0
    for r in log.rejects:
        print(f"rejected: {r.describe()}")
    rows = [
        [f.name, str(f.attempts), f"{f.old:.2f}", f"{f.fitted:.2f}", f"{f.low:.2f}–{f.high:.2f}"]
        for f in result.classes
    ]
    print(_table(rows, ["class", "attempts", "old", "fitted", "95% interval"]))
    print(
        f"held-out log-likelihood per attempt: old {result.loglik_old:.4f}, new {result.loglik_new:.4f} "
        f"({result.held_out} attempts); top introducer changes for {result.top_changed:.1%} of held-out prospects"
    )
    print(f"wrote {written} (the old warmth file is unchanged; use it with GUANXI_WARMTH={written})")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the two verbs to the main parser."""
    p = subparsers.add_parser("simulate-introductions", help="write a synthetic introduction log (for calibration)")
    p.add_argument("out", type=Path)
    p.add_argument("--prospects", type=int, default=2000)
    p.add_argument("--per-prospect", type=int, default=4, help="paths tried per prospect (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    _store_options(p)

    p = subparsers.add_parser("calibrate", help="fit the warmth strengths to an introduction log (引荐记录)")
    p.add_argument("log", type=Path, help="CSV or Excel: prospect, path, outcome (met/declined/no_answer)")
    p.add_argument("--out", type=Path, help="the new warmth file (default: warmth.calibrated.yaml beside the log)")
    p.add_argument("--prior", type=float, default=20.0, help="weight of the current file, in pseudo-outcomes")
    p.add_argument("--holdout", type=float, default=0.25, help="share of prospects held out for checking")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--strict", action="store_true", help="refuse a log with unusable rows")
    p.add_argument("--json", action="store_true")
    _store_options(p)


COMMANDS: dict[str, Handler] = {"simulate-introductions": cmd_simulate, "calibrate": cmd_calibrate}
