"""The rendering module: network HTML for paths, neighbourhoods, supply chains, ownership, guarantees,
exposure and parks; legend, words, offline resources."""

from __future__ import annotations

import contextvars
import math
import os
import re
import string
import time
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter
from graph.model import Edge, Node
from graph.uscc import check_char
from queries.explain import edge_label
from queries.guarantees import circles_of, exposure, guarantee_chains
from queries.introductions import introductions
from queries.ownership import actual_controller, ultimate_owners
from queries.parks import park_companies
from queries.paths import ExplainedPath
from queries.supply_chain import core_partners, supply_chain
from tests.reference import RawGraph
from ui.i18n import STRINGS, t
from ui.pyvis_net import (
    LEGIBLE_PX,
    STATIC_DIR,
    STATIC_NAME,
    STATIC_URL,
    link_vis,
    linked_url,
    provide_static_copy,
    static_copy_ok,
    vis_assets,
    vis_source,
)
from ui.render import (
    FIRST_RING,
    MARK_COLOUR,
    MARK_COLOURS,
    NODE_STYLES,
    exposure_height,
    exposure_html,
    format_date,
    graph_json,
    guarantee_html,
    layered_positions,
    mask_id_number,
    neighbourhood_html,
    node_category,
    node_facts,
    ownership_height,
    ownership_html,
    park_height,
    park_html,
    paths_graph_html,
    supply_chain_height,
    supply_chain_html,
    supply_view,
)
from ui.widgets import one_language

ROOT = Path(__file__).resolve().parent.parent
#: the most a drawing's page may weigh in the explorer (vis-network served apart): a path view
LINKED_PATH_VIEW_BYTES = 30_000


def uscc(i: int) -> str:
    body = f"91320500MA{i:07d}"
    return body + check_char(body)


PROSPECT = f"Company:{uscc(1)}"
CHIP = f"Company:{uscc(2)}"  # client: its chairman is a director of the prospect
HOLDER = f"Company:{uscc(3)}"  # client: holds 35% of the prospect
BUYER = f"Company:{uscc(4)}"  # client: the prospect supplies it (path walks against the edge)
GUARANTOR = f"Company:{uscc(5)}"  # client: guarantees the prospect's loans
NEIGHBOUR = f"Company:{uscc(6)}"  # client in the same park
CLOSED = f"Company:{uscc(7)}"
BLACK = "Person:p9"
ZHANG = "Person:p1"
PARK = "Park:k1"
FULL_ID = "320501198805061234"


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    g = RawGraph()
    g.add_company(uscc(1), "苏州某源半导体有限公司", status="active")
    g.add_company(uscc(2), "上海某芯科技有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(uscc(3), "无锡某投控股有限公司", is_client=True, manager="李经理", branch="无锡分行")
    g.add_company(uscc(4), "杭州某买电子有限公司", is_client=True, manager="王经理", branch="浦东支行")
    g.add_company(uscc(5), "南京某保担保有限公司", is_client=True, manager="赵经理", branch="南京分行")
    g.add_company(uscc(6), "苏州园区邻居科技有限公司", is_client=True, manager="李经理", branch="苏州分行")
    g.add_company(uscc(7), "苏州已吊销贸易有限公司", status="revoked")
    g.add_person("p1", "张三", id_number=FULL_ID)
    g.add_person("p9", "黑名单人员", blacklisted=True)
    g.add_park("k1", "苏州工业园区")
    g.add_edge("SERVES_AS", ZHANG, CHIP, role="chairman")
    g.add_edge("SERVES_AS", ZHANG, PROSPECT, role="director")
    g.add_edge("HOLDS_SHARES", HOLDER, PROSPECT, ratio=0.35)
    g.add_edge("HOLDS_SHARES", ZHANG, HOLDER, ratio=0.6)
    g.add_edge("SUPPLIES", PROSPECT, BUYER, amount=1.2e8, year=2024)
    g.add_edge("GUARANTEES", GUARANTOR, PROSPECT, amount=5e7, start="2023-03-05")
    g.add_edge("LOCATED_IN", NEIGHBOUR, PARK)
    g.add_edge("LOCATED_IN", PROSPECT, PARK)
    g.add_edge("SUPPLIES", CLOSED, PROSPECT, amount=3e6, year=2022)
    g.add_edge("SERVES_AS", BLACK, CLOSED, role="supervisor")
    s = EmbeddedStore()
    g.write_to(s)
    return s


@pytest.fixture(scope="module")
def paths(store: EmbeddedStore) -> list[ExplainedPath]:
    answer = introductions(store, PROSPECT, k=10)
    assert len(answer.paths) >= 5
    return answer.paths


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(item["id"]): item for item in items}


# -- paths ---------------------------------------------------------------------------
def test_paths_graph_has_every_node_and_names(paths: list[ExplainedPath]) -> None:
    html = paths_graph_html(paths, "zh")
    data = graph_json(html)
    nodes = by_id(data["nodes"])
    expected = {n.id for p in paths for n in p.path.nodes}
    assert set(nodes) == expected
    for p in paths:
        for n in p.path.nodes:
            assert nodes[n.id]["label"] == n.name
            assert n.name in html  # readable in the page, not only as \\u escapes


def test_edge_labels_in_chinese(paths: list[ExplainedPath]) -> None:
    labels = {e["label"] for e in graph_json(paths_graph_html(paths, "zh"))["edges"]}
    assert {"董事长", "董事", "持股 35%", "供货 ¥1.2亿", "担保 ¥5000万", "园区"} <= labels


