"""``animabot actors import|list|export|search``: the directory of local actors, kept by
facilitators in a spreadsheet and imported as CSV.

``import`` keeps going past faulty rows: the valid ones are saved (in one transaction), every
refused one is listed as ``line N: reason`` with its fix, and the exit code is 1 so that a
script notices.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from ..clock import SystemClock
from ..config.communes import owns_row
from ..core import Core, open_core
from ..directory.csv_import import (
    ParsedFile,
    Rejected,
    actors_to_csv,
    parse_actors,
    read_csv_text,
)
from ..directory.search import rank
from ..domain.access import Principal
from ..domain.actor import Actor
from ..store.actors import ActorRepository, Saved
from .common import (
    ConfigOption,
    DatabaseOption,
    cells,
    err,
    fail,
    operator,
    out,
    run_async,
    settings_from,
)

app = typer.Typer(help="The directory of local actors (associations, shops, public services).",
                  no_args_is_help=True)
T = TypeVar("T")


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def _with_core(config: Path | None, database: Path | None,
               work: Callable[[Core, Principal], Awaitable[T]], *, writes: bool = True) -> T:
    """``work`` with the core and who runs the command (with --commune: that commune)."""
    async def run() -> T:
        settings = settings_from(config, database)
        async with open_core(settings, SystemClock(), sends=False, writes=writes) as core:
            return await work(core, operator(settings))

    return run_async(run)


async def _directory(core: Core, who: Principal,
                     neighbourhood: str | None = None) -> list[Actor]:
    """The actors ``who`` reaches: with --commune, those of its neighbourhoods (an actor of
    no neighbourhood is the whole deployment's)."""
    return [actor for actor in await ActorRepository(core.database).all(neighbourhood)
            if owns_row(core.settings, who, actor.neighbourhood_id)]


async def _hoods(core: Core, who: Principal) -> dict[str, str]:
    return who.covered(await core.services.chats.neighbourhoods())


def actor_json(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "name": actor.name, "kind": actor.kind, "tags": list(actor.tags),
            "neighbourhood": actor.neighbourhood_id, "contact": actor.contact,
            "description": actor.description}


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (; or , separated, UTF-8).",
                                         metavar="FILE.csv")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Add or update (by id) the actors of a CSV file; list the rows refused, with the fix.
    With --commune, a row must name one of its neighbourhoods, and may not change another
    commune's actor."""

    async def work(core: Core, who: Principal) -> tuple[ParsedFile, Saved]:
        text = read_csv_text(file)
        hoods = await _hoods(core, who)
        parsed = parse_actors(text, hoods, str(file))  # another commune's: unknown here
        if who.commune is not None:
            parsed = await _within_commune(core, who, parsed)
        saved = await ActorRepository(core.database).save_all(parsed.actors, core.clock.now())
        return parsed, saved

    parsed, saved = _with_core(config, database, work)
    out.print(f"{len(parsed.actors)} actor(s) imported from {file}: {saved.created} new, "
              f"{saved.updated} updated", markup=False)
    if parsed.ignored_columns:
        out.print(f"column(s) ignored: {', '.join(parsed.ignored_columns)}", markup=False)
    for rejected in parsed.rejected:
        err.print(str(rejected), markup=False)
    if parsed.rejected:
        fail(f"{len(parsed.rejected)} row(s) rejected: fix them in {file} and import it "
             "again (the other rows are already imported)")


