"""Beneficial Ownership Data Standard 0.4 statements in and out.

BODS (https://standard.openownership.org) publishes who owns and controls
companies as statements about three kinds of record: entities, persons and
relationships, each relationship holding its interests (shareholding, board
membership ...). Registers and the BODS tools (the visualiser, the CoVE
checker) read and write them. Read, the newest statement of each record
counts (``recordStatus: closed`` removes the record) and maps to guanxi's
tables; written, guanxi's companies, persons, holdings and officer posts
become statements that validate against the published 0.4 schema.

=================================  ==========================================
BODS interest                      guanxi
=================================  ==========================================
shareholding, direct               HOLDS_SHARES (``share.exact`` %, or equal
                                   ``minimum``/``maximum``; a range is read
                                   without a share and said so)
boardChair / boardMember /         SERVES_AS, role from ``details`` when it
seniorManagingOfficial             names a title, else 董事长 / 董事 / 高级管理人员
shareholding, ``details`` a        INVESTS_IN (a partner's interest in a fund
partner role (执行事务合伙人,       or partnership; the role from ``details``)
有限合伙人, general partner ...)
a shareholding with ``endDate``    a former holding (``until``): history
indirect interests, voting rights, not loaded: guanxi holds direct ties and
appointment rights, other control  computes the indirect ones; counted
other interests that have ended    not loaded, counted
interested party unknown           not loaded, counted with its ``reason``
=================================  ==========================================

Written, supply, guarantee and park ties are left out and counted, and so are
family ties (``FAMILY``) and concert agreements (``ACTS_IN_CONCERT``): BODS 0.4
has no statement for a tie between two persons (a family's joint control is
guanxi's reading of their stakes, not an interest either of them declares).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from graph.model import Edge, Node
from graph.schema import PropertySpec, Schema
from graph.store import GraphStore
from graph.uscc import is_valid_uscc, normalise_uscc
from loaders.interchange import Mapped, company_reference, graph_part, partner_words, read_records, text_of
from loaders.values import role_of

#: the BODS version written
VERSION = "0.4"

#: the identifier scheme written for a USCC (org-id.guide lists China's registrations under CN-)
USCC_SCHEME = "CN-USCC"

#: interest types read as officer posts, with the title used when ``details`` names none
OFFICER_INTERESTS: dict[str, str] = {
    "boardChair": "董事长",
    "boardMember": "董事",
    "seniorManagingOfficial": "高级管理人员",
}

#: guanxi officer role classes written as BODS interest types
ROLE_INTERESTS: dict[str, str] = {
    "chairman": "boardChair",
    "director": "boardMember",
    "legal_representative": "seniorManagingOfficial",
    "general_manager": "seniorManagingOfficial",
    "executive": "seniorManagingOfficial",
    "supervisor": "otherInfluenceOrControl",
    "other": "otherInfluenceOrControl",
}

#: entity types read as companies (arrangements such as trusts and anonymous entities are not)
COMPANY_TYPES = frozenset({"registeredEntity", "legalEntity", "stateBody", "state"})


def latest_records(records: Iterable[tuple[int, Any]]) -> tuple[dict[str, tuple[int, dict[str, Any]]], int]:
    """The newest statement of every record (by ``statementDate``, then file order), and how many were not.

    A record whose newest statement is ``closed`` is removed. Statements of
    another BODS version (``statementType``, before 0.4) are refused by the
    caller's check.
    """
    newest: dict[str, tuple[str, int, dict[str, Any]]] = {}
    older = 0
    for row, statement in records:
        if not isinstance(statement, dict):
            continue
        record_id = text_of(statement.get("recordId"))
        when = text_of(statement.get("statementDate"))
        if record_id in newest:
            older += 1
            if when < newest[record_id][0]:
                continue
        newest[record_id] = (when, row, statement)
    live = {rid: (row, st) for rid, (_, row, st) in newest.items() if text_of(st.get("recordStatus")) != "closed"}
    return live, older


def _identifiers(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = details.get("identifiers")
    out: list[tuple[str, str]] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and text_of(item.get("id")):
            out.append((text_of(item.get("scheme")).upper(), text_of(item.get("id"))))
    return out


def _company(details: Mapping[str, Any], schema: Schema) -> tuple[dict[str, str], str]:
    """A company row from an entity record, and how relationships name it."""
    cells = {"name": text_of(details.get("name"))}
    ids = _identifiers(details)
    uscc = next((normalise_uscc(i) for _, i in ids if is_valid_uscc(normalise_uscc(i))), "")
    lei = next((i for s, i in ids if s in ("XI-LEI", "LEI")), "")
    other = next(((s, i) for s, i in ids if normalise_uscc(i) != uscc and i != lei), None)
    if uscc:
        cells["uscc"] = uscc
    if lei:
        cells["lei"] = lei
    if other is not None and not uscc:
        cells["other_id"] = other[1]
        if other[0]:
            cells["id_scheme"] = other[0]
    founded = text_of(details.get("foundingDate"))
    if founded:
        cells["founded"] = founded
    return cells, company_reference(cells, schema)


def _person_name(details: Mapping[str, Any]) -> str:
    names = details.get("names")
    for item in names if isinstance(names, list) else []:
        if isinstance(item, dict) and text_of(item.get("fullName")):
            return text_of(item.get("fullName"))
    return ""


def _details(statement: Mapping[str, Any]) -> Mapping[str, Any]:
    """A statement's ``recordDetails``, or an empty mapping when it is missing or not an object."""
    details = statement.get("recordDetails")
    return details if isinstance(details, dict) else {}


