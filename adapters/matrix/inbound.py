"""Matrix events (raw JSON, as nio hands them over) as neutral events.

nio has no poll classes: responses arrive as ``UnknownEvent`` and are read from the source,
in the unstable (``org.matrix.msc3381.poll.response``) and stable (``m.poll.response`` with
``m.selections``) shapes. Their answer ids are the core's signed actions. A text reply "2"
(or a thread reply) to the bot's own poll is the same vote, for clients without polls; in a
group room nothing else is read but commands.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from animabot.chat.events import (
    ButtonPressed,
    ChatRef,
    CommandReceived,
    InboundEvent,
    LocationReceived,
    PhotoReceived,
    Sender,
    TextReceived,
)
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.redaction import register_identity

from .outbound import POLL_RESPONSES
from .rooms import RoomBook

log = logging.getLogger(__name__)
PLATFORM = "matrix"
FACILITATOR_LEVEL = 50
COMMAND_PREFIXES = ("!", "/")

PowerLevel = Callable[[str, str], int]  # (room_id, user_id) → power level
# An m.image's content → its bytes (downloaded from the media repository, decrypted when the
# room is encrypted), or None when it cannot be had or is over the size limit.
FetchMedia = Callable[[dict[str, Any]], Awaitable[bytes | None]]


async def _no_media(content: dict[str, Any]) -> bytes | None:
    return None


def geo_point(content: dict[str, Any]) -> tuple[float, float] | None:
    """``geo:48.85,2.35;u=10`` (``geo_uri``, or MSC3488's ``uri``) → latitude, longitude."""
    block = content.get("org.matrix.msc3488.location") or content.get("m.location")
    uri = content.get("geo_uri") or (block.get("uri") if isinstance(block, dict) else None)
    if not isinstance(uri, str) or not uri.startswith("geo:"):
        return None
    try:
        latitude, longitude = (float(x) for x in uri[4:].split(";")[0].split(",")[:2])
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def when(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(event.get("origin_server_ts", 0) / 1000, UTC)


def strip_reply_fallback(body: str) -> str:
    """Replies quote the original as "> " lines first: keep only what the person wrote."""
    lines = body.split("\n")
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()


def _own_membership(event: dict[str, Any], bot_user_id: str) -> str | None:
    """The bot's new membership if ``event`` changes it (a profile change is not one)."""
    if event.get("type") != "m.room.member" or event.get("state_key") != bot_user_id:
        return None
    membership = (event.get("content") or {}).get("membership")
    previous = ((event.get("unsigned") or {}).get("prev_content") or {}).get("membership")
    return membership if isinstance(membership, str) and membership != previous else None


def since_invited(events: list[dict[str, Any]], bot_user_id: str) -> list[dict[str, Any]] | None:
    """If the bot joined in this batch, the events meant for it: those after its invitation
    (a resident who opens a direct chat writes at once, before the bot has accepted), or
    after its join when no invitation is in sight. What came before was not said to the bot.
    None when the bot did not join in this batch."""
    for index in range(len(events) - 1, -1, -1):
        if _own_membership(events[index], bot_user_id) == "join":
            for before in range(index - 1, -1, -1):
                membership = _own_membership(events[before], bot_user_id)
                if membership == "invite":
                    return events[before + 1:]
                if membership is not None:  # an earlier stay in the room: not this one
                    break
            return events[index + 1:]
    return None


def answered_events(content: dict[str, Any]) -> list[str]:
    """The events a message answers: its thread's root, then the event it replies to (in a
    thread, that is often the thread's latest message, not its root)."""
    relates = content.get("m.relates_to")
    if not isinstance(relates, dict):
        return []
    targets = []
    if relates.get("rel_type") == "m.thread":
        targets.append(relates.get("event_id"))
    reply = relates.get("m.in_reply_to")
    if isinstance(reply, dict):
        targets.append(reply.get("event_id"))
    return [target for target in targets if isinstance(target, str) and target]


def chosen(body: str, options: list[str]) -> str | None:
    """The option a numbered answer picks ("2", "2."), 1 to N; None for anything else."""
    text = body.strip().removesuffix(".").strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return None


def poll_answers(event: dict[str, Any]) -> list[str]:
    content = event.get("content") or {}
    for key in POLL_RESPONSES:
        block = content.get(key)
        if isinstance(block, dict) and isinstance(block.get("answers"), list):
            return [a for a in block["answers"] if isinstance(a, str)]
    selections = content.get("m.selections")
    if isinstance(selections, list):
        return [a for a in selections if isinstance(a, str)]
    return []


class EventTranslator:
    def __init__(
        self, pseudonymize: Pseudonymizer, bot_user_id: str, facilitators: set[str],
        rooms: RoomBook, power_level: PowerLevel, fetch_media: FetchMedia = _no_media,
        platform: str = PLATFORM,
    ) -> None:
        self.platform = platform  # this bot's name: a commune's own is matrix.<commune>
        self.fetch_media = fetch_media
        self.pseudonymize = pseudonymize
        self.bot_user_id = bot_user_id
        self.facilitators = facilitators
        self.rooms = rooms
        self.power_level = power_level

    def sender(self, room_id: str, user_id: str, direct: bool, command: bool = False) -> Sender:
        # "@ana.b:example.org" is logged as "@[person].[person]:example.org" from now on.
        register_identity(user_id[1:].partition(":")[0])
        facilitator = user_id in self.facilitators
        here_only = False
        if command and not facilitator and not direct:
            facilitator = here_only = self.power_level(room_id, user_id) >= FACILITATOR_LEVEL
        return Sender(
            pseudonym=self.pseudonymize(self.platform, user_id),
            private_address=room_id if direct else None,
            is_facilitator=facilitator,
            facilitator_here_only=here_only,
        )

    async def _poll_answered(self, content: dict[str, Any]) -> list[str] | None:
        """The options of the bot's poll this message replies to, if it replies to one."""
        for target in answered_events(content):
            options = await self.rooms.poll_actions(target)
            if options is not None:
                return options
        return None

    async def _answers_its_poll(self, event: dict[str, Any], answer: str) -> bool:
        """A response counts only with an answer of the poll it relates to: another
        campaign's signed answer sent against this poll is refused. Polls the bot sent before
        it remembered their answers are taken on the signature alone."""
        relates = (event.get("content") or {}).get("m.relates_to")
        target = relates.get("event_id") if isinstance(relates, dict) else None
        options = await self.rooms.poll_actions(target) if isinstance(target, str) else None
        if options is not None and answer not in options:
            log.info("a poll response named an answer of another poll: refused")
            return False
        return True

    async def translate(
        self, room_id: str, event: dict[str, Any], direct: bool, room_name: str = ""
    ) -> InboundEvent | None:
        user_id = event.get("sender", "")
        if not user_id or user_id == self.bot_user_id:
            return None  # the bot sees its own events: never act on them
        event_id = event.get("event_id", "")
        chat = (ChatRef(self.platform, "", True) if direct
                else ChatRef(self.platform, room_id, False, room_name))
        kind = event.get("type")
        if kind in POLL_RESPONSES:
            answers = poll_answers(event)
            if not answers or not await self._answers_its_poll(event, answers[0]):
                return None
            return ButtonPressed(event_id, chat, self.sender(room_id, user_id, direct),
                                 when(event), action=answers[0])
        if kind != "m.room.message":
            return None
        content = event.get("content") or {}
        if direct and content.get("msgtype") in ("m.image", "m.location") \
                and "m.new_content" not in content:
            return await self._media(event_id, chat, room_id, user_id, event, content)
        if content.get("msgtype") not in ("m.text", "m.notice") or "m.new_content" in content:
            return None
        body = strip_reply_fallback(str(content.get("body", "")))
        if body.startswith(COMMAND_PREFIXES) and len(body) > 1:
            word, *args = body[1:].split()
            sender = self.sender(room_id, user_id, direct, command=True)
            return CommandReceived(event_id, chat, sender, when(event), command=word.lower(),
                                   args=tuple(args))
        options = await self._poll_answered(content)
        if options is not None:  # a reply to the bot's own poll is addressed to the bot
            action = chosen(body, options)
            if action is not None:
                return ButtonPressed(event_id, chat, self.sender(room_id, user_id, direct),
                                     when(event), action=action)
        if not direct:
            return None  # nothing else of a group conversation is read
        if options is None and body.isascii() and body.isdigit() and len(body) <= 3:
            action = await self.rooms.action_for(room_id, int(body))
            if action is not None:
                return ButtonPressed(event_id, chat, self.sender(room_id, user_id, True),
                                     when(event), action=action)
        return TextReceived(event_id, chat, self.sender(room_id, user_id, True), when(event),
                            text=body)


    async def _media(self, event_id: str, chat: ChatRef, room_id: str, user_id: str,
                     event: dict[str, Any], content: dict[str, Any]) -> InboundEvent | None:
        """A photo (``m.image``) or a place (``m.location``) sent in a direct room."""
        sender = self.sender(room_id, user_id, True)
        if content.get("msgtype") == "m.location":
            point = geo_point(content)
            if point is None:
                return None
            return LocationReceived(event_id, chat, sender, when(event), latitude=point[0],
                                    longitude=point[1])
        data = await self.fetch_media(content)
        return PhotoReceived(event_id, chat, sender, when(event), data=data,
                             too_large=data is None)
