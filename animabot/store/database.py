"""The SQLite connection: WAL, foreign keys, migrations, and one transaction at a time.

aiosqlite runs every statement on one thread; the lock makes each transaction atomic with
respect to the other coroutines of this process. Other processes (a CLI next to a running
bot) are serialised by SQLite itself, with a busy timeout instead of an immediate error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from ..errors import StorageError
from .migrations import MIGRATIONS

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG: pseudonyms and private
# addresses would end up in the logs.
logging.getLogger("aiosqlite").setLevel(logging.INFO)
Row = aiosqlite.Row


class Database:
    """One open SQLite file. Use :meth:`open` (an async context manager)."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._lock = asyncio.Lock()
        self._reader: aiosqlite.Connection | None = None
        self._reader_lock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path) -> AsyncIterator[Database]:
        if path.is_dir():
            raise StorageError(f"{path} is a directory: [storage] database must name a file")
        if path.parent and not path.parent.exists():
            raise StorageError(f"the folder of {path} does not exist: create it or fix the path")
        try:
            connection = await aiosqlite.connect(path, isolation_level=None, timeout=30)
        except Exception as exc:  # sqlite3 raises several types here
            raise StorageError(f"cannot open {path}: {exc}") from exc
        connection.row_factory = aiosqlite.Row
        database = cls(connection, path)
        try:
            await database._prepare()
            yield database
        finally:
            if database._reader is not None:
                await database._reader.close()
            await connection.close()

    async def _prepare(self) -> None:
        try:
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=10000")
            # Deleted rows are zeroed on their pages, not just unlinked: an erased person
            # must not survive in free space (see forget_freed_pages).
            await self._db.execute("PRAGMA secure_delete=ON")
            await self._migrate()
        except aiosqlite.DatabaseError as exc:
            raise StorageError(f"{self.path} is not a usable SQLite database: {exc}") from exc

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise StorageError(
                f"{self.path} was written by a newer animabot (schema {current}); upgrade animabot"
            )
        for version, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                await migration(self._db)
                await self._db.execute(f"PRAGMA user_version={version}")
                await self._db.execute("COMMIT")
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            log.info("database %s migrated to schema %d", self.path, version)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All statements inside commit together or not at all."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def read_aside(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A long read on a second, read-only connection (its own thread): it runs beside
        the main connection's work instead of after it. WAL lets both read at once."""
        async with self._reader_lock:
            if self._reader is None:
                self._reader = await aiosqlite.connect(
                    f"file:{self.path}?mode=ro", uri=True, isolation_level=None, timeout=30
                )
                self._reader.row_factory = aiosqlite.Row
            async with self._reader.execute(sql, params) as cursor:
                return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write in its own transaction; returns the number of rows changed."""
        async with self.transaction() as db, db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def forget_freed_pages(self) -> bool:
        """Copy the write-ahead log into the file and truncate it: the log keeps the earlier
        images of every page it holds (an erased pseudonym among them) until overwritten.
        Returns False when another connection's read kept it from completing."""
        async with self._lock, self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            row = await cursor.fetchone()
        done = row is None or int(row[0]) == 0
        if not done:
            log.info("write-ahead log busy: it will be truncated at the next erasure or close")
        return done

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as db:
            await db.executemany(sql, rows)
