"""The dashboard's pages and downloads. Each one renders a figure from :mod:`animabot.stats`
as it is: aggregates with small cells already suppressed, never a row about a resident."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from ..errors import CampaignError
from ..stats.campaign import CampaignFigures, campaign_figures
from ..stats.charts import answers_over_time_chart, options_chart, response_rate_chart
from ..stats.export import figures_to_json, to_csv
from ..stats.overview import neighbourhood_figures, overview
from .auth import SESSION_COOKIE, bearer_token
from .chart_cache import chart_key
from .state import DASHBOARD, DATABASE, Dashboard

SLUG = "[a-z0-9][a-z0-9_-]*"  # campaign, step and neighbourhood ids (never a dot)
CSV_TYPE = "text/csv"
OPTIONS, OVER_TIME, RESPONSE_RATE = "-options", "-over-time", "response-rate"


def _dashboard(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]


async def _figures(request: web.Request) -> CampaignFigures:
    dashboard = _dashboard(request)
    try:
        return await campaign_figures(request.app[DATABASE], request.match_info["id"],
                                      dashboard.min_cell, dashboard.language)
    except CampaignError:
        raise web.HTTPNotFound(text="Campagne inconnue.") from None


def authenticated_agent(request: web.Request) -> str | None:
    """The agent behind a Bearer token or a session cookie, or None."""
    dashboard = _dashboard(request)
    token = bearer_token(request.headers.get("Authorization"))
    if token is not None:
        agent = dashboard.agents.identify(token)
        if agent is not None:
            return agent
    session_id = request.cookies.get(SESSION_COOKIE)
    return dashboard.sessions.agent(session_id) if session_id else None


async def unauthorized(request: web.Request, message: str | None = None) -> web.Response:
    """401 with the login form in it: a browser can sign in, a script sees the status."""
    response = aiohttp_jinja2.render_template(
        "login.html", request,
        {"message": message or "Connectez-vous pour voir cette page.", "error": True},
        status=401,
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="animabot"'
    return response


def _see_other(location: str) -> web.Response:
    """A redirect after a POST (returned: aiohttp deprecates returning its HTTP exceptions)."""
    return web.Response(status=303, headers={"Location": location})


async def login_form(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("login.html", request,
                                          {"message": None, "error": False})


async def login(request: web.Request) -> web.StreamResponse:
    dashboard = _dashboard(request)
    form = await request.post()
    token = form.get("token")
    agent = dashboard.agents.identify(token.strip()) if isinstance(token, str) else None
    if agent is None:
        return await unauthorized(request, "Jeton inconnu : vérifiez-le et réessayez.")
    response = _see_other("/")
    response.set_cookie(
        SESSION_COOKIE, dashboard.sessions.open(agent), path="/", httponly=True,
        samesite="Strict", max_age=int(dashboard.sessions.lifetime.total_seconds()),
    )
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        _dashboard(request).sessions.close(session_id)
    response = _see_other("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


def _page(template: str, request: web.Request, context: dict[str, Any]) -> web.Response:
    dashboard = _dashboard(request)
    # The middleware let the request in, so the agent is known (looked up again: it is cheap,
    # and request storage would need aiohttp's newest RequestKey).
    base = {"agent": authenticated_agent(request), "min_cell": dashboard.min_cell,
            "hood_name": dashboard.hood_name}
    return aiohttp_jinja2.render_template(template, request, {**base, **context})


async def campaigns(request: web.Request) -> web.Response:
    dashboard = _dashboard(request)
    summaries = await overview(request.app[DATABASE], dashboard.min_cell, dashboard.language)
    hoods = sorted({hood for s in summaries for hood in s.neighbourhoods})
    return _page("campaigns.html", request, {"summaries": summaries, "hoods": hoods})


async def campaign(request: web.Request) -> web.Response:
    figures = await _figures(request)
    charts = {
        RESPONSE_RATE: bool(figures.polls and figures.polls[0].neighbourhoods),
        **{poll.step_id + OPTIONS: True for poll in figures.polls},
        **{poll.step_id + OVER_TIME: bool(poll.times.curve) for poll in figures.polls},
    }
    return _page("campaign.html", request, {"figures": figures, "charts": charts})


async def campaign_csv(request: web.Request) -> web.Response:
    figures = await _figures(request)
    return web.Response(
        text=to_csv(figures_to_json(figures), "campaign"), content_type=CSV_TYPE,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="campagne-{figures.id}.csv"'},
    )


async def campaign_json(request: web.Request) -> web.Response:
    figures = await _figures(request)
    return web.Response(
        text=json.dumps(figures_to_json(figures), ensure_ascii=False, indent=2) + "\n",
        content_type="application/json", charset="utf-8",
    )


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


async def chart(request: web.Request) -> web.Response:
    dashboard = _dashboard(request)
    figures = await _figures(request)
    name = request.match_info["chart"]
    make = _chart_maker(figures, name, dashboard)
    png = await dashboard.charts.get(chart_key(figures.id, name, figures), make)
    if png is None:
        raise web.HTTPNotFound(text="Pas assez de réponses pour ce graphique.")
    return web.Response(body=png, content_type="image/png")


async def neighbourhood(request: web.Request) -> web.Response:
    dashboard = _dashboard(request)
    try:
        figures = await neighbourhood_figures(request.app[DATABASE], request.match_info["id"],
                                              dashboard.min_cell, dashboard.language)
    except CampaignError:
        raise web.HTTPNotFound(text="Quartier inconnu.") from None
    return _page("neighbourhood.html", request, {"hood": figures})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/login", login_form, name="login")
    router.add_post("/login", login, name="login")
    router.add_post("/logout", logout)
    router.add_get("/", campaigns, name="campaigns")
    router.add_get(f"/campaigns/{{id:{SLUG}}}.csv", campaign_csv)
    router.add_get(f"/campaigns/{{id:{SLUG}}}.json", campaign_json)
    router.add_get(f"/campaigns/{{id:{SLUG}}}", campaign)
    router.add_get(f"/campaigns/{{id:{SLUG}}}/charts/{{chart:{SLUG}}}.png", chart)
    router.add_get(f"/neighbourhoods/{{id:{SLUG}}}", neighbourhood)
