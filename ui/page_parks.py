"""园区 / Parks: find industrial parks, see a park's companies (clients marked), and park referral leads.

A park referral lead is a company in a park where the bank has clients but
that is not a client itself; the clients in the same park (same industry
first) are the natural introducers.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError
from graph.model import Node
from queries.associations import AssociationLead
from queries.common import list_prop
from queries.parks import ParkCompanies, ParkLead, ParkSummary
from ui import cached
from ui.context import Context
from ui.i18n import Lang, t
from ui.render import park_height, park_html
from ui.widgets import list_sep, md, number_columns, show_graph, status_text, tm, translated, user_error, wan

#: at most this many companies are drawn around a park (clients first; two full rings); the table lists all
DRAWN = 22
#: rows of the all-parks lead list
ALL_LEADS = 200


def place(node: Node, lang: Lang) -> str:
    """Province, city and district, without repeats (上海市上海市浦东新区 → 上海市浦东新区)."""
    parts = list(dict.fromkeys(str(node.get(k)) for k in ("province", "city", "district") if node.get(k)))
    return "".join(parts) if lang == "zh" else " ".join(parts)


def parks_frame(found: tuple[ParkSummary, ...], lang: Lang) -> pd.DataFrame:
    """The parks found: name, level, where, industries, how many companies."""
    return pd.DataFrame(
        [
            {
                t("col.park", lang): s.park.name,
                t("col.level", lang): str(s.park.get("level") or ""),
                t("col.location", lang): place(s.park, lang),
                t("col.industries", lang): list_sep(lang).join(list_prop(s.park.props, "industries")),
                t("col.companies", lang): s.companies,
            }
            for s in found
        ]
    )


def companies_frame(park: ParkCompanies, lang: Lang) -> pd.DataFrame:
    """The park's companies, clients first: client, manager, branch, industry, capital, status."""
    return pd.DataFrame(
        [
            {
                t("col.company", lang): c.name,
                t("col.uscc", lang): c.key,
                t("col.client", lang): t("yes", lang) if c.is_client else "",
                t("col.manager", lang): c.manager or "",
                t("col.branch", lang): c.branch or "",
                t("col.industry", lang): str(c.get("industry") or ""),
                t("col.capital", lang): wan(c.get("registered_capital")),
                t("col.status", lang): status_text(c, lang),
            }
            for c in park.companies
        ]
    )