def map_statements(records: Iterable[tuple[int, Any]], file: str, schema: Schema) -> Mapped:
    """BODS 0.4 statements (``(row, statement)`` pairs) as rows of guanxi's tables, and what has no home."""
    mapped = Mapped("BODS", file)
    if "INVESTS_IN" in schema.kinds:
        mapped.partner_role = schema.kind("INVESTS_IN").properties.get("partner_role")
    live, _ = latest_records(records)
    role = schema.kind("SERVES_AS").properties.get("role") if "SERVES_AS" in schema.kinds else None
    ends: dict[str, tuple[str, str]] = {}
    for rid, (row, st) in live.items():
        details = _details(st)
        kind = text_of(st.get("recordType"))
        if kind == "entity":
            etype = details.get("entityType")
            etype_name = text_of(etype.get("type")) if isinstance(etype, dict) else ""
            if etype_name not in COMPANY_TYPES:
                mapped.no_home("homeless.entity_type", etype=etype_name or "?")
                continue
            cells, ref = _company(details, schema)
            mapped.add(("nodes", "Company"), row, cells)
            ends[rid] = ("Company", ref)
        elif kind == "person":
            name = _person_name(details)
            if not name:
                mapped.no_home("homeless.unnamed_person", ptype=text_of(details.get("personType")) or "?")
                continue
            mapped.add(("nodes", "Person"), row, {"id": rid, "name": name})
            ends[rid] = ("Person", rid)
    for _rid, (row, st) in live.items():
        if text_of(st.get("recordType")) == "relationship":
            _relationship(mapped, row, _details(st), ends, role)
    return mapped


