"""Analyst and risk subcommands of the ``guanxi`` command line.

    guanxi supply 核心电子 --tiers 2
    guanxi leads --tiers 1
    guanxi owners 丙科技 --threshold 0.25
    guanxi controller 丙科技 --group
    guanxi related 丙科技
    guanxi circles [COMPANY] [--mutual | --chains]
    guanxi exposure [COMPANY] --hops 2
    guanxi parks [KEYWORD] [--industry 集成电路] [--region 苏州] [--park NAME] [--leads]
    guanxi associations [KEYWORD] [--region 苏州] [--association NAME] [--leads]
    guanxi match list.xlsx -o matched.xlsx
    guanxi batch prospects.xlsx -o result.xlsx

:func:`register` adds them to the main parser; :data:`COMMANDS` maps each
name to its handler. Every subcommand takes ``--json`` and the store options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from guanxi.cli import _introduction_options, _open, _path_opts, _print_json, _store_options, _table
from loaders.terminal import visible_controls
from queries.format import Lang, money, percent, role
from queries.messages import render

Handler = Callable[[argparse.Namespace], int]


def _fmt_share(value: float | None) -> str:
    return "-" if value is None else percent(value)


#: the columns of the former holders' table (``owners --all``), Chinese and English
_FORMER_HEADER = (("原股东", "holder"), ("身份", "as"), ("比例", "share"), ("退出日期", "until"))


def _show(rows: Sequence[Sequence[str]], header: Sequence[str], empty: str) -> None:
    print(_table(rows, header) if rows else empty)


def _words(lang: Lang, zh: str, en: str) -> str:
    """A title in the reader's language (``--lang``), never both."""
    return zh if lang == "zh" else en


def _notes(notes: Sequence[str], lang: Lang) -> None:
    """Each note on its own line, in the reader's language."""
    for note in notes:
        print(("注：" if lang == "zh" else "note: ") + render(note, lang))


# -- supply chain -----------------------------------------------------------------------------
def cmd_supply(args: argparse.Namespace) -> int:
    from queries.supply_chain import core_enterprises_served, core_partners, supply_chain

    with _open(args) as store:
        if args.segments:
            return _segment_leads(store, args)
        if args.serves:
            served = core_enterprises_served(store, args.company, tiers=args.tiers, year=args.year)
            if args.json:
                _print_json(served.to_dict())
                return 0
            print(served.company.name + _words(args.lang, "：服务的核心企业", ": core enterprises served"))
            rows = [
                [str(s.tier), s.core.name, "是" if s.core.is_client else "否", " → ".join(lk.text() for lk in s.chain)]
                for s in served.served
            ]
            _show(rows, ["级", "核心企业", "客户", "链路"], "(none)")
            _notes(served.notes, args.lang)
            return 0
        if args.core_share is not None:
            ups = core_partners(store, args.company, direction="upstream", min_share=args.core_share, year=args.year)
            downs = core_partners(
                store, args.company, direction="downstream", min_share=args.core_share, year=args.year
            )
            if args.json:
                _print_json({"suppliers": [p.to_dict() for p in ups], "customers": [p.to_dict() for p in downs]})
                return 0
            rows = [
                [side, p.company.name, money(p.amount), _fmt_share(p.share)]
                for side, partners in (("供应商", ups), ("客户", downs))
                for p in partners
            ]
            _show(rows, ["角色", "核心供应商/客户", "金额", "占比"], "(none)")
            return 0
        chain = supply_chain(
            store, args.company, tiers=args.tiers, direction=args.direction, year=args.year, limit=args.limit
        )
    if args.json:
        _print_json(chain.to_dict())
        return 0
    bought, sold = money(chain.purchases, args.lang), money(chain.sales, args.lang)
    totals = _words(args.lang, f"采购 {bought}  销售 {sold}", f"purchases {bought}  sales {sold}")
    print(f"{chain.company.name} ({chain.company.key})  {totals}")
    for title, side in (
        (_words(args.lang, "供应商", "suppliers"), chain.suppliers),
        (_words(args.lang, "客户", "customers"), chain.customers),
    ):
        if not side:
            continue
        print(f"\n{title}")
        upstream = side is chain.suppliers
        rows = [
            [
                str(p.tier),
                p.company.name,
                money(p.amount, args.lang),
                _fmt_share(p.share if p.tier == 1 else p.best_link().share),
                _confirmed(p.paid, p.confirmed, args.lang),
                _words(args.lang, "是", "yes") if p.company.is_client else "",
                "" if p.tier == 1 else (p.best_link().customer if upstream else p.best_link().supplier).name,
            ]
            for p in side
        ]
        header = _words(
            args.lang, "级 企业 金额 占比 交易确认 客户 经由", "tier company amount share confirmed client via"
        )
        print(_table(rows, header.split()))
    _notes(chain.notes, args.lang)
    return 0


