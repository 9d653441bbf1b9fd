"""Warmth learned from outcomes: fit the hop strengths to what actually happened when introductions were tried.

The strengths in ``warmth.yaml`` are sensible guesses. A bank that logs its
introductions (which prospect, which path was tried, and whether the meeting
happened) can replace guesses by evidence. The model is the one warmth
already states: an introduction along a path succeeds with probability

    P(met) = Π strength(hop class) × Π hub discount(interior node)

where a *hop class* is what the warmth file prices: an officer role (former
or current), an equity stake band, a supply amount band, a guarantee, a
shared park (:func:`hop_class`). :func:`calibrate` finds the class strengths
that maximise the likelihood of the logged outcomes, regularised by a Beta
prior centred on the current file's value and worth ``prior`` pseudo-outcomes
(so a class seen a handful of times stays near its old number), and reports
for every number its evidence: how many attempts used it, the fitted value
and an approximate 95% interval (Laplace). The log is split by prospect into
a training and a held-out part; the held-out log-likelihood of the old and
the new strengths says whether the new file predicts better, and the share
of held-out prospects whose top introducer changes says how much rankings
move. :func:`write_calibrated` writes a new warmth file beside the old one;
nothing is overwritten — the user chooses the file (``GUANXI_WARMTH``).

>>> from graph.warmth import load_weights
>>> w = load_weights()
>>> hop_class("HOLDS_SHARES", {"ratio": 0.3}, w), hop_class("SERVES_AS", {"role": "director", "until": "2020"}, w)
('HOLDS_SHARES:0.25', 'SERVES_AS:director:former')
>>> hop_class("INVESTS_IN", {"partner_role": "managing_partner"}, w), class_strength("HOLDS_SHARES:0.5:former", w)
('INVESTS_IN:managing_partner', 0.45)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import minimize

from graph.errors import InvalidParameter
from graph.model import Edge
from graph.records import edge_choice_key
from graph.store import GraphStore
from graph.warmth import WARMTH_FILE, Weights, load_weights

#: strengths are fitted inside these bounds (a strength of 0 or 1 would make a logged outcome impossible)
LOW, HIGH = 0.01, 0.99


def hop_class(type_: str, props: Mapping[str, Any], weights: Weights) -> str:
    """The class of one relationship as the warmth file prices it (see the module docstring): the kind,
    the map value or step threshold its rule picks (``unknown`` for a missing value), and ``former`` for
    a former tie of a kind whose rule prices one (an officer who left, a holder who exited)."""
    rule = weights.rules.get(type_)
    if rule is None:
        return type_
    former = ":former" if rule.is_former(props) else ""
    if rule.form == "map":
        value = str(props.get(rule.over or "") or "")
        key = value if value in rule.values else (rule.other or "unknown")
    elif rule.form == "steps":
        raw = props.get(rule.over or "")
        if raw is None or raw != raw:  # missing or NaN
            key = "unknown"
        else:
            x = float(raw)
            key = f"{next((t for t, _ in rule.steps if x >= t), rule.steps[-1][0]):g}"
    else:
        return type_ + (":-" + former if former else "")
    return f"{type_}:{key}{former}"


def class_strength(name: str, weights: Weights) -> float:
    """What ``weights`` says a class is worth (the prior's centre)."""
    type_, _, rest = name.partition(":")
    rule = weights.rules.get(type_)
    if rule is None:
        return 0.5
    key, _, former = rest.partition(":")
    if rule.form == "map":
        value = rule.values.get(key, rule.missing())
    elif rule.form == "steps":
        value = rule.missing() if key == "unknown" else dict(rule.steps)[float(key)]
    else:
        value = float(rule.constant or 0.0)
    return value * (float(rule.former_factor or 1.0) if former else 1.0)


@dataclass(frozen=True)
class Attempt:
    """One logged introduction: the path tried (node ids, introducer first) and whether they met."""

    prospect: str
    path: tuple[str, ...]
    met: bool
    row: int = 0
    date: str | None = None


@dataclass(frozen=True)
class Priced:
    """An attempt as the model sees it: the classes of its hops and the product of its hub discounts."""

    attempt: Attempt
    classes: tuple[str, ...]
    discount: float


def price(store: GraphStore, attempts: Sequence[Attempt]) -> list[Priced]:
    """Each attempt's hop classes (the hop's strongest relationship, as the search explains it) and discounts.

    InvalidParameter names the first attempt whose path has two consecutive
    nodes that no relationship joins (the log and the graph disagree).
    """
    weights = store.weights
    order = {t: i for i, t in enumerate(store.schema.types)}
    ids = sorted({n for a in attempts for n in a.path})
    degrees = store.degrees(ids) if ids else {}
    by_node: dict[str, list[Edge]] = {}
    for edge in store.edges_of(ids) if ids else []:
        by_node.setdefault(edge.source, []).append(edge)
        by_node.setdefault(edge.target, []).append(edge)
    priced: list[Priced] = []
    for attempt in attempts:
        classes: list[str] = []
        for a, b in zip(attempt.path, attempt.path[1:], strict=False):
            joining = [e for e in by_node.get(a, []) if {e.source, e.target} == {a, b}]
            if not joining:
                raise InvalidParameter("log", f"row {attempt.row}: no relationship joins {a} and {b} in the graph")
            edge = min(joining, key=lambda e: edge_choice_key(e, order))
            classes.append(hop_class(edge.type, edge.props, weights))
        discount = math.prod(weights.discount(degrees.get(n, 0)) for n in attempt.path[1:-1])
        priced.append(Priced(attempt, tuple(classes), discount))
    return priced


@dataclass(frozen=True)
class Fitted:
    """One class's evidence: attempts that used it, the old and fitted strength, a 95% interval."""

    name: str
    attempts: int
    old: float
    fitted: float
    low: float
    high: float

    def to_dict(self) -> dict[str, object]:
        return {
            "class": self.name,
            "attempts": self.attempts,
            "old": round(self.old, 4),
            "fitted": round(self.fitted, 4),
            "interval": [round(self.low, 4), round(self.high, 4)],
        }


@dataclass
class Calibration:
    """What :func:`calibrate` found, with the held-out check."""

    classes: list[Fitted] = field(default_factory=list)
    train: int = 0
    held_out: int = 0
    loglik_old: float = 0.0  # mean held-out log-likelihood per attempt, old strengths
    loglik_new: float = 0.0  # same, fitted strengths
    top_changed: float = 0.0  # share of held-out prospects whose top introducer changes

    def strengths(self) -> dict[str, float]:
        return {f.name: f.fitted for f in self.classes}

    def to_dict(self) -> dict[str, object]:
        return {
            "classes": [f.to_dict() for f in self.classes],
            "train_attempts": self.train,
            "held_out_attempts": self.held_out,
            "held_out_loglik_old": round(self.loglik_old, 5),
            "held_out_loglik_new": round(self.loglik_new, 5),
            "held_out_top_introducer_changed": round(self.top_changed, 4),
        }


def _held_out(prospect: str, share: float, seed: int) -> bool:
    digest = hashlib.sha256(f"{seed}:{prospect}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def _design(priced: Sequence[Priced], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    col = {n: i for i, n in enumerate(names)}
    counts = np.zeros((len(priced), len(names)))
    for i, p in enumerate(priced):
        for c in p.classes:
            counts[i, col[c]] += 1
    offset = np.log(np.array([max(p.discount, 1e-12) for p in priced]))
    met = np.array([p.attempt.met for p in priced], dtype=float)
    return counts, offset, met


def _loglik(theta: np.ndarray, counts: np.ndarray, offset: np.ndarray, met: np.ndarray) -> float:
    prob = np.clip(np.exp(counts @ theta + offset), 1e-12, 1 - 1e-12)
    return float(np.sum(met * np.log(prob) + (1 - met) * np.log1p(-prob)))


def _fit(
    counts: np.ndarray, offset: np.ndarray, met: np.ndarray, prior_mean: np.ndarray, prior: float
) -> tuple[np.ndarray, np.ndarray]:
    """MAP log-strengths under Beta(prior·m, prior·(1−m)) priors, and their Laplace standard deviations."""
    a = prior * prior_mean
    b = prior * (1 - prior_mean)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = counts @ theta + offset
        prob = np.clip(np.exp(eta), 1e-12, 1 - 1e-9)
        ll = np.sum(met * np.log(prob) + (1 - met) * np.log1p(-prob))
        s = np.exp(theta)
        lp = np.sum(a * theta + b * np.log1p(-np.minimum(s, 1 - 1e-9)))
        resid = (met - prob) / (1 - prob)
        grad = counts.T @ resid + a - b * s / (1 - np.minimum(s, 1 - 1e-9))
        return -(ll + lp), -grad

    start = np.log(np.clip(prior_mean, LOW, HIGH))
    bounds = [(math.log(LOW), math.log(HIGH))] * len(prior_mean)
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
    theta = np.asarray(result.x, dtype=float)
    prob = np.clip(np.exp(counts @ theta + offset), 1e-12, 1 - 1e-9)
    s = np.exp(theta)
    curvature = (counts**2).T @ ((1 - met) * prob / (1 - prob) ** 2) + b * s / (1 - np.minimum(s, 1 - 1e-9)) ** 2
    sd = 1 / np.sqrt(np.maximum(curvature, 1e-12))
    return theta, sd


def _top_introducer(priced: Sequence[Priced], strengths: Mapping[str, float]) -> str | None:
    best: tuple[float, str] | None = None
    for p in priced:
        warmth = p.discount * math.prod(strengths[c] for c in p.classes)
        key = (-warmth, p.attempt.path[0])
        if best is None or key < best:
            best = key
    return None if best is None else best[1]


def calibrate(
    store: GraphStore,
    attempts: Sequence[Attempt],
    *,
    prior: float = 20.0,
    holdout: float = 0.25,
    seed: int = 0,
) -> Calibration:
    """Fit the hop-class strengths to ``attempts`` (see the module docstring); InvalidParameter on bad options."""
    if not attempts:
        raise InvalidParameter("log", "no introduction attempts to learn from")
    if not 0 < prior <= 1e6:
        raise InvalidParameter("prior", f"must be a positive number of pseudo-outcomes, got {prior!r}")
    if not 0 <= holdout < 1:
        raise InvalidParameter("holdout", f"must be a share from 0 to below 1, got {holdout!r}")
    weights = store.weights
    priced = price(store, attempts)
    names = sorted({c for p in priced for c in p.classes})
    prior_mean = np.clip(np.array([class_strength(n, weights) for n in names]), LOW, HIGH)
    test = [p for p in priced if _held_out(p.attempt.prospect, holdout, seed)]
    train = [p for p in priced if not _held_out(p.attempt.prospect, holdout, seed)]
    if not train:
        raise InvalidParameter("holdout", "nothing left to train on; lower the held-out share")
    counts, offset, met = _design(train, names)
    theta, sd = _fit(counts, offset, met, prior_mean, prior)
    used = (counts > 0).sum(axis=0)
    result = Calibration(train=len(train), held_out=len(test))
    for i, name in enumerate(names):
        result.classes.append(
            Fitted(
                name,
                int(used[i]),
                float(prior_mean[i]),
                float(math.exp(theta[i])),
                float(math.exp(theta[i] - 1.96 * sd[i])),
                float(min(1.0, math.exp(theta[i] + 1.96 * sd[i]))),
            )
        )
    if test:
        t_counts, t_offset, t_met = _design(test, names)
        result.loglik_old = _loglik(np.log(prior_mean), t_counts, t_offset, t_met) / len(test)
        result.loglik_new = _loglik(theta, t_counts, t_offset, t_met) / len(test)
        old = {n: float(prior_mean[i]) for i, n in enumerate(names)}
        new = result.strengths()
        by_prospect: dict[str, list[Priced]] = {}
        for p in test:
            by_prospect.setdefault(p.attempt.prospect, []).append(p)
        changed = sum(1 for ps in by_prospect.values() if _top_introducer(ps, old) != _top_introducer(ps, new))
        result.top_changed = changed / len(by_prospect)
    return result


def calibrated_data(calibration: Calibration, base: Path | None = None, min_attempts: int = 1) -> dict[str, Any]:
    """The warmth file ``base`` (the packaged one by default) with the fitted strengths in place,
    and a ``calibration`` section holding the evidence for every number."""
    file = base or WARMTH_FILE
    data: dict[str, Any] = yaml.safe_load(file.read_text(encoding="utf-8"))
    rel = data.setdefault("relationships", {})
    for f in calibration.classes:
        if f.attempts < min_attempts:
            continue
        value = round(f.fitted, 3)
        type_, _, rest = f.name.partition(":")
        key, _, former = rest.partition(":")
        rule = calibration_rule(type_, rel)
        if rule is None or former:
            continue  # a former tie's class is priced by its kind's strength times former_factor
        over = next((k for k in rule if k.startswith("by_")), None)
        if over is None:
            rule["default"] = value
        elif isinstance(rule[over], dict) and key in rule[over]:
            rule[over][key] = value
        elif key == "unknown":
            rule["unknown"] = value
        else:
            rule[over] = [[t, value if float(t) == float(key) else s] for t, s in rule[over]]
    data["calibration"] = calibration.to_dict()
    return data


def calibration_rule(type_: str, rel: Mapping[str, Any]) -> dict[str, Any] | None:
    """The warmth file's rule entry of ``type_`` (a mapping), None when the file has none."""
    rule = rel.get(type_)
    return rule if isinstance(rule, dict) else None


def write_calibrated(calibration: Calibration, out: Path, base: Path | None = None) -> Path:
    """Write the calibrated warmth file to ``out`` (never over an existing file); check that it loads."""
    if out.exists():
        raise InvalidParameter("out", f"{out} exists; guanxi never overwrites a warmth file, name a new one")
    data = calibrated_data(calibration, base)
    header = (
        "# Warmth calibrated from an introduction log by `guanxi calibrate`.\n"
        "# The `calibration` section holds the evidence: attempts per class, old and fitted strength, 95% interval.\n"
        "# Use it with GUANXI_WARMTH=<this file> (or --warmth); the old file is unchanged.\n"
    )
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    load_weights.cache_clear()
    try:
        load_weights(tmp)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return out
