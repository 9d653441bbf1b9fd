"""The Neo4j store: the graph in a Neo4j 5 server (or cluster, or Aura), via the official driver.

Same data and same answers as :class:`graph.embedded.EmbeddedStore`:

* a node is keyed by ``_id`` = ``"Label:key"`` (unique per label; not
  ``id``, which persons and parks already use for their own key column),
  which also gives its label and key, and keeps ``name`` and its columns as
  properties, exactly the embedded store's (list values come back as
  tuples, as the loaders make them); a relationship is keyed by its ends, its type and ``_key``
  (:func:`graph.records.edge_key`) and carries ``_strength``, the strength
  the warmth weights give it, computed in Python. Other ``_`` properties are
  bookkeeping and never shown: search copies of key and name, ``_loops``
  (NetworkX counts a self-loop twice in a degree, Neo4j once) and ``_seq``,
  the creation order, so that :meth:`Neo4jStore.iter_nodes` and
  :meth:`Neo4jStore.iter_edges` list the graph in the embedded store's order;
* one meta node records the strengths' digest and the warmth file, a write counter and a
  random epoch (:meth:`Neo4jStore.version`), the next sequence number and
  the graph's generation;
* the strengths are the loading client's: a store whose weights differ from
  the recorded ones refuses to search (the digest comes back with the
  search's first round trip, so it is checked on every search at no cost)
  or to write, with :class:`~graph.errors.WeightsMismatch` naming both
  files, rather than prune with strengths that are not its scoring (a wrong
  top k). Re-weighting a shared graph is explicit: :meth:`Neo4jStore.reweight`
  (``guanxi load --reweight``);
* a load is published all at once (:meth:`Neo4jStore.finish_load`), so a
  reader sees the graph before it or after it, never part of it. The load
  takes a generation of its own (:meth:`Neo4jStore._begin_load`: one small
  transaction on the meta node, which also makes it the only load writing;
  a thread renews that hold every few seconds, and a hold silent for
  :data:`LOAD_LEASE` seconds counts as a dead load). Every node and
  relationship it creates carries that generation in ``_gen``; one that was
  there before and that it changes keeps its earlier values beside the new
  ones (``_o_<key>``, listed in ``_osaved``, ``_ogen`` the changing
  generation), so no change is visible before publication and nothing needs
  rewriting at it. Publishing is one small transaction (``published`` on the
  meta node). Readers read one published generation per answer
  (:meth:`Neo4jStore.snapshot`; each read method is one by itself, and
  ``introductions`` one as a whole): every statement filters with
  :func:`graph.cypher.visible` and reads changed values with
  :func:`graph.cypher.value` or :func:`graph.neo4j_rows.visible_props`. A
  replace (:meth:`Neo4jStore.replacing`) is such a load that also marks
  what it did not write as gone (``_end``) before it is published. A load
  that fails is taken back at once (what it created deleted, old values
  given back), and one whose process died is cleaned by the next load or
  ``guanxi doctor --repair`` (:meth:`Neo4jStore.tidy`), which also drop the
  old values and retired rows of published loads (not at publication: a
  reader may still be answering from the graph before). Rows without
  ``_gen`` (graphs written before generations) are generation 0, and a
  meta node without ``published`` (or none) publishes its replace
  generation, or 0: all of such a graph is visible;
* writes go in transactions of at most ``batch_rows`` (:data:`SUB_BATCH`)
  rows (``UNWIND $rows AS row MERGE ...`` in ``session.execute_write``, which
  retries transient failures), so a crash loses at most the batch in flight
  and never leaves half of one; MERGE makes every write idempotent. One
  small transaction before a write reserves its sequence numbers and one
  after it counts it in the version (not a meta-node update inside every
  transaction: that serialised them and cost a round trip each);
* relationship ends the loader has already checked are not read again
  before writing (:attr:`RecordBatch.ends_checked`); a transaction whose ends
  are missing is still refused whole;
* the first load of a large graph can skip Cypher altogether:
  :mod:`loaders.neo4j_import` writes the same records for ``neo4j-admin
  database import``, and the first connection to such a graph makes its
  constraints and indexes (:meth:`Neo4jStore.prepare`);
* a FAILED guanxi index (a value too large for it, written by another tool
  or an older guanxi) never stops the store: the first connection drops and
  recreates it once, and if it fails again the store opens with a one-line
  warning (:attr:`Neo4jStore.warnings`) and later connections only warn;
  ``guanxi doctor`` lists the states and the oversize values
  (:meth:`Neo4jStore.oversize_values`) and ``--repair`` recreates them;
* reads use ``driver.execute_query(..., routing_=READ)``, so a cluster's
  readers serve them, and the driver's bookmarks make them see this store's
  own writes; nothing assumes a single instance.

Path search (:meth:`Neo4jStore.top_paths`)
------------------------------------------

The one ranked search of :mod:`queries.search` (best first in warmth space,
with an exact bound, so it returns exactly the paths the rules define), run
in Python over adjacency fetched from Neo4j through the search's seam
(:class:`graph.neo4j_search.Steps`, with the search bounds kept in the graph):

* after every load is published, and on the first connection to an imported
  graph, the default filter's search bounds (least cost and fewest hops from
  every node to a client: one multi-source Dijkstra, the embedded store's) are
  computed and saved on the nodes, for that generation
  (:meth:`Neo4jStore.save_bounds`, :mod:`graph.neo4j_search`); a search
  whose filter they bound uses them, any other search the weaker bound below;
* ``expand`` is one query (:func:`graph.cypher.neighbours`) for up to
  :data:`graph.neo4j_search.FETCH_BATCH` nodes at once: for each (node, neighbour) the strongest
  relationship of the allowed types, what decides whether the neighbour is a
  source or may stand inside a path, its degree (its hub discount) and either
  its saved bounds or the strongest relationship it has (the bound on what
  lies beyond it). A node of more than ``HUB_DEGREE`` relationships is a hub:
  counted once, and its neighbours never fetched ahead of need.
* ``expand_sources`` (the last hop) is :func:`graph.cypher.source_neighbours`,
  so the last level never pulls a hub's whole adjacency.
* Hubs cost little: a park with 3,000 companies has a small discount and a
  weak ``best``, so paths into it are pruned as soon as ``k`` warmer paths are
  known, and its members are never fetched; when the park does matter it is
  expanded once, by one query. Measured on a 2-CPU machine shared with other
  jobs: a generated graph of 20,000 companies (60,000 nodes, 144,000
  relationships) answers in about 60 ms (median, warm), one with a
  3,000-company park and a 500-stake state holder in about 65 ms; the
  embedded store's answers, equal.
* The search orders its candidates on exact warmth and hands back ``k``;
  only those are materialised, exactly as :meth:`EmbeddedStore._materialise`
  does: the hop's relationship is the one :func:`graph.records.edge_choice_key`
  picks, its strength comes from :meth:`Weights.strength` of its properties,
  discounts from :meth:`Weights.discount` of the node's degree, the warmth
  from :func:`graph.warmth.path_warmth`, the order from
  :func:`graph.warmth.rank_key`. Same floats, same order.

Why not one variable-length Cypher match: ``(t)-[*1..4]-(s)`` enumerates
every path through every hub before anything can be ranked (a park of 3,000
companies times a state holder of 500 stakes is millions of rows), and a
``LIMIT`` after ``ORDER BY`` of an upper bound either cuts exact answers or
has to be unbounded. The search above reads only what the bound says can
still matter, and it needs no plugin (GDS, APOC), so it runs on Community,
Enterprise clusters and Aura alike.

>>> store = Neo4jStore("http://localhost:7474")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.StoreUnavailable: cannot use Neo4j URI 'http://localhost:7474': ...
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import pandas as pd
from neo4j import READ_ACCESS, Driver, GraphDatabase, ManagedTransaction, Record, RoutingControl, Session
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph import cypher
from graph.errors import GuanxiError, InvalidParameter, StoreError, StoreUnavailable, WeightsMismatch
from graph.identifiers import identifier_forms
from graph.model import Edge, GraphStats, Node, PathQuery, RecordBatch
from graph.model import Path as GPath
from graph.neo4j_rows import edge_columns, former_names, node_columns, restored_props, visible_props
from graph.neo4j_search import Steps, bounds_key, bounds_slot, refresh_bounds
from graph.records import client_columns, edge_choice_key, row_props
from graph.schema import Schema
from graph.settings import Settings, redact_credentials
from graph.store import GraphStore
from graph.warmth import Weights, load_weights, path_warmth, rank_key
from queries.search import SearchSpec, top_candidates

#: rows per write transaction: all or nothing per sub-batch
SUB_BATCH = 10_000
#: write transactions at once (each in its own session)
WRITERS = 2
MAX_WRITERS = 16
#: ids per read query
READ_BATCH = 10_000
#: nodes per page when listing the whole graph
PAGE = 10_000
#: URI schemes of the Bolt protocol (bolt: one server; neo4j: routing, clusters, Aura)
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_DB_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
#: the largest value, in UTF-8 bytes, a range index (or a uniqueness constraint) entry may hold; Neo4j 5
#: fails the whole index when one value is larger (the loaders refuse values over 1,000 characters)
RANGE_KEY_LIMIT = 8_167
#: the largest value, in UTF-8 bytes, a text index term may hold
TEXT_KEY_LIMIT = 32_766
#: seconds a repair on connect waits for the recreated indexes
REPAIR_WAIT = 60.0
#: seconds without a sign of life after which a load is taken for dead: the next load (or ``guanxi
#: doctor``) cleans what it wrote instead of waiting for it
LOAD_LEASE = 60.0
#: seconds between the signs of life a load gives (from a thread of its own, whatever the load is doing)
HEARTBEAT_EVERY = 5.0
#: how ``guanxi doctor`` and the warnings tell the user to go on
DOCTOR_HINT = (
    "run `guanxi doctor` to list the values too large for it, fix or remove those nodes, then `guanxi doctor --repair`"
)


@dataclass(frozen=True)
class IndexState:
    """One of guanxi's indexes or constraints on the server: ``kind`` is ``constraint`` or the index type."""

    name: str
    kind: str
    state: str
    cause: str = ""


