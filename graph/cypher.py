"""Every Cypher statement guanxi sends to Neo4j, as constants and small builders.

Rules kept here so that no other module has to think about them:

* user values always travel as parameters (``$rows``, ``$ids``, ``$text``);
* node labels and relationship types are the only things written into the
  text of a statement, and only after :func:`label` / :func:`rel_type` checked
  them against the schema's allow-list (and quoted them with backticks);
* a node is found by its graph-wide id (``"Label:key"``, property
  :data:`ID`) under its label, so every look-up is an index seek. A query on
  ids of several labels finds them with one short ``OPTIONAL MATCH`` per
  label (:func:`by_ids`) and states the rest once; where each label's branch
  differs, it is a ``UNION ALL`` of whole branches (:func:`per_label`). Both
  are Neo4j 5 syntax without deprecations.

The graph-wide id lives in ``_id`` rather than ``id``: persons and parks have
a key column called ``id`` of their own, which the node keeps as a property
exactly as the embedded store does. Other properties starting with ``_`` are
the store's bookkeeping (search copies of name and key, the strength of a
relationship) and are never shown.

>>> from graph.schema import load_schema
>>> schema = load_schema()
>>> label(schema, "Company")
'`Company`'
>>> rel_types(schema, ["SERVES_AS", "LOCATED_IN"])
'`SERVES_AS`|`LOCATED_IN`'
>>> label(schema, "Company) DETACH DELETE (n")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.InvalidParameter: parameter 'label': unknown label 'Company) DETACH DELETE (n'; known: ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from graph.errors import InvalidParameter
from graph.schema import Schema

#: property holding the graph-wide id ``"Label:key"`` (unique per label)
ID = "_id"
#: relationship property holding the identity key (same as the embedded store's edge key)
KEY = "_key"
#: relationship property holding the strength warmth gives it
STRENGTH = "_strength"
#: search copies: upper-case key, case-folded name, case-folded former names
KEY_UC = "_key_uc"
NAME_LC = "_name_lc"
FORMER_LC = "_former_lc"
#: what separates (and surrounds) the former names in ``_former_lc``: the ASCII unit separator
FORMER_SEP = "\x1f"
#: how many relationships run from a node to itself (kept only where there are any)
LOOPS = "_loops"
#: creation order of nodes and relationships (the embedded store's iteration order)
SEQ = "_seq"
#: the load generation that created a node or relationship; missing on graphs written before
#: generations, which count as generation 0 (always visible)
GEN = "_gen"
#: the generation from which a node or relationship is gone (a replace that did not write it again)
END = "_end"
#: old values kept while a load changes a node or relationship: the generation that changed it, the keys
#: whose earlier values it kept and, per key ``k``, the earlier value in ``_o_k`` (missing: there was none)
OGEN = "_ogen"
OSAVED = "_osaved"
OLD_PREFIX = "_o_"
#: the sequence number a replace's new order took the place of (given back if the replace fails)
OSEQ = "_oseq"
#: the replace that wrote a node or relationship it found already there, and the properties it wrote
#: (the others, the old graph's, are dropped before it is published)
RGEN = "_rgen"
KEYS = "_keys"
#: node properties that are bookkeeping, not data
#: search copy of a company's other identifiers (SSE:600519, LEI:...), upper case, each between FORMER_SEP
IDENTS_UC = "_idents_uc"
#: on a node: a load created, changed or retired one of its relationships since the last clean-up, so
#: its relationships must be filtered by generation (without it, all of them are visible and unchanged,
#: and its degree comes from the count store)
DGEN = "_dgen"
_GEN_PROPS = (GEN, END, OGEN, OSAVED, OSEQ, RGEN, KEYS, DGEN)
#: the default filter's search bounds of a node, in two slots (a published generation's bounds are
#: written into the slot of its parity, so the previous generation's stay whole while they are written):
#: the least cost (-log warmth, hub discounts included) and the fewest hops from the node to a client
BOUND_COST = ("_bc0", "_bc1")
BOUND_HOPS = ("_bh0", "_bh1")
_BOUND_PROPS = (*BOUND_COST, *BOUND_HOPS)
HIDDEN_NODE_PROPS = frozenset({ID, KEY_UC, NAME_LC, FORMER_LC, LOOPS, SEQ, IDENTS_UC, *_GEN_PROPS, *_BOUND_PROPS})
#: relationship properties that are bookkeeping (``_key`` is shown, as the embedded store does)
HIDDEN_REL_PROPS = frozenset({STRENGTH, SEQ, *_GEN_PROPS})
#: bookkeeping a write sets itself (not in a row's ``props``): kept when a replace drops stale properties
KEPT_NODE_PROPS = (ID, SEQ, LOOPS, *_GEN_PROPS, *_BOUND_PROPS)
KEPT_REL_PROPS = (KEY, SEQ, *_GEN_PROPS)
#: the one node that records which warmth weights the stored strengths use
META_LABEL = "GuanxiMeta"
META_ID = "meta"

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# -- allow-list ---------------------------------------------------------------
def _quote(name: str) -> str:
    if not _IDENT.match(name):  # pragma: no cover - the schema only allows identifiers
        raise InvalidParameter("name", f"{name!r} is not a plain identifier")
    return f"`{name}`"


def label(schema: Schema, name: str) -> str:
    """``name`` quoted for Cypher, if it is a label of the schema; InvalidParameter otherwise."""
    if name not in schema.labels:
        raise InvalidParameter("label", f"unknown label {name!r}; known: {', '.join(schema.labels)}")
    return _quote(name)


def rel_type(schema: Schema, name: str) -> str:
    """``name`` quoted for Cypher, if it is a relationship type of the schema; InvalidParameter otherwise."""
    if name not in schema.types:
        raise InvalidParameter("types", f"unknown relationship type {name!r}; known: {', '.join(schema.types)}")
    return _quote(name)


def rel_types(schema: Schema, names: Sequence[str]) -> str:
    """``A|B|C`` for a relationship pattern, every type checked; InvalidParameter if empty.

    In schema order whatever the order given, so the same types always give
    the same statement text and the server plans it once.
    """
    if not names:
        raise InvalidParameter("types", "at least one relationship type is needed")
    checked = {rel_type(schema, n): schema.types.index(n) for n in names}
    return "|".join(sorted(checked, key=checked.__getitem__))


def labels_expression(schema: Schema, var: str, names: Iterable[str]) -> str:
    """``n:`A` OR n:`B``: a predicate true for nodes carrying any of the checked labels."""
    return " OR ".join(f"{var}:{label(schema, n)}" for n in names)


def per_label(schema: Schema, labels: Iterable[str], branch: Callable[[str], str]) -> str:
    """One ``UNION ALL`` branch per label; ``branch`` gets the quoted label.

    For a statement whose branches differ by more than the label. Statements
    on ids of several labels use :func:`by_ids` instead: the caller passes
    ids grouped by label, an empty list (or nothing) for a label without ids.
    """
    parts = [branch(label(schema, name)) for name in labels]
    if not parts:
        raise InvalidParameter("labels", "no labels to query")
    return "\nUNION ALL\n".join(parts)


def by_ids(schema: Schema, var: str = "v", param: str = "ids") -> str:
    """The nodes ``$ids`` (grouped by label) that generation ``$pub`` sees, as ``var``, for the rest of
    a statement: one index seek per id, whatever its label.

    Only the look-up is repeated per label (an ``OPTIONAL MATCH`` whose
    ``IN`` is an index seek); what the statement does with the nodes is
    written once. Neo4j plans each distinct
    text once per server, and its planning time grows with the text: the
    search's expansion step, written out per label, was 9.7 KB and took
    1.5 s of a fresh server's CPU to plan (measured on the test server).

    >>> from graph.schema import load_schema
    >>> by_ids(load_schema()).startswith("OPTIONAL MATCH (v0:`Company`) WHERE v0._id IN $ids.`Company` WITH")
    True
    """
    if not schema.labels:
        raise InvalidParameter("labels", "no labels to query")
    steps: list[str] = []
    lists: list[str] = []
    for i, name in enumerate(schema.labels):
        q, n = label(schema, name), f"{var}{i}"
        kept = "".join(f"{f}, " for f in lists)
        lists.append(f"found{i}")
        steps.append(f"OPTIONAL MATCH ({n}:{q}) WHERE {n}.{ID} IN ${param}.{q} WITH {kept}collect({n}) AS {lists[-1]}")
    return f"{' '.join(steps)} UNWIND {' + '.join(lists)} AS {var} WITH {var} WHERE {visible(var)}"


# -- schema: constraints and indexes -------------------------------------------
def index_name(label_name: str, what: str) -> str:
    """Name of one of guanxi's constraints or indexes, e.g. ``guanxi_company_id``."""
    return f"guanxi_{label_name.lower()}_{what}"


def drop_index(name: str) -> str:
    """Drop one of guanxi's own indexes by name (``name`` from :func:`schema_statements`, never user text)."""
    if not re.fullmatch(r"guanxi_[a-z0-9_]+", name):
        raise InvalidParameter("name", f"not a guanxi index name: {name!r}")
    return f"DROP INDEX {name} IF EXISTS"


def is_constraint(name: str) -> bool:
    """Whether the statement of :func:`schema_statements` called ``name`` makes a constraint."""
    return name.endswith("_id")


def schema_statements(schema: Schema) -> dict[str, str]:
    """Constraint and index statements by name, all idempotent (``IF NOT EXISTS``).

    Only what the queries use: the unique graph id, the upper-case key and
    case-folded name for exact look-ups, a text index on the name for
    ``CONTAINS``, the creation order for listing; former names and the client
    flag only where the schema has them (every index slows every write).
    """
    out: dict[str, str] = {}
    client_labels = {"Company"}
    for name, spec in schema.labels.items():
        q = label(schema, name)

        def index(what: str, prop: str, kind: str = "", *, q: str = q, name: str = name) -> None:
            out[index_name(name, what)] = (
                f"CREATE {kind}INDEX {index_name(name, what)} IF NOT EXISTS FOR (n:{q}) ON (n.{prop})"
            )

        out[index_name(name, "id")] = (
            f"CREATE CONSTRAINT {index_name(name, 'id')} IF NOT EXISTS FOR (n:{q}) REQUIRE n.{ID} IS UNIQUE"
        )
        index("key_uc", KEY_UC)
        index("name_lc", NAME_LC)
        index("name_text", NAME_LC, "TEXT ")
        index("seq", SEQ)
        if "former_names" in spec.properties:
            index("former_text", FORMER_LC, "TEXT ")
        if spec.key_from:
            index("idents_text", IDENTS_UC, "TEXT ")
        if name in client_labels:
            index("client", "is_client")
    meta = index_name(META_LABEL, "id")
    out[meta] = f"CREATE CONSTRAINT {meta} IF NOT EXISTS FOR (n:{META_LABEL}) REQUIRE n.{ID} IS UNIQUE"
    return out


#: names of the indexes and of the constraints (two statements: SHOW cannot be combined by UNION)
SHOW_SCHEMA = ("SHOW INDEXES YIELD name RETURN name", "SHOW CONSTRAINTS YIELD name RETURN name")
#: guanxi's own indexes (constraints' backing indexes included) with their state, kind, what owns them and,
#: for a FAILED one, the server's reason (a Java trace: only its first line is ever shown)
SHOW_INDEX_STATES = (
    "SHOW INDEXES YIELD name, type, state, owningConstraint, failureMessage, populationPercent "
    "WHERE name STARTS WITH 'guanxi_' "
    "RETURN name, type, state, owningConstraint AS constraint, failureMessage AS failure, "
    "populationPercent AS percent ORDER BY name"
)


def drop_constraint(name: str) -> str:
    """Drop one of guanxi's own constraints by name (``name`` from :func:`schema_statements`, never user text)."""
    if not re.fullmatch(r"guanxi_[a-z0-9_]+", name):
        raise InvalidParameter("name", f"not a guanxi constraint name: {name!r}")
    return f"DROP CONSTRAINT {name} IF EXISTS"


#: the string properties guanxi indexes, each with the kind of index over it
INDEXED_STRINGS = {ID: "range", KEY_UC: "range", NAME_LC: "range", FORMER_LC: "text", IDENTS_UC: "text"}


def oversize_values(schema: Schema, label_name: str) -> str:
    """Nodes of one label with an indexed string property longer than ``$chars`` characters:
    ``id`` (its ``_id``, or its element id if even that is unusable), ``prop`` and ``value``.

    A pre-filter on characters (the byte limit over 4, the most bytes a
    character takes in UTF-8); the caller measures the bytes. A scan of the
    label: only ``guanxi doctor`` asks it.
    """
    q = label(schema, label_name)
    branches = [
        f"MATCH (n:{q}) WHERE n.{prop} IS :: STRING AND size(n.{prop}) > $chars "
        f"RETURN coalesce(left(toString(n.{ID}), 200), elementId(n)) AS id, {prop!r} AS prop, n.{prop} AS value"
        for prop in INDEXED_STRINGS
    ]
    return "\nUNION ALL\n".join(branches)


# -- writing ----------------------------------------------------------------------
#: what a reader may see: the generation last published (graphs written before publication count the
#: replace generation they record, or 0: everything there is visible)
_PUBLISHED = "coalesce(m.published, m.generation, 0)"
#: the generation readers see, read once per answer (:meth:`graph.neo4j_store.Neo4jStore.snapshot`)
GET_PUBLISHED = f"OPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) RETURN {_PUBLISHED} AS published"
#: a load begins: unless another load holds the graph (``loading`` with a heartbeat younger than
#: ``$lease`` ms), take a generation never used before and hold it; ``clean`` says whether a load died
#: or a published one left old values or retired rows behind, which the new load cleans first
BEGIN_LOAD = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()) "
    f"WITH m, {_PUBLISHED} AS published, "
    "m.loading IS NOT NULL AND coalesce(m.heartbeat, 0) > timestamp() - $lease AS busy "
    "WITH m, published, busy, m.loading AS other, timestamp() - coalesce(m.heartbeat, 0) AS idle, "
    "coalesce(m.dirty, false) OR m.loading IS NOT NULL OR coalesce(m.generations, 0) > published AS clean, "
    "CASE WHEN coalesce(m.generations, 0) > published THEN m.generations ELSE published END + 1 AS next "
    "FOREACH (_ IN CASE WHEN busy THEN [] ELSE [1] END | "
    "SET m.published = published, m.generation = published, m.generations = next, m.loading = next, "
    "m.heartbeat = timestamp(), m.dirty = false) "
    "RETURN busy, other, idle, published, next AS generation, clean"
)
#: reserve ``$n`` sequence numbers (creation order) for one write; returns the first as ``base`` and
#: whether the load ``$gen`` still holds the graph (its heartbeat is renewed)
RESERVE_SEQ = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()), m.seq = coalesce(m.seq, 0) + $n "
    "WITH m, m.loading = $gen AS held "
    "FOREACH (_ IN CASE WHEN held THEN [1] ELSE [] END | SET m.heartbeat = timestamp()) "
    "RETURN m.seq - $n AS base, coalesce(held, false) AS held"
)
#: the load ``$gen`` is alive (a long step between writes, such as filling the indexes)
HEARTBEAT = f"MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) WHERE m.loading = $gen SET m.heartbeat = timestamp()"
#: the load ``$gen`` is done: readers see it from now on, all at once (0 rows: it no longer held the graph)
PUBLISH = (
    f"MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) WHERE m.loading = $gen "
    "SET m.published = $gen, m.generation = $gen, m.version = coalesce(m.version, 0) + 1, m.dirty = true "
    "REMOVE m.loading, m.heartbeat RETURN m.published AS published"
)
#: the load ``$gen`` gave up (its leftovers are taken back, or cleaned by the next load)
RELEASE = f"MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) WHERE m.loading = $gen REMOVE m.loading, m.heartbeat"
#: whether the load ``$gen`` still holds the graph, and the generation published
HOLD_STATE = (
    f"OPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    f"RETURN coalesce(m.loading = $gen, false) AS held, {_PUBLISHED} AS published"
)
#: a clean-up outside a load: hold the graph as a load would, without a generation of its own
#: (``generation`` is null when another load is alive)
BEGIN_TIDY = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()) "
    f"WITH m, {_PUBLISHED} AS published, "
    "m.loading IS NOT NULL AND coalesce(m.heartbeat, 0) > timestamp() - $lease AS busy "
    "WITH m, published, busy, m.loading AS other, timestamp() - coalesce(m.heartbeat, 0) AS idle, "
    "CASE WHEN coalesce(m.generations, 0) > published THEN m.generations ELSE published END + 1 AS next "
    "FOREACH (_ IN CASE WHEN busy THEN [] ELSE [1] END | "
    "SET m.published = published, m.generation = published, m.generations = next, m.loading = next, "
    "m.heartbeat = timestamp(), m.dirty = false) "
    "RETURN busy, other, idle, published, next AS generation, true AS clean"
)
#: count a write in the store's version, after its data is committed (readers' caches follow it)
BUMP_VERSION = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()), m.version = coalesce(m.version, 0) + 1"
)
#: run once at connection time: does the database exist and answer, and does the graph still lack
#: its constraints and indexes (written by ``neo4j-admin database import``, or a load that died)?
SCHEMA_PENDING = (
    f"OPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) RETURN coalesce(m.schema_pending, false) AS pending"
)
#: the graph's constraints and indexes are made
SCHEMA_DONE = f"MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) REMOVE m.schema_pending"
#: a load began without the secondary indexes (made when it finishes, or on the next connection if it fails)
MARK_SCHEMA_PENDING = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()), m.schema_pending = true"
)
#: the indexes a repair on connect could not bring back (the next connections only warn about them)
GET_FAILED_REPAIRS = (
    f"OPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) RETURN coalesce(m.failed_repairs, []) AS names"
)
SET_FAILED_REPAIRS = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()), m.failed_repairs = $names"
)
#: the store's version: a random epoch per graph (a clear starts a new one) and a write counter
GET_VERSION = f"OPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) RETURN m.epoch AS epoch, m.version AS version"


def prop_key(name: str) -> str:
    """A property name quoted for Cypher (backticks doubled): schema columns are data."""
    return "`" + name.replace("`", "``") + "`"


