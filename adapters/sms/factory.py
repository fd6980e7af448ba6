"""The ``sms`` entry point: light, so that listing adapters never imports the gateway's
client; the adapter (and the library) load only when SMS is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from animabot.chat.outgoing import OutgoingMessage
from animabot.config import Settings
from animabot.privacy.pseudonyms import Pseudonymizer

from .settings import SmsSettings, sms_settings

if TYPE_CHECKING:
    from .adapter import SmsAdapter


class SmsAdapterFactory:
    name = "sms"
    label = "SMS"  # on the dashboard
    extra = "sms"  # the pip extra that brings the gateway's client
    settings_model = SmsSettings  # [sms], read without the library
    requires = ("android_sms_gateway", "phonenumbers", "aiohttp")

    def enabled(self, settings: Settings) -> bool:
        return sms_settings(settings).enabled

    def message_parts(self, settings: Settings, message: OutgoingMessage) -> int:
        """The SMS ``message`` takes for one resident (``scenario preview``, ``campaign
        start``): rendered and counted as the adapter will, without the gateway's client."""
        from .rendering import configured

        return configured(message, sms_settings(settings), settings.bot.language).count.segments

    def preview(self, settings: Settings, message: OutgoingMessage) -> str:
        """The SMS text as ``[sms]`` renders it, with its segment count."""
        from .rendering import configured

        rendered = configured(message, sms_settings(settings), settings.bot.language)
        return f"{rendered.text}\n({rendered.count.segments} SMS)"

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> SmsAdapter:
        from .adapter import SmsAdapter

        return SmsAdapter(settings, pseudonymize, options.get("state"))
