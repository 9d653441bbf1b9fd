"""线索 / Leads: one relationship manager's board by state, moves with the version check, the path card.

The board lists the manager's leads in one tab per state. A picked lead
shows its facts (tier, score and its breakdown, products, events, why it
came here, the introducer and a joint visit), buttons for the moves the
rules allow, a note, its history, and — one click — the warmest
introduction paths as the 谁能引荐 page draws them.

A move carries the version the user saw when the buttons were drawn: when
someone else changed the lead in between, the move is refused with who and
when, and the board reloads; nothing is overwritten.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError
from graph.model import node_id
from leads.errors import StaleLead
from leads.store import Lead, LeadStore
from leads.workflow import add_note, allowed_moves, move
from loaders.ops_data import STATES
from ui.context import Context
from ui.i18n import Lang, t
from ui.leads_ui import by_state, lead_store, leads_table, shown_location
from ui.widgets import colon, md, path_cards

#: the select-box value of the unassigned queue
UNASSIGNED = "\x00unassigned"
FLASH = "lead_flash"


def _flash() -> None:
    kind, text = st.session_state.pop(FLASH, (None, None))
    if kind == "success":
        st.success(md(str(text)))
    elif kind == "error":
        st.error(md(str(text)))


def render(ctx: Context) -> None:
    """The page: manager, the board by state, the picked lead with moves, history and path."""
    lang = ctx.lang
    st.header(t("lead.title", lang))
    st.caption(t("lead.help", lang))
    try:
        store, location = lead_store(ctx)
        every = store.lead_frame()
    except GuanxiError as exc:
        st.error(md(t("error.generic", lang, error=exc)))
        return
    st.caption(md(t("ops.db", lang, where=shown_location(location))))
    _flash()
    if every.empty:
        st.info(t("ops.no_leads", lang))
        return
    counts = every["manager"].dropna().astype(str).value_counts()
    managers = sorted(counts.index)
    options = [*managers, UNASSIGNED] if every["manager"].isna().any() else managers
    busiest = min(managers, key=lambda m: (-int(counts[m]), m)) if managers else None
    left, right = st.columns(2)
    manager = left.selectbox(
        t("lead.manager", lang),
        options,
        index=options.index(busiest) if busiest is not None else 0,
        format_func=lambda m: t("lead.unassigned", lang) if m == UNASSIGNED else m,
        key="lead_manager",
        help=t("lead.manager_help", lang),
    )
    acting = right.text_input(
        t("lead.me", lang), value="" if manager == UNASSIGNED else str(manager), key=f"lead_me_{manager}"
    )
    found = (
        [ld for ld in store.leads() if ld.manager is None]
        if manager == UNASSIGNED
        else store.leads(manager=str(manager))
    )
    if not found:
        st.info(t("lead.none_for", lang))
        return
    groups = by_state(found)
    tabs = st.tabs([t("lead.state_tab", lang, state=s, n=len(groups[s])) for s in STATES])
    for tab, state in zip(tabs, STATES, strict=True):
        with tab:
            if groups[state]:
                st.dataframe(leads_table(groups[state], lang), hide_index=True, width="stretch")
            else:
                st.caption("—")
    by_id = {ld.id: ld for ld in found}
    picked = st.selectbox(
        t("lead.pick", lang),
        list(by_id),
        format_func=lambda i: f"#{i} · {by_id[i].name} · {by_id[i].state}",
        key="lead_pick",
    )
    if picked in by_id:
        detail(ctx, store, by_id[picked], acting)


def _facts(lead: Lead, lang: Lang) -> list[tuple[str, str]]:
    sep = "、" if lang == "zh" else ", "
    none = t("card.none", lang)
    return [
        (t("lcol.tier", lang), f"{lead.tier} · {t('lcol.score', lang)} {lead.score:.1f}"),
        (t("lcol.products", lang), sep.join(lead.products) or none),
        (t("lead.events", lang), sep.join(lead.event_ids) or none),
        (t("col.branch", lang), lead.branch or none),
        (t("lead.reason", lang), lead.reason),
        (t("lead.introducer", lang), f"{lead.introducer or none} ({lead.introducer_manager or none})"),
        (t("lead.warmth", lang), none if lead.path_warmth is None else f"{lead.path_warmth:.3f}"),
    ]


def detail(ctx: Context, store: LeadStore, lead: Lead, acting: str) -> None:
    """One lead: facts, breakdown, move buttons (version-checked), history, and its introduction paths."""
    lang = ctx.lang
    seen_key = f"lead_seen_{lead.id}"
    read_version = int(st.session_state.get(seen_key, lead.version))
    with st.container(border=True):
        st.markdown(f"**#{lead.id} · {md(lead.name)}** · {md(lead.state)} · {t('lcol.version', lang)} {lead.version}")
        c = colon(lang)
        for label, value in _facts(lead, lang):
            st.markdown(f"{md(label)}{c}{md(value)}")
        if lead.joint_manager:
            st.info(md(t("lead.joint", lang, manager=lead.joint_manager)))
        if lead.breakdown:
            st.caption(t("lead.breakdown", lang))
            st.dataframe(
                pd.DataFrame(lead.breakdown, columns=[t("lead.breakdown", lang), t("lcol.score", lang)]),
                hide_index=True,
            )
        allowed = allowed_moves(lead.state)
        if not allowed:
            st.caption(t("lead.closed", lang))
        note = st.text_input(t("lead.note", lang), key=f"lead_note_{lead.id}")
        columns = st.columns(len(allowed) + 1)
        action: str | None = None
        for column, to in zip(columns, allowed, strict=False):
            if column.button(t("lead.move", lang, state=to), key=f"lead_move_{lead.id}_{to}"):
                action = to
        if columns[-1].button(t("lead.add_note", lang), key=f"lead_addnote_{lead.id}"):
            action = "note"
        if action is not None:
            _act(store, lead, action, acting, note, read_version, lang)
        st.session_state[seen_key] = lead.version
    with st.expander(t("lead.history", lang)):
        _history(store, lead, lang)
    if st.toggle(t("lead.show_path", lang), key=f"lead_path_{lead.id}"):
        _paths(ctx, lead)


def _act(store: LeadStore, lead: Lead, action: str, acting: str, note: str, version: int, lang: Lang) -> None:
    try:
        if action == "note":
            changed = add_note(store, lead.id, by=acting, note=note, version=version)
            message = t("lead.noted", lang, version=changed.version)
        else:
            changed = move(store, lead.id, action, by=acting, note=note or None, version=version)
            message = t("lead.moved", lang, id=lead.id, state=changed.state, version=changed.version)
    except StaleLead as exc:
        st.session_state[FLASH] = ("error", str(exc))
        st.session_state.pop(f"lead_seen_{lead.id}", None)
        st.rerun()
    except GuanxiError as exc:
        st.error(md(t("error.generic", lang, error=exc)))
        return
    st.session_state[FLASH] = ("success", message)
    st.session_state[f"lead_seen_{lead.id}"] = changed.version
    st.rerun()


def _history(store: LeadStore, lead: Lead, lang: Lang) -> None:
    entries = store.history(lead.id)
    frame = pd.DataFrame(
        [
            {
                t("lcol.version", lang): e.version,
                t("lcol.updated", lang): e.at[:19].replace("T", " "),
                t("lead.me", lang): e.by,
                t("lcol.state", lang): f"{e.from_state or '—'} → {e.to_state}",
                t("lead.note", lang): e.note or "",
            }
            for e in entries
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _paths(ctx: Context, lead: Lead) -> None:
    from queries.introductions import introductions

    lang = ctx.lang
    st.markdown(f"#### {md(t('lead.path_title', lang, name=lead.name))}")
    target = ctx.store.get_nodes([node_id("Company", lead.company)]).get(node_id("Company", lead.company))
    if target is None:
        st.info(t("lead.not_in_graph", lang))
        return
    try:
        answer = introductions(ctx.store, target, k=3)
    except GuanxiError as exc:
        st.error(md(t("error.generic", lang, error=exc)))
        return
    if not answer.paths:
        st.info(t("lead.no_path", lang))
        return
    path_cards(answer, lang, introductions=True)
