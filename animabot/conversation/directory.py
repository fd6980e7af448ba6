"""Residents search the directory of local actors: ``/annuaire <mot>`` in private."""

from __future__ import annotations

from .context import Turn


async def search(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Fuzzy, accent-insensitive French search; replies with the best matches."""
    raise NotImplementedError  # filled in by the directory feature
