"""``animabot ideas list|review|to-scenario``: residents' ideas, moderated from the terminal.

Nothing printed here names an author: ideas are shown with their neighbourhood and date,
and a chat reviewer (a pseudonym) is shown only as ``chat``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypedDict

import typer
from rich.table import Table

from ..campaigns.render import local_time
from ..clock import SystemClock
from ..config import Settings
from ..config.communes import owns_row
from ..core import open_core
from ..domain.access import Principal
from ..errors import AnimabotError
from ..ideas.moderation import Decision, decide_idea
from ..ideas.to_scenario import MAX_OPTIONS, Consultation, consultation
from ..store.ideas import ACCEPTED, IdeaRecord, IdeaRepository
from ..store.timestamps import to_db
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

app = typer.Typer(help="Residents' ideas: list, accept or reject, turn into a consultation.",
                  no_args_is_help=True)
CLI_REVIEWER = "cli:"


class Status(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"
    all = "all"


class Format(StrEnum):
    table = "table"
    json = "json"


class IdeaRow(TypedDict):
    """One idea as ``ideas list`` shows it, also its JSON shape: no author, ever."""

    id: int
    status: str
    neighbourhood: str | None
    neighbourhood_name: str | None
    text: str
    submitted_at: str
    reviewed_at: str | None
    reviewed_by: str | None
    reason: str | None


def _ours(settings: Settings, who: Principal, idea: IdeaRecord) -> bool:
    """Whether the command, run as a commune, reaches this idea: one of its neighbourhoods,
    or of none when its own bot took it."""
    return owns_row(settings, who, idea.neighbourhood_id, idea.platform)


def _reviewed_by(reviewer: str | None) -> str | None:
    """A CLI reviewer chose their name; a chat reviewer is a pseudonym, never printed."""
    if reviewer is None:
        return None
    return reviewer if reviewer.startswith(CLI_REVIEWER) else "chat"


def _row(idea: IdeaRecord, hoods: dict[str, str]) -> IdeaRow:
    return IdeaRow(
        id=idea.id, status=idea.status, neighbourhood=idea.neighbourhood_id,
        neighbourhood_name=hoods.get(idea.neighbourhood_id or ""), text=idea.text,
        submitted_at=to_db(idea.submitted_at),
        reviewed_at=to_db(idea.reviewed_at) if idea.reviewed_at else None,
        reviewed_by=_reviewed_by(idea.reviewer), reason=idea.reason,
    )


@app.command("list")
def list_(
    status: Annotated[Status, typer.Option("--status", help="pending, accepted, rejected or all")]
    = Status.pending,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """List ideas, oldest first, with their neighbourhood and date (never their author);
    with --commune, the ideas of its neighbourhoods."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> tuple[list[IdeaRecord], dict[str, str]]:
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            wanted = None if status is Status.all else status.value
            found = await IdeaRepository(core.database).find(wanted)
            mine = [idea for idea in found if _ours(settings, who, idea)]
            return mine, await core.services.chats.neighbourhoods()

    ideas, hoods = run_async(work)
    if format is Format.json:
        print(json.dumps([_row(i, hoods) for i in ideas], ensure_ascii=False, indent=2))
        return
    if not ideas:
        out.print("no idea" + ("" if status is Status.all else f" {status.value}"))
        return
    zone, language = settings.bot.timezone, settings.bot.language
    table = Table("id", "status", "neighbourhood", "submitted", "reviewed by", "idea")
    for idea in ideas:
        row = _row(idea, hoods)
        text = idea.text + (f"\n(reason: {idea.reason})" if idea.reason else "")
        table.add_row(*cells(str(idea.id), idea.status, row["neighbourhood_name"] or "—",
                            local_time(idea.submitted_at, zone, language),
                            row["reviewed_by"] or "—", text))
    out.print(table)


@app.command()
def review(
    idea_id: Annotated[int, typer.Argument(metavar="ID", help="The idea's number.")],
    name: Annotated[str, typer.Option("--as", help="Your name, kept as the reviewer.")],
    accept: Annotated[bool, typer.Option("--accept", help="Accept the idea.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the idea.")] = False,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why it is rejected (required with --reject): told to its author.")]
    = None,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Accept or reject a pending idea; its author is told in private, by pseudonym, in
    their language (a rejection with its reason)."""
    if accept == reject:
        fail("give exactly one of --accept or --reject")
    if reject and not (reason or "").strip():
        fail('--reject needs --reason "…": its author is told why (in private)')
    if accept and reason is not None:
        fail("--reason goes with --reject: an accepted idea needs none")
    if not name.strip():
        fail("--as needs your name: it is kept as the reviewer")
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> Decision | None:
        clock = SystemClock()
        async with open_core(settings, clock, sends=False) as core:
            idea = await IdeaRepository(core.database).get(idea_id)
            if idea is None or not _ours(settings, who, idea):
                return None  # another commune's idea is not found
            return await decide_idea(core.database, idea_id, accept,
                                     CLI_REVIEWER + name.strip(), clock.now(),
                                     settings.bot.language, reason)

    decision = run_async(work)
    if decision is None and who.commune is not None:
        fail(f"no idea {idea_id} in commune {who.commune}: see "
             f"`animabot --commune {who.commune} ideas list --status all`")
    if decision is None:
        fail(f"no idea {idea_id}: see `animabot ideas list --status all`")
    if not decision.changed:
        fail(f"idea {idea_id} was already {decision.idea.status}: nothing changed")
    told = ("its author will be told in private" if decision.author_told
            else "its author cannot be reached")
    verdict = "accepted" if decision.idea.status == ACCEPTED else "rejected"
    out.print(f"idea {idea_id} {verdict}; {told}")


@app.command("to-scenario")
def to_scenario(
    neighbourhood: Annotated[str | None, typer.Option(
        "--neighbourhood", help="Only the ideas of this neighbourhood (its id).")] = None,
    question: Annotated[str | None, typer.Option(
        "--question", help="The poll's question, in French.")] = None,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Write the scenario to this file (default: print it).",
        dir_okay=False)] = None,
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Write a consultation scenario whose poll offers the accepted ideas (2 to 12); with
    --commune, the ideas of its neighbourhoods."""
    settings = settings_from(config, database)
    who = operator(settings)

    async def work() -> Consultation:
        async with open_core(settings, SystemClock(), sends=False) as core:
            hoods = who.covered(await core.services.chats.neighbourhoods())
            if neighbourhood is not None and neighbourhood not in hoods:
                raise AnimabotError(f"unknown neighbourhood {neighbourhood!r}: one of "
                                    f"{', '.join(hoods) or '(none configured)'}")
            accepted = [idea for idea in await IdeaRepository(core.database).find(
                ACCEPTED, neighbourhood_id=neighbourhood) if _ours(settings, who, idea)]
            where = (neighbourhood, hoods[neighbourhood]) if neighbourhood else None
            return consultation(accepted, question=question, neighbourhood=where)

    result = run_async(work)
    if result.left_out:
        err.print(f"note: {result.left_out} older accepted idea(s) left out: a poll offers at "
                  f"most {MAX_OPTIONS} options (the most recent are kept)", markup=False)
    if out_file is None:
        print(result.toml, end="")
        return
    out_file.write_text(result.toml, encoding="utf-8")
    out.print(f"wrote {out_file}: a poll of {len(result.options)} ideas; check it with "
              f"`animabot scenario check {out_file}`", markup=False)

