"""Pieces several pages share: the entity search, path filters, path cards, downloads, the graph frame."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from graph.model import Node
from loaders import export
from loaders.export import visible_controls
from queries.explain import path_text
from queries.format import kind, status
from queries.messages import error_message, render
from queries.paths import PathAnswer
from ui import cached
from ui.context import Context
from ui.i18n import Lang, t
from ui.render import CLOSED_STATUSES, node_category

#: extra pixels around a drawing so the iframe never scrolls
FRAME_PADDING = 16


def kind_name(type_: str, ctx: Context) -> str:
    """The name of a relationship type in the page's language (任职 / officer)."""
    return kind(type_, ctx.lang)


def describe_node(node: Node, lang: Lang) -> str:
    """A suggestion line: name · key · what it is (· status when closed, · black-listed)."""
    category = node_category(node)
    what = {
        "client": t("cat.client", lang),
        "person": t("label.Person", lang),
        "park": t("label.Park", lang),
        "ip": t("label.IPRight", lang),
        "association": t("label.Association", lang),
    }.get(category, t("label.Company", lang))
    parts = [node.name, node.key, what]
    if node.props.get("status") in CLOSED_STATUSES:
        parts.append(status(node.props["status"], lang))
    if node.props.get("blacklisted"):
        parts.append(t("cat.blacklisted", lang))
    return " · ".join(parts)


def entity_picker(
    ctx: Context,
    key: str,
    label: str,
    labels: Sequence[str] = (),
    default: str | None = None,
) -> Node | None:
    """A search box with suggestions from ``store.find_nodes``; the chosen node or None.

    ``key`` prefixes the widget keys (``{key}_q`` for the text, ``{key}_pick``
    for the suggestion list). ``default`` is a node id whose name fills the
    box on first display.
    """
    text_key = f"{key}_q"
    pinned = st.session_state.get(f"{key}_pin")
    if text_key not in st.session_state and default is not None:
        start = cached.node(ctx.store, ctx.key, default)
        st.session_state[text_key] = start.name if start is not None else ""
    text = st.text_input(label, key=text_key, persist_state="session", placeholder=t("search.placeholder", ctx.lang))
    if not text.strip():
        st.caption(t("search.type_more", ctx.lang))
        return None
    hits = cached.find(ctx.store, ctx.key, text.strip(), tuple(labels), 20)
    if isinstance(pinned, str) and pinned not in {n.id for n in hits}:
        # a node opened from another page: offered first while its name is in the box (names are not unique)
        held = cached.node(ctx.store, ctx.key, pinned)
        if held is not None and held.name == text.strip() and (not labels or held.label in labels):
            hits = [held, *hits]
    if not hits:
        st.warning(tm("search.none", ctx.lang, text=text.strip()))
        return None
    by_id = {n.id: n for n in hits}
    choice = st.selectbox(
        t("search.pick", ctx.lang),
        list(by_id),
        format_func=lambda nid: describe_node(by_id[nid], ctx.lang),
        key=translated(f"{key}_pick"),
        persist_state="session",
        label_visibility="collapsed" if len(by_id) == 1 else "visible",
    )
    return by_id.get(str(choice)) if choice is not None else None


def goto(key: str, node: Node) -> None:
    """Make the :func:`entity_picker` keyed ``key`` show ``node`` when it is next drawn.

    Call it from a widget callback, or before the picker is drawn in this run.
    """
    st.session_state[f"{key}_q"] = node.name
    st.session_state[f"{key}_pick"] = node.id
    st.session_state[f"{key}_pin"] = node.id


#: the page and the picker that :func:`open_in_explore` opens
EXPLORE_PAGE = "explore"


def open_in_explore(node: Node) -> None:
    """A callback: switch to the Explore page, centred on ``node``."""
    goto(EXPLORE_PAGE, node)
    st.session_state["page"] = EXPLORE_PAGE


def explore_buttons(nodes: Sequence[Node], lang: Lang, key: str) -> None:
    """A small popover with one button per node that opens it on the Explore page."""
    with st.popover(t("explore.open", lang), icon=":material/hub:"):
        st.caption(t("explore.open_help", lang))
        for i, n in enumerate({n.id: n for n in nodes}.values()):
            st.button(
                md(describe_node(n, lang)),
                key=f"{key}_{i}",
                on_click=open_in_explore,
                args=(n,),
                width="stretch",
            )


