"""Two communes on one back-office (issue 14, item 4): each commune's facilitators and
agents (accounts and tokens) read and act on their commune's campaigns, figures, ideas,
actors, groups and reports, and get 403 (or nothing in a list, an export, the overview) for
the other's; an intercommunal facilitator reaches both; a commune's administrator sees its
commune's accounts and audit lines only; an OpenID sign-in mapped from claims carries its
commune or is refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from animabot.accounts.service import AccountService
from animabot.clock import FakeClock
from animabot.config import OidcSettings, Settings, WebAgent
from animabot.config.communes import CommuneSettings
from animabot.core import open_core
from animabot.domain.access import AuditAction, Role
from animabot.domain.actor import Actor
from animabot.scenario.loader import load_scenario_text
from animabot.store.ideas import IdeaRepository
from animabot.store.problem_reports import NewProblemReport, ProblemReportRepository
from animabot.web.app import build_app
from animabot.web.auth import hash_token
from animabot.web.oidc import Identity
from animabot.web.signin import OIDC_STATE_COOKIE
from animabot.web.state import GATE

from .conftest import Client, csrf_token, post
from .test_accounts_http import PASSWORD, signed_in
from .test_scenario_desk_http import POLL

NORD_TOKEN = "jeton-de-l-agent-du-nord-0123456789"
SUD_TOKEN = "jeton-de-l-agent-du-sud-0123456789ab"
INTERCOMMUNAL = "demo-1"  # the demo's campaign went to centre and gare: both communes
DEPLOYMENT_IDEA = "Une idée reçue par le bot du déploiement"
ACCOUNTS = {
    "nord-anim": (Role.FACILITATOR, "nord"), "sud-anim": (Role.FACILITATOR, "sud"),
    "nord-agent": (Role.AGENT, "nord"), "sud-agent": (Role.AGENT, "sud"),
    "nord-admin": (Role.ADMINISTRATOR, "nord"), "agglo-anim": (Role.FACILITATOR, "agglo"),
    "admin": (Role.ADMINISTRATOR, None),
}


@dataclass(frozen=True)
class Commune:
    """One commune's neighbourhood and what the fixture made in it."""

    id: str
    hood: str
    campaign: str
    idea: int
    actor: str
    report: int
    words: str  # the text of its idea, actor and report: must never reach the other
    loose: int  # an idea its own bot received with no neighbourhood: the commune's
    loose_words: str


def poll(scenario_id: str, title: str) -> str:
    return (f'id = "{scenario_id}"\ntitle = "{title}"\n[[steps]]\nid = "q"\nkind = "poll"\n'
            'question = "Oui ?"\noptions = ["Oui", "Non"]\ncloses = "+2d 20:00"\n')


async def fill(settings: Settings, clock: FakeClock) -> dict[str, Commune]:
    """Accounts, and in each commune a campaign, an idea, an actor and a problem report."""
    made = {}
    async with open_core(settings, clock, sends=False) as core:
        s = core.stores
        service = AccountService(s.accounts, s.sessions, s.audit, clock, s.chats, settings)
        for name, (role, commune) in ACCOUNTS.items():
            await service.add(name, role, frozenset(), password=PASSWORD, actor="cli:test",
                              commune=commune)
        row = await core.database.fetch_one("SELECT pseudonym FROM resident LIMIT 1")
        assert row is not None
        now = clock.now()
        for commune, hood, words in (("nord", "centre", "Des bancs au Nord"),
                                     ("sud", "gare", "Un abri vélo au Sud")):
            started = await core.campaigns.start(
                load_scenario_text(poll(f"sondage-{commune}", f"Sondage {commune}"), "t"),
                [hood], author=f"{commune}-anim")
            idea = await IdeaRepository(core.database).add_within_limit(
                row["pseudonym"], "simulated", hood, words, now, now, 99)
            assert idea is not None
            await s.actors.save_all([Actor(f"acteur-{commune}", words, "association",
                                           neighbourhood_id=hood)], now)
            report = await ProblemReportRepository(core.database).add(NewProblemReport(
                row["pseudonym"], "simulated", hood, "voirie", words), now)
            loose_words = f"Une idée sans quartier ({commune})"
            loose = await IdeaRepository(core.database).add_within_limit(
                row["pseudonym"], f"telegram.{commune}", None, loose_words, now, now, 99)
            await ProblemReportRepository(core.database).add(NewProblemReport(
                row["pseudonym"], f"telegram.{commune}", None, "voirie", loose_words), now)
            assert loose is not None
            made[commune] = Commune(commune, hood, started.id, idea, f"acteur-{commune}",
                                    report.id, words, loose, loose_words)
        # Through the deployment's bot, with no neighbourhood: no commune's.
        await IdeaRepository(core.database).add_within_limit(
            row["pseudonym"], "telegram", None, DEPLOYMENT_IDEA, now, now, 99)
    return made


