"""Campaign figures as PNG charts for agents: French labels, printable, byte-for-byte stable.

A suppressed count is drawn as a hatched placeholder of fixed width, never with a length
derived from its value: the chart must reveal no more than the tables do. Each figure gets
its own Agg canvas (no pyplot, no global backend or rcParams change), so charts can be drawn
in any process, with or without a display.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .breakdown import ShareFigures
from .campaign import CampaignFigures, PollFigures
from .suppression import format_cell

if TYPE_CHECKING:  # matplotlib >= 3.9 names its rc keys; older ones only at type-check time
    from matplotlib.typing import RcKeyType

WIDTH_IN = 7.5  # fits an A4 page between margins
DPI = 150  # sharp on paper, small enough to inline in an HTML report
BLUE, GREY, INK, LIGHT = "#2b5c8a", "#9a9a9a", "#222222", "#eeeeee"
STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: no font lookup, no glyph gaps
    "font.size": 9,
    "axes.edgecolor": "#666666",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
PLACEHOLDER = 0.22  # placeholder length, as a share of the axis: fixed, never the value
WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _wrap(label: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(label, width)[:3]) or label


def _percent(rate: float) -> str:
    return f"{rate * 100:.0f} %"


def _hbars(
    axes: Axes, labels: Sequence[str], values: Sequence[float | None], texts: Sequence[str],
    limit: float, column: float | None = None,
) -> None:
    """Horizontal bars, top to bottom, each with its text after the bar (or in a column at
    ``column``). A ``None`` value becomes a light hatched band across the whole row: it
    reads as "no figure", not as a length."""
    right = (column if column is not None else limit) * 1.25
    positions = list(range(len(labels)))[::-1]
    for y, value, text in zip(positions, values, texts, strict=True):
        if value is None:
            axes.barh(y, right, height=0.6, color="#f6f6f6", edgecolor="#c8c8c8",
                      hatch="///", linewidth=0)
            axes.text(right / 2, y, text, va="center", ha="center", color="#444444",
                      style="italic", bbox={"facecolor": "white", "edgecolor": "none"})
            continue
        axes.barh(y, value, height=0.6, color=BLUE)
        x = column if column is not None else value + limit * 0.015
        axes.text(x, y, text, va="center", color=INK)
    axes.set_yticks(positions, [_wrap(label) for label in labels])
    axes.set_xlim(0, right)
    axes.tick_params(axis="y", length=0)


def _height(rows: int) -> float:
    return 1.3 + 0.5 * max(rows, 1)


def options_chart(poll: PollFigures, min_cell: int) -> bytes:
    """Answers per option; suppressed options as a fixed-width hatched placeholder."""
    cells = poll.answers.cells
    visible = [cell for cell in cells if cell is not None]
    limit = float(max([*visible, 1]))
    texts = [format_cell(cell, min_cell) + (" (masqué)" if cell is None else "")
             for cell in cells]
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_IN, _height(len(cells))), layout="constrained")
        axes = figure.add_subplot()
        _hbars(axes, poll.options, [None if c is None else float(c) for c in cells], texts,
               limit)
        axes.set_xlabel("Nombre de réponses")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        total = format_cell(poll.answers.total, min_cell)
        axes.set_title(f"{_wrap(poll.question, 80)}\nRépondants : {total}", loc="left",
                       fontsize=10)
        if poll.answers.any_suppressed:
            figure.supxlabel(f"Hachuré : valeur masquée (moins de {min_cell} réponses, ou "
                             "masquée pour ne pas être déduite du total).", x=0.01, ha="left",
                             fontsize=7.5, color="#555555")
        return _png(figure)


def neighbourhood_rate_chart(
    poll: PollFigures, min_cell: int, names: Mapping[str, str] | None = None
) -> bytes | None:
    """Response rate of each neighbourhood for one poll; None when it has none."""
    return _rate_chart(poll.neighbourhoods, poll.response_rate, min_cell, names or {},
                       "Taux de réponse par quartier")


def response_rate_chart(
    figures: CampaignFigures, names: Mapping[str, str] | None = None
) -> bytes | None:
    """Response rate per neighbourhood of the campaign's first poll; None without a poll."""
    if not figures.polls:
        return None
    return neighbourhood_rate_chart(figures.polls[0], figures.min_cell, names)


