"""Run one fuzz case through the real load pipeline (plain and strict) and judge the outcome.

Good outcomes: ``accepted`` (loaded, exactly what the case expects),
``rejected`` (loaded, the bad rows rejected with a reason naming file, row and
column or line; a strict load refused), ``refused`` (a one-line
:class:`~graph.errors.LoadError` naming the file). Bad outcomes: ``traceback``
(any exception that is not a guanxi error), ``hang`` (longer than the
per-input timeout), ``accepted-wrongly`` (a value stored that must not be:
control characters, U+FFFD, over-long names, non-finite or huge numbers,
other names than expected, or a row that had to be rejected), ``unclear``
(an error or reject that is not one line naming where), ``store-changed``
(after a failed or strict load the store, saved again, is not byte-identical
to the file it was opened from) and ``unexpected`` (e.g. refused where the
case expected a load).
"""

from __future__ import annotations

import math
import re
import signal
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pandas as pd

from graph.embedded import EmbeddedStore
from graph.errors import GuanxiError, LoadError, LoadRefused
from graph.model import Node
from loaders.pipeline import load_files
from loaders.read import table_from_frame
from loaders.report import LoadReport
from loaders.validate import validate
from loaders.values import CONTROL, MAX_AMOUNT, NAME_CONTROL, NAME_LIMIT, TEXT_LIMIT
from tests.fuzz.corpus import Case, uscc

GOOD = ("accepted", "rejected", "refused")
BAD = ("traceback", "hang", "accepted-wrongly", "unclear", "store-changed", "unexpected")
#: the company every store holds before a case is loaded into it
BASE_USCC, BASE_NAME = uscc(99_999), "基础数据有限公司"
_SAFE = re.compile(r"[^\w.-]+")


class Hang(Exception):
    """Raised in the main thread when a case runs past its timeout."""


