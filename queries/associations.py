"""Trade associations and chambers (商会, 行业协会, 工商联): find them, list members, association referral leads.

A member (a company or a person) belongs to an association through
``MEMBER_OF`` (member → association), with an office (``role``: 会长,
副会长, 秘书长, 理事 ... or a plain 会员). An association is a referral
channel like a park, but it only refers where someone holds an office: an
*association referral lead* is a member company that is not a client, in an
association where a client company, or a person serving a client (a current
officer), holds an office. Those office holders are the referrers.

Leads rank by the warmest referrer's office (its strength in warmth.yaml:
a 会长 before a 理事), then by how many referrers the association has, then
by the lead's registered capital. Former memberships (an ``until`` date) and
closed (注销/吊销) or black-listed companies are not leads, unless asked for
the latter; a former office holder refers nobody.

"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph.model import Edge, Node
from graph.store import GraphStore, one_snapshot
from queries.common import closed_statuses, entity, list_prop, node_dict, number, whole_number
from queries.format import Lang, fill, kind_spec

MEMBER_OF = "MEMBER_OF"
OFFICER = "SERVES_AS"
ASSOCIATION = "Association"
#: the office of a plain member: refers nobody
PLAIN_MEMBER = "member"


def _current(edge: Edge, until: str = "until") -> bool:
    """Whether a membership or a post still holds (no end date)."""
    value = edge.props.get(until)
    return value is None or value == "" or value != value  # NaN != NaN


def office_words(edge: Edge, lang: Lang = "zh") -> str:
    """A membership's office as a reader says it: the title as printed (常务副会长) in Chinese, else its class.

    >>> office_words(Edge(MEMBER_OF, "Person:p", "Association:a", {"role": "vice_president"}, 0.5), "en")
    'vice president'
    """
    spec = kind_spec(MEMBER_OF)
    text = fill(spec, "label", edge.props, lang) if spec is not None else None
    return text or str(edge.props.get("role") or "")


@dataclass(frozen=True)
class AssociationSummary:
    """An association and how many current members it has."""

    association: Node
    members: int

    def to_dict(self) -> dict[str, object]:
        a = self.association
        return {
            **node_dict(a),
            "category": a.get("category"),
            "level": a.get("level"),
            "province": a.get("province"),
            "city": a.get("city"),
            "industries": list(list_prop(a.props, "industries")),
            "members": self.members,
        }


@dataclass(frozen=True)
class Member:
    """One member of an association and its office (the membership edge)."""

    who: Node
    edge: Edge

    def to_dict(self, lang: Lang = "zh") -> dict[str, object]:
        return node_dict(self.who) | {"office": office_words(self.edge, lang), "role": self.edge.props.get("role")}


@dataclass(frozen=True)
class AssociationMembers:
    """The current members of one association, office holders first."""

    association: Node
    members: tuple[Member, ...]

    def to_dict(self, lang: Lang = "zh") -> dict[str, object]:
        return {"association": node_dict(self.association), "members": [m.to_dict(lang) for m in self.members]}


@dataclass(frozen=True)
class Referrer:
    """Who refers in an association: an office holder that is a client, or serves ``client``."""

    who: Node
    membership: Edge
    client: Node

    def to_dict(self, lang: Lang = "zh") -> dict[str, object]:
        return {
            "who": node_dict(self.who),
            "office": office_words(self.membership, lang),
            "role": self.membership.props.get("role"),
            "client": node_dict(self.client),
        }

    def text(self, lang: Lang = "zh") -> str:
        """``张三（客户甲公司）副会长`` / ``Zhang San (client A) vice president``."""
        office = office_words(self.membership, lang)
        if self.who.id == self.client.id:
            return f"客户{self.who.name}（{office}）" if lang == "zh" else f"client {self.who.name} ({office})"
        if lang == "zh":
            return f"{self.who.name}（客户{self.client.name}，{office}）"
        return f"{self.who.name} (of client {self.client.name}, {office})"


@dataclass(frozen=True)
class AssociationLead:
    """A non-client member ``company`` of ``association`` and the association's referrers, warmest first."""

    company: Node
    association: Node
    membership: Edge
    referrers: tuple[Referrer, ...]

    def office(self, lang: Lang = "zh") -> str:
        """The lead's own office in the association (会员 for most)."""
        return office_words(self.membership, lang)

    def to_dict(self, lang: Lang = "zh") -> dict[str, object]:
        return {
            "company": node_dict(self.company) | {"industry": self.company.get("industry")},
            "association": node_dict(self.association),
            "office": self.office(lang),
            "referrers": [r.to_dict(lang) for r in self.referrers],
        }


def _matches(text: str | None, *values: object) -> bool:
    if not text:
        return True
    needle = text.strip().casefold()
    return any(needle in str(v).casefold() for v in values if v is not None)


def _association_matches(node: Node, keyword: str | None, region: str | None) -> bool:
    """Whether ``node``'s name, key, category or industries hold ``keyword`` and its place ``region``."""
    return _matches(keyword, node.name, node.key, node.get("category"), *list_prop(node.props, "industries")) and (
        _matches(region, node.get("province"), node.get("city"))
    )


