"""The ``email`` entry point: light, so that listing adapters never imports aiosmtplib."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from animabot.chat.outgoing import OutgoingMessage
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

    def preview(self, settings: Settings, message: OutgoingMessage) -> str:
        """The subject, then the plain-text part (its buttons become links)."""
        from .message import plain_text, subject

        return f"Objet : {subject(message)}\n\n{plain_text(message)}"