def old_key(name: str) -> str:
    """The quoted property holding the value ``name`` had before the load that changed it."""
    return prop_key(OLD_PREFIX + name)


def _stamp(var: str, names: Sequence[str], seq: str, carry: str = "") -> str:
    """Clauses after a MERGE (or MATCH) of ``var`` that write ``row.props`` for the load ``$gen``.

    Readers must not see a change before the load is published, so one
    created by this load (``_gen = $gen``: invisible until then) is written
    in place, and one that was there before keeps the values it had: the
    first time this load changes one of ``$keys`` (the columns the rows may
    hold), their current values are copied to ``_o_<key>`` and listed in
    ``_osaved`` with ``_ogen = $gen``. The text names every property the
    statement could write (``names``, also passed as ``$names``: the label's or
    kind's whole known set, see :func:`write_names`) and tests membership in
    ``$keys`` at run time, so one text serves batches with different columns:
    Neo4j plans each distinct text once, and planning is what a load of many
    small batches spends its time on. Readers of an older generation read
    those (:func:`value`, :func:`graph.neo4j_rows.visible_props`); a row that
    changes nothing is not written at all. In a replace (``$replace``) a row
    already there is also marked as written (``_rgen``, ``_keys`` for the
    properties it wrote) and takes the new graph's order (its sequence
    number, the old one kept in ``_oseq``). ``carry``: more variables to keep (``, a, b``).
    """
    saves = ", ".join(
        f"{var}.{old_key(k)} = CASE WHEN NOT $names[{i}] IN $keys OR (again AND $names[{i}] IN {var}.{OSAVED}) "
        f"THEN {var}.{old_key(k)} ELSE {var}.{prop_key(k)} END"
        for i, k in enumerate(names)
    )
    saves = f"{saves}, " if saves else ""
    return (
        f"WITH {var}, row{carry}, coalesce({var}.{GEN}, 0) = $gen AS own "
        f"WITH {var}, row{carry}, own, NOT own AND any(k IN keys(row.props) "
        f"WHERE NOT coalesce({var}[k] = row.props[k], false)) AS changed "
        f"WITH {var}, row{carry}, own, changed, coalesce({var}.{OGEN} = $gen, false) AS again, "
        f"coalesce({var}.{RGEN} = $gen, false) AS marked "
        f"FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET {saves}"
        f"{var}.{OSAVED} = CASE WHEN again THEN {var}.{OSAVED} + [k IN $keys WHERE NOT k IN {var}.{OSAVED}] "
        f"ELSE $keys END, {var}.{OGEN} = $gen) "
        f"FOREACH (_ IN CASE WHEN $replace AND NOT own THEN [1] ELSE [] END | "
        f"SET {var}.{KEYS} = CASE WHEN marked THEN {var}.{KEYS} + keys(row.props) ELSE keys(row.props) END, "
        f"{var}.{OSEQ} = CASE WHEN marked THEN {var}.{OSEQ} ELSE {var}.{SEQ} END, "
        f"{var}.{SEQ} = CASE WHEN marked THEN {var}.{SEQ} ELSE {seq} END, {var}.{RGEN} = $gen) "
        f"FOREACH (_ IN CASE WHEN own OR changed THEN [1] ELSE [] END | SET {var} += row.props) "
    )


