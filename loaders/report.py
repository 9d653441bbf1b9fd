"""What a load did: rows read, accepted, rejected and merged per file, values dropped, and what was assumed.

A :class:`Reject` names the file, the row as the user sees it in Excel (the
header is row 1, so the first data row is 2), the column header as written
in the file, the value, the reason and its ``outcome``:

* ``rejected`` -- the row was refused (a bad key, a bad required value, a
  dangling reference, a conflicting duplicate);
* ``dropped`` -- a bad optional value (an ID number with a wrong check digit,
  an unparseable date, a bad amount) was dropped and the row kept;
* ``merged`` -- the row repeats an earlier one exactly and was merged into it.

A :class:`FileReport` also carries ``notes``: what the load assumed or
noticed without refusing anything (how a unit-less share column was read,
zero amounts and placeholder dates stored as unknown, holders of one company
summing over 100%, officer titles outside the vocabulary). A
:class:`LoadReport` gathers the per-file counts and the rejects, prints a
summary in Chinese or English, writes the rejects as a CSV that Excel opens
with Chinese intact (UTF-8 with BOM), and turns into a dict for ``--json``.

A reject's reason is a :class:`~graph.messages.Message` (code and parameters),
worded in the reader's language by the summary, the rejects file and ``--json``.

>>> from graph.messages import Message
>>> report = LoadReport(
...     files=[FileReport("companies.csv", "nodes", "Company", rows_read=3, accepted=2, rejected=1)],
...     rejects=[Reject("companies.csv", 3, "统一社会信用代码", "123", Message("uscc.length", length=3))],
... )
>>> report.ok, report.rows_read, report.accepted, report.rejected
(False, 3, 2, 1)
>>> print(report.summary("en").splitlines()[0])
1 file, 3 rows read: 2 accepted, 1 rejected.
>>> print(report.summary("zh").splitlines()[-1])
  companies.csv 第 3 行 [统一社会信用代码] '123': 统一社会信用代码应为 18 位，实为 3 位
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from graph.messages import note_dict, reason_text

#: how many rejects :meth:`LoadReport.summary` lists before "... and N more"
SUMMARY_REJECTS = 20

_REJECT_HEADERS = {
    "zh": ("文件", "行号", "列", "值", "原因", "处理"),
    "en": ("file", "row", "column", "value", "reason", "outcome"),
}
#: what happened to a row or value, as the summary and the rejects file say it
OUTCOMES: dict[str, tuple[str, str]] = {
    "rejected": ("整行拒绝", "row rejected"),
    "dropped": ("值已舍弃，行保留", "value dropped, row kept"),
    "merged": ("已合并", "merged"),
}
Outcome = Literal["rejected", "dropped", "merged"]
_WHAT_ZH = {"nodes": "节点", "edges": "关系", "clients": "存量客户"}


@dataclass(frozen=True, slots=True)
class Reject:
    """One refused row, dropped value or merged repeat: where it is, why, and what was done.

    ``row`` is the Excel row number (header = row 1); ``column`` the header
    as written in the file (empty when the whole row is at fault, e.g. a CSV
    line with too many fields); ``reason`` a :class:`~graph.messages.Message`
    (plain text only from older callers); ``outcome`` one of :data:`OUTCOMES`.
    """

    file: str
    row: int
    column: str
    value: str
    reason: str
    outcome: Outcome = "rejected"

    def describe(self, lang: str = "zh") -> str:
        """``companies.csv 第 3 行 [统一社会信用代码] '123': reason`` (or the English form), plus the
        outcome when the row was not rejected (``(value dropped, row kept)``)."""
        where = f"{self.file} 第 {self.row} 行" if lang == "zh" else f"{self.file} row {self.row}"
        column = f" [{self.column}]" if self.column else ""
        value = f" {self.value!r}" if self.value else ""
        done = "" if self.outcome == "rejected" else f" ({outcome_text(self.outcome, lang)})"
        return f"{where}{column}{value}: {self.reason_text(lang)}{done}"

    def reason_text(self, lang: str = "zh") -> str:
        """The reason in ``lang`` (``zh`` or ``en``)."""
        return reason_text(self.reason, "zh" if lang == "zh" else "en")

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        """For ``--json``: where, the value, the reason in ``lang`` and its code and parameters
        (``reason_code`` is None for a plain-text reason)."""
        said = note_dict(self.reason, "zh" if lang == "zh" else "en")
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": said["text"],
            "reason_code": said["code"],
            "reason_params": said["params"],
            "outcome": self.outcome,
        }


def outcome_text(outcome: str, lang: str = "zh") -> str:
    """What an outcome means in words: ``value dropped, row kept``.

    >>> outcome_text("dropped", "en")
    'value dropped, row kept'
    """
    zh, en = OUTCOMES.get(outcome, (outcome, outcome))
    return zh if lang == "zh" else en


@dataclass(slots=True)
class FileReport:
    """Counts for one file (or one sheet of a workbook)."""

    file: str
    what: Literal["nodes", "edges", "clients"]
    name: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    encoding: str | None = None
    sheet: str | None = None
    ignored_columns: tuple[str, ...] = ()
    #: rows that repeated an earlier row exactly and were merged into it (not rejected)
    merged: int = 0
    #: optional values dropped from kept rows
    dropped: int = 0
    #: what was assumed or noticed without refusing anything, one line each
    notes: tuple[str, ...] = ()
    #: how the file's physical lines were used (loaders.csv_text.Accounting as a dict; empty when unknown)
    lines: dict[str, int] = field(default_factory=dict)

    def lines_text(self, lang: str = "zh") -> str:
        """``12 lines = 1 header + 9 rows + 1 rejected + 1 blank + 0 continued`` (empty when unknown)."""
        if not self.lines:
            return ""
        n = self.lines
        if lang == "zh":
            return (
                f"{n['lines']:,} 行 = 表头 {n['header']:,} + 数据 {n['rows']:,} + 拆分失败 {n['bad']:,}"
                f" + 空行 {n['blank']:,} + 续行 {n['continued']:,}"
            )
        return (
            f"{n['lines']:,} lines = {n['header']:,} header + {n['rows']:,} rows + {n['bad']:,} refused"
            f" + {n['blank']:,} blank + {n['continued']:,} continued"
        )


@dataclass
class LoadReport:
    """The outcome of one load: per-file counts, every reject, and what was written.

    ``written`` counts rows handed to the store per label / relationship type
    / ``clients`` (empty until the load writes, and when strict mode refused
    it). ``ignored_files`` are files in a loaded directory (or sheets of a
    workbook) whose name matched no table.
    """

    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)
    strict: bool = False

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        """Rejected rows (a row with several bad cells counts once)."""
        return sum(f.rejected for f in self.files)

    @property
    def merged(self) -> int:
        """Rows merged into an earlier identical row."""
        return sum(f.merged for f in self.files)

    @property
    def dropped(self) -> int:
        """Optional values dropped from kept rows."""
        return sum(f.dropped for f in self.files)

    @property
    def ok(self) -> bool:
        """True when no row was rejected and no value dropped (merged repeats and notes are fine)."""
        return self.rejected == 0 and not any(r.outcome != "merged" for r in self.rejects)

    def extend(self, files: Iterable[FileReport], rejects: Iterable[Reject]) -> None:
        """Add the outcome of more files."""
        self.files.extend(files)
        self.rejects.extend(rejects)

    def summary(self, lang: Literal["zh", "en"] | str = "zh", *, max_rejects: int = SUMMARY_REJECTS) -> str:
        """A short human text: totals, one line per file, the first rejects."""
        zh = lang == "zh"
        n = len(self.files)
        if zh:
            extra = f"，合并重复 {self.merged:,} 行" if self.merged else ""
            extra += f"；舍弃 {self.dropped:,} 个值（行保留）" if self.dropped else ""
            lines = [
                f"{n} 个文件，读取 {self.rows_read:,} 行：接受 {self.accepted:,} 行，拒绝 {self.rejected:,} 行{extra}。"
            ]
        else:
            extra = f", {self.merged:,} merged as exact repeats" if self.merged else ""
            extra += f"; {self.dropped:,} values dropped (rows kept)" if self.dropped else ""
            lines = [
                f"{n} file{'s' if n != 1 else ''}, {self.rows_read:,} rows read: "
                f"{self.accepted:,} accepted, {self.rejected:,} rejected{extra}."
            ]
        for f in self.files:
            what = f"{_WHAT_ZH[f.what]} {f.name}" if zh else f"{f.what} {f.name}"
            enc = f", {f.encoding}" if f.encoding else ""
            if zh:
                line = f"  {f.file}（{what}{enc}）：读取 {f.rows_read:,}，接受 {f.accepted:,}，拒绝 {f.rejected:,}"
                if f.merged:
                    line += f"，合并 {f.merged:,}"
                if f.dropped:
                    line += f"，舍弃值 {f.dropped:,}"
                if f.ignored_columns:
                    line += f"；忽略的列：{'、'.join(f.ignored_columns)}"
                if f.lines and f.lines["lines"] != f.lines["header"] + f.lines["rows"]:
                    line += f"；{f.lines_text('zh')}"
            else:
                line = (
                    f"  {f.file} ({what}{enc}): {f.rows_read:,} read, {f.accepted:,} accepted, {f.rejected:,} rejected"
                )
                if f.merged:
                    line += f", {f.merged:,} merged"
                if f.dropped:
                    line += f", {f.dropped:,} values dropped"
                if f.ignored_columns:
                    line += f"; ignored columns: {', '.join(f.ignored_columns)}"
                if f.lines and f.lines["lines"] != f.lines["header"] + f.lines["rows"]:
                    line += f"; {f.lines_text('en')}"
            lines.append(line)
            lines += [f"    {reason_text(note, 'zh' if zh else 'en')}" for note in f.notes]
        if self.ignored_files:
            label = "  未识别的文件（未加载）：" if zh else "  files not recognised (not loaded): "
            lines.append(label + ", ".join(reason_text(f, "zh" if zh else "en") for f in self.ignored_files))
        if self.written:
            parts = ", ".join(f"{name} {count:,}" for name, count in self.written.items())
            lines.append(("已写入：" if zh else "Written: ") + parts)
        if self.rejects:
            lines.append("被拒绝、舍弃或合并的行：" if zh else "Rejected, dropped or merged:")
            lines += [f"  {r.describe('zh' if zh else 'en')}" for r in self.rejects[:max_rejects]]
            more = len(self.rejects) - max_rejects
            if more > 0:
                lines.append(f"  …… 另有 {more:,} 条" if zh else f"  ... and {more:,} more")
        return "\n".join(lines)

    def write_rejects(self, path: str | Path, lang: Literal["zh", "en"] | str = "zh") -> Path:
        """Write every reject, dropped value and merged repeat to a CSV (UTF-8 with BOM, so Excel shows
        Chinese), with what was done to each; return the path.

        Through :mod:`loaders.export`: a value such as ``=HYPERLINK(...)`` is
        written as text, and a full disk leaves no partial file.
        """
        from loaders.export import write_csv

        lang_ = "zh" if lang == "zh" else "en"
        rows = [
            (r.file, r.row, r.column, r.value, r.reason_text(lang_), outcome_text(r.outcome, lang_))
            for r in self.rejects
        ]
        return write_csv(path, (_REJECT_HEADERS[lang_], rows))

    def to_dict(self, lang: Literal["zh", "en"] | str = "zh") -> dict[str, Any]:
        """Everything as plain JSON-ready values; reasons in ``lang`` with their codes and parameters."""
        return {
            "ok": self.ok,
            "strict": self.strict,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "merged": self.merged,
            "dropped": self.dropped,
            "files": [
                {
                    **asdict(f),
                    "ignored_columns": list(f.ignored_columns),
                    "notes": [reason_text(n, "zh" if lang == "zh" else "en") for n in f.notes],
                }
                for f in self.files
            ],
            "ignored_files": [reason_text(f, "zh" if lang == "zh" else "en") for f in self.ignored_files],
            "written": dict(self.written),
            "rejects": [r.to_dict(lang) for r in self.rejects],
        }
