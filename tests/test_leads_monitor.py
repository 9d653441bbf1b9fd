"""Monitoring on both graph stores and both lead stores: new events on what an RM watches, and open leads'
paths that broke or got warmer after a reload of the graph."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from graph.errors import InvalidParameter
from graph.store import GraphStore
from leads.distribute import distribute
from leads.monitor import events_by, new_events, path_changes, record_paths
from leads.store import LeadStore
from leads.workflow import move
from loaders.ops_data import OpsData
from tests.leads_data import C1, C2, C3, candidate, frame, sample_ops
from tests.scenarios import introductions_graph, uscc


def test_default_watch_is_clients_and_leads_without_graph(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    distribute(lead_store, [candidate(C1, 88, events=("e1",))])  # goes to 赵敏 (capacity, name order)
    watch = new_events(lead_store, "赵敏", "2026-01-01")
    assert watch.events.event_id.tolist() == ["e1"]
    assert watch.events.why.tolist()[0].startswith("lead ")
    assert any("needs the graph" in n for n in watch.notes)
    assert new_events(lead_store, "赵敏", "2026-11-03").events.empty  # e1 is dated 2026-11-02
    with pytest.raises(InvalidParameter, match="since"):
        new_events(lead_store, "赵敏", "11/03")


def test_segment_and_company_subscriptions(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    lead_store.subscribe("王芳", "segment", "集成电路/制造")
    lead_store.subscribe("王芳", "company", C3)
    watch = new_events(lead_store, "王芳", "2026-01-01")
    assert watch.events.event_id.tolist() == ["e3", "e2"]
    assert watch.events.why.tolist() == ["watched company", "segment 集成电路/制造"]


def test_events_by_counts() -> None:
    events = frame("events", [("a", C1, "对外投资", "2026-01-01", None, None, None, "投融资并购", None, "A")] * 2)
    events["region_code"] = ["320571", "320102"]
    counted = events_by(events, ["event_type", "province"])
    assert counted.values.tolist() == [["对外投资", "32", 2]]
    with pytest.raises(InvalidParameter):
        events_by(events, ["nope"])


@pytest.fixture
def graph(make_store: Callable[[], GraphStore]) -> GraphStore:
    g = introductions_graph()
    g.add_company(uscc(20), "孤立企业有限公司")
    store = make_store()
    g.write_to(store)
    return store


def test_clients_and_parks_from_the_graph(graph: GraphStore, lead_store: LeadStore) -> None:
    lead_store.write_ops(
        OpsData(
            events=frame(
                "events",
                [
                    ("x1", uscc(2), "股权融资", "2026-11-01", None, None, None, "投融资并购", "并购贷款", "A"),
                    ("x2", uscc(1), "新入驻园区", "2026-11-05", None, None, None, "新增机构", "开户", "B"),
                    ("x3", uscc(3), "招聘扩张", "2026-11-06", None, None, None, "新增机构", "代发", "C"),
                ],
            )
        )
    )
    lead_store.subscribe("王芳", "clients")
    lead_store.subscribe("王芳", "park", "苏州工业园区")
    watch = new_events(lead_store, "王芳", "2026-10-01", graph)
    assert watch.events.event_id.tolist() == ["x2", "x1"]  # x3 is 李强's client
    assert watch.events.why.tolist() == ["park 苏州工业园区", "client"]
    assert watch.notes == ()


def test_path_changes_after_a_reload(graph: GraphStore, lead_store: LeadStore) -> None:
    prospect, lonely, chip = uscc(1), uscc(20), uscc(2)
    distribute(
        lead_store,
        [
            candidate(prospect, 90, introducer="无锡华控集团有限公司", introducer_manager="李强", warmth=0.5),
            candidate(lonely, 80, introducer="某客户", introducer_manager="王芳", warmth=0.3),
            candidate(C2, 70),  # not in the graph
            candidate(chip, 60, warmth=None),
        ],
    )
    changes = {c.company: c for c in path_changes(lead_store, graph)}
    assert changes[prospect].status == "warmer"
    assert changes[prospect].after_introducer == "昆山精密机械有限公司"
    assert changes[prospect].after_warmth == pytest.approx(0.8)
    assert changes[lonely].status == "broken" and changes[lonely].after_warmth is None
    assert changes[C2].status == "gone"
    assert chip not in changes or changes[chip].status == "new"
    # closed leads are not watched
    move(lead_store, lead_store.leads(company=prospect)[0].id, "已结束", by="李强")
    assert prospect not in {c.company for c in path_changes(lead_store, graph)}
    same = path_changes(lead_store, graph, include_same=True)
    assert {c.status for c in same} >= {"broken", "gone"}
    assert isinstance(pd.DataFrame([c.to_dict() for c in same]), pd.DataFrame)


def test_record_paths_stores_the_new_path_with_a_version_check(graph: GraphStore, lead_store: LeadStore) -> None:
    prospect, lonely = uscc(1), uscc(20)
    distribute(
        lead_store,
        [
            candidate(prospect, 90, introducer="无锡华控集团有限公司", introducer_manager="李强", warmth=0.5),
            candidate(lonely, 80, introducer="某客户", introducer_manager="王芳", warmth=0.3),
        ],
    )
    changes = path_changes(lead_store, graph)
    stale_one = lead_store.leads(company=lonely)[0]
    move(lead_store, stale_one.id, "跟进中", by="王芳")  # changed after the comparison read it
    done = record_paths(lead_store, changes, by="monitor")
    assert done.stale == (stale_one.id,) and len(done.updated) == 1
    lead = lead_store.lead(done.updated[0])
    assert lead.introducer == "昆山精密机械有限公司" and lead.path_warmth == pytest.approx(0.8)
    assert lead.introducer_manager == "王芳" and lead.version == 2
    assert lead.joint_manager == ("王芳" if lead.manager != "王芳" else None)
    note = lead_store.history(lead.id)[-1]
    assert note.from_state == note.to_state == "待认领" and "warmer" in (note.note or "")
    assert [c.company for c in path_changes(lead_store, graph)] == [lonely]  # the recorded one is now the same
