"""Button presses: votes, training cards, quiz answers, consent and settings.

Every action was signed by the core when the button was made; a forged or altered one is
refused here with no effect.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TypeVar

from ..campaigns import actions, render
from ..campaigns.actions import Action
from ..chat.events import ButtonPressed
from ..chat.outgoing import OutgoingMessage
from ..delivery.composer import decode_reply
from ..scenario.model import Poll, Training
from ..scenario.timeline import CLOSE, TOTALS
from ..store.deliveries import Delivery, NewDelivery
from . import commands, ideas, reports
from .context import Turn

log = logging.getLogger(__name__)
# The steps a button can act on; a step of another kind means a stale or forged button.
StepT = TypeVar("StepT", Poll, Training)


async def press(turn: Turn, token: str) -> str | None:
    verified = turn.services.signer.verify(token)
    action = actions.decode(verified) if verified else None
    if action is None:
        log.warning("refused a button with a forged or malformed action on %s",
                    turn.event.chat.platform)
        return turn._("This button is not valid.")
    if not await _on_its_message(turn, action, token):
        log.warning("refused a button pressed on another message than its own on %s",
                    turn.event.chat.platform)
        return turn._("This button is not valid.")
    handler = {
        "v": vote, "t": training_card, "q": quiz_answer, "c": consent,
        "l": language, "h": neighbourhood, "e": erase, "i": ideas.decide,
        "r": reports.choose_category, "rs": reports.send, "rx": reports.cancel,
    }.get(action.verb)  # "p" and "u" are personal links' actions (web pages), not buttons
    if handler is None:
        return turn._("This button is not valid.")
    return await handler(turn, action)


async def _on_its_message(turn: Turn, action: Action, token: str) -> bool:
    """A signed action naming a delivery is genuine, but a modified client can send it on
    any message: it counts only on a message sent for that delivery's step (the poll
    itself, its private copy or reminder, its edits), or on a reply that carried this very
    button (training cards, quiz questions). Platforms that do not say which message was
    pressed are not checked."""
    event = turn.event
    if (action.verb not in actions.DELIVERY_VERBS or not isinstance(event, ButtonPressed)
            or event.message_ref is None):
        return True
    named, sent = await turn.services.deliveries.named_and_sent_as(
        action.int_arg(0), event.message_ref, chat_id=turn.chat.id if turn.chat else None,
        pseudonym=None if turn.chat else turn.pseudonym,
    )
    turn.remember(action.int_arg(0), named)  # the handler acts on this very row
    if named is None:
        return True  # answered as "no longer exists" by the handler
    return any(
        row.id == named.id
        or (row.campaign_id is not None and (row.campaign_id, row.step_id, row.chat_id)
            == (named.campaign_id, named.step_id, named.chat_id))
        or (row.payload is not None and token in row.payload)
        for row in sent
    )


async def _campaign_step(
    turn: Turn, delivery_id: int, kind: type[StepT]
) -> tuple[Delivery, StepT] | None:
    """The delivery and its step, if the step still exists and is a ``kind``."""
    delivery = await turn.delivery(delivery_id)
    if delivery is None or delivery.campaign_id is None or delivery.step_id is None:
        return None
    scenario = await turn.services.composer.scenario(delivery.campaign_id)
    if scenario is None:
        return None
    step = scenario.step(delivery.step_id)
    return (delivery, step) if isinstance(step, kind) else None


async def _hood_of(turn: Turn, delivery: Delivery) -> str | None:
    if turn.chat is not None and turn.chat.id == delivery.chat_id:
        return turn.chat.neighbourhood_id  # read at the start of this turn
    chat = await turn.services.chats.get(delivery.chat_id) if delivery.chat_id else None
    return chat.neighbourhood_id if chat else turn.resident.neighbourhood_id


TOTALS_EVERY = 300  # seconds: at most one edit of a poll's message per chat in this time


async def _refresh_totals_later(turn: Turn, delivery: Delivery) -> None:
    """Queue one edit of the group's poll message per period, whatever the number of votes
    (Telegram allows 20 messages a minute in a group, edits included)."""
    if delivery.chat_id is None or delivery.campaign_id is None or delivery.step_id is None:
        return
    now = turn.services.clock.now()
    period = int(now.timestamp()) // TOTALS_EVERY
    due = datetime.fromtimestamp((period + 1) * TOTALS_EVERY, UTC)
    key = f"{delivery.campaign_id}:{delivery.step_id}:{TOTALS}:chat{delivery.chat_id}:{period}"
    await turn.services.deliveries.add([NewDelivery(
        dedupe_key=key, part=TOTALS, due_at=due, campaign_id=delivery.campaign_id,
        step_id=delivery.step_id, chat_id=delivery.chat_id,
    )])


async def vote(turn: Turn, action: Action) -> str | None:
    found = await _campaign_step(turn, action.int_arg(0), Poll)
    if found is None:
        return turn._("This poll no longer exists.")
    delivery, poll = found
    option = action.int_arg(1)
    if option >= len(poll.options["fr"]):
        return turn._("This button is not valid.")
    services, now = turn.services, turn.services.clock.now()
    assert delivery.campaign_id
    state = await services.answers.vote_state(delivery.campaign_id, poll.id, turn.pseudonym,
                                              delivery.chat_id, CLOSE)
    if state.closes_at is not None and state.closes_at <= now:
        return turn._("This poll is closed.")
    previous, reminded = state.previous, state.reminded_at
    chosen = tuple(sorted(set(previous) ^ {option})) if poll.multiple else (option,)
    hood = await _hood_of(turn, delivery)
    if hood and turn.resident.neighbourhood_id is None:
        await services.residents.update(turn.pseudonym, neighbourhood_id=hood)
    await services.answers.record_vote(
        delivery.campaign_id, poll.id, turn.pseudonym, turn.event.chat.platform, hood,
        chosen, now, after_reminder=reminded is not None and not previous,
        voted_at=turn.event.at,
    )
    scenario = await services.composer.scenario(delivery.campaign_id)
    if scenario is not None and scenario.live_totals(poll):  # else hidden until it closes
        await _refresh_totals_later(turn, delivery)
    return render.vote_confirmation(poll, turn.language, chosen)


async def training_card(turn: Turn, action: Action) -> str | None:
    found = await _campaign_step(turn, action.int_arg(0), Training)
    if found is None:
        return turn._("This training no longer exists.")
    delivery, training = found
    assert delivery.campaign_id
    services, number = turn.services, action.int_arg(1)
    if number > len(training.cards):
        message = render.quiz_message(training, turn.language, delivery.id, 0, services.sign)
    else:
        message = render.card_message(training, turn.language, delivery.id, number, services.sign)
    if not await turn.reply(message, private=True):
        return turn._("Write to me in private first (/start), then press the button again.")
    if number == 1:
        await services.answers.start_training(
            delivery.campaign_id, training.id, turn.pseudonym, turn.event.chat.platform,
            await _hood_of(turn, delivery), services.clock.now(),
        )
    await services.answers.see_card(delivery.campaign_id, training.id, turn.pseudonym, number)
    return None


async def quiz_answer(turn: Turn, action: Action) -> str | None:
    found = await _campaign_step(turn, action.int_arg(0), Training)
    if found is None:
        return turn._("This training no longer exists.")
    delivery, training = found
    assert delivery.campaign_id
    question, option = action.int_arg(1), action.int_arg(2)
    if question >= len(training.quiz) or option >= len(training.quiz[question].options["fr"]):
        return turn._("This button is not valid.")
    services = turn.services
    correct = option == training.quiz[question].correct - 1
    complete = await services.answers.quiz_answer(
        delivery.campaign_id, training.id, turn.pseudonym, question, correct,
        len(training.quiz), services.clock.now(),
    )
    feedback = render.quiz_feedback(training, turn.language, question, option)
    await turn.reply(OutgoingMessage(feedback), private=True)
    if question + 1 < len(training.quiz):
        await turn.reply(render.quiz_message(
            training, turn.language, delivery.id, question + 1, services.sign), private=True)
    elif complete:
        score = await services.answers.quiz_score(
            delivery.campaign_id, training.id, turn.pseudonym)
        await turn.reply(OutgoingMessage(
            render.training_done(turn.language, score, len(training.quiz))), private=True)
    return None


async def consent(turn: Turn, action: Action) -> str | None:
    await turn.services.residents.update(turn.pseudonym, consent_at=turn.services.clock.now())
    if turn.resident.neighbourhood_id is None:
        await commands.neighbourhood(turn, ())
    return turn._("Thank you! You will receive your neighbourhood's polls and reminders.")


async def language(turn: Turn, action: Action) -> str | None:
    return await commands.set_language(turn, action.args[0])


async def neighbourhood(turn: Turn, action: Action) -> str | None:
    return await commands.set_neighbourhood(turn, action.args[0])


async def erase(turn: Turn, action: Action) -> str | None:
    if action.args[0] == actions.ERASE_NO:
        return turn._("Nothing was erased.")
    if action.args[0] != actions.ERASE_YES:
        return turn._("This button is not valid.")
    await turn.services.residents.erase(turn.pseudonym)
    log.info("a resident erased their data")
    return turn._("Your data has been erased. Goodbye, and thank you!")


async def native_answer(turn: Turn, poll_ref: str, options: tuple[int, ...]) -> str | None:
    """An answer to a native poll is a press of the button behind that option."""
    delivery = await turn.services.deliveries.by_poll_ref(poll_ref)
    if delivery is None or delivery.payload is None or not options:
        return None  # a campaign's anonymous poll, or a poll this bot did not send
    rows = decode_reply(delivery.payload).buttons
    if not 0 <= options[0] < len(rows):
        return None
    return await press(turn, rows[options[0]][0].action)
