"""A pretend chat platform: it records what it receives, optionally in an SQLite file that
outlives the process (the crash test reads it), and drops duplicate sends by key, like
Matrix transaction ids."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from animabot.chat.outgoing import OutgoingMessage, Target


@dataclass(frozen=True)
class Received:
    key: str
    target: Target
    message: OutgoingMessage
    at: datetime
    ref: str


class SimulatedPlatform:
    def __init__(self, log_path: Path | None = None, members: int = 25) -> None:
        self.received: list[Received] = []
        self.requests = 0  # every send request, duplicates included
        self.members: dict[str, int] = {}
        self.default_members = members
        self._by_key: dict[str, Received] = {}
        self._log: sqlite3.Connection | None = None
        if log_path is not None:
            self._log = sqlite3.connect(log_path, isolation_level=None)
            self._log.execute(
                "CREATE TABLE IF NOT EXISTS received (key TEXT PRIMARY KEY, target TEXT,"
                " text TEXT, at TEXT, ref TEXT)"
            )
            self._log.execute("CREATE TABLE IF NOT EXISTS requests (key TEXT, at TEXT)")

    def receive(self, key: str, target: Target, message: OutgoingMessage, at: datetime) -> Received:
        self.requests += 1
        if self._log is not None:
            self._log.execute("INSERT INTO requests VALUES (?, ?)", (key, at.isoformat()))
            row = self._log.execute("SELECT ref FROM received WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return Received(key, target, message, at, row[0])
        if key in self._by_key:
            return self._by_key[key]
        ref = f"m{len(self._by_key) + 1}"
        item = Received(key, target, message, at, ref)
        self._by_key[key] = item
        self.received.append(item)
        if self._log is not None:
            self._log.execute(
                "INSERT INTO received VALUES (?, ?, ?, ?, ?)",
                (key, json.dumps([target.address, target.private]), message.text,
                 at.isoformat(), ref),
            )
        return item

    def member_count(self, address: str) -> int:
        return self.members.get(address, self.default_members)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
