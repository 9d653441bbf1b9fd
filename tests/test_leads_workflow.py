"""Follow-up on SQLite and PostgreSQL: allowed moves, history, typed errors, and two users at once losing
nothing (optimistic concurrency, two connections in two threads)."""

from __future__ import annotations

import threading

import pytest

from graph.errors import InvalidParameter
from leads.distribute import distribute
from leads.errors import InvalidMove, LeadNotFound, StaleLead
from leads.store import Lead, LeadStore
from leads.workflow import add_note, allowed_moves, move
from loaders.ops_data import MOVES, STATES
from tests.leads_data import C1, candidate, sample_ops


def _one_lead(store: LeadStore) -> Lead:
    store.write_ops(sample_ops())
    distribute(store, [candidate(C1, 88, events=("e1",))])
    return store.leads()[0]


def test_the_whole_path_with_history(lead_store: LeadStore) -> None:
    lead = _one_lead(lead_store)
    lead = move(lead_store, lead.id, "跟进中", by="赵敏", note="已电话联系", version=lead.version)
    lead = move(lead_store, lead.id, "拟合作", by="赵敏", version=lead.version)
    lead = move(lead_store, lead.id, "已落地", by="赵敏", note="开户完成")
    assert (lead.state, lead.version, lead.updated_by, lead.is_open) == ("已落地", 4, "赵敏", False)
    steps = [(h.from_state, h.to_state, h.by, h.note, h.version) for h in lead_store.history(lead.id)]
    assert steps[1:] == [
        ("待认领", "跟进中", "赵敏", "已电话联系", 2),
        ("跟进中", "拟合作", "赵敏", None, 3),
        ("拟合作", "已落地", "赵敏", "开户完成", 4),
    ]
    assert lead_store.open_counts() == {}


def test_invalid_move_names_lead_state_and_allowed(lead_store: LeadStore) -> None:
    lead = _one_lead(lead_store)
    with pytest.raises(
        InvalidMove, match=rf"lead {lead.id} is 待认领: it cannot move to '已落地'; allowed moves: 跟进中、已结束"
    ):
        move(lead_store, lead.id, "已落地", by="赵敏")
    done = move(lead_store, lead.id, "已结束", by="赵敏")
    with pytest.raises(InvalidMove, match="none: the lead is closed"):
        move(lead_store, done.id, "跟进中", by="赵敏")
    with pytest.raises(InvalidParameter, match="state"):
        move(lead_store, lead.id, "won", by="赵敏")
    with pytest.raises(InvalidParameter, match="by"):
        move(lead_store, lead.id, "跟进中", by=" ")
    with pytest.raises(LeadNotFound):
        move(lead_store, 999, "跟进中", by="赵敏")
    assert [h.to_state for h in lead_store.history(lead.id)] == ["待认领", "已结束"]


def test_stale_version_says_who_and_when(lead_store: LeadStore) -> None:
    lead = _one_lead(lead_store)
    move(lead_store, lead.id, "跟进中", by="赵敏", version=1)
    with pytest.raises(StaleLead, match=rf"lead {lead.id} was changed by 赵敏 at .* since you read it"):
        move(lead_store, lead.id, "已结束", by="钱进", version=1)
    with pytest.raises(StaleLead):
        add_note(lead_store, lead.id, by="钱进", note="补充", version=1)
    noted = add_note(lead_store, lead.id, by="钱进", note="补充", version=2)
    assert (noted.state, noted.version) == ("跟进中", 3)


def test_two_users_at_once_lose_nothing(lead_location: str) -> None:
    with LeadStore.open(lead_location) as setup:
        lead = _one_lead(setup)
    stores = [LeadStore.open(lead_location), LeadStore.open(lead_location)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def user(name: str, store: LeadStore, state: str) -> None:
        read = store.lead(lead.id)
        barrier.wait()
        try:
            outcomes[name] = move(store, lead.id, state, by=name, note=f"{name} 的操作", version=read.version)
        except StaleLead as exc:
            outcomes[name] = exc

    try:
        threads = [
            threading.Thread(target=user, args=("赵敏", stores[0], "跟进中")),
            threading.Thread(target=user, args=("钱进", stores[1], "已结束")),
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        won = [n for n, o in outcomes.items() if isinstance(o, Lead)]
        lost = [n for n, o in outcomes.items() if isinstance(o, StaleLead)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        final = stores[0].lead(lead.id)
        assert final.version == 2 and final.updated_by == won[0]
        history = stores[1].history(lead.id)
        assert [h.by for h in history[1:]] == won  # exactly the winner's change, nothing half-written
        # the loser re-reads and adds their word: nothing is lost
        add_note(stores[1], lead.id, by=lost[0], note="我也联系过", version=final.version)
        assert [h.by for h in stores[0].history(lead.id)[1:]] == [won[0], lost[0]]
    finally:
        for s in stores:
            s.close()


def test_moves_table_is_the_contract() -> None:
    assert all(allowed_moves(s) == MOVES[s] for s in STATES)
    with pytest.raises(InvalidParameter):
        allowed_moves("x")
