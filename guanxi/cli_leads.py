"""Operational data, events and leads on the ``guanxi`` command line.

    guanxi ops load ops/ --store graph.gx            # events, tags, chains, branches, outcomes → lead store
    guanxi events --since 2026-11-01 --type 中标政府项目 --region 3205
    guanxi leads distribute --rule capacity --candidates candidates.json
    guanxi leads list --manager 王芳 --state 待认领
    guanxi leads show 12
    guanxi leads move 12 跟进中 --by 王芳 --note 已电话联系 --version 1
    guanxi leads history 12
    guanxi leads watch --manager 王芳 --since 2026-11-01 [--paths]
    guanxi leads subscribe --manager 王芳 segment 集成电路/设计

Every verb takes ``--json`` and ``--leads-db`` (a path or an SQLAlchemy URL;
default ``GUANXI_LEADS_DB``, else ``~/.guanxi/leads.db``). ``guanxi leads``
without a verb still lists supply-chain-finance leads (see
:mod:`guanxi.cli_analysis`). Errors are one line (``--json``: a JSON object).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import GuanxiError, InvalidParameter
from graph.store import GraphStore
from guanxi.cli import _open, _print_json, _store_options, _table
from loaders.lead_terms import STATES, SUBSCRIPTION_KINDS

if TYPE_CHECKING:  # SQLAlchemy and pandas are imported by the lead commands that use them, not by every command
    from leads.store import Lead, LeadStore
    from loaders.ops_data import LeadCandidate, OpsData
    from loaders.ops_report import OpsReport

Handler = Callable[[argparse.Namespace], int]


def _leads_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--leads-db", help="lead database: a file path or an SQLAlchemy URL (GUANXI_LEADS_DB)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _lead_store(args: argparse.Namespace) -> LeadStore:
    from leads.store import LeadStore

    return LeadStore.open(args.leads_db)


def _cell(value: object, width: int = 40) -> str:
    """A value for a terminal table: one line, shortened."""
    text = "-" if value is None or value == "" else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# -- ops load --------------------------------------------------------------------------------
def _ops_reader() -> Callable[..., tuple[OpsData, OpsReport]]:
    """The reader of operational files (:func:`loaders.ops.read_ops`); a seam the tests replace."""
    from loaders.ops import read_ops

    return read_ops


def cmd_ops_load(args: argparse.Namespace) -> int:
    reader = _ops_reader()
    graph: GraphStore | None = None
    if not args.no_graph:
        graph = _open(args)
    try:
        files = args.files[0] if len(args.files) == 1 else args.files
        data, report = reader(files, graph, strict=args.strict)
    finally:
        if graph is not None:
            graph.close()
    with _lead_store(args) as store:
        counts = store.write_ops(data)
    if args.rejects is not None and report.rejects:
        report.write_rejects(args.rejects)
    if args.json:
        _print_json({"report": report.to_dict(), "written": {k: v.to_dict() for k, v in counts.items()}})
        return 0
    print(report.summary("zh"))
    rows = [[name, str(c.added), str(c.changed), str(c.unchanged)] for name, c in counts.items()]
    print(_table(rows, ["表", "新增", "更新", "未变"]))
    if args.rejects is not None and report.rejects:
        print(f"rejected rows written to {args.rejects}")
    return 0


# -- events ----------------------------------------------------------------------------------
def cmd_events(args: argparse.Namespace) -> int:
    with _lead_store(args) as store:
        frame = store.events(
            since=args.since,
            until=args.until,
            types=args.type,
            categories=args.category,
            grades=args.grade,
            region=args.region,
            companies=args.company,
        )
    total = len(frame)
    frame = frame.head(args.limit)
    if args.json:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        _print_json({"total": total, "events": records})
        return 0
    rows = [
        [
            _cell(r["date"]),
            _cell(r["company"]),
            _cell(r["event_type"]),
            _cell(r["category"]),
            _cell(r["grade"]),
            _cell((r["products"] or "").replace("|", "、")),
            _cell(r["text"], 30),
        ]
        for r in frame.to_dict("records")
    ]
    print(_table(rows, ["日期", "企业", "事件", "类别", "价值", "产品", "内容"]) if rows else "no events")
    if total > len(frame):
        print(f"note: {total} events, first {len(frame)} shown (--limit)")
    return 0


# -- leads -----------------------------------------------------------------------------------
def _candidates_from_file(path: Path) -> list[LeadCandidate]:
    from leads.distribute import candidate_from_dict

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidParameter("--candidates", f"{path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidParameter("--candidates", f"{path}: not UTF-8 JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("candidates"), list):
        data = data["candidates"]
    if not isinstance(data, list):
        raise InvalidParameter("--candidates", f"{path}: expected a list of candidates")
    return [candidate_from_dict(item, f"{path} item {i}") for i, item in enumerate(data, start=1)]


def _scored_candidates(args: argparse.Namespace, store: LeadStore) -> list[LeadCandidate]:
    """Every company with a stored event, scored (:mod:`queries.scoring`) and turned into candidates with the
    warmest path on the best ``--paths-for`` prospects (:mod:`queries.candidates`)."""
    from queries.candidates import to_candidates
    from queries.scoring import company_frame, score

    ops = store.read_ops()
    keys = sorted({str(c) for c in ops.events["company"]})
    if not keys:
        raise InvalidParameter("events", "the lead store holds no events: run 'guanxi ops load' first")
    with _open(args) as graph:
        scored = score(company_frame(graph, keys), ops, as_of=args.as_of)
        return list(to_candidates(graph, scored, ops, top=args.top, paths_for=args.paths_for))


def cmd_distribute(args: argparse.Namespace) -> int:
    from leads.distribute import distribute

    with _lead_store(args) as store:
        cands = _candidates_from_file(args.candidates) if args.candidates else _scored_candidates(args, store)
        result = distribute(store, cands, rule=args.rule, by=args.by)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.summary())
        rows = [[m, str(n)] for m, n in result.by_manager.items()]
        if rows:
            print(_table(rows, ["客户经理", "新线索"]))
    return 0


def _lead_rows(found: Sequence[Lead]) -> list[list[str]]:
    return [
        [
            str(ld.id),
            _cell(ld.name, 24),
            ld.tier,
            f"{ld.score:.1f}",
            ld.state,
            _cell(ld.branch, 12),
            _cell(ld.manager, 10),
            _cell("、".join(ld.products), 20),
            _cell(ld.introducer, 20),
            str(ld.version),
        ]
        for ld in found
    ]


def cmd_list(args: argparse.Namespace) -> int:
    with _lead_store(args) as store:
        found = store.leads(manager=args.manager, branch=args.branch, state=args.state, limit=None)
    if args.unassigned:
        found = [ld for ld in found if ld.manager is None]
    total = len(found)
    found = found[: args.limit]
    if args.json:
        _print_json({"total": total, "leads": [ld.to_dict() for ld in found]})
        return 0
    header = ["#", "企业", "分层", "评分", "状态", "机构", "客户经理", "产品", "引荐客户", "版本"]
    print(_table(_lead_rows(found), header) if found else "no leads")
    if total > len(found):
        print(f"note: {total} leads, first {len(found)} shown (--limit)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _lead_store(args) as store:
        lead = store.lead(args.id)
    if args.json:
        _print_json(lead.to_dict())
        return 0
    lines = [
        ("线索", f"{lead.id} · {lead.name} ({lead.company})"),
        ("状态", f"{lead.state} · 版本 {lead.version} · {lead.updated_by} {lead.updated_at}"),
        ("分层", f"{lead.tier} · 评分 {lead.score:.1f}"),
        ("评分构成", "、".join(f"{k} {v:g}" for k, v in lead.breakdown) or "-"),
        ("产品", "、".join(lead.products) or "-"),
        ("事件", "、".join(lead.event_ids) or "-"),
        ("机构 / 客户经理", f"{lead.branch or '-'} / {lead.manager or '待分配'}"),
        ("分配依据", lead.reason),
        ("引荐客户", f"{lead.introducer or '-'}（客户经理 {lead.introducer_manager or '-'}）"),
        ("联合拜访", lead.joint_manager or "-"),
        ("路径", lead.path_text or "-"),
        ("温度", "-" if lead.path_warmth is None else f"{lead.path_warmth:.3f}"),
    ]
    for label, value in lines:
        print(f"{label}：{' '.join(str(value).split())}")
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    from leads.workflow import add_note, move

    with _lead_store(args) as store:
        if args.state == "note":
            lead = add_note(store, args.id, by=args.by, note=args.note or "", version=args.version)
        else:
            lead = move(store, args.id, args.state, by=args.by, note=args.note, version=args.version)
    if args.json:
        _print_json(lead.to_dict())
    else:
        print(f"lead {lead.id} ({lead.name}) is now {lead.state}, version {lead.version}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with _lead_store(args) as store:
        entries = store.history(args.id)
    if args.json:
        _print_json([e.to_dict() for e in entries])
        return 0
    rows = [[str(e.version), e.at[:19], e.by, e.from_state or "(新建)", e.to_state, _cell(e.note, 50)] for e in entries]
    print(_table(rows, ["版本", "时间", "操作人", "从", "到", "备注"]))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from leads.monitor import new_events, path_changes, record_paths

    if args.record and not args.paths:
        raise InvalidParameter("--record", "needs --paths (it stores the paths --paths finds)")

    graph: GraphStore | None = None
    notes: list[str] = []
    try:
        graph = _open(args)
    except GuanxiError as exc:
        if args.paths:
            raise
        notes.append(f"graph not opened ({exc}): client and park subscriptions are not checked")
    try:
        with _lead_store(args) as store:
            watch = new_events(store, args.manager, args.since, graph)
            changes = path_changes(store, graph, manager=args.manager) if args.paths and graph is not None else []
            recorded = record_paths(store, changes, by=args.by or args.manager) if args.record else None
    finally:
        if graph is not None:
            graph.close()
    notes.extend(watch.notes)
    if args.json:
        _print_json(
            {
                **watch.to_dict(),
                "notes": notes,
                "path_changes": [c.to_dict() for c in changes],
                "recorded": None if recorded is None else recorded.to_dict(),
            }
        )
        return 0
    rows = [
        [_cell(r["date"]), _cell(r["company"]), _cell(r["event_type"]), _cell(r["grade"]), _cell(r["why"], 30)]
        for r in watch.events.to_dict("records")
    ]
    print(_table(rows, ["日期", "企业", "事件", "价值", "关注原因"]) if rows else f"no new events since {args.since}")
    if args.paths:
        crows = [
            [
                str(c.lead_id),
                _cell(c.name, 24),
                c.status,
                "-" if c.before_warmth is None else f"{c.before_warmth:.3f}",
                "-" if c.after_warmth is None else f"{c.after_warmth:.3f}",
                _cell(c.after_introducer, 20),
            ]
            for c in changes
        ]
        print(_table(crows, ["#", "企业", "变化", "原温度", "现温度", "现引荐客户"]) if crows else "no path changes")
    if recorded is not None:
        print(
            f"recorded the new path on {len(recorded.updated)} leads; "
            f"{len(recorded.stale)} changed meanwhile and were left alone"
        )
    for note in notes:
        print(f"note: {note}")
    return 0


def cmd_subscribe(args: argparse.Namespace) -> int:
    with _lead_store(args) as store:
        if args.remove:
            removed = store.unsubscribe(args.manager, args.kind, args.value or "")
            subs = store.subscriptions(args.manager)
            message = "removed" if removed else "there was no such subscription"
        else:
            store.subscribe(args.manager, args.kind, args.value or "")
            subs = store.subscriptions(args.manager)
            message = "subscribed"
    if args.json:
        _print_json([s.to_dict() for s in subs])
    else:
        print(message)
        print(_table([[s.kind, s.value or "-"] for s in subs], ["关注", "对象"]) if subs else "no subscriptions")
    return 0


VERBS: dict[str, Handler] = {
    "distribute": cmd_distribute,
    "list": cmd_list,
    "show": cmd_show,
    "move": cmd_move,
    "history": cmd_history,
    "watch": cmd_watch,
    "subscribe": cmd_subscribe,
}


def cmd_leads(args: argparse.Namespace) -> int:
    """``guanxi leads VERB``; without a verb, the supply-chain-finance leads of :mod:`guanxi.cli_analysis`."""
    verb = getattr(args, "leads_verb", None)
    if verb is None:
        from guanxi.cli_analysis import cmd_leads as supply_chain_leads

        return supply_chain_leads(args)
    return VERBS[verb](args)


def cmd_ops(args: argparse.Namespace) -> int:
    return cmd_ops_load(args)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ops``, ``events`` and the verbs of ``leads`` (its parser is made by :mod:`guanxi.cli_analysis`)."""
    ops = subparsers.add_parser("ops", help="operational data: events, tags, chains, branches, outcomes")
    ops_verbs = ops.add_subparsers(dest="ops_verb", required=True, metavar="VERB")
    p = ops_verbs.add_parser("load", help="read operational files (a folder or files) into the lead store")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--strict", action="store_true", help="refuse the whole load if any row is rejected")
    p.add_argument("--rejects", type=Path, help="write rejected rows to this CSV")
    p.add_argument("--no-graph", action="store_true", help="take USCCs on trust instead of checking the graph")
    _leads_db(p)
    _store_options(p)

    p = subparsers.add_parser("events", help="opportunity events (商机事件), newest first")
    p.add_argument("--since", help="from this date (YYYY-MM-DD)")
    p.add_argument("--until", help="up to this date (YYYY-MM-DD)")
    p.add_argument("--type", action="append", help="event type, e.g. 中标政府项目 (repeatable)")
    p.add_argument("--category", action="append", help="event category, e.g. 新增项目 (repeatable)")
    p.add_argument("--grade", action="append", help="value grade A/B/C (repeatable)")
    p.add_argument("--region", help="administrative division code or a prefix of it, e.g. 3205")
    p.add_argument("--company", action="append", help="company key (USCC) (repeatable)")
    p.add_argument("--limit", type=int, default=200)
    _leads_db(p)

    leads_parser = subparsers.choices.get("leads")
    if leads_parser is None:  # the analysis commands were not registered first
        leads_parser = subparsers.add_parser("leads", help="leads: distribution and follow-up")
    verbs = leads_parser.add_subparsers(dest="leads_verb", metavar="VERB")

    p = verbs.add_parser("distribute", help="turn scored candidates into leads for branches and RMs")
    p.add_argument("--rule", default="capacity", help="capacity (default), round_robin or introducer")
    p.add_argument("--by", default="system", help="who distributes (recorded in the history)")
    p.add_argument("--candidates", type=Path, help="a JSON list of candidates (default: score the stored events)")
    p.add_argument("--as-of", help="scoring day (default today)")
    p.add_argument("--top", type=int, help="only the best N candidates")
    p.add_argument("--paths-for", type=int, default=0, help="attach the warmest path to the best N prospects")
    _leads_db(p)
    _store_options(p)

    p = verbs.add_parser("list", help="leads, best first")
    p.add_argument("--manager")
    p.add_argument("--branch")
    p.add_argument("--state", help="、".join(STATES))
    p.add_argument("--unassigned", action="store_true", help="only leads without an RM")
    p.add_argument("--limit", type=int, default=100)
    _leads_db(p)

    p = verbs.add_parser("show", help="one lead with its score breakdown and introduction path")
    p.add_argument("id", type=int)
    _leads_db(p)

    p = verbs.add_parser("move", help="move a lead to another state (or STATE 'note': only a note)")
    p.add_argument("id", type=int)
    p.add_argument("state", help=f"{'、'.join(STATES)}, or 'note' to add only a note")
    p.add_argument("--by", required=True, help="who makes the change")
    p.add_argument("--note")
    p.add_argument("--version", type=int, help="the version you read (refused if the lead changed since)")
    _leads_db(p)

    p = verbs.add_parser("history", help="every change of a lead")
    p.add_argument("id", type=int)
    _leads_db(p)

    p = verbs.add_parser("watch", help="new events on what an RM watches; --paths: open leads' path changes")
    p.add_argument("--manager", required=True)
    p.add_argument("--since", required=True, help="YYYY-MM-DD")
    p.add_argument("--paths", action="store_true", help="re-run the warmest path of open leads (needs the graph)")
    p.add_argument("--record", action="store_true", help="with --paths: store the new paths on the leads")
    p.add_argument("--by", help="who records (default: --manager)")
    _leads_db(p)
    _store_options(p)

    p = verbs.add_parser("subscribe", help="watch clients, leads, a chain segment, a park or a company")
    p.add_argument("--manager", required=True)
    p.add_argument("kind", help=", ".join(SUBSCRIPTION_KINDS))
    p.add_argument("value", nargs="?", help="segment as chain/segment, a park name, a company key")
    p.add_argument("--remove", action="store_true", help="stop watching")
    _leads_db(p)


COMMANDS: dict[str, Handler] = {"ops": cmd_ops, "events": cmd_events, "leads": cmd_leads}
