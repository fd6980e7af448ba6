"""Gather a campaign's figures into the evaluation of a public policy (objectives, means,
actions, results, effects) and render them as one HTML file an agent can mail or print.

Everything shown comes from the suppressed statistics or from aggregates of the outbox at the
hour: no pseudonym, no address, no chat name leaves the database through the report.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, PackageLoader, StrictUndefined

from ..chat.registry import platform_labels
from ..domain.bots import platform_of
from ..domain.lifecycle import status_label
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..scenario.model import AnyStep, Outcome, Poll, Results, Scenario, Training, pick
from ..scenario.snapshot import scenario_of
from ..stats.campaign import CampaignFigures, PollFigures, campaign_figures
from ..stats.charts import answers_over_time_chart, neighbourhood_rate_chart, options_chart
from ..stats.overview import NeighbourhoodCampaign, neighbourhood_figures
from ..stats.series import phase_label
from ..stats.suppression import Cell, format_cell, is_small
from ..stats.tables import hours_fr
from ..store.database import Database
from ..store.stores import Stores, stores_of

KINDS = {"announcement": "Annonce", "poll": "Sondage", "training": "Micro-formation",
         "results": "Publication des résultats", "outcome": "Ce que nous avons fait"}
PARTS = {"send": "Envoi", "close": "Clôture", "copies": "Copies en privé",
         "totals": "Mise à jour des totaux", "audience": "Envoi ciblé en privé"}
REPORT_LABELS = {"simulated": "Simulation", "console": "Console", "paper": "Papier"}


def platform_names() -> dict[str, str]:
    """Each channel as the report names it: the adapters' own labels (« Courriel »,
    « SMS »…), the demo's and paper's here."""
    return {**platform_labels(), **REPORT_LABELS}
NO_OPS = ("copies", "totals")  # technical parts: worth a line only when something was sent
UNKNOWN_HOOD = "?"  # the tally's key for answers whose neighbourhood is not known


@dataclass(frozen=True)
class PlannedStep:
    id: str
    kind: str
    subject: str
    written: str  # the scenario's own time, e.g. "+1d 18:00"
    planned: datetime | None
    closes: datetime | None
    reminders: list[datetime]


@dataclass(frozen=True)
class Channel:
    platform: str
    neighbourhood: str
    chats: int  # groups and rooms
    people: Cell  # residents written to one by one (e-mail, SMS), suppressed
    one_by_one: bool  # a channel that reaches residents one by one: no groups to count


@dataclass(frozen=True)
class Action:
    step: str
    code: str  # the outbox's part: send, close, reminder1…
    part: str
    planned: datetime | None
    first_sent: datetime | None
    last_sent: datetime | None
    group_messages: int
    chats: int
    people: Cell  # residents written to privately, suppressed like any count of people
    reach: int | None  # members of the groups, for the sends only
    skipped: int  # group messages only: private rows per resident are counts of people
    failed: int
    waiting: int


@dataclass(frozen=True)
class PollView:
    figures: PollFigures
    options_png: str
    over_time_png: str | None
    rate_png: str | None
    options: list[tuple[str, Cell]]
    phases: list[tuple[str, Cell]]


@dataclass(frozen=True)
class OutcomeView:
    """A decision told to residents (« ce que nous avons fait »), for the effects part."""

    step: str
    poll: str | None  # the question it answers
    ideas: str | None  # which ideas: "accepted ideas of each neighbourhood" or their numbers
    decision: str
    done: str | None
    sent: datetime | None  # when it first went out; None while it is still to come


@dataclass(frozen=True)
class Trend:
    id: str
    name: str
    current_id: str  # the campaign of this report, among the rows
    rows: list[NeighbourhoodCampaign]
    earlier: int
    previous: NeighbourhoodCampaign | None  # the latest earlier campaign with a rate
    delta: float | None  # this campaign's rate minus the previous one's


async def build_report(
    source: Database | Stores, campaign_id: str, min_cell: int, language: str = "fr", *,
    timezone: str = "Europe/Paris", generated_at: datetime | None = None,
) -> str:
    """The whole report as one HTML string: charts inlined, no external resource."""
    stores = stores_of(source)
    record = await stores.campaigns.get(campaign_id)
    if record is None:
        raise CampaignError(_("no campaign {id!r}: `animabot campaign list` shows the ids",
                              id=campaign_id))
    scenario = scenario_of(record)
    figures = await campaign_figures(stores, campaign_id, min_cell, language)
    names = await stores.statistics.neighbourhood_names()
    names.setdefault(UNKNOWN_HOOD, "Quartier non renseigné")
    actions = await _actions(stores, campaign_id, min_cell)
    context = {
        "figures": figures, "scenario": scenario, "k": min_cell, "timezone": timezone,
        "names": names, "platforms": platform_names(),
        "targets": [names.get(t, t) for t in figures.targets],
        "steps": _planned_steps(scenario, actions, language),
        "channels": await _channels(stores, campaign_id, names, min_cell),
        "channel_respondents": _channel_respondents(figures),
        "actions": actions,
        "polls": [_poll_view(p, min_cell, names, timezone) for p in figures.polls],
        "trends": [await _trend(stores, figures, hood, min_cell, language)
                   for hood in figures.targets],
        "generated_at": generated_at or datetime.now(UTC),
        "reminders_planned": sum(len(getattr(s, "reminders", [])) for s in scenario.steps),
        "outcomes": _outcomes(scenario, actions, language),
        "paper_answers": _paper_answers(figures),
    }
    return _environment(min_cell, timezone).get_template("report.html").render(context)


async def _actions(stores: Stores, campaign_id: str, min_cell: int) -> list[Action]:
    return [
        Action(
            step=r.step_id, code=r.part, part=_part_label(r.part), planned=r.planned,
            first_sent=r.first_sent, last_sent=r.last_sent, group_messages=r.messages,
            chats=r.chats, people=None if is_small(r.people, min_cell) else r.people,
            reach=r.reach if r.part == "send" else None, skipped=r.skipped,
            failed=r.failed, waiting=r.waiting,
        )
        for r in await stores.reporting.parts(campaign_id)
        if r.part not in NO_OPS or r.messages or r.people or r.failed or r.waiting
    ]


def _paper_answers(figures: CampaignFigures) -> Cell | bool:
    """The campaign's respondents on paper, every poll together: the sum of each poll's
    published paper share, hidden when one of them is (it would give that one back);
    False when no answer came from paper."""
    shares = [p.platforms["paper"].respondents for p in figures.polls if "paper" in p.platforms]
    if not shares:
        return False
    return None if any(s is None for s in shares) else sum(s for s in shares if s is not None)


def _outcomes(scenario: Scenario, actions: list[Action], language: str) -> list[OutcomeView]:
    sent = {a.step: a.first_sent for a in actions if a.code == "send"}
    views = []
    for step in scenario.outcomes():
        poll = scenario.step(step.poll) if step.poll else None
        ideas = None
        if step.ideas is True:
            ideas = "les idées retenues de chaque quartier"
        elif step.ideas:
            ideas = "idées n° " + ", ".join(str(n) for n in step.ideas)
        views.append(OutcomeView(
            step=step.id, poll=pick(poll.question, language) if isinstance(poll, Poll) else None,
            ideas=ideas, decision=pick(step.decision, language),
            done=pick(step.done, language) if step.done else None, sent=sent.get(step.id)))
    return views


def _part_label(part: str) -> str:
    reminder = re.fullmatch(r"reminder(\d+)", part)
    return f"Relance {reminder.group(1)}" if reminder else PARTS.get(part, part)


def _planned_steps(scenario: Scenario, actions: list[Action], language: str) -> list[PlannedStep]:
    planned = {(a.step, a.code): a.planned for a in actions}
    steps = []
    for step in scenario.steps:
        reminders = [planned.get((step.id, f"reminder{n}"))
                     for n in range(1, len(getattr(step, "reminders", [])) + 1)]
        steps.append(PlannedStep(
            id=step.id, kind=KINDS.get(step.kind, step.kind), subject=_subject(step, language),
            written=step.at, planned=planned.get((step.id, "send")),
            closes=planned.get((step.id, "close")),
            reminders=[moment for moment in reminders if moment is not None],
        ))
    return steps


def _subject(step: AnyStep, language: str) -> str:
    if isinstance(step, Poll):
        return pick(step.question, language)
    if isinstance(step, Training):
        return pick(step.title, language)
    if isinstance(step, Results):
        return f"Résultats du sondage « {step.of} »"
    text = pick(step.decision if isinstance(step, Outcome) else step.text, language)
    return text if len(text) <= 160 else text[:157].rstrip() + "…"


async def _channels(stores: Stores, campaign_id: str, names: dict[str, str],
                    min_cell: int) -> list[Channel]:
    """Which channels reached whom: groups per platform, residents reached one by one
    counted as people are (hidden under ``min_cell``)."""
    labels = platform_names()
    return [Channel(labels.get(platform_of(r.platform), r.platform),
                    names.get(str(r.neighbourhood_id), str(r.neighbourhood_id)), r.chats,
                    None if is_small(r.people, min_cell) else r.people,
                    r.chats == 0)
            for r in await stores.reporting.channels(campaign_id)]


ChannelRespondents = tuple[list[str], list[tuple[str, list[Cell]]]]


def _channel_respondents(figures: CampaignFigures) -> ChannelRespondents:
    """Respondents per channel, poll by poll, as the statistics publish them (already
    suppressed, complements included): the channels' labels, then one line per poll."""
    names = sorted({name for poll in figures.polls for name in poll.platforms})
    labels = platform_names()
    return ([labels.get(n, n) for n in names],
            [(poll.question, [poll.platforms[n].respondents if n in poll.platforms else 0
                              for n in names]) for poll in figures.polls])


