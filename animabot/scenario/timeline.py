"""Resolve a scenario's relative times into instants for a given campaign start.

The result is the single source for the planner and the preview, so what a facilitator
previews is exactly what the campaign will do. Ordering faults (a reminder after its poll
closes, a step anchored on a later or unknown step) are reported here as :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..domain.window import DeliveryWindow, local_to_utc
from ..errors import Problem, ScenarioError
from ..i18n.lazy import lazy as _
from .model import Announcement, Audience, Outcome, Poll, Results, Scenario, Training
from .timespec import Offset, TimeSpec, parse_timespec

# Parts of a step that become deliveries; "close" is silent and ignores the sending window.
SEND, CLOSE = "send", "close"
TOTALS = "totals"  # not planned: queued by votes, to refresh a poll's message with totals
COPIES = "copies"  # a private poll sent to residents' private chats too, where needed
AUDIENCE = "audience"  # a follow-up's one row, expanded when due into private rows


def reminder_part(index: int) -> str:
    return f"reminder{index}"


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happens: ``planned_at`` as written, ``due_at`` after the window."""

    step_id: str
    kind: str
    part: str
    planned_at: datetime
    due_at: datetime

    @property
    def deferred(self) -> bool:
        return self.due_at != self.planned_at


def apply_offset(anchor: datetime, offset: Offset, window: DeliveryWindow) -> datetime:
    """Calendar days and clock times in local time (DST-safe); hours and minutes as durations."""
    zone = window.zone
    local = anchor.astimezone(zone).replace(tzinfo=None)
    if offset.days or offset.at is not None:
        day = local.date() + timedelta(days=offset.days)
        wall = datetime.combine(day, offset.at) if offset.at is not None else datetime.combine(
            day, local.time()
        )
        moment = local_to_utc(wall, zone)
    else:
        moment = anchor.astimezone(UTC)
    return moment + timedelta(hours=offset.hours, minutes=offset.minutes)


def _scenario_file(scenario: Scenario) -> str:
    return f"scenario {scenario.id!r}"


class _Resolver:
    def __init__(
        self, scenario: Scenario, start: datetime, window: DeliveryWindow,
        unreadable: Collection[str],
    ) -> None:
        self.scenario = scenario
        self.unreadable = unreadable
        self.start = start.astimezone(UTC)
        self.window = window
        self.index = {step.id: i for i, step in enumerate(scenario.steps)}
        self.problems: list[Problem] = []
        self.send_at: dict[str, datetime] = {}
        self.close_at: dict[str, datetime] = {}

    def problem(self, field: str, message: str, fix: str) -> None:
        self.problems.append(Problem(_scenario_file(self.scenario), field, message, fix))

    def resolve(self, spec: TimeSpec, field: str, position: int) -> datetime | None:
        if spec.after_step is None:
            return apply_offset(self.start, spec.offset, self.window)
        target = spec.after_step
        if target in self.unreadable:  # its own fault is reported: do not add a second one
            return None
        if target not in self.index:
            earlier = [sid for sid, i in self.index.items() if i < position]
            fix = (_("use one of: {known}", known=", ".join(earlier)) if earlier
                   else _("use one of: none (no step comes before this one)"))
            self.problem(field, _("refers to an unknown step {target!r}", target=target), fix)
            return None
        if self.index[target] >= position:
            self.problem(
                field,
                _("refers to step {target!r}, which comes later in the file", target=target),
                _("anchor on an earlier step, or move {target!r} above this one",
                  target=target),
            )
            return None
        if spec.after_close:
            if target not in self.close_at:
                self.problem(
                    field,
                    _("step {target!r} has no closing time", target=target),
                    _('only polls (and trainings with `closes`) close: write "after {target}"',
                      target=target),
                )
                return None
            return apply_offset(self.close_at[target], spec.offset, self.window)
        anchor = self.send_at.get(target)
        if anchor is None:  # the target itself could not be placed: already reported
            return None
        return apply_offset(anchor, spec.offset, self.window)


