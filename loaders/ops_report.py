"""What a read of operational files did: per-file counts, rejected rows and warnings on kept rows.

Rejects and warnings are :class:`~loaders.report.Reject` records (file, Excel
row, header as written, value, reason), as in the graph's load report; a
warning marks a row that was kept (an unknown tag, a placeholder date, a
repeated row kept once, an overlapping region code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graph.messages import reason_text
from loaders.report import LoadReport, Reject


@dataclass(slots=True)
class OpsFileReport:
    """Counts for one operational file (or sheet)."""

    file: str
    kind: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    encoding: str | None = None
    ignored_columns: tuple[str, ...] = ()


@dataclass
class OpsReport:
    """What a read of operational files did: per-file counts, rejected rows, warnings on kept rows."""

    files: list[OpsFileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[Reject] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def ok(self) -> bool:
        """True when no row was rejected (warnings allowed)."""
        return not self.rejects

    def summary(self, lang: Literal["zh", "en"] | str = "zh", *, max_lines: int = 20) -> str:
        """Totals, one line per file, then the first rejects and warnings."""
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
            if zh:
                lines.append(f"  {f.file}（{f.kind}）：读取 {f.rows_read:,}，接受 {f.accepted:,}，拒绝 {f.rejected:,}")
            else:
                lines.append(
                    f"  {f.file} ({f.kind}): {f.rows_read:,} read, {f.accepted:,} accepted, {f.rejected:,} rejected"
                )
        if self.ignored_files:
            label = "  未识别的文件：" if zh else "  files not recognised: "
            lines.append(label + ", ".join(reason_text(f, "zh" if zh else "en") for f in self.ignored_files))
        for title_zh, title_en, items in (
            ("被拒绝的行：", "Rejected:", self.rejects),
            ("提示：", "Warnings:", self.warnings),
        ):
            if items:
                lines.append(title_zh if zh else title_en)
                lines += [f"  {r.describe('zh' if zh else 'en')}" for r in items[:max_lines]]
                if len(items) > max_lines:
                    more = len(items) - max_lines
                    lines.append(f"  …… 另有 {more:,} 条" if zh else f"  ... and {more:,} more")
        return "\n".join(lines)

    def write_rejects(self, path: str | Path, lang: Literal["zh", "en"] | str = "zh") -> Path:
        """Every reject as a CSV Excel opens (UTF-8 with BOM)."""
        return LoadReport(rejects=list(self.rejects)).write_rejects(path, lang)

    def to_dict(self, lang: Literal["zh", "en"] | str = "zh") -> dict[str, Any]:
        """Everything as plain JSON-ready values; reasons in ``lang`` with their codes and parameters."""
        return {
            "ok": self.ok,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "files": [
                {
                    "file": f.file,
                    "kind": f.kind,
                    "rows_read": f.rows_read,
                    "accepted": f.accepted,
                    "rejected": f.rejected,
                    "warnings": f.warnings,
                    "encoding": f.encoding,
                    "ignored_columns": list(f.ignored_columns),
                }
                for f in self.files
            ],
            "ignored_files": list(self.ignored_files),
            "rejects": [_reject_dict(r, lang) for r in self.rejects],
            "warnings": [_reject_dict(r, lang) for r in self.warnings],
        }


def _reject_dict(r: Reject, lang: str) -> dict[str, object]:
    said = r.to_dict(lang)
    del said["outcome"]
    return said
