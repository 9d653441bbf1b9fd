"""The lead store on SQLite and PostgreSQL: operational data round trip, idempotent upserts, one transaction
per write, the schema version, and clear errors."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from graph.errors import GuanxiError, InvalidParameter
from graph.uscc import region_code
from leads.errors import LeadNotFound, LeadStoreError
from leads.store import LeadStore, WriteCount
from leads.tables import SCHEMA_VERSION, schema_info
from loaders.ops_data import OPS_COLUMNS, OpsData
from tests.leads_data import C1, C2, frame, sample_ops


def _sorted(df: pd.DataFrame, name: str) -> pd.DataFrame:
    keys = {
        "events": ["event_id"],
        "tags": ["company", "tag"],
        "chains": ["chain", "segment"],
        "memberships": ["company", "chain", "segment"],
        "branches": ["branch", "region_code", "manager"],
        "outcomes": ["company", "product", "date"],
    }[name]
    return df.sort_values(keys).reset_index(drop=True)[list(OPS_COLUMNS[name])]


def test_ops_round_trip_and_idempotent(lead_store: LeadStore) -> None:
    ops = sample_ops()
    first = lead_store.write_ops(ops)
    assert first["events"] == WriteCount(added=4)
    assert first["branches"] == WriteCount(added=5)
    back = lead_store.read_ops()
    for name in OPS_COLUMNS:
        got = _sorted(getattr(back, name), name).astype(object)
        want = _sorted(getattr(ops, name), name).astype(object)
        want = want.where(want.notna(), None)
        assert got.values.tolist() == want.values.tolist(), name
    second = lead_store.write_ops(ops)
    assert all(c == WriteCount(unchanged=len(getattr(ops, n))) for n, c in second.items())
    assert lead_store.read_ops().events.values.tolist() == back.events.values.tolist()


def test_upsert_changes_only_what_changed(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    tags = frame("tags", [(C1, "专精特新", "2025-02-02"), (C2, "小巨人", None)])
    counts = lead_store.write_ops(OpsData(tags=tags))
    assert counts["tags"] == WriteCount(added=1, changed=1)
    stored = lead_store.read_ops().tags
    assert len(stored) == 4  # nothing forgotten
    assert stored[(stored.company == C1) & (stored.tag == "专精特新")].date.tolist() == ["2025-02-02"]


def test_a_bad_row_writes_nothing(lead_store: LeadStore) -> None:
    ops = sample_ops()
    bad_branches = frame("branches", [("苏州分行", "3205", "王芳", 10), ("新支行", "3206", "周一", -1)])
    with pytest.raises(InvalidParameter, match=r"ops.branches row 2 column capacity"):
        lead_store.write_ops(OpsData(events=ops.events, branches=bad_branches))
    assert lead_store.read_ops().events.empty  # the good table of the same write was not kept
    clash = frame("tags", [(C1, "上市", None), (C1, "上市", "2020-01-01")])
    with pytest.raises(InvalidParameter, match="appears twice"):
        lead_store.write_ops(OpsData(tags=clash))
    missing = frame("events", [("e9", None, "对外投资", "2026-01-01", None, None, None, None, None, None)])
    with pytest.raises(InvalidParameter, match=r"ops\.events row 1 column company"):
        lead_store.write_ops(OpsData(events=missing))
    with pytest.raises(InvalidParameter, match="missing columns"):
        lead_store.write_ops(OpsData(tags=pd.DataFrame({"company": [C1]})))


def test_events_filters(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    every = lead_store.events()
    assert every.event_id.tolist() == ["e3", "e1", "e2", "e4"]  # newest first
    assert lead_store.events(since="2026-10-20").event_id.tolist() == ["e3", "e1"]
    assert lead_store.events(types=["注册资本增加"]).event_id.tolist() == ["e2"]
    assert lead_store.events(region="3205").event_id.tolist() == ["e1", "e2"]
    assert lead_store.events(grades=["C"]).event_id.tolist() == ["e4"]
    assert lead_store.events(companies=[C1]).region_code.tolist() == ["320571"]
    with pytest.raises(InvalidParameter, match="since"):
        lead_store.events(since="yesterday")
    with pytest.raises(InvalidParameter, match="region"):
        lead_store.events(region="苏州")


def test_schema_version_newer_is_refused(lead_location: str) -> None:
    with LeadStore.open(lead_location) as store, store.engine.begin() as conn:
        conn.execute(update(schema_info).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(LeadStoreError, match="newer than this guanxi reads"):
        LeadStore.open(lead_location)


def test_reopen_keeps_data(lead_location: str) -> None:
    with LeadStore.open(lead_location) as store:
        store.write_ops(sample_ops())
    with LeadStore.open(lead_location) as store:
        assert len(store.read_ops().events) == 4


def test_unknown_lead_and_bad_ids(lead_store: LeadStore) -> None:
    with pytest.raises(LeadNotFound, match="no lead has id 7"):
        lead_store.lead(7)
    with pytest.raises(InvalidParameter, match="lead id"):
        lead_store.lead(0)
    with pytest.raises(InvalidParameter, match="state"):
        lead_store.leads(state="won")


def test_subscriptions(lead_store: LeadStore) -> None:
    lead_store.subscribe("王芳", "clients")
    lead_store.subscribe("王芳", "segment", "集成电路/设计")
    lead_store.subscribe("王芳", "segment", "集成电路/设计")  # idempotent
    assert [(s.kind, s.value) for s in lead_store.subscriptions("王芳")] == [
        ("clients", ""),
        ("segment", "集成电路/设计"),
    ]
    assert lead_store.unsubscribe("王芳", "clients")
    assert not lead_store.unsubscribe("王芳", "clients")
    with pytest.raises(InvalidParameter, match="kind"):
        lead_store.subscribe("王芳", "weather")
    with pytest.raises(InvalidParameter, match="chain/segment"):
        lead_store.subscribe("王芳", "segment", "集成电路")


def test_unreachable_database_is_one_clear_error(tmp_path: object) -> None:
    with pytest.raises(GuanxiError, match="cannot"):
        LeadStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_region_code_unchecked() -> None:
    assert region_code(C1, check=False) == "320571"
    assert region_code("short", check=False) is None


def test_a_database_failure_mid_write_rolls_everything_back(
    lead_store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leads.store as module

    real = module._upsert

    def failing(conn: Any, table: Any, rows: Any) -> WriteCount:
        if table.name == "ops_branches":
            raise OperationalError("INSERT", {}, Exception("disk full"))
        return real(conn, table, rows)

    monkeypatch.setattr(module, "_upsert", failing)
    with pytest.raises(LeadStoreError, match=r"cannot write the operational data: .*disk full"):
        lead_store.write_ops(sample_ops())
    monkeypatch.setattr(module, "_upsert", real)
    back = lead_store.read_ops()
    assert back.events.empty and back.tags.empty  # written before the failure, rolled back with it


def test_optional_key_parts_round_trip(lead_store: LeadStore) -> None:
    branches = frame("branches", [("上海分行", "3101", None, None), ("上海分行", None, "黄经理", 33)])
    outcomes = frame("outcomes", [(C1, None, None, "won"), (C1, "保函", None, "lost")])
    first = lead_store.write_ops(OpsData(branches=branches, outcomes=outcomes))
    assert first["branches"] == WriteCount(added=2) and first["outcomes"] == WriteCount(added=2)
    back = lead_store.read_ops()
    assert sorted(back.branches.values.tolist(), key=str) == sorted(branches.values.tolist(), key=str)
    assert sorted(back.outcomes.values.tolist(), key=str) == sorted(outcomes.values.tolist(), key=str)
    again = lead_store.write_ops(OpsData(branches=branches, outcomes=outcomes))
    assert again["branches"] == WriteCount(unchanged=2) and again["outcomes"] == WriteCount(unchanged=2)
