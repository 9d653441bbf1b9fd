"""The words of the lead workflow: tiers, states and their moves, subscription kinds.

Plain constants, kept apart from :mod:`loaders.ops_data` (pandas) and
:mod:`leads.tables` (SQLAlchemy) so that the command line can build its
parser without importing either.
"""

from __future__ import annotations

#: lead tiers, best first (客户价值分层)
TIERS: tuple[str, ...] = ("优质", "良好", "一般")

#: lead states and the moves allowed between them (商机跟进)
STATES: tuple[str, ...] = ("待认领", "跟进中", "拟合作", "已落地", "已结束")
MOVES: dict[str, tuple[str, ...]] = {
    "待认领": ("跟进中", "已结束"),
    "跟进中": ("拟合作", "已结束"),
    "拟合作": ("已落地", "已结束"),
    "已落地": (),
    "已结束": (),
}

#: what a relationship manager can watch
SUBSCRIPTION_KINDS: tuple[str, ...] = ("clients", "leads", "segment", "park", "company")