@dataclass(frozen=True)
class Result:
    """The outcome of one case: category, case name, outcome (see the module docstring) and why."""

    category: str
    name: str
    outcome: str
    detail: str = ""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread after ``seconds`` (SIGALRM; Unix)."""

    def fire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def base_store(path: Path) -> bytes:
    """Write the store every case starts from (one company) and return its bytes."""
    store = EmbeddedStore()
    frame = pd.DataFrame({"统一社会信用代码": [BASE_USCC], "企业名称": [BASE_NAME]})
    store.write(validate(table_from_frame(frame, "nodes", "Company")).batch)
    store.finish_load()
    store.save(path)
    return path.read_bytes()


def _snapshot(store: EmbeddedStore, where: Path) -> bytes:
    store.save(where)
    return where.read_bytes()


def _value_problem(node: Node) -> str:
    name = node.name or ""
    if NAME_CONTROL.search(name) or "\ufffd" in name or len(name) > NAME_LIMIT:
        return f"name {name[:40]!r} of {node.id} stored"
    if NAME_CONTROL.search(node.key):
        return f"key {node.key[:40]!r} stored"
    for prop, value in node.props.items():
        if isinstance(value, float) and (not math.isfinite(value) or value > MAX_AMOUNT):
            return f"{prop}={value!r} stored on {node.id}"
        if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
            return f"{prop}={value!r} stored on {node.id}"
        if isinstance(value, str) and (CONTROL.search(value) or len(value) > TEXT_LIMIT or "\ufffd" in value):
            return f"{prop}={value[:40]!r} stored on {node.id}"
    return ""


def _report_problem(report: LoadReport, files: set[str]) -> str:
    for f in report.files:
        n = f.lines
        if n and n["lines"] != n["header"] + n["rows"] + n["bad"] + n["blank"] + n["continued"]:
            return f"{f.file}: lines not accounted for: {n}"
    for r in report.rejects:
        text = r.describe("en")
        if "\n" in text or "\r" in text or len(text) > 5_000:
            return f"reject is not one readable line: {text[:80]!r}"
        if r.file.split("[")[0] not in files or r.row < 2:
            return f"reject names no file or row: {text[:80]!r}"
        if not (r.column or "column" in r.reason or "line" in r.reason):
            return f"reject names no column or line: {text[:80]!r}"
    return ""


def _error_problem(error: GuanxiError, files: set[str]) -> str:
    text = str(error)
    if isinstance(error, LoadRefused):
        return ""
    if "\n" in text or len(text) > 2_000:
        return f"error is not one line: {text[:80]!r}"
    if not any(f in text for f in files) and "no table files found" not in text:
        return f"error names no file: {text[:80]!r}"
    return ""


def _judge_loaded(case: Case, store: EmbeddedStore, report: LoadReport) -> tuple[str, str]:
    expect = case.expect
    for node in store.iter_nodes():
        problem = _value_problem(node)
        if problem:
            return "accepted-wrongly", problem
    if expect.outcome == "refused":
        return "accepted-wrongly", f"loaded ({report.accepted} rows) where a refusal was expected"
    if expect.outcome == "rejected":
        if not report.rejects:
            return "accepted-wrongly", "no row rejected"
        if not any(expect.says in r.reason for r in report.rejects):
            return "unexpected", f"no reject says {expect.says!r}: {report.rejects[0].describe('en')[:120]}"
        return "rejected", ""
    if expect.outcome == "accepted":
        names = {n.name for n in store.iter_nodes("Company") if n.key != BASE_USCC}
        if expect.names is not None and names != set(expect.names):
            got = sorted(x[:30] for x in names)
            return "accepted-wrongly", f"stored {got}, expected {sorted(x[:30] for x in expect.names)}"
        if report.rejected != expect.rejected:
            return "unexpected", f"{report.rejected} rows rejected, expected {expect.rejected}"
        return "accepted", ""
    return ("rejected" if report.rejects else "accepted"), ""


def run_case(case: Case, workdir: Path, base: Path, *, timeout: float = 20.0) -> Result:
    """Load ``case`` plain, then strict, into stores opened from ``base``; judge the outcome."""
    workdir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=_SAFE.sub("_", f"{case.category}-{case.name}-"), dir=workdir))
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    files = set(case.files)
    original = base.read_bytes()
    after = workdir / "after.gx"
    outcome, detail = "unexpected", ""
    try:
        with deadline(timeout):
            store = EmbeddedStore.open(base)
            try:
                report = load_files(store, folder)
            except LoadError as error:
                problem = _error_problem(error, files)
                if problem:
                    return Result(case.category, case.name, "unclear", problem)
                if _snapshot(store, after) != original:
                    return Result(case.category, case.name, "store-changed", "after a refused load")
                if case.expect.outcome not in ("refused", "any"):
                    return Result(case.category, case.name, "unexpected", f"refused: {str(error)[:160]}")
                if case.expect.says and case.expect.says not in str(error):
                    return Result(case.category, case.name, "unexpected", f"says {str(error)[:160]}")
                return Result(case.category, case.name, "refused", "")
            problem = _report_problem(report, files)
            if problem:
                return Result(case.category, case.name, "unclear", problem)
            outcome, detail = _judge_loaded(case, store, report)
            if outcome not in GOOD:
                return Result(case.category, case.name, outcome, detail)
            strict = EmbeddedStore.open(base)
            try:
                load_files(strict, folder, strict=True)
                if report.rejects:
                    return Result(case.category, case.name, "accepted-wrongly", "strict load wrote despite rejects")
            except LoadRefused:
                if _snapshot(strict, after) != original:
                    return Result(case.category, case.name, "store-changed", "after a strict refusal")
    except Hang as exc:
        return Result(case.category, case.name, "hang", str(exc))
    except GuanxiError as exc:
        return Result(case.category, case.name, "unexpected", f"{type(exc).__name__}: {str(exc)[:160]}")
    except Exception as exc:  # any other exception is exactly what the fuzzing looks for
        last = traceback.format_exception(exc)[-1].strip()
        return Result(case.category, case.name, "traceback", last[:200])
    return Result(case.category, case.name, outcome, detail)
