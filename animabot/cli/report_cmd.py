"""``animabot report ID``: the campaign's evaluation report, one HTML file to mail or print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..campaigns.lookup import resolve_campaign_id
from ..clock import SystemClock
from ..core import open_core
from ..store.campaigns import CampaignRepository
from .common import ConfigOption, DatabaseOption, operator, out, run_async, settings_from


def report(
    campaign_id: Annotated[str, typer.Argument(
        metavar="ID", help="A campaign id, or any unique beginning of it.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: rapport-ID.html).", dir_okay=False)] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write the evaluation of a campaign (objectives, means, actions, results, effects) as
    one self-contained HTML file in French, printable to PDF."""
    from ..report.build import build_report  # matplotlib and Jinja load only when asked

    async def work() -> tuple[str, str]:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            full_id = await resolve_campaign_id(CampaignRepository(core.database), campaign_id,
                                                operator(settings))
            return full_id, await build_report(
                core.stores, full_id, settings.privacy.min_cell, settings.bot.language,
                timezone=settings.bot.timezone,
            )

    full_id, html = run_async(work)
    target = out_file or Path(f"rapport-{full_id}.html")
    target.write_text(html, encoding="utf-8")
    out.print(str(target), highlight=False)
