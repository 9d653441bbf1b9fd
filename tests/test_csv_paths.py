"""The three ways a CSV is split (Arrow, pandas, the exact reader) give the same load, rejects and report.

A clean UTF-8 file goes through Arrow's CSV reader; a file whose lines are
uneven goes through pandas; anything with quotes through the exact reader
(:mod:`loaders.csv_text`). Forcing each way onto the same files must give
the same validated rows, the same rejects (rows and reasons) and the same
report, including the accounting of every physical line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import loaders.csv_text as csv_text
from loaders.generate import generate
from loaders.pipeline import read_and_validate
from loaders.validate import Validated


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated set with a few bad rows: a bad USCC, a dangling holder, a blank line, a short line."""
    out = tmp_path_factory.mktemp("paths")
    generate(out, companies=100, seed=5)
    companies = out / "companies.csv"
    lines = companies.read_text("utf-8").splitlines(keepends=True)
    bad = lines[1].split(",")
    bad[0] = "91110000MA00000000"  # wrong check digit
    lines.insert(3, ",".join(bad))
    lines.insert(5, "\n")  # a blank row
    companies.write_text("".join(lines), "utf-8")
    equity = out / "equity.csv"
    rows = equity.read_text("utf-8").splitlines(keepends=True)
    dangling = rows[1].split(",")
    dangling[0] = "P99999999"
    rows.insert(2, ",".join(dangling))
    equity.write_text("".join(rows), "utf-8")
    officers = out / "officers.csv"
    text = officers.read_text("utf-8")
    officers.write_text(text + "P00000001,91110000MA00000000\n", "utf-8")  # fewer fields than the header
    return out


def _load_by(way: str, files: Path) -> tuple[list[Validated], dict[str, Any], list[str]]:
    """Load ``files`` with CSVs split ``way`` (falling back as the reader does), and the ways taken."""
    taken: list[str] = []
    arrow, fast, exact = csv_text._arrow, csv_text._fast, csv_text._exact

    def arrow_or_not(data: bytes, text: str, sep: str) -> Any:
        result = arrow(data, text, sep) if way == "arrow" else None
        if result is not None:
            taken.append("arrow")
        return result

    def fast_or_not(text: str, sep: str) -> Any:
        result = fast(text, sep) if way in ("arrow", "pandas") else None
        if result is not None:
            taken.append("pandas")
        return result

    def exact_counted(text: str, sep: str, bad: dict[int, str]) -> Any:
        taken.append("exact")
        return exact(text, sep, bad)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_text, "_arrow", arrow_or_not)
        patch.setattr(csv_text, "_fast", fast_or_not)
        patch.setattr(csv_text, "_exact", exact_counted)
        results, report = read_and_validate(None, files)
    return results, report.to_dict(), taken


def test_every_way_gives_the_same_load(files: Path) -> None:
    base_results, base_report, taken = _load_by("exact", files)
    assert set(taken) == {"exact"}
    assert base_report["rejected"] >= 3
    assert base_report["files"][0]["lines"]["blank"] == 1
    for way in ("arrow", "pandas"):
        results, report, taken = _load_by(way, files)
        assert way in taken  # the clean files really went that way
        if way == "arrow":
            assert "pandas" in taken  # officers.csv has a short line: not for Arrow
        assert report == base_report
        for got, expected in zip(results, base_results, strict=True):
            assert got.rejects == expected.rejects
            pd.testing.assert_frame_equal(got.batch.frame, expected.batch.frame)


def test_uneven_lines_are_not_read_by_arrow() -> None:
    text = "a,b,c\n1,2,3\n4,5\n"
    assert csv_text._arrow(text.encode(), text, ",") is None
    text = "a,b\n1,2\n\n3,4\n"
    got = csv_text._arrow(text.encode(), text, ",")
    assert got is not None
    assert got.accounting == csv_text._exact(text, ",", {}).accounting
    assert got.frame.index.tolist() == [2, 4]
