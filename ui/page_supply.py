"""产业链 / Supply chain: a company's suppliers and customers tier by tier, its core partners, finance leads,
and the core enterprises it serves."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError
from graph.model import Node
from queries.format import money, percent
from queries.supply_chain import CoreService, Direction, Lead, Partner, SegmentLeads, SupplyChain, SupplyLink
from ui import cached
from ui.context import Context
from ui.i18n import Lang, t
from ui.render import LEGEND_BELOW, supply_chain_height, supply_chain_html, supply_view
from ui.widgets import (
    colon,
    downloads,
    entity_picker,
    list_sep,
    md,
    number_columns,
    one_language,
    show_graph,
    status_text,
    tm,
    user_error,
    wan,
)

MAX_TIERS = 4


def money_text(amount: float | None, lang: Lang) -> str:
    """An amount in the reader's format (¥1.2亿 / ¥120m); empty when unknown."""
    return "" if amount is None else money(amount, lang)


def _near(link: SupplyLink, partner: Partner) -> Node:
    """The end of ``link`` nearer the company (the partner one tier before)."""
    return link.customer if link.supplier.id == partner.company.id else link.supplier


def amounts(lang: Lang) -> dict[str, Any]:
    """The amount (in 万元) and share columns of the tier and lead tables: numbers, formatted for display."""
    return number_columns(lang, amounts=[t("col.amount", lang), t("col.paid", lang)], shares=[t("col.share", lang)])


def tier_frame(partners: tuple[Partner, ...], core: set[str], lang: Lang) -> pd.DataFrame:
    """One tier of one side: partner, client, core, amount, share, the partner it trades with, product, year."""
    rows = []
    for p in partners:
        link = p.best_link()
        share = p.share if p.tier == 1 else link.share
        rows.append(
            {
                t("col.company", lang): p.company.name,
                t("col.uscc", lang): p.company.key,
                t("col.client", lang): t("yes", lang) if p.company.is_client else "",
                t("col.manager", lang): p.company.manager or "",
                t("col.core", lang): "★" if p.company.id in core else "",
                t("col.amount", lang): wan(p.amount),
                t("col.share", lang): share,
                t("col.confirmed", lang): "✓" if p.confirmed else "",
                t("col.paid", lang): wan(p.paid),
                t("col.via", lang): _near(link, p).name if p.tier > 1 else "",
                t("col.product", lang): link.product or "",
                t("col.year", lang): link.year,
                t("col.status", lang): status_text(p.company, lang),
            }
        )
    frame = pd.DataFrame(rows)
    if len(frame) and partners[0].tier == 1:
        frame = frame.drop(columns=[t("col.via", lang)])
    return frame


def chain_frame(chain: SupplyChain, lang: Lang) -> pd.DataFrame:
    """Every partner on both sides with raw amounts and shares: what the downloads hold."""
    rows = []
    for direction, side in (("upstream", chain.suppliers), ("downstream", chain.customers)):
        for p in side:
            link = p.best_link()
            share = p.share if p.tier == 1 else link.share
            rows.append(
                {
                    t("col.side", lang): t(f"supply.side.{direction}", lang),
                    t("col.tier", lang): p.tier,
                    t("col.company", lang): p.company.name,
                    t("col.uscc", lang): p.company.key,
                    t("col.client", lang): t("yes", lang) if p.company.is_client else "",
                    t("col.amount_yuan", lang): p.amount,
                    t("col.share", lang): None if share is None else round(share, 4),
                    t("col.confirmed", lang): t("yes", lang) if p.confirmed else "",
                    t("col.paid_yuan", lang): p.paid,
                    t("col.via", lang): _near(link, p).name,
                    t("col.product", lang): link.product or "",
                    t("col.year", lang): link.year,
                }
            )
    return pd.DataFrame(rows)


def leads_frame(leads: tuple[Lead, ...], lang: Lang) -> pd.DataFrame:
    """Non-client partners of the company: the supply-chain-finance leads it anchors."""
    rows = []
    for lead in leads:
        anchor = lead.anchors[0]
        rows.append(
            {
                t("col.company", lang): lead.company.name,
                t("col.uscc", lang): lead.company.key,
                t("col.role", lang): t(f"supply.role.{lead.role}", lang),
                t("col.tier", lang): anchor.tier,
                t("col.via", lang): anchor.via.name if anchor.via is not None else "",
                t("col.amount", lang): wan(lead.amount),
                t("col.share", lang): anchor.share,
                t("col.industry", lang): str(lead.company.get("industry") or ""),
            }
        )
    return pd.DataFrame(rows)


