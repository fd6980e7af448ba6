"""Faults between an event and its effects, and a storage that cannot be written for a while:
nothing is lost, nothing is done twice, and the same process goes on when the fault clears."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from animabot.clock import FakeClock
from animabot.conversation.router import Conversation
from animabot.core import Core, open_core
from animabot.delivery import worker as worker_module
from animabot.errors import StorageUnavailableError
from animabot.store.answers import AnswerRepository
from animabot.store.database import Database

from ..conftest import ScriptedAdapter, make_settings
from ..helpers import POLL_SCENARIO, People, scenario

ANNOUNCEMENT_ONLY = {**POLL_SCENARIO, "steps": POLL_SCENARIO["steps"][:1]}


class FullDisk:
    """Makes every commit of one database fail as SQLite does when the disk is full: a
    COMMIT (the transaction stays open: the caller must roll back), or a write statement
    outside any transaction (autocommit: the statement is its own transaction)."""

    def __init__(self, database: Database) -> None:
        self.connection: Any = database._db
        self.real = self.connection.execute
        self.full = False
        self.failures = 0  # fail this many COMMITs, then free the space
        self.connection.execute = self._execute  # type: ignore[method-assign]
        # Writes made in one trip to SQLite's thread see the same full disk.
        on_thread = database._on_thread

        async def on_full_disk(job: Any) -> Any:
            return await on_thread(lambda connection: job(_OnFullDisk(connection, self)))

        database._on_thread = on_full_disk  # type: ignore[method-assign]

    def check(self, sql: str, in_transaction: bool) -> None:
        statement = sql.strip().upper()
        commits = statement == "COMMIT" or (
            statement.startswith(("UPDATE", "INSERT", "DELETE")) and not in_transaction)
        if commits and (self.full or self.failures > 0):
            self.failures = max(0, self.failures - 1)
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorcode = sqlite3.SQLITE_FULL
            raise exc

    def _execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self.check(sql, self.connection.in_transaction)
        return self.real(sql, *args, **kwargs)


class _OnFullDisk:
    """The sqlite3 connection as a job on SQLite's thread sees it, on a full disk."""

    def __init__(self, connection: sqlite3.Connection, disk: FullDisk) -> None:
        self.connection, self.disk = connection, disk

    @property
    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.disk.check(sql, self.connection.in_transaction)
        return self.connection.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.disk.check(sql, self.connection.in_transaction)
        return self.connection.executemany(sql, *args)


@pytest.fixture
def full_disk(core: Core) -> Iterator[FullDisk]:
    yield FullDisk(core.database)


async def _poll_delivery(core: Core) -> int:
    row = await core.database.fetch_one(
        "SELECT id FROM delivery WHERE step_id = 'envie' AND part = 'send' ORDER BY id")
    assert row is not None
    return int(row["id"])


async def _started(core: Core, adapter: ScriptedAdapter) -> str:
    started = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await core.worker({"simulated": adapter}).drain()
    return started.id


async def _inbox(core: Core) -> dict[str, str]:
    rows = await core.database.fetch_all("SELECT event_id, status FROM inbox")
    return {row["event_id"]: row["status"] for row in rows}


