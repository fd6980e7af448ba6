"""A real browser for the dashboard's tests (Debian's chromium driven by Playwright), and
the accessibility check every page passes (axe-core, injected from its npm package)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from ...support.oidc_provider import AXE_SCRIPT, INSTALL_COMMAND

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


def chromium() -> str:
    """The browser, or a skip (a failure in CI, which must run this test)."""
    path = shutil.which("chromium")
    if path is None:
        _missing("chromium is not installed: run scripts/test-setup.sh (apt-get install "
                 "chromium)")
    assert path is not None
    return path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable,
                                                    args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def new_context(browser: Browser) -> BrowserContext:
    """A person's browser: French, a laptop's window, nothing reaching beyond loopback."""
    # bypass_csp: axe-core is injected as an inline script, which the pages' CSP forbids.
    context = await browser.new_context(accept_downloads=True, locale="fr-FR",
                                        viewport={"width": 1100, "height": 900},
                                        bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    # The test provider's pages import a web font: no network here, so refuse at once.
    await context.route("**/fonts.googleapis.com/**", lambda route: route.abort())
    return context


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await new_context(browser)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds wrong on the page as it is now (WCAG 2.x A and AA rules)."""
    if not AXE_SCRIPT.is_file():
        _missing(f"axe-core is missing: run `{INSTALL_COMMAND}`")
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE_SCRIPT))
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag', values:
               ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}))
             .violations.map(v => ({id: v.id, help: v.help,
                                    nodes: v.nodes.map(n => n.target.join(' '))}))""")
    return found


async def assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"
