"""Facilitators' chat commands: list, schedule, preview, cancel campaigns, read figures.

Who is a facilitator is decided by the adapter (the config's allow-list, a group's admins):
raw platform ids never reach the core. Anyone else is refused politely and nothing changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from ..campaigns.when import parse_start
from ..chat.outgoing import OutgoingMessage
from ..config.communes import expand_targets
from ..domain.lifecycle import campaign_status, status_label
from ..errors import AnimabotError, ScenarioError
from ..i18n import counts
from ..i18n.lazy import render
from ..scenario.loader import load_scenario
from ..scenario.model import Scenario
from ..scenario.preview import render_preview_text
from ..stats.campaign import campaign_figures
from ..stats.suppression import format_cell
from . import hub, ideas, report_desk, scope
from .context import Turn

Handler = Callable[[Turn, tuple[str, ...]], Awaitable[None]]

ALIASES: dict[str, str] = {
    "campagnes": "campaigns", "campaigns": "campaigns",
    "programmer": "schedule", "schedule": "schedule",
    "apercu": "preview", "preview": "preview",
    "annuler": "cancel", "cancel": "cancel",
    "stats": "stats",
    "idees": "ideas", "ideas": "ideas",
    "refuser": "reject", "reject": "reject",
    "quartiers": "neighbourhoods", "neighbourhoods": "neighbourhoods",
    "annonce": "announce", "announce": "announce",
    "approuver": "approve", "approve": "approve",
    "signalements": "reports", "reports": "reports",
    "statut": "report_status", "reportstatus": "report_status",
}
LINK_COMMANDS = ("quartier", "neighbourhood")
PROBLEMS_SHOWN = 10  # in a chat reply; `animabot scenario check` prints them all


async def find_scenario(turn: Turn, name: str) -> Scenario:
    """``jardin-partage`` → the scenario file in ``[bot] scenarios_dir``, else a shipped one.

    Reading and checking a facilitator's file runs in a worker thread: a huge or faulty file
    must not keep the bot from answering residents meanwhile.
    """
    stem = Path(name).name.removesuffix(".toml")
    local = turn.services.settings.bot.scenarios_dir / f"{stem}.toml"
    if local.is_file():
        return await asyncio.to_thread(load_scenario, local)
    shipped = Path(str(files("scenarios").joinpath(f"{stem}.toml")))
    if shipped.is_file():
        return await asyncio.to_thread(load_scenario, shipped)
    raise AnimabotError(turn._("No scenario named {name}.").format(name=stem))


async def campaigns(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    records = [record for record in await turn.services.campaigns.campaigns.list()
               if scope.reaches(turn, record.targets)]
    if not records:
        await turn.reply(OutgoingMessage(_("No campaign yet.")))
        return
    lines = [_("Campaigns:")]
    for record in records[-15:]:
        counts = await turn.services.deliveries.status_counts(record.id)
        # A follow-up's private rows count those who chose an option: left out here.
        shown = await turn.services.deliveries.status_counts(record.id, follow_ups=False)
        lines.append(_("{id}: {title} ({status}), {sent} sent, {pending} pending").format(
            id=record.id, title=record.title,
            status=status_label(campaign_status(record.status, counts), turn.language),
            sent=shown.get("sent", 0), pending=shown.get("pending", 0)))
    await turn.reply(OutgoingMessage("\n".join(lines)))


async def schedule(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    if len(args) < 2:
        await turn.reply(OutgoingMessage(_(
            "Usage: /programmer SCENARIO NEIGHBOURHOODS [WHEN], e.g. "
            "/programmer jardin-partage centre,gare 2026-12-01 18:00")))
        return
    services = turn.services
    scenario = await find_scenario(turn, args[0])
    start = parse_start(" ".join(args[2:]) or "now", services.settings.window().zone,
                        services.clock.now())
    targets = await scope.targets_here(turn, args[1])
    started = await services.campaigns.start(scenario, targets, start,
                                             source=f"chat:{turn.event.chat.platform}",
                                             author=turn.pseudonym)
    services.wake()
    if started.pending_approval:
        await turn.reply(OutgoingMessage(_(
            "Campaign {id} waits for another facilitator's approval: /approuver {id}"
        ).format(id=started.id)))
        return
    await turn.reply(OutgoingMessage(
        _("Campaign {id} scheduled: {messages} to {chats}.").format(
            id=started.id, messages=counts.messages(turn.language, started.deliveries),
            chats=counts.chats(turn.language, started.chats))))


async def preview(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    if not args:
        await turn.reply(OutgoingMessage(_("Usage: /apercu SCENARIO [WHEN]")))
        return
    services = turn.services
    scenario = await find_scenario(turn, args[0])
    window = services.settings.window()
    start = parse_start(" ".join(args[1:]) or "now", window.zone, services.clock.now())
    text = await asyncio.to_thread(render_preview_text, scenario, start, window, turn.language)
    await turn.reply(OutgoingMessage(text))


async def cancel(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    if not args:
        await turn.reply(OutgoingMessage(_("Usage: /annuler CAMPAIGN_ID")))
        return
    found = await scope.campaign_here(turn, args[0])
    record = await turn.services.campaigns.cancel(found.id)
    turn.services.composer.forget(record.id)
    await turn.reply(OutgoingMessage(_("Campaign {id} cancelled.").format(id=record.id)))


async def stats(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    if not args:
        await turn.reply(OutgoingMessage(_("Usage: /stats CAMPAIGN_ID")))
        return
    k = turn.services.min_cell
    record = await scope.campaign_here(turn, args[0])
    figures = await campaign_figures(turn.services.database, record.id, k, turn.language)
    lines = [f"{figures.title} ({figures.id})"]
    for poll in figures.polls:
        rate = "—" if poll.response_rate is None else f"{poll.response_rate * 100:.0f} %"
        lines.append(_("{question}: {respondents} respondents, response rate {rate}").format(
            question=poll.question, respondents=format_cell(poll.respondents, k), rate=rate))
        lines.extend(f"• {label}: {format_cell(cell, k)}"
                     for label, cell in zip(poll.options, poll.answers.cells, strict=True))
    for training in figures.trainings:
        lines.append(_("{title}: {started} started, {completed} completed").format(
            title=training.title, started=format_cell(training.started, k),
            completed=format_cell(training.completed, k)))
    await turn.reply(OutgoingMessage("\n".join(lines)))


async def link_group(turn: Turn, args: tuple[str, ...]) -> None:
    """``/quartier ID`` typed in a group by a facilitator links that group."""
    _ = turn._
    hoods = await scope.neighbourhoods(turn)
    if not args or args[0] not in hoods or turn.chat is None:
        await turn.reply(OutgoingMessage(_("Usage: /quartier ID, with ID one of: {ids}").format(
            ids=", ".join(hoods) or "—")))
        return
    await turn.services.chats.link(turn.chat.id, args[0])
    await turn.reply(OutgoingMessage(
        _("This group is now linked to {name}.").format(name=hoods[args[0]])))


HANDLERS: dict[str, Handler] = {
    "campaigns": campaigns, "schedule": schedule, "preview": preview, "cancel": cancel,
    "stats": stats, "ideas": ideas.review, "reject": ideas.reject,
    "neighbourhoods": hub.neighbourhoods, "announce": hub.announce, "approve": hub.approve,
    "reports": report_desk.open_reports, "report_status": report_desk.set_status,
}


async def _about_this_group(
    turn: Turn, name: str, args: tuple[str, ...], hood: str | None
) -> bool:
    """A group admin's command must concern only the neighbourhood of that group."""
    if hood is None:
        return False
    settings = turn.services.settings
    if name == "schedule":
        return len(args) >= 2 and set(expand_targets(settings, args[1].split(","))) == {hood}
    if name == "announce":
        return len(args) >= 2 and set(expand_targets(settings, args[0].split(","))) == {hood}
    if name in ("cancel", "stats", "approve") and args:
        record = await turn.services.campaigns.campaigns.get(args[0])
        return record is not None and set(record.targets) == {hood}
    if name in ("report_status", "reject"):
        return True  # checked against the report's or idea's neighbourhood by the handler
    return name in ("campaigns", "preview", "neighbourhoods")


