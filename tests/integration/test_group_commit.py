"""Group commit on SQLite (issue 13): concurrent units of work share one transaction, each
returns only once the shared COMMIT is done, and a failing unit takes nobody's work with it
(the others are told to run again alone)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from animabot.errors import GroupAbortedError
from animabot.store.database import Database
from animabot.store.sqlite import SqliteDatabase

INSERT = "INSERT INTO neighbourhood (id, name) VALUES (?, ?)"
CEILING = 30.0  # seconds: a bound for a loaded machine, never a pace


def committed(database: Database) -> set[str]:
    """The neighbourhoods another connection sees: what was committed."""
    assert isinstance(database, SqliteDatabase)
    with sqlite3.connect(Path(database.path)) as other:
        return {row[0] for row in other.execute("SELECT id FROM neighbourhood")}


async def test_shared_units_write_side_by_side_and_return_after_one_commit(
    database: Database,
) -> None:
    a_wrote, b_wrote, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def a() -> None:
        async with database.shared_unit("a"):
            await database.execute(INSERT, ("a", "A"))
            a_wrote.set()
            # A unit holding the database alone would wait here forever: B could not write.
            await asyncio.wait_for(b_wrote.wait(), CEILING)

    async def b() -> None:
        async with database.shared_unit("b"):
            await asyncio.wait_for(a_wrote.wait(), CEILING)
            await database.execute(INSERT, ("b", "B"))
            b_wrote.set()
            await release.wait()

    first, second = asyncio.create_task(a()), asyncio.create_task(b())
    await asyncio.wait_for(b_wrote.wait(), CEILING)
    await asyncio.sleep(0.05)
    assert not first.done()  # A's block is over, but the shared COMMIT is not: A waits
    assert committed(database) == set()
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), CEILING)
    assert committed(database) == {"a", "b"}


async def test_a_failing_unit_rolls_its_group_back_and_the_others_are_told(
    database: Database,
) -> None:
    a_wrote, b_wrote = asyncio.Event(), asyncio.Event()

    async def a() -> None:
        async with database.shared_unit("a"):
            await database.execute(INSERT, ("a", "A"))
            a_wrote.set()
            await asyncio.wait_for(b_wrote.wait(), CEILING)
            raise RuntimeError("a bug in A's handler")

    async def b() -> None:
        async with database.shared_unit("b"):
            await asyncio.wait_for(a_wrote.wait(), CEILING)
            await database.execute(INSERT, ("b", "B"))
            b_wrote.set()

    failed, aborted = await asyncio.wait_for(
        asyncio.gather(a(), b(), return_exceptions=True), CEILING)
    assert isinstance(failed, RuntimeError)  # A's own failure, as it came
    assert isinstance(aborted, GroupAbortedError)  # B's work was undone with the group
    assert committed(database) == set()
    async with database.unit():  # what B's caller does: run it again alone
        await database.execute(INSERT, ("b", "B"))
    assert committed(database) == {"b"}


async def test_a_failed_nested_transaction_dooms_the_group(database: Database) -> None:
    """Savepoints cannot interleave between members: a nested transaction's failure, even
    caught, rolls the group back (each member then runs alone, with real savepoints)."""
    with pytest.raises(GroupAbortedError):
        async with database.shared_unit("a"):
            await database.execute(INSERT, ("a", "A"))
            with pytest.raises(RuntimeError):
                async with database.transaction() as tx:
                    await tx.execute(INSERT, ("b", "B"))
                    raise RuntimeError("inner")
    assert committed(database) == set()


async def test_one_key_per_group_and_other_writers_wait_for_its_commit(
    database: Database,
) -> None:
    inside, release = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def holder() -> None:
        async with database.shared_unit("same"):
            await database.execute(INSERT, ("a", "A"))
            inside.set()
            await release.wait()
        order.append("first")

    async def again() -> None:
        async with database.shared_unit("same"):  # the same resident: the next group
            order.append("second")
            await database.execute(INSERT, ("b", "B"))

    first = asyncio.create_task(holder())
    await asyncio.wait_for(inside.wait(), CEILING)
    second = asyncio.create_task(again())
    alone = asyncio.create_task(database.execute(INSERT, ("c", "C")))
    await asyncio.sleep(0.05)
    assert order == [] and not alone.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second, alone), CEILING)
    assert order == ["first", "second"]
    assert committed(database) == {"a", "b", "c"}


async def test_a_storage_fault_at_the_shared_commit_reaches_every_member(
    database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(database, SqliteDatabase)
    both_in = asyncio.Barrier(2)

    async def full(transaction: object) -> None:
        await database._rollback(database._statements)
        raise sqlite3.OperationalError("database or disk is full")

    async def member(name: str) -> None:
        async with database.shared_unit(name):
            await database.execute(INSERT, (name, name.upper()))
            await asyncio.wait_for(both_in.wait(), CEILING)

    monkeypatch.setattr(database, "_commit", full)
    results = await asyncio.wait_for(
        asyncio.gather(member("a"), member("b"), return_exceptions=True), CEILING)
    assert [type(r).__name__ for r in results] == ["StorageUnavailableError"] * 2
    monkeypatch.undo()
    assert committed(database) == set()
    await database.execute(INSERT, ("c", "C"))  # the lock was given back
    assert committed(database) == {"c"}


async def test_the_rows_of_a_pressed_message_are_found_by_index(database: Database) -> None:
    """Each press reads the rows sent as the message pressed: with a delivery table of a
    year's campaigns, a scan per press would undo what group commit saves."""
    plan = await database.fetch_all(
        "EXPLAIN QUERY PLAN SELECT * FROM delivery WHERE id = 1"
        " OR (platform_ref = '7' AND chat_id = 1 AND pseudonym IS NULL)")
    steps = " / ".join(str(row[3]) for row in plan)
    assert "SCAN delivery" not in steps and "delivery_platform_ref" in steps, steps


async def test_no_write_outlives_a_transaction_sqlite_rolled_back(database: Database) -> None:
    """SQLite rolls a transaction back by itself on a full disk; a member still running
    must not then write outside any transaction (each write would commit on its own)."""
    assert isinstance(database, SqliteDatabase)
    a_failed = asyncio.Event()

    async def a() -> None:
        async with database.shared_unit("a"):
            await database.execute(INSERT, ("a", "A"))
            await database._db.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
            a_failed.set()
            raise sqlite3.OperationalError("database or disk is full")

    async def b() -> None:
        async with database.shared_unit("b"):
            await asyncio.wait_for(a_failed.wait(), CEILING)
            await database.execute(INSERT, ("b", "B"))

    failed, refused = await asyncio.wait_for(
        asyncio.gather(a(), b(), return_exceptions=True), CEILING)
    assert type(failed).__name__ == "StorageUnavailableError"
    assert isinstance(refused, sqlite3.OperationalError)  # B's write, not kept on its own
    assert committed(database) == set()
