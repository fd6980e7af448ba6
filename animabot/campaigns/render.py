"""Turn steps into neutral messages. Pure: texts, buttons and numbers in, messages out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from babel.dates import format_datetime, get_timezone

from ..chat.outgoing import Button, NativePoll, OutgoingMessage
from ..domain.actor import Actor
from ..i18n import translator
from ..scenario.model import Announcement, Outcome, Poll, Training, pick
from ..stats.suppression import Cell, SuppressedCounts, format_cell
from . import actions
from .actions import Action

Sign = Callable[[Action], str]


def local_time(moment: datetime, timezone: str, language: str) -> str:
    return format_datetime(
        moment, "EEE d MMM HH:mm", tzinfo=get_timezone(timezone), locale=language
    )


def actor_line(actor: Actor, language: str) -> str:
    """Who the step is done with, so residents know whom to contact."""
    _ = translator(language)
    if actor.contact:
        return _("With: {name} — {contact}").format(name=actor.name, contact=actor.contact)
    return _("With: {name}").format(name=actor.name)


def announcement_message(
    step: Announcement, language: str, actor: Actor | None = None
) -> OutgoingMessage:
    text = pick(step.text, language)
    return OutgoingMessage(f"{text}\n{actor_line(actor, language)}" if actor else text)


def _option_buttons(options: Sequence[str], make: Callable[[int], Action], sign: Sign,
                    chosen: Sequence[int] = ()) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(("✅ " if i in chosen else "") + f"{i + 1}. {label}", sign(make(i))),)
        for i, label in enumerate(options)
    )


def poll_message(
    poll: Poll, language: str, poll_delivery_id: int, sign: Sign, closes: str | None,
    totals: SuppressedCounts | None = None, min_cell: int = 5, edit_ref: str | None = None,
) -> OutgoingMessage:
    """The poll as first sent, or (``totals``, ``edit_ref``) the same message with the
    answers so far: only ever shown once they are past the suppression threshold."""
    _ = translator(language)
    lines = [pick(poll.question, language)]
    lines.append(_("Several answers possible.") if poll.multiple else _("One answer."))
    lines.append(_("Your answer stays private: only the bot receives it."))
    if closes:
        lines.append(_("Answers until {when}.").format(when=closes))
    options = pick(poll.options, language)
    if totals is not None and totals.total is not None:
        summary = " · ".join(f"{label} {format_cell(cell, min_cell)}"
                             for label, cell in zip(options, totals.cells, strict=True))
        lines.append(_("Answers so far ({count}): {summary}").format(
            count=totals.total, summary=summary))
    native = None
    if poll.mode == "native":  # the platform's anonymous poll: totals only, no reminders
        native = NativePoll(pick(poll.question, language), tuple(options), poll.multiple,
                            hide_results=not poll.live_results)
    return OutgoingMessage(
        "\n".join(lines),
        _option_buttons(options, lambda i: actions.vote(poll_delivery_id, i), sign),
        title=_("Poll"),
        native_poll=native,
        edit_ref=edit_ref,
        question=True,
    )


def poll_closed_message(
    poll: Poll, language: str, edit_ref: str | None,
    results: SuppressedCounts | None = None, min_cell: int = 5,
    beside_neighbourhoods: bool = False,
) -> OutgoingMessage:
    """The poll's message once closed; a native poll ends with its (suppressed) results."""
    _ = translator(language)
    lines = [pick(poll.question, language), _("This poll is closed. Thank you!")]
    if results is not None and poll.mode == "native":
        lines.extend(_result_lines(poll, language, results, min_cell, beside_neighbourhoods))
    return OutgoingMessage("\n".join(lines), edit_ref=edit_ref, title=_("Poll"),
                           stop_poll=poll.mode == "native")