def build_timeline(
    scenario: Scenario, start: datetime, window: DeliveryWindow,
    unreadable: Collection[str] = (),
) -> list[TimelineEntry]:
    """Every send, close and reminder of ``scenario`` started at ``start``, in due order.

    ``unreadable`` names steps of the file that could not be read (the loader reports why):
    steps anchored on them are left unplaced rather than blamed.
    """
    resolver = _Resolver(scenario, start, window, unreadable)
    entries: list[TimelineEntry] = []

    def add(step_id: str, kind: str, part: str, planned: datetime, silent: bool = False) -> None:
        due = planned if silent else window.next_open(planned)
        entries.append(TimelineEntry(step_id, kind, part, planned, due))

    for position, step in enumerate(scenario.steps):
        base = f"steps[{position}]"
        if position == 0 and not parse_timespec(step.at).is_campaign_start:
            resolver.problem(
                f"{base}.at",
                _("the first step must happen at the campaign start, not {at!r}", at=step.at),
                _('write at = "+0" (choose the start date when you start the campaign)'),
            )
        # Check `of` first: its default `at` ("after OF closes") would hide the real fault.
        if isinstance(step, Results) and not _check_results_target(resolver, step, base):
            continue
        if isinstance(step, Outcome) and step.poll is not None and not _check_outcome_poll(
                resolver, step.poll, base, position):
            continue
        audience_of = None
        if isinstance(step, Announcement) and step.audience is not None:
            audience_of = _check_audience(resolver, step.audience, base, position)
        sent = resolver.resolve(parse_timespec(step.at), f"{base}.at", position)
        if sent is None:
            continue
        if isinstance(step, Outcome) and step.poll is not None:
            _check_outcome_time(resolver, step, base, sent)
        if sent < resolver.start:
            resolver.problem(f"{base}.at", _("happens before the campaign starts"),
                             _("use a later time"))
        poll_sent = resolver.send_at.get(audience_of) if audience_of else None
        if poll_sent is not None and sent <= poll_sent:
            resolver.problem(
                f"{base}.at",
                _("is sent before or with the poll {poll!r}: nobody will have answered yet",
                  poll=audience_of),
                _('send it later, e.g. at = "after {poll} closes"', poll=audience_of),
            )
        resolver.send_at[step.id] = sent
        add(step.id, step.kind, SEND, sent)
        if isinstance(step, Poll | Training):
            closes = None
            if step.closes is not None:
                closes = resolver.resolve(parse_timespec(step.closes), f"{base}.closes", position)
                if closes is not None and closes <= sent:
                    resolver.problem(
                        f"{base}.closes",
                        _("closes ({closes!r}) before or when it is sent ({at!r})",
                          closes=step.closes, at=step.at),
                        _("give a closing time later than `at`"),
                    )
                    closes = None
            if closes is not None:
                resolver.close_at[step.id] = closes
                add(step.id, step.kind, CLOSE, closes, silent=True)
            for number, text in enumerate(step.reminders, start=1):
                field = f"{base}.reminders[{number - 1}]"
                when = resolver.resolve(parse_timespec(text), field, position)
                if when is None:
                    continue
                if when <= sent:
                    resolver.problem(field,
                                     _("reminder {text!r} comes before the step itself", text=text),
                                     _("give a reminder time after `at`"))
                elif closes is not None and when >= closes:
                    resolver.problem(
                        field,
                        _("reminder {text!r} comes after the step closes ({closes!r})",
                          text=text, closes=step.closes),
                        _("remind before `closes`, or close later"),
                    )
                else:
                    add(step.id, step.kind, reminder_part(number), when)
    if resolver.problems:
        raise ScenarioError(resolver.problems)
    entries.sort(key=lambda e: (e.due_at, resolver.index[e.step_id], e.part))
    return entries


def _check_results_target(resolver: _Resolver, step: Results, base: str) -> bool:
    if step.of in resolver.unreadable:
        return False
    target = resolver.scenario.steps[resolver.index[step.of]] if step.of in resolver.index else None
    polls = ", ".join(p.id for p in resolver.scenario.polls())
    fix = (_("write the id of a poll: {polls}", polls=polls) if polls
           else _("add a poll step: this scenario has none"))
    if target is None:
        resolver.problem(f"{base}.of", _("refers to an unknown step {target!r}", target=step.of),
                         fix)
        return False
    if not isinstance(target, Poll):
        resolver.problem(
            f"{base}.of",
            _("step {target!r} is not a poll (its kind is {kind!r})",
              target=step.of, kind=target.kind),
            fix,
        )
        return False
    return True


