"""The batch reach result as the tables a reader downloads, in one language, without Streamlit.

The explorer's batch page shows and offers these tables, and ``guanxi batch``
writes the same ones, so an export made on the command line reads like the
explorer's download: paths with their relationships and direction
(:func:`queries.explain.path_text`), match kinds and yes/no in words, sheet
names and headers in the chosen language only, counts and warmth as numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from queries.batch import BatchResult
from queries.explain import path_text
from queries.matching import MatchRow
from queries.messages import render
from ui.i18n import Lang, t

#: how a row of the list can match a company (``batch.method.*`` in :mod:`ui.i18n`)
METHODS = ("uscc", "name", "name_variant", "name_without_region", "former_name", "fuzzy")
#: English headers a reader expects where the snake_case name would not do
HEADER_WORDS = {"uscc": "USCC", "as_best_path": "as warmest path", "introducer_uscc": "introducer USCC"}
#: the results sheet's columns (keys of :mod:`ui.i18n`), the prospect and the introducer first
RESULT_COLUMNS = (
    "col.prospect",
    "col.rank",
    "col.warmth",
    "col.hops",
    "col.introducer",
    "col.manager",
    "col.branch",
    "col.sentence",
    "col.path",
    "col.already_client",
    "col.row",
    "col.input_name",
    "col.input_uscc",
    "col.uscc",
    "col.method",
    "col.introducer_key",
)
#: the workbook's sheets in order (``batch.sheet_*`` in :mod:`ui.i18n`); also the CSV files' suffixes
SHEETS = ("results", "summary", "introducers", "managers", "unmatched")


def human_headers(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """``frame`` with English column names a reader expects (``input name``, ``USCC``), not
    ``snake_case``; Chinese headers are left as they are.

    >>> list(human_headers(pd.DataFrame(columns=["input_name", "uscc", "as_best_path"]), "en").columns)
    ['input name', 'USCC', 'as warmest path']
    """
    if lang == "zh":
        return frame
    return frame.rename(columns=lambda c: HEADER_WORDS.get(str(c), str(c).replace("_", " ")))


def method_name(method: str | None, lang: Lang) -> str:
    """How a row matched, in words.

    >>> method_name("name_variant", "en"), method_name("fuzzy", "zh"), method_name(None, "en")
    ('name without legal form', '模糊匹配', '')
    """
    return t(f"batch.method.{method}", lang) if method in METHODS else ""


def yes_no(value: bool, lang: Lang) -> str:
    """A yes/no cell in words (是/否), never ``True``/``False``.

    >>> yes_no(True, "zh"), yes_no(False, "en")
    ('是', 'no')
    """
    return t("yes" if value else "no", lang)


def notes_in(text: str, lang: Lang) -> str:
    """A match note (bilingual pieces joined by "；") in one language."""
    return "；".join(render(part, lang) for part in text.split("；") if part.strip())


def notes_text(notes: Sequence[str], lang: Lang) -> str:
    """Notes (messages) in one language, joined by "；"."""
    return "；".join(render(n, lang) for n in notes)


def match_note(row: MatchRow, lang: Lang) -> str:
    """A match row's notes in one language."""
    return notes_text(row.notes, lang) if row.notes else notes_in(row.note, lang)


def results_frame(result: BatchResult, lang: Lang) -> pd.DataFrame:
    """One line per path, the prospect and the introducer first; a prospect without a path has one
    line that says why. What the page shows and the downloads hold."""
    rows: list[dict[str, object]] = []
    for r in result.reaches:
        base = {
            "col.prospect": r.prospect.name,
            "col.already_client": yes_no(r.prospect.is_client, lang),
            "col.row": r.match.row,
            "col.input_name": r.match.name or "",
            "col.input_uscc": r.match.uscc or "",
            "col.uscc": r.prospect.key,
            "col.method": method_name(r.match.method, lang),
        }
        if not r.answer.paths:
            rows.append({**base, "col.sentence": notes_text(r.answer.notes, lang)})
        for p in r.answer.paths:
            rows.append(
                {
                    **base,
                    "col.rank": p.rank,
                    "col.warmth": round(p.warmth, 4),
                    "col.hops": p.hops,
                    "col.introducer": p.introducer.name,
                    "col.manager": p.manager or "",
                    "col.branch": p.branch or "",
                    "col.sentence": p.sentence_zh if lang == "zh" else p.sentence_en,
                    "col.path": path_text(p.path, lang),
                    "col.introducer_key": p.introducer.key,
                }
            )
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for column in ("col.rank", "col.hops", "col.row"):
        frame[column] = frame[column].astype("Int64")
    frame["col.warmth"] = frame["col.warmth"].astype("float64")
    return frame.rename(columns={c: t(c, lang) for c in RESULT_COLUMNS})


def result_sheets(result: BatchResult, lang: Lang) -> dict[str, pd.DataFrame]:
    """Every table of the result by sheet name in ``lang`` (in the order of :data:`SHEETS`): what the
    explorer's Excel download holds and ``guanxi batch`` writes."""
    unmatched = result.unmatched_frame(lang)
    status = "状态" if lang == "zh" else "status"
    note = "说明" if lang == "zh" else "note"
    unmatched[status] = [t(f"batch.{s}", lang) for s in unmatched[status]]
    unmatched[note] = [match_note(r, lang) for r in result.report.rows if r.status != "matched"]
    tables = {
        "results": results_frame(result, lang),
        "summary": human_headers(result.summary_frame(lang), lang),
        "introducers": human_headers(result.introducers_frame(lang), lang),
        "managers": human_headers(result.managers_frame(lang), lang),
        "unmatched": human_headers(unmatched, lang),
    }
    return {t(f"batch.sheet_{key}", lang): tables[key] for key in SHEETS}