@pytest.fixture
def commune_settings(settings: Settings) -> Settings:
    """Centre is Nord's, the Gare Sud's; Agglo speaks for both; an agent token each."""
    for hood in settings.neighbourhoods:
        hood.commune = {"centre": "nord", "gare": "sud"}[hood.id]
    settings.communes = {"nord": CommuneSettings(name="Nord"),
                         "sud": CommuneSettings(name="Sud"),
                         "agglo": CommuneSettings(name="Agglo", members=["nord", "sud"])}
    settings.web.agents = [
        WebAgent(name="Agent Nord", token_sha256=hash_token(NORD_TOKEN), commune="nord"),
        WebAgent(name="Agent Sud", token_sha256=hash_token(SUD_TOKEN), commune="sud")]
    return settings


@pytest.fixture
async def made(commune_settings: Settings, clock: FakeClock) -> dict[str, Commune]:
    return await fill(commune_settings, clock)


@pytest.fixture
async def server(commune_settings: Settings, clock: FakeClock, made: dict[str, Commune]
                 ) -> AsyncIterator[TestServer]:
    opened = TestServer(build_app(commune_settings, clock))
    async with opened:
        yield opened


async def token_session(server: TestServer, clients: list[Client], token: str) -> Client:
    """An agent who traded its token for a session in the browser."""
    client: Client = TestClient(server)
    await client.start_server()
    clients.append(client)
    answer = await client.post("/login", data={"token": token,
                                               "csrf_token": await csrf_token(client)},
                               allow_redirects=False)
    assert answer.status == 303
    return client


async def bearer(server: TestServer, clients: list[Client], token: str) -> Client:
    """A script sending its token on each request."""
    client: Client = TestClient(server, headers={"Authorization": f"Bearer {token}"})
    await client.start_server()
    clients.append(client)
    return client


async def status_of(client: Client, path: str) -> int:
    return (await client.get(path, allow_redirects=False)).status


async def readers(server: TestServer, clients: list[Client], commune: str) -> list[Client]:
    """Everyone of a commune who reads figures: its facilitator, its agent's account, its
    agent token in a session and as a Bearer header, its administrator."""
    token = NORD_TOKEN if commune == "nord" else SUD_TOKEN
    found = [await signed_in(server, clients, f"{commune}-anim"),
             await signed_in(server, clients, f"{commune}-agent"),
             await token_session(server, clients, token), await bearer(server, clients, token)]
    if commune == "nord":
        found.append(await signed_in(server, clients, "nord-admin"))
    return found


