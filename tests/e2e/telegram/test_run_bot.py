"""`run_bot` with Telegram enabled: the composition root wires the adapter, the scheduler and
the worker, and a resident's /start is answered through the real wake-up path."""

from __future__ import annotations

import asyncio
from pathlib import Path

from animabot.app import run_bot

from ...support.telegram_emulator import BotApiEmulator
from .conftest import telegram_settings


async def test_the_bot_answers_start_when_run_for_real(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    settings = telegram_settings(tmp_path, emulator)
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, stop=stop))
    try:
        emulator.user_sends(1, 1, "/start")
        await emulator.wait_for(lambda: bool(emulator.messages_to(1)), timeout=15)
        assert emulator.messages_to(1)[0].text.startswith("Bonjour")  # type: ignore[union-attr]
    finally:
        stop.set()
        await asyncio.wait_for(bot, timeout=15)
    assert any(c.method == "setMyCommands" for c in emulator.calls)