def _confirmed(paid: float | None, confirmed: bool, lang: Lang) -> str:
    """The confirmed column: ``✓ ¥1.2亿`` when the bank's transactions confirm the tie, else empty."""
    if not confirmed:
        return ""
    return "✓" if paid is None else f"✓ {money(paid, lang)}"


def _segment_leads(store: Any, args: argparse.Namespace) -> int:
    """``guanxi supply COMPANY --segments``: leads in the segments up- and downstream of the company's."""
    from queries.supply_chain import segment_leads

    found = segment_leads(store, args.company, limit=args.limit, introductions_for=args.introductions)
    if args.json:
        _print_json(found.to_dict())
        return 0
    lang: Lang = args.lang
    segments = "、".join(f"{s.get('chain') or ''}·{s.name}" for s in found.segments) or "-"
    print(found.company.name + _words(lang, f"：所在产业链环节 {segments}", f": industry-chain segments {segments}"))
    rows = [
        [
            str(i),
            ld.company.name,
            ld.segment.name,
            _words(lang, "上游", "upstream") if ld.side == "upstream" else _words(lang, "下游", "downstream"),
            _words(lang, "是", "yes") if ld.trades else "",
            "" if ld.introduction is None else f"{ld.introduction.introducer.name} ({ld.introduction.warmth:.3f})",
            "" if ld.introduction is None else _words(lang, ld.introduction.sentence_zh, ld.introduction.sentence_en),
        ]
        for i, ld in enumerate(found.leads, start=1)
    ]
    header = _words(
        lang,
        "# 线索企业 环节 位置 已有往来 引荐客户(暖度) 引荐路径",
        "# lead segment side trades introducer(warmth) path",
    )
    _show(rows, header.split(), _words(lang, "（无线索）", "(no leads)"))
    _notes(found.notes, lang)
    return 0


def cmd_leads(args: argparse.Namespace) -> int:
    from queries.supply_chain import core_enterprises, supply_chain_leads

    with _open(args) as store:
        core = None
        if args.anchor is None:
            core = core_enterprises(store, percentile=args.percentile, min_partners=args.min_partners, year=args.year)
        leads = supply_chain_leads(
            store,
            anchor=args.anchor,
            tiers=args.tiers,
            year=args.year,
            core=core,
            include_closed=args.include_closed,
            limit=args.limit,
        )
    if args.json:
        _print_json({"core": None if core is None else core.to_dict(), "leads": [ld.to_dict() for ld in leads]})
        return 0
    rows = [
        [
            str(i),
            ld.company.name,
            "供应商" if ld.role == "supplier" else "客户",
            money(ld.amount),
            "、".join(a.client.name for a in ld.anchors[:3]) + ("…" if len(ld.anchors) > 3 else ""),
            "、".join(sorted({a.client.manager or "-" for a in ld.anchors})),
        ]
        for i, ld in enumerate(leads, start=1)
    ]
    _show(rows, ["#", "线索企业", "角色", "金额", "核心企业客户", "客户经理"], "no leads")
    if core is not None:
        print(
            f"note: {len(core)} core enterprises (top {percent(1 - core.percentile)}, ≥ {core.min_partners} partners)"
        )
    return 0