@pytest.mark.parametrize(("mine", "theirs"), [("nord", "sud"), ("sud", "nord")])
async def test_a_commune_reads_its_figures_and_nothing_of_the_other(
    server: TestServer, clients: list[Client], made: dict[str, Commune], mine: str,
    theirs: str,
) -> None:
    own, other = made[mine], made[theirs]
    for client in await readers(server, clients, mine):
        overview = await (await client.get("/")).text()
        assert own.campaign in overview
        assert other.campaign not in overview and INTERCOMMUNAL not in overview
        assert f"/neighbourhoods/{other.hood}" not in overview
        for path in ("", ".csv", ".json"):
            assert await status_of(client, f"/campaigns/{own.campaign}{path}") == 200, path
            assert await status_of(client, f"/campaigns/{other.campaign}{path}") == 403, path
            assert await status_of(client, f"/campaigns/{INTERCOMMUNAL}{path}") == 403, path
        for chart in ("response-rate", "q-options", "q-over-time"):
            png = f"/charts/{chart}.png"
            assert await status_of(client, f"/campaigns/{other.campaign}{png}") == 403
            assert await status_of(client, f"/campaigns/{INTERCOMMUNAL}{png}") == 403
        hood = await client.get(f"/neighbourhoods/{own.hood}")
        text = await hood.text()
        assert hood.status == 200 and own.campaign in text and INTERCOMMUNAL not in text
        assert await status_of(client, f"/neighbourhoods/{other.hood}") == 403


@pytest.mark.parametrize(("mine", "theirs"), [("nord", "sud"), ("sud", "nord")])
async def test_a_commune_s_facilitator_acts_on_its_commune_only(
    server: TestServer, clients: list[Client], made: dict[str, Commune], mine: str,
    theirs: str, commune_settings: Settings, clock: FakeClock,
) -> None:
    own, other = made[mine], made[theirs]
    anim = await signed_in(server, clients, f"{mine}-anim")
    for path in ("/facilitation", "/ideas", "/actors", "/neighbourhoods", "/reports",
                 "/reports.csv", "/reports.geojson", "/scenarios"):
        answer = await anim.get(path)
        text = await answer.text()
        assert answer.status == 200, path
        assert other.words not in text and other.campaign not in text, path
        assert other.loose_words not in text and DEPLOYMENT_IDEA not in text, path
        assert INTERCOMMUNAL not in text, path
    for path in ("/ideas", "/reports"):
        text = await (await anim.get(path)).text()
        assert own.words in text and own.loose_words in text, path
    assert own.campaign in await (await anim.get("/facilitation")).text()
    chats = await (await anim.get("/neighbourhoods")).text()
    assert f"groupe-{own.hood}" in chats and f"groupe-{other.hood}" not in chats

    # The other commune's things: refused, whatever the way in.
    for path in (f"/campaigns/{other.campaign}/manage", f"/campaigns/{other.campaign}/paper",
                 f"/actors/{other.actor}", f"/facilitation/neighbourhoods/{other.hood}"):
        assert await status_of(anim, path) == 403, path
    for path, data in [
        (f"/ideas/{other.idea}", {"decision": "accept"}),
        (f"/ideas/{other.loose}", {"decision": "accept"}),
        (f"/reports/{other.report}/status", {"status": "en_cours"}),
        (f"/campaigns/{other.campaign}/cancel", {}),
        (f"/campaigns/{other.campaign}/paper", {"step": "q", "neighbourhood": other.hood,
                                                "option": "1", "count": "9",
                                                "source": "réunion"}),
        (f"/actors/{other.actor}", {"name": "pris", "kind": "association"}),
    ]:
        assert (await post(anim, path, data))[0] == 403, path

    form = FormData()
    form.add_field("csrf_token", await csrf_token(anim, "/actors"))
    form.add_field("file", ("id;nom;type;quartier\n"
                            f"x-{mine};Chez nous;association;{own.hood}\n"
                            f"y-{mine};Chez eux;association;{other.hood}\n").encode(),
                   filename="acteurs.csv", content_type="text/csv")
    imported = await anim.post("/actors/import", data=form)
    text = await imported.text()
    assert imported.status == 422 and "1 acteur(s) importé(s)" in text and "ligne 3" in text
    assert f"write one of the ids {own.hood}, or leave" in text  # not the other's ids

    # Its own: acted on.
    assert (await post(anim, f"/ideas/{own.idea}", {"decision": "accept"}))[0] == 303
    assert (await post(anim, f"/ideas/{own.loose}", {"decision": "accept"}))[0] == 303
    recorded = await post(anim, f"/campaigns/{own.campaign}/paper", {
        "step": "q", "neighbourhood": own.hood, "option": "1", "count": "7",
        "source": "réunion publique"})
    assert recorded[:2] == (303, f"/campaigns/{own.campaign}/paper?done=recorded")
    figures = await (await anim.get(f"/campaigns/{own.campaign}.json")).json()
    assert '"respondents": {"value": 7, "suppressed": false}' in json.dumps(figures)
    status, where, _ = await post(anim, "/scenarios/new", {
        **POLL, "id": f"fete-{mine}", "steps[0].options.en": "Saturday\nSunday",
        "action": "save"})
    assert (status, where) == (303, f"/scenarios/fete-{mine}?saved=1")
    form = await (await anim.get(f"/scenarios/fete-{mine}/schedule")).text()
    assert f"hood-{own.hood}" in form and f"hood-{other.hood}" not in form
    status, _, html = await post(anim, f"/scenarios/fete-{mine}/schedule",
                                 {"neighbourhoods": other.hood})
    assert status == 422 and "pas l&#39;un des vôtres" in html
    status, where, _ = await post(anim, f"/scenarios/fete-{mine}/schedule",
                                  {"neighbourhoods": own.hood})
    assert status == 303 and where.endswith("/manage")
    scheduled = where.split("/")[2]

    # The other commune's facilitator sees neither the scenario nor the campaign.
    them = await signed_in(server, clients, f"{theirs}-anim")
    assert await status_of(them, f"/scenarios/fete-{mine}") == 403
    assert f"fete-{mine}" not in await (await them.get("/scenarios")).text()
    assert await status_of(them, f"/campaigns/{scheduled}") == 403
    assert scheduled not in await (await them.get("/")).text()
    async with open_core(commune_settings, clock, sends=False, writes=False) as core:
        logged = {(e.actor, e.action) for e in await core.stores.audit.latest()}
    assert (f"{mine}-anim", AuditAction.CAMPAIGN_STARTED) in logged
    assert (f"{mine}-anim", AuditAction.IDEA_ACCEPTED) in logged