def test_edge_labels_in_english(paths: list[ExplainedPath]) -> None:
    labels = {e["label"] for e in graph_json(paths_graph_html(paths, "en"))["edges"]}
    assert {"chairman", "director", "holds 35%", "supplies ¥120m", "guarantees ¥50m", "park"} <= labels


def test_arrows_keep_the_true_direction(paths: list[ExplainedPath]) -> None:
    edges = graph_json(paths_graph_html(paths, "zh"))["edges"]
    pairs = {(e["from"], e["to"]) for e in edges}
    # the path runs buyer -> prospect, the supply runs prospect -> buyer
    assert (PROSPECT, BUYER) in pairs and (BUYER, PROSPECT) not in pairs
    assert (ZHANG, CHIP) in pairs and (ZHANG, PROSPECT) in pairs
    assert (GUARANTOR, PROSPECT) in pairs
    assert all(e["arrows"] == "to" for e in edges)


def test_node_colours_say_client_prospect_person_park(paths: list[ExplainedPath]) -> None:
    nodes = by_id(graph_json(paths_graph_html(paths, "zh"))["nodes"])
    assert nodes[PROSPECT]["color"]["background"] == NODE_STYLES["prospect"].background
    assert nodes[CHIP]["color"]["background"] == NODE_STYLES["client"].background
    assert nodes[ZHANG]["color"]["background"] == NODE_STYLES["person"].background
    assert nodes[CHIP]["shape"] == nodes[ZHANG]["shape"] == nodes[PARK]["shape"] == "box"  # labels inside, one line
    corners = {nid: nodes[nid]["shapeProperties"]["borderRadius"] for nid in (CHIP, ZHANG, PARK)}
    assert corners[ZHANG] > corners[CHIP] > corners[PARK] == 0  # people round, parks square


def test_introducers_left_prospect_right(paths: list[ExplainedPath]) -> None:
    html = paths_graph_html(paths, "zh")
    nodes = by_id(graph_json(html)["nodes"])
    assert nodes[PROSPECT]["level"] == 0
    assert nodes[ZHANG]["level"] == 1
    assert nodes[CHIP]["level"] == 2
    assert nodes[CHIP]["x"] < nodes[ZHANG]["x"] < nodes[PROSPECT]["x"]
    assert '"physics": {"enabled": false}' in html


def test_connections_ring_both_ends(store: EmbeddedStore) -> None:
    from queries.connections import connections

    answer = connections(store, CHIP, HOLDER)
    nodes = by_id(graph_json(paths_graph_html(answer.paths, "en", endpoints=True))["nodes"])
    assert nodes[CHIP]["color"]["border"] == MARK_COLOUR
    assert nodes[HOLDER]["color"]["border"] == MARK_COLOUR
    assert all(n["color"]["border"] != MARK_COLOUR for nid, n in nodes.items() if nid not in (CHIP, HOLDER))


def test_legend_lists_what_is_drawn(paths: list[ExplainedPath]) -> None:
    html = paths_graph_html(paths, "zh")
    legend = html[html.index('<aside class="gx-legend">') :]
    for key in ("cat.prospect", "cat.client", "cat.person", "cat.park", "legend.edges"):
        assert t(key, "zh") in legend
    for word in ("任职", "股权", "供应链", "担保", "园区"):
        assert word in legend
    assert t("cat.blacklisted", "zh") not in legend  # none drawn
    english = paths_graph_html(paths, "en")
    assert "Relationships (arrows show the true direction)" in english


def test_the_page_works_offline(paths: list[ExplainedPath]) -> None:
    html = paths_graph_html(paths, "zh")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no remote scripts or styles"
    assert "<link" not in html
    assert "vis.Network" in html and ".vis-network" in html  # vis-network's code and style are inlined
    assert html.count("<script>") >= 2


def test_names_are_escaped() -> None:
    evil = Node("Company:X", "Company", "X", "</script><img src=x onerror=alert(1)>", {"is_client": True})
    other = Node("Company:Y", "Company", "Y", "乙")
    html = neighbourhood_html([evil, other], [Edge("SUPPLIES", "Company:X", "Company:Y", {})], "Company:Y", "zh")
    assert "</script><img" not in html
    assert graph_json(html)["nodes"][0]["label"] == evil.name


def test_national_id_never_shown_in_full(store: EmbeddedStore) -> None:
    zhang = store.get_nodes([ZHANG])[ZHANG]
    html = neighbourhood_html([zhang], [], ZHANG, "zh")
    assert zhang.props.get("id_number") == FULL_ID  # written straight to the store, not masked by a loader
    assert FULL_ID not in html
    assert "320***********1234" in html
    assert mask_id_number(FULL_ID) == "320***********1234"
    assert all(FULL_ID not in value for _, value in node_facts(zhang, "en"))


# -- neighbourhoods --------------------------------------------------------------------
def test_neighbourhood_merges_parallel_edges_and_drops_outside_ends(store: EmbeddedStore) -> None:
    edges = store.edges_of([ZHANG])
    extra = Edge("SERVES_AS", ZHANG, HOLDER, {"role": "chairman"}, 0.9)
    ids = [ZHANG, CHIP, HOLDER]  # not the prospect: its edge is left out
    nodes = store.get_nodes(ids)
    data = graph_json(neighbourhood_html(nodes, [*edges, extra], ZHANG, "zh"))
    pairs = [(e["from"], e["to"]) for e in data["edges"]]
    assert sorted(pairs) == sorted([(ZHANG, CHIP), (ZHANG, HOLDER)])
    merged = next(e for e in data["edges"] if e["to"] == HOLDER)
    assert merged["label"] in ("董事长\n持股 60%", "持股 60%\n董事长")  # a line each
    assert by_id(data["nodes"])[ZHANG]["color"]["border"] == MARK_COLOUR