def chain_words(links: tuple[SupplyLink, ...], lang: Lang) -> str:
    """``A —¥1.2亿→ B —¥3000万→ C``: a chain of sales with the amount of each."""
    if not links:
        return ""
    parts = [links[0].supplier.name]
    for link in links:
        amount = money_text(link.amount, lang)
        parts.append(f" —{amount}→ " if amount else " → ")
        parts.append(link.customer.name)
    return "".join(parts)


def served_frame(service: CoreService, lang: Lang) -> pd.DataFrame:
    """The core enterprises the company sells to, how far down, why they are core, the chain there."""
    return pd.DataFrame(
        [
            {
                t("col.core_enterprise", lang): s.core.name,
                t("col.uscc", lang): s.core.key,
                t("col.tier", lang): s.tier,
                t("col.client", lang): t("yes", lang) if s.core.is_client else "",
                t("col.manager", lang): s.core.manager or "",
                t("col.reason", lang): one_language(s.reason, lang),
                t("col.chain", lang): chain_words(s.chain, lang),
            }
            for s in service.served
        ]
    )


SIDES: tuple[Direction, ...] = ("upstream", "downstream")


def core_of(chain: SupplyChain, side: Direction, share: float) -> set[str]:
    """The direct suppliers (upstream) or customers (downstream) with at least ``share`` of the
    company's purchases or sales: its core partners, as :func:`queries.supply_chain.core_partners`."""
    return {p.company.id for p in chain.tier(1, side) if p.share is not None and p.share >= share}


def show_tiers(chain: SupplyChain, core_share: float, lang: Lang) -> None:
    """A tab per side and tier, each with its table (core partners starred)."""
    tabs: list[tuple[str, tuple[Partner, ...], set[str]]] = []
    for side in SIDES:
        core = core_of(chain, side, core_share)
        for n in range(1, chain.tiers + 1):
            partners = chain.tier(n, side)
            if partners:
                tabs.append((t(f"supply.tab.{side}", lang, tier=n, n=len(partners)), partners, core))
    if not tabs:
        return
    st.caption(t("supply.share_help", lang))
    for tab, (_, partners, core) in zip(st.tabs([label for label, _, _ in tabs]), tabs, strict=True):
        with tab:
            frame = tier_frame(partners, core, lang)
            st.dataframe(frame, hide_index=True, width="stretch", column_config=amounts(lang))


def show_leads(ctx: Context, company: Node, tiers: int, is_core: bool) -> None:
    """Supply-chain-finance leads anchored on the company (a client), or why there are none."""
    lang = ctx.lang
    st.markdown(f"#### {t('supply.leads', lang)}")
    if not company.is_client:
        st.info(t("supply.leads_not_client", lang))
        return
    if not is_core:
        st.caption(t("supply.leads_not_core", lang))
    else:
        st.caption(t("supply.leads_help", lang))
    leads = cached.supply_leads(ctx.store, ctx.key, company.id, tiers)
    if not leads:
        st.info(t("supply.no_leads", lang, tiers=tiers))
        return
    st.markdown(t("supply.leads_found", lang, n=len(leads)))
    st.dataframe(
        leads_frame(leads, lang),
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(leads)),
        column_config=amounts(lang),
    )


def segment_frame(found: SegmentLeads, lang: Lang) -> pd.DataFrame:
    """Non-clients in the segments up- and downstream of the company's, each with its warmest introduction."""
    rows = []
    for lead in found.leads:
        intro = lead.introduction
        rows.append(
            {
                t("col.company", lang): lead.company.name,
                t("col.uscc", lang): lead.company.key,
                t("col.segment", lang): f"{lead.segment.get('chain') or ''}·{lead.segment.name}",
                t("col.side", lang): t(f"supply.side.{lead.side}", lang),
                t("col.trades", lang): t("yes", lang) if lead.trades else "",
                t("col.introducer", lang): "" if intro is None else intro.introducer.name,
                t("col.warmth", lang): None if intro is None else round(intro.warmth, 3),
                t("col.path", lang): ""
                if intro is None
                else (intro.sentence_zh if lang == "zh" else intro.sentence_en),
            }
        )
    return pd.DataFrame(rows)


def show_segment_leads(ctx: Context, company: Node) -> None:
    """Leads by industry-chain segment: non-clients up- and downstream of the company's segments."""
    lang = ctx.lang
    st.markdown(f"#### {t('segment.leads', lang)}")
    found = cached.segment_leads(ctx.store, ctx.key, company.id)
    if not found.segments:
        st.info(t("segment.none", lang))
        return
    names = list_sep(lang).join(f"{s.get('chain') or ''}·{s.name}" for s in found.segments)
    st.caption(t("segment.help", lang, segments=md(names)))
    if not found.leads:
        st.info(t("segment.no_leads", lang))
        return
    st.markdown(t("segment.found", lang, n=len(found.leads)))
    st.dataframe(
        segment_frame(found, lang), hide_index=True, width="stretch", height=min(420, 38 + 35 * len(found.leads))
    )
    for note in found.notes:
        st.caption(one_language(note, lang))


