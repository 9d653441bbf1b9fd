"""Query results cached with ``st.cache_data``, keyed by the store's cache key.

The store itself is not hashable (and must not be hashed): every function
takes it as ``_store`` (left out of the cache key) and the store's
:attr:`ui.context.Context.key` as ``key``. After a load changes the graph the
data page calls :func:`clear`, so no page shows results of the old graph.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath

import streamlit as st

from graph.errors import NodeNotFound
from graph.model import Edge, GraphStats, Node
from graph.store import GraphStore
from queries.associations import AssociationLead
from queries.associations import association_leads as find_association_leads
from queries.common import list_prop
from queries.connections import connections
from queries.directory import Directory, client_directory
from queries.guarantees import (
    Circle,
    Exposure,
    GuaranteeChains,
    circles_of,
    exposure,
    guarantee_chains,
    guarantee_circles,
)
from queries.introductions import introductions
from queries.matching import MatchReport, match_list, read_list
from queries.ownership import (
    ControlGroup,
    FormerHolder,
    RelatedParties,
    UltimateOwners,
    actual_controller,
    former_holders,
    related_parties,
    same_controller_group,
    ultimate_owners,
)
from queries.parks import ParkCompanies, ParkLead, ParkSummary, find_parks, park_companies, park_leads
from queries.paths import PathAnswer
from queries.supply_chain import (
    CoreEnterprises,
    CoreService,
    Lead,
    SegmentLeads,
    SupplyChain,
    core_enterprises,
    core_enterprises_served,
    supply_chain,
    supply_chain_leads,
)
from queries.supply_chain import segment_leads as find_segment_leads
from ui.render import CLOSED_STATUSES

#: how many companies :func:`showcase` looks at (the first ones, in the store's stable order)
SHOWCASE_SCAN = 20_000
#: how many of the best-connected prospects it asks for introductions
SHOWCASE_TRIES = 25
#: and how many of the first prospects in the store's order
SHOWCASE_FIRST = 10
#: a prospect with more relationships than this is a hub, not a good example
SHOWCASE_MAX_DEGREE = 60
#: at most this many companies of a control group are listed
GROUP_LIMIT = 2000
#: at most this many guarantee chains are listed
CHAIN_LIMIT = 200


def clear() -> None:
    """Forget every cached result (after the graph changed)."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=512)
def find(_store: GraphStore, key: str, text: str, labels: tuple[str, ...], limit: int = 20) -> list[Node]:
    """Suggestions for what a user typed (``store.find_nodes``)."""
    return _store.find_nodes(text, labels=list(labels) or None, limit=limit)


@st.cache_data(show_spinner=False, max_entries=1024)
def node(_store: GraphStore, key: str, node_id: str) -> Node | None:
    """One node by id, or None when it is not in the graph."""
    return _store.get_nodes([node_id]).get(node_id)


@st.cache_data(show_spinner=False, max_entries=256)
def intro_answer(
    _store: GraphStore,
    key: str,
    prospect: str,
    *,
    kinds: tuple[str, ...],
    max_hops: int,
    min_warmth: float,
    k: int,
    manager: str | None,
    branch: str | None,
    include_closed: bool,
    include_blacklisted: bool,
    include_state_holders: bool = False,
) -> PathAnswer:
    """Who can introduce us to the company with id ``prospect``."""
    target = _store.get_nodes([prospect])[prospect]
    return introductions(
        _store,
        target,
        k=k,
        max_hops=max_hops,
        kinds=kinds,
        min_warmth=min_warmth,
        manager=manager,
        branch=branch,
        include_closed=include_closed,
        include_blacklisted=include_blacklisted,
        include_state_holders=include_state_holders,
    )


