"""The ``telegram`` entry point: light, so that listing adapters never imports
python-telegram-bot; the adapter (and the library) load only when Telegram is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from animabot.config import Settings
from animabot.privacy.pseudonyms import Pseudonymizer

from .settings import TelegramSettings, telegram_settings

if TYPE_CHECKING:
    from .adapter import TelegramAdapter


class TelegramAdapterFactory:
    name = "telegram"
    label = "Telegram"  # on the dashboard
    extra = "telegram"  # the pip extra that brings the platform library
    settings_model = TelegramSettings  # [telegram], read without the library
    requires = ("telegram", "httpx")  # looked for (not imported) before start-up

    def enabled(self, settings: Settings) -> bool:
        return telegram_settings(settings).enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> TelegramAdapter:
        from .adapter import TelegramAdapter

        return TelegramAdapter(settings, pseudonymize, options.get("state"))
