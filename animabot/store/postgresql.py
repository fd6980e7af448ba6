"""The PostgreSQL backend: psycopg 3 over a small connection pool.

Imported only when ``[storage] url`` names a PostgreSQL server (the ``postgresql`` extra).
The repositories' SQL is written once for both backends: ``?`` placeholders become psycopg's
``%s`` here (and a literal ``%`` is doubled). Within a process the rules are SQLite's: one
transaction at a time, on one pooled connection held from ``BEGIN`` to ``COMMIT``; reads
outside a unit of work take any pooled connection and need not wait for it.

An unreachable server (refused, closed, shut down), a full disk or a read-only server raise
:class:`StorageUnavailableError`: the long-lived tasks back off and try again, and the pool
replaces broken connections once the server answers again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ..errors import StorageError, StorageUnavailableError
from . import migrations
from .database import Database, Dialect, Lead, Row, Transaction

log = logging.getLogger(__name__)
# Two processes starting together: one migrates, the other waits for it (any fixed number).
_MIGRATION_LOCK = 0x616E696D
_POOL_SIZE = 4
_CONNECT_TIMEOUT = 10  # seconds, per connection attempt
_UNAVAILABLE_STATES = {"08": "unreachable", "57P": "unreachable", "53100": "full",
                       "53": "resources", "58": "i/o", "25006": "read-only"}


class PgRow(tuple[Any, ...]):
    """A row read by position or by column name, as ``sqlite3.Row`` is."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._index[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self._index)


def _rows(cursor: Any) -> RowMaker[PgRow]:
    description = cursor.description or ()
    index: dict[str, int] = {}
    for position, column in enumerate(description):
        index.setdefault(column.name, position)

    def make(values: Sequence[Any]) -> PgRow:
        row = PgRow(values)
        row._index = index
        return row

    return make


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """``?`` (outside quoted literals and ``--`` comments) → ``%s``; ``%`` → ``%%``
    (psycopg's escape)."""
    out: list[str] = []
    quoted = commented = False
    for at, char in enumerate(sql):
        if char == "\n":
            commented = False
        elif char == "-" and not quoted and sql.startswith("--", at):
            commented = True
        elif char == "'" and not commented:
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not (quoted or commented):
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


def unavailable(exc: BaseException, where: str) -> StorageUnavailableError | None:
    """Our error for a fault of the server or its storage, or None for any other error."""
    if isinstance(exc, PoolTimeout):
        return StorageUnavailableError(
            f"no connection to the PostgreSQL server {where} came free in time: {exc}",
            "unreachable")
    if not isinstance(exc, psycopg.Error):
        return None
    state = exc.sqlstate or ""
    if not state and isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        kind = "unreachable"  # refused, closed, lost: libpq gives no SQLSTATE
    else:
        kind = next((kind for prefix, kind in sorted(_UNAVAILABLE_STATES.items(),
                                                     key=lambda item: -len(item[0]))
                     if state.startswith(prefix)), "")
    if not kind:
        return None
    return StorageUnavailableError(
        f"the PostgreSQL database {where} cannot be used now ({kind}): "
        f"{str(exc).strip()}", kind)


