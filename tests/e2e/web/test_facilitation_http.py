"""Ideas, actors and chats from the back-office over HTTP: a refusal's reason reaches the
idea's author in private, an actor is edited under the CSV import's rules, a CSV file is
reported line by line, and a facilitator touches nothing outside their neighbourhoods."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestServer

from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.core import open_core
from animabot.delivery.composer import decode_reply
from animabot.domain.access import AuditAction
from animabot.domain.actor import Actor
from animabot.store.ideas import IdeaRepository
from animabot.web.app import build_app

from .conftest import Client
from .test_accounts_http import add_accounts, page_csrf, signed_in


@pytest.fixture
async def server(settings: Settings, clock: FakeClock) -> AsyncIterator[TestServer]:
    await add_accounts(settings, clock)
    opened = TestServer(build_app(settings, clock))
    async with opened:
        yield opened


async def _ideas(settings: Settings, clock: FakeClock) -> tuple[int, int]:
    """An idea of centre by a reachable resident, and one of gare."""
    async with open_core(settings, clock, sends=False) as core:
        row = await core.database.fetch_one(
            "SELECT r.pseudonym FROM resident r JOIN address_book a"
            " ON a.pseudonym = r.pseudonym WHERE a.status = 'active' AND NOT r.opted_out"
            " ORDER BY r.pseudonym LIMIT 1")
        assert row is not None
        ideas = IdeaRepository(core.database)
        now = clock.now()
        centre = await ideas.add_within_limit(row["pseudonym"], "simulated", "centre",
                                              "Des bancs place du marché", now, now, 99)
        gare = await ideas.add_within_limit(row["pseudonym"], "simulated", "gare",
                                            "Un abri vélo", now, now, 99)
        assert centre is not None and gare is not None
        await core.stores.actors.save_all([
            Actor("epicerie", "L'Épicerie", "commerce", neighbourhood_id="centre"),
            Actor("velo", "Vélo-Gare", "association", neighbourhood_id="gare")], now)
        return centre, gare


async def test_a_refusal_reason_reaches_the_author_and_another_hood_is_out_of_reach(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    centre, gare = await _ideas(settings, clock)
    anna = await signed_in(server, clients, "anna")
    agent = await signed_in(server, clients, "agent")
    page = await (await anna.get("/ideas")).text()
    assert "Des bancs" in page and "Un abri vélo" not in page
    token = await page_csrf(anna, "/ideas")
    refused = await anna.post(f"/ideas/{gare}", data={
        "decision": "reject", "reason": "x", "csrf_token": token}, allow_redirects=False)
    assert refused.status == 403
    assert (await agent.post(f"/ideas/{centre}", data={
        "decision": "accept", "csrf_token": await page_csrf(agent, "/")})).status == 403
    answer = await anna.post(f"/ideas/{centre}", data={
        "decision": "reject", "reason": "La place sera refaite en 2027.", "csrf_token": token},
        allow_redirects=False)
    assert answer.status == 303
    again = await anna.post(f"/ideas/{centre}", data={"decision": "accept",
                                                      "csrf_token": token})
    assert again.status == 409
    async with open_core(settings, clock, sends=False, writes=False) as core:
        row = await core.database.fetch_one(
            "SELECT payload FROM delivery WHERE dedupe_key = ?", (f"notice:idea:{centre}",))
        logged = [(e.actor, e.action, e.detail) for e in await core.stores.audit.latest()]
    assert row is not None
    told = decode_reply(row["payload"]).text
    assert "Des bancs" in told and "La place sera refaite en 2027." in told
    assert ("anna", AuditAction.IDEA_REJECTED, "La place sera refaite en 2027.") in logged


async def test_actors_are_edited_and_imported_with_the_line_by_line_report(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    await _ideas(settings, clock)
    anna = await signed_in(server, clients, "anna")
    listing = await (await anna.get("/actors")).text()
    assert "L&#39;Épicerie" in listing and "Vélo-Gare" not in listing
    assert (await anna.get("/actors/velo")).status == 403
    token = await page_csrf(anna, "/actors/epicerie")
    bad = await anna.post("/actors/epicerie", data={
        "name": "", "kind": "commerce", "neighbourhood": "centre", "csrf_token": token})
    assert bad.status == 422 and "name" in await bad.text()
    moved = await anna.post("/actors/epicerie", data={
        "name": "L'Épicerie", "kind": "commerce", "neighbourhood": "gare",
        "csrf_token": token})
    assert moved.status == 422  # gare is not anna's
    good = await anna.post("/actors/epicerie", data={
        "name": "L'Épicerie solidaire", "kind": "commerce", "neighbourhood": "centre",
        "contact": "01 02 03 04 05", "csrf_token": token}, allow_redirects=False)
    assert good.status == 303

    form = FormData()
    form.add_field("csrf_token", token)
    form.add_field("file", ("id;nom;type;quartier\n"
                            "jardin;Jardin partagé;association;centre\n"
                            ";;commerce;centre\n"
                            "gare-bis;Café de la gare;commerce;gare\n").encode(),
                   filename="acteurs.csv", content_type="text/csv")
    report = await anna.post("/actors/import", data=form)
    text = await report.text()
    assert report.status == 422
    assert "1 acteur(s) importé(s)" in text and "ligne 3" in text and "ligne 4" in text
    async with open_core(settings, clock, sends=False, writes=False) as core:
        actors = {a.id: a for a in await core.stores.actors.all()}
        logged = [(e.actor, e.action) for e in await core.stores.audit.latest()]
    assert actors["epicerie"].name == "L'Épicerie solidaire"
    assert "jardin" in actors and "gare-bis" not in actors
    assert ("anna", AuditAction.ACTOR_SAVED) in logged
    assert ("anna", AuditAction.ACTORS_IMPORTED) in logged
    chats = await (await anna.get("/neighbourhoods")).text()
    assert "Centre-ville" in chats and "Quartier de la Gare" not in chats


async def test_a_directory_of_thousands_of_rows_is_imported_in_one_upload(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    anna = await signed_in(server, clients, "anna")
    rows = "".join(f"acteur-{n};Acteur numéro {n} du centre-ville;association;centre;"
                   f"contact{n}@exemple.fr\n" for n in range(3000))
    form = FormData()
    form.add_field("csrf_token", await page_csrf(anna, "/actors"))
    form.add_field("file", ("id;nom;type;quartier;contact\n" + rows).encode(),
                   filename="acteurs.csv", content_type="text/csv")
    report = await anna.post("/actors/import", data=form)
    assert report.status == 200 and "3000 acteur(s) importé(s)" in await report.text()


async def test_an_import_cannot_overwrite_an_actor_of_another_neighbourhood(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    """A row is judged by the actor it would replace too: anna (centre) cannot rewrite
    gare's actor by writing its id, or its name (the id is made from the name), with centre."""
    await _ideas(settings, clock)
    async with open_core(settings, clock, sends=False) as core:
        await core.stores.actors.save_all([
            Actor("maison-gare", "Maison Gare", "association", neighbourhood_id="gare")],
            clock.now())
    anna = await signed_in(server, clients, "anna")
    form = FormData()
    form.add_field("csrf_token", await page_csrf(anna, "/actors"))
    form.add_field("file", ("id;nom;type;quartier;contact\n"
                            "velo;PIRATED;association;centre;evil@x.fr\n"
                            ";Maison Gare;association;centre;evil@x.fr\n"
                            "epicerie;L'Épicerie;commerce;centre;ok@x.fr\n").encode(),
                   filename="acteurs.csv", content_type="text/csv")
    report = await anna.post("/actors/import", data=form)
    text = await report.text()
    assert report.status == 422
    assert "ligne 2" in text and "ligne 3" in text and "ligne 4" not in text
    assert "already exists in the neighbourhood gare" in text
    async with open_core(settings, clock, sends=False, writes=False) as core:
        actors = {a.id: a for a in await core.stores.actors.all()}
    assert actors["velo"].name == "Vélo-Gare" and actors["velo"].neighbourhood_id == "gare"
    assert actors["maison-gare"].neighbourhood_id == "gare"
    assert actors["maison-gare"].contact == ""
    assert actors["epicerie"].contact == "ok@x.fr"
    edited = await anna.post("/actors/velo", data={
        "name": "PIRATED", "kind": "association", "neighbourhood": "centre",
        "csrf_token": await page_csrf(anna, "/actors")})
    assert edited.status == 403
