"""The ``matrix`` entry point: light, so that listing adapters never imports matrix-nio;
the adapter (and the library) load only when Matrix is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from animabot.chat.outgoing import OutgoingMessage
from animabot.config import Settings
from animabot.privacy.pseudonyms import Pseudonymizer

from .settings import MatrixSettings, matrix_settings

if TYPE_CHECKING:
    from .adapter import MatrixAdapter


class MatrixAdapterFactory:
    name = "matrix"
    label = "Matrix"  # on the dashboard
    extra = "matrix"  # the pip extra that brings the platform library
    settings_model = MatrixSettings  # [matrix], read without the library
    requires = ("nio", "aiohttp")  # looked for (not imported) before start-up
    bots_per_commune = True  # [communes.<id>.matrix]: a commune's own bot

    def enabled(self, settings: Settings) -> bool:
        return matrix_settings(settings).enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> MatrixAdapter:
        from .adapter import MatrixAdapter

        return MatrixAdapter(settings, pseudonymize, options.get("state"),
                             options.get("name", self.name))

    def preview(self, settings: Settings, message: OutgoingMessage) -> str:
        """The room's plain body: options numbered, answered by their number."""
        from .outbound import numbered, text_content

        return str(text_content(message, numbered(message))["body"])
