"""关系探索 / Explore: the neighbourhood of one entity, expanded hop by hop, filtered by kind.

The view is the set of expanded nodes (kept in ``st.session_state``): each
contributes its strongest relationships of the chosen kinds, and the nodes
at their other ends. "Expand one more hop" expands every node in view; a
single node can be expanded on its own. The drawing is capped so that it
stays responsive.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.model import Node
from queries.explain import edge_label
from queries.format import kind
from ui import cached
from ui.context import Context
from ui.i18n import t
from ui.render import edge_details, neighbourhood_html, node_facts
from ui.widgets import describe_node, entity_picker, goto, kind_name, md, show_graph, tm

GRAPH_HEIGHT = 600
#: no further expansion once the view holds this many nodes
MAX_NODES = 400

#: the address parameter naming the entity the page opens on (``?page=explore&entity=Company:...``)
ENTITY_PARAM = "entity"
STATE_CENTRE = "explore_centre"
STATE_EXPANDED = "explore_expanded"
STATE_DEPTH = "explore_depth"


def start(centre: str) -> None:
    """Reset the view to ``centre`` alone, one hop deep."""
    st.session_state[STATE_CENTRE] = centre
    st.session_state[STATE_EXPANDED] = [centre]
    st.session_state[STATE_DEPTH] = 1


def expand(ids: list[str], nodes_in_view: int) -> bool:
    """Add ``ids`` to the expanded set; False (nothing done) when the view is already full."""
    if nodes_in_view >= MAX_NODES:
        return False
    expanded: list[str] = st.session_state[STATE_EXPANDED]
    st.session_state[STATE_EXPANDED] = list(dict.fromkeys([*expanded, *ids]))
    return True


def render(ctx: Context) -> None:
    """The page: the centre search, kind filter and cap (sidebar), the drawing, details and the relationship table."""
    lang = ctx.lang
    st.header(t("explore.title", lang))
    st.caption(t("explore.help", lang))
    types = list(ctx.store.schema.types)
    with st.sidebar:
        st.subheader(t("filter.title", lang))
        kinds = st.multiselect(
            t("filter.kinds", lang),
            types,
            default=types,
            format_func=lambda x: kind_name(x, ctx),
            key="explore_kinds",
            persist_state="session",
        )
        per_node = st.slider(
            t("explore.per_node", lang), 5, 100, 25, step=5, key="explore_per_node", persist_state="session"
        )
    wanted = st.query_params.get(ENTITY_PARAM, "")
    if wanted and "explore_q" not in st.session_state:
        # opened from an address such as ?page=explore&entity=Company:91310... : start there
        asked = cached.node(ctx.store, ctx.key, wanted)
        if asked is not None:
            goto("explore", asked)
        else:
            st.warning(tm("explore.unknown_entity", lang, entity=wanted))
    example = cached.showcase(ctx.store, ctx.key)
    centre = entity_picker(ctx, "explore", t("explore.centre", lang), default=example.prospect)
    if centre is None:
        st.query_params.pop(ENTITY_PARAM, None)
        return
    st.query_params[ENTITY_PARAM] = centre.id
    if st.session_state.get(STATE_CENTRE) != centre.id:
        start(centre.id)
    if not kinds:
        st.warning(t("filter.choose_kind", lang))
        return
    expanded: list[str] = st.session_state[STATE_EXPANDED]
    view = cached.neighbourhood(ctx.store, ctx.key, tuple(expanded), tuple(kinds), int(per_node))

    buttons = st.columns([1, 1, 2, 1])
    if buttons[0].button(t("explore.expand_all", lang), key="explore_more", icon=":material/add_circle:"):
        if expand([n for n in view.nodes if n not in expanded], len(view.nodes)):
            st.session_state[STATE_DEPTH] += 1
            st.rerun()
        st.warning(t("explore.too_many", lang, nodes=len(view.nodes), limit=MAX_NODES))
    if buttons[1].button(t("explore.reset", lang), key="explore_reset", icon=":material/restart_alt:"):
        start(centre.id)
        st.rerun()
    others = [n for n in view.nodes if n not in expanded]
    with buttons[2]:
        one = st.selectbox(
            t("explore.expand_node", lang),
            others,
            format_func=lambda nid: describe_node(view.nodes[nid], lang),
            key="explore_node",
            persist_state="session",
            label_visibility="collapsed",
            index=None,
            placeholder=t("explore.expand_node", lang),
        )
    if buttons[3].button(t("explore.expand_this", lang), key="explore_one", disabled=one is None):
        if one is not None and expand([one], len(view.nodes)):
            st.rerun()
        st.warning(t("explore.too_many", lang, nodes=len(view.nodes), limit=MAX_NODES))

    st.caption(
        t(
            "explore.depth",
            lang,
            depth=st.session_state[STATE_DEPTH],
            nodes=len(view.nodes),
            edges=len(view.edges),
        )
    )
    for cut in view.capped:
        name = view.nodes[cut.node].name if cut.node in view.nodes else cut.node
        st.caption(tm("explore.capped", lang, name=name, total=cut.total, shown=cut.shown))
    if not view.edges:
        st.info(t("explore.no_edges", lang))
    show_graph(neighbourhood_html(view.nodes, view.edges, centre.id, lang, height=GRAPH_HEIGHT), GRAPH_HEIGHT)

    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"#### {t('explore.details', lang)}")
        st.markdown(f"**{md(centre.name)}**")
        st.dataframe(details_frame(centre, ctx), hide_index=True, width="stretch")
    with right:
        st.markdown(f"#### {t('explore.edges', lang)}")
        st.dataframe(edges_frame(view, ctx), hide_index=True, width="stretch", height=360)


def details_frame(node: Node, ctx: Context) -> pd.DataFrame:
    """The facts of a node as a two-column table."""
    facts = node_facts(node, ctx.lang)
    zh = ctx.lang == "zh"
    return pd.DataFrame(facts, columns=["项目", "内容"] if zh else ["field", "value"])


def edges_frame(view: cached.Neighbourhood, ctx: Context) -> pd.DataFrame:
    """The relationships in view, strongest first, in the true direction."""
    lang = ctx.lang
    sep = "，" if lang == "zh" else ", "
    rows = [
        {
            t("col.from", lang): view.nodes[e.source].name,
            t("col.kind", lang): kind(e.type, lang),
            t("col.to", lang): view.nodes[e.target].name,
            t("col.label", lang): edge_label(e, lang),
            t("col.strength", lang): round(e.strength, 2),
            t("col.more", lang): sep.join(edge_details(e, lang)[:-1]),
        }
        for e in sorted(view.edges, key=lambda e: (-e.strength, e.type, e.source, e.target))
    ]
    return pd.DataFrame(rows)
