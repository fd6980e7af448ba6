"""``animabot run`` as a real process against the Bot API emulator of the test's loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

from ...support.telegram_emulator import BotApiEmulator
from ..conftest import ANIMABOT, ROOT, base_config

FACILITATOR = 900
GROUP = -1001


POLL_NOW = """
id = "vote"
title = "Un vote"
[[steps]]
id = "envie"
kind = "poll"
at = "+0"
question.fr = "Un jardin ?"
options.fr = ["Oui", "Non"]
closes = "+2d"
"""


def poll_scenario(tmp_path: Path) -> Path:
    """A poll sent at the start (group buttons)."""
    path = tmp_path / "vote.toml"
    path.write_text(POLL_NOW, encoding="utf-8")
    return path


def telegram_config(tmp_path: Path, emulator: BotApiEmulator, database: Path,
                    groups: tuple[int, ...] = (GROUP,)) -> Path:
    chats = ", ".join(f'"{g}"' for g in groups)
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path).replace(
        str(tmp_path / "animabot.db"), str(database)) + f"""
[telegram]
enabled = true
token = "{emulator.token}"
base_url = "{emulator.base_url}"
poll_timeout = 1
global_per_second = 1000
per_chat_per_second = 1000
group_per_minute = 60000
[facilitators]
telegram = ["{FACILITATOR}"]
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
telegram_chats = [{chats}]
""", encoding="utf-8")
    return config


def group_with_residents(emulator: BotApiEmulator, residents: int) -> None:
    emulator.add_user(FACILITATOR, "Fanny")
    for user in range(1, residents + 1):
        emulator.add_user(user, f"Habitant {user}")
    emulator.add_group(GROUP, "Centre", [FACILITATOR, *range(1, residents + 1)],
                       admins=[FACILITATOR])
    emulator.add_bot_to_group(GROUP, FACILITATOR)


async def start_bot(config: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as handle:
        return await asyncio.create_subprocess_exec(
            ANIMABOT, "run", "--config", str(config), cwd=ROOT, stdout=handle,
            stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)


async def stop_bot(bot: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> int:
    if bot.returncode is None:
        os.kill(bot.pid, sig)
    return await asyncio.wait_for(bot.wait(), timeout=30)


async def count(database: Path, sql: str) -> int:
    def read() -> int:
        if not database.exists():
            return 0
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
            try:
                return int(db.execute(sql).fetchone()[0])
            except sqlite3.OperationalError:
                return 0
    return await asyncio.to_thread(read)


async def wait_until(check: object, timeout: float, what: str) -> None:
    """Poll an async ``check`` (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
