"""Facilitators' side of problem reports in chat: ``/signalements`` lists the open ones,
``/statut ID STATUT [raison…]`` moves one (``/reports``, ``/reportstatus`` in English).

A facilitator sees the category, neighbourhood, date, text and place, never the reporter.
"""

from __future__ import annotations

from ..chat.outgoing import OutgoingMessage
from ..domain.problem_report import CLOSED, parse_status
from ..errors import ProblemReportError
from ..i18n.lazy import lazy
from ..problems.status import change_status, status_name
from ..store.problem_reports import ProblemReportRepository
from . import scope
from .context import Turn

SHOWN = 15


async def open_reports(turn: Turn, args: tuple[str, ...]) -> None:
    _, services = turn._, turn.services
    reports = [r for r in await ProblemReportRepository(services.database).find()
               if r.status not in CLOSED and scope.owns(turn, r.neighbourhood_id, r.platform)]
    if not reports:
        await turn.reply(OutgoingMessage(_("No open problem report.")))
        return
    names = {c.id: c.name for c in services.settings.reports.categories}
    lines = [_("Open problem reports: {n}, the oldest first.").format(n=len(reports))]
    for report in reports[:SHOWN]:
        place = (f" ({report.latitude:.5f}, {report.longitude:.5f})"
                 if report.latitude is not None and report.longitude is not None else "")
        lines.append(f"#{report.id} {names.get(report.category, report.category)}, "
                     f"{report.neighbourhood_id or '-'}, {status_name(report.status, _)}"
                     f"{place}: {report.text[:80]}")
    lines.append(_("/statut ID STATUS [reason] moves one (recu, transmis, en_cours, resolu, "
                   "non_retenu)."))
    await turn.reply(OutgoingMessage("\n".join(lines)), private=True)


async def set_status(turn: Turn, args: tuple[str, ...]) -> None:
    _, services = turn._, turn.services
    if len(args) < 2 or not args[0].lstrip("#").isdigit():
        await turn.reply(OutgoingMessage(_(
            "Write /statut followed by the report's number and its new status, for example:"
            " /statut 12 resolu, or /statut 12 non_retenu the pavement belongs to the"
            " landlord.")))
        return
    status = parse_status(args[1])
    if status is None:
        raise ProblemReportError(lazy("unknown status {status!r}", status=args[1]))
    report_id = int(args[0].lstrip("#"))
    found = await ProblemReportRepository(services.database).get(report_id)
    if found is not None and not scope.owns(turn, found.neighbourhood_id, found.platform):
        raise ProblemReportError(lazy("no problem report #{id}", id=report_id))  # another's
    here_only = turn.event.sender is not None and turn.event.sender.facilitator_here_only
    if here_only and (found is None or turn.chat is None
                      or found.neighbourhood_id != turn.chat.neighbourhood_id):
        await turn.reply(OutgoingMessage(_(
            "As an admin of this group, you can only act on its own neighbourhood.")))
        return
    report, told = await change_status(
        services.database, report_id, status, f"chat:{turn.pseudonym[:12]}",
        services.clock.now(), services.default_language, " ".join(args[2:]) or None)
    services.wake()
    text = _("Report #{id} is now: {status}.").format(
        id=report.id, status=status_name(report.status, _))
    if told:
        text += " " + _("Its reporter will be told.")
    await turn.reply(OutgoingMessage(text))
