"""Simulated residents who behave like real ones, reproducibly for a seed.

Some never answer, some answer only after the reminder, some start the training and a part of
them finish it. They act only through the bot's real interface: the buttons and commands the
core sent them, turned into events with pseudonyms like any platform's.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from animabot.chat.contract import InboundHandler
from animabot.chat.events import ButtonPressed, ChatRef, CommandReceived, InboundEvent, Sender
from animabot.chat.outgoing import Button, OutgoingMessage, Target
from animabot.clock import Clock
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.scenario.model import Scenario, Training

PLATFORM = "simulated"


@dataclass(frozen=True)
class Neighbourhood:
    id: str
    name: str
    chat: str  # the group chat's address


@dataclass
class Resident:
    user_id: str
    hood: Neighbourhood
    language: str
    private: bool  # opened a private chat with the bot
    eagerness: float  # chance to answer a poll seen in the group
    after_reminder: float  # chance to answer once reminded
    curiosity: float  # chance to start a training
    perseverance: float  # chance to go on at each card
    skill: float  # chance to know a quiz answer
    answered: set[str] = field(default_factory=set)


def _verb(button: Button) -> str:
    return button.action.split(".", 1)[0]


def _target_id(button: Button) -> str:
    """The poll or training a button belongs to (its delivery number)."""
    parts = button.action.split("~")[0].split(".")
    return parts[1] if len(parts) > 1 else ""


class Simulation:
    def __init__(
        self, pseudonymize: Pseudonymizer, clock: Clock, hoods: Sequence[Neighbourhood],
        residents: int, seed: int, scenario: Scenario | None = None,
    ) -> None:
        self.clock = clock
        self.rng = random.Random(seed)
        self.scenario = scenario
        self._pseudonymize = pseudonymize
        self._queue: list[tuple[datetime, int, InboundEvent]] = []
        self._seq = itertools.count(1)
        self._handler: InboundHandler | None = None
        self.residents = [self._make_resident(i, hoods[i % len(hoods)]) for i in range(residents)]
        self._by_user = {r.user_id: r for r in self.residents}
        self.events_sent = 0

    def _make_resident(self, index: int, hood: Neighbourhood) -> Resident:
        rng = self.rng
        kind = rng.random()
        eagerness = 0.0 if kind < 0.2 else (0.25 if kind < 0.5 else 0.75)
        return Resident(
            user_id=f"user{index + 1}", hood=hood,
            language="en" if rng.random() < 0.1 else "fr",
            private=rng.random() < 0.7, eagerness=eagerness,
            after_reminder=0.0 if kind < 0.2 else 0.6,
            curiosity=rng.uniform(0.45, 0.95), perseverance=rng.uniform(0.75, 0.98),
            skill=rng.uniform(0.4, 0.95),
        )

    # --- the demo loop's side -----------------------------------------------------------
    def attach(self, handler: InboundHandler) -> None:
        self._handler = handler
        start = self.clock.now()
        for resident in self.residents:
            if resident.private:
                at = start + self._minutes(1, 90)
                self._schedule(at, self._command(resident, "start", at))

    def next_action_at(self) -> datetime | None:
        return self._queue[0][0] if self._queue else None

    async def run_due(self, now: datetime) -> int:
        """Hand every action due by ``now`` to the bot; returns how many."""
        assert self._handler is not None, "attach() first"
        count = 0
        while self._queue and self._queue[0][0] <= now:
            _, _, event = heapq.heappop(self._queue)
            await self._handler(event)
            count += 1
        self.events_sent += count
        return count

    def members(self, address: str) -> int:
        return sum(1 for r in self.residents if r.hood.chat == address)

    # --- reacting to what the bot sent ---------------------------------------------------
    def observe(self, target: Target, message: OutgoingMessage) -> None:
        buttons = [b for row in message.buttons for b in row]
        if not buttons or message.edit_ref is not None:  # an edit asks nothing new
            return
        if target.private:
            resident = self._by_user.get(target.address)
            if resident is not None:
                self._react_private(resident, message, buttons)
            return
        verb = _verb(buttons[0])
        for resident in self.residents:
            if resident.hood.chat != target.address:
                continue
            if verb == "v" and self.rng.random() < resident.eagerness:
                self._vote(resident, buttons, self.clock.now() + self._hours(0.2, 30), False)
            elif verb == "t" and resident.private and self.rng.random() < resident.curiosity:
                self._press(resident, buttons[0], self.clock.now() + self._hours(0.5, 20),
                            private=False)

    def _react_private(self, resident: Resident, message: OutgoingMessage,
                       buttons: list[Button]) -> None:
        now, rng = self.clock.now(), self.rng
        verbs = {_verb(b) for b in buttons}
        if "c" in verbs:
            consent = next(b for b in buttons if _verb(b) == "c")
            self._press(resident, consent, now + self._minutes(1, 10))
            if resident.language == "en":
                english = next((b for b in buttons if b.label == "English"), None)
                if english is not None:
                    self._press(resident, english, now + self._minutes(1, 5))
        elif "h" in verbs:
            mine = next((b for b in buttons if b.label == resident.hood.name), None)
            if mine is not None:
                self._press(resident, mine, now + self._minutes(1, 5))
        elif "v" in verbs:  # a reminder
            if (
                _target_id(buttons[0]) not in resident.answered
                and rng.random() < resident.after_reminder
            ):
                self._vote(resident, buttons, now + self._hours(0.1, 12), True)
        elif "t" in verbs and rng.random() < resident.perseverance:
            self._press(resident, buttons[0], now + self._minutes(1, 6))
        elif "q" in verbs:
            correct = self._correct_option(message)
            choice = correct if correct is not None and rng.random() < resident.skill else (
                rng.randrange(len(buttons)))
            self._press(resident, buttons[choice], now + self._minutes(1, 4))

    def _correct_option(self, message: OutgoingMessage) -> int | None:
        if self.scenario is None:
            return None
        for step in self.scenario.steps:
            if isinstance(step, Training):
                for question in step.quiz:
                    if message.text in question.question.values():
                        return question.correct - 1
        return None

    def _vote(self, resident: Resident, buttons: list[Button], at: datetime, private: bool) -> None:
        weights = [max(0.05, 0.5 - 0.12 * i) for i in range(len(buttons))]
        choice = self.rng.choices(range(len(buttons)), weights=weights)[0]
        resident.answered.add(_target_id(buttons[0]))
        self._press(resident, buttons[choice], at, private)

    # --- building events ------------------------------------------------------------------
    def _sender(self, resident: Resident, private: bool) -> Sender:
        return Sender(
            pseudonym=self._pseudonymize(PLATFORM, resident.user_id),
            language_hint=resident.language,
            private_address=resident.user_id if private else None,
        )

    def _chat(self, resident: Resident, private: bool) -> ChatRef:
        if private:
            return ChatRef(PLATFORM, "", True)
        return ChatRef(PLATFORM, resident.hood.chat, False, resident.hood.name)

    def _command(self, resident: Resident, name: str, at: datetime) -> InboundEvent:
        return CommandReceived(
            f"sim-{next(self._seq)}", self._chat(resident, True), self._sender(resident, True),
            at, command=name,
        )

    def _press(
        self, resident: Resident, button: Button, at: datetime, private: bool = True
    ) -> None:
        """Press where the button was seen: in the group, or in the private chat."""
        event = ButtonPressed(
            f"sim-{next(self._seq)}", self._chat(resident, private),
            self._sender(resident, private), at, action=button.action,
        )
        self._schedule(at, event)

    def _schedule(self, at: datetime, event: InboundEvent) -> None:
        heapq.heappush(self._queue, (at, next(self._seq), event))

    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))
