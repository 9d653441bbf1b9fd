"""Who owns and who controls a company: effective ownership, beneficial owners, actual controller, related parties.

Effective ownership
    The stake an owner holds in a company through every chain of
    ``HOLDS_SHARES`` relationships, each chain's ratios multiplied and all
    chains summed. Cross-holdings and cycles are handled exactly: over the
    company's upstream equity graph the stakes solve ``x = A x + b`` (``A``
    the ratios among owners, ``b`` their direct stakes in the company),
    which is the sum over every chain, loops included, of a convergent
    series. Each strongly connected group of owners is solved on its own,
    after the groups it holds shares in. Chains end at the company: shares
    the company holds in its own owners do not count. A hop with an unknown
    ratio makes every owner whose chains use it unknown (None), never a
    guess; a closed loop of holdings with no outside owner (spectral radius
    1) makes its members unknown too.

    Treasury shares (a company holding its own shares: a ``HOLDS_SHARES``
    self-loop) carry no ownership: the other holders' ratios in that company
    are scaled by ``1 / (1 - treasury)`` (a 30% holder of a company with 10%
    in treasury owns 33.3% of what is owned), and the result says so in a
    note. Through cross-holdings, summing every chain may give an owner more
    than 100% of a company, or stakes summing over 100% (each company's
    holders counted in full along every loop); such a result carries a note
    explaining it, never a bare figure over 100%.

Ultimate beneficial owners (受益所有人)
    Natural persons and state bodies whose effective ownership reaches the
    threshold (default 25%), each with its chains and the arithmetic
    (``张三 → A 60% × A → B 50% = 30%``). As in the PBOC rules (2024), when
    nobody reaches it, the actual controller counts by control, and when
    there is none, the persons running the company (法定代表人, 董事长,
    总经理).

Actual controller (实际控制人)
    From the company, follow the controlling shareholder step by step until
    a natural person or a state body. A holder controls a company when it
    holds more than 50%, or, when nobody does, when it is the single largest
    holder with at least 30% (cf. 《上市公司收购管理办法》第八十四条);
    several records of one holder add up. Family and persons acting in
    concert are one party: the stakes of persons among a company's holders
    who are spouses, parents and children of each other (``FAMILY``) or have
    a current concert agreement (``ACTS_IN_CONCERT``) add up, and when that
    party controls, the actual controller is the family, named by its members
    (``张三（30%）及其配偶李四（25%）合计控制…55%``): the member with the
    largest stake is ``controller``, the others ``co_controllers``. Only
    direct holders combine (a relative's stake held through a company does
    not). Unknown ratios stop the walk when
    an unknown holder could hold as much as the candidate. A state body is a
    Company whose USCC starts with ``11`` (机关) or whose name contains
    国资委 / 国有资产监督管理委员会 / 财政局 / 财政厅 / 财政部 / 人民政府 /
    国务院 (:func:`queries.common.is_state_body`).

Funds and partnerships (``INVESTS_IN``)
    A partner's interest in a partnership (有限合伙企业, a private fund) is
    economic ownership like a shareholding: its ratio counts in effective
    ownership and beneficial owners. Control of a partnership goes by role,
    not by stake, as registries name the actual controller of an LP fund:
    its 执行事务合伙人 (managing partner) controls it, else its only general
    partner (普通合伙人); limited partners never control, whatever their
    share. A partnership with several managing (or general) partners and no
    single one has no controlling partner.

Former ties
    A holding or partnership interest with an end date (退出日期: the
    kind's ``former`` date in the schema) is history: it counts for no
    ownership and no control; :func:`effective_ownership` lists the former
    direct holders apart (``former``).

Every question walks out from the company with
:meth:`~graph.store.GraphStore.edges_of`, a frontier at a time; a store with
an ``upstream_holdings`` method answers the upstream walk natively
(:func:`queries.common.native`).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, cast

import networkx as nx
import numpy as np

from graph.errors import InvalidParameter
from graph.model import Edge, Node
from graph.schema import load_schema
from graph.store import GraphStore, one_snapshot
from queries.common import entity, flags, fraction, is_state_body, native, node_dict, ratio_of, whole_number
from queries.format import Lang, is_former, kind_spec, money, percent, role
from queries.messages import Message, note_dict
from queries.supply_chain import core_partners

HOLDS = "HOLDS_SHARES"
#: a partner's interest in a fund or partnership: economic ownership; control by role
INVESTS = "INVESTS_IN"
#: the partner roles that control a partnership, the stronger first (managing partner, sole general partner)
CONTROL_ROLES = ("managing_partner", "general_partner")
SERVES = "SERVES_AS"
GUARANTEES = "GUARANTEES"
FAMILY = "FAMILY"
CONCERT = "ACTS_IN_CONCERT"
#: the family relations that make one controlling party (with a current concert agreement): spouses,
#: parents and children, cf. 《上市公司收购管理办法》第八十三条; siblings and in-laws are related parties only
JOINT_RELATIONS = frozenset({"spouse", "father", "mother", "parent", "son", "daughter", "child"})
#: the relation a concert agreement stands for where a family relation would be named
IN_CONCERT = "concert"
#: roles of key officers (关键管理人员): every recorded role but "other"
KEY_ROLES = ("legal_representative", "chairman", "general_manager", "director", "executive", "supervisor")
#: roles of the persons who run the company day to day (the PBOC fallback for beneficial owners)
RUNNING_ROLES = ("legal_representative", "chairman", "general_manager")
#: a holder with more than this controls
MAJORITY = 0.5
#: when nobody has a majority, the single largest holder with at least this controls
RELATIVE_CONTROL = 0.3
#: loops larger than this are solved by the convergent series instead of a dense solve
_DENSE_LIMIT = 400
_EPS = 1e-12

ControlRule = Literal["majority", "largest", "managing_partner", "general_partner"]
OwnerKind = Literal["person", "state"]


# -- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stake:
    """An owner's effective stake in a company (None: unknown) and its direct stake.

    ``direct`` is 0.0 when the owner holds no shares directly, None when it
    does but the ratio is unknown.
    """

    owner: Node
    effective: float | None
    direct: float | None

    def to_dict(self) -> dict[str, object]:
        return {"owner": node_dict(self.owner), "effective": self.effective, "direct": self.direct}


@dataclass(frozen=True)
class Ownership:
    """Every direct and indirect owner of ``company`` with its effective stake."""

    company: Node
    stakes: tuple[Stake, ...]
    circular: bool
    notes: tuple[str, ...] = ()
    #: holders that have exited (history: no part of the stakes), latest exit first
    former: tuple[FormerHolder, ...] = ()

    def stake(self, owner_id: str) -> Stake | None:
        """The stake of the owner with this node id, if it is an owner."""
        return next((s for s in self.stakes if s.owner.id == owner_id), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "circular": self.circular,
            "stakes": [s.to_dict() for s in self.stakes],
            "former": [f.to_dict() for f in self.former],
            "notes": [note_dict(n) for n in self.notes],
        }


@dataclass(frozen=True)
class FormerHolder:
    """A direct holder or partner of a company that has exited: its ratio (None: unknown) and when."""

    holder: Node
    type: str
    ratio: float | None
    until: str
    partner_role: str | None = None

    def what(self, lang: Lang = "zh") -> str:
        """What the holder was: 股东 / shareholder, or its partner role (有限合伙人 / a limited partner)."""
        spec = kind_spec(self.type)
        prop = spec.properties.get("partner_role") if spec is not None else None
        if prop is not None and self.partner_role is not None:
            return prop.label_of(self.partner_role, lang).removeprefix("a ").removeprefix("the ")
        return "股东" if lang == "zh" else "shareholder"

    def to_dict(self) -> dict[str, object]:
        return {
            "holder": node_dict(self.holder),
            "type": self.type,
            "ratio": self.ratio,
            "until": self.until,
            "partner_role": self.partner_role,
        }


@dataclass(frozen=True)
class Chain:
    """One chain of holdings from an owner (``nodes[0]``) to the company (``nodes[-1]``)."""

    nodes: tuple[Node, ...]
    ratios: tuple[float, ...]

    @property
    def product(self) -> float:
        return math.prod(self.ratios)

    def text(self) -> str:
        """``张三 → A 60% × A → B 50% = 30%``."""
        pairs = itertools.pairwise(self.nodes)
        hops = " × ".join(f"{a.name} → {b.name} {percent(r)}" for (a, b), r in zip(pairs, self.ratios, strict=True))
        return f"{hops} = {percent(self.product)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "nodes": [node_dict(n) for n in self.nodes],
            "ratios": list(self.ratios),
            "product": self.product,
            "text": self.text(),
        }


@dataclass(frozen=True)
class BeneficialOwner:
    """A beneficial owner, on what basis, with the arithmetic.

    ``chains`` are the largest simple chains (at most ``max_chains``);
    ``simple_total`` sums every simple chain when all were enumerated; the
    rest of ``stake`` comes from going round cross-holdings.
    """

    owner: Node
    kind: OwnerKind
    basis: Literal["ownership", "control", "senior_manager"]
    stake: float | None
    chains: tuple[Chain, ...] = ()
    chain_count: int = 0
    simple_total: float | None = None
    detail_zh: str = ""
    detail_en: str = ""

    def explanation(self, lang: Lang = "zh") -> str:
        """The chains and the total, one line each."""
        if self.basis != "ownership":
            return self.detail_zh if lang == "zh" else self.detail_en
        lines = [c.text() for c in self.chains]
        hidden = self.chain_count - len(self.chains)
        if hidden > 0:
            lines.append(f"…另有 {hidden} 条链" if lang == "zh" else f"... and {hidden} more chains")
        total = percent(self.stake)
        loop = None if self.simple_total is None or self.stake is None else self.stake - self.simple_total
        if loop is not None and loop > 1e-9:
            lines.append(
                f"合计 {total}（其中 {percent(loop)} 来自交叉持股循环）"
                if lang == "zh"
                else f"total {total} (of which {percent(loop)} through cross-holdings)"
            )
        else:
            lines.append(f"合计 {total}" if lang == "zh" else f"total {total}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "owner": node_dict(self.owner),
            "kind": self.kind,
            "basis": self.basis,
            "stake": self.stake,
            "chains": [c.to_dict() for c in self.chains],
            "chain_count": self.chain_count,
            "simple_total": self.simple_total,
            "explanation_zh": self.explanation("zh"),
            "explanation_en": self.explanation("en"),
        }


@dataclass(frozen=True)
class UltimateOwners:
    """The beneficial owners of ``company`` at ``threshold``, and those a missing ratio hides."""

    company: Node
    threshold: float
    owners: tuple[BeneficialOwner, ...]
    unknown: tuple[Node, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "threshold": self.threshold,
            "owners": [o.to_dict() for o in self.owners],
            "unknown": [node_dict(n) for n in self.unknown],
            "notes": [note_dict(n) for n in self.notes],
        }


@dataclass(frozen=True)
class ControlStep:
    """``holder`` controls ``company`` with ``ratio`` under ``rule`` (majority, largest ≥ 30%, or a
    partnership's managing or sole general partner)."""

    holder: Node
    company: Node
    ratio: float
    rule: ControlRule
    #: when a family or concert party controls: every member (``holder`` first) with its own stake
    party: tuple[PartyShare, ...] = ()

    def text(self, lang: Lang = "zh") -> str:
        if self.rule in CONTROL_ROLES:
            return _partner_text(self.holder, self.company, self.rule, lang)
        if lang == "zh":
            why = "绝对控股" if self.rule == "majority" else "第一大股东且持股不低于30%"
            if self.party:
                return f"{_party_words(self.party, 'zh')}合计控制{self.company.name} {percent(self.ratio)}（{why}）"
            return f"{self.holder.name} 持有 {self.company.name} {percent(self.ratio)}（{why}）"
        why = "majority" if self.rule == "majority" else "largest holder with at least 30%"
        if self.party:
            return (
                f"{_party_words(self.party, 'en')} together hold {percent(self.ratio)} of {self.company.name} ({why})"
            )
        return f"{self.holder.name} holds {percent(self.ratio)} of {self.company.name} ({why})"

    def to_dict(self) -> dict[str, object]:
        return {
            "holder": node_dict(self.holder),
            "company": node_dict(self.company),
            "ratio": self.ratio,
            "rule": self.rule,
            "party": [p.to_dict() for p in self.party],
            "text": self.text("zh"),
        }


def _partner_text(holder: Node, company: Node, rule: str, lang: Lang) -> str:
    """Control of a partnership by role: ``甲 是 乙基金 的执行事务合伙人（控制合伙企业）``."""
    if lang == "zh":
        title = "执行事务合伙人" if rule == "managing_partner" else "唯一普通合伙人"
        return f"{holder.name} 是 {company.name} 的{title}（控制合伙企业）"
    title = "the managing partner" if rule == "managing_partner" else "the only general partner"
    return f"{holder.name} is {title} of {company.name} (controls the partnership)"


@dataclass(frozen=True)
class PartyShare:
    """A member of a controlling family or concert party: its own stake and what it is to the first member
    (a ``FAMILY`` relation such as ``spouse``, ``concert`` for an agreement; None for the first member, or
    for one tied to the others only through someone else)."""

    person: Node
    ratio: float | None
    relation: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"person": node_dict(self.person), "ratio": self.ratio, "relation": self.relation}


