"""The ``email`` entry point: light, so that listing adapters never imports aiosmtplib."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from animabot.config import Settings
from animabot.privacy.pseudonyms import Pseudonymizer

from .settings import EmailSettings, email_settings

if TYPE_CHECKING:
    from .adapter import EmailAdapter


class EmailAdapterFactory:
    name = "email"
    label = "Courriel"  # on the dashboard
    extra = "email"
    settings_model = EmailSettings
    requires = ("aiosmtplib",)

    def enabled(self, settings: Settings) -> bool:
        return email_settings(settings).enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> EmailAdapter:
        from .adapter import EmailAdapter

        return EmailAdapter(settings, options.get("clock"))
