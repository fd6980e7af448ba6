"""A facilitator's whole story in a real browser (issue 16's "done when"): signed in through
a real OpenID provider, she writes a poll from an empty form, meets a problem shown beside
its field, fixes it, previews the timeline, schedules it on four neighbourhoods; a second
facilitator approves it; the bot (run in-process against the Telegram emulator) posts it in
the four groups; she follows the progress and cancels a second campaign. axe-core finds no
violation on any page, the audit log holds every action, and the screenshots of
docs/facilitator.md are taken on the way (written to docs/images/ when
ANIMABOT_SCREENSHOTS=1)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page
from pydantic import SecretStr

from animabot.app import run_bot
from animabot.clock import SystemClock
from animabot.config import NeighbourhoodSettings, OidcSettings
from animabot.core import open_core
from animabot.domain.access import AuditAction, Role
from animabot.web.app import build_app

from ...support.oidc_provider import Provider, oidc_provider
from ...support.telegram_emulator import BotApiEmulator
from ..telegram.conftest import FACILITATOR, telegram_settings
from .browser import assert_accessible, new_context
from .test_backoffice_browser import free_port

pytestmark = pytest.mark.slow
GROUPS = {"centre": -1001, "gare": -1002, "port": -1003, "plateau": -1004}
PEOPLE = {"anna": {"email": "anna@mairie.test", "groups": ["animation"]},
          "bruno": {"email": "bruno@mairie.test", "groups": ["animation"]}}
IMAGES = Path(__file__).parents[3] / "docs" / "images"
SENT_TIMEOUT = 60.0


async def shot(page: Page, name: str, tmp_path: Path) -> None:
    """A screenshot for the guide (and an accessibility check of the page shown)."""
    await assert_accessible(page)
    folder = IMAGES if os.environ.get("ANIMABOT_SCREENSHOTS") == "1" else tmp_path
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def oidc_sign_in(page: Page, base: str, provider: Provider, login: str) -> None:
    await page.goto(f"{base}login")
    await page.click("text=Se connecter avec le fournisseur de test")
    await page.wait_for_url(f"{provider.issuer}/**")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", "n'importe")
    await page.click("button[type=submit]")
    await page.click("button:has-text('Continue')")
    await page.wait_for_url(base)


def field(page: Page, name: str) -> str:
    return f'[id="{name}"]'


async def test_a_facilitator_writes_schedules_and_follows_a_poll_approved_by_another(
    browser: Browser, page: Page, tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    async with BotApiEmulator() as emulator, oidc_provider(
            [f"{base}login/oidc/callback"], [f"{base}login"], PEOPLE) as provider:
        emulator.add_user(FACILITATOR, "Fanny")
        for user in range(1, 13):
            emulator.add_user(user, f"Habitant {user}")
        for index, chat_id in enumerate(GROUPS.values()):
            emulator.add_group(chat_id, f"Groupe {chat_id}",
                               [FACILITATOR, *range(3 * index + 1, 3 * index + 4)],
                               admins=[FACILITATOR])
            emulator.add_bot_to_group(chat_id, FACILITATOR)
        settings = telegram_settings(tmp_path, emulator)
        settings.neighbourhoods = [
            NeighbourhoodSettings(id=hood, name=hood.title(), telegram_chats=[str(chat)])
            for hood, chat in GROUPS.items()]
        settings.web.oidc = OidcSettings(
            enabled=True, issuer=provider.issuer, client_id=provider.client_id,
            client_secret=SecretStr(provider.client_secret), scopes=["openid", "email", "groups"],
            acr_values="eidas1", label="le fournisseur de test", role_claim="groups",
            claim_roles={"animation": Role.FACILITATOR},
            claim_neighbourhoods={"animation": list(GROUPS)})
        async with open_core(settings, SystemClock(), sends=False):
            pass  # the schema, created once before the bot and the back-office share it
        stop = asyncio.Event()
        bot = asyncio.create_task(run_bot(settings, stop=stop))
        try:
            async with TestServer(build_app(settings, SystemClock()), host="127.0.0.1",
                                  port=port):
                await _story(browser, page, base, provider, emulator, tmp_path)
        finally:
            stop.set()
            await asyncio.wait_for(bot, timeout=30)

    async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
        logged = {(e.actor, e.action) for e in await core.stores.audit.latest()}
    anna, bruno = "anna@mairie.test", "bruno@mairie.test"
    for expected in [(anna, AuditAction.SIGN_IN), (anna, AuditAction.SCENARIO_SAVED),
                     (anna, AuditAction.CAMPAIGN_STARTED), (bruno, AuditAction.SIGN_IN),
                     (bruno, AuditAction.CAMPAIGN_APPROVED),
                     (anna, AuditAction.CAMPAIGN_CANCELLED)]:
        assert expected in logged


async def _story(browser: Browser, page: Page, base: str, provider: Provider,
                 emulator: BotApiEmulator, tmp_path: Path) -> None:
    await oidc_sign_in(page, base, provider, "anna")
    await page.click("header >> text=Scénarios")
    await page.wait_for_url("**/scenarios")
    await shot(page, "scenarios", tmp_path)

    # An empty form, a poll added, one option short in English.
    await page.click("text=Écrire un nouveau scénario")
    await page.wait_for_url("**/scenarios/new")
    await assert_accessible(page)
    await page.fill(field(page, "id"), "fete-voisins")
    await page.fill(field(page, "title"), "Fête des voisins")
    await page.select_option("#new_kind", "poll")
    await page.click("button:has-text(\"Ajouter l'étape\")")
    await page.fill(field(page, "steps[0].id"), "jour")
    await page.fill(field(page, "steps[0].question.fr"), "Quel jour pour la fête ?")
    await page.fill(field(page, "steps[0].question.en"), "Which day for the party?")
    await page.fill(field(page, "steps[0].options.fr"), "Samedi\nDimanche")
    await page.fill(field(page, "steps[0].options.en"), "Saturday")
    await page.check(field(page, "steps[0].reminders[0].mode-days"))
    await page.fill(field(page, "steps[0].reminders[0].days"), "1")
    await page.fill(field(page, "steps[0].reminders[0].clock"), "10:00")
    await page.click("button:has-text(\"Vérifier et prévisualiser\")")
    english = page.locator(field(page, "steps[0].options.en"))
    assert await english.get_attribute("aria-invalid") == "true"
    described = (await english.get_attribute("aria-describedby") or "").split()[0]
    beside = await page.locator(f'[id="{described}"]').inner_text()
    assert "celui-ci en a 1" in beside and "ajoutez 1 option" in beside
    await english.scroll_into_view_if_needed()
    await shot(page, "editeur-erreur", tmp_path)

    # Fixed, previewed, saved.
    await page.fill(field(page, "steps[0].options.en"), "Saturday\nSunday")
    await page.fill("#preview_start", "2026-12-14T17:00")
    await page.click("button:has-text(\"Vérifier et prévisualiser\")")
    timeline = await page.locator("#timeline").inner_text()
    assert "clôture" in timeline and "relance" in timeline
    assert "plage d'envoi" in await page.locator("main").inner_text()
    await shot(page, "editeur-apercu", tmp_path)
    await page.click("button:has-text('Enregistrer')")
    await page.wait_for_url("**/scenarios/fete-voisins?saved=1")
    await assert_accessible(page)

    # Scheduled on four neighbourhoods: above the threshold, it waits for a second person.
    await page.click("text=Programmer une campagne")
    await page.wait_for_url("**/schedule")
    for hood in GROUPS:
        await page.check(f"#hood-{hood}")
    await shot(page, "programmer", tmp_path)
    await page.click("button:has-text(\"Programmer la campagne\")")
    await page.wait_for_url("**/manage")
    manage = page.url
    assert "attente d'approbation" in await page.locator("main").inner_text()
    await shot(page, "campagne-en-attente", tmp_path)

    colleague = await (await new_context(browser)).new_page()
    await oidc_sign_in(colleague, base, provider, "bruno")
    await colleague.click("header >> text=Espace animation")  # where pending ones wait
    await colleague.wait_for_url("**/facilitation")
    await assert_accessible(colleague)
    await colleague.click("main li:has-text('programmée par anna@mairie.test') >> a")
    await colleague.wait_for_url(manage)
    await assert_accessible(colleague)
    await colleague.click("button:has-text(\"Approuver la campagne\")")
    await colleague.wait_for_url("**?done=approved")
    await shot(colleague, "campagne-approuvee", tmp_path)
    await colleague.context.close()

    await emulator.wait_for(lambda: all(
        any(m.poll or "Quel jour" in (m.text or "") for m in emulator.messages_to(chat))
        for chat in GROUPS.values()), timeout=SENT_TIMEOUT)

    await page.goto(manage)
    progress = page.locator("#progress")
    for _ in range(150):  # the worker records each send just after the emulator has it
        if "envoyés" in await progress.inner_text():
            break
        await asyncio.sleep(0.2)
        await page.reload()
    assert "envoyés" in await progress.inner_text()
    await shot(page, "campagne-suivi", tmp_path)

    # A second campaign, on one neighbourhood tomorrow, cancelled before it starts.
    await page.goto(f"{base}scenarios/fete-voisins/schedule")
    await page.check("#hood-centre")
    await page.fill("#start", "2030-01-07T18:00")
    await page.click("button:has-text(\"Programmer la campagne\")")
    await page.wait_for_url("**/manage")
    assert page.url != manage
    await page.click("button:has-text(\"Annuler la campagne\")")
    await page.wait_for_url("**?done=cancelled")
    assert "annulée" in (await page.locator("#status").inner_text()).lower()
    await shot(page, "campagne-annulee", tmp_path)

    await page.click("footer >> text=Accessibilité")
    await page.wait_for_url("**/accessibilite")
    assert "partiellement conforme" in await page.locator("main").inner_text()
    await assert_accessible(page)
