"""Introduction logs: which path a relationship manager tried for which prospect, and what came of it.

An introduction log (引荐记录) is a CSV or Excel file with one row per
attempt. Columns (English or Chinese headers):

==============  ======================================  ========
column          also accepted as header                 required
==============  ======================================  ========
``prospect``    潜客, 潜客名称, 潜客信用代码, 目标企业   yes
``path``        路径, 引荐路径                           yes
``outcome``     结果, 引荐结果                           yes
``introducer``  引荐客户, 引荐人                         no
``date``        日期, 引荐日期                           no
==============  ======================================  ========

``path`` lists the entities from the introducing client to the prospect,
separated by ``>``, ``→`` or ``|``, each a node id (``Company:9131…``), a
USCC or key, or an exact name. ``outcome`` is *met* (met, 见面, 已见面, 成功,
引荐成功) or *not met* (declined, 拒绝, 婉拒, no_answer, 未回复, 无回应).

Every row that cannot be used — an unknown prospect, a path element that
names nothing or two things, two consecutive entities no relationship joins,
a path that does not end at the prospect or start at the introducer, an
outcome word guanxi does not know — is a reject naming the file, row and
column; the rest are returned as :class:`~queries.calibrate.Attempt` s.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import GuanxiError, LoadError
from graph.store import GraphStore
from loaders.read import read_raw
from queries.calibrate import Attempt
from queries.resolve import resolve

HEADERS: dict[str, tuple[str, ...]] = {
    "prospect": ("prospect", "潜客", "潜客名称", "潜客信用代码", "目标企业"),
    "path": ("path", "路径", "引荐路径"),
    "outcome": ("outcome", "结果", "引荐结果"),
    "introducer": ("introducer", "引荐客户", "引荐人"),
    "date": ("date", "日期", "引荐日期"),
}
REQUIRED = ("prospect", "path", "outcome")

MET = {"met", "yes", "success", "见面", "已见面", "会面", "成功", "引荐成功"}
NOT_MET = {"declined", "no", "no_answer", "no answer", "拒绝", "婉拒", "未回复", "无回应", "无应答", "失败"}

_SEPARATORS = re.compile(r"\s*(?:>|→|\||＞)\s*")


@dataclass(frozen=True)
class LogReject:
    """One unusable row: where it is and why."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def describe(self) -> str:
        return f"{self.file} row {self.row} [{self.column}] {self.value!r}: {self.reason}"


@dataclass
class IntroLog:
    """The attempts read from a log, and the rows refused."""

    attempts: list[Attempt] = field(default_factory=list)
    rejects: list[LogReject] = field(default_factory=list)


def _columns(headers: list[str], file: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in headers:
        key = str(header).strip().lower()
        for column, names in HEADERS.items():
            if key in {n.lower() for n in names} and column not in found:
                found[column] = header
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise LoadError(
            f"{file}: an introduction log needs the columns {', '.join(missing)} "
            f"(headers such as {', '.join(HEADERS[missing[0]][:3])})"
        )
    return found


class _Names:
    """Resolves the texts of a log to node ids, node ids themselves in one batch."""

    def __init__(self, store: GraphStore, texts: set[str]) -> None:
        self.store = store
        ids = [t for t in texts if ":" in t and t.split(":", 1)[0] in store.schema.labels]
        self.known = set(store.get_nodes(ids)) if ids else set()
        self.cache: dict[str, str] = {}

    def id(self, text: str) -> str:
        """The id of the one entity ``text`` names (GuanxiError if none or several)."""
        if text in self.known:
            return text
        if text not in self.cache:
            self.cache[text] = resolve(self.store, text).id
        return self.cache[text]


def read_intro_log(store: GraphStore, path: str | Path) -> IntroLog:
    """Read an introduction log against ``store``; LoadError when the file itself cannot be read."""
    raw = read_raw(path)
    file = Path(path).name
    cols = _columns([str(c) for c in raw.frame.columns], file)
    log = IntroLog()
    texts = {str(v).strip() for h in cols.values() for v in raw.frame[h].tolist()}
    texts |= {p for t in raw.frame[cols["path"]].tolist() for p in _SEPARATORS.split(str(t)) if p}
    names = _Names(store, texts)
    candidates: list[tuple[int, tuple[str, ...], bool, str | None, str]] = []
    for row, cells in raw.frame.iterrows():
        number = int(row)  # type: ignore[call-overload]  # the Excel row number

        def refuse(column: str, reason: str, *, _row: int = number, _cells: object = cells) -> None:
            value = str(_cells[cols[column]]) if column in cols else ""  # type: ignore[index]
            log.rejects.append(LogReject(file, _row, cols.get(column, column), value, reason))

        text = {c: str(cells[h]).strip() for c, h in cols.items()}
        word = text["outcome"].strip().lower()
        if word in MET:
            met = True
        elif word in NOT_MET:
            met = False
        else:
            refuse("outcome", "unknown outcome; use met/见面/成功 or declined/拒绝/no_answer/未回复")
            continue
        try:
            prospect = names.id(text["prospect"])
        except GuanxiError as exc:
            refuse("prospect", f"unknown prospect: {exc}")
            continue
        parts = [p for p in _SEPARATORS.split(text["path"]) if p]
        if len(parts) < 2:
            refuse("path", "a path names at least the introducer and the prospect, separated by > or →")
            continue
        ids: list[str] = []
        for part in parts:
            try:
                ids.append(names.id(part))
            except GuanxiError as exc:
                refuse("path", f"unknown path element {part!r}: {exc}")
                break
        if len(ids) != len(parts):
            continue
        if ids[-1] != prospect:
            refuse("path", "the path does not end at the prospect")
            continue
        if len(set(ids)) != len(ids):
            refuse("path", "the path passes an entity twice")
            continue
        if text.get("introducer"):
            try:
                if names.id(text["introducer"]) != ids[0]:
                    refuse("introducer", "the path does not start at the introducer")
                    continue
            except GuanxiError as exc:
                refuse("introducer", f"unknown introducer: {exc}")
                continue
        candidates.append((number, tuple(ids), met, text.get("date") or None, text["path"]))
    every = sorted({n for _, chain, _, _, _ in candidates for n in chain})
    pairs = {frozenset((e.source, e.target)) for e in store.edges_of(every)} if every else set()
    for number, chain, met, date, written in candidates:
        gap = next(((a, b) for a, b in itertools.pairwise(chain) if frozenset((a, b)) not in pairs), None)
        if gap is not None:
            reason = f"no relationship joins {gap[0]} and {gap[1]} in the graph"
            log.rejects.append(LogReject(file, number, cols["path"], written, reason))
            continue
        log.attempts.append(Attempt(chain[-1], chain, met, number, date))
    log.rejects.sort(key=lambda r: r.row)
    return log
