"""Facilitators' hub commands: neighbourhoods across platforms, announcements to every chat of
a neighbourhood, approving a large campaign."""

from __future__ import annotations

from .context import Turn


async def neighbourhoods(turn: Turn, args: tuple[str, ...]) -> None:
    raise NotImplementedError


async def announce(turn: Turn, args: tuple[str, ...]) -> None:
    raise NotImplementedError


async def approve(turn: Turn, args: tuple[str, ...]) -> None:
    raise NotImplementedError
