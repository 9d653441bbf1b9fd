"""Score and tier companies (客户价值分层): a transparent scorecard, and a model learned from outcomes.

The **scorecard** is data (``queries/scorecard.yaml``, or the file
``GUANXI_SCORECARD`` names): points for tags, for recent opportunity events by
value grade (halved every ``half_life_days``), for the warmth of the best
introduction path, for registered capital, and penalties for risk. A
company's score is the sum of its components, and every component is shown
(:attr:`Scored.frame` has one column per component); tiers 优质 / 良好 / 一般
come from thresholds in the same file.

The **model** (:func:`learn`), when the bank's won/lost outcomes are loaded:
a scikit-learn logistic regression on standardised features, with balanced
class weights, its 5-fold cross-validated ROC AUC reported, deterministic for
a seed. Features (:func:`features`), one row per company:

* ``tag:<tag>`` — 1 when the company holds the tag (each tag of the scorecard);
* ``events:A`` / ``events:B`` / ``events:C`` — recent events of that grade,
  each weighted by its recency decay, as in the scorecard;
* ``log_capital`` — log10 of registered capital in yuan (1 yuan when unknown);
* ``warmth`` — the best introduction path's warmth (0 when none was attached);
* ``risk`` — the number of risk findings;
* ``client`` — 1 for an existing client.

A company's label is *won* when any of its outcomes is won. Each scored
company gets the model's probability, a model tier (``model.tiers``) and its
top contributing features (coefficient × standardised value). The model is
shown beside the scorecard, never instead of it.

Everything is vectorised over pandas/numpy: 100,000 companies score in a
second or two.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from graph.errors import ConfigError, InvalidParameter
from graph.model import node_id
from graph.store import GraphStore
from loaders.catalogue import GRADES
from loaders.ops_data import TIERS, OpsData
from queries.common import list_prop, number, whole_number

DEFAULT_PATH = Path(__file__).resolve().parent / "scorecard.yaml"
#: the scorecard's components, in the order they are shown
COMPONENTS: tuple[str, ...] = ("tags", "events", "warmth", "size", "risk")
#: risk findings the scorecard knows
RISKS: tuple[str, ...] = ("risk_flags", "guarantee_circle", "blacklist_exposure")
#: the columns :func:`company_frame` gives and :func:`score` reads
COMPANY_COLUMNS: tuple[str, ...] = (
    "company",
    "name",
    "registered_capital",
    "listed",
    "risk_flags",
    "status",
    "blacklisted",
    "is_client",
    "manager",
    "branch",
)


# -- the scorecard file ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Scorecard:
    """The scorecard's rules, as read from the YAML file."""

    tag_points: Mapping[str, float]
    tag_cap: float
    grade_points: Mapping[str, float]
    half_life_days: float
    window_days: int
    events_cap: float
    warmth_points: float
    size_bands: tuple[tuple[float, float], ...]
    penalties: Mapping[str, float]
    tiers: tuple[float, float]
    model_tiers: tuple[float, float]
    min_outcomes: int = 30
    folds: int = 5

    def tier_of(self, scores: np.ndarray) -> np.ndarray:
        """优质 / 良好 / 一般 for each score."""
        return np.where(scores >= self.tiers[0], TIERS[0], np.where(scores >= self.tiers[1], TIERS[1], TIERS[2]))


def _num(value: Any, where: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}: expected a number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{where}: {value} is out of range")
    return float(value)


