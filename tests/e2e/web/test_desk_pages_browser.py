"""axe-core on every page the back-office added that the facilitator's story does not
visit: the ideas, the directory (an import's report included), the chats, an editor opened
from a template (every step kind) and an import refused; and the pages on a phone's width."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.core import open_core
from animabot.scenario.loader import load_scenario_text

from .browser import assert_accessible, new_context
from .test_backoffice_browser import base_url, sign_in  # noqa: F401 (the fixture)
from .test_facilitation_http import _ideas
from .test_facilitator_story_browser import shot

pytestmark = pytest.mark.slow


async def test_every_other_back_office_page_passes_axe(
    browser: Browser, page: Page, base_url: str, settings: Settings, clock: FakeClock,  # noqa: F811
    tmp_path: Path,
) -> None:
    await _ideas(settings, clock)
    await sign_in(page, base_url, "anna")
    await page.goto(f"{base_url}ideas")
    await shot(page, "idees", tmp_path)
    await page.locator("main textarea").first.fill("La place sera refaite en 2027.")
    await page.locator("main button:has-text('Refuser')").first.click()
    await page.wait_for_url("**/ideas?done=rejected")
    assert "Aucune idée en attente" in await page.locator("main").inner_text()
    await assert_accessible(page)
    await page.goto(f"{base_url}actors")
    csv = tmp_path / "acteurs.csv"
    csv.write_text("id;nom;type;quartier\njardin;Jardin partagé;association;centre\n"
                   ";;commerce;centre\n", encoding="utf-8")
    await page.set_input_files("#file", str(csv))
    await page.click("button:has-text('Importer')")
    assert "ligne 3" in await page.locator("#report").inner_text()
    await shot(page, "acteurs", tmp_path)
    await page.goto(f"{base_url}actors/epicerie")
    await assert_accessible(page)
    await page.fill("#name", "")
    await page.click("main button:has-text('Enregistrer')")
    assert await page.locator("#problems").count() == 1
    await assert_accessible(page)
    await page.goto(f"{base_url}neighbourhoods")
    await assert_accessible(page)
    await page.goto(f"{base_url}scenarios/new?template=decouverte")  # training and results
    await assert_accessible(page)
    await page.click("button:has-text('Vérifier et prévisualiser')")
    await assert_accessible(page)
    # With JavaScript, the editor checks itself while one types.
    await page.goto(f"{base_url}scenarios/new")
    await page.fill('[id="id"]', "Pas Un Identifiant")
    beside_id = page.locator('[id="id"] + p.field-error')
    await beside_id.wait_for()
    assert await page.locator('[id="id"]').get_attribute("aria-invalid") == "true"
    assert "problème" in await page.locator("#live-status").inner_text()
    await page.fill('[id="id"]', "un-identifiant")
    await beside_id.wait_for(state="detached")
    await assert_accessible(page)

    await page.goto(f"{base_url}scenarios")
    await page.fill("#toml", 'id = "x"\ntitle = \n')
    await page.click("button:has-text('Importer')")
    assert "ligne 2" in await page.locator("[role=alert]").inner_text()
    await assert_accessible(page)

    await page.set_viewport_size({"width": 375, "height": 800})
    await page.goto(f"{base_url}scenarios/new?template=jardin-partage")
    await assert_accessible(page)
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 375 + 1, "the editor scrolls sideways on a phone"
    await shot(page, "editeur-telephone", tmp_path)
    await page.goto(f"{base_url}accessibilite")
    await assert_accessible(page)

    await page.set_viewport_size({"width": 1100, "height": 900})
    async with open_core(settings, clock, sends=False) as core:
        started = await core.campaigns.start(load_scenario_text(
            'id = "court"\ntitle = "Court"\n[[steps]]\nid = "a"\nkind = "announcement"\n'
            'text = "Bonjour"\n', "t"), ["centre"], author="anna")
        for row in await core.stores.deliveries.find(started.id, "a", "send"):
            await core.stores.deliveries.finish(row.id, "unknown")
    await page.goto(f"{base_url}campaigns/{started.id}/manage")
    assert "Messages incertains" in await page.locator("main").inner_text()
    await shot(page, "campagne-incertains", tmp_path)
    await page.click("button:has-text('Marquer comme reçu')")
    await page.wait_for_url("**?done=marked")
    await assert_accessible(page)

    # Paper answers: the form, an entry refused with its message, then the entries' table.
    async with open_core(settings, clock, sends=False) as core:
        polled = await core.campaigns.start(load_scenario_text(
            'id = "papier"\ntitle = "Papier"\n[[steps]]\nid = "q"\nkind = "poll"\n'
            'at = "+0"\ncloses = "+2d"\nquestion.fr = "Quel jour ?"\n'
            'question.en = "Which day?"\noptions.fr = ["Samedi", "Dimanche"]\n'
            'options.en = ["Saturday", "Sunday"]\n', "t"),
            ["centre"], author="anna")
    await page.goto(f"{base_url}campaigns/{polled.id}/paper")
    await assert_accessible(page)
    await page.fill("#count", "0")
    await page.fill("#source", "réunion du 12/03")
    await page.evaluate("document.querySelector('#count').removeAttribute('min')")
    await page.click("button:has-text('Enregistrer la saisie')")
    assert await page.locator("[role=alert]").count() == 1
    await assert_accessible(page)
    await page.fill("#count", "14")
    await page.click("button:has-text('Enregistrer la saisie')")
    await page.wait_for_url("**?done=recorded")
    assert "réunion du 12/03" in await page.locator("#paper-entries").inner_text()
    await assert_accessible(page)

    # Another neighbourhood's facilitator reads and does nothing of it; an agent writes nothing.
    await page.goto(f"{base_url}scenarios")
    await page.fill("#toml", 'id = "court-anna"\ntitle = "Court"\n[[steps]]\nid = "a"\n'
                    'kind = "announcement"\ntext = "Bonjour"\n')
    await page.click("button:has-text('Importer')")
    await page.wait_for_url("**/scenarios/court-anna?saved=1")
    await page.goto(f"{base_url}scenarios/court-anna/schedule")
    await page.click("button:has-text('Programmer la campagne')")  # no neighbourhood ticked
    assert await page.locator("#problems").count() == 1
    await assert_accessible(page)
    for name in ("paul", "agent"):
        other = await (await new_context(browser)).new_page()
        await sign_in(other, base_url, name)
        token = await other.locator("input[name=csrf_token]").first.get_attribute("value")
        assert token
        for path in (f"campaigns/{started.id}/manage", "scenarios/court-anna",
                     "scenarios/court-anna.toml", "scenarios/court-anna/schedule"):
            response = await other.goto(f"{base_url}{path}")
            assert response is not None and response.status == 403, (name, path)
        await assert_accessible(other)
        writes = [f"campaigns/{started.id}/cancel", f"campaigns/{started.id}/approve",
                  "scenarios/court-anna", "scenarios/court-anna/schedule"]
        if name == "agent":  # a facilitator writes scenarios of its own; an agent none
            writes += ["scenarios/new", "scenarios/import", "ideas/1", "actors/import"]
        for path in writes:
            answer = await other.request.post(f"{base_url}{path}", form={
                "csrf_token": token, "action": "save", "id": "x"}, max_redirects=0)
            assert answer.status == 403, (name, path, answer.status)
        await other.context.close()
    response = await page.goto(f"{base_url}campaigns/{started.id}/manage")
    assert response is not None and response.status == 200
    assert "annulée" not in (await page.locator("#status").inner_text()).lower()
