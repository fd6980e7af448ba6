"""Migration 8: private rows' keys that held a pseudonym are rewritten (tag, or erased:<id>)."""

from __future__ import annotations

from pathlib import Path

import pytest

from animabot.store import migrations as database_module
from animabot.store.database import Database
from animabot.store.migrations import MIGRATIONS

ALIVE, GONE = "a" * 32, "b" * 32


async def test_keys_holding_a_pseudonym_are_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(database_module, "MIGRATIONS", MIGRATIONS[:7])
    async with Database.open(path) as db:
        await db.execute("INSERT INTO resident (pseudonym, platform, first_seen)"
                         " VALUES (?, 'telegram', '2026-01-01')", (ALIVE,))
        for key, pseudonym in ((f"c:s:reminder1:r:{ALIVE}", ALIVE),
                               (f"c:s:reminder1:r:{GONE}", None),
                               (f"notice:lost:{ALIVE}", ALIVE), ("reply:telegram:9:1", ALIVE),
                               ("c:s:send:chat1", None)):
            await db.execute("INSERT INTO delivery (dedupe_key, part, pseudonym, due_at)"
                             " VALUES (?, ?, ?, '2026-01-01')",
                             (key, key.split(":")[2] if key[0] == "c" else "x", pseudonym))
    monkeypatch.setattr(database_module, "MIGRATIONS", MIGRATIONS)
    async with Database.open(path) as db:
        tag = (await db.fetch_one("SELECT tag FROM resident"))["tag"]  # type: ignore[index]
        keys = [r["dedupe_key"] for r in await db.fetch_all(
            "SELECT dedupe_key FROM delivery ORDER BY id")]
    assert len(tag) == 16
    assert keys == [f"c:s:reminder1:r:{tag}", "erased:2", f"notice:lost:{tag}",
                    "reply:telegram:9:1", "c:s:send:chat1"]
