"""``guanxi export``: the graph, or the part around one company, as FollowTheMoney entities or BODS statements.

guanxi export graph.ftm.json --format ftm
guanxi export acme.bods.json --format bods --around 苏州恒芯 --hops 2

Loading either format back is ``guanxi load FILE`` (the loaders know both).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from graph.errors import InvalidParameter
from graph.store import GraphStore
from guanxi.cli import _open, _print_json, _store_options

Handler = Callable[[argparse.Namespace], int]

#: the most nodes ``--around`` exports (a hub's 2-hop neighbourhood can be the whole graph)
MAX_AROUND = 20_000


def around(store: GraphStore, start: str, hops: int, limit: int = MAX_AROUND) -> list[str]:
    """The node ids within ``hops`` ties of ``start`` (either direction), ``start`` first.

    InvalidParameter when there are more than ``limit``: export the whole graph instead.
    """
    if not 0 <= hops <= 4:
        raise InvalidParameter("hops", f"must be 0 to 4, got {hops}")
    seen = [start]
    known = {start}
    frontier = [start]
    for _ in range(hops):
        following: list[str] = []
        for edge in store.edges_of(frontier):
            for end in (edge.source, edge.target):
                if end not in known:
                    known.add(end)
                    seen.append(end)
                    following.append(end)
        if len(seen) > limit:
            raise InvalidParameter("hops", f"{hops} hops reach more than {limit:,} nodes; export the whole graph")
        frontier = following
    return seen


def cmd_export(args: argparse.Namespace) -> int:
    from loaders.bods import write_statements
    from loaders.ftm import write_entities
    from queries.resolve import resolve

    out: Path = args.out
    if not out.parent.is_dir():
        raise InvalidParameter("out", f"{out.parent} is not a folder")
    with _open(args) as store:
        ids = around(store, resolve(store, args.around).id, args.hops) if args.around else None
        if args.format == "ftm":
            count, lost = write_entities(store, out, ids)
        else:
            count, lost = write_statements(store, out, ids)
    unit = "entities" if args.format == "ftm" else "statements"
    if args.json:
        _print_json({"written": str(out), unit: count, "not_carried": lost})
        return 0
    print(f"wrote {count:,} {unit} to {out}")
    for what, n in sorted(lost.items()):
        print(f"  not carried ({args.format.upper()} has no place for it): {what} × {n:,}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export`` to the main parser."""
    p = subparsers.add_parser("export", help="write the graph (or part of it) as FollowTheMoney or BODS 0.4 JSON")
    p.add_argument("out", type=Path, help="the file to write (.json)")
    p.add_argument("--format", choices=("ftm", "bods"), required=True, help="ftm: FtM entities; bods: BODS 0.4")
    p.add_argument("--around", help="only this company or person and what is within --hops of it")
    p.add_argument("--hops", type=int, default=2)
    p.add_argument("--json", action="store_true")
    _store_options(p)


COMMANDS: dict[str, Handler] = {"export": cmd_export}
