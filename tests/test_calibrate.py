"""Warmth learned from outcomes: the log reader's rejects, and recovery of a hidden strength table."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from scipy.stats import kendalltau

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter
from graph.store import GraphStore
from graph.warmth import load_weights
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.calibrate import Priced, calibrate, calibrated_data, price, write_calibrated
from queries.intro_log import read_intro_log
from queries.simulate_intros import simulate, write_log
from tests.scenarios import introductions_graph, uscc


@pytest.fixture
def store(make_store: Callable[[], GraphStore]) -> GraphStore:
    s = make_store()
    introductions_graph().write_to(s)
    return s


def test_log_rows_are_read_or_refused_with_file_row_and_column(store: GraphStore, tmp_path: Path) -> None:
    prospect = f"Company:{uscc(1)}"
    good = f"上海某芯科技有限公司 > 张某 > {uscc(1)}"
    lines = [
        "潜客,引荐客户,引荐路径,引荐日期,引荐结果",
        f"{uscc(1)},上海某芯科技有限公司,{good},2026-01-05,见面",
        f"{uscc(1)},,{good},2026-01-06,拒绝",
        f"不存在的公司,,{good},2026-01-07,见面",
        f"{uscc(1)},,上海某芯科技有限公司 > 查无此人 > {uscc(1)},2026-01-08,见面",
        f"{uscc(1)},,{good},2026-01-09,也许吧",
        f"{uscc(1)},,上海某芯科技有限公司 > {uscc(1)},2026-01-10,见面",
        f"{uscc(1)},昆山精密机械有限公司,{good},2026-01-11,见面",
    ]
    log_file = tmp_path / "引荐记录.csv"
    log_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = read_intro_log(store, log_file)
    assert [(a.row, a.met) for a in log.attempts] == [(2, True), (3, False)]
    assert log.attempts[0].path[-1] == prospect and log.attempts[0].path[1] == "Person:p1"
    where = [(r.file, r.row, r.column) for r in log.rejects]
    assert where == [
        ("引荐记录.csv", 4, "潜客"),
        ("引荐记录.csv", 5, "引荐路径"),
        ("引荐记录.csv", 6, "引荐结果"),
        ("引荐记录.csv", 7, "引荐路径"),
        ("引荐记录.csv", 8, "引荐客户"),
    ]
    assert "no relationship joins" in log.rejects[3].reason


def test_bad_options_and_no_overwrite(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="no introduction attempts"):
        calibrate(store, [])
    existing = tmp_path / "w.yaml"
    existing.write_text("x", encoding="utf-8")
    from queries.calibrate import Calibration

    with pytest.raises(InvalidParameter, match="never overwrites"):
        write_calibrated(Calibration(), existing)


@pytest.mark.slow
def test_calibration_recovers_the_hidden_strengths(tmp_path: Path) -> None:
    """Classes with ≥ 200 outcomes within ±0.1 of the truth; held-out introducer ranks agree (τ ≥ 0.8)."""
    generate(tmp_path / "files", companies=2000, seed=7)
    store = EmbeddedStore()
    load_files(store, tmp_path / "files")
    sim = simulate(store, 800, per_prospect=5, seed=7)
    log_file = write_log(sim.attempts, tmp_path / "log.csv")
    log = read_intro_log(store, log_file)
    assert not log.rejects and len(log.attempts) == len(sim.attempts)
    result = calibrate(store, log.attempts, seed=7)
    checked = [f for f in result.classes if f.attempts >= 200]
    assert len(checked) >= 6
    for f in checked:
        # the truth the outcomes were drawn from: TRUE_STRENGTHS, and the warmth file's for a class it leaves out
        assert abs(f.fitted - sim.truth[f.name]) <= 0.1, f.to_dict()
    assert result.loglik_new > result.loglik_old

    fitted = result.strengths()
    held = _held_out_prospects(result, log)  # once: a set over every attempt
    held_out = [p for p in price(store, log.attempts) if p.attempt.prospect in held]
    taus = []
    for group in _by_prospect(held_out).values():
        intros = sorted({p.attempt.path[0] for p in group})
        if len(intros) < 3:
            continue
        truth = [_best(group, i, sim.truth) for i in intros]  # the table the outcomes were drawn from
        mine = [_best(group, i, fitted) for i in intros]
        tau = kendalltau(truth, mine).statistic
        if not math.isnan(tau):
            taus.append(tau)
    assert len(taus) >= 20
    assert sum(taus) / len(taus) >= 0.8

    out = write_calibrated(result, tmp_path / "warmth.calibrated.yaml")
    weights = load_weights(out)
    assert weights.defaults["GUARANTEES"] == pytest.approx(fitted["GUARANTEES"], abs=1e-3)
    assert "calibration" in calibrated_data(result)


def _held_out_prospects(result: object, log: object) -> set[str]:
    from queries.calibrate import _held_out

    return {a.prospect for a in log.attempts if _held_out(a.prospect, 0.25, 7)}  # type: ignore[attr-defined]


def _by_prospect(priced: list[Priced]) -> dict[str, list[Priced]]:
    out: dict[str, list[Priced]] = {}
    for p in priced:
        out.setdefault(p.attempt.prospect, []).append(p)
    return out


def _best(group: list[Priced], introducer: str, strengths: dict[str, float]) -> float:
    return max(
        p.discount * math.prod(strengths.get(c, 0.5) for c in p.classes)
        for p in group
        if p.attempt.path[0] == introducer
    )