def relation_words(relation: str | None, lang: Lang = "zh") -> str:
    """A family relation (or ``concert``) as a reader says it: 配偶 / spouse, 一致行动人 / concert party.

    >>> relation_words("spouse"), relation_words("son", "en"), relation_words("concert", "en")
    ('配偶', 'son', 'concert party')
    """
    if relation is None:
        return ""
    if relation == IN_CONCERT:
        return "一致行动人" if lang == "zh" else "concert party"
    kinds = load_schema().kinds
    prop = kinds[FAMILY].properties.get("relation") if FAMILY in kinds else None
    return relation if prop is None else prop.label_of(relation, lang)


def _party_words(party: Sequence[PartyShare], lang: Lang) -> str:
    """``张三（30%）及其配偶李四（25%）`` / ``Zhang San (30%) and spouse Li Si (25%)``."""
    parts: list[str] = []
    for i, member in enumerate(party):
        stake = percent(member.ratio) if member.ratio is not None else ("比例未知" if lang == "zh" else "unknown")
        word = relation_words(member.relation, lang) if i else ""
        if lang == "zh":
            parts.append(f"{'其' + word if word else ''}{member.person.name}（{stake}）")
        else:
            parts.append(f"{word + ' ' if word else ''}{member.person.name} ({stake})")
    if lang == "zh":
        return "、".join(parts[:-1]) + "及" + parts[-1]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class Controller:
    """The actual controller of ``company`` (None: none identified), the control chain and why.

    ``top`` is where the chain stopped without a controller: the last
    company reached, which has no controlling shareholder.
    """

    company: Node
    controller: Node | None
    kind: OwnerKind | None
    chain: tuple[ControlStep, ...]
    reason_zh: str
    reason_en: str
    top: Node | None = None
    #: the other members of a controlling family or concert party (``controller`` is the one with most)
    co_controllers: tuple[Node, ...] = ()

    def reason(self, lang: Lang = "zh") -> str:
        return self.reason_zh if lang == "zh" else self.reason_en

    @property
    def controllers(self) -> tuple[Node, ...]:
        """The controller and its co-controllers (empty when none is identified)."""
        return () if self.controller is None else (self.controller, *self.co_controllers)

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "controller": None if self.controller is None else node_dict(self.controller),
            "co_controllers": [node_dict(n) for n in self.co_controllers],
            "kind": self.kind,
            "chain": [s.to_dict() for s in self.chain],
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "top": None if self.top is None else node_dict(self.top),
        }


@dataclass(frozen=True)
class GroupMember:
    """A company in a control group: controlled by ``parent`` (itself the root or a member)."""

    company: Node
    parent: Node
    ratio: float
    rule: ControlRule
    depth: int

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "parent": node_dict(self.parent),
            "ratio": self.ratio,
            "rule": self.rule,
            "depth": self.depth,
        }


@dataclass(frozen=True)
class ControlGroup:
    """The companies under one controller (``root``): for :func:`same_controller_group` also
    the asking company's :class:`Controller`."""

    root: Node | None
    members: tuple[GroupMember, ...]
    truncated: bool = False
    controller: Controller | None = None
    notes: tuple[str, ...] = ()
    #: the controller's family and concert parties whose companies count as under the same control
    family: tuple[Node, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "root": None if self.root is None else node_dict(self.root),
            "family": [node_dict(n) for n in self.family],
            "controller": None if self.controller is None else self.controller.to_dict(),
            "members": [m.to_dict() for m in self.members],
            "truncated": self.truncated,
            "notes": [note_dict(n) for n in self.notes],
        }


@dataclass(frozen=True)
class SharedOfficer:
    """A person who holds a role in both companies."""

    person: Node
    roles_a: tuple[str, ...]
    roles_b: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"person": node_dict(self.person), "roles_a": list(self.roles_a), "roles_b": list(self.roles_b)}


