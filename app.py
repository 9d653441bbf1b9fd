"""关系 guanxi — the Streamlit explorer.

    streamlit run app.py

With no configuration it opens on generated demo data (cached under
``~/.guanxi/demo``, or ``GUANXI_DEMO_DIR``; ``GUANXI_DEMO_COMPANIES`` sets its
size). ``GUANXI_STORE`` (an embedded graph file) or ``NEO4J_URI`` (with
``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) open a real graph
instead; see :mod:`graph.settings`.

This file is thin: it picks the store and the language and hands over to the
page functions in :mod:`ui`.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from graph.errors import GuanxiError
from graph.settings import Settings, redact_credentials
from graph.store import GraphStore
from ui.context import Context, Opened, StoreInfo
from ui.i18n import LANG_NAMES, LANGS, Lang, as_lang, t
from ui.pages import BY_KEY, PAGES
from ui.pyvis_net import STATIC_URL, link_vis, provide_static_copy
from ui.widgets import relabel, tm, translated

#: environment variables that choose the store (a change opens another store)
STORE_VARIABLES = (
    "GUANXI_BACKEND",
    "GUANXI_STORE",
    "GUANXI_WARMTH",
    "NEO4J_URI",
    "NEO4J_USER",
    "NEO4J_DATABASE",
    "GUANXI_DEMO_COMPANIES",
    "GUANXI_DEMO_DIR",
)
DEFAULT_DEMO_COMPANIES = 3000
#: the browser tab's icon, served by the app itself: with a Material icon (``:material/hub:``) the
#: browser fetches the picture from fonts.gstatic.com, which a bank's network blocks (and should)
FAVICON = Path(__file__).resolve().parent / "ui" / "favicon.png"


def store_config() -> tuple[tuple[str, str], ...]:
    """The store-choosing variables as set now (the password is left out: it does not pick a store)."""
    return tuple((name, os.environ.get(name, "")) for name in STORE_VARIABLES)


def demo_companies() -> int:
    """How many companies the demo graph has (``GUANXI_DEMO_COMPANIES``)."""
    raw = os.environ.get("GUANXI_DEMO_COMPANIES", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_DEMO_COMPANIES


@st.cache_resource(show_spinner=False)
def open_configured_store(config: tuple[tuple[str, str], ...]) -> Opened:
    """The store the environment names, or the demo store; opened once per configuration."""
    store, info = _open(config)
    return Opened(store, info)


def _open(config: tuple[tuple[str, str], ...]) -> tuple[GraphStore, StoreInfo]:
    env = dict(config)
    settings = Settings.from_env()
    if env["GUANXI_STORE"] or env["NEO4J_URI"] or env["GUANXI_BACKEND"] == "neo4j":
        from graph.open_store import open_store

        store = open_store(settings)
        if settings.backend == "neo4j":
            return store, StoreInfo("neo4j", uri=settings.neo4j_uri or "", database=settings.neo4j_database)
        return store, StoreInfo("embedded", path=str(settings.store_path))
    from graph.warmth import load_weights
    from loaders.demo import demo_store

    companies = demo_companies()
    demo = demo_store(companies=companies, weights=load_weights(settings.warmth_file))
    return demo, StoreInfo("demo", companies=companies)


def choose_language() -> Lang:
    """The language switch (default 中文); ``?lang=en`` in the address opens in English."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = as_lang(st.query_params.get("lang", "zh"))
    choice = st.radio(
        t("app.language", as_lang(st.session_state["lang"])),
        LANGS,
        format_func=lambda code: LANG_NAMES[code],
        key="lang",
        horizontal=True,
        on_change=relabel,
    )
    return as_lang(choice)


def choose_page(lang: Lang) -> str:
    """The sidebar navigation; ``?page=data`` in the address opens that page."""
    if "page" not in st.session_state:
        wanted = st.query_params.get("page", "")
        st.session_state["page"] = wanted if wanted in BY_KEY else PAGES[0].key
    choice = st.radio(
        t("app.pages", lang),
        [p.key for p in PAGES],
        format_func=lambda key: f"{BY_KEY[key].icon} {t(BY_KEY[key].title, lang)}",
        key=translated("page"),
    )
    return str(choice)


def serve_drawing_library() -> None:
    """Drawings load vis-network from the app's static files when Streamlit serves them
    (``server.enableStaticServing``, set in .streamlit/config.toml) and static/ holds pyvis's own
    copy (put there from the installed pyvis); otherwise each drawing inlines it, slower but still drawn."""
    served = bool(st.get_option("server.enableStaticServing")) and provide_static_copy()
    link_vis(STATIC_URL if served else None)


def main() -> None:
    """Page config, language, store, navigation, then the chosen page."""
    st.set_page_config(page_title="关系 guanxi", page_icon=str(FAVICON), layout="wide")
    serve_drawing_library()
    with st.sidebar:
        head = st.container()
        lang = choose_language()
        head.title(t("app.title", lang))
        head.caption(t("app.tagline", lang))
    config = store_config()
    env = dict(config)
    demo = not (env["GUANXI_STORE"] or env["NEO4J_URI"] or env["GUANXI_BACKEND"] == "neo4j")
    message = t("app.loading_demo", lang, companies=f"{demo_companies():,}") if demo else t("app.loading_store", lang)
    try:
        with st.spinner(message):
            opened = open_configured_store(config)
            loading_allowed = Settings.from_env().loading_allowed
    except (GuanxiError, ImportError, OSError) as exc:
        st.error(tm("app.store_error", lang, error=redact_credentials(str(exc))))
        st.stop()
    store, info = opened.store, opened.info
    with st.sidebar:
        page = choose_page(lang)
        st.caption(tm("app.store_caption", lang, store=info.describe(lang)))
    st.query_params.update({"page": page, "lang": lang})
    if page != "explore":
        st.query_params.pop("entity", None)  # only the Explore page opens on an entity from the address
    ctx = Context(
        store=store,
        key=f"{info.kind}:{id(store)}",
        info=info,
        lang=lang,
        loading_allowed=loading_allowed,
        opened=opened,
    )
    BY_KEY[page].render(ctx)


main()
