"""Follow-up: moving a lead through 待认领 → 跟进中 → 拟合作 → 已落地 / 已结束, with history.

Every change carries the version the caller read. The update is
``UPDATE leads SET ..., version = version + 1 WHERE id = ? AND version = ?``:
when someone else changed the lead in between, no row matches and the caller
gets :class:`~leads.errors.StaleLead` ("changed by X at T since you read
it") instead of overwriting their change. The history row is written in the
same transaction, so a change and its record are never apart. Two users
moving the same lead at once: one wins, the other is told and re-reads;
nothing is lost.

A call without a version uses the version it reads itself (the check then
only guards the instant between its read and its write).
"""

from __future__ import annotations

from sqlalchemy import and_, select

from graph.errors import InvalidParameter
from leads.errors import InvalidMove, LeadNotFound, StaleLead
from leads.store import HistoryEntry, Lead, LeadStore, now_text
from leads.tables import lead_history, leads
from loaders.ops_data import MOVES, STATES

#: longest note kept (a note is free text from a user)
MAX_NOTE = 2000


def allowed_moves(state: str) -> tuple[str, ...]:
    """The states a lead in ``state`` may move to.

    >>> allowed_moves("待认领")
    ('跟进中', '已结束')
    >>> allowed_moves("已落地")
    ()
    """
    if state not in MOVES:
        raise InvalidParameter("state", f"{state!r} is not one of {'、'.join(STATES)}")
    return MOVES[state]


def _clean(by: object, note: object, version: object) -> tuple[str, str | None]:
    if not isinstance(by, str) or not by.strip():
        raise InvalidParameter("by", "say who makes the change (a non-empty name)")
    if note is not None and not isinstance(note, str):
        raise InvalidParameter("note", "must be text")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        raise InvalidParameter("version", f"must be a positive whole number, got {version!r}")
    text = None if note is None or not note.strip() else note.strip()
    if text is not None and len(text) > MAX_NOTE:
        raise InvalidParameter("note", f"is {len(text)} characters long; at most {MAX_NOTE}")
    return by.strip(), text


def move(
    store: LeadStore,
    lead_id: int,
    to_state: str,
    *,
    by: str,
    note: str | None = None,
    version: int | None = None,
) -> Lead:
    """Move a lead to ``to_state`` as ``by``; InvalidMove when the rules forbid it, StaleLead when it changed
    since ``version`` was read. Returns the lead as it is now."""
    who, text = _clean(by, note, version)
    if to_state not in STATES:
        raise InvalidParameter("state", f"{to_state!r} is not one of {'、'.join(STATES)}")
    return _change(store, lead_id, to_state, who, text, version)


def add_note(store: LeadStore, lead_id: int, *, by: str, note: str, version: int | None = None) -> Lead:
    """Record a note on a lead without moving it (the version still advances: the lead changed)."""
    who, text = _clean(by, note, version)
    if text is None:
        raise InvalidParameter("note", "is empty")
    return _change(store, lead_id, None, who, text, version)


def _change(
    store: LeadStore, lead_id: int, to_state: str | None, by: str, note: str | None, version: int | None
) -> Lead:
    current = store.lead(lead_id)
    read = current.version if version is None else version
    if read != current.version:
        raise StaleLead(lead_id, read, current.version, current.updated_by, current.updated_at)
    if to_state is not None and to_state not in MOVES[current.state]:
        raise InvalidMove(lead_id, current.state, to_state, MOVES[current.state])
    target = current.state if to_state is None else to_state
    at = now_text()
    with store.transaction("change a lead") as conn:
        result = conn.execute(
            leads.update()
            .where(and_(leads.c.id == lead_id, leads.c.version == read))
            .values(state=target, version=read + 1, updated_at=at, updated_by=by)
        )
        if result.rowcount != 1:
            row = conn.execute(
                select(leads.c.version, leads.c.updated_by, leads.c.updated_at).where(leads.c.id == lead_id)
            ).first()
            if row is None:
                raise LeadNotFound(lead_id)
            raise StaleLead(lead_id, read, int(row[0]), row[1], row[2])
        conn.execute(
            lead_history.insert().values(
                lead_id=lead_id, from_state=current.state, to_state=target, version=read + 1, by=by, at=at, note=note
            )
        )
    return store.lead(lead_id)


def history(store: LeadStore, lead_id: int) -> list[HistoryEntry]:
    """Every change of a lead, oldest first (its creation included)."""
    return store.history(lead_id)
