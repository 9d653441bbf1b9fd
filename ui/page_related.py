"""关联方与担保 / Related parties & guarantees: who owns and controls a company, its related parties,
the guarantee circles and chains it is on, and black-listed or closed entities near it.

Sections follow one another on one page (a risk officer reads it top to
bottom, and drawings in hidden tabs would be laid out at zero size):
beneficial owners with the arithmetic and the actual controller with the
reason, the equity drawing, the same-controller group, the related parties,
guarantees, exposure.
"""

from __future__ import annotations

import itertools

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError
from graph.model import Node
from queries.common import is_state_body
from queries.format import money, percent, status
from queries.guarantees import EXPOSURE_KINDS, Circle, Exposure, GuaranteeChain, GuaranteeChains
from queries.ownership import (
    BeneficialOwner,
    Chain,
    ControlGroup,
    Controller,
    FormerHolder,
    RelatedParties,
    UltimateOwners,
)
from ui import cached
from ui.context import Context
from ui.i18n import STRINGS, Lang, t
from ui.render import (
    exposure_height,
    exposure_html,
    guarantee_height,
    guarantee_html,
    ownership_height,
    ownership_html,
)
from ui.widgets import (
    entity_picker,
    kind_name,
    kinds_default,
    list_sep,
    md,
    number_columns,
    one_language,
    show_graph,
    status_text,
    tm,
    translated,
    user_error,
)

#: at most this many paths to flagged entities are drawn, the nearest (the table lists all)
EXPOSURE_DRAWN = 12
#: how :func:`queries.ownership.ultimate_owners` begins its note on stakes a missing ratio hides; the
#: note lists the names in its English half only, so the page words it from ``UltimateOwners.unknown``
OWNERSHIP_PREFIX = "以下自然人或国资主体的穿透持股因比例缺失无法计算"


def flag_words(codes: tuple[str, ...], lang: Lang) -> str:
    """Why an entity is flagged, in words: 黑名单、注销 / black-listed, deregistered."""
    return list_sep(lang).join(t("cat.blacklisted", lang) if c == "blacklisted" else status(c, lang) for c in codes)


def what_of(node: Node, lang: Lang) -> str:
    """Person, company or state body."""
    if node.label == "Person":
        return t("related.person", lang)
    if is_state_body(node):
        return t("related.state", lang)
    return (
        t(f"label.{node.label}", lang)
        if node.label not in ("Person",) and f"label.{node.label}" in STRINGS
        else node.label
    )


# -- owners and controller --------------------------------------------------------------------------
def chain_lines(chain: Chain) -> tuple[str, str]:
    """``张三 —60%→ A —50%→ B`` and ``60% × 50% = 30%``: a chain of holdings and its arithmetic."""
    parts = [chain.nodes[0].name]
    for node, ratio in zip(chain.nodes[1:], chain.ratios, strict=True):
        parts.append(f" —{percent(ratio)}→ {node.name}")
    arithmetic = " × ".join(percent(r) for r in chain.ratios)
    return "".join(parts), f"{arithmetic} = {percent(chain.product)}"


def owner_card(owner: BeneficialOwner, lang: Lang) -> None:
    """One beneficial owner: who, on what basis, how much, and the chains with their arithmetic."""
    with st.container(border=True):
        basis = t(f"related.basis.{owner.basis}", lang)
        stake = f" · {percent(owner.stake)}" if owner.stake is not None else ""
        st.markdown(f"**{md(owner.owner.name)}** · {t(f'related.kind.{owner.kind}', lang)} · {basis}{stake}")
        if owner.basis != "ownership":
            st.caption(md(owner.explanation(lang)))
            return
        for chain in owner.chains:
            path, arithmetic = chain_lines(chain)
            st.markdown(f"{md(path)}  \n`{arithmetic}`")
        hidden = owner.chain_count - len(owner.chains)
        if hidden > 0:
            st.caption(t("related.more_chains", lang, n=hidden))
        if len(owner.chains) > 1 or hidden > 0:
            loop = None if owner.simple_total is None or owner.stake is None else owner.stake - owner.simple_total
            if loop is not None and loop > 1e-9:
                st.markdown(t("related.total_loop", lang, total=percent(owner.stake), loop=percent(loop)))
            else:
                st.markdown(t("related.total", lang, total=percent(owner.stake)))


