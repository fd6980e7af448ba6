"""A Matrix sync batch: rooms are handled at the same time, each room's events in order; a
room that fails keeps the position from being saved (the batch comes again)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.matrix.adapter import MatrixAdapter
from adapters.matrix.inbound import EventTranslator
from animabot.chat.events import CommandReceived, InboundEvent
from animabot.privacy.pseudonyms import Pseudonymizer

from ..conftest import make_settings

BOT = "@bot:example.org"
CEILING = 10.0


def command(room: str, n: int) -> dict[str, Any]:
    return {"type": "m.room.message", "sender": "@ana:example.org", "event_id": f"${room}{n}",
            "origin_server_ts": n, "content": {"msgtype": "m.text", "body": f"!aide {n}"}}


def batch(rooms: dict[str, int]) -> Any:
    join = {room: SimpleNamespace(timeline=SimpleNamespace(
        events=[SimpleNamespace(source=command(room, n)) for n in range(count)],
        limited=False, prev_batch=None)) for room, count in rooms.items()}
    return SimpleNamespace(rooms=SimpleNamespace(invite={}, leave=[], join=join))


async def adapter(tmp_path: Path) -> MatrixAdapter:
    settings = make_settings(tmp_path)
    settings.matrix.user_id = BOT
    settings.matrix.access_token = SecretStr("t")
    built = MatrixAdapter(settings, Pseudonymizer(b"k"), None)
    built.translator = EventTranslator(Pseudonymizer(b"k"), BOT, set(), built.rooms,
                                       lambda room, user: 0)
    return built


async def test_rooms_run_at_once_and_each_room_in_order(tmp_path: Path) -> None:
    matrix = await adapter(tmp_path)
    seen: list[tuple[str, str]] = []
    release = asyncio.Event()
    other_room_done = asyncio.Event()

    async def handler(event: InboundEvent) -> str | None:
        assert isinstance(event, CommandReceived)
        room, n = event.event_id[1:3], event.args[0]
        seen.append((room, n))
        if (room, n) == ("!a", "0"):
            await release.wait()  # room a's first event takes its time
        if [s for s in seen if s[0] == "!b"] == [("!b", str(i)) for i in range(3)]:
            other_room_done.set()
        return None

    matrix.handler = handler
    try:
        handling = asyncio.create_task(matrix._handle_batch(batch({"!a": 3, "!b": 3}), True))
        await asyncio.wait_for(other_room_done.wait(), CEILING)  # not behind room a
        assert [s for s in seen if s[0] == "!a"] == [("!a", "0")]  # a's next ones wait
        release.set()
        await asyncio.wait_for(handling, CEILING)
        assert [s for s in seen if s[0] == "!a"] == [("!a", str(i)) for i in range(3)]
    finally:
        await matrix.stop()


async def test_a_failing_room_fails_the_batch_after_the_others(tmp_path: Path) -> None:
    matrix = await adapter(tmp_path)
    handled: list[str] = []

    async def handler(event: InboundEvent) -> str | None:
        if event.event_id == "$!a0":
            raise RuntimeError("a bug")
        handled.append(event.event_id)
        return None

    matrix.handler = handler
    try:
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(matrix._handle_batch(batch({"!a": 2, "!b": 2}), True),
                                   CEILING)
        assert handled == ["$!b0", "$!b1"]  # room a stopped at its failure, b went on
    finally:
        await matrix.stop()
