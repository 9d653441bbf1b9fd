"""谁能引荐 / Who can introduce us: ranked warm paths from the bank's clients to a prospect."""

from __future__ import annotations

import streamlit as st

from graph.errors import GuanxiError
from ui import cached
from ui.context import Context
from ui.i18n import t
from ui.render import paths_graph_height, paths_graph_html
from ui.widgets import (
    answer_frame,
    downloads,
    entity_picker,
    md,
    one_language,
    path_cards,
    path_filters,
    show_graph,
    tm,
)


def render(ctx: Context) -> None:
    """The page: prospect search, filters (sidebar), path cards, the graph, downloads."""
    lang = ctx.lang
    st.header(t("intro.title", lang))
    st.caption(t("intro.help", lang))
    filters = path_filters(ctx, "intro", scope=True)
    example = cached.showcase(ctx.store, ctx.key)
    prospect = entity_picker(ctx, "intro", t("intro.search", lang), labels=("Company",), default=example.prospect)
    if prospect is None:
        if example.prospect is None:
            st.info(t("intro.no_default", lang))
        return
    if not filters.kinds:
        st.warning(t("filter.choose_kind", lang))
        return
    try:
        answer = cached.intro_answer(
            ctx.store,
            ctx.key,
            prospect.id,
            kinds=filters.kinds,
            max_hops=filters.max_hops,
            min_warmth=filters.min_warmth,
            k=filters.k,
            manager=filters.manager,
            branch=filters.branch,
            include_closed=filters.include_closed,
            include_blacklisted=filters.include_blacklisted,
            include_state_holders=filters.include_state_holders,
        )
    except GuanxiError as exc:
        st.error(tm("error.generic", lang, error=exc))
        return
    st.session_state["intro_result_target"] = answer.target.id
    st.subheader(tm("intro.target", lang, name=answer.target.name, key=answer.target.key))
    if not answer.paths:
        st.warning(t("intro.empty", lang))
        for note in answer.notes:
            st.info(md(one_language(note, lang)))
        st.markdown(t("intro.try", lang))
        return
    for note in answer.notes:
        st.info(md(one_language(note, lang)))
    st.markdown(f"**{t('intro.found', lang, n=len(answer.paths))}**")
    st.caption(t("intro.legend", lang))
    path_cards(answer, lang, introductions=True, explore="intro_go")
    st.markdown(f"#### {t('graph.title', lang)}")
    height = paths_graph_height(answer.paths)
    show_graph(paths_graph_html(answer.paths, lang, height=height), height)
    downloads(answer_frame(answer, lang), f"introductions-{answer.target.key}", lang, "intro_download")
