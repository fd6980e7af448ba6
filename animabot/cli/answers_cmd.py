"""``animabot answers record|list|remove``: answers collected on paper or at a public
meeting, entered as counts per neighbourhood and option. They show in the statistics as the
channel « papier » and count in the totals, suppressed like every figure."""

from __future__ import annotations

import getpass
import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from ..campaigns.lookup import reaches, resolve_campaign_id
from ..campaigns.paper import PaperEntry, record_paper_answers, remove_paper_answers
from ..clock import SystemClock
from ..core import open_core
from ..errors import CampaignError
from ..store.paper_answers import PaperAnswers
from .common import (
    ConfigOption,
    DatabaseOption,
    Voice,
    cells,
    operator,
    out,
    run_async,
    settings_from,
)

app = typer.Typer(help="Answers from paper and public meetings: record, list, remove.",
                  no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"


def os_user() -> str:
    """Who runs the command, by default who entered the answers."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli"


ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who enters them (default: the system user).")]


@app.command()
def record(
    campaign: Annotated[str, typer.Argument(
        metavar="CAMPAIGN", help="A campaign id, or any unique beginning of it.")],
    step: Annotated[str, typer.Argument(metavar="STEP", help="The poll's step id.")],
    neighbourhood: Annotated[str, typer.Option(
        "--neighbourhood", help="The neighbourhood the answers come from (its id).")],
    option: Annotated[int, typer.Option(
        "--option", help="The option chosen, counted from 1 as residents see them.")],
    count: Annotated[int, typer.Option("--count", help="How many people chose it.")],
    source: Annotated[str, typer.Option(
        "--source", help='Where they were collected, e.g. "réunion du 12/03".')],
    by: ByOption = None,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Record answers to a poll collected on paper or at a public meeting."""
    settings = settings_from(config, database)
    who = operator(settings)
    name = by if by is not None else os_user()

    async def work() -> PaperAnswers:
        clock = SystemClock()
        async with open_core(settings, clock, sends=False) as core:
            # With --commune, only its campaigns (so only its neighbourhoods) are found.
            full_id = await resolve_campaign_id(core.stores.campaigns, campaign, who)
            entry = PaperEntry(full_id, step, neighbourhood, option, count, source, name)
            return await record_paper_answers(core.stores, entry, clock.now(),
                                              f"cli:{name.strip()}")

    saved = run_async(work)
    out.print(f"entry {saved.id}: {saved.count} answer(s) to option {saved.choice + 1} of "
              f"{saved.step_id} in {saved.neighbourhood_id} ({saved.source}), entered by "
              f"{saved.entered_by}; campaign {saved.campaign_id}", markup=False, highlight=False)


def _json(entry: PaperAnswers) -> dict[str, object]:
    return {"id": entry.id, "campaign": entry.campaign_id, "step": entry.step_id,
            "neighbourhood": entry.neighbourhood_id, "option": entry.choice + 1,
            "count": entry.count, "source": entry.source, "entered_by": entry.entered_by,
            "entered_at": entry.entered_at.isoformat()}


@app.command("list")
def list_(
    campaign: Annotated[str, typer.Argument(
        metavar="CAMPAIGN", help="A campaign id, or any unique beginning of it.")],
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """The paper entries of a campaign, in the order they were entered."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> list[PaperAnswers]:
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            full_id = await resolve_campaign_id(core.stores.campaigns, campaign, who)
            return await core.stores.paper.of_campaign(full_id)

    entries = run_async(work)
    if format is Format.json:
        print(json.dumps([_json(e) for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        out.print("no paper answers recorded for this campaign")
        return
    voice = Voice.of(settings)
    table = Table("id", "step", "neighbourhood", "option", "count", "source", "entered by",
                  "entered at")
    for e in entries:
        table.add_row(*cells(str(e.id), e.step_id, e.neighbourhood_id, str(e.choice + 1),
                            str(e.count), e.source, e.entered_by, voice.time(e.entered_at)))
    out.print(table)


@app.command()
def remove(
    entry_id: Annotated[int, typer.Argument(metavar="ENTRY_ID", help="The entry's number.")],
    by: ByOption = None,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Remove a wrong entry (the audit log keeps what it held)."""
    settings = settings_from(config, database)
    who = operator(settings)
    name = by if by is not None else os_user()

    async def work() -> PaperAnswers:
        clock = SystemClock()
        async with open_core(settings, clock, sends=False) as core:
            found = await core.stores.paper.get(entry_id)
            record = await core.stores.campaigns.get(found.campaign_id) if found else None
            if who.commune is not None and (found is None or record is None or not reaches(
                    who, record.targets)):
                raise CampaignError(f"no paper entry {entry_id} in commune {who.commune}: "
                                    f"`animabot --commune {who.commune} answers list CAMPAIGN` "
                                    "shows the entries")
            return await remove_paper_answers(core.stores, entry_id, clock.now(),
                                              f"cli:{name.strip()}")

    gone = run_async(work)
    out.print(f"entry {gone.id} removed: {gone.count} answer(s) to option {gone.choice + 1} of "
              f"{gone.step_id} in {gone.neighbourhood_id} ({gone.source})", markup=False,
              highlight=False)