def write_names(known: Iterable[str], keys: Sequence[str]) -> list[str]:
    """The property names a write statement's text enumerates (its ``$names``): ``known``, sorted, then any
    of ``keys`` (the batch's columns) not among them, in their order. Same known set, same text.

    >>> write_names({"b", "a"}, ["x", "a"])
    ['a', 'b', 'x']
    """
    names = sorted(set(known))
    seen = set(names)
    return names + [k for k in dict.fromkeys(keys) if k not in seen]


def merge_nodes(schema: Schema, label_name: str, names: Sequence[str] = ()) -> str:
    """Upsert nodes of one label: ``$rows`` of ``{id, i, props}``; a new node's sequence number is ``$base + i``.

    ``names``: every property a row may hold (:func:`write_names`, passed as ``$names``; ``$keys``:
    those this batch's rows may hold). A new node is
    stamped with its load's generation ``$gen``; see :func:`_stamp` for one already there.
    """
    q = label(schema, label_name)
    return (
        f"UNWIND $rows AS row MERGE (n:{q} {{{ID}: row.id}}) "
        f"ON CREATE SET n.{SEQ} = $base + row.i, n.{GEN} = $gen "
        f"{_stamp('n', names, '$base + row.i')}RETURN count(n) AS written"
    )


def update_nodes(schema: Schema, label_name: str, names: Sequence[str] = ()) -> str:
    """Set properties on existing nodes of one label: ``$rows`` of ``{id, props}`` (as :func:`_stamp` says;
    ``names`` as :func:`merge_nodes` says)."""
    q = label(schema, label_name)
    return (
        f"UNWIND $rows AS row MATCH (n:{q} {{{ID}: row.id}}) {_stamp('n', names, f'n.{SEQ}')}RETURN count(n) AS written"
    )


