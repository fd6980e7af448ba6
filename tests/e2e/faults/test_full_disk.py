"""The disk holding the database fills while a campaign is being sent and residents press
buttons, then frees: without a restart, every message arrives once and every press is
counted and answered; the fault is logged once, not at every retry."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ...support.telegram_emulator import BotApiEmulator
from ..conftest import animabot
from .conftest import SmallDisk
from .telegram_bot import (
    FACILITATOR,
    count,
    poll_scenario,
    start_bot,
    stop_bot,
    telegram_config,
    wait_until,
)

pytestmark = pytest.mark.slow
GROUPS = tuple(-2000 - i for i in range(20))
RESIDENTS = range(1, 31)


async def test_a_disk_that_fills_and_frees_loses_nothing_and_needs_no_restart(
    tmp_path: Path, small_disk: SmallDisk,
) -> None:
    async with BotApiEmulator() as emulator:
        emulator.add_user(FACILITATOR, "Fanny")
        for user in RESIDENTS:
            emulator.add_user(user, f"Habitant {user}")
        for group in GROUPS:
            emulator.add_group(group, "g", [FACILITATOR, *RESIDENTS], admins=[FACILITATOR])
            emulator.add_bot_to_group(group, FACILITATOR)
        database = small_disk.path / "animabot.db"
        config = telegram_config(tmp_path, emulator, database, GROUPS)
        log = tmp_path / "bot.log"
        bot = await start_bot(config, log)
        try:
            await wait_until(lambda: _true_when(log, "animabot running"), 60, "the bot")
            emulator.delay_next("sendMessage", 0.4, count=len(GROUPS))  # a slow campaign
            await asyncio.to_thread(animabot, "campaign", "start",
                                    str(poll_scenario(tmp_path)), "--to", "centre",
                                    "--config", str(config))
            await emulator.wait_for(lambda: len(_polls(emulator)) >= 2, timeout=60)

            async def one_recorded() -> bool:  # several sends fly at once: one whose
                # outcome is saved (a press on a message not yet recorded is refused)
                return await count(database, "SELECT COUNT(*) FROM delivery"
                                             " WHERE status = 'sent'") >= 1
            await wait_until(one_recorded, 60, "a poll's send to be recorded")
            recorded = await count(database, "SELECT c.address FROM delivery d JOIN chat c"
                                             " ON c.id = d.chat_id WHERE d.status = 'sent'")
            small_disk.fill()
            first = next(p for p in _polls(emulator) if p.chat_id == recorded)
            assert first.reply_markup is not None
            buttons = [b["callback_data"] for row in first.reply_markup["inline_keyboard"]
                       for b in row]
            queries = [emulator.user_presses(user, first.chat_id, first.message_id,
                                             buttons[user % 2]) for user in RESIDENTS]
            await wait_until(lambda: _true_when(log, "is full"), 60, "the disk to be full")
            calls = len(emulator.calls_to("getUpdates"))  # the presses are tried, and kept
            await emulator.wait_for(
                lambda: len(emulator.calls_to("getUpdates")) >= calls + 2, timeout=60)
            small_disk.free()

            async def all_counted() -> bool:
                return await count(database, "SELECT COUNT(*) FROM answer") >= len(RESIDENTS)

            await wait_until(all_counted, 120, "every press to be counted")
            await emulator.wait_for(
                lambda: all(q in emulator.callback_answers for q in queries), timeout=60)

            async def all_recorded() -> bool:
                return await count(database, "SELECT COUNT(*) FROM delivery WHERE part = 'send'"
                                   " AND status = 'sent'") >= len(GROUPS)

            await wait_until(all_recorded, 120, "every send to be recorded")
        finally:
            small_disk.free()
            assert await stop_bot(bot) == 0, log.read_text()
    assert sorted(p.chat_id for p in _polls(emulator)) == sorted(GROUPS)  # each once
    text = log.read_text()
    assert text.count("ERROR animabot.store.faults") == 1, text  # once, not per retry
    assert "can be written again" in text and "Traceback" not in text


def _polls(emulator: BotApiEmulator) -> list:  # type: ignore[type-arg]
    return [m for m in emulator.sent if m.chat_id in GROUPS and m.reply_markup
            and not m.edited]


async def _true_when(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text()
