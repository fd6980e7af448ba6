"""An agent's visit in a real browser (Debian's chromium driven by Playwright): sign in,
read the campaign, see its charts, download its CSV; a wrong token is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Page

from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.web.app import build_app

from .conftest import AGENT, CAMPAIGN, TOKEN

pytestmark = pytest.mark.slow


@pytest.fixture
async def base_url(settings: Settings, clock: FakeClock) -> AsyncIterator[str]:
    async with TestServer(build_app(settings, clock), host="127.0.0.1") as server:
        yield str(server.make_url("/"))


async def sign_in(page: Page, base_url: str, token: str) -> int:
    """Fill the login form; the status the form's POST answered."""
    await page.goto(f"{base_url}login")
    await page.click("details.token summary")  # the agents' form is folded under the accounts'
    await page.fill("#token", token)
    async with page.expect_response(
        lambda r: r.url.endswith("/login") and r.request.method == "POST"
    ) as answer:
        await page.click("form:has(#token) button[type=submit]")
    await page.wait_for_load_state()
    return (await answer.value).status


async def test_an_agent_signs_in_reads_a_campaign_and_downloads_its_csv(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    assert await sign_in(page, base_url, TOKEN) == 303
    assert page.url == base_url
    assert await page.locator("h1").inner_text() == "Campagnes"
    assert AGENT in await page.locator("header").inner_text()

    await page.click(f"a[href='/campaigns/{CAMPAIGN}']")
    await page.wait_for_url(f"**/campaigns/{CAMPAIGN}")
    text = await page.locator("main").inner_text()
    for expected in ("Réponses", "Taux de réponse", "Par quartier", "avant les relances",
                     "< 5", "Formation"):
        assert expected in text
    images = page.locator("main img")
    assert await images.count() >= 3
    await page.wait_for_load_state("networkidle")
    widths = await images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(width > 0 for width in widths), widths
    await page.screenshot(path=tmp_path / "campagne.png", full_page=True)

    async with page.expect_download() as started:
        await page.click(f"a[href='/campaigns/{CAMPAIGN}.csv']")
    download = await started.value
    assert download.suggested_filename == f"campagne-{CAMPAIGN}.csv"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    content = saved.read_text(encoding="utf-8")
    assert content.startswith("section,step,indicator,label,value,suppressed")
    assert f"campaign,,id,,{CAMPAIGN},false" in content and "polls,priorite,reach,,40" in content

    await page.click("text=Se déconnecter")
    await page.wait_for_url("**/login")
    response = await page.goto(base_url)
    assert response is not None and response.status == 401


async def test_a_wrong_token_shows_the_401(page: Page, base_url: str) -> None:
    assert await sign_in(page, base_url, "pas-le-bon-jeton") == 401
    assert "Jeton inconnu" in await page.locator("[role=alert]").inner_text()
    response = await page.goto(f"{base_url}campaigns/{CAMPAIGN}")
    assert response is not None and response.status == 401
