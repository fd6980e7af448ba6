"""The administrators' pages (accounts and their sessions, the audit log and its CSV) and
the facilitators' space, each route declaring what it needs (see :mod:`.guard`)."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from ..accounts.audit_csv import audit_csv_text
from ..config import Settings
from ..config.communes import member_communes
from ..domain.access import Access, AuditAction, Principal
from ..errors import CampaignError
from ..stats.overview import NeighbourhoodFigures, neighbourhood_figures, overview
from ..store.accounts import Account
from ..store.audit import AuditEntry
from ..store.campaigns import PENDING_APPROVAL
from .guard import PRINCIPAL, requires, url_neighbourhood
from .pages import address, page, see_other
from .state import DASHBOARD, DATABASE, GATE

AUDIT_SHOWN = 200
NAME = "[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"


def _in_reach(settings: Settings, who: Principal, commune: str | None) -> bool:
    """Whether an account (or agent) of ``commune`` is this administrator's to see: a
    commune's administrator sees its commune's (an intercommunal body's, its members'
    too); one of the whole deployment sees everyone."""
    return who.commune is None or (
        commune is not None and commune in member_communes(settings, who.commune))


async def _accounts(request: web.Request) -> list[Account]:
    settings, who = request.app[DASHBOARD].settings, request[PRINCIPAL]
    return [account for account in await request.app[GATE].accounts.accounts.all()
            if _in_reach(settings, who, account.commune)]


async def _audit(request: web.Request, limit: int | None = None) -> list[AuditEntry]:
    """The audit log as this administrator may read it: a commune's administrator, the
    lines whose actor or target is one of its commune's accounts or agents."""
    dashboard, who = request.app[DASHBOARD], request[PRINCIPAL]
    log = request.app[GATE].accounts.audit
    if who.commune is None:
        return await log.latest(limit)
    names = {account.name for account in await _accounts(request)} | {
        agent.name for agent in dashboard.settings.web.agents
        if _in_reach(dashboard.settings, who, agent.commune)}
    found = [entry for entry in await log.latest()
             if entry.actor in names or entry.target in names]
    return found if limit is None else found[:limit]


@requires(Access.ADMINISTER)
async def users(request: web.Request) -> web.Response:
    gate = request.app[GATE]
    accounts = await _accounts(request)
    live = await gate.accounts.sessions.live_counts(gate.accounts.clock.now())
    return page("admin_users.html", request, {
        "accounts": accounts, "live": live, "revoked": request.query.get("revoked"),
        "communes": bool(request.app[DASHBOARD].settings.communes)})


@requires(Access.ADMINISTER)
async def revoke(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in {account.name for account in await _accounts(request)}:
        raise web.HTTPNotFound(text="Compte inconnu.")  # another commune's, or none
    await request.app[GATE].accounts.revoke_sessions(
        name, actor=request[PRINCIPAL].name, address=address(request))
    return see_other(f"/admin/users?revoked={name}")


@requires(Access.ADMINISTER)
async def audit(request: web.Request) -> web.Response:
    entries = await _audit(request, AUDIT_SHOWN)
    return page("admin_audit.html", request, {"entries": entries, "shown": AUDIT_SHOWN})


@requires(Access.ADMINISTER)
async def audit_csv(request: web.Request) -> web.Response:
    gate = request.app[GATE]
    await gate.accounts.record(request[PRINCIPAL].name, AuditAction.EXPORT, "audit.csv",
                               "", address(request))
    return web.Response(
        text=audit_csv_text(await _audit(request)), content_type="text/csv",
        charset="utf-8", headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


@requires(Access.FACILITATE)
async def facilitation(request: web.Request) -> web.Response:
    """The facilitator's space: their neighbourhoods and the campaigns that reached them."""
    dashboard = request.app[DASHBOARD]
    who = request[PRINCIPAL]
    hoods = [hood for hood in dashboard.hood_names if who.covers(hood)]
    summaries = await overview(request.app[DATABASE], dashboard.min_cell, dashboard.language)
    # One of the facilitator's neighbourhoods is enough, within its commune: a campaign
    # beyond the commune (an intercommunal body's) is not a commune's to follow.
    mine = [s for s in summaries if s.neighbourhoods and
            who.may(Access.FACILITATE, s.neighbourhoods) and
            any(who.covers(hood) for hood in s.neighbourhoods)]
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
    return page("neighbourhood.html", request, {
        "hood": await readable_campaigns(request, figures)})


async def readable_campaigns(request: web.Request, figures: NeighbourhoodFigures
                             ) -> NeighbourhoodFigures:
    """A neighbourhood's campaigns this principal may read: within a commune, not those
    that reached beyond it (an intercommunal body's campaign tells of other communes)."""
    who = request[PRINCIPAL]
    if who.commune is None:
        return figures
    readable = {record.id for record in await request.app[GATE].campaigns.list()
                if who.may(Access.READ, record.targets)}
    return replace(figures, campaigns=[c for c in figures.campaigns if c.id in readable])


def add_routes(router: web.UrlDispatcher, slug: str) -> None:
    router.add_get("/admin/users", users)
    router.add_post(f"/admin/users/{{name:{NAME}}}/revoke", revoke)
    router.add_get("/admin/audit", audit)
    router.add_get("/admin/audit.csv", audit_csv)
    router.add_get("/facilitation", facilitation)
    router.add_get(f"/facilitation/neighbourhoods/{{id:{slug}}}", facilitation_neighbourhood)