def find_associations(
    store: GraphStore, keyword: str | None = None, *, region: str | None = None, limit: int | None = 50
) -> tuple[AssociationSummary, ...]:
    """Associations whose name, category or industries contain ``keyword`` and whose province or city
    contains ``region`` (each optional), largest first."""
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    found = [a for a in store.iter_nodes(ASSOCIATION) if _association_matches(a, keyword, region)]
    sizes = store.degrees([a.id for a in found])
    out = sorted(
        (AssociationSummary(a, sizes.get(a.id, 0)) for a in found), key=lambda s: (-s.members, s.association.id)
    )
    return tuple(out if limit is None else out[:limit])


def _rank(store: GraphStore) -> dict[str, float]:
    """Each office's strength (warmth.yaml's MEMBER_OF rule): how well its holder refers."""
    rule = store.weights.rules.get(MEMBER_OF)
    return dict(rule.values) if rule is not None else {}


def _office_key(edge: Edge, strengths: dict[str, float]) -> float:
    return -strengths.get(str(edge.props.get("role")), 0.0)


@one_snapshot
def association_members(store: GraphStore, association: str | Node) -> AssociationMembers:
    """The current members of ``association`` (name, id or Node): office holders first, then by name."""
    node = entity(store, association, param="association", labels=(ASSOCIATION,))
    edges = [e for e in store.edges_of([node.id], [MEMBER_OF]) if e.target == node.id and _current(e)]
    nodes = store.get_nodes(sorted({e.source for e in edges}))
    strengths = _rank(store)
    members = [Member(nodes[e.source], e) for e in edges if e.source in nodes]
    members.sort(key=lambda m: (_office_key(m.edge, strengths), m.who.name, m.who.id))
    return AssociationMembers(node, tuple(members))


def _served_clients(store: GraphStore, persons: list[str]) -> dict[str, list[Node]]:
    """The client companies each person currently serves as an officer."""
    posts = [e for e in store.edges_of(persons, [OFFICER]) if e.source in set(persons) and _current(e)]
    companies = store.get_nodes(sorted({e.target for e in posts}))
    out: dict[str, list[Node]] = defaultdict(list)
    for e in posts:
        company = companies.get(e.target)
        if company is not None and company.is_client and company not in out[e.source]:
            out[e.source].append(company)
    return out


@one_snapshot
def association_leads(
    store: GraphStore,
    association: str | Node | None = None,
    *,
    keyword: str | None = None,
    region: str | None = None,
    include_closed: bool = False,
    limit: int | None = 200,
    referrers_shown: int = 5,
) -> tuple[AssociationLead, ...]:
    """Association referral leads: non-client member companies of associations (``association``, or
    every one :func:`find_associations` finds with ``keyword`` and ``region``) in which a client or a
    client's officer holds an office, each with up to ``referrers_shown`` referrers, warmest office first."""
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    referrers_shown = whole_number("referrers_shown", referrers_shown, 1)
    if association is not None:
        node = entity(store, association, param="association", labels=(ASSOCIATION,))
        scope = {node.id: node} if _association_matches(node, keyword, region) else {}
    elif keyword or region:
        scope = {s.association.id: s.association for s in find_associations(store, keyword, region=region, limit=None)}
    else:
        scope = {a.id: a for a in store.iter_nodes(ASSOCIATION)}
    edges = (
        [e for e in store.edges_of(sorted(scope), [MEMBER_OF]) if e.target in scope and _current(e)] if scope else []
    )
    members = store.get_nodes(sorted({e.source for e in edges}))
    strengths = _rank(store)
    offices = [e for e in edges if e.props.get("role") != PLAIN_MEMBER and e.source in members]
    serves = _served_clients(store, sorted({e.source for e in offices if members[e.source].label == "Person"}))
    referrers: dict[str, list[Referrer]] = defaultdict(list)
    for e in sorted(offices, key=lambda e: (_office_key(e, strengths), e.source)):
        who = members[e.source]
        clients = [who] if who.label == "Company" and who.is_client else serves.get(who.id, [])
        referrers[e.target].extend(Referrer(who, e, client) for client in clients[:1])
    closed = set(closed_statuses(store))
    ranked: list[tuple[tuple[float, int, float, str, str], AssociationLead]] = []
    for e in edges:
        company = members.get(e.source)
        refer = referrers.get(e.target)
        if company is None or company.label != "Company" or company.is_client or not refer:
            continue
        if not include_closed and (company.get("blacklisted") or company.get("status") in closed):
            continue
        others = tuple(r for r in refer if r.who.id != company.id)
        if not others:
            continue
        best = strengths.get(str(others[0].membership.props.get("role")), 0.0)
        capital = number(company.get("registered_capital")) or 0.0
        lead = AssociationLead(company, scope[e.target], e, others[:referrers_shown])
        ranked.append(((-best, -len(others), -capital, company.id, e.target), lead))
    ranked.sort(key=lambda t: t[0])
    seen: set[tuple[str, str]] = set()
    out: list[AssociationLead] = []
    for _, lead in ranked:  # one lead per company and association (a member with two offices)
        key = (lead.company.id, lead.association.id)
        if key not in seen:
            seen.add(key)
            out.append(lead)
    return tuple(out if limit is None else out[:limit])
