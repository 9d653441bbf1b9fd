"""Parks by keyword, industry and region; a park's companies; park referral leads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter, NodeNotFound
from graph.store import GraphStore
from graph.uscc import check_char
from guanxi.cli import main
from queries.parks import find_parks, park_companies, park_leads
from tests.reference import RawGraph

MakeStore = Callable[[], GraphStore]


def uscc(i: int) -> str:
    body = f"91320594MA{i:07d}"
    return body + check_char(body)


def parks_graph() -> tuple[RawGraph, dict[str, str]]:
    """苏州工业园区 (集成电路): client A (集成电路), non-clients B (集成电路, big), C (物流), D (注销),
    E (black-listed). 张江高科 (生物医药): client F, non-client G. 临港 (装备): non-client H only."""
    g = RawGraph()
    ids = {
        "P1": g.add_park("sip", "苏州工业园区", province="江苏省", city="苏州市", industries=["集成电路", "纳米技术"]),
        "P2": g.add_park("zj", "张江高科技园区", province="上海市", city="上海市", industries=["生物医药", "集成电路"]),
        "P3": g.add_park("lg", "临港产业园", province="上海市", city="上海市", industries=["高端装备"]),
        "A": g.add_company(uscc(1), "苏州芯源科技有限公司", industry="集成电路", is_client=True, manager="王经理"),
        "B": g.add_company(uscc(2), "苏州晶圆制造有限公司", industry="集成电路", registered_capital=5e8),
        "C": g.add_company(uscc(3), "苏州顺达物流有限公司", industry="物流", registered_capital=1e7),
        "D": g.add_company(uscc(4), "苏州已注销有限公司", industry="集成电路", status="deregistered"),
        "E": g.add_company(uscc(5), "苏州黑名单有限公司", industry="集成电路", blacklisted=True),
        "F": g.add_company(uscc(6), "上海药明有限公司", industry="生物医药", is_client=True, manager="李经理"),
        "G": g.add_company(uscc(7), "上海新药研发有限公司", industry="生物医药"),
        "H": g.add_company(uscc(8), "上海重装有限公司", industry="装备"),
    }
    for c in "ABCDE":
        g.add_edge("LOCATED_IN", ids[c], ids["P1"])
    for c in "FG":
        g.add_edge("LOCATED_IN", ids[c], ids["P2"])
    g.add_edge("LOCATED_IN", ids["H"], ids["P3"])
    return g, ids


def loaded(make_store: MakeStore) -> tuple[GraphStore, dict[str, str]]:
    g, ids = parks_graph()
    store = make_store()
    store.clear()
    g.write_to(store)
    return store, ids


def test_find_parks(make_store: MakeStore) -> None:
    store, _ = loaded(make_store)
    assert [(s.park.name, s.companies) for s in find_parks(store)] == [
        ("苏州工业园区", 5),
        ("张江高科技园区", 2),
        ("临港产业园", 1),
    ]
    assert [s.park.name for s in find_parks(store, "园区")] == ["苏州工业园区", "张江高科技园区"]
    assert [s.park.name for s in find_parks(store, industry="集成电路")] == ["苏州工业园区", "张江高科技园区"]
    assert [s.park.name for s in find_parks(store, region="上海")] == ["张江高科技园区", "临港产业园"]
    assert [s.park.name for s in find_parks(store, "张江", industry="集成", region="上海市")] == ["张江高科技园区"]
    assert find_parks(store, "不存在") == ()
    assert len(find_parks(store, limit=1)) == 1
    assert find_parks(store, industry="装备")[0].to_dict()["industries"] == ["高端装备"]
    with pytest.raises(InvalidParameter):
        find_parks(store, limit=0)


def test_park_companies(make_store: MakeStore) -> None:
    store, ids = loaded(make_store)
    members = park_companies(store, "苏州工业园区")
    assert members.companies[0].name == "苏州芯源科技有限公司"
    assert len(members.companies) == 5
    assert [c.name for c in members.clients] == ["苏州芯源科技有限公司"]
    assert park_companies(store, "sip").park.id == ids["P1"]
    with pytest.raises(NodeNotFound):
        park_companies(store, "苏州芯源科技有限公司")  # a company, not a park


def test_park_referral_leads(make_store: MakeStore) -> None:
    store, _ = loaded(make_store)
    leads = park_leads(store)
    got = [(ld.company.name, ld.park.name, [c.name for c in ld.clients], ld.same_industry) for ld in leads]
    assert got == [
        ("苏州晶圆制造有限公司", "苏州工业园区", ["苏州芯源科技有限公司"], 1),
        ("上海新药研发有限公司", "张江高科技园区", ["上海药明有限公司"], 1),
        ("苏州顺达物流有限公司", "苏州工业园区", ["苏州芯源科技有限公司"], 0),
    ]
    with_closed = {ld.company.name for ld in park_leads(store, include_closed=True)}
    assert {"苏州已注销有限公司", "苏州黑名单有限公司"} <= with_closed
    one_park = park_leads(store, "张江高科技园区")
    assert [ld.company.name for ld in one_park] == ["上海新药研发有限公司"]
    assert park_leads(store, "临港产业园") == ()  # no client there
    assert len(park_leads(store, limit=1)) == 1
    assert leads[0].to_dict()["same_industry"] == 1


def test_park_leads_honour_keyword_industry_and_region(make_store: MakeStore) -> None:
    store, _ = loaded(make_store)

    def names(keyword: str | None = None, industry: str | None = None, region: str | None = None) -> list[str]:
        return [ld.company.name for ld in park_leads(store, keyword=keyword, industry=industry, region=region)]

    assert names(region="上海") == ["上海新药研发有限公司"]
    assert names(region="江苏") == ["苏州晶圆制造有限公司", "苏州顺达物流有限公司"]
    assert names(industry="生物医药") == ["上海新药研发有限公司"]
    assert names(industry="集成电路") == ["苏州晶圆制造有限公司", "上海新药研发有限公司", "苏州顺达物流有限公司"]
    assert names(keyword="张江") == ["上海新药研发有限公司"]
    assert names(industry="集成电路", region="苏州") == ["苏州晶圆制造有限公司", "苏州顺达物流有限公司"]
    assert names(region="北京") == []
    # a named park outside the filters has no leads, inside them its own
    assert park_leads(store, "张江高科技园区", region="江苏") == ()
    assert [ld.company.name for ld in park_leads(store, "张江高科技园区", region="上海")] == ["上海新药研发有限公司"]


def test_cli_parks_leads_honour_region_and_industry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, _ = parks_graph()
    store = EmbeddedStore()
    g.write_to(store)
    graph = store.save(tmp_path / "parks.gx")
    capsys.readouterr()
    for options, expected in (
        (["--region", "上海"], ["上海新药研发有限公司"]),
        (["--industry", "纳米技术"], ["苏州晶圆制造有限公司", "苏州顺达物流有限公司"]),
        (["张江", "--industry", "集成电路"], ["上海新药研发有限公司"]),
    ):
        assert main(["parks", "--leads", *options, "--store", str(graph), "--json"]) == 0
        assert [ld["company"]["name"] for ld in json.loads(capsys.readouterr().out)] == expected
    assert main(["parks", "--leads", "--region", "北京", "--store", str(graph)]) == 0
    assert "no park leads" in capsys.readouterr().out
