"""商机 / Opportunities: the event feed, filtered by type, category, grade, region and date, with products."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError
from ui.context import Context
from ui.i18n import t
from ui.leads_ui import company_names, events_table, lead_store, shown_location
from ui.widgets import md

#: rows shown at most (the filters narrow the rest)
SHOWN = 500


def _options(values: Iterable[object]) -> list[str]:
    return sorted({str(v) for v in values if v is not None})


def render(ctx: Context) -> None:
    """The page: filters, counts, products signalled, the feed as a table."""
    lang = ctx.lang
    st.header(t("ev.title", lang))
    st.caption(t("ev.help", lang))
    try:
        store, location = lead_store(ctx)
        every = store.events()
    except GuanxiError as exc:
        st.error(md(t("error.generic", lang, error=exc)))
        return
    st.caption(md(t("ops.db", lang, where=shown_location(location))))
    if every.empty:
        st.info(t("ops.empty", lang))
        return
    left, middle, right = st.columns(3)
    types = left.multiselect(
        t("ev.types", lang), _options(every["event_type"]), key="ev_types", placeholder=t("ev.all", lang)
    )
    categories = middle.multiselect(
        t("ev.categories", lang), _options(every["category"]), key="ev_categories", placeholder=t("ev.all", lang)
    )
    grades = right.multiselect(
        t("ev.grades", lang), _options(every["grade"]), key="ev_grades", placeholder=t("ev.all", lang)
    )
    first, second, third = st.columns(3)
    region = first.text_input(t("ev.region", lang), key="ev_region").strip()
    dates = sorted(str(d) for d in every["date"] if d)
    low = dt.date.fromisoformat(dates[0]) if dates else None
    high = dt.date.fromisoformat(dates[-1]) if dates else None
    since = second.date_input(t("ev.since", lang), value=low, key="ev_since")
    until = third.date_input(t("ev.until", lang), value=high, key="ev_until")
    try:
        found = store.events(
            since=since.isoformat() if isinstance(since, dt.date) else None,
            until=until.isoformat() if isinstance(until, dt.date) else None,
            types=types or None,
            categories=categories or None,
            grades=grades or None,
            region=region or None,
        )
    except GuanxiError as exc:
        st.error(md(t("error.generic", lang, error=exc)))
        return
    a, b, c = st.columns(3)
    a.metric(t("ev.count", lang), f"{len(found):,}")
    b.metric(t("ev.companies", lang), f"{found['company'].nunique():,}")
    products = [p for joined in found["products"] for p in str(joined or "").split("|") if p]
    c.metric(t("ev.products", lang), f"{len(set(products)):,}")
    if found.empty:
        st.warning(t("ev.none", lang))
        return
    if products:
        counts = pd.Series(products).value_counts().rename_axis(t("lcol.products", lang)).rename(t("ev.count", lang))
        st.bar_chart(counts.reset_index(), x=t("lcol.products", lang), y=t("ev.count", lang), horizontal=True)
    shown = found.head(SHOWN)
    if len(found) > SHOWN:
        st.caption(t("ev.shown", lang, n=f"{len(found):,}", shown=SHOWN))
    names = company_names(ctx, [str(k) for k in shown["company"]])
    st.dataframe(events_table(shown, names, lang), hide_index=True, width="stretch")