def _relationship(
    mapped: Mapped,
    row: int,
    details: Mapping[str, Any],
    ends: Mapping[str, tuple[str, str]],
    role: PropertySpec | None,
) -> None:
    """The interests of one relationship record as rows, or counted as having no home."""
    party = details.get("interestedParty")
    if isinstance(party, dict):
        reason = text_of(party.get("reason"))
        if reason:
            mapped.no_home("homeless.owner_unknown", reason=reason)
        else:
            mapped.no_home("homeless.owner_unknown_why")
        return
    subject = ends.get(text_of(details.get("subject")))
    holder = ends.get(text_of(party))
    if subject is None or holder is None or subject[0] != "Company":
        mapped.no_home("homeless.party_missing")
        return
    interests = details.get("interests")
    for interest in interests if isinstance(interests, list) else []:
        if not isinstance(interest, dict):
            continue
        kind = text_of(interest.get("type"))
        start, end = text_of(interest.get("startDate")), text_of(interest.get("endDate"))
        details_text = text_of(interest.get("details"))
        title = _officer_title(kind, details_text, role)
        direct = text_of(interest.get("directOrIndirect")) != "indirect"
        partner = mapped.partner_role
        if kind == "shareholding" and direct and partner is not None and partner.canonical_value(details_text):
            cells = {"investor": holder[1], "fund": subject[1], "investor_type": holder[0]}
            cells["partner_role"] = details_text
            share = _share(interest.get("share"))
            if share:
                cells["ratio"] = f"{share}%"
            cells |= {k: v for k, v in (("since", start), ("until", end)) if v}
            mapped.add(("edges", "INVESTS_IN"), row, cells)
        elif title and holder[0] == "Person" and text_of(interest.get("directOrIndirect")) != "indirect":
            cells = {"person": holder[1], "company": subject[1], "role": title}
            cells |= {k: v for k, v in (("since", start), ("until", end)) if v}
            mapped.add(("edges", "SERVES_AS"), row, cells)
        elif end and kind != "shareholding":
            mapped.no_home("homeless.ended", interest=kind or "?")
        elif text_of(interest.get("directOrIndirect")) == "indirect":
            mapped.no_home("homeless.indirect", interest=kind or "?")
        elif kind == "shareholding":
            cells = {"holder": holder[1], "company": subject[1], "holder_type": holder[0]}
            share = _share(interest.get("share"))
            if share:
                cells["ratio"] = f"{share}%"
            elif isinstance(interest.get("share"), dict):
                mapped.no_home("homeless.share_range")
            cells |= {k: v for k, v in (("since", start), ("until", end)) if v}  # an end: a former holding
            mapped.add(("edges", "HOLDS_SHARES"), row, cells)
        else:
            if kind:
                mapped.no_home("homeless.interest", interest=kind)
            else:
                mapped.no_home("homeless.untyped")


def _officer_title(kind: str, details: str, role: PropertySpec | None) -> str:
    """The officer title an interest stands for, or ``""`` when it is not an officer post.

    Board and senior-official interests are posts, titled by ``details`` or
    by the interest type; any other interest is a post only when its
    ``details`` is a title the role vocabulary knows (监事, 董事会秘书 ...).
    """
    if kind in OFFICER_INTERESTS:
        return details or OFFICER_INTERESTS[kind]
    if details and role is not None and role_of(details, role, ())[1]:
        return details
    return ""


def _share(share: Any) -> str:
    """The exact share in percent as text, from ``exact`` or equal ``minimum``/``maximum``; else ``""``."""
    if not isinstance(share, dict):
        return ""
    exact = text_of(share.get("exact"))
    if exact:
        return exact
    low, high = text_of(share.get("minimum")), text_of(share.get("maximum"))
    return low if low and low == high else ""


def read_statements(path: Path, schema: Schema) -> Mapped:
    """A BODS 0.4 file (a JSON array of statements, or JSON lines) mapped to guanxi's tables."""
    return map_statements(read_records(path), path.name, schema)


# ---------------------------------------------------------------- writing