async def test_an_intercommunal_facilitator_reaches_both_communes_and_schedules_on_both(
    server: TestServer, clients: list[Client], made: dict[str, Commune],
) -> None:
    agglo = await signed_in(server, clients, "agglo-anim")
    overview = await (await agglo.get("/")).text()
    for campaign in (made["nord"].campaign, made["sud"].campaign, INTERCOMMUNAL):
        assert campaign in overview
        assert await status_of(agglo, f"/campaigns/{campaign}.csv") == 200
    ideas = await (await agglo.get("/ideas")).text()
    assert made["nord"].words in ideas and made["sud"].words in ideas
    status, _, _ = await post(agglo, "/scenarios/new", {
        **POLL, "id": "fete-agglo", "steps[0].options.en": "Saturday\nSunday",
        "action": "save"})
    assert status == 303
    form = await (await agglo.get("/scenarios/fete-agglo/schedule")).text()
    assert "hood-centre" in form and "hood-gare" in form
    token = await csrf_token(agglo, "/scenarios/fete-agglo/schedule")
    answer = await agglo.post("/scenarios/fete-agglo/schedule", data=[
        ("csrf_token", token), ("neighbourhoods", "centre"), ("neighbourhoods", "gare")],
        allow_redirects=False)
    assert answer.status == 303, await answer.text()
    both = answer.headers["Location"].split("/")[2]
    assert await status_of(agglo, f"/campaigns/{both}/manage") == 200
    nord = await signed_in(server, clients, "nord-anim")  # an intercommunal campaign
    assert await status_of(nord, f"/campaigns/{both}") == 403
    assert await status_of(nord, f"/campaigns/{both}/manage") == 403
    assert await status_of(nord, "/scenarios/fete-agglo") == 403