# -- ownership -----------------------------------------------------------------------------------
def cmd_owners(args: argparse.Namespace) -> int:
    from queries.ownership import effective_ownership, ultimate_owners

    with _open(args) as store:
        if args.all:
            own = effective_ownership(store, args.company, min_stake=args.min_stake)
            if args.json:
                _print_json(own.to_dict())
                return 0
            rows = [
                [s.owner.name, s.owner.label, _fmt_share(s.effective), _fmt_share(s.direct) if s.direct else ""]
                for s in own.stakes
            ]
            _show(rows, ["股东", "类型", "穿透持股", "直接持股"], "no shareholders recorded")
            if own.former:  # holders that have exited: history, counted in none of the stakes above
                print(_words(args.lang, "\n已退出（历史，不计入持股）：", "\nformer holders (history, not counted):"))
                rows = [[f.holder.name, f.what(args.lang), _fmt_share(f.ratio), f.until] for f in own.former]
                _show(rows, [_words(args.lang, h, e) for h, e in _FORMER_HEADER], "")
            _notes(own.notes, args.lang)
            return 0
        ubo = ultimate_owners(store, args.company, threshold=args.threshold)
    if args.json:
        _print_json(ubo.to_dict())
        return 0
    print(f"{ubo.company.name} {_words(args.lang, '受益所有人', 'beneficial owners')} (≥ {percent(ubo.threshold)})")
    for o in ubo.owners:
        print(f"\n{o.owner.name} [{o.kind}, {o.basis}] {_fmt_share(o.stake)}")
        print("  " + o.explanation(args.lang).replace("\n", "\n  "))
    if not ubo.owners:
        print("(none)")
    _notes(ubo.notes, args.lang)
    return 0


def cmd_controller(args: argparse.Namespace) -> int:
    from queries.ownership import actual_controller, same_controller_group

    with _open(args) as store:
        if args.group:
            group = same_controller_group(store, args.company, limit=args.limit)
            if args.json:
                _print_json(group.to_dict())
                return 0
            root = group.root.name if group.root else "-"
            print(f"{_words(args.lang, '实际控制人：', 'controller: ')}{root}")
            if group.family:  # spouses, parents, children and concert parties count with the controller
                family = _words(args.lang, "、", ", ").join(n.name for n in group.family)
                title = _words(args.lang, "一并计入的亲属及一致行动人：", "with family and concert parties: ")
                print(f"{title}{family}")
            rows = [[str(m.depth), m.company.name, m.parent.name, percent(m.ratio)] for m in group.members]
            _show(rows, ["层级", "企业", "控股方", "持股"], "(no companies)")
            _notes(group.notes, args.lang)
            return 0
        ctrl = actual_controller(store, args.company)
    if args.json:
        _print_json(ctrl.to_dict())
        return 0
    names = _words(args.lang, "、", ", ").join(n.name for n in ctrl.controllers)  # a family controls together
    who = names or _words(args.lang, "未识别", "none identified")
    print(f"{ctrl.company.name} {_words(args.lang, '实际控制人：', 'actual controller: ')}{who}")
    if len(ctrl.chain) > 1:  # a one-step chain is the reason itself: say it once
        for step in ctrl.chain:
            print(f"  {step.text(args.lang)}")
    print(ctrl.reason(args.lang))
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    from queries.ownership import related_parties, shared_officers

    with _open(args) as store:
        if args.shared_with:
            shared = shared_officers(store, args.company, args.shared_with, include_former=args.include_former)
            if args.json:
                _print_json(shared.to_dict())
                return 0
            rows = [
                [o.person.name, "、".join(role(r) for r in o.roles_a), "、".join(role(r) for r in o.roles_b)]
                for o in shared.officers
            ]
            _show(rows, ["人员", shared.a.name, shared.b.name], "no shared key officers")
            return 0
        related = related_parties(store, args.company, include_former=args.include_former)
    if args.json:
        _print_json(related.to_dict())
        return 0
    rows = [
        [p.party.name, p.party.label, "；".join(r.zh if args.lang == "zh" else r.en for r in p.reasons)]
        for p in related.parties
    ]
    _show(rows, ["关联方", "类型", "原因"], "no related parties found")
    _notes(related.notes, args.lang)
    return 0


