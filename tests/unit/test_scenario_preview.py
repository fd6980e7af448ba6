"""The preview a facilitator reads before starting a campaign."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from animabot.domain.window import DeliveryWindow
from animabot.scenario.model import Scenario
from animabot.scenario.preview import (
    describe_window,
    preview_rows,
    render_preview,
    render_preview_text,
    shorten,
)

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_18 = datetime(2026, 12, 1, 18, 0, tzinfo=PARIS)


def _scenario(*steps: dict[str, Any]) -> Scenario:
    first = {"id": "annonce", "kind": "announcement", "at": "+0",
             "text": {"fr": "Bonjour [bold]tout le monde[/bold] !", "en": "Hello everyone!"}}
    return Scenario.model_validate({"id": "essai", "title": "Essai", "steps": [first, *steps]})


POLL = {
    "id": "envie", "kind": "poll", "at": "+1d 18:00", "closes": "+4d 20:00",
    "question": {"fr": "Participeriez-vous ?", "en": "Would you take part?"},
    "options": {"fr": ["Oui", "Non"], "en": ["Yes", "No"]}, "reminders": ["+3d 18:00"],
    "reminder_text": "Dernier rappel !",
}
RESULTS = {"id": "res", "kind": "results", "of": "envie"}


def test_rows_in_local_time_with_french_words(paris_window: DeliveryWindow) -> None:
    rows = preview_rows(_scenario(POLL, RESULTS), TUESDAY_18, paris_window)
    assert [(r.when, r.step_id, r.kind, r.part) for r in rows] == [
        ("mar. 01/12 18:00", "annonce", "annonce", "envoi"),
        ("mer. 02/12 18:00", "envie", "sondage", "envoi"),
        ("ven. 04/12 18:00", "envie", "sondage", "relance 1"),
        ("sam. 05/12 20:00", "envie", "sondage", "clôture"),
        ("lun. 07/12 09:00", "res", "résultats", "envoi"),
    ]
    assert rows[2].excerpt == "Dernier rappel !"  # the reminder's own text
    assert rows[4].excerpt == "résultats de « envie »"
    assert rows[4].note == "reporté : hors plage d'envoi, prévu sam. 05/12 20:00"
    assert rows[0].note == rows[1].note == ""


def test_deferred_the_same_day_shows_only_the_hour(paris_window: DeliveryWindow) -> None:
    early = {"id": "tot", "kind": "announcement", "at": "+1d 07:30", "text": "Tôt"}
    rows = preview_rows(_scenario(early), TUESDAY_18, paris_window)
    assert (rows[1].when, rows[1].note) == (
        "mer. 02/12 09:00", "reporté : hors plage d'envoi, prévu 07:30"
    )


def test_english_preview(paris_window: DeliveryWindow) -> None:
    rows = preview_rows(_scenario(POLL), TUESDAY_18, paris_window, language="en")
    assert (rows[0].when, rows[0].kind, rows[0].part) == ("Tue 01/12 18:00", "announcement", "send")
    assert rows[1].excerpt == "Would you take part?"


def test_long_texts_are_cut() -> None:
    text = "Le conseil citoyen   vous invite\n" * 5
    cut = shorten(text)
    assert len(cut) == 60 and cut.endswith("…") and "\n" not in cut
    assert shorten("Court") == "Court"


def test_table_keeps_brackets_literal(paris_window: DeliveryWindow) -> None:
    console = Console(record=True, width=200)
    console.print(render_preview(_scenario(POLL), TUESDAY_18, paris_window))
    output = console.export_text()
    assert "[bold]tout le monde[/bold]" in output
    assert "Essai — départ mar. 01/12 18:00" in output
    assert "plage d'envoi 09:00-20:00, fermé : dimanche (Europe/Paris)" in output


def test_plain_text_preview(paris_window: DeliveryWindow) -> None:
    text = render_preview_text(_scenario(POLL, RESULTS), TUESDAY_18, paris_window)
    assert "lun. 07/12 09:00  res (résultats, envoi)" in text
    assert "    reporté : hors plage d'envoi, prévu sam. 05/12 20:00" in text


def test_describe_window() -> None:
    always = DeliveryWindow.always("Europe/Paris")
    assert describe_window(always) == "plage d'envoi à toute heure (Europe/Paris)"
    window = DeliveryWindow.from_settings("08:30-19:00", "Europe/Paris", ["samedi", "sunday"])
    assert describe_window(window, "en") == (
        "sending window 08:30-19:00, closed: saturday, sunday (Europe/Paris)"
    )
