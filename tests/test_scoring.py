"""Scorecard and learned model on generated data: breakdowns add up, tiers reproduce, the model finds the signal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from graph.embedded import EmbeddedStore
from graph.errors import ConfigError, InvalidParameter
from loaders.generate import AS_OF, generate
from loaders.generate_ops import generate_ops
from loaders.ops import read_ops
from loaders.ops_data import TIERS, OpsData
from queries.scoring import COMPONENTS, company_frame, features, labels, learn, parse_scorecard, score

DAY = AS_OF.isoformat()


@dataclass(frozen=True)
class World:
    folder: Path
    store: EmbeddedStore
    ops: OpsData
    companies: pd.DataFrame


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("scoring")
    generate(folder, companies=3000, seed=5)
    generate_ops(folder, seed=5)
    store = EmbeddedStore()
    from loaders.pipeline import load_files

    load_files(store, folder)
    ops, report = read_ops(folder, store)
    assert report.ok, report.summary("en")
    keys = [n.key for n in store.iter_nodes("Company")]
    return World(folder, store, ops, company_frame(store, keys))


def test_breakdown_sums_to_the_score(world: World) -> None:
    scored = score(world.companies, world.ops, as_of=DAY, warmth={world.companies["company"][0]: 0.5})
    frame = scored.frame
    assert np.allclose(frame[list(COMPONENTS)].sum(axis=1), frame["score"], atol=1e-9)
    assert list(frame["score"]) == sorted(frame["score"], reverse=True)
    first = str(world.companies["company"][0])
    assert dict(scored.breakdown(first))["warmth"] == 10.0
    counts = scored.tier_counts()
    assert sum(counts.values()) == len(world.companies) and all(counts[t] > 0 for t in TIERS)
    assert (frame["events"] >= 0).all() and (frame["events"] <= 30).all() and (frame["tags"] <= 25).all()


def test_events_decay_and_window(world: World) -> None:
    one = world.companies.iloc[:1]
    key = str(one["company"].iloc[0])
    events = pd.DataFrame(
        [
            {"event_id": "e1", "company": key, "event_type": "股权融资", "date": DAY, "grade": "A"},
            {"event_id": "e2", "company": key, "event_type": "股权融资", "date": "2024-12-31", "grade": "B"},
            {"event_id": "e3", "company": key, "event_type": "股权融资", "date": "2020-01-01", "grade": "A"},
            {"event_id": "e4", "company": key, "event_type": "股权融资", "date": "2026-01-01", "grade": "A"},
        ]
    )
    ops = OpsData(events=events.reindex(columns=OpsData.empty().events.columns))
    got = dict(score(one, ops, as_of=DAY).breakdown(key))["events"]
    half_year = 0.5 ** (181 / 180)
    assert got == round(15 + 9 * half_year, 2)  # the old and the future event count for nothing


def test_tiers_and_model_reproducible_for_a_seed(world: World, tmp_path: Path) -> None:
    generate_ops(tmp_path, seed=5, graph_dir=world.folder)
    for name in ("events.csv", "tags.csv", "outcomes.csv", "branches.csv"):
        assert (tmp_path / name).read_bytes() == (world.folder / name).read_bytes()
    a = learn(world.companies, world.ops, as_of=DAY, seed=7)
    b = learn(world.companies, world.ops, as_of=DAY, seed=7)
    assert a is not None and b is not None
    assert a.coefficients == b.coefficients and a.cv_auc == b.cv_auc
    first = score(world.companies, world.ops, as_of=DAY, model=a).frame
    second = score(world.companies, world.ops, as_of=DAY, model=b).frame
    pd.testing.assert_frame_equal(first, second)
    assert set(first["model_tier"]) <= set(TIERS) and first["model_top"].str.len().gt(0).any()
    assert 0.75 <= a.cv_auc <= 1.0 and a.outcomes == len(labels(world.ops))


def test_learned_model_finds_the_hidden_rule(world: World) -> None:
    y = labels(world.ops)
    train, test = train_test_split(list(y.index), test_size=0.3, random_state=0, stratify=y.to_numpy())
    outcomes = world.ops.outcomes
    train_ops = OpsData(
        events=world.ops.events, tags=world.ops.tags, outcomes=outcomes[outcomes["company"].isin(train)]
    )
    model = learn(world.companies, train_ops, as_of=DAY, seed=0)
    assert model is not None
    x = features(world.companies, world.ops, as_of=DAY).loc[test]
    auc = roc_auc_score(y.loc[test].to_numpy(), model.probability(x))
    assert auc >= 0.75, f"held-out AUC {auc:.3f}"
    assert model.coefficients["tag:专精特新"] > 0 and model.coefficients["log_capital"] > 0


def test_too_few_outcomes_give_no_model(world: World) -> None:
    few = OpsData(outcomes=world.ops.outcomes.iloc[:5])
    assert learn(world.companies, few, as_of=DAY) is None


def test_bad_input() -> None:
    with pytest.raises(InvalidParameter, match="companies"):
        score(pd.DataFrame({"x": [1]}), OpsData.empty())
    with pytest.raises(InvalidParameter, match="as_of"):
        score(pd.DataFrame({"company": ["a"]}), OpsData.empty(), as_of="yesterday")
    with pytest.raises(InvalidParameter, match="warmth"):
        score(pd.DataFrame({"company": ["a"]}), OpsData.empty(), warmth={"a": 2.0})
    with pytest.raises(ConfigError, match="components: missing"):
        parse_scorecard({"components": {"tags": {}}}, "mine.yaml")
    with pytest.raises(ConfigError, match="tiers"):
        parse_scorecard(
            {
                "components": {
                    "tags": {"cap": 1, "points": {}},
                    "events": {
                        "cap": 1,
                        "half_life_days": 9,
                        "window_days": 9,
                        "grade_points": {"A": 1, "B": 1, "C": 1},
                    },
                    "warmth": {"points": 1},
                    "size": {"bands": []},
                    "risk": {"penalties": {}},
                },
                "tiers": {"优质": 1, "良好": 5},
            }
        )


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(["专精特新", "小巨人", "上市", "高新技术企业", "自定义标签"]), max_size=3),
            st.lists(st.tuples(st.sampled_from("ABC"), st.integers(-30, 900)), max_size=4),
            st.one_of(st.none(), st.floats(0, 5e9)),
            st.floats(0, 1),
            st.sets(st.sampled_from(["guarantee_circle", "blacklist_exposure"])),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_breakdown_adds_up_and_tiers_follow_the_score(rows: list[tuple[Any, ...]]) -> None:
    day = np.datetime64(DAY, "D")
    keys = [f"c{i}" for i in range(len(rows))]
    companies = pd.DataFrame({"company": keys, "registered_capital": [r[2] for r in rows]})
    tags = [{"company": k, "tag": t} for k, r in zip(keys, rows, strict=True) for t in r[0]]
    events = [
        {"event_id": f"{k}-{j}", "company": k, "date": str(day - np.timedelta64(age, "D")), "grade": grade}
        for k, r in zip(keys, rows, strict=True)
        for j, (grade, age) in enumerate(r[1])
    ]
    empty = OpsData.empty()
    ops = OpsData(
        events=pd.DataFrame(events, columns=empty.events.columns),
        tags=pd.DataFrame(tags, columns=empty.tags.columns),
    )
    warmth = {k: r[3] for k, r in zip(keys, rows, strict=True)}
    risk = {k: tuple(r[4]) for k, r in zip(keys, rows, strict=True)}
    frame = score(companies, ops, as_of=DAY, warmth=warmth, risk=risk).frame
    assert np.allclose(frame[list(COMPONENTS)].sum(axis=1), frame["score"], atol=1e-6)
    rank = {t: i for i, t in enumerate(TIERS)}
    ordered = [rank[t] for t in frame["tier"]]
    assert ordered == sorted(ordered)  # best first, so tiers never get better down the list