# -- guarantees --------------------------------------------------------------------------------------
def cmd_circles(args: argparse.Namespace) -> int:
    from queries.guarantees import circles_of, guarantee_chains, guarantee_circles, mutual_guarantees

    with _open(args) as store:
        if args.mutual:
            pairs = mutual_guarantees(store, args.company, active_on=args.active_on)
            if args.json:
                _print_json([p.to_dict() for p in pairs])
                return 0
            rows = [[p.a.name, p.b.name, money(p.a_to_b), money(p.b_to_a)] for p in pairs]
            _show(rows, ["企业A", "企业B", "A→B", "B→A"], "no mutual guarantees")
            return 0
        if args.chains:
            if args.company is None:
                print("error: --chains needs a COMPANY", file=sys.stderr)
                return 2
            chains = guarantee_chains(store, args.company, max_hops=args.max_hops, active_on=args.active_on)
            if args.json:
                _print_json(chains.to_dict())
                return 0
            for c in chains.chains:
                print(c.text(args.lang))
            if chains.truncated:
                print("note: more chains left out")
            return 0
        if args.company is None:
            circles = guarantee_circles(store, active_on=args.active_on)
        else:
            circles = circles_of(store, args.company, neighbours=args.neighbours, active_on=args.active_on)
    if args.json:
        _print_json([c.to_dict() for c in circles])
        return 0
    rows = [
        [
            str(i),
            "互保" if c.kind == "mutual" else "担保圈",
            str(len(c.members)),
            "、".join(m.name for m in c.members[:6]) + ("…" if len(c.members) > 6 else ""),
            money(c.total_amount),
            "、".join(m.name for m in c.clients) or "-",
            "、".join(m.name for m in (*c.closed, *c.blacklisted)) or "-",
        ]
        for i, c in enumerate(circles, start=1)
    ]
    _show(rows, ["#", "类型", "成员数", "成员", "担保总额", "本行客户", "注销/吊销/黑名单"], "no guarantee circles")
    return 0


def cmd_exposure(args: argparse.Namespace) -> int:
    from queries.guarantees import exposed_companies, exposure

    kinds = args.kinds or None  # "equity,officer" or "股权，任职": split by queries.paths.resolve_kinds
    with _open(args) as store:
        if args.company is not None:
            exp = exposure(store, args.company, hops=args.hops, kinds=kinds, hub_degree=args.hub_degree)
            hits = exp.hits
            if args.json:
                _print_json(exp.to_dict())
                return 0
            if exp.own_flags:
                print(f"note: {exp.company.name} itself is flagged: {', '.join(exp.own_flags)}")
        else:
            hits = exposed_companies(
                store,
                hops=args.hops,
                kinds=kinds,
                clients_only=args.clients_only,
                hub_degree=args.hub_degree,
                limit=args.limit,
            )
            if args.json:
                _print_json([h.to_dict() for h in hits])
                return 0
    rows = [[h.company.name, h.flagged.name, ",".join(h.flags), str(h.hops), h.sentence(args.lang)] for h in hits]
    _show(rows, ["企业", "风险主体", "风险", "跳数", "路径"], "no exposure found")
    return 0


# -- parks -----------------------------------------------------------------------------------------------
def cmd_parks(args: argparse.Namespace) -> int:
    from queries.parks import find_parks, park_companies, park_leads

    with _open(args) as store:
        if args.leads:
            leads = park_leads(
                store,
                args.park,
                keyword=args.keyword,
                industry=args.industry,
                region=args.region,
                include_closed=args.include_closed,
                limit=args.limit,
            )
            if args.json:
                _print_json([ld.to_dict() for ld in leads])
                return 0
            rows = [
                [
                    ld.company.name,
                    str(ld.company.get("industry") or ""),
                    ld.park.name,
                    "、".join(c.name for c in ld.clients),
                ]
                for ld in leads
            ]
            _show(rows, ["线索企业", "行业", "园区", "园区内客户"], "no park leads")
            return 0
        if args.park:
            members = park_companies(store, args.park)
            if args.json:
                _print_json(members.to_dict())
                return 0
            print(f"{members.park.name}: {len(members.companies)} companies, {len(members.clients)} clients")
            rows = [
                [c.name, c.key, str(c.get("industry") or ""), "是" if c.is_client else "", c.manager or ""]
                for c in members.companies
            ]
            _show(rows, ["企业", "信用代码", "行业", "客户", "客户经理"], "(empty)")
            return 0
        parks = find_parks(store, args.keyword, industry=args.industry, region=args.region, limit=args.limit)
    if args.json:
        _print_json([p.to_dict() for p in parks])
        return 0
    rows = [
        [
            p.park.name,
            str(p.park.get("level") or ""),
            f"{p.park.get('province') or ''}{p.park.get('city') or ''}",
            str(p.companies),
        ]
        for p in parks
    ]
    _show(rows, ["园区", "级别", "地区", "企业数"], "no parks match")
    return 0


