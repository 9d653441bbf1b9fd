"""数据 / Data: the store in use, graph statistics, and loading CSV/Excel files with a load report."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.embedded import EmbeddedStore
from graph.errors import GuanxiError, LoadError, LoadRefused
from graph.model import GraphStats
from graph.schema import Schema, load_schema
from graph.store import GraphStore
from loaders.columns_doc import columns_markdown
from loaders.export import csv_bytes
from loaders.report import LoadReport, outcome_text
from queries.format import kind
from queries.messages import reason_text
from ui import cached
from ui.context import Context
from ui.i18n import STRINGS, Lang, t
from ui.widgets import colon, md, tm, user_error

STATE_REPORT = "data_report"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name (which says what it holds) and its bytes."""

    name: str
    data: bytes


def stats_frames(stats: GraphStats, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node counts by label and relationship counts by kind, labelled in the chosen language."""
    lang = ctx.lang
    schema = ctx.store.schema
    labels = pd.DataFrame(
        [
            {
                t("col.what", lang): table_name("nodes", label, lang, schema),
                t("col.count", lang): n,
            }
            for label, n in stats.nodes.items()
        ]
    )
    kinds = pd.DataFrame(
        [{t("col.what", lang): kind(type_, lang), t("col.count", lang): n} for type_, n in stats.relationships.items()]
    )
    return labels, kinds


def load_uploads(
    ctx: Context,
    uploads: Sequence[Upload],
    *,
    strict: bool,
    replace: bool,
    progress: st.delta_generator.DeltaGenerator | None = None,
) -> LoadReport:
    """Write the uploads to a temporary folder under their own names and load them into the store.

    With ``replace`` the graph is replaced (:func:`loaders.pipeline.replace_files`):
    every file is read and checked first, and the old graph stays if
    anything fails. Raises what the pipeline raises (LoadError, LoadRefused
    in strict mode, StoreError). Afterwards the store in use (a new one after
    an embedded replace) and its description go to ``ctx.opened``, an
    embedded store opened from a file (not the demo) is saved, and every
    cached result is dropped, whether the load succeeded or not.
    """
    from graph.open_store import writing
    from loaders.pipeline import load_files, replace_files

    lang = ctx.lang

    def report_progress(done: int, total: int, stage: str) -> None:
        if progress is not None:
            fraction = 0.0 if total <= 0 else min(1.0, done / total)
            progress.progress(fraction, text=tm("data.loading", lang, file=stage))

    store = ctx.store
    changed = False
    saved_file = ctx.info.kind == "embedded"  # an embedded store opened from a file (not the demo)
    try:
        with tempfile.TemporaryDirectory(prefix="guanxi-upload-") as tmp:
            folder = Path(tmp)
            paths = []
            for up in uploads:
                target = folder / Path(up.name).name
                target.write_bytes(up.data)
                paths.append(target)
            if replace:
                loaded, report = replace_files(ctx.store, paths, strict=strict, progress=report_progress)
                if saved_file and isinstance(loaded, EmbeddedStore):
                    loaded.save(ctx.info.path)  # under the file's writer lock; not saved: not swapped in
            else:
                # under the writer lock, after reloading a newer save by another process; saved at the end
                with writing(ctx.store, save=saved_file):
                    loaded, report = ctx.store, load_files(ctx.store, paths, strict=strict, progress=report_progress)
        store, changed = loaded, True
    except (LoadError, LoadRefused):  # found before anything was written
        raise
    except GuanxiError:
        changed = changed or not replace  # an append may have written some batches; a replace kept the old graph
        raise
    finally:
        cached.clear()
        _adopt(ctx, store, changed=changed)
    return report


def _adopt(ctx: Context, store: GraphStore, *, changed: bool) -> None:
    """Put the store in use after a load, and what it is now, where every page finds it."""
    if ctx.opened is None:
        return
    info = ctx.info
    if changed:
        with contextlib.suppress(GuanxiError):  # cannot be counted now: the next page says why
            info = info.after_load(store.stats().nodes.get("Company", 0))
    ctx.opened.swap(store, info)


def table_name(what: str, name: str, lang: Lang, schema: Schema | None = None) -> str:
    """What a loaded file held, in words: 企业 / Company, 任职 / officer, 存量客户 / clients; a label the
    page has no words for in the schema's (``schema``, else the one in use)."""
    if what == "nodes" and f"label.{name}" in STRINGS:
        return t(f"label.{name}", lang)
    if what == "nodes":
        labels = (schema or load_schema()).labels
        return labels[name].words(lang) if name in labels else name
    if what == "edges":
        return kind(name, lang)
    if what == "clients":
        return t("data.clients", lang)
    return name


def files_frame(report: LoadReport, lang: Lang) -> pd.DataFrame:
    """Per-file counts of a load."""
    return pd.DataFrame(
        [
            {
                t("col.file", lang): f.file + (f" [{f.sheet}]" if f.sheet and f.sheet not in f.file else ""),
                t("col.what", lang): table_name(f.what, f.name, lang),
                t("col.read", lang): f.rows_read,
                t("col.accepted", lang): f.accepted,
                t("col.rejected", lang): f.rejected,
            }
            for f in report.files
        ]
    )


def rejects_frame(report: LoadReport, lang: Lang) -> pd.DataFrame:
    """Every reject, dropped value and merged repeat: file, Excel row, column, value, reason, outcome."""
    return pd.DataFrame(
        [
            {
                t("col.file", lang): r.file,
                t("col.row", lang): r.row,
                t("col.column", lang): r.column,
                t("col.value", lang): r.value,
                t("col.reason", lang): reason_text(r.reason, lang),
                t("col.outcome", lang): outcome_text(r.outcome, lang),
            }
            for r in report.rejects
        ]
    )


def show_report(report: LoadReport, lang: Lang) -> None:
    """The load report: totals, per-file counts, the rejects and their download."""
    st.markdown(f"#### {t('data.report', lang)}")
    done = t(
        "data.done",
        lang,
        read=f"{report.rows_read:,}",
        accepted=f"{report.accepted:,}",
        rejected=f"{report.rejected:,}",
    )
    (st.success if report.ok else st.warning)(done)
    st.dataframe(files_frame(report, lang), hide_index=True, width="stretch")
    if report.ignored_files:
        st.caption(tm("data.ignored", lang, files=", ".join(reason_text(f, lang) for f in report.ignored_files)))
    for f in report.files:  # what the load assumed or noticed (a share column's unit, unknown titles ...)
        for note in f.notes:
            st.caption(md(f"{f.file}{colon(lang)}{reason_text(note, lang)}"))
    if report.rejects:
        st.markdown(f"**{t('data.rejects', lang)}**")
        frame = rejects_frame(report, lang)
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            t("data.rejects_download", lang),
            csv_bytes(frame),
            "rejects.csv",
            "text/csv",
            key="data_rejects_csv",
        )


