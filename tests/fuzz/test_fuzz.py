"""The fuzz suite at CI size: every hand-written hostile input and some random ones, plain and strict, and a few
through the ``guanxi load`` command; 0 tracebacks, 0 accepted wrongly, 0 hangs, the store unchanged after a
failed or strict load. The large run is ``python -m bench.fuzz`` (table in docs/fuzz.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.corpus import Case, hand_written
from tests.fuzz.oracle import GOOD, base_store, run_case
from tests.fuzz.strategies import hostile_tables

#: inputs bigger than this (the 10 MB cells) run in the benchmark only, to keep CI within its budget
CI_MAX_BYTES = 1 << 20
ROOT = Path(__file__).resolve().parents[2]

CASES = [c for c in hand_written() if sum(map(len, c.files.values())) <= CI_MAX_BYTES]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    base_store(folder / "base.gx")
    return folder


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}-{c.name}" for c in CASES])
def test_hand_written_input(case: Case, workdir: Path) -> None:
    result = run_case(case, workdir, workdir / "base.gx", timeout=20)
    assert result.outcome in GOOD, result


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=hostile_tables())
def test_random_input(case: Case, workdir: Path) -> None:
    result = run_case(case, workdir, workdir / "base.gx", timeout=20)
    assert result.outcome in GOOD, (result, case.files)


def _cli(folder: Path, store: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GUANXI_BACKEND": "embedded", "PYTHONPATH": str(ROOT)}
    env.pop("NEO4J_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "guanxi", "load", str(folder), "--store", str(store), "--lang", "en", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("name", "strict", "code"),
    [("stray-quote-joins-lines", False, 0), ("stray-quote-joins-lines", True, 2), ("euc-kr", False, 2)],
)
def test_cli_loads_hostile_files_without_a_traceback(
    name: str, strict: bool, code: int, workdir: Path, tmp_path: Path
) -> None:
    case = next(c for c in hand_written() if c.name == name)
    folder = tmp_path / "in"
    folder.mkdir()
    for file, data in case.files.items():
        (folder / file).write_bytes(data)
    store = tmp_path / "graph.gx"
    store.write_bytes((workdir / "base.gx").read_bytes())
    before = store.read_bytes()
    done = _cli(folder, store, *(["--strict"] if strict else []))
    assert "Traceback" not in done.stderr
    assert done.returncode == code, done.stderr
    if code:
        assert store.read_bytes() == before
        errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1
        assert "companies.csv" in errors[0] or "load refused" in errors[0]
    else:
        assert "joined by an unmatched quote" in done.stdout