def _check_outcome_poll(resolver: _Resolver, poll_id: str, base: str, position: int) -> bool:
    """An outcome's ``poll`` names an earlier poll (checked before its default ``at``,
    "after POLL closes", would report the fault less clearly)."""
    if poll_id in resolver.unreadable:
        return False
    earlier = [s.id for s in resolver.scenario.steps[:position] if isinstance(s, Poll)]
    fix = (_("write the id of an earlier poll: {polls}", polls=", ".join(earlier)) if earlier
           else _("add a poll above this step, or link the outcome to ideas (ideas = true)"))
    field = f"{base}.poll"
    if poll_id not in resolver.index:
        resolver.problem(field, _("refers to an unknown step {target!r}", target=poll_id), fix)
        return False
    target = resolver.scenario.steps[resolver.index[poll_id]]
    if not isinstance(target, Poll):
        resolver.problem(field, _("step {target!r} is not a poll (its kind is {kind!r})",
                                  target=poll_id, kind=target.kind), fix)
        return False
    if resolver.index[poll_id] >= position:
        resolver.problem(
            field, _("refers to poll {target!r}, which comes later in the file", target=poll_id),
            _("move this step below {target!r}: it tells what became of that poll",
              target=poll_id))
        return False
    return True


def _check_outcome_time(resolver: _Resolver, step: Outcome, base: str, sent: datetime) -> None:
    """An outcome comes after its poll was sent; with ``figures``, once it has closed."""
    assert step.poll is not None
    closes = resolver.close_at.get(step.poll)
    if step.figures and closes is not None and sent < closes:
        resolver.problem(
            f"{base}.at",
            _("repeats the final figures of poll {poll!r} before it closes", poll=step.poll),
            _('send it after the poll closes, e.g. at = "after {poll} closes +2d"',
              poll=step.poll))
        return
    poll_sent = resolver.send_at.get(step.poll)
    if poll_sent is not None and sent <= poll_sent:
        resolver.problem(
            f"{base}.at",
            _("is sent before or with the poll {poll!r}: nothing is decided yet", poll=step.poll),
            _('send it later, e.g. at = "after {poll} closes +7d"', poll=step.poll))


def _check_audience(
    resolver: _Resolver, audience: Audience, base: str, position: int
) -> str | None:
    """The id of the poll a follow-up targets, or ``None`` after reporting why it cannot."""
    field = f"{base}.audience.poll"
    target_id = audience.poll
    if target_id in resolver.unreadable:
        return None
    earlier = [s for s in resolver.scenario.steps[:position] if isinstance(s, Poll)]
    fix = (_("write the id of an earlier poll: {polls}",
             polls=", ".join(p.id for p in earlier)) if earlier
           else _("add a poll above this step: a follow-up answers a poll"))
    if target_id not in resolver.index:
        resolver.problem(field, _("refers to an unknown step {target!r}", target=target_id), fix)
        return None
    target = resolver.scenario.steps[resolver.index[target_id]]
    if not isinstance(target, Poll):
        resolver.problem(field, _("step {target!r} is not a poll (its kind is {kind!r})",
                                  target=target_id, kind=target.kind), fix)
        return None
    if resolver.index[target_id] >= position:
        resolver.problem(
            field,
            _("refers to poll {target!r}, which comes later in the file", target=target_id),
            _("move this step below {target!r}: a follow-up goes to those who answered it",
              target=target_id),
        )
        return None
    if target.mode == "native":
        resolver.problem(
            field,
            _("poll {target!r} is a native poll: the bot does not know who chose what",
              target=target_id),
            _('write mode = "private" on {target!r} to send follow-ups', target=target_id),
        )
        return None
    count = len(target.options["fr"])
    for number, option in enumerate(audience.options):
        if option > count:
            resolver.problem(
                f"{base}.audience.options[{number}]",
                _("option {option} does not exist: poll {target!r} has {count} options",
                  option=option, target=target_id, count=count),
                _("write numbers from 1 to {count}, as residents see the options", count=count),
            )
    return target_id
