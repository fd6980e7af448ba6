"""``animabot scenario check|preview``: a facilitator's round trip on a scenario file.

Every fault is printed as ``file:line: field: message`` with its fix, never as a traceback,
and the exit code says whether the files are usable (0) or not (1). Both speak the configured
``[bot] language`` (French by default), as the bot does.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console

from ..campaigns import when
from ..campaigns.costs import active_residents, channel_costs, cost_lines
from ..config import Settings, load_settings
from ..config.communes import expand_targets
from ..errors import AnimabotError, ConfigError, Problem, ScenarioError, StorageError
from ..i18n import DEFAULT_LANGUAGE, Translate, counts, translator
from ..scenario.loader import load_scenario, locate_in_file, unknown_actors
from ..scenario.preview import render_preview, render_preview_text
from ..store.actors import ActorRepository
from ..store.address_book import AddressBook
from ..store.database import open_database
from .common import ConfigOption, config_path, operator
from .scope import refuse_outside

app = typer.Typer(
    help="Check scenario files and preview when their messages will be sent.",
    no_args_is_help=True,
)

NARROW = 110  # below this many columns the table is unreadable: print plain lines
_START_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M", "%d/%m/%Y")


def _print_problems(problems: list[Problem], _: Translate) -> None:
    for problem in problems:
        typer.echo(problem.render(_), err=True)


def _language(config: Path | None) -> str:
    """The configured language; a faulty configuration's own guess (French by default)."""
    try:
        return _settings(config).bot.language
    except ConfigError as exc:
        return exc.language or DEFAULT_LANGUAGE


@app.command()
def check(
    files: Annotated[
        list[Path], typer.Argument(
            help="Scenario files (.toml) to check.", show_default=False, metavar="FILES..."
        )
    ],
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Configuration file (default: ./config.toml if "
                     "it exists): its database's actors are checked.", dir_okay=False),
    ] = None,
    database: Annotated[
        Path | None,
        typer.Option("--database", help="Check actor references against this database.",
                     dir_okay=False),
    ] = None,
) -> None:
    """Check scenario files: print OK with a summary, or every problem with its fix.

    Steps naming an actor are checked against the directory when there is a database (given,
    or configured and existing); without one, actor ids are not checked."""
    failed = False
    language = _language(config)
    _ = translator(language)
    known = _known_actors(config, database, _)
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            failed = True
            _print_problems(exc.problems, _)
            continue
        if known is not None and (unknown := unknown_actors(scenario, known, str(path))):
            failed = True
            _print_problems(locate_in_file(unknown, path), _)
            continue
        typer.echo(_("OK {path}: {steps}, {title}").format(
            path=path, steps=counts.steps(language, len(scenario.steps)), title=scenario.title))
    if failed:
        raise typer.Exit(1)


def _known_actors(config: Path | None, database: Path | None, _: Translate) -> list[str] | None:
    """The directory's actor ids, or None when there is no database to check against."""
    where: Path | str
    password = None
    if database is None:
        try:
            settings = _settings(config)
        except ConfigError as exc:
            _print_problems(exc.problems, _)
            raise typer.Exit(1) from None
        storage = settings.storage
        where = storage.target()
        password = settings.secret(storage.password, storage.password_file)
        if isinstance(where, Path) and not where.is_file():
            return None
    elif not database.is_file():
        typer.echo(_("note: {database} does not exist: actor ids are not checked").format(
            database=database), err=True)
        return None
    else:
        where = database

    async def read() -> list[str]:
        async with open_database(where, password=password) as opened:
            return await ActorRepository(opened).ids()

    try:
        return asyncio.run(read())
    except StorageError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(1) from None


@app.command()
def preview(
    file: Annotated[Path, typer.Argument(help="The scenario file (.toml).", metavar="FILE")],
    start: Annotated[
        str,
        typer.Option(
            help='Campaign start, local time: "2026-12-01 18:00", "01/12/2026 18:00" or "now".',
            show_default=False,
        ),
    ],
    config: ConfigOption = None,
    timezone: Annotated[
        str | None, typer.Option(help="Time zone, e.g. Europe/Paris (default: the config's).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="fr or en (default: the config's bot.language).")
    ] = None,
    plain: Annotated[
        bool, typer.Option(help="Plain lines instead of a table (automatic when narrow).")
    ] = False,
    to: Annotated[
        str | None, typer.Option(
            "--to", help="Neighbourhood ids, comma-separated: count the SMS their residents "
            "would receive (from the database's address book); a commune's id stands for its "
            "neighbourhoods.")
    ] = None,
) -> None:
    """Show when each message of a scenario would be sent, after the sending window, and
    how many SMS it would send."""
    _ = translator(language or DEFAULT_LANGUAGE)
    try:
        settings = _settings(config)
        _ = translator(language or settings.bot.language)
        operator(settings)  # an unknown --commune is told, with --to or not
        zone = _zone(timezone or settings.bot.timezone, _)
        window = dataclasses.replace(settings.window(), zone=zone)
        scenario = load_scenario(file)
        console = Console()
        render = render_preview_text if plain or console.width < NARROW else render_preview
        when = parse_start(start, zone)
        shown = render(scenario, when, window, language or settings.bot.language)
        residents = _residents(settings, _targets(settings, to)) if to else None
        costs = channel_costs(settings, scenario, when, window, residents)
    except ConfigError as exc:
        _print_problems(exc.problems, translator(language or exc.language))
        raise typer.Exit(1) from None
    except ScenarioError as exc:
        # Faults that only this start date reveals come from the timeline, without a line.
        _print_problems(locate_in_file(exc.problems, file), _)
        raise typer.Exit(1) from None
    except StorageError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(1) from None
    except AnimabotError as exc:  # --to beyond the commune the command runs as, or unknown
        typer.echo(_("error: {reason}").format(reason=exc.told(language or settings.bot.language)),
                   err=True)
        raise typer.Exit(1) from None
    if isinstance(shown, str):
        typer.echo(shown)
    else:
        console.print(shown)
    for line in cost_lines(costs, language or settings.bot.language):
        typer.echo(line)


def _targets(settings: Settings, to: str) -> list[str]:
    """``--to`` as neighbourhood ids (a commune's id: its neighbourhoods), each within the
    commune the command runs as."""
    targets = expand_targets(settings, to.split(","))
    refuse_outside(operator(settings), targets)
    return targets


def _residents(settings: Settings, neighbourhoods: list[str]) -> dict[str, int]:
    """Active residents reached one by one, per channel, in ``neighbourhoods`` (none
    without a database)."""
    storage = settings.storage
    where = storage.target()
    if isinstance(where, Path) and not where.is_file():
        return {}
    password = settings.secret(storage.password, storage.password_file)

    async def read() -> dict[str, int]:
        async with open_database(where, password=password, read_only=True) as opened:
            return await active_residents(AddressBook(opened), neighbourhoods)

    return asyncio.run(read())


def _settings(config: Path | None) -> Settings:
    """-c, else $ANIMABOT_CONFIG, else ./config.toml if it exists: as every command."""
    return load_settings(config_path(config))


def _zone(name: str, _: Translate) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder, not a zone
        raise ConfigError([Problem(
            "--timezone", "", _("{name!r} is not a time zone").format(name=name),
            _('write an IANA name such as "Europe/Paris"'),
        )]) from None


def parse_start(text: str, zone: ZoneInfo) -> datetime:
    """A start date as a facilitator types it, read as local time in ``zone`` (UTC result)."""
    try:
        return when.parse_start(text, zone, datetime.now(UTC).replace(second=0, microsecond=0))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--start") from None


if __name__ == "__main__":
    app()
