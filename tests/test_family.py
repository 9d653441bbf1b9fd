"""Family ties and acting in concert (亲属, 一致行动): one controlling party in the actual controller, the
same-controller group and related parties; told in both directions and both languages; walked as a warm hop.

Hand-made graphs on both stores (``make_store``), and a brute-force check of the family rule on random
holdings (embedded store, a few examples).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.embedded import EmbeddedStore
from graph.model import Edge, Node
from graph.model import Path as GraphPath
from graph.schema import load_schema
from graph.store import GraphStore
from graph.warmth import load_weights
from guanxi.cli import main
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.explain import clause, edge_label, hop_reason
from queries.introductions import introductions
from queries.ownership import actual_controller, related_parties, same_controller_group, ultimate_owners
from tests.reference import RawGraph, loaded
from tests.test_ownership import uscc
from ui.draw_ownership import ownership_html
from ui.draw_paths import paths_graph_html
from ui.page_related import parties_frame

MakeStore = Callable[[], GraphStore]


def couple() -> tuple[RawGraph, dict[str, str]]:
    """张三 30% + his wife 李四 25% of A (王五 45%); 李四 holds 80% of B; 张三's son 张小三; 赵六 (30%) and
    钱七 (25%) of C act in concert (孙八 40%); 张三's brother 张二 holds 60% of D; 周九 is A's chairman,
    his father 周老 holds 90% of E."""
    g = RawGraph()
    ids = {
        "张三": g.add_person("p1", "张三"),
        "李四": g.add_person("p2", "李四"),
        "王五": g.add_person("p3", "王五"),
        "张小三": g.add_person("p4", "张小三"),
        "赵六": g.add_person("p5", "赵六"),
        "钱七": g.add_person("p6", "钱七"),
        "孙八": g.add_person("p7", "孙八"),
        "张二": g.add_person("p8", "张二"),
        "周九": g.add_person("p9", "周九"),
        "周老": g.add_person("p10", "周老"),
        "A": g.add_company(uscc(1), "甲科技有限公司"),
        "B": g.add_company(uscc(2), "乙贸易有限公司"),
        "C": g.add_company(uscc(3), "丙实业有限公司"),
        "D": g.add_company(uscc(4), "丁建材有限公司"),
        "E": g.add_company(uscc(5), "戊物流有限公司"),
    }
    g.add_edge("HOLDS_SHARES", ids["张三"], ids["A"], ratio=0.3)
    g.add_edge("HOLDS_SHARES", ids["李四"], ids["A"], ratio=0.25)
    g.add_edge("HOLDS_SHARES", ids["王五"], ids["A"], ratio=0.45)
    g.add_edge("HOLDS_SHARES", ids["李四"], ids["B"], ratio=0.8)
    g.add_edge("FAMILY", ids["李四"], ids["张三"], relation="spouse")
    g.add_edge("FAMILY", ids["张三"], ids["张小三"], relation="father")
    g.add_edge("FAMILY", ids["张二"], ids["张三"], relation="brother")
    g.add_edge("HOLDS_SHARES", ids["张二"], ids["D"], ratio=0.6)
    g.add_edge("HOLDS_SHARES", ids["赵六"], ids["C"], ratio=0.3)
    g.add_edge("HOLDS_SHARES", ids["钱七"], ids["C"], ratio=0.25)
    g.add_edge("HOLDS_SHARES", ids["孙八"], ids["C"], ratio=0.4)
    g.add_edge("ACTS_IN_CONCERT", ids["赵六"], ids["钱七"], since="2020-01-01")
    g.add_edge("SERVES_AS", ids["周九"], ids["A"], role="chairman")
    g.add_edge("FAMILY", ids["周老"], ids["周九"], relation="father")
    g.add_edge("HOLDS_SHARES", ids["周老"], ids["E"], ratio=0.9)
    return g, ids


def test_a_couple_controls_together_and_is_named_with_the_reason(make_store: MakeStore) -> None:
    g, _ = couple()
    store = loaded(make_store, g)
    ctrl = actual_controller(store, "甲科技有限公司")
    assert ctrl.controller is not None and ctrl.controller.name == "张三"
    assert [n.name for n in ctrl.co_controllers] == ["李四"]
    assert ctrl.kind == "person"
    assert ctrl.reason_zh == "张三（30%）及其配偶李四（25%）合计控制甲科技有限公司 55%（绝对控股）"
    assert ctrl.reason_en == "张三 (30%) and spouse 李四 (25%) together hold 55% of 甲科技有限公司 (majority)"
    step = ctrl.to_dict()["chain"][0]  # type: ignore[index]
    assert [p["relation"] for p in step["party"]] == [None, "spouse"]


def test_with_nobody_over_the_threshold_both_spouses_are_beneficial_owners_by_control(make_store: MakeStore) -> None:
    g, _ = couple()
    store = loaded(make_store, g)
    ubo = ultimate_owners(store, "甲科技有限公司", threshold=0.5)
    assert [(o.owner.name, o.basis) for o in ubo.owners] == [("张三", "control"), ("李四", "control")]
    assert "张三（30%）及其配偶李四（25%）" in ubo.owners[1].explanation("zh")


def test_a_concert_agreement_combines_and_an_ended_one_does_not(make_store: MakeStore) -> None:
    g, ids = couple()
    store = loaded(make_store, g)
    ctrl = actual_controller(store, "丙实业有限公司")
    assert ctrl.controller is not None and ctrl.controller.name == "赵六"
    assert [n.name for n in ctrl.co_controllers] == ["钱七"]
    assert "其一致行动人钱七（25%）" in ctrl.reason_zh
    assert "concert party 钱七 (25%)" in ctrl.reason_en
    g.edges[-4] = ("ACTS_IN_CONCERT", ids["赵六"], ids["钱七"], {"since": "2020-01-01", "until": "2023-06-30"})
    ended = actual_controller(loaded(make_store, g), "丙实业有限公司")
    assert ended.controller is not None and ended.controller.name == "孙八"  # the largest holder, 40%
    assert ended.co_controllers == ()


def test_a_sibling_does_not_combine(make_store: MakeStore) -> None:
    g, ids = couple()
    f = g.add_company(uscc(6), "己食品有限公司")
    g.add_edge("HOLDS_SHARES", ids["张三"], f, ratio=0.3)
    g.add_edge("HOLDS_SHARES", ids["张二"], f, ratio=0.25)
    g.add_edge("HOLDS_SHARES", ids["王五"], f, ratio=0.45)
    store = loaded(make_store, g)
    ctrl = actual_controller(store, "己食品有限公司")
    assert ctrl.controller is not None and ctrl.controller.name == "王五"  # 45%, more than the brothers' 30%
    assert ctrl.co_controllers == ()


def test_the_same_controller_group_includes_the_family_companies(make_store: MakeStore) -> None:
    g, _ = couple()
    store = loaded(make_store, g)
    group = same_controller_group(store, "甲科技有限公司")
    assert group.root is not None and group.root.name == "张三"
    assert sorted(n.name for n in group.family) == ["张小三", "李四"]  # spouse and son; not the brother
    members = {m.company.name: m.parent.name for m in group.members}
    assert members == {"甲科技有限公司": "张三", "乙贸易有限公司": "李四"}


def test_related_parties_list_the_family_with_the_reason(make_store: MakeStore) -> None:
    g, _ = couple()
    store = loaded(make_store, g)
    parties = {p.party.name: p.reasons for p in related_parties(store, "甲科技有限公司").parties}
    assert [r.code for r in parties["李四"]][:1] == ["actual_controller"]
    reasons = {name: {r.code: (r.zh, r.en) for r in rs} for name, rs in parties.items()}
    assert reasons["李四"]["family"] == ("实际控制人张三的配偶", "spouse of 张三, the actual controller")
    assert reasons["张小三"]["family"] == (
        "实际控制人张三的子女",
        "child of 张三, the actual controller",
    )  # gender unknown
    assert reasons["张二"]["family"] == ("实际控制人张三的兄弟", "brother of 张三, the actual controller")
    assert reasons["周老"]["family"] == ("本企业董事长周九的父亲", "father of 周九, chairman of the company")
    assert reasons["乙贸易有限公司"]["same_controller"] == (
        "同受张三家族控制（张三的配偶李四）",
        "also controlled by the family of 张三 (李四, spouse of 张三)",
    )
    assert reasons["丁建材有限公司"]["family_controlled"] == (
        "实际控制人张三的兄弟张二持股 60%",
        "张二 (brother of 张三, the actual controller) holds 60%",
    )
    assert reasons["戊物流有限公司"]["family_controlled"][0] == "本企业董事长周九的父亲周老持股 90%"
    assert "丙实业有限公司" not in parties


def test_a_family_tie_is_told_either_way_in_both_languages() -> None:
    e = Edge("FAMILY", "Person:p10", "Person:p9", {"relation": "father"}, 0.9)
    assert clause(e, "王五", "王六") == "王五是王六的父亲"
    assert clause(e, "Wang Wu", "Wang Liu", "en") == "Wang Wu is Wang Liu's father"
    assert clause(e, "王五", "王六", reverse=True) == "王六的父亲是王五"
    assert clause(e, "Wang Wu", "Wang Liu", "en", reverse=True) == "Wang Liu's father is Wang Wu"
    spouse = Edge("FAMILY", "Person:p2", "Person:p1", {"relation": "spouse"}, 0.95)
    assert clause(spouse, "张三", "李四") == "张三是李四的配偶"
    assert clause(spouse, "Zhang San", "Li Si", "en") == "Zhang San is Li Si's spouse"
    assert edge_label(spouse, "en") == "spouse"
    assert hop_reason(spouse, load_weights(), "zh") == "亲属：配偶"
    concert = Edge("ACTS_IN_CONCERT", "Person:a", "Person:b", {"until": "2023-01-01"}, 0.425)
    assert clause(concert, "赵六", "钱七") == "赵六曾与钱七为一致行动人"
    assert hop_reason(concert, load_weights(), "en") == "former acting-in-concert agreement (× 0.5)"


def test_printed_relations_in_both_scripts_map_to_one_value() -> None:
    relation = load_schema().kind("FAMILY").properties["relation"]
    said = {w: relation.canonical_value(w) for w in ("夫妻", "父子", "母女", "兒子", "父親", "姊妹", "翁婿", "表哥")}
    assert said == {
        "夫妻": "spouse",
        "父子": "son",
        "母女": "daughter",
        "兒子": "son",
        "父親": "father",
        "姊妹": "sister",
        "翁婿": "in_law",
        "表哥": None,
    }
    assert relation.fallback == "relative"
    assert relation.converse["son"] == "parent"


def test_an_introduction_walks_a_family_tie(make_store: MakeStore) -> None:
    g = RawGraph()
    client = g.add_company(uscc(11), "客户甲有限公司", is_client=True, manager="王经理")
    prospect = g.add_company(uscc(12), "潜客乙有限公司")
    husband = g.add_person("h", "陈一")
    wife = g.add_person("w", "林二")
    g.add_edge("SERVES_AS", husband, client, role="chairman")
    g.add_edge("SERVES_AS", wife, prospect, role="legal_representative")
    g.add_edge("FAMILY", wife, husband, relation="spouse")
    store = loaded(make_store, g)
    found = introductions(store, "潜客乙有限公司")
    best = found.paths[0]
    assert [n.name for n in best.path.nodes] == ["客户甲有限公司", "陈一", "林二", "潜客乙有限公司"]
    assert best.path.warmth == pytest.approx(0.9 * 0.95 * 0.9)
    assert "林二是陈一的配偶" in best.sentence_zh


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stakes=st.lists(st.integers(0, 40), min_size=2, max_size=5),
    ties=st.sets(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=4),
)
def test_family_control_matches_brute_force(stakes: list[int], ties: set[tuple[int, int]]) -> None:
    """Whoever the query names controls: the family party (connected spouses) whose summed stake is over
    50%, or the largest ≥ 30% with nobody equal; worked out here over the parties by hand."""
    g = RawGraph()
    people = [g.add_person(f"p{i}", f"人{i}") for i in range(len(stakes))]
    company = g.add_company(uscc(20), "目标有限公司")
    for p, units in zip(people, stakes, strict=True):
        if units:
            g.add_edge("HOLDS_SHARES", p, company, ratio=units / 100)
    pairs = {(a, b) for a, b in ties if a < b < len(people)}
    for a, b in sorted(pairs):
        g.add_edge("FAMILY", people[a], people[b], relation="spouse")
    store = loaded(lambda: EmbeddedStore(), g)
    # brute force: the parties are the connected groups of holders
    party = list(range(len(people)))
    for a, b in sorted(pairs):
        if stakes[a] and stakes[b]:
            old, new = party[max(a, b)], party[min(a, b)]
            party = [new if x == old else x for x in party]
    sums: dict[int, int] = {}
    for i, units in enumerate(stakes):
        if units:
            sums[party[i]] = sums.get(party[i], 0) + units
    ranked = sorted(sums.values(), reverse=True)
    top = ranked[0] if ranked else 0
    second = ranked[1] if len(ranked) > 1 else 0
    controls = top >= 30 and second < top  # over 50%, or the single largest with at least 30%
    ctrl = actual_controller(store, "目标有限公司")
    assert (ctrl.controller is not None) == controls
    if ctrl.controller is not None:
        held = [i for i in range(len(people)) if stakes[i] and party[i] == party[int(ctrl.controller.key[1:])]]
        assert sorted(n.key for n in ctrl.controllers) == sorted(f"p{i}" for i in held)
        assert ctrl.chain[0].ratio == pytest.approx(math.fsum(stakes[i] for i in held) / 100)


def test_the_generator_writes_family_businesses_at_a_modest_density(tmp_path: Path) -> None:
    summary = generate(tmp_path, companies=400, seed=7)
    store = EmbeddedStore()
    report = load_files(store, [p for p in sorted(tmp_path.iterdir()) if p.suffix == ".csv"])
    assert report.rejected == 0
    counts = store.stats().relationships
    ties = counts["FAMILY"] + counts["ACTS_IN_CONCERT"]
    assert summary.rows["family.csv"] == counts["FAMILY"] > 0 and counts["ACTS_IN_CONCERT"] > 0
    assert ties < 0.1 * sum(counts.values())  # a few percent of all relationships
    relations = {e.props["relation"] for e in store.iter_edges(["FAMILY"])}
    assert {"spouse", "sibling"} <= relations
    couples = [e for e in store.iter_edges(["FAMILY"]) if e.props["relation"] == "spouse"]
    holdings: dict[str, set[str]] = {}
    for e in store.iter_edges(["HOLDS_SHARES"]):
        holdings.setdefault(e.source, set()).add(e.target)
    assert any(holdings.get(e.source, set()) & holdings.get(e.target, set()) for e in couples)  # a couple's company


def test_the_cli_names_the_family_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, _ = couple()
    store = EmbeddedStore()
    g.write_to(store)
    saved = store.save(tmp_path / "family.gx")
    at = ["--store", str(saved), "--backend", "embedded"]
    assert main(["controller", "甲科技有限公司", *at]) == 0
    out = capsys.readouterr().out
    assert "实际控制人：张三、李四" in out and "张三（30%）及其配偶李四（25%）合计控制甲科技有限公司 55%" in out
    assert main(["controller", "甲科技有限公司", "--group", "--lang", "en", *at]) == 0
    out = capsys.readouterr().out
    assert "with family and concert parties: 李四, 张小三" in out and "乙贸易有限公司" in out
    assert main(["related", "甲科技有限公司", "--lang", "en", *at]) == 0
    assert "spouse of 张三, the actual controller" in capsys.readouterr().out


def test_the_paths_drawing_shows_a_family_tie_in_its_colour_and_words() -> None:
    a = Node("Company:A", "Company", "A", "甲公司", {"is_client": True})
    h = Node("Person:h", "Person", "h", "陈一")
    w = Node("Person:w", "Person", "w", "林二")
    edges = (
        Edge("SERVES_AS", "Person:h", "Company:A", {"role": "chairman"}, 0.9),
        Edge("FAMILY", "Person:w", "Person:h", {"relation": "spouse"}, 0.95),
    )
    spec = load_schema().kind("FAMILY")
    zh = paths_graph_html([GraphPath((a, h, w), edges, 0.855)], "zh")
    en = paths_graph_html([GraphPath((a, h, w), edges, 0.855)], "en")
    assert "配偶" in zh and spec.colour in zh and "亲属" in zh
    assert "spouse" in en and spec.colour in en and "family" in en


def test_the_related_parties_page_gives_the_family_reason_in_either_language(make_store: MakeStore) -> None:
    g, _ = couple()
    store = loaded(make_store, g)
    parties = related_parties(store, "甲科技有限公司")
    zh, en = parties_frame(parties, "zh"), parties_frame(parties, "en")
    assert any("实际控制人张三的配偶" in str(cell) for cell in zh.to_numpy().ravel())
    assert any("spouse of 张三, the actual controller" in str(cell) for cell in en.to_numpy().ravel())
    assert not any("配偶" in str(cell) for cell in en.to_numpy().ravel())


def test_the_equity_drawing_shows_each_spouse_stake_and_their_tie(make_store: MakeStore) -> None:
    g, _ = couple()
    store = loaded(make_store, g)
    company = store.get_nodes(["Company:" + uscc(1)])["Company:" + uscc(1)]
    ctrl = actual_controller(store, company)
    html = ownership_html(company, [], ctrl, "en")
    assert "30%" in html and "25%" in html and "55%" not in html  # each spouse's own stake, not the sum
    assert "spouse" in html and load_schema().kind("FAMILY").colour in html
