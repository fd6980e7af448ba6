"""Neutral messages as SMS text: numbered options to reply with, cut to what SMS carries.

An SMS has no buttons. A question's buttons (a poll, a quiz) become numbered lines and the
resident replies with a number ("Répondez 1, 2 ou 3."); the adapter remembers which signed
action each number stands for. Another button that carries a personal link (a training's
"Commencer", for a resident of the address book) becomes that link: a short text plus a link.
A link costs some 80 characters, so a poll gives none (its page and the unsubscribe link of
e-mails are left out: replying is shorter, and STOP unsubscribes). The text is cut to
``max_segments`` (see
:func:`adapters.sms.segments.fit`), the options and how to answer never: a poll must stay
answerable. Pure: no I/O, no gateway client.
"""

from __future__ import annotations

from dataclasses import dataclass

from animabot.chat.outgoing import OutgoingMessage
from animabot.i18n import translator

from .segments import DEFAULT_MAX_SEGMENTS, SmsCount, count, fit, plain
from .settings import SmsSettings


@dataclass(frozen=True)
class SmsText:
    """The text to send; ``actions[i]`` is the signed action a reply ``i + 1`` presses."""

    text: str
    actions: tuple[str, ...]
    count: SmsCount


def choices(numbers: int, language: str) -> str:
    """ "1, 2 ou 3" / "1, 2 or 3"."""
    _ = translator(language)
    if numbers <= 1:
        return "1"
    listed = ", ".join(str(n) for n in range(1, numbers))
    # TRANSLATORS: the numbers a resident may reply to an SMS poll: "1, 2 or 3".
    return _("{first} or {last}").format(first=listed, last=numbers)


def how_to_answer(numbers: int, language: str) -> str:
    _ = translator(language)
    # TRANSLATORS: an SMS has no buttons: the resident replies with a number. Keep it short
    # and without letters outside GSM-7 (no ê, â, œ, ’): one of them halves what an SMS holds.
    return _("Reply {choices}.").format(choices=choices(numbers, language))


def stop_hint(language: str) -> str:
    _ = translator(language)
    # TRANSLATORS: the last line of an SMS: replying STOP ends every SMS. Keep STOP as is,
    # short, and without letters outside GSM-7 (no ê, â, œ, ’).
    return _("STOP to receive no more SMS")


def render(
    message: OutgoingMessage, language: str, *, max_segments: int = DEFAULT_MAX_SEGMENTS,
    sender_name: str = "", with_stop_hint: bool = True, simplify_accents: bool = False,
) -> SmsText:
    """``message`` as one SMS text of at most ``max_segments`` segments."""
    head_lines = [f"{sender_name}: {message.title}" if sender_name and message.title
                  else sender_name or message.title or ""]
    head_lines.append(message.text)
    head = "\n".join(line for line in head_lines if line)
    tail_lines: list[str] = []
    actions: list[str] = []
    for row in message.buttons:
        for button in row:
            if button.url and not message.question:
                tail_lines.append(f"{button.unnumbered}: {button.url}")
                continue
            actions.append(button.action)
            tail_lines.append(f"{len(actions)}. {button.unnumbered}")
    if actions:
        tail_lines.append(how_to_answer(len(actions), language))
    if with_stop_hint:
        tail_lines.append(stop_hint(language))
    head = plain(head, simplify_accents=simplify_accents)
    tail = plain("".join("\n" + line for line in tail_lines), simplify_accents=simplify_accents)
    text = fit(head, tail, max_segments)
    return SmsText(text, tuple(actions), count(text))


def configured(message: OutgoingMessage, config: SmsSettings, language: str) -> SmsText:
    """``message`` as ``[sms]`` says (segments, sender name, STOP line, accents), in the
    resident's language when the message carries it, else ``language``."""
    return render(message, message.personal.language if message.personal else language,
                  max_segments=config.max_segments, sender_name=config.sender_name,
                  with_stop_hint=config.stop_hint,
                  simplify_accents=config.accents == "simplify")
