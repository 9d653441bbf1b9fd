"""Batch reach (批量关系排查): introduction paths for a whole list of prospects, and a summary.

For every prospect of a matched list, the best ``k`` introduction paths
(:func:`queries.introductions.introductions`, same options and rules);
then how many prospects are reachable within 1, 2, 3, 4 hops (by their
shortest path found), which clients introduce the most prospects and which
relationship managers own them. Everything comes out as pandas DataFrames
and is written to Excel (sheets 结果, 汇总, 引荐客户, 客户经理, 未匹配,
or in English) or CSV (UTF-8 with BOM, so Excel opens it; one file per table).

A company listed twice is searched once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from graph.errors import InvalidParameter
from graph.model import Node
from graph.store import GraphStore, one_snapshot
from loaders.export import CsvEncoding, table_format, write_csv, write_excel
from queries.explain import path_text
from queries.introductions import introductions
from queries.matching import MatchReport, MatchRow, match_list
from queries.messages import render
from queries.paths import PathAnswer, PathOptions, build_query, path_options
from queries.ranking import Distinct

Progress = Callable[[int, int], None]
Lang = Literal["zh", "en"]

_RESULT_COLUMNS = {
    "row": "行号",
    "input_name": "输入名称",
    "input_uscc": "输入信用代码",
    "prospect": "潜客名称",
    "uscc": "统一社会信用代码",
    "match": "匹配方式",
    "is_client": "已是客户",
    "rank": "排名",
    "warmth": "温度",
    "hops": "跳数",
    "introducer": "引荐客户",
    "introducer_uscc": "引荐客户信用代码",
    "manager": "客户经理",
    "branch": "所属支行",
    "explanation": "关系说明",
    "warmth_explained": "温度计算",
    "more_ways": "同一引荐客户的其他路径",
    "path": "路径",
}
#: the tables in order: sheet names in Chinese and English; the keys name the CSV files beside the results
_SHEETS = {
    "results": ("结果", "results"),
    "summary": ("汇总", "summary"),
    "introducers": ("引荐客户", "introducers"),
    "managers": ("客户经理", "managers"),
    "unmatched": ("未匹配", "unmatched"),
}


@dataclass(frozen=True)
class ProspectReach:
    """One matched row of the list and its introduction paths."""

    match: MatchRow
    prospect: Node
    answer: PathAnswer

    @property
    def best_hops(self) -> int | None:
        """The fewest hops among the paths found (None: none found)."""
        return min((p.hops for p in self.answer.paths), default=None)

    def to_dict(self) -> dict[str, object]:
        return {"row": self.match.row, **self.answer.to_dict()}


@dataclass(frozen=True)
class BatchResult:
    """Paths for every matched prospect, the match report, and the options used."""

    report: MatchReport
    reaches: tuple[ProspectReach, ...]
    k: int
    max_hops: int

    def reachable_within(self, hops: int) -> int:
        """How many listed prospects (distinct companies) have a path of at most ``hops`` hops."""
        seen: set[str] = set()
        for r in self.reaches:
            best = r.best_hops
            if best is not None and best <= hops:
                seen.add(r.prospect.id)
        return len(seen)

    def results_frame(self, lang: Lang = "zh") -> pd.DataFrame:
        """One line per path (one line with the note for a prospect without paths)."""
        lines: list[dict[str, object]] = []
        for r in self.reaches:
            base: dict[str, object] = {
                "row": r.match.row,
                "input_name": r.match.name,
                "input_uscc": r.match.uscc,
                "prospect": r.prospect.name,
                "uscc": r.prospect.key,
                "match": r.match.method,
                "is_client": r.prospect.is_client,
            }
            if not r.answer.paths:
                lines.append({**base, "explanation": "；".join(render(n, lang) for n in r.answer.notes)})
            for p in r.answer.paths:
                lines.append(
                    {
                        **base,
                        "rank": p.rank,
                        "warmth": round(p.warmth, 4),
                        "hops": p.hops,
                        "introducer": p.introducer.name,
                        "introducer_uscc": p.introducer.key,
                        "manager": p.manager,
                        "branch": p.branch,
                        "explanation": p.sentence_zh if lang == "zh" else p.sentence_en,
                        "warmth_explained": None if p.arithmetic is None else p.arithmetic.text(lang),
                        "more_ways": len(p.more),
                        "path": path_text(p.path, lang),
                    }
                )
        frame = pd.DataFrame(lines, columns=list(_RESULT_COLUMNS))
        return frame.rename(columns=_RESULT_COLUMNS) if lang == "zh" else frame

    def summary_frame(self, lang: Lang = "zh") -> pd.DataFrame:
        """The counts a head of team reads first."""
        prospects = {r.prospect.id for r in self.reaches}
        clients = {r.prospect.id for r in self.reaches if r.prospect.is_client}
        reached = {r.prospect.id for r in self.reaches if r.answer.paths}
        rows: list[tuple[str, str, int]] = [
            ("名单行数", "rows in the list", len(self.report.rows)),
            ("匹配成功", "matched", len(self.report.matched)),
            ("多个候选", "ambiguous", len(self.report.ambiguous)),
            ("未匹配", "unmatched", len(self.report.unmatched)),
            ("潜客（去重）", "distinct prospects", len(prospects)),
            ("已是客户", "already clients", len(clients)),
        ]
        for h in range(1, max(4, self.max_hops) + 1):
            rows.append((f"{h}跳内可达", f"reachable within {h} hop{'' if h == 1 else 's'}", self.reachable_within(h)))
        rows.append(("无引荐路径", "no introduction path", len(prospects - reached)))
        if lang == "zh":
            return pd.DataFrame([(zh, n) for zh, _, n in rows], columns=["指标", "数量"])
        return pd.DataFrame([(en, n) for _, en, n in rows], columns=["measure", "count"])

    def introducers_frame(self, lang: Lang = "zh") -> pd.DataFrame:
        """Clients by how many prospects they can introduce (and as the warmest path)."""
        anywhere: dict[str, set[str]] = defaultdict(set)
        best: Counter[str] = Counter()
        nodes: dict[str, Node] = {}
        for r in self.reaches:
            for p in r.answer.paths:
                nodes[p.introducer.id] = p.introducer
                anywhere[p.introducer.id].add(r.prospect.id)
                if p.rank == 1:
                    best[p.introducer.id] += 1
        lines = [
            (nodes[i].name, nodes[i].key, nodes[i].manager, nodes[i].branch, len(ps), best[i])
            for i, ps in anywhere.items()
        ]
        lines.sort(key=lambda t: (-t[4], -t[5], t[1]))
        cols = (
            ["引荐客户", "信用代码", "客户经理", "所属支行", "可引荐潜客数", "最佳路径数"]
            if lang == "zh"
            else ["introducer", "uscc", "manager", "branch", "prospects", "as_best_path"]
        )
        return pd.DataFrame(lines, columns=cols)

    def managers_frame(self, lang: Lang = "zh") -> pd.DataFrame:
        """Relationship managers by how many prospects their clients reach."""
        reach: dict[str, set[str]] = defaultdict(set)
        best: Counter[str] = Counter()
        used: dict[str, set[str]] = defaultdict(set)
        for r in self.reaches:
            for p in r.answer.paths:
                who = p.manager or "-"
                reach[who].add(r.prospect.id)
                used[who].add(p.introducer.id)
                if p.rank == 1:
                    best[who] += 1
        lines = [(m, len(ps), best[m], len(used[m])) for m, ps in reach.items()]
        lines.sort(key=lambda t: (-t[1], -t[2], t[0]))
        cols = (
            ["客户经理", "可触达潜客数", "最佳路径数", "引荐客户数"]
            if lang == "zh"
            else ["manager", "prospects", "as_best_path", "introducers"]
        )
        return pd.DataFrame(lines, columns=cols)

    def unmatched_frame(self, lang: Lang = "zh") -> pd.DataFrame:
        """Rows that did not match one company: ambiguous (with candidates) and unmatched."""
        lines = [
            (
                r.row,
                r.name,
                r.uscc,
                r.status,
                "；".join(f"{c.name}({c.key})" for c in r.candidates),
                r.note,
            )
            for r in self.report.rows
            if r.status != "matched"
        ]
        cols = (
            ["行号", "输入名称", "输入信用代码", "状态", "候选", "说明"]
            if lang == "zh"
            else ["row", "input_name", "input_uscc", "status", "candidates", "note"]
        )
        return pd.DataFrame(lines, columns=cols)

    def frames(self, lang: Lang = "zh") -> dict[str, pd.DataFrame]:
        """Every table by sheet name in ``lang`` (结果, 汇总, 引荐客户, 客户经理, 未匹配 / results, ...),
        with column names for code; the explorer's and ``guanxi batch``'s worded sheets are
        :func:`ui.batch_sheets.result_sheets`."""
        tables = (self.results_frame, self.summary_frame, self.introducers_frame, self.managers_frame)
        frames = [table(lang) for table in (*tables, self.unmatched_frame)]
        return {names[0 if lang == "zh" else 1]: f for names, f in zip(_SHEETS.values(), frames, strict=True)}

    def to_dict(self) -> dict[str, object]:
        return {
            "k": self.k,
            "max_hops": self.max_hops,
            "match": self.report.to_dict()["summary"],
            "reachable_within": {h: self.reachable_within(h) for h in range(1, max(4, self.max_hops) + 1)},
            "prospects": [r.to_dict() for r in self.reaches],
            "unmatched": [r.to_dict() for r in self.report.rows if r.status != "matched"],
        }


def _as_report(store: GraphStore, prospects: MatchReport | pd.DataFrame | Sequence[str | Node]) -> MatchReport:
    if isinstance(prospects, MatchReport):
        return prospects
    if isinstance(prospects, pd.DataFrame):
        return match_list(store, prospects)
    if isinstance(prospects, str) or not isinstance(prospects, Sequence):
        raise InvalidParameter("prospects", "give a match report, a DataFrame or a list of names, USCCs or nodes")
    names = [p.key if isinstance(p, Node) else p for p in prospects]
    if not all(isinstance(n, str) for n in names):
        raise InvalidParameter("prospects", "every prospect must be a name, an USCC or a node")
    return match_list(store, pd.DataFrame({"name": names}, index=pd.RangeIndex(1, len(names) + 1)))


@one_snapshot
def batch_reach(
    store: GraphStore,
    prospects: MatchReport | pd.DataFrame | Sequence[str | Node],
    *,
    options: PathOptions | None = None,
    k: int | None = 3,
    max_hops: int | None = None,
    kinds: Sequence[str] | None = None,
    min_warmth: float | None = None,
    manager: str | None = None,
    branch: str | None = None,
    include_closed: bool = False,
    include_blacklisted: bool = False,
    distinct: Distinct = "introducer",
    include_state_holders: bool = False,
    progress: Progress | None = None,
) -> BatchResult:
    """The best ``k`` introduction paths for every matched prospect.

    ``prospects`` is a :class:`~queries.matching.MatchReport`, a list frame
    (matched here with :func:`~queries.matching.match_list`) or a sequence
    of names, USCCs or nodes (row numbers 1, 2, ...). The options are those
    of :func:`~queries.introductions.introductions` (one
    :class:`~queries.paths.PathOptions` or keywords; ``k`` is 3 by default,
    ``None`` the configured default), checked before the first search. ``progress(done, total)`` is
    called after each prospect.
    """
    opts = path_options(
        options,
        k=None if options is not None and k == 3 else k,  # 3: the keyword's default, not a choice
        max_hops=max_hops,
        kinds=kinds,
        min_warmth=min_warmth,
        manager=manager,
        branch=branch,
        include_closed=include_closed,
        include_blacklisted=include_blacklisted,
        distinct=distinct,
        include_state_holders=include_state_holders,
    )
    probe = Node(id="Company:probe", label="Company", key="probe", name="probe")
    checked = build_query(store, probe, opts)
    report = _as_report(store, prospects)
    rows = [r for r in report.rows if r.status == "matched" and r.node is not None]
    done: dict[str, PathAnswer] = {}
    reaches: list[ProspectReach] = []
    total = len(rows)
    for i, row in enumerate(rows, start=1):
        node = row.node
        assert node is not None
        answer = done.get(node.id)
        if answer is None:
            answer = introductions(store, node, options=opts)
            done[node.id] = answer
        reaches.append(ProspectReach(row, node, answer))
        if progress is not None:
            progress(i, total)
    return BatchResult(report, tuple(reaches), checked.k, checked.max_hops)


def write_batch(
    result: BatchResult | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    lang: Lang = "zh",
    encoding: CsvEncoding = "utf-8-sig",
) -> list[Path]:
    """Write a batch result to ``path``: an Excel workbook (``.xlsx``) with one sheet per table, or
    CSV files (``.csv``, UTF-8 with BOM or GB18030: the results there, the other tables beside it as
    ``NAME-summary.csv`` ...). Returns the files written.

    ``result`` is a :class:`BatchResult` (its :meth:`BatchResult.frames` in
    ``lang``) or its five tables already made, by sheet name in the order
    results, summary, introducers, managers, unmatched (the worded sheets of
    :func:`ui.batch_sheets.result_sheets`). Through :mod:`loaders.export`:
    no cell is a formula, and each file is written whole or not at all."""
    file = Path(path)
    kind = table_format(file)
    frames = result.frames(lang) if isinstance(result, BatchResult) else dict(result)
    if len(frames) != len(_SHEETS):
        raise InvalidParameter("result", f"a batch result has {len(_SHEETS)} tables, got {len(frames)}")
    if kind == "xlsx":
        return [write_excel(file, frames)]
    written: list[Path] = []
    for key, frame in zip(_SHEETS, frames.values(), strict=True):
        target = file if key == "results" else file.with_name(f"{file.stem}-{key}.csv")
        written.append(write_csv(target, frame, encoding))
    return written