def test_a_crowded_neighbourhood_is_cut_to_its_strongest_ties() -> None:
    hub = Node("Park:hub", "Park", "hub", "大园区")
    members = [Node(f"Company:{i}", "Company", str(i), f"企业{i}") for i in range(300)]
    edges = [Edge("LOCATED_IN", m.id, hub.id, {}, 0.2 + i / 1000) for i, m in enumerate(members)]
    start = time.perf_counter()
    html = neighbourhood_html([hub, *members], edges, hub.id, "en")
    assert time.perf_counter() - start < 2.0
    data = graph_json(html)
    drawn = by_id(data["nodes"])
    assert len(drawn) == 1 + FIRST_RING + 1
    assert {f"Company:{i}" for i in range(300 - FIRST_RING, 300)} <= set(drawn)  # the strongest ties
    more = drawn[f"more:{hub.id}"]
    assert more["label"] == f"+{300 - FIRST_RING} more" and more["more"] == 300 - FIRST_RING
    assert '"physics": {"enabled": false}' in html  # laid out here, nothing moves in the browser
    assert all("x" in n and "y" in n for n in data["nodes"])
    zh = graph_json(neighbourhood_html([hub, *members], edges, hub.id, "zh"))
    assert by_id(zh["nodes"])[f"more:{hub.id}"]["label"] == f"另有 {300 - FIRST_RING} 个"
    small = graph_json(neighbourhood_html([hub, *members[:3]], edges[:3], hub.id, "en"))
    assert len(small["nodes"]) == 4


def test_categories() -> None:
    assert (
        node_category(Node("Company:A", "Company", "A", "A", {"status": "deregistered", "is_client": True})) == "closed"
    )
    assert (
        node_category(Node("Company:A", "Company", "A", "A", {"blacklisted": True, "is_client": True})) == "blacklisted"
    )
    assert node_category(Node("Company:A", "Company", "A", "A", {"is_client": True})) == "client"
    assert node_category(Node("Company:A", "Company", "A", "A"), target="Company:A") == "prospect"
    assert node_category(Node("Company:A", "Company", "A", "A")) == "company"
    assert node_category(Node("Person:p", "Person", "p", "P", {"blacklisted": True})) == "blacklisted"


def test_closed_and_blacklisted_are_drawn_apart(store: EmbeddedStore) -> None:
    nodes = store.get_nodes([CLOSED, BLACK, PROSPECT])
    data = graph_json(neighbourhood_html(nodes, store.edges_of([CLOSED]), CLOSED, "zh"))
    drawn = by_id(data["nodes"])
    assert drawn[CLOSED]["shapeProperties"]["borderDashes"]
    assert drawn[BLACK]["color"]["background"] == NODE_STYLES["blacklisted"].background


def test_edge_words() -> None:
    former = Edge("SERVES_AS", "Person:a", "Company:b", {"role": "director", "until": "2020-01-01"})
    assert edge_label(former, "zh") == "曾任董事"
    assert edge_label(former, "en") == "former director"
    titled = Edge("SERVES_AS", "Person:a", "Company:b", {"role": "chairman", "role_text": "执行董事兼总经理"})
    assert edge_label(titled, "zh") == "执行董事兼总经理"
    assert edge_label(Edge("HOLDS_SHARES", "Person:a", "Company:b", {}), "zh") == "股东"
    assert format_date("2021-03-05", "zh") == "2021年3月5日"
    assert format_date("2021-03-05", "en") == "2021-03-05"
    assert format_date("unknown", "zh") == "unknown"


# -- the string table -----------------------------------------------------------------------
def test_every_string_has_both_languages_and_the_same_placeholders() -> None:
    fields = string.Formatter()
    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        zh_fields = {f for _, f, _, _ in fields.parse(zh) if f}
        en_fields = {f for _, f, _, _ in fields.parse(en) if f}
        assert zh_fields == en_fields, key


def test_unknown_key_is_a_bug() -> None:
    with pytest.raises(KeyError):
        t("no.such.key", "zh")


# -- supply chains ---------------------------------------------------------------------------
CORE = f"Company:{uscc(11)}"  # the company asked about
BIG = f"Company:{uscc(12)}"  # supplies 94% of its purchases: a core supplier
SMALL = f"Company:{uscc(13)}"  # supplies 6%
DEEP = f"Company:{uscc(14)}"  # supplies BIG: tier 2
BUYS = f"Company:{uscc(15)}"  # its customer


@pytest.fixture(scope="module")
def supply_store() -> EmbeddedStore:
    g = RawGraph()
    g.add_company(uscc(11), "上海核心制造有限公司", is_client=True, manager="王经理")
    g.add_company(uscc(12), "苏州大件供应有限公司")
    g.add_company(uscc(13), "无锡小件供应有限公司", is_client=True)
    g.add_company(uscc(14), "南通原料贸易有限公司")
    g.add_company(uscc(15), "杭州整车销售有限公司")
    g.add_edge("SUPPLIES", BIG, CORE, amount=8e7, year=2024, product="机加工件")
    g.add_edge("SUPPLIES", SMALL, CORE, amount=5e6, year=2024)
    g.add_edge("SUPPLIES", DEEP, BIG, amount=1e7, year=2024)
    g.add_edge("SUPPLIES", CORE, BUYS, amount=5e7, year=2024)
    s = EmbeddedStore()
    g.write_to(s)
    return s


