"""Each step's first message as residents will read it on each platform: the campaign's own
renderer (:mod:`animabot.campaigns.render`) builds the neutral message, and each installed
adapter that offers one shows it through its ``preview`` (see
:func:`animabot.chat.registry.platform_previews`). Results show made-up figures: the real
ones exist only once the poll has closed."""

from __future__ import annotations

from dataclasses import dataclass

from ...campaigns.actions import Action
from ...campaigns.render import (
    announcement_message,
    outcome_message,
    poll_message,
    results_message,
    training_invite,
)
from ...chat.outgoing import OutgoingMessage
from ...chat.registry import platform_previews
from ...config import Settings
from ...scenario.model import (
    Announcement,
    Outcome,
    Poll,
    Results,
    Scenario,
    Training,
    pick,
)
from ...stats.suppression import SuppressedCounts

EXAMPLE_CLOSE = "sam. 12 déc. 18:00"  # no date is known before the campaign starts
EXAMPLE_IDEA = "(une idée acceptée d'un habitant)"  # the real ones are known when it is sent


@dataclass(frozen=True)
class StepMessages:
    step_id: str
    shown: dict[str, str]  # platform label -> the text as it reads there


def _unsigned(action: Action) -> str:
    return "apercu"  # buttons need no working action in a preview


def first_message(scenario: Scenario, index: int, language: str) -> OutgoingMessage | None:
    step = scenario.steps[index]
    if isinstance(step, Announcement):
        return announcement_message(step, language)
    if isinstance(step, Poll):
        return poll_message(step, language, 0, _unsigned, EXAMPLE_CLOSE)
    if isinstance(step, Training):
        return training_invite(step, language, 0, _unsigned)
    if isinstance(step, Results):
        poll = next((s for s in scenario.polls() if s.id == step.of), None)
        if poll is None:
            return None
        heading = pick(step.text, language) if step.text else None
        return results_message(poll, language, _example_counts(poll), 5, heading)
    if isinstance(step, Outcome):
        poll = next((s for s in scenario.polls() if s.id == step.poll), None)
        figures = _example_counts(poll) if poll is not None and step.figures else None
        ideas = [EXAMPLE_IDEA] if step.ideas is not None else []
        return outcome_message(step, language, poll=poll, figures=figures, ideas=ideas)
    return None


def _example_counts(poll: Poll) -> SuppressedCounts:
    sizes = tuple(max(12 - 3 * n, 0) for n in range(len(poll.options["fr"])))
    return SuppressedCounts(sizes, sum(sizes))


def step_messages(scenario: Scenario, settings: Settings, language: str = "fr"
                  ) -> list[StepMessages]:
    """Every step's first message, rendered by every platform that can show it (under
    ``settings``: an SMS's sender name and segments are the configuration's)."""
    previews = platform_previews()
    found = []
    for index, step in enumerate(scenario.steps):
        message = first_message(scenario, index, language)
        if message is not None:
            found.append(StepMessages(step.id, {label: show(settings, message)
                                                for label, show in previews.items()}))
    return found
