"""A throwaway PostgreSQL cluster for the tests: started once per session on 127.0.0.1 and
a free port, with a migrated template database; each test gets a fresh copy of it.

The server binaries are Debian's (``scripts/test-setup.sh`` installs ``postgresql``).
``initdb`` refuses to run as root: as root, every server binary runs as the ``postgres``
user (``runuser``), in a folder it owns. Durability is turned off (``fsync=off``): the
data dies with the test anyway, and the tests wait less on the disk.
"""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_STEP_TIMEOUT = 120  # seconds: generous, the machine is shared
TEMPLATE = "animabot_template"


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One server, its folder and port; :meth:`stop` in every case."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="animabot-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        self.user = "postgres" if self.as_postgres else pwd.getpwuid(os.geteuid()).pw_name
        self._names = itertools.count(1)
        self.started = False

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=_STEP_TIMEOUT,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user,
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                   " -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", str(_STEP_TIMEOUT), "start")
        self.started = True
        # Its own loop on its own thread: the first test to ask may already run in a loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, self._make_template()).result(timeout=_STEP_TIMEOUT)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    async def _make_template(self) -> None:
        from animabot.store.postgresql import PostgresDatabase

        self.admin(f"CREATE DATABASE {TEMPLATE}")
        async with PostgresDatabase.connect(self.url(TEMPLATE)):
            pass  # migrated to the current schema

    def admin(self, statement: str) -> None:
        """One statement on the maintenance database (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True,
                             connect_timeout=30) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def fresh(self, *, empty: bool = False) -> str:
        """A new database, migrated (a copy of the template) unless ``empty``."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}" + ("" if empty else f" TEMPLATE {TEMPLATE}"))
        return name

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w",
                          "-t", str(_STEP_TIMEOUT), "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
