"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, a Unix socket only, removed at the end.

Debian's server binaries (``/usr/lib/postgresql/<version>/bin``, package ``postgresql``) are used, or an
``initdb`` on PATH. PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres``
OS user. Nothing listens on TCP (``listen_addresses=''``): clients connect through the socket in the folder.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOW_TO_INSTALL = (
    "install PostgreSQL's server (Debian: `apt-get install postgresql`, or run `tools/ensure_postgres.sh` as root, "
    "which `make test` does)"
)
START_TIMEOUT = 30  # seconds pg_ctl waits for the server to accept connections
OS_USER = "postgres"  # who runs the server when the tests run as root
SUPERUSER = "postgres"  # the database superuser initdb creates (trust authentication, socket only)
_numbers = itertools.count(1)  # database names are unique within the test run


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server could not be found or started; the message says what to install or read."""


def bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres are: Debian's newest version first, then PATH."""
    debian = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    debian.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    if debian:
        return debian[0]
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: its socket folder and a way to make databases in it."""

    socket_dir: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE / DROP DATABASE need that) in the ``postgres`` db."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, prefix: str = "test", *, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (which nobody may be connected to); returns its name."""
        name = f"{prefix}_{next(_numbers)}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a cluster in a temporary folder; stop it (immediate) and remove the folder afterwards."""
    bins = bin_dir()
    if bins is None:
        raise PostgresUnavailable(f"no PostgreSQL server binaries (initdb) found: {HOW_TO_INSTALL}")
    as_root = os.geteuid() == 0
    owner = None
    if as_root:
        try:
            owner = pwd.getpwnam(OS_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root but there is no {OS_USER!r} OS user to run the server as: {HOW_TO_INSTALL}"
            ) from None
    # /tmp: short enough for a Unix socket path, and reachable by the postgres user when we are root
    base = Path(tempfile.mkdtemp(prefix="socialbot-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    data, log = base / "data", base / "server.log"
    started = False
    try:
        if owner is not None:
            os.chown(base, owner.pw_uid, owner.pw_gid)

        def run(*args: str | Path) -> None:
            command: Sequence[str | Path] = [bins / args[0], *args[1:]]
            if as_root:
                command = ["runuser", "-u", OS_USER, "--", *command]
            proc = subprocess.run(command, cwd=base, capture_output=True, text=True, timeout=START_TIMEOUT + 30)
            if proc.returncode != 0:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise PostgresUnavailable(
                    f"`{' '.join(map(str, command))}` failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}{tail}"
                )

        run("initdb", "-D", data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-k {base} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        started = True  # from here on, try to stop it even if the start timed out half way
        run("pg_ctl", "start", "-D", data, "-l", log, "-w", "-t", str(START_TIMEOUT), "-o", options)
        yield Cluster(base)
    finally:
        if started:
            stop = [bins / "pg_ctl", "stop", "-D", data, "-m", "immediate", "-w"]
            subprocess.run(
                ["runuser", "-u", OS_USER, "--", *stop] if as_root else stop,
                cwd=base,
                capture_output=True,
                timeout=START_TIMEOUT,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)
