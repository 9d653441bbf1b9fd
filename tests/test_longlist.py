"""Long list, client inventory and lead candidates on both stores: sources, filters, exclusions with reasons, gaps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from graph.errors import InvalidParameter
from graph.store import GraphStore
from graph.uscc import check_char
from loaders.ops_data import OPS_COLUMNS, OpsData
from queries.candidates import to_candidates
from queries.inventory import client_inventory
from queries.longlist import long_list
from queries.scoring import company_frame, score
from tests.reference import RawGraph, loaded

MakeStore = Callable[[], GraphStore]
DAY = "2025-06-30"


def uscc(i: int, region: str = "320505") -> str:
    body = f"91{region}MA{i:07d}"[:17]
    return body + check_char(body)


K, S1, S2, S3, S4, S5, X, M, E, Z = (uscc(i) for i in range(1, 11))
M = uscc(8, "310115")
Z = uscc(10, "310115")


def graph() -> RawGraph:
    """Client core enterprise K (苏州) with suppliers S1 (clean), S2 (black-listed), S3 (注销), S4 (in a
    guarantee circle with X), S5 (its director P is black-listed); park P1 holds S1, K and M (上海);
    E is a prospect of segment 集成电路/EDA; Z is a client in 上海 with no segment."""
    g = RawGraph()
    g.add_company(K, "苏州核心电子有限公司", tags=["核心企业"], is_client=True, manager="王芳", branch="苏州分行")
    g.add_company(S1, "苏州甲材料有限公司", registered_capital=2e8)
    g.add_company(S2, "苏州乙材料有限公司", blacklisted=True)
    g.add_company(S3, "苏州丙材料有限公司", status="deregistered")
    g.add_company(S4, "苏州丁材料有限公司")
    g.add_company(S5, "苏州戊材料有限公司")
    g.add_company(X, "苏州己担保有限公司")
    g.add_company(M, "上海庚设计有限公司")
    g.add_company(E, "苏州辛软件有限公司")
    g.add_company(Z, "上海壬医药有限公司", is_client=True, manager="李娜", branch="上海分行")
    g.add_person("p1", "赵某", blacklisted=True)
    g.add_park("park1", "苏州工业园区")
    for s in (S1, S2, S3, S4, S5):
        g.add_edge("SUPPLIES", f"Company:{s}", f"Company:{K}", amount=5e7, year=2024)
    g.add_edge("GUARANTEES", f"Company:{S4}", f"Company:{X}", amount=1e7)
    g.add_edge("GUARANTEES", f"Company:{X}", f"Company:{S4}", amount=1e7)
    g.add_edge("SERVES_AS", "Person:p1", f"Company:{S5}", role="director")
    for c in (S1, K, M):
        g.add_edge("LOCATED_IN", f"Company:{c}", "Park:park1")
    return g


def frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(OPS_COLUMNS[name]), dtype=object)


def ops() -> OpsData:
    return OpsData(
        events=frame(
            "events",
            [
                {
                    "event_id": "e1",
                    "company": S1,
                    "event_type": "中标政府项目",
                    "date": "2025-05-01",
                    "amount": 8e7,
                    "category": "新增项目",
                    "products": "保函|项目贷款",
                    "grade": "A",
                },
                {
                    "event_id": "e2",
                    "company": M,
                    "event_type": "新增专利",
                    "date": "2025-06-01",
                    "category": "资质荣誉",
                    "products": "科技贷",
                    "grade": "C",
                },
            ],
        ),
        tags=frame("tags", [{"company": S1, "tag": "专精特新"}, {"company": E, "tag": "高新技术企业"}]),
        chains=frame(
            "chains",
            [
                {"chain": "集成电路", "segment": "设计", "position": "中游"},
                {"chain": "集成电路", "segment": "EDA", "position": "上游", "parent": "设计"},
                {"chain": "集成电路", "segment": "制造", "position": "中游"},
                {"chain": "生物医药", "segment": "创新药", "position": "中游"},
            ],
        ),
        memberships=frame(
            "memberships",
            [
                {"company": K, "chain": "集成电路", "segment": "设计"},
                {"company": M, "chain": "集成电路", "segment": "设计"},
                {"company": E, "chain": "集成电路", "segment": "EDA"},
            ],
        ),
        branches=frame("branches", [{"branch": "无锡分行", "region_code": "3202"}]),
    )


def test_supply_chain_sources_and_exclusions(make_store: MakeStore) -> None:
    store = loaded(make_store, graph())
    result = long_list(store, ops(), core_clients=True)
    assert [e.node.key for e in result.entries] == [S1]
    assert result.entries[0].sources == ("supply:supplier of 苏州核心电子有限公司",)
    reasons = {x.node.key: x.reasons for x in result.excluded}
    assert reasons == {
        S2: ("blacklisted",),
        S3: ("closed",),
        S4: ("guarantee_circle",),
        S5: ("blacklist_exposure",),
    }
    s5 = next(x for x in result.excluded if x.node.key == S5)
    assert "赵某" in s5.details[0] and s5.reason_text("en") == "black-listed entity within reach"
    kept = long_list(store, ops(), core_clients=[K], keep_risky=True)
    assert {e.node.key for e in kept.entries} == {S1, S4, S5}
    assert kept.risk() == {S4: ("guarantee_circle",), S5: ("blacklist_exposure",)}
    downloads = result.to_frame("zh")
    assert list(downloads.columns)[-1] == "排除原因" and len(downloads) == 5


def test_park_segment_list_and_filters(make_store: MakeStore) -> None:
    store = loaded(make_store, graph())
    data = ops()
    park = long_list(store, data, parks=["苏州工业园区"])
    assert long_list(store, data, parks="苏州工业园区").companies == park.companies  # one name, not its characters
    assert {e.node.key for e in park.entries} == {S1, M}
    # K is a client, and supplied by the black-listed S2: every reason is shown
    assert [(x.node.key, x.reasons) for x in park.excluded] == [(K, ("client", "blacklist_exposure"))]
    segment = long_list(store, data, segments=["集成电路/设计"])
    assert {e.node.key: e.sources for e in segment.entries} == {
        M: ("segment:集成电路/设计",),
        E: ("segment:集成电路/EDA",),
    }
    both = long_list(store, data, parks=["苏州工业园区"], segments=[("集成电路", "设计")], region="3205")
    assert [e.node.key for e in both.entries] == [S1, E]
    assert long_list(
        store, data, parks=["苏州工业园区"], segments=["集成电路/设计"], tags=["专精特新", "高新技术企业"]
    ).companies == (S1, E)
    assert long_list(store, data, parks=["苏州工业园区"], event_categories=["资质荣誉"]).companies == (M,)
    assert long_list(store, data, parks=["苏州工业园区"], events_since="2025-05-15").companies == (M,)
    listed = long_list(store, data, prospects=["苏州甲材料有限公司", S2, "查无此公司"])
    assert listed.companies == (S1,) and listed.entries[0].sources == ("list:row 1",)
    assert [x.reasons for x in listed.excluded] == [("blacklisted",)]
    assert any("unmatched" in n for n in listed.notes)


def test_bad_long_list_options(make_store: MakeStore) -> None:
    store = loaded(make_store, graph())
    with pytest.raises(InvalidParameter, match="segments"):
        long_list(store, ops(), segments=["集成电路"])
    with pytest.raises(InvalidParameter, match="region"):
        long_list(store, ops(), parks=["苏州工业园区"], region="苏州")
    with pytest.raises(InvalidParameter, match="ops"):
        long_list(store, None, segments=["集成电路/设计"])


def test_inventory_gaps(make_store: MakeStore) -> None:
    store = loaded(make_store, graph())
    inv = client_inventory(store, ops(), chains=["集成电路"])
    assert inv.clients.set_index("company").loc[K, "segments"] == ("集成电路/设计",)
    suzhou = inv.branch("苏州分行")
    assert suzhou.clients == 1 and suzhou.chains_held == ("集成电路",)
    assert [(c.segment, c.clients) for c in suzhou.cells] == [("设计", 1), ("EDA", 0), ("制造", 0)]
    assert [c.segment for c in suzhou.gaps] == ["EDA", "制造"]
    assert inv.branch("上海分行").chains_empty == ("集成电路",)
    assert inv.branch("无锡分行").clients == 0
    assert len(inv.gaps_frame()) == 2 + 3 + 3
    assert dict(zip(inv.by_tag["tag"], inv.by_tag["clients"], strict=True)) == {"核心企业": 1}
    with pytest.raises(InvalidParameter, match="not in the chains file"):
        client_inventory(store, ops(), chains=["航空航天"])


def test_candidates_with_paths(make_store: MakeStore) -> None:
    store = loaded(make_store, graph())
    data = ops()
    listing = long_list(store, data, parks=["苏州工业园区"], include_clients=True, exposure_hops=0)
    scored = score(company_frame(store, listing.companies), data, as_of=DAY)
    found = to_candidates(store, scored, data, paths_for=5)
    by_key = {c.company: c for c in found}
    s1 = by_key[S1]
    assert s1.region_code == "320505" and not s1.is_client and s1.event_ids == ("e1",)
    assert s1.products == ("保函", "项目贷款")
    assert s1.introducer == "苏州核心电子有限公司" and s1.introducer_manager == "王芳"
    assert s1.introducer_branch == "苏州分行" and s1.path_warmth is not None and s1.path_text
    parts = dict(s1.breakdown)
    assert parts["warmth"] > 0 and abs(sum(parts.values()) - s1.score) < 1e-9
    k = by_key[K]
    assert k.is_client and k.client_manager == "王芳" and k.introducer is None
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
