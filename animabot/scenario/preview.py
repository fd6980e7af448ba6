"""Show a facilitator, before starting a campaign, when each message will really leave.

The rows come from :func:`build_timeline`, the same function the planner uses, so the
preview cannot disagree with the campaign. Times are local, after the sending window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from rich import box
from rich.table import Table
from rich.text import Text

from ..domain.window import WEEKDAYS, DeliveryWindow
from .model import Announcement, Outcome, Poll, Results, Scenario, Training, pick
from .timeline import CLOSE, SEND, TimelineEntry, build_timeline

EXCERPT_LENGTH = 60

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "announcement": "annonce", "poll": "sondage", "training": "formation",
        "results": "résultats", "outcome": "ce que nous avons fait", SEND: "envoi",
        CLOSE: "clôture", "reminder": "relance",
        "deferred": "reporté : hors plage d'envoi, prévu {planned}",
        "silent": "fin des réponses, sans message", "results of": "résultats de « {of} »",
        "when": "Quand", "step": "Étape", "kind": "Type", "part": "Quoi", "text": "Texte",
        "note": "Remarque", "start": "départ", "window": "plage d'envoi", "always": "à toute heure",
        "closed": "fermé", "title": "{title} — départ {start}",
        "audience": "en privé, seulement à qui a répondu {options} à « {poll} »",
        "or": " ou ",
    },
    "en": {
        "announcement": "announcement", "poll": "poll", "training": "training",
        "results": "results", "outcome": "what we did", SEND: "send", CLOSE: "close",
        "reminder": "reminder",
        "deferred": "deferred: outside the sending window, planned {planned}",
        "silent": "answers end, no message", "results of": "results of “{of}”",
        "when": "When", "step": "Step", "kind": "Kind", "part": "What", "text": "Text",
        "note": "Note", "start": "start", "window": "sending window", "always": "any time",
        "closed": "closed", "title": "{title} — start {start}",
        "audience": "privately, only to those who answered {options} to “{poll}”",
        "or": " or ",
    },
}


@dataclass(frozen=True)
class PreviewRow:
    """One line of the preview, already worded for the facilitator."""

    when: str
    step_id: str
    kind: str
    part: str
    excerpt: str
    note: str


def preview_rows(
    scenario: Scenario, start: datetime, window: DeliveryWindow, language: str = "fr"
) -> list[PreviewRow]:
    """The timeline of ``scenario`` started at ``start``, one worded row per entry."""
    words = _WORDS.get(language, _WORDS["fr"])
    rows = []
    for entry in build_timeline(scenario, start, window):
        note = ""
        if entry.part == CLOSE:
            note = words["silent"]
        elif entry.deferred:
            planned_day = _local(entry.planned_at, window).date()
            same_day = planned_day == _local(entry.due_at, window).date()
            planned = (
                _clock(entry.planned_at, window)
                if same_day
                else _when(entry.planned_at, window, language)
            )
            note = words["deferred"].format(planned=planned)
        audience = _audience(scenario, entry, language, words)
        if audience:
            note = f"{audience}{' ;' if language == 'fr' else ';'} {note}" if note else audience
        rows.append(PreviewRow(
            when=_when(entry.due_at, window, language),
            step_id=entry.step_id,
            kind=words.get(entry.kind, entry.kind),
            part=_part(entry.part, words),
            excerpt=_excerpt(scenario, entry, language, words),
            note=note,
        ))
    return rows


def render_preview(
    scenario: Scenario, start: datetime, window: DeliveryWindow, language: str = "fr"
) -> Table:
    """A rich table of :func:`preview_rows`, titled with the start and the sending window."""
    words = _WORDS.get(language, _WORDS["fr"])
    table = Table(
        title=words["title"].format(title=scenario.title, start=_when(start, window, language)),
        caption=describe_window(window, language),
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    rows = [
        (row.when, row.step_id, row.kind, row.part, row.excerpt, row.note)
        for row in preview_rows(scenario, start, window, language)
    ]
    headers = [words[key] for key in ("when", "step", "kind", "part", "text", "note")]
    for index, header in enumerate(headers):
        if index < 4:  # times, ids and labels never shrink: the texts wrap instead
            width = max(len(cell[index]) for cell in [headers, *rows])
            table.add_column(header, no_wrap=True, min_width=width)
        else:
            table.add_column(header)
    for cells in rows:
        # Text(...) so that brackets in a facilitator's wording are never read as rich markup.
        table.add_row(*(Text(cell) for cell in cells))
    return table


def render_preview_text(
    scenario: Scenario, start: datetime, window: DeliveryWindow, language: str = "fr"
) -> str:
    """The same preview as plain lines, for narrow terminals, logs and e-mails."""
    words = _WORDS.get(language, _WORDS["fr"])
    lines = [
        words["title"].format(title=scenario.title, start=_when(start, window, language)),
        describe_window(window, language),
        "",
    ]
    for row in preview_rows(scenario, start, window, language):
        lines.append(f"{row.when}  {row.step_id} ({row.kind}, {row.part})")
        lines.extend(f"    {text}" for text in (row.excerpt, row.note) if text)
    return "\n".join(lines)


def describe_window(window: DeliveryWindow, language: str = "fr") -> str:
    """``"plage d'envoi 09:00-20:00, fermé : dimanche (Europe/Paris)"``."""
    words = _WORDS.get(language, _WORDS["fr"])
    if window.opens is None or window.closes is None:
        hours = words["always"]
    else:
        hours = f"{window.opens:%H:%M}-{window.closes:%H:%M}"
    # WEEKDAYS lists (English, French) name pairs, Monday first.
    names = list(WEEKDAYS)[1::2] if language == "fr" else list(WEEKDAYS)[0::2]
    text = f"{words['window']} {hours}"
    if window.closed_days:
        days = ", ".join(names[day] for day in sorted(window.closed_days))
        text += f", {words['closed']}{' :' if language == 'fr' else ':'} {days}"
    return f"{text} ({window.zone.key})"


def _local(moment: datetime, window: DeliveryWindow) -> datetime:
    return moment.astimezone(window.zone)


def _when(moment: datetime, window: DeliveryWindow, language: str) -> str:
    return format_datetime(
        moment, "EEE dd/MM HH:mm", tzinfo=window.zone, locale="en" if language == "en" else "fr"
    )


def _clock(moment: datetime, window: DeliveryWindow) -> str:
    return f"{_local(moment, window):%H:%M}"


def entry_words(kind: str, part: str, language: str = "fr") -> tuple[str, str]:
    """A timeline entry's kind and part as the preview words them ("sondage", "relance 1")."""
    words = _WORDS.get(language, _WORDS["fr"])
    return words.get(kind, kind), _part(part, words)