@dataclass(frozen=True)
class SharedOfficers:
    """The key officers companies ``a`` and ``b`` share."""

    a: Node
    b: Node
    officers: tuple[SharedOfficer, ...]

    def to_dict(self) -> dict[str, object]:
        return {"a": node_dict(self.a), "b": node_dict(self.b), "officers": [o.to_dict() for o in self.officers]}


@dataclass(frozen=True)
class Reason:
    """Why a party is related: a code and a sentence in Chinese and English."""

    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class RelatedParty:
    """A related party (关联方) with every reason it is one."""

    party: Node
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, object]:
        return {"party": node_dict(self.party), "reasons": [r.to_dict() for r in self.reasons]}


@dataclass(frozen=True)
class RelatedParties:
    """The related parties of ``company``."""

    company: Node
    parties: tuple[RelatedParty, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company),
            "parties": [p.to_dict() for p in self.parties],
            "notes": [note_dict(n) for n in self.notes],
        }


# -- effective ownership -----------------------------------------------------------------------------
@dataclass
class _Equity:
    """A company's upstream equity graph: every owner with a chain to it, their holdings among themselves."""

    target: str
    nodes: dict[str, Node]
    out: dict[str, dict[str, float | None]]  # holder -> company -> ratio (None: unknown)
    treasury: dict[str, float | None] = field(default_factory=dict)  # company -> its own shares (None: unknown)


def _upstream(store: GraphStore, company: Node) -> _Equity:
    hook = native(store, "upstream_holdings")
    if hook is not None:
        return _equity(store, company, cast(list[Edge], hook(company.id)))
    nodes = {company.id: company}
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    treasury: dict[str, float | None] = {}
    frontier = [company.id]
    while frontier:
        here = set(frontier)
        fresh: list[str] = []
        for e in store.edges_of(frontier, _equity_types(store)):
            if not _current(store, e):
                continue
            if e.source == e.target:
                _add(treasury, e.target, ratio_of(e))
                continue
            if e.target not in here or e.source == company.id:
                continue  # not a holding in the frontier, or the company's own (chains end at it)
            _add(out[e.source], e.target, ratio_of(e))
            if e.source not in nodes and e.source not in fresh:
                fresh.append(e.source)
        found = store.get_nodes(fresh)
        nodes.update(found)
        frontier = [f for f in fresh if f in found]
    return _treasury_scaled(_Equity(company.id, nodes, dict(out), treasury))


def _equity(store: GraphStore, company: Node, edges: Sequence[Edge]) -> _Equity:
    """The upstream equity graph from the relationships a store's ``upstream_holdings`` returned."""
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    treasury: dict[str, float | None] = {}
    types = _equity_types(store)
    for e in sorted(edges, key=lambda e: (e.source, e.target, str(e.props.get("_key", "")))):
        if e.type not in types or not _current(store, e):
            continue
        if e.source == e.target:
            _add(treasury, e.target, ratio_of(e))
        elif e.source != company.id:
            _add(out[e.source], e.target, ratio_of(e))
    nodes = store.get_nodes(sorted({*out, *(t for row in out.values() for t in row)}))
    nodes[company.id] = company
    return _treasury_scaled(_Equity(company.id, nodes, dict(out), treasury))


def _equity_types(store: GraphStore) -> list[str]:
    """The relationship types that carry ownership in the store's schema: shares and partnership interests."""
    return [t for t in (HOLDS, INVESTS) if t in store.schema.kinds]


def _current(store: GraphStore, edge: Edge) -> bool:
    """Whether a tie is current: its kind's ``former`` date (an exit, 退出日期) is not set."""
    spec = store.schema.kinds.get(edge.type)
    return spec is None or not is_former(spec, edge.props)


def _treasury_scaled(eq: _Equity) -> _Equity:
    """Holders' ratios in a company with treasury shares, scaled by ``1 / (1 - treasury)``: its own
    shares own nothing, so the others own that much more of it. An unknown treasury ratio makes the
    ratios into that company unknown; a company holding all its own shares leaves them unknown too."""
    if not eq.treasury:
        return eq
    out: dict[str, dict[str, float | None]] = {}
    for holder, row in eq.out.items():
        scaled: dict[str, float | None] = {}
        for company, ratio in row.items():
            if company not in eq.treasury:
                scaled[company] = ratio
                continue
            own = eq.treasury[company]
            scaled[company] = None if ratio is None or own is None or own >= 1.0 else ratio / (1.0 - own)
        out[holder] = scaled
    return _Equity(eq.target, eq.nodes, out, eq.treasury)


def _add(row: dict[str, float | None], company: str, ratio: float | None) -> None:
    """Several records of one holder in one company add up; any unknown makes the sum unknown."""
    if company in row:
        held = row[company]
        row[company] = None if held is None or ratio is None else held + ratio
    else:
        row[company] = ratio


def _solve(eq: _Equity) -> tuple[dict[str, float | None], bool, list[str]]:
    """Effective stakes of every owner in ``eq.target``; whether there are loops; notes."""
    graph = nx.DiGraph()
    graph.add_nodes_from(eq.nodes)
    graph.add_edges_from((h, c) for h, row in eq.out.items() for c in row)
    cond = nx.condensation(graph)
    stake: dict[str, float | None] = {eq.target: 1.0}
    circular = False
    notes: list[str] = []
    for group in reversed(list(nx.topological_sort(cond))):
        members: set[str] = cond.nodes[group]["members"]
        if eq.target in members:
            continue
        ordered = sorted(members)
        rows = {v: eq.out.get(v, {}) for v in ordered}
        outside = _outside(rows, members, stake)
        if outside is None:
            stake.update(dict.fromkeys(ordered, None))
            continue
        if len(ordered) == 1 and ordered[0] not in rows[ordered[0]]:
            stake[ordered[0]] = outside[ordered[0]]
            continue
        circular = True
        solved = _solve_loop(ordered, rows, outside)
        if solved is None:
            notes.append(Message("own.closed_loop", names=tuple(eq.nodes[v].name for v in ordered[:5])))
            stake.update(dict.fromkeys(ordered, None))
        else:
            stake.update(solved)
    return stake, circular, notes


def _outside(
    rows: Mapping[str, Mapping[str, float | None]], members: set[str], stake: Mapping[str, float | None]
) -> dict[str, float] | None:
    """Each member's stake through holdings outside its group (already solved); None when any
    ratio of the group, or any stake it holds through, is unknown."""
    out: dict[str, float] = {}
    for v, row in rows.items():
        terms: list[float] = []
        for w, r in row.items():
            if r is None:
                return None
            if w not in members:
                held = stake.get(w)
                if held is None:
                    return None
                terms.append(r * held)
        out[v] = math.fsum(terms)
    return out


def _solve_loop(
    members: list[str], rows: Mapping[str, Mapping[str, float | None]], outside: Mapping[str, float]
) -> dict[str, float] | None:
    """Solve ``x = M x + b`` on one strongly connected group; None when the series diverges."""
    index = {v: i for i, v in enumerate(members)}
    n = len(members)
    b = np.array([outside[v] for v in members], dtype=float)
    if n <= _DENSE_LIMIT:
        m = np.zeros((n, n))
        for v, row in rows.items():
            for w, r in row.items():
                if w in index and r is not None:
                    m[index[v], index[w]] += r
        if float(np.max(np.abs(np.linalg.eigvals(m)))) >= 1.0 - 1e-9:
            return None
        x = np.linalg.solve(np.eye(n) - m, b)
    else:
        from scipy.sparse import csr_matrix

        pairs = [(index[v], index[w], r) for v, row in rows.items() for w, r in row.items() if w in index]
        sparse = csr_matrix(([p[2] for p in pairs], ([p[0] for p in pairs], [p[1] for p in pairs])), shape=(n, n))
        x = b.copy()
        for _ in range(200_000):
            nxt = sparse @ x + b
            if not np.all(np.isfinite(nxt)):
                return None
            if float(np.max(np.abs(nxt - x))) <= 1e-15 * max(1.0, float(np.max(np.abs(nxt)))):
                x = nxt
                break
            x = nxt
        else:
            return None
    if not np.all(np.isfinite(x)) or float(np.min(x)) < -1e-9:
        return None
    return {v: max(0.0, float(x[index[v]])) for v in members}


def _analyse(store: GraphStore, company: Node) -> tuple[_Equity, dict[str, float | None], bool, list[str]]:
    eq = _upstream(store, company)
    stake, circular, notes = _solve(eq)
    return eq, stake, circular, notes