def reminder_message(
    poll: Poll, language: str, poll_delivery_id: int, sign: Sign, closes: str | None
) -> OutgoingMessage:
    _ = translator(language)
    intro = pick(poll.reminder_text, language) if poll.reminder_text else _(
        "Reminder: you have not answered this poll yet."
    )
    lines = [intro, pick(poll.question, language)]
    if closes:
        lines.append(_("Answers until {when}.").format(when=closes))
    options = pick(poll.options, language)
    return OutgoingMessage(
        "\n".join(lines),
        _option_buttons(options, lambda i: actions.vote(poll_delivery_id, i), sign),
        title=_("Reminder"),
        question=True,
    )


def vote_confirmation(poll: Poll, language: str, chosen: Sequence[int]) -> str:
    _ = translator(language)
    if not chosen:
        return _("Your answer was withdrawn.")
    options = pick(poll.options, language)
    labels = ", ".join(options[i] for i in chosen)
    return _("Answer recorded: {answer}. You can change it until the poll closes.").format(
        answer=labels
    )


def training_invite(
    training: Training, language: str, delivery_id: int, sign: Sign,
    actor: Actor | None = None,
) -> OutgoingMessage:
    _ = translator(language)
    lines = [pick(training.title, language)]
    if training.intro:
        lines.append(pick(training.intro, language))
    lines.append(
        _("{cards} short cards and a quiz of {questions} question(s), in private with the bot.")
        .format(cards=len(training.cards), questions=len(training.quiz))
    )
    if actor is not None:
        lines.append(actor_line(actor, language))
    button = Button(_("Start"), sign(actions.card(delivery_id, 1)))
    return OutgoingMessage("\n".join(lines), ((button,),), title=_("Micro-training"))


def training_reminder(
    training: Training, language: str, delivery_id: int, sign: Sign
) -> OutgoingMessage:
    _ = translator(language)
    text = _("Reminder: the micro-training \"{title}\" is waiting for you.").format(
        title=pick(training.title, language)
    )
    button = Button(_("Start"), sign(actions.card(delivery_id, 1)))
    return OutgoingMessage(text, ((button,),), title=_("Reminder"))


def training_closed_message(
    training: Training, language: str, edit_ref: str | None
) -> OutgoingMessage:
    _ = translator(language)
    text = pick(training.title, language) + "\n" + _("This micro-training is closed.")
    return OutgoingMessage(text, edit_ref=edit_ref, title=_("Micro-training"))


def card_message(
    training: Training, language: str, delivery_id: int, number: int, sign: Sign
) -> OutgoingMessage:
    """Card ``number`` (1-based) with a button to the next card, or to the quiz after the last."""
    _ = translator(language)
    total = len(training.cards)
    text = f"({number}/{total}) " + pick(training.cards[number - 1].text, language)
    label = _("Next") if number < total else _("Take the quiz")
    button = Button(label, sign(actions.card(delivery_id, number + 1)))
    return OutgoingMessage(text, ((button,),), title=pick(training.title, language))


def quiz_message(
    training: Training, language: str, delivery_id: int, question: int, sign: Sign
) -> OutgoingMessage:
    _ = translator(language)
    item = training.quiz[question]
    heading = _("Quiz, question {n}/{total}").format(n=question + 1, total=len(training.quiz))
    options = pick(item.options, language)
    native = NativePoll(
        pick(item.question, language), tuple(options), anonymous=False,
        quiz_correct=item.correct - 1, explanation=pick(item.explanation, language),
    )
    return OutgoingMessage(
        pick(item.question, language),
        _option_buttons(options, lambda i: actions.quiz(delivery_id, question, i), sign),
        title=heading,
        native_poll=native,
        question=True,
    )


def quiz_feedback(training: Training, language: str, question: int, option: int) -> str:
    _ = translator(language)
    item = training.quiz[question]
    verdict = _("Correct!") if option == item.correct - 1 else _("Not quite.")
    return f"{verdict} {pick(item.explanation, language)}"