@dataclass(frozen=True)
class OversizeValue:
    """A node whose indexed property is too large for its index: what ``guanxi doctor`` lists."""

    id: str
    prop: str
    size: int
    limit: int


def flat(text: object) -> str:
    """A driver message (a connection failure spans lines) on one line.

    >>> flat("Couldn't connect to x:1:\\nFailed to establish connection")
    "Couldn't connect to x:1: Failed to establish connection"
    """
    return " ".join(str(text).split())


def one_line(text: object, limit: int = 300) -> str:
    """The first line of a server message (a failed index's reason is a Java trace), shortened.

    >>> one_line("java.lang.IllegalArgumentException: too large\\n\\tat org.neo4j.Foo(Foo.java:1)")
    'java.lang.IllegalArgumentException: too large'
    """
    first = next((line.strip() for line in str(text or "").splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[: limit - 1] + "…"


# -- values -------------------------------------------------------------------
def _from_neo4j(value: Any) -> Any:
    """A property value as the embedded store keeps it: lists are tuples, temporals native."""
    if isinstance(value, list):
        return tuple(_from_neo4j(v) for v in value)
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    return value


def _merge_duplicates(rows: list[dict[str, Any]], identity: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """Rows naming the same node or relationship as one: the first one's place (its sequence
    number), the properties of all of them in order, later ones winning: what one MERGE after
    another leaves. Transactions of one write run at once, so each identity must be in one."""
    first: dict[Any, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for row in rows:
        key = identity(row)
        earlier = first.get(key)
        if earlier is None:
            first[key] = row
            out.append(row)
        else:
            earlier["props"] = {**earlier["props"], **row["props"]}
    return out


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class _Incomplete(Exception):
    """A write statement matched fewer rows than it was given (raised inside the transaction)."""


# -- the store ------------------------------------------------------------------
class Neo4jStore(GraphStore):
    """Graph store on a Neo4j 5 server, cluster or Aura database."""

    backend = "neo4j"
    #: the native steps the analyst queries use (:func:`queries.common.native`), decided by
    #: measurement (``python -m bench ... --analysis``, docs/benchmarks.md): the ownership tree in one
    #: query beats a walk of round trips; the guarantee circle does not (most companies have few
    #: guarantees, and the walk stops at once where the two reach queries cannot), so ``reachable``
    #: is defined but walked
    native_steps = frozenset({"upstream_holdings"})

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str | None = None,
        database: str = "neo4j",
        *,
        schema: Schema | None = None,
        weights: Weights | None = None,
        max_retry_time: float = 30.0,
        connection_timeout: float = 15.0,
        batch_rows: int = SUB_BATCH,
        writers: int = WRITERS,
    ) -> None:
        """Connect and check the database answers; StoreUnavailable with the reason if not.

        ``max_retry_time`` is how long a write keeps retrying transient
        failures (a leader switch, a restarting server) before it gives up;
        ``batch_rows`` the most rows one write transaction takes; ``writers``
        how many write transactions run at once.
        """
        super().__init__(schema, weights)
        if not 1 <= batch_rows <= SUB_BATCH:
            raise InvalidParameter("batch_rows", f"must be 1..{SUB_BATCH}, got {batch_rows}")
        if not 1 <= writers <= MAX_WRITERS:
            raise InvalidParameter("writers", f"must be 1..{MAX_WRITERS}, got {writers}")
        self.batch_rows = batch_rows
        self.writers = writers
        self.uri = uri
        self.user = user
        self.database = database
        self._type_order = {t: i for i, t in enumerate(self.schema.types)}
        self._schema_ready = False
        self._indexes_pending = False
        #: the generation the load in progress writes (unpublished until it ends), else None
        self._loading: int | None = None
        #: whether that load is a replace (:meth:`replacing`)
        self._replace = False
        #: the generation this thread's answer reads (:meth:`snapshot`), per thread
        self._local = threading.local()
        #: set to stop the load's heartbeat thread
        self._heartbeat: threading.Event | None = None
        #: one line per problem found on connect that does not stop the store (a FAILED index that a
        #: repair could not bring back); the command line prints them as warnings
        self.warnings: list[str] = []
        self._driver, pending = _connect(uri, user, password, database, max_retry_time, connection_timeout)
        try:
            if pending:
                self.prepare()
                self.save_bounds()
            else:
                self._heal_indexes()
        except BaseException:
            self._driver.close()
            raise

    @classmethod
    def from_settings(
        cls, settings: Settings, schema: Schema | None = None, weights: Weights | None = None
    ) -> Neo4jStore:
        """The store ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` name."""
        if not settings.neo4j_uri:
            raise StoreUnavailable("no Neo4j URI: set NEO4J_URI (or --neo4j-uri), e.g. neo4j://localhost:7687")
        if weights is None and settings.warmth_file is not None:
            weights = load_weights(settings.warmth_file)
        return cls(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
            schema=schema,
            weights=weights,
        )

    def __repr__(self) -> str:
        return f"Neo4jStore(uri={redact_credentials(self.uri)!r}, database={self.database!r})"

    def close(self) -> None:
        """Close the connection; a load that did not finish (:meth:`finish_load`) is taken back."""
        try:
            self._abandon()
        finally:
            self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    # -- plumbing ---------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Driver failures as guanxi errors naming what was being done."""
        try:
            yield
        except GuanxiError:
            raise
        except AuthError as exc:
            raise StoreUnavailable(
                f"Neo4j at {redact_credentials(self.uri)} refused user {self.user!r} while {action}: {flat(exc)}"
            ) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(
                f"Neo4j at {redact_credentials(self.uri)} became unreachable while {action}: {flat(exc)}"
            ) from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j failed while {action}: {exc.code}: {one_line(exc.message)}") from exc
        except DriverError as exc:
            raise StoreError(f"Neo4j driver failed while {action}: {one_line(exc)}") from exc

    def _read(self, query: str, **params: Any) -> list[Record]:
        """A read query; ``$pub`` (the generation it sees) is this thread's snapshot unless given."""
        if "pub" not in params:
            params["pub"] = self._view()
        records, _, _ = self._driver.execute_query(query, params, routing_=RoutingControl.READ, database_=self.database)
        return list(records)

    # -- what readers see: one published generation per answer -----------------------------
    def _view(self) -> int:
        """The generation this thread reads: its snapshot's, the load's own while this store loads
        (it checks relationship ends against what it wrote), or the one published now."""
        pinned: int | None = getattr(self._local, "pub", None)
        if pinned is not None:
            return pinned
        if self._loading is not None:
            return self._loading
        records, _, _ = self._driver.execute_query(
            cypher.GET_PUBLISHED, routing_=RoutingControl.READ, database_=self.database
        )
        return int(records[0]["published"]) if records else 0

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read of this thread inside the block sees one published generation.

        One answer is many queries (a search's rounds, then the degrees and
        names its explanation shows); a load published between two of them
        would make an answer of two graphs. The generation is read once, at
        the start of the outermost block, and every query of the block reads
        that one (nested blocks keep it). Every public read method is such a
        block by itself; a caller wraps a whole answer in one.
        """
        if getattr(self._local, "pub", None) is not None:
            yield
            return
        with self._errors("reading the published generation"):
            self._local.pub = self._view()
        try:
            yield
        finally:
            self._local.pub = None

    def _command(self, query: str, **params: Any) -> list[Record]:
        records, _, _ = self._driver.execute_query(
            query, params, routing_=RoutingControl.WRITE, database_=self.database
        )
        return list(records)

    def _transactions(
        self, batches: Iterable[Sequence[tuple[str, dict[str, Any]]]], reserve: int = 0, *, parallel: bool = False
    ) -> None:
        """Run each batch of statements as one managed write transaction (retried if transient).

        First ``reserve`` sequence numbers are reserved in one small
        transaction (which renews the load's hold on the graph) and passed to
        every statement as ``$base`` (rows carry their offset ``i`` within the
        whole write), with the load's generation as ``$gen`` and ``$replace``;
        afterwards the write is
        counted in the store's version, so readers' caches see it only once
        its data is there. A statement returning ``written`` must have
        written one row per ``$rows`` entry; if not (a relationship end or
        client company is missing) that transaction is rolled back and
        :class:`_Incomplete` raised; the ones before it stay committed.

        ``parallel``: up to :attr:`writers` transactions at once, each in its
        own session, for writes whose transactions touch disjoint nodes
        (node batches). Relationship batches run one at a time: two
        transactions adding relationships to the same hub deadlock in
        Neo4j's relationship-group locks, and the retries cost more than the
        overlap gains (measured: 100k companies, relationships 1.5x slower).
        """

        def reserve_seq(tx: ManagedTransaction) -> dict[str, Any]:
            record = tx.run(cypher.RESERVE_SEQ, n=reserve, gen=self._loading).single(strict=True)
            if self._loading is not None and not record["held"]:
                raise StoreError(
                    f"this load (generation {self._loading}) lost its hold on the graph after "
                    f"{LOAD_LEASE:g} s without a sign of life, and another load or `guanxi doctor` cleaned it; "
                    "nothing of it is visible: load again"
                )
            return {"base": int(record["base"]), "gen": self._loading, "replace": self._replace}

        def work(
            tx: ManagedTransaction, statements: Sequence[tuple[str, dict[str, Any]]], stamp: dict[str, Any]
        ) -> None:
            for query, params in statements:
                records = list(tx.run(query, {**params, **stamp}))
                written = records[0].get("written") if records else None
                if written is not None and written != len(params["rows"]):
                    raise _Incomplete

        def bump(tx: ManagedTransaction) -> None:
            tx.run(cypher.BUMP_VERSION).consume()

        def session() -> Session:
            return self._driver.session(
                database=self.database, bookmark_manager=self._driver.execute_query_bookmark_manager
            )

        def run(statements: Sequence[tuple[str, dict[str, Any]]], stamp: dict[str, Any]) -> None:
            with session() as s:
                s.execute_write(work, statements, stamp)

        with session() as s:
            stamp: dict[str, Any] = (
                s.execute_write(reserve_seq) if reserve else {"gen": self._loading, "replace": self._replace}
            )
        committed = False
        writers = self.writers if parallel else 1
        # the server works on one transaction while this process builds the next
        with ThreadPoolExecutor(writers, thread_name_prefix="guanxi-neo4j-write") as pool:
            pending: set[Future[None]] = set()
            try:
                for statements in batches:
                    if not statements:
                        continue
                    while len(pending) >= writers:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            future.result()
                            committed = True
                    pending.add(pool.submit(run, statements, stamp))
                for future in pending:
                    future.result()
                    committed = True
            except BaseException:
                for future in pending:
                    future.cancel()
                wait(pending)
                committed = committed or any(f.done() and not f.cancelled() and f.exception() is None for f in pending)
                if committed:  # what was committed still counts; the original error is what matters
                    with contextlib.suppress(Neo4jError, DriverError, OSError), session() as s:
                        s.execute_write(bump)
                raise
        if committed:
            with session() as s:
                s.execute_write(bump)

    def _by_label(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """Ids grouped by the schema label they name; others cannot exist and are left out."""
        out: dict[str, list[str]] = {}
        for nid in ids:
            label, sep, key = nid.partition(":")
            if sep and key and label in self.schema.labels:
                out.setdefault(label, []).append(nid)
        return out

    def _read_by_ids(self, query: str, ids: Iterable[str], **params: Any) -> list[Record]:
        """Run a per-label query (``$ids`` grouped by label) in chunks of :data:`READ_BATCH` ids."""
        unique = list(dict.fromkeys(ids))
        out: list[Record] = []
        for chunk in _chunks(unique, READ_BATCH):
            groups = self._by_label(chunk)
            if groups:
                out.extend(self._read(query, ids=groups, **params))
        return out

    def _node(self, raw: Mapping[str, Any], pub: int | None = None) -> Node:
        """A node from its stored properties as generation ``pub`` (this thread's by default) sees them."""
        props = visible_props(raw, self._view() if pub is None else pub)
        data = {
            k: _from_neo4j(v)
            for k, v in props.items()
            if k not in cypher.HIDDEN_NODE_PROPS
            and k not in ("label", "key", "name")
            and not k.startswith(cypher.OLD_PREFIX)
        }
        label, _, key = str(props[cypher.ID]).partition(":")  # not stored apart: the id holds both
        return Node(id=props[cypher.ID], label=label, key=key, name=props["name"], props=data)

    def _edge(self, type_: str, source: str, target: str, raw: Mapping[str, Any], pub: int | None = None) -> Edge:
        """A relationship from its stored properties as generation ``pub`` (this thread's by default) sees them."""
        seen = visible_props(raw, self._view() if pub is None else pub)
        props = {
            k: _from_neo4j(v)
            for k, v in seen.items()
            if k not in cypher.HIDDEN_REL_PROPS and not k.startswith(cypher.OLD_PREFIX)
        }
        return Edge(type=type_, source=source, target=target, props=props, strength=self.weights.strength(type_, props))

    # -- schema and weights -------------------------------------------------------
    def _ensure_schema(self, indexes: bool = True) -> None:
        """Create the constraints (and, with ``indexes``, the indexes) that are missing.

        Before the first write only the constraints are needed (MERGE seeks
        by ``_id``). A load into a graph that lacks the other indexes leaves
        them for its end (:meth:`finish_load`): filling an index once is
        much cheaper than updating it on every write, above all the text
        indexes. The meta node says they are pending, so if the load dies
        the next connection makes them (:meth:`prepare`).
        """
        if self._schema_ready:
            return
        have = {str(r["name"]) for query in cypher.SHOW_SCHEMA for r in self._command(query)}
        wanted = cypher.schema_statements(self.schema)
        missing = {n: s for n, s in wanted.items() if n not in have and (indexes or cypher.is_constraint(n))}
        if missing:  # one transaction: the server fills all new indexes in one pass over the nodes

            def work(tx: ManagedTransaction) -> None:
                for statement in missing.values():
                    tx.run(statement).consume()

            with self._driver.session(
                database=self.database, bookmark_manager=self._driver.execute_query_bookmark_manager
            ) as session:
                session.execute_write(work)
        if not indexes and any(n not in have and not cypher.is_constraint(n) for n in wanted):
            self._command(cypher.MARK_SCHEMA_PENDING)
            self._indexes_pending = True
        self._schema_ready = True

    def prepare(self, timeout: float = 3600.0) -> None:
        """Make the constraints and indexes and wait until they are online.

        Run by itself on the first connection to a graph written by
        ``neo4j-admin database import`` from :func:`loaders.neo4j_import.export_for_import`
        (its meta node says the schema is pending); harmless at any other time.
        ``timeout``: seconds to wait for the indexes to be populated.
        """
        if timeout <= 0:
            raise InvalidParameter("timeout", f"must be positive, got {timeout}")
        with self._errors("making the constraints and indexes"):
            self._schema_ready = False
            self._heal_indexes(timeout)
            self._ensure_schema()
            failed = self._await_indexes(timeout)
            self._command(cypher.SCHEMA_DONE)
            self._indexes_pending = False
        self._warn_failed(failed)

    # -- index health (``guanxi doctor``) ---------------------------------------------
    def index_states(self) -> list[IndexState]:
        """Every guanxi index and constraint on the server with its state (a constraint: its index's)."""
        with self._errors("listing the indexes"):
            records = self._command(cypher.SHOW_INDEX_STATES)
        return [
            IndexState(
                name=str(r["name"]),
                kind="constraint" if r["constraint"] else str(r["type"]).lower(),
                state=str(r["state"]),
                cause=one_line(r["failure"]) if r["state"] == "FAILED" else "",
            )
            for r in records
        ]

    def _await_indexes(self, timeout: float) -> list[IndexState]:
        """Wait until none of guanxi's indexes is still being filled; the ones that FAILED.

        Not ``db.awaitIndexes``: it raises on the first failed index with the
        server's Java trace, and a failed index must not stop the store.
        """
        deadline = time.monotonic() + timeout
        while True:
            states = self.index_states()
            if all(s.state != "POPULATING" for s in states):
                return [s for s in states if s.state == "FAILED"]
            if time.monotonic() > deadline:
                slow = ", ".join(s.name for s in states if s.state == "POPULATING")
                raise StoreError(f"Neo4j indexes still being filled after {timeout:g} s: {slow}")
            time.sleep(0.2)

    def repair_indexes(self, timeout: float = 3600.0) -> list[IndexState]:
        """Drop and recreate guanxi's FAILED indexes and constraints once; the ones still FAILED after.

        A recreation fails again while a node holds a value too large for
        the index (:meth:`oversize_values` lists them).
        """
        if timeout <= 0:
            raise InvalidParameter("timeout", f"must be positive, got {timeout}")
        failed = [s for s in self.index_states() if s.state == "FAILED"]
        if not failed:
            return []
        wanted = cypher.schema_statements(self.schema)
        with self._errors("repairing the indexes"):
            for s in failed:
                self._command(cypher.drop_constraint(s.name) if s.kind == "constraint" else cypher.drop_index(s.name))
            for s in failed:
                if s.name in wanted:  # one no longer in the schema stays dropped
                    self._command(wanted[s.name])
            still = self._await_indexes(timeout)
            if not still:
                self._command(cypher.SET_FAILED_REPAIRS, names=[])
            return still

    def _heal_indexes(self, timeout: float = REPAIR_WAIT) -> None:
        """On connect: repair failed indexes once; what stays failed becomes a warning, not an error.

        A user who may not change the schema (a read-only role) gets the
        warning without the repair.
        """
        failed = [s for s in self.index_states() if s.state == "FAILED"]
        if not failed:
            return
        with self._errors("reading the meta node"):
            tried = set(self._command(cypher.GET_FAILED_REPAIRS)[0]["names"] or ())
        if {s.name for s in failed} <= tried:  # a repair already failed: rebuilding on every connect costs
            self._warn_failed(failed)
            return
        try:
            failed = self.repair_indexes(min(timeout, REPAIR_WAIT))
            with self._errors("recording the repair"):
                self._command(cypher.SET_FAILED_REPAIRS, names=sorted(s.name for s in failed))
        except StoreError as exc:
            self.warnings.append(f"could not repair the failed Neo4j indexes: {exc}")
        self._warn_failed(failed)

    def _warn_failed(self, failed: Sequence[IndexState]) -> None:
        for s in failed:
            self.warnings.append(
                f"Neo4j index {s.name} is FAILED ({s.cause or 'no reason given'}); "
                f"searches work without it, more slowly; {DOCTOR_HINT}"
            )

    def oversize_values(self) -> list[OversizeValue]:
        """Nodes whose indexed string values are too large for their index (id, property, size in bytes).

        A scan of every label (for ``guanxi doctor``, not on connect).
        """
        out: list[OversizeValue] = []
        with self._errors("looking for values too large for an index"):
            for name in self.schema.labels:
                records = self._read(cypher.oversize_values(self.schema, name), chars=RANGE_KEY_LIMIT // 4, pub=0)
                for r in records:
                    kind = cypher.INDEXED_STRINGS[str(r["prop"])]
                    limit = TEXT_KEY_LIMIT if kind == "text" else RANGE_KEY_LIMIT
                    size = len(str(r["value"]).encode("utf-8", "surrogatepass"))
                    if size > limit:
                        out.append(OversizeValue(id=str(r["id"]), prop=str(r["prop"]), size=size, limit=limit))
        return out

    def _ensure_weights(self, action: str = "write to the graph") -> None:
        """Refuse (:class:`~graph.errors.WeightsMismatch`) unless the stored strengths follow this
        store's weights; a graph without relationships or weights takes this store's. One query,
        asked again by every write: another client may have re-weighted the graph meanwhile."""
        self._check_weights(action, self._command(cypher.GET_META)[0])

    def _check_weights(self, action: str, meta: Record, *, adopt: bool = True) -> None:
        """Whether the strengths ``meta`` records are this store's (:data:`cypher.GET_META`'s fields).

        Only the strengths must agree (:attr:`Weights.strengths_digest`): hub
        discounts and the other rules of a warmth file are computed by each
        client. A graph that records only the whole file's digest (written
        before strengths digests were kept, or imported) agrees when that
        digest is this store's.
        """
        own = self.weights.strengths_digest
        stored, whole = meta["strengths"], meta["weights"]
        if stored == own or (stored is None and whole is not None and whole == self.weights.digest):
            if adopt and stored is None:
                self._record_weights()
            return
        if stored is None and whole is None and not int(meta["relationships"] or 0):
            if adopt:
                self._record_weights()
            return
        raise WeightsMismatch(
            action,
            stored or (f"{whole} (whole file)" if whole else None),
            meta["weights_file"],
            own,
            self.weights.source or "the packaged warmth.yaml",
        )

    def _record_weights(self) -> None:
        self._command(
            cypher.SET_META,
            strengths=self.weights.strengths_digest,
            weights=self.weights.digest,
            weights_file=self.weights.source or None,
        )

    def reweight(self) -> None:
        """Rewrite every stored strength with this store's weights and record them as the graph's.

        An administrator's explicit choice (``guanxi load --reweight``): every
        other client of the graph must use a warmth file with the same
        strengths afterwards, or its searches refuse (:class:`~graph.errors.WeightsMismatch`).
        """
        with self._errors("re-weighting the graph"):
            meta = self._command(cypher.GET_META)[0]
            if meta["strengths"] != self.weights.strengths_digest and int(meta["relationships"] or 0):
                self._reweight()
            self._record_weights()
            self._command(cypher.BUMP_VERSION)

    def _reweight(self) -> None:
        """Recompute ``_strength`` of every relationship with this store's weights."""
        for type_ in self.schema.types:
            pending: list[Record] = []
            with self._driver.session(
                database=self.database,
                default_access_mode=READ_ACCESS,
                bookmark_manager=self._driver.execute_query_bookmark_manager,
            ) as session:
                for record in session.run(cypher.relationships_of_type(self.schema, type_)):
                    pending.append(record)
                    if len(pending) >= self.batch_rows:
                        self._write_strengths(type_, pending)
                        pending = []
            self._write_strengths(type_, pending)

    def _write_strengths(self, type_: str, records: Sequence[Record]) -> None:
        if not records:
            return
        frame = pd.DataFrame([dict(r["props"]) for r in records])
        strengths = self.weights.strengths(type_, frame).tolist()
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for record, strength in zip(records, strengths, strict=True):
            source, target = record["source"], record["target"]
            if source is None or target is None:
                continue
            pair = (source.partition(":")[0], target.partition(":")[0])
            if pair[0] not in self.schema.labels or pair[1] not in self.schema.labels:
                continue
            groups.setdefault(pair, []).append(
                {"source": source, "target": target, "key": record["key"], "strength": strength}
            )
        statements = [
            (cypher.set_strengths(self.schema, type_, a, b), {"rows": rows}) for (a, b), rows in groups.items()
        ]
        self._transactions([statements])

    # -- writing -------------------------------------------------------------------
    def write(self, batch: RecordBatch) -> int:
        with self._errors(f"writing a {batch.name} batch"):
            if batch.frame.empty:
                return 0
            self._ensure_weights()
            self._ensure_schema(indexes=False)
            if self._loading is None:
                self._begin_load(replace=False)
            if batch.what == "nodes":
                return self._write_nodes(batch.name, batch.frame)
            if batch.what == "edges":
                return self._write_edges(batch.name, batch.frame, batch.ends_checked)
            if batch.what == "clients":
                return self._write_clients(batch.frame, batch.ends_checked)
            raise InvalidParameter("batch.what", f"unknown batch kind {batch.what!r}")  # pragma: no cover

    def _write_nodes(self, label: str, frame: pd.DataFrame) -> int:
        spec = self.schema.label(label)
        if spec.key not in frame.columns:
            raise InvalidParameter("batch", f"a {label} batch needs its key column {spec.key!r}")
        columns = node_columns(self.schema, label, frame)
        ids = columns[cypher.ID].tolist()
        rows = [
            {"id": nid, "i": i, "props": props}
            for i, (nid, props) in enumerate(zip(ids, row_props(columns, skip=(cypher.ID,)), strict=True))
        ]
        unique = _merge_duplicates(rows, lambda row: row["id"])
        keys = [c for c in columns if c != cypher.ID]
        query = cypher.merge_nodes(self.schema, label, keys)
        self._transactions(
            ([(query, {"rows": chunk, "keys": keys})] for chunk in _chunks(unique, self.batch_rows)),
            len(rows),
            parallel=True,
        )
        return len(rows)

    def _write_edges(self, type_: str, frame: pd.DataFrame, ends_checked: bool) -> int:
        spec = self.schema.kind(type_)
        for col in ("source", "target"):
            if col not in frame.columns:
                raise InvalidParameter("batch", f"a {type_} batch needs a {col!r} column")
        src = frame["source"].astype(str).tolist()
        dst = frame["target"].astype(str).tolist()
        ends = set(src) | set(dst)

        def check_ends(outcome: str = "nothing of this batch was written") -> None:
            missing = sorted(ends - self.existing_ids(ends))
            if missing:
                raise StoreError(
                    f"{type_}: {len(missing)} relationship ends are not in the graph "
                    f"(e.g. {', '.join(missing[:3])}); {outcome}"
                )

        if len(src) > self.batch_rows and not ends_checked:  # several transactions: check before the first
            check_ends()
        columns = edge_columns(self.schema, self.weights, spec.type, frame)
        keys = columns[cypher.KEY].tolist()
        props = row_props(columns, skip=("source", "target", cypher.KEY))
        rows = [
            {"source": s, "target": t, "key": k, "i": i, "props": p}
            for i, (s, t, k, p) in enumerate(zip(src, dst, keys, props, strict=True))
        ]
        loops: dict[str, set[str]] = {}
        for s, t in zip(src, dst, strict=True):
            if s == t:
                loops.setdefault(s.partition(":")[0], set()).add(s)
        unique = _merge_duplicates(rows, lambda row: (row["source"], row["target"], row["key"]))

        edge_keys = [c for c in columns if c not in ("source", "target", cypher.KEY)]

        def statements(chunk: Sequence[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
            groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for row in chunk:
                pair = (row["source"].partition(":")[0], row["target"].partition(":")[0])
                groups.setdefault(pair, []).append(row)
            return [
                (cypher.merge_edges(self.schema, spec.type, a, b, edge_keys), {"rows": group, "keys": edge_keys})
                for (a, b), group in groups.items()
            ]

        try:
            self._transactions((statements(chunk) for chunk in _chunks(unique, self.batch_rows)), len(rows))
        except _Incomplete:
            outcome = (
                f"the transaction (of at most {self.batch_rows:,} rows) that needed them was rolled back, "
                "those before it are committed; load again once the ends are there"
            )
            check_ends(outcome)
            raise StoreError(f"{type_}: relationship ends vanished while writing; {outcome}") from None
        if loops:  # recounted after every transaction of the write has committed: none misses another's
            self._transactions(
                [[(cypher.count_loops(self.schema, label), {"ids": sorted(ids)}) for label, ids in loops.items()]]
            )
        return len(rows)

    def _write_clients(self, frame: pd.DataFrame, ends_checked: bool) -> int:
        ids, columns = client_columns(frame)

        def check_companies() -> None:
            found = self.existing_ids(ids)
            missing = [n for n in ids if n not in found]
            if missing:
                raise StoreError(f"clients: {len(missing)} companies are not in the graph (e.g. {missing[0]})")

        if len(ids) > self.batch_rows and not ends_checked:
            check_companies()
        rows = [{"id": nid, "props": props} for nid, props in zip(ids, row_props(columns), strict=True)]
        keys = list(columns)
        query = cypher.update_nodes(self.schema, "Company", keys)
        try:
            self._transactions(
                [(query, {"rows": list(chunk), "keys": keys})] for chunk in _chunks(rows, self.batch_rows)
            )
        except _Incomplete:
            check_companies()
            raise StoreError("clients: companies vanished while writing") from None
        return len(rows)

    def clear(self) -> None:
        """Delete guanxi's nodes and relationships, and its secondary indexes: the next load
        fills them once at its end instead of updating them row by row (constraints stay)."""
        with self._errors("clearing the graph"):
            query = cypher.delete_some(self.schema)
            while self._command(query, batch=self.batch_rows)[0]["deleted"] == self.batch_rows:
                pass
            self._end_load()  # the meta node, and any hold on the graph, are gone
            have = {str(r["name"]) for r in self._command(cypher.SHOW_SCHEMA[0])}
            for name in cypher.schema_statements(self.schema):
                if name in have and not cypher.is_constraint(name):
                    self._command(cypher.drop_index(name))
            self._schema_ready = False

    @contextlib.contextmanager
    def replacing(self) -> Iterator[GraphStore]:
        """Replace the graph by what the block writes into this store, keeping the old one until it succeeds.

        The block is one load (:meth:`_begin_load`) that nobody sees until it
        is published; nothing is cleared first. When the block ends without
        an error, the nodes and relationships it did not write are marked
        gone from its generation on, properties the new files did not give
        are dropped from the rows both graphs share (their old values kept
        for the readers of the old graph), and the generation is published in
        one small transaction: readers see the old graph until then and the
        new one from then on. What it marked gone is deleted by the next load
        or ``guanxi doctor`` (:meth:`tidy`), not at once: a reader may still
        be answering from the old graph.

        When the block fails, what it created is deleted again and the rows
        it changed get their old values back, so the old graph is exactly what
        remains. If this process dies instead (or the server goes away), what
        the block wrote stays invisible until the next load or ``guanxi
        doctor`` cleans it.
        """
        with self._errors("starting a replace"):
            self._ensure_weights("replace the graph")
            self._ensure_schema(indexes=False)
            if self._loading is not None:  # writes before the replace in this store: they go with it
                self._abandon()
            self._begin_load(replace=True)
        generation = self._loading
        assert generation is not None
        try:
            yield self
            with self._errors("finishing the replace"):
                self._retire_unwritten(generation)
                self._drop_stale(generation)
        except BaseException:
            self._abandon()
            raise
        with self._errors("publishing the replace"):
            self._publish(generation)

    # -- loads: begun, published, abandoned, cleaned ------------------------------------------
    def _begin_load(self, *, replace: bool, tidy: bool = False) -> None:
        """Take a new generation for this store's writes, and hold the graph while they run.

        One small transaction on the meta node: if another load gave a sign of
        life in the last :data:`LOAD_LEASE` seconds, StoreError says so and
        nothing is written; otherwise this load holds the graph (a load taken
        for dead loses it), and first cleans what earlier loads left
        (:meth:`_clean`): a dead load's rows, a published one's old values and
        retired rows.
        """
        query = cypher.BEGIN_TIDY if tidy else cypher.BEGIN_LOAD
        record = self._command(query, lease=int(LOAD_LEASE * 1000))[0]
        if record["busy"]:
            raise StoreError(
                f"another guanxi load into this graph is running (generation {record['other']}, last active "
                f"{int(record['idle']) / 1000:.0f} s ago); wait until it ends (a load silent for {LOAD_LEASE:g} s "
                "counts as dead, and the next load cleans what it left)"
            )
        self._loading, self._replace = int(record["generation"]), replace
        self._beat(int(record["generation"]))
        if record["clean"]:
            self._clean(int(record["published"]))

    def _beat(self, generation: int) -> None:
        """Renew the load's hold on the graph every :data:`HEARTBEAT_EVERY` seconds until it ends."""
        stop = self._heartbeat = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_EVERY):
                with contextlib.suppress(Neo4jError, DriverError, OSError):
                    self._command(cypher.HEARTBEAT, gen=generation)

        threading.Thread(target=beat, name="guanxi-neo4j-heartbeat", daemon=True).start()

    def _end_load(self) -> None:
        """This store no longer loads (its heartbeat stops)."""
        self._loading, self._replace = None, False
        if self._heartbeat is not None:
            self._heartbeat.set()
            self._heartbeat = None

    def _publish(self, generation: int) -> None:
        """Make ``generation`` the one readers see: one small transaction."""
        self._end_load()
        if not self._command(cypher.PUBLISH, gen=generation):
            raise StoreError(
                f"this load (generation {generation}) lost its hold on the graph after {LOAD_LEASE:g} s without "
                "a sign of life, and another load or `guanxi doctor` cleaned it; nothing of it is visible: load again"
            )
        self.save_bounds()

    def save_bounds(self) -> None:
        """Compute the default filter's search bounds of the generation published now and keep them in
        the graph (:func:`graph.neo4j_search.refresh_bounds`): after every load, and on the first
        connection to an imported graph. A failure leaves the search without them (slower, same
        answers) and a line in :attr:`warnings`, never a failed load.
        """
        try:
            with self.snapshot(), self._errors("saving the search bounds"):
                refresh_bounds(self)
        except StoreError as exc:
            self.warnings.append(f"{exc}; searches work without the saved bounds, only slower")

    def _abandon(self) -> None:
        """Give up the load in progress: take back what it wrote (best effort: if that fails too, the
        next load or ``guanxi doctor`` does it) and let go of the graph."""
        generation = self._loading
        self._end_load()
        if generation is None:
            return
        with contextlib.suppress(GuanxiError, Neo4jError, DriverError, OSError), self._errors("taking back a load"):
            state = self._command(cypher.HOLD_STATE, gen=generation)[0]
            if state["held"]:  # else another load or a clean-up took over, and cleans it
                self._clean(int(state["published"]))
                self._command(cypher.RELEASE, gen=generation)

    def _clean(self, published: int) -> None:
        """Make the graph hold only generation ``published`` and the ones before it, with no bookkeeping.

        Only while this store holds the graph (so no other load is writing):
        rows created by a later generation (a dead or failed load) are
        deleted, rows a later one changed get their old values back, rows
        marked gone by ``published`` or before are deleted, and the old values
        a published load kept are dropped.
        """
        for type_ in self.schema.types:
            records = self._read(cypher.leftover_relationships(self.schema, type_), pub=published)
            gone, reset = self._sort_leftovers(records, published)
            self._delete_ids(None, gone)
            self._transactions(
                [(cypher.RESET_RELATIONSHIPS, {"rows": list(chunk)})] for chunk in _chunks(reset, self.batch_rows)
            )
        for label in self.schema.labels:
            records = self._read(cypher.leftover_nodes(self.schema, label), pub=published)
            gone, reset = self._sort_leftovers(records, published)
            self._delete_ids(label, gone)
            query = cypher.reset_nodes(self.schema, label)
            self._transactions([(query, {"rows": list(chunk)})] for chunk in _chunks(reset, self.batch_rows))

    @staticmethod
    def _sort_leftovers(records: Sequence[Record], published: int) -> tuple[list[str], list[dict[str, Any]]]:
        """Leftovers (:meth:`_clean`): the ids to delete, and the ``{id, props}`` to reset."""
        gone: list[str] = []
        reset: list[dict[str, Any]] = []
        for r in records:
            props = dict(r["props"])
            created = int(props.get(cypher.GEN) or 0)
            end = props.get(cypher.END)
            if created > published or (end is not None and int(end) <= published):
                gone.append(str(r["id"]))
            else:
                reset.append({"id": r["id"], "props": restored_props(props, published)})
        return gone, reset

    def tidy(self) -> None:
        """Clean what loads left behind (``guanxi doctor``): a dead load's rows, a published replace's
        retired rows, the old values a published load kept. StoreError if a load is running."""
        with self._errors("cleaning up after earlier loads"):
            self._begin_load(replace=False, tidy=True)
            generation = self._loading
            self._end_load()
            self._command(cypher.RELEASE, gen=generation)

    def _ids_of(self, query: str, **params: Any) -> list[str]:
        """All ids one query returns, read in one pass before anything is changed."""
        return [str(r["id"]) for r in self._read(query, **params) if r["id"] is not None]

    def _delete_ids(self, label: str | None, ids: Sequence[str]) -> None:
        """Delete nodes of ``label`` (with their relationships), or relationships by element id
        (``label`` None), in transactions of at most :attr:`batch_rows`."""
        query = cypher.DELETE_RELATIONSHIPS if label is None else cypher.delete_nodes(self.schema, label)
        self._transactions([(query, {"ids": list(chunk)})] for chunk in _chunks(ids, self.batch_rows))

    def _retire_unwritten(self, generation: int) -> None:
        """Mark every guanxi node and relationship the replace ``generation`` did not write as gone from
        it on (deleted once readers no longer need them, by :meth:`_clean`)."""
        for label in self.schema.labels:
            ids = self._ids_of(cypher.unwritten_nodes(self.schema, label), gen=generation, pub=generation)
            query = cypher.retire_nodes(self.schema, label)
            self._transactions(
                [(query, {"ids": list(chunk), "gen": generation})] for chunk in _chunks(ids, self.batch_rows)
            )
        for type_ in self.schema.types:
            ids = self._ids_of(cypher.unwritten_relationships(self.schema, type_), gen=generation, pub=generation)
            self._transactions(
                [(cypher.RETIRE_RELATIONSHIPS, {"ids": list(chunk), "gen": generation})]
                for chunk in _chunks(ids, self.batch_rows)
            )

    def _drop_stale(self, generation: int) -> None:
        """Properties of the old graph that the replace did not write again, removed from the rows it
        carried (their values kept for the readers of the old graph)."""
        for label in self.schema.labels:
            records = self._read(
                cypher.stale_nodes(self.schema, label),
                gen=generation,
                kept=list(cypher.KEPT_NODE_PROPS),
                pub=generation,
            )
            rows = [
                {"id": r["id"], "props": self._kept(r["props"], cypher.KEPT_NODE_PROPS, generation)} for r in records
            ]
            query = cypher.reset_nodes(self.schema, label)
            self._transactions([(query, {"rows": list(chunk)})] for chunk in _chunks(rows, self.batch_rows))
        for type_ in self.schema.types:
            records = self._read(
                cypher.stale_relationships(self.schema, type_),
                gen=generation,
                kept=list(cypher.KEPT_REL_PROPS),
                pub=generation,
            )
            rows = [
                {"id": r["id"], "props": self._kept(r["props"], cypher.KEPT_REL_PROPS, generation)} for r in records
            ]
            self._transactions(
                [(cypher.RESET_RELATIONSHIPS, {"rows": list(chunk)})] for chunk in _chunks(rows, self.batch_rows)
            )

    @staticmethod
    def _kept(props: Mapping[str, Any], bookkeeping: Sequence[str], generation: int) -> dict[str, Any]:
        """The properties a replace wrote (listed in ``_keys``) and the bookkeeping it keeps; the values
        of the others are kept as old values (``_o_<key>``) for the readers of the old graph."""
        wrote = set(props.get(cypher.KEYS) or ()) | set(bookkeeping)
        out = {k: v for k, v in props.items() if k in wrote or k.startswith(cypher.OLD_PREFIX)}
        dropped = [k for k in props if k not in wrote and not k.startswith(cypher.OLD_PREFIX)]
        same = props.get(cypher.OGEN) == generation
        saved = list(props.get(cypher.OSAVED) or ()) if same else []
        if not same:
            out = {k: v for k, v in out.items() if not k.startswith(cypher.OLD_PREFIX)}
        for k in dropped:
            if k not in saved:
                saved.append(k)
                out[cypher.OLD_PREFIX + k] = props[k]
        out[cypher.OSAVED] = saved
        out[cypher.OGEN] = generation
        return out

    def finish_load(self) -> None:
        """Make the indexes a load into a new graph left for its end; check the weights; publish the load
        (its writes become visible to readers all at once), unless it is a replace, which publishes
        when its block ends (:meth:`replacing`)."""
        if self._indexes_pending:
            self.prepare()
        with self._errors("finishing the load"):
            self._ensure_weights()
            if self._loading is not None and not self._replace:
                self._publish(self._loading)

    # -- reading ---------------------------------------------------------------------
    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        with self.snapshot(), self._errors("reading nodes"):
            records = self._read_by_ids(cypher.get_nodes(self.schema), ids)
            found = {r["id"]: self._node(r["props"]) for r in records}
        return {nid: found[nid] for nid in ids if nid in found}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        with self.snapshot(), self._errors("looking up node ids"):
            records = self._read_by_ids(cypher.existing_ids(self.schema), ids)
        return {str(r["id"]) for r in records}

    def find_nodes(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        query = text.strip()
        if not query:
            raise InvalidParameter("text", "empty search text")
        if limit < 1:
            raise InvalidParameter("limit", "must be at least 1")
        wanted = [name for name in self.schema.labels if not labels or name in labels]
        if not wanted:
            return []
        folded = query.casefold()
        out: dict[str, Node] = {}

        def add(
            records: Iterable[Record],
            keep: Callable[[Node], bool] = lambda n: True,
            check: Callable[[Mapping[str, Any]], bool] = lambda p: True,
        ) -> None:
            # the query matched the stored search copies; while a load that is not published yet has
            # changed a node, ``check`` tests the copies this snapshot sees
            pub = self._view()
            for r in records:
                raw = visible_props(r["props"], pub)
                node = self._node(raw, pub)
                if node.id not in out and keep(node) and check(raw):
                    out[node.id] = node

        def key_is(f: str) -> Callable[[Mapping[str, Any]], bool]:
            return lambda p: p.get(cypher.KEY_UC) == f or f"{sep}{f}{sep}" in str(p.get(cypher.IDENTS_UC) or "")

        def name_is(p: Mapping[str, Any]) -> bool:
            return p.get(cypher.NAME_LC) == folded

        def name_has(p: Mapping[str, Any]) -> bool:
            return folded in str(p.get(cypher.NAME_LC) or "")

        def ranked(records: list[Record], key: Callable[[Record], Any], n: int) -> list[Record]:
            return sorted(records, key=key)[:n]

        def by_id(r: Record) -> Any:
            return r["id"]

        def by_length(r: Record) -> Any:
            return (len(r["props"]["name"]), r["id"])

        def former_is(node: Node) -> bool:
            return folded in former_names(node.props.get("former_names"))

        def former_has(node: Node) -> bool:
            return any(folded in fn for fn in former_names(node.props.get("former_names")))

        sep = cypher.FORMER_SEP
        with self.snapshot(), self._errors("searching names"):
            forms = dict.fromkeys((query.upper(), *identifier_forms(query, self.schema.schemes)))
            for what, params, keep, check in (
                *(("key", {"upper": f, "ident": f"{sep}{f}{sep}"}, None, key_is(f)) for f in forms),
                ("name", {"folded": folded}, None, name_is),
                ("former", {"padded": f"{cypher.FORMER_SEP}{folded}{cypher.FORMER_SEP}"}, former_is, None),
            ):
                n = limit + len(out)
                records = self._read(cypher.find_exact(self.schema, wanted, what), limit=n, **params)
                add(ranked(records, by_id, n), keep or (lambda _: True), check or (lambda _: True))
            if len(out) < limit:
                n = limit * 2
                records = self._read(cypher.find_contains(self.schema, wanted, "name"), folded=folded, limit=n)
                add(ranked(records, by_length, n), check=name_has)
                n = limit + len(out)
                records = self._read(cypher.find_contains(self.schema, wanted, "former"), folded=folded, limit=n)
                add(ranked(records, by_id, n), former_has)
        return list(out.values())[:limit]

    def edges_of(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        wanted: list[str] | None = None
        if types:
            wanted = [t for t in dict.fromkeys(types) if t in self._type_order]
            if not wanted:
                return []
        with self.snapshot(), self._errors("reading relationships"):
            pub = self._view()
            records = self._read_by_ids(cypher.edges_of(self.schema, wanted), ids)
        seen: set[tuple[str, str, str, str]] = set()
        out: list[Edge] = []
        for r in records:
            props = r["props"]
            ident = (r["type"], r["source"], r["target"], str(props.get(cypher.KEY)))
            if r["source"] is None or r["target"] is None or ident in seen:
                continue
            seen.add(ident)
            out.append(self._edge(r["type"], r["source"], r["target"], props, pub))
        out.sort(key=lambda e: (self._type_order.get(e.type, 99), e.source, e.target, str(e.props.get(cypher.KEY))))
        return out

    # -- native steps of the analyst queries (queries.common.native) -------------------------
    def reachable(self, start: str, types: Sequence[str], forward: bool) -> set[str]:
        """Every node reachable from ``start`` along ``types`` (``forward``) or against them, start
        included: one query, where the query layer would walk a level (a round trip) at a time."""
        label = self._label_of(start)
        if label is None:
            return set()
        with self.snapshot(), self._errors("following relationships"):
            records = self._read(cypher.reachable(self.schema, label, types, forward), id=start)
        return {str(r["id"]) for r in records}

    def upstream_holdings(self, company: str) -> list[Edge]:
        """Every current shareholding and partnership interest on a chain into ``company`` (its own
        holdings left out), in one query."""
        holds = [t for t in ("HOLDS_SHARES", "INVESTS_IN") if t in self.schema.kinds]
        label = self._label_of(company)
        if label is None or not holds:
            return []
        with self.snapshot(), self._errors("reading the ownership tree"):
            records = self._read(cypher.upstream_holdings(self.schema, label, holds), id=company)
            edges = [self._edge(str(r["type"]), str(r["source"]), str(r["target"]), r["props"]) for r in records]
        edges.sort(key=lambda e: (e.source, e.target, str(e.props.get(cypher.KEY))))
        return edges

    def _label_of(self, nid: str) -> str | None:
        label, sep, key = nid.partition(":")
        return label if sep and key and label in self.schema.labels else None

    def degrees(self, ids: Sequence[str]) -> dict[str, int]:
        with self.snapshot(), self._errors("counting relationships"):
            records = self._read_by_ids(cypher.degrees(self.schema), ids)
        found = {str(r["id"]): int(r["degree"]) for r in records}
        return {nid: found[nid] for nid in ids if nid in found}

    def stats(self) -> GraphStats:
        nodes: dict[str, int] = dict.fromkeys(self.schema.labels, 0)
        rels: dict[str, int] = dict.fromkeys(self.schema.types, 0)
        clients = 0
        with self.snapshot(), self._errors("counting the graph"):
            for r in self._read(cypher.stats(self.schema)):
                if r["what"] == "label":
                    nodes[r["name"]] = int(r["n"])
                elif r["what"] == "type":
                    rels[r["name"]] = int(r["n"])
                else:
                    clients += int(r["n"])
        return GraphStats(nodes=nodes, relationships=rels, clients=clients)

    def version(self) -> object:
        """Changes with every write and every clear (a counter and a random epoch on the meta node)."""
        with self._errors("reading the graph's version"):
            record = self._read(cypher.GET_VERSION, pub=0)[0]
        return ("neo4j", record["epoch"], record["version"])

    def _pages(self, label: str, ids_only: bool, pub: int) -> Iterator[Record]:
        """Nodes of one label in creation order, a page (one query) at a time."""
        query = cypher.node_page(self.schema, label, ids_only=ids_only)
        after = -1
        while True:
            with self._errors(f"listing {label} nodes"):
                records = self._read(query, after=after, limit=PAGE, pub=pub)
            yield from records
            if len(records) < PAGE:
                return
            after = records[-1]["seq"]

    def _in_order(self, label: str | None, ids_only: bool, pub: int) -> Iterator[Record]:
        """Nodes (of ``label``) in creation order, all labels merged, as the embedded store keeps them."""
        labels = [name for name in self.schema.labels if label is None or name == label]
        return heapq.merge(*(self._pages(name, ids_only, pub) for name in labels), key=lambda r: int(r["seq"]))

    def _listing_view(self) -> int:
        with self._errors("reading the published generation"):
            return self._view()

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        pub = self._listing_view()  # the whole listing is of one generation
        for record in self._in_order(label, False, pub):
            yield self._node(record["props"], pub)

    def iter_edges(self, types: Sequence[str] | None = None) -> Iterator[Edge]:
        """Relationships in the embedded store's order: by source in creation order, then by
        the first relationship to each target, then each relationship's own creation order."""
        wanted = set(types) if types else None
        query = cypher.outgoing(self.schema)
        pub = self._listing_view()
        sources = (str(r["id"]) for r in self._in_order(None, True, pub))
        while page := list(itertools.islice(sources, PAGE // 4)):
            with self._errors("listing relationships"):
                records = self._read_by_ids(query, page, pub=pub)
            by_source: dict[str, list[tuple[int, str, str, Mapping[str, Any]]]] = {}
            first: dict[tuple[str, str], int] = {}
            for r in records:
                if r["target"] is None:
                    continue
                seq = int(r["props"].get(cypher.SEQ, -1))
                by_source.setdefault(r["source"], []).append((seq, r["type"], r["target"], r["props"]))
                pair = (r["source"], r["target"])
                first[pair] = min(first.get(pair, seq), seq)
            for source in page:
                rels = sorted(by_source.get(source, ()), key=lambda x: (first[(source, x[2])], x[0]))
                for _, type_, target, props in rels:
                    if wanted is None or type_ in wanted:
                        yield self._edge(type_, source, target, props, pub)

    # -- path search -------------------------------------------------------------------
    def top_paths(self, query: PathQuery) -> list[GPath]:
        with self.snapshot(), self._errors("searching paths"):
            explicit = () if query.sources == "clients" else query.sources
            found, slot = self._start_search([query.target, *explicit])
            if query.target not in found:
                raise InvalidParameter("target", f"{query.target!r} is not in the graph")
            unknown = [t for t in query.types if t not in self._type_order]
            if unknown:
                raise InvalidParameter("types", f"unknown relationship types {unknown}")
            missing = [s for s in explicit if s not in found]
            if missing:
                raise InvalidParameter("sources", f"not in the graph: {', '.join(missing)}")
            steps = Steps(self, query, slot)
            spec = SearchSpec(query.target, query.k, query.max_hops, query.min_warmth)
            candidates = top_candidates(steps, spec)  # ranked and cut to k: only k paths are built
            paths = self._materialise([c.ids for c in candidates], query.types, steps.degree)
        if any(rank_key(p.warmth, ()) != rank_key(c.warmth, ()) for p, c in zip(paths, candidates, strict=True)):
            # the search ranked on the stored strengths: a relationship whose ``_strength`` is not its
            # properties' strength (written by another tool) would make that order silently wrong
            raise StoreError(
                "stored relationship strengths differ from the warmth settings; "
                "run `guanxi load --reweight` to recompute them"
            )
        paths.sort(key=lambda p: rank_key(p.warmth, p.ids))
        return paths

    def _start_search(self, ids: Sequence[str]) -> tuple[set[str], int | None]:
        """Which of ``ids`` exist, the weights check and the slot of the saved search bounds of the
        generation read (None: none saved for it), in one round trip (the first chunk's).

        The stored strengths prune the search: if they follow other weights
        than this store's, the top k could be wrong, so the search refuses.
        """
        unique = list(dict.fromkeys(ids))
        records = self._read(cypher.existing_ids_and_weights(self.schema), ids=self._by_label(unique[:READ_BATCH]))
        found: set[str] = set()
        slot: int | None = None
        for r in records:
            if r["meta"]:
                self._check_weights("search paths", r, adopt=False)
                slot = bounds_slot(r, self._view(), bounds_key(self.schema, self.weights))
            else:
                found.add(str(r["id"]))
        if len(unique) > READ_BATCH:
            found |= self.existing_ids(unique[READ_BATCH:])
        return found, slot

    def _materialise(
        self, candidates: Sequence[tuple[str, ...]], types: Sequence[str], degree: Mapping[str, int]
    ) -> list[GPath]:
        """Paths from node ids (source first), hop by hop as the embedded store builds them."""
        if not candidates:
            return []
        want: dict[str, set[str]] = {}
        for ids in candidates:
            for a, b in itertools.pairwise(ids):
                # fetch from the end with fewer relationships (the target's degree is not known: small)
                v, u = (a, b) if degree.get(a, 0) <= degree.get(b, 0) else (b, a)
                want.setdefault(v, set()).add(u)
        records = self._read_by_ids(
            cypher.path_edges(self.schema, types),
            list(want),
            want={v: sorted(us) for v, us in want.items()},
        )
        options: dict[frozenset[str], list[Edge]] = {}
        nodes: dict[str, Node] = {}
        for r in records:
            edge = self._edge(r["type"], r["source"], r["target"], r["props"])
            options.setdefault(frozenset((edge.source, edge.target)), []).append(edge)
            for props in (r["vprops"], r["uprops"]):
                if props[cypher.ID] not in nodes:
                    nodes[props[cypher.ID]] = self._node(props)
        out: list[GPath] = []
        for ids in candidates:
            hops = [options.get(frozenset(pair)) for pair in itertools.pairwise(ids)]
            if not all(hops):
                raise StoreError("the graph changed while searching paths; ask again")
            edges = [min(h or (), key=lambda e: edge_choice_key(e, self._type_order)) for h in hops]
            discounts = [self.weights.discount(degree[nid]) for nid in ids[1:-1]]
            warmth = path_warmth([e.strength for e in edges], discounts)
            out.append(GPath(nodes=tuple(nodes[nid] for nid in ids), edges=tuple(edges), warmth=warmth))
        return out


# -- connecting -------------------------------------------------------------------------
def _connect(
    uri: str, user: str, password: str | None, database: str, max_retry_time: float, connection_timeout: float
) -> tuple[Driver, bool]:
    """A driver that has proven it can reach ``database``, and whether the graph's schema is still
    to be made (one query answers both); StoreUnavailable saying why not."""
    shown = redact_credentials(uri)  # NEO4J_URI may hold a password: never echo it
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme not in BOLT_SCHEMES:
        raise StoreUnavailable(
            f"cannot use Neo4j URI {shown!r}: it must start with "
            + ", ".join(f"{s}://" for s in BOLT_SCHEMES)
            + " (neo4j:// for a cluster or Aura, bolt:// for one server)"
        )
    if "@" in uri.partition("://")[2].partition("/")[0]:
        raise StoreUnavailable(
            f"Neo4j URI {shown!r} holds a user name or password: "
            "give them as NEO4J_USER and NEO4J_PASSWORD (--neo4j-user, --neo4j-password) instead"
        )
    try:
        driver = GraphDatabase.driver(
            uri,
            auth=None if password is None else (user, password),
            max_transaction_retry_time=max_retry_time,
            connection_timeout=connection_timeout,
            notifications_disabled_classifications=["UNRECOGNIZED"],
        )
    except (ConfigurationError, ValueError) as exc:
        raise StoreUnavailable(f"cannot use Neo4j URI {shown!r}: {redact_credentials(str(exc))}") from None
    try:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query(cypher.SCHEMA_PENDING, routing_=RoutingControl.READ, database_=database)
    except AuthError:
        driver.close()
        raise StoreUnavailable(
            f"Neo4j at {shown} refused user {user!r}: wrong user name or password (NEO4J_USER, NEO4J_PASSWORD)"
        ) from None
    except (ServiceUnavailable, SessionExpired) as exc:
        driver.close()
        raise StoreUnavailable(
            f"Neo4j is not reachable at {shown}: is the server running and the address right? "
            f"({redact_credentials(flat(exc))})"
        ) from None
    except ClientError as exc:
        driver.close()
        if exc.code == _DB_NOT_FOUND:
            raise StoreUnavailable(
                f"Neo4j at {shown} has no database {database!r} (NEO4J_DATABASE); create it or name another"
            ) from None
        raise StoreUnavailable(
            f"Neo4j at {shown} refused the connection: {exc.code}: {redact_credentials(one_line(exc.message))}"
        ) from None
    except (Neo4jError, DriverError, OSError) as exc:
        driver.close()
        raise StoreUnavailable(f"cannot open Neo4j at {shown}: {redact_credentials(one_line(exc))}") from None
    return driver, bool(records[0]["pending"])


__all__ = ["BOLT_SCHEMES", "SUB_BATCH", "IndexState", "Neo4jStore", "OversizeValue", "one_line"]