@one_snapshot
def effective_ownership(store: GraphStore, company: str | Node, *, min_stake: float = 0.0) -> Ownership:
    """Every owner of ``company``, direct or through chains of holdings, with its effective stake.

    Owners whose stake is known and below ``min_stake`` are left out;
    unknown stakes (an unknown ratio on the way) are always listed, last.
    """
    node = entity(store, company)
    min_stake = fraction("min_stake", min_stake)
    eq, stake, circular, notes = _analyse(store, node)
    stakes: list[Stake] = []
    for owner_id, value in stake.items():
        if owner_id == node.id or (value is not None and value < min_stake - _EPS):
            continue
        direct_row = eq.out.get(owner_id, {})
        direct = direct_row.get(node.id, 0.0)
        own = eq.treasury.get(node.id)
        if direct and own is not None and own < 1.0:
            direct *= 1.0 - own  # as recorded, before the treasury scaling
        stakes.append(Stake(eq.nodes[owner_id], value, direct))
    stakes.sort(key=lambda s: (s.effective is None, -(s.effective or 0.0), s.owner.id))
    notes += _treasury_notes(eq) + _over_full_notes(node, stakes, circular)
    if any(s.effective is None for s in stakes):
        notes.append(Message("own.unknown_stakes"))
    return Ownership(node, tuple(stakes), circular, tuple(notes), _former_holders(store, node))


@one_snapshot
def former_holders(store: GraphStore, company: str | Node) -> tuple[FormerHolder, ...]:
    """The direct shareholders and partners of ``company`` that have exited (退出日期 set), the latest
    exit first: history, which no ownership or control counts."""
    return _former_holders(store, entity(store, company))


def _former_holders(store: GraphStore, company: Node) -> tuple[FormerHolder, ...]:
    """The company's direct holders and partners that have exited, the latest exit first."""
    found: list[tuple[Edge, str]] = []
    for e in store.edges_of([company.id], _equity_types(store)):
        spec = store.schema.kinds[e.type]
        if e.target == company.id and e.source != e.target and spec.former is not None and not _current(store, e):
            found.append((e, str(e.props.get(spec.former))))
    holders = store.get_nodes(sorted({e.source for e, _ in found}))
    out = [
        FormerHolder(
            holders[e.source],
            e.type,
            ratio_of(e),
            until,
            None if e.props.get("partner_role") is None else str(e.props["partner_role"]),
        )
        for e, until in found
        if e.source in holders
    ]
    out.sort(key=lambda f: (f.until, f.holder.id), reverse=True)
    return tuple(out)


def _treasury_notes(eq: _Equity) -> list[str]:
    """Say which companies on the way hold their own shares, and what that did to the others' stakes."""
    notes: list[str] = []
    for cid, own in sorted(eq.treasury.items()):
        if cid not in eq.nodes:
            continue
        name = eq.nodes[cid].name
        if own is None:
            notes.append(
                f"{name} 持有库存股，比例未知 / {name} holds treasury shares of unknown size: stakes through it unknown"
            )
        else:
            notes.append(
                f"{name} 持有库存股 {percent(own)}，其他股东持股按 1/(1−{percent(own)}) 折算 / "
                f"{name} holds {percent(own)} of its own shares (treasury): its other holders' stakes are scaled "
                f"by 1/(1 − {percent(own)})"
            )
    return notes


def _over_full_notes(company: Node, stakes: Sequence[Stake], circular: bool) -> list[str]:
    """Explain an effective stake, or the stakes together, above 100%: never a bare figure."""
    notes: list[str] = []
    over = [s for s in stakes if s.effective is not None and s.effective > 1.0 + 1e-9]
    if over:
        names = "、".join(s.owner.name for s in over[:5])
        why = "循环持股下每条持股链都计入" if circular else "股东持股合计超过100%（数据有误）"
        why_en = (
            "every chain through the cross-holdings is summed, so chains are counted once per loop"
            if circular
            else "the holders recorded for a company on the way sum to more than 100% (check the data)"
        )
        notes.append(f"{names} 的穿透持股超过100%：{why} / effective ownership above 100% for {names}: {why_en}")
    direct = math.fsum(s.direct for s in stakes if s.direct)
    if direct > 1.0 + 1e-9:
        notes.append(
            f"{company.name} 的直接股东持股合计 {percent(direct)}，超过100%，请核对数据 / "
            f"the direct holders of {company.name} sum to {percent(direct)}, more than 100%: check the data"
        )
    return notes


def effective_stake(store: GraphStore, owner: str | Node, company: str | Node) -> float | None:
    """The effective stake of ``owner`` in ``company``: 0.0 when it owns none, None when unknown."""
    holder = entity(store, owner, param="owner", labels=("Company", "Person"))
    node = entity(store, company)
    if holder.id == node.id:
        raise InvalidParameter("owner", f"{holder.name} is the company itself")
    _, stake, _, _ = _analyse(store, node)
    return stake.get(holder.id, 0.0)


# -- beneficial owners --------------------------------------------------------------------------------
def _chains(eq: _Equity, owner: str, cap: int) -> tuple[list[tuple[list[str], list[float]]], bool]:
    """Simple chains owner → company, larger ratios first; whether all were found (under ``cap``)."""
    found: list[tuple[list[str], list[float]]] = []
    path = [owner]
    ratios: list[float] = []
    on_path = {owner}
    complete = True

    def walk(here: str) -> None:
        nonlocal complete
        row = eq.out.get(here, {})
        for nxt, r in sorted(row.items(), key=lambda kv: (-(kv[1] or 0.0), kv[0])):
            if len(found) >= cap:
                complete = False
                return
            if nxt in on_path or r is None:
                continue
            path.append(nxt)
            ratios.append(r)
            if nxt == eq.target:
                found.append((list(path), list(ratios)))
            else:
                on_path.add(nxt)
                walk(nxt)
                on_path.discard(nxt)
            path.pop()
            ratios.pop()

    walk(owner)
    return found, complete


@one_snapshot
def ultimate_owners(
    store: GraphStore, company: str | Node, *, threshold: float = 0.25, max_chains: int = 10
) -> UltimateOwners:
    """The ultimate beneficial owners (受益所有人) of ``company`` with the arithmetic behind each.

    Natural persons and state bodies whose effective ownership is at least
    ``threshold``, largest first, each with its ``max_chains`` largest
    chains. When none reaches it: the actual controller (basis
    ``control``), else the persons running the company (``senior_manager``).
    ``unknown`` lists persons and state bodies whose stake a missing ratio
    hides.
    """
    node = entity(store, company)
    threshold = fraction("threshold", threshold)
    if threshold <= 0:
        raise InvalidParameter("threshold", "must be above 0")
    max_chains = whole_number("max_chains", max_chains, 1, 1000)
    eq, stake, _, notes = _analyse(store, node)
    owners: list[BeneficialOwner] = []
    unknown: list[Node] = []
    for owner_id in sorted(stake):
        holder = eq.nodes[owner_id]
        if owner_id == node.id:
            continue
        kind: OwnerKind | None = "person" if holder.label == "Person" else ("state" if is_state_body(holder) else None)
        if kind is None:
            continue
        value = stake[owner_id]
        if value is None:
            unknown.append(holder)
            continue
        if value < threshold - _EPS:
            continue
        found, complete = _chains(eq, owner_id, cap=5000)
        found.sort(key=lambda c: (-math.prod(c[1]), [eq.nodes[i].name for i in c[0]]))
        shown = tuple(Chain(tuple(eq.nodes[i] for i in ids), tuple(rs)) for ids, rs in found[:max_chains])
        simple = math.fsum(math.prod(rs) for _, rs in found) if complete else None
        owners.append(BeneficialOwner(holder, kind, "ownership", value, shown, len(found), simple))
    owners.sort(key=lambda o: (-(o.stake or 0.0), o.owner.id))
    direct = [r for row in eq.out.values() for c, r in row.items() if c == node.id and r is not None]
    own = eq.treasury.get(node.id)
    recorded = math.fsum(direct) * (1.0 - own if own is not None and own < 1.0 else 1.0)
    if recorded > 1.0 + 1e-9:
        notes.append(
            f"{node.name} 的直接股东持股合计 {percent(recorded)}，超过100%，受益所有人可能有误，请核对数据 / "
            f"the direct holders of {node.name} sum to {percent(recorded)}, more than 100%: the owners found "
            "may be wrong, check the data"
        )
    notes += _treasury_notes(eq)
    if unknown:
        notes.append(Message("ubo.unknown", names=tuple(n.name for n in unknown)))
    if not owners:
        owners.extend(_fallback_owners(store, node))
        if owners:
            notes.append(Message("ubo.by_control", threshold=percent(threshold)))
        else:
            notes.append(Message("ubo.nobody", threshold=percent(threshold)))
    return UltimateOwners(node, threshold, tuple(owners), tuple(unknown), tuple(notes))


