"""The lead store's errors, under the project's one root (:class:`graph.errors.GuanxiError`).

A command line or a page catches ``GuanxiError`` and shows the message as one
line; each class here says which kind of failure it was, so a caller can
react (re-read a stale lead, pick an allowed state).
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import GuanxiError


class LeadError(GuanxiError):
    """Root of the lead store's errors."""


class LeadStoreError(LeadError):
    """The lead database cannot be opened, read or written (server down, newer schema, bad URL)."""


class LeadNotFound(LeadError, LookupError):
    """No lead has this id."""

    def __init__(self, lead_id: int) -> None:
        super().__init__(f"no lead has id {lead_id}")
        self.lead_id = lead_id


class InvalidMove(LeadError, ValueError):
    """A state change that the follow-up rules do not allow (e.g. 已落地 → 跟进中)."""

    def __init__(self, lead_id: int, state: str, wanted: str, allowed: Sequence[str]) -> None:
        options = "、".join(allowed) if allowed else "none: the lead is closed"
        super().__init__(f"lead {lead_id} is {state}: it cannot move to {wanted!r}; allowed moves: {options}")
        self.lead_id = lead_id
        self.state = state
        self.wanted = wanted
        self.allowed = tuple(allowed)


class StaleLead(LeadError):
    """Someone changed the lead after the caller read it (optimistic concurrency: versions differ)."""

    def __init__(self, lead_id: int, read_version: int, version: int, by: str | None, at: str | None) -> None:
        who = by or "someone"
        when = f" at {at}" if at else ""
        super().__init__(
            f"lead {lead_id} was changed by {who}{when} since you read it "
            f"(you read version {read_version}, it is now version {version}): reload it and try again"
        )
        self.lead_id = lead_id
        self.read_version = read_version
        self.version = version
        self.by = by
        self.at = at
