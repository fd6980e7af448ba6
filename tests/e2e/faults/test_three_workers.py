"""Three ``animabot run`` on one PostgreSQL database, a campaign to many Telegram groups
through the emulator with flood control and a field-like round trip, and ``kill -9`` of the
leader mid-campaign: no group gets the message twice, none loses it (the only rows not
``sent`` are the requests in flight at the kill, ``unknown``), Telegram never answers 429,
and a surviving worker takes over the polling (a resident's command after the kill is
answered)."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import psycopg
import pytest

from ...support.telegram_emulator import BotApiEmulator
from ..conftest import animabot
from .telegram_bot import FACILITATOR, start_bot, stop_bot, telegram_config, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]
WORKERS, GROUPS, IN_FLIGHT = 3, 150, 8
FIRST_GROUP, RESIDENT = -3_000_000, 7
ANNOUNCEMENT = """
id = "annonce"
title = "Annonce"
[[steps]]
id = "annonce"
kind = "announcement"
at = "+0"
text.fr = "Réunion publique jeudi à 18 h."
"""


def config_for(tmp_path: Path, emulator: BotApiEmulator, url: str, groups: list[int]) -> Path:
    """Telegram's real limits (30/s, 1/s per chat, 20/min per group), the database shared."""
    config = telegram_config(tmp_path, emulator, tmp_path / "unused.db", groups=tuple(groups))
    text = config.read_text(encoding="utf-8")
    text = text.replace("[storage]\n", f'[storage]\nurl = "{url}"\n', 1)
    text = text.replace("[delivery]\n", "[delivery]\nlease_seconds = 3\n", 1)
    text = text.replace("global_per_second = 1000\nper_chat_per_second = 1000\n"
                        "group_per_minute = 60000",
                        f"global_per_second = 30\nper_chat_per_second = 1\n"
                        f"group_per_minute = 20\nin_flight = {IN_FLIGHT}")
    config.write_text(text, encoding="utf-8")
    return config


async def scalar(url: str, sql: str) -> int:
    async with await psycopg.AsyncConnection.connect(url) as connection:
        cursor = await connection.execute(sql)  # type: ignore[arg-type]
        row = await cursor.fetchone()
        return int(row[0]) if row else 0


async def addresses(url: str, status: str) -> set[int]:
    async with await psycopg.AsyncConnection.connect(url) as connection:
        cursor = await connection.execute(
            "SELECT c.address FROM delivery d JOIN chat c ON c.id = d.chat_id"
            " WHERE d.status = %s AND d.campaign_id IS NOT NULL", (status,))
        return {int(row[0]) for row in await cursor.fetchall()}


def logged(log: Path, pattern: str) -> bool:
    return log.exists() and re.search(pattern, log.read_text(errors="replace")) is not None


async def test_three_workers_and_a_kill_9(tmp_path: Path, postgres_url: str) -> None:
    groups = [FIRST_GROUP - i for i in range(GROUPS)]
    async with BotApiEmulator(latency=0.1, flood_control=True) as emulator:
        emulator.add_user(FACILITATOR, "Fanny")
        emulator.add_user(RESIDENT, "Habitant")
        for chat in groups:
            emulator.add_group(chat, f"Groupe {chat}", [FACILITATOR], admins=[FACILITATOR])
            emulator.add_bot_to_group(chat, FACILITATOR)
        config = config_for(tmp_path, emulator, postgres_url, groups)
        logs = [tmp_path / f"worker{n}.log" for n in range(WORKERS)]
        workers = [await start_bot(config, logs[0])]
        await wait_until(lambda: _true(logged(logs[0], r"worker \S+ leads")), 60,
                         "the first worker to lead")
        for n in range(1, WORKERS):
            workers.append(await start_bot(config, logs[n]))
        for n in range(1, WORKERS):
            await wait_until(lambda n=n: _true(logged(logs[n], r"worker \S+ follows")), 60,
                             f"worker {n} to follow")
        try:
            scenario = tmp_path / "annonce.toml"
            scenario.write_text(ANNOUNCEMENT, encoding="utf-8")
            await asyncio.to_thread(animabot, "campaign", "start", str(scenario), "--to",
                                    "centre", "--json", "--config", str(config))

            def received() -> int:
                return sum(1 for m in emulator.sent if m.chat_id in set(groups))

            await emulator.wait_for(lambda: received() >= 30, timeout=120)
            await stop_bot(workers[0], signal.SIGKILL)  # the leader
            assert received() < GROUPS, "the campaign ended before the kill: it proves nothing"

            emulator.user_sends(RESIDENT, RESIDENT, "/start")  # read by the next leader only
            await emulator.wait_for(lambda: bool(emulator.messages_to(RESIDENT)), timeout=120)
            assert any(logged(log, r"worker \S+ leads") for log in logs[1:])

            async def all_final() -> bool:
                return await scalar(postgres_url, "SELECT COUNT(*) FROM delivery WHERE"
                                    " status NOT IN ('sent', 'unknown')") == 0
            await wait_until(all_final, 180, "every delivery sent or in doubt")
        finally:
            for worker in workers[1:]:
                assert await stop_bot(worker) == 0, "\n".join(
                    log.read_text(errors="replace")[-3000:] for log in logs)
        per_group = {chat: len(emulator.messages_to(chat)) for chat in groups}
        assert max(per_group.values()) == 1, "a group received the message twice"
        in_doubt = await addresses(postgres_url, "unknown")
        sent = await addresses(postgres_url, "sent")
        assert len(sent) + len(in_doubt) == GROUPS
        assert len(in_doubt) <= IN_FLIGHT  # the dead worker's requests in flight, no more
        assert all(per_group[chat] == 1 for chat in sent)
        assert all(per_group[chat] == 1 for chat in groups if chat not in in_doubt), \
            "a group lost the message though its row does not say so"
        assert emulator.flood_429s == 0
        assert sum(logged(log, r"\d+ marked unknown|\d+ queued again") for log in logs[1:]) \
            or not in_doubt


async def _true(value: bool) -> bool:
    return value
