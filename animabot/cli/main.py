"""``animabot``: the entry point. Each sub-command lives in its own module."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, ClassVar

import typer

from .. import __version__
from .common import (
    COMMUNE_VARIABLE,
    ConfigOption,
    DatabaseOption,
    choose_commune,
    out,
    run_async,
    settings_from,
    setup_logging,
    whole_deployment,
)
from .lazy import Lazy, LazyGroup


class AnimabotCommands(LazyGroup):
    # Each group's module (and what it imports) loads when that group runs; the help line is
    # kept here so that `animabot --help` imports none of them (a test checks they agree).
    lazy: ClassVar[Mapping[str, Lazy]] = {
        "report": Lazy("animabot.cli.report_cmd:report",
                       "Write the evaluation of a campaign (objectives, means, actions, results,"
                       " effects) as one self-contained HTML file in French, printable to PDF."),
        "scenario": Lazy("animabot.cli.scenario_cmd:app",
                         "Check scenario files and preview when their messages will be sent."),
        "campaign": Lazy("animabot.cli.campaign_cmd:app",
                         "Start, list, show and cancel campaigns."),
        "stats": Lazy("animabot.cli.stats_cmd:app", "Anonymised participation statistics."),
        "web": Lazy("animabot.cli.web_cmd:app",
                    "The dashboard and back-office: anonymised figures for agents, accounts for "
                    "facilitators and administrators."),
        "db": Lazy("animabot.cli.db_cmd:app", "The database: copy a deployment to PostgreSQL."),
        "privacy": Lazy("animabot.cli.privacy_cmd:app",
                        "Residents' data: retention and the processing register."),
        "answers": Lazy("animabot.cli.answers_cmd:app",
                        "Answers from paper and public meetings: record, list, remove."),
        "ideas": Lazy("animabot.cli.ideas_cmd:app",
                      "Residents' ideas: list, accept or reject, turn into a consultation."),
        "reports": Lazy("animabot.cli.reports_cmd:app",
                        "Problem reports (signalements): list, move their status, export, "
                        "figures."),
        "actors": Lazy("animabot.cli.actors_cmd:app",
                       "The directory of local actors (associations, shops, public services)."),
        "residents": Lazy("animabot.cli.residents_cmd:app",
                          "Residents reached one by one (e-mail, SMS): the address book."),
        "users": Lazy("animabot.cli.users_cmd:app",
                      "Back-office accounts: add, list, change a password, disable, remove."),
        "audit": Lazy("animabot.cli.audit_cmd:app",
                      "The audit log: who did what in the back-office, and when."),
        "poster": Lazy("animabot.cli.poster_cmd:poster",
                       "Make a neighbourhood's A4 poster: what residents can do, and a QR code "
                       "to its sign-up page under [web] public_url."),
        "neighbourhood": Lazy("animabot.cli.neighbourhood_cmd:app",
                              "Neighbourhoods: their groups and rooms on every platform."),
    }


app = typer.Typer(
    help="animabot: polls, announcements and micro-trainings for neighbourhoods, in the "
    "messaging apps residents already use.",
    no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
    cls=AnimabotCommands,
)
config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
for point in entry_points(group="animabot.commands"):  # commands that adapters bring
    with contextlib.suppress(ImportError):  # that adapter's extra is not installed
        app.add_typer(point.load(), name=point.name)
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")]


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
    commune: Annotated[str | None, typer.Option(
        "--commune", envvar=COMMUNE_VARIABLE, metavar="ID",
        help="Act as this commune of [communes] (or intercommunal body): every command sees "
        "and changes only its neighbourhoods (default: the whole deployment).")] = None,
) -> None:
    choose_commune(commune)
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
    out.print(f"\n{result.deliveries_sent} messages envoyés (étapes et réponses du bot), "
              f"{result.resident_actions} actions d'habitants. "
              f"Résultats (cases < {result.figures.min_cell} masquées) :\n")
    out.print(figures_tables(result.figures))
    if database is not None:
        out.print(f"\nBase conservée : {database} — essayez "
                  f"`animabot stats campaign {result.campaign_id} --database {database}`",
                  markup=False)


@app.command()
def run(
    config: ConfigOption = None, database: DatabaseOption = None, verbose: Verbose = False
) -> None:
    """Run the bot: enabled adapters, scheduler and worker, until Ctrl-C or SIGTERM."""
    from ..app import run_bot
    from ..web.public.app import public_face

    setup_logging(verbose, logging.INFO)
    settings = settings_from(config, database)
    whole_deployment(settings, "animabot run")
    run_async(lambda: run_bot(settings, faces=(public_face,)))


@config_app.command("check")
def config_check(config: ConfigOption = None) -> None:
    """List every problem of the configuration at once, with its key path."""
    from ..config import Settings, settings_summary
    from ..i18n import translator

    async def load() -> Settings:
        return settings_from(config)

    settings = run_async(load)
    _ = translator(settings.bot.language)
    labels = {"database": _("database"), "timezone": _("time zone"),
              "sending window": _("sending window"), "adapters": _("platforms"),
              "neighbourhoods": _("neighbourhoods")}
    out.print(_("configuration OK"))
    for key, value in settings_summary(settings).items():
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        if key == "sending window" and shown == "always":
            shown = _("always")
        out.print("  " + _("{key}: {value}").format(key=labels.get(key, key),
                                                     value=shown or _("none")), markup=False)


def main() -> None:
    import sys

    from .hoisting import hoist_commune

    app(args=hoist_commune(sys.argv[1:]), prog_name="animabot")


if __name__ == "__main__":
    main()
