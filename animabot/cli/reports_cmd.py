"""``animabot reports list|status|export|stats|route``: problem reports (signalements) from the
terminal. Nothing printed names a reporter: a report is its category, neighbourhood, dates,
text and place."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..campaigns.render import local_time
from ..clock import SystemClock
from ..config import Settings
from ..config.communes import owns_row
from ..core import open_core
from ..domain.access import Principal
from ..domain.problem_report import CLOSED, ReportStatus, parse_status
from ..errors import ProblemReportError
from ..problems.export import ExportFormat, export
from ..problems.figures import ReportFigures, report_figures
from ..problems.status import change_status
from ..stats.suppression import format_cell
from ..store.problem_reports import ProblemReport, ProblemReportRepository
from .common import (
    ConfigOption,
    DatabaseOption,
    cells,
    fail,
    operator,
    out,
    run_async,
    settings_from,
)

app = typer.Typer(help="Problem reports (signalements): list, move their status, export, "
                  "figures.", no_args_is_help=True)


class Which(StrEnum):
    open = "open"
    all = "all"


class Format(StrEnum):
    table = "table"
    json = "json"



@app.command("list")
def list_(
    which: Annotated[Which, typer.Option("--which", help="open (default) or all")] = Which.open,
    status: Annotated[str | None, typer.Option(
        "--status", help="Only this status (recu, transmis, en_cours, resolu, non_retenu).")]
    = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")]
    = None,
    neighbourhood: Annotated[str | None, typer.Option(
        "--neighbourhood", help="Only this neighbourhood (its id).")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Reports, oldest first, with their status and whether their service has them (with
    --commune: those of its neighbourhoods)."""
    settings = settings_from(config, database)
    who = operator(settings)
    wanted = parse_status(status) if status else None
    if status and wanted is None:
        fail(f"unknown status {status!r}: one of {', '.join(s.value for s in ReportStatus)}")

    async def work() -> list[ProblemReport]:
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            found = await core.stores.problem_reports.find(
                status=wanted, category=category, neighbourhood_id=neighbourhood)
            return [r for r in found if owns_row(settings, who, r.neighbourhood_id, r.platform)]

    reports = run_async(work)
    if which is Which.open and wanted is None:
        reports = [r for r in reports if r.status not in CLOSED]
    if format is Format.json:
        print(json.dumps([_json(r) for r in reports], ensure_ascii=False, indent=2))
        return
    if not reports:
        out.print("no report" + (" open" if which is Which.open and wanted is None else ""))
        return
    zone, language = settings.bot.timezone, settings.bot.language
    table = Table("id", "category", "neighbourhood", "status", "made", "service", "place",
                  "text")
    for r in reports:
        service = ("sent" if r.routed_at else
                   f"not yet ({r.route_error})" if r.route_error else "not yet")
        place = (f"{r.latitude:.5f}, {r.longitude:.5f}"
                 if r.latitude is not None and r.longitude is not None else "—")
        table.add_row(*cells(str(r.id), r.category, r.neighbourhood_id or "—",
                            r.status.value + (f" ({r.reason})" if r.reason else ""),
                            local_time(r.created_at, zone, language), service, place, r.text))
    out.print(table)


def _json(r: ProblemReport) -> dict[str, object]:
    return {"id": r.id, "category": r.category, "neighbourhood": r.neighbourhood_id,
            "status": r.status.value, "reason": r.reason, "text": r.text,
            "latitude": r.latitude, "longitude": r.longitude, "photo": r.photo_ref is not None,
            "created_at": r.created_at.isoformat(), "updated_at": r.updated_at.isoformat(),
            "routed_at": r.routed_at.isoformat() if r.routed_at else None,
            "route_error": r.route_error}


