"""Distribution on SQLite and PostgreSQL: client → its RM, prospect → the covering branch (most specific prefix)
→ an RM by rule, the unassigned queue with reasons, joint visits, and no duplicates on a re-run."""

from __future__ import annotations

import pandas as pd
import pytest

from graph.errors import InvalidParameter
from leads.distribute import DEFAULT_CAPACITY, check_candidates, cover, distribute, plan
from leads.store import LeadStore
from loaders.ops_data import LeadCandidate
from tests.leads_data import C1, C2, C3, C4, candidate, company, sample_ops


@pytest.fixture
def branches() -> pd.DataFrame:
    return sample_ops().branches


def test_client_goes_to_its_manager(branches: pd.DataFrame) -> None:
    [a] = plan([candidate(C4, client_manager="孙丽", client_branch="南京分行")], branches)
    assert (a.branch, a.manager, a.rule) == ("南京分行", "孙丽", "client")


def test_most_specific_region_wins_and_unassigned_has_a_reason(branches: pd.DataFrame) -> None:
    got = plan([candidate(C1), candidate(C2), candidate(C3), candidate(C4), candidate("LEI:XYZ")], branches)
    assert [a.branch for a in got] == ["工业园区支行", "苏州分行", "南京分行", None, None]
    assert got[3].manager is None and "no branch covers region 440300" in got[3].reason
    assert "no region code" in got[4].reason
    assert got[2].manager == "孙丽"  # capacity unstated counts as the default
    assert str(DEFAULT_CAPACITY) in got[2].reason


def test_capacity_rule_balances_relative_to_capacity(branches: pd.DataFrame) -> None:
    many = [candidate(company("320505", i), 90 - i) for i in range(15)]
    got = plan(many, branches, rule="capacity")
    counts = pd.Series([a.manager for a in got]).value_counts().to_dict()
    assert counts == {"王芳": 10, "李强": 5}  # capacity 10 and 5
    with_open = plan(many[:3], branches, rule="capacity", open_counts={"王芳": 20})
    assert [a.manager for a in with_open] == ["李强", "李强", "李强"]


def test_round_robin_is_stable_and_continues(branches: pd.DataFrame) -> None:
    many = [candidate(company("320571", i)) for i in range(5)]
    assert [a.manager for a in plan(many, branches, rule="round_robin")] == ["赵敏", "钱进", "赵敏", "钱进", "赵敏"]
    assert [a.manager for a in plan(many[:2], branches, rule="round_robin", turns={"工业园区支行": 1})] == [
        "钱进",
        "赵敏",
    ]


def test_introducer_rule_and_joint_visit(branches: pd.DataFrame) -> None:
    inside = candidate(C1, introducer="园区客户甲", introducer_manager="钱进", introducer_branch="工业园区支行")
    outside = candidate(
        company("320571", 9), introducer="南京客户乙", introducer_manager="孙丽", introducer_branch="南京分行"
    )
    a, b = plan([inside, outside], branches, rule="introducer")
    assert (a.manager, a.rule, a.joint_manager) == ("钱进", "introducer", None)
    assert b.branch == "工业园区支行" and b.rule == "capacity" and b.joint_manager == "孙丽"
    assert "joint visit with 孙丽" in b.reason


def test_empty_cells_of_the_branch_table(branches: pd.DataFrame) -> None:
    ragged = pd.concat(
        [
            branches,
            pd.DataFrame(
                {
                    "branch": ["无人支行", float("nan"), "深圳分行"],
                    "region_code": ["3206", "3207", "4403"],
                    "manager": [None, "某人", float("nan")],
                    "capacity": [float("nan"), 3.0, None],
                }
            ),
        ],
        ignore_index=True,
    )
    got = plan([candidate(company("320601", 1)), candidate(company("320701", 2)), candidate(C4)], ragged)
    assert [(a.branch, a.manager) for a in got] == [("无人支行", None), (None, None), ("深圳分行", None)]
    assert "the branch has no RM" in got[0].reason and "no branch covers region 320701" in got[1].reason


def test_overlapping_prefixes_more_specific_wins() -> None:
    table = pd.DataFrame({"branch": ["分行", "支行", "分行"], "region_code": ["32", "3205", "320571"]})
    assert cover("320505", table) == ("支行", "region 320505 → 支行 (covers 3205)")
    assert cover("320571", table) == ("分行", "region 320571 → 分行 (covers 320571)")
    assert cover("320101", table) == ("分行", "region 320101 → 分行 (covers 32)")