def statement_id(*parts: str) -> str:
    """A 64-character statement id, stable for the same content (BODS asks for 32 to 64 characters)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _frame(record_id: str, record_type: str, details: dict[str, Any], today: str, publisher: str) -> dict[str, Any]:
    body = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return {
        "statementId": statement_id(record_id, record_type, body),
        "declarationSubject": record_id,
        "statementDate": today,
        "publicationDetails": {"publicationDate": today, "bodsVersion": VERSION, "publisher": {"name": publisher}},
        "recordId": record_id,
        "recordStatus": "new",
        "recordType": record_type,
        "recordDetails": details,
    }


def node_statement(node: Node, today: str, publisher: str) -> dict[str, Any] | None:
    """A company as an entity statement, a person as a person statement; None for other nodes."""
    p = node.props
    if node.label == "Person":
        details = {
            "isComponent": False,
            "personType": "knownPerson",
            "names": [{"type": "legal", "fullName": node.name}],
        }
        return _frame(node.key, "person", details, today, publisher)
    if node.label != "Company":
        return None
    identifiers: list[dict[str, str]] = []
    if p.get("uscc"):
        identifiers.append({"id": str(p["uscc"]), "scheme": USCC_SCHEME, "schemeName": "统一社会信用代码"})
    if p.get("lei"):
        identifiers.append({"id": str(p["lei"]).removeprefix("LEI:"), "scheme": "XI-LEI"})
    for ident in p.get("identifiers") or ():
        scheme, _, value = str(ident).partition(":")
        if value and scheme not in ("LEI", "NAME") and str(ident) != p.get("stock_code"):
            identifiers.append({"id": value, "scheme": scheme})
    entity: dict[str, Any] = {"isComponent": False, "entityType": {"type": "registeredEntity"}, "name": node.name}
    if identifiers:
        entity["identifiers"] = identifiers
    if p.get("uscc"):
        entity["jurisdiction"] = {"code": "CN", "name": "China"}
    if p.get("founded"):
        entity["foundingDate"] = str(p["founded"])
    return _frame(node.key, "entity", entity, today, publisher)


def edge_statement(edge: Edge, keys: Mapping[str, str], today: str, publisher: str) -> dict[str, Any] | None:
    """A holding or an officer post as a relationship statement; None for ties BODS has no interest for."""
    p = edge.props
    interest: dict[str, Any]
    if edge.type in ("HOLDS_SHARES", "INVESTS_IN"):
        interest = {"type": "shareholding", "directOrIndirect": "direct"}
        if p.get("ratio") is not None:
            interest["share"] = {"exact": round(float(p["ratio"]) * 100, 6)}
        if edge.type == "INVESTS_IN":  # a partner's interest: the role, as registers print it, in the details
            interest["details"] = partner_words(p)
        if p.get("until"):
            interest["endDate"] = str(p["until"])
    elif edge.type == "SERVES_AS":
        interest = {
            "type": ROLE_INTERESTS.get(str(p.get("role")), "otherInfluenceOrControl"),
            "directOrIndirect": "direct",
        }
        interest["details"] = str(p.get("role_text") or p.get("role") or "")
        if p.get("until"):
            interest["endDate"] = str(p["until"])
    else:
        return None
    if p.get("since"):
        interest["startDate"] = str(p["since"])
    subject, party = keys[edge.target], keys[edge.source]
    record_id = f"{party}->{subject}:{edge.type}:{p.get('role') or p.get('partner_role') or ''}"
    details = {"isComponent": False, "subject": subject, "interestedParty": party, "interests": [interest]}
    return _frame(record_id, "relationship", details, today, publisher)


def graph_statements(
    store: GraphStore,
    ids: Sequence[str] | None = None,
    *,
    today: str | None = None,
    publisher: str = "guanxi",
    left_out: dict[str, int] | None = None,
) -> Iterator[dict[str, Any]]:
    """The graph (or the nodes ``ids`` and the ties among them) as BODS 0.4 statements, records first.

    ``left_out``, when given, counts the relationship types BODS has no interest for.
    """
    day = today or date.today().isoformat()
    nodes, keys, edges = graph_part(store, ids)
    for node in nodes:
        statement = node_statement(node, day, publisher)
        if statement is not None:
            yield statement
    seen: set[str] = set()
    for edge in edges:
        statement = edge_statement(edge, keys, day, publisher)
        if statement is None:
            if left_out is not None:
                left_out[edge.type] = left_out.get(edge.type, 0) + 1
        elif statement["statementId"] not in seen:
            seen.add(statement["statementId"])
            yield statement


def write_statements(
    store: GraphStore, out: Path, ids: Sequence[str] | None = None, *, today: str | None = None
) -> tuple[int, dict[str, int]]:
    """Write BODS statements as one JSON array to ``out`` (atomically); the count and what was left out."""
    left_out: dict[str, int] = {}
    statements = list(graph_statements(store, ids, today=today, left_out=left_out))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(statements, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)
    return len(statements), left_out
