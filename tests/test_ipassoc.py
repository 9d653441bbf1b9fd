"""Co-owned IP rights and trade associations (issue 14): loaded, walked, told, and association referral leads.

Every scenario runs on both stores (``make_store``) with a hand-made graph of a dozen nodes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from graph.errors import NodeNotFound
from graph.store import GraphStore
from graph.uscc import check_char
from graph.warmth import load_weights
from guanxi.cli import main
from loaders.ftm import graph_entities, map_entities
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.associations import association_leads, association_members, find_associations
from queries.explain import edge_label, hop_reason
from queries.introductions import introductions
from tests.conftest import StoreFactory
from tests.reference import RawGraph, loaded


def uscc(i: int) -> str:
    body = f"91320594MB{i:07d}"
    return body + check_char(body)


def ipassoc_graph() -> tuple[RawGraph, dict[str, str]]:
    """Client A co-owns an invention patent with prospect B; 张三, chairman of client C, is vice president of
    苏州市温州商会, whose plain members are B, client D (a plain member: refers nobody), closed E and F; 李四, a
    former vice president, refers nobody."""
    g = RawGraph()
    ids = {
        "A": g.add_company(uscc(1), "苏州芯源科技有限公司", is_client=True, manager="王经理"),
        "B": g.add_company(uscc(2), "苏州晶圆制造有限公司", registered_capital=5e8),
        "C": g.add_company(uscc(3), "苏州顺达物流有限公司", is_client=True, manager="李经理"),
        "D": g.add_company(uscc(4), "苏州小客户有限公司", is_client=True),
        "E": g.add_company(uscc(5), "苏州已注销有限公司", status="deregistered"),
        "F": g.add_company(uscc(6), "苏州新材料有限公司", registered_capital=1e7),
        "zs": g.add_person("p1", "张三"),
        "ls": g.add_person("p2", "李四"),
        "ip": g.add_node("IPRight", "ZL202010000001.1", "一种传感芯片的封装结构", ip_type="invention"),
        "as": g.add_node("Association", "AS1", "苏州市温州商会", category="商会", province="江苏省", city="苏州市"),
    }
    g.add_edge("OWNS_IP", ids["A"], ids["ip"], ip_type="invention")
    g.add_edge("OWNS_IP", ids["B"], ids["ip"], ip_type="invention")
    g.add_edge("SERVES_AS", ids["zs"], ids["C"], role="chairman")
    g.add_edge("SERVES_AS", ids["ls"], ids["D"], role="chairman")
    g.add_edge("MEMBER_OF", ids["zs"], ids["as"], role="vice_president", role_text="常务副会长")
    g.add_edge("MEMBER_OF", ids["ls"], ids["as"], role="vice_president", until="2022-01-01")
    for member in "BDEF":
        g.add_edge("MEMBER_OF", ids[member], ids["as"], role="member")
    return g, ids


@pytest.fixture
def store(make_store: StoreFactory) -> GraphStore:
    return loaded(make_store, ipassoc_graph()[0])


def test_warmth_by_ip_type_lapse_and_recency_and_by_association_office() -> None:
    w = load_weights()
    by_type = [w.strength("OWNS_IP", {"ip_type": t}) for t in ("invention", "software", "utility_model", "design")]
    assert by_type == sorted(by_type, reverse=True) and by_type[0] == 0.7
    assert w.strength("OWNS_IP", {"ip_type": "invention", "lapsed": "2020-01-01"}) == pytest.approx(0.42)
    twelve_years = (dt.date.today() - dt.timedelta(days=366 * 12)).isoformat()
    assert w.strength("OWNS_IP", {"ip_type": "invention", "since": twelve_years}) == pytest.approx(0.49)
    assert w.why("OWNS_IP", {"ip_type": "invention", "since": twelve_years})[1] == "invention, 12 years ago × 0.7"
    offices = ("president", "vice_president", "director", "other", "member")
    strengths = [w.strength("MEMBER_OF", {"role": r}) for r in offices]
    assert strengths == sorted(strengths, reverse=True) and strengths[0] == 0.6 and strengths[-1] == 0.15
    assert w.strength("MEMBER_OF", {"role": "吉祥物"}) == w.strength("MEMBER_OF", {"role": "other"})
    assert w.strength("MEMBER_OF", {"role": "president", "until": "2020-01-01"}) == pytest.approx(0.3)


def test_co_owners_of_a_patent_are_introduced_through_it(store: GraphStore) -> None:
    _, ids = ipassoc_graph()
    answer = introductions(store, ids["B"], k=5)
    best = answer.paths[0]
    assert [n.id for n in best.path.nodes] == [ids["A"], ids["ip"], ids["B"]]
    assert best.warmth == pytest.approx(0.7 * 0.7)
    assert best.sentence_zh == (
        "客户苏州芯源科技有限公司与潜客苏州晶圆制造有限公司同为发明专利《一种传感芯片的封装结构》的共同权利人。"
    )
    assert "co-own the invention patent “一种传感芯片的封装结构”" in best.sentence_en
    edge = best.path.edges[0]
    assert edge_label(edge, "zh") == "共有发明专利" and edge_label(edge, "en") == "co-owns invention patent"
    assert hop_reason(edge, store.weights, "zh") == "共有发明专利"
    assert hop_reason(edge, store.weights, "en") == "co-owned invention patent"


def test_an_office_holder_refers_through_the_association(store: GraphStore) -> None:
    _, ids = ipassoc_graph()
    answer = introductions(store, ids["F"], k=5)
    sentences = [p.sentence_zh for p in answer.paths]
    assert sentences[0] == (
        "张三任客户苏州顺达物流有限公司董事长，并是苏州市温州商会常务副会长；潜客苏州新材料有限公司是苏州市温州商会会员。"
    ), sentences
    assert answer.paths[0].sentence_en.startswith(
        "张三 is chairman of client 苏州顺达物流有限公司 and a vice president of 苏州市温州商会;"
    )


def test_association_leads_need_a_client_or_its_officer_in_office(store: GraphStore) -> None:
    _, ids = ipassoc_graph()
    leads = association_leads(store)
    # B first (bigger), then F; E is closed, D is a client, 李四 has left his office
    assert [ld.company.id for ld in leads] == [ids["B"], ids["F"]]
    lead = leads[0]
    assert [(r.who.name, r.client.name) for r in lead.referrers] == [("张三", "苏州顺达物流有限公司")]
    assert lead.referrers[0].text("zh") == "张三（客户苏州顺达物流有限公司，常务副会长）"
    assert lead.referrers[0].text("en") == "张三 (of client 苏州顺达物流有限公司, vice president)"
    assert lead.office("zh") == "会员" and lead.to_dict("en")["office"] == "member"
    assert [ld.company.id for ld in association_leads(store, include_closed=True)] == [ids["B"], ids["F"], ids["E"]]
    assert association_leads(store, region="上海") == ()
    assert [ld.company.id for ld in association_leads(store, "苏州市温州商会", limit=1)] == [ids["B"]]
    members = association_members(store, "苏州市温州商会")
    assert [m.who.name for m in members.members][:1] == ["张三"]
    assert len(members.members) == 5  # the former vice president is not a member any more
    assert [(a.association.name, a.members) for a in find_associations(store, "温州")] == [("苏州市温州商会", 6)]
    with pytest.raises(NodeNotFound):
        association_leads(store, "不存在的商会")


def test_a_plain_member_client_refers_nobody(make_store: StoreFactory) -> None:
    g = RawGraph()
    client = g.add_company(uscc(1), "甲", is_client=True)
    other = g.add_company(uscc(2), "乙")
    chamber = g.add_node("Association", "AS1", "某商会")
    g.add_edge("MEMBER_OF", client, chamber, role="member")
    g.add_edge("MEMBER_OF", other, chamber, role="member")
    assert association_leads(loaded(make_store, g)) == ()


def test_exports_with_chinese_headers_load_with_offices_folded_and_unknown_titles_kept(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    a, b = uscc(1), uscc(2)
    files = {
        "companies.csv": f"统一社会信用代码,企业名称\n{a},苏州甲科技有限公司\n{b},苏州乙制造有限公司\n",
        "persons.csv": "人员编号,姓名\np1,张三\np2,李四\n",
        "ip_rights.csv": "专利号,专利名称,专利类型,申请日,授权日\n"
        "ZL202010000001.1,一种封装结构,发明,2020-03-02,2022-08-16\n"
        "ZL202010000002.X,一种检测装置,实用新型,2020-05-02,2021-01-05\n",
        "ip_owners.csv": "专利权人,专利号,专利类型,授权日,失效日\n"
        "苏州甲科技有限公司,ZL202010000001.1,发明专利,2022-08-16,\n"
        f"{b},ZL202010000001.1,發明專利,2022-08-16,2024-01-01\n"
        f"苏州甲科技有限公司；{b},ZL202010000002.X,实用新型,2023-01-05,\n",
        "associations.csv": "社会组织名称,社会组织编号,组织类型\n苏州市温州商会,AS1,商会\n",
        "association_members.csv": "会员,会员类型,社会组织编号,职务\n"
        f"p1,自然人,AS1,常務副會長\n{a},企业,AS1,特邀嘉宾\n{b},企业,AS1,\np2,自然人,AS1,理事兼秘书长\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = make_store()
    store.clear()
    report = load_files(store, tmp_path)
    assert report.rejected == 0, report.summary("en")
    assert "特邀嘉宾" in report.summary("zh")  # an office the vocabulary does not know, listed
    edges = {(e.source, e.props.get("role")) for e in store.iter_edges(["MEMBER_OF"])}
    assert edges == {
        ("Person:p1", "vice_president"),
        ("Person:p2", "secretary_general"),  # 理事兼秘书长: the warmer office of the two
        (f"Company:{a}", "other"),
        (f"Company:{b}", "member"),
    }
    owned = sorted(store.iter_edges(["OWNS_IP"]), key=lambda e: (e.target, e.source))
    assert [(e.props.get("ip_type"), round(e.strength, 2)) for e in owned] == [
        ("invention", 0.7),
        ("invention", 0.42),  # lapsed
        ("utility_model", 0.55),  # one cell naming both owners: two ties
        ("utility_model", 0.55),
    ]


def test_ftm_membership_of_an_association_maps_both_ways(store: GraphStore) -> None:
    entities = [
        {"id": "org1", "schema": "Organization", "properties": {"name": ["苏州市温州商会"]}},
        {"id": "p1", "schema": "Person", "properties": {"name": ["张三"]}},
        {
            "id": "m1",
            "schema": "Membership",
            "properties": {"member": ["p1"], "organization": ["org1"], "role": ["副会长"]},
        },
    ]
    mapped = map_entities(enumerate(entities, 1), "x.json", store.schema)
    tables = {target: [cells for _, cells in rows] for target, rows in mapped.rows.items()}
    assert tables[("nodes", "Association")] == [{"id": "org1", "name": "苏州市温州商会"}]
    assert tables[("edges", "MEMBER_OF")] == [
        {"member": "p1", "association": "org1", "member_type": "Person", "role": "副会长"}
    ]
    out = list(graph_entities(store))
    chamber = next(e for e in out if e["id"] == "AS1")
    assert chamber["schema"] == "Organization" and chamber["properties"]["classification"] == ["association"]
    joined = [e for e in out if e["schema"] == "Membership" and e["properties"]["organization"] == ["AS1"]]
    assert sorted(e["properties"]["role"][0] for e in joined) == [
        "member",
        "member",
        "member",
        "member",
        "vice_president",
        "常务副会长",
    ]


def test_generate_writes_both_kinds_and_the_cli_lists_association_leads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = generate(tmp_path / "files", companies=300, seed=3)
    assert summary.rows["ip_owners.csv"] > 0 and summary.rows["association_members.csv"] > 0
    assert summary.rows["ip_rights.csv"] > 0 and summary.rows["associations.csv"] > 0
    assert any("co-own the invention patent" in line for line in summary.demo)
    assert any("presides over" in line for line in summary.demo)
    gx = tmp_path / "graph.gx"
    assert main(["load", str(tmp_path / "files"), "--store", str(gx)]) == 0
    capsys.readouterr()
    assert main(["associations", "--leads", "--json", "--store", str(gx), "--lang", "en"]) == 0
    leads = json.loads(capsys.readouterr().out)
    prospect = summary.demo_prospects[4]
    ours = [ld for ld in leads if ld["company"]["key"] == prospect]
    assert ours and ours[0]["referrers"][0]["office"] == "president"
    assert main(["associations", "青年企业家", "--store", str(gx)]) == 0
    assert "青年企业家商会" in capsys.readouterr().out
