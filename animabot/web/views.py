"""The dashboard's pages and downloads. Each one renders a figure from :mod:`animabot.stats`
as it is: aggregates with small cells already suppressed, never a row about a resident."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from aiohttp import web

from ..domain.access import Access, AuditAction, Principal, Role
from ..errors import CampaignError
from ..stats.campaign import CampaignFigures, campaign_figures
from ..stats.charts import answers_over_time_chart, options_chart, response_rate_chart
from ..stats.export import figures_to_json, to_csv
from ..stats.overview import neighbourhood_figures, overview
from . import admin, reports, signin
from .chart_cache import chart_key
from .guard import PRINCIPAL, requires, url_neighbourhood
from .pages import address, page
from .state import DASHBOARD, DATABASE, GATE, Dashboard

SLUG = "[a-z0-9][a-z0-9_-]*"  # campaign, step and neighbourhood ids (never a dot)
CSV_TYPE = "text/csv"
OPTIONS, OVER_TIME, RESPONSE_RATE = "-options", "-over-time", "response-rate"


def _dashboard(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]


async def _figures(request: web.Request) -> CampaignFigures:
    dashboard = _dashboard(request)
    try:
        figures = await campaign_figures(request.app[DATABASE], request.match_info["id"],
                                         dashboard.min_cell, dashboard.language)
    except CampaignError:
        raise web.HTTPNotFound(text="Campagne inconnue.") from None
    return _own_neighbourhoods(figures, request[PRINCIPAL])


def _own_neighbourhoods(figures: CampaignFigures, who: Principal) -> CampaignFigures:
    """A facilitator reads a shared campaign for their neighbourhoods' sake: the lines of
    the others' stay out of their page, exports and charts (agents and admins see all)."""
    if who.role is not Role.FACILITATOR or not who.neighbourhoods:
        return figures
    return replace(figures, polls=[
        replace(poll, neighbourhoods={hood: share for hood, share in poll.neighbourhoods.items()
                                      if who.covers(hood)})
        for poll in figures.polls])


async def campaign_neighbourhoods(request: web.Request) -> frozenset[str] | None:
    """The neighbourhoods the campaign of the URL was sent to (None: no such campaign)."""
    record = await request.app[GATE].campaigns.get(request.match_info["id"])
    return None if record is None else frozenset(record.targets)


@requires(Access.READ)
async def campaigns(request: web.Request) -> web.Response:
    dashboard = _dashboard(request)
    who = request[PRINCIPAL]
    summaries = [s for s in await overview(request.app[DATABASE], dashboard.min_cell,
                                           dashboard.language)
                 if who.may(Access.READ, s.neighbourhoods)]  # a facilitator: theirs
    hoods = sorted({hood for s in summaries for hood in s.neighbourhoods})
    return page("campaigns.html", request, {"summaries": summaries, "hoods": hoods})


@requires(Access.READ, about=campaign_neighbourhoods)
async def campaign(request: web.Request) -> web.Response:
    figures = await _figures(request)
    charts = {
        RESPONSE_RATE: bool(figures.polls and figures.polls[0].neighbourhoods),
        **{poll.step_id + OPTIONS: True for poll in figures.polls},
        **{poll.step_id + OVER_TIME: bool(poll.times.curve) for poll in figures.polls},
    }
    return page("campaign.html", request, {"figures": figures, "charts": charts})


@requires(Access.READ, about=campaign_neighbourhoods)
async def campaign_csv(request: web.Request) -> web.Response:
    figures = await _figures(request)
    await _exported(request, f"campaign {figures.id} csv")
    return web.Response(
        text=to_csv(figures_to_json(figures), "campaign"), content_type=CSV_TYPE,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="campagne-{figures.id}.csv"'},
    )


@requires(Access.READ, about=campaign_neighbourhoods)
async def campaign_json(request: web.Request) -> web.Response:
    figures = await _figures(request)
    await _exported(request, f"campaign {figures.id} json")
    return web.Response(
        text=json.dumps(figures_to_json(figures), ensure_ascii=False, indent=2) + "\n",
        content_type="application/json", charset="utf-8",
    )


async def _exported(request: web.Request, what: str) -> None:
    who = request[PRINCIPAL].name
    await request.app[GATE].accounts.record(who, AuditAction.EXPORT, what, "",
                                            address(request))


def _chart_maker(
    figures: CampaignFigures, name: str, dashboard: Dashboard
) -> Callable[[], bytes | None]:
    """``response-rate``, ``<step>-options`` or ``<step>-over-time`` (step ids hold no dot)."""
    polls = {poll.step_id: poll for poll in figures.polls}
    if name == RESPONSE_RATE:
        return partial(response_rate_chart, figures, dashboard.hood_names)
    if name.endswith(OPTIONS) and (poll := polls.get(name.removesuffix(OPTIONS))):
        return partial(options_chart, poll, figures.min_cell)
    if name.endswith(OVER_TIME) and (poll := polls.get(name.removesuffix(OVER_TIME))):
        return partial(answers_over_time_chart, poll, dashboard.settings.bot.timezone)
    raise web.HTTPNotFound(text="Graphique inconnu.")


@requires(Access.READ, about=campaign_neighbourhoods)
async def chart(request: web.Request) -> web.Response:
    dashboard = _dashboard(request)
    figures = await _figures(request)
    name = request.match_info["chart"]
    make = _chart_maker(figures, name, dashboard)
    png = await dashboard.charts.get(chart_key(figures.id, name, figures), make)
    if png is None:
        raise web.HTTPNotFound(text="Pas assez de réponses pour ce graphique.")
    return web.Response(body=png, content_type="image/png")


@requires(Access.READ, about=url_neighbourhood("id"))
async def neighbourhood(request: web.Request) -> web.Response:
    dashboard = _dashboard(request)
    try:
        figures = await neighbourhood_figures(request.app[DATABASE], request.match_info["id"],
                                              dashboard.min_cell, dashboard.language)
    except CampaignError:
        raise web.HTTPNotFound(text="Quartier inconnu.") from None
    return page("neighbourhood.html", request, {
        "hood": await admin.readable_campaigns(request, figures)})


@requires(Access.PUBLIC)
async def accessibility(request: web.Request) -> web.Response:
    """The RGAA accessibility statement, linked from every page's footer."""
    return page("accessibilite.html", request, {})


def add_routes(router: web.UrlDispatcher) -> None:
    from . import (  # they use this module's scope functions
        campaign_desk,
        facilitation_pages,
        paper_pages,
        scenario_pages,
    )

    signin.add_routes(router)
    scenario_pages.add_routes(router)
    campaign_desk.add_routes(router)
    paper_pages.add_routes(router)
    facilitation_pages.add_routes(router)
    router.add_get("/accessibilite", accessibility)
    admin.add_routes(router, SLUG)
    reports.add_routes(router)
    router.add_get("/", campaigns, name="campaigns")
    router.add_get(f"/campaigns/{{id:{SLUG}}}.csv", campaign_csv)
    router.add_get(f"/campaigns/{{id:{SLUG}}}.json", campaign_json)
    router.add_get(f"/campaigns/{{id:{SLUG}}}", campaign)
    router.add_get(f"/campaigns/{{id:{SLUG}}}/charts/{{chart:{SLUG}}}.png", chart)
    router.add_get(f"/neighbourhoods/{{id:{SLUG}}}", neighbourhood)