def show_served(ctx: Context, company: Node, tiers: int) -> None:
    """Which core enterprises the company sells to, directly or through its customers."""
    lang = ctx.lang
    st.markdown(f"#### {t('supply.served', lang)}")
    service = cached.served(ctx.store, ctx.key, company.id, tiers)
    if service.own_reason:
        st.caption(tm("supply.is_core", lang, reason=one_language(service.own_reason, lang)))
    if not service.served:
        st.info(t("supply.serves_none", lang, tiers=tiers))
        return
    st.markdown(t("supply.serves", lang, n=len(service.served), tiers=tiers))
    st.dataframe(served_frame(service, lang), hide_index=True, width="stretch")


def render(ctx: Context) -> None:
    """The page: company search, tiers and drawing options (sidebar), drawing, tier tables, leads, core enterprises."""
    lang = ctx.lang
    st.header(t("supply.title", lang))
    st.caption(t("supply.help", lang))
    with st.sidebar:
        st.subheader(t("filter.title", lang))
        tiers = int(st.slider(t("supply.tiers", lang), 1, MAX_TIERS, 2, key="supply_tiers", persist_state="session"))
        core_share = float(
            st.slider(
                t("supply.core_share", lang), 0.05, 0.5, 0.1, step=0.05, key="supply_core", persist_state="session"
            )
        )
        per_tier = int(st.slider(t("supply.per_tier", lang), 3, 30, 10, key="supply_per_tier", persist_state="session"))
    example = cached.supply_example(ctx.store, ctx.key)
    company = entity_picker(ctx, "supply", t("supply.company", lang), labels=("Company",), default=example)
    if company is None:
        if example is None:
            st.info(t("supply.no_example", lang))
        return
    try:
        chain = cached.supply(ctx.store, ctx.key, company.id, tiers)
        census = cached.core_census(ctx.store, ctx.key)
    except (GuanxiError, NotImplementedError) as exc:
        st.error(tm("error.generic", lang, error=user_error(exc, lang)))
        return
    st.subheader(tm("supply.company_title", lang, name=company.name, key=company.key))
    facts = []
    if company.is_client:
        facts.append(t("supply.client", lang, manager=md(company.manager or t("card.none", lang))))
    reason = census.reasons.get(company.id)
    if reason:
        facts.append(t("supply.core_enterprise", lang, reason=md(one_language(reason, lang))))
    if facts:
        st.markdown("　·　".join(facts))
    a, b, c, d = st.columns(4)
    a.metric(t("supply.purchases", lang), money_text(chain.purchases, lang) or "–")
    b.metric(t("supply.sales", lang), money_text(chain.sales, lang) or "–")
    a_count, b_count = len(chain.tier(1, "upstream")), len(chain.tier(1, "downstream"))
    c.metric(t("supply.suppliers", lang), f"{a_count:,}", t("supply.all_tiers", lang, n=len(chain.suppliers)))
    d.metric(t("supply.customers", lang), f"{b_count:,}", t("supply.all_tiers", lang, n=len(chain.customers)))
    if not chain.suppliers and not chain.customers:
        st.warning(t("supply.empty", lang))
        st.markdown(t("supply.try", lang))
    else:
        view = supply_view(chain, per_tier)
        height = supply_chain_height(view)
        st.markdown(f"#### {t('supply.graph', lang)}")
        if view.hidden:
            st.caption(t("supply.hidden", lang, shown=len(view.partners), hidden=view.hidden, per_tier=per_tier))
        drawing = supply_chain_html(chain, lang, core_share=core_share, per_tier=per_tier, height=height)
        show_graph(drawing, height + LEGEND_BELOW)
        core = [
            p.company.name
            for side in SIDES
            for p in chain.tier(1, side)
            if p.company.id in core_of(chain, side, core_share)
        ]
        if core:
            names = list_sep(lang).join(dict.fromkeys(core))
            st.markdown(f"**{t('supply.core_partners', lang, share=percent(core_share))}**{colon(lang)}{md(names)}")
        else:
            st.caption(t("supply.no_core_partners", lang, share=percent(core_share)))
        show_tiers(chain, core_share, lang)
        downloads(chain_frame(chain, lang), f"supply-chain-{company.key}", lang, "supply_download")
    st.divider()
    show_leads(ctx, company, tiers, reason is not None)
    show_segment_leads(ctx, company)
    show_served(ctx, company, tiers)
