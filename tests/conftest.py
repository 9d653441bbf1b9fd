"""Shared fixtures: the stores every scenario runs against.

``make_store`` is parametrised over the embedded store and the Neo4j store.
The Neo4j store talks to one real Neo4j server per test session: the one
``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE`` name,
or else a Neo4j Community server started for the session
(:mod:`tests.neo4j_server`). The tests clear that database, so a server named
by ``NEO4J_URI`` must hold no other nodes, or ``GUANXI_TEST_ALLOW_CLEAR=1``
must say that erasing them is fine. If no server can be had, the Neo4j
tests skip, except with ``CI=true``, where they fail: CI never goes green
without a real Neo4j.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import hypothesis
import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

from graph import cypher
from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.neo4j_store import Neo4jStore
from graph.settings import redact_credentials
from graph.store import GraphStore
from leads.store import LeadStore
from tests import neo4j_server
from tests import postgres_server as postgres_server_module

STORES = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]

#: property tests on Neo4j run this share of their examples (every store call is a server round trip)
NEO4J_EXAMPLE_SHARE = 5
#: ... but at least this many
NEO4J_MIN_EXAMPLES = 10


def on_ci() -> bool:
    """Whether we run in CI, where an unavailable Neo4j or Chromium must fail the tests, not skip them."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def unavailable(message: str) -> NoReturn:
    """Fail on CI, skip elsewhere: something a test needs (a server, a browser) cannot be had."""
    if on_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def neo4j_unavailable(reason: str) -> NoReturn:
    """Fail on CI, skip elsewhere: no Neo4j server to test against."""
    unavailable(f"Neo4j test server unavailable: {reason}")


#: JVM options of the tests' Neo4j server: the C1 compiler only. The tests send many small queries
#: to a server that lives a few minutes; the optimising C2 compiler's warm-up costs more CPU than it
#: wins back (measured on 2 cores: start plus 30 scenario examples 31.8 -> 17.6 JVM CPU seconds,
#: start 28 -> 17 s). The serial garbage collector, not G1: a 1 GB heap of short-lived query objects
#: needs no concurrent collector threads beside two busy test workers (measured on the publish tests:
#: 85 -> 75 CPU s with the JVM's, 71 -> 66 s wall). The benchmark's servers keep the defaults for peak speed.
TEST_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

#: Neo4j settings of the tests' server: a query plan, once made, is kept until the server stops.
#: Neo4j plans a query again when the graph's statistics changed by more than a share (0.75 by default)
#: and 10 s have passed since it was planned; the tests empty and fill the graph all the time, so on
#: the test server nearly every query was planned again every 10 s, each plan a second or more of the
#: server's CPU (measured: six loads of 15 and 150 companies with three searches each, 29.8 -> 10.5
#: JVM CPU s; from the third load on, a load 2-4 s -> 0.3 s and its searches 1.9 s -> 0.1 s). A plan
#: made for another graph's statistics gives the same answers (only its speed could differ), and the
#: test graphs are small.
TEST_SETTINGS: dict[str, str] = {
    "dbms.cypher.min_replan_interval": "1h",
    "dbms.cypher.statistics_divergence_threshold": "1.0",
    "internal.cypher.replan_algorithm": "NONE",
}


def started_test_server() -> neo4j_server.Neo4jTestServer:
    """A new, running Neo4j test server (the caller closes it), or fail on CI / skip elsewhere."""
    try:
        return neo4j_server.start_test_server(jvm_options=TEST_JVM_OPTIONS, settings=TEST_SETTINGS)
    except neo4j_server.Neo4jServerError as exc:
        neo4j_unavailable(str(exc))