def one_language(text: str, lang: Lang) -> str:
    """A query's note in the page's language: a :class:`~queries.messages.Message` worded from the
    catalogue, an older ``中文 / English`` text as its one half (:func:`queries.messages.render`)."""
    return render(text, lang)


#: keys of widgets whose options are worded in the page's language (a ``format_func``); see :func:`relabel`
TRANSLATED: set[str] = set()


def translated(key: str) -> str:
    """``key``, registered as a widget whose options are worded in the page's language."""
    TRANSLATED.add(key)
    return key


def relabel() -> None:
    """The language switch's callback: every translated widget shows its choice in the new language.

    A keyed Streamlit widget keeps its identity when its labels change, and the
    browser keeps showing the label it last sent (``（全部）``, ``· 企业``) until a
    reload. Setting each value again through the session state makes Streamlit
    send it with the new label; the user's choices are kept.
    """
    state = st.session_state
    for key in sorted(TRANSLATED):
        if key in state and state[key] is not None:
            state[key] = state[key]


def kinds_default(key: str, default: list[str]) -> list[str] | None:
    """A kinds multiselect's default, or None once its key holds a choice (set again by :func:`relabel`,
    a default beside it would make Streamlit warn)."""
    return None if key in st.session_state else default


def user_error(exc: BaseException, lang: Lang, file: str | None = None) -> str:
    """An error in the page's language without internals (:func:`queries.messages.error_message`):
    the uploaded file's own name (``file``) instead of a temporary path, no pandas texts, no internal
    names. Plain text: pass it through :func:`tm` or :func:`md` to show it."""
    return render(error_message(exc, file), lang)


@dataclass(frozen=True)
class PathFilters:
    """The options of a path question as the sidebar set them."""

    kinds: tuple[str, ...]
    max_hops: int
    min_warmth: float
    k: int
    include_closed: bool
    include_blacklisted: bool
    manager: str | None = None
    branch: str | None = None
    include_state_holders: bool = False


def path_filters(ctx: Context, prefix: str, *, scope: bool) -> PathFilters:
    """Filters in the sidebar, keyed ``{prefix}_...``; ``scope`` adds my manager / my branch."""
    lang = ctx.lang
    weights = ctx.store.weights
    types = list(ctx.store.schema.types)
    with st.sidebar:
        st.subheader(t("filter.title", lang))
        kinds = st.multiselect(
            t("filter.kinds", lang),
            types,
            default=kinds_default(f"{prefix}_kinds", list(ctx.store.schema.flagged("in_paths"))),
            format_func=lambda x: kind_name(x, ctx),
            key=translated(f"{prefix}_kinds"),
            persist_state="session",
        )
        max_hops = st.slider(
            t("filter.max_hops", lang), 1, 6, int(weights.max_hops), key=f"{prefix}_hops", persist_state="session"
        )
        min_warmth = st.slider(
            t("filter.min_warmth", lang),
            0.0,
            1.0,
            float(weights.min_warmth),
            step=0.01,
            key=f"{prefix}_warmth",
            persist_state="session",
        )
        k = st.slider(t("filter.k", lang), 1, 50, int(weights.k), key=f"{prefix}_k", persist_state="session")
        manager: str | None = None
        branch: str | None = None
        if scope:
            people = cached.directory(ctx.store, ctx.key)
            anyone = t("filter.anyone", lang)
            if people.complete:
                m = st.selectbox(
                    t("filter.manager", lang),
                    ["", *people.managers],
                    format_func=lambda v: v or anyone,
                    key=translated(f"{prefix}_manager"),
                    persist_state="session",
                )
                b = st.selectbox(
                    t("filter.branch", lang),
                    ["", *people.branches],
                    format_func=lambda v: v or anyone,
                    key=translated(f"{prefix}_branch"),
                    persist_state="session",
                )
                manager = m or None
                branch = b or None
            else:
                m = st.text_input(t("filter.manager", lang), key=f"{prefix}_manager_text", persist_state="session")
                b = st.text_input(t("filter.branch", lang), key=f"{prefix}_branch_text", persist_state="session")
                manager = m.strip() or None
                branch = b.strip() or None
        closed = st.checkbox(t("filter.include_closed", lang), key=f"{prefix}_closed", persist_state="session")
        black = st.checkbox(t("filter.include_blacklisted", lang), key=f"{prefix}_black", persist_state="session")
        state = (
            st.checkbox(t("filter.include_state_holders", lang), key=f"{prefix}_state", persist_state="session")
            if scope
            else False
        )
    return PathFilters(tuple(kinds), int(max_hops), float(min_warmth), int(k), closed, black, manager, branch, state)


