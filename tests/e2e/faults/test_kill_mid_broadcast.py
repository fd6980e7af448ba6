"""``kill -9`` in the middle of a Telegram broadcast with many sends in flight, at the
field's round trip (150 ms): after a restart no group has the message twice, none lost it,
and only the requests that were in flight at the kill are ``unknown``."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from ...support.telegram_emulator import BotApiEmulator
from ..conftest import animabot
from .telegram_bot import FACILITATOR, count, start_bot, stop_bot, telegram_config, wait_until

pytestmark = pytest.mark.slow
GROUPS, IN_FLIGHT = 120, 8
FIRST_GROUP = -2_000_000
ANNOUNCEMENT = """
id = "annonce"
title = "Annonce"
[[steps]]
id = "annonce"
kind = "announcement"
at = "+0"
text.fr = "Réunion publique jeudi à 18 h."
"""


async def rows_of(database: Path, status: str) -> set[int]:
    def read() -> set[int]:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
            return {int(row[0]) for row in db.execute(
                "SELECT c.address FROM delivery d JOIN chat c ON c.id = d.chat_id"
                " WHERE d.status = ?", (status,))}
    return await asyncio.to_thread(read)


async def test_kill_9_mid_broadcast_with_sends_in_flight(tmp_path: Path) -> None:
    groups = [FIRST_GROUP - i for i in range(GROUPS)]
    async with BotApiEmulator(latency=0.15) as emulator:
        emulator.add_user(FACILITATOR, "Fanny")
        for chat in groups:
            emulator.add_group(chat, f"Groupe {chat}", [FACILITATOR], admins=[FACILITATOR])
            emulator.add_bot_to_group(chat, FACILITATOR)
        database = tmp_path / "animabot.db"
        config = telegram_config(tmp_path, emulator, database, groups=tuple(groups))
        config.write_text(config.read_text().replace(
            "group_per_minute = 60000", f"group_per_minute = 60000\nin_flight = {IN_FLIGHT}"))
        scenario = tmp_path / "annonce.toml"
        scenario.write_text(ANNOUNCEMENT, encoding="utf-8")
        await asyncio.to_thread(animabot, "campaign", "start", str(scenario), "--to", "centre",
                                "--json", "--config", str(config))
        log = tmp_path / "bot.log"
        bot = await start_bot(config, log)

        def received() -> int:
            return sum(1 for m in emulator.sent if m.chat_id in set(groups))

        await emulator.wait_for(lambda: received() >= 30, timeout=120)
        await stop_bot(bot, signal.SIGKILL)
        at_kill = received()
        assert at_kill < GROUPS, "the broadcast ended before the kill: it proves nothing"

        bot = await start_bot(config, log)
        try:
            async def all_final() -> bool:
                return await count(database, "SELECT COUNT(*) FROM delivery WHERE status"
                                             " NOT IN ('sent', 'unknown')") == 0
            await wait_until(all_final, 120, "every delivery to be sent or in doubt")
        finally:
            assert await stop_bot(bot) == 0, log.read_text()
        per_group = {chat: len(emulator.messages_to(chat)) for chat in groups}
        assert max(per_group.values()) == 1, "a group received the message twice"
        unknown = await count(database, "SELECT COUNT(*) FROM delivery WHERE status = 'unknown'")
        sent = await count(database, "SELECT COUNT(*) FROM delivery WHERE status = 'sent'")
        assert sent + unknown == GROUPS
        assert 0 < unknown <= IN_FLIGHT, unknown  # the requests in flight, and only they
        in_doubt = await rows_of(database, "unknown")
        assert all(per_group[chat] == 1 for chat in await rows_of(database, "sent"))
        assert all(per_group[chat] == 1 for chat in per_group if chat not in in_doubt), \
            "a group lost the message though its row does not say so"
