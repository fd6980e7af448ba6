"""Residents' events through the real handlers and SQLite: votes, replays, rights, training."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest

from animabot.clock import FakeClock
from animabot.core import Core
from animabot.store.answers import AnswerRepository

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter
from ..helpers import POLL_SCENARIO, TRAINING_SCENARIO, People, scenario


async def _poll_delivery(core: Core, step: str = "envie") -> int:
    row = await core.database.fetch_one(
        "SELECT id FROM delivery WHERE step_id = ? AND part = 'send' ORDER BY id", (step,))
    assert row is not None
    return int(row["id"])


async def _started(core: Core, adapter: ScriptedAdapter, data: dict[str, object]) -> str:
    started = await core.campaigns.start(scenario(data), ["centre"])
    await core.worker({"simulated": adapter}).drain()
    return started.id


async def test_the_latest_vote_wins_and_a_replayed_event_does_nothing(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    campaign = await _started(core, adapter, POLL_SCENARIO)
    people, poll = People(core, clock), await _poll_delivery(core)
    vote_yes = people.press(1, core.signer.sign(f"v.{poll}.0"), group="g-centre", event_id="e1")
    notice = await core.conversation.handle(vote_yes)
    assert notice is not None and "Oui" in notice
    await core.conversation.handle(
        people.press(1, core.signer.sign(f"v.{poll}.1"), group="g-centre")
    )
    assert await core.conversation.handle(vote_yes) is None  # replay: ignored
    answers = AnswerRepository(core.database)
    assert await answers.vote_of(campaign, "envie", people.pseudonym(1)) == (1,)
    assert len(await answers.answers(campaign, "envie")) == 1


async def test_forged_or_altered_buttons_have_no_effect(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    campaign = await _started(core, adapter, POLL_SCENARIO)
    people, poll = People(core, clock), await _poll_delivery(core)
    token = core.signer.sign(f"v.{poll}.0")
    forged = token.replace(f"v.{poll}.0", f"v.{poll}.1")
    for action in (forged, f"v.{poll}.1", "v.1.0~AAAAAAAAAA", "garbage"):
        notice = await core.conversation.handle(people.press(2, action, group="g-centre"))
        assert notice is not None
    assert await AnswerRepository(core.database).answers(campaign, "envie") == []


async def test_votes_after_the_poll_closes_are_refused(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    campaign = await _started(core, adapter, POLL_SCENARIO)
    people, poll = People(core, clock), await _poll_delivery(core)
    clock.advance(timedelta(days=2, minutes=1))
    await core.conversation.handle(
        people.press(3, core.signer.sign(f"v.{poll}.0"), group="g-centre")
    )
    assert await AnswerRepository(core.database).answers(campaign, "envie") == []


async def test_erasure_unlinks_answers_but_keeps_the_totals(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    campaign = await _started(core, adapter, POLL_SCENARIO)
    people, poll = People(core, clock), await _poll_delivery(core)
    await core.conversation.handle(people.command(5, "start"))
    await core.conversation.handle(people.press(5, core.signer.sign(f"v.{poll}.2")))
    await core.conversation.handle(people.press(5, core.signer.sign("e.y")))
    assert await core.services.residents.get(people.pseudonym(5)) is None
    assert await core.services.residents.address(people.pseudonym(5)) is None
    rows = await core.database.fetch_all("SELECT pseudonym, choices FROM answer")
    assert [(r["pseudonym"], r["choices"]) for r in rows] == [(None, "[2]")]
    assert len(await AnswerRepository(core.database).answers(campaign, "envie")) == 1


async def test_my_data_lists_what_is_kept_in_the_residents_language(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people = People(core, clock)
    await core.conversation.handle(people.command(6, "start"))
    await core.conversation.handle(people.command(6, "language", "en"))
    await core.conversation.handle(people.command(6, "mydata"))
    await core.worker({"simulated": adapter}).drain()
    last = adapter.texts()[-1]
    resident = await core.services.residents.get(people.pseudonym(6))
    assert resident is not None and len(resident.tag) == 16
    # The record's reference is shown, never the keyed pseudonym (a new one after /oubli).
    assert "What is kept about you" in last and resident.tag[:8] in last
    assert "user6" not in last and people.pseudonym(6)[:8] not in last


async def test_a_training_is_followed_card_by_card_and_completed(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    campaign = await _started(core, adapter, TRAINING_SCENARIO)
    people, invite = People(core, clock), await _poll_delivery(core, "compost")
    handle, sign = core.conversation.handle, core.signer.sign
    await handle(people.command(7, "start"))
    await handle(people.press(7, sign(f"t.{invite}.1"), group="g-centre"))
    await handle(people.press(7, sign(f"t.{invite}.2")))
    await handle(people.press(7, sign(f"t.{invite}.3")))  # past the last card: the quiz
    await handle(people.press(7, sign(f"q.{invite}.0.0")))
    await core.worker({"simulated": adapter}).drain()
    private = [m.text for t, m, _ in adapter.sent if t.private]
    assert any("Carte un" in t for t in private) and any("Carte deux" in t for t in private)
    assert any("Les épluchures ?" in t for t in private)
    assert "1/1" in private[-1]
    assert await AnswerRepository(core.database).completed(campaign, "compost", people.pseudonym(7))


async def test_my_data_counts_the_answers_and_trainings_kept(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    campaign = await _started(core, adapter, POLL_SCENARIO)
    people, poll = People(core, clock), await _poll_delivery(core)
    await core.conversation.handle(people.command(8, "start"))
    await core.conversation.handle(people.command(8, "language", "en"))
    await core.conversation.handle(
        people.press(8, core.signer.sign(f"v.{poll}.0"), group="g-centre"))
    await core.conversation.handle(people.command(8, "mydata"))
    await core.worker({"simulated": adapter}).drain()
    last = adapter.texts()[-1]
    assert "- poll answers: 1" in last and "- trainings followed: 0" in last
    assert await core.stores.answers.held_for(people.pseudonym(8)) == (1, 0)
    assert await core.stores.answers.quiz_score(campaign, "envie", people.pseudonym(8)) == 0


async def test_only_facilitators_the_bot_can_write_to_are_told(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people, facilitators = People(core, clock), core.stores.facilitators
    await core.conversation.handle(people.command(9, "start"))  # private: an address
    await core.conversation.handle(people.command(10, "start"))
    await core.conversation.handle(people.command(10, "stop"))  # opted out
    await core.conversation.handle(
        people.press(11, core.signer.sign("x"), group="g-centre"))  # no private address
    for n in (9, 10, 11):
        await facilitators.remember(people.pseudonym(n), clock.now())
        await facilitators.remember(people.pseudonym(n), clock.now())  # once only
    reachable = await facilitators.reachable()
    assert [f.pseudonym for f in reachable] == [people.pseudonym(9)]
    assert reachable[0].language == "fr" and len(reachable[0].tag) == 16


async def test_pressing_start_without_a_private_chat_explains_what_to_do(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    await _started(core, adapter, TRAINING_SCENARIO)
    people, invite = People(core, clock), await _poll_delivery(core, "compost")
    notice = await core.conversation.handle(
        people.press(8, core.signer.sign(f"t.{invite}.1"), group="g-centre"))
    assert notice is not None and "/start" in notice


async def test_presses_at_once_each_count_once_when_one_of_them_fails(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Presses share a transaction on SQLite (group commit): resident 1's handler fails
    once after resident 2 has voted in the same transaction; the rollback takes resident 2's
    vote too, and both are handled again alone — every vote counted once."""
    campaign = await _started(core, adapter, POLL_SCENARIO)
    people, poll = People(core, clock), await _poll_delivery(core)
    answers = core.services.answers
    record, second_voted, failed = answers.record_vote, asyncio.Event(), []

    async def flaky(campaign_id: str, step_id: str, pseudonym: str, *args: Any,
                    **kwargs: Any) -> None:
        await record(campaign_id, step_id, pseudonym, *args, **kwargs)
        if pseudonym == people.pseudonym(2):
            second_voted.set()
        elif not failed:
            failed.append(pseudonym)
            if core.database.group_commit:  # resident 2 is in the same transaction
                await asyncio.wait_for(second_voted.wait(), 30)
            raise RuntimeError("a bug on the first try")

    monkeypatch.setattr(answers, "record_vote", flaky)
    caplog.set_level(logging.DEBUG, "animabot.conversation.router")
    notices = await asyncio.wait_for(asyncio.gather(
        core.conversation.handle(people.press(1, core.signer.sign(f"v.{poll}.0"),
                                              group="g-centre")),
        core.conversation.handle(people.press(2, core.signer.sign(f"v.{poll}.1"),
                                              group="g-centre")),
    ), 60)
    assert failed == [people.pseudonym(1)]
    if core.database.group_commit:
        assert "rolled back with its group: handled again alone" in caplog.text
    assert all(notice is not None for notice in notices)
    reader = AnswerRepository(core.database)
    assert await reader.vote_of(campaign, "envie", people.pseudonym(1)) == (0,)
    assert await reader.vote_of(campaign, "envie", people.pseudonym(2)) == (1,)
    assert len(await reader.answers(campaign, "envie")) == 2
