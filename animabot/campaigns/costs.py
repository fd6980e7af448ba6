"""What a campaign costs on channels that count their messages (SMS), before it starts.

A channel whose adapter factory has ``message_parts(settings, message)`` (the SMS adapter:
the segments one SMS takes) is estimated here: every message a resident reached one by one
may receive — each step's message, and every reminder as if nobody had answered — is
rendered as the composer would (in the bot's language, poll times as the timeline gives them,
a training's personal link as long as a real one, results with three-digit counts), and its
parts are summed. Multiplied by the active residents of the target neighbourhoods on that
channel (the address book's counts), that is the most the campaign will send there.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from ..chat.outgoing import OutgoingMessage
from ..chat.registry import available_adapters
from ..config import Settings
from ..domain.addresses import AddressStatus
from ..domain.window import DeliveryWindow
from ..i18n import counts, translator
from ..privacy.links import LinkSigner, personal_url
from ..scenario.model import Announcement, AnyStep, Outcome, Poll, Results, Scenario, Training, pick
from ..scenario.timeline import CLOSE, SEND, build_timeline
from ..stats.suppression import SuppressedCounts
from ..store.address_book import AddressBook
from . import render
from .actions import Action

EXAMPLE_TAG = "0" * 16  # a resident's tag: 16 hex characters
LINK_DAYS = 30


@runtime_checkable
class CountedChannel(Protocol):
    """An adapter factory whose messages are counted (and paid) in parts."""

    name: str
    label: str

    def enabled(self, settings: Settings) -> bool:
        ...

    def message_parts(self, settings: Settings, message: OutgoingMessage) -> int:
        """How many parts ``message`` takes when sent to one resident."""
        ...


@dataclass(frozen=True)
class ChannelCost:
    """One counted channel: parts per resident at most, and residents (None: not known)."""

    platform: str
    label: str
    per_resident: int
    residents: int | None = None

    @property
    def total(self) -> int | None:
        return None if self.residents is None else self.per_resident * self.residents


def _sign(action: Action) -> str:
    return f"{action.encode()}~{'x' * 10}"  # as long as a signed action


def _linked(message: OutgoingMessage, public_url: str, now: datetime) -> OutgoingMessage:
    """``message`` with each button's personal link, as long as the composer's would be."""
    signer = LinkSigner(secrets.token_bytes(32))
    expiry = now + timedelta(days=LINK_DAYS)
    rows = tuple(
        tuple(replace(b, url=personal_url(
            public_url, signer.sign(EXAMPLE_TAG, b.action.rpartition("~")[0], expiry)))
            for b in row)
        for row in message.buttons)
    return replace(message, buttons=rows)


def _message(scenario: Scenario, step: AnyStep, part: str,
             closes: str | None, language: str) -> OutgoingMessage | None:
    reminder = part.startswith("reminder")
    if isinstance(step, Announcement) and part == SEND:
        return render.announcement_message(step, language)
    if isinstance(step, Poll) and reminder:
        return render.reminder_message(step, language, 0, _sign, closes)
    if isinstance(step, Poll) and part == SEND:
        return render.poll_message(step, language, 0, _sign, closes)
    if isinstance(step, Training) and reminder:
        return render.training_reminder(step, language, 0, _sign)
    if isinstance(step, Training) and part == SEND:
        return render.training_invite(step, language, 0, _sign)
    if isinstance(step, Results) and part == SEND:
        poll = scenario.step(step.of)
        assert isinstance(poll, Poll)
        counts = SuppressedCounts(tuple(999 for _ in pick(poll.options, language)), 999)
        heading = pick(step.text, language) if step.text else None
        return render.results_message(poll, language, counts, 5, heading)
    if isinstance(step, Outcome) and part == SEND:
        return _outcome(scenario, step, language)
    return None


def _outcome(scenario: Scenario, step: Outcome, language: str) -> OutgoingMessage:
    """An outcome at its longest: three-digit figures, and every idea it may quote at the
    longest an idea is quoted (which ideas is only known when it is sent)."""
    poll = scenario.step(step.poll) if step.poll else None
    poll = poll if isinstance(poll, Poll) else None
    counts = (SuppressedCounts(tuple(999 for _ in pick(poll.options, language)), 999)
              if poll is not None and step.figures else None)
    quoted = len(step.ideas) if isinstance(step.ideas, list) else (
        render.OUTCOME_IDEAS if step.ideas else 0)
    ideas = ["x" * render.IDEA_QUOTED] * quoted
    return render.outcome_message(step, language, poll=poll, figures=counts, ideas=ideas)


def resident_messages(scenario: Scenario, start: datetime, window: DeliveryWindow,
                      language: str, public_url: str) -> list[OutgoingMessage]:
    """Every message one resident reached one by one may receive from ``scenario``."""
    timeline = build_timeline(scenario, start, window)
    closing = {e.step_id: e.due_at for e in timeline if e.part == CLOSE}
    found: list[OutgoingMessage] = []
    for entry in timeline:
        close = closing.get(entry.step_id)
        closes = (render.local_time(close, str(window.zone), language)
                  if close is not None else None)
        message = _message(scenario, scenario.step(entry.step_id), entry.part, closes, language)
        if message is not None:
            found.append(message if message.question
                         else _linked(message, public_url, entry.due_at))
    return found


def counted_channels(settings: Settings) -> list[CountedChannel]:
    """The enabled channels that count their messages in parts (a missing platform library
    elsewhere is not this estimate's business: ``animabot run`` says it)."""
    return [factory for factory in available_adapters().values()
            if isinstance(factory, CountedChannel) and factory.enabled(settings)]


def channel_costs(
    settings: Settings, scenario: Scenario, start: datetime, window: DeliveryWindow,
    residents: Mapping[str, int] | None = None,
) -> list[ChannelCost]:
    """Each counted channel's parts per resident, and (``residents``: active residents per
    platform in the target neighbourhoods) in all."""
    channels = counted_channels(settings)
    if not channels:
        return []
    messages = resident_messages(scenario, start, window, settings.bot.language,
                                 settings.web.public_url)
    return [ChannelCost(
        channel.name, channel.label,
        sum(channel.message_parts(settings, m) for m in messages),
        None if residents is None else residents.get(channel.name, 0),
    ) for channel in channels]


async def active_residents(book: AddressBook, neighbourhoods: list[str]) -> dict[str, int]:
    """Residents reached one by one who can be written to, per platform, in these
    neighbourhoods (a campaign's targets)."""
    found: dict[str, int] = {}
    for (platform, hood, status), count in (await book.counts()).items():
        if hood in neighbourhoods and status == AddressStatus.ACTIVE:
            found[platform] = found.get(platform, 0) + count
    return found


def cost_lines(costs: list[ChannelCost], language: str) -> list[str]:
    """What a facilitator reads, one line per counted channel."""
    _ = translator(language)
    lines = []
    for cost in costs:
        if cost.total is None:
            lines.append(_("{label}: up to {per} per resident reached this way, reminders "
                           "included (--to counts them)").format(
                               label=cost.label, per=cost.per_resident))
        else:
            lines.append(_("{label}: up to {total} to send ({residents} × {per}, reminders "
                           "included)").format(
                               label=cost.label, total=cost.total, per=cost.per_resident,
                               residents=counts.residents(language, cost.residents or 0)))
    return lines
