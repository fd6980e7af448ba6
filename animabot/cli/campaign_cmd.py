"""``animabot campaign start|list|show|approve|cancel``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypedDict, cast

import typer
from rich.markup import escape
from rich.table import Table

from ..campaigns.costs import ChannelCost, active_residents, channel_costs, cost_lines
from ..campaigns.lookup import reaches, resolve_campaign_id
from ..campaigns.service import StartedCampaign
from ..clock import SystemClock
from ..config.communes import expand_targets
from ..core import open_core
from ..domain.lifecycle import campaign_status, delivery_label, status_label
from ..errors import CampaignError
from ..i18n import counts
from ..scenario.loader import load_scenario
from ..scenario.snapshot import scenario_of
from ..scenario.timeline import build_timeline
from ..stats.follow_ups import follow_up_progress
from ..stats.suppression import Cell, format_cell
from ..store.address_book import AddressBook
from ..store.deliveries import DeliveryRepository
from .common import (
    ConfigOption,
    DatabaseOption,
    Voice,
    cells,
    operator,
    out,
    parse_local_time,
    run_async,
    settings_from,
    told_in,
)
from .scope import refuse_outside

app = typer.Typer(help="Start, list, show and cancel campaigns.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option(
    "--json", help="Machine-readable output (stable field names; times in UTC, ISO 8601).")]
IdArgument = Annotated[str, typer.Argument(
    metavar="ID", help="A campaign id, or any unique beginning of it.")]


class CampaignRow(TypedDict):
    """One line of ``campaign list``, also its JSON shape."""

    id: str
    scenario: str
    title: str
    status: str
    start_at: str
    neighbourhoods: list[str]
    sent: int
    pending: int


class TimelineRow(TypedDict):
    step: str
    kind: str
    part: str
    due_at: str


class CampaignDetail(TypedDict):
    """What ``campaign show`` prints, also its JSON shape."""

    id: str
    title: str
    status: str
    author: str | None
    approved_by: str | None
    series: str | None
    scenario: str
    source: str
    start_at: str
    neighbourhoods: list[str]
    deliveries: dict[str, int]
    timeline: list[TimelineRow]
    follow_ups: dict[str, dict[str, dict[str, object]]]
    min_cell: int


@app.command()
def start(
    scenario_file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (.toml).")],
    to: Annotated[
        str, typer.Option("--to", help="Neighbourhood ids, comma-separated: centre,gare; a "
                          "commune's id stands for its neighbourhoods (an intercommunal "
                          "body's: all of its communes')")
    ],
    at: Annotated[
        str, typer.Option("--at", help='Start, local time "2026-12-01 18:00", or "now".')
    ] = "now",
    every: Annotated[str | None, typer.Option(
        "--every", help='Repeat: "every first monday at 18:00" (or "chaque premier lundi à '
        '18:00"); each occurrence is its own campaign.')] = None,
    author: Annotated[str | None, typer.Option(
        "--as", help="Your name: a large campaign needs someone else's approval.")] = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Plan a scenario on neighbourhoods; a running bot picks it up within seconds."""

    async def work() -> tuple[StartedCampaign | None, str | None, Voice, list[ChannelCost]]:
        settings = settings_from(config, database)
        voice = Voice.of(settings)
        targets = expand_targets(settings, to.split(","))
        refuse_outside(operator(settings), targets)  # run as a commune: only its own
        with told_in(voice.language):  # a faulty scenario is told as scenario check does
            scenario = load_scenario(scenario_file)
            clock = SystemClock()
            when = parse_local_time(at, settings.bot.timezone, clock.now())
            who = f"cli:{author}" if author else None
            rule = every or scenario.every
            async with open_core(settings, clock, sends=False) as core:
                # What counted channels (SMS) will send, from the address book's residents.
                residents = await active_residents(AddressBook(core.database), targets)
                costs = channel_costs(settings, scenario, when, settings.window(), residents)
                if rule:
                    series = await core.series.create(scenario, targets, rule, when,
                                                      source=str(scenario_file), author=who)
                    first = series.campaigns[0] if series.campaigns else None
                    return first, series.id, voice, costs
                started = await core.campaigns.start(scenario, targets, when,
                                                     source=str(scenario_file), author=who)
                return started, None, voice, costs

    started, series_id, voice, costs = run_async(work)
    _ = voice._
    if as_json:
        data: dict[str, object] = {"id": started.id if started else None, "series": series_id}
        if started:
            data |= {"status": "pending_approval" if started.pending_approval else "scheduled",
                     "deliveries": started.deliveries, "chats": started.chats}
        if costs:  # counted channels: at most this many parts, reminders included
            data["channels"] = {c.platform: {"residents": c.residents,
                                             "per_resident": c.per_resident,
                                             "total": c.total} for c in costs}
        out.print_json(json.dumps(data))
        return
    if series_id:
        out.print(_("series {id}: {rule}").format(
            id=series_id, rule=every or _("the scenario's recurrence")))
    if started is None:
        out.print(_("The first occurrence is more than a day away: it will be planned then."))
    else:
        _started_lines(started, voice)
    for line in cost_lines(costs, voice.language):
        out.print(line)


def _started_lines(started: StartedCampaign, voice: Voice) -> None:
    _ = voice._
    out.print(f"{started.id}")
    if started.pending_approval:
        out.print(_("Waiting for a second facilitator's approval: "
                    "animabot campaign approve {id} --as NAME").format(id=started.id))
    elif started.first_due:
        out.print(_("{deliveries} to {chats}; first due {when} ({zone})")
                  .format(deliveries=counts.planned_deliveries(voice.language, started.deliveries),
                          chats=counts.chats(voice.language, started.chats),
                          when=voice.time(started.first_due), zone=voice.zone))


@app.command("list")
def list_(as_json: JsonOption = False, config: ConfigOption = None,
          database: DatabaseOption = None) -> None:
    """Every campaign, oldest start first (with --commune: that commune's)."""

    async def work() -> tuple[list[CampaignRow], Voice]:
        settings = settings_from(config, database)
        who = operator(settings)
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            deliveries = DeliveryRepository(core.database)
            rows: list[CampaignRow] = []
            for record in await core.campaigns.campaigns.list():
                if not reaches(who, record.targets):
                    continue
                counts = await deliveries.status_counts(record.id)
                shown = await deliveries.status_counts(record.id, follow_ups=False)
                rows.append({
                    "id": record.id, "scenario": record.scenario_id, "title": record.title,
                    "status": campaign_status(record.status, counts),
                    "start_at": record.start_at.isoformat(),
                    "neighbourhoods": list(record.targets),
                    "sent": shown.get("sent", 0), "pending": shown.get("pending", 0),
                })
            return rows, Voice.of(settings)

    rows, voice = run_async(work)
    if as_json:
        out.print_json(json.dumps(rows))
        return
    _ = voice._
    if not rows:
        out.print(_("No campaign yet: animabot campaign start scenarios/jardin-partage.toml "
                    "--to ID"))
        return
    headings = (_("id"), _("title"), _("status"), _("start ({zone})").format(zone=voice.zone),
                _("neighbourhoods"), _("sent"), _("pending"))
    lines = [(row["id"], row["title"], status_label(row["status"], voice.language),
              voice.time(datetime.fromisoformat(row["start_at"])),
              ",".join(row["neighbourhoods"]), str(row["sent"]), str(row["pending"]))
             for row in rows]
    if not sys.stdout.isatty():  # piped: plain tab-separated lines, nothing cut
        print("\t".join(headings))
        for line in lines:
            print("\t".join(line))
        return
    table = Table()
    for index, heading in enumerate(headings):
        if index == 0:  # ids are never cut: other columns wrap instead
            table.add_column(heading, no_wrap=True, min_width=max(len(r["id"]) for r in rows))
        else:
            table.add_column(heading, overflow="fold")
    for line in lines:
        table.add_row(*cells(*line))
    out.print(table)


