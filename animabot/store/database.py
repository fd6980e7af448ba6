"""The database contract every backend keeps, and the choice of backend.

Two backends implement :class:`Database`: SQLite (``sqlite.py``, the embedded default: one
file) and PostgreSQL (``postgresql.py``, chosen by ``[storage] url = "postgresql://…"``).
The repositories write their SQL once, with ``?`` placeholders and portable constructs
(``ON CONFLICT … DO NOTHING/UPDATE``, ``RETURNING``, ``CASE`` rather than two-argument
``MAX``); each backend turns it into what its driver expects.

Both keep the same rules within a process: one transaction at a time (a lock), a
:meth:`Database.unit` that makes an event and its effects one transaction, savepoints for
transactions nested in a unit, and :class:`StorageUnavailableError` for a fault of the
storage place (full disk, read-only file, unreachable server), logged once while it lasts.
SQLite also lets concurrent units share one transaction (:meth:`Database.shared_unit`, group
commit): its one connection otherwise makes a thousand button presses wait for each other's
dozen trips to its thread, one press at a time.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..errors import GroupAbortedError, StorageError, StorageUnavailableError

log = logging.getLogger(__name__)
# Faults are reported on their own logger: the CLI, which prints them as its error, mutes it.
faults_log = logging.getLogger("animabot.store.faults")
# The unit of work the running code is inside: tasks it starts (a gather of reads) share it.
_current_unit: ContextVar[object | None] = ContextVar("animabot_unit", default=None)
T = TypeVar("T")


class Dialect(StrEnum):
    """Which SQL the database speaks, for the few statements that differ (migrations)."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class Row(Protocol):
    """A result row read by column name (``row["id"]``) or position (``row[0]``)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Transaction(ABC):
    """Statements inside one open transaction (what :meth:`Database.transaction` yields)."""

    dialect: Dialect

    @abstractmethod
    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    @abstractmethod
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...


def for_update(db: Transaction) -> str:
    """`` FOR UPDATE`` on PostgreSQL (a read that is written back, locked against another
    process's same read); SQLite's writers are one at a time already."""
    return " FOR UPDATE" if db.dialect is Dialect.POSTGRESQL else ""


async def serialize_on(db: Transaction, key: str) -> None:
    """Make transactions naming the same ``key`` run one after another across processes
    (a count then an insert: the rule counted must still hold at the insert). PostgreSQL:
    an advisory lock held until the commit; SQLite: nothing to do (one writer at a time)."""
    if db.dialect is Dialect.POSTGRESQL:
        await db.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))


class _Group:
    """Units of work sharing one transaction (group commit, :meth:`Database.shared_unit`).

    It admits units while all of its members are still running (at most ``limit``, one per
    key) and commits once the last has finished; each member returns only then. A member
    that fails dooms the group: the transaction is rolled back, and the others raise
    :class:`GroupAbortedError` so that their callers run them again alone."""

    def __init__(self, active: Transaction, limit: int) -> None:
        self.active = active
        self.limit = limit
        self.keys: set[str] = set()
        self.running = 0
        self.open = True  # admits new members
        self.doomed = False  # rolled back at the end: a member failed
        self.error: BaseException | None = None  # the COMMIT's own failure
        self.ended = asyncio.Event()

    def admits(self, key: str) -> bool:
        return self.open and key not in self.keys


class Lead:
    """The lead among the processes on one database: one of them polls each bot's inbound
    stream and runs the housekeeping. With one process (SQLite), always this one."""

    async def take(self) -> bool:
        """Take the lead if free, or check it is still held; True while this process leads.
        Never raises: a fault of the storage place is a lead not held."""
        return True

    async def release(self) -> None:
        """Give the lead up (the process stops)."""
        return None


class Database(ABC):
    """One open database. The contract the repositories rely on:

    - :meth:`transaction`: the statements inside commit together or not at all; inside a
      unit, a savepoint (its own failure undoes only it).
    - :meth:`unit`: everything the current task (and the tasks it starts) reads and writes
      inside the block is one transaction; other tasks' transactions wait for its commit.
    - :meth:`fetch_all`, :meth:`fetch_one`: reads (inside the current unit when there is
      one); :meth:`execute`, :meth:`execute_many`: writes, each in its own transaction.
    - :meth:`read_aside`: a long read that need not wait for the running transaction.
    - a fault of the storage place raises :class:`StorageUnavailableError`.

    Subclasses supply the backend's four moves (:meth:`_begin`, :meth:`_commit`,
    :meth:`_rollback`, :meth:`_read`) and its fault mapping (:meth:`_unavailable`)."""

    dialect: Dialect
    _TABLES: str  # the backend's catalogue query: one row per table, its column "name"
    # Whether concurrent units may share a transaction (see :meth:`shared_unit`): on
    # PostgreSQL a failed statement aborts the whole transaction, so its units stay alone.
    group_commit = False
    GROUP_LIMIT = 25  # units in one shared transaction at most

    def __init__(self, name: str, read_only: bool = False) -> None:
        self.name = name  # how messages name it: a file's path, a server's address
        self.read_only = read_only
        self._lock = asyncio.Lock()
        self._unit: object | None = None  # the unit of work holding the lock, if any
        self._active: Transaction | None = None  # the transaction under the lock, if any
        self._savepoints = 0
        self._fault: str | None = None
        self._group: _Group | None = None  # the shared transaction under the lock, if any
        self._forming: asyncio.Future[None] | None = None  # a member waiting to open one

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path, *, read_only: bool = False) -> AsyncIterator[Database]:
        """An SQLite file (kept for callers that name a file; see :func:`open_database`)."""
        from .sqlite import SqliteDatabase

        async with SqliteDatabase.open_file(path, read_only=read_only) as database:
            yield database

    # --- the backend's moves -----------------------------------------------------------------
    @abstractmethod
    async def _begin(self) -> Transaction:
        """Open a transaction (under the lock) and return its statements."""

    @abstractmethod
    async def _commit(self, transaction: Transaction) -> None:
        """Commit; on failure, roll back and raise."""

    @abstractmethod
    async def _rollback(self, transaction: Transaction) -> None:
        """Undo (never raises for a transaction already gone)."""

    @abstractmethod
    async def _read(self, sql: str, params: Sequence[Any], one: bool) -> list[Row]:
        """A read outside any unit of this task."""

    @abstractmethod
    def _unavailable(self, exc: BaseException) -> StorageUnavailableError | None:
        """Our error when ``exc`` is a fault of the storage place, else None."""

    async def _after_unit(self) -> None:
        """Work deferred until a unit has committed (SQLite's checkpoint)."""
        return None

    # --- transactions ----------------------------------------------------------------------
    def _owned(self) -> bool:
        return self._unit is not None and _current_unit.get() is self._unit

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All statements inside commit together or not at all. Inside a :meth:`unit`,
        a savepoint: it joins the unit's commit, and its own failure undoes only it."""
        if self._owned():
            assert self._active is not None
            async with self._savepoint(self._active):
                yield self._active
            return
        async with self._lock:
            active = await self._guarded(self._begin())
            self._active = active
            try:
                yield active
            except BaseException as exc:
                await self._rollback(active)
                self._raise_fault(exc)
                raise
            finally:
                self._active = None
            await self._guarded(self._commit(active))
            self._cleared()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[None]:
        """Everything the current task reads and writes through this database inside the
        block is one transaction: an event and its effects commit together or not at all.
        Other tasks wait for the commit; tasks started inside the block share it while it
        lasts (a gather of reads), and wait like the others once it is over."""
        if self._owned():
            assert self._active is not None
            async with self._savepoint(self._active):
                yield
            return
        async with self._lock:
            active = await self._guarded(self._begin())
            self._active = active
            self._unit = unit = object()
            inside = _current_unit.set(unit)
            try:
                yield
            except BaseException as exc:
                self._unit = None
                await self._rollback(active)
                self._raise_fault(exc)
                raise
            finally:
                self._unit = None
                self._active = None
                _current_unit.reset(inside)
            await self._guarded(self._commit(active))
            self._cleared()
        await self._after_unit()

    @asynccontextmanager
    async def shared_unit(self, key: str) -> AsyncIterator[None]:
        """A :meth:`unit` that may share its transaction with other units running at the
        same time (group commit, where the backend allows it): their statements reach the
        database back to back instead of one unit after the other, and one ``COMMIT``
        ends them all. The block returns only once that commit is done, so whatever the
        caller answers after it is durable.

        What sharing costs the caller: the units of one group see each other's writes
        before the commit (``key``, the resident, is admitted once per group: one person's
        units never share one), and a transaction nested inside is not a savepoint — its
        failure rolls the whole group back. When another member's failure rolled this
        unit's work back, :class:`GroupAbortedError` is raised: run it again with
        :meth:`unit`. A failure of this unit's own block is raised as it came."""
        if not self.group_commit or self._owned():
            async with self.unit():
                yield
            return
        group = await self._join(key)
        group.keys.add(key)
        group.running += 1
        group.open = len(group.keys) < group.limit
        inside = _current_unit.set(group)
        failure: BaseException | None = None
        try:
            yield
        except BaseException as exc:
            failure = exc
        finally:
            _current_unit.reset(inside)
        group.running -= 1
        group.open = False  # a member is done: the group commits once the others are
        if failure is not None:
            group.doomed = True
        if group.running == 0:
            await asyncio.shield(asyncio.ensure_future(self._end_group(group)))
        else:
            await group.ended.wait()
        if failure is not None:
            self._raise_fault(failure)  # our error for a storage fault
            raise failure
        if group.error is not None:
            raise group.error
        if group.doomed:
            raise GroupAbortedError("another unit of the shared transaction failed")

    async def _join(self, key: str) -> _Group:
        """The open group that admits ``key``, or a new one under the lock. Units that
        arrive while one of them waits for the lock wait for the group it opens."""
        while True:
            group = self._group
            if group is not None and group.admits(key):
                return group
            if self._forming is not None:
                await asyncio.shield(self._forming)
                continue
            self._forming = forming = asyncio.get_running_loop().create_future()
            try:
                await self._lock.acquire()
                try:
                    active = await self._guarded(self._begin())
                except BaseException:
                    self._lock.release()
                    raise
                group = self._group = _Group(active, self.GROUP_LIMIT)
                self._active, self._unit = active, group
                return group
            finally:
                self._forming = None
                forming.set_result(None)

    async def _end_group(self, group: _Group) -> None:
        """Commit the group's transaction (roll it back when a member failed), let the
        lock go and wake the members."""
        try:
            if group.doomed:
                await self._rollback(group.active)
            else:
                try:
                    await self._guarded(self._commit(group.active))
                    self._cleared()
                except BaseException as exc:
                    group.error = exc
        finally:
            self._group = None
            self._unit = self._active = None
            self._lock.release()
            group.ended.set()
        await self._after_unit()

    @asynccontextmanager
    async def _savepoint(self, active: Transaction) -> AsyncIterator[None]:
        group = self._group
        if group is not None and self._unit is group:
            # Savepoints cannot interleave between the group's members: a failure here
            # rolls the whole group back, and each member runs again alone.
            try:
                yield
            except BaseException:
                group.doomed = True
                raise
            return
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        await self._guarded(active.execute(f"SAVEPOINT {name}"))
        try:
            yield
        except BaseException as exc:
            await self._undo_savepoint(active, name)
            self._raise_fault(exc)
            raise
        await self._guarded(active.execute(f"RELEASE SAVEPOINT {name}"))

    async def _undo_savepoint(self, active: Transaction, name: str) -> None:
        try:
            await active.execute(f"ROLLBACK TO SAVEPOINT {name}")
            await active.execute(f"RELEASE SAVEPOINT {name}")
        except Exception:  # the transaction itself is gone: the unit's rollback says so
            log.debug("savepoint %s could not be undone", name, exc_info=True)

    async def _guarded(self, work: Awaitable[T]) -> T:
        """Await ``work``, raising our error for a storage fault."""
        try:
            return await work
        except Exception as exc:
            self._raise_fault(exc)
            raise

    def _raise_fault(self, exc: BaseException) -> None:
        """Raise our error for a storage fault (reported once while it lasts); else return."""
        if isinstance(exc, StorageUnavailableError):
            return
        found = self._unavailable(exc)
        if found is None:
            return
        if self.read_only:
            found = StorageUnavailableError(
                f"the database {self.name} was opened for reading only: this command "
                "cannot change it", "reading only")
        if self._fault != found.kind:
            self._fault = found.kind
            faults_log.error("%s", found)
        raise found from exc

    def _cleared(self) -> None:
        if self._fault is not None:
            faults_log.warning("the database %s can be written again", self.name)
            self._fault = None

    # --- statements ------------------------------------------------------------------------
    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        if self._owned():
            assert self._active is not None
            return await self._guarded(self._active.fetch_all(sql, params))
        return await self._guarded(self._read(sql, params, one=False))

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        if self._owned():
            assert self._active is not None
            return await self._guarded(self._active.fetch_one(sql, params))
        rows = await self._guarded(self._read(sql, params, one=True))
        return rows[0] if rows else None

    async def read_aside(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A long read beside the running transaction's work, not after it."""
        return await self.fetch_all(sql, params)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write in its own transaction; returns the number of rows changed."""
        async with self.transaction() as active:
            return await active.execute(sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as active:
            await active.execute_many(sql, rows)

    async def write(self, *statements: tuple[str, Sequence[Any]]) -> list[list[Row]]:
        """Statements that commit together or not at all (inside a unit, undone together
        if one fails); the rows each one returns (``RETURNING``), [] for the others. The
        SQLite backend makes it one trip to its thread."""
        returned: list[list[Row]] = []
        async with self.transaction() as active:
            for sql, params in statements:
                if "RETURNING" in sql.upper():
                    returned.append(await active.fetch_all(sql, params))
                else:
                    await active.execute(sql, params)
                    returned.append([])
        return returned

    async def tables(self) -> list[str]:
        """The schema's tables, by name (the version's bookkeeping left out)."""
        rows = await self.fetch_all(self._TABLES)
        return sorted(str(row["name"]) for row in rows if row["name"] != "schema_version")

    def lead(self, name: str) -> Lead:
        """The lead named ``name`` among the processes on this database (see :class:`Lead`);
        PostgreSQL holds it as an advisory lock on a connection of its own."""
        return Lead()

    async def forget_freed_pages(self) -> bool:
        """Make erased rows unrecoverable from the storage's free space where the backend
        can: SQLite truncates its write-ahead log. PostgreSQL's dead rows and WAL are the
        server's (autovacuum, WAL recycling): nothing to do here, True."""
        return True


@asynccontextmanager
async def open_database(
    where: Path | str, *, password: str | None = None, read_only: bool = False,
) -> AsyncIterator[Database]:
    """The database at ``where``: an SQLite file (a path, or ``sqlite:///path``) or a
    PostgreSQL server (``postgresql://user@host:port/db``, ``password`` apart). The
    PostgreSQL driver is imported only here, when asked for: without the ``postgresql``
    extra, SQLite works alone."""
    if isinstance(where, Path) or where.startswith("sqlite:"):
        path = where if isinstance(where, Path) else sqlite_path(where)
        async with Database.open(path, read_only=read_only) as database:
            yield database
        return
    if not where.startswith(("postgresql:", "postgres:")):
        raise StorageError(f"{where!r}: the storage url must start with postgresql:// "
                           "or sqlite:///")
    try:
        from .postgresql import PostgresDatabase
    except ImportError as exc:
        raise StorageError("PostgreSQL needs the driver: pip install 'animabot[postgresql]'"
                           f" ({exc})") from exc
    async with PostgresDatabase.connect(where, password=password) as database:
        yield database


def sqlite_path(url: str) -> Path:
    """``sqlite:///relative.db`` or ``sqlite:////absolute/path.db`` → the file's path."""
    rest = url.removeprefix("sqlite:")
    if not rest.startswith("///") or len(rest) == 3:
        raise StorageError(f"{url!r}: write sqlite:///file.db (or sqlite:////abs/file.db)")
    return Path(rest[3:])