def test_supply_chain_drawing_has_tiers_amounts_and_core_partners(supply_store: EmbeddedStore) -> None:
    chain = supply_chain(supply_store, CORE, tiers=2)
    html = supply_chain_html(chain, "zh", core_share=0.1)
    data = graph_json(html)
    nodes = by_id(data["nodes"])
    assert set(nodes) == {CORE, BIG, SMALL, DEEP, BUYS}
    # goods flow left to right: tier-2 suppliers, tier-1 suppliers, the company, its customers
    assert nodes[DEEP]["x"] < nodes[BIG]["x"] == nodes[SMALL]["x"] < nodes[CORE]["x"] < nodes[BUYS]["x"]
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert set(edges) == {(BIG, CORE), (SMALL, CORE), (DEEP, BIG), (CORE, BUYS)}
    assert edges[(BIG, CORE)]["label"] == "¥8000万 · 94.1%"
    assert edges[(SMALL, CORE)]["label"] == "¥500万 · 5.9%"
    assert edges[(DEEP, BIG)]["label"] == "¥1000万"  # further out only the amount: the share is in the tooltip
    assert "占苏州大件供应有限公司采购额的 100%" in edges[(DEEP, BIG)]["title"]  # all of BIG's recorded purchases
    assert "占上海核心制造有限公司采购额的 94.1%" in edges[(BIG, CORE)]["title"]
    assert edges[(BIG, CORE)]["width"] > edges[(SMALL, CORE)]["width"]
    core = {partner.company.id for partner in core_partners(supply_store, CORE, min_share=0.1)}
    assert core == {BIG}
    assert nodes[BIG]["color"]["border"] == MARK_COLOURS["core"]
    assert nodes[SMALL]["color"]["border"] != MARK_COLOURS["core"]
    assert nodes[CORE]["color"]["border"] == MARK_COLOUR
    assert nodes[SMALL]["color"]["background"] == NODE_STYLES["client"].background
    assert t("legend.core_partner", "zh", share="10%") in html
    assert "gx-wrap gx-below" in html  # the legend under the drawing: the columns need the width
    english = graph_json(supply_chain_html(chain, "en"))["edges"]
    assert "¥80m · 94.1%" in {e["label"] for e in english}


def test_supply_view_keeps_the_largest_per_tier_and_what_hangs_off_them(supply_store: EmbeddedStore) -> None:
    chain = supply_chain(supply_store, CORE, tiers=2)
    view = supply_view(chain, per_tier=1)
    assert {p.company.id for p in view.partners} == {BIG, DEEP, BUYS}
    assert view.hidden == 1  # SMALL
    assert view.level[DEEP] == 0 and view.level[BIG] == 1 and view.level[CORE] == 2 and view.level[BUYS] == 3
    assert supply_chain_height(view) >= 280
    drawn = graph_json(supply_chain_html(chain, "zh", per_tier=1))
    assert SMALL not in by_id(drawn["nodes"])


def test_a_partner_on_both_sides_gets_a_box_on_each() -> None:
    g = RawGraph()
    g.add_company(uscc(31), "甲制造有限公司")
    g.add_company(uscc(32), "乙贸易有限公司")  # buys from 甲 and sells to it
    g.add_edge("SUPPLIES", f"Company:{uscc(31)}", f"Company:{uscc(32)}", amount=2.345e7)
    g.add_edge("SUPPLIES", f"Company:{uscc(32)}", f"Company:{uscc(31)}", amount=1e6)
    both = EmbeddedStore()
    g.write_to(both)
    a, b = f"Company:{uscc(31)}", f"Company:{uscc(32)}"
    data = graph_json(supply_chain_html(supply_chain(both, a, tiers=1), "zh"))
    nodes = by_id(data["nodes"])
    assert set(nodes) == {a, b, f"{b}@customer"}
    assert nodes[b]["x"] < nodes[a]["x"] < nodes[f"{b}@customer"]["x"]
    assert nodes[f"{b}@customer"]["label"] == "乙贸易有限公司"
    edges = {(e["from"], e["to"]): e["label"] for e in data["edges"]}
    assert edges == {(b, a): "¥100万 · 100%", (a, f"{b}@customer"): "¥2340万 · 100%"}  # three digits on a label


def test_layered_positions_put_nodes_near_what_they_link_to() -> None:
    level = {"c": 1, "a": 0, "b": 0, "x": 2, "y": 2, "z": 2}
    links = [("a", "c"), ("b", "c"), ("x", "a"), ("y", "b"), ("z", "b")]
    places = layered_positions(level, "c", links, {"a": 1.0, "b": 0.0})
    assert places["c"] == (1, 0.0)
    assert places["b"][1] < places["a"][1]  # priority breaks the tie on the first level
    # the next level follows the order of its neighbours: x (under a) after y and z (under b)
    assert places["y"][1] < places["x"][1] and places["z"][1] < places["x"][1]
    assert sorted(p for _, p in (places[n] for n in "xyz")) == [-1.0, 0.0, 1.0]


