"""FollowTheMoney entities in and out: guanxi's graph as Aleph and OpenSanctions write it.

FtM data is a stream of entities ``{"id", "schema", "properties": {name:
[values]}}`` (https://followthemoney.tech). Read, each entity maps to a row
of guanxi's tables (:data:`NODE_SCHEMATA`, :data:`EDGE_SCHEMATA`); written,
each node and relationship becomes an entity, so Aleph or any FtM tool opens
guanxi's graph or a query's part of it.

The mapping, both ways:

=============================  =====================================
FtM                            guanxi
=============================  =====================================
Company, Organization,         Company (USCC from ``registrationNumber``
LegalEntity, PublicBody        or ``taxNumber`` when it is one; LEI;
                               another registry number with the
                               ``jurisdiction``)
Organization, classification   Park
``industrial park`` / 园区
Person                         Person (the entity id is the person key)
Ownership                      HOLDS_SHARES (``percentage``, ``sharesValue``
                               in CNY, ``startDate``; ``endDate``: a
                               holder that has exited, a former tie)
Ownership, ``role`` a partner  INVESTS_IN (``role`` read as the partner
role (执行事务合伙人, 有限合伙人  role: managing, general, limited partner)
GP, LP ...)
Directorship                   SERVES_AS (``role`` read by the title
                               vocabulary, ``startDate``, ``endDate``)
Membership of a park           LOCATED_IN
Organization, classification   Association (also any Organization that
``association`` / 商会 /         is the ``organization`` of a Membership)
行业协会 / 工商联
Membership of an association   MEMBER_OF (``role`` read by the office
                               vocabulary, ``startDate``, ``endDate``)
Payment (payer → beneficiary)  PAYS: the Payments of one pair and year
                               make one record (``amount`` summed when
                               in yuan, ``payments`` counted, first and
                               last date); written back as one Payment
                               per record, its count said to be lost
Family                         FAMILY (``relationship``, what the
                               ``relative`` is to the ``person``, read
                               by the relation's values and aliases)
Associate, relationship        ACTS_IN_CONCERT (``startDate``,
``acting in concert`` / 一致行动  ``endDate``)
UnknownLink, role SUPPLIES /   SUPPLIES / GUARANTEES (FtM has no
GUARANTEES                     schema for them: amounts are left out
                               on export, and the export says so)
=============================  =====================================

Other Associates, memberships of other organisations, corporate directors,
payments by or to a person and every other schema are left out, counted.
Industry-chain segments and co-owned IP rights have no FtM schema: they are not written.

The package ``followthemoney`` is not needed: its dependency chain builds
ICU from source, which a bank's locked-down machine should not have to do;
the JSON is simple and this module writes it directly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.model import Edge, Node
from graph.schema import Schema
from graph.store import GraphStore
from graph.uscc import is_valid_uscc, normalise_uscc
from loaders.interchange import Mapped, company_reference, graph_part, partner_words, read_records, text_of

#: FtM schemata read as companies
COMPANY_SCHEMATA = frozenset({"Company", "Organization", "LegalEntity", "PublicBody"})

#: an Organization whose ``classification`` is one of these is a park
PARK_CLASSES = frozenset({"industrial park", "park", "园区", "产业园区", "开发区", "高新区"})

#: the ``classification`` guanxi writes on a park
PARK_CLASS = "industrial park"

#: an Organization whose ``classification`` is one of these is an association (商会, 行业协会, 工商联)
ASSOCIATION_CLASSES = frozenset(
    {
        "association",
        "trade association",
        "chamber of commerce",
        "chamber",
        "商会",
        "协会",
        "行业协会",
        "工商联",
        "工商业联合会",
    }
)

#: the ``classification`` guanxi writes on an association
ASSOCIATION_CLASS = "association"

#: the edge schemata read, each with its two ends (FtM property names)
EDGE_SCHEMATA: dict[str, tuple[str, str]] = {
    "Ownership": ("owner", "asset"),
    "Directorship": ("director", "organization"),
    "Membership": ("member", "organization"),
    "UnknownLink": ("subject", "object"),
    "Payment": ("payer", "beneficiary"),
    "Family": ("person", "relative"),
    "Associate": ("person", "associate"),
}

#: the ``relationship`` of an Associate read as acting in concert (any of these words in it), and the one written
CONCERT_WORDS = ("一致行动", "一致行動", "acting in concert", "concert party")
CONCERT_RELATIONSHIP = "acting in concert (一致行动人)"

#: relationship types written as UnknownLink, their role text
LINK_ROLES: dict[str, str] = {"SUPPLIES": "SUPPLIES", "GUARANTEES": "GUARANTEES"}

#: currencies read as yuan
_YUAN = frozenset({"", "CNY", "RMB", "人民币"})


def _values(entity: Mapping[str, Any], prop: str) -> list[str]:
    """The text values of one property of an entity (FtM keeps every property as a list)."""
    props = entity.get("properties")
    raw = props.get(prop) if isinstance(props, dict) else None
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [t for t in (text_of(v) for v in items) if t]


def _first(entity: Mapping[str, Any], *props: str) -> str:
    for prop in props:
        values = _values(entity, prop)
        if values:
            return values[0]
    return ""


def _is_park(entity: Mapping[str, Any]) -> bool:
    return entity.get("schema") == "Organization" and any(
        c.strip().lower() in PARK_CLASSES for c in _values(entity, "classification")
    )


def _is_association(entity: Mapping[str, Any], joined: set[str]) -> bool:
    """An Organization classified as an association, or one that members join (a Membership names it)."""
    if entity.get("schema") != "Organization":
        return False
    classes = {c.strip().lower() for c in _values(entity, "classification")}
    return bool(classes & ASSOCIATION_CLASSES) or text_of(entity.get("id")) in joined


def _company_cells(entity: Mapping[str, Any], schema: Schema) -> tuple[dict[str, str], str]:
    """A company row from an entity, and how relationships name it (its USCC or another identifier)."""
    cells = {"name": _first(entity, "name")}
    numbers = [*_values(entity, "registrationNumber"), *_values(entity, "taxNumber"), *_values(entity, "uscCode")]
    uscc = next((normalise_uscc(n) for n in numbers if is_valid_uscc(normalise_uscc(n))), "")
    lei = _first(entity, "leiCode")
    other = next((n for n in numbers if normalise_uscc(n) != uscc), "")
    jurisdiction = _first(entity, "jurisdiction", "country").upper()
    if uscc:
        cells["uscc"] = uscc
    if lei:
        cells["lei"] = lei
    if other and not uscc:
        cells["other_id"] = other
        if jurisdiction and jurisdiction != "CN":
            cells["id_scheme"] = jurisdiction
    for prop, column in (("incorporationDate", "founded"), ("sector", "industry"), ("ticker", "stock_code")):
        value = _first(entity, prop)
        if value:
            cells[column] = value
    former = _values(entity, "previousName")
    if former:
        cells["former_names"] = ";".join(former)
    return cells, company_reference(cells, schema)


def map_entities(records: Iterable[tuple[int, Any]], file: str, schema: Schema) -> Mapped:
    """FtM entities (``(row, entity)`` pairs) as rows of guanxi's tables, and what has no home.

    Two passes: nodes first, so that a relationship's ends are known by the
    kind of node (company, person or park) and named as the loaders expect.
    """
    mapped = Mapped("FtM", file)
    if "INVESTS_IN" in schema.kinds:
        mapped.partner_role = schema.kind("INVESTS_IN").properties.get("partner_role")
    entities = [(row, e) for row, e in records if isinstance(e, dict)]
    ends: dict[str, tuple[str, str]] = {}  # FtM id -> (label, reference)
    joined = {_first(e, "organization") for _, e in entities if e.get("schema") == "Membership"}
    for row, entity in entities:
        kind, eid = entity.get("schema"), text_of(entity.get("id"))
        if kind in EDGE_SCHEMATA or kind is None:
            continue
        if _is_park(entity):
            cells = {"id": eid, "name": _first(entity, "name")}
            mapped.add(("nodes", "Park"), row, cells)
            ends[eid] = ("Park", eid)
        elif _is_association(entity, joined):
            cells = {"id": eid, "name": _first(entity, "name")}
            mapped.add(("nodes", "Association"), row, cells)
            ends[eid] = ("Association", eid)
        elif kind in COMPANY_SCHEMATA:
            cells, ref = _company_cells(entity, schema)
            mapped.add(("nodes", "Company"), row, cells)
            ends[eid] = ("Company", ref)
        elif kind == "Person":
            mapped.add(("nodes", "Person"), row, {"id": eid, "name": _first(entity, "name")})
            ends[eid] = ("Person", eid)
        else:
            mapped.no_home("homeless.schema", schema=str(kind))
    payments: dict[tuple[str, str, str], tuple[int, list[Mapping[str, Any]]]] = {}
    for row, entity in entities:
        kind = entity.get("schema")
        if kind not in EDGE_SCHEMATA:
            if kind is None:
                mapped.no_home("homeless.no_schema")
            continue
        source_prop, target_prop = EDGE_SCHEMATA[str(kind)]
        source = ends.get(_first(entity, source_prop), ("", _first(entity, source_prop)))
        target = ends.get(_first(entity, target_prop), ("", _first(entity, target_prop)))
        if kind == "Payment":
            if "PAYS" not in schema.kinds or "Person" in (source[0], target[0]):
                if "PAYS" in schema.kinds:
                    mapped.no_home("homeless.person_payment")
                else:
                    mapped.no_home("homeless.schema", schema="Payment")
                continue
            year = _first(entity, "date", "startDate", "endDate")[:4]
            payments.setdefault((source[1], target[1], year), (row, []))[1].append(entity)
            continue
        _map_edge(mapped, row, str(kind), entity, source, target)
    for (payer, payee, year), (row, group) in payments.items():
        mapped.add(("edges", "PAYS"), row, _payment_cells(payer, payee, year, group))
    return mapped


def _payment_cells(payer: str, payee: str, year: str, group: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """One PAYS row from the FtM Payments of one pair and year: total (when every amount is in yuan), count,
    first and last date."""
    cells = {"payer": payer, "payee": payee, "payments": str(len(group))}
    if year:
        cells["year"] = year
    amounts = [_first(e, "amount") for e in group]
    if all(amounts) and all(_first(e, "currency").upper() in _YUAN for e in group):
        try:
            cells["amount"] = f"{sum(float(a.replace(',', '')) for a in amounts):.2f}"
        except ValueError:
            cells["amount"] = amounts[0]  # not a number: validation names the row and column
    starts = sorted(d for e in group for d in [_first(e, "startDate", "date")] if len(d) == 10)
    ends = sorted(d for e in group for d in [_first(e, "endDate", "date")] if len(d) == 10)
    if starts:
        cells["first"] = starts[0]
    if ends:
        cells["last"] = ends[-1]
    return cells


def _map_edge(
    mapped: Mapped, row: int, kind: str, entity: Mapping[str, Any], source: tuple[str, str], target: tuple[str, str]
) -> None:
    """One FtM relationship entity as a row of the matching guanxi table, or counted as homeless."""
    start, end = _first(entity, "startDate"), _first(entity, "endDate")
    if kind == "Ownership":
        partner = _partner_role(mapped, _first(entity, "role"))
        if partner:
            cells = {"investor": source[1], "fund": target[1], "partner_role": partner}
            if source[0]:
                cells["investor_type"] = source[0]
        else:
            cells = {"holder": source[1], "company": target[1]}
            if source[0]:
                cells["holder_type"] = source[0]
        share = _first(entity, "percentage").rstrip("%").strip()
        if share:
            cells["ratio"] = f"{share}%"
        if _first(entity, "sharesValue") and _first(entity, "sharesCurrency").upper() in _YUAN:
            cells["amount"] = _first(entity, "sharesValue")
        cells |= {k: v for k, v in (("since", start), ("until", end)) if v}
        mapped.add(("edges", "INVESTS_IN" if partner else "HOLDS_SHARES"), row, cells)
    elif kind == "Directorship":
        if source[0] == "Company":
            mapped.no_home("homeless.company_director")
            return
        cells = {"person": source[1], "company": target[1], "role": _first(entity, "role") or "director"}
        cells |= {k: v for k, v in (("since", start), ("until", end)) if v}
        mapped.add(("edges", "SERVES_AS"), row, cells)
    elif kind == "Membership" and target[0] == "Park":
        cells = {"company": source[1], "park": target[1]} | ({"since": start} if start else {})
        mapped.add(("edges", "LOCATED_IN"), row, cells)
    elif kind == "Membership" and target[0] == "Association":
        cells = {"member": source[1], "association": target[1]}
        cells |= {
            k: v
            for k, v in (("member_type", source[0]), ("role", _first(entity, "role")), ("since", start), ("until", end))
            if v
        }
        mapped.add(("edges", "MEMBER_OF"), row, cells)
    elif kind == "UnknownLink" and _first(entity, "role") in LINK_ROLES:
        role = _first(entity, "role")
        if role == "SUPPLIES":
            mapped.add(("edges", "SUPPLIES"), row, {"supplier": source[1], "customer": target[1]})
        else:
            cells = {"guarantor": source[1], "borrower": target[1]}
            cells |= {k: v for k, v in (("start", start), ("end", end)) if v}
            if source[0]:
                cells["guarantor_type"] = source[0]
            mapped.add(("edges", "GUARANTEES"), row, cells)
    elif kind == "Family":
        cells = {"relative": target[1], "person": source[1], "relation": _first(entity, "relationship") or "relative"}
        mapped.add(("edges", "FAMILY"), row, cells)
    elif kind == "Associate" and any(w in _first(entity, "relationship").lower() for w in CONCERT_WORDS):
        cells = {"person": source[1], "partner": target[1]}
        cells |= {k: v for k, v in (("since", start), ("until", end)) if v}
        mapped.add(("edges", "ACTS_IN_CONCERT"), row, cells)
    else:
        if kind in ("Membership", "UnknownLink", "Associate"):
            mapped.no_home("homeless.other_kinds", schema=kind)
        else:
            mapped.no_home("homeless.schema", schema=kind)


def _partner_role(mapped: Mapped, role: str) -> str:
    """The ownership's ``role`` when it names a partner role of a fund or partnership (as written), else ``""``."""
    spec = mapped.partner_role
    return role if role and spec is not None and spec.canonical_value(role) is not None else ""


