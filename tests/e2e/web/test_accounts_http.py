"""The back-office's security over HTTP: local accounts, the generic failure and its limit,
CSRF on every form, roles and neighbourhood scopes, revocation at once, the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from animabot.accounts.service import AccountService
from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings
from animabot.core import open_core
from animabot.domain.access import AuditAction, Role
from animabot.web.app import build_app
from animabot.web.auth import CSRF_COOKIE, SESSION_COOKIE
from animabot.web.signin import WRONG

from .conftest import AGENT, CAMPAIGN, TOKEN, Client, csrf_in, csrf_token

PASSWORD = "deux mots de passe"
ACCOUNTS = {
    "admin": (Role.ADMINISTRATOR, frozenset[str]()),
    "anna": (Role.FACILITATOR, frozenset({"centre"})),
    "agent": (Role.AGENT, frozenset[str]()),
    "paul": (Role.FACILITATOR, frozenset({"port"})),  # a neighbourhood the demo never reached
}


async def add_accounts(settings: Settings, clock: FakeClock) -> None:
    settings.neighbourhoods.append(NeighbourhoodSettings(id="port", name="Le Port"))
    async with open_core(settings, clock, sends=False) as core:
        s = core.stores
        service = AccountService(s.accounts, s.sessions, s.audit, clock, s.chats)
        for name, (role, hoods) in ACCOUNTS.items():
            await service.add(name, role, hoods, password=PASSWORD, actor="cli:test")


@pytest.fixture
async def server(settings: Settings, clock: FakeClock) -> AsyncIterator[TestServer]:
    await add_accounts(settings, clock)
    opened = TestServer(build_app(settings, clock))
    async with opened:
        yield opened


@pytest.fixture
async def browser_of(server: TestServer) -> AsyncIterator[list[Client]]:
    """Clients of the same server, each with its own cookie jar (a person's browser)."""
    clients: list[Client] = []
    yield clients
    for client in clients:
        await client.close()


async def signed_in(server: TestServer, clients: list[Client], name: str) -> Client:
    client: Client = TestClient(server)
    await client.start_server()
    clients.append(client)
    answer = await client.post("/login", data={
        "username": name, "password": PASSWORD, "csrf_token": await csrf_token(client)},
        allow_redirects=False)
    assert answer.status == 303, await answer.text()
    return client


async def page_csrf(client: Client, path: str = "/") -> str:
    return csrf_in(await (await client.get(path)).text())


async def test_a_local_account_signs_in_and_out_and_its_old_cookie_is_refused(
    server: TestServer, browser_of: list[Client],
) -> None:
    client = await signed_in(server, browser_of, "anna")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE]
    home = await client.get("/")
    assert home.status == 200 and "anna" in await home.text()
    out = await client.post("/logout", data={"csrf_token": await page_csrf(client)},
                            allow_redirects=False)
    assert out.status == 303
    client.session.cookie_jar.clear()
    replay = await client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={cookie.value}"})
    assert replay.status == 401


async def test_a_wrong_password_and_an_unknown_name_read_the_same_then_are_limited(
    client: Client, server: TestServer,
) -> None:
    answers = []
    for name, password in [("anna", "pas le bon mot"), ("personne", PASSWORD)]:
        answer = await client.post("/login", data={
            "username": name, "password": password, "csrf_token": await csrf_token(client)})
        answers.append((answer.status, WRONG in await answer.text()))
    assert answers == [(401, True), (401, True)]
    for _ in range(4):
        await client.post("/login", data={"username": "anna", "password": "non",
                                          "csrf_token": await csrf_token(client)})
    limited = await client.post("/login", data={
        "username": "anna", "password": PASSWORD, "csrf_token": await csrf_token(client)},
        allow_redirects=False)
    assert limited.status == 429 and "Trop de tentatives" in await limited.text()


@pytest.mark.parametrize("path", ["/login", "/logout", "/admin/users/anna/revoke"])
async def test_a_form_without_its_csrf_token_is_refused_with_403(
    server: TestServer, browser_of: list[Client], path: str,
) -> None:
    client = await signed_in(server, browser_of, "admin")
    for data in ({}, {"csrf_token": "un-jeton-inventé"}):
        answer = await client.post(path, data={"username": "admin", "password": PASSWORD,
                                                **data}, allow_redirects=False)
        assert answer.status == 403, (path, data)
    assert (await client.get("/")).status == 200  # still signed in: nothing happened


