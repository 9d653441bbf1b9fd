"""Start and stop a real Neo4j Community 5.26 server for the test suite.

Why this exists: the guanxi tests must run against a real Neo4j server, but the
test machines have no Docker and no Neo4j installation, only a JDK, Maven and
access to Maven Central. ``scripts/neo4j-test-server`` is a tiny Maven project
whose main class runs an embedded Neo4j Community DBMS with the Bolt connector
on loopback and authentication switched on. This module

* builds that project with Maven when (and only when) its output is missing or
  out of date with its sources (:func:`build_server`), and
* runs it as a child process, one fresh data directory and free port per
  server, waits until it is ready and stops it again
  (:class:`Neo4jTestServer`, :func:`start_test_server`).

Tests connect with the official driver exactly as to any other server::

    with start_test_server() as server:
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            driver.execute_query("RETURN 1", database_="neo4j")

Only the standard library is used, so the module works before any optional
test dependency is installed.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Final

if sys.platform != "win32":
    import fcntl

__all__ = [
    "DEFAULT_PROJECT_DIR",
    "READY_PREFIX",
    "Neo4jServerError",
    "Neo4jTestServer",
    "build_server",
    "start_test_server",
]

#: The Maven project of the test server (``pom.xml`` + one Java class).
DEFAULT_PROJECT_DIR: Final[Path] = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-test-server"

#: Line prefix the Java server prints on stdout once Bolt accepts connections.
READY_PREFIX: Final[str] = "GUANXI-NEO4J-READY "
#: the environment variable that hands the server its password (TestServer.PASSWORD_VARIABLE)
PASSWORD_VARIABLE: Final[str] = "GUANXI_TEST_SERVER_PASSWORD"

_MAIN_CLASS: Final = "guanxi.testserver.TestServer"
#: the class the `neo4j-admin` script runs
_ADMIN_CLASS: Final = "org.neo4j.cli.AdminTool"
_MAIN_CLASS_FILE: Final = Path("classes") / "guanxi" / "testserver" / "TestServer.class"
_STAMP_NAME: Final = "guanxi-build.stamp"
_LOCK_NAME: Final = ".guanxi-build.lock"
_HOST: Final = "127.0.0.1"
_USER: Final = "neo4j"
_LOG_NAME: Final = "server.log"
#: the file of further Neo4j settings the server reads (``--config``), in its home directory
_SETTINGS_NAME: Final = "guanxi-settings.conf"
_TAIL_LINES: Final = 60
_BUILD_TIMEOUT_S: Final = 1800.0
_START_TIMEOUT_S: Final = 120.0
_STOP_TIMEOUT_S: Final = 60.0
_PORT_RETRIES: Final = 3
_ANSI_ESCAPE: Final = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

#: the garbage collector the server runs with unless its JVM options name another (the JVM refuses two)
_DEFAULT_GC: Final = "-XX:+UseG1GC"

#: JVM options for the server besides the heap (``-Xms``/``-Xmx``, both set
#: because Neo4j warns when ``-Xms`` is missing): the module openings and Netty
#: flag the Neo4j distribution also uses, so the page cache and Netty run in
#: their fast modes instead of logging "fallback mode" warnings.
_DEFAULT_JVM_OPTIONS: Final[tuple[str, ...]] = (
    _DEFAULT_GC,
    "-XX:-OmitStackTraceInFastThrow",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


def _jvm_defaults(options: Sequence[str]) -> tuple[str, ...]:
    """The default JVM options that ``options`` leave standing: G1 goes when they choose another collector.

    >>> "-XX:+UseG1GC" in _jvm_defaults(["-XX:+UseSerialGC"]), "-XX:+UseG1GC" in _jvm_defaults([])
    (False, True)
    """
    other_gc = any(o.startswith("-XX:+Use") and o.endswith("GC") for o in options)
    return tuple(o for o in _DEFAULT_JVM_OPTIONS if not (other_gc and o == _DEFAULT_GC))


class Neo4jServerError(RuntimeError):
    """The test server could not be built, started or stopped.

    The message always says what failed and, where there is one, ends with the
    tail of the relevant output (Maven's output or the server log), so a failed
    CI run can be diagnosed from the test report alone.
    """


# --------------------------------------------------------------------------- build


def build_server(
    project_dir: Path | None = None,
    *,
    force: bool = False,
    timeout: float = _BUILD_TIMEOUT_S,
) -> Path:
    """Build the Java test server if needed and return its ``target`` directory.

    The returned directory holds ``classes/`` (the compiled main class) and
    ``lib/`` (every runtime jar), i.e. the server's class path.

    Maven (``mvn -q -B package``) runs only if ``force`` is set, the compiled
    class or the jar directory is missing, or the sources changed since the last
    successful build. "Changed" is decided by a SHA-256 digest of ``pom.xml``
    and everything under ``src/``, recorded in ``target/guanxi-build.stamp``;
    content rather than modification times, so a fresh checkout or a ``touch``
    does not cause a pointless rebuild, while any real edit does. An up-to-date
    build therefore costs a few file reads and no Maven start at all; Maven's
    own ``~/.m2`` cache avoids re-downloading jars when a rebuild is needed.

    Before rebuilding, ``target/classes`` and ``target/lib`` are removed so
    jars of an older Neo4j version cannot linger on the class path. Concurrent
    callers (e.g. pytest-xdist workers) are serialised with a file lock.

    Raises:
        Neo4jServerError: Maven is not installed, timed out or failed; the
            message ends with the tail of Maven's output.
    """
    project = (project_dir or DEFAULT_PROJECT_DIR).resolve()
    if not (project / "pom.xml").is_file():
        raise Neo4jServerError(f"no Maven project at {project} (pom.xml missing)")
    target = project / "target"
    digest = _source_digest(project)
    if not force and _is_up_to_date(target, digest):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with _build_lock(target / _LOCK_NAME):
        # Another process may have finished the same build while we waited.
        if not force and _is_up_to_date(target, digest):
            return target
        _run_maven(project, timeout)
        if not (target / _MAIN_CLASS_FILE).is_file() or not _has_jars(target / "lib"):
            raise Neo4jServerError(
                f"Maven succeeded but {target / _MAIN_CLASS_FILE} or the jars in {target / 'lib'} are missing"
            )
        (target / _STAMP_NAME).write_text(digest + "\n", encoding="utf-8")
    return target


def _source_digest(project: Path) -> str:
    """Return a SHA-256 hex digest over the paths and contents of the build inputs."""
    files = [project / "pom.xml"]
    src = project / "src"
    if src.is_dir():
        files.extend(sorted(p for p in src.rglob("*") if p.is_file()))
    h = hashlib.sha256()
    for path in files:
        h.update(path.relative_to(project).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _is_up_to_date(target: Path, digest: str) -> bool:
    """Tell whether ``target`` holds a complete build of the sources with ``digest``."""
    stamp = target / _STAMP_NAME
    try:
        recorded = stamp.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return recorded == digest and (target / _MAIN_CLASS_FILE).is_file() and _has_jars(target / "lib")


def _has_jars(lib: Path) -> bool:
    """Tell whether ``lib`` exists and contains at least one jar."""
    return lib.is_dir() and any(lib.glob("*.jar"))


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (no-op where ``fcntl`` is missing).

    ``flock`` locks are released by the kernel when the holder dies, so a
    crashed build never leaves a stale lock behind.
    """
    with path.open("a+b") as handle:
        if sys.platform != "win32":
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if sys.platform != "win32":
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _run_maven(project: Path, timeout: float) -> None:
    """Run ``mvn -q -B package`` in ``project`` after clearing old output."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError("Maven ('mvn') is not on PATH; it is needed to build the Neo4j test server")
    target = project / "target"
    for stale in (target / "classes", target / "lib", target / _STAMP_NAME):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    command = [mvn, "-q", "-B", "-Dstyle.color=never", "package"]
    try:
        result = subprocess.run(
            command,
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.output if isinstance(exc.output, str) else (exc.output or b"").decode("utf-8", "replace")
        raise Neo4jServerError(
            f"Maven build of the Neo4j test server timed out after {timeout:.0f} s\n{_tail(output)}"
        ) from exc
    except OSError as exc:
        raise Neo4jServerError(f"could not run Maven ({mvn}): {exc}") from exc
    if result.returncode != 0:
        raise Neo4jServerError(
            f"Maven build of the Neo4j test server failed (exit code {result.returncode}, "
            f"command: {' '.join(command)} in {project})\n{_tail(result.stdout)}"
        )


def _tail(text: str, lines: int = _TAIL_LINES) -> str:
    """Return the last ``lines`` lines of ``text`` without ANSI colour codes, marked as a tail."""
    kept = _ANSI_ESCAPE.sub("", text).rstrip().splitlines()[-lines:]
    return "--- last lines ---\n" + "\n".join(kept) if kept else "--- (no output) ---"


# --------------------------------------------------------------------------- server


def _find_java() -> str:
    """Return the ``java`` executable, preferring ``$JAVA_HOME/bin/java``."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / ("java.exe" if sys.platform == "win32" else "java")
        if candidate.is_file():
            return str(candidate)
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError("no 'java' on PATH (and JAVA_HOME unset); Java 17+ is needed for the Neo4j test server")
    return java


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Neo4jTestServer:
    """One Neo4j Community server in a child JVM, on loopback, with authentication.

    The server listens for Bolt on ``127.0.0.1:<port>`` (a free port picked
    automatically unless given) and keeps its databases in :attr:`data_dir`
    (a new temporary directory unless given). The built-in user ``neo4j`` gets
    :attr:`password` (random unless given) without a "change required" flag.

    Lifecycle: :meth:`start` launches the JVM and blocks until the server
    prints its ready line; :meth:`stop` shuts it down cleanly (SIGTERM, then
    SIGKILL after a grace period); :meth:`kill` SIGKILLs it to simulate a
    crash; :meth:`restart` starts again on the same directory and port, so
    data survives (Neo4j recovers committed transactions from its log after a
    crash). :meth:`close` also deletes the data directory if this object
    created it. Used as a context manager, the server is started on entry (if
    not yet running) and closed on exit. Every instance registers
    :meth:`close` with :mod:`atexit`, and the JVM additionally exits by itself
    when this Python process dies (it watches its stdin pipe), so no server
    outlives the test run.

    The server's stdout and stderr are appended to :attr:`log_path`
    (``<data_dir>/server.log``); Neo4j's own logs are in ``<data_dir>/logs``.
    """

    def __init__(
        self,
        *,
        password: str | None = None,
        port: int | None = None,
        data_dir: Path | str | None = None,
        keep_data: bool = False,
        project_dir: Path | None = None,
        startup_timeout: float = _START_TIMEOUT_S,
        heap: str = "1g",
        pagecache: str = "256m",
        jvm_options: Sequence[str] = (),
        settings: Mapping[str, str] | None = None,
    ) -> None:
        """Configure a server; nothing is built or started until :meth:`start`.

        Args:
            password: Password for user ``neo4j``; random if omitted.
            port: Bolt port on 127.0.0.1; a free one is chosen if omitted (and
                re-chosen if it gets taken before the first start).
            data_dir: Neo4j home directory; reused as is if given, otherwise a
                new temporary directory that :meth:`close` removes.
            keep_data: Keep a temporary ``data_dir`` on :meth:`close`, e.g. to
                read the logs after a failure.
            project_dir: The Maven project of the server (default
                ``scripts/neo4j-test-server``).
            startup_timeout: Seconds to wait for the ready line.
            heap: JVM heap size (``-Xms`` and ``-Xmx``), e.g. ``"1g"``.
            pagecache: Neo4j page cache size, e.g. ``"256m"``.
            jvm_options: Extra JVM options, appended after the defaults.
            settings: Further Neo4j settings (``neo4j.conf`` names and values, e.g.
                ``{"dbms.cypher.min_replan_interval": "1h"}``), written to a file in the home
                directory that the server reads at every start.
        """
        # never starting with "-": CLI tests pass it as ``--neo4j-password VALUE``
        self._password = password if password is not None else "gx" + secrets.token_urlsafe(18)
        self._port_given = port is not None
        self._port = port if port is not None else _free_port()
        if data_dir is None:
            self._data_dir = Path(tempfile.mkdtemp(prefix="guanxi-neo4j-"))
            self._owns_data_dir = True
        else:
            self._data_dir = Path(data_dir).resolve()
            self._data_dir.mkdir(parents=True, exist_ok=True)
            self._owns_data_dir = False
        self._keep_data = keep_data
        self._project_dir = project_dir
        self._startup_timeout = startup_timeout
        self._heap = heap
        self._pagecache = pagecache
        self._jvm_options = tuple(jvm_options)
        self._settings = _checked_settings(settings or {})
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None
        self._started_once = False
        self._closed = False
        atexit.register(self.close)

    # ----------------------------------------------------------------- properties

    @property
    def uri(self) -> str:
        """Bolt URI for the driver, ``bolt://127.0.0.1:PORT``."""
        return f"bolt://{_HOST}:{self._port}"

    @property
    def host(self) -> str:
        """The loopback address the server listens on."""
        return _HOST

    @property
    def port(self) -> int:
        """The Bolt port (stays the same across :meth:`restart`)."""
        return self._port

    @property
    def user(self) -> str:
        """The user name to authenticate with (always ``neo4j``)."""
        return _USER

    @property
    def password(self) -> str:
        """The password of :attr:`user`."""
        return self._password

    @property
    def auth(self) -> tuple[str, str]:
        """``(user, password)``, ready for ``GraphDatabase.driver(uri, auth=...)``."""
        return (_USER, self._password)

    @property
    def data_dir(self) -> Path:
        """The Neo4j home directory (databases, transaction logs, logs)."""
        return self._data_dir

    @property
    def log_path(self) -> Path:
        """File receiving the server process's stdout and stderr."""
        return self._data_dir / _LOG_NAME

    @property
    def pid(self) -> int | None:
        """Process id of the running JVM, or ``None`` when not running."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def is_running(self) -> bool:
        """Whether the server process exists and has not exited."""
        return self._process is not None and self._process.poll() is None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Neo4jTestServer:
        """Build if needed, launch the server and wait until Bolt is ready.

        Does nothing if the server is already running. Returns ``self`` so that
        ``server = Neo4jTestServer().start()`` works.

        Raises:
            Neo4jServerError: the build failed, ``java`` is missing, the server
                exited during start-up or did not report ready within the
                start-up timeout (the message ends with the log tail).
        """
        if self._closed:
            raise Neo4jServerError("this Neo4jTestServer was closed; create a new one")
        if self.is_running:
            return self
        target = build_server(self._project_dir)
        java = _find_java()
        attempts = 1 if (self._port_given or self._started_once) else _PORT_RETRIES
        for attempt in range(1, attempts + 1):
            try:
                self._launch(java, target)
                break
            except _PortInUseError:
                if attempt == attempts:
                    raise Neo4jServerError(
                        f"port {self._port} on {_HOST} is already in use\n{self._log_tail()}"
                    ) from None
                self._port = _free_port()
        self._started_once = True
        return self

    def stop(self, timeout: float = _STOP_TIMEOUT_S) -> None:
        """Shut the server down cleanly; safe to call when stopped or twice.

        Sends SIGTERM (the JVM's shutdown hook stops the DBMS, which flushes
        and checkpoints the stores) and waits up to ``timeout`` seconds, then
        falls back to SIGKILL. Keeps :attr:`data_dir`, so :meth:`restart` can
        continue where this left off.
        """
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._write_log_note(f"did not stop within {timeout:.0f} s of SIGTERM; sending SIGKILL")
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                process.wait()
        self._release_process()

    def kill(self) -> None:
        """SIGKILL the server, like a crash or power cut (no shutdown hook runs).

        Data committed before the kill must still be there after
        :meth:`restart`; that is what crash tests use this for.
        """
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()  # SIGKILL on POSIX
            process.wait()
        self._release_process()

    def restart(self) -> Neo4jTestServer:
        """Stop the server if it runs, then start it on the same data directory and port."""
        self.stop()
        return self.start()

    def admin(self, *args: str, timeout: float = 3600.0) -> str:
        """Run ``neo4j-admin ARGS`` on this server's home (stopped first) and return its output.

        The tool is Neo4j's own (``org.neo4j.cli.AdminTool``, the class behind
        the ``neo4j-admin`` script), from the same jars as the server, so
        ``server.admin("database", "import", "full", ...)`` is exactly what a
        user runs on an installed Neo4j. The server stays stopped; call
        :meth:`start` afterwards.

        Raises:
            Neo4jServerError: the tool failed or timed out (with its output's tail).
        """
        self.stop()
        target = build_server(self._project_dir)
        classpath = os.pathsep.join([str(target / "classes"), str(target / "lib" / "*")])
        env = {**os.environ, "NEO4J_HOME": str(self._data_dir)}
        env.pop("NEO4J_CONF", None)
        command = [_find_java(), f"-Xmx{self._heap}", *_DEFAULT_JVM_OPTIONS, "-cp", classpath, _ADMIN_CLASS, *args]
        try:
            done = subprocess.run(
                command, cwd=self._data_dir, env=env, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise Neo4jServerError(f"neo4j-admin {' '.join(args[:3])} did not finish within {timeout:.0f} s") from exc
        output = (done.stdout + done.stderr).decode("utf-8", "replace")
        if done.returncode != 0:
            raise Neo4jServerError(f"neo4j-admin {' '.join(args[:3])} failed (exit {done.returncode})\n{_tail(output)}")
        return output

    def close(self) -> None:
        """Stop the server and delete a temporary data directory; idempotent.

        Registered with :mod:`atexit` for every instance. A ``data_dir`` passed
        by the caller, or any directory when ``keep_data`` is set, is kept.
        """
        if self._closed:
            return
        self.stop()
        self._closed = True
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        if self._owns_data_dir and not self._keep_data:
            shutil.rmtree(self._data_dir, ignore_errors=True)

    def __enter__(self) -> Neo4jTestServer:
        """Start the server (if not running) and return it."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and remove its temporary data directory."""
        self.close()

    def __repr__(self) -> str:
        """Show URI, state and data directory, but never the password."""
        state = "running" if self.is_running else "stopped"
        return f"Neo4jTestServer(uri={self.uri!r}, {state}, data_dir={str(self._data_dir)!r})"

    # ------------------------------------------------------------------ internals

    def _command(self, java: str, target: Path) -> list[str]:
        """Return the full ``java`` command line for the server."""
        classpath = os.pathsep.join([str(target / "classes"), str(target / "lib" / "*")])
        return [
            java,
            f"-Xms{self._heap}",
            f"-Xmx{self._heap}",
            *_jvm_defaults(self._jvm_options),
            *self._jvm_options,
            "-cp",
            classpath,
            _MAIN_CLASS,
            "--home",
            str(self._data_dir),
            "--port",
            str(self._port),
            "--pagecache",
            self._pagecache,
            *(["--config", str(self._data_dir / _SETTINGS_NAME)] if self._settings else []),
            "--watch-stdin",
        ]

    def _launch(self, java: str, target: Path) -> None:
        """Start the JVM and wait for the ready line in its log."""
        self._write_log_note(f"starting Neo4j test server on {self.uri}")
        if self._settings:
            lines = "".join(f"{name}={value}\n" for name, value in self._settings.items())
            (self._data_dir / _SETTINGS_NAME).write_text(lines, encoding="utf-8")
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log_handle = self.log_path.open("ab")
        try:
            # stdin stays an open pipe: the server exits when it reaches EOF,
            # i.e. when this process dies without stopping it.
            process = subprocess.Popen(
                self._command(java, target),
                cwd=self._data_dir,
                # the password through the environment (readable by this user only), not the
                # command line, which ps shows every user and Neo4j writes to its debug log
                env={**os.environ, PASSWORD_VARIABLE: self._password},
                stdin=subprocess.PIPE,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            log_handle.close()
            raise Neo4jServerError(f"could not start {java}: {exc}") from exc
        self._process = process
        self._log_handle = log_handle
        try:
            self._await_ready(process, offset)
        except BaseException:
            self.kill()
            raise

    def _await_ready(self, process: subprocess.Popen[bytes], offset: int) -> None:
        """Poll the log from ``offset`` until the ready line, an early exit or the timeout."""
        deadline = time.monotonic() + self._startup_timeout
        # "(?!\d)": the ready line for port 1768 must not match one for 17687.
        ready = re.compile(re.escape(READY_PREFIX + self.uri) + r"(?!\d)")
        while True:
            output = self._read_log(offset)
            if ready.search(output):
                return
            code = process.poll()
            if code is not None:
                output = self._read_log(offset)
                if ready.search(output):
                    return
                if not self._port_given and not self._started_once and "Address already in use" in output:
                    raise _PortInUseError
                raise Neo4jServerError(
                    f"Neo4j test server exited with code {code} during start-up (log: {self.log_path})\n{_tail(output)}"
                )
            if time.monotonic() > deadline:
                raise Neo4jServerError(
                    f"Neo4j test server did not report ready within {self._startup_timeout:.0f} s "
                    f"(log: {self.log_path}, Neo4j logs: {self._data_dir / 'logs'})\n{_tail(output)}"
                )
            time.sleep(0.1)

    def _read_log(self, offset: int) -> str:
        """Return the server log from byte ``offset`` on (empty if unreadable)."""
        try:
            with self.log_path.open("rb") as handle:
                handle.seek(offset)
                return handle.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_tail(self) -> str:
        """Return the tail of the whole server log."""
        return _tail(self._read_log(0))

    def _write_log_note(self, message: str) -> None:
        """Append a timestamped line from this helper to the server log."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with contextlib.suppress(OSError), self.log_path.open("ab") as handle:
            handle.write(f"=== {stamp} guanxi: {message} ===\n".encode())

    def _release_process(self) -> None:
        """Forget the (exited) process and close our pipe and log handles."""
        process = self._process
        self._process = None
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None


def _checked_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """The settings as given, refused if one could break the file's ``name=value`` lines."""
    for name, value in settings.items():
        if not re.fullmatch(r"[A-Za-z0-9_.]+", name) or any(c in str(value) for c in "\r\n"):
            raise Neo4jServerError(f"not a Neo4j setting line: {name}={value!r}")
    return {name: str(value) for name, value in settings.items()}


class _PortInUseError(Exception):
    """Internal: the automatically chosen port was taken before the server bound it."""


def start_test_server(
    *,
    password: str | None = None,
    port: int | None = None,
    data_dir: Path | str | None = None,
    keep_data: bool = False,
    project_dir: Path | None = None,
    startup_timeout: float = _START_TIMEOUT_S,
    heap: str = "1g",
    pagecache: str = "256m",
    jvm_options: Sequence[str] = (),
    settings: Mapping[str, str] | None = None,
) -> Neo4jTestServer:
    """Create a :class:`Neo4jTestServer` (same arguments) and start it.

    The caller owns the running server: call :meth:`Neo4jTestServer.close`, or
    use it as a context manager, when done (:mod:`atexit` does it otherwise).

    Raises:
        Neo4jServerError: the server could not be built or started; nothing
            is left running (the data directory with the logs stays until exit).
    """
    server = Neo4jTestServer(
        password=password,
        port=port,
        data_dir=data_dir,
        keep_data=keep_data,
        project_dir=project_dir,
        startup_timeout=startup_timeout,
        heap=heap,
        pagecache=pagecache,
        jvm_options=jvm_options,
        settings=settings,
    )
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise
