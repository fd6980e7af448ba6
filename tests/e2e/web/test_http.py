"""The dashboard over HTTP: who gets in, what they may download, and what never shows."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.core import open_core
from animabot.stats.campaign import campaign_figures
from animabot.stats.export import figures_to_json, to_csv
from animabot.web.app import SECURITY_HEADERS, build_app
from animabot.web.auth import SESSION_COOKIE

from .conftest import (
    AGENT,
    CAMPAIGN,
    OTHER_TOKEN,
    TOKEN,
    Client,
    csrf_in,
    sign_in_with_token,
)

PROTECTED = (
    "/", f"/campaigns/{CAMPAIGN}", f"/campaigns/{CAMPAIGN}.csv", f"/campaigns/{CAMPAIGN}.json",
    f"/campaigns/{CAMPAIGN}/charts/response-rate.png", "/neighbourhoods/centre",
    "/campaigns/no-such-campaign", "/no-such-page",
)
EVERY_VIEW = (
    "/", f"/campaigns/{CAMPAIGN}", f"/campaigns/{CAMPAIGN}.csv", f"/campaigns/{CAMPAIGN}.json",
    "/neighbourhoods/centre", "/neighbourhoods/gare",
)
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer not-the-token"}, {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer "}, {"Cookie": f"{SESSION_COOKIE}=made-up-session"},
], ids=["none", "wrong", "other-scheme", "empty", "forged-cookie"])
async def test_without_a_valid_token_every_url_answers_401(
    client: Client, headers: dict[str, str]
) -> None:
    for path in PROTECTED:
        response = await client.get(path, headers=headers, allow_redirects=False)
        assert response.status == 401, path
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="animabot"'
        body = await response.text()
        assert 'action="/login"' in body  # a browser can sign in from there
        assert "Campagne" not in body and "demo" not in body


async def test_the_login_page_and_the_style_sheet_are_public(client: Client) -> None:
    login = await client.get("/login")
    text = await login.text()
    assert login.status == 200 and 'name="token"' in text
    assert 'name="username"' in text and 'name="password"' in text
    css = await client.get("/static/dashboard.css")
    assert css.status == 200 and "table" in await css.text()


async def test_a_bearer_token_opens_every_view(client: Client) -> None:
    for path in EVERY_VIEW:
        response = await client.get(path, headers=BEARER)
        assert response.status == 200, path
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert response.headers["Cache-Control"] == "no-store"
    page = await (await client.get(f"/campaigns/{CAMPAIGN}", headers=BEARER)).text()
    assert AGENT in page and "Taux de réponse" in page and "&lt; 5" in page
    unknown = await client.get("/campaigns/no-such-campaign", headers=BEARER)
    assert unknown.status == 404


async def test_the_csv_download_is_an_attachment_holding_the_campaign_figures(
    client: Client, settings: Settings, clock: FakeClock
) -> None:
    response = await client.get(f"/campaigns/{CAMPAIGN}.csv", headers=BEARER)
    assert response.status == 200
    assert response.content_type == "text/csv" and response.charset == "utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="campagne-{CAMPAIGN}.csv"')
    text = await response.text()
    async with open_core(settings, clock, sends=False) as core:
        figures = await campaign_figures(core.database, CAMPAIGN, settings.privacy.min_cell)
    assert text == to_csv(figures_to_json(figures), "campaign")
    rows = list(csv.DictReader(io.StringIO(text)))
    reach = next(r for r in rows if r["section"] == "polls" and r["indicator"] == "reach")
    assert reach["value"] == "40"
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert hidden and all(r["value"] == "" for r in hidden)  # "< 5" cells carry no value


async def test_the_json_download_is_the_documented_export(client: Client) -> None:
    response = await client.get(f"/campaigns/{CAMPAIGN}.json", headers=BEARER)
    data = json.loads(await response.text())
    assert data["id"] == CAMPAIGN and data["min_cell"] == 5
    assert data["polls"][0]["respondents"]["value"] >= 5


async def test_the_charts_are_png_images(client: Client) -> None:
    for name in ("response-rate", "priorite-options", "priorite-over-time"):
        response = await client.get(f"/campaigns/{CAMPAIGN}/charts/{name}.png", headers=BEARER)
        assert response.status == 200, name
        assert response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG")
    missing = await client.get(f"/campaigns/{CAMPAIGN}/charts/nothing-options.png",
                               headers=BEARER)
    assert missing.status == 404


async def test_concurrent_requests_for_a_chart_share_one_drawing(
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """200 agents opening the same page drew the same PNG 200 times, one after the other."""
    from animabot.web import views

    drawn: list[str] = []
    real = views.options_chart

    def counted(*args: object, **kwargs: object) -> bytes | None:
        drawn.append("options")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "options_chart", counted)
    url = f"/campaigns/{CAMPAIGN}/charts/priorite-options.png"
    responses = await asyncio.gather(*(client.get(url, headers=BEARER) for _ in range(50)))
    bodies = {await response.read() for response in responses}
    assert [r.status for r in responses] == [200] * 50 and len(bodies) == 1
    assert drawn == ["options"]  # drawn once, served fifty times
    again = await client.get(url, headers=BEARER)
    assert await again.read() in bodies and drawn == ["options"]


async def test_no_page_nor_download_names_a_resident(
    client: Client, identifying_strings: list[str]
) -> None:
    paths = [*EVERY_VIEW, f"/campaigns/{CAMPAIGN}/charts/priorite-options.png"]
    for path in paths:
        body = (await (await client.get(path, headers=BEARER)).read()).decode("latin-1")
        leaked = [s for s in identifying_strings if s in body]
        assert not leaked, f"{path} shows {leaked[:3]}"
        assert "user" not in body.lower(), path  # the simulated platform's raw user ids


async def test_the_login_form_trades_the_token_for_a_lax_http_only_cookie(
    client: Client,
) -> None:
    wrong = await sign_in_with_token(client, "pas-le-bon")
    assert wrong.status == 401 and "Jeton inconnu" in await wrong.text()
    assert SESSION_COOKIE not in wrong.cookies
    right = await sign_in_with_token(client)
    assert right.status == 303 and right.headers["Location"] == "/"
    cookie = right.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # served over http here: a Secure cookie would be lost
    assert int(cookie["max-age"]) == 12 * 3600
    session = cookie.value
    page = await client.get("/")
    text = await page.text()
    assert page.status == 200 and AGENT in text
    logout = await client.post("/logout", data={"csrf_token": csrf_in(text)},
                               allow_redirects=False)
    assert logout.status == 303 and logout.headers["Location"] == "/login"
    # The session is gone server-side: replaying the old cookie no longer works.
    client.session.cookie_jar.clear()
    replay = await client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={session}"})
    assert replay.status == 401


async def test_a_session_expires_after_session_hours(client: Client, clock: FakeClock) -> None:
    await sign_in_with_token(client)
    for _ in range(12 * 2 - 1):  # active every half hour: idle expiry never reached
        clock.advance(timedelta(minutes=30))
        assert (await client.get("/")).status == 200
    clock.advance(timedelta(minutes=31))
    assert (await client.get("/")).status == 401


async def test_a_session_left_idle_expires_after_session_idle_minutes(
    client: Client, clock: FakeClock
) -> None:
    await sign_in_with_token(client)
    clock.advance(timedelta(minutes=59))
    assert (await client.get("/")).status == 200
    clock.advance(timedelta(minutes=61))
    assert (await client.get("/")).status == 401


async def test_every_configured_agent_is_recognised_by_name(client: Client) -> None:
    page = await client.get("/", headers={"Authorization": f"Bearer {OTHER_TOKEN}"})
    assert "Agent Durand" in await page.text()


async def test_without_agents_the_dashboard_still_serves_its_sign_in_form(
    settings: Settings, clock: FakeClock
) -> None:
    settings.web.agents = []  # local accounts or an OpenID provider may still sign in
    async with TestClient(TestServer(build_app(settings, clock))) as client:
        assert (await client.get("/login")).status == 200


async def test_an_agent_taken_out_of_the_configuration_loses_its_session(
    settings: Settings, clock: FakeClock,
) -> None:
    async with TestClient(TestServer(build_app(settings, clock))) as client:
        assert (await sign_in_with_token(client)).status == 303
        assert (await client.get("/")).status == 200
        cookies = client.session.cookie_jar.filter_cookies(client.make_url("/"))
        session = cookies[SESSION_COOKIE].value
    settings.web.agents = settings.web.agents[1:]  # the configuration, then a restart
    async with TestClient(TestServer(build_app(settings, clock))) as client:
        answer = await client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={session}"})
        assert answer.status == 401