async def test_a_commune_administrator_sees_its_commune_s_accounts_and_audit_only(
    server: TestServer, clients: list[Client],
) -> None:
    await signed_in(server, clients, "sud-anim")  # a sign-in in the audit log
    await token_session(server, clients, SUD_TOKEN)
    await signed_in(server, clients, "nord-anim")
    nord = await signed_in(server, clients, "nord-admin")
    page = await (await nord.get("/admin/users")).text()
    assert "nord-anim" in page and "nord-agent" in page
    for name in ("sud-anim", "sud-agent", "agglo-anim", ">admin<"):
        assert name not in page, name
    assert (await post(nord, "/admin/users/sud-anim/revoke", {}))[0] == 404
    assert (await post(nord, "/admin/users/nord-anim/revoke", {}))[0] == 303
    for path in ("/admin/audit", "/admin/audit.csv"):
        text = await (await nord.get(path)).text()
        assert "nord-anim" in text and "sud-anim" not in text and "Agent Sud" not in text
    everyone = await signed_in(server, clients, "admin")
    page = await (await everyone.get("/admin/users")).text()
    assert all(name in page for name in ACCOUNTS)
    audit = await (await everyone.get("/admin/audit")).text()
    assert "sud-anim" in audit and "nord-anim" in audit and "Agent Sud" in audit
    overview = await (await everyone.get("/")).text()
    assert INTERCOMMUNAL in overview
    assert DEPLOYMENT_IDEA in await (await everyone.get("/ideas")).text()
    assert DEPLOYMENT_IDEA not in await (await nord.get("/ideas")).text()


class FakeProvider:
    """Stands for the OpenID provider once the code is traded: the identity it vouches for."""

    def __init__(self, settings: OidcSettings, claims: dict[str, Any]) -> None:
        self.settings = settings
        self.claims = claims

    def take(self, state: str | None) -> object:
        return object()

    async def finish(self, pending: object, code: str) -> Identity:
        return Identity(f"sub-{self.claims['email']}", str(self.claims["email"]),
                        {"sub": "x", **self.claims}, "id-token")


async def oidc_sign_in(server: TestServer, clients: list[Client], claims: dict[str, Any]
                       ) -> tuple[Client, int, str]:
    oidc = OidcSettings(enabled=True, issuer="https://idp.example", client_id="c",
                        role_claim="groups", commune_claim="commune",
                        claim_roles={"animation": Role.FACILITATOR, "lecture": Role.AGENT})
    server.app[GATE].oidc = FakeProvider(oidc, claims)  # type: ignore[assignment]
    client: Client = TestClient(server)
    await client.start_server()
    clients.append(client)
    client.session.cookie_jar.update_cookies({OIDC_STATE_COOKIE: "s"})
    answer = await client.get("/login/oidc/callback?state=s&code=c", allow_redirects=False)
    return client, answer.status, await answer.text()


async def test_an_openid_sign_in_carries_its_claimed_commune_or_is_refused(
    server: TestServer, clients: list[Client], made: dict[str, Commune],
    commune_settings: Settings, clock: FakeClock,
) -> None:
    client, status, _ = await oidc_sign_in(server, clients, {
        "email": "lea@sud.test", "groups": ["animation"], "commune": "sud"})
    assert status == 303
    overview = await (await client.get("/")).text()
    assert made["sud"].campaign in overview and made["nord"].campaign not in overview
    assert await status_of(client, f"/campaigns/{made['nord'].campaign}") == 403
    for claims in ({"email": "max@x.test", "groups": ["lecture"]},
                   {"email": "zoe@x.test", "groups": ["lecture"], "commune": "lune"}):
        client, status, html = await oidc_sign_in(server, clients, claims)
        assert status == 403 and "aucune commune connue" in html
        assert await status_of(client, "/") == 401
    async with open_core(commune_settings, clock, sends=False, writes=False) as core:
        lea = await core.stores.accounts.get("lea@sud.test")
        refused = [e.detail for e in await core.stores.audit.latest(
            action=AuditAction.SIGN_IN_FAILED)]
        assert await core.stores.accounts.get("max@x.test") is None
    assert lea is not None and lea.commune == "sud"
    assert any("names no commune" in detail for detail in refused)
    assert any("unknown commune 'lune'" in detail for detail in refused)