#: every ASCII punctuation character: CommonMark lets each be escaped with a backslash, shown as itself
_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in string.punctuation})


#: an invisible character that ends a word, to break autolinks and short codes (see :func:`md`)
WORD_JOINER = "\u2060"
#: where a word joiner goes: before a ``:`` after a letter (``https:``, ``:smile:``), after ``www``, before ``@``
_AUTOLINK_PARTS = re.compile(r"(?<=[A-Za-z])(?=:)|(?i:(?<=www))(?=\.)|(?=@)")


def md(text: object) -> str:
    r"""``text`` shown as itself wherever Streamlit renders Markdown (markdown, captions, alerts, labels).

    Names, notes and errors come from the data: a company named
    ``[点我登录](https://evil.example/login)`` must not become a link, nor
    ``![b](http://e/b.png)`` an image the browser fetches, ``<img ...>`` HTML,
    ``$x$`` maths, ``:red[x]`` colour, ``www.evil.example`` an autolink or a
    leading ``#`` a heading. Every ASCII punctuation character is escaped
    (CommonMark shows an escaped character as itself) and control characters
    are written as visible escapes (a new line would end the bold text).

    Escapes do not stop GitHub's autolinks (``https://…``, ``www.…``, ``a@b.cn``)
    nor emoji short codes, which Streamlit finds in the text after unescaping:
    an invisible word joiner (U+2060) before a scheme's ``:``, after ``www``
    and before ``@`` breaks them, and the name still reads the same.

    >>> print(md("[点我](http://e.example) <b>").replace(WORD_JOINER, "+"))
    \[点我\]\(http+\:\/\/e\.example\) \<b\>
    """
    return _AUTOLINK_PARTS.sub(WORD_JOINER, visible_controls(str(text))).translate(_MARKDOWN_SPECIALS)


def tm(key: str, lang: Lang, /, **params: object) -> str:
    """:func:`ui.i18n.t` for text shown as Markdown: every parameter but numbers passes through :func:`md`."""
    return t(key, lang, **{k: v if isinstance(v, int | float) else md(v) for k, v in params.items()})


#: amounts in tables are numbers in 万元 (CNY 10,000), the unit a Chinese bank reads, so that they sort as numbers
AMOUNT_UNIT = 10_000


def wan(amount: object) -> float | None:
    """An amount in yuan as a number of 万元 for a table column (None when unknown or not a number)."""
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount):
        return None
    return round(amount / AMOUNT_UNIT, 2)


def number_columns(lang: Lang, *, amounts: Sequence[str] = (), shares: Sequence[str] = ()) -> dict[str, Any]:
    """``column_config`` for ``st.dataframe``: amount columns (numbers in 万元, the unit in the header) and
    share columns (fractions shown as percentages) stay numeric, so a click on the header sorts them by value."""
    unit = "（万元）" if lang == "zh" else " (CNY 10k)"
    config: dict[str, Any] = {c: st.column_config.NumberColumn(f"{c}{unit}", format="localized") for c in amounts}
    config.update({c: st.column_config.NumberColumn(c, format="percent") for c in shares})
    return config


#: English headers whose words are not simply the column's name with spaces
def count_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """``column_config`` that shows every whole-number column as a number wide enough for its count
    (English headers are longer than Chinese ones and pushed the counts out of narrow tables)."""
    return {
        str(c): st.column_config.NumberColumn(str(c), format="localized", width="small")
        for c in frame.columns
        if pd.api.types.is_integer_dtype(frame[c])
    }


def list_sep(lang: Lang) -> str:
    """The separator of a list in running text: 、 in Chinese, a comma in English."""
    return "、" if lang == "zh" else ", "


def status_text(node: Node, lang: Lang) -> str:
    """What is wrong with a company: its status when closed (注销/吊销), black-listed; else empty."""
    parts = []
    if node.props.get("status") in CLOSED_STATUSES:
        parts.append(status(node.props["status"], lang))
    if node.props.get("blacklisted"):
        parts.append(t("cat.blacklisted", lang))
    return list_sep(lang).join(parts)


