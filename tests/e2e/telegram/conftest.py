"""A Telegram world: the Bot API emulator on loopback, the real adapter speaking HTTP to it
through python-telegram-bot, and the real core on a SQLite file with a fake clock that the
test moves (the worker is drained by hand, so no test waits on real time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.telegram.adapter import TelegramAdapter
from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings
from animabot.core import Core, open_core
from animabot.delivery.worker import DeliveryWorker
from animabot.store.state import PlatformState

from ...conftest import T0, make_settings
from ...helpers import until
from ...support.telegram_emulator import BotApiEmulator

GROUPS = {-1001: "centre", -1002: "centre", -1003: "gare"}
FACILITATOR = 900


@dataclass
class TelegramWorld:
    emulator: BotApiEmulator
    core: Core
    adapter: TelegramAdapter
    worker: DeliveryWorker
    clock: FakeClock
    state: PlatformState

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every update queued so far has been handled, then send what is due."""
        target = self.emulator.last_update_id

        async def handled() -> bool:
            return int(await self.state.get("offset") or 0) > target

        await until(handled, timeout, "the bot to handle its updates")
        await asyncio.wait_for(self.adapter.answered(), timeout)  # toasts go out apart
        await self.worker.drain()

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.emulator.messages_to(chat_id) if m.text]


def telegram_settings(tmp_path: Path, emulator: BotApiEmulator, **telegram: object) -> Settings:
    settings = make_settings(tmp_path, quiet_hours="", closed_days=[])
    settings.simulated.enabled = False
    settings.telegram.enabled = True
    settings.telegram.token = SecretStr(emulator.token)
    settings.telegram.base_url = emulator.base_url
    settings.telegram.poll_timeout = 1
    settings.telegram.per_chat_per_second = 1000
    settings.telegram.group_per_minute = 60000
    settings.telegram.global_per_second = 1000
    for key, value in telegram.items():
        setattr(settings.telegram, key, value)
    settings.facilitators.telegram = [str(FACILITATOR)]
    hoods: dict[str, list[str]] = {}
    for chat_id, hood in GROUPS.items():
        hoods.setdefault(hood, []).append(str(chat_id))
    settings.neighbourhoods = [
        NeighbourhoodSettings(id=hood, name=hood.title(), telegram_chats=chats)
        for hood, chats in hoods.items()
    ]
    return settings


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as running:
        running.add_user(FACILITATOR, "Fanny")
        for user in range(1, 61):
            running.add_user(user, f"Habitant {user}", language_code="fr" if user % 5 else "en")
        for chat_id in GROUPS:
            members = [u for u in range(1, 61) if (u % 3) == (abs(chat_id) % 3)]
            running.add_group(chat_id, f"Groupe {chat_id}", [FACILITATOR, *members],
                              admins=[FACILITATOR])
            running.add_bot_to_group(chat_id, FACILITATOR)
        yield running


async def open_world(tmp_path: Path, emulator: BotApiEmulator, **telegram: object) -> tuple[
    TelegramWorld, object
]:
    """The world and the context manager keeping its core open (for restart tests)."""
    settings = telegram_settings(tmp_path, emulator, **telegram)
    clock = FakeClock(T0)
    manager = open_core(settings, clock)
    core = await manager.__aenter__()
    state = PlatformState(core.database, "telegram")
    adapter = TelegramAdapter(settings, core.pseudonymize, state)
    worker = core.worker({"telegram": adapter})
    await worker.recover()
    await adapter.start(core.conversation.handle)
    return TelegramWorld(emulator, core, adapter, worker, clock, state), manager


@pytest.fixture
async def world(tmp_path: Path, emulator: BotApiEmulator) -> AsyncIterator[TelegramWorld]:
    built, manager = await open_world(tmp_path, emulator)
    try:
        await built.settle()  # the bot-added updates
        yield built
    finally:
        await built.adapter.stop()
        await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]