@app.command("list")
def list_command(
    neighbourhood: Annotated[str | None, typer.Option(
        "--neighbourhood", help="Only this neighbourhood's actors (its id).")] = None,
    format: Annotated[ListFormat, typer.Option("--format", help="table, json or csv")]
    = ListFormat.table,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """The actors of the directory, by name."""

    async def work(core: Core, who: Principal) -> tuple[list[Actor], dict[str, str]]:
        hoods = await _hoods(core, who)
        if neighbourhood is not None and neighbourhood not in hoods:
            fail(f"unknown neighbourhood {neighbourhood!r}; known: "
                 f"{', '.join(hoods) or 'none'}")
        return await _directory(core, who, neighbourhood), hoods

    actors, hoods = _with_core(config, database, work, writes=False)
    if format is ListFormat.json:
        print(json.dumps([actor_json(a) for a in actors], ensure_ascii=False, indent=2))
    elif format is ListFormat.csv:
        print(actors_to_csv(actors), end="")
    else:
        out.print(_table(actors, hoods))


@app.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", help="csv or json")]
    = ExportFormat.csv,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file.",
                                                  dir_okay=False)] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """The whole directory, as a CSV that `actors import` reads back identically, or JSON."""

    async def work(core: Core, who: Principal) -> list[Actor]:
        return await _directory(core, who)

    actors = _with_core(config, database, work, writes=False)
    text = (actors_to_csv(actors) if format is ExportFormat.csv
            else json.dumps([actor_json(a) for a in actors], ensure_ascii=False, indent=2) + "\n")
    if out_file is None:
        print(text, end="")
        return
    # A BOM lets Excel open the accents of a UTF-8 CSV correctly; import skips it.
    out_file.write_text(text, encoding="utf-8-sig" if format is ExportFormat.csv else "utf-8")
    out.print(f"{len(actors)} actor(s) written to {out_file}", markup=False)


@app.command()
def search(
    words: Annotated[list[str], typer.Argument(help="What a resident would type.",
                                               metavar="WORD...")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """The actors `/annuaire` would show for these words, best first, with their score."""

    async def work(core: Core, who: Principal) -> tuple[list[Actor], dict[str, str]]:
        return await _directory(core, who), await _hoods(core, who)

    actors, hoods = _with_core(config, database, work, writes=False)
    hits = rank(" ".join(words), actors)
    if not hits:
        out.print(f"no actor matches {' '.join(words)!r}", markup=False)
        return
    out.print(_table([h.actor for h in hits], hoods, [h.score for h in hits]))


async def _within_commune(core: Core, who: Principal, parsed: ParsedFile) -> ParsedFile:
    """``parsed`` with the rows beyond ``who``'s commune refused, by line: a row of another
    commune's neighbourhood (or of none), or one whose id is another commune's actor."""
    repository = ActorRepository(core.database)
    kept = ParsedFile(delimiter=parsed.delimiter, rejected=list(parsed.rejected),
                      ignored_columns=parsed.ignored_columns)
    for actor, line in zip(parsed.actors, parsed.lines, strict=True):
        existing = await repository.get(actor.id)
        if not owns_row(core.settings, who, actor.neighbourhood_id):
            kept.rejected.append(Rejected(line, (
                f"neighbourhood {actor.neighbourhood_id or '(none)'!r} is not in commune "
                f"{who.commune}: name one of its neighbourhoods, or import without "
                "--commune",)))
        elif existing is not None and not owns_row(core.settings, who, existing.neighbourhood_id):
            kept.rejected.append(Rejected(line, (
                f"the id {actor.id!r} is already another commune's actor: give this one "
                "its own id",)))
        else:
            kept.actors.append(actor)
            kept.lines.append(line)
    kept.rejected.sort(key=lambda rejected: rejected.line)
    return kept


def _table(actors: list[Actor], hoods: dict[str, str],
           scores: list[float] | None = None) -> Table:
    table = Table()
    table.add_column("id", overflow="fold")  # ids are what scenarios quote: never cut them
    for title in ("name", "kind", "neighbourhood", "contact", "tags"):
        table.add_column(title)
    if scores is not None:
        table.add_column("score", justify="right")
    for index, actor in enumerate(actors):
        row = [actor.id, actor.name, actor.kind, hoods.get(actor.neighbourhood_id or "", ""),
               actor.contact, ", ".join(actor.tags)]
        if scores is not None:
            row.append(f"{scores[index]:g}")
        table.add_row(*cells(*row))
    return table
