"""Path ranking checked against brute-force enumeration on small random graphs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.model import PathQuery
from graph.uscc import check_char
from tests.conftest import StoreFactory, neo4j_examples
from tests.reference import RawGraph, brute_force, summary


def examples(make_store: StoreFactory, embedded: int) -> int:
    """How many examples to run against this backend (a server round trip per batch and per search
    step: fewer on Neo4j, as conftest sizes every property test)."""
    return embedded if make_store.backend == "embedded" else neo4j_examples(embedded)


TYPES = (
    "HOLDS_SHARES",
    "SERVES_AS",
    "SUPPLIES",
    "GUARANTEES",
    "LOCATED_IN",
    "INVESTS_IN",
    "FAMILY",
    "ACTS_IN_CONCERT",
    "OWNS_IP",
    "MEMBER_OF",
    "PAYS",
)
PARTNER_ROLES = ("managing_partner", "general_partner", "limited_partner", "partner")
#: family relations drawn for FAMILY ties (each a different strength in warmth.yaml)
RELATIONS = ("spouse", "father", "son", "sibling", "in_law", "relative")
#: kinds drawn into the graphs but never walked (not in_paths): they still count for a node's degree
NOT_WALKED = ("IN_SEGMENT",)
ROLES = ("legal_representative", "chairman", "general_manager", "director", "executive", "supervisor", "other")
#: co-owned IP and association memberships (issue 14): a right's type, an association office
IP_TYPES = (None, "invention", "utility_model", "design", "software")
OFFICES = ("president", "vice_president", "secretary_general", "director", "member", "other")
#: the kinds whose identity is their role: one relationship per (ends, role)
ROLE_IDENTITY = ("SERVES_AS", "MEMBER_OF")


#: the kinds filters the Neo4j examples draw from (beside every kind). The server plans each search
#: statement once per kinds filter, the filter being part of its text, each plan seconds of its CPU: a
#: filter drawn anew per example made planning most of this test's time on Neo4j. The embedded store,
#: which plans nothing, draws any subset; how a filter becomes Cypher text does not depend on which
#: kinds it names, and these cover one kind, people's ties, companies' ties and nearly all.
NEO4J_TYPE_FILTERS = (
    ("SUPPLIES",),
    ("SERVES_AS", "HOLDS_SHARES", "FAMILY", "ACTS_IN_CONCERT", "MEMBER_OF"),
    ("SUPPLIES", "GUARANTEES", "PAYS", "LOCATED_IN", "OWNS_IP", "INVESTS_IN", "HOLDS_SHARES"),
    tuple(t for t in TYPES if t != "SERVES_AS"),
)

Case = tuple[RawGraph, PathQuery]
T = TypeVar("T")


def uscc(i: int) -> str:
    body = f"91310000MA{i:07d}"
    return body + check_char(body)


@st.composite
def graphs(
    draw: st.DrawFn, base: int = 0, filters: Sequence[tuple[str, ...]] | None = None
) -> tuple[RawGraph, PathQuery]:
    """A small graph of every kind and a query on it; ``base`` numbers its nodes (see :func:`together`);
    a query that does not walk every kind walks one of ``filters``, or any subset without them."""
    g = RawGraph()
    n_comp = draw(st.integers(2, 9))
    n_pers = draw(st.integers(0, 4))
    n_park = draw(st.integers(0, 2))
    comps = []
    for i in range(n_comp):
        comps.append(
            g.add_company(
                uscc(base + i),
                f"公司{i}",
                status=draw(st.sampled_from(["active", "active", "active", "revoked", "deregistered"])),
                blacklisted=draw(st.booleans()) and draw(st.booleans()),
                is_client=draw(st.booleans()),
                manager=draw(st.sampled_from(["王经理", "李经理"])),
                branch="浦东支行",
            )
        )
    people = [
        g.add_person(f"p{base + i}", f"人{i}", blacklisted=draw(st.booleans()) and draw(st.booleans()))
        for i in range(n_pers)
    ]
    parks = [g.add_park(f"park{base + i}", f"园区{i}") for i in range(n_park)]
    rights = [g.add_node("IPRight", f"ZL{base + i}", f"专利{i}") for i in range(draw(st.integers(0, 2)))]
    chambers = [g.add_node("Association", f"AS{base + i}", f"商会{i}") for i in range(draw(st.integers(0, 2)))]
    segments = [g.add_node("Segment", f"seg{base + i}", f"环节{i}", chain="链") for i in range(draw(st.integers(0, 1)))]
    n_edges = draw(st.integers(4, 30))
    for _ in range(n_edges):
        type_ = draw(st.sampled_from(TYPES + NOT_WALKED))
        if type_ == "IN_SEGMENT":
            if not segments:
                continue
            src, dst = draw(st.sampled_from(comps)), segments[0]
            props: dict[str, object] = {}
        elif type_ == "SERVES_AS":
            if not people:
                continue
            src, dst = draw(st.sampled_from(people)), draw(st.sampled_from(comps))
            props = {"role": draw(st.sampled_from(ROLES))}
            if draw(st.booleans()) and draw(st.booleans()):
                props["until"] = "2020-01-01"
        elif type_ == "LOCATED_IN":
            if not parks:
                continue
            src, dst = draw(st.sampled_from(comps)), draw(st.sampled_from(parks))
            props = {}
        elif type_ in ("OWNS_IP", "MEMBER_OF"):
            middles = rights if type_ == "OWNS_IP" else chambers
            if not middles:
                continue
            src, dst = draw(st.sampled_from(comps + people)), draw(st.sampled_from(middles))
            if type_ == "OWNS_IP":
                ip_type = draw(st.sampled_from(IP_TYPES))
                props = {} if ip_type is None else {"ip_type": ip_type}
            else:
                props = {"role": draw(st.sampled_from(OFFICES))}
            if draw(st.booleans()) and draw(st.booleans()):
                props["lapsed" if type_ == "OWNS_IP" else "until"] = "2020-01-01"
        elif type_ in ("FAMILY", "ACTS_IN_CONCERT"):  # person to person: a family tie, a concert agreement
            if len(people) < 2:
                continue
            src, dst = draw(st.sampled_from(people)), draw(st.sampled_from(people))
            if type_ == "FAMILY":
                props = {"relation": draw(st.sampled_from(RELATIONS))}
            else:
                props = {"until": "2021-06-30"} if draw(st.booleans()) else {}
        elif type_ == "HOLDS_SHARES":
            src = draw(st.sampled_from(comps + people))
            dst = draw(st.sampled_from(comps))
            ratio = draw(st.sampled_from([None, 0.02, 0.1, 0.3, 0.5, 0.9]))
            props = {} if ratio is None else {"ratio": ratio}
            if draw(st.booleans()) and draw(st.booleans()):
                props["until"] = "2019-06-30"  # a holder that has exited: former, weaker
        elif type_ == "INVESTS_IN":
            src, dst = draw(st.sampled_from(comps + people)), draw(st.sampled_from(comps))
            props = {"partner_role": draw(st.sampled_from(PARTNER_ROLES)), "ratio": 0.2}
            if draw(st.booleans()) and draw(st.booleans()):
                props["until"] = "2021-01-31"
        else:
            src, dst = draw(st.sampled_from(comps)), draw(st.sampled_from(comps))
            props = {"amount": draw(st.sampled_from([1e5, 5e6, 2e7, 3e8]))}
            if type_ == "PAYS" and draw(st.booleans()):
                props["payments"] = draw(st.sampled_from([1, 5, 40]))
        if src == dst:
            continue
        # identity: one relationship per (type, ends, identity); keep the first
        ident = (props.get("role") if type_ in ROLE_IDENTITY else None) or props.get("partner_role")
        if any(
            t == type_
            and s == src
            and d == dst
            and ((p.get("role") if t in ROLE_IDENTITY else None) or p.get("partner_role")) == ident
            for t, s, d, p in g.edges
        ):
            continue
        g.add_edge(type_, src, dst, **props)
    target = draw(st.sampled_from(comps + people))
    explicit = draw(st.booleans())
    if explicit:
        others = [n for n in g.nodes if n != target]
        sources: object = (draw(st.sampled_from(others)),)
    else:
        sources = "clients"
    query = PathQuery(
        target=target,
        sources=sources,  # type: ignore[arg-type]
        manager=None if explicit or draw(st.integers(0, 3)) else "王经理",
        types=TYPES if draw(st.booleans()) else kinds_filter(draw, filters),
        max_hops=draw(st.integers(1, 5)) if draw(st.integers(0, 3)) == 0 else 4,
        k=draw(st.integers(1, 6)),
        min_warmth=draw(st.sampled_from([0.0, 0.0, 0.0, 0.01, 0.2])),
        exclude_statuses=draw(st.sampled_from([("revoked", "deregistered"), ()])),
        exclude_blacklisted=draw(st.booleans()),
    )
    return g, query


def kinds_filter(draw: st.DrawFn, filters: Sequence[tuple[str, ...]] | None) -> tuple[str, ...]:
    """One of ``filters``, or (None) any non-empty subset of :data:`TYPES`."""
    if filters is not None:
        return draw(st.sampled_from(filters))
    return tuple(t for t in TYPES if draw(st.booleans())) or TYPES


#: graphs per example on Neo4j: one load of several disjoint graphs, each asked and checked on its own
TOGETHER = 4


def together(strategy: Callable[[int], st.SearchStrategy[T]], backend: str) -> st.SearchStrategy[list[T]]:
    """One case on the embedded store; on Neo4j :data:`TOGETHER` cases whose nodes are numbered apart.

    The graphs share no node, so no path joins two of them and each query's answer on their union is
    its answer on its own graph (what brute force gives): a server pays one clear and one load, and
    plans each statement once, for several graphs instead of one.
    """
    if backend == "embedded":
        return st.tuples(strategy(0)).map(list)
    return st.tuples(*(strategy(1000 * j) for j in range(TOGETHER))).map(list)


def type_filters(backend: str) -> tuple[tuple[str, ...], ...] | None:
    """The kinds filters a store of ``backend`` is asked: any subset on the embedded store, a fixed few on Neo4j."""
    return None if backend == "embedded" else NEO4J_TYPE_FILTERS


def graphs_for(backend: str) -> Callable[[int], st.SearchStrategy[Case]]:
    """:func:`graphs` numbered from a base, with the kinds filters a store of ``backend`` is asked."""
    filters = type_filters(backend)
    return lambda base: graphs(base, filters)


def union(graphs: Sequence[RawGraph]) -> RawGraph:
    """The graphs as one (their nodes are disjoint)."""
    out = RawGraph()
    for g in graphs:
        out.nodes.update(g.nodes)
        out.edges.extend(g.edges)
    return out


def check_together(make_store: StoreFactory, cases: list[Case]) -> None:
    """Load the cases' graphs into one empty store and check every query against brute force on its graph."""
    store = make_store()  # empty
    union([g for g, _ in cases]).write_to(store)
    for graph, query in cases:
        assert summary(store.top_paths(query)) == brute_force(graph, query, store.weights)


