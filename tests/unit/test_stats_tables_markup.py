"""A campaign's title in square brackets is shown as written in the figures' tables."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from animabot.stats.overview import CampaignSummary
from animabot.stats.tables import overview_table


def test_a_title_in_brackets_is_shown_as_written() -> None:
    summary = CampaignSummary("c-1", "Jardin [/b] [red]partagé[/red]", "jardin", "done",
                              datetime(2026, 12, 1, 18, tzinfo=UTC), ("centre",), 12, 7,
                              0.5, None)
    console = Console(record=True, width=200)
    console.print(overview_table([summary], 5))
    assert "Jardin [/b] [red]partagé[/red]" in console.export_text()
