"""``guanxi doctor``: the health of a Neo4j store's indexes, and their repair.

guanxi doctor                 # every guanxi index and constraint with its state, and the values too large for one
guanxi doctor --repair        # drop and recreate the FAILED ones (after the listed nodes are fixed or removed),
                              # and clean what loads left (a dead load's unpublished rows, old values kept)
guanxi doctor --json

A Neo4j index fails for good when one value is larger than it can hold (a
range index entry holds at most 8,167 bytes); the store still opens and
searches work without it, more slowly. The embedded store has no server
indexes: the doctor checks its file whole (every section's checksum and
value), which opening a large file leaves out to open in a second.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from guanxi.cli import _open, _print_json, _store_options, _table

Handler = Callable[[argparse.Namespace], int]


def cmd_doctor(args: argparse.Namespace) -> int:
    """Report (and with ``--repair`` recreate) guanxi's indexes; exit 1 while one is not ONLINE."""
    from graph.errors import StoreError
    from graph.neo4j_store import Neo4jStore

    with _open(args) as store:
        if not isinstance(store, Neo4jStore):
            from graph.embedded import EmbeddedStore

            if isinstance(store, EmbeddedStore):
                store.verify()  # every checksum and value: a large file's open checks only what queries use
            message = "the embedded store's file is whole: every section's checksum and value checked"
            if args.json:
                _print_json({"backend": store.backend, "indexes": [], "oversize": [], "message": message})
            else:
                print(message)
            return 0
        repaired: list[str] = []
        loads = ""
        if args.repair:
            before = {s.name for s in store.index_states() if s.state == "FAILED"}
            still = {s.name for s in store.repair_indexes()}
            repaired = sorted(before - still)
            try:
                store.tidy()
                loads = "cleaned what earlier loads left behind"
            except StoreError as exc:  # a load is running: it is not touched
                loads = str(exc)
        states = store.index_states()
        oversize = store.oversize_values()
    bad = [s for s in states if s.state != "ONLINE"]
    if args.json:
        data: dict[str, Any] = {
            "backend": "neo4j",
            "indexes": [{"name": s.name, "kind": s.kind, "state": s.state, "cause": s.cause} for s in states],
            "oversize": [{"id": v.id, "property": v.prop, "bytes": v.size, "limit": v.limit} for v in oversize],
            "repaired": repaired,
            "loads": loads,
        }
        _print_json(data)
        return 1 if bad else 0
    print(_table([[s.name, s.kind, s.state, s.cause] for s in states], ["index", "kind", "state", "cause"]))
    if oversize:
        print(f"\n{len(oversize)} values too large for their index (fix or remove these nodes):")
        rows = [[v.id, v.prop, str(v.size), str(v.limit)] for v in oversize]
        print(_table(rows, ["node", "property", "bytes", "limit"]))
    for name in repaired:
        print(f"repaired: {name} is ONLINE again")
    if loads:
        print(loads)
    if bad:
        step = "fix or remove the nodes above, then run" if oversize else "run"
        print(f"\n{len(bad)} not ONLINE: {step} `guanxi doctor --repair`")
        return 1
    print("\nall guanxi indexes and constraints are ONLINE")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``guanxi doctor`` to the main parser."""
    p = subparsers.add_parser("doctor", help="check (and --repair) the Neo4j store's indexes")
    p.add_argument("--repair", action="store_true", help="drop and recreate the FAILED indexes and constraints")
    p.add_argument("--json", action="store_true")
    _store_options(p)


COMMANDS: dict[str, Handler] = {"doctor": cmd_doctor}