def colon(lang: Lang) -> str:
    """The colon after a field name: full-width in Chinese."""
    return "：" if lang == "zh" else ": "


def path_cards(answer: PathAnswer, lang: Lang, *, introductions: bool, explore: str | None = None) -> None:
    """The ranked paths as cards, two per row (rank order reads left to right, then down).

    With ``explore`` (a key prefix) each card has a popover whose buttons open
    the path's nodes on the Explore page.
    """
    c = colon(lang)
    none = t("card.none", lang)
    rows = [answer.paths[i : i + 2] for i in range(0, len(answer.paths), 2)]
    for row in rows:
        columns = st.columns(2)
        for column, p in zip(columns, row, strict=False):
            with column.container(border=True):
                who = t("card.introducer", lang) if introductions else t("card.start", lang)
                st.markdown(f"**{t('card.rank', lang, rank=p.rank)} · {who}{c}{md(p.introducer.name)}**")
                if introductions or p.introducer.is_client:
                    st.caption(
                        f"{t('card.manager', lang)}{c}{md(p.manager or none)}　·　"
                        f"{t('card.branch', lang)}{c}{md(p.branch or none)}"
                    )
                st.progress(
                    min(1.0, max(0.0, p.warmth)),
                    text=f"{t('card.warmth', lang, value=f'{p.warmth:.2f}')} · {t('card.hops', lang, hops=p.hops)}",
                )
                st.markdown(md(p.sentence_zh if lang == "zh" else p.sentence_en))
                st.caption(f"{t('card.chain', lang)}{c}{md(path_text(p.path, lang))}")
                if p.arithmetic is not None:
                    st.caption(f"{t('card.arithmetic', lang)}{c}{md(p.arithmetic.text(lang))}")
                if p.more:
                    with st.expander(tm("card.more", lang, n=len(p.more), name=p.introducer.name)):
                        for m in p.more:
                            st.markdown(f"- {m.warmth:.2f} · {md(m.sentence_zh if lang == 'zh' else m.sentence_en)}")
                if explore is not None:
                    explore_buttons(p.path.nodes, lang, f"{explore}_{p.rank}")


def answer_frame(answer: PathAnswer, lang: Lang, *, introductions: bool = True) -> pd.DataFrame:
    """One row per path, with column headers in ``lang``: what the downloads contain."""
    first = t("col.introducer", lang) if introductions else t("col.start", lang)
    first_key = t("col.introducer_key", lang) if introductions else t("col.start_key", lang)
    rows = [
        {
            t("col.rank", lang): p.rank,
            first: p.introducer.name,
            first_key: p.introducer.key,
            t("col.manager", lang): p.manager or "",
            t("col.branch", lang): p.branch or "",
            t("col.warmth", lang): round(p.warmth, 4),
            t("col.hops", lang): p.hops,
            t("col.sentence", lang): p.sentence_zh if lang == "zh" else p.sentence_en,
            t("col.path", lang): path_text(p.path, lang),
            t("col.target", lang): answer.target.name,
            t("col.target_key", lang): answer.target.key,
        }
        for p in answer.paths
    ]
    return pd.DataFrame(rows)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that Excel opens with Chinese intact (UTF-8 with BOM), formulas neutralised (:mod:`loaders.export`)."""
    return export.csv_bytes(frame)


def excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """An .xlsx workbook with one sheet, no cell a formula (:mod:`loaders.export`)."""
    return export.excel_bytes({sheet: frame})


def file_stem(text: str) -> str:
    """A download's file name from data (a person's key may hold anything): letters, digits, ``-_.`` only.

    >>> file_stem("connections-p/../1-<x>")
    'connections-p_.._1-_x_'
    """
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:120] or "export"


def downloads(frame: pd.DataFrame, basename: str, lang: Lang, key: str) -> None:
    """CSV and Excel download buttons for ``frame`` (``basename`` may hold keys from the data: made safe)."""
    basename = file_stem(basename)
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        t("download.csv", lang),
        csv_bytes(frame),
        f"{basename}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    right.download_button(
        t("download.xlsx", lang),
        excel_bytes(frame, basename),
        f"{basename}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/table_view:",
    )


def show_graph(html: str, height: int) -> None:
    """A drawing from :mod:`ui.render` in an iframe (its scripts run in the iframe only)."""
    st.iframe(html, height=height + FRAME_PADDING)
