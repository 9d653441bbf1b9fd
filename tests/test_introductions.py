"""Introductions and connections on a hand-built graph, on every store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph.errors import AmbiguousNode, InvalidParameter, NodeNotFound
from graph.store import GraphStore
from queries.connections import connections
from queries.introductions import introductions
from tests.reference import RawGraph
from tests.scenarios import introductions_graph, uscc


@pytest.fixture
def store(make_store: Callable[[], GraphStore]) -> GraphStore:
    s = make_store()
    introductions_graph().write_to(s)
    return s


def test_ranked_paths_with_sentences(store: GraphStore) -> None:
    answer = introductions(store, "苏州某源半导体")
    names = [p.introducer.name for p in answer.paths]
    # equity 30% -> 0.75, supply 1.2亿 -> 0.8, guarantee 0.8, chairman+director 0.9*0.7=0.63, park 0.2*0.2
    assert names == [
        "昆山精密机械有限公司",
        "常州担保实业有限公司",
        "无锡华控集团有限公司",
        "上海某芯科技有限公司",
        "园区伙伴科技有限公司",
    ]
    assert [round(p.warmth, 4) for p in answer.paths] == [0.8, 0.8, 0.75, 0.63, 0.04]
    chair = answer.paths[3]
    assert chair.sentence_en == (
        "张某 is chairman of client 上海某芯科技有限公司 and a director of the prospect 苏州某源半导体有限公司."
    )
    assert chair.sentence_zh == "张某任客户上海某芯科技有限公司董事长，并任潜客苏州某源半导体有限公司董事。"
    assert chair.manager == "王芳"
    assert chair.path.edges[0].source == "Person:p1"  # true direction kept although the path walks it backwards
    assert answer.paths[0].sentence_en.startswith("Client 昆山精密机械有限公司 supplies the prospect")


def test_excluded_by_default_and_included_on_request(store: GraphStore) -> None:
    default = {p.introducer.name for p in introductions(store, uscc(1), k=20).paths}
    assert "吊销壳公司" not in default and "黑链客户有限公司" not in default
    opened = introductions(store, uscc(1), k=20, include_closed=True, include_blacklisted=True)
    names = [p.introducer.name for p in opened.paths]
    assert names[0] == "吊销壳公司"  # a 60% stake: 0.9
    assert "黑链客户有限公司" in names


def test_filters(store: GraphStore) -> None:
    only_wang = introductions(store, uscc(1), manager="王芳")
    assert {p.manager for p in only_wang.paths} == {"王芳"}
    officers = introductions(store, uscc(1), kinds=["officer"])
    assert [p.introducer.name for p in officers.paths] == ["上海某芯科技有限公司"]
    chinese_kind = introductions(store, uscc(1), kinds=["任职"])
    assert [p.introducer.name for p in chinese_kind.paths] == ["上海某芯科技有限公司"]
    warm = introductions(store, uscc(1), min_warmth=0.7)
    assert all(p.warmth >= 0.7 for p in warm.paths) and len(warm.paths) == 3
    one_hop = introductions(store, uscc(1), max_hops=1)
    assert all(p.hops == 1 for p in one_hop.paths)


def test_empty_answer_explains_itself(store: GraphStore) -> None:
    answer = introductions(store, uscc(1), kinds=["officer"], manager="赵磊")
    assert answer.paths == []
    assert answer.notes and "赵磊" in answer.notes[0]


def test_bad_input_names_the_problem(store: GraphStore) -> None:
    with pytest.raises(NodeNotFound, match="不存在的公司"):
        introductions(store, "不存在的公司")
    with pytest.raises(AmbiguousNode, match="有限公司"):
        introductions(store, "有限公司")
    with pytest.raises(InvalidParameter, match="max_hops"):
        introductions(store, uscc(1), max_hops=9)
    with pytest.raises(InvalidParameter, match="kinds"):
        introductions(store, uscc(1), kinds=["friendship"])
    with pytest.raises(InvalidParameter, match="'k'"):
        introductions(store, uscc(1), k=0)


def test_connections_between_two_people_and_companies(store: GraphStore) -> None:
    answer = connections(store, "张某", "无锡华控集团")
    assert answer.paths
    first = answer.paths[0]
    assert first.path.nodes[0].name == "张某" and first.path.nodes[-1].name == "无锡华控集团有限公司"
    assert first.hops == 2  # director of the prospect, which the group holds 30% of
    assert "张某" in first.sentence_en


def test_json_shape(store: GraphStore) -> None:
    data = introductions(store, uscc(1)).to_dict()
    assert data["target"]["name"] == "苏州某源半导体有限公司"  # type: ignore[index]
    first = data["paths"][0]  # type: ignore[index]
    assert {"rank", "warmth", "hops", "sentence_zh", "sentence_en", "nodes", "edges", "manager"} <= set(first)


def test_unknown_manager_or_branch_is_an_error_not_an_empty_answer(store: GraphStore) -> None:
    """A manager or branch that owns no client is a mistyped parameter: say so, with the closest names."""
    with pytest.raises(InvalidParameter, match=r"王方.*did you mean 王芳") as caught:
        introductions(store, uscc(1), manager="王方")
    assert caught.value.name == "manager"
    with pytest.raises(InvalidParameter, match="branch"):
        introductions(store, uscc(1), branch="不存在的支行")


def _introducer_graph() -> RawGraph:
    """A prospect that one client reaches three ways, another client once, and two siblings under 国资委."""
    g = RawGraph()
    prospect = g.add_company(uscc(50), "目标潜客有限公司")
    big = g.add_company(uscc(51), "大客户集团有限公司", is_client=True, manager="王芳", branch="浦东支行")
    small = g.add_company(uscc(52), "小客户有限公司", is_client=True, manager="李雷", branch="浦东支行")
    sibling = g.add_company(uscc(53), "国资兄弟有限公司", is_client=True, manager="韩梅", branch="浦东支行")
    state = g.add_company(uscc(54), "某市国有资产监督管理委员会")
    for i, role in enumerate(("chairman", "director", "supervisor")):
        person = g.add_person(f"q{i}", f"联系人{i}")
        g.add_edge("SERVES_AS", person, big, role="chairman")
        g.add_edge("SERVES_AS", person, prospect, role=role)
    g.add_edge("HOLDS_SHARES", small, prospect, ratio=0.06)
    g.add_edge("HOLDS_SHARES", state, sibling, ratio=1.0)
    g.add_edge("HOLDS_SHARES", state, prospect, ratio=1.0)
    return g


@pytest.fixture
def fold_store(make_store: Callable[[], GraphStore]) -> GraphStore:
    s = make_store()
    _introducer_graph().write_to(s)
    return s


def test_one_card_per_introducer_with_the_rest_folded(fold_store: GraphStore) -> None:
    answer = introductions(fold_store, uscc(50))
    names = [p.introducer.name for p in answer.paths]
    assert names == ["大客户集团有限公司", "小客户有限公司"]
    assert [len(p.more) for p in answer.paths] == [2, 0]
    assert [round(m.warmth, 4) for m in answer.paths[0].more] == [0.63, 0.36]
    by_contact = introductions(fold_store, uscc(50), distinct="first_contact")
    contacts = [p.path.nodes[1].name for p in by_contact.paths]
    assert contacts == [
        "联系人0",
        "联系人1",
        "目标潜客有限公司",
        "联系人2",
    ]  # a direct stake: its contact is the prospect
    every = introductions(fold_store, uscc(50), distinct="none", include_state_holders=True)
    assert len(every.paths) == 5
    assert answer.to_dict()["paths"][0]["more_ways"] == 2  # type: ignore[index]


def test_state_holders_connect_nobody_unless_asked(fold_store: GraphStore) -> None:
    answer = introductions(fold_store, uscc(50))
    assert "国资兄弟有限公司" not in [p.introducer.name for p in answer.paths]
    assert any("某市国有资产监督管理委员会" in n and "include_state_holders" in n for n in answer.notes)
    opened = introductions(fold_store, uscc(50), include_state_holders=True)
    assert "国资兄弟有限公司" in [p.introducer.name for p in opened.paths]


def test_every_path_carries_its_arithmetic(fold_store: GraphStore) -> None:
    answer = introductions(fold_store, uscc(50))
    top = answer.paths[0]
    assert top.arithmetic is not None
    kinds = [f.kind for f in top.arithmetic.factors]
    assert kinds == ["hop", "hub", "hop"]
    assert top.arithmetic.text("en") == "chairman 0.9 × chairman 0.9 = 0.81"
    explained = answer.to_dict()["paths"][1]["warmth_explained"]  # type: ignore[index]
    assert explained["factors"][0]["why_en"] == "equity 6% (stake ≥ 5%)"
    assert explained["warmth"] == 0.55


def test_colder_paths_hidden_and_said(make_store: Callable[[], GraphStore]) -> None:
    g = RawGraph()
    prospect = g.add_company(uscc(60), "园区潜客有限公司")
    client = g.add_company(uscc(61), "园区客户有限公司", is_client=True, manager="王芳")
    park = g.add_park("pk", "大园区")
    g.add_edge("LOCATED_IN", prospect, park)
    g.add_edge("LOCATED_IN", client, park)
    for i in range(60):  # a big park: its discount makes the shared-park path cold
        g.add_edge("LOCATED_IN", g.add_company(uscc(100 + i), f"入园企业{i}"), park)
    store = make_store()
    g.write_to(store)
    answer = introductions(store, uscc(60))
    assert answer.paths == []
    assert any("min_warmth" in n for n in answer.notes)
    assert len(introductions(store, uscc(60), min_warmth=0).paths) == 1