def training_done(language: str, correct: int, total: int) -> str:
    _ = translator(language)
    return _("Training completed: {correct}/{total} correct answers. Thank you!").format(
        correct=correct, total=total
    )


def _result_lines(
    poll: Poll, language: str, counts: SuppressedCounts, min_cell: int,
    beside_neighbourhoods: bool = False,
) -> list[str]:
    _ = translator(language)
    options = pick(poll.options, language)

    def cell(value: Cell) -> str:
        # Beside the neighbourhoods' figures an overall figure is hidden because it would
        # give one of theirs back, whatever its size: "< 5" would be untrue.
        return "—" if value is None and beside_neighbourhoods else format_cell(value, min_cell)

    lines = [_("• {label}: {count}").format(label=label, count=cell(value))
             for label, value in zip(options, counts.cells, strict=True)]
    lines.append(_("Respondents: {count}").format(count=cell(counts.total)))
    if counts.any_suppressed and beside_neighbourhoods:
        lines.append(_("Figures marked — are not published: with the neighbourhoods' own "
                       "figures they would give a small count back."))
    elif counts.any_suppressed:
        lines.append(
            _("Counts under {n} are hidden so that nobody can be recognised.").format(n=min_cell)
        )
    return lines


def results_message(
    poll: Poll, language: str, counts: SuppressedCounts | None, min_cell: int,
    heading: str | None = None, neighbourhood: tuple[str, SuppressedCounts] | None = None,
) -> OutgoingMessage:
    """The results as posted in one chat: the overall figures (``counts``), the chat's own
    neighbourhood's (``neighbourhood``: its name and line), or both."""
    _ = translator(language)
    lines = [heading or pick(poll.question, language)]
    if neighbourhood is not None:
        name, line = neighbourhood
        lines.append(_("In {neighbourhood}:").format(neighbourhood=name))
        if line.total is None:
            lines.append(_("Too few answers in this neighbourhood to publish figures "
                           "(fewer than {n}), so that nobody can be recognised.").format(
                               n=min_cell))
        else:
            lines.extend(_result_lines(poll, language, line, min_cell))
    if counts is not None:
        if neighbourhood is not None:
            lines.append(_("All neighbourhoods together:"))
        lines.extend(_result_lines(poll, language, counts, min_cell,
                                   beside_neighbourhoods=neighbourhood is not None))
    return OutgoingMessage("\n".join(lines), title=_("Results"))


IDEA_QUOTED = 120  # characters of an accepted idea quoted in an outcome
OUTCOME_IDEAS = 10  # accepted ideas an outcome with ideas = true quotes, the newest


def outcome_message(
    step: Outcome, language: str, *, poll: Poll | None = None,
    figures: SuppressedCounts | None = None, min_cell: int = 5,
    ideas: Sequence[str] = (), actor: Actor | None = None,
    beside_neighbourhoods: bool = False,
) -> OutgoingMessage:
    """« Ce que nous avons fait »: the decision taken after a poll or about residents'
    ideas, what was done, the poll's final figures (suppressed) when asked, and the
    accepted ideas it answers (their texts, never their authors)."""
    _ = translator(language)
    lines = []
    if poll is not None:
        lines.append(_("About the poll “{question}”:").format(
            question=pick(poll.question, language)))
    lines.append(_("Decision: {decision}").format(decision=pick(step.decision, language)))
    if step.done is not None:
        lines.append(_("What was done: {done}").format(done=pick(step.done, language)))
    if poll is not None and figures is not None:
        lines.append(_("The poll's final figures:"))
        lines.extend(_result_lines(poll, language, figures, min_cell, beside_neighbourhoods))
    if ideas:
        lines.append(_("Residents' ideas it answers:"))
        lines.extend(f"• {_shorten(idea, IDEA_QUOTED)}" for idea in ideas)
    if actor is not None:
        lines.append(actor_line(actor, language))
    return OutgoingMessage("\n".join(lines), title=_("What we did"))


def _shorten(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
