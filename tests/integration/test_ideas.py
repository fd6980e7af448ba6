"""Residents' ideas through the real conversation handler, SQLite and outbox: submitting,
limits, moderation by facilitators, telling authors, erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from animabot.chat.events import ButtonPressed, ChatRef, CommandReceived, InboundEvent
from animabot.chat.outgoing import OutgoingMessage
from animabot.clock import FakeClock
from animabot.core import Core

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter
from ..helpers import People

FACILITATOR = 9


def facilitator(event: CommandReceived | ButtonPressed) -> InboundEvent:
    """The same event, from a sender the adapter recognised as a facilitator."""
    assert event.sender is not None
    return replace(event, sender=replace(event.sender, is_facilitator=True))


async def resident(core: Core, people: People, n: int, hood: str = "centre") -> None:
    """A resident who wrote to the bot in private, in English, in ``hood``."""
    for event in (people.command(n, "start"), people.command(n, "language", "en"),
                  people.command(n, "quartier", hood)):
        await core.conversation.handle(event)


async def ideas(core: Core) -> list[dict[str, object]]:
    rows = await core.database.fetch_all("SELECT * FROM idea ORDER BY id")
    return [dict(row) for row in rows]


def private_to(adapter: ScriptedAdapter, n: int) -> list[OutgoingMessage]:
    return [m for t, m, _ in adapter.sent if t.private and t.address == f"user{n}"]


async def test_an_idea_is_kept_under_a_pseudonym_and_its_author_thanked(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people = People(core, clock)
    await resident(core, people, 1)
    notice = await core.conversation.handle(
        people.command(1, "idee", "Un", "banc", "près", "de", "l'école"))
    assert notice is None
    [idea] = await ideas(core)
    assert idea["pseudonym"] == people.pseudonym(1) and idea["platform"] == "simulated"
    assert idea["neighbourhood_id"] == "centre" and idea["status"] == "pending"
    assert idea["text"] == "Un banc près de l'école" and idea["reviewer"] is None
    await core.worker({"simulated": adapter}).drain()
    assert "a facilitator will read it" in private_to(adapter, 1)[-1].text


async def test_empty_over_long_and_group_ideas_are_refused_kindly(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people = People(core, clock)
    await resident(core, people, 2)
    handle = core.conversation.handle
    await handle(people.command(2, "idee"))
    await handle(people.command(2, "idea", "x" * 501))
    in_group = people.command(2, "idee", "Visible", "par", "tous")
    await handle(replace(in_group, chat=ChatRef("simulated", "g-centre", False)))
    assert await ideas(core) == []
    await core.worker({"simulated": adapter}).drain()
    usage, too_long, in_private = (m.text for m in private_to(adapter, 2)[-3:])
    assert "/idee" in usage
    assert "501" in too_long and "500" in too_long
    assert "in private" in in_private
    assert not [t for t, _, _ in adapter.sent if not t.private]  # nothing said in the group


async def test_an_idea_flood_is_refused_until_a_day_has_passed(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people = People(core, clock)
    await resident(core, people, 3)
    for n in range(4):
        await core.conversation.handle(people.command(3, "idee", f"Idée {n}"))
        clock.advance(timedelta(minutes=10))
    assert [i["text"] for i in await ideas(core)] == ["Idée 0", "Idée 1", "Idée 2"]
    await core.worker({"simulated": adapter}).drain()
    refusal = private_to(adapter, 3)[-1].text
    assert "already sent 3 ideas" in refusal and "10:00" in refusal  # 09:00 UTC + 1 day, Paris
    clock.advance(timedelta(days=1))
    await core.conversation.handle(people.command(3, "idee", "Idée 4"))
    assert [i["text"] for i in await ideas(core)][-1] == "Idée 4"


async def test_a_non_facilitator_cannot_decide_with_a_real_or_forged_button(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people = People(core, clock)
    await resident(core, people, 4)
    await core.conversation.handle(people.command(4, "idee", "Des", "bancs"))
    [idea] = await ideas(core)
    real = core.signer.sign(f"i.{idea['id']}.a")
    forged = real.replace(f"i.{idea['id']}.a", f"i.{idea['id']}.r")
    for action in (real, forged, f"i.{idea['id']}.a"):
        notice = await core.conversation.handle(people.press(5, action))
        assert notice is not None
    [after] = await ideas(core)
    assert after["status"] == "pending" and after["reviewer"] is None
    assert await core.database.fetch_all("SELECT * FROM delivery WHERE part = 'notice'") == []


async def test_a_facilitator_lists_accepts_and_rejects_and_each_author_alone_is_told(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people, handle = People(core, clock), core.conversation.handle
    await resident(core, people, 6)
    await resident(core, people, 7, hood="gare")
    await handle(people.command(6, "idee", "Un", "composteur", "collectif"))
    await handle(people.command(7, "idee", "Une", "boîte", "à", "livres"))
    await resident(core, people, FACILITATOR)
    await handle(facilitator(people.command(FACILITATOR, "idees", "tout")))
    worker = core.worker({"simulated": adapter})
    await worker.drain()
    summary, first, second = private_to(adapter, FACILITATOR)[-3:]
    assert "2 pending, 0 accepted, 0 rejected" in summary.text
    assert "Un composteur collectif" in first.text and "Centre-ville" in first.text
    assert "Une boîte à livres" in second.text and "Gare" in second.text
    for message in (first, second):
        assert [b.label for b in message.buttons[0]] == ["Accept", "Reject"]
        assert people.pseudonym(6) not in message.text and people.pseudonym(7) not in message.text

    accept, reject = first.buttons[0][0].action, second.buttons[0][1].action
    assert "accepted" in (await handle(facilitator(people.press(FACILITATOR, accept))) or "")
    # A refusal needs a reason, which a button cannot carry: the facilitator is told how.
    asked = await handle(facilitator(people.press(FACILITATOR, reject))) or ""
    assert "/refuser 2 followed by the reason" in asked
    assert [r["status"] for r in await ideas(core)] == ["accepted", "pending"]
    await handle(facilitator(people.command(FACILITATOR, "refuser", "2")))
    await handle(facilitator(people.command(FACILITATOR, "refuser", "#2", "The", "library",
                                            "already", "runs", "one")))
    await worker.drain()
    usage, refused = (m.text for m in private_to(adapter, FACILITATOR)[-2:])
    assert usage.startswith("Write /refuser followed by the idea's number and the reason")
    assert refused.startswith("Idea #2 not retained.")
    again = await handle(facilitator(people.press(FACILITATOR, second.buttons[0][0].action)))
    assert again is not None and "already decided" in again
    rows = await ideas(core)
    assert [r["status"] for r in rows] == ["accepted", "rejected"]
    assert {r["reviewer"] for r in rows} == {people.pseudonym(FACILITATOR)}

    await worker.drain()
    told_6 = [m.text for m in private_to(adapter, 6)]
    told_7 = [m.text for m in private_to(adapter, 7)]
    assert "Un composteur collectif" in told_6[-1] and "accepted" in told_6[-1]
    assert "Une boîte à livres" in told_7[-1] and "not retained" in told_7[-1]
    assert "The facilitators' reason: The library already runs one." in told_7[-1]
    assert not any("boîte" in t for t in told_6) and not any("composteur" in t for t in told_7)

    await handle(facilitator(people.command(FACILITATOR, "ideas")))
    await worker.drain()
    assert "No idea is waiting" in private_to(adapter, FACILITATOR)[-1].text


async def test_erasing_an_author_keeps_the_idea_but_unlinks_it(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people, handle = People(core, clock), core.conversation.handle
    await resident(core, people, 8)
    await handle(people.command(8, "idee", "Plus", "d'arbres"))
    await handle(people.press(8, core.signer.sign("e.y")))
    [idea] = await ideas(core)
    assert idea["pseudonym"] is None and idea["text"] == "Plus d'arbres"
    notice = await handle(facilitator(people.press(FACILITATOR, core.signer.sign(
        f"i.{idea['id']}.a"))))
    assert notice is not None and "accept" in notice  # "acceptée": the facilitator reads French
    assert "prévenu" not in notice  # nobody left to tell
    assert (await ideas(core))[0]["status"] == "accepted"
    assert await core.database.fetch_all("SELECT * FROM delivery WHERE part = 'notice'") == []
