"""``animabot privacy purge|register``: retention, and the processing-register entry."""

from __future__ import annotations

import typer

from ..clock import SystemClock
from ..config import Settings
from ..config.reports import photo_folder
from ..core import open_core
from ..privacy.register import processing_register
from ..privacy.retention import PurgeReport, ReportPurge, purge, purge_reports
from .common import (
    ConfigOption,
    DatabaseOption,
    out,
    run_async,
    settings_from,
    whole_deployment,
)

app = typer.Typer(help="Residents' data: retention and the processing register.",
                  no_args_is_help=True)


@app.command("purge")
def purge_command(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Aggregate then delete what is older than [privacy] retention_days (the running bot
    also does it every day)."""

    async def work() -> tuple[PurgeReport, ReportPurge, int]:
        settings = settings_from(config, database)
        whole_deployment(settings, "privacy purge")
        clock = SystemClock()
        async with open_core(settings, clock, sends=False) as core:
            days = settings.privacy.retention_days
            report = await purge(core.stores, days, clock.now())
            reports = await purge_reports(
                core.stores, settings.reports.retention_days or days, clock.now(),
                photo_folder(settings.reports, settings.storage))
            return report, reports, days

    report, reports, days = run_async(work)
    out.print(f"retention {days} days: {report.answers_archived} answers aggregated and "
              f"deleted, {report.deliveries_unlinked} private deliveries and "
              f"{report.completions_unlinked} training records unlinked, "
              f"{report.events_forgotten} event ids forgotten; "
              f"{reports.reports_emptied} closed problem reports emptied of their text and "
              f"photo, {reports.drafts_dropped} unfinished ones dropped, "
              f"{reports.photos_deleted} photo files deleted")


@app.command()
def register(config: ConfigOption = None) -> None:
    """Print the processing-register entry for the data protection officer (in French)."""

    async def load() -> Settings:
        return settings_from(config)

    print(processing_register(run_async(load)), end="")