def describe(url: str) -> str:
    """The server and database a url names, without its password (for messages)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable url)"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    return f"{host}:{port}/{parts.get('dbname') or parts.get('user') or ''}"


class PostgresTransaction(Transaction):
    """Statements on the connection that holds the open transaction."""

    dialect = Dialect.POSTGRESQL

    def __init__(self, connection: psycopg.AsyncConnection[PgRow]) -> None:
        self.connection = connection
        self.returned = False

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self.connection.cursor() as cursor:
            await cursor.execute(translate(sql), tuple(params))
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self.connection.cursor() as cursor:
            await cursor.execute(translate(sql), tuple(params))
            row: Row | None = await cursor.fetchone()
            return row

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self.connection.cursor() as cursor:
            await cursor.execute(translate(sql), tuple(params))
            return cursor.rowcount

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(row) for row in rows]
        if batch:
            async with self.connection.cursor() as cursor:
                await cursor.executemany(translate(sql), batch)


class PostgresDatabase(Database):
    """A PostgreSQL database. Use :meth:`connect` (an async context manager)."""

    dialect = Dialect.POSTGRESQL
    _TABLES = "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"

    def __init__(self, pool: AsyncConnectionPool[Any], where: str, conninfo: str = "") -> None:
        super().__init__(where)
        self._pool = pool
        self._conninfo = conninfo

    def lead(self, name: str) -> Lead:
        return AdvisoryLead(self._conninfo, name, self.name)

    @classmethod
    @asynccontextmanager
    async def connect(cls, url: str, *, password: str | None = None,
                      pool_size: int = _POOL_SIZE) -> AsyncIterator[PostgresDatabase]:
        """Connect, migrate, and keep a pool open while the block runs."""
        where = describe(url)
        try:
            conninfo = make_conninfo(url, **({"password": password} if password else {}))
        except psycopg.ProgrammingError as exc:
            raise StorageError(f"the storage url cannot be read: {exc}") from exc
        options: dict[str, Any] = {"autocommit": True, "row_factory": _rows,
                                   "connect_timeout": _CONNECT_TIMEOUT,
                                   "application_name": "animabot"}
        try:
            connection = await psycopg.AsyncConnection.connect(conninfo, **options)
        except psycopg.Error as exc:
            raise unavailable(exc, where) or StorageError(
                f"cannot connect to the PostgreSQL database {where}: {exc}") from exc
        try:
            await _migrate(PostgresTransaction(connection), where)
        except psycopg.Error as exc:
            raise unavailable(exc, where) or StorageError(
                f"the PostgreSQL database {where} cannot be migrated: {exc}") from exc
        finally:
            await connection.close()
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo, min_size=1, max_size=max(2, pool_size), kwargs=options, open=False,
            timeout=_CONNECT_TIMEOUT, check=AsyncConnectionPool.check_connection,
            name="animabot")
        await pool.open(wait=False)
        try:
            yield cls(pool, where, conninfo)
        finally:
            await pool.close()

    # --- the backend's moves ---------------------------------------------------------------
    async def _begin(self) -> Transaction:
        connection = await self._pool.getconn()
        active = PostgresTransaction(connection)
        try:
            await connection.execute("BEGIN")
        except BaseException:
            await self._give_back(active)
            raise
        return active

    async def _commit(self, transaction: Transaction) -> None:
        assert isinstance(transaction, PostgresTransaction)
        try:
            await transaction.connection.execute("COMMIT")
        except BaseException:
            await self._rollback(transaction)
            raise
        await self._give_back(transaction)

    async def _rollback(self, transaction: Transaction) -> None:
        assert isinstance(transaction, PostgresTransaction)
        if transaction.returned:
            return
        with contextlib.suppress(psycopg.Error):
            await transaction.connection.execute("ROLLBACK")
        await self._give_back(transaction)

    async def _give_back(self, transaction: PostgresTransaction) -> None:
        if not transaction.returned:
            transaction.returned = True
            await self._pool.putconn(transaction.connection)

    async def _read(self, sql: str, params: Sequence[Any], one: bool) -> list[Row]:
        async with self._pool.connection() as connection:
            statements = PostgresTransaction(connection)
            if not one:
                return await statements.fetch_all(sql, params)
            row = await statements.fetch_one(sql, params)
            return [] if row is None else [row]

    def _unavailable(self, exc: BaseException) -> StorageUnavailableError | None:
        return unavailable(exc, self.name)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement outside a unit is its own transaction on an autocommit connection:
        one round trip, not three (``BEGIN``, it, ``COMMIT``): the worker records each send
        so. Still in turn with this process's transactions (the lock)."""
        if self._owned():
            return await super().execute(sql, params)
        async with self._lock:
            try:
                async with self._pool.connection() as connection:
                    changed = await PostgresTransaction(connection).execute(sql, params)
            except Exception as exc:
                self._raise_fault(exc)  # a fault of the server: our error, reported once
                raise
        self._cleared()
        return changed


async def _migrate(tx: PostgresTransaction, where: str) -> None:
    """Every pending migration in one transaction (PostgreSQL's DDL is transactional),
    under an advisory lock: a second process starting at the same time waits, then finds
    nothing left to do."""
    await tx.execute("BEGIN")
    try:
        await tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
        await tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = await tx.fetch_one("SELECT MAX(version) AS v FROM schema_version")
        current = int(row["v"]) if row is not None and row["v"] is not None else 0
        applied = 0
        for version, migration in migrations.steps(Dialect.POSTGRESQL, current, where):
            await migration(tx)
            applied = version
        if applied:
            await tx.execute("DELETE FROM schema_version")
            await tx.execute("INSERT INTO schema_version (version) VALUES (?)", (applied,))
        await tx.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(psycopg.Error):
            await tx.execute("ROLLBACK")
        raise
    if applied:
        log.info("database %s migrated to schema %d", where, applied)


class AdvisoryLead(Lead):
    """The lead as a session-level advisory lock on a connection of its own: the server
    frees it the moment that connection dies (the process killed, the host gone), and the
    next follower to try takes it."""

    def __init__(self, conninfo: str, name: str, where: str) -> None:
        self._conninfo = conninfo
        self._where = where
        # A stable 63-bit key from the name (Python's hash() changes between processes).
        digest = hashlib.sha256(f"animabot-lead:{name}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big") >> 1
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._held = False

    async def take(self) -> bool:
        try:
            if self._connection is None or self._connection.closed:
                self._held = False
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=_CONNECT_TIMEOUT,
                    application_name="animabot-lead")
            if self._held:
                await self._connection.execute("SELECT 1")
            else:
                cursor = await self._connection.execute(
                    "SELECT pg_try_advisory_lock(%s)", (self.key,))
                row = await cursor.fetchone()
                self._held = bool(row and row[0])
        except psycopg.Error as exc:
            log.debug("the lead on %s cannot be checked: %s", self._where, exc)
            await self._drop()
        return self._held

    async def release(self) -> None:
        await self._drop()

    async def _drop(self) -> None:
        self._held = False
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                await connection.close()
