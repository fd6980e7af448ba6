"""« Ce que nous avons fait » as each platform shows it: the neutral message the composer
writes goes through every adapter's own rendering with its title and every line."""

from __future__ import annotations

from adapters.email.message import subject
from adapters.matrix.outbound import text_content
from adapters.sms.rendering import render as sms_render
from adapters.telegram.rendering import html_text
from animabot.campaigns.render import outcome_message
from animabot.scenario.model import Outcome, Poll
from animabot.stats.suppression import suppress_counts

POLL = Poll.model_validate({
    "id": "envie", "kind": "poll", "closes": "+2d", "question": "Des bancs ?",
    "options": ["Oui", "Non"]})
STEP = Outcome.model_validate({
    "id": "fait", "kind": "outcome", "poll": "envie", "figures": True,
    "decision": "Quatre bancs & deux arbres.", "done": "Commandés."})
MESSAGE = outcome_message(STEP, "fr", poll=POLL, figures=suppress_counts([9, 6], 5),
                          ideas=["Un banc près de l'école"])
LINES = ("Décision : Quatre bancs & deux arbres.", "Ce qui a été fait : Commandés.",
         "• Oui : 9", "Personnes ayant répondu : 15", "• Un banc près de l'école")


def test_telegram_shows_the_title_in_bold_and_escapes_the_text() -> None:
    shown = html_text(MESSAGE)
    assert shown.startswith("<b>Ce que nous avons fait</b>\n")
    assert "Quatre bancs &amp; deux arbres." in shown and "• Oui : 9" in shown


def test_matrix_shows_every_line_with_its_title() -> None:
    body = text_content(MESSAGE)["body"]
    assert body.startswith("Ce que nous avons fait\n")
    assert all(line in body for line in LINES)


def test_an_email_says_what_it_is_in_its_subject() -> None:
    assert subject(MESSAGE) == "Ce que nous avons fait · À propos du sondage « Des bancs ? » :"


def test_an_sms_holds_every_line_and_the_stop_hint() -> None:
    text = sms_render(MESSAGE, "fr", max_segments=6).text
    assert text.startswith("Ce que nous avons fait\n")
    # GSM-7 plain text: bullets become dashes, typographic quotes straight ones.
    assert all(line.replace("•", "-").replace("’", "'") in text for line in LINES)
    assert text.endswith("STOP pour ne plus recevoir de SMS")