def _map(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping")
    return {str(k): v for k, v in value.items()}


def _pair(raw: Any, where: str, lo: float, hi: float | None) -> tuple[float, float]:
    tiers = _map(raw, where)
    if set(tiers) != {TIERS[0], TIERS[1]}:
        raise ConfigError(f"{where}: give the thresholds of {TIERS[0]} and {TIERS[1]}")
    best, good = (
        _num(tiers[TIERS[0]], f"{where}.{TIERS[0]}", lo, hi),
        _num(tiers[TIERS[1]], f"{where}.{TIERS[1]}", lo, hi),
    )
    if best < good:
        raise ConfigError(f"{where}: the {TIERS[0]} threshold must not be below the {TIERS[1]} one")
    return best, good


def parse_scorecard(data: Any, source: str = "scorecard.yaml") -> Scorecard:
    """Check and build a scorecard from parsed YAML; ConfigError naming the bad entry."""
    try:
        top = _map(data, "the file")
        comp = _map(top.get("components"), "components")
        missing = set(COMPONENTS) - set(comp)
        if missing:
            raise ConfigError(f"components: missing {', '.join(sorted(missing))}")
        tags = _map(comp["tags"], "components.tags")
        events = _map(comp["events"], "components.events")
        grade_points = _map(events.get("grade_points"), "components.events.grade_points")
        if set(grade_points) != set(GRADES):
            raise ConfigError(f"components.events.grade_points: give points for {', '.join(GRADES)}")
        bands_raw = _map(comp["size"], "components.size").get("bands")
        if not isinstance(bands_raw, list):
            raise ConfigError("components.size.bands: expected a list of {at_least, points}")
        bands = tuple(
            (
                _num(_map(b, f"components.size.bands[{i}]").get("at_least"), f"components.size.bands[{i}].at_least", 0),
                _num(b.get("points"), f"components.size.bands[{i}].points"),
            )
            for i, b in enumerate(bands_raw)
        )
        if [b[0] for b in bands] != sorted((b[0] for b in bands), reverse=True):
            raise ConfigError("components.size.bands: list the largest band first")
        penalties = _map(_map(comp["risk"], "components.risk").get("penalties"), "components.risk.penalties")
        unknown = set(penalties) - set(RISKS)
        if unknown:
            raise ConfigError(
                f"components.risk.penalties: unknown {', '.join(sorted(unknown))}; known {', '.join(RISKS)}"
            )
        model = _map(top.get("model", {}), "model")
        return Scorecard(
            tag_points={
                t: _num(p, f"components.tags.points.{t}")
                for t, p in _map(tags.get("points"), "components.tags.points").items()
            },
            tag_cap=_num(tags.get("cap"), "components.tags.cap", 0),
            grade_points={g: _num(p, f"components.events.grade_points.{g}") for g, p in grade_points.items()},
            half_life_days=_num(events.get("half_life_days"), "components.events.half_life_days", 1),
            window_days=int(_num(events.get("window_days"), "components.events.window_days", 1)),
            events_cap=_num(events.get("cap"), "components.events.cap", 0),
            warmth_points=_num(_map(comp["warmth"], "components.warmth").get("points"), "components.warmth.points", 0),
            size_bands=bands,
            penalties={r: _num(penalties.get(r, 0), f"components.risk.penalties.{r}", None, 0) for r in RISKS},
            tiers=_pair(top.get("tiers"), "tiers", -1e9, None),
            model_tiers=_pair(model.get("tiers", {TIERS[0]: 0.6, TIERS[1]: 0.4}), "model.tiers", 0.0, 1.0),
            min_outcomes=int(_num(model.get("min_outcomes", 30), "model.min_outcomes", 4)),
            folds=int(_num(model.get("folds", 5), "model.folds", 2, 20)),
        )
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Scorecard:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the scorecard: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid YAML file: {exc}") from None
    return parse_scorecard(data, path)


def load_scorecard(path: str | Path | None = None) -> Scorecard:
    """The scorecard at ``path``, else ``GUANXI_SCORECARD``, else the packaged one (read once per path)."""
    chosen = path if path is not None else (os.environ.get("GUANXI_SCORECARD") or DEFAULT_PATH)
    return _load(str(Path(chosen).expanduser().resolve()))


# -- the companies to score ----------------------------------------------------------------------
def company_frame(store: GraphStore, companies: Sequence[str], *, batch: int = 50_000) -> pd.DataFrame:
    """What scoring needs of each company (graph keys, i.e. USCCs), read from the graph in batches.

    Columns: :data:`COMPANY_COLUMNS`; companies not in the graph are left out.
    """
    if isinstance(companies, str):
        raise InvalidParameter("companies", "give a list of company keys (USCCs), not one string")
    keys = list(dict.fromkeys(str(c) for c in companies))
    rows: list[dict[str, object]] = []
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        nodes = store.get_nodes([node_id("Company", k) for k in chunk])
        for k in chunk:
            n = nodes.get(node_id("Company", k))
            if n is None:
                continue
            rows.append(
                {
                    "company": k,
                    "name": n.name,
                    "registered_capital": number(n.get("registered_capital")),
                    "listed": bool(n.get("listed")),
                    "risk_flags": len(list_prop(n.props, "risk_flags")),
                    "status": n.get("status"),
                    "blacklisted": bool(n.get("blacklisted")),
                    "is_client": n.is_client,
                    "manager": n.manager,
                    "branch": n.branch,
                }
            )
    return pd.DataFrame(rows, columns=list(COMPANY_COLUMNS))


def _as_of(as_of: str | dt.date | None) -> np.datetime64:
    if as_of is None:
        return np.datetime64(dt.date.today().isoformat(), "D")
    if isinstance(as_of, dt.date):
        return np.datetime64(as_of.isoformat()[:10], "D")
    try:
        return np.datetime64(dt.date.fromisoformat(str(as_of).strip()[:10]).isoformat(), "D")
    except ValueError:
        raise InvalidParameter("as_of", f"must be a date (YYYY-MM-DD), got {as_of!r}") from None


def _check_companies(companies: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(companies, pd.DataFrame):
        raise InvalidParameter("companies", f"expected a DataFrame (see company_frame), got {type(companies).__name__}")
    if "company" not in companies.columns:
        raise InvalidParameter("companies", "needs a 'company' column of graph keys (USCCs)")
    if companies["company"].duplicated().any():
        raise InvalidParameter("companies", "each company may appear once")
    out = companies.copy()
    defaults: dict[str, object] = {
        "name": None,
        "registered_capital": None,
        "listed": False,
        "risk_flags": 0,
        "is_client": False,
    }
    for column, default in defaults.items():
        if column not in out.columns:
            out[column] = pd.Series([default] * len(out), index=out.index, dtype=object)
    return out.reset_index(drop=True)


def _tag_matrix(keys: pd.Index, ops: OpsData, listed: np.ndarray, tags: Sequence[str]) -> pd.DataFrame:
    """One 0/1 column per tag, rows in ``keys`` order."""
    frame = ops.tags[ops.tags["tag"].isin(tags) & ops.tags["company"].isin(keys)]
    held = pd.crosstab(frame["company"], frame["tag"]).clip(upper=1) if len(frame) else pd.DataFrame(index=keys)
    matrix = held.reindex(index=keys, columns=list(tags), fill_value=0).fillna(0).astype(np.float64)
    if "上市" in matrix.columns:
        matrix["上市"] = np.maximum(matrix["上市"].to_numpy(), listed.astype(np.float64))
    return matrix


def _event_matrix(keys: pd.Index, ops: OpsData, card: Scorecard, day: np.datetime64) -> pd.DataFrame:
    """Decayed count of recent events per grade (columns A, B, C), rows in ``keys`` order."""
    ev = ops.events[ops.events["company"].isin(keys)]
    if not len(ev):
        return pd.DataFrame(0.0, index=keys, columns=list(GRADES))
    dates = pd.to_datetime(ev["date"], errors="coerce").to_numpy(dtype="datetime64[D]")
    age = (day - dates).astype(np.float64)
    keep = (age >= 0) & (age <= card.window_days)
    weight = np.power(0.5, age / card.half_life_days)
    recent = pd.DataFrame(
        {"company": ev["company"].to_numpy()[keep], "grade": ev["grade"].to_numpy()[keep], "w": weight[keep]}
    )
    table = recent.pivot_table(index="company", columns="grade", values="w", aggfunc="sum") if len(recent) else None
    if table is None:
        return pd.DataFrame(0.0, index=keys, columns=list(GRADES))
    return table.reindex(index=keys, columns=list(GRADES)).fillna(0.0).astype(np.float64)


def _risk_matrix(keys: pd.Index, flag_counts: np.ndarray, risk: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    out = pd.DataFrame(0.0, index=keys, columns=list(RISKS))
    out["risk_flags"] = (flag_counts > 0).astype(np.float64)
    for company, found in (risk or {}).items():
        if company in out.index:
            for r in found:
                if r not in RISKS:
                    raise InvalidParameter("risk", f"{r!r} is not a risk the scorecard knows ({', '.join(RISKS)})")
                out.loc[company, r] = 1.0
    return out


def _warmth(keys: pd.Index, warmth: Mapping[str, float] | pd.Series | None) -> np.ndarray:
    if warmth is None:
        return np.zeros(len(keys))
    series = pd.Series(warmth, dtype=np.float64)
    values = series.reindex(keys).fillna(0.0).to_numpy(dtype=np.float64)
    if ((values < 0) | (values > 1)).any():
        raise InvalidParameter("warmth", "warmth must be between 0 and 1")
    return values


@dataclass(frozen=True)
class _Parts:
    keys: pd.Index
    tags: pd.DataFrame
    events: pd.DataFrame
    warmth: np.ndarray
    capital: np.ndarray
    risk: pd.DataFrame
    client: np.ndarray


def _parts(
    companies: pd.DataFrame,
    ops: OpsData,
    card: Scorecard,
    as_of: str | dt.date | None,
    warmth: Mapping[str, float] | pd.Series | None,
    risk: Mapping[str, Sequence[str]] | None,
) -> _Parts:
    if not isinstance(ops, OpsData):
        raise InvalidParameter("ops", f"expected OpsData, got {type(ops).__name__}")
    day = _as_of(as_of)
    keys = pd.Index(companies["company"].astype(str))
    listed = companies["listed"].fillna(False).astype(bool).to_numpy()
    capital = pd.to_numeric(companies["registered_capital"], errors="coerce").to_numpy(dtype=np.float64)
    flags = pd.to_numeric(companies["risk_flags"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
    return _Parts(
        keys,
        _tag_matrix(keys, ops, listed, list(card.tag_points)),
        _event_matrix(keys, ops, card, day),
        _warmth(keys, warmth),
        capital,
        _risk_matrix(keys, flags, risk),
        companies["is_client"].fillna(False).astype(bool).to_numpy(dtype=np.float64),
    )


# -- the scorecard -------------------------------------------------------------------------------
def _breakdown(p: _Parts, card: Scorecard) -> pd.DataFrame:
    tag_points = np.minimum(p.tags.to_numpy() @ np.array([card.tag_points[t] for t in p.tags.columns]), card.tag_cap)
    grade_points = np.array([card.grade_points[g] for g in GRADES])
    event_points = np.minimum(p.events.to_numpy() @ grade_points, card.events_cap)
    size = np.zeros(len(p.keys))
    for at_least, points in reversed(card.size_bands):  # the largest band reached wins
        size = np.where(np.nan_to_num(p.capital, nan=-1.0) >= at_least, points, size)
    risk = p.risk.to_numpy() @ np.array([card.penalties[r] for r in RISKS])
    parts = {
        "tags": tag_points,
        "events": event_points,
        "warmth": card.warmth_points * p.warmth,
        "size": size,
        "risk": risk,
    }
    return pd.DataFrame({k: np.round(v, 2) for k, v in parts.items()}, index=p.keys)


@dataclass(frozen=True)
class Scored:
    """Scored companies, best first.

    ``frame`` is indexed by company and has ``name``, ``score``, ``tier``,
    one column per component (:data:`COMPONENTS`, summing to ``score``), and,
    when a model was given, ``model_probability``, ``model_tier`` and
    ``model_top`` (the top contributing features, as text).
    """

    frame: pd.DataFrame
    model: LearnedModel | None = None
    as_of: str = ""

    def breakdown(self, company: str) -> tuple[tuple[str, float], ...]:
        """One company's components and their points."""
        if company not in self.frame.index:
            raise InvalidParameter("company", f"{company!r} was not scored")
        row = self.frame.loc[company, list(COMPONENTS)].to_numpy(dtype=np.float64)
        return tuple((c, float(v)) for c, v in zip(COMPONENTS, row, strict=True))

    def tier_counts(self) -> dict[str, int]:
        counts = self.frame["tier"].value_counts()
        return {t: int(counts.get(t, 0)) for t in TIERS}


def score(
    companies: pd.DataFrame,
    ops: OpsData,
    *,
    card: Scorecard | None = None,
    as_of: str | dt.date | None = None,
    warmth: Mapping[str, float] | pd.Series | None = None,
    risk: Mapping[str, Sequence[str]] | None = None,
    model: LearnedModel | None = None,
) -> Scored:
    """Score ``companies`` (a frame as :func:`company_frame` gives) on the scorecard, best first.

    ``as_of`` is the scoring day (default today): events after it or older
    than the window count for nothing. ``warmth`` maps a company to its best
    introduction path's warmth; ``risk`` to its risk findings (:data:`RISKS`,
    e.g. from :mod:`queries.longlist`). ``model`` adds the learned model's
    view beside the scorecard. Ties are broken by company key.
    """
    card = card or load_scorecard()
    companies = _check_companies(companies)
    p = _parts(companies, ops, card, as_of, warmth, risk)
    parts = _breakdown(p, card)
    total = parts[list(COMPONENTS)].sum(axis=1).round(2)
    frame = pd.DataFrame(
        {"name": companies["name"].to_numpy(), "score": total.to_numpy(), "tier": card.tier_of(total.to_numpy())},
        index=p.keys,
    ).join(parts)
    if model is not None:
        probability, top = model.explain(_feature_frame(p, list(card.tag_points)))
        frame["model_probability"] = np.round(probability, 4)
        frame["model_tier"] = card_model_tier(card, probability)
        frame["model_top"] = top
    frame.index.name = "company"
    order = np.lexsort((frame.index.to_numpy(dtype=str), -frame["score"].to_numpy()))
    return Scored(frame.iloc[order], model, str(_as_of(as_of)))


def card_model_tier(card: Scorecard, probability: np.ndarray) -> np.ndarray:
    """The model's tier for each probability, by ``model.tiers``."""
    best, good = card.model_tiers
    return np.where(probability >= best, TIERS[0], np.where(probability >= good, TIERS[1], TIERS[2]))


# -- the learned model -----------------------------------------------------------------------------
def _feature_frame(p: _Parts, tags: Sequence[str]) -> pd.DataFrame:
    cap = np.nan_to_num(p.capital, nan=1.0)
    data: dict[str, np.ndarray] = {f"tag:{t}": p.tags[t].to_numpy() for t in tags}
    data |= {f"events:{g}": p.events[g].to_numpy() for g in GRADES}
    data["log_capital"] = np.log10(np.maximum(cap, 1.0))
    data["warmth"] = p.warmth
    data["risk"] = p.risk.to_numpy().sum(axis=1)
    data["client"] = p.client
    return pd.DataFrame(data, index=p.keys)


def features(
    companies: pd.DataFrame,
    ops: OpsData,
    *,
    card: Scorecard | None = None,
    as_of: str | dt.date | None = None,
    warmth: Mapping[str, float] | pd.Series | None = None,
    risk: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The model's features, one row per company (see the module docstring)."""
    card = card or load_scorecard()
    p = _parts(_check_companies(companies), ops, card, as_of, warmth, risk)
    return _feature_frame(p, list(card.tag_points))


def labels(ops: OpsData) -> pd.Series:
    """1 for a company with any won outcome, 0 for one with only lost ones, indexed by company."""
    if not len(ops.outcomes):
        return pd.Series(dtype=np.int64)
    won = ops.outcomes.assign(won=(ops.outcomes["outcome"] == "won").astype(np.int64))
    return won.groupby("company")["won"].max().astype(np.int64)


@dataclass(frozen=True)
class LearnedModel:
    """A fitted logistic regression on standardised features, and how well it did in cross-validation."""

    pipeline: Any
    feature_names: tuple[str, ...]
    cv_auc: float
    cv_auc_std: float
    outcomes: int
    won: int
    seed: int
    coefficients: dict[str, float] = field(default_factory=dict)

    def probability(self, x: pd.DataFrame) -> np.ndarray:
        """P(won) for each row of a feature frame."""
        return np.asarray(self.pipeline.predict_proba(x[list(self.feature_names)].to_numpy())[:, 1], dtype=np.float64)

    def explain(self, x: pd.DataFrame, top: int = 3) -> tuple[np.ndarray, list[str]]:
        """P(won) and, per row, the ``top`` features by |coefficient × standardised value|, as text."""
        values = x[list(self.feature_names)].to_numpy(dtype=np.float64)
        probability = np.asarray(self.pipeline.predict_proba(values)[:, 1], dtype=np.float64)
        scaler, logistic = self.pipeline[0], self.pipeline[-1]
        contribution = scaler.transform(values) * logistic.coef_[0]
        order = np.argsort(-np.abs(contribution), axis=1, kind="stable")[:, :top]
        names = np.array(self.feature_names, dtype=object)
        texts = [
            "; ".join(f"{names[j]} {contribution[i, j]:+.2f}" for j in order[i] if contribution[i, j] != 0)
            for i in range(len(values))
        ]
        return probability, texts

    def to_dict(self) -> dict[str, object]:
        return {
            "cv_auc": round(self.cv_auc, 4),
            "cv_auc_std": round(self.cv_auc_std, 4),
            "outcomes": self.outcomes,
            "won": self.won,
            "seed": self.seed,
            "coefficients": {k: round(v, 4) for k, v in self.coefficients.items()},
        }


def learn(
    companies: pd.DataFrame,
    ops: OpsData,
    *,
    card: Scorecard | None = None,
    as_of: str | dt.date | None = None,
    warmth: Mapping[str, float] | pd.Series | None = None,
    risk: Mapping[str, Sequence[str]] | None = None,
    seed: int = 0,
) -> LearnedModel | None:
    """Learn P(won) from the outcomes of ``companies`` that have any; None when too few to learn from.

    Too few: under ``model.min_outcomes`` companies with outcomes, or fewer
    than ``model.folds`` of either class. Deterministic for ``seed``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    card = card or load_scorecard()
    seed = whole_number("seed", seed, 0)
    y_all = labels(ops)
    x_all = features(companies, ops, card=card, as_of=as_of, warmth=warmth, risk=risk)
    known = x_all.index.intersection(y_all.index)
    if len(known) < card.min_outcomes:
        return None
    x, y = x_all.loc[known], y_all.loc[known].to_numpy()
    won = int(y.sum())
    if min(won, len(y) - won) < card.folds:
        return None

    def pipeline() -> Any:
        return make_pipeline(
            StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000, random_state=seed)
        )

    folds = StratifiedKFold(n_splits=card.folds, shuffle=True, random_state=seed)
    aucs = cross_val_score(pipeline(), x.to_numpy(), y, cv=folds, scoring="roc_auc")
    fitted = pipeline().fit(x.to_numpy(), y)
    names = tuple(x.columns)
    coefficients = dict(zip(names, (float(c) for c in fitted[-1].coef_[0]), strict=True))
    return LearnedModel(fitted, names, float(np.mean(aucs)), float(np.std(aucs)), len(y), won, seed, coefficients)