def neo4j_examples(embedded: int) -> int:
    """How many examples a property test with ``embedded`` examples runs on Neo4j."""
    return min(embedded, max(embedded // NEO4J_EXAMPLE_SHARE, NEO4J_MIN_EXAMPLES))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Property tests (``@given``) on the Neo4j store run fewer examples of the same strategies.

    The embedded store runs every example in memory; on Neo4j each example loads a graph and asks it
    over the network, so the same count would make these few tests most of the suite's time. The
    test's own settings are swapped for the call and put back (the function object is shared by
    both parametrisations). Tests that size their examples themselves (``tests/test_paths_property.py``
    builds its ``@given`` inside the test) are left alone.
    """
    test = getattr(item, "obj", None)
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("make_store") if callspec is not None else None
    current = getattr(test, "_hypothesis_internal_use_settings", None)
    if backend != "neo4j" or not isinstance(current, hypothesis.settings):
        return (yield)
    test._hypothesis_internal_use_settings = hypothesis.settings(  # type: ignore[union-attr]
        current, max_examples=neo4j_examples(current.max_examples)
    )
    try:
        return (yield)
    finally:
        test._hypothesis_internal_use_settings = current  # type: ignore[union-attr]


#: the test files that use the spare Neo4j server (:func:`spare_server`): one work unit, handed out first
SPARE_FILES = frozenset(
    {
        "tests/test_neo4j_recovery.py",
        "tests/test_neo4j_server.py",
        "tests/test_neo4j_import.py",
        "tests/test_neo4j_doctor.py",
        "tests/test_bench.py",
    }
)
#: the name of that work unit
SPARE_UNIT = "neo4j-spare-server"


def work_unit_of(nodeid: str) -> str:
    """The work unit a test belongs to when pytest-xdist spreads the suite over workers: its file, or
    :data:`SPARE_UNIT` for the files of :data:`SPARE_FILES`.

    A test goes with its file, so a module's fixtures (a generated data set, a demo graph, a Streamlit
    page run) are made once, and the tests of a file keep their order. Each worker starts a Neo4j server
    and a PostgreSQL cluster of its own when its first test needs one; the files that kill, restart or
    re-import a server go together, so one worker starts one spare server for them. A server named by
    ``NEO4J_URI`` is one database that the tests clear: then one worker at a time uses it
    (:func:`neo4j_target`).

    >>> work_unit_of("tests/test_cli.py::test_paths[neo4j]"), work_unit_of("tests/test_neo4j_server.py::test_x")
    ('tests/test_cli.py', 'neo4j-spare-server')
    """
    file = nodeid.split("::", 1)[0]
    return SPARE_UNIT if file in SPARE_FILES else file


#: seconds each work unit took in a whole run (setup, call and teardown of its tests, on one worker), for
#: handing out the longest first; rewritten by a run with ``GUANXI_STORE_UNIT_SECONDS=1``
UNIT_SECONDS_FILE = Path(__file__).with_name("unit_seconds.json")


def unit_seconds(path: Path = UNIT_SECONDS_FILE) -> dict[str, float]:
    """The recorded seconds per work unit (:data:`UNIT_SECONDS_FILE`); empty when missing or unreadable
    (the order of handing out is then the files' own, the spare unit first)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def longest_first(units: Iterable[str], seconds: Mapping[str, float]) -> list[str]:
    """``units`` in the order to hand them out: the spare server's unit first, then by recorded seconds,
    longest first (a unit with no record counts as the median of the others), ties in their own order.

    Two workers finish together when the long units go early and the short ones fill in at the end; in
    file order a 42 s unit near the end kept one worker busy while the other had nothing left.

    >>> longest_first(["a", "b", SPARE_UNIT, "c"], {"a": 1.0, "c": 9.0})  # b: the median, 5.0
    ['neo4j-spare-server', 'c', 'b', 'a']
    """
    units = list(units)
    known = [seconds[u] for u in units if u in seconds]
    default = statistics.median(known) if known else 0.0
    return sorted(units, key=lambda u: (u != SPARE_UNIT, -seconds.get(u, default)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` (``scripts/test.sh``) hands out whole files (:func:`work_unit_of`), the longest
    first (:func:`longest_first`).

    xdist's own loadgroup scheduling groups by an ``xdist_group`` mark that it adds to the test ids,
    which pytest 9 no longer lets it change: every test went to whichever worker was free, a file's
    module fixtures were made on both workers and its Neo4j tests ran on both servers.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    seconds = unit_seconds()

    class FileScheduling(LoadScopeScheduling):  # type: ignore[misc]
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return work_unit_of(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            if not self.ordered:  # the work queue is whole by the first hand-out
                for unit in reversed(longest_first(self.workqueue, seconds)):
                    self.workqueue.move_to_end(unit, last=False)
                self.ordered = True
            super()._assign_work_unit(node)

    return FileScheduling(config, log)


_unit_times: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With ``GUANXI_STORE_UNIT_SECONDS=1``, add each test's setup, call and teardown time to its work unit
    (in the controller, which sees every worker's reports; :func:`pytest_sessionfinish` writes them out)."""
    if os.environ.get("GUANXI_STORE_UNIT_SECONDS") == "1":
        unit = work_unit_of(report.nodeid)
        _unit_times[unit] = _unit_times.get(unit, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With ``GUANXI_STORE_UNIT_SECONDS=1``, merge this run's seconds per work unit into
    :data:`UNIT_SECONDS_FILE` (units this run did not run keep their record; only in the controller)."""
    if os.environ.get("GUANXI_STORE_UNIT_SECONDS") != "1" or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    merged = {**unit_seconds(), **{unit: round(t, 1) for unit, t in _unit_times.items()}}
    text = json.dumps(dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))), indent=1) + "\n"
    UNIT_SECONDS_FILE.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Neo4jTarget:
    """Where the Neo4j tests connect; ``server`` is set when the session started it."""

    uri: str
    user: str
    password: str
    database: str
    server: neo4j_server.Neo4jTestServer | None = None

    @classmethod
    def of(cls, server: neo4j_server.Neo4jTestServer) -> Neo4jTarget:
        """The default database of a test server the session started."""
        return cls(uri=server.uri, user=server.user, password=server.password, database="neo4j", server=server)

    def store(self, max_retry_time: float = 30.0, batch_rows: int = 10_000) -> Neo4jStore:
        """A store on this server's database (not cleared)."""
        return Neo4jStore(
            self.uri, self.user, self.password, self.database, max_retry_time=max_retry_time, batch_rows=batch_rows
        )

    def cli_options(self) -> list[str]:
        """The command line's options that name this server's database (``--neo4j-uri`` ...)."""
        return [
            "--neo4j-uri",
            self.uri,
            "--neo4j-user",
            self.user,
            "--neo4j-password",
            self.password,
            "--neo4j-database",
            self.database,
        ]

    def scenario_store(self) -> ScenarioNeo4jStore:
        """A store on this server's database whose ``clear`` keeps the indexes (not cleared)."""
        return ScenarioNeo4jStore(self.uri, self.user, self.password, self.database)

    def empty(self) -> None:
        """Empty this server's database for a test as the scenarios do: its indexes stay.

        :meth:`Neo4jStore.clear` drops the secondary indexes and the next load makes them again, and
        every index made or dropped empties the server's query plan cache: each statement the tests
        send afterwards is planned again, seconds of the server's CPU per load (measured: a clear and
        a load of 50 companies, 8-9 JVM CPU s against 0.3-0.7 s with the indexes kept). The tests
        that check that clear and the load after it use it; the others start from this.
        """
        with self.scenario_store() as store:
            store.clear()


class ScenarioNeo4jStore(Neo4jStore):
    """The Neo4j store the scenarios get: ``clear`` empties the graph and keeps its constraints and indexes.

    The real :meth:`Neo4jStore.clear` also drops the secondary indexes, so that the next load, which may
    be millions of rows, fills them once at its end; the load then makes them again and waits until
    they are online. On the test server that costs seconds per clear (measured under load: a clear
    and a 15-row write took 5.8 s, against 0.27 s with the indexes kept), far more than the few rows a
    scenario writes, and the property tests clear once per example. So the scenarios, which check
    answers, share one database whose indexes are made once; the real clear, the indexes it drops and
    the load that makes them again are tested on :class:`Neo4jStore` itself (``tests/test_neo4j_recovery.py``,
    on the spare server: :func:`spare_neo4j`). The data left is what a real clear leaves: no guanxi node,
    relationship or meta node (so a new version, and no recorded strengths).
    """

    def clear(self) -> None:
        with self._errors("clearing the graph"):
            query = cypher.delete_some(self.schema)  # the real clear's deletion, meta node included
            while self._command(query, batch=self.batch_rows)[0]["deleted"] == self.batch_rows:
                pass
        self._schema_ready = False  # the next write checks the indexes are there (another store may drop them)
        self._end_load()  # a load this store left open went with the graph


def _external_target() -> Neo4jTarget | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    target = Neo4jTarget(
        uri=uri,
        user=os.environ.get("NEO4J_USER") or "neo4j",
        password=os.environ.get("NEO4J_PASSWORD") or "",
        database=os.environ.get("NEO4J_DATABASE") or "neo4j",
    )
    if os.environ.get("GUANXI_TEST_ALLOW_CLEAR") != "1":
        with GraphDatabase.driver(uri, auth=(target.user, target.password)) as driver:
            records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=target.database)
        if records[0]["n"]:
            pytest.exit(
                f"NEO4J_URI names {redact_credentials(uri)} (database {target.database!r}) "
                f"which holds {records[0]['n']} nodes; "
                "the tests would erase them. Use an empty scratch database or set GUANXI_TEST_ALLOW_CLEAR=1.",
                returncode=4,
            )
    return target


@contextlib.contextmanager
def _one_worker_at_a_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Hold a lock shared by the session's xdist workers until this worker's session ends: the tests of
    one worker use the external database, the other's wait (they clear it). No lock without xdist."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    lock = tmp_path_factory.getbasetemp().parent / "guanxi-external-neo4j.lock"
    with lock.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def neo4j_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTarget]:
    """The Neo4j server of this test session (started on first use)."""
    try:
        external = _external_target()
    except (DriverError, Neo4jError, OSError) as exc:
        neo4j_unavailable(redact_credentials(f"NEO4J_URI={os.environ.get('NEO4J_URI')}: {exc}"))
    if external is not None:
        with _one_worker_at_a_time(tmp_path_factory):
            yield external
        return
    server = started_test_server()
    try:
        yield Neo4jTarget.of(server)
    finally:
        server.close()


@pytest.fixture(scope="session")
def spare_server() -> Iterator[neo4j_server.Neo4jTestServer]:
    """A second Neo4j test server of this worker, not started yet, for the tests that kill, stop,
    restart or re-import a server, or drop its indexes (:func:`spare_neo4j` starts it; the import test
    runs neo4j-admin on it before its first start, which saves one).

    On the session's server those would throw away what every later test of the worker relies on for
    speed: a restarted JVM compiles the server's code again and plans every statement again, and each
    index made or dropped empties the query plan cache. Measured: the first run of a few test files costs
    the server 60 s of CPU, a second run on the warm server 17 s, and after the bench's restart the next
    small test cost 26 s instead of 4 s. The session's server stays warm; this one takes the blows.
    Always a server the tests start, also when ``NEO4J_URI`` names an external one (that one cannot be
    killed, and its indexes are not the tests' to drop). The files using it are one work unit
    (:data:`SPARE_FILES`), so one worker starts one.
    """
    server = neo4j_server.Neo4jTestServer(jvm_options=TEST_JVM_OPTIONS, settings=TEST_SETTINGS)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def spare_neo4j(spare_server: neo4j_server.Neo4jTestServer) -> Neo4jTarget:
    """The spare server (:func:`spare_server`), running."""
    try:
        spare_server.start()  # does nothing when it runs
    except neo4j_server.Neo4jServerError as exc:
        neo4j_unavailable(str(exc))
    return Neo4jTarget.of(spare_server)


class StoreFactory:
    """Makes empty stores of one backend; ``backend`` says which.

    Every embedded store is a new one; the Neo4j stores all share the
    session's database, so the factory hands out the same store, cleared
    (:class:`ScenarioNeo4jStore`: the indexes stay).
    """

    def __init__(self, backend: str, build: Callable[[], GraphStore]) -> None:
        self.backend = backend
        self._build = build
        self.made: list[GraphStore] = []

    def __call__(self) -> GraphStore:
        store = self._build()
        if store not in self.made:
            self.made.append(store)
        return store

    def close(self) -> None:
        for store in self.made:
            store.close()


@pytest.fixture(params=STORES)
def make_store(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """A factory of empty stores of each kind; every store it made is closed after the test."""
    build: Callable[[], GraphStore]
    if request.param == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_target")
        opened: list[Neo4jStore] = []

        def build() -> GraphStore:
            # one database, so one store per test: each call clears it again
            if not opened:
                try:
                    opened.append(target.scenario_store())
                except StoreUnavailable as exc:
                    neo4j_unavailable(str(exc))
            opened[0].clear()
            return opened[0]

    else:
        build = EmbeddedStore
    factory = StoreFactory(str(request.param), build)
    yield factory
    factory.close()


# -- the lead store: SQLite and a throw-away PostgreSQL --------------------------------------
LEAD_DBS = ["sqlite", "postgres"]


#: companies in the demo graph the explorer's page tests open (one folder per session: generated once)
DEMO_COMPANIES = 400


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small demo graph in the session's temporary folder, and no other store configured."""
    folder = tmp_path_factory.getbasetemp() / "guanxi-demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_DEMO_COMPANIES", str(DEMO_COMPANIES))
        mp.setenv("GUANXI_DEMO_DIR", str(folder))
        for name in ("GUANXI_STORE", "NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH"):
            mp.delenv(name, raising=False)
        yield folder


@pytest.fixture(autouse=True, scope="session")
def _lead_db_outside_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes the user's ``~/.guanxi/leads.db``: unless set, ``GUANXI_LEADS_DB`` is a session file."""
    if os.environ.get("GUANXI_LEADS_DB"):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_LEADS_DB", str(tmp_path_factory.mktemp("leads-default") / "leads.db"))
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres_server_module.PostgresTestServer]:
    """A PostgreSQL cluster for the session (fail on CI, skip elsewhere when it cannot start)."""
    try:
        server = postgres_server_module.start_test_server()
    except postgres_server_module.PostgresServerError as exc:
        unavailable(f"PostgreSQL test server unavailable: {exc}")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: postgres_server_module.PostgresTestServer) -> str:
    """The ``postgresql+psycopg://`` URL of the session's test database."""
    return postgres_server.url


@pytest.fixture(params=LEAD_DBS)
def lead_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where an empty lead store is: an SQLite file, or the PostgreSQL test database (emptied)."""
    if request.param == "postgres":
        server: postgres_server_module.PostgresTestServer = request.getfixturevalue("postgres_server")
        postgres_server_module.reset(server)
        return server.url
    return str(tmp_path / "leads.db")


@pytest.fixture
def lead_store(lead_location: str) -> Iterator[LeadStore]:
    """An empty lead store on each database (SQLite, PostgreSQL), closed after the test."""
    store = LeadStore.open(lead_location)
    yield store
    store.close()
