"""A throw-away PostgreSQL cluster for the lead-store tests.

Debian's ``postgresql`` package puts ``initdb`` and ``pg_ctl`` under
``/usr/lib/postgresql/<version>/bin`` (``GUANXI_PG_BIN`` names another
folder). The cluster lives in a temporary folder, listens on a free loopback
port with its socket in that folder, trusts local connections, and is
stopped and removed at the end. PostgreSQL refuses to run as root, and CI
runs as root: then the folder is handed to the unprivileged ``postgres``
user the package creates and every server command runs as that user
(``runuser -u postgres --``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresServerError(RuntimeError):
    """The test cluster cannot be made or started; the message says why."""


def _bin_dir() -> Path:
    chosen = os.environ.get("GUANXI_PG_BIN")
    if chosen:
        folder = Path(chosen)
        if not (folder / "initdb").exists():
            raise PostgresServerError(f"GUANXI_PG_BIN={chosen} holds no initdb")
        return folder
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresServerError(
        "no initdb under /usr/lib/postgresql/*/bin or on PATH: install Debian's postgresql (scripts/test.sh does)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresTestServer:
    """A running cluster: its URL, and how to stop it."""

    folder: Path
    bin_dir: Path
    port: int
    prefix: list[str]
    database: str = "guanxi_test"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the test database (psycopg 3 driver)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def plain_url(self) -> str:
        """The same database as a libpq URL (for psycopg directly)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def close(self) -> None:
        """Stop the server (fast) and remove its folder."""
        with contextlib.suppress(PostgresServerError):
            _run([*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                  "-w", "-t", "30", "stop"], timeout=60)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def _run(command: list[str], timeout: float) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresServerError(f"{Path(command[0]).name}: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PostgresServerError(f"{' '.join(Path(c).name for c in command[:3])} failed: {' | '.join(tail)}")
    return done.stdout


def start_test_server() -> PostgresTestServer:
    """initdb a cluster in a temporary folder, start it on a free port, create the test database."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="guanxi-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise PostgresServerError("running as root and there is no 'postgres' user to run the server") from None
        os.chown(folder, account.pw_uid, account.pw_gid)
        runuser = shutil.which("runuser")
        prefix = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]
        if not runuser:
            raise PostgresServerError("running as root and runuser is missing")
    server = PostgresTestServer(folder=folder, bin_dir=bin_dir, port=_free_port(), prefix=prefix)
    data = folder / "data"
    try:
        _run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
              "--encoding=UTF8", "--no-locale", "--no-sync"], timeout=120)  # fmt: skip
        options = (
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
        )
        _run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
              "-w", "-t", "60", "start"], timeout=90)  # fmt: skip
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{server.port}/postgres", autocommit=True, connect_timeout=10
        ) as conn:
            conn.execute(f"CREATE DATABASE \"{server.database}\" ENCODING 'UTF8' TEMPLATE template0")
    except Exception as exc:
        server.close()
        if isinstance(exc, PostgresServerError):
            raise
        raise PostgresServerError(f"{type(exc).__name__}: {exc}") from None
    return server


def reset(server: PostgresTestServer) -> None:
    """Drop every table of the test database (a fresh, empty schema for the next test)."""
    import psycopg

    with psycopg.connect(server.plain_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
