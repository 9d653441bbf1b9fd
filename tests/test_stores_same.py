"""The same questions to both stores, the same answers: paths, search, relationships, counts.

One hand-built graph of a prospect (苏州某源半导体) and the bank's clients
around it: a shared chairman, a 30% stake, a supplier, a guarantee, a shared
park with many companies, a state holder with stakes everywhere (a hub), a
deregistered client, a black-listed go-between, two relationship managers in
two branches. It is loaded once into an embedded store and once into Neo4j,
and every read is asked of both and compared whole (nodes, relationships,
properties, warmth floats, order). A few answers are also checked against
what a banker expects, so that both stores being wrong the same way fails too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.model import PathQuery
from graph.neo4j_store import Neo4jStore
from graph.schema import load_schema
from graph.store import GraphStore
from graph.uscc import check_char
from tests.conftest import Neo4jTarget
from tests.reference import RawGraph

pytestmark = pytest.mark.neo4j

TYPES = load_schema().types


def uscc(i: int) -> str:
    body = f"91320500MA{i:07d}"
    return body + check_char(body)


PROSPECT = f"Company:{uscc(1)}"
CHAIR_CLIENT = f"Company:{uscc(2)}"  # its chairman is a director of the prospect
STAKE_CLIENT = f"Company:{uscc(3)}"  # holds 30% of the prospect
SUPPLIER_CLIENT = f"Company:{uscc(4)}"  # sells 2000万 a year to the prospect
GUARANTOR_CLIENT = f"Company:{uscc(5)}"  # guarantees the prospect's loan (and sells a little)
PARK_CLIENTS = (f"Company:{uscc(6)}", f"Company:{uscc(7)}")  # in the prospect's park
CLOSED_CLIENT = f"Company:{uscc(8)}"  # deregistered, holds 60% of the prospect
SHADY_CLIENT = f"Company:{uscc(9)}"  # reaches the prospect only through a black-listed person
STATE_CLIENT = f"Company:{uscc(10)}"  # shares the state holder with the prospect
STATE_HOLDER = f"Company:{uscc(11)}"
CHAIRMAN = "Person:p-zhang"
BLACKLISTED = "Person:p-hei"
PARK = "Park:sip"


def build() -> RawGraph:
    g = RawGraph()
    g.add_company(
        uscc(1),
        "苏州某源半导体有限公司",
        former_names=("苏州某源电子有限公司", "Mouyuan Electronics"),
        status="active",
        province="江苏省",
        city="苏州市",
        tags=("集成电路",),
        registered_capital=50_000_000.0,
    )
    g.add_company(uscc(2), "上海某芯科技有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(uscc(3), "上海某投资有限公司", is_client=True, manager="李经理", branch="静安支行")
    g.add_company(uscc(4), "无锡某材料有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(uscc(5), "苏州某担保有限公司", is_client=True, manager="李经理", branch="静安支行")
    g.add_company(uscc(6), "苏州某园甲有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(uscc(7), "苏州某园乙有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(
        uscc(8), "某已注销有限公司", is_client=True, manager="李经理", branch="静安支行", status="deregistered"
    )
    g.add_company(uscc(9), "某关联有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(uscc(10), "某国企子公司", is_client=True, manager="李经理", branch="静安支行")
    g.add_company(uscc(11), "某市国有资产监督管理委员会")
    g.add_person("p-zhang", "张某")
    g.add_person("p-hei", "黑某", blacklisted=True)
    g.add_park("sip", "苏州工业园区", level="国家级", industries=("集成电路", "生物医药"))
    g.add_edge("SERVES_AS", CHAIRMAN, CHAIR_CLIENT, role="chairman", since="2015-03-01")
    g.add_edge("SERVES_AS", CHAIRMAN, PROSPECT, role="director")
    g.add_edge("SERVES_AS", CHAIRMAN, PROSPECT, role="supervisor", until="2019-12-31")
    g.add_edge("HOLDS_SHARES", STAKE_CLIENT, PROSPECT, ratio=0.3, amount=15_000_000.0)
    g.add_edge("SUPPLIES", SUPPLIER_CLIENT, PROSPECT, amount=20_000_000.0, year=2023, product="硅片")
    g.add_edge("SUPPLIES", SUPPLIER_CLIENT, PROSPECT, amount=5_000_000.0, year=2022, product="硅片")
    g.add_edge("GUARANTEES", GUARANTOR_CLIENT, PROSPECT, amount=30_000_000.0, start="2023-01-01", type="连带责任")
    g.add_edge("SUPPLIES", GUARANTOR_CLIENT, PROSPECT, amount=200_000.0, year=2023)
    g.add_edge("HOLDS_SHARES", CLOSED_CLIENT, PROSPECT, ratio=0.6)
    g.add_edge("SERVES_AS", BLACKLISTED, SHADY_CLIENT, role="legal_representative")
    g.add_edge("SERVES_AS", BLACKLISTED, PROSPECT, role="general_manager")
    g.add_edge("LOCATED_IN", PROSPECT, PARK)
    for nid in PARK_CLIENTS:
        g.add_edge("LOCATED_IN", nid, PARK)
    g.add_edge("HOLDS_SHARES", STATE_HOLDER, PROSPECT, ratio=0.1)
    g.add_edge("HOLDS_SHARES", STATE_HOLDER, STATE_CLIENT, ratio=0.51)
    # the hubs: a park with 60 companies, a state holder with stakes in 40
    for i in range(100, 160):
        nid = g.add_company(uscc(i), f"园区企业{i}")
        g.add_edge("LOCATED_IN", nid, PARK)
        if i < 140:
            g.add_edge("HOLDS_SHARES", STATE_HOLDER, nid, ratio=0.05)
    return g


@pytest.fixture(scope="module")
def loaded(neo4j_target: Neo4jTarget) -> Iterator[tuple[EmbeddedStore, Neo4jStore, list[object]]]:
    """The graph in an embedded store and in Neo4j, and the Neo4j version it was loaded at.

    The Neo4j store's ``clear`` keeps the indexes (a reload costs a fraction of a second, not seconds);
    ``tests/test_neo4j_recovery.py`` checks the real clear and the indexes it drops are made again.
    """
    embedded = EmbeddedStore()
    build().write_to(embedded)
    neo = neo4j_target.scenario_store()
    yield embedded, neo, []
    neo.close()


@pytest.fixture
def stores(loaded: tuple[EmbeddedStore, Neo4jStore, list[object]]) -> tuple[GraphStore, GraphStore]:
    """Both stores holding the scenario graph (Neo4j reloaded if another test changed the database)."""
    embedded, neo, stamp = loaded
    if not stamp or neo.version() != stamp[0]:
        neo.clear()
        build().write_to(neo)
        stamp[:] = [neo.version()]
    return embedded, neo


def same(stores: tuple[GraphStore, GraphStore], method: str, *args: Any, **kwargs: Any) -> Any:
    """Ask both stores; assert the answers are equal; return the answer."""
    embedded, neo = stores
    expected = getattr(embedded, method)(*args, **kwargs)
    got = getattr(neo, method)(*args, **kwargs)
    assert got == expected, f"{method}{args}{kwargs}"
    return expected


def test_backends(stores: tuple[GraphStore, GraphStore]) -> None:
    assert [s.backend for s in stores] == ["embedded", "neo4j"]
    assert isinstance(stores[1], Neo4jStore)


QUERIES = {
    "default": PathQuery(target=PROSPECT, types=TYPES, k=10),
    "top 1": PathQuery(target=PROSPECT, types=TYPES, k=1),
    "wang only": PathQuery(target=PROSPECT, types=TYPES, manager="王经理", k=10),
    "jingan branch": PathQuery(target=PROSPECT, types=TYPES, branch="静安支行", k=10),
    "manager and branch": PathQuery(target=PROSPECT, types=TYPES, manager="李经理", branch="静安支行"),
    "no exclusions": PathQuery(target=PROSPECT, types=TYPES, exclude_statuses=(), exclude_blacklisted=False, k=20),
    "blacklist allowed": PathQuery(target=PROSPECT, types=TYPES, exclude_blacklisted=False, k=20),
    "officers and equity": PathQuery(target=PROSPECT, types=("SERVES_AS", "HOLDS_SHARES"), k=10),
    "park only": PathQuery(target=PROSPECT, types=("LOCATED_IN",), k=3),
    "supply and guarantee": PathQuery(target=PROSPECT, types=("SUPPLIES", "GUARANTEES"), k=5),
    "warm only": PathQuery(target=PROSPECT, types=TYPES, min_warmth=0.3, k=10),
    "direct": PathQuery(target=PROSPECT, types=TYPES, max_hops=1, k=10),
    "two hops": PathQuery(target=PROSPECT, types=TYPES, max_hops=2, k=50),
    "six hops": PathQuery(target=PROSPECT, types=TYPES, max_hops=6, k=200),
    "explicit": PathQuery(target=PROSPECT, sources=(CLOSED_CLIENT, SHADY_CLIENT, STATE_HOLDER), types=TYPES, k=10),
    "explicit hub member": PathQuery(target=PROSPECT, sources=(f"Company:{uscc(120)}",), types=TYPES, k=10),
    "from a person": PathQuery(target=CHAIRMAN, types=TYPES, k=10),
    "to the state client": PathQuery(target=STATE_CLIENT, types=TYPES, k=10),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_top_paths_same(stores: tuple[GraphStore, GraphStore], name: str) -> None:
    same(stores, "top_paths", QUERIES[name])


def ids(paths: list[Any]) -> list[tuple[str, ...]]:
    return [p.ids for p in paths]


def test_top_paths_what_a_banker_expects(stores: tuple[GraphStore, GraphStore]) -> None:
    paths = same(stores, "top_paths", QUERIES["default"])
    # the guarantee (0.8), the 30% stake (0.75), the large supply (0.65), then the shared chairman (0.9 * 0.7)
    assert ids(paths[:4]) == [
        (GUARANTOR_CLIENT, PROSPECT),
        (STAKE_CLIENT, PROSPECT),
        (SUPPLIER_CLIENT, PROSPECT),
        (CHAIR_CLIENT, CHAIRMAN, PROSPECT),
    ]
    assert paths[3].warmth == pytest.approx(0.9 * 0.7)
    assert [e.props["role"] for e in paths[3].edges] == ["chairman", "director"]  # the warmer of two roles
    direct = {p.ids[0]: p for p in paths if p.hops == 1}
    assert direct[GUARANTOR_CLIENT].edges[0].type == "GUARANTEES"  # stronger than its small supply
    assert direct[SUPPLIER_CLIENT].edges[0].props["year"] == 2023  # the larger of two years' supply
    assert direct[STAKE_CLIENT].warmth == pytest.approx(0.75)
    assert CLOSED_CLIENT not in direct  # deregistered: not an introducer by default
    assert all(BLACKLISTED not in p.ids for p in paths)
    assert [p.warmth for p in paths] == sorted((p.warmth for p in paths), reverse=True)


def test_exclusions_and_filters_change_the_answer(stores: tuple[GraphStore, GraphStore]) -> None:
    everything = same(stores, "top_paths", QUERIES["no exclusions"])
    assert (CLOSED_CLIENT, PROSPECT) in ids(everything)
    assert (SHADY_CLIENT, BLACKLISTED, PROSPECT) in ids(everything)
    wang = same(stores, "top_paths", QUERIES["wang only"])
    assert {p.nodes[0].manager for p in wang} == {"王经理"}
    jingan = same(stores, "top_paths", QUERIES["jingan branch"])
    assert {p.nodes[0].branch for p in jingan} == {"静安支行"}
    explicit = same(stores, "top_paths", QUERIES["explicit"])
    assert (CLOSED_CLIENT, PROSPECT) in ids(explicit)  # explicit sources are never excluded
    park = same(stores, "top_paths", QUERIES["park only"])
    assert ids(park) == [(c, PARK, PROSPECT) for c in PARK_CLIENTS]  # a tie, broken by id
    assert park[0].warmth == park[1].warmth
    warm = same(stores, "top_paths", QUERIES["warm only"])
    assert warm and min(p.warmth for p in warm) >= 0.3


TEXTS = [
    "某源",
    "苏州某源半导体有限公司",
    uscc(1).lower(),
    "苏州某源电子有限公司",
    "mouyuan",
    "某源电子",
    "张某",
    "园区",
    "园区企业1",
    "苏州",
    "no such thing",
    "p-zhang",
    "SIP",
]


@pytest.mark.parametrize("text", TEXTS)
def test_find_nodes_same(stores: tuple[GraphStore, GraphStore], text: str) -> None:
    same(stores, "find_nodes", text)
    same(stores, "find_nodes", text, limit=3)
    same(stores, "find_nodes", text, labels=["Company"], limit=5)


def test_find_nodes_order(stores: tuple[GraphStore, GraphStore]) -> None:
    assert [n.id for n in same(stores, "find_nodes", uscc(1).lower())] == [PROSPECT]
    hits = same(stores, "find_nodes", "苏州", limit=4)
    assert hits[0].id == PARK  # the shortest name containing 苏州 first
    former = same(stores, "find_nodes", "苏州某源电子有限公司")
    assert former[0].id == PROSPECT
    assert same(stores, "find_nodes", "园区企业1", labels=["Park"]) == []


def test_nodes_and_edges_same(stores: tuple[GraphStore, GraphStore]) -> None:
    everyone = [*build().nodes, "Company:missing", "Nolabel", "Person:nobody"]
    nodes = same(stores, "get_nodes", everyone)
    assert nodes[PROSPECT].props["former_names"] == ("苏州某源电子有限公司", "Mouyuan Electronics")
    assert nodes[CHAIR_CLIENT].props["is_client"] is True
    same(stores, "existing_ids", everyone)
    same(stores, "degrees", everyone)
    edges = same(stores, "edges_of", [PROSPECT])
    assert len(edges) == 11
    same(stores, "edges_of", [PROSPECT, CHAIRMAN, PARK])
    same(stores, "edges_of", [PROSPECT, STATE_HOLDER], ["HOLDS_SHARES"])
    same(stores, "edges_of", [PROSPECT], ["SUPPLIES", "NOT_A_TYPE"])
    same(stores, "edges_of", [PROSPECT], ["NOT_A_TYPE"])
    same(stores, "edges_of", ["Company:missing"])


def test_stats_same(stores: tuple[GraphStore, GraphStore]) -> None:
    stats = same(stores, "stats")
    assert stats.nodes == dict.fromkeys(stats.nodes, 0) | {"Company": 71, "Person": 2, "Park": 1}  # every label
    assert stats.clients == 9
    assert stats.relationships["LOCATED_IN"] == 63


def test_degrees_count_hubs(stores: tuple[GraphStore, GraphStore]) -> None:
    degrees = same(stores, "degrees", [PARK, STATE_HOLDER, PROSPECT])
    assert degrees == {PARK: 63, STATE_HOLDER: 42, PROSPECT: 11}


def test_self_loops_count_twice(neo4j_target: Neo4jTarget) -> None:
    """A company holding its own shares (库存股): NetworkX counts the loop twice in the degree; so must Neo4j."""
    graph = RawGraph()
    a = graph.add_company(uscc(900), "自持股份有限公司", is_client=True)
    b = graph.add_company(uscc(901), "目标有限公司")
    c = graph.add_company(uscc(902), "中间有限公司")
    graph.add_edge("HOLDS_SHARES", a, a, ratio=0.05)
    graph.add_edge("HOLDS_SHARES", c, c, ratio=0.01)
    graph.add_edge("HOLDS_SHARES", a, c, ratio=0.6)
    graph.add_edge("SUPPLIES", c, b, amount=2e8, year=2023)
    for i in range(25):  # make c a hub, so its degree changes its discount
        graph.add_edge("GUARANTEES", graph.add_company(uscc(910 + i), f"担保{i}"), c, start=f"2020-01-{i + 1:02d}")
    embedded = EmbeddedStore()
    graph.write_to(embedded)
    neo4j_target.empty()
    with neo4j_target.store() as neo:
        graph.write_to(neo)
        graph.write_to(neo)  # loops recounted, not added up
        both = (embedded, neo)
        assert same(both, "degrees", [a, b, c]) == {a: 3, b: 1, c: 29}
        same(both, "edges_of", [a, c])
        same(both, "top_paths", PathQuery(target=b, types=TYPES, k=5))


@pytest.mark.parametrize("label", [None, "Company", "Person", "Park", "Planet"])
def test_iter_nodes_same_order(stores: tuple[GraphStore, GraphStore], label: str | None) -> None:
    embedded, neo = stores
    nodes = list(embedded.iter_nodes(label))
    assert list(neo.iter_nodes(label)) == nodes
    if label is None:
        assert nodes[0].id == PROSPECT  # written first, listed first (the demo's planted prospects rely on it)


@pytest.mark.parametrize("types", [None, [], ["HOLDS_SHARES"], ["SERVES_AS", "LOCATED_IN"], ["NOT_A_TYPE"]])
def test_iter_edges_same_order(stores: tuple[GraphStore, GraphStore], types: list[str] | None) -> None:
    embedded, neo = stores
    assert list(neo.iter_edges(types)) == list(embedded.iter_edges(types))


def test_version_follows_writes(neo4j_target: Neo4jTarget) -> None:
    """Every write and a clear give a new version; reads do not. (The scenario store's clear deletes as
    the real one does, and keeps the indexes: dropping them would empty the server's plan cache.)"""
    neo4j_target.empty()
    with neo4j_target.scenario_store() as neo:
        empty = neo.version()
        graph = RawGraph()
        graph.add_company(uscc(950), "版本有限公司")
        graph.write_to(neo)
        loaded = neo.version()
        assert loaded != empty
        assert neo.version() == loaded  # reading changes nothing
        neo.top_paths(PathQuery(target=f"Company:{uscc(950)}", types=TYPES))
        assert neo.version() == loaded
        graph.write_to(neo)  # the same rows again: counts unchanged, still a write
        assert neo.version() != loaded
        neo.clear()
        graph.write_to(neo)
        assert neo.version() not in (empty, loaded)