def merge_edges(schema: Schema, type_name: str, source_label: str, target_label: str, names: Sequence[str] = ()) -> str:
    """Upsert relationships of one type between nodes of two labels.

    ``$rows`` of ``{source, target, key, i, props}``; a relationship is
    identified by its ends, its type and ``_key``; a new one's sequence
    number is ``$base + i`` and its generation ``$gen``; one already there
    is written as :func:`_stamp` says (``names`` as :func:`merge_nodes` says). An end that this load
    did not create and whose relationships
    it creates or changes is marked (:data:`DGEN`): its readers filter them.
    """
    t = rel_type(schema, type_name)
    a = label(schema, source_label)
    b = label(schema, target_label)
    return (
        f"UNWIND $rows AS row MATCH (a:{a} {{{ID}: row.source}}) MATCH (b:{b} {{{ID}: row.target}}) "
        f"MERGE (a)-[r:{t} {{{KEY}: row.key}}]->(b) ON CREATE SET r.{SEQ} = $base + row.i, r.{GEN} = $gen "
        f"{_stamp('r', names, '$base + row.i', ', a, b')}"
        f"FOREACH (e IN CASE WHEN own OR changed THEN [x IN [a, b] WHERE coalesce(x.{GEN}, 0) <> $gen] ELSE [] END | "
        f"SET e.{DGEN} = $gen) RETURN count(r) AS written"
    )


# -- publishing and cleaning up: what a load leaves behind --------------------------------
#: a node or relationship with generation bookkeeping to clean (a generation above ``$pub`` never published)
_LEFTOVER = (
    f"WHERE x.{GEN} > $pub OR x.{OGEN} IS NOT NULL OR x.{END} IS NOT NULL OR x.{RGEN} IS NOT NULL "
    f"OR x.{KEYS} IS NOT NULL OR x.{OSEQ} IS NOT NULL OR x.{DGEN} IS NOT NULL"
)


def leftover_nodes(schema: Schema, label_name: str) -> str:
    """Nodes of one label with generation bookkeeping: id and all properties (the caller decides)."""
    return f"MATCH (x:{label(schema, label_name)}) {_LEFTOVER} RETURN x.{ID} AS id, properties(x) AS props"


def leftover_relationships(schema: Schema, type_name: str) -> str:
    """Relationships of one type with generation bookkeeping: element id and all properties."""
    return (
        f"MATCH ()-[x:{rel_type(schema, type_name)}]->() {_LEFTOVER} RETURN elementId(x) AS id, properties(x) AS props"
    )


