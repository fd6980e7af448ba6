"""What every command shares: finding the config, opening the core, printing errors."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from ..campaigns import when
from ..config import DEFAULT_CONFIG, Settings, load_settings
from ..config.communes import scope_principal
from ..domain.access import Origin, Principal, Role
from ..errors import AnimabotError
from ..i18n import Translate, translator
from ..i18n.lazy import lazy as _
from ..i18n.lazy import render
from ..redaction import hold_platform_loggers

T = TypeVar("T")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Configuration file (default: $ANIMABOT_CONFIG or ./config.toml).",
        dir_okay=False,
    ),
]
DatabaseOption = Annotated[
    Path | None,
    typer.Option("--database", help="SQLite file to use, overriding [storage] database and url.",
                 dir_okay=False),
]


def cells(*values: str) -> list[str]:
    """Table cells holding data (a resident's text, a typed username), escaped so that square
    brackets in them are shown as written, never read as rich markup."""
    return [escape(value) for value in values]


def config_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    if os.environ.get("ANIMABOT_CONFIG"):
        return Path(os.environ["ANIMABOT_CONFIG"])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


# The language errors are told in: the configuration's, once a command has read it (one
# command per process, so a module value is enough); as written (English) until then.
_configured_language: str | None = None


def settings_from(config: Path | None, database: Path | None = None) -> Settings:
    """The configuration, and the commune this command runs as checked against it: a fault
    in either ends the command with its clear message (exit code 1), wherever it is read."""
    global _configured_language
    try:
        settings = load_settings(config_path(config), database=database)
        _configured_language = settings.bot.language
        operator(settings)
    except AnimabotError as exc:
        if exc.language is None:
            exc.language = _configured_language
        fail(str(exc), exc.language)
    return settings


# The commune this command runs as: ``--commune`` or $ANIMABOT_COMMUNE, given to the main
# callback (one command per process). A group run on its own (tests) reads the environment.
_chosen: tuple[str | None] | None = None
COMMUNE_VARIABLE = "ANIMABOT_COMMUNE"


def choose_commune(commune: str | None) -> None:
    """Called by the main callback with ``--commune`` (or the variable), None without."""
    global _chosen
    _chosen = ((commune or "").strip() or None,)


def chosen_commune() -> str | None:
    if _chosen is not None:
        return _chosen[0]
    return os.environ.get(COMMUNE_VARIABLE, "").strip() or None


def operator(settings: Settings) -> Principal:
    """Who runs this command, as the back-office's rule sees them: an administrator of the
    whole deployment, or, with ``--commune``, of that commune only. Every command holds what
    it reads and changes to this principal's ``covers``/``may`` (the web's very rule), so a
    commune's operator never reaches another commune's campaigns, residents or figures, and
    an intercommunal body's reaches all of its communes'."""
    commune = chosen_commune()
    if commune is not None and commune not in settings.communes:
        known = ", ".join(sorted(settings.communes))
        raise AnimabotError(
            _("--commune {id!r}: no such commune; known: {known}", id=commune, known=known)
            if known else
            _("--commune {id!r}: the configuration has no [communes]; run the command "
              "without --commune (or unset ANIMABOT_COMMUNE)", id=commune))
    return scope_principal(settings, Principal("cli", Role.ADMINISTRATOR, Origin.CLI,
                                               commune=commune))


def whole_deployment(settings: Settings, what: str) -> None:
    """Refuse a command that can only act for the whole deployment when run as a commune."""
    commune = chosen_commune()
    if commune is not None:
        language = settings.bot.language
        fail(render(_("{what} acts for the whole deployment, every commune: run it without "
                      "--commune (or unset ANIMABOT_COMMUNE)", what=what),
                    translator(language)), language)


def setup_logging(verbose: bool, default: int = logging.WARNING) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else default,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Platform libraries print whole updates (ids, names, usernames) at DEBUG, and httpx
    # prints token-bearing URLs at INFO: held, even with --verbose (see animabot.redaction).
    hold_platform_loggers()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if default >= logging.WARNING:
        # A one-shot command ends on a storage fault with its own clear error (run_async):
        # not twice. Long-running ones (run, web: INFO) log it, once while it lasts.
        logging.getLogger("animabot.store.faults").setLevel(logging.CRITICAL)


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine; our errors become a clear message and exit code 1, never a traceback."""
    try:
        return asyncio.run(work())
    except AnimabotError as exc:
        if exc.language is None:
            exc.language = _configured_language
        fail(str(exc), exc.language)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def fail(message: str, language: str | None = None) -> NoReturn:
    """``error: message`` on stderr, the label in ``language`` when the message speaks it."""
    _ = translator(language) if language else str
    label = _("error:")
    err.print(f"[bold red]{label}[/bold red] ", end="", markup=True, highlight=False)
    err.print(message, markup=False, highlight=False)  # "[web]" in a message is text
    raise typer.Exit(1)


@contextmanager
def told_in(language: str) -> Iterator[None]:
    """Problems raised inside (a scenario's, say) are told in ``language`` by run_async,
    unless they already know theirs (a configuration's own [bot] language)."""
    try:
        yield
    except AnimabotError as exc:
        if exc.language is None:
            exc.language = language
        raise


def parse_local_time(text: str, timezone: str, now: datetime) -> datetime:
    """``"now"`` or ``"2026-12-01 18:00"`` (local time in ``timezone``) → aware UTC."""
    try:
        return when.parse_start(text, ZoneInfo(timezone), now)
    except ValueError as exc:
        raise AnimabotError(exc.args[0] if exc.args else str(exc)) from None  # kept lazy


@dataclass(frozen=True)
class Voice:
    """How facilitator output speaks: the configured language ([bot] language, French by
    default) and the configured time zone. ``--json`` output stays in UTC ISO for scripts."""

    language: str
    zone: ZoneInfo
    _: Translate

    @classmethod
    def of(cls, settings: Settings) -> Voice:
        language = settings.bot.language
        return cls(language, ZoneInfo(settings.bot.timezone), translator(language))

    def time(self, moment: datetime) -> str:
        """``2026-12-01 18:00``, local time."""
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M}"
