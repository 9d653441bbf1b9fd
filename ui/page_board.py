"""看板 / Dashboard: the lead funnel, conversion by branch and by RM, events by type and by province.

The funnel counts the leads that reached each state (from their history: a
lead now 已落地 passed 跟进中 and 拟合作). Conversion is the share of a
branch's or an RM's leads that landed (已落地).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError
from leads.monitor import events_by
from leads.tables import OPEN_STATES
from loaders.ops_data import STATES
from ui.context import Context
from ui.i18n import Lang, t
from ui.leads_ui import lead_store, shown_location
from ui.widgets import md

#: the first two digits of an administrative division code: the province (GB/T 2260)
PROVINCES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip
LANDED = STATES[3]


def funnel(leads: pd.DataFrame, reached: pd.DataFrame) -> pd.DataFrame:
    """Leads that reached each state, in the contract's order (a lead's current state counts as reached)."""
    pairs = pd.concat(
        [reached[["lead_id", "state"]], leads[["id", "state"]].rename(columns={"id": "lead_id"})]
    ).drop_duplicates()
    counts = pairs.groupby("state")["lead_id"].nunique()
    return pd.DataFrame({"state": list(STATES), "leads": [int(counts.get(s, 0)) for s in STATES]})


def conversion(leads: pd.DataFrame, reached: pd.DataFrame, by: str, lang: Lang) -> pd.DataFrame:
    """Per branch or manager: leads, open, landed and the landed share; unassigned leads as their own row."""
    landed_ids = set(reached.loc[reached["state"] == LANDED, "lead_id"]) | set(
        leads.loc[leads["state"] == LANDED, "id"]
    )
    data = leads.assign(
        group=leads[by].fillna(t("lead.unassigned", lang)),
        open=leads["state"].isin(OPEN_STATES),
        landed=leads["id"].isin(landed_ids),
    )
    table = data.groupby("group").agg(total=("id", "size"), open=("open", "sum"), landed=("landed", "sum"))
    table["rate"] = (table["landed"] / table["total"]).round(3)
    table = table.sort_values(["total", "landed"], ascending=False).reset_index()
    return table.rename(
        columns={
            "group": t("col.branch" if by == "branch" else "col.manager", lang),
            "total": t("lcol.leads", lang),
            "open": t("lcol.open", lang),
            "landed": t("lcol.landed", lang),
            "rate": t("lcol.conversion", lang),
        }
    )


def states_by(leads: pd.DataFrame, by: str, lang: Lang, top: int = 20) -> pd.DataFrame:
    """Leads per group and current state (long format, for a stacked bar chart); the ``top`` largest groups."""
    group = t("col.branch" if by == "branch" else "col.manager", lang)
    data = leads.assign(group=leads[by].fillna(t("lead.unassigned", lang)))
    largest = data["group"].value_counts().head(top).index
    counts = data[data["group"].isin(largest)].groupby(["group", "state"]).size().reset_index(name="n")
    return counts.rename(columns={"group": group, "state": t("lcol.state", lang), "n": t("lcol.leads", lang)})


def province_label(code: object) -> str:
    """``32 江苏`` for a province code; ``—`` when there is none."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "—"
    return f"{code} {PROVINCES.get(str(code), '')}".strip()


def render(ctx: Context) -> None:
    """The page: headline numbers, funnel, conversion tables, event charts."""
    lang = ctx.lang
    st.header(t("board.title", lang))
    st.caption(t("board.help", lang))
    try:
        store, location = lead_store(ctx)
        leads = store.lead_frame()
        reached = store.reached()
        events = store.events()
    except GuanxiError as exc:
        st.error(md(t("error.generic", lang, error=exc)))
        return
    st.caption(md(t("ops.db", lang, where=shown_location(location))))
    if leads.empty:
        st.info(t("ops.no_leads", lang))
    else:
        shape = funnel(leads, reached)
        landed = int(shape.loc[shape["state"] == LANDED, "leads"].iloc[0])
        a, b, c, d = st.columns(4)
        a.metric(t("board.total", lang), f"{len(leads):,}")
        b.metric(t("board.open", lang), f"{int(leads['state'].isin(OPEN_STATES).sum()):,}")
        c.metric(t("board.landed", lang), f"{landed:,}")
        d.metric(t("board.rate", lang), f"{landed / len(leads):.1%}")
        st.subheader(t("board.funnel", lang))
        chart = shape.rename(columns={"state": t("lcol.state", lang), "leads": t("lcol.leads", lang)})
        st.bar_chart(chart, x=t("lcol.state", lang), y=t("lcol.leads", lang), horizontal=True, sort=False)
        left, right = st.columns(2)
        for column, by, title in ((left, "branch", "board.by_branch"), (right, "manager", "board.by_manager")):
            with column:
                st.subheader(t(title, lang))
                stacked = states_by(leads, by, lang)
                st.bar_chart(
                    stacked,
                    x=stacked.columns[0],
                    y=t("lcol.leads", lang),
                    color=t("lcol.state", lang),
                    horizontal=True,
                )
                st.dataframe(
                    conversion(leads, reached, by, lang),
                    hide_index=True,
                    width="stretch",
                    column_config={t("lcol.conversion", lang): st.column_config.NumberColumn(format="percent")},
                )
    if events.empty:
        st.info(t("ops.empty", lang))
        return
    left, right = st.columns(2)
    with left:
        st.subheader(t("board.events_type", lang))
        by_type = events_by(events, ["event_type"]).rename(
            columns={"event_type": t("lcol.event_type", lang), "events": t("ev.count", lang)}
        )
        st.bar_chart(by_type, x=t("lcol.event_type", lang), y=t("ev.count", lang), horizontal=True)
    with right:
        st.subheader(t("board.events_region", lang))
        by_region = events_by(events, ["province"])
        by_region["province"] = [province_label(p) for p in by_region["province"]]
        by_region = by_region.rename(columns={"province": t("lcol.region", lang), "events": t("ev.count", lang)})
        st.bar_chart(by_region, x=t("lcol.region", lang), y=t("ev.count", lang), horizontal=True)
