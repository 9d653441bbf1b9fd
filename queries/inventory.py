"""The client inventory (存量客户盘点): clients by industry-chain segment and tag; per branch, the gaps.

Every client company of the graph is classified by the chain segments it
belongs to (operational memberships) and by its tags (operational tags, the
graph's own tags, 上市 for a listed company). Per branch — the client's
``branch`` in the graph; the branches of the branches file are listed even
without clients — each key chain's segments are counted, and a segment of a
key chain with no client of that branch is a **gap**: where the branch
should look for prospects. A key chain is one named in ``chains`` (default:
every chain of the chains file).

>>> INVENTORY_COLUMNS[:4]
('company', 'name', 'branch', 'manager')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from graph.errors import InvalidParameter
from graph.model import Node
from graph.store import GraphStore
from loaders.ops_data import OpsData
from queries.common import list_prop

#: the columns of :attr:`Inventory.clients`
INVENTORY_COLUMNS: tuple[str, ...] = ("company", "name", "branch", "manager", "segments", "tags")
#: how a client without a branch is shown
NO_BRANCH = "(无机构)"


@dataclass(frozen=True)
class SegmentCell:
    """One segment of a key chain in one branch: how many clients it has there."""

    chain: str
    segment: str
    position: str | None
    clients: int


@dataclass(frozen=True)
class BranchInventory:
    """One branch: its clients, its segment counts for the key chains, and the empty segments (gaps)."""

    branch: str
    clients: int
    cells: tuple[SegmentCell, ...]

    @property
    def gaps(self) -> tuple[SegmentCell, ...]:
        return tuple(c for c in self.cells if c.clients == 0)

    @property
    def chains_held(self) -> tuple[str, ...]:
        """Key chains with at least one client of this branch."""
        return tuple(dict.fromkeys(c.chain for c in self.cells if c.clients > 0))

    @property
    def chains_empty(self) -> tuple[str, ...]:
        """Key chains without any client of this branch."""
        held = set(self.chains_held)
        return tuple(dict.fromkeys(c.chain for c in self.cells if c.chain not in held))

    def to_dict(self) -> dict[str, object]:
        return {
            "branch": self.branch,
            "clients": self.clients,
            "chains_held": list(self.chains_held),
            "chains_empty": list(self.chains_empty),
            "segments": [c.__dict__ for c in self.cells],
            "gaps": [f"{c.chain}/{c.segment}" for c in self.gaps],
        }


@dataclass(frozen=True)
class Inventory:
    """Every client classified, counts by segment and by tag, and each branch's view."""

    clients: pd.DataFrame
    by_segment: pd.DataFrame
    by_tag: pd.DataFrame
    branches: tuple[BranchInventory, ...]

    def branch(self, name: str) -> BranchInventory:
        for b in self.branches:
            if b.branch == name:
                return b
        raise InvalidParameter("branch", f"no branch {name!r}; branches: {', '.join(b.branch for b in self.branches)}")

    def gaps_frame(self) -> pd.DataFrame:
        """Every (branch, chain, segment) without a client, for a download."""
        rows = [
            {"branch": b.branch, "chain": c.chain, "segment": c.segment, "position": c.position}
            for b in self.branches
            for c in b.gaps
        ]
        return pd.DataFrame(rows, columns=["branch", "chain", "segment", "position"])

    def to_dict(self) -> dict[str, object]:
        return {
            "clients": len(self.clients),
            "by_segment": self.by_segment.to_dict(orient="records"),
            "by_tag": self.by_tag.to_dict(orient="records"),
            "branches": [b.to_dict() for b in self.branches],
        }


def _tags(n: Node, ops_tags: dict[str, set[str]]) -> list[str]:
    held = set(list_prop(n.props, "tags")) | ops_tags.get(n.key, set())
    if n.get("listed"):
        held.add("上市")
    return sorted(held)


def client_inventory(store: GraphStore, ops: OpsData, *, chains: Sequence[str] | None = None) -> Inventory:
    """Classify every client and find each branch's gaps in the key ``chains`` (default: all chains)."""
    if not isinstance(ops, OpsData):
        raise InvalidParameter("ops", f"expected OpsData, got {type(ops).__name__}")
    known = list(dict.fromkeys(str(c) for c in ops.chains["chain"]))
    if isinstance(chains, str):
        raise InvalidParameter("chains", "give a list of chain names")
    key_chains = known if chains is None else list(dict.fromkeys(chains))
    missing = [c for c in key_chains if c not in known]
    if missing:
        raise InvalidParameter("chains", f"not in the chains file: {', '.join(missing)}; known: {', '.join(known)}")
    clients = [n for n in store.iter_nodes("Company") if n.is_client]
    member = ops.memberships
    segs: dict[str, list[tuple[str, str]]] = {}
    for company, chain, seg in zip(member["company"], member["chain"], member["segment"], strict=True):
        segs.setdefault(str(company), []).append((str(chain), str(seg)))
    ops_tags: dict[str, set[str]] = {}
    for company, tag in zip(ops.tags["company"], ops.tags["tag"], strict=True):
        ops_tags.setdefault(str(company), set()).add(str(tag))
    rows = [
        {
            "company": n.key,
            "name": n.name,
            "branch": n.branch or NO_BRANCH,
            "manager": n.manager,
            "segments": tuple(f"{c}/{s}" for c, s in sorted(segs.get(n.key, []))),
            "tags": tuple(_tags(n, ops_tags)),
        }
        for n in sorted(clients, key=lambda n: n.key)
    ]
    frame = pd.DataFrame(rows, columns=list(INVENTORY_COLUMNS))
    positions = {
        (str(c), str(s)): (None if p is None else str(p))
        for c, s, p in zip(ops.chains["chain"], ops.chains["segment"], ops.chains["position"], strict=True)
    }
    cells = [(c, s) for (c, s) in positions if c in key_chains]
    counts: dict[tuple[str, str, str], int] = {}
    for branch, company in zip(frame["branch"], frame["company"], strict=True):
        for chain, seg in set(segs.get(company, [])):
            counts[(branch, chain, seg)] = counts.get((branch, chain, seg), 0) + 1
    names = sorted(set(frame["branch"]) | {str(b) for b in ops.branches["branch"] if isinstance(b, str)})
    per_branch = frame["branch"].value_counts()
    branches = tuple(
        BranchInventory(
            b,
            int(per_branch.get(b, 0)),
            tuple(SegmentCell(c, s, positions[(c, s)], counts.get((b, c, s), 0)) for c, s in cells),
        )
        for b in names
    )
    by_segment = pd.DataFrame(
        [
            {
                "chain": c,
                "segment": s,
                "position": positions[(c, s)],
                "clients": sum(counts.get((b, c, s), 0) for b in names),
            }
            for c, s in positions
        ],
        columns=["chain", "segment", "position", "clients"],
    )
    tag_counts = frame["tags"].explode().dropna().value_counts()
    by_tag = pd.DataFrame({"tag": tag_counts.index.astype(str), "clients": tag_counts.to_numpy(dtype=int)})
    return Inventory(frame, by_segment, by_tag, branches)