def _data_uri(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode()


def _poll_view(poll: PollFigures, min_cell: int, names: dict[str, str], zone: str) -> PollView:
    phases = []
    for code, cell in poll.times.phases:
        label = phase_label(code, len(poll.times.reminders))
        phases.append((label[0].upper() + label[1:], cell))
    return PollView(
        figures=poll, options_png=_data_uri(options_chart(poll, min_cell)) or "",
        over_time_png=_data_uri(answers_over_time_chart(poll, zone)),
        rate_png=_data_uri(neighbourhood_rate_chart(poll, min_cell, names)),
        options=list(zip(poll.options, poll.answers.cells, strict=True)), phases=phases,
    )


async def _trend(
    stores: Stores, figures: CampaignFigures, hood: str, min_cell: int, language: str
) -> Trend:
    hood_figures = await neighbourhood_figures(stores, hood, min_cell, language)
    rows = sorted((c for c in hood_figures.campaigns
                   if c.id == figures.id or c.start_at < figures.start_at),
                  key=lambda row: (row.start_at, row.id))
    earlier = [row for row in rows if row.id != figures.id]
    previous = next((row for row in reversed(earlier) if row.response_rate is not None), None)
    current = next((row for row in rows if row.id == figures.id), None)
    delta = None
    if previous and current and previous.response_rate is not None \
            and current.response_rate is not None:
        delta = round(current.response_rate - previous.response_rate, 3)
    return Trend(hood, hood_figures.name, figures.id, rows, len(earlier), previous, delta)


def _environment(min_cell: int, timezone: str) -> Environment:
    environment = Environment(
        loader=PackageLoader("animabot.report", "templates"), autoescape=True,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    zone = ZoneInfo(timezone)

    def hour(moment: datetime | None, year: bool = False) -> str:
        if moment is None:
            return "—"
        pattern = "EEE d MMM y, H' h'" if year else "EEE d MMM, H' h'"
        return format_datetime(moment, pattern, tzinfo=zone, locale="fr").replace(" ", "\u00a0")

    def day(moment: datetime) -> str:
        return format_datetime(moment, "d MMMM y", tzinfo=zone, locale="fr")

    environment.filters.update(
        cell=lambda value: format_cell(value, min_cell), hour=hour, day=day,
        percent=_percent, points=_points, hours=_hours, plural=_plural,
        number=lambda value: "—" if value is None else str(value),
        status=status_label,
    )
    return environment


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}\u00a0%"


def _points(delta: float) -> str:
    return f"{delta * 100:+.0f}\u00a0point{'s' if abs(delta * 100) >= 1.5 else ''}"


def _hours(value: float | None) -> str:
    return "—" if value is None else hours_fr(value)


def _plural(count: int | None, one: str, many: str) -> str:
    """French: 0 and 1 take the singular ("sur 1 membre"), a suppressed count the plural."""
    return one if count is not None and count < 2 else many
