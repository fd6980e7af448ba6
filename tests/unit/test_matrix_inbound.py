"""What the Matrix adapter reads from a room's timeline: after its own join, only what was
said to it; in a group room, only a numbered reply to its own poll."""

from __future__ import annotations

from typing import Any

from adapters.matrix.inbound import EventTranslator, answered_events, chosen, since_invited
from adapters.matrix.rooms import RoomBook
from animabot.chat.events import ButtonPressed, TextReceived
from animabot.privacy.pseudonyms import Pseudonymizer

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


POLL = "$poll"


def reply(body: str, to: str = POLL, thread_root: str | None = None) -> dict[str, Any]:
    relates: dict[str, Any] = {"m.in_reply_to": {"event_id": to}}
    if thread_root:
        relates.update({"rel_type": "m.thread", "event_id": thread_root})
    return {"type": "m.room.message", "sender": ALICE, "event_id": "$r",
            "content": {"msgtype": "m.text", "body": body, "m.relates_to": relates}}


async def translator() -> EventTranslator:
    rooms = RoomBook(None)
    await rooms.remember_poll(POLL, ["v.1.0~a", "v.1.1~b", "v.1.2~c"])
    await rooms.remember_actions("!dm", ["x.0", "x.1", "x.2", "x.3", "x.4"])
    return EventTranslator(Pseudonymizer(b"k"), BOT, set(), rooms, lambda room, user: 0)


def test_a_thread_reply_answers_the_thread_s_root_first() -> None:
    assert answered_events(reply("1", to="$latest", thread_root=POLL)["content"]) == [
        POLL, "$latest"]
    assert answered_events({"body": "1"}) == []


def test_a_valid_option_number_is_chosen_and_nothing_else() -> None:
    options = ["a", "b", "c"]
    assert [chosen(t, options) for t in ("1", " 2. ", "3")] == ["a", "b", "c"]
    assert [chosen(t, options) for t in ("0", "4", "2 ou 3", "deux", "²", "")] == [None] * 6


async def test_a_numbered_reply_to_the_bot_s_poll_in_a_group_is_a_vote() -> None:
    answers = await translator()
    vote = await answers.translate("!group", reply("> <@bot> Q ?\n\n2"), direct=False)
    assert isinstance(vote, ButtonPressed) and vote.action == "v.1.1~b"
    assert not vote.chat.private and vote.chat.address == "!group"
    in_thread = await answers.translate("!group", reply("3", "$other", POLL), direct=False)
    assert isinstance(in_thread, ButtonPressed) and in_thread.action == "v.1.2~c"


async def test_the_rest_of_a_group_conversation_is_not_read() -> None:
    answers = await translator()
    for event in (reply("5"), reply("bravo"), reply("1", to="$someone-else"), text("1")):
        assert await answers.translate("!group", {**event, "event_id": "$e"}, False) is None


async def test_in_a_direct_room_a_bad_number_for_a_poll_is_not_taken_for_the_last_list() -> None:
    answers = await translator()
    said = await answers.translate("!dm", reply("5"), direct=True)
    assert isinstance(said, TextReceived) and said.text == "5"
    listed = await answers.translate("!dm", {**text("5"), "event_id": "$t"}, direct=True)
    assert isinstance(listed, ButtonPressed) and listed.action == "x.4"


def response(answer: str, poll: str = POLL) -> dict[str, Any]:
    return {"type": "org.matrix.msc3381.poll.response", "sender": ALICE, "event_id": "$v",
            "content": {"m.relates_to": {"rel_type": "m.reference", "event_id": poll},
                        "org.matrix.msc3381.poll.response": {"answers": [answer]}}}


async def test_a_poll_response_counts_only_with_an_answer_of_its_own_poll() -> None:
    answers = await translator()
    vote = await answers.translate("!group", response("v.1.2~c"), direct=False)
    assert isinstance(vote, ButtonPressed) and vote.action == "v.1.2~c"
    # Campaign B's signed answer sent against campaign A's poll: refused.
    assert await answers.translate("!group", response("v.9.0~z"), direct=False) is None
    # A poll sent before the bot remembered its answers: the signature alone decides.
    older = await answers.translate("!group", response("v.9.0~z", "$older"), direct=False)
    assert isinstance(older, ButtonPressed)