def read_entities(path: Path, schema: Schema) -> Mapped:
    """An FtM file (JSON lines, or one JSON array) mapped to guanxi's tables."""
    return map_entities(read_records(path), path.name, schema)


# ---------------------------------------------------------------- writing


def entity_id(kind: str, *parts: str) -> str:
    """A stable entity id for a relationship: its kind and ends hashed (FtM ids are opaque text).

    >>> entity_id("Ownership", "a", "b") == entity_id("Ownership", "a", "b")
    True
    """
    digest = hashlib.sha1("\x1f".join((kind, *parts)).encode("utf-8")).hexdigest()
    return f"gx-{kind.lower()}-{digest[:20]}"


def _props(**values: object) -> dict[str, list[str]]:
    """FtM properties from keyword values, leaving out empty ones; every value a list of text."""
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        if value is None or value == "" or value == ():
            continue
        items = value if isinstance(value, list | tuple) else [value]
        out[key] = [str(v) for v in items]
    return out


def node_entity(node: Node) -> dict[str, Any] | None:
    """A guanxi node as an FtM entity (its id is the node's key)."""
    p = node.props
    if node.label == "Person":
        return {"id": node.key, "schema": "Person", "properties": _props(name=node.name)}
    if node.label == "Park":
        props = _props(name=node.name, classification=PARK_CLASS, country="cn")
        return {"id": node.key, "schema": "Organization", "properties": props}
    if node.label == "Association":
        props = _props(name=node.name, classification=ASSOCIATION_CLASS, country="cn")
        return {"id": node.key, "schema": "Organization", "properties": props}
    if node.label != "Company":
        return None
    uscc = p.get("uscc")
    others = [
        i
        for i in (p.get("identifiers") or ())
        if ":" in str(i) and not str(i).startswith(("LEI:", "NAME:")) and str(i) != p.get("stock_code")
    ]
    props = _props(
        name=node.name,
        registrationNumber=[uscc] if uscc else others,
        jurisdiction="cn" if uscc else None,
        leiCode=str(p.get("lei") or "").removeprefix("LEI:") or None,
        ticker=p.get("stock_code"),
        incorporationDate=p.get("founded"),
        sector=p.get("industry"),
        previousName=list(p.get("former_names") or ()),
    )
    return {"id": node.key, "schema": "Company", "properties": props}


