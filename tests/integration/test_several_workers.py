"""Several workers on one PostgreSQL database: the lead (an advisory lock) and the limits
they share (``send_pace``). The claim itself is in test_store_backends.py and the whole story,
three ``animabot run`` and a ``kill -9``, in tests/e2e/faults/test_three_workers.py."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from animabot.leading import Leader
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.store.database import Lead, open_database
from animabot.store.send_pace import SharedPace, chat_key

pytestmark = pytest.mark.postgresql


async def _eventually(attempt: Callable[[], Awaitable[bool]], within: float = 20.0) -> bool:
    """``attempt`` until it succeeds, for at most ``within`` seconds (a loaded machine)."""
    deadline = time.monotonic() + within
    while not await attempt():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_sends_reserved_by_two_workers_are_spread_over_the_bot_and_the_chat(
    postgres_url: str,
) -> None:
    async with open_database(postgres_url) as one, open_database(postgres_url) as two:
        paces = [SharedPace(one), SharedPace(two)]

        async def reserve(n: int) -> float:
            delay = await paces[n % 2].reserve("telegram", f"chat{n}", 0.5, 1.0)
            return time.time() + delay

        instants = sorted(await asyncio.gather(*(reserve(n) for n in range(12))))
        gaps = [b - a for a, b in itertools.pairwise(instants)]
        assert min(gaps) > 0.4, gaps  # 0.5 s apart, less the jitter of measuring here
        first = time.time() + await paces[0].reserve("matrix", "room", 0.0, 3.0)
        second = time.time() + await paces[1].reserve("matrix", "room", 0.0, 3.0)
        assert second - first > 2.8  # one chat: its own interval, across workers


async def test_the_lead_is_held_by_one_and_taken_over_when_its_connection_dies(
    postgres_url: str,
) -> None:
    async with open_database(postgres_url) as one, open_database(postgres_url) as two:
        first, second = one.lead("animabot"), two.lead("animabot")
        try:
            assert await first.take() and not await second.take()
            assert await first.take()  # still held: checked, not taken twice
            # The leader's process dies: the server drops its connection, the lock with it.
            await two.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                              " WHERE application_name = 'animabot-lead' AND pid IN ("
                              " SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
                              " AND granted AND database = (SELECT oid FROM pg_database"
                              " WHERE datname = current_database()))")
            # The server ends the backend a moment later (a signal): the lock is free then.
            assert await _eventually(second.take)
            assert not await first.take()  # it knows it lost the lead
        finally:
            await first.release()
            await second.release()
        other = one.lead("other")
        try:
            assert await other.take()  # a lead per name
        finally:
            await other.release()


async def test_a_follower_takes_over_within_seconds(postgres_url: str) -> None:
    async with open_database(postgres_url) as one, open_database(postgres_url) as two:
        events: list[str] = []

        def leader(name: str, lead: Lead) -> Leader:
            async def gain() -> None:
                events.append(f"{name} leads")

            async def lose() -> None:
                events.append(f"{name} stops")

            return Leader(lead, name, gain, lose, every=0.05)

        first = leader("first", one.lead("animabot"))
        second = leader("second", two.lead("animabot"))
        await first.start()
        await second.start()
        assert first.leading and not second.leading
        await first.stop()
        async with asyncio.timeout(30):
            while not second.leading:
                await asyncio.sleep(0.02)
        await second.stop()
        assert events == ["first leads", "first stops", "second leads", "second stops"]


async def test_sqlite_has_one_process_which_always_leads(tmp_path: object) -> None:
    assert await Lead().take()


async def test_the_ideas_limit_holds_across_workers(postgres_url: str) -> None:
    """Two workers (a webhook any of them answers) counting then inserting for one author
    at once: the limit still holds."""
    from animabot.store.ideas import IdeaRepository

    async with open_database(postgres_url) as one, open_database(postgres_url) as two:
        now = datetime(2026, 12, 1, 9, tzinfo=UTC)
        ideas = [IdeaRepository(one), IdeaRepository(two)]
        added = await asyncio.gather(*(
            ideas[n % 2].add_within_limit("p1", "telegram", None, f"idée {n}", now,
                                          now - timedelta(days=1), 3)
            for n in range(10)))
        assert sum(1 for idea in added if idea is not None) == 3


async def test_an_older_tally_never_replaces_a_newer_one(postgres_url: str) -> None:
    from animabot.store.polls import PollTallyRepository

    async with open_database(postgres_url) as database:
        tallies = PollTallyRepository(database)
        now = datetime(2026, 12, 1, 9, tzinfo=UTC)
        await tallies.record("poll", (3, 1), 4, now)
        await tallies.record("poll", (1, 0), 1, now - timedelta(seconds=5))  # a slower worker
        row = await database.fetch_one("SELECT voters FROM poll_tally WHERE poll_ref = 'poll'")
        assert row is not None and row["voters"] == 4


async def test_a_chat_is_kept_under_its_keyed_pseudonym_never_its_address(
    postgres_url: str,
) -> None:
    pseudonymize = Pseudonymizer(b"k" * 32)
    async with open_database(postgres_url) as database:
        await SharedPace(database, pseudonymize).reserve("telegram", "123456789", 0.1, 1.0)
        keys = [row["key"] for row in await database.fetch_all("SELECT key FROM send_pace")]
    assert f"telegram:{pseudonymize('telegram', '123456789')}" in keys
    assert chat_key("telegram", "123456789") not in keys  # no unkeyed digest of the id
    assert not any("123456789" in key for key in keys)
