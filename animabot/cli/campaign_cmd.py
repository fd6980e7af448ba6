"""``animabot campaign start|list|show|approve|cancel``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, TypedDict

import typer
from rich.table import Table

from ..campaigns.lifecycle import lifecycle
from ..campaigns.service import StartedCampaign, scenario_of
from ..clock import SystemClock
from ..core import open_core
from ..scenario.loader import load_scenario
from ..scenario.timeline import build_timeline
from ..store.deliveries import DeliveryRepository
from .common import ConfigOption, DatabaseOption, out, parse_local_time, run_async, settings_from

app = typer.Typer(help="Start, list, show and cancel campaigns.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


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


@app.command()
def start(
    scenario_file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (.toml).")],
    to: Annotated[
        str, typer.Option("--to", help="Neighbourhood ids, comma-separated: centre,gare")
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

    async def work() -> tuple[StartedCampaign | None, str | None]:
        settings = settings_from(config, database)
        scenario = load_scenario(scenario_file)
        clock = SystemClock()
        when = parse_local_time(at, settings.bot.timezone, clock.now())
        who = f"cli:{author}" if author else None
        rule = every or scenario.every
        async with open_core(settings, clock, sends=False) as core:
            if rule:
                series = await core.series.create(scenario, to.split(","), rule, when,
                                                  source=str(scenario_file), author=who)
                return (series.campaigns[0] if series.campaigns else None), series.id
            started = await core.campaigns.start(scenario, to.split(","), when,
                                                 source=str(scenario_file), author=who)
            return started, None

    started, series_id = run_async(work)
    if as_json:
        data: dict[str, object] = {"id": started.id if started else None, "series": series_id}
        if started:
            data |= {"status": "pending_approval" if started.pending_approval else "scheduled",
                     "deliveries": started.deliveries, "chats": started.chats}
        out.print_json(json.dumps(data))
        return
    if series_id:
        out.print(f"series {series_id}: {every or 'scenario recurrence'}")
    if started is None:
        out.print("the first occurrence is more than a day away: it will be planned then")
        return
    out.print(f"{started.id}")
    if started.pending_approval:
        out.print("waiting for a second facilitator's approval: "
                  f"animabot campaign approve {started.id} --as NAME")
    elif started.first_due:
        out.print(f"{started.deliveries} deliveries planned to {started.chats} chats; "
                  f"first due {started.first_due:%Y-%m-%d %H:%M} UTC")


@app.command("list")
def list_(as_json: JsonOption = False, config: ConfigOption = None,
          database: DatabaseOption = None) -> None:
    """Every campaign, oldest start first."""

    async def work() -> list[CampaignRow]:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            deliveries = DeliveryRepository(core.database)
            rows: list[CampaignRow] = []
            for record in await core.campaigns.campaigns.list():
                counts = await deliveries.status_counts(record.id)
                rows.append({
                    "id": record.id, "scenario": record.scenario_id, "title": record.title,
                    "status": record.status, "start_at": record.start_at.isoformat(),
                    "neighbourhoods": list(record.targets),
                    "sent": counts.get("sent", 0), "pending": counts.get("pending", 0),
                })
            return rows

    rows = run_async(work)
    if as_json:
        out.print_json(json.dumps(rows))
        return
    if not rows:
        out.print("No campaign yet: animabot campaign start scenarios/jardin-partage.toml --to ID")
        return
    table = Table("id", "title", "status", "start (UTC)", "neighbourhoods", "sent", "pending")
    for row in rows:
        table.add_row(str(row["id"]), str(row["title"]), str(row["status"]),
                      str(row["start_at"])[:16], ",".join(row["neighbourhoods"]),
                      str(row["sent"]), str(row["pending"]))
    out.print(table)


@app.command()
def show(campaign_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOption = False,
         config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """A campaign's timeline and the state of its deliveries."""

    async def work() -> CampaignDetail:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            record = await core.campaigns.get(campaign_id)
            scenario = scenario_of(record)
            counts = await DeliveryRepository(core.database).status_counts(record.id)
            timeline = build_timeline(scenario, record.start_at, settings.window())
            return {
                "id": record.id, "title": record.title,
                "status": lifecycle(record, counts, core.clock.now()),
                "author": record.author, "approved_by": record.approved_by,
                "series": record.series_id,
                "scenario": record.scenario_id, "source": record.source,
                "start_at": record.start_at.isoformat(), "neighbourhoods": list(record.targets),
                "deliveries": counts,
                "timeline": [
                    {"step": e.step_id, "kind": e.kind, "part": e.part,
                     "due_at": e.due_at.isoformat()} for e in timeline
                ],
            }

    data = run_async(work)
    if as_json:
        out.print_json(json.dumps(data))
        return
    out.print(f"[b]{data['id']}[/b] {data['title']} ({data['status']})")
    out.print(f"neighbourhoods: {', '.join(data['neighbourhoods'])}")
    out.print(f"deliveries: {data['deliveries']}")
    if data["deliveries"].get("unknown"):
        out.print("[yellow]Some deliveries are 'unknown': the platform may or may not have "
                  "shown them. Check the chats before resending by hand.[/yellow]")
    table = Table("due (UTC)", "step", "kind", "part")
    for entry in data["timeline"]:
        table.add_row(entry["due_at"][:16], entry["step"], entry["kind"], entry["part"])
    out.print(table)


@app.command()
def cancel(campaign_id: Annotated[str, typer.Argument(metavar="ID")],
           config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Cancel a campaign (nothing more is sent; what was sent stays). Given a series id, or a
    campaign of a series, the whole series stops."""

    async def work() -> str:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            if campaign_id.startswith("serie-") and await core.campaigns.campaigns.get(
                    campaign_id) is None:
                stopped = await core.series.cancel(campaign_id)
                return f"series {campaign_id} stopped; {stopped} planned occurrences cancelled"
            record = await core.campaigns.cancel(campaign_id)
            counts = await DeliveryRepository(core.database).status_counts(campaign_id)
            said = (f"campaign {campaign_id} cancelled; {counts.get('skipped', 0)} deliveries "
                    "will not be sent")
            if record.series_id:
                stopped = await core.series.cancel(record.series_id)
                said += f"; series {record.series_id} stopped ({stopped} more cancelled)"
            return said

    out.print(run_async(work))


@app.command()
def approve(campaign_id: Annotated[str, typer.Argument(metavar="ID")],
            name: Annotated[str, typer.Option("--as", help="Your name (not the author's).")],
            config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Approve a campaign waiting for a second facilitator; its author cannot."""

    async def work() -> StartedCampaign:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            return await core.campaigns.approve(campaign_id, f"cli:{name}")

    started = run_async(work)
    out.print(f"campaign {started.id} approved: {started.deliveries} deliveries planned to "
              f"{started.chats} chats")