def _part(part: str, words: dict[str, str]) -> str:
    if part.startswith("reminder"):
        return f"{words['reminder']} {part.removeprefix('reminder')}"
    return words.get(part, part)


def _excerpt(
    scenario: Scenario, entry: TimelineEntry, language: str, words: dict[str, str]
) -> str:
    step = scenario.step(entry.step_id)
    text = ""
    if isinstance(step, Announcement):
        text = pick(step.text, language)
    elif isinstance(step, Poll):
        reminder = step.reminder_text if entry.part.startswith("reminder") else None
        text = pick(reminder or step.question, language)
    elif isinstance(step, Training):
        text = pick(step.title, language)
    elif isinstance(step, Results):
        text = pick(step.text, language) if step.text else words["results of"].format(of=step.of)
    elif isinstance(step, Outcome):
        text = pick(step.decision, language)
    return shorten(text)


def _audience(
    scenario: Scenario, entry: TimelineEntry, language: str, words: dict[str, str]
) -> str:
    """Who a follow-up aimed by answer goes to, in the poll's own words."""
    step = scenario.step(entry.step_id)
    if not isinstance(step, Announcement) or step.audience is None or entry.part != SEND:
        return ""
    poll = scenario.step(step.audience.poll)
    if not isinstance(poll, Poll):
        return ""
    labels = pick(poll.options, language)
    quote = "« {} »" if language == "fr" else "“{}”"
    options = words["or"].join(f"{n} ({quote.format(labels[n - 1])})"
                               for n in step.audience.options if n <= len(labels))
    return words["audience"].format(options=options, poll=poll.id)


def shorten(text: str, length: int = EXCERPT_LENGTH) -> str:
    """``text`` on one line, cut to ``length`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