# -- ownership, guarantees, exposure, parks ------------------------------------------------------
def test_ownership_drawing_shows_the_chains_with_ratios(store: EmbeddedStore) -> None:
    owners = ultimate_owners(store, PROSPECT, threshold=0.2)
    assert [o.owner.id for o in owners.owners] == [ZHANG]
    controller = actual_controller(store, PROSPECT)
    html = ownership_html(owners.company, owners.owners, controller, "zh")
    data = graph_json(html)
    nodes = by_id(data["nodes"])
    assert set(nodes) == {ZHANG, HOLDER, PROSPECT}
    assert nodes[ZHANG]["y"] < nodes[HOLDER]["y"] < nodes[PROSPECT]["y"]  # owners on top
    labels = {(e["from"], e["to"]): e["label"] for e in data["edges"]}
    assert labels == {(ZHANG, HOLDER): "持股 60%", (HOLDER, PROSPECT): "持股 35%"}
    assert nodes[ZHANG]["color"]["border"] == MARK_COLOURS["core"]
    assert nodes[PROSPECT]["color"]["border"] == MARK_COLOUR
    assert t("legend.owner", "zh") in html
    assert FULL_ID not in html
    assert ownership_height(owners.company, owners.owners, controller) >= 260
    nobody = ultimate_owners(store, CHIP)
    assert ownership_html(nobody.company, [o for o in nobody.owners if o.chains], None, "zh") == ""


@pytest.fixture(scope="module")
def guarantee_store() -> EmbeddedStore:
    g = RawGraph()
    for i, name in enumerate(("甲担保有限公司", "乙贸易有限公司", "丙科技有限公司", "丁实业有限公司"), start=21):
        g.add_company(uscc(i), name)
    a, b, c, d = (f"Company:{uscc(i)}" for i in range(21, 25))
    g.add_edge("GUARANTEES", a, b, amount=3e7)
    g.add_edge("GUARANTEES", b, c, amount=2e7)
    g.add_edge("GUARANTEES", c, a, amount=1e7)
    g.add_edge("GUARANTEES", d, a, amount=5e6)  # a guarantor of the circle, not in it
    s = EmbeddedStore()
    g.write_to(s)
    return s


def test_guarantee_drawing_tells_circle_from_chain(guarantee_store: EmbeddedStore) -> None:
    a, b, c, d = (f"Company:{uscc(i)}" for i in range(21, 25))
    company = guarantee_store.get_nodes([a])[a]
    circles = circles_of(guarantee_store, company, neighbours=True)
    chains = guarantee_chains(guarantee_store, company).chains
    html = guarantee_html(company, circles, chains, "zh")
    data = graph_json(html)
    assert set(by_id(data["nodes"])) == {a, b, c, d}
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert set(edges) == {(a, b), (b, c), (c, a), (d, a)}
    for pair in ((a, b), (b, c), (c, a)):
        assert edges[pair]["dashes"] is False and edges[pair]["width"] > edges[(d, a)]["width"]
    assert edges[(d, a)]["dashes"] is True
    assert edges[(a, b)]["label"] == "担保 ¥3000万"
    assert t("legend.in_circle", "zh") in html and t("legend.on_chain", "zh") in html
    assert by_id(data["nodes"])[a]["color"]["border"] == MARK_COLOUR
    lonely = guarantee_store.get_nodes([d])[d]
    assert guarantee_html(lonely, (), (), "zh") == ""


def test_exposure_drawing_puts_flagged_entities_left_of_the_company(store: EmbeddedStore) -> None:
    found = exposure(store, PROSPECT, hops=2)
    assert {h.flagged.id for h in found.hits} == {CLOSED, BLACK}
    html = exposure_html(found.hits, "zh", height=exposure_height(found.hits))
    data = graph_json(html)
    nodes = by_id(data["nodes"])
    assert nodes[PROSPECT]["level"] == 0 and nodes[CLOSED]["level"] == 1 and nodes[BLACK]["level"] == 2
    assert nodes[PROSPECT]["color"]["border"] == MARK_COLOUR
    assert nodes[BLACK]["color"]["background"] == NODE_STYLES["blacklisted"].background
    pairs = {(e["from"], e["to"]) for e in data["edges"]}
    assert (CLOSED, PROSPECT) in pairs and (BLACK, CLOSED) in pairs  # true directions
    assert t("graph.exposure", "zh") in html
    assert exposure_html((), "zh") == ""


def test_park_drawing_rings_the_companies_round_the_park(store: EmbeddedStore) -> None:
    members = park_companies(store, PARK)
    html = park_html(members.park, members.companies, "en", height=park_height(len(members.companies)))
    data = graph_json(html)
    nodes = by_id(data["nodes"])
    assert set(nodes) == {PARK, PROSPECT, NEIGHBOUR}
    assert (nodes[PARK]["x"], nodes[PARK]["y"]) == (0, 0)
    assert all(nodes[n]["x"] ** 2 + nodes[n]["y"] ** 2 > 60**2 for n in (PROSPECT, NEIGHBOUR))
    assert {(e["from"], e["to"]) for e in data["edges"]} == {(PROSPECT, PARK), (NEIGHBOUR, PARK)}
    assert nodes[NEIGHBOUR]["color"]["background"] == NODE_STYLES["client"].background
    many = [Node(f"Company:{i}", "Company", str(i), f"企业{i}") for i in range(40)]
    places = {(n["x"], n["y"]) for n in graph_json(park_html(members.park, many, "zh"))["nodes"]}
    assert len(places) == 41  # nobody on top of anybody


def test_one_language_of_a_bilingual_note() -> None:
    assert one_language("标签 核心企业 / tagged 核心企业", "zh") == "标签 核心企业"
    assert one_language("标签 核心企业 / tagged 核心企业", "en") == "tagged 核心企业"
    assert one_language("信用代码无效：bad check digit", "en") == "信用代码无效：bad check digit"


# -- what the drawings look like: nothing hidden under anything -----------------------------------
#: pixels a box may be grazed by before it counts as an overlap
TOLERANCE = 2.0


