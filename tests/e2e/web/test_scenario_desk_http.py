"""The scenario editor and the campaign desk over HTTP, as a browser without JavaScript
sends them: a form with a fault comes back with the fault beside its field, a valid one is
saved and loads in the CLI, a campaign on more neighbourhoods than the approval threshold
waits for a second facilitator; nobody acts outside their neighbourhoods, an agent writes
nothing, and the audit log holds every action."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from animabot.accounts.service import AccountService
from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.core import open_core
from animabot.domain.access import AuditAction, Role
from animabot.scenario.loader import load_scenario_text
from animabot.web.app import build_app

from .conftest import Client, post
from .test_accounts_http import PASSWORD, add_accounts, page_csrf, signed_in

POLL = {
    "id": "fete-voisins", "title": "Fête des voisins",
    "steps[0].kind": "poll", "steps[0].id": "jour", "steps[0].at.mode": "start",
    "steps[0].question.fr": "Quel jour pour la fête ?",
    "steps[0].question.en": "Which day for the party?",
    "steps[0].options.fr": "Samedi\nDimanche", "steps[0].options.en": "Saturday",
    "steps[0].closes.mode": "days", "steps[0].closes.days": "2",
    "steps[0].closes.clock": "18:00", "steps[0].live_results": "on",
    "steps[0].reminders[0].mode": "days", "steps[0].reminders[0].days": "1",
    "steps[0].reminders[0].clock": "10:00",
}
FIELD_ERROR = re.compile(r'<textarea id="steps\[0\]\.options\.en"[^>]*aria-invalid="true"'
                         r'[^>]*>[^<]*</textarea>\s*<p class="field-error"')


@pytest.fixture
async def server(settings: Settings, clock: FakeClock) -> AsyncIterator[TestServer]:
    settings.delivery.approval_above = 1  # the demo has two neighbourhoods with chats
    await add_accounts(settings, clock)
    async with open_core(settings, clock, sends=False) as core:
        s = core.stores
        await AccountService(s.accounts, s.sessions, s.audit, clock, s.chats).add(
            "bruno", Role.FACILITATOR, frozenset(), password=PASSWORD, actor="cli:test")
    opened = TestServer(build_app(settings, clock))
    async with opened:
        yield opened


async def test_a_poll_written_in_forms_is_checked_saved_scheduled_approved_and_cancelled(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    anna = await signed_in(server, clients, "anna")  # facilitator of centre
    bruno = await signed_in(server, clients, "bruno")  # of the whole commune
    paul = await signed_in(server, clients, "paul")  # of port only
    agent = await signed_in(server, clients, "agent")

    status, _, html = await post(anna, "/scenarios/new", {**POLL, "action": "save"})
    assert status == 422 and FIELD_ERROR.search(html), html
    assert "every language needs the same number" not in html  # said in French
    status, _, html = await post(anna, "/scenarios/new", {
        **POLL, "steps[0].options.en": "Saturday\nSunday", "action": "check",
        "preview_start": "2026-12-08T10:00"})
    assert status == 200 and 'id="timeline"' in html and "clôture" in html
    assert "Aperçu des messages" in html and "[ 1. Samedi ]" in html  # Telegram's buttons
    status, where, _ = await post(anna, "/scenarios/new", {
        **POLL, "steps[0].options.en": "Saturday\nSunday", "action": "save"})
    assert (status, where) == (303, "/scenarios/fete-voisins?saved=1")

    status, where, _ = await post(anna, "/scenarios/fete-voisins", {
        **POLL, "id": "autre-id", "title": "Fête des voisins 2027",
        "steps[0].options.en": "Saturday\nSunday", "action": "save"})
    assert (status, where) == (303, "/scenarios/fete-voisins?saved=1")  # the id is kept
    page = await (await anna.get("/scenarios/fete-voisins")).text()
    assert "version 2" in page and "version 1" in page and "Fête des voisins 2027" in page
    first = await (await anna.get("/scenarios/fete-voisins/versions/1.toml")).text()
    assert 'title = "Fête des voisins"' in first

    exported = await (await anna.get("/scenarios/fete-voisins.toml")).text()
    scenario = load_scenario_text(exported, "export")  # the CLI's loader takes it
    assert scenario.polls()[0].options["en"] == ["Saturday", "Sunday"]
    assert scenario.polls()[0].reminders == ["+1d 10:00"]

    # Another neighbourhood's facilitator and an agent neither read nor write it.
    assert (await paul.get("/scenarios/fete-voisins")).status == 403
    assert (await post(paul, "/scenarios/fete-voisins", {**POLL, "action": "save"}))[0] == 403
    assert (await agent.get("/scenarios")).status == 403
    assert (await post(agent, "/scenarios/new", {**POLL, "action": "save"}))[0] == 403
    assert "fete-voisins" not in await (await paul.get("/scenarios")).text()

    page = await (await anna.get("/scenarios/fete-voisins/schedule")).text()
    assert "hood-centre" in page and "hood-gare" not in page  # only anna's
    assert "Habitants joints un par un" in page
    status, _, html = await post(anna, "/scenarios/fete-voisins/schedule",
                                 {"neighbourhoods": "gare"})
    assert status == 422 and "pas l&#39;un des vôtres" in html

    assert (await bruno.get("/scenarios/fete-voisins")).status == 200  # commune-wide
    answer = await bruno.post("/scenarios/import", data={
        "toml": exported.replace('id = "fete-voisins"', 'id = "fete-commune"'),
        "csrf_token": await page_csrf(bruno, "/scenarios")}, allow_redirects=False)
    assert answer.status == 303
    form = {"csrf_token": await page_csrf(bruno, "/scenarios/fete-commune/schedule")}
    answer = await bruno.post("/scenarios/fete-commune/schedule", data=[
        *form.items(), ("neighbourhoods", "centre"), ("neighbourhoods", "gare")],
        allow_redirects=False)
    assert answer.status == 303, await answer.text()
    manage = answer.headers["Location"]
    campaign = manage.split("/")[2]
    page = await (await bruno.get(manage)).text()
    assert "attente d&#39;approbation" in page and "Approuver" not in page  # not its author
    assert (await post(paul, f"/campaigns/{campaign}/approve", {}))[0] == 403
    assert (await paul.get(manage)).status == 403  # neither centre's nor gare's
    assert (await agent.get(manage)).status == 403  # figures only, at /campaigns/<id>
    assert (await post(agent, f"/campaigns/{campaign}/cancel", {}))[0] == 403
    assert (await post(bruno, f"/campaigns/{campaign}/approve", {}))[0] == 409
    assert f"/campaigns/{campaign}/manage" in await (await anna.get("/facilitation")).text()
    page = await (await anna.get(manage)).text()
    assert "Approuver la campagne" in page
    status, where, _ = await post(anna, f"/campaigns/{campaign}/approve", {})
    assert (status, where) == (303, f"{manage}?done=approved")
    page = await (await anna.get(manage)).text()
    assert "en attente" in page.lower() and "Approuvée par" in page
    status, _, _ = await post(anna, f"/campaigns/{campaign}/cancel", {})
    assert status == 303
    assert "annulée" in (await (await anna.get(manage)).text()).lower()

    async with open_core(settings, clock, sends=False, writes=False) as core:
        logged = [(e.actor, e.action, e.target) for e in await core.stores.audit.latest()]
    for expected in [("anna", AuditAction.SCENARIO_SAVED, "fete-voisins"),
                     ("anna", AuditAction.EXPORT, "scenario fete-voisins"),
                     ("bruno", AuditAction.SCENARIO_SAVED, "fete-commune"),
                     ("bruno", AuditAction.CAMPAIGN_STARTED, campaign),
                     ("anna", AuditAction.CAMPAIGN_APPROVED, campaign),
                     ("anna", AuditAction.CAMPAIGN_CANCELLED, campaign)]:
        assert expected in logged


async def test_an_uncertain_message_is_marked_delivered_or_sent_again_and_audited(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    anna = await signed_in(server, clients, "anna")
    async with open_core(settings, clock, sends=False) as core:
        started = await core.campaigns.start(
            load_scenario_text('id = "court"\ntitle = "Court"\n[[steps]]\nid = "a"\n'
                               'kind = "announcement"\ntext = "Bonjour"\n'
                               '[[steps]]\nid = "b"\nkind = "announcement"\n'
                               'text = "Au revoir"\n', "t"),
            ["centre"], author="anna")
        rows = await core.stores.database.fetch_all(
            "SELECT id FROM delivery WHERE campaign_id = ? ORDER BY id", (started.id,))
        ids = [row["id"] for row in rows]
        for delivery_id in ids:
            await core.stores.deliveries.finish(delivery_id, "unknown")
    manage = f"/campaigns/{started.id}/manage"
    page = await (await anna.get(manage)).text()
    assert "Messages incertains" in page and "Marquer comme reçu" in page
    status, _, _ = await post(anna, f"/campaigns/{started.id}/deliveries/{ids[0]}",
                              {"outcome": "delivered"})
    assert status == 303
    status, _, _ = await post(anna, f"/campaigns/{started.id}/deliveries/{ids[1]}",
                              {"outcome": "resend"})
    assert status == 303
    assert (await post(anna, f"/campaigns/{started.id}/deliveries/{ids[1]}",
                       {"outcome": "resend"}))[0] == 409  # no longer uncertain
    async with open_core(settings, clock, sends=False, writes=False) as core:
        statuses = [(await core.stores.deliveries.get(i)).status for i in ids[:2]]  # type: ignore[union-attr]
        logged = [(e.action, e.detail) for e in await core.stores.audit.latest()]
    assert statuses == ["sent", "pending"]
    assert (AuditAction.DELIVERY_MARKED_SENT, f"delivery {ids[0]}") in logged
    assert (AuditAction.DELIVERY_SENT_AGAIN, f"delivery {ids[1]}") in logged


async def test_a_recurring_series_is_scheduled_and_stopped_from_its_campaign(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    anna = await signed_in(server, clients, "anna")
    fields = {**POLL, "steps[0].options.en": "Saturday\nSunday", "action": "save"}
    assert (await post(anna, "/scenarios/new", fields))[0] == 303
    token = await page_csrf(anna, "/scenarios/fete-voisins/schedule")
    wrong = await anna.post("/scenarios/fete-voisins/schedule", data={
        "neighbourhoods": "centre", "every": "tous les jours", "csrf_token": token})
    assert wrong.status == 422 and 'value="tous les jours"' in await wrong.text()
    answer = await anna.post("/scenarios/fete-voisins/schedule", data={
        "neighbourhoods": "centre", "every": "every day at 18:00", "csrf_token": token},
        allow_redirects=False)
    assert answer.status == 303, await answer.text()
    manage = answer.headers["Location"]
    assert manage.endswith("/manage?done=series")
    page = await (await anna.get(manage)).text()
    assert "Série programmée" in page and "Arrêter la série" in page
    campaign = manage.split("/")[2]
    stopped = await post(anna, f"/campaigns/{campaign}/series/stop", {})
    assert stopped[:2] == (303, f"/campaigns/{campaign}/manage?done=series-stopped")
    async with open_core(settings, clock, sends=False, writes=False) as core:
        logged = [(e.actor, e.action) for e in await core.stores.audit.latest()]
        record = await core.stores.campaigns.get(campaign)
    assert record is not None and record.status == "cancelled"
    assert ("anna", AuditAction.SERIES_STARTED) in logged
    assert ("anna", AuditAction.SERIES_CANCELLED) in logged


async def test_a_shared_campaign_shows_and_settles_only_the_facilitators_neighbourhoods(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    """anna (centre) may open a campaign sent to centre and gare, but neither settles nor
    reads gare's part of it; an administrator does both."""
    settings.delivery.approval_above = 5
    async with open_core(settings, clock, sends=False) as core:
        started = await core.campaigns.start(
            load_scenario_text('id = "partage"\ntitle = "Partagé"\n[[steps]]\nid = "q"\n'
                               'kind = "poll"\nquestion = "Oui ?"\noptions = ["Oui", "Non"]\n'
                               'closes = "+2d 20:00"\n', "t"), ["centre", "gare"],
            author="admin")
        rows = await core.stores.database.fetch_all(
            "SELECT d.id, c.neighbourhood_id FROM delivery d JOIN chat c ON c.id = d.chat_id"
            " WHERE d.campaign_id = ? AND d.pseudonym IS NULL ORDER BY d.id", (started.id,))
        hood_of = {row["id"]: row["neighbourhood_id"] for row in rows}
        for delivery_id in hood_of:
            await core.stores.deliveries.finish(delivery_id, "unknown")
    centre = next(i for i, hood in hood_of.items() if hood == "centre")
    gare = next(i for i, hood in hood_of.items() if hood == "gare")
    anna = await signed_in(server, clients, "anna")
    admin = await signed_in(server, clients, "admin")
    page = await (await anna.get(f"/campaigns/{started.id}/manage")).text()
    assert f"/deliveries/{centre}" in page and f"/deliveries/{gare}" not in page
    path = f"/campaigns/{started.id}/deliveries/"
    assert (await post(anna, f"{path}{gare}", {"outcome": "resend"}))[0] == 403
    assert (await post(anna, f"{path}{centre}", {"outcome": "delivered"}))[0] == 303
    assert (await post(admin, f"{path}{gare}", {"outcome": "delivered"}))[0] == 303
    assert (await post(anna, f"{path}{'9' * 30}", {"outcome": "resend"}))[0] == 404

    def hoods(figures: dict[str, Any]) -> set[str]:
        return {hood for poll in figures["polls"] for hood in poll["neighbourhoods"]}

    assert hoods(await (await admin.get(f"/campaigns/{started.id}.json")).json()) == {
        "centre", "gare"}
    assert hoods(await (await anna.get(f"/campaigns/{started.id}.json")).json()) == {"centre"}
    full = await (await admin.get(f"/campaigns/{started.id}")).text()
    assert "Gare</" in full.split("Par quartier", 1)[-1]
    shown = await (await anna.get(f"/campaigns/{started.id}")).text()
    assert "Gare</" not in shown.split("Par quartier", 1)[-1]


async def test_a_thirty_digit_id_is_not_found_rather_than_an_error(
    server: TestServer, clients: list[Client],
) -> None:
    admin = await signed_in(server, clients, "admin")
    huge = "9" * 30
    assert (await admin.get(f"/scenarios/fete-voisins/versions/{huge}.toml")).status == 404
    assert (await post(admin, f"/ideas/{huge}", {"decision": "accept"}))[0] == 404
    assert (await post(admin, f"/campaigns/demo/paper/{huge}/remove", {}))[0] == 404
    assert (await post(admin, f"/campaigns/demo/deliveries/{huge}", {}))[0] == 404
