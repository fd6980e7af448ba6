"""The planner and the renderer are pure: tested without a database or a clock."""

from __future__ import annotations

from datetime import UTC, datetime

from animabot.campaigns import render
from animabot.campaigns.planner import plan_campaign
from animabot.domain.window import DeliveryWindow
from animabot.privacy.pseudonyms import ActionSigner
from animabot.stats.suppression import suppress_counts
from animabot.store.chats import ChatRecord

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..helpers import POLL_SCENARIO, scenario

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # Tuesday 18:00 in Paris
CHATS = [ChatRecord(i, "simulated", f"g{i}", "", "centre", True) for i in (1, 2, 3)]


def test_one_row_per_timeline_entry_and_chat_with_unique_keys() -> None:
    window = DeliveryWindow.from_settings("09:00-20:00", "Europe/Paris", ["sunday"])
    timeline, rows = plan_campaign("c1", scenario(POLL_SCENARIO), START, window, CHATS)
    assert len(rows) == (len(timeline) + 1) * 3  # + the private poll's copies fan-out
    assert len({row.dedupe_key for row in rows}) == len(rows)
    assert {row.part for row in rows} == {"send", "copies", "close", "reminder1"}
    assert "c1:envie:reminder1:chat2" in {row.dedupe_key for row in rows}


def test_the_window_defers_results_to_the_next_opening() -> None:
    window = DeliveryWindow.from_settings("09:00-20:00", "Europe/Paris", ["sunday"])
    timeline, _ = plan_campaign("c1", scenario(POLL_SCENARIO), START, window, CHATS)
    results = next(e for e in timeline if e.step_id == "resultats")
    close = next(e for e in timeline if e.step_id == "envie" and e.part == "close")
    assert close.due_at == close.planned_at  # closing is silent: no window
    # Closes Thursday 18:00 Paris: results go at once, inside the window.
    assert results.due_at == close.due_at
    late = plan_campaign("c1", scenario(POLL_SCENARIO), START.replace(hour=19, minute=30),
                         window, CHATS)[0]
    results = next(e for e in late if e.step_id == "resultats")
    assert results.deferred and results.due_at.astimezone(window.zone).hour == 9


def test_poll_message_has_one_signed_button_per_option() -> None:
    poll = scenario(POLL_SCENARIO).step("envie")
    signer = ActionSigner(b"k" * 32)
    message = render.poll_message(poll, "en", 42, lambda a: signer.sign(a.encode()), "Thu 18:00")  # type: ignore[arg-type]
    labels = [row[0].label for row in message.buttons]
    assert labels == ["1. Yes", "2. No", "3. No opinion"]
    assert [signer.verify(row[0].action) for row in message.buttons] == [
        "v.42.0", "v.42.1", "v.42.2"
    ]
    assert "A garden?" in message.text and "Thu 18:00" in message.text


def test_results_show_suppressed_cells_as_below_the_threshold() -> None:
    poll = scenario(POLL_SCENARIO).step("envie")
    message = render.results_message(poll, "fr", suppress_counts([9, 2, 6], 5), 5)  # type: ignore[arg-type]
    assert "• Oui : 9" in message.text
    assert message.text.count("< 5") == 2  # the small cell and its complement
