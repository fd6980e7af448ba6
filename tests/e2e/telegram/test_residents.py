"""Residents on Telegram, end to end over real HTTP: onboarding, a campaign with a private
poll voted in three groups, reminders, results, a training with a native quiz."""

from __future__ import annotations

from datetime import timedelta

from animabot.stats.campaign import campaign_figures

from ...helpers import POLL_SCENARIO, TRAINING_SCENARIO, scenario
from .conftest import TelegramWorld


def _buttons(message: object) -> list[tuple[str, str]]:
    markup = getattr(message, "reply_markup", None) or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
            for b in row]


async def _onboard(world: TelegramWorld, user: int, consent: bool = True) -> None:
    """/start in private, then the consent button and the neighbourhood button."""
    em = world.emulator
    em.user_sends(user, user, "/start")
    await world.settle()
    if not consent:
        return
    welcome = em.messages_to(user)[-1]
    em.user_presses(user, user, welcome.message_id, _buttons(welcome)[0][1])
    await world.settle()
    choice = em.messages_to(user)[-1]
    hood = "Centre" if user % 3 else "Gare"
    data = next(d for label, d in _buttons(choice) if label == hood)
    em.user_presses(user, user, choice.message_id, data)
    await world.settle()


async def test_start_onboards_a_resident_in_french_and_sets_commands(world: TelegramWorld) -> None:
    em = world.emulator
    await _onboard(world, 1)
    texts = world.texts(1)
    assert texts[0].startswith("Bonjour")
    assert any("Quartier choisi" in t for t in texts)
    answers = [a.text for a in em.callback_answers.values()]
    assert any(a and "Merci" in a for a in answers)
    resident = await world.core.services.residents.get(world.core.pseudonymize("telegram", "1"))
    assert resident is not None and resident.consent_at is not None
    assert resident.neighbourhood_id == "centre"
    languages = {language for (_, language) in em.commands}
    assert {"fr", "en"} <= languages


async def test_a_campaign_reaches_three_groups_and_counts_private_votes(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    for user in range(1, 21):
        await _onboard(world, user, consent=user <= 15)
    started = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    await world.worker.drain()
    for chat_id in (-1001, -1002, -1003):
        texts = world.texts(chat_id)
        assert "Bonjour &lt;&amp;&gt; *" in texts[0]  # escaped: no Bad Request
        assert "Un jardin ?" in texts[1]
    polls = {chat_id: em.messages_to(chat_id)[1] for chat_id in (-1001, -1002, -1003)}

    def group_of(user: int) -> int:
        return {1: -1001, 2: -1002, 0: -1003}[user % 3]

    voters = [*range(1, 6), *range(16, 61)]  # 50 residents vote
    for user in voters:
        poll = polls[group_of(user)]
        em.user_presses(user, group_of(user), poll.message_id, _buttons(poll)[user % 3][1])
    again = polls[group_of(21)]
    em.user_presses(21, group_of(21), again.message_id, _buttons(again)[2][1])  # changes vote
    forged = _buttons(polls[-1003])[0][1].replace("~", "0~")
    em.user_presses(22, -1003, polls[-1003].message_id, forged, strict=False)
    await world.settle()
    assert any(a.text == "Ce bouton n'est pas valide." for a in em.callback_answers.values())

    world.clock.advance(timedelta(days=1))
    await world.worker.drain()
    refreshed = em.message(-1001, polls[-1001].message_id)
    assert refreshed is not None and "Réponses jusqu'ici (50)" in refreshed["text"]
    assert refreshed.get("reply_markup")  # still open: the buttons stay
    reminded = {m.chat_id for m in em.sent if m.chat_id > 0 and "Rappel" in (m.text or "")}
    assert reminded == set(range(6, 16))  # consented non-respondents with a private chat
    reminder = next(m for m in em.messages_to(6) if "Rappel" in (m.text or ""))
    em.user_presses(6, 6, reminder.message_id, _buttons(reminder)[0][1])
    await world.settle()

    world.clock.advance(timedelta(days=1, minutes=1))
    await world.worker.drain()
    for chat_id in (-1001, -1002, -1003):
        closed = em.message(chat_id, polls[chat_id].message_id)
        assert closed is not None and "terminé" in closed["text"] and not closed.get("reply_markup")
        assert "Personnes ayant répondu : 51" in world.texts(chat_id)[-1]
        assert "• Oui : " in world.texts(chat_id)[-1]
    figures = await campaign_figures(core.database, started.id, 5)
    poll = figures.polls[0]
    assert poll.respondents == len(voters) + 1
    assert poll.after_reminder == 1 or poll.after_reminder is None  # 1 is a small cell
    assert poll.reach is not None and poll.reach > len(voters)


async def test_a_training_is_followed_in_private_and_its_quiz_is_a_native_quiz(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    await _onboard(world, 4)
    started = await core.campaigns.start(scenario(TRAINING_SCENARIO), ["centre"])
    await world.worker.drain()
    invite = em.messages_to(-1001)[-1]
    em.user_presses(4, -1001, invite.message_id, _buttons(invite)[0][1])
    await world.settle()
    for _ in range(2):  # card 1 → card 2 → the quiz
        card = em.messages_to(4)[-1]
        em.user_presses(4, 4, card.message_id, _buttons(card)[0][1])
        await world.settle()
    quiz = em.messages_to(4)[-1]
    assert quiz.poll is not None and quiz.poll["type"] == "quiz"
    em.user_answers_poll(4, quiz.poll["id"], [0])
    await world.settle()
    pseudonym = core.pseudonymize("telegram", "4")
    assert await core.services.answers.completed(started.id, "compost", pseudonym)
    assert "1/1" in world.texts(4)[-1]