def edge_entity(edge: Edge, keys: Mapping[str, str]) -> tuple[dict[str, Any] | None, str]:
    """A relationship as an FtM entity, and what of it FtM could not hold (``""`` if nothing)."""
    p = edge.props
    src, dst = keys[edge.source], keys[edge.target]
    if edge.type == "HOLDS_SHARES":
        ratio = p.get("ratio")
        props = _props(
            owner=src,
            asset=dst,
            percentage=None if ratio is None else f"{round(float(ratio) * 100, 6):g}",
            sharesValue=None if p.get("amount") is None else f"{float(p['amount']):g}",
            sharesCurrency="CNY" if p.get("amount") is not None else None,
            startDate=p.get("since"),
            endDate=p.get("until"),
        )
        return {"id": entity_id("Ownership", src, dst), "schema": "Ownership", "properties": props}, ""
    if edge.type == "INVESTS_IN":
        partner = partner_words(p)
        ratio = p.get("ratio")
        props = _props(
            owner=src,
            asset=dst,
            role=partner,
            percentage=None if ratio is None else f"{round(float(ratio) * 100, 6):g}",
            sharesValue=None if p.get("amount") is None else f"{float(p['amount']):g}",
            sharesCurrency="CNY" if p.get("amount") is not None else None,
            startDate=p.get("since"),
            endDate=p.get("until"),
        )
        return {"id": entity_id("Ownership", src, dst, partner), "schema": "Ownership", "properties": props}, ""
    if edge.type == "SERVES_AS":
        role = p.get("role_text") or p.get("role")
        props = _props(director=src, organization=dst, role=role, startDate=p.get("since"), endDate=p.get("until"))
        return {"id": entity_id("Directorship", src, dst, str(role)), "schema": "Directorship", "properties": props}, ""
    if edge.type == "LOCATED_IN":
        props = _props(member=src, organization=dst, startDate=p.get("since"))
        return {"id": entity_id("Membership", src, dst), "schema": "Membership", "properties": props}, ""
    if edge.type == "MEMBER_OF":
        role = p.get("role_text") or p.get("role")
        props = _props(member=src, organization=dst, role=role, startDate=p.get("since"), endDate=p.get("until"))
        return {"id": entity_id("Membership", src, dst, str(role)), "schema": "Membership", "properties": props}, ""
    if edge.type == "PAYS":
        amount = p.get("amount")
        props = _props(
            payer=src,
            beneficiary=dst,
            amount=None if amount is None else f"{float(amount):.2f}",
            currency="CNY" if amount is not None else None,
            startDate=p.get("first") or (None if p.get("year") is None else str(p.get("year"))),
            endDate=p.get("last"),
        )
        entity = {"id": entity_id("Payment", src, dst, str(p.get("year"))), "schema": "Payment", "properties": props}
        lost = [k for k in ("payments", "channel") if p.get(k) is not None]  # one Payment has no count or channel
        return entity, f"PAYS: {', '.join(lost)}" if lost else ""
    if edge.type == "FAMILY":  # a row says what its source (the relative) is to its target (the person)
        props = _props(person=dst, relative=src, relationship=p.get("relation"))
        return {"id": entity_id("Family", dst, src), "schema": "Family", "properties": props}, ""
    if edge.type == "ACTS_IN_CONCERT":
        props = _props(
            person=src,
            associate=dst,
            relationship=CONCERT_RELATIONSHIP,
            startDate=p.get("since"),
            endDate=p.get("until"),
        )
        return {"id": entity_id("Associate", src, dst), "schema": "Associate", "properties": props}, ""
    if edge.type in LINK_ROLES:
        lost = [k for k in ("amount", "transactions", "year", "product", "guarantee_type") if p.get(k) is not None]
        props = _props(
            subject=src, object=dst, role=LINK_ROLES[edge.type], startDate=p.get("start"), endDate=p.get("end")
        )
        parts = (src, dst, *(str(p.get(k)) for k in ("year", "start", "end", "amount", "guarantee_type")))
        entity = {"id": entity_id("UnknownLink", *parts), "schema": "UnknownLink", "properties": props}
        return entity, f"{edge.type}: {', '.join(lost)}" if lost else ""
    return None, f"{edge.type}: the whole relationship"


def graph_entities(
    store: GraphStore, ids: Sequence[str] | None = None, lost: dict[str, int] | None = None
) -> Iterator[dict[str, Any]]:
    """The graph (or the nodes ``ids`` and the relationships among them) as FtM entities.

    ``lost``, when given, counts what FtM could not hold, by ``"TYPE: props"``.
    """
    nodes, keys, edges = graph_part(store, ids)
    for node in nodes:
        entity = node_entity(node)
        if entity is not None:
            yield entity
    seen: set[str] = set()
    for edge in edges:
        entity, missing = edge_entity(edge, keys)
        if missing and lost is not None:
            lost[missing] = lost.get(missing, 0) + 1
        if entity is not None and entity["id"] not in seen:
            seen.add(entity["id"])
            yield entity


def write_entities(store: GraphStore, out: Path, ids: Sequence[str] | None = None) -> tuple[int, dict[str, int]]:
    """Write FtM entities as JSON lines to ``out`` (atomically); the count and what FtM could not hold."""
    lost: dict[str, int] = {}
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as handle:
        for entity in graph_entities(store, ids, lost):
            handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    tmp.replace(out)
    return count, lost