async def test_the_login_form_sets_its_own_csrf_cookie_before_any_session(
    client: Client,
) -> None:
    page = await client.get("/login")
    cookie = page.cookies[CSRF_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert csrf_in(await page.text()) == cookie.value


async def test_an_agent_reaches_the_figures_but_no_facilitator_or_administrator_page(
    server: TestServer, browser_of: list[Client], client: Client,
) -> None:
    agent = await signed_in(server, browser_of, "agent")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    for path in ("/facilitation", "/facilitation/neighbourhoods/centre", "/admin/users",
                 "/admin/audit", "/admin/audit.csv"):
        assert (await agent.get(path)).status == 403, path
        assert (await client.get(path, headers=bearer)).status == 403, path
    assert (await agent.get(f"/campaigns/{CAMPAIGN}")).status == 200
    assert (await agent.post("/admin/users/anna/revoke", data={
        "csrf_token": await page_csrf(agent)})).status == 403


async def test_a_facilitator_reaches_its_neighbourhood_and_not_another(
    server: TestServer, browser_of: list[Client],
) -> None:
    anna = await signed_in(server, browser_of, "anna")
    space = await anna.get("/facilitation")
    assert space.status == 200 and "centre" in await space.text()
    assert (await anna.get("/facilitation/neighbourhoods/centre")).status == 200
    assert (await anna.get("/facilitation/neighbourhoods/gare")).status == 403
    assert (await anna.get("/admin/users")).status == 403


async def test_an_administrator_revokes_a_session_and_it_stops_at_once(
    server: TestServer, browser_of: list[Client],
) -> None:
    anna = await signed_in(server, browser_of, "anna")
    admin = await signed_in(server, browser_of, "admin")
    users = await admin.get("/admin/users")
    assert users.status == 200 and "anna" in await users.text()
    revoked = await admin.post("/admin/users/anna/revoke",
                               data={"csrf_token": await page_csrf(admin, "/admin/users")},
                               allow_redirects=False)
    assert revoked.status == 303
    assert (await anna.get("/")).status == 401
    assert (await admin.get("/")).status == 200


async def test_the_audit_log_holds_each_action_and_exports_as_csv(
    server: TestServer, browser_of: list[Client], client: Client,
) -> None:
    await client.post("/login", data={"username": "anna", "password": "faux mot",
                                      "csrf_token": await csrf_token(client)})
    agent = await signed_in(server, browser_of, "agent")
    assert (await agent.get(f"/campaigns/{CAMPAIGN}.csv")).status == 200
    admin = await signed_in(server, browser_of, "admin")
    page = await (await admin.get("/admin/audit")).text()
    for shown in ("connexion refusée", "connexion", "export", "compte créé"):
        assert shown in page
    export = await admin.get("/admin/audit.csv")
    assert export.status == 200 and export.content_type == "text/csv"
    rows = (await export.text()).splitlines()
    assert rows[0] == "at,actor,action,target,detail,address"
    actions = [(row.split(",")[1], row.split(",")[2]) for row in rows[1:]]
    for expected in [("anna", AuditAction.SIGN_IN_FAILED), ("agent", AuditAction.SIGN_IN),
                     ("agent", AuditAction.EXPORT), ("admin", AuditAction.SIGN_IN),
                     ("admin", AuditAction.EXPORT), ("cli:test", AuditAction.USER_ADDED)]:
        assert expected in actions, expected
    assert PASSWORD not in await export.text()


async def test_cookies_are_secure_when_the_public_address_is_https(
    settings: Settings, clock: FakeClock,
) -> None:
    settings.web.public_url = "https://animabot.mairie.example/"
    async with TestClient(TestServer(build_app(settings, clock))) as client:
        page = await client.get("/login")
        assert page.cookies[CSRF_COOKIE]["secure"]


async def test_the_agent_token_form_still_signs_in(client: Client) -> None:
    answer = await client.post("/login", data={"token": TOKEN,
                                               "csrf_token": await csrf_token(client)})
    assert answer.status == 200 and AGENT in await answer.text()


async def test_behind_a_local_proxy_the_client_address_comes_from_x_forwarded_for(
    settings: Settings, clock: FakeClock,
) -> None:
    settings.web.behind_proxy = True
    await add_accounts(settings, clock)
    async with TestClient(TestServer(build_app(settings, clock))) as client:
        await client.post("/login", data={
            "username": "anna", "password": "faux", "csrf_token": await csrf_token(client)},
            headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    async with open_core(settings, clock, sends=False, writes=False) as core:
        (entry,) = await core.stores.audit.latest(1, AuditAction.SIGN_IN_FAILED.value)
    assert entry.address == "203.0.113.9"  # the hop the proxy added, not one the client wrote


async def test_a_facilitator_of_another_neighbourhood_reads_nothing_of_the_campaign(
    server: TestServer, browser_of: list[Client],
) -> None:
    paul = await signed_in(server, browser_of, "paul")
    home = await (await paul.get("/")).text()
    assert f"/campaigns/{CAMPAIGN}" not in home  # the list holds only its neighbourhood's
    for path in (f"/campaigns/{CAMPAIGN}", f"/campaigns/{CAMPAIGN}.csv",
                 f"/campaigns/{CAMPAIGN}.json", f"/campaigns/{CAMPAIGN}/charts/response-rate.png",
                 "/neighbourhoods/centre", "/facilitation/neighbourhoods/centre"):
        assert (await paul.get(path)).status == 403, path
    assert (await paul.get("/neighbourhoods/port")).status == 200
    anna = await signed_in(server, browser_of, "anna")  # centre: the campaign reached it
    assert f"/campaigns/{CAMPAIGN}" in await (await anna.get("/")).text()
    assert (await anna.get(f"/campaigns/{CAMPAIGN}")).status == 200
    assert (await anna.get("/neighbourhoods/gare")).status == 403
