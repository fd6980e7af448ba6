"""Build the core services over one database: shared by ``run``, the demo and the CLI."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .campaigns.series import SeriesService
from .campaigns.service import CampaignService
from .chat.contract import ChatAdapter
from .clock import Clock
from .config import Settings
from .conversation.context import Services
from .conversation.router import Conversation
from .delivery.composer import Composer, ComposerSettings
from .delivery.worker import DeliveryWorker
from .privacy.keys import load_or_create_key
from .privacy.pseudonyms import ActionSigner, Pseudonymizer
from .store.chats import ChatRepository
from .store.database import Database

log = logging.getLogger(__name__)
CONFIGURED_CHATS = {"telegram": "telegram_chats", "matrix": "matrix_rooms",
                    "simulated": "simulated_chats"}


@dataclass
class Core:
    settings: Settings
    database: Database
    clock: Clock
    pseudonymize: Pseudonymizer
    signer: ActionSigner
    composer: Composer
    campaigns: CampaignService
    series: SeriesService
    services: Services
    conversation: Conversation

    def worker(self, adapters: Mapping[str, ChatAdapter]) -> DeliveryWorker:
        return DeliveryWorker(
            self.database, adapters, self.composer, self.clock,
            max_attempts=self.settings.delivery.max_attempts,
            caps=(self.settings.delivery.global_per_second,
                  self.settings.delivery.per_chat_per_second),
        )


async def sync_neighbourhoods(settings: Settings, database: Database, clock: Clock) -> None:
    """The config's neighbourhoods and chats are registered (added, never removed)."""
    chats = ChatRepository(database)
    now = clock.now()
    for hood in settings.neighbourhoods:
        await chats.upsert_neighbourhood(hood.id, hood.name)
        for platform, field in CONFIGURED_CHATS.items():
            for address in getattr(hood, field):
                await chats.register(platform, address, "", now, hood.id)
    if settings.console.enabled and settings.console.neighbourhood:
        await chats.register("console", "group", "console", now, settings.console.neighbourhood)


@asynccontextmanager
async def open_core(
    settings: Settings, clock: Clock, wake: Callable[[], None] = lambda: None,
    *, sends: bool = True,
) -> AsyncIterator[Core]:
    """The core over the configured database. Commands that never talk to residents
    (``sends=False``: statistics, campaign planning) do not need the pseudonym key, and do
    not create one as a side effect."""
    env_key = settings.privacy.key.get_secret_value() if settings.privacy.key else None
    if sends or env_key or settings.privacy.key_file.exists():
        key = load_or_create_key(settings.privacy.key_file, env_key)
    else:
        key = secrets.token_bytes(32)  # unused by such commands; never stored
    async with Database.open(settings.storage.database) as database:
        await sync_neighbourhoods(settings, database, clock)
        signer = ActionSigner(key)
        composer = Composer(
            database, signer,
            ComposerSettings(
                settings.bot.language, settings.bot.timezone, settings.privacy.min_cell
            ),
            clock,
        )
        campaigns = CampaignService(database, settings.window(), clock,
                                    settings.delivery.approval_above)
        services = Services(database, signer, composer, clock, settings, campaigns, wake)
        yield Core(
            settings=settings, database=database, clock=clock, pseudonymize=Pseudonymizer(key),
            signer=signer, composer=composer,
            campaigns=campaigns,
            series=SeriesService(database, campaigns, clock, ZoneInfo(settings.bot.timezone)),
            services=services, conversation=Conversation(services),
        )
