"""The ``guanxi`` command line.

    guanxi generate --companies 10000 --seed 1 data/
    guanxi load data/ --store graph.gx
    guanxi paths 西安迈臻 --store graph.gx
    guanxi connect 张盛婷 如皋亚科计算机 --store graph.gx --json

Every error guanxi raises on purpose is printed as one line (``error: ...``)
with exit code 2; ``--json`` prints machine-readable results.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from graph.errors import GuanxiError, InvalidParameter, LoadRefused
from graph.settings import Settings, redact_credentials
from graph.store import GraphStore
from loaders.terminal import visible_controls
from queries.format import Lang
from queries.messages import note_dict, render
from queries.paths import PathAnswer, PathOptions


def _store_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("store (default: environment variables, see README)")
    g.add_argument("--store", type=Path, help="embedded graph file (GUANXI_STORE; default ~/.guanxi/graph.gx)")
    g.add_argument("--backend", choices=["embedded", "neo4j"], help="GUANXI_BACKEND")
    g.add_argument("--neo4j-uri", help="NEO4J_URI, e.g. bolt://localhost:7687 or neo4j+s://xxxx.databases.neo4j.io")
    g.add_argument("--neo4j-user", help="NEO4J_USER (default neo4j)")
    g.add_argument("--neo4j-password", help="NEO4J_PASSWORD")
    g.add_argument("--neo4j-database", help="NEO4J_DATABASE (default neo4j)")
    g.add_argument("--warmth", type=Path, help="a warmth file replacing graph/warmth.yaml (GUANXI_WARMTH)")


def _path_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", type=int, help="how many paths (default 5)")
    p.add_argument("--max-hops", type=int, help="longest path (default 4)")
    p.add_argument("--kinds", help="relationship kinds, comma-separated: equity,officer,supply,guarantee,park")
    p.add_argument("--min-warmth", type=float, help="drop paths colder than this (0..1)")
    p.add_argument("--include-closed", action="store_true", help="allow 注销/吊销 companies inside paths")
    p.add_argument("--include-blacklisted", action="store_true", help="allow black-listed entities inside paths")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the sentences")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _introduction_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--distinct",
        choices=["introducer", "first_contact", "none"],
        default="introducer",
        help="one path per introducing client (default), per first contact, or every path",
    )
    p.add_argument(
        "--include-state-holders",
        action="store_true",
        help="allow state-assets commissions and other holders that connect nobody inside paths",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="guanxi", description="关系 guanxi: warm introduction paths for banks")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write realistic synthetic CSV files")
    gen.add_argument("out_dir", type=Path)
    gen.add_argument("--companies", type=int, default=10_000)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--headers", choices=["en", "zh"], default="en", help="English or Chinese column headers")
    gen.add_argument("--encoding", default="utf-8", help="utf-8 (default), utf-8-sig, gb18030, gbk")
    gen.add_argument("--no-ops", action="store_true", help="skip the operational files (events, tags, chains ...)")

    load = sub.add_parser("load", help="load CSV/Excel files (or a folder of them) into the store")
    load.add_argument("files", nargs="*", type=Path, help="files or folders (none with --reweight alone)")
    load.add_argument("--strict", action="store_true", help="refuse the whole load if any row is rejected")
    load.add_argument(
        "--keep-zeros", action="store_true", help="store zero amounts as 0 (by default a zero amount means unknown)"
    )
    load.add_argument("--rejects", type=Path, help="write rejected rows to this CSV (default: next to the store)")
    load.add_argument(
        "--replace",
        action="store_true",
        help="replace the whole graph by these files; checked first, the old graph stays if anything fails",
    )
    load.add_argument(
        "--reweight",
        action="store_true",
        help="a shared Neo4j graph: rewrite every stored strength with this warmth file (GUANXI_WARMTH) first",
    )
    load.add_argument("--json", action="store_true")
    load.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report and the rejects file")
    _store_options(load)

    exp = sub.add_parser(
        "export-neo4j",
        help="validate files and write them for neo4j-admin database import (fast first load of a big graph)",
    )
    exp.add_argument("files", nargs="+", type=Path)
    exp.add_argument("--out", type=Path, required=True, help="folder for the import files")
    exp.add_argument("--database", default="neo4j", help="database the printed command imports into")
    exp.add_argument("--server-folder", help="where the Neo4j server sees --out (e.g. /import in a container)")
    exp.add_argument("--strict", action="store_true", help="refuse the whole export if any row is rejected")
    exp.add_argument("--rejects", type=Path, help="write rejected rows to this CSV (default: in --out)")
    exp.add_argument("--warmth", type=Path, help="a warmth file replacing graph/warmth.yaml (GUANXI_WARMTH)")
    exp.add_argument("--json", action="store_true")
    exp.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report and the rejects file")

    paths = sub.add_parser("paths", help="who can introduce us to PROSPECT?")
    paths.add_argument("prospect", help="USCC, full name or part of a name")
    paths.add_argument("--manager", help="only clients of this relationship manager")
    paths.add_argument("--branch", help="only clients of this branch")
    _introduction_options(paths)
    _path_options(paths)
    _store_options(paths)

    conn = sub.add_parser("connect", help="how are A and B connected?")
    conn.add_argument("a")
    conn.add_argument("b")
    _path_options(conn)
    _store_options(conn)

    find = sub.add_parser("search", help="find companies, persons or parks by name or USCC")
    find.add_argument("text")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--json", action="store_true")
    _store_options(find)

    stats = sub.add_parser("stats", help="graph size")
    stats.add_argument("--json", action="store_true")
    _store_options(stats)

    from guanxi import cli_calibrate, cli_doctor, cli_formats
    from guanxi.cli_analysis import register
    from guanxi.cli_leads import register as register_leads

    register(sub)
    register_leads(sub)  # after the analysis commands: adds the verbs of their ``leads``
    cli_calibrate.register(sub)
    cli_doctor.register(sub)
    cli_formats.register(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    base = Settings.from_env()
    return base.with_overrides(
        store_path=args.store,
        backend=args.backend,
        neo4j_uri=args.neo4j_uri,
        neo4j_user=args.neo4j_user,
        neo4j_password=args.neo4j_password,
        neo4j_database=args.neo4j_database,
        warmth_file=args.warmth,
    )


def _open(args: argparse.Namespace, create: bool = False, fresh: bool = False, write: bool = False) -> GraphStore:
    from graph.open_store import open_store

    store = open_store(_settings(args), create=create, fresh=fresh, write=write)
    for warning in getattr(store, "warnings", ()):  # e.g. a Neo4j index that stayed FAILED: one line each
        print(f"warning: {error_text(Exception(warning))}", file=sys.stderr)
    return store


def json_text(data: Any) -> str:
    """``data`` as exact JSON with no raw control character a terminal would act on.

    ``json.dumps`` escapes C0 characters in strings; DEL, C1 and the
    bidirectional overrides are written as ``\\uXXXX`` escapes too (they only
    occur inside strings, so the JSON still decodes to the same values).
    """
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: what ``json.dumps(ensure_ascii=False)`` leaves raw but a terminal may act on
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def error_fields(exc: GuanxiError, lang: Lang = "en") -> dict[str, Any]:
    """An error as JSON fields: its kind, its message, and what it names (parameter, candidates);
    raised with a catalogue message, also its ``code`` and ``params`` and the message in ``lang``.

    ``--json`` callers get errors in the same form as answers, on standard
    output, so a script never has to parse a human sentence.

    >>> from graph.errors import InvalidParameter
    >>> error_fields(InvalidParameter("k", "must be at least 1"))
    {'type': 'InvalidParameter', 'message': "parameter 'k': must be at least 1", 'parameter': 'k'}
    """
    fields: dict[str, Any] = {"type": type(exc).__name__, "message": error_text(exc, lang)}
    if exc.message is not None:
        said = note_dict(exc.message, lang)
        fields.update(code=said["code"], params=said["params"])
    name = getattr(exc, "name", None)
    if isinstance(name, str):
        fields["parameter"] = name
    for attribute in ("query", "candidates"):
        value = getattr(exc, attribute, None)
        if value:
            fields[attribute] = value
    return fields


def _print_json(data: Any) -> None:
    print(json_text(data))


class TerminalText(io.TextIOBase):
    """A text stream that writes control characters from the data as visible escapes (``\\x1b``).

    :func:`main` puts it in front of standard output, so no name in any
    human-readable answer can move the cursor, recolour or clear the user's
    terminal; new lines (the output's own) pass.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(visible_controls(text, keep="\n"))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Columns aligned for a terminal; each cell on one line, control characters as visible escapes."""

    def width(s: str) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in s)

    cells = [[visible_controls(str(v)) for v in r] for r in [header, *rows]]
    cols = [max(width(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for r in cells:
        lines.append("  ".join(v + " " * (cols[i] - width(v)) for i, v in enumerate(r)).rstrip())
    lines.insert(1, "  ".join("-" * c for c in cols))
    return "\n".join(lines)


def _show_answer(answer: PathAnswer, lang: Lang, as_json: bool) -> None:
    if as_json:
        _print_json(answer.to_dict(lang))
        return
    head = f"{answer.source.name} → " if answer.source else ""
    print(f"{head}{answer.target.name} ({answer.target.key})")
    rows = []
    for p in answer.paths:
        rows.append(
            [
                str(p.rank),
                f"{p.warmth:.3f}",
                str(p.hops),
                p.introducer.name,
                p.manager or "-",
                f"+{len(p.more)}" if p.more else "",
                p.sentence_zh if lang == "zh" else p.sentence_en,
            ]
        )
    if rows:
        first = ("起点", "from") if answer.source else ("引荐客户", "introducer")  # connect starts anywhere
        header = (
            ["#", "温度", "跳数", first[0], "客户经理", "其他路径", "说明"]
            if lang == "zh"
            else ["#", "warmth", "hops", first[1], "manager", "more ways", "explanation"]
        )
        print(_table(rows, header))
        word = "温度" if lang == "zh" else "warmth"
        for p in answer.paths:
            if p.arithmetic is not None:
                print(f"  #{p.rank} {word} = {p.arithmetic.text(lang)}")
    for note in answer.notes:
        print(("注：" if lang == "zh" else "note: ") + render(note, lang))


def _progress_bar(total_hint: str) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int, stage: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="rows", desc=total_hint, file=sys.stderr)
        b = bar["bar"]
        b.set_description(visible_controls(stage))
        b.total = total
        b.n = done
        b.refresh()

    def close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return update, close


def cmd_generate(args: argparse.Namespace) -> int:
    from guanxi.heap import keep_freed_memory
    from loaders.generate import generate

    keep_freed_memory()  # a batch job: freed arrays reused, not faulted in again
    started = time.perf_counter()
    summary = generate(
        args.out_dir, companies=args.companies, seed=args.seed, headers=args.headers, encoding=args.encoding
    )
    lines = summary.describe()
    if not args.no_ops:
        from loaders.generate_ops import generate_ops

        ops = generate_ops(args.out_dir, args.seed, headers=args.headers, encoding=args.encoding)
        lines += "\n" + ops.describe()
    print(f"wrote {args.out_dir} in {time.perf_counter() - started:.1f}s")
    print(lines)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    """Load (or with ``--replace`` replace the graph by) files; ``--reweight`` first re-weights a shared graph.

    A replace reads and checks every file before the graph changes; if
    anything fails, the old graph is what remains (an embedded file is saved
    only after a successful load, a Neo4j graph keeps its old generation).
    An embedded file is held under its writer lock from opening to saving.
    """
    from graph.embedded import EmbeddedStore
    from guanxi.heap import keep_freed_memory
    from loaders.pipeline import load_files, replace_files

    keep_freed_memory()  # a batch job: freed arrays reused, not faulted in again
    if not args.files and not args.reweight:
        raise InvalidParameter("files", "name the files or folders to load (or use --reweight alone)")
    store = opened = _open(args, create=True, fresh=args.replace, write=True)  # holds the writer lock until saved
    try:
        if args.reweight:
            store.reweight()
            if not args.files:
                print(
                    f"strengths follow {store.weights.source or 'the packaged warmth.yaml'} ({store.weights.digest})",
                    file=sys.stderr,
                )
                return 0
        update, close = _progress_bar("load")
        try:
            files = args.files[0] if len(args.files) == 1 and args.files[0].is_dir() else args.files
            if args.replace:  # the old store is closed below, once the new one is saved
                store, report = replace_files(
                    opened, files, strict=args.strict, progress=update, keep_zeros=args.keep_zeros
                )
            else:
                report = load_files(store, files, strict=args.strict, progress=update, keep_zeros=args.keep_zeros)
        finally:
            close()
        if isinstance(store, EmbeddedStore):
            saved = store.save(_settings(args).store_path if store.path is None else None)
            print(f"saved {saved}", file=sys.stderr)
        rejects = args.rejects
        if rejects is None and report.rejects:
            base = store.path if isinstance(store, EmbeddedStore) and store.path else Path("guanxi")
            rejects = base.with_name(base.stem + "-rejects.csv")
        if rejects is not None and report.rejects:
            report.write_rejects(rejects, args.lang)
        if args.json:
            _print_json(report.to_dict(args.lang))
        else:
            print(report.summary(args.lang))
            if rejects is not None and report.rejects:
                print(f"rejected rows written to {rejects}")
    finally:
        store.close()
        if store is not opened:
            opened.close()
    return 0


def cmd_export_neo4j(args: argparse.Namespace) -> int:
    from graph.settings import Settings
    from graph.warmth import load_weights
    from loaders.neo4j_import import export_for_import

    warmth = args.warmth or Settings.from_env().warmth_file
    update, close = _progress_bar("export")
    try:
        files = args.files[0] if len(args.files) == 1 and args.files[0].is_dir() else args.files
        done = export_for_import(
            files, args.out, weights=load_weights(warmth) if warmth else None, strict=args.strict, progress=update
        )
    finally:
        close()
    report = done.report
    rejects = args.rejects or (done.directory / "rejects.csv" if report.rejects else None)
    if rejects is not None and report.rejects:
        report.write_rejects(rejects, args.lang)
    command = done.command(args.database, folder=args.server_folder)
    if args.json:
        _print_json(
            {
                "report": report.to_dict(args.lang),
                "nodes": done.node_count,
                "relationships": done.relationship_count,
                "files": [str(p) for p in [*done.nodes.values(), *done.relationships.values()]],
                "command": command,
            }
        )
    else:
        print(report.summary(args.lang))
        if rejects is not None and report.rejects:
            print(f"rejected rows written to {rejects}")
        print(f"\n{done.node_count:,} nodes and {done.relationship_count:,} relationships written to {done.directory}")
        print("Stop the database (or use a new one), then run on the Neo4j server:\n")
        print(f"  {command}\n")
        print("then start it; the first guanxi connection makes the constraints and indexes.")
    return 0


def _path_opts(args: argparse.Namespace, **more: Any) -> PathOptions:
    """The options :func:`_path_options` added (and ``more``), as the one checked object a path question takes."""
    return PathOptions(
        k=args.k,
        max_hops=args.max_hops,
        kinds=args.kinds,
        min_warmth=args.min_warmth,
        include_closed=args.include_closed,
        include_blacklisted=args.include_blacklisted,
        **more,
    )


def cmd_paths(args: argparse.Namespace) -> int:
    from queries.introductions import introductions

    options = _path_opts(
        args,
        manager=args.manager,
        branch=args.branch,
        distinct=args.distinct,
        include_state_holders=args.include_state_holders,
    )
    with _open(args) as store:
        answer = introductions(store, args.prospect, options=options)
        _show_answer(answer, args.lang, args.json)
    return 0


def cmd_connect(args: argparse.Namespace) -> int:
    from queries.connections import connections

    with _open(args) as store:
        answer = connections(store, args.a, args.b, options=_path_opts(args))
        _show_answer(answer, args.lang, args.json)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as store:
        nodes = store.find_nodes(args.text, limit=args.limit)
    if args.json:
        _print_json([{"id": n.id, "label": n.label, "key": n.key, "name": n.name} for n in nodes])
    elif nodes:
        print(_table([[n.label, n.key, n.name] for n in nodes], ["label", "key", "name"]))
    else:
        print(f"nothing matches {args.text!r}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with _open(args) as store:
        s = store.stats()
    if args.json:
        _print_json({"nodes": s.nodes, "relationships": s.relationships, "clients": s.clients})
    else:
        rows = [[k, str(v)] for k, v in {**s.nodes, **s.relationships}.items()] + [["clients", str(s.clients)]]
        print(_table(rows, ["what", "count"]))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "generate": cmd_generate,
    "load": cmd_load,
    "export-neo4j": cmd_export_neo4j,
    "paths": cmd_paths,
    "connect": cmd_connect,
    "search": cmd_search,
    "stats": cmd_stats,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``guanxi`` command."""
    from guanxi.cli_analysis import COMMANDS as ANALYSIS
    from guanxi.cli_calibrate import COMMANDS as CALIBRATE
    from guanxi.cli_doctor import COMMANDS as DOCTOR
    from guanxi.cli_formats import COMMANDS as FORMATS
    from guanxi.cli_leads import COMMANDS as LEADS

    args = build_parser().parse_args(argv)
    stdout = sys.stdout
    sys.stdout = TerminalText(stdout)
    try:
        return {**COMMANDS, **ANALYSIS, **LEADS, **CALIBRATE, **DOCTOR, **FORMATS}[args.command](args)
    except GuanxiError as exc:
        lang: Lang = "en" if getattr(args, "lang", "zh") == "en" else "zh"
        if getattr(args, "json", False):
            _print_json({"error": error_fields(exc, lang)})
        else:
            print(f"error: {error_text(exc, lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = stdout


def error_text(exc: BaseException, lang: Lang = "en") -> str:
    """An error as the user reads it, in ``lang`` when it was raised with a catalogue message (a file
    that cannot be loaded): credentials in URIs masked, control characters visible."""
    said = exc.message if isinstance(exc, GuanxiError) else None
    text = str(exc) if said is None else render(said, lang)
    if said is not None and isinstance(exc, LoadRefused):  # what was refused, row by row
        text += "\n" + exc.report.summary(lang)
    return visible_controls(redact_credentials(text), keep="\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
