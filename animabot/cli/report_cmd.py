"""``animabot report ID``: the campaign's evaluation report, one HTML file to mail or print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..clock import SystemClock
from ..core import open_core
from .common import ConfigOption, DatabaseOption, out, run_async, settings_from


def report(
    campaign_id: Annotated[str, typer.Argument(metavar="ID")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: rapport-ID.html).", dir_okay=False)] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write the evaluation of a campaign (objectives, means, actions, results, effects) as
    one self-contained HTML file in French, printable to PDF."""
    from ..report.build import build_report  # matplotlib and Jinja load only when asked

    async def work() -> str:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False) as core:
            return await build_report(
                core.database, campaign_id, settings.privacy.min_cell, settings.bot.language,
                timezone=settings.bot.timezone,
            )

    html = run_async(work)
    target = out_file or Path(f"rapport-{campaign_id}.html")
    target.write_text(html, encoding="utf-8")
    out.print(str(target), highlight=False)
