"""Every command opens the core and registers the configured neighbourhoods and chats: with
the configuration unchanged, that must write nothing (and cost the same for 50 or 50,000
chats); a changed configuration, or a configured chat changed since, is registered again."""

from __future__ import annotations

from pathlib import Path

from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings, load_settings
from animabot.core import configured_chats, in_sync, sync_neighbourhoods
from animabot.store.chats import ChatRepository
from animabot.store.database import Database

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import T0


def _settings(path: Path, chats: int) -> Settings:
    settings = load_settings(None, database=path)
    settings.neighbourhoods = [NeighbourhoodSettings(
        id="centre", name="Centre", simulated_chats=[f"g{n}" for n in range(chats)])]
    return settings


async def _changes(database: Database) -> int:
    row = await database.fetch_one("SELECT total_changes() AS n")
    return int(row["n"]) if row else 0


async def test_an_unchanged_configuration_is_not_written_again(tmp_path: Path) -> None:
    settings, clock = _settings(tmp_path / "db.sqlite", 50), FakeClock(T0)
    async with Database.open(settings.storage.database) as database:
        await sync_neighbourhoods(settings, database, clock)
        assert len(await database.fetch_all("SELECT id FROM chat")) == 50
    async with Database.open(settings.storage.database) as database:
        before = await _changes(database)
        await sync_neighbourhoods(settings, database, clock)
        assert await _changes(database) == before  # not one row written
        assert await in_sync(settings, database)


async def test_a_changed_configuration_is_registered(tmp_path: Path) -> None:
    settings, clock = _settings(tmp_path / "db.sqlite", 3), FakeClock(T0)
    async with Database.open(settings.storage.database) as database:
        await sync_neighbourhoods(settings, database, clock)
        settings.neighbourhoods[0].name = "Centre-ville"
        settings.neighbourhoods[0].simulated_chats.append("nouveau")
        assert not await in_sync(settings, database)
        await sync_neighbourhoods(settings, database, clock)
        chats = ChatRepository(database)
        assert await chats.neighbourhoods() == {"centre": "Centre-ville"}
        assert await chats.find("simulated", "nouveau") is not None
        assert await in_sync(settings, database)


async def test_a_configured_chat_changed_since_is_registered_again(tmp_path: Path) -> None:
    """As before the fingerprint: at the next start a configured chat is active again and
    back in its configured neighbourhood."""
    settings, clock = _settings(tmp_path / "db.sqlite", 2), FakeClock(T0)
    async with Database.open(settings.storage.database) as database:
        await sync_neighbourhoods(settings, database, clock)
        chats = ChatRepository(database)
        first, second = [await chats.find("simulated", f"g{n}") for n in range(2)]
        assert first is not None and second is not None
        await chats.deactivate(first.id)
        await chats.upsert_neighbourhood("gare", "Gare")
        await chats.link(second.id, "gare")
        await sync_neighbourhoods(settings, database, clock)
        again = [await chats.get(chat.id) for chat in (first, second)]
        assert [(c.active, c.neighbourhood_id) for c in again if c] == [(True, "centre")] * 2
        assert await ChatRepository(database).register_configured(
            configured_chats(settings), clock.now()) is False