async def test_a_crash_between_the_journal_and_the_effect_leaves_the_event_to_replay(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = await _started(core, adapter)
    people, poll = People(core, clock), await _poll_delivery(core)
    press = people.press(1, core.signer.sign(f"v.{poll}.0"), group="g-centre", event_id="p1")
    real = Conversation._dispatch

    async def dies_after_the_vote(self: Conversation, event: Any) -> str | None:
        await real(self, event)  # the vote is written…
        raise asyncio.CancelledError  # …and the process dies before the commit

    monkeypatch.setattr(Conversation, "_dispatch", dies_after_the_vote)
    with pytest.raises(asyncio.CancelledError):
        await core.conversation.handle(press)
    answers = AnswerRepository(core.database)
    assert await _inbox(core) == {} and await answers.answers(campaign, "envie") == []

    monkeypatch.setattr(Conversation, "_dispatch", real)
    assert await core.conversation.handle(press) is not None  # the platform's replay
    assert await answers.vote_of(campaign, "envie", people.pseudonym(1)) == (0,)
    assert await _inbox(core) == {"p1": "handled"}


async def test_a_handler_error_is_retried_then_recorded_failed_never_looping(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    campaign = await _started(core, adapter)
    people, poll = People(core, clock), await _poll_delivery(core)
    real, calls = Conversation._dispatch, []

    async def flaky(self: Conversation, event: Any) -> str | None:
        calls.append(event.event_id)
        result = await real(self, event)
        if event.event_id == "bad" or calls.count(event.event_id) == 1:
            raise RuntimeError("a bug")
        return result

    monkeypatch.setattr(Conversation, "_dispatch", flaky)
    once = people.press(1, core.signer.sign(f"v.{poll}.1"), group="g-centre", event_id="once")
    assert await core.conversation.handle(once) is not None  # failed once, then done
    bad = people.press(2, core.signer.sign(f"v.{poll}.0"), group="g-centre", event_id="bad")
    assert await core.conversation.handle(bad) is None
    assert await core.conversation.handle(bad) is None  # a replay does not start again
    assert calls == ["once", "once", "bad", "bad", "bad"]
    answers = AnswerRepository(core.database)
    assert await answers.vote_of(campaign, "envie", people.pseudonym(1)) == (1,)
    assert not await answers.vote_of(campaign, "envie", people.pseudonym(2))
    assert await _inbox(core) == {"once": "handled", "bad": "failed"}
    assert any("recorded as failed" in r.getMessage() and r.levelno == logging.ERROR
               for r in caplog.records)


async def test_a_full_disk_keeps_the_event_for_later_and_is_reported_once(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, full_disk: FullDisk,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="animabot.store.faults")  # a CLI test muted it
    campaign = await _started(core, adapter)
    people, poll = People(core, clock), await _poll_delivery(core)
    press = people.press(3, core.signer.sign(f"v.{poll}.2"), group="g-centre", event_id="p3")
    full_disk.full = True
    for _ in range(3):  # the adapter offers it again, and again
        with pytest.raises(StorageUnavailableError, match="is full"):
            await core.conversation.handle(press)
    faults = [r for r in caplog.records if r.name == "animabot.store.faults"]
    assert len(faults) == 1 and str(core.database.path) in faults[0].getMessage()
    assert await core.services.residents.get(people.pseudonym(3)) is None  # rolled back

    full_disk.full = False
    assert await core.conversation.handle(press) is not None
    answers = AnswerRepository(core.database)
    assert await answers.vote_of(campaign, "envie", people.pseudonym(3)) == (2,)
    assert any("can be written again" in r.getMessage() for r in caplog.records)


async def test_a_sends_outcome_waits_for_the_disk_and_is_saved_once(
    core: Core, adapter: ScriptedAdapter, full_disk: FullDisk, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(worker_module, "FIRST_SAVE_DELAY", 0.01)
    adapter.idempotent_sends = False  # a row that left must never be sent again
    settings = core.settings
    settings.neighbourhoods[0].simulated_chats = [f"g{i}" for i in range(6)]
    async with open_core(settings, core.clock) as many:
        started = await many.campaigns.start(scenario(ANNOUNCEMENT_ONLY), ["centre"])
    worker = core.worker({"simulated": adapter})
    real_send = adapter.send

    async def send_then_fill(*args: Any, **kwargs: Any) -> Any:
        result = await real_send(*args, **kwargs)
        if len(adapter.sent) == 2:
            full_disk.failures = 3  # the disk fills as the second message leaves
        return result

    monkeypatch.setattr(adapter, "send", send_then_fill)
    for _ in range(4):  # a claim that meets the full disk ends the drain: the next goes on
        try:
            await worker.drain()
            break
        except StorageUnavailableError:
            continue
    assert full_disk.failures == 0, "the fault never happened: the test proves nothing"
    assert await worker.deliveries.status_counts(started.id) == {"sent": 7}  # g-centre too
    assert len({key for _, _, key in adapter.sent}) == len(adapter.sent) == 7


async def test_claimed_rows_left_by_a_fault_mid_batch_go_back_to_pending(
    core: Core, adapter: ScriptedAdapter, monkeypatch: pytest.MonkeyPatch,
) -> None:
    adapter.idempotent_sends = False
    settings = core.settings
    settings.neighbourhoods[0].simulated_chats = [f"g{i}" for i in range(5)]
    async with open_core(settings, core.clock) as many:
        started = await many.campaigns.start(scenario(ANNOUNCEMENT_ONLY), ["centre"])
    worker = core.worker({"simulated": adapter})
    deliveries = worker.deliveries
    real_mark = deliveries.mark_sending
    failed: list[int] = []

    async def mark_sending(delivery_id: int) -> None:
        if len(adapter.sent) == 2 and not failed:
            failed.append(delivery_id)
            raise StorageUnavailableError("the disk holding the database is full")
        await real_mark(delivery_id)

    monkeypatch.setattr(deliveries, "mark_sending", mark_sending)
    with pytest.raises(StorageUnavailableError):
        await worker.drain()
    counts = await deliveries.status_counts(started.id)
    assert counts == {"sent": 2, "claimed": 4}
    await worker.drain()  # the same process, no restart
    assert await deliveries.status_counts(started.id) == {"sent": 6}
    rows = await core.database.fetch_all("SELECT attempts FROM delivery WHERE campaign_id = ?",
                                         (started.id,))
    assert {row["attempts"] for row in rows} == {1}  # the failed claim was given back
    assert len({key for _, _, key in adapter.sent}) == len(adapter.sent) == 6


async def test_read_only_commands_open_the_database_without_writing(
    tmp_path: Path, clock: FakeClock,
) -> None:
    settings = make_settings(tmp_path)
    async with open_core(settings, clock) as core:
        assert not core.database.read_only
    async with open_core(settings, clock, sends=False, writes=False) as core:
        assert core.database.read_only
        assert set(await core.services.chats.neighbourhoods()) == {"centre", "gare"}
        with pytest.raises(StorageUnavailableError, match="reading only"):
            await core.services.chats.upsert_neighbourhood("x", "X")
    settings.neighbourhoods[1].name = "Gare du Nord"  # the file lacks it: completed once
    async with open_core(settings, clock, sends=False, writes=False) as core:
        assert (await core.services.chats.neighbourhoods())["gare"] == "Gare du Nord"


async def test_a_stop_that_cuts_a_begin_short_leaves_no_transaction_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A handler cancelled (the bot stops) while SQLite's thread still holds its BEGIN: the
    BEGIN runs anyway; every later unit of work must still start, not fail with "cannot
    start a transaction within a transaction" until a restart."""
    async with Database.open(tmp_path / "a.db") as database:
        real = database._db.execute

        begun: list[asyncio.Future[Any]] = []

        async def queued_then_cancelled(sql: str) -> None:
            begun.append(asyncio.ensure_future(real(sql)))
            await asyncio.sleep(0)  # the BEGIN is now in SQLite's queue
            raise asyncio.CancelledError

        def cut_short(sql: str, *args: Any, **kwargs: Any) -> Any:
            if sql == "BEGIN IMMEDIATE":
                return queued_then_cancelled(sql)
            return real(sql, *args, **kwargs)

        monkeypatch.setattr(database._db, "execute", cut_short)
        with pytest.raises(asyncio.CancelledError):
            async with database.unit():
                pass
        monkeypatch.setattr(database._db, "execute", real)
        await asyncio.gather(*begun, return_exceptions=True)
        async with database.unit():
            await database.execute("CREATE TABLE t (x INTEGER)")
        assert await database.fetch_all("SELECT * FROM t") == []