def show_owners(ubo: UltimateOwners, lang: Lang) -> None:
    """The beneficial owners as cards, those a missing ratio hides, the notes."""
    st.markdown(f"#### {t('related.owners', lang, threshold=percent(ubo.threshold))}")
    if ubo.owners:
        for owner in ubo.owners:
            owner_card(owner, lang)
    else:
        st.info(t("related.no_owners", lang, threshold=percent(ubo.threshold)))
    if ubo.unknown:
        names = list_sep(lang).join(n.name for n in ubo.unknown)
        st.warning(tm("related.unknown_owners", lang, names=names))
    for note in ubo.notes:
        if not note.startswith(OWNERSHIP_PREFIX):
            st.caption(md(one_language(note, lang)))


def show_former(former: tuple[FormerHolder, ...], lang: Lang) -> None:
    """Holders and partners that have exited: history, apart from the owners."""
    if not former:
        return
    with st.expander(t("related.former", lang, n=len(former))):
        st.caption(t("related.former_help", lang))
        frame = pd.DataFrame(
            [
                {
                    t("col.former_holder", lang): f.holder.name,
                    t("col.former_as", lang): f.what(lang),
                    t("col.stake", lang): f.ratio,
                    t("col.exit_date", lang): f.until,
                }
                for f in former
            ]
        )
        st.dataframe(
            frame, hide_index=True, width="stretch", column_config=number_columns(lang, shares=[t("col.stake", lang)])
        )


def show_controller(ctrl: Controller, lang: Lang) -> None:
    """The actual controller with the control chain, or why none was identified."""
    st.markdown(f"#### {t('related.controller', lang)}")
    with st.container(border=True):
        if ctrl.controller is None:
            st.markdown(f"**{t('related.no_controller', lang)}**")
            st.caption(md(ctrl.reason(lang)))
            return
        kind = t(f"related.kind.{ctrl.kind}", lang) if ctrl.kind else ""
        names = ("、" if lang == "zh" else ", ").join(n.name for n in ctrl.controllers)  # a family controls together
        st.markdown(f"**{md(names)}** · {kind}")
        if ctrl.chain:
            st.markdown(t("related.because", lang))
            st.markdown("\n".join(f"{i}. {md(step.text(lang))}" for i, step in enumerate(ctrl.chain, start=1)))
        else:
            st.caption(md(ctrl.reason(lang)))


def group_frame(group: ControlGroup, lang: Lang) -> pd.DataFrame:
    """The companies under the same controller: who controls each, with how much, on which rule."""
    return pd.DataFrame(
        [
            {
                t("col.company", lang): m.company.name,
                t("col.uscc", lang): m.company.key,
                t("col.controlled_by", lang): m.parent.name,
                t("col.stake", lang): m.ratio,
                t("col.rule", lang): t(f"related.rule.{m.rule}", lang),
                t("col.depth", lang): m.depth,
                t("col.client", lang): t("yes", lang) if m.company.is_client else "",
                t("col.manager", lang): m.company.manager or "",
            }
            for m in group.members
        ]
    )


def show_group(group: ControlGroup, company: Node, lang: Lang) -> None:
    """The same-controller group, or why there is none."""
    st.markdown(f"#### {t('related.group', lang)}")
    if group.root is None:
        st.info(t("related.no_group", lang))
        return
    others = [m for m in group.members if m.company.id != company.id]
    st.markdown(t("related.group_found", lang, root=md(group.root.name), n=len(group.members)))
    if group.family:
        names = ("、" if lang == "zh" else ", ").join(n.name for n in group.family)
        st.caption(t("related.group_family", lang, names=md(names)))
    for note in group.notes:
        st.caption(md(one_language(note, lang)))
    if not others:
        st.caption(t("related.group_alone", lang))
    if group.members:
        st.dataframe(
            group_frame(group, lang),
            hide_index=True,
            width="stretch",
            height=min(400, 38 + 35 * len(group.members)),
            column_config=number_columns(lang, shares=[t("col.stake", lang)]),
        )


# -- related parties ----------------------------------------------------------------------------------
def parties_frame(parties: RelatedParties, lang: Lang) -> pd.DataFrame:
    """Every related party with every reason it is one."""
    rows = []
    for p in parties.parties:
        node = p.party
        rows.append(
            {
                t("col.party", lang): node.name,
                t("col.what", lang): what_of(node, lang),
                t("col.key", lang): node.key,
                t("col.reasons", lang): ("；" if lang == "zh" else "; ").join(
                    r.zh if lang == "zh" else r.en for r in p.reasons
                ),
                t("col.client", lang): t("yes", lang) if node.is_client else "",
                t("col.risk", lang): status_text(node, lang),
            }
        )
    return pd.DataFrame(rows)


