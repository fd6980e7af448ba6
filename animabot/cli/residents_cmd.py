"""``animabot residents import FILE.csv``: the lists a town hall already holds (newsletter,
SMS alerts), with consent, added to the address book.

As ``actors import``: the valid rows are saved (in one transaction), every refused one is
listed as ``line N: reason`` and the exit code is 1. Importing the same file again changes
nothing; an address that unsubscribed or was found unreachable is never brought back.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ..clock import SystemClock
from ..core import open_core
from ..directory.csv_import import read_csv_text
from ..directory.residents_csv import COLUMNS_HINT, ParsedResidents, parse_residents
from ..store.address_book import AddressBook, Enrolled, Enrolment
from .common import (
    ConfigOption,
    DatabaseOption,
    err,
    fail,
    operator,
    out,
    run_async,
    settings_from,
)

app = typer.Typer(help="Residents reached one by one (e-mail, SMS): the address book.",
                  no_args_is_help=True)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (; or , separated, UTF-8).",
                                         metavar="FILE.csv")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Add the residents of a CSV file (email or phone, neighbourhood, language,
    consent_at); list the rows refused, with the fix. With --commune, a row of another
    commune's neighbourhood is refused."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def run() -> tuple[ParsedResidents, Counter[Enrolled]]:
        async with open_core(settings, SystemClock()) as core:
            text = read_csv_text(file, COLUMNS_HINT)
            # As a commune, only its neighbourhoods are known: a row of another's is an
            # unknown one, and the fix names the commune's own, never another's.
            hoods = who.covered(await core.services.chats.neighbourhoods())
            parsed = parse_residents(text, hoods, ZoneInfo(settings.bot.timezone),
                                     core.clock.now(), str(file))
            entries = [Enrolment(core.pseudonymize(row.kind, row.address), row.kind,
                                 row.address, row.neighbourhood_id, row.language,
                                 row.consent_at) for row in parsed.rows]
            outcomes = await AddressBook(core.database).enrol_all(entries, core.clock.now())
            return parsed, Counter(outcomes)

    parsed, counts = run_async(run)
    out.print(f"{parsed.residents} resident(s) read from {file}: "
              f"{counts[Enrolled.ADDED]} new, {counts[Enrolled.UPDATED]} updated, "
              f"{counts[Enrolled.UNCHANGED]} unchanged, {counts[Enrolled.KEPT_OUT]} kept out "
              "(unsubscribed or unreachable)", markup=False)
    if parsed.ignored_columns:
        out.print(f"column(s) ignored: {', '.join(parsed.ignored_columns)}", markup=False)
    for rejected in parsed.rejected:
        err.print(str(rejected), markup=False)
    if parsed.rejected:
        fail(f"{len(parsed.rejected)} row(s) rejected: fix them in {file} and import it "
             "again (the other rows are already imported)")
