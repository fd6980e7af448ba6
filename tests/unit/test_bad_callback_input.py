"""Bad input from a platform is refused quietly: never an exception out of a translator."""

from __future__ import annotations

import asyncio

from adapters.matrix.inbound import EventTranslator
from adapters.matrix.rooms import RoomBook
from animabot.chat.events import ButtonPressed, TextReceived
from animabot.privacy.pseudonyms import Pseudonymizer


def _text(body: str) -> dict[str, object]:
    return {"type": "m.room.message", "sender": "@ana:example.org", "event_id": "$e",
            "origin_server_ts": 0, "content": {"msgtype": "m.text", "body": body}}


def test_matrix_numbered_replies_that_are_not_ascii_digits_are_plain_text() -> None:
    rooms = RoomBook(None)
    asyncio.run(rooms.remember_actions("!dm", ["v.1.0~signature"]))
    translator = EventTranslator(Pseudonymizer(b"k" * 32), "@bot:example.org", set(), rooms,
                                 lambda room, user: 0)
    for body in ("²", "١", "9" * 5000):
        event = asyncio.run(translator.translate("!dm", _text(body), direct=True))
        assert isinstance(event, TextReceived), body
    pressed = asyncio.run(translator.translate("!dm", _text("1"), direct=True))
    assert isinstance(pressed, ButtonPressed) and pressed.action == "v.1.0~signature"