def show_parties(parties: RelatedParties, lang: Lang) -> None:
    """The related-party list, with a warning when some of them are flagged."""
    st.markdown(f"#### {t('related.parties', lang)}")
    for note in parties.notes:
        text = one_language(note, lang)
        (st.warning if "黑名单" in note else st.caption)(md(text))
    if not parties.parties:
        st.info(t("related.no_parties", lang))
        return
    people = sum(p.party.label == "Person" for p in parties.parties)
    st.markdown(t("related.parties_found", lang, n=len(parties.parties), people=people))
    st.dataframe(
        parties_frame(parties, lang),
        hide_index=True,
        width="stretch",
        height=min(460, 38 + 35 * len(parties.parties)),
        column_config={t("col.reasons", lang): st.column_config.TextColumn(width="large")},
    )


# -- guarantees ---------------------------------------------------------------------------------------
def circle_line(circle: Circle, lang: Lang) -> str:
    """``担保圈 · 5 家 · 担保总额 ¥1.6亿 · 存量客户 2 家``, with closed and black-listed members when any."""
    parts = [
        t(f"related.circle.{circle.kind}", lang),
        t("related.members", lang, n=len(circle.members)),
        t("related.circle_total", lang, amount=money(circle.total_amount, lang)),
        t("related.circle_clients", lang, n=len(circle.clients)),
    ]
    if circle.unknown_amounts:
        parts.append(t("related.unknown_amounts", lang, n=circle.unknown_amounts))
    if circle.closed:
        parts.append(t("related.circle_closed", lang, n=len(circle.closed)))
    if circle.blacklisted:
        parts.append(t("related.circle_black", lang, n=len(circle.blacklisted)))
    return " · ".join(parts)


def chain_text(chain: GuaranteeChain, lang: Lang) -> str:
    """``A ←¥5000万— B ←¥1亿— C``: a chain of guarantees with the amount of each hop."""
    parts = [chain.nodes[0].name]
    others = [*chain.nodes[1:], *([chain.closes] if chain.closes is not None else [])]
    for node, amount in zip(others, chain.amounts, strict=False):
        words = money(amount, lang) if amount is not None else "?"
        parts.append(f" ←{words}— " if chain.direction == "guarantors" else f" —{words}→ ")
        parts.append(node.name)
    if chain.closes is not None:
        parts.append(t("related.closes", lang))
    return "".join(parts)


def chains_frame(found: GuaranteeChains, lang: Lang) -> pd.DataFrame:
    """Every guarantee chain: direction, the chain with amounts, hops, whether it runs into a circle."""
    return pd.DataFrame(
        [
            {
                t("col.direction", lang): t(f"related.direction.{c.direction}", lang),
                t("col.chain", lang): chain_text(c, lang),
                t("col.hops", lang): len(c.links),
                t("col.circular", lang): t("yes", lang) if c.closes is not None else "",
            }
            for c in found.chains
        ]
    )


def show_guarantees(ctx: Context, company: Node, hops: int) -> None:
    """Circles through the company or its counterparties, drawn with the chains; the chains as a table."""
    lang = ctx.lang
    st.markdown(f"#### {t('related.guarantees', lang)}")
    circles = cached.circles(ctx.store, ctx.key, company.id)
    found = cached.chains(ctx.store, ctx.key, company.id, hops)
    if not circles and not found.chains:
        st.info(t("related.no_guarantees", lang))
        return
    own = [c for c in circles if company.id in c.ids]
    if own:
        st.warning(t("related.in_circle", lang, what=t(f"related.circle.{own[0].kind}", lang)))
    elif circles:
        st.info(t("related.near_circle", lang, n=len(circles)))
    else:
        st.caption(t("related.no_circle", lang))
    for i, circle in enumerate(circles, start=1):
        with st.container(border=True):
            st.markdown(f"**{i}. {circle_line(circle, lang)}**")
            st.caption(md(list_sep(lang).join(m.name + ("★" if m.id == company.id else "") for m in circle.members)))
    height = guarantee_height(circles, found.chains)
    show_graph(guarantee_html(company, circles, found.chains, lang, height=height), height)
    if found.chains:
        st.markdown(f"**{t('related.chains', lang, n=len(found.chains), hops=hops)}**")
        if found.truncated:
            st.caption(t("related.chains_cut", lang, n=len(found.chains)))
        st.dataframe(
            chains_frame(found, lang),
            hide_index=True,
            width="stretch",
            height=min(360, 38 + 35 * len(found.chains)),
            column_config={t("col.chain", lang): st.column_config.TextColumn(width="large")},
        )
    else:
        st.caption(t("related.no_chains", lang))


