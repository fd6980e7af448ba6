"""``animabot stats overview|campaign ID|neighbourhood ID``: anonymised figures, small cells
suppressed, as a table, CSV or JSON, on screen or in a file."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, RenderableType

from ..campaigns.lookup import reaches, resolve_campaign_id
from ..clock import SystemClock
from ..config import Settings
from ..core import Core, open_core
from ..stats.campaign import campaign_figures
from ..stats.export import figures_to_json, neighbourhood_to_json, overview_to_json, to_csv
from ..stats.overview import neighbourhood_figures, overview
from ..stats.tables import figures_tables, neighbourhood_table, overview_table
from ..store.campaigns import CampaignRepository
from .common import ConfigOption, DatabaseOption, operator, out, run_async, settings_from
from .scope import refuse_outside

app = typer.Typer(help="Anonymised participation statistics.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table, csv or json")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Write to this file.",
                                                dir_okay=False)]


def _with_core(
    config: Path | None, database: Path | None,
    work: Callable[[Core, Settings], Awaitable[tuple[dict[str, Any], RenderableType, Any]]],
) -> tuple[dict[str, Any], RenderableType, Any]:
    async def run() -> tuple[dict[str, Any], RenderableType, Any]:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            return await work(core, settings)

    return run_async(run)


def _emit(data: dict[str, Any], table: RenderableType, section: str, format: Format,
          out_file: Path | None) -> None:
    if format is Format.table:
        if out_file is None:
            out.print(table)
            return
        with out_file.open("w", encoding="utf-8") as handle:
            Console(file=handle, width=110).print(table)
        return
    text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n" if format is Format.json
            else to_csv(data, section))
    if out_file is None:
        print(text, end="")
    else:
        out_file.write_text(text, encoding="utf-8")


@app.command("overview")
def overview_command(format: FormatOption = Format.table, out_file: OutOption = None,
                     config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Every campaign (with --commune: that commune's): reach, respondents, response rate,
    training completion."""

    async def work(core: Core, settings: Settings) -> tuple[dict[str, Any], RenderableType, Any]:
        k = settings.privacy.min_cell
        who = operator(settings)
        summaries = [summary for summary in await overview(core.stores, k, settings.bot.language)
                     if reaches(who, summary.neighbourhoods)]
        return overview_to_json(summaries), overview_table(summaries, k), None

    data, table, _ = _with_core(config, database, work)
    _emit(data, table, "overview", format, out_file)


@app.command()
def campaign(
    campaign_id: Annotated[str, typer.Argument(
        metavar="ID", help="A campaign id, or any unique beginning of it.")],
    format: FormatOption = Format.table,
    out_file: OutOption = None,
    charts: Annotated[Path | None, typer.Option(
        "--charts", help="Also write PNG charts into this folder.", file_okay=False)] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Reach, respondents, response rate, answers per option, reminders, training."""

    async def work(core: Core, settings: Settings) -> tuple[dict[str, Any], RenderableType, Any]:
        full_id = await resolve_campaign_id(CampaignRepository(core.database), campaign_id,
                                            operator(settings))
        figures = await campaign_figures(core.stores, full_id, settings.privacy.min_cell,
                                         settings.bot.language)
        return figures_to_json(figures), figures_tables(figures), figures

    data, table, figures = _with_core(config, database, work)
    _emit(data, table, "campaign", format, out_file)
    if charts is not None:
        from ..stats.charts import write_campaign_charts  # matplotlib loads only when asked

        written = write_campaign_charts(figures, charts)
        out.print("\n".join(f"chart: {path}" for path in written), highlight=False,
                  markup=False)


@app.command()
def neighbourhood(
    neighbourhood_id: Annotated[str, typer.Argument(metavar="ID")],
    format: FormatOption = Format.table,
    out_file: OutOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """One neighbourhood: its chats, residents reachable privately, and its campaigns over
    time (the trend; with --commune, only the commune's own campaigns)."""

    async def work(core: Core, settings: Settings) -> tuple[dict[str, Any], RenderableType, Any]:
        k = settings.privacy.min_cell
        who = operator(settings)
        refuse_outside(who, [neighbourhood_id])
        figures = await neighbourhood_figures(core.stores, neighbourhood_id, k,
                                              settings.bot.language)
        if who.commune is not None:  # an intercommunal campaign is not the commune's
            mine = {record.id for record in await core.stores.campaigns.list()
                    if reaches(who, record.targets)}
            figures = replace(figures, campaigns=[c for c in figures.campaigns if c.id in mine])
        return neighbourhood_to_json(figures), neighbourhood_table(figures, k), None

    data, table, _ = _with_core(config, database, work)
    _emit(data, table, "neighbourhood", format, out_file)
