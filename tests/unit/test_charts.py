"""Charts: real PNGs, stable bytes, and a suppressed count never drawn with its value."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

from animabot.stats.breakdown import ShareFigures
from animabot.stats.campaign import CampaignFigures, PollFigures
from animabot.stats.charts import (
    DPI,
    answers_over_time_chart,
    options_chart,
    response_rate_chart,
    write_campaign_charts,
)
from animabot.stats.series import AnswerTimes
from animabot.stats.suppression import suppress_counts

PNG = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2026, 12, 2, 17, tzinfo=UTC)
OPTIONS = ["Les dépôts sauvages", "Les déjections canines", "Les mégots", "Rien de particulier"]


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def times(curve: bool = True) -> AnswerTimes:
    points = [(T0 + timedelta(hours=h), 3 + 2 * h) for h in range(30)] if curve else []
    return AnswerTimes(phases=[("before_reminders", 19), ("after_reminder_1", 6)], curve=points,
                       reminders=[T0 + timedelta(hours=20)], reached_privately=12)


def poll(counts: list[int], curve: bool = True, min_cell: int = 5) -> PollFigures:
    answers = suppress_counts(counts, min_cell)
    return PollFigures(
        step_id="priorite", question="Qu'est-ce qui vous gêne le plus dans la rue ?",
        options=OPTIONS, answers=answers, reach=40, chats=2, respondents=answers.total,
        response_rate=0.625, reminded=12, after_reminder=6, median_hours_to_answer=22.0,
        quartiles_hours=(7.5, 28.9), platforms={"telegram": ShareFigures(40, 2, 25, 0.625)},
        neighbourhoods={"centre": ShareFigures(20, 1, 11, 0.55),
                        "gare": ShareFigures(20, 1, None, None)},
        times=times(curve),
    )


def campaign(*polls: PollFigures) -> CampaignFigures:
    return CampaignFigures(
        id="demo-1", title="Démo", scenario_id="demo", status="scheduled", start_at=T0,
        targets=("centre", "gare"), deliveries={"sent": 10}, polls=list(polls), trainings=[],
        min_cell=5, neighbourhood_names={"centre": "Centre-ville", "gare": "Gare"},
    )


def test_options_chart_is_a_png_of_fixed_width() -> None:
    png = options_chart(poll([12, 8, 3, 2]), 5)
    width, height = size(png)
    assert width == round(7.5 * DPI)
    assert 300 < height < 1500


def test_a_suppressed_value_leaves_no_trace_in_the_chart() -> None:
    # Same suppressed figures from different hidden counts: the charts must be identical.
    first = options_chart(poll([12, 8, 3, 2]), 5)
    second = options_chart(poll([12, 8, 1, 4]), 5)
    assert poll([12, 8, 3, 2]).answers == poll([12, 8, 1, 4]).answers
    assert first == second
    assert first != options_chart(poll([12, 9, 3, 2]), 5)  # a visible change does show


def test_the_same_input_gives_the_same_bytes() -> None:
    figures = campaign(poll([12, 8, 3, 2]))
    assert response_rate_chart(figures) == response_rate_chart(figures)
    assert answers_over_time_chart(figures.polls[0]) == answers_over_time_chart(figures.polls[0])


def test_response_rate_chart_draws_suppressed_shares_and_needs_a_poll() -> None:
    png = response_rate_chart(campaign(poll([12, 8, 3, 2])), {"centre": "Centre-ville"})
    assert png is not None and size(png)[0] == round(7.5 * DPI)
    assert response_rate_chart(campaign()) is None


def test_over_time_chart_is_none_when_too_few_answered() -> None:
    assert answers_over_time_chart(poll([12, 8, 3, 2], curve=False)) is None
    png = answers_over_time_chart(poll([12, 8, 3, 2]))
    assert png is not None and size(png)[0] == round(7.5 * DPI)


def test_write_campaign_charts_writes_every_chart_it_can(tmp_path: Path) -> None:
    written = write_campaign_charts(campaign(poll([12, 8, 3, 2])), tmp_path / "charts")
    assert [path.name for path in written] == [
        "priorite-options.png", "priorite-over-time.png", "response-rate.png"]
    assert all(path.read_bytes().startswith(PNG) for path in written)
    quiet = write_campaign_charts(campaign(poll([2, 1, 0, 0], curve=False)), tmp_path / "q")
    assert [path.name for path in quiet] == ["priorite-options.png", "response-rate.png"]
