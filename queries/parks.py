"""Industrial parks (园区): find parks, list a park's companies, and park referral leads.

A company is in a park through ``LOCATED_IN`` (company → park). A *park
referral lead* is a company in a park where the bank already has clients
but that is not a client itself: the clients in the same park are the
natural introducers. Leads rank by how many of those clients share the
lead's industry, then by how many clients the park has, then by the lead's
registered capital. Closed (注销/吊销) and black-listed companies are not
leads unless asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph.model import Node
from graph.store import GraphStore, one_snapshot
from queries.common import closed_statuses, entity, list_prop, node_dict, number, whole_number

LOCATED_IN = "LOCATED_IN"


@dataclass(frozen=True)
class ParkSummary:
    """A park and how many companies it holds."""

    park: Node
    companies: int

    def to_dict(self) -> dict[str, object]:
        return {
            **node_dict(self.park),
            "level": self.park.get("level"),
            "province": self.park.get("province"),
            "city": self.park.get("city"),
            "district": self.park.get("district"),
            "industries": list(list_prop(self.park.props, "industries")),
            "companies": self.companies,
        }


@dataclass(frozen=True)
class ParkCompanies:
    """The companies of one park, clients first."""

    park: Node
    companies: tuple[Node, ...]

    @property
    def clients(self) -> tuple[Node, ...]:
        return tuple(c for c in self.companies if c.is_client)

    def to_dict(self) -> dict[str, object]:
        return {
            "park": node_dict(self.park),
            "companies": [node_dict(c) | {"industry": c.get("industry")} for c in self.companies],
            "clients": len(self.clients),
        }


@dataclass(frozen=True)
class ParkLead:
    """A non-client ``company`` in ``park``, the park's ``clients`` (same industry first) and how
    many of them share its industry."""

    company: Node
    park: Node
    clients: tuple[Node, ...]
    same_industry: int

    def to_dict(self) -> dict[str, object]:
        return {
            "company": node_dict(self.company) | {"industry": self.company.get("industry")},
            "park": node_dict(self.park),
            "clients": [node_dict(c) for c in self.clients],
            "same_industry": self.same_industry,
        }


def _matches(text: str | None, *values: object) -> bool:
    if not text:
        return True
    needle = text.strip().casefold()
    return any(needle in str(v).casefold() for v in values if v is not None)


def _park_matches(park: Node, keyword: str | None, industry: str | None, region: str | None) -> bool:
    """Whether ``park``'s name or key holds ``keyword``, its industries ``industry`` and its place ``region``."""
    return (
        _matches(keyword, park.name, park.key)
        and _matches(industry, *list_prop(park.props, "industries"))
        and _matches(region, park.get("province"), park.get("city"), park.get("district"))
    )


def find_parks(
    store: GraphStore,
    keyword: str | None = None,
    *,
    industry: str | None = None,
    region: str | None = None,
    limit: int | None = 50,
) -> tuple[ParkSummary, ...]:
    """Parks whose name contains ``keyword``, whose industries mention ``industry`` and whose
    province, city or district contains ``region`` (each optional), largest first."""
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    parks = [p for p in store.iter_nodes("Park") if _park_matches(p, keyword, industry, region)]
    sizes = store.degrees([p.id for p in parks])
    found = sorted((ParkSummary(p, sizes.get(p.id, 0)) for p in parks), key=lambda s: (-s.companies, s.park.id))
    return tuple(found if limit is None else found[:limit])


def _sort_companies(nodes: list[Node]) -> tuple[Node, ...]:
    return tuple(sorted(nodes, key=lambda c: (not c.is_client, c.name, c.id)))


@one_snapshot
def park_companies(store: GraphStore, park: str | Node) -> ParkCompanies:
    """The companies located in ``park`` (name, id or Node), clients first, then by name."""
    node = entity(store, park, param="park", labels=("Park",))
    ids = sorted({e.source for e in store.edges_of([node.id], [LOCATED_IN]) if e.target == node.id})
    return ParkCompanies(node, _sort_companies(list(store.get_nodes(ids).values())))


@one_snapshot
def park_leads(
    store: GraphStore,
    park: str | Node | None = None,
    *,
    keyword: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    include_closed: bool = False,
    limit: int | None = 200,
    clients_shown: int = 5,
) -> tuple[ParkLead, ...]:
    """Park referral leads: non-client companies in parks (``park``, or every park) where the bank
    has clients, each with up to ``clients_shown`` of those clients (same industry first).

    ``keyword``, ``industry`` and ``region`` keep only the parks :func:`find_parks`
    would find with them (a park's name, its industries, its province, city or district).
    """
    if limit is not None:
        limit = whole_number("limit", limit, 1)
    clients_shown = whole_number("clients_shown", clients_shown, 1)
    narrowed = bool(keyword or industry or region)
    if park is not None or narrowed:
        if park is not None:
            node = entity(store, park, param="park", labels=("Park",))
            scope = {node.id: node} if _park_matches(node, keyword, industry, region) else {}
        else:
            found = find_parks(store, keyword, industry=industry, region=region, limit=None)
            scope = {s.park.id: s.park for s in found}
        edges = [e for e in store.edges_of(sorted(scope), [LOCATED_IN]) if e.target in scope] if scope else []
        parks = dict(scope)
    else:
        edges = list(store.iter_edges([LOCATED_IN]))
        parks = {}
    members: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        members[e.target].add(e.source)
    companies = store.get_nodes(sorted({c for m in members.values() for c in m}))
    clients_in = {
        p: [companies[c] for c in sorted(m) if c in companies and companies[c].is_client] for p, m in members.items()
    }
    with_clients = sorted(p for p, cl in clients_in.items() if cl)
    missing = [p for p in with_clients if p not in parks]
    parks.update(store.get_nodes(missing))
    closed = set(closed_statuses(store))
    leads: list[tuple[tuple[int, int, float, str, str], ParkLead]] = []
    for p in with_clients:
        if p not in parks:
            continue
        clients = clients_in[p]
        for c in sorted(members[p]):
            company = companies.get(c)
            if company is None or company.is_client:
                continue
            if not include_closed and (company.get("blacklisted") or company.get("status") in closed):
                continue
            industry = company.get("industry")
            same = [cl for cl in clients if industry is not None and cl.get("industry") == industry]
            same_ids = {cl.id for cl in same}
            ordered = same + [cl for cl in clients if cl.id not in same_ids]
            capital = number(company.get("registered_capital")) or 0.0
            lead = ParkLead(company, parks[p], tuple(ordered[:clients_shown]), len(same))
            leads.append(((-len(same), -len(clients), -capital, company.id, p), lead))
    leads.sort(key=lambda t: t[0])
    out = [lead for _, lead in leads]
    return tuple(out if limit is None else out[:limit])
