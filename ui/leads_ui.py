"""What the 商机, 线索 and 看板 pages share: the lead database they open and the frames they show.

The lead database is ``GUANXI_LEADS_DB`` (a path or an SQLAlchemy URL);
on demo data without that setting it is ``leads.db`` in the demo folder, so
the demo never writes beside a user's real data. It is opened once per
location (``st.cache_resource``); reads are not cached, because moves change
them.

The frame builders are pure functions (tested directly): every value shown
from the data goes into ``st.dataframe`` cells or escaped Markdown, never
into Markdown or HTML as is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from graph.store import GraphStore
from leads.db import database_url, default_location
from leads.store import Lead, LeadStore
from loaders.ops_data import STATES
from ui.context import Context
from ui.i18n import Lang, t


def lead_location(ctx: Context) -> str:
    """Where the pages' lead database is: the setting, or the demo folder's file on demo data."""
    setting = os.environ.get("GUANXI_LEADS_DB", "").strip()
    if setting:
        return setting
    if ctx.info.kind == "demo":
        from loaders.demo import demo_dir

        return str(demo_dir() / "leads.db")
    return default_location()


@st.cache_resource(show_spinner=False)
def open_lead_store(location: str) -> LeadStore:
    """The lead store at ``location``, opened once per session of the server."""
    return LeadStore.open(location)


@st.cache_resource(show_spinner=False)
def _demo_filled(location: str, companies: int, _graph: GraphStore) -> bool:
    from leads.demo import fill_demo
    from loaders.demo import DEMO_SEED, demo_dir

    files = demo_dir() / f"c{companies}-s{DEMO_SEED}" / "files"
    fill_demo(open_lead_store(location), _graph, files, DEMO_SEED)
    return True


def lead_store(ctx: Context) -> tuple[LeadStore, str]:
    """The pages' lead store and where it is; on demo data (no ``GUANXI_LEADS_DB``) filled once from the demo
    graph's generated operational files (:mod:`leads.demo`)."""
    location = lead_location(ctx)
    store = open_lead_store(location)
    if ctx.info.kind == "demo" and not os.environ.get("GUANXI_LEADS_DB", "").strip():
        with st.spinner(t("ops.demo_filling", ctx.lang)):
            _demo_filled(location, ctx.info.companies, ctx.store)
    return store, location


def shown_location(location: str) -> str:
    """The location without a password, for a caption."""
    return database_url(location).render_as_string(hide_password=True)


def company_names(ctx: Context, keys: Sequence[str]) -> dict[str, str]:
    """Company key → name from the graph (keys not in the graph are left out)."""
    ids = [f"Company:{k}" for k in dict.fromkeys(keys)]
    return {n.key: n.name for n in ctx.store.get_nodes(ids).values()}


def events_table(events: pd.DataFrame, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    """Events as the page shows them: date, company, type, category, grade, products, amount, source, text."""
    sep = "、" if lang == "zh" else ", "
    rows = [
        {
            t("lcol.date", lang): r["date"] or "",
            t("col.company", lang): names.get(str(r["company"]), str(r["company"])),
            t("col.uscc", lang): r["company"],
            t("lcol.event_type", lang): r["event_type"],
            t("lcol.category", lang): r["category"] or "",
            t("lcol.grade", lang): r["grade"] or "",
            t("lcol.products", lang): sep.join(p for p in str(r["products"] or "").split("|") if p),
            t("lcol.amount", lang): r["amount"],
            t("lcol.source", lang): r["source"] or "",
            t("lcol.text", lang): r["text"] or "",
        }
        for r in events.to_dict("records")
    ]
    return pd.DataFrame(rows)


def leads_table(found: Sequence[Lead], lang: Lang) -> pd.DataFrame:
    """Leads as a board column shows them."""
    sep = "、" if lang == "zh" else ", "
    return pd.DataFrame(
        [
            {
                t("lcol.lead", lang): ld.id,
                t("col.company", lang): ld.name,
                t("lcol.tier", lang): ld.tier,
                t("lcol.score", lang): round(ld.score, 1),
                t("lcol.products", lang): sep.join(ld.products),
                t("col.branch", lang): ld.branch or "",
                t("lcol.joint", lang): ld.joint_manager or "",
                t("lcol.version", lang): ld.version,
                t("lcol.updated", lang): ld.updated_at[:19].replace("T", " "),
            }
            for ld in found
        ]
    )


def by_state(found: Sequence[Lead]) -> dict[str, list[Lead]]:
    """Leads per state, every state present (in the contract's order)."""
    out: dict[str, list[Lead]] = {s: [] for s in STATES}
    for ld in found:
        out.setdefault(ld.state, []).append(ld)
    return out