# -- associations (商会, 行业协会) ------------------------------------------------------------------------------
def cmd_associations(args: argparse.Namespace) -> int:
    from queries.associations import association_leads, association_members, find_associations, office_words

    lang: Lang = args.lang
    with _open(args) as store:
        if args.leads:
            leads = association_leads(
                store,
                args.association,
                keyword=args.keyword,
                region=args.region,
                include_closed=args.include_closed,
                limit=args.limit,
            )
            if args.json:
                _print_json([ld.to_dict(lang) for ld in leads])
                return 0
            rows = [
                [ld.company.name, ld.association.name, ld.office(lang), "；".join(r.text(lang) for r in ld.referrers)]
                for ld in leads
            ]
            header = (
                ["线索企业", "商会协会", "会内职务", "引荐人"]
                if lang == "zh"
                else ["lead", "association", "office", "referrers"]
            )
            _show(rows, header, "no association leads")
            return 0
        if args.association:
            found = association_members(store, args.association)
            if args.json:
                _print_json(found.to_dict(lang))
                return 0
            print(f"{found.association.name}: {len(found.members)} members")
            rows = [
                [
                    m.who.name,
                    m.who.key,
                    office_words(m.edge, lang),
                    _words(lang, "是", "yes") if m.who.is_client else "",
                ]
                for m in found.members
            ]
            header = ["会员", "编号", "职务", "客户"] if lang == "zh" else ["member", "key", "office", "client"]
            _show(rows, header, "(empty)")
            return 0
        summaries = find_associations(store, args.keyword, region=args.region, limit=args.limit)
    if args.json:
        _print_json([a.to_dict() for a in summaries])
        return 0
    rows = [
        [
            a.association.name,
            str(a.association.get("category") or ""),
            f"{a.association.get('province') or ''}{a.association.get('city') or ''}",
            str(a.members),
        ]
        for a in summaries
    ]
    header = (
        ["商会协会", "类型", "地区", "会员数"] if lang == "zh" else ["association", "category", "region", "members"]
    )
    _show(rows, header, "no associations match")
    return 0