def unwritten_nodes(schema: Schema, label_name: str) -> str:
    """Ids of the nodes of one label that the replace ``$gen`` neither created nor wrote (retired when it
    is published)."""
    q = label(schema, label_name)
    return (
        f"MATCH (n:{q}) WHERE coalesce(n.{GEN}, 0) <> $gen AND coalesce(n.{RGEN}, -1) <> $gen "
        f"AND n.{END} IS NULL RETURN n.{ID} AS id"
    )


def unwritten_relationships(schema: Schema, type_name: str) -> str:
    """Element ids of the relationships of one type that the replace ``$gen`` neither created nor wrote."""
    t = rel_type(schema, type_name)
    return (
        f"MATCH ()-[r:{t}]->() WHERE coalesce(r.{GEN}, 0) <> $gen AND coalesce(r.{RGEN}, -1) <> $gen "
        f"AND r.{END} IS NULL RETURN elementId(r) AS id"
    )


def retire_nodes(schema: Schema, label_name: str) -> str:
    """Mark the nodes ``$ids`` of one label gone from generation ``$gen`` on."""
    return f"UNWIND $ids AS x MATCH (n:{label(schema, label_name)} {{{ID}: x}}) SET n.{END} = $gen"


#: mark the relationships whose element ids are ``$ids`` gone from generation ``$gen`` on
RETIRE_RELATIONSHIPS = (
    f"UNWIND $ids AS x MATCH (a)-[r]->(b) WHERE elementId(r) = x SET r.{END} = $gen, a.{DGEN} = $gen, b.{DGEN} = $gen"
)


def delete_nodes(schema: Schema, label_name: str) -> str:
    """Delete the nodes ``$ids`` of one label with their relationships (index seeks)."""
    q = label(schema, label_name)
    return f"UNWIND $ids AS x MATCH (n:{q} {{{ID}: x}}) DETACH DELETE n"


#: delete the relationships whose element ids are ``$ids``
DELETE_RELATIONSHIPS = "UNWIND $ids AS x MATCH ()-[r]->() WHERE elementId(r) = x DELETE r"


def stale_nodes(schema: Schema, label_name: str) -> str:
    """Nodes of one label that a replace carried (generation ``$gen``) and that still hold a property
    the replace did not write: id and all properties, for :func:`reset_nodes`."""
    q = label(schema, label_name)
    return (
        f"MATCH (n:{q}) WHERE n.{RGEN} = $gen "
        f"AND any(k IN keys(n) WHERE NOT k IN n.{KEYS} AND NOT k IN $kept AND NOT k STARTS WITH '{OLD_PREFIX}') "
        f"RETURN n.{ID} AS id, properties(n) AS props"
    )


def reset_nodes(schema: Schema, label_name: str) -> str:
    """Replace all properties of the nodes ``$rows`` (``{id, props}``; ``props`` keeps ``_id``)."""
    q = label(schema, label_name)
    return f"UNWIND $rows AS row MATCH (n:{q} {{{ID}: row.id}}) SET n = row.props"


def stale_relationships(schema: Schema, type_name: str) -> str:
    """Relationships of one type a replace carried that still hold a property it did not write."""
    t = rel_type(schema, type_name)
    return (
        f"MATCH ()-[r:{t}]->() WHERE r.{RGEN} = $gen "
        f"AND any(k IN keys(r) WHERE NOT k IN r.{KEYS} AND NOT k IN $kept AND NOT k STARTS WITH '{OLD_PREFIX}') "
        "RETURN elementId(r) AS id, properties(r) AS props"
    )


#: replace all properties of the relationships ``$rows`` (``{id, props}`` by element id)
RESET_RELATIONSHIPS = "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.id SET r = row.props"


def recount_loops(schema: Schema, label_name: str) -> str:
    """Recount ``_loops`` on every node of one label that has it (after a replace deleted old relationships)."""
    q = label(schema, label_name)
    return (
        f"MATCH (n:{q}) WHERE n.{LOOPS} IS NOT NULL WITH n, COUNT {{ (n)-->(n) }} AS loops "
        f"SET n.{LOOPS} = CASE WHEN loops > 0 THEN loops END"
    )


def relationships_of_type(schema: Schema, type_name: str) -> str:
    """Every relationship of one type with its ends' ids and labels and its properties."""
    t = rel_type(schema, type_name)
    return f"MATCH (a)-[r:{t}]->(b) RETURN a.{ID} AS source, b.{ID} AS target, r.{KEY} AS key, properties(r) AS props"


def set_strengths(schema: Schema, type_name: str, source_label: str, target_label: str) -> str:
    """Set ``_strength`` on relationships: ``$rows`` of ``{source, target, key, strength}``."""
    t = rel_type(schema, type_name)
    a = label(schema, source_label)
    b = label(schema, target_label)
    return (
        f"UNWIND $rows AS row MATCH (a:{a} {{{ID}: row.source}})-[r:{t} {{{KEY}: row.key}}]->"
        f"(b:{b} {{{ID}: row.target}}) SET r.{STRENGTH} = row.strength"
    )


#: what the stored strengths follow: the strengths digest (:attr:`graph.warmth.Weights.strengths_digest`),
#: the whole warmth file's digest (all a graph written before strengths digests, or imported, records)
#: and the file's name; and whether there are relationships at all (count store: no scan)
_META_FIELDS = (
    "m.strengths AS strengths, m.weights AS weights, m.weights_file AS weights_file, "
    "COUNT { ()-[]->() } AS relationships, "
    "coalesce(m.bounds_gen, [-1, -1]) AS bounds_gen, coalesce(m.bounds_key, ['', '']) AS bounds_key"
)
GET_META = f"OPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) RETURN {_META_FIELDS}"
SET_META = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()), m.strengths = $strengths, m.weights = $weights, "
    "m.weights_file = $weights_file"
)


# -- the default filter's search bounds, kept in the graph ----------------------------------------
#: take bounds slot ``$slot`` for new bounds: readers stop using what it holds, and ``$token`` marks
#: this writer's claim (a later claim of the same slot wins; :data:`PUBLISH_BOUNDS` then does nothing)
CLAIM_BOUNDS = (
    f"MERGE (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
    "SET m.epoch = coalesce(m.epoch, randomUUID()), "
    "m.bounds_gen = [i IN range(0, 1) | CASE WHEN i = $slot THEN -1 ELSE coalesce(m.bounds_gen[i], -1) END], "
    "m.bounds_key = [i IN range(0, 1) | CASE WHEN i = $slot THEN '' ELSE coalesce(m.bounds_key[i], '') END], "
    "m.bounds_claim = [i IN range(0, 1) | CASE WHEN i = $slot THEN $token "
    "ELSE coalesce(m.bounds_claim[i], '') END]"
)
#: slot ``$slot`` now holds the bounds of generation ``$pub`` under filter digest ``$key`` (if still claimed)
PUBLISH_BOUNDS = (
    f"MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) WHERE m.bounds_claim[$slot] = $token "
    "SET m.bounds_gen = [i IN range(0, 1) | CASE WHEN i = $slot THEN $pub ELSE m.bounds_gen[i] END], "
    "m.bounds_key = [i IN range(0, 1) | CASE WHEN i = $slot THEN $key ELSE m.bounds_key[i] END] "
    "RETURN $pub AS published"
)
#: internal ids per row of the bounds' reads: whole lists decode far faster than one record per node
_BOUNDS_BUCKET = 4096