def _problems_text(turn: Turn, exc: ScenarioError) -> str:
    """The first problems of a scenario, in the facilitator's language: a chat message
    cannot hold thousands."""
    lines = [problem.render(turn._) for problem in exc.problems[:PROBLEMS_SHOWN]]
    hidden = len(exc.problems) - PROBLEMS_SHOWN
    if hidden > 0:
        lines.append(turn._(
            "… and {count} more problems: `animabot scenario check FILE` lists them all."
        ).format(count=hidden))
    return "\n".join(lines)


async def run(turn: Turn, name: str, args: tuple[str, ...]) -> None:
    """Run a facilitator command, or refuse it; errors become a reply, never a crash."""
    sender = turn.event.sender
    if sender is None or not sender.is_facilitator:
        await turn.reply(OutgoingMessage(turn._("Sorry, this command is for facilitators.")))
        return
    if sender.facilitator_here_only and name != "link":
        hood = turn.chat.neighbourhood_id if turn.chat else None
        if not await _about_this_group(turn, name, args, hood):
            await turn.reply(OutgoingMessage(turn._(
                "As an admin of this group, you can only act on its own neighbourhood.")))
            return
    try:
        if name == "link":
            await link_group(turn, args)
        else:
            await HANDLERS[name](turn, args)
    except ScenarioError as exc:
        await turn.reply(OutgoingMessage(_problems_text(turn, exc)))
    except (AnimabotError, ValueError) as exc:
        reason = (exc.told(turn.language) if isinstance(exc, AnimabotError)
                  else render(exc.args[0], turn._) if exc.args else str(exc))
        await turn.reply(OutgoingMessage(turn._("Not done: {reason}").format(reason=reason)))
