"""A third-party-style adapter for the tests: it brings the ``[pigeon]`` table and the
``pigeon`` endpoint kind, and the core is not edited for it."""

from __future__ import annotations

from typing import Any

from animabot.chat.contract import ChatAdapter
from animabot.config import AdapterSection, SectionProblem, Settings
from animabot.privacy.pseudonyms import Pseudonymizer


class PigeonSettings(AdapterSection):
    loft: str = ""
    birds: int = 3

    def problems(self) -> list[SectionProblem]:
        if self.enabled and not self.loft:
            return [SectionProblem("loft", "pigeons need a loft", 'write loft = "roof"')]
        return []


class PigeonAdapterFactory:
    name = "pigeon"
    label = "Pigeon voyageur"
    settings_model = PigeonSettings

    def enabled(self, settings: Settings) -> bool:
        return settings.section("pigeon", PigeonSettings).enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> ChatAdapter:
        raise NotImplementedError("pigeons carry settings only in these tests")