def _units(text: str) -> int:
    # an independent count of the label's width: CJK and other wide characters take two
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _node_boxes(nodes: list[dict[str, Any]]) -> dict[str, tuple[float, float, float, float]]:
    """Each node's box (left, top, right, bottom) as vis-network draws it from the page's data."""
    boxes = {}
    for n in nodes:
        assert n["shape"] == "box", n["id"]  # the label is inside the box
        assert n.get("physics") is False and "x" in n and "y" in n, n["id"]
        assert "maximum" not in n.get("widthConstraint", {}), "a maximum width wraps a long name"
        w, h = n["widthConstraint"]["minimum"], n["heightConstraint"]["minimum"]
        # the name fits on one line: about 0.55 em per half-width character at its font size
        assert w >= _units(n["label"]) * 0.55 * n["font"]["size"] + 2 * n["margin"], n["label"]
        boxes[str(n["id"])] = (n["x"] - w / 2, n["y"] - h / 2, n["x"] + w / 2, n["y"] + h / 2)
    return boxes


def _controls(a: tuple[float, float], b: tuple[float, float], smooth: dict[str, Any]) -> list[tuple[float, float]]:
    """vis-network 9.1's control points of a curved edge: curvedCW / curvedCCW, or cubicBezier."""
    r = smooth["roundness"]
    if smooth["type"] == "cubicBezier":
        dx, dy = a[0] - b[0], a[1] - b[1]
        if smooth["forceDirection"] == "horizontal":
            return [(a[0] - r * dx, a[1]), (b[0] + r * dx, b[1])]
        return [(a[0], a[1] - r * dy), (b[0], b[1] + r * dy)]
    assert smooth["type"] in ("curvedCW", "curvedCCW"), smooth
    dx, dy = b[0] - a[0], a[1] - b[1]
    radius = math.sqrt(dx * dx + dy * dy)
    turn = (0.5 * r + 0.5) if smooth["type"] == "curvedCW" else (-0.5 * r + 0.5)
    angle = (math.atan2(dy, dx) + turn * math.pi) % (2 * math.pi)
    return [(a[0] + (0.5 * r + 0.5) * radius * math.sin(angle), a[1] + (0.5 * r + 0.5) * radius * math.cos(angle))]


def _points(
    a: tuple[float, float], b: tuple[float, float], smooth: dict[str, Any], n: int = 120
) -> list[tuple[float, float]]:
    """The edge sampled at ``n + 1`` points (a Bézier curve in Bernstein form)."""
    ctrl = [a, *(_controls(a, b, smooth) if smooth.get("enabled", True) else []), b]
    k = len(ctrl) - 1
    out = []
    for i in range(n + 1):
        s = i / n
        weights = [math.comb(k, j) * s**j * (1 - s) ** (k - j) for j in range(k + 1)]
        x = sum(w * p[0] for w, p in zip(weights, ctrl, strict=True))
        out.append((x, sum(w * p[1] for w, p in zip(weights, ctrl, strict=True))))
    return out


def _inside(p: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] + TOLERANCE < p[0] < box[2] - TOLERANCE and box[1] + TOLERANCE < p[1] < box[3] - TOLERANCE


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > TOLERANCE and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE


def assert_legible(html: str) -> None:
    """No two node boxes overlap, no edge label overlaps a node box or another label, and no edge
    runs through a box other than its ends: positions and curves as the page gives them to vis-network."""
    assert '"physics": {"enabled": false}' in html
    data = graph_json(html)
    boxes = _node_boxes(data["nodes"])
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), f"boxes {a} and {b} overlap"
    labels: list[tuple[str, tuple[float, float, float, float]]] = []
    for e in data["edges"]:
        source, target = str(e["from"]), str(e["to"])
        centre = {
            k: ((v[0] + v[2]) / 2, (v[1] + v[3]) / 2) for k, v in ((source, boxes[source]), (target, boxes[target]))
        }
        line = _points(centre[source], centre[target], e.get("smooth", {"enabled": False}))
        for nid, box in boxes.items():
            if nid not in (source, target):
                assert not any(_inside(p, box) for p in line), f"edge {source} -> {target} runs through {nid}"
        if e.get("label"):
            mid = line[len(line) // 2]
            rows = e["label"].split("\n")
            w, h = max(_units(r) for r in rows) * 0.55 * e["font"]["size"], e["font"]["size"] * 1.2 * len(rows)
            box = (mid[0] - w / 2, mid[1] - h / 2, mid[0] + w / 2, mid[1] + h / 2)
            for nid, other in boxes.items():
                assert not _overlap(box, other), f"label {e['label']!r} of {source} -> {target} is under {nid}"
            for text, other in labels:
                assert not _overlap(box, other), f"labels {e['label']!r} and {text!r} overlap"
            labels.append((e["label"], box))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    from loaders.generate import generate
    from loaders.pipeline import load_files

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, companies=400, seed=11)
    s = EmbeddedStore()
    load_files(s, folder)
    return s


def _companies(store: EmbeddedStore) -> list[Node]:
    return sorted(store.iter_nodes("Company"), key=lambda n: n.id)


def test_path_drawings_are_legible(generated: EmbeddedStore) -> None:
    drawn = 0
    for company in _companies(generated):
        if company.is_client:
            continue
        answer = introductions(generated, company, k=8)
        if len(answer.paths) >= 3:
            for lang in ("zh", "en"):
                assert_legible(paths_graph_html(answer.paths, lang))
            found = exposure(generated, company, hops=2)
            if found.hits:
                assert_legible(exposure_html(found.hits, "zh"))
            drawn += 1
        if drawn == 4:
            break
    assert drawn == 4