def test_branch_rows_with_only_a_region_or_only_a_manager() -> None:
    split = pd.DataFrame(
        {
            "branch": ["苏州分行", "苏州分行", "苏州分行"],
            "region_code": ["3205", None, None],
            "manager": [None, "王芳", "李强"],
            "capacity": [None, 10, 10],
        }
    )
    assert [a.manager for a in plan([candidate(C2), candidate(company("320506", 7))], split)] == ["李强", "王芳"]


def test_bad_input() -> None:
    with pytest.raises(InvalidParameter, match="rule"):
        plan([], pd.DataFrame(columns=["branch", "region_code", "manager", "capacity"]), rule="random")
    bad = LeadCandidate(company=C1, name="x", region_code="320571", is_client=False, score=1.0, tier="A")
    with pytest.raises(InvalidParameter, match=r"candidates\[1\] \(91320571MA00000001\)': tier 'A'"):
        check_candidates([bad])


def test_distribute_stores_leads_with_history(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    cands = [
        candidate(C1, 88, events=("e1",)),
        candidate(C2, 75, events=("e2",), client_manager="李强", client_branch="苏州分行"),
        candidate(C4, 60, events=("e4",)),
    ]
    result = distribute(lead_store, cands, by="张经理")
    assert (result.created, result.unassigned) == (3, 1)
    assert result.by_manager == {"李强": 1, "赵敏": 1}
    stored = lead_store.leads()
    assert [ld.company for ld in stored] == [C1, C2, C4]
    first = stored[0]
    assert (first.state, first.version, first.tier, first.event_ids) == ("待认领", 1, "优质", ("e1",))
    assert first.products == ("开户", "存款") and first.breakdown[0] == ("tags", 20.0)
    [created] = lead_store.history(first.id)
    assert (created.from_state, created.to_state, created.by) == (None, "待认领", "张经理")
    assert lead_store.open_counts() == {"李强": 1, "赵敏": 1}
    queue = [ld for ld in stored if ld.manager is None]
    assert len(queue) == 1 and "no branch covers" in queue[0].reason


def test_redistribution_does_not_duplicate(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    cands = [candidate(C1, 88, events=("e1",)), candidate(C3, 70, events=("e3",))]
    distribute(lead_store, cands)
    again = distribute(lead_store, [*cands, candidate(C1, 50, events=("e1",))])
    assert (again.created, again.skipped_open, again.duplicates) == (0, 2, 1)
    # close C3's lead: the same news does not bring it back, a new event does
    from leads.workflow import move

    lead = lead_store.leads(company=C3)[0]
    move(lead_store, lead.id, "已结束", by="孙丽", note="无需求")
    assert distribute(lead_store, [candidate(C3, 70, events=("e3",))]).skipped_seen == 1
    assert distribute(lead_store, [candidate(C3, 70, events=("e3", "e9"))]).created == 1
    assert len(lead_store.leads(company=C3)) == 2


def test_round_robin_continues_across_runs(lead_store: LeadStore) -> None:
    lead_store.write_ops(sample_ops())
    distribute(lead_store, [candidate(company("320571", 1))], rule="round_robin")
    distribute(lead_store, [candidate(company("320571", 2))], rule="round_robin")
    assert [ld.manager for ld in lead_store.leads()] == ["赵敏", "钱进"]


def test_two_distributions_at_once_make_each_lead_once(lead_location: str) -> None:
    import threading

    from leads.distribute import DistributionResult
    from leads.errors import LeadStoreError

    with LeadStore.open(lead_location) as setup:
        setup.write_ops(sample_ops())
    cands = [candidate(company("320505", i), 50 + i) for i in range(40)]
    stores = [LeadStore.open(lead_location), LeadStore.open(lead_location)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run(store: LeadStore) -> None:
        barrier.wait()
        try:
            outcomes.append(distribute(store, cands))
        except LeadStoreError as exc:  # the database's one-open-lead rule stopped a duplicate
            outcomes.append(exc)

    try:
        threads = [threading.Thread(target=run, args=(s,)) for s in stores]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        made = sum(o.created for o in outcomes if isinstance(o, DistributionResult))
        assert made == len(cands) and len(outcomes) == 2
        assert sorted(ld.company for ld in stores[0].leads()) == sorted(c.company for c in cands)
    finally:
        for s in stores:
            s.close()
