"""The back-office's problem reports: the list (a facilitator sees its neighbourhoods'),
a form to move a report's status (audited; the reporter is told by the running bot, which
finds the queued notice within seconds), and the GeoJSON and CSV exports (audited)."""

from __future__ import annotations

from aiohttp import web

from ..domain.access import Access, AuditAction
from ..domain.problem_report import CLOSED, next_statuses, parse_status
from ..errors import ProblemReportError
from ..i18n import translator
from ..problems.export import ExportFormat, export
from ..problems.status import change_status, status_name
from ..store.problem_reports import ProblemReport, ProblemReportRepository
from .belongs import reaches
from .guard import PRINCIPAL, requires
from .pages import address, page, see_other
from .state import DASHBOARD, DATABASE, GATE

SHOWN = 300



async def _report_hood(request: web.Request) -> frozenset[str] | None:
    """A status form concerns the report's neighbourhood (a facilitator's scope); one of
    no neighbourhood (or no report) is the handler's to judge (:func:`.belongs.reaches`)."""
    found = await ProblemReportRepository(request.app[DATABASE]).get(
        int(request.match_info["id"]))
    return frozenset({found.neighbourhood_id}) if found and found.neighbourhood_id else None


def _mine(request: web.Request, found: list[ProblemReport]) -> list[ProblemReport]:
    who, settings = request[PRINCIPAL], request.app[DASHBOARD].settings
    return [r for r in found if reaches(settings, who, r.neighbourhood_id, r.platform)]


@requires(Access.FACILITATE)
async def reports(request: web.Request) -> web.Response:
    dashboard = request.app[DASHBOARD]
    mine = _mine(request, await ProblemReportRepository(request.app[DATABASE]).find())
    shown = [r for r in mine if r.status not in CLOSED] + [r for r in mine if r.status in CLOSED]
    _ = translator("fr")
    names = {c.id: c.name for c in dashboard.settings.reports.categories}
    rows = [{"report": r, "category": names.get(r.category, r.category),
             "status": status_name(r.status, _),
             "moves": [(s.value, status_name(s, _)) for s in sorted(next_statuses(r.status))]}
            for r in shown[:SHOWN]]
    return page("reports.html", request, {"rows": rows, "count": len(mine),
                                          "done": request.query.get("done"),
                                          "error": request.query.get("error")})


@requires(Access.FACILITATE, about=_report_hood)
async def set_status(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    report_id = int(request.match_info["id"])
    wanted = parse_status(str(form.get("status", "")))
    reason = str(form.get("reason", "")).strip() or None
    who = request[PRINCIPAL]
    gate = request.app[GATE]
    found = await ProblemReportRepository(request.app[DATABASE]).get(report_id)
    if found is not None and not _mine(request, [found]):
        raise web.HTTPForbidden(text="Ce signalement n'est pas de votre ressort.")
    if wanted is None:
        return see_other(f"/reports?error={report_id}")
    try:
        await change_status(request.app[DATABASE], report_id, wanted, f"web:{who.name}",
                   gate.accounts.clock.now(), request.app[DASHBOARD].settings.bot.language,
                   reason)
    except ProblemReportError:
        return see_other(f"/reports?error={report_id}")
    await gate.accounts.record(who.name, AuditAction.REPORT_STATUS, f"report {report_id}",
                               wanted.value + (f": {reason}" if reason else ""),
                               address(request))
    return see_other(f"/reports?done={report_id}")


@requires(Access.FACILITATE)
async def download(request: web.Request) -> web.Response:
    fmt = ExportFormat(request.match_info["format"])
    who, dashboard = request[PRINCIPAL], request.app[DASHBOARD]
    mine = _mine(request, await ProblemReportRepository(request.app[DATABASE]).find())
    names = {c.id: c.name for c in dashboard.settings.reports.categories}
    text = export(mine, names, fmt, text=dashboard.settings.reports.export_text)
    name = f"signalements.{fmt.value}"
    await request.app[GATE].accounts.record(who.name, AuditAction.EXPORT, name, "",
                                            address(request))
    kind = "application/geo+json" if fmt is ExportFormat.GEOJSON else "text/csv"
    return web.Response(text=text, content_type=kind, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/reports", reports)
    router.add_post(r"/reports/{id:\d{1,12}}/status", set_status)
    router.add_get("/reports.{format:geojson|csv}", download)