def _fallback_owners(store: GraphStore, company: Node) -> list[BeneficialOwner]:
    """PBOC's fallback when nobody owns enough: the actual controller, else the persons running the company."""
    ctrl = actual_controller(store, company)
    if ctrl.controller is not None and ctrl.kind is not None:
        zh, en = f"实际控制人：{ctrl.reason_zh}", f"actual controller: {ctrl.reason_en}"
        kind = ctrl.kind  # every member of a controlling family counts
        return [BeneficialOwner(p, kind, "control", None, detail_zh=zh, detail_en=en) for p in ctrl.controllers]
    roles: dict[str, list[str]] = defaultdict(list)
    for e in store.edges_of([company.id], [SERVES]):
        if e.target == company.id and e.props.get("role") in RUNNING_ROLES and e.props.get("until") is None:
            roles[e.source].append(str(e.props.get("role")))
    people = store.get_nodes(sorted(roles))
    for titles in roles.values():
        titles.sort(key=RUNNING_ROLES.index)
    return [
        BeneficialOwner(
            people[p],
            "person",
            "senior_manager",
            None,
            detail_zh="负责日常经营管理：" + "、".join(role(r) for r in roles[p]),
            detail_en="runs the company: " + ", ".join(role(r, "en") for r in roles[p]),
        )
        for p in sorted(people)
    ]


# -- actual controller ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Decision:
    """Who controls one company, or why nobody does (``why``: none, unknown, tie, small, ``""`` when decided)."""

    holder: str | None
    ratio: float = 0.0
    rule: ControlRule = "majority"
    why: str = ""
    about: tuple[str, ...] = ()
    #: a controlling family or concert party: each member (``holder`` first), its stake, what it is to ``holder``
    party: tuple[tuple[str, float | None, str | None], ...] = ()

    def controlled_by(self, ids: Mapping[str, object]) -> str | None:
        """The member of the controlling holder or party that is one of ``ids`` (None: none is)."""
        if self.holder in ids:
            return self.holder
        return next((m for m, _, _ in self.party if m in ids), None)


def _tie_types(store: GraphStore) -> list[str]:
    """The persons' tie kinds the store's schema has (a schema of one's own may leave them out)."""
    return [t for t in (FAMILY, CONCERT) if t in store.schema.kinds]


def _joint(e: Edge) -> bool:
    """Whether a tie makes its two persons one controlling party: spouses, parents and children, or a
    concert agreement still in force."""
    if e.type == CONCERT:
        spec = kind_spec(CONCERT)
        return spec is None or not is_former(spec, e.props)
    return e.type == FAMILY and e.props.get("relation") in JOINT_RELATIONS


def relation_of(e: Edge, anchor: str) -> str:
    """What the other end of a family or concert tie is to ``anchor`` (a ``FAMILY`` row says what its
    source is to its target; the schema's ``converse`` says it the other way round)."""
    if e.type == CONCERT:
        return IN_CONCERT
    value = str(e.props.get("relation") or "relative")
    if e.target == anchor:
        return value
    spec = kind_spec(FAMILY)
    prop = None if spec is None else spec.properties.get("relation")
    return "relative" if prop is None else prop.converse.get(value, "relative")