def bound_nodes(schema: Schema) -> str:
    """Every node generation ``$pub`` sees, for the bounds: internal id, degree and what makes it a
    source or excluded, as parallel lists per row. (Internal ids live only while the bounds are
    computed and written, in one go.)"""
    return (
        f"MATCH (n) WHERE ({labels_expression(schema, 'n', schema.labels)}) AND {visible('n')} "
        f"WITH id(n) AS i, {degree('n')} AS degree, {value('n', 'is_client')} AS client, "
        f"{value('n', 'status')} AS status, {value('n', 'blacklisted')} AS blacklisted "
        f"WITH i / {_BOUNDS_BUCKET} AS bucket, collect(i) AS i, collect(degree) AS degree, "
        "collect(coalesce(client, false)) AS client, collect(coalesce(status, '')) AS status, "
        "collect(coalesce(blacklisted, false)) AS blacklisted "
        "RETURN i, degree, client, status, blacklisted"
    )


def bound_relationships(schema: Schema) -> str:
    """Every relationship of the schema's types that generation ``$pub`` sees: ends' internal ids and its
    strength, as parallel lists per row."""
    return (
        f"MATCH (a)-[r:{rel_types(schema, schema.types)}]->(b) WHERE {visible('r')} "
        f"WITH id(a) AS a, id(b) AS b, coalesce({value('r', STRENGTH)}, 1.0) AS strength "
        f"WITH a / {_BOUNDS_BUCKET} AS bucket, collect(a) AS a, collect(b) AS b, collect(strength) AS strength "
        "RETURN a, b, strength"
    )


def set_bounds(slot: int) -> str:
    """Write bounds slot ``slot`` of the nodes ``$ids`` (internal ids; ``$cost``, ``$hops`` alongside)."""
    if slot not in (0, 1):  # pragma: no cover - callers pass 0 or 1
        raise InvalidParameter("slot", f"must be 0 or 1, got {slot!r}")
    return (
        "UNWIND range(0, size($ids) - 1) AS k MATCH (n) WHERE id(n) = $ids[k] "
        f"SET n.{BOUND_COST[slot]} = $cost[k], n.{BOUND_HOPS[slot]} = $hops[k]"
    )


def delete_some(schema: Schema) -> str:
    """Delete up to ``$batch`` guanxi nodes with their relationships; returns how many."""
    labels = "|".join([*(label(schema, name) for name in schema.labels), META_LABEL])
    return f"MATCH (n:{labels}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted"


# -- reading ------------------------------------------------------------------------
# Every statement that reads graph data sees one published generation, ``$pub``: the caller reads it
# once per answer (GET_PUBLISHED) and passes it to every statement of that answer. These two
# fragments are all a statement needs.
def visible(var: str) -> str:
    """Predicate: node or relationship ``var`` is part of generation ``$pub`` (created by it or an
    earlier one, and not gone by then). Rows without ``_gen`` (older graphs) are generation 0."""
    return f"(coalesce({var}.{GEN}, 0) <= $pub AND coalesce({var}.{END}, $pub + 1) > $pub)"


def value(var: str, key: str) -> str:
    """Expression: property ``key`` of ``var`` as generation ``$pub`` sees it (the kept old value while a
    later, unpublished load has changed it). ``key`` is one of guanxi's own names, never user text."""
    if not _IDENT.match(key.lstrip("_")):  # pragma: no cover - callers pass constants
        raise InvalidParameter("key", f"{key!r} is not a plain identifier")
    return (
        f"(CASE WHEN {var}.{OGEN} > $pub AND '{key}' IN {var}.{OSAVED} THEN {var}.{old_key(key)} ELSE {var}.{key} END)"
    )


def settled(node: str) -> str:
    """Predicate: every relationship of ``node`` is visible and unchanged in every generation since
    the last clean-up (:data:`DGEN`), so they need no filter."""
    return f"{node}.{DGEN} IS NULL"


def rel_visible(node: str, rel: str) -> str:
    """Predicate: relationship ``rel`` of ``node`` is visible in ``$pub`` (without reading it where
    ``node`` is :func:`settled`)."""
    return f"({settled(node)} OR {visible(rel)})"


def rel_value(node: str, rel: str, key: str) -> str:
    """Expression: property ``key`` of relationship ``rel`` of ``node`` as ``$pub`` sees it."""
    return f"(CASE WHEN {settled(node)} THEN {rel}.{key} ELSE {value(rel, key)} END)"


def degree(var: str) -> str:
    """Expression: the degree of node ``var`` in generation ``$pub``, all types, both directions,
    self-loops twice.

    That is how NetworkX (the embedded store) counts; a pattern counts a loop
    once, so the loops are counted again, where ``_loops`` says there are any.
    """
    fast = f"COUNT {{ ({var})--() }} + coalesce({var}.{LOOPS}, 0)"
    loops = f"CASE WHEN {var}.{LOOPS} IS NULL THEN 0 ELSE COUNT {{ ({var})-[l]->({var}) WHERE {visible('l')} }} END"
    return f"(CASE WHEN {settled(var)} THEN {fast} ELSE COUNT {{ ({var})-[d]-() WHERE {visible('d')} }} + {loops} END)"


def count_loops(schema: Schema, label_name: str) -> str:
    """Recount ``_loops`` of the nodes ``$ids`` of one label (after writing relationships to themselves)."""
    q = label(schema, label_name)
    return f"UNWIND $ids AS x MATCH (n:{q} {{{ID}: x}}) SET n.{LOOPS} = COUNT {{ (n)-->(n) }}"


def get_nodes(schema: Schema) -> str:
    """Nodes by id (``$ids`` grouped by label): id and all properties."""
    return f"{by_ids(schema)} RETURN v.{ID} AS id, properties(v) AS props"


def existing_ids(schema: Schema) -> str:
    """Which ids (``$ids`` grouped by label) exist."""
    return f"{by_ids(schema)} RETURN v.{ID} AS id"


