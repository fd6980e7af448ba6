"""The back-office in a real browser: a local account signs in and out, an administrator
revokes a facilitator's session, a facilitator signs in through a real OpenID provider and
out of it; axe-core finds no accessibility violation on any page visited."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page
from pydantic import SecretStr

from animabot.accounts.service import AccountService
from animabot.clock import FakeClock
from animabot.config import OidcSettings, Settings
from animabot.core import open_core
from animabot.domain.access import AuditAction, Role
from animabot.store.audit import AuditEntry
from animabot.web.app import build_app
from animabot.web.auth import SESSION_COOKIE

from ...support.oidc_provider import oidc_provider
from .browser import assert_accessible, new_context
from .conftest import CAMPAIGN
from .test_accounts_http import PASSWORD, add_accounts

pytestmark = pytest.mark.slow


@pytest.fixture
async def base_url(settings: Settings, clock: FakeClock) -> AsyncIterator[str]:
    await add_accounts(settings, clock)
    async with TestServer(build_app(settings, clock), host="127.0.0.1") as server:
        yield str(server.make_url("/"))


async def sign_in(page: Page, base_url: str, name: str) -> None:
    await page.goto(f"{base_url}login")
    await page.fill("#username", name)
    await page.fill("#password", PASSWORD)
    await page.click("form:has(#username) button[type=submit]")
    await page.wait_for_url(base_url)


async def audit_of(settings: Settings, clock: FakeClock) -> list[AuditEntry]:
    async with open_core(settings, clock, sends=False, writes=False) as core:
        return await core.stores.audit.latest()


async def test_a_local_account_signs_in_sees_the_dashboard_and_signs_out_for_good(
    page: Page, base_url: str, settings: Settings, clock: FakeClock,
) -> None:
    await page.goto(f"{base_url}login")
    await assert_accessible(page)
    await page.fill("#username", "anna")
    await page.fill("#password", "pas le bon mot de passe")
    await page.click("form:has(#username) button[type=submit]")
    assert "Identifiant ou mot de passe incorrect" in await page.locator(
        "[role=alert]").inner_text()
    await assert_accessible(page)

    await sign_in(page, base_url, "anna")
    assert await page.locator("h1").inner_text() == "Campagnes"
    assert "anna" in await page.locator("header").inner_text()
    await assert_accessible(page)
    await page.click("text=Espace animation")
    await page.wait_for_url("**/facilitation")
    await assert_accessible(page)
    await page.click("a[href='/facilitation/neighbourhoods/centre']")
    await page.wait_for_url("**/facilitation/neighbourhoods/centre")
    await assert_accessible(page)
    await page.goto(f"{base_url}campaigns/{CAMPAIGN}")
    await assert_accessible(page)
    response = await page.goto(f"{base_url}facilitation/neighbourhoods/gare")
    assert response is not None and response.status == 403
    await assert_accessible(page)

    cookies = await page.context.cookies()
    old = next(c for c in cookies if c["name"] == SESSION_COOKIE)
    await page.goto(f"{base_url}campaigns/{CAMPAIGN}")
    await page.click("text=Se déconnecter")
    await page.wait_for_url("**/login")
    await page.context.add_cookies([  # the cookie kept from before signing out
        {"name": old["name"], "value": old["value"], "url": base_url}])
    response = await page.goto(base_url)
    assert response is not None and response.status == 401

    actions = [(e.actor, e.action) for e in await audit_of(settings, clock)]
    for expected in [("anna", AuditAction.SIGN_IN_FAILED), ("anna", AuditAction.SIGN_IN),
                     ("anna", AuditAction.SIGN_OUT)]:
        assert expected in actions


async def test_an_administrator_revokes_a_facilitator_and_reads_the_audit_log(
    browser: Browser, page: Page, base_url: str,
) -> None:
    facilitator = await (await new_context(browser)).new_page()
    await sign_in(facilitator, base_url, "anna")
    await sign_in(page, base_url, "admin")
    await page.click("text=Comptes")
    await page.wait_for_url("**/admin/users")
    await assert_accessible(page)
    # A form that lost its CSRF token (as one forged on another site would) is refused.
    await page.evaluate("document.querySelectorAll('input[name=csrf_token]')"
                        ".forEach(input => input.remove())")
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.click("button[aria-label='Révoquer les sessions de anna']")
    assert (await answer.value).status == 403
    assert "Accès refusé" in await page.locator("h1").inner_text()
    assert (await facilitator.reload()) is not None  # anna is still signed in
    assert "anna" in await facilitator.locator("header").inner_text()
    await page.goto(f"{base_url}admin/users")
    await page.click("button[aria-label='Révoquer les sessions de anna']")
    await page.wait_for_url("**/admin/users?revoked=anna")
    assert "Les sessions de anna sont révoquées" in await page.locator("main").inner_text()
    response = await facilitator.reload()
    assert response is not None and response.status == 401

    await page.click("text=Journal")
    await page.wait_for_url("**/admin/audit")
    await assert_accessible(page)
    log = await page.locator("main table").inner_text()
    for shown in ("sessions révoquées", "connexion", "compte créé"):
        assert shown in log
    async with page.expect_download() as started:
        await page.click("a[href='/admin/audit.csv']")
    assert (await started.value).suggested_filename == "audit.csv"
    await facilitator.context.close()


async def test_an_agent_is_refused_the_facilitators_space_with_an_accessible_page(
    page: Page, base_url: str,
) -> None:
    await sign_in(page, base_url, "agent")
    assert "Espace animation" not in await page.locator("header").inner_text()
    response = await page.goto(f"{base_url}facilitation")
    assert response is not None and response.status == 403
    assert "Accès refusé" in await page.locator("h1").inner_text()
    await assert_accessible(page)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_facilitator_signs_in_and_out_through_a_real_openid_provider(
    browser: Browser, page: Page, settings: Settings, clock: FakeClock,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    accounts = {"anna": {"email": "anna@mairie.test", "groups": ["animation-centre"]},
                "eve": {"email": "eve@ailleurs.test", "groups": []},
                "karim": {"email": "Karim.Benali@mairie.test", "groups": []}}
    async with open_core(settings, clock, sends=False) as core:  # registered by e-mail
        s = core.stores
        await AccountService(s.accounts, s.sessions, s.audit, clock).add(
            "karim", Role.ADMINISTRATOR, frozenset(), password=None,
            email="karim.benali@mairie.test", actor="cli:test")
    async with oidc_provider([f"{base}login/oidc/callback"], [f"{base}login"],
                             accounts) as provider:
        settings.web.oidc = OidcSettings(
            enabled=True, issuer=provider.issuer, client_id=provider.client_id,
            client_secret=SecretStr(provider.client_secret), scopes=["openid", "email", "groups"],
            acr_values="eidas1", label="le fournisseur de test", role_claim="groups",
            claim_roles={"animation-centre": Role.FACILITATOR},
            claim_neighbourhoods={"animation-centre": ["centre"]})
        async with TestServer(build_app(settings, clock), host="127.0.0.1", port=port):
            await page.goto(f"{base}login")
            await page.click("text=Se connecter avec le fournisseur de test")
            await page.wait_for_url(f"{provider.issuer}/**")
            await page.fill("input[name=login]", "anna")
            await page.fill("input[name=password]", "n'importe")
            await page.click("button[type=submit]")
            await page.click("button:has-text('Continue')")  # the provider's consent
            await page.wait_for_url(base)
            assert "anna@mairie.test" in await page.locator("header").inner_text()
            await page.goto(f"{base}facilitation/neighbourhoods/centre")
            response = await page.goto(f"{base}facilitation/neighbourhoods/gare")
            assert response is not None and response.status == 403

            await page.goto(base)
            await page.click("text=Se déconnecter")
            await page.wait_for_url(f"{provider.issuer}/**")  # the provider's own sign-out
            await page.click("button[value=yes]")
            await page.wait_for_url(lambda url: url.startswith(f"{base}login"))  # ?state=…
            response = await page.goto(base)
            assert response is not None and response.status == 401

            # Someone the provider knows but the commune does not is turned away.
            await page.goto(f"{base}login/oidc")
            await page.fill("input[name=login]", "eve")
            await page.fill("input[name=password]", "n'importe")
            await page.click("button[type=submit]")
            await page.click("button:has-text('Continue')")
            await page.wait_for_url(f"{base}login/oidc/callback**")
            assert "n'a pas accès" in await page.locator("[role=alert]").inner_text()

            # Someone registered by e-mail (as with ProConnect, which names no role), in a
            # browser of their own (the provider still knows eve in this one).
            other = await (await new_context(browser)).new_page()
            await other.goto(f"{base}login/oidc")
            await other.fill("input[name=login]", "karim")
            await other.fill("input[name=password]", "n'importe")
            await other.click("button[type=submit]")
            await other.click("button:has-text('Continue')")
            await other.wait_for_url(base)
            header = await other.locator("header").inner_text()
            assert "karim" in header and "Comptes" in header  # an administrator
            await other.context.close()

    entries = await audit_of(settings, clock)
    signed = [(e.actor, e.action, e.detail) for e in entries]
    assert ("anna@mairie.test", AuditAction.SIGN_IN, "oidc") in signed
    assert ("anna@mairie.test", AuditAction.SIGN_OUT, "") in signed
    assert ("eve@ailleurs.test", AuditAction.SIGN_IN_FAILED, "oidc: not registered") in signed