def _parties(row: Mapping[str, float | None], ties: Sequence[Edge]) -> list[tuple[str, ...]]:
    """The holders of one company bound into parties by ``ties`` (joint ties, transitively), each with
    its largest stake first."""
    up: dict[str, str] = {}

    def find(x: str) -> str:
        while up.get(x, x) != x:
            x = up[x]
        return x

    for e in ties:
        if e.source in row and e.target in row and e.source != e.target:
            a, b = find(e.source), find(e.target)
            up.setdefault(a, a)
            up.setdefault(b, b)
            if a != b:
                up[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in up:
        groups[find(x)].append(x)
    return [
        tuple(sorted(members, key=lambda m: (row[m] is None, -(row[m] or 0.0), m)))
        for _, members in sorted(groups.items())
        if len(members) > 1
    ]


def _between(ties: Sequence[Edge], member: str, lead: str) -> str | None:
    """What ``member`` is to ``lead`` by a direct tie (None: tied only through someone else)."""
    for e in ties:
        if {e.source, e.target} == {member, lead}:
            return relation_of(e, lead)
    return None


def _decisions(store: GraphStore, companies: Sequence[str]) -> dict[str, _Decision]:
    """Who controls each company, family and concert parties among its holders counted as one."""
    held = _holdings(store, companies)
    persons = sorted({h for row in held.values() for h in row.shares if h.split(":", 1)[0] == "Person"})
    types = _tie_types(store)
    ties = [e for e in store.edges_of(persons, types) if _joint(e)] if persons and types else []
    return {c: _decide(row, _parties(row.shares, ties), ties) for c, row in held.items()}


@dataclass
class _Holders:
    """A company's current direct shareholders (records of one holder added up) and its partners by role."""

    shares: dict[str, float | None] = field(default_factory=dict)
    partners: dict[str, dict[str, float | None]] = field(default_factory=dict)  # role -> partner -> ratio


def _holdings(store: GraphStore, companies: Sequence[str]) -> dict[str, _Holders]:
    """Current direct holders and partners of each company (former ties left out)."""
    wanted = set(companies)
    out: dict[str, _Holders] = {c: _Holders() for c in companies}
    treasury: dict[str, float | None] = {}
    for e in store.edges_of(list(companies), _equity_types(store)):
        if e.target not in wanted or not _current(store, e):
            continue
        if e.type == INVESTS:
            if e.source != e.target:
                role_of_partner = str(e.props.get("partner_role") or "partner")
                _add(out[e.target].partners.setdefault(role_of_partner, {}), e.source, ratio_of(e))
        elif e.source == e.target:
            _add(treasury, e.target, ratio_of(e))
        else:
            _add(out[e.target].shares, e.source, ratio_of(e))
    for company, own in treasury.items():  # treasury shares carry no votes: the others' count for more
        held = out[company].shares
        out[company].shares = {
            h: None if r is None or own is None or own >= 1.0 else r / (1.0 - own) for h, r in held.items()
        }
    return out


def _decide(holders: _Holders, parties: Sequence[tuple[str, ...]] = (), ties: Sequence[Edge] = ()) -> _Decision:
    """Who controls a company: a partnership by its managing (else sole general) partner, never by a
    limited partner's share; any other company by its shareholders' stakes, each of ``parties`` (a family
    or concert party among them) holding as one."""
    if holders.partners:
        for rule in CONTROL_ROLES:
            partners = holders.partners.get(rule)
            if partners and len(partners) > 1:
                return _Decision(None, why="partners", about=tuple(sorted(partners)))
            if partners:
                partner, ratio = next(iter(partners.items()))
                return _Decision(partner, ratio or 0.0, cast(ControlRule, rule))
        if not holders.shares:
            return _Decision(None, why="no_partner")
    return _decide_parties(holders.shares, parties, ties)


def _decide_parties(
    holders: Mapping[str, float | None], parties: Sequence[tuple[str, ...]], ties: Sequence[Edge]
) -> _Decision:
    """Who controls by stakes, each of ``parties`` holding as one (its stakes added)."""
    if not parties:
        return _decide_shares(holders)
    merged = dict(holders)
    groups: dict[str, tuple[str, ...]] = {}
    for group in parties:
        ratios = [holders[m] for m in group]
        for m in group:
            merged.pop(m, None)
        merged[group[0]] = None if any(r is None for r in ratios) else math.fsum(r for r in ratios if r is not None)
        groups[group[0]] = group
    decision = _decide_shares(merged)
    chosen = groups.get(decision.holder or "")
    if chosen is None:
        return decision
    lead = chosen[0]
    party = tuple((m, holders[m], None if m == lead else _between(ties, m, lead)) for m in chosen)
    return replace(decision, party=party)


def _decide_shares(holders: Mapping[str, float | None]) -> _Decision:
    if not holders:
        return _Decision(None, why="none")
    known = sorted(((r, h) for h, r in holders.items() if r is not None), key=lambda t: (-t[0], t[1]))
    unknown = tuple(sorted(h for h, r in holders.items() if r is None))
    rest = max(0.0, 1.0 - math.fsum(r for r, _ in known)) if unknown else 0.0
    top, top_holder = known[0] if known else (0.0, "")
    second = known[1][0] if len(known) > 1 else 0.0
    if top > MAJORITY + _EPS:
        if second >= top - _EPS:
            return _Decision(None, why="tie", about=(top_holder, known[1][1]))
        return _Decision(top_holder, top, "majority")
    if unknown and rest > MAJORITY + _EPS:
        return _Decision(None, why="unknown", about=unknown)
    if top >= RELATIVE_CONTROL - _EPS:
        if second >= top - _EPS:
            return _Decision(None, why="tie", about=(top_holder, known[1][1]))
        if unknown and rest >= top - _EPS:
            return _Decision(None, why="unknown", about=unknown)
        return _Decision(top_holder, top, "largest")
    if unknown and rest >= RELATIVE_CONTROL - _EPS:
        return _Decision(None, why="unknown", about=unknown)
    return _Decision(None, ratio=top, why="small", about=(top_holder,) if top_holder else ())


def _why_not(store: GraphStore, company: Node, d: _Decision) -> tuple[str, str]:
    names = store.get_nodes(list(d.about))
    who = "、".join(names[i].name for i in d.about if i in names)
    if d.why == "none":
        return f"{company.name} 没有股东记录", f"{company.name} has no recorded shareholders"
    if d.why == "unknown":
        return (
            f"{company.name} 的股东 {who} 持股比例缺失，无法判断控制权",
            f"the stake of {who} in {company.name} is unknown, so control cannot be decided",
        )
    if d.why == "tie":
        return f"{company.name} 的股东 {who} 持股相同，无单一控制方", f"{who} hold equal stakes in {company.name}"
    if d.why == "partners":
        return (
            f"{company.name} 有多名执行事务合伙人或普通合伙人（{who}），无单一控制方",
            f"{company.name} has several managing or general partners ({who}), none controls alone",
        )
    if d.why == "no_partner":
        return (
            f"{company.name} 为合伙企业，未登记执行事务合伙人或普通合伙人；有限合伙人不构成控制",
            f"{company.name} is a partnership with no managing or general partner recorded; "
            "limited partners do not control",
        )
    return (
        f"{company.name} 无股东持股超过50%，第一大股东{who}持股 {percent(d.ratio)} 低于30%",
        f"nobody holds more than 50% of {company.name} and the largest holder {who} holds {percent(d.ratio)}, "
        "under 30%",
    )


@one_snapshot
def actual_controller(store: GraphStore, company: str | Node) -> Controller:
    """The actual controller (实际控制人) of ``company``: a natural person or a state body, with the
    control chain, or none identified with the reason (see the module docstring for the rule)."""
    node = entity(store, company)
    if is_state_body(node):
        return Controller(
            node, node, "state", (), f"{node.name} 本身为国家机关或国资主体", f"{node.name} is itself a state body"
        )
    steps: list[ControlStep] = []
    visited = {node.id}
    here = node
    while True:
        decision = _decisions(store, [here.id])[here.id]
        if decision.holder is None:
            zh, en = _why_not(store, here, decision)
            top = here if steps else None
            if top is not None:
                zh = f"控制链止于{top.name}：{zh}"
                en = f"the control chain stops at {top.name}: {en}"
            return Controller(node, None, None, tuple(steps), f"未识别实际控制人：{zh}", f"none identified: {en}", top)
        holder = store.get_nodes([decision.holder])[decision.holder]
        party = _party_shares(store, decision)
        steps.append(ControlStep(holder, here, decision.ratio, decision.rule, party))
        chain_zh = "；".join(s.text("zh") for s in steps)
        chain_en = "; ".join(s.text("en") for s in steps)
        if holder.label == "Person":
            co = tuple(p.person for p in party[1:])
            return Controller(node, holder, "person", tuple(steps), chain_zh, chain_en, co_controllers=co)
        if is_state_body(holder):
            return Controller(node, holder, "state", tuple(steps), chain_zh, chain_en)
        if holder.id in visited:
            return Controller(
                node,
                None,
                None,
                tuple(steps),
                f"未识别实际控制人：控制链成环（{chain_zh}）",
                f"none identified: the control chain goes round in a circle ({chain_en})",
                holder,
            )
        visited.add(holder.id)
        here = holder


def _party_shares(store: GraphStore, decision: _Decision) -> tuple[PartyShare, ...]:
    """The members of a controlling party as nodes with their stakes (empty for a single holder)."""
    if not decision.party:
        return ()
    found = store.get_nodes([m for m, _, _ in decision.party])
    return tuple(PartyShare(found[m], r, rel) for m, r, rel in decision.party if m in found)


def _controlled(
    store: GraphStore, root: Node, limit: int | None, family: Sequence[Node] = ()
) -> tuple[list[GroupMember], bool]:
    """Every company whose control chain leads to ``root`` (or to one of ``family``, who count with it),
    walking down a frontier at a time."""
    nodes = {root.id: root, **{f.id: f for f in family}}
    depth = dict.fromkeys(nodes, 0)
    decided: dict[str, _Decision] = {}
    members: list[GroupMember] = []
    frontier = list(nodes)
    while frontier:
        here = set(frontier)
        candidates = sorted(
            {
                e.target
                for e in store.edges_of(frontier, _equity_types(store))
                if e.source in here and e.target not in nodes and _current(store, e)
            }
        )
        undecided = [c for c in candidates if c not in decided]
        if undecided:
            decided.update(_decisions(store, undecided))
        chosen = [c for c in candidates if decided[c].controlled_by(nodes) is not None]
        found = store.get_nodes(chosen)
        fresh: list[str] = []
        for c in chosen:
            company = found.get(c)
            if company is None or is_state_body(company):
                continue  # a state body is its own controller: its companies are not in the group
            d = decided[c]
            parent = d.controlled_by(nodes) or root.id
            nodes[c] = company
            depth[c] = depth[parent] + 1
            members.append(GroupMember(company, nodes[parent], d.ratio, d.rule, depth[c]))
            fresh.append(c)
            if limit is not None and len(members) >= limit:
                return members, True
        frontier = fresh
    return members, False


@one_snapshot
def controlled_companies(store: GraphStore, controller: str | Node, *, limit: int | None = 5000) -> ControlGroup:
    """The companies ``controller`` (a person, state body or company) controls, directly or through
    companies it controls, under the actual-controller rule; nearest first."""
    root = entity(store, controller, param="controller", labels=("Company", "Person"))
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    members, truncated = _controlled(store, root, limit)
    members.sort(key=lambda m: (m.depth, m.company.id))
    notes = (Message("common.first_n", limit=limit),) if truncated and limit is not None else ()
    return ControlGroup(root, tuple(members), truncated, notes=notes)


@one_snapshot
def same_controller_group(store: GraphStore, company: str | Node, *, limit: int | None = 5000) -> ControlGroup:
    """Every company with the same actual controller as ``company`` (it included).

    When no controller is identified but the control chain reaches a top
    company, the group is that company and what it controls (a note says
    so); with no chain at all, the group is empty and the note says why.
    """
    node = entity(store, company)
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    ctrl = actual_controller(store, node)
    root = ctrl.controller or ctrl.top
    if root is None:
        return ControlGroup(None, (), controller=ctrl, notes=(ctrl.reason_zh, ctrl.reason_en))
    family = tuple(n for n, _, _ in _family(store, ctrl))
    members, truncated = _controlled(store, root, limit, family)
    members.sort(key=lambda m: (m.depth, m.company.id))
    notes: list[str] = []
    if ctrl.controller is None:
        notes.append(Message("group.no_controller", root=root.name))
    if truncated and limit is not None:
        notes.append(Message("common.first_n", limit=limit))
    return ControlGroup(root, tuple(members), truncated, ctrl, tuple(notes), family)


@dataclass(frozen=True)
class _Kin:
    """A relative or concert party (``person``) of ``of``: ``relation`` is what ``person`` is to ``of``."""

    person: Node
    relation: str
    of: Node


def _kin(store: GraphStore, persons: Sequence[Node], *, joint_only: bool, include_former: bool = False) -> list[_Kin]:
    """The relatives and concert parties of ``persons``, one tie away: only those that make one controlling
    party when ``joint_only``; ended concert agreements only when ``include_former``."""
    types = _tie_types(store)
    anchors = {p.id: p for p in persons}
    if not anchors or not types:
        return []
    picked: list[tuple[str, str, str]] = []
    for e in store.edges_of(sorted(anchors), types):
        current = e.type != CONCERT or _joint(e)
        if (joint_only and not _joint(e)) or (not current and not include_former):
            continue
        for anchor, other in ((e.target, e.source), (e.source, e.target)):
            if anchor in anchors and other != anchor:
                picked.append((other, relation_of(e, anchor), anchor))
    nodes = store.get_nodes(sorted({o for o, _, _ in picked}))
    return [_Kin(nodes[o], rel, anchors[a]) for o, rel, a in picked if o in nodes]


def _family(store: GraphStore, ctrl: Controller) -> list[tuple[Node, str | None, Node]]:
    """The persons whose companies count as under a personal controller's control: its co-controllers and
    the spouses, parents, children and concert parties of each, with what each is to whom."""
    if ctrl.controller is None or ctrl.kind != "person":
        return []
    lead = ctrl.controller
    out: dict[str, tuple[Node, str | None, Node]] = {}
    for share in ctrl.chain[-1].party[1:] if ctrl.chain else ():
        out[share.person.id] = (share.person, share.relation, lead)
    for k in _kin(store, ctrl.controllers, joint_only=True):
        if k.person.id != lead.id and k.person.id not in out:
            out[k.person.id] = (k.person, k.relation, k.of)
    return [out[i] for i in sorted(out)]


# -- officers and related parties ------------------------------------------------------------------------
def _roles(edges: Sequence[Edge], company: str, include_former: bool, roles: Sequence[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.type != SERVES or e.target != company or e.props.get("role") not in roles:
            continue
        if include_former or e.props.get("until") is None:
            out[e.source].add(str(e.props["role"]))
    return out


@one_snapshot
def shared_officers(
    store: GraphStore,
    a: str | Node,
    b: str | Node,
    *,
    include_former: bool = False,
    roles: Sequence[str] = KEY_ROLES,
) -> SharedOfficers:
    """Persons who hold a key role (``roles``; default every role but "other") in both companies;
    current roles only unless ``include_former``."""
    first = entity(store, a, param="a")
    second = entity(store, b, param="b")
    if first.id == second.id:
        raise InvalidParameter("b", f"{second.name} is the same company as a")
    unknown = [r for r in roles if r not in (*KEY_ROLES, "other")]
    if unknown or not roles:
        raise InvalidParameter("roles", f"unknown roles {unknown}; choose from {', '.join((*KEY_ROLES, 'other'))}")
    edges = store.edges_of([first.id, second.id], [SERVES])
    in_a = _roles(edges, first.id, include_former, roles)
    in_b = _roles(edges, second.id, include_former, roles)
    both = sorted(set(in_a) & set(in_b))
    people = store.get_nodes(both)
    officers = tuple(SharedOfficer(people[p], tuple(sorted(in_a[p])), tuple(sorted(in_b[p]))) for p in both)
    return SharedOfficers(first, second, officers)


_ORDER = (
    "actual_controller",
    "controlling_shareholder",
    "beneficial_owner",
    "shareholder",
    "subsidiary",
    "investee",
    "same_controller",
    "key_officer",
    "shared_officer",
    "family",
    "officer_controlled",
    "family_controlled",
    "guarantor",
    "guaranteed",
    "major_supplier",
    "major_customer",
)


#: a reason that makes others redundant: a subsidiary is also an investee and under the same controller
_IMPLIES = {"subsidiary": ("investee", "same_controller")}


class _Parties:
    """Related parties as they are found: each with its reasons, in the order of ``_ORDER``."""

    def __init__(self, company: Node) -> None:
        self.company = company
        self.nodes: dict[str, Node] = {}
        self.reasons: dict[str, list[Reason]] = defaultdict(list)

    def add(self, party: Node, code: str, zh: str, en: str) -> None:
        if party.id == self.company.id:
            return
        self.nodes[party.id] = party
        if all(r.code != code for r in self.reasons[party.id]):
            self.reasons[party.id].append(Reason(code, zh, en))

    def ranked(self) -> list[RelatedParty]:
        rank = {code: i for i, code in enumerate(_ORDER)}
        parties = []
        for pid, rs in self.reasons.items():
            codes = {r.code for r in rs}
            implied = {c for code in codes for c in _IMPLIES.get(code, ())}
            kept = sorted((r for r in rs if r.code not in implied), key=lambda r: rank[r.code])
            parties.append(RelatedParty(self.nodes[pid], tuple(kept)))
        parties.sort(key=lambda p: (rank[p.reasons[0].code], p.party.label, p.party.id))
        return parties


@one_snapshot
def related_parties(
    store: GraphStore,
    company: str | Node,
    *,
    min_stake: float = 0.05,
    influence: float = 0.2,
    ubo_threshold: float = 0.25,
    major_share: float = 0.1,
    include_former: bool = False,
    group_limit: int = 500,
) -> RelatedParties:
    """The related parties (关联方) of ``company`` in one list, each with every reason:

    * its actual controller and controlling shareholder, beneficial owners
      (≥ ``ubo_threshold``), direct shareholders with ≥ ``min_stake`` (or an
      unknown ratio);
    * subsidiaries (companies it controls, directly or through others) and
      investees where it holds ≥ ``influence``;
    * companies with the same actual controller, up to ``group_limit``
      (not when the controller is a state body: being state-controlled
      alone does not make companies related, as in CAS 36);
    * its key officers, companies sharing one of them in a key role, and
      companies its key officers control (> 50%);
    * the family and concert parties of its actual controllers and key
      officers ("spouse of …"), and the companies those relatives control
      (> 50%); companies controlled by the controller's spouse, parents,
      children or concert parties count as under the same controller;
    * guarantee counterparties (guarantors and borrowers);
    * major suppliers and customers (≥ ``major_share`` of purchases/sales).
    """
    node = entity(store, company)
    min_stake = fraction("min_stake", min_stake)
    influence = fraction("influence", influence)
    ubo_threshold = fraction("ubo_threshold", ubo_threshold)
    major_share = fraction("major_share", major_share)
    group_limit = whole_number("group_limit", group_limit, 1)
    found = _Parties(node)
    notes: list[str] = []
    own = store.edges_of([node.id], [*_equity_types(store), SERVES, GUARANTEES])
    _by_control(store, found, notes, ubo_threshold, group_limit)
    _by_equity(store, found, own, min_stake, influence, group_limit)
    _by_officers(store, found, own, include_former)
    _by_family(store, found, own, include_former)
    _by_guarantees(store, found, own)
    _by_supply(store, found, major_share)
    parties = found.ranked()
    flagged = [p.party.name for p in parties if flags(store, p.party)]
    if flagged:
        notes.append(Message("related.flagged", names=tuple(flagged)))
    return RelatedParties(node, tuple(parties), tuple(notes))


def _by_control(store: GraphStore, found: _Parties, notes: list[str], ubo_threshold: float, limit: int) -> None:
    """Controlling shareholder, actual controller, beneficial owners, companies under the same controller."""
    ctrl = actual_controller(store, found.company)
    if ctrl.chain:
        first = ctrl.chain[0]
        found.add(first.holder, "controlling_shareholder", f"控股股东：{first.text('zh')}", first.text("en"))
    if ctrl.controller is not None:
        via = [step.holder.name for step in ctrl.chain[:-1]]
        zh = f"实际控制人，经由{'、'.join(via)}控制" if via else "实际控制人，直接控股"
        en = f"actual controller, through {', '.join(via)}" if via else "actual controller, holding directly"
        found.add(ctrl.controller, "actual_controller", zh, en)
    if ubo_threshold > 0:
        for owner in ultimate_owners(store, found.company, threshold=ubo_threshold).owners:
            if owner.basis == "ownership":
                found.add(
                    owner.owner,
                    "beneficial_owner",
                    f"受益所有人，穿透持股 {percent(owner.stake)}",
                    f"beneficial owner, {percent(owner.stake)} effective",
                )
    for co in ctrl.co_controllers:
        step = ctrl.chain[-1]
        found.add(
            co, "actual_controller", f"共同实际控制人：{step.text('zh')}", f"joint actual controller: {step.text('en')}"
        )
    if ctrl.controller is not None and ctrl.kind == "person":
        name = ctrl.controller.name
        family = {n.id: (n, rel, of) for n, rel, of in _family(store, ctrl)}
        group, truncated = _controlled(store, ctrl.controller, limit, [n for n, _, _ in family.values()])
        tops = _tops(group)
        for m in group:
            top = tops.get(m.company.id)
            if top not in family:
                found.add(m.company, "same_controller", f"同受{name}控制", f"also controlled by {name}")
                continue
            who, rel, of = family[top]
            zh_word, en_word = relation_words(rel), relation_words(rel, "en")
            found.add(
                m.company,
                "same_controller",
                f"同受{name}家族控制（{of.name}的{zh_word}{who.name}）" if rel else f"同受{name}家族控制（{who.name}）",
                f"also controlled by the family of {name} ({who.name}, {en_word} of {of.name})"
                if rel
                else f"also controlled by the family of {name} ({who.name})",
            )
        if truncated:
            notes.append(Message("related.same_controller_first", limit=limit))
    elif ctrl.kind == "state":
        notes.append(Message("related.state_controlled"))


def _by_equity(
    store: GraphStore, found: _Parties, own: Sequence[Edge], min_stake: float, influence: float, limit: int
) -> None:
    """Direct shareholders with at least ``min_stake``, subsidiaries, investees with at least ``influence``."""
    company = found.company.id
    holders: dict[str, float | None] = {}
    investees: dict[str, float | None] = {}
    partner: dict[str, str] = {}  # a partner of the company (or a fund the company is a partner in) -> its role
    for e in own:
        if e.type in (HOLDS, INVESTS) and e.source != e.target and _current(store, e):
            other = e.source if e.target == company else e.target
            _add(holders if e.target == company else investees, other, ratio_of(e))
            if e.type == INVESTS:
                partner[other] = str(e.props.get("partner_role") or "partner")
    ends = store.get_nodes(sorted({*holders, *investees}))
    for h, r in sorted(holders.items()):
        if h in ends and (r is None or r >= min_stake - _EPS):
            zh, en = ("比例未知", "an unknown stake") if r is None else (percent(r), percent(r))
            if h in partner:
                title_zh, title_en = _partner_role_words(partner[h])
                found.add(ends[h], "shareholder", f"{title_zh}，出资 {zh}", f"{title_en}, {en}")
            else:
                found.add(ends[h], "shareholder", f"直接持股 {zh}", f"holds {en} directly")
    subsidiaries, _ = _controlled(store, found.company, limit)
    for m in subsidiaries:
        if m.depth == 1 and m.rule in CONTROL_ROLES:
            title_zh, title_en = _partner_role_words(m.rule)
            found.add(m.company, "subsidiary", f"本企业为其{title_zh}", f"the company is its {title_en}")
        elif m.depth == 1:
            found.add(
                m.company, "subsidiary", f"控股子公司，持股 {percent(m.ratio)}", f"subsidiary, {percent(m.ratio)}"
            )
        else:
            found.add(m.company, "subsidiary", f"经由{m.parent.name}控制", f"controlled through {m.parent.name}")
    for c, r in sorted(investees.items()):
        if c in ends and r is not None and r >= influence - _EPS:
            if c in partner:
                found.add(ends[c], "investee", f"本企业出资 {percent(r)}", f"{percent(r)} contributed by the company")
            else:
                found.add(ends[c], "investee", f"本企业持股 {percent(r)}", f"{percent(r)} held by the company")


def _partner_role_words(code: str) -> tuple[str, str]:
    """A partner role in both languages, as the schema labels it (执行事务合伙人 / managing partner)."""
    spec = kind_spec(INVESTS)
    prop = spec.properties.get("partner_role") if spec is not None else None
    if prop is None:
        return code, code
    return prop.label_of(code, "zh"), prop.label_of(code, "en").removeprefix("a ").removeprefix("the ")


def _by_officers(store: GraphStore, found: _Parties, own: Sequence[Edge], include_former: bool) -> None:
    """Key officers, companies sharing one in a key role, companies a key officer controls."""
    officers = _roles(own, found.company.id, include_former, KEY_ROLES)
    if not officers:
        return
    theirs = store.edges_of(sorted(officers), [SERVES, HOLDS])
    others = store.get_nodes([*sorted(officers), *sorted({e.target for e in theirs} - {found.company.id})])
    for pid, titles in sorted(officers.items()):
        if pid in others:
            zh = "、".join(role(r) for r in sorted(titles))
            en = ", ".join(role(r, "en") for r in sorted(titles))
            found.add(others[pid], "key_officer", f"本企业{zh}", f"{en} of the company")
    for e in theirs:
        if e.target == found.company.id or e.source not in officers or e.target not in others:
            continue
        person = others[e.source].name
        title = e.props.get("role")
        if e.type == SERVES and title in KEY_ROLES and (include_former or e.props.get("until") is None):
            found.add(
                others[e.target],
                "shared_officer",
                f"{person}同时任{role(title)}",
                f"{person} is also {role(title, 'en')}",
            )
        elif e.type == HOLDS and (ratio_of(e) or 0.0) > MAJORITY and _current(store, e):
            stake = percent(ratio_of(e))
            found.add(
                others[e.target],
                "officer_controlled",
                f"本企业关键人员{person}持股 {stake}",
                f"key officer {person} holds {stake}",
            )


def _tops(group: Sequence[GroupMember]) -> dict[str, str]:
    """Each member company of a control group → the root or family member at the top of its chain."""
    parent = {m.company.id: m.parent.id for m in group}
    out: dict[str, str] = {}
    for company in parent:
        here, seen = company, {company}
        while here in parent and parent[here] not in seen:
            here = parent[here]
            seen.add(here)
        out[company] = here
    return out


def _by_family(store: GraphStore, found: _Parties, own: Sequence[Edge], include_former: bool) -> None:
    """Relatives and concert parties of the actual controllers and key officers ("spouse of …"), and the
    companies those relatives control (> 50%)."""
    ctrl = actual_controller(store, found.company)
    anchors: dict[str, tuple[Node, str, str]] = {
        p.id: (p, "实际控制人", "the actual controller") for p in ctrl.controllers if ctrl.kind == "person"
    }
    officers = _roles(own, found.company.id, include_former, KEY_ROLES)
    people = store.get_nodes(sorted(officers))
    for pid, titles in sorted(officers.items()):
        if pid in people and pid not in anchors:
            zh = "本企业" + "、".join(role(r) for r in sorted(titles))
            en = ", ".join(role(r, "en") for r in sorted(titles)) + " of the company"
            anchors[pid] = (people[pid], zh, en)
    kin = _kin(store, [a[0] for a in anchors.values()], joint_only=False, include_former=include_former)
    for k in kin:
        _, zh_role, en_role = anchors[k.of.id]
        zh_word, en_word = relation_words(k.relation), relation_words(k.relation, "en")
        found.add(k.person, "family", f"{zh_role}{k.of.name}的{zh_word}", f"{en_word} of {k.of.name}, {en_role}")
    relatives: dict[str, _Kin] = {}
    for k in kin:
        if k.person.id not in anchors:
            relatives.setdefault(k.person.id, k)
    if not relatives:
        return
    held = [
        e
        for e in store.edges_of(sorted(relatives), [HOLDS])
        if e.source in relatives and e.source != e.target and (ratio_of(e) or 0.0) > MAJORITY
    ]
    companies = store.get_nodes(sorted({e.target for e in held}))
    for e in held:
        if e.target not in companies:
            continue
        k = relatives[e.source]
        _, zh_role, en_role = anchors[k.of.id]
        stake = percent(ratio_of(e))
        zh_word, en_word = relation_words(k.relation), relation_words(k.relation, "en")
        found.add(
            companies[e.target],
            "family_controlled",
            f"{zh_role}{k.of.name}的{zh_word}{k.person.name}持股 {stake}",
            f"{k.person.name} ({en_word} of {k.of.name}, {en_role}) holds {stake}",
        )


def _by_guarantees(store: GraphStore, found: _Parties, own: Sequence[Edge]) -> None:
    """Guarantors of the company and borrowers it guarantees."""
    company = found.company.id
    links = [e for e in own if e.type == GUARANTEES and e.source != e.target]
    ends = store.get_nodes(sorted({e.source if e.target == company else e.target for e in links}))
    for e in links:
        amount = e.props.get("amount")
        zh, en = money(amount), money(amount, "en")
        if e.target == company and e.source in ends:
            found.add(ends[e.source], "guarantor", f"为本企业提供担保 {zh}", f"guarantees the company's loans ({en})")
        elif e.source == company and e.target in ends:
            found.add(ends[e.target], "guaranteed", f"本企业为其担保 {zh}", f"the company guarantees its loans ({en})")


def _by_supply(store: GraphStore, found: _Parties, major_share: float) -> None:
    """Suppliers and customers with at least ``major_share`` of the company's purchases or sales."""
    for p in core_partners(store, found.company, direction="upstream", min_share=major_share):
        share = percent(p.share)
        found.add(p.company, "major_supplier", f"主要供应商，占采购 {share}", f"major supplier, {share} of purchases")
    for p in core_partners(store, found.company, direction="downstream", min_share=major_share):
        share = percent(p.share)
        found.add(p.company, "major_customer", f"主要客户，占销售 {share}", f"major customer, {share} of sales")