def existing_ids_and_weights(schema: Schema) -> str:
    """:func:`existing_ids` and, in the same round trip, one row with :data:`GET_META`'s answer.

    A search starts with this: the weights digest is checked on every search
    at no extra cost. Id rows have a null ``weights``; the meta row a null ``id``.
    """
    return (
        f"{by_ids(schema)} RETURN v.{ID} AS id, null AS strengths, null AS weights, null AS weights_file, "
        "0 AS relationships, null AS bounds_gen, null AS bounds_key, false AS meta"
        f"\nUNION ALL\nOPTIONAL MATCH (m:{META_LABEL} {{{ID}: '{META_ID}'}}) "
        f"RETURN null AS id, {_META_FIELDS}, true AS meta"
    )


def degrees(schema: Schema) -> str:
    """Degree of each node (``$ids`` grouped by label)."""
    return f"{by_ids(schema)} RETURN v.{ID} AS id, {degree('v')} AS degree"


def edges_of(schema: Schema, types: Sequence[str] | None) -> str:
    """Relationships touching the nodes (``$ids`` grouped by label), of ``types`` or all."""
    pattern = f"[r:{rel_types(schema, types)}]" if types is not None else "[r]"
    return (
        f"{by_ids(schema)} MATCH (v)-{pattern}-() WHERE {visible('r')} "
        f"RETURN type(r) AS type, startNode(r).{ID} AS source, endNode(r).{ID} AS target, properties(r) AS props"
    )


def reachable(schema: Schema, label_name: str, types: Sequence[str], forward: bool) -> str:
    """Ids of every node reachable from ``$id`` (of one label) along ``types`` (``forward``) or
    against them, the start included.

    ``DISTINCT`` on the far end of an unbounded pattern lets the planner use its
    breadth-first pruning expand: each node is visited once, not once per path.
    """
    arrow = f"-[:{rel_types(schema, types)}*0..]->" if forward else f"<-[:{rel_types(schema, types)}*0..]-"
    return (
        f"MATCH (s:{label(schema, label_name)} {{{ID}: $id}}) WHERE {visible('s')} "
        f"MATCH p = (s){arrow}(n) WHERE all(r IN relationships(p) WHERE {visible('r')}) "
        f"RETURN DISTINCT n.{ID} AS id"
    )


def upstream_holdings(schema: Schema, label_name: str, holds: Sequence[str]) -> str:
    """Every current relationship of the ``holds`` types (shares, partnership interests) into ``$id`` (of
    one label) or into a node that holds it, directly or through others: the company's whole ownership
    tree, without the company's own holdings in others (its holding in itself, treasury shares, is part
    of the tree) and without former ties (the kind's ``former`` date set, as :func:`current` reads it).

    One query instead of a walk a level at a time (see :func:`reachable` for the pruning expand).
    """
    h = rel_types(schema, holds)
    return (
        f"MATCH (c:{label(schema, label_name)} {{{ID}: $id}}) WHERE {visible('c')} "
        f"MATCH p = (c)<-[:{h}*0..]-(x) WHERE all(q IN relationships(p) WHERE {visible('q')} "
        f"AND {current(schema, 'q', holds)}) WITH DISTINCT c, x "
        f"MATCH (o)-[r:{h}]->(x) WHERE (o <> c OR o = x) AND {visible('r')} AND {current(schema, 'r', holds)} "
        f"RETURN type(r) AS type, o.{ID} AS source, x.{ID} AS target, properties(r) AS props"
    )


def current(schema: Schema, var: str, types: Sequence[str]) -> str:
    """Predicate: relationship ``var`` (one of ``types``) is not a former tie: the ``former`` date the
    schema gives its kind is not set (``true`` when no kind of ``types`` has one)."""
    formers = {t: schema.kinds[t].former for t in sorted(set(types))}
    parts = [f"(type({var}) <> '{t}' OR {value(var, date)} IS NULL)" for t, date in formers.items() if date is not None]
    return " AND ".join(parts) if parts else "true"


def path_edges(schema: Schema, types: Sequence[str]) -> str:
    """Relationships of ``types`` from each node (``$ids``) to the nodes listed for it in ``$want``,
    with both nodes' properties."""
    pattern = rel_types(schema, types)
    return (
        f"{by_ids(schema)} MATCH (v)-[r:{pattern}]-(u) WHERE u.{ID} IN $want[v.{ID}] AND {visible('r')} "
        f"RETURN type(r) AS type, startNode(r).{ID} AS source, endNode(r).{ID} AS target, properties(r) AS props, "
        "properties(v) AS vprops, properties(u) AS uprops"
    )


def _neighbour_fields(var: str) -> str:
    return ", ".join(
        f"{value(var, key)} AS {name}"
        for key, name in (
            ("is_client", "client"),
            ("status", "status"),
            ("blacklisted", "blacklisted"),
            ("manager", "manager"),
            ("branch", "branch"),
        )
    )


def neighbours(schema: Schema, types: Sequence[str], slot: int | None = None) -> str:
    """The search's expansion step: every neighbour of each node in ``$ids`` over ``types``.

    One row per (node, neighbour): the strongest relationship between them,
    what decides whether the neighbour is a source or may stand inside a
    path, its degree (for its hub discount) and the strongest relationship it
    has at all (for the bound on what lies beyond it). Both are -1 for the
    nodes in ``$known`` (hubs the caller has counted already).

    With a bounds ``slot`` (0 or 1) the neighbour's saved bounds come instead
    of its strongest relationship (``cost``, ``hops``; null where none were
    saved): a far tighter bound, and no walk over the neighbour's relationships
    (measured at 100,000 companies: a third of the server's work per answer,
    and a third fewer round trips).
    """
    pattern = rel_types(schema, types)
    if slot is not None:
        return _bounded_neighbours(schema, pattern, slot)
    best = (
        f"reduce(m = 0.0, s IN [(u)-[q:{pattern}]-() WHERE {rel_visible('u', 'q')} "
        f"| coalesce({rel_value('u', 'q', STRENGTH)}, 1.0)] "
        "| CASE WHEN s > m THEN s ELSE m END)"
    )
    return _neighbour_query(schema, pattern, f"CASE WHEN known THEN -1.0 ELSE {best} END AS best")


def _bounded_neighbours(schema: Schema, pattern: str, slot: int) -> str:
    """:func:`neighbours` with the saved bounds of ``slot`` instead of each neighbour's strongest relationship."""
    if slot not in (0, 1):  # pragma: no cover - callers pass 0 or 1
        raise InvalidParameter("slot", f"must be 0 or 1, got {slot!r}")
    return _neighbour_query(schema, pattern, f"u.{BOUND_COST[slot]} AS cost, u.{BOUND_HOPS[slot]} AS hops")


