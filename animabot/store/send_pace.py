"""The platform's limits shared by every worker on one PostgreSQL database.

Each worker paces its own sends (``delivery/pacing.py``); with several workers on one bot
token, their sum must still fit the platform's limits. A row per bot (``key`` = the
platform) and per chat (the platform and the chat's pseudonym, the keyed HMAC the core gives:
no platform id is kept, nor an unkeyed hash of one, which a small id space would give back)
holds the next instant a send may leave, on the server's clock (workers on several
machines need not agree on the time). A reservation takes the chat's instant, then the bot's
from there, and moves both on by their interval, under the rows' locks: sends are spread
evenly over all workers, never bunched. SQLite has one process: nothing to share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from .database import Database

ChatName = Callable[[str, str], str]  # (platform, address) -> a keyed pseudonym

_NOW = "EXTRACT(EPOCH FROM clock_timestamp())"
# The chat's instant, its row locked until the commit (created on first use).
_CHAT = f"""
    INSERT INTO send_pace (key, next_at) VALUES (?, {_NOW})
    ON CONFLICT (key) DO UPDATE SET next_at = send_pace.next_at
    RETURNING GREATEST(next_at, {_NOW}) AS at"""
# The bot's: the first free instant at or after the chat's, then one interval later.
_BOT = f"""
    INSERT INTO send_pace (key, next_at) VALUES (?, ? + ?)
    ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(send_pace.next_at, EXCLUDED.next_at - ?) + ?
    RETURNING next_at - ? AS at, {_NOW} AS now"""


def chat_key(platform: str, address: str, name: ChatName | None = None) -> str:
    """The chat's row: its pseudonym when the core gives the keyed function (every worker
    does); an unkeyed digest only for callers without the key (tests of the pacing alone)."""
    if name is not None:
        return f"{platform}:{name(platform, address)}"
    digest = hashlib.sha256(f"{platform}\0{address}".encode()).hexdigest()[:24]
    return f"{platform}:{digest}"


class SharedPace:
    """Send instants reserved across processes (PostgreSQL)."""

    def __init__(self, database: Database, name: ChatName | None = None) -> None:
        self.database = database
        self.name = name

    async def reserve(self, platform: str, address: str, every: float, chat_every: float) -> float:
        """Reserve the next instant a send to ``address`` may leave: at least ``every``
        seconds after the bot's previous send (any worker's), ``chat_every`` after the
        chat's. Returns the seconds to wait from now (0 or more)."""
        key = chat_key(platform, address, self.name)
        async with self.database.transaction() as db:
            chat = await db.fetch_one(_CHAT, (key,))
            assert chat is not None
            at = float(chat["at"])
            bot = await db.fetch_one(_BOT, (platform, at, every, every, every, every))
            assert bot is not None
            at, now = float(bot["at"]), float(bot["now"])
            if chat_every > 0:
                await db.execute("UPDATE send_pace SET next_at = ? WHERE key = ?",
                                 (at + chat_every, key))
        return max(0.0, at - now)

    async def forget_before(self, seconds_ago: float) -> int:
        """Chats not written to for a while need no row (they are many)."""
        return await self.database.execute(
            f"DELETE FROM send_pace WHERE next_at < {_NOW} - ? AND key LIKE '%:%'",
            (seconds_ago,))