def leads_frame(leads: tuple[ParkLead, ...], lang: Lang, *, with_park: bool) -> pd.DataFrame:
    """Non-client companies in parks with clients, and which clients could introduce them."""
    rows = []
    for lead in leads:
        row: dict[str, object] = {}
        if with_park:
            row[t("col.park", lang)] = lead.park.name
        row.update(
            {
                t("col.company", lang): lead.company.name,
                t("col.uscc", lang): lead.company.key,
                t("col.industry", lang): str(lead.company.get("industry") or ""),
                t("col.same_industry", lang): lead.same_industry,
                t("col.introducers", lang): list_sep(lang).join(
                    f"{c.name}（{c.manager}）" if c.manager else c.name for c in lead.clients
                ),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def search(ctx: Context) -> tuple[ParkSummary, ...]:
    """The keyword, industry and region boxes; the parks they find."""
    lang = ctx.lang
    industries = cached.park_industries(ctx.store, ctx.key)
    a, b, c = st.columns([2, 1.4, 1.4])
    keyword = a.text_input(
        t("parks.keyword", lang),
        key="parks_keyword",
        placeholder=t("parks.keyword_hint", lang),
        persist_state="session",
    )
    industry = b.selectbox(
        t("parks.industry", lang),
        ["", *industries],
        format_func=lambda v: v or t("filter.anyone", lang),
        key=translated("parks_industry"),
        persist_state="session",
    )
    region = c.text_input(
        t("parks.region", lang), key="parks_region", placeholder=t("parks.region_hint", lang), persist_state="session"
    )
    return cached.parks(ctx.store, ctx.key, keyword.strip(), str(industry or ""), region.strip())


def show_park(ctx: Context, summary: ParkSummary, include_closed: bool) -> None:
    """One park: its facts, companies (drawn and listed), and its referral leads."""
    lang = ctx.lang
    park = cached.members(ctx.store, ctx.key, summary.park.id)
    leads = cached.leads_in_park(ctx.store, ctx.key, summary.park.id, include_closed)
    node = park.park
    st.subheader(md(node.name))
    facts = [str(node.get("level") or ""), place(node, lang), list_sep(lang).join(list_prop(node.props, "industries"))]
    st.caption("　·　".join(md(f) for f in facts if f))
    a, b, c = st.columns(3)
    a.metric(t("parks.companies", lang), f"{len(park.companies):,}")
    b.metric(t("parks.clients", lang), f"{len(park.clients):,}")
    c.metric(t("parks.leads", lang), f"{len(leads):,}")
    if not park.companies:
        st.info(t("parks.empty_park", lang))
        return
    st.markdown(f"**{t('parks.members', lang)}**")
    if len(park.companies) > DRAWN:
        st.caption(t("parks.drawn", lang, shown=DRAWN, n=len(park.companies)))
    height = park_height(len(park.companies[:DRAWN]))
    show_graph(park_html(park.park, park.companies[:DRAWN], lang, height=height), height)
    st.markdown(f"**{t('parks.company_list', lang)}**")
    st.dataframe(
        companies_frame(park, lang),
        hide_index=True,
        width="stretch",
        height=min(400, 38 + 35 * len(park.companies)),
        column_config=number_columns(lang, amounts=[t("col.capital", lang)]),
    )
    st.markdown(f"#### {t('parks.lead_title', lang)}")
    st.caption(t("parks.lead_help", lang))
    if not park.clients:
        st.info(t("parks.no_clients", lang))
    elif not leads:
        st.info(t("parks.no_leads", lang))
    else:
        st.dataframe(
            leads_frame(leads, lang, with_park=False),
            hide_index=True,
            width="stretch",
            height=min(420, 38 + 35 * len(leads)),
        )


def association_leads_frame(leads: tuple[AssociationLead, ...], lang: Lang) -> pd.DataFrame:
    """Non-client members of associations where a client or a client's officer holds an office, and who refers."""
    return pd.DataFrame(
        [
            {
                t("col.association", lang): lead.association.name,
                t("col.company", lang): lead.company.name,
                t("col.uscc", lang): lead.company.key,
                t("col.office", lang): lead.office(lang),
                t("col.referrers", lang): list_sep(lang).join(r.text(lang) for r in lead.referrers),
            }
            for lead in leads
        ]
    )


def show_association_leads(ctx: Context, include_closed: bool) -> None:
    """Association referral leads (商会, 行业协会) across every association, in an expander."""
    lang = ctx.lang
    with st.expander(t("assoc.lead_title", lang)):
        st.caption(t("assoc.lead_help", lang))
        try:
            leads = cached.association_leads(ctx.store, ctx.key, include_closed)
        except (GuanxiError, NotImplementedError) as exc:
            st.error(tm("error.generic", lang, error=user_error(exc, lang)))
            return
        if leads:
            shown = leads[:ALL_LEADS]
            st.caption(t("parks.all_leads_help", lang, n=len(leads), shown=len(shown)))
            st.dataframe(association_leads_frame(shown, lang), hide_index=True, width="stretch")
        else:
            st.info(t("assoc.no_leads", lang))


def render(ctx: Context) -> None:
    """The page: park search, the parks found, the chosen park, its leads, leads across every park, and
    association referral leads."""
    lang = ctx.lang
    st.header(t("parks.title", lang))
    st.caption(t("parks.help", lang))
    with st.sidebar:
        st.subheader(t("filter.title", lang))
        include_closed = st.checkbox(t("filter.include_closed", lang), key="parks_closed", persist_state="session")
    parks_part(ctx, include_closed)
    show_association_leads(ctx, include_closed)


def parks_part(ctx: Context, include_closed: bool) -> None:
    """Park search, the parks found, the chosen park and its leads, and leads across every park."""
    lang = ctx.lang
    try:
        found = search(ctx)
    except (GuanxiError, NotImplementedError) as exc:
        st.error(tm("error.generic", lang, error=user_error(exc, lang)))
        return
    if not found:
        if cached.parks(ctx.store, ctx.key, "", "", ""):
            st.warning(t("parks.none", lang))
            st.markdown(t("parks.try", lang))
        else:
            st.info(t("parks.no_parks", lang))
        return
    st.markdown(t("parks.found", lang, n=len(found)))
    st.dataframe(parks_frame(found, lang), hide_index=True, width="stretch", height=min(320, 38 + 35 * len(found)))
    by_id = {s.park.id: s for s in found}
    choice = st.selectbox(
        t("parks.pick", lang),
        list(by_id),
        format_func=lambda pid: f"{by_id[pid].park.name} · {t('parks.n_companies', lang, n=by_id[pid].companies)}",
        key=translated("parks_pick"),
    )
    if choice is None:
        return
    st.divider()
    show_park(ctx, by_id[str(choice)], include_closed)
    st.divider()
    with st.expander(t("parks.all_leads", lang)):
        every = cached.leads_in_park(ctx.store, ctx.key, None, include_closed)
        if every:
            st.caption(t("parks.all_leads_help", lang, n=len(every), shown=min(ALL_LEADS, len(every))))
            st.dataframe(leads_frame(every[:ALL_LEADS], lang, with_park=True), hide_index=True, width="stretch")
        else:
            st.info(t("parks.no_leads_anywhere", lang))
