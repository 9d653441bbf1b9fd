"""关系连接 / Connections: the warmest paths between any two companies or persons."""

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

ENDS = ("Company", "Person")


def render(ctx: Context) -> None:
    """The page: two searches, filters (sidebar), path cards, the graph, downloads."""
    lang = ctx.lang
    st.header(t("connect.title", lang))
    st.caption(t("connect.help", lang))
    filters = path_filters(ctx, "connect", scope=False)
    example = cached.showcase(ctx.store, ctx.key)
    left, right = st.columns(2)
    with left:
        a = entity_picker(ctx, "connect_a", t("connect.a", lang), labels=ENDS, default=example.connect_a)
    with right:
        b = entity_picker(ctx, "connect_b", t("connect.b", lang), labels=ENDS, default=example.connect_b)
    if a is None or b is None:
        st.info(t("connect.pick_both", lang))
        return
    if a.id == b.id:
        st.warning(t("connect.same", lang))
        return
    if not filters.kinds:
        st.warning(t("filter.choose_kind", lang))
        return
    try:
        answer = cached.connect_answer(
            ctx.store,
            ctx.key,
            a.id,
            b.id,
            kinds=filters.kinds,
            max_hops=filters.max_hops,
            min_warmth=filters.min_warmth,
            k=filters.k,
            include_closed=filters.include_closed,
            include_blacklisted=filters.include_blacklisted,
        )
    except GuanxiError as exc:
        st.error(tm("error.generic", lang, error=exc))
        return
    if not answer.paths:
        st.warning(t("connect.empty", lang))
        for note in answer.notes:
            st.info(md(one_language(note, lang)))
        st.markdown(t("connect.try", lang))
        return
    st.markdown(f"**{tm('connect.found', lang, a=a.name, b=b.name, n=len(answer.paths))}**")
    path_cards(answer, lang, introductions=False, explore="connect_go")
    st.markdown(f"#### {t('graph.title', lang)}")
    height = paths_graph_height(answer.paths)
    show_graph(paths_graph_html(answer.paths, lang, endpoints=True, height=height), height)
    downloads(answer_frame(answer, lang, introductions=False), f"connections-{a.key}-{b.key}", lang, "connect_download")
