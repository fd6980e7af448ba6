"""Small builders the integration tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from animabot.chat.events import ButtonPressed, ChatRef, CommandReceived, Sender
from animabot.scenario.model import Scenario

POLL_SCENARIO: dict[str, Any] = {
    "id": "essai",
    "title": "Essai",
    "objective": "Tester",
    "steps": [
        {"id": "annonce", "kind": "announcement", "at": "+0", "text": {"fr": "Bonjour <&> *"}},
        {
            "id": "envie", "kind": "poll", "at": "+0",
            "question": {"fr": "Un jardin ?", "en": "A garden?"},
            "options": {"fr": ["Oui", "Non", "Sans avis"], "en": ["Yes", "No", "No opinion"]},
            "closes": "+2d", "reminders": ["+1d"],
        },
        {"id": "resultats", "kind": "results", "of": "envie"},
    ],
}
TRAINING_SCENARIO: dict[str, Any] = {
    "id": "formation",
    "title": "Formation",
    "steps": [
        {
            "id": "compost", "kind": "training", "at": "+0", "title": "Composter",
            "cards": [{"text": "Carte un"}, {"text": "Carte deux"}],
            "quiz": [
                {"question": "Les épluchures ?", "options": ["Oui", "Non"], "correct": 1,
                 "explanation": "Elles vont au compost."},
            ],
            "closes": "+3d", "reminders": ["+1d"],
        }
    ],
}


def scenario(data: dict[str, Any]) -> Scenario:
    return Scenario.model_validate(data)


class People:
    """Builds events from residents ``n`` of the simulated platform, as an adapter would."""

    def __init__(self, core: Any, clock: Any) -> None:
        self.core, self.clock, self.count = core, clock, 0

    def pseudonym(self, n: int) -> str:
        return str(self.core.pseudonymize("simulated", f"user{n}"))

    def _id(self) -> str:
        self.count += 1
        return f"ev{self.count}"

    def command(
        self, n: int, name: str, *args: str, event_id: str | None = None
    ) -> CommandReceived:
        return CommandReceived(
            event_id or self._id(), ChatRef("simulated", "", True),
            Sender(self.pseudonym(n), "fr", private_address=f"user{n}"), self.clock.now(),
            command=name, args=args,
        )

    def press(self, n: int, action: str, group: str | None = None,
              event_id: str | None = None) -> ButtonPressed:
        chat = ChatRef("simulated", group, False) if group else ChatRef("simulated", "", True)
        sender = Sender(self.pseudonym(n), "fr", private_address=None if group else f"user{n}")
        return ButtonPressed(event_id or self._id(), chat, sender, self.clock.now(), action=action)


async def until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Poll ``check`` until true, bounded by ``timeout`` seconds (never an open-ended wait)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