def _neighbour_query(schema: Schema, pattern: str, beyond: str) -> str:
    """One search step's query: each neighbour of ``$ids`` with its strongest relationship, its
    fields and degree, then ``beyond`` (what bounds the rest of a path through it)."""
    return (
        f"{by_ids(schema)} MATCH (v)-[r:{pattern}]-(u) WHERE u.{ID} IS NOT NULL AND {rel_visible('v', 'r')} "
        f"WITH v, u, max(coalesce({rel_value('v', 'r', STRENGTH)}, 1.0)) AS strength "
        f"WITH v, u, strength, u.{ID} IN $known AS known "
        f"RETURN v.{ID} AS v, u.{ID} AS u, strength, {_neighbour_fields('u')}, "
        f"CASE WHEN known THEN -1 ELSE {degree('u')} END AS degree, {beyond}"
    )


def source_neighbours(schema: Schema, types: Sequence[str]) -> str:
    """The search's last step: neighbours of each node in ``$ids`` that may be sources.

    Candidates are clients (when ``$clients``) and the ids in ``$explicit``;
    whether a candidate really is a source (exclusions, manager, branch) is
    decided by the caller, exactly as for :func:`neighbours`.
    """
    pattern = rel_types(schema, types)
    return (
        f"{by_ids(schema)} MATCH (v)-[r:{pattern}]-(u) "
        f"WHERE {rel_visible('v', 'r')} "
        f"AND (($clients AND {value('u', 'is_client')} = true) OR u.{ID} IN $explicit) "
        f"WITH v, u, max(coalesce({rel_value('v', 'r', STRENGTH)}, 1.0)) AS strength "
        f"RETURN v.{ID} AS v, u.{ID} AS u, strength, {_neighbour_fields('u')}"
    )


def find_exact(schema: Schema, labels: Iterable[str], what: str) -> str:
    """Nodes whose key or one of its identifiers (``what="key"``: ``$upper``, ``$ident`` padded with
    :data:`FORMER_SEP`), name (``"name"``: ``$folded``) or a
    former name (``"former"``: ``$padded``) matches exactly.

    Each label's branch is ordered by id and cut at ``$limit``; the caller
    merges the branches in the same order.
    """
    conditions = {
        "key": f"(n.{KEY_UC} = $upper OR n.{IDENTS_UC} CONTAINS $ident)",
        "name": f"n.{NAME_LC} = $folded",
        "former": f"n.{FORMER_LC} CONTAINS $padded",
    }
    where = conditions[what]
    return per_label(
        schema,
        labels,
        lambda q: (
            f"MATCH (n:{q}) WHERE {where} AND {visible('n')} "
            f"RETURN n.{ID} AS id, properties(n) AS props ORDER BY id LIMIT $limit"
        ),
    )


def find_contains(schema: Schema, labels: Iterable[str], what: str) -> str:
    """Nodes whose name (``what="name"``: shorter names first, then by id) or a former
    name (``"former"``: by id) contains ``$folded``.

    Each label's branch is ordered and cut at ``$limit``; the caller merges
    the branches in the same order.
    """
    prop = NAME_LC if what == "name" else FORMER_LC
    order = "size(n.name), id" if what == "name" else "id"
    return per_label(
        schema,
        labels,
        lambda q: (
            f"MATCH (n:{q}) WHERE n.{prop} CONTAINS $folded AND {visible('n')} "
            f"RETURN n.{ID} AS id, properties(n) AS props ORDER BY {order} LIMIT $limit"
        ),
    )


def stats(schema: Schema) -> str:
    """Node count per label, relationship count per type (count-store look-ups) and clients."""
    parts = [
        f"MATCH (n:{label(schema, name)}) WHERE {visible('n')} RETURN 'label' AS what, {name!r} AS name, count(n) AS n"
        for name in schema.labels
    ]
    parts += [
        f"MATCH ()-[r:{rel_type(schema, name)}]->() WHERE {visible('r')} "
        f"RETURN 'type' AS what, {name!r} AS name, count(r) AS n"
        for name in schema.types
    ]
    parts += [
        f"MATCH (n:{label(schema, name)}) WHERE {value('n', 'is_client')} = true "
        f"AND {visible('n')} "
        f"RETURN 'clients' AS what, {name!r} AS name, count(n) AS n"
        for name in schema.labels
    ]
    return "\nUNION ALL\n".join(parts)


def node_page(schema: Schema, label_name: str, *, ids_only: bool = False) -> str:
    """The next ``$limit`` nodes of one label after sequence number ``$after``, in creation order:
    ``seq`` and ``props`` (or ``id`` only)."""
    q = label(schema, label_name)
    what = f"n.{ID} AS id" if ids_only else "properties(n) AS props"
    return (
        f"MATCH (n:{q}) WHERE n.{SEQ} > $after AND {visible('n')} "
        f"RETURN n.{SEQ} AS seq, {what} ORDER BY n.{SEQ} LIMIT $limit"
    )


def outgoing(schema: Schema) -> str:
    """Every relationship leaving the nodes ``$ids`` (grouped by label), with its properties."""
    return (
        f"{by_ids(schema)} MATCH (v)-[r]->(u) WHERE {visible('r')} "
        f"RETURN type(r) AS type, v.{ID} AS source, u.{ID} AS target, properties(r) AS props"
    )


def shortest_to_client(schema: Schema, types: Sequence[str]) -> str:
    """Neo4j's own plain ``SHORTEST 1`` path from a node to any client, the benchmark's reference.

    Unweighted, no hub discount, no exclusions: what a user writing Cypher by
    hand would ask. Only used to measure against ``top_paths``. The prospect is
    found under its label (an index seek; without it the server scans every node).
    """
    company = label(schema, "Company")
    return (
        f"MATCH (t:{company} {{{ID}: $id}}) "
        f"MATCH p = SHORTEST 1 (t)-[:{rel_types(schema, types)}]-{{1,4}}(c:{company} {{is_client: true}}) "
        "RETURN length(p) AS hops, c._id AS client"
    )


def nearest_client(schema: Schema, types: Sequence[str]) -> str:
    """The fair form of :func:`shortest_to_client`: the one nearest client (``ORDER BY`` hops, ``LIMIT 1``),
    as a user asking "is any client within 4 hops, and which" would write it; the benchmark's reference."""
    return f"{shortest_to_client(schema, types)} ORDER BY hops LIMIT 1"
