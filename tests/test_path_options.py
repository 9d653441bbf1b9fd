"""Path options travel as one checked object: every bad value named, the same answers as the keywords."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph.errors import InvalidParameter
from graph.store import GraphStore
from queries.batch import batch_reach
from queries.connections import connections
from queries.introductions import introductions
from queries.paths import PathOptions, path_options
from tests.scenarios import introductions_graph, uscc


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("k", 0),
        ("k", 201),
        ("k", "5"),
        ("k", True),
        ("max_hops", 0),
        ("max_hops", 7),
        ("min_warmth", -0.1),
        ("min_warmth", 2),
        ("min_warmth", "warm"),
        ("kinds", []),
        ("kinds", " , "),
        ("kinds", [1, 2]),
        ("include_closed", "yes"),
        ("include_blacklisted", 1),
        ("include_state_holders", None),
        ("manager", ""),
        ("branch", 3),
        ("distinct", "people"),
    ],
)
def test_every_bad_option_is_named(field: str, value: object) -> None:
    with pytest.raises(InvalidParameter) as info:
        PathOptions(**{field: value})  # type: ignore[arg-type]
    assert info.value.name == field


def test_options_are_frozen_hashable_and_normalised() -> None:
    a = PathOptions(k=3, kinds=["officer", "equity"])
    assert a == PathOptions(k=3, kinds="officer，equity")  # a user's comma, full-width or not
    assert hash(a) == hash(PathOptions(k=3, kinds=("officer", "equity")))
    with pytest.raises(AttributeError):
        a.k = 4  # type: ignore[misc]


def test_one_object_or_keywords_not_both() -> None:
    assert path_options(None, k=3, distinct="none") == PathOptions(k=3, distinct="none")
    assert path_options(PathOptions(k=3), k=None) == PathOptions(k=3)
    with pytest.raises(InvalidParameter, match="options"):
        path_options(PathOptions(k=3), max_hops=2)
    with pytest.raises(InvalidParameter, match="options"):
        path_options({"k": 3})  # type: ignore[arg-type]


@pytest.fixture
def store(make_store: Callable[[], GraphStore]) -> GraphStore:
    s = make_store()
    introductions_graph().write_to(s)
    return s


def test_the_object_gives_the_keywords_answer(store: GraphStore) -> None:
    options = PathOptions(k=3, max_hops=3, kinds=("officer", "equity", "supply"), include_closed=True, distinct="none")
    by_keywords = introductions(
        store, uscc(1), k=3, max_hops=3, kinds=["officer", "equity", "supply"], include_closed=True, distinct="none"
    )
    assert introductions(store, uscc(1), options=options).to_dict() == by_keywords.to_dict()
    with pytest.raises(InvalidParameter, match="options"):
        introductions(store, uscc(1), options=options, k=5)
    pair = connections(store, "上海某芯科技", uscc(1), options=PathOptions(k=2))
    assert pair.to_dict() == connections(store, "上海某芯科技", uscc(1), k=2).to_dict()
    batch = batch_reach(store, [uscc(1)], options=PathOptions(k=2, manager="王芳"))
    assert [p.manager for r in batch.reaches for p in r.answer.paths] == ["王芳"] * len(batch.reaches[0].answer.paths)
