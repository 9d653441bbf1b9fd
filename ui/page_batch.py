"""批量排查 / Batch reach: a prospect list matched to the graph, introduction paths for every prospect, the coverage.

The list is uploaded (CSV in UTF-8 or GBK, or Excel; Chinese or English
headers) or, on the demo graph, the demo's own ``prospects.csv``. Matching is
cached per file content; the search runs when the user presses the button,
with a progress bar, and its result is kept in the session together with the
list and the options it was run with, so a changed option asks for a new run
instead of showing stale numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.errors import GuanxiError, InvalidParameter, LoadError
from loaders import export
from queries.batch import BatchResult, batch_reach
from queries.matching import MatchReport, MatchRow
from ui import cached
from ui.batch_sheets import human_headers, match_note, method_name, result_sheets, results_frame
from ui.context import Context
from ui.i18n import Lang, t
from ui.widgets import (
    PathFilters,
    colon,
    count_columns,
    csv_bytes,
    md,
    path_filters,
    tm,
    user_error,
)

STATE_LIST = "batch_list"
STATE_RESULT = "batch_result"
UPLOADER = "batch_file"
#: the reach counts the summary shows, as in the brief: within 1, 2, 3 and 4 hops
COVERAGE_HOPS = (1, 2, 3, 4)
#: rows of the introducer and manager tables shown on the page (the downloads hold all)
TOP = 10


@dataclass(frozen=True)
class ProspectList:
    """The list in use: a file name (its suffix says CSV or Excel), its bytes, where it came from."""

    name: str
    data: bytes
    demo: bool = False

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Run:
    """A finished batch reach and what it was run on."""

    digest: str
    filters: PathFilters
    result: BatchResult


def demo_list_path(ctx: Context) -> Path | None:
    """The demo's ``prospects.csv`` (next to the files the demo graph was loaded from), when the demo is in use."""
    if ctx.info.kind != "demo":
        return None
    from loaders.demo import DEMO_SEED, demo_dir

    path = demo_dir() / f"c{ctx.info.companies}-s{DEMO_SEED}" / "files" / "prospects.csv"
    return path if path.is_file() else None


def _take_upload() -> None:
    """The uploader's callback: the uploaded file becomes the list in use (none: no list)."""
    up = st.session_state.get(UPLOADER)
    st.session_state.pop(STATE_RESULT, None)
    if up is None:
        st.session_state.pop(STATE_LIST, None)
    else:
        st.session_state[STATE_LIST] = ProspectList(up.name, up.getvalue())


def _take_demo(path: Path) -> None:
    """The demo button's callback."""
    st.session_state.pop(STATE_RESULT, None)
    st.session_state[STATE_LIST] = ProspectList(path.name, path.read_bytes(), demo=True)


def choose_list(ctx: Context) -> ProspectList | None:
    """The uploader and the demo button; the list in use."""
    lang = ctx.lang
    st.file_uploader(
        t("batch.upload", lang),
        type=["csv", "txt", "tsv", "xlsx", "xlsm", "xls"],
        key=UPLOADER,
        on_change=_take_upload,
        help=t("batch.upload_help", lang),
    )
    demo = demo_list_path(ctx)
    if demo is not None:
        st.button(
            t("batch.use_demo", lang),
            key="batch_demo",
            icon=":material/list_alt:",
            on_click=_take_demo,
            args=(demo,),
        )
    chosen = st.session_state.get(STATE_LIST)
    return chosen if isinstance(chosen, ProspectList) else None


# -- matching ---------------------------------------------------------------------------------------
def matched_frame(rows: tuple[MatchRow, ...], lang: Lang) -> pd.DataFrame:
    """Matched rows: what the list said, the company found, how."""
    return pd.DataFrame(
        [
            {
                t("col.row", lang): r.row,
                t("col.input_name", lang): r.name or "",
                t("col.input_uscc", lang): r.uscc or "",
                t("col.company", lang): r.node.name if r.node else "",
                t("col.uscc", lang): r.node.key if r.node else "",
                t("col.method", lang): method_name(r.method, lang),
                t("col.score", lang): round(r.score) if r.method == "fuzzy" and r.score is not None else None,
                t("col.client", lang): t("yes", lang) if r.node is not None and r.node.is_client else "",
                t("col.note", lang): match_note(r, lang),
            }
            for r in rows
        ],
        columns=[
            t(c, lang)
            for c in (
                "col.row",
                "col.input_name",
                "col.input_uscc",
                "col.company",
                "col.uscc",
                "col.method",
                "col.score",
                "col.client",
                "col.note",
            )
        ],
    )


