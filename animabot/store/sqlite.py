"""The SQLite backend: one file, WAL, foreign keys, migrations, one transaction at a time.

aiosqlite runs every statement on one thread; the lock makes each transaction atomic with
respect to the other coroutines of this process. Other processes (a CLI next to a running
bot) are serialised by SQLite itself, with a busy timeout instead of an immediate error.

A place that cannot be written (a full disk, a read-only file or mount, an I/O error) raises
:class:`StorageUnavailableError` with a sentence naming the file; it is logged once when it
starts and once when it clears, not at every attempt of the tasks that retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from ..errors import StorageError, StorageUnavailableError
from . import migrations
from .database import Database, Dialect, Row, Transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
# aiosqlite logs every statement with its parameters at DEBUG: pseudonyms and private
# addresses would end up in the logs.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

_UNAVAILABLE = {
    sqlite3.SQLITE_FULL: ("full", "the disk holding the database {path} is full: {detail}; "
                                  "free some space, what could not be saved is tried again"),
    sqlite3.SQLITE_READONLY: ("read-only", "the database {path} is read-only: {detail}; give "
                                           "write access to the file and its folder"),
    sqlite3.SQLITE_IOERR: ("i/o", "the database {path} cannot be written: {detail}"),
    sqlite3.SQLITE_CANTOPEN: ("cannot open", "the database {path} cannot be opened for "
                                             "writing: {detail}"),
    sqlite3.SQLITE_BUSY: ("locked", "the database {path} stayed locked by another process: "
                                    "{detail}"),
    sqlite3.SQLITE_PERM: ("denied", "the database {path} cannot be written: {detail}"),
}


def unavailable(exc: BaseException, path: Path) -> StorageUnavailableError | None:
    """Our error for a fault of the storage place, or None for any other error."""
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    code = code & 0xFF if isinstance(code, int) else None
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR) and not _writable(path):
        code = sqlite3.SQLITE_READONLY  # a read-only mount says "unable to open"
    if code not in _UNAVAILABLE:
        text = str(exc).lower()
        if "readonly" in text or "read-only" in text:
            code = sqlite3.SQLITE_READONLY
        elif "disk is full" in text:
            code = sqlite3.SQLITE_FULL
        else:
            return None
    assert code is not None
    kind, template = _UNAVAILABLE[code]
    return StorageUnavailableError(template.format(path=path, detail=exc), kind)


def _writable(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


class SqliteTransaction(Transaction):
    """Statements on the one connection (looked up at each call: tests wrap it)."""

    dialect = Dialect.SQLITE

    def __init__(self, database: SqliteDatabase) -> None:
        self._database = database

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._database._db.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        # One trip to SQLite's thread, not three (execute, fetch, close).
        return await self._database._on_thread(partial(_first_row, sql, params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._database._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._database._db.executemany(sql, rows)


class SqliteDatabase(Database):
    """One open SQLite file. Use :meth:`open_file` (an async context manager)."""

    dialect = Dialect.SQLITE
    _TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
    group_commit = True  # a failed statement undoes only itself

    def __init__(self, connection: aiosqlite.Connection, path: Path, read_only: bool = False
                 ) -> None:
        super().__init__(str(path), read_only)
        self._db = connection
        self.path = path
        self._statements = SqliteTransaction(self)
        self._reader: aiosqlite.Connection | None = None
        self._reader_lock = asyncio.Lock()
        self._checkpoint_after_unit = False
        self.reader_uri = f"file:{path}?mode=ro"

    @classmethod
    @asynccontextmanager
    async def open_file(cls, path: Path, *, read_only: bool = False
                        ) -> AsyncIterator[SqliteDatabase]:
        """``read_only`` opens the file without any write (no migration, no WAL switch)
        when it exists at the current schema; a missing or older file is opened for
        writing, since it must be created or upgraded first."""
        if path.is_dir():
            raise StorageError(f"{path} is a directory: [storage] database must name a file")
        if path.parent and not path.parent.exists():
            raise StorageError(f"the folder of {path} does not exist: create it or fix the path")
        uri = await _read_only_uri(path) if read_only and path.exists() else None
        if uri is None:
            read_only, uri = False, str(path)
        try:
            connection = await aiosqlite.connect(uri, uri=read_only, isolation_level=None,
                                                 timeout=30)
        except Exception as exc:  # sqlite3 raises several types here
            raise StorageError(f"cannot open {path}: {exc}") from exc
        connection.row_factory = aiosqlite.Row
        database = cls(connection, path, read_only)
        if read_only:
            database.reader_uri = uri
        try:
            await database._prepare()
            yield database
        finally:
            if database._reader is not None:
                await database._reader.close()
            await connection.close()

    async def _prepare(self) -> None:
        try:
            if not self.read_only:
                await self._db.execute("PRAGMA journal_mode=WAL")
                await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=10000")
            # Deleted rows are zeroed on their pages, not just unlinked: an erased person
            # must not survive in free space (see forget_freed_pages).
            await self._db.execute("PRAGMA secure_delete=ON")
            if not self.read_only:
                await self._migrate()
        except aiosqlite.DatabaseError as exc:
            raise unavailable(exc, self.path) or StorageError(
                f"{self.path} is not a usable SQLite database: {exc}") from exc

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        for version, migration in migrations.steps(Dialect.SQLITE, current, self.name):
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                await migration(self._statements)
                await self._db.execute(f"PRAGMA user_version={version}")
                await self._db.execute("COMMIT")
            except BaseException:
                await self._rollback(self._statements)
                raise
            log.info("database %s migrated to schema %d", self.path, version)

    # --- the backend's moves ---------------------------------------------------------------
    async def _begin(self) -> Transaction:
        """``BEGIN IMMEDIATE`` on purpose, though SQLite would make a lone statement its own
        transaction: an autocommit write reads first and takes the write lock after, and in
        WAL mode a write by another process in between fails it at once (SQLITE_BUSY, no busy
        timeout), while an immediate transaction waits for the lock before it reads. The CLI
        writes while the bot runs."""
        try:
            await self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            # Cancelled (a stop) while SQLite's thread still held the BEGIN: it runs anyway,
            # and the transaction it opens would block every later one ("cannot start a
            # transaction within a transaction"). The thread runs requests in order, so a
            # ROLLBACK queued now undoes it; where the BEGIN itself failed, nothing to undo.
            with contextlib.suppress(sqlite3.Error):
                await self._db.execute("ROLLBACK")
            raise
        return self._statements

    async def _commit(self, transaction: Transaction) -> None:
        try:
            await self._db.execute("COMMIT")
        except BaseException:
            await self._rollback(transaction)  # a failed COMMIT can leave it open
            raise

    async def _rollback(self, transaction: Transaction) -> None:
        """Undo, when SQLite has not already (it rolls back by itself on a full disk)."""
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                await self._db.execute("ROLLBACK")

    async def _undo_savepoint(self, active: Transaction, name: str) -> None:
        if self._db.in_transaction:
            await super()._undo_savepoint(active, name)

    async def _read(self, sql: str, params: Sequence[Any], one: bool) -> list[Row]:
        async with self._lock:
            if not one:  # one trip to SQLite's thread, not three (execute, fetch, close)
                return await self._statements.fetch_all(sql, params)
            row = await self._statements.fetch_one(sql, params)
            return [] if row is None else [row]

    def _unavailable(self, exc: BaseException) -> StorageUnavailableError | None:
        return unavailable(exc, self.path)

    # --- writes in one trip ------------------------------------------------------------------
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write in its own transaction; the number of rows changed. The ``BEGIN
        IMMEDIATE`` (see :meth:`_begin`: it waits for another process's lock), the statement
        and the ``COMMIT`` make one trip to SQLite's thread instead of four: a hand-off costs
        about what the statement does, and a delivery or a press makes several."""
        changed, _ = await self._one_trip(partial(_write_all, ((sql, params),)))
        return changed

    async def write(self, *statements: tuple[str, Sequence[Any]]) -> list[list[Row]]:
        _, rows = await self._one_trip(partial(_write_all, statements))
        return rows

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._one_trip(partial(_write_many, sql, list(rows)))

    async def _one_trip(self, job: Callable[..., T]) -> T:
        """``job(connection, alone=...)`` on SQLite's thread: in its own immediate
        transaction, or inside the current unit of work (a savepoint of it)."""
        if self._owned():
            return await self._guarded(self._on_thread(partial(job, alone=False)))
        async with self._lock:
            done = await self._guarded(self._on_thread(partial(job, alone=True)))
        self._cleared()
        return done

    async def _on_thread(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``job`` on SQLite's thread with the connection: one hand-off, whatever it
        does, on aiosqlite's own queue (so in order with every other statement)."""
        done = await self._db._execute(job, self._db._conn)  # type: ignore[no-untyped-call]
        return cast(T, done)

    async def _after_unit(self) -> None:
        if self._checkpoint_after_unit:
            self._checkpoint_after_unit = False
            await self.forget_freed_pages()

    # --- beyond the contract ---------------------------------------------------------------
    async def read_aside(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A long read on a second, read-only connection (its own thread): it runs beside
        the main connection's work instead of after it. WAL lets both read at once."""
        async with self._reader_lock:
            if self._reader is None:
                self._reader = await aiosqlite.connect(
                    self.reader_uri, uri=True, isolation_level=None, timeout=30
                )
                self._reader.row_factory = aiosqlite.Row
            async with self._reader.execute(sql, params) as cursor:
                return list(await cursor.fetchall())

    async def forget_freed_pages(self) -> bool:
        """Copy the write-ahead log into the file and truncate it: the log keeps the earlier
        images of every page it holds (an erased pseudonym among them) until overwritten.
        Returns False when another connection's read kept it from completing, or when
        called inside a unit of work: it then runs once the unit has committed."""
        if self._owned():
            self._checkpoint_after_unit = True
            return False
        async with self._lock, self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            row = await cursor.fetchone()
        done = row is None or int(row[0]) == 0
        if not done:
            log.info("write-ahead log busy: it will be truncated at the next erasure or close")
        return done


def _first_row(sql: str, params: Sequence[Any], connection: sqlite3.Connection) -> Row | None:
    cursor = connection.execute(sql, params)
    try:
        row: Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


@contextlib.contextmanager
def _atomic(connection: sqlite3.Connection, alone: bool) -> Iterator[None]:
    """On SQLite's thread: an immediate transaction of its own (``alone``), or a savepoint
    of the unit of work holding the connection. A unit whose transaction SQLite rolled back
    by itself (a full disk, an I/O error) has none left: a savepoint would then open and
    commit a transaction of its own, keeping one write of a unit that failed (of another
    unit of its group, which carries on until the group ends)."""
    if not alone and not connection.in_transaction:
        raise sqlite3.OperationalError("the unit of work's transaction was rolled back")
    connection.execute("BEGIN IMMEDIATE" if alone else "SAVEPOINT one_trip")
    try:
        yield
        # A failed COMMIT (a full disk) leaves the transaction open: undone below.
        connection.execute("COMMIT" if alone else "RELEASE SAVEPOINT one_trip")
    except BaseException:
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                if alone:
                    connection.execute("ROLLBACK")
                else:
                    connection.execute("ROLLBACK TO SAVEPOINT one_trip")
                    connection.execute("RELEASE SAVEPOINT one_trip")
        raise


def _write_all(statements: Sequence[tuple[str, Sequence[Any]]], connection: sqlite3.Connection,
               *, alone: bool) -> tuple[int, list[list[Row]]]:
    """The statements, atomically; (rows changed by the last, rows returned by each)."""
    changed, rows = 0, []
    with _atomic(connection, alone):
        for sql, params in statements:
            cursor = connection.execute(sql, params)
            rows.append(cursor.fetchall())
            changed = cursor.rowcount
            cursor.close()
    return changed, rows


def _write_many(sql: str, rows: list[Sequence[Any]], connection: sqlite3.Connection, *,
                alone: bool) -> None:
    """``executemany``, atomically."""
    with _atomic(connection, alone):
        connection.executemany(sql, rows).close()


async def _read_only_uri(path: Path) -> str | None:
    """A URI that reads the file without writing, or None when it must be opened for
    writing (an older schema to upgrade, or unreadable). On a read-only mount SQLite cannot
    make a WAL file's shared memory: the file is then read as immutable (nobody can
    change it there)."""
    for uri in (f"file:{path}?mode=ro", f"file:{path}?mode=ro&immutable=1"):
        try:
            async with aiosqlite.connect(uri, uri=True) as db, \
                    db.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
        except sqlite3.Error:
            continue
        return uri if row is not None and int(row[0]) == migrations.schema_version() else None
    return None
