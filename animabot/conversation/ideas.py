"""Residents' ideas: ``/idee <texte>`` in private, moderated by facilitators (``/idees``)."""

from __future__ import annotations

from ..campaigns.actions import Action
from .context import Turn


async def submit(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Queue an idea for moderation (rate- and length-limited)."""
    raise NotImplementedError  # filled in by the ideas feature


async def review(turn: Turn, args: tuple[str, ...]) -> None:
    """Facilitators: list pending ideas with accept/reject buttons."""
    raise NotImplementedError


async def decide(turn: Turn, action: Action) -> str | None:
    """A facilitator pressed accept (``i.<id>.a``) or reject (``i.<id>.r``)."""
    raise NotImplementedError
