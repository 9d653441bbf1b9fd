"""The pages in navigation order: a stable key, a title key in :mod:`ui.i18n`, an icon, the page function.

A new page (supply chain, related parties, batch reach ...) is one module
with a ``render(ctx)`` function and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ui import (
    page_batch,
    page_board,
    page_connect,
    page_data,
    page_events,
    page_explore,
    page_intro,
    page_leads,
    page_parks,
    page_related,
    page_supply,
)
from ui.context import Context


@dataclass(frozen=True)
class Page:
    """One entry of the sidebar navigation."""

    key: str
    title: str  # key in ui.i18n.STRINGS
    icon: str
    render: Callable[[Context], None]


PAGES: tuple[Page, ...] = (
    Page("intro", "nav.intro", ":material/handshake:", page_intro.render),
    Page("connect", "nav.connect", ":material/link:", page_connect.render),
    Page("explore", "nav.explore", ":material/hub:", page_explore.render),
    Page("batch", "nav.batch", ":material/checklist:", page_batch.render),
    Page("supply", "nav.supply", ":material/account_tree:", page_supply.render),
    Page("related", "nav.related", ":material/policy:", page_related.render),
    Page("parks", "nav.parks", ":material/apartment:", page_parks.render),
    Page("events", "nav.events", ":material/campaign:", page_events.render),
    Page("leads", "nav.leads", ":material/assignment_ind:", page_leads.render),
    Page("board", "nav.board", ":material/monitoring:", page_board.render),
    Page("data", "nav.data", ":material/database:", page_data.render),
)
BY_KEY: dict[str, Page] = {p.key: p for p in PAGES}
