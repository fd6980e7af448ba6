"""``animabot stats campaign ID``: anonymised figures, small cells suppressed."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..clock import SystemClock
from ..core import open_core
from ..stats.campaign import CampaignFigures, campaign_figures, figures_to_json
from ..stats.tables import figures_tables
from .common import ConfigOption, DatabaseOption, out, run_async, settings_from

app = typer.Typer(help="Anonymised participation statistics.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"


@app.command()
def campaign(
    campaign_id: Annotated[str, typer.Argument(metavar="ID")],
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Reach, respondents, response rate, answers per option, reminders, training."""

    async def work() -> CampaignFigures:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            return await campaign_figures(
                core.database, campaign_id, settings.privacy.min_cell, settings.bot.language
            )

    figures = run_async(work)
    if format is Format.json:
        text = json.dumps(figures_to_json(figures), ensure_ascii=False, indent=2)
        if out_file:
            out_file.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return
    if out_file:
        with out_file.open("w", encoding="utf-8") as handle:
            from rich.console import Console

            Console(file=handle, width=100).print(figures_tables(figures))
        return
    out.print(figures_tables(figures))
