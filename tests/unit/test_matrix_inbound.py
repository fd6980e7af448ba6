"""What the Matrix adapter reads from a room's timeline: after its own join, only what was
said to it; in a group room, only a numbered reply to its own poll."""

from __future__ import annotations

from typing import Any

from adapters.matrix.inbound import since_invited

BOT, ALICE = "@bot:example.org", "@alice:example.org"


def member(user: str, membership: str, previous: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "m.room.member", "state_key": user, "sender": user,
                             "content": {"membership": membership}}
    if previous:
        event["unsigned"] = {"prev_content": {"membership": previous}}
    return event


def text(body: str) -> dict[str, Any]:
    return {"type": "m.room.message", "sender": ALICE,
            "content": {"msgtype": "m.text", "body": body}}


def test_a_first_message_written_before_the_bot_accepted_the_invitation_is_read() -> None:
    # A resident opens a direct chat and writes at once: the bot joins after the message.
    start = text("!start")
    events = [member(ALICE, "join"), member(BOT, "invite"), start,
              member(BOT, "join", previous="invite")]
    kept = since_invited(events, BOT)
    assert kept is not None and start in kept


def test_what_was_said_before_the_invitation_is_not_read() -> None:
    old, new = text("!quartier gare"), text("!campagnes")
    events = [member(ALICE, "join"), old, member(BOT, "invite"),
              member(BOT, "join", previous="invite"), new]
    assert since_invited(events, BOT) == [member(BOT, "join", previous="invite"), new]


def test_without_an_invitation_in_sight_the_join_is_the_limit() -> None:
    old, new = text("avant"), text("après")
    assert since_invited([old, member(BOT, "join"), new], BOT) == [new]


def test_an_earlier_stay_is_not_taken_for_this_invitation() -> None:
    old, new = text("pendant la première visite"), text("après")
    events = [member(BOT, "invite"), member(BOT, "join", previous="invite"), old,
              member(BOT, "leave", previous="join"), member(BOT, "join", previous="leave"), new]
    assert since_invited(events, BOT) == [new]


def test_no_join_in_the_batch_and_a_profile_change_is_no_join() -> None:
    assert since_invited([text("bonjour")], BOT) is None
    assert since_invited([member(BOT, "join", previous="join"), text("x")], BOT) is None