def test_neighbourhood_drawings_are_legible(generated: EmbeddedStore) -> None:
    from ui.cached import build_neighbourhood

    types = ["SERVES_AS", "HOLDS_SHARES", "SUPPLIES", "GUARANTEES", "LOCATED_IN"]
    hubs = sorted(_companies(generated), key=lambda n: -len(generated.edges_of([n.id])))[:3]
    for hub in hubs:
        one = build_neighbourhood(generated, [hub.id], types, 25)
        assert_legible(neighbourhood_html(one.nodes, one.edges, hub.id, "zh"))
        two = build_neighbourhood(generated, list(one.nodes), types, 25)  # "one more hop"
        html = neighbourhood_html(two.nodes, two.edges, hub.id, "en")
        assert_legible(html)
        assert len(graph_json(html)["nodes"]) <= 1 + FIRST_RING * 6  # capped, with "+M more" boxes


def test_ownership_supply_and_guarantee_drawings_are_legible(generated: EmbeddedStore) -> None:
    counts = Counter[str]()
    for company in _companies(generated):
        owners = ultimate_owners(generated, company, threshold=0.1)
        html = ownership_html(
            owners.company, [o for o in owners.owners if o.chains], actual_controller(generated, company), "zh"
        )
        if html and counts["ownership"] < 6:
            assert_legible(html)
            counts["ownership"] += 1
        chain = supply_chain(generated, company, tiers=2)
        if chain.suppliers and chain.customers and counts["supply"] < 4:
            assert_legible(supply_chain_html(chain, "zh"))
            counts["supply"] += 1
        circles = circles_of(generated, company, neighbours=True)
        chains = guarantee_chains(generated, company).chains
        html = guarantee_html(company, circles, chains, "zh")
        if html and counts["guarantee"] < 6:
            assert_legible(html)
            counts["guarantee"] += 1
        if min(counts["ownership"], counts["supply"], counts["guarantee"]) >= 4:
            break
    assert counts["ownership"] >= 4 and counts["supply"] >= 4 and counts["guarantee"] >= 4, counts


def test_park_drawing_is_legible(store: EmbeddedStore) -> None:
    members = park_companies(store, PARK)
    # the parks page draws at most 22 companies (two rings): names of every length
    many = [Node(f"Company:{i}", "Company", str(i), "苏州工业园区某某科技有限公司"[: 4 + i % 10]) for i in range(22)]
    assert_legible(park_html(members.park, many, "zh"))
    assert_legible(park_html(members.park, many[:5], "en"))


def test_layout_keeps_clear_of_a_node_in_the_way() -> None:
    # three in a row: a straight line from the first to the third would run through the second
    a, b, c = (Node(f"Company:{x}", "Company", x, name) for x, name in (("a", "甲"), ("b", "乙"), ("c", "丙")))
    edges = [
        Edge("SUPPLIES", a.id, b.id, {"amount": 1e6}),
        Edge("SUPPLIES", b.id, c.id, {"amount": 2e6}),
        Edge("SUPPLIES", a.id, c.id, {"amount": 3e6}),
        Edge("SUPPLIES", c.id, a.id, {"amount": 4e6}),
    ]
    assert_legible(neighbourhood_html([a, b, c], edges, a.id, "zh"))


def test_long_names_are_never_wrapped() -> None:
    long_name = "苏州工业园区国际科技创新发展集团股份有限公司"
    a = Node("Company:A", "Company", "A", long_name)
    b = Node("Company:B", "Company", "B", "B Holdings International Limited")
    nodes = by_id(
        graph_json(neighbourhood_html([a, b], [Edge("HOLDS_SHARES", "Company:A", "Company:B", {})], "Company:A", "en"))[
            "nodes"
        ]
    )
    assert nodes["Company:A"]["widthConstraint"]["minimum"] >= len(long_name) * 2 * 0.55 * 15
    assert "maximum" not in nodes["Company:B"]["widthConstraint"]


# -- vis-network served once, drawings opening legible ---------------------------------------------
def linked(draw: Callable[[], str]) -> str:
    """``draw()`` as the explorer makes it with static serving on (in a context of its own, as a
    script run is, so the other tests keep getting standalone pages)."""

    def run() -> str:
        link_vis(STATIC_URL)
        return draw()

    return contextvars.copy_context().run(run)


def test_a_drawing_in_the_explorer_is_only_its_data(paths: list[ExplainedPath]) -> None:
    standalone = paths_graph_html(paths, "zh")
    served = linked(lambda: paths_graph_html(paths, "zh"))
    assert linked_url() is None  # nothing leaked into this context
    assert f'<script src="{STATIC_URL}"></script>' in served
    assert "visjs.github.io" not in served and "visjs.github.io" in standalone  # the library's banner
    assert len(served.encode()) < len(standalone.encode()) - len(vis_assets().encode()) + 1000
    assert graph_json(served) == graph_json(standalone)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", served), "nothing from another host"


def test_a_path_view_weighs_at_most_30_kb_without_the_library(generated: EmbeddedStore) -> None:
    checked = 0
    for company in _companies(generated):
        if company.is_client:
            continue
        answer = introductions(generated, company)  # the explorer's default: the 5 warmest
        if len(answer.paths) < 5:
            continue
        for lang in ("zh", "en"):
            html = linked(partial(paths_graph_html, answer.paths, lang))
            assert len(html.encode()) <= LINKED_PATH_VIEW_BYTES, (company.name, lang, len(html.encode()))
        checked += 1
        if checked == 3:
            break
    assert checked == 3