def test_top_paths_equal_brute_force(make_store: StoreFactory) -> None:
    share = 1 if make_store.backend == "embedded" else TOGETHER

    @settings(max_examples=examples(make_store, 300) // share, deadline=None)
    @given(cases=together(graphs_for(make_store.backend), make_store.backend))
    def check(cases: list[Case]) -> None:
        check_together(make_store, cases)

    check()


@st.composite
def hub_graphs(draw: st.DrawFn, base: int = 0) -> tuple[RawGraph, PathQuery]:
    """A park or a state holder with many members next to a few real people (``base`` as :func:`graphs` says)."""
    g = RawGraph()
    n = draw(st.integers(25, 45))
    comps = [g.add_company(uscc(base + i), f"公司{i}", is_client=draw(st.booleans())) for i in range(n)]
    hub = g.add_park(f"big{base or ''}", "大园区") if draw(st.booleans()) else g.add_company(uscc(base + 999), "国资委")
    for c in comps:
        if draw(st.integers(0, 9)) < 8:
            if hub.startswith("Park"):
                g.add_edge("LOCATED_IN", c, hub)
            else:
                g.add_edge("HOLDS_SHARES", hub, c, ratio=draw(st.sampled_from([0.05, 0.3, 0.6])))
    people = [g.add_person(f"p{base + i}") for i in range(draw(st.integers(1, 6)))]
    for p in people:
        for c in draw(st.lists(st.sampled_from(comps), min_size=1, max_size=3, unique=True)):
            g.add_edge("SERVES_AS", p, c, role=draw(st.sampled_from(ROLES)))
    target = draw(st.sampled_from(comps))
    return g, PathQuery(target=target, types=TYPES, max_hops=draw(st.integers(2, 4)), k=draw(st.integers(1, 8)))


def test_hubs_rank_like_brute_force(make_store: StoreFactory) -> None:
    share = 1 if make_store.backend == "embedded" else TOGETHER

    @settings(max_examples=examples(make_store, 100) // share, deadline=None)
    @given(cases=together(hub_graphs, make_store.backend))
    def check(cases: list[Case]) -> None:
        check_together(make_store, cases)

    check()