@app.command()
def status(
    report_id: Annotated[int, typer.Argument(metavar="ID", help="The report's number.")],
    new_status: Annotated[str, typer.Argument(
        metavar="STATUS", help="recu, transmis, en_cours, resolu or non_retenu.")],
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why (required for non_retenu): its reporter is told.")] = None,
    name: Annotated[str, typer.Option("--as", help="Your name, kept in the history.")] = "",
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Move a report's status; its reporter is told in private, in their language."""
    settings = settings_from(config, database)
    who = operator(settings)
    wanted = parse_status(new_status)
    if wanted is None:
        fail(f"unknown status {new_status!r}: one of "
             f"{', '.join(s.value for s in ReportStatus)}")

    async def work() -> tuple[ProblemReport, bool]:
        clock = SystemClock()
        async with open_core(settings, clock, sends=False) as core:
            await _reached(core.stores.problem_reports, report_id, settings, who)
            return await change_status(core.database, report_id, wanted,
                                       "cli:" + (name.strip() or "agent"), clock.now(),
                                       settings.bot.language, reason)

    report, told = run_async(work)
    out.print(f"report {report.id} is now {report.status.value}; "
              + ("its reporter will be told" if told else "its reporter cannot be reached"))


@app.command("export")
def export_(
    format: Annotated[ExportFormat, typer.Option("--format", help="geojson or csv")]
    = ExportFormat.GEOJSON,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Write to this file (default: print).", dir_okay=False)] = None,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Every report for a map or the walk-through's report: category, status, dates,
    neighbourhood and place; never the reporter, the text only if [reports] export_text.
    With --commune, those of its neighbourhoods."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> list[ProblemReport]:
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            found = await core.stores.problem_reports.find()
            return [r for r in found if owns_row(settings, who, r.neighbourhood_id, r.platform)]

    names = {c.id: c.name for c in settings.reports.categories}
    text = export(run_async(work), names, format, text=settings.reports.export_text)
    if out_file is None:
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"written to {out_file}", markup=False)


@app.command()
def stats(
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Reports by category and neighbourhood, resolved, median days to resolution; small
    counts hidden as in every published figure. With --commune, its neighbourhoods'."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> ReportFigures:
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            reports = [r for r in await core.stores.problem_reports.find()
                       if owns_row(settings, who, r.neighbourhood_id, r.platform)]
            hoods = who.covered(await core.services.chats.neighbourhoods())
        return report_figures(reports, {c.id: c.name for c in settings.reports.categories},
                              hoods, settings.privacy.min_cell)

    figures = run_async(work)
    n = figures.min_cell
    if format is Format.json:
        def cell(value: int | None) -> object:
            return {"value": None, "suppressed": True} if value is None else value

        print(json.dumps({
            part: [{"id": line.key, "name": line.label, "reports": cell(line.count),
                    "resolved": cell(line.resolved), "median_days_to_resolution":
                    line.median_days} for line in lines]
            for part, lines in (("categories", figures.by_category),
                                ("neighbourhoods", figures.by_neighbourhood))
        } | {"total": cell(figures.total), "min_cell": n}, ensure_ascii=False, indent=2))
        return
    for title, lines in (("category", figures.by_category),
                         ("neighbourhood", figures.by_neighbourhood)):
        table = Table(title, "reports", "resolved", "median days to resolution")
        for line in lines:
            table.add_row(escape(line.label), format_cell(line.count, n),
                          format_cell(line.resolved, n),
                          "—" if line.median_days is None else f"{line.median_days:.1f}")
        out.print(table)
    out.print(f"total: {format_cell(figures.total, n)} (counts under {n} hidden)")


@app.command()
def route(
    report_id: Annotated[int, typer.Argument(metavar="ID", help="The report's number.")],
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Send a report to its service again after its routing gave up (fix the route first);
    a running bot sends it within seconds."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> bool:
        clock = SystemClock()
        async with open_core(settings, clock, sends=False) as core:
            await _reached(core.stores.problem_reports, report_id, settings, who)
            return await core.stores.problem_reports.route_again(report_id, clock.now())

    if not run_async(work):
        fail(f"report {report_id} does not exist or its service already has it")
    out.print(f"report {report_id} will be sent to its service again")


async def _reached(reports: ProblemReportRepository, report_id: int, settings: Settings,
                   who: Principal) -> None:
    """Refuse, as not found, a report beyond the commune the command runs as."""
    if who.commune is None:
        return  # the whole deployment: the command's own check says if it exists
    report = await reports.get(report_id)
    if report is None or not owns_row(settings, who, report.neighbourhood_id, report.platform):
        raise ProblemReportError(f"no report {report_id} in commune {who.commune}: see "
                            f"`animabot --commune {who.commune} reports list --which all`")