def test_values_said_once_come_back_as_drawn(paths: list[ExplainedPath], store: EmbeddedStore) -> None:
    from ui.drawing import add_edge, add_node, arrange
    from ui.pyvis_net import FONT_FAMILY, Network, page

    html = paths_graph_html(paths, "zh")
    assert html.count("Noto Sans CJK SC") == 4  # twice in the style, once for nodes and edges: not on each
    nodes = graph_json(html)["nodes"]
    assert all(n["shape"] == "box" and n["physics"] is False and n["font"]["face"] == FONT_FAMILY for n in nodes)
    # a value only some items share stays on each of them
    net = Network(300)
    a, b = store.get_nodes([PROSPECT, CHIP]).values()
    add_node(net, a, "zh", "prospect", "endpoint")
    add_node(net, b, "zh", "client", None)
    add_edge(net, [Edge("SUPPLIES", a.id, b.id, {"amount": 1e6})], "zh")
    arrange(net, {a.id: (0.0, 0.0), b.id: (400.0, 0.0)})
    data = graph_json(page(net, "", "t", "zh"))
    assert [n["font"]["size"] for n in data["nodes"]] == [15, 13]
    assert [n["borderWidth"] for n in data["nodes"]] == [4, 2]
    assert data["nodes"] == net.nodes
    assert data["edges"] == net.edges


def test_the_served_copy_is_pyvis_own_put_there_from_the_installed_pyvis(tmp_path: Path) -> None:
    assert STATIC_DIR == ROOT / "static"  # Streamlit serves static/ next to app.py
    assert provide_static_copy() and (STATIC_DIR / STATIC_NAME).read_bytes() == vis_source().read_bytes()
    (tmp_path / STATIC_NAME).write_text("/* another version */", encoding="utf-8")
    assert not static_copy_ok(tmp_path)
    assert not static_copy_ok(tmp_path / "missing")
    assert provide_static_copy(tmp_path) and static_copy_ok(tmp_path)  # a stale copy is replaced
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert provide_static_copy(locked) is (os.geteuid() == 0)  # a read-only folder: drawings inline it
    finally:
        locked.chmod(0o700)


def test_the_explorer_config_turns_static_serving_on() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True


def test_only_a_plain_relative_address_is_linked() -> None:
    for bad in ('x.js"></script><script>alert(1)', "", "a b.js", "<x>"):
        with pytest.raises(InvalidParameter):
            contextvars.copy_context().run(link_vis, bad)
    assert linked_url() is None


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A small demo graph for the app (the folder test_app.py and test_browser.py use too)."""
    folder = tmp_path_factory.getbasetemp() / "guanxi-demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_DEMO_COMPANIES", "400")
        mp.setenv("GUANXI_DEMO_DIR", str(folder))
        for name in ("GUANXI_STORE", "NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH"):
            mp.delenv(name, raising=False)
        yield


@pytest.mark.timeout(240)
def test_the_app_links_the_library_when_served_and_inlines_it_otherwise(demo_app: None) -> None:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    def frames() -> list[str]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
        assert not at.exception, at.exception
        pages = [str(f.proto.srcdoc) for f in at.get("iframe")]
        assert pages, "the first page draws its paths"
        return pages

    # on as .streamlit/config.toml sets it (read when the suite runs from the repository root), then off
    before = config.get_option("server.enableStaticServing")
    try:
        config.set_option("server.enableStaticServing", True)
        for html in frames():
            assert f'<script src="{STATIC_URL}"></script>' in html
            assert len(html.encode()) <= LINKED_PATH_VIEW_BYTES
        config.set_option("server.enableStaticServing", False)
        for html in frames():
            assert STATIC_URL not in html and "visjs.github.io" in html
    finally:
        config.set_option("server.enableStaticServing", before)
    assert linked_url() is None


def test_a_two_hop_view_opens_on_its_centre_and_direct_neighbours(generated: EmbeddedStore) -> None:
    from ui.cached import build_neighbourhood

    types = ["SERVES_AS", "HOLDS_SHARES", "SUPPLIES", "GUARANTEES", "LOCATED_IN"]
    hub = max(_companies(generated), key=lambda n: len(generated.edges_of([n.id])))
    one = build_neighbourhood(generated, [hub.id], types, 25)
    two = build_neighbourhood(generated, list(one.nodes), types, 25)
    html = neighbourhood_html(two.nodes, two.edges, hub.id, "zh")
    view = opening(html)
    data = graph_json(html)
    direct = {e["to"] if e["from"] == hub.id else e["from"] for e in data["edges"] if hub.id in (e["from"], e["to"])}
    direct = {n for n in direct if not n.startswith("more:")}
    assert view["centre"] == hub.id
    # the centre and its strongest direct ties (the first ring; others may hang further out)
    assert hub.id in view["focus"] and set(view["focus"]) <= {hub.id} | direct
    assert len(view["focus"]) == 1 + min(FIRST_RING, len(direct))
    # the least zoom keeps the smallest text among them (edge labels, 12 px) at 10 px on screen
    assert view["legible"] == pytest.approx(LEGIBLE_PX / 12, abs=0.001)
    # a drawing without a focus (a path view) opens whole, whatever the zoom
    assert opening(paths_graph_html(introductions(generated, hub).paths, "zh"))["focus"] == []


def opening(html: str) -> dict[str, Any]:
    """The opening view a page gives vis-network (see ui.pyvis_net.opening_view)."""
    found = re.search(r"var view = (\{.*?\});\n", html)
    assert found, "the page says what it opens on"
    import json

    value: dict[str, Any] = json.loads(found.group(1))
    return value
