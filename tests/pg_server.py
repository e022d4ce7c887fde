"""A throwaway PostgreSQL cluster: ``initdb`` into a temporary folder, serve, remove.

Uses Debian's ``postgresql`` package (``.ci/run`` installs it when missing): the newest
``/usr/lib/postgresql/<version>/bin``. The server listens only on a Unix socket in the
cluster's own folder (no TCP port: nothing to collide with other clusters on the machine),
trusts local connections, and runs as the ``postgres`` OS user when the tests run as root
(PostgreSQL refuses to run as root). Import as ``from pg_server import ...`` (tests/ is on the
path); :func:`throwaway_cluster` is the fixture's and the driver benchmark's way in::

    with throwaway_cluster() as cluster:
        url = cluster.create_database("docqa_test")
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PgCluster", "PgUnavailable", "check_installed", "find_bin_dir", "throwaway_cluster"]

log = logging.getLogger(__name__)

INSTALL_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "docqa"
PORT = 5432  # names the socket file only: the server opens no TCP port
START_TIMEOUT = 60  # seconds pg_ctl waits for the server to accept connections
FAST = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")


class PgUnavailable(Exception):
    """PostgreSQL's server programs are not installed; the message says how to get them."""


@dataclass(frozen=True)
class PgCluster:
    """A running cluster: its folder, its socket folder and the superuser to connect as."""

    bin_dir: Path
    root: Path
    socket_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        """A libpq/asyncpg URL for ``database`` over the Unix socket."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}&port={PORT}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` (a plain identifier); returns its URL."""
        self._client("createdb", name)
        return self.url(name)

    def _client(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), "-h", str(self.socket_dir), "-p", str(PORT)]
        subprocess.run([*command, "-U", SUPERUSER, *args], check=True, capture_output=True)


def find_bin_dir() -> Path:
    """The newest installed server's ``bin`` folder. Raises PgUnavailable when there is none."""
    found = sorted(INSTALL_ROOT.glob("*/bin/initdb"), key=lambda p: _version(p.parent.parent))
    if not found:
        raise PgUnavailable(
            f"PostgreSQL server not installed (no {INSTALL_ROOT}/*/bin/initdb); "
            "install Debian's postgresql package (.ci/run does)"
        )
    return found[-1].parent


def check_installed() -> None:
    """Raises PgUnavailable, saying what is missing, when no cluster can be started here."""
    find_bin_dir()
    _server_user()


def _version(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in folder.name.split(".") if part.isdecimal())


def _server_user() -> str | None:
    """``postgres`` when running as root (the server refuses root), else None: ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PgUnavailable("running as root and there is no 'postgres' OS user") from None
    return "postgres"


def _as_server(user: str | None, *command: str) -> None:
    """Run a server program as the server's OS user; its output goes to the log on failure."""
    done = subprocess.run(command, user=user, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = " ".join((done.stderr or done.stdout).split())
        raise RuntimeError(f"{Path(command[0]).name} failed: {reason}")


@contextlib.contextmanager
def throwaway_cluster(*, durable: bool = False) -> Iterator[PgCluster]:
    """Start a fresh cluster; on exit stop it (immediate shutdown) and delete its folder.

    ``durable=False`` turns off fsync and synchronous commit (fine for tests, which never
    crash the server); the driver benchmark passes True to measure what a deployment pays.
    Raises PgUnavailable when the server is not installed, RuntimeError when it fails to start.
    """
    bin_dir, user = find_bin_dir(), _server_user()
    root = Path(tempfile.mkdtemp(prefix="docqa-pg-"))
    cluster = PgCluster(bin_dir, root, root)
    try:
        if user is not None:
            shutil.chown(root, user)
        _initdb(cluster, user)
        try:
            _start(cluster, user, durable)
            yield cluster
        finally:
            _stop(cluster, user)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _initdb(cluster: PgCluster, user: str | None) -> None:
    _as_server(
        user, str(cluster.bin_dir / "initdb"), "-D", str(cluster.data_dir), "-U", SUPERUSER,
        "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
    )  # fmt: skip


def _start(cluster: PgCluster, user: str | None, durable: bool) -> None:
    options = ["-k", str(cluster.socket_dir), "-p", str(PORT), "-c", "listen_addresses="]
    options += [] if durable else list(FAST)
    _as_server(
        user, str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir),
        "-l", str(cluster.root / "server.log"), "-t", str(START_TIMEOUT), "-w",
        "-o", " ".join(options), "start",
    )  # fmt: skip
    log.info("PostgreSQL cluster up in %s", cluster.root)


def _stop(cluster: PgCluster, user: str | None) -> None:
    """Immediate shutdown (the cluster is thrown away); a server that never started is fine."""
    if not (cluster.data_dir / "postmaster.pid").exists():
        return
    pg_ctl = str(cluster.bin_dir / "pg_ctl")
    try:
        _as_server(user, pg_ctl, "-D", str(cluster.data_dir), "-m", "immediate", "-w", "stop")
    except RuntimeError as error:
        log.warning("could not stop the throwaway PostgreSQL cluster: %s", error)
