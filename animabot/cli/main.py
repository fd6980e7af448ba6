"""``animabot``: the entry point. Each sub-command lives in its own module."""

from __future__ import annotations

import contextlib
import logging
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from . import (
    actors_cmd,
    campaign_cmd,
    ideas_cmd,
    neighbourhood_cmd,
    privacy_cmd,
    report_cmd,
    scenario_cmd,
    stats_cmd,
    web_cmd,
)
from .common import ConfigOption, DatabaseOption, out, run_async, settings_from, setup_logging

app = typer.Typer(
    help="animabot: polls, announcements and micro-trainings for neighbourhoods, in the "
    "messaging apps residents already use.",
    no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
)
config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(scenario_cmd.app, name="scenario")
app.add_typer(campaign_cmd.app, name="campaign")
app.add_typer(stats_cmd.app, name="stats")
app.command("report")(report_cmd.report)
app.add_typer(web_cmd.app, name="web")
app.add_typer(privacy_cmd.app, name="privacy")
app.add_typer(ideas_cmd.app, name="ideas")
app.add_typer(actors_cmd.app, name="actors")
app.add_typer(neighbourhood_cmd.app, name="neighbourhood")
for point in entry_points(group="animabot.commands"):  # commands that adapters bring
    with contextlib.suppress(ImportError):  # that adapter's extra is not installed
        app.add_typer(point.load(), name=point.name)
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")]



@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        out.print(f"animabot {__version__}")
        raise typer.Exit()


@app.command()
def demo(
    residents: Annotated[int, typer.Option(min=2, max=2000, help="Simulated residents.")] = 40,
    seed: Annotated[int, typer.Option(help="Same seed, same demo.")] = 1,
    database: DatabaseOption = None,
    scenario: Annotated[Path | None, typer.Option(help="Another scenario file to play.")] = None,
    verbose: Verbose = False,
) -> None:
    """Play a whole campaign on a simulated neighbourhood, a week in seconds."""
    from rich.progress import BarColumn, Progress, TextColumn

    from ..campaigns.render import local_time
    from ..demo.runner import DEMO_START, run_demo
    from ..scenario.preview import entry_words
    from ..scenario.timeline import TimelineEntry
    from ..stats.tables import figures_tables

    setup_logging(verbose)
    out.print(f"[b]animabot demo[/b]: {residents} habitants simulés, 2 quartiers, graine {seed}")
    out.print(f"Campagne démarrée le {local_time(DEMO_START, 'Europe/Paris', 'fr')} "
              "(horloge accélérée, plage d'envoi 09:00–20:00, pas le dimanche)\n")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=out,
        transient=True,
    ) as progress:
        task = progress.add_task("semaine simulée", total=None)

        def on_entry(entry: TimelineEntry, sent: int) -> None:
            when = local_time(entry.due_at, "Europe/Paris", "fr")
            kind, part = entry_words(entry.kind, entry.part)
            # The messages of this step only; 0 or 1 take the singular in French.
            said = f"{sent} message envoyé" if sent < 2 else f"{sent} messages envoyés"
            progress.console.print(f"  {when}  {entry.step_id:<12} {kind:<10} {part:<10} ({said})")
            progress.advance(task)

        result = run_async(lambda: run_demo(residents, seed, database, scenario, on_entry))
    out.print(f"\n{result.deliveries_sent} messages envoyés, {result.resident_actions} actions "
              f"d'habitants. Résultats (cases < {result.figures.min_cell} masquées) :\n")
    out.print(figures_tables(result.figures))
    if database is not None:
        out.print(f"\nBase conservée : {database} — essayez "
                  f"`animabot stats campaign {result.campaign_id} --database {database}`")


@app.command()
def run(
    config: ConfigOption = None, database: DatabaseOption = None, verbose: Verbose = False
) -> None:
    """Run the bot: enabled adapters, scheduler and worker, until Ctrl-C or SIGTERM."""
    from ..app import run_bot

    setup_logging(verbose, logging.INFO)
    run_async(lambda: run_bot(settings_from(config, database)))


@config_app.command("check")
def config_check(config: ConfigOption = None) -> None:
    """List every problem of the configuration at once, with its key path."""
    from ..config import Settings, settings_summary

    async def load() -> Settings:
        return settings_from(config)

    settings = run_async(load)
    out.print("configuration OK")
    for key, value in settings_summary(settings).items():
        out.print(f"  {key}: {value}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