def render(ctx: Context) -> None:
    """The page: store, statistics, upload and load report."""
    lang = ctx.lang
    st.header(t("data.title", lang))
    st.markdown(
        f"**{t('data.store', lang)}**{colon(lang)}{md(ctx.info.describe(lang))}　·　"
        f"{t('data.backend', lang)}{colon(lang)}`{ctx.store.backend}`"
    )
    stats = cached.stats(ctx.store, ctx.key)
    a, b, c = st.columns(3)
    a.metric(t("data.nodes", lang), f"{stats.node_count:,}")
    b.metric(t("data.relationships", lang), f"{stats.relationship_count:,}")
    c.metric(t("data.clients", lang), f"{stats.clients:,}")
    labels, kinds = stats_frames(stats, ctx)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('data.by_label', lang)}**")
        st.table(labels, hide_index=True)
    with right:
        st.markdown(f"**{t('data.by_type', lang)}**")
        st.table(kinds, hide_index=True)

    st.divider()
    if ctx.loading_allowed:
        upload_form(ctx)
    else:
        st.info(t("data.read_only", lang))
    last = st.session_state.get(STATE_REPORT)
    if isinstance(last, LoadReport):
        show_report(last, lang)


def upload_files(lang: Lang) -> str:
    """The file names the loaders know, from the schema (every label, every kind, the client list)."""
    schema = load_schema()
    stems = [*(x.file for x in schema.labels.values()), *(k.file for k in schema.kinds.values()), schema.clients.file]
    return ("、" if lang == "zh" else ", ").join(f"{stem}.csv" for stem in stems)


def upload_form(ctx: Context) -> None:
    """The files, the strict and replace switches, the load button; what a load did, once it ran."""
    lang = ctx.lang
    st.subheader(t("data.upload", lang))
    st.caption(t("data.upload_help", lang, files=md(upload_files(lang))))
    if ctx.info.kind in ("demo", "uploaded"):
        st.caption(t("data.demo_note", lang))
    with st.expander(t("data.columns", lang)):
        st.markdown(columns_markdown(ctx.store.schema))
    files = st.file_uploader(
        t("data.upload", lang),
        type=["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "json", "jsonl", "ndjson"],
        accept_multiple_files=True,
        key="data_files",
        label_visibility="collapsed",
    )
    strict = st.checkbox(t("data.strict", lang), key="data_strict", persist_state="session")
    replace = st.checkbox(t("data.replace", lang), key="data_replace", persist_state="session")
    if st.button(t("data.load", lang), key="data_load", type="primary", icon=":material/upload:"):
        if not files:
            st.warning(t("data.pick_files", lang))
            return
        bar = st.progress(0.0, text=t("data.loading", lang, file="…"))
        try:
            report = load_uploads(
                ctx, [Upload(f.name, f.getvalue()) for f in files], strict=strict, replace=replace, progress=bar
            )
            st.session_state[STATE_REPORT] = report
        except LoadRefused as exc:
            st.error(tm("data.refused", lang, error=user_error(exc, lang).splitlines()[0]))
            st.session_state[STATE_REPORT] = exc.report
        except GuanxiError as exc:
            if replace:
                shared = "data.replace_failed_shared" if ctx.store.backend == "neo4j" else "data.replace_failed"
                st.error(tm(shared, lang, error=user_error(exc, lang)))
            else:
                st.error(tm("data.failed", lang, error=user_error(exc, lang)))
            st.session_state.pop(STATE_REPORT, None)
        finally:
            bar.empty()
        if STATE_REPORT in st.session_state:
            # the statistics above were drawn before the load: draw the page again with the new graph
            st.rerun()