# -- lists -------------------------------------------------------------------------------------------------
def cmd_match(args: argparse.Namespace) -> int:
    from loaders.export import table_format, write_table
    from queries.matching import match_list, read_list

    if args.output is not None:
        table_format(args.output, "--output")
    frame = read_list(args.file, sheet=args.sheet)
    with _open(args) as store:
        report = match_list(store, frame, threshold=args.threshold, fuzzy=not args.no_fuzzy)
    if args.output is not None:
        write_table(args.output, report.to_frame(), sheet="match", encoding=args.encoding)
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(report.summary(args.lang))
    rows = [
        [str(r.row), r.name or r.uscc or "", r.status, "；".join(f"{c.name}({c.key})" for c in r.candidates) or r.note]
        for r in report.rows
        if r.status != "matched"
    ]
    if rows:
        print(_table(rows, ["行", "输入", "状态", "候选/说明"]))
    if args.output is not None:
        print(f"wrote {args.output}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from loaders.export import table_format
    from queries.batch import batch_reach, write_batch
    from queries.matching import match_list, read_list
    from ui.batch_sheets import result_sheets

    table_format(args.output, "--output")
    frame = read_list(args.prospects, sheet=args.sheet)
    with _open(args) as store:
        report = match_list(store, frame, threshold=args.threshold)
        print(visible_controls(report.summary(args.lang), keep="\n"), file=sys.stderr)
        bar: Any = tqdm(total=len(report.matched), unit="prospects", file=sys.stderr, disable=args.json)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            options = _path_opts(
                args,
                manager=args.manager,
                branch=args.branch,
                distinct=args.distinct,
                include_state_holders=args.include_state_holders,
            )
            result = batch_reach(store, report, options=options, progress=progress)
        finally:
            bar.close()
    sheets = result_sheets(result, args.lang)
    written = write_batch(sheets, args.output, encoding=args.encoding)
    if args.json:
        _print_json({**result.to_dict(), "written": [str(p) for p in written]})
        return 0
    print(list(sheets.values())[1].to_string(index=False))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


# -- the parser ----------------------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, lang: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    if lang:
        p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of explanations")
    _store_options(p)


def _encoding_option(p: argparse.ArgumentParser) -> None:
    from loaders.terminal import CSV_ENCODINGS

    p.add_argument(
        "--encoding",
        choices=CSV_ENCODINGS,
        default=CSV_ENCODINGS[0],
        help="of a .csv output: utf-8-sig (UTF-8 with BOM, default) or gb18030",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the analysis subcommands to the main parser's subparsers."""
    p = subparsers.add_parser("supply", help="supply-chain tiers of a company (产业链)")
    p.add_argument("company", help="USCC, full name or part of a name")
    p.add_argument("--tiers", type=int, default=2, help="how many tiers each way (default 2)")
    p.add_argument("--direction", choices=["upstream", "downstream", "both"], default="both")
    p.add_argument("--year", type=int, help="only this year's records (default: each pair's latest)")
    p.add_argument("--limit", type=int, default=200, help="largest partners kept per tier (default 200)")
    p.add_argument("--core-share", type=float, help="list core suppliers/customers with at least this share")
    p.add_argument("--serves", action="store_true", help="which core enterprises the company serves")
    p.add_argument(
        "--segments", action="store_true", help="leads by industry-chain segment: non-clients up- and downstream"
    )
    p.add_argument(
        "--introductions", type=int, default=10, help="with --segments: warmest introduction for the first N leads"
    )
    _common(p)

    p = subparsers.add_parser("leads", help="supply-chain-finance leads around client core enterprises")
    p.add_argument("--anchor", help="only around this client")
    p.add_argument("--tiers", type=int, default=1)
    p.add_argument("--year", type=int)
    p.add_argument("--percentile", type=float, default=0.99, help="core enterprise: top percentile (default 0.99)")
    p.add_argument("--min-partners", type=int, default=10, help="core enterprise: at least this many partners")
    p.add_argument("--include-closed", action="store_true", help="also closed and black-listed companies")
    p.add_argument("--limit", type=int, default=100)
    _common(p)

    p = subparsers.add_parser("owners", help="ultimate beneficial owners (受益所有人) with the arithmetic")
    p.add_argument("company")
    p.add_argument("--threshold", type=float, default=0.25, help="ownership threshold (default 0.25)")
    p.add_argument("--all", action="store_true", help="every owner's effective stake instead")
    p.add_argument("--min-stake", type=float, default=0.0, help="with --all: leave out smaller stakes")
    _common(p)

    p = subparsers.add_parser("controller", help="actual controller (实际控制人) and the control chain")
    p.add_argument("company")
    p.add_argument("--group", action="store_true", help="every company under the same controller")
    p.add_argument("--limit", type=int, default=5000)
    _common(p)

    p = subparsers.add_parser("related", help="related parties (关联方), or key officers shared with another company")
    p.add_argument("company")
    p.add_argument("--shared-with", help="list the key officers shared with this company")
    p.add_argument("--include-former", action="store_true", help="count former officers too")
    _common(p)

    p = subparsers.add_parser("circles", help="guarantee circles (担保圈), mutual guarantees, guarantee chains")
    p.add_argument("company", nargs="?", help="only circles touching this company (default: the whole graph)")
    p.add_argument("--neighbours", action="store_true", help="also the circles of its guarantee counterparties")
    p.add_argument("--mutual", action="store_true", help="mutual guarantee pairs (互保)")
    p.add_argument("--chains", action="store_true", help="guarantee chains of COMPANY")
    p.add_argument("--max-hops", type=int, default=4, help="longest chain (default 4)")
    p.add_argument("--active-on", help="only guarantees in force on this date (YYYY-MM-DD)")
    _common(p)

    p = subparsers.add_parser("exposure", help="companies within k hops of black-listed or closed entities")
    p.add_argument("company", nargs="?", help="this company's exposure (default: every exposed company)")
    p.add_argument("--hops", type=int, default=2)
    p.add_argument("--kinds", help="relationship kinds, comma-separated (default: equity,officer,supply,guarantee)")
    p.add_argument("--hub-degree", type=int, default=1000, help="do not walk through nodes with more relationships")
    p.add_argument("--clients-only", action="store_true")
    p.add_argument("--limit", type=int)
    _common(p)

    p = subparsers.add_parser("parks", help="industrial parks (园区), their companies and referral leads")
    p.add_argument("keyword", nargs="?", help="part of a park's name")
    p.add_argument("--industry", help="a park industry, e.g. 集成电路")
    p.add_argument("--region", help="province, city or district")
    p.add_argument("--park", help="list this park's companies (with --leads: only its leads)")
    p.add_argument(
        "--leads",
        action="store_true",
        help="non-client companies in parks with clients (in the parks KEYWORD, --industry and --region find)",
    )
    p.add_argument("--include-closed", action="store_true")
    p.add_argument("--limit", type=int, default=200)
    _common(p)

    p = subparsers.add_parser(
        "associations", help="trade associations and chambers (商会, 行业协会), their members and referral leads"
    )
    p.add_argument("keyword", nargs="?", help="part of an association's name, category or industry")
    p.add_argument("--region", help="province or city")
    p.add_argument("--association", help="list this association's members (with --leads: only its leads)")
    p.add_argument(
        "--leads",
        action="store_true",
        help="non-client members of associations where a client or a client's officer holds an office",
    )
    p.add_argument("--include-closed", action="store_true")
    p.add_argument("--limit", type=int, default=200)
    _common(p)

    p = subparsers.add_parser("match", help="match a client or prospect list (CSV/Excel) to graph companies")
    p.add_argument("file", type=Path)
    p.add_argument("--sheet", help="Excel sheet (default: the first)")
    p.add_argument("--threshold", type=float, default=85.0, help="fuzzy score needed, 0..100 (default 85)")
    p.add_argument("--no-fuzzy", action="store_true", help="exact and normalised names only")
    p.add_argument("-o", "--output", type=Path, help="write the report (.csv or .xlsx)")
    _encoding_option(p)
    _common(p)

    p = subparsers.add_parser("batch", help="introduction paths for a whole prospect list (批量关系排查)")
    p.add_argument("prospects", type=Path, help="CSV or Excel list with 企业名称 and/or 统一社会信用代码")
    p.add_argument("-o", "--output", type=Path, required=True, help="result.xlsx (sheets) or result.csv")
    _encoding_option(p)
    p.add_argument("--sheet")
    p.add_argument("--threshold", type=float, default=85.0, help="fuzzy name matching score (default 85)")
    p.add_argument("-k", type=int, default=3, help="paths per prospect (default 3)")
    p.add_argument("--max-hops", type=int)
    p.add_argument("--kinds", help="relationship kinds, comma-separated")
    p.add_argument("--min-warmth", type=float)
    p.add_argument("--manager", help="only clients of this relationship manager")
    p.add_argument("--branch", help="only clients of this branch")
    p.add_argument("--include-closed", action="store_true")
    p.add_argument("--include-blacklisted", action="store_true")
    _introduction_options(p)
    _common(p)


COMMANDS: dict[str, Handler] = {
    "supply": cmd_supply,
    "leads": cmd_leads,
    "owners": cmd_owners,
    "controller": cmd_controller,
    "related": cmd_related,
    "circles": cmd_circles,
    "exposure": cmd_exposure,
    "parks": cmd_parks,
    "associations": cmd_associations,
    "match": cmd_match,
    "batch": cmd_batch,
}
