"""The ``telegram`` entry point: light, so that listing adapters never imports
python-telegram-bot; the adapter (and the library) load only when Telegram is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from animabot.chat.outgoing import OutgoingMessage
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
    bots_per_commune = True  # [communes.<id>.telegram]: a commune's own bot

    def enabled(self, settings: Settings) -> bool:
        return telegram_settings(settings).enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> TelegramAdapter:
        from .adapter import TelegramAdapter

        return TelegramAdapter(settings, pseudonymize, options.get("state"),
                               options.get("name", self.name))

    def preview(self, settings: Settings, message: OutgoingMessage) -> str:
        """The text as the group reads it (cut to Telegram's limit), its buttons under it."""
        from .rendering import MAX_TEXT, shorten

        title = f"{message.title}\n" if message.title else ""
        buttons = [f"[ {button.label} ]" for row in message.buttons for button in row]
        return "\n".join([title + shorten(message.text, MAX_TEXT), *buttons])
