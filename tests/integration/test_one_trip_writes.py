"""Writes made in one trip to SQLite's thread keep the transaction rules of the store."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from animabot.store.database import Database


async def _table(database: Database) -> None:
    await database.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER)")


async def test_a_lone_write_waits_for_another_process_s_write_lock(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE takes the lock before reading: the busy timeout applies, where an
    autocommit write would fail at once (the CLI writes while the bot runs)."""
    async with Database.open(tmp_path / "a.db") as database:
        await _table(database)
        other = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t VALUES ('cli', 1)")
            write = asyncio.create_task(database.execute("INSERT INTO t VALUES ('bot', 2)"))
            done, _ = await asyncio.wait({write}, timeout=0.3)
            assert not done, "the write did not wait for the lock"
            other.execute("COMMIT")
            assert await asyncio.wait_for(write, 30) == 1
        finally:
            other.close()
        rows = await database.fetch_all("SELECT k FROM t ORDER BY k")
        assert [row["k"] for row in rows] == ["bot", "cli"]


async def test_statements_written_together_are_undone_together_inside_a_unit(
    tmp_path: Path,
) -> None:
    async with Database.open(tmp_path / "a.db") as database:
        await _table(database)
        async with database.unit():
            await database.execute("INSERT INTO t VALUES ('kept', 1)")
            with pytest.raises(sqlite3.IntegrityError):
                await database.write(("INSERT INTO t VALUES ('undone', 2)", ()),
                                     ("INSERT INTO t VALUES ('kept', 3)", ()))
            rows = await database.write(("UPDATE t SET v = v + 10 RETURNING k, v", ()))
        assert [tuple(row) for row in rows[0]] == [("kept", 11)]
        after = await database.fetch_all("SELECT k, v FROM t")
        assert [tuple(row) for row in after] == [("kept", 11)]


async def test_a_failed_lone_write_leaves_no_transaction_open(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "a.db") as database:
        await _table(database)
        await database.execute("INSERT INTO t VALUES ('a', 1)")
        with pytest.raises(sqlite3.IntegrityError):
            await database.write(("INSERT INTO t VALUES ('b', 2)", ()),
                                 ("INSERT INTO t VALUES ('a', 3)", ()))
        with pytest.raises(sqlite3.IntegrityError):
            await database.execute_many("INSERT INTO t VALUES (?, ?)", [("c", 1), ("a", 2)])
        assert await database.execute("INSERT INTO t VALUES ('d', 4)") == 1
        rows = await database.fetch_all("SELECT k FROM t ORDER BY k")
        assert [row["k"] for row in rows] == ["a", "d"]