def _rate_chart(
    shares: Mapping[str, ShareFigures], overall: float | None, min_cell: int,
    names: Mapping[str, str], title: str,
) -> bytes | None:
    if not shares:
        return None
    labels, values, texts = [], [], []
    for key, share in shares.items():
        labels.append(names.get(key, "Quartier non renseigné" if key == "?" else key))
        values.append(share.response_rate)
        respondents = format_cell(share.respondents, min_cell)
        if share.respondents is None:
            texts.append(f"{respondents} répondants (masqué)")
        elif share.response_rate is None:
            texts.append(f"{respondents} répondants, portée inconnue")
        else:
            texts.append(f"{_percent(share.response_rate)} ({respondents} / {share.reach})")
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_IN, _height(len(labels))), layout="constrained")
        axes = figure.add_subplot()
        _hbars(axes, labels, values, texts, 1.0, column=1.03)
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0 %", "25 %", "50 %", "75 %", "100 %"])
        axes.spines["bottom"].set_bounds(0, 1)
        if overall is not None:
            axes.axvline(overall, color=INK, linestyle=":", linewidth=1)
            axes.text(overall, 1.0, f" ensemble : {_percent(overall)}", va="bottom",
                      transform=axes.get_xaxis_transform(), fontsize=8)
        axes.set_title(title, loc="left", fontsize=10, pad=14)
        return _png(figure)


def answers_over_time_chart(poll: PollFigures, timezone: str = "Europe/Paris") -> bytes | None:
    """Cumulative respondents by the hour, reminders as dashed lines; None when too few
    answered for the curve to be published."""
    curve = [(moment, count) for moment, count in poll.times.curve if count is not None]
    if not curve:  # only published points are drawn: never a small step
        return None
    zone = ZoneInfo(timezone)
    first = poll.times.curve[0][0]
    if curve[0][0] != first:
        curve.insert(0, (first, 0))
    hours = [moment for moment, _ in curve]
    end = poll.times.curve[-1][0] + timedelta(hours=1)
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_IN, 3.4), layout="constrained")
        axes = figure.add_subplot()
        origin = hours[0]

        def x_of(moment: datetime) -> float:  # hours since the first answer: no date units
            return (moment - origin).total_seconds() / 3600

        xs = [x_of(moment) for moment in [*hours, end]]
        ys = [count for _, count in curve]
        # Straight lines between the published points: hours in between are suppressed.
        axes.plot(xs, [*ys, ys[-1]], color=BLUE, linewidth=1.8, marker="o", markersize=3)
        axes.fill_between(xs, [*ys, ys[-1]], color=BLUE, alpha=0.12)
        top = max(ys)
        for number, moment in enumerate(poll.times.reminders, start=1):
            x = x_of(moment)
            axes.axvline(x, color="#b35900", linestyle="--", linewidth=1)
            axes.text(x, top * 1.04, f" Relance {number}", color="#b35900", fontsize=8,
                      va="bottom")
        axes.set_ylim(0, top * 1.15)
        axes.set_xlim(xs[0], xs[-1])
        ticks = _time_ticks(hours[0], end, zone)
        axes.set_xticks([x_of(t) for t in ticks], [_tick_label(t, zone) for t in ticks])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("Répondants (cumul)")
        axes.grid(axis="y", color=LIGHT)
        axes.set_title(f"Réponses au fil du temps : « {_wrap(poll.question, 70)} »",
                       loc="left", fontsize=10)
        figure.supxlabel(f"Heures locales ({timezone}), arrondies à l'heure.", x=0.01,
                         ha="left", fontsize=7.5, color="#555555")
        return _png(figure)


def _time_ticks(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """About eight ticks on local clock boundaries: every 1, 3, 6 or 12 hours, else midnights."""
    span = (end - start).total_seconds() / 3600
    step = next((s for s in (1, 3, 6, 12) if span / s <= 8), 24)
    every = 1 if step < 24 else ceil(span / 24 / 8)
    hours = (start + timedelta(hours=n) for n in range(int(span) + 1))
    return [m for m in hours if m.astimezone(zone).hour % step == 0][::every]


def _tick_label(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    day = f"{WEEKDAYS[local.weekday()]} {format_datetime(local, 'd MMM', locale='fr')}"
    return f"{local.hour} h" if local.hour else day


def write_campaign_charts(
    figures: CampaignFigures, directory: Path, timezone: str = "Europe/Paris"
) -> list[Path]:
    """Write every chart of a campaign into ``directory`` (created); return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    charts: list[tuple[str, bytes | None]] = []
    for poll in figures.polls:
        charts.append((f"{poll.step_id}-options.png", options_chart(poll, figures.min_cell)))
        charts.append((f"{poll.step_id}-over-time.png", answers_over_time_chart(poll, timezone)))
    charts.append(("response-rate.png", response_rate_chart(figures)))
    written = []
    for name, data in charts:
        if data is not None:
            path = directory / name
            path.write_bytes(data)
            written.append(path)
    return written