@app.command()
def show(campaign_id: IdArgument, as_json: JsonOption = False,
         config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """A campaign's timeline (local time) and the state of its deliveries."""

    async def work() -> tuple[CampaignDetail, Voice]:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            record = await core.campaigns.get(await resolve_campaign_id(
                core.campaigns.campaigns, campaign_id, operator(settings)))
            scenario = scenario_of(record)
            repository = DeliveryRepository(core.database)
            counts = await repository.status_counts(record.id)
            # A follow-up's private rows count those who chose an option: shown apart, suppressed.
            shown = await repository.status_counts(record.id, follow_ups=False)
            timeline = build_timeline(scenario, record.start_at, settings.window())
            progress = await follow_up_progress(core.stores, record.id, scenario,
                                                settings.privacy.min_cell)
            return {
                "id": record.id, "title": record.title,
                "status": campaign_status(record.status, counts),
                "author": record.author, "approved_by": record.approved_by,
                "series": record.series_id,
                "scenario": record.scenario_id, "source": record.source,
                "start_at": record.start_at.isoformat(), "neighbourhoods": list(record.targets),
                "deliveries": shown,
                "follow_ups": {step: figures.as_json() for step, figures in progress.items()},
                "min_cell": settings.privacy.min_cell,
                "timeline": [
                    {"step": e.step_id, "kind": e.kind, "part": e.part,
                     "due_at": e.due_at.isoformat()} for e in timeline
                ],
            }, Voice.of(settings)

    data, voice = run_async(work)
    if as_json:
        out.print_json(json.dumps(data))
        return
    _ = voice._
    out.print(f"[b]{escape(data['id'])}[/b] {escape(data['title'])} "
              f"({status_label(data['status'], voice.language)})")
    out.print(_("neighbourhoods: {names}").format(names=", ".join(data["neighbourhoods"])),
              markup=False)
    deliveries = Table(_("deliveries"), _("rows"), title_justify="left")
    deliveries.columns[1].justify = "right"
    for status, count in sorted(data["deliveries"].items()):
        deliveries.add_row(delivery_label(status, voice.language), str(count))
    out.print(deliveries)
    if data["deliveries"].get("unknown"):
        out.print("[yellow]" + _("Some deliveries are uncertain: the platform may or may not "
                                 "have shown them. Check the chats before resending by hand.")
                  + "[/yellow]")
    if data["follow_ups"]:
        follow = Table(_("follow-up"), _("sent"), _("unreachable"), _("waiting"), _("failed"),
                       title=_("Follow-ups aimed by answer (sent privately)"),
                       title_justify="left")
        for step_id, figures in data["follow_ups"].items():
            follow.add_row(escape(step_id), *(
                format_cell(cast(Cell, figures[name]["value"]), data["min_cell"])
                for name in ("sent", "unreachable", "waiting", "failed")))
        out.print(follow)
    table = Table(_("due ({zone})").format(zone=voice.zone), _("step"), _("kind"), _("part"))
    for entry in data["timeline"]:
        table.add_row(*cells(voice.time(datetime.fromisoformat(entry["due_at"])), entry["step"],
                            kind_label(entry["kind"], voice), part_label(entry["part"], voice)))
    out.print(table)


def kind_label(kind: str, voice: Voice) -> str:
    _ = voice._
    labels = {"announcement": _("announcement"), "poll": _("poll"), "training": _("training"),
              "results": _("results"), "outcome": _("what we did")}
    return labels.get(kind, kind)


def part_label(part: str, voice: Voice) -> str:
    _ = voice._
    if part.startswith("reminder") and part.removeprefix("reminder").isdigit():
        return _("reminder {number}").format(number=part.removeprefix("reminder"))
    labels = {"send": _("send"), "close": _("close"), "copies": _("private copies"),
              "totals": _("totals update"), "audience": _("private follow-up")}
    return labels.get(part, part)


@app.command()
def cancel(campaign_id: IdArgument, config: ConfigOption = None,
           database: DatabaseOption = None) -> None:
    """Cancel a campaign (nothing more is sent; what was sent stays). Given a series id, or a
    campaign of a series, the whole series stops."""

    async def work() -> str:
        settings = settings_from(config, database)
        _ = Voice.of(settings)._
        who = operator(settings)
        async with open_core(settings, SystemClock(), sends=False) as core:
            if campaign_id.startswith("serie-") and await core.campaigns.campaigns.get(
                    campaign_id) is None:
                series = await core.series.series.active(campaign_id)
                if series is not None and not reaches(who, series.targets):
                    raise CampaignError(_("no active series {id!r} in commune {commune}")
                                        .format(id=campaign_id, commune=who.commune))
                stopped = await core.series.cancel(campaign_id)
                return _("Series {id} stopped; {count} planned occurrences cancelled.").format(
                    id=campaign_id, count=stopped)
            full_id = await resolve_campaign_id(core.campaigns.campaigns, campaign_id, who)
            record = await core.campaigns.cancel(full_id)
            counts = await DeliveryRepository(core.database).status_counts(full_id)
            said = _("Campaign {id} cancelled; {count} deliveries will not be sent.").format(
                id=full_id, count=counts.get("skipped", 0))
            if record.series_id:
                stopped = await core.series.cancel(record.series_id)
                said += " " + _(
                    "Series {id} stopped; other occurrences cancelled: {count}."
                ).format(id=record.series_id, count=stopped)
            return said

    out.print(run_async(work))


@app.command()
def approve(campaign_id: IdArgument,
            name: Annotated[str, typer.Option("--as", help="Your name (not the author's).")],
            config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Approve a campaign waiting for a second facilitator; its author cannot."""

    async def work() -> tuple[StartedCampaign, Voice]:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            full_id = await resolve_campaign_id(core.campaigns.campaigns, campaign_id,
                                                operator(settings))
            return await core.campaigns.approve(full_id, f"cli:{name}"), Voice.of(settings)

    started, voice = run_async(work)
    out.print(voice._("Campaign {id} approved: {deliveries} to {chats}.")
              .format(id=started.id,
                      deliveries=counts.planned_deliveries(voice.language, started.deliveries),
                      chats=counts.chats(voice.language, started.chats)))
