"""``animabot neighbourhood list|show ID``: each neighbourhood across platforms."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from ..clock import SystemClock
from ..core import open_core
from ..errors import CampaignError
from ..hub.neighbourhoods import NeighbourhoodPresence, presence
from ..i18n.lazy import lazy as _
from .common import ConfigOption, DatabaseOption, cells, operator, out, run_async, settings_from

app = typer.Typer(help="Neighbourhoods: their groups and rooms on every platform.",
                  no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _load(config: ConfigOption, database: DatabaseOption,
          only: str | None = None) -> list[NeighbourhoodPresence]:
    async def work() -> list[NeighbourhoodPresence]:
        settings = settings_from(config, database)
        who = operator(settings)  # with --commune, its neighbourhoods only
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            found = [hood for hood in await presence(core.stores, only) if who.covers(hood.id)]
            if only is not None and not found:
                raise CampaignError(_("no neighbourhood {id!r}: `animabot neighbourhood list`",
                                      id=only))
            return found

    return run_async(work)


def _table(hoods: list[NeighbourhoodPresence]) -> Table:
    table = Table("id", "name", "platform", "chats", "members", "residents in private")
    for hood in hoods:
        if not hood.platforms:
            table.add_row(*cells(hood.id, hood.name, "—", "0", "0", "0"))
        for platform, place in sorted(hood.platforms.items()):
            table.add_row(*cells(hood.id, hood.name, platform, str(place.chats),
                                str(place.members), str(place.residents_in_private)))
    return table


@app.command("list")
def list_(as_json: JsonOption = False, config: ConfigOption = None,
          database: DatabaseOption = None) -> None:
    """Every neighbourhood (with --commune: its own), with its chats and members per
    platform."""
    hoods = _load(config, database)
    if as_json:
        out.print_json(json.dumps([asdict(hood) for hood in hoods]))
    else:
        out.print(_table(hoods))


@app.command()
def show(neighbourhood_id: Annotated[str, typer.Argument(metavar="ID")],
         as_json: JsonOption = False, config: ConfigOption = None,
         database: DatabaseOption = None) -> None:
    """One neighbourhood across platforms."""
    [hood] = _load(config, database, neighbourhood_id)
    if as_json:
        out.print_json(json.dumps(asdict(hood)))
    else:
        out.print(_table([hood]))
