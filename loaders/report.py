"""What a load did: rows read, accepted and rejected per file, and why each reject was refused.

A :class:`Reject` names the file, the row as the user sees it in Excel (the
header is row 1, so the first data row is 2), the column header as written
in the file, the value and the reason. A :class:`LoadReport` gathers the
per-file counts (:class:`FileReport`) and the rejects, prints a summary in
Chinese or English, writes the rejects as a CSV that Excel opens with
Chinese intact (UTF-8 with BOM), and turns into a dict for ``--json``.

>>> report = LoadReport(
...     files=[FileReport("companies.csv", "nodes", "Company", rows_read=3, accepted=2, rejected=1)],
...     rejects=[Reject("companies.csv", 3, "统一社会信用代码", "123", "USCC must have 18 characters, got 3")],
... )
>>> report.ok, report.rows_read, report.accepted, report.rejected
(False, 3, 2, 1)
>>> print(report.summary("en").splitlines()[0])
1 file, 3 rows read: 2 accepted, 1 rejected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

#: how many rejects :meth:`LoadReport.summary` lists before "... and N more"
SUMMARY_REJECTS = 20

_REJECT_HEADERS = {
    "zh": ("文件", "行号", "列", "值", "原因"),
    "en": ("file", "row", "column", "value", "reason"),
}
_WHAT_ZH = {"nodes": "节点", "edges": "关系", "clients": "存量客户"}


@dataclass(frozen=True, slots=True)
class Reject:
    """One refused cell or row: where it is and why.

    ``row`` is the Excel row number (header = row 1); ``column`` the header
    as written in the file (empty when the whole row is at fault, e.g. a CSV
    line with too many fields).
    """

    file: str
    row: int
    column: str
    value: str
    reason: str

    def describe(self, lang: str = "zh") -> str:
        """``companies.csv 第 3 行 [统一社会信用代码] '123': reason`` (or the English form)."""
        where = f"{self.file} 第 {self.row} 行" if lang == "zh" else f"{self.file} row {self.row}"
        column = f" [{self.column}]" if self.column else ""
        value = f" {self.value!r}" if self.value else ""
        return f"{where}{column}{value}: {self.reason}"


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
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.rejected == 0 and not self.rejects

    def extend(self, files: Iterable[FileReport], rejects: Iterable[Reject]) -> None:
        """Add the outcome of more files."""
        self.files.extend(files)
        self.rejects.extend(rejects)

    def summary(self, lang: Literal["zh", "en"] | str = "zh", *, max_rejects: int = SUMMARY_REJECTS) -> str:
        """A short human text: totals, one line per file, the first rejects."""
        zh = lang == "zh"
        n = len(self.files)
        if zh:
            lines = [f"{n} 个文件，读取 {self.rows_read:,} 行：接受 {self.accepted:,} 行，拒绝 {self.rejected:,} 行。"]
        else:
            lines = [
                f"{n} file{'s' if n != 1 else ''}, {self.rows_read:,} rows read: "
                f"{self.accepted:,} accepted, {self.rejected:,} rejected."
            ]
        for f in self.files:
            what = f"{_WHAT_ZH[f.what]} {f.name}" if zh else f"{f.what} {f.name}"
            enc = f", {f.encoding}" if f.encoding else ""
            if zh:
                line = f"  {f.file}（{what}{enc}）：读取 {f.rows_read:,}，接受 {f.accepted:,}，拒绝 {f.rejected:,}"
                if f.ignored_columns:
                    line += f"；忽略的列：{'、'.join(f.ignored_columns)}"
                if f.lines and f.lines["lines"] != f.lines["header"] + f.lines["rows"]:
                    line += f"；{f.lines_text('zh')}"
            else:
                line = (
                    f"  {f.file} ({what}{enc}): {f.rows_read:,} read, {f.accepted:,} accepted, {f.rejected:,} rejected"
                )
                if f.ignored_columns:
                    line += f"; ignored columns: {', '.join(f.ignored_columns)}"
                if f.lines and f.lines["lines"] != f.lines["header"] + f.lines["rows"]:
                    line += f"; {f.lines_text('en')}"
            lines.append(line)
        if self.ignored_files:
            label = "  未识别的文件（未加载）：" if zh else "  files not recognised (not loaded): "
            lines.append(label + ", ".join(self.ignored_files))
        if self.written:
            parts = ", ".join(f"{name} {count:,}" for name, count in self.written.items())
            lines.append(("已写入：" if zh else "Written: ") + parts)
        if self.rejects:
            lines.append("被拒绝的行：" if zh else "Rejected:")
            lines += [f"  {r.describe('zh' if zh else 'en')}" for r in self.rejects[:max_rejects]]
            more = len(self.rejects) - max_rejects
            if more > 0:
                lines.append(f"  …… 另有 {more:,} 条" if zh else f"  ... and {more:,} more")
        return "\n".join(lines)

    def write_rejects(self, path: str | Path, lang: Literal["zh", "en"] | str = "zh") -> Path:
        """Write every reject to a CSV (UTF-8 with BOM, so Excel shows Chinese); return the path.

        Through :mod:`loaders.export`: a value such as ``=HYPERLINK(...)`` is
        written as text, and a full disk leaves no partial file.
        """
        from loaders.export import write_csv

        rows = [(r.file, r.row, r.column, r.value, r.reason) for r in self.rejects]
        return write_csv(path, (_REJECT_HEADERS["zh" if lang == "zh" else "en"], rows))

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values."""
        return {
            "ok": self.ok,
            "strict": self.strict,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "files": [{**asdict(f), "ignored_columns": list(f.ignored_columns)} for f in self.files],
            "ignored_files": list(self.ignored_files),
            "written": dict(self.written),
            "rejects": [asdict(r) for r in self.rejects],
        }
