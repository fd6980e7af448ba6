"""300 presses queued while the bot is down, then ten ``kill -9`` during the catch-up: every
press counts once and every press gets its answer."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from ...support.telegram_emulator import BotApiEmulator
from ..conftest import animabot
from .telegram_bot import (
    GROUP,
    count,
    group_with_residents,
    poll_scenario,
    start_bot,
    stop_bot,
    telegram_config,
    wait_until,
)

pytestmark = pytest.mark.slow
PRESSES, KILLS = 300, 10
ANSWERS = "SELECT COUNT(*) FROM answer"
RUNNING = "animabot running with"  # the bot's log line once started


async def test_kill_9_during_a_backlog_of_presses_loses_no_vote(tmp_path: Path) -> None:
    async with BotApiEmulator() as emulator:
        group_with_residents(emulator, PRESSES)
        database = tmp_path / "animabot.db"
        config = telegram_config(tmp_path, emulator, database)
        await asyncio.to_thread(animabot, "campaign", "start", str(poll_scenario(tmp_path)),
                                "--to", "centre", "--json", "--config", str(config))
        log = tmp_path / "bot.log"
        bot = await start_bot(config, log)

        def poll_sent() -> bool:
            return any(m.reply_markup for m in emulator.messages_to(GROUP))

        await emulator.wait_for(poll_sent, timeout=60)
        assert await stop_bot(bot) == 0, log.read_text()
        poll = next(m for m in emulator.messages_to(GROUP) if m.reply_markup)
        assert poll.reply_markup is not None
        buttons = [b["callback_data"] for row in poll.reply_markup["inline_keyboard"]
                   for b in row]
        queries = [emulator.user_presses(user, GROUP, poll.message_id, buttons[user % 2])
                   for user in range(1, PRESSES + 1)]
        emulator.delay_next("answerCallbackQuery", 0.03, count=PRESSES * 2)  # a slow catch-up

        kills = 0
        for _ in range(KILLS):
            before = await count(database, ANSWERS)
            if before >= PRESSES:
                break
            bot = await start_bot(config, log)

            async def progressed(before: int = before) -> bool:
                return await count(database, ANSWERS) > before + 3

            await wait_until(progressed, 60, "the catch-up to make progress")
            await stop_bot(bot, signal.SIGKILL)
            kills += 1
        assert kills >= 3, "the catch-up ended before enough kills to prove anything"

        started = log.read_text().count(RUNNING)
        bot = await start_bot(config, log)
        try:
            async def running() -> bool:  # a SIGTERM before its handlers are set kills it
                return log.read_text().count(RUNNING) > started

            await wait_until(running, 60, "the last bot to be running")

            async def all_counted() -> bool:
                return await count(database, ANSWERS) >= PRESSES

            await wait_until(all_counted, 120, "every press to be counted")
            await emulator.wait_for(
                lambda: all(q in emulator.callback_answers for q in queries), timeout=60)
        finally:
            assert await stop_bot(bot) == 0, log.read_text()
    assert await count(database, ANSWERS) == PRESSES
    by_choice = [await count(database, f"SELECT COUNT(*) FROM answer WHERE choices = '[{i}]'")
                 for i in (0, 1)]
    assert by_choice == [PRESSES // 2, PRESSES // 2]
    assert await count(database, "SELECT COUNT(*) FROM inbox WHERE status != 'handled'") == 0
    text = log.read_text()
    assert "Traceback" not in text, text[max(0, text.find("Traceback") - 1500):][:5000]
