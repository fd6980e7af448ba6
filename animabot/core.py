"""Build the core services over one database: shared by ``run``, the demo and the CLI."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from .campaigns.series import SeriesService
from .campaigns.service import CampaignService
from .chat.contract import ChatAdapter
from .clock import Clock
from .config import Settings
from .config.communes import chat_bot
from .conversation.context import Services
from .conversation.router import Conversation
from .delivery.composer import Composer, ComposerSettings
from .delivery.personal import Personaliser
from .delivery.worker import DeliveryWorker
from .errors import StorageUnavailableError
from .privacy.keys import load_or_create_key
from .privacy.links import LinkSigner
from .privacy.pseudonyms import ActionSigner, Pseudonymizer
from .problems.routing import ReportRouter, load_mailer
from .store.chats import ChatRepository, ConfiguredChats
from .store.database import Database
from .store.database import open_database as open_store
from .store.stores import Stores

log = logging.getLogger(__name__)


@dataclass
class Core:
    settings: Settings
    database: Database
    stores: Stores  # every role-named store over ``database``, built once
    clock: Clock
    pseudonymize: Pseudonymizer
    signer: ActionSigner
    composer: Composer
    campaigns: CampaignService
    series: SeriesService
    services: Services
    conversation: Conversation
    webhook_secret: bytes = b""

    def report_router(self) -> ReportRouter:
        """Problem reports to their services (the ``[email]`` relay's mailer if any)."""
        return ReportRouter(self.stores, self.settings, self.clock, self.webhook_secret,
                            load_mailer(self.settings))

    def worker(self, adapters: Mapping[str, ChatAdapter]) -> DeliveryWorker:
        return DeliveryWorker(
            self.database, adapters, self.composer, self.clock,
            max_attempts=self.settings.delivery.max_attempts,
            lease=timedelta(seconds=self.settings.delivery.lease_seconds),
            caps=(self.settings.delivery.global_per_second,
                  self.settings.delivery.per_chat_per_second),
            chat_name=self.pseudonymize,
        )


def configured_chats(settings: Settings) -> ConfiguredChats:
    """The config's neighbourhoods and chats, as the store registers them."""
    chats = [(bot, address, "", hood.id)
             for hood in settings.neighbourhoods
             for platform in hood.platforms()
             for bot in (chat_bot(settings, platform, hood.commune),)
             for address in hood.addresses(platform)]
    if settings.console.enabled and settings.console.neighbourhood:
        chats.append(("console", "group", "console", settings.console.neighbourhood))
    return ConfiguredChats([(hood.id, hood.name) for hood in settings.neighbourhoods], chats)


async def sync_neighbourhoods(settings: Settings, database: Database, clock: Clock) -> None:
    """The config's neighbourhoods and chats are registered (added, never removed). Every
    command opens the core: when the config is the one last registered, only the configured
    chats deactivated since are touched, so start-up does not grow with the chats."""
    await ChatRepository(database).register_configured(configured_chats(settings), clock.now())


async def in_sync(settings: Settings, database: Database) -> bool:
    """Whether the database already holds the config's neighbourhoods and chats (read only)."""
    return await ChatRepository(database).holds(configured_chats(settings))


@asynccontextmanager
async def open_database(
    settings: Settings, clock: Clock, *, writes: bool = True
) -> AsyncIterator[Database]:
    """The configured database, with the config's neighbourhoods registered. Read-only
    commands (``writes=False``) open it without writing when it is already up to date, so
    they work on a read-only file or mount; they write only to create, upgrade or complete
    it, and on a read-only one show what it holds."""
    storage = settings.storage
    where = storage.target()
    password = settings.secret(storage.password, storage.password_file)
    if not writes and storage.backend() == "sqlite":
        async with open_store(where, read_only=True) as database:
            if database.read_only and await in_sync(settings, database):
                yield database
                return
        try:
            async with open_store(where) as database:
                await sync_neighbourhoods(settings, database, clock)
        except StorageUnavailableError as exc:
            log.warning("%s; the neighbourhoods of the configuration not in it yet are not "
                        "shown", exc)
        async with open_store(where, read_only=True) as database:
            yield database
        return
    async with open_store(where, password=password) as database:
        await sync_neighbourhoods(settings, database, clock)
        yield database


@asynccontextmanager
async def open_core(
    settings: Settings, clock: Clock, wake: Callable[[], None] = lambda: None,
    *, sends: bool = True, writes: bool = True,
) -> AsyncIterator[Core]:
    """The core over the configured database. Commands that never talk to residents
    (``sends=False``: statistics, campaign planning) do not need the pseudonym key, and do
    not create one as a side effect. Commands that only read (``writes=False``) do not
    write to the database (see :func:`open_database`)."""
    env_key = settings.privacy.key.get_secret_value() if settings.privacy.key else None
    if sends or env_key or settings.privacy.key_file.exists():
        key = load_or_create_key(settings.privacy.key_file, env_key)
    else:
        key = secrets.token_bytes(32)  # unused by such commands; never stored
    async with open_database(settings, clock, writes=writes) as database:
        signer = ActionSigner(key)
        composer = Composer(
            database, signer,
            ComposerSettings(
                settings.bot.language, settings.bot.timezone, settings.privacy.min_cell
            ),
            clock,
        )
        composer.personalise = Personaliser(LinkSigner(key), signer, settings.web.public_url,
                                           bool(settings.reports.categories))
        stores = Stores.over(database)
        campaigns = CampaignService(stores, settings.window(), clock,
                                    settings.delivery.approval_above)
        services = Services(database, signer, composer, clock, settings, campaigns, wake)
        yield Core(
            settings=settings, database=database, stores=stores, clock=clock,
            pseudonymize=Pseudonymizer(key),
            signer=signer, composer=composer,
            campaigns=campaigns,
            series=SeriesService(stores.series, campaigns, clock,
                                 ZoneInfo(settings.bot.timezone)),
            services=services, conversation=Conversation(services),
            webhook_secret=webhook_secret(settings, key),
        )


def webhook_secret(settings: Settings, key: bytes) -> bytes:
    """``[reports] webhook_secret``, else one derived from the privacy key (stable, and
    shown by ``animabot reports secret`` to give the services)."""
    configured = settings.reports.webhook_secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    return hmac.new(key, b"animabot report webhooks", hashlib.sha256).hexdigest().encode()