def unmatched_frame(rows: tuple[MatchRow, ...], lang: Lang) -> pd.DataFrame:
    """Ambiguous rows with their candidates, or unmatched rows with the reason."""
    sep = "；" if lang == "zh" else "; "
    return pd.DataFrame(
        [
            {
                t("col.row", lang): r.row,
                t("col.input_name", lang): r.name or "",
                t("col.input_uscc", lang): r.uscc or "",
                t("col.candidates", lang): sep.join(f"{c.name}（{c.key}）" for c in r.candidates),
                t("col.note", lang): match_note(r, lang),
            }
            for r in rows
        ],
        columns=[t(c, lang) for c in ("col.row", "col.input_name", "col.input_uscc", "col.candidates", "col.note")],
    )


def show_matching(report: MatchReport, chosen: ProspectList, lang: Lang) -> None:
    """Counts, the columns used, and a tab per outcome."""
    st.subheader(t("batch.matching", lang))
    source = t("batch.demo_list", lang) if chosen.demo else chosen.name
    columns = "　·　".join(
        f"{t(label, lang)}{colon(lang)}{md(value)}"
        for label, value in (("batch.name_column", report.name_column), ("batch.uscc_column", report.uscc_column))
        if value
    )
    st.caption(f"{md(source)}　·　{columns}")
    a, b, c, d = st.columns(4)
    a.metric(t("batch.rows", lang), f"{len(report.rows):,}")
    b.metric(t("batch.matched", lang), f"{len(report.matched):,}")
    c.metric(t("batch.ambiguous", lang), f"{len(report.ambiguous):,}")
    d.metric(t("batch.unmatched", lang), f"{len(report.unmatched):,}")
    tabs = st.tabs(
        [
            t("batch.tab_matched", lang, n=len(report.matched)),
            t("batch.tab_ambiguous", lang, n=len(report.ambiguous)),
            t("batch.tab_unmatched", lang, n=len(report.unmatched)),
        ]
    )
    with tabs[0]:
        if report.matched:
            st.dataframe(matched_frame(report.matched, lang), hide_index=True, width="stretch", height=260)
        else:
            st.caption(t("batch.none_here", lang))
    for tab, rows, help_key in (
        (tabs[1], report.ambiguous, "batch.ambiguous_help"),
        (tabs[2], report.unmatched, "batch.unmatched_help"),
    ):
        with tab:
            if rows:
                st.caption(t(help_key, lang))
                st.dataframe(unmatched_frame(rows, lang), hide_index=True, width="stretch")
            else:
                st.caption(t("batch.none_here", lang))


