"""The administrators' pages (accounts and their sessions, the audit log and its CSV) and
the facilitators' space, each route declaring what it needs (see :mod:`.guard`)."""

from __future__ import annotations

from aiohttp import web

from ..accounts.audit_csv import audit_csv_text
from ..domain.access import Access, AuditAction
from ..errors import CampaignError
from ..stats.overview import neighbourhood_figures, overview
from ..store.campaigns import PENDING_APPROVAL
from .guard import PRINCIPAL, requires, url_neighbourhood
from .pages import address, page, see_other
from .state import DASHBOARD, DATABASE, GATE

AUDIT_SHOWN = 200
NAME = "[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"


@requires(Access.ADMINISTER)
async def users(request: web.Request) -> web.Response:
    gate = request.app[GATE]
    accounts = await gate.accounts.accounts.all()
    live = await gate.accounts.sessions.live_counts(gate.accounts.clock.now())
    return page("admin_users.html", request, {"accounts": accounts, "live": live,
                                              "revoked": request.query.get("revoked")})


@requires(Access.ADMINISTER)
async def revoke(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    await request.app[GATE].accounts.revoke_sessions(
        name, actor=request[PRINCIPAL].name, address=address(request))
    return see_other(f"/admin/users?revoked={name}")


@requires(Access.ADMINISTER)
async def audit(request: web.Request) -> web.Response:
    entries = await request.app[GATE].accounts.audit.latest(AUDIT_SHOWN)
    return page("admin_audit.html", request, {"entries": entries, "shown": AUDIT_SHOWN})


@requires(Access.ADMINISTER)
async def audit_csv(request: web.Request) -> web.Response:
    gate = request.app[GATE]
    await gate.accounts.record(request[PRINCIPAL].name, AuditAction.EXPORT, "audit.csv",
                               "", address(request))
    return web.Response(
        text=audit_csv_text(await gate.accounts.audit.latest()), content_type="text/csv",
        charset="utf-8", headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


@requires(Access.FACILITATE)
async def facilitation(request: web.Request) -> web.Response:
    """The facilitator's space: their neighbourhoods and the campaigns that reached them."""
    dashboard = request.app[DASHBOARD]
    who = request[PRINCIPAL]
    hoods = [hood for hood in dashboard.hood_names if who.covers(hood)]
    summaries = await overview(request.app[DATABASE], dashboard.min_cell, dashboard.language)
    mine = [s for s in summaries if any(who.covers(hood) for hood in s.neighbourhoods)]
    pending = [c for c in await request.app[GATE].campaigns.list()
               if c.status == PENDING_APPROVAL and who.may(Access.FACILITATE, c.targets)]
    return page("facilitation.html", request, {"hoods": hoods, "summaries": mine,
                                               "pending": pending})


@requires(Access.FACILITATE, about=url_neighbourhood("id"))
async def facilitation_neighbourhood(request: web.Request) -> web.Response:
    dashboard = request.app[DASHBOARD]
    try:
        figures = await neighbourhood_figures(request.app[DATABASE], request.match_info["id"],
                                              dashboard.min_cell, dashboard.language)
    except CampaignError:
        raise web.HTTPNotFound(text="Quartier inconnu.") from None
    return page("neighbourhood.html", request, {"hood": figures})


def add_routes(router: web.UrlDispatcher, slug: str) -> None:
    router.add_get("/admin/users", users)
    router.add_post(f"/admin/users/{{name:{NAME}}}/revoke", revoke)
    router.add_get("/admin/audit", audit)
    router.add_get("/admin/audit.csv", audit_csv)
    router.add_get("/facilitation", facilitation)
    router.add_get(f"/facilitation/neighbourhoods/{{id:{slug}}}", facilitation_neighbourhood)