@st.cache_data(show_spinner=False, max_entries=256)
def connect_answer(
    _store: GraphStore,
    key: str,
    a: str,
    b: str,
    *,
    kinds: tuple[str, ...],
    max_hops: int,
    min_warmth: float,
    k: int,
    include_closed: bool,
    include_blacklisted: bool,
) -> PathAnswer:
    """The warmest paths between the entities with ids ``a`` and ``b``."""
    found = _store.get_nodes([a, b])
    return connections(
        _store,
        found[a],
        found[b],
        k=k,
        max_hops=max_hops,
        kinds=kinds,
        min_warmth=min_warmth,
        include_closed=include_closed,
        include_blacklisted=include_blacklisted,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def stats(_store: GraphStore, key: str) -> GraphStats:
    """Node and relationship counts."""
    return _store.stats()


@st.cache_data(show_spinner=False, max_entries=16)
def directory(_store: GraphStore, key: str) -> Directory:
    """Every manager and branch named on a client (empty and incomplete when the store cannot list nodes)."""
    return client_directory(_store)


@dataclass(frozen=True)
class Showcase:
    """The example the app opens with: a prospect with several warm paths, and two ends to connect."""

    prospect: str | None = None
    connect_a: str | None = None
    connect_b: str | None = None


@st.cache_data(show_spinner=False, max_entries=16)
def showcase(_store: GraphStore, key: str) -> Showcase:
    """A prospect (not a client, active, not black-listed) with several warm introduction paths.

    Tries the first prospects in the store's order (the demo generator puts
    its planted examples first) and the best-connected ones (hubs left out),
    asks each for its introductions and keeps the one with several distinct
    introducers (up to three count), then the most kinds of relationship (a
    varied example rather than a state asset commission's many stakes), then
    the warmest; deterministic for a given graph.
    """
    try:
        companies = list(itertools.islice(_store.iter_nodes("Company"), SHOWCASE_SCAN))
    except NotImplementedError:
        return Showcase()
    candidates = [
        n
        for n in companies
        if not n.is_client and n.props.get("status", "active") not in CLOSED_STATUSES and not n.props.get("blacklisted")
    ]
    if not candidates:
        return Showcase()
    degree = _store.degrees([n.id for n in candidates])
    usable = [n for n in candidates if 2 <= degree.get(n.id, 0) <= SHOWCASE_MAX_DEGREE]
    by_degree = sorted(usable, key=lambda n: (-degree.get(n.id, 0), n.id))
    ranked = list({n.id: n for n in [*usable[:SHOWCASE_FIRST], *by_degree[:SHOWCASE_TRIES]]}.values())
    best: tuple[tuple[int, int, float], Node, PathAnswer] | None = None
    for n in ranked:
        answer = introductions(_store, n, k=5)
        introducers = len({p.introducer.id for p in answer.paths})
        kinds = len({e.type for p in answer.paths for e in p.path.edges})
        score = (min(introducers, 3), kinds, round(sum(p.warmth for p in answer.paths[:3]), 6))
        if best is None or score > best[0]:
            best = (score, n, answer)
    if best is None or not best[2].paths:
        return Showcase()
    _, prospect, answer = best
    ends = list(dict.fromkeys(p.introducer.id for p in answer.paths))
    a = ends[0]
    b = ends[1] if len(ends) > 1 else prospect.id
    return Showcase(prospect=prospect.id, connect_a=a, connect_b=b)


@dataclass(frozen=True)
class Capped:
    """A node whose relationships were cut to the strongest ``shown`` of ``total``."""

    node: str
    total: int
    shown: int


@dataclass(frozen=True)
class Neighbourhood:
    """What the explorer draws: nodes, the relationships among them, and what was cut."""

    nodes: dict[str, Node]
    edges: list[Edge]
    capped: list[Capped]


@st.cache_data(show_spinner=False, max_entries=128)
def neighbourhood(
    _store: GraphStore, key: str, expanded: tuple[str, ...], types: tuple[str, ...], per_node: int
) -> Neighbourhood:
    """The expanded nodes, each with its ``per_node`` strongest relationships of ``types`` and their other ends."""
    return build_neighbourhood(_store, expanded, types, per_node)


def build_neighbourhood(
    store: GraphStore, expanded: Sequence[str], types: Sequence[str], per_node: int
) -> Neighbourhood:
    """Uncached :func:`neighbourhood`."""
    if not expanded or not types:
        return Neighbourhood(store.get_nodes(list(expanded)), [], [])
    incident = store.edges_of(list(expanded), list(types))
    wanted = set(expanded)
    by_node: dict[str, list[Edge]] = {nid: [] for nid in expanded}
    for e in incident:
        for end in {e.source, e.target} & wanted:
            by_node[end].append(e)
    chosen: dict[tuple[str, str, str, str], Edge] = {}
    capped: list[Capped] = []
    for nid in expanded:
        mine = sorted(by_node[nid], key=lambda e: (-e.strength, e.type, e.source, e.target))
        if len(mine) > per_node:
            capped.append(Capped(nid, len(mine), per_node))
        for e in mine[:per_node]:
            chosen[(e.type, e.source, e.target, str(e.props.get("_key", "")))] = e
    ids = list(dict.fromkeys([*expanded, *(end for e in chosen.values() for end in (e.source, e.target))]))
    nodes = store.get_nodes(ids)
    edges = [e for e in chosen.values() if e.source in nodes and e.target in nodes]
    return Neighbourhood({nid: nodes[nid] for nid in ids if nid in nodes}, edges, capped)


# -- batch reach -----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def match_upload(_store: GraphStore, key: str, name: str, data: bytes) -> MatchReport:
    """A prospect list (CSV or Excel bytes, ``name`` says which) read and matched to the graph's companies.

    LoadError when the file cannot be read, InvalidParameter when it has no
    name or USCC column.
    """
    suffix = FilePath(name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory(prefix="guanxi-list-") as tmp:
        path = FilePath(tmp) / f"list{suffix}"
        path.write_bytes(data)
        frame = read_list(path)
    return match_list(_store, frame)


# -- supply chain ----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=128)
def supply(_store: GraphStore, key: str, company: str, tiers: int) -> SupplyChain:
    """Suppliers and customers of the company with id ``company``, ``tiers`` deep (every partner kept)."""
    return supply_chain(_store, _one(_store, company), tiers=tiers, limit=None)


@st.cache_data(show_spinner=False, max_entries=16)
def core_census(_store: GraphStore, key: str) -> CoreEnterprises:
    """The graph's core enterprises (a graph-wide census of supply relationships)."""
    return core_enterprises(_store)


@st.cache_data(show_spinner=False, max_entries=128)
def supply_leads(_store: GraphStore, key: str, company: str, tiers: int) -> tuple[Lead, ...]:
    """Supply-chain-finance leads anchored on the company with id ``company``."""
    return supply_chain_leads(_store, anchor=_one(_store, company), tiers=tiers, limit=None)


@st.cache_data(show_spinner=False, max_entries=128)
def segment_leads(_store: GraphStore, key: str, company: str) -> SegmentLeads:
    """Non-clients in the industry-chain segments next to the company's, the first ten with an introduction."""
    return find_segment_leads(_store, _one(_store, company))


@st.cache_data(show_spinner=False, max_entries=128)
def served(_store: GraphStore, key: str, company: str, tiers: int) -> CoreService:
    """Which core enterprises the company with id ``company`` sells to, up to ``tiers`` downstream."""
    return core_enterprises_served(_store, _one(_store, company), tiers=tiers, core=core_census(_store, key))


# -- related parties and guarantees ----------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=128)
def owners(_store: GraphStore, key: str, company: str, threshold: float) -> UltimateOwners:
    """The ultimate beneficial owners of the company with id ``company`` at ``threshold``."""
    return ultimate_owners(_store, _one(_store, company), threshold=threshold)


@st.cache_data(show_spinner=False, max_entries=128)
def former(_store: GraphStore, key: str, company: str) -> tuple[FormerHolder, ...]:
    """The shareholders and partners of the company with id ``company`` that have exited."""
    return former_holders(_store, _one(_store, company))


@st.cache_data(show_spinner=False, max_entries=128)
def group(_store: GraphStore, key: str, company: str) -> ControlGroup:
    """The company's actual controller (``.controller``) and the companies under the same controller."""
    return same_controller_group(_store, _one(_store, company), limit=GROUP_LIMIT)


@st.cache_data(show_spinner=False, max_entries=128)
def related(_store: GraphStore, key: str, company: str, threshold: float) -> RelatedParties:
    """The related parties of the company with id ``company`` (beneficial owners at ``threshold``)."""
    return related_parties(_store, _one(_store, company), ubo_threshold=threshold)


@st.cache_data(show_spinner=False, max_entries=128)
def circles(_store: GraphStore, key: str, company: str) -> tuple[Circle, ...]:
    """The guarantee circle of the company and those of its guarantee counterparties."""
    return circles_of(_store, _one(_store, company), neighbours=True)


@st.cache_data(show_spinner=False, max_entries=128)
def chains(_store: GraphStore, key: str, company: str, max_hops: int) -> GuaranteeChains:
    """The guarantee chains from the company, up its guarantors and down to its borrowers."""
    return guarantee_chains(_store, _one(_store, company), max_hops=max_hops, limit=CHAIN_LIMIT)


@st.cache_data(show_spinner=False, max_entries=128)
def exposed(_store: GraphStore, key: str, company: str, hops: int, kinds: tuple[str, ...]) -> Exposure:
    """Black-listed and closed entities within ``hops`` of the company along ``kinds``."""
    return exposure(_store, _one(_store, company), hops=hops, kinds=list(kinds))


# -- parks -----------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=128)
def parks(_store: GraphStore, key: str, keyword: str, industry: str, region: str) -> tuple[ParkSummary, ...]:
    """Parks by name, industry and region (each may be empty), largest first."""
    return find_parks(_store, keyword or None, industry=industry or None, region=region or None, limit=None)


@st.cache_data(show_spinner=False, max_entries=16)
def park_industries(_store: GraphStore, key: str) -> list[str]:
    """Every industry a park names, most common first."""
    counts: Counter[str] = Counter()
    for s in find_parks(_store, limit=None):
        counts.update(list_prop(s.park.props, "industries"))
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@st.cache_data(show_spinner=False, max_entries=128)
def members(_store: GraphStore, key: str, park: str) -> ParkCompanies:
    """The companies of the park with id ``park``, clients first."""
    return park_companies(_store, _one(_store, park, ("Park",)))


@st.cache_data(show_spinner=False, max_entries=128)
def leads_in_park(_store: GraphStore, key: str, park: str | None, include_closed: bool) -> tuple[ParkLead, ...]:
    """Park referral leads in the park with id ``park``, or in every park when None."""
    where = None if park is None else _one(_store, park, ("Park",))
    return park_leads(_store, where, include_closed=include_closed, limit=None)


@st.cache_data(show_spinner=False, max_entries=32)
def association_leads(_store: GraphStore, key: str, include_closed: bool) -> tuple[AssociationLead, ...]:
    """Association referral leads (商会, 行业协会) in every association."""
    return find_association_leads(_store, include_closed=include_closed, limit=None)


def _one(store: GraphStore, node_id: str, labels: tuple[str, ...] = ("Company",)) -> Node:
    """The node with this id (NodeNotFound when it is not in the graph)."""
    found = store.get_nodes([node_id]).get(node_id)
    if found is None or found.label not in labels:
        raise NodeNotFound(node_id)
    return found


# -- examples the analyst pages open with ---------------------------------------------------------------
#: how many members of guarantee circles :func:`related_example` looks at
RELATED_TRIES = 60
#: the exposure depth the related-parties page opens with
EXAMPLE_EXPOSURE_HOPS = 3


@st.cache_data(show_spinner=False, max_entries=16)
def supply_example(_store: GraphStore, key: str) -> str | None:
    """A core enterprise (a client one when there is one) with the most direct suppliers and customers."""
    try:
        census = core_census(_store, key)
    except NotImplementedError:
        return None
    nodes = _store.get_nodes(list(census.ids))
    pool = [n for n in nodes.values() if n.is_client] or list(nodes.values())
    if not pool:
        return None

    def partners(n: Node) -> int:
        chain = supply(_store, key, n.id, 1)
        return len(chain.suppliers) + len(chain.customers)

    return max(pool, key=lambda n: (partners(n), n.id)).id


@st.cache_data(show_spinner=False, max_entries=16)
def related_example(_store: GraphStore, key: str) -> str | None:
    """A company in a guarantee circle with beneficial owners behind a chain of holdings, an actual
    controller, flagged entities within three hops and many related parties: every part of the page
    has something to show (the first such member in the store's order on a tie)."""
    try:
        members = [m for c in guarantee_circles(_store) for m in c.members]
    except NotImplementedError:
        members = []
    if not members:
        try:
            members = list(itertools.islice(_store.iter_nodes("Company"), RELATED_TRIES))
        except NotImplementedError:
            return None
    best: tuple[tuple[int, ...], str] | None = None
    for m in list({m.id: m for m in members}.values())[:RELATED_TRIES]:
        if m.props.get("status", "active") in CLOSED_STATUSES or m.props.get("blacklisted"):
            continue
        ubo = ultimate_owners(_store, m)
        hops = min(3, max((len(c.ratios) for o in ubo.owners for c in o.chains), default=0))
        ctrl = actual_controller(_store, m)
        near = exposure(_store, m, hops=EXAMPLE_EXPOSURE_HOPS)
        parties = related_parties(_store, m)
        score = (
            int(hops >= 2),
            int(ctrl.controller is not None),
            int(bool(near.hits)),
            hops,
            min(len(parties.parties), 12),
        )
        if best is None or score > best[0]:
            best = (score, m.id)
    return None if best is None else best[1]