# -- the result -------------------------------------------------------------------------------------
def table_height(rows: int, most: int = 460) -> int:
    """Pixels for a table of ``rows`` rows without a scroll bar (at most ``most``)."""
    return min(most, 38 + 35 * rows)


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table, no cell a formula (:mod:`loaders.export`)."""
    return export.excel_bytes(sheets)


def show_result(result: BatchResult, lang: Lang) -> None:
    """Coverage, top introducers and managers, every path, the downloads."""
    st.subheader(t("batch.coverage", lang))
    prospects = len({r.prospect.id for r in result.reaches})
    reached = len({r.prospect.id for r in result.reaches if r.answer.paths})
    columns = st.columns(len(COVERAGE_HOPS) + 1)
    for column, hops in zip(columns, COVERAGE_HOPS, strict=False):
        n = result.reachable_within(hops)
        share = f"{n / prospects:.0%}" if prospects else "–"
        column.metric(t("batch.within", lang, hops=hops), f"{n:,}", share, delta_color="off", delta_arrow="off")
    columns[-1].metric(t("batch.no_path", lang), f"{prospects - reached:,}")
    if result.max_hops < max(COVERAGE_HOPS):
        st.caption(t("batch.hops_note", lang, hops=result.max_hops))
    if not reached:
        st.warning(t("batch.nobody_reached", lang))
        st.markdown(t("intro.try", lang))
    left, middle, right = st.columns([1.4, 2.2, 1.5])
    with left:
        st.markdown(f"**{t('batch.summary', lang)}**")
        summary = human_headers(result.summary_frame(lang), lang)
        st.dataframe(
            summary,
            hide_index=True,
            width="stretch",
            height=table_height(len(summary)),
            column_config=count_columns(summary),
        )
    with middle:
        st.markdown(f"**{t('batch.top_introducers', lang, n=TOP)}**")
        introducers = human_headers(result.introducers_frame(lang), lang)
        if len(introducers):
            # the USCC stays in the download; on screen the name, manager and counts matter
            shown = [c for i, c in enumerate(introducers.columns) if i != 1]
            st.dataframe(
                introducers.head(TOP),
                hide_index=True,
                width="stretch",
                column_order=shown,
                column_config=count_columns(introducers),
            )
        else:
            st.caption(t("batch.none_here", lang))
    with right:
        st.markdown(f"**{t('batch.managers', lang)}**")
        managers = human_headers(result.managers_frame(lang), lang)
        if len(managers):
            st.dataframe(managers.head(TOP), hide_index=True, width="stretch", column_config=count_columns(managers))
        else:
            st.caption(t("batch.none_here", lang))
    st.markdown(f"**{t('batch.results', lang)}**")
    frame = results_frame(result, lang)
    warmth = t("col.warmth", lang)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=420,
        placeholder="",
        column_config={warmth: st.column_config.ProgressColumn(warmth, min_value=0.0, max_value=1.0, format="%.2f")},
    )
    left_button, right_button, _ = st.columns([1, 1.5, 2.5])
    left_button.download_button(
        t("download.csv", lang),
        csv_bytes(frame),
        "batch-reach.csv",
        "text/csv",
        key="batch_csv",
        icon=":material/download:",
    )
    right_button.download_button(
        t("download.xlsx_all", lang),
        workbook_bytes(result_sheets(result, lang)),
        "batch-reach.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="batch_xlsx",
        icon=":material/table_view:",
    )


def run_batch(ctx: Context, report: MatchReport, filters: PathFilters) -> BatchResult | None:
    """The search for every matched prospect, with a progress bar; None (and an error shown) when it fails."""
    lang = ctx.lang
    total = len(report.matched)
    bar = st.progress(0.0, text=t("batch.progress", lang, done=0, total=total))

    def step(done: int, of: int) -> None:
        bar.progress(min(1.0, done / of) if of else 1.0, text=t("batch.progress", lang, done=done, total=of))

    try:
        return batch_reach(
            ctx.store,
            report,
            k=filters.k,
            max_hops=filters.max_hops,
            kinds=filters.kinds,
            min_warmth=filters.min_warmth,
            manager=filters.manager,
            branch=filters.branch,
            include_closed=filters.include_closed,
            include_blacklisted=filters.include_blacklisted,
            progress=step,
        )
    except GuanxiError as exc:
        st.error(tm("error.generic", lang, error=user_error(exc, lang)))
        return None
    finally:
        bar.empty()


def render(ctx: Context) -> None:
    """The page: the list, its matching, the run button, the result."""
    lang = ctx.lang
    st.header(t("batch.title", lang))
    st.caption(t("batch.help", lang))
    filters = path_filters(ctx, "batch", scope=True)
    chosen = choose_list(ctx)
    if chosen is None:
        st.info(t("batch.start", lang))
        return
    try:
        report = cached.match_upload(ctx.store, ctx.key, chosen.name, chosen.data)
    except LoadError as exc:
        st.error(tm("batch.unreadable", lang, error=user_error(exc, lang, chosen.name)))
        return
    except InvalidParameter as exc:
        st.error(tm("batch.no_columns", lang, error=user_error(exc, lang, chosen.name)))
        return
    show_matching(report, chosen, lang)
    if not report.rows:
        st.warning(t("batch.empty_list", lang))
        return
    if not report.matched:
        st.warning(t("batch.none_matched", lang))
        return
    if not filters.kinds:
        st.warning(t("filter.choose_kind", lang))
        return
    st.divider()
    held = st.session_state.get(STATE_RESULT)
    fresh = isinstance(held, Run) and held.digest == chosen.digest and held.filters == filters
    label = t("batch.rerun", lang) if isinstance(held, Run) else t("batch.run", lang, n=len(report.matched))
    if st.button(label, key="batch_run", type="primary", icon=":material/travel_explore:"):
        result = run_batch(ctx, report, filters)
        if result is None:
            return
        held = Run(chosen.digest, filters, result)
        st.session_state[STATE_RESULT] = held
        fresh = True
    if not isinstance(held, Run):
        st.info(t("batch.press_run", lang))
        return
    if not fresh:
        st.info(t("batch.stale", lang))
        return
    show_result(held.result, lang)