# -- exposure ----------------------------------------------------------------------------------------
def exposure_frame(found: Exposure, lang: Lang) -> pd.DataFrame:
    """Each flagged entity near the company: why it is flagged, how far, the path in words."""
    return pd.DataFrame(
        [
            {
                t("col.flagged", lang): h.flagged.name,
                t("col.what", lang): what_of(h.flagged, lang),
                t("col.risk", lang): flag_words(h.flags, lang),
                t("col.hops", lang): h.hops,
                t("col.sentence", lang): h.sentence(lang),
            }
            for h in found.hits
        ]
    )


def show_exposure(ctx: Context, company: Node, hops: int, kinds: tuple[str, ...]) -> None:
    """Black-listed and closed entities within ``hops``, the paths drawn and told."""
    lang = ctx.lang
    st.markdown(f"#### {t('related.exposure', lang, hops=hops)}")
    found = cached.exposed(ctx.store, ctx.key, company.id, hops, kinds)
    if found.own_flags:
        st.error(tm("related.own_flags", lang, name=company.name, flags=flag_words(found.own_flags, lang)))
    if not found.hits:
        st.success(t("related.no_exposure", lang, hops=hops))
        st.caption(t("related.exposure_try", lang))
        return
    black = sum("blacklisted" in h.flags for h in found.hits)
    st.warning(t("related.exposure_found", lang, n=len(found.hits), black=black, hops=hops))
    shown = list(itertools.islice(found.hits, EXPOSURE_DRAWN))
    height = exposure_height(shown)
    show_graph(exposure_html(shown, lang, height=height), height)
    if len(found.hits) > len(shown):
        st.caption(t("related.exposure_cut", lang, shown=len(shown), n=len(found.hits)))
    st.dataframe(
        exposure_frame(found, lang),
        hide_index=True,
        width="stretch",
        height=min(400, 38 + 35 * len(found.hits)),
        column_config={t("col.sentence", lang): st.column_config.TextColumn(width="large")},
    )


def render(ctx: Context) -> None:
    """The page: company search, options (sidebar), then owners, controller, group, parties, guarantees, exposure."""
    lang = ctx.lang
    st.header(t("related.title", lang))
    st.caption(t("related.help", lang))
    types = list(ctx.store.schema.types)
    with st.sidebar:
        st.subheader(t("filter.title", lang))
        threshold = float(
            st.slider(
                t("related.threshold", lang), 0.05, 0.5, 0.25, step=0.05, key="related_ubo", persist_state="session"
            )
        )
        chain_hops = int(
            st.slider(t("related.chain_hops", lang), 1, 6, 3, key="related_chain_hops", persist_state="session")
        )
        hops = int(
            st.slider(
                t("related.hops", lang),
                1,
                4,
                cached.EXAMPLE_EXPOSURE_HOPS,
                key="related_hops",
                persist_state="session",
            )
        )
        kinds = st.multiselect(
            t("related.exposure_kinds", lang),
            types,
            default=kinds_default("related_kinds", [k for k in EXPOSURE_KINDS if k in types]),
            format_func=lambda x: kind_name(x, ctx),
            key=translated("related_kinds"),
            persist_state="session",
        )
    example = cached.related_example(ctx.store, ctx.key)
    company = entity_picker(ctx, "related", t("related.company", lang), labels=("Company",), default=example)
    if company is None:
        return
    st.subheader(tm("related.company_title", lang, name=company.name, key=company.key))
    try:
        ubo = cached.owners(ctx.store, ctx.key, company.id, threshold)
        group = cached.group(ctx.store, ctx.key, company.id)
        parties = cached.related(ctx.store, ctx.key, company.id, threshold)
    except GuanxiError as exc:
        st.error(tm("error.generic", lang, error=user_error(exc, lang)))
        return
    ctrl = group.controller
    left, right = st.columns([3, 2])
    with left:
        show_owners(ubo, lang)
        show_former(cached.former(ctx.store, ctx.key, company.id), lang)
    with right:
        if ctrl is not None:
            show_controller(ctrl, lang)
    height = ownership_height(company, ubo.owners, ctrl)
    drawing = ownership_html(company, ubo.owners, ctrl, lang, height=height)
    if drawing:
        st.markdown(f"**{t('related.equity_graph', lang)}**")
        st.caption(t("related.equity_help", lang))
        show_graph(drawing, height)
    show_group(group, company, lang)
    st.divider()
    show_parties(parties, lang)
    st.divider()
    show_guarantees(ctx, company, chain_hops)
    st.divider()
    if kinds:
        show_exposure(ctx, company, hops, tuple(kinds))
    else:
        st.warning(t("filter.choose_kind", lang))
