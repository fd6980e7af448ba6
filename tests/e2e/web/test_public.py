"""The residents' public pages in a real browser, served as ``animabot run`` serves them, over
a real SMTP server: a resident follows the link of a received e-mail and votes (once, however
often the link is opened or prefetched), changes the vote, reads a training and answers its
quiz, sees and erases their data, unsubscribes (by the page, and by RFC 8058's one-click
POST); forged and expired links; sign-up with double opt-in by e-mail and by SMS code; the
posters. axe-core finds no violation on any page, in French and in English."""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page

from animabot.chat.registry import create_adapter, enabled_adapters
from animabot.clock import FakeClock
from animabot.config import load_settings
from animabot.config.reports import photo_folder
from animabot.core import Core, open_core
from animabot.delivery.worker import DeliveryWorker
from animabot.domain.addresses import AddressStatus
from animabot.domain.problem_report import ReportStatus
from animabot.problems.status import change_status
from animabot.store.address_book import AddressBook, Enrolment
from animabot.store.state import PlatformState
from animabot.web.public.app import public_face
from tests.support.photos import has_metadata, photo_with_gps
from tests.support.sms_gateway import SmsGatewayEmulator
from tests.support.smtp_server import SmtpServer, smtp_server

from ..conftest import animabot, base_config
from ..test_email import SCENARIO
from .browser import assert_accessible, new_context

pytestmark = pytest.mark.slow
START = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    url: str
    core: Core
    clock: FakeClock
    smtp: SmtpServer
    worker: DeliveryWorker
    gateway: SmsGatewayEmulator
    campaign: str

    async def drain(self) -> None:
        while await self.worker.drain():
            pass

    def mails(self, address: str) -> list[EmailMessage]:
        return self.smtp.handler.to(address)

    def links(self, mail: EmailMessage) -> list[str]:
        text = mail.get_body(("plain",))
        assert text is not None
        return re.findall(re.escape(self.url) + r"/r/\S+", text.get_content())

    def pseudonym(self, address: str) -> str:
        return str(self.core.pseudonymize("email", address))

    async def vote(self, address: str) -> tuple[int, ...]:
        return await self.core.stores.answers.vote_of(self.campaign, "envie",
                                                      self.pseudonym(address))

    async def votes(self) -> int:
        return len(await self.core.stores.answers.answers(self.campaign, "envie"))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGatewayEmulator]:
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=5) as gateway:
        yield gateway


@pytest.fixture
def extra_config() -> str:
    """More configuration (a test parametrizes it: the report categories)."""
    return ""


@pytest.fixture
async def site(tmp_path: Path, smtp: SmtpServer, gateway: SmsGatewayEmulator,
               extra_config: str) -> AsyncIterator[Site]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + f"""
[sms]
enabled = true
gateway_url = "{gateway.cloud_url}"
username = "{gateway.username}"
password = "{gateway.password}"
webhook_secret = "{gateway.signing_key}"
webhook_url = "{url}/sms/webhook"
max_per_window = 300
[email]
enabled = true
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
starttls = false
from_address = "participation@ville.test"
per_minute = 6000
[web]
public_url = "{url}"
listen = "127.0.0.1:{port}"
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
""" + extra_config, encoding="utf-8")
    scenario = tmp_path / "jardin.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    settings = load_settings(config)
    clock = FakeClock(START)
    async with open_core(settings, clock) as core:
        await AddressBook(core.database).enrol_all([
            Enrolment(core.pseudonymize("email", address), "email", address, "centre",
                      language, START - timedelta(days=30))
            for address, language in (("ana@example.org", "fr"), ("bob@example.org", "en"))],
            START)
    started = animabot("campaign", "start", str(scenario), "--to", "centre", "--at",
                       "2027-06-01 10:00", "--json", "--config", str(config))
    campaign = re.search(r'"id": "([^"]+)"', started.stdout)
    assert campaign is not None
    async with AsyncExitStack() as stack:
        core = await stack.enter_async_context(open_core(settings, clock))
        adapters = {name: create_adapter(factory, settings, core.pseudonymize, clock=clock,
                                         state=PlatformState(core.database, name))
                    for name, factory in enabled_adapters(settings).items()}
        assert set(adapters) == {"email", "sms"}
        for adapter in adapters.values():  # as animabot run: adapters, then the pages
            await adapter.start(core.conversation.handle)
            stack.push_async_callback(adapter.stop)
        await public_face(core, adapters, stack)
        assert "sms:received" in {h.event for h in gateway.webhooks.values()}
        site = Site(url, core, clock, smtp, core.worker(adapters), gateway, campaign.group(1))
        await site.drain()
        yield site


async def fetch(url: str, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
    """A plain client: a mail scanner, a link preview, a mail client's one-click POST."""
    async with aiohttp.ClientSession() as http:
        if data is None:
            async with http.get(url, headers=headers, allow_redirects=False) as response:
                return response.status, await response.text()
        async with http.post(url, data=data, headers=headers) as response:
            return response.status, await response.text()


async def english(browser: Browser) -> Page:
    context = await browser.new_context(locale="en-GB", bypass_csp=True,
                                        viewport={"width": 390, "height": 844})  # a phone
    return await context.new_page()


async def test_a_resident_votes_from_the_email_once_changes_it_and_reads_the_training(
    site: Site, browser: Browser,
) -> None:
    ana = site.mails("ana@example.org")
    assert [m["Subject"] for m in ana] == [
        "Un jardin partagé au square ?", "Sondage · Voulez-vous un jardin ?"]
    yes, no, _, page_link, unsubscribe = site.links(ana[1])
    assert ana[1]["List-Unsubscribe"] == f"<{unsubscribe}>"

    # Scanners and previews open every link: nothing is counted.
    for link in (yes, no, page_link, yes):
        status, html = await fetch(link)
        assert status == 200 and 'lang="fr"' in html
    assert await site.votes() == 0

    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(no)  # the link of the option "Non": preselected, not counted
    await assert_accessible(page)
    assert await page.is_checked("#option-1")
    assert "Vous n'avez pas encore répondu" in await page.content()
    await page.click("button[type=submit]")
    assert "Réponse enregistrée : Non" in await page.inner_text("[role=status]")
    await assert_accessible(page)
    assert await site.vote("ana@example.org") == (1,)

    # The same form sent again (a double click, a resent POST) is counted once.
    await page.go_back()
    await page.click("button[type=submit]")
    assert await site.votes() == 1

    # Opening the link twice more, then changing the vote: replaced, as in chat.
    await page.goto(page_link)
    await page.goto(page_link)
    assert await page.is_checked("#option-1")
    await page.check("#option-0")
    await page.click("button[type=submit]")
    assert await site.vote("ana@example.org") == (0,)
    assert await site.votes() == 1

    # The switch to English, and the English pages.
    await page.click("text=English version")
    assert await page.get_attribute("html", "lang") == "en"
    assert "Your current answer: Yes." in await page.content()
    await assert_accessible(page)

    # Her data, on the web as /mesdonnees says it.
    await page.goto(f"{page_link}/donnees")
    await assert_accessible(page)
    assert "réponses aux sondages : 1" in await page.content()

    # The training arrives the next day: its reading page and quiz with feedback.
    site.clock.advance(timedelta(days=1))
    await site.drain()
    training = next(m for m in site.mails("ana@example.org")
                    if "Composter" in str(m["Subject"]))
    await page.goto(site.links(training)[0])
    await assert_accessible(page)
    assert "Carte un" in await page.content() and "Carte deux" in await page.content()
    await page.check("#q0-0")
    await page.click("#quiz-0 button[type=submit]")
    assert "Bonne réponse" in await page.inner_text("[role=status]") or \
        "Exact" in await page.inner_text("[role=status]")
    await assert_accessible(page)
    completed = await site.core.stores.answers.completed(site.campaign, "compost",
                                                         site.pseudonym("ana@example.org"))
    assert completed
    await context.close()

    # Bob reads in English on his phone, and unsubscribes from the page.
    bob_page = await english(browser)
    bob_unsubscribe = site.links(site.mails("bob@example.org")[1])[-1]
    await bob_page.goto(bob_unsubscribe)
    await assert_accessible(bob_page)
    assert await bob_page.get_attribute("html", "lang") == "en"
    book = AddressBook(site.core.database)
    bob = await book.entry(site.pseudonym("bob@example.org"))
    assert bob is not None and bob.status == AddressStatus.ACTIVE
    await bob_page.click("button[type=submit]")
    assert "no more messages" in await bob_page.inner_text("[role=status]")
    await assert_accessible(bob_page)
    bob = await book.entry(site.pseudonym("bob@example.org"))
    assert bob is not None and bob.status == AddressStatus.UNSUBSCRIBED
    await bob_page.context.close()


async def test_one_click_unsubscribe_forged_and_expired_links_and_erasure(
    site: Site, browser: Browser,
) -> None:
    book = AddressBook(site.core.database)
    unsubscribe = site.links(site.mails("ana@example.org")[1])[-1]
    # RFC 8058: the mail client's POST, no page, no form token.
    status, _ = await fetch(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert status == 200
    ana = await book.entry(site.pseudonym("ana@example.org"))
    assert ana is not None and ana.status == AddressStatus.UNSUBSCRIBED
    # Any other POST without its form token is refused.
    bob_links = site.links(site.mails("bob@example.org")[1])
    status, html = await fetch(bob_links[-1], {"csrf_token": "x"})
    assert status == 403 and "<html" in html
    bob = await book.entry(site.pseudonym("bob@example.org"))
    assert bob is not None and bob.status == AddressStatus.ACTIVE

    page = await (await new_context(browser)).new_page()
    forged = bob_links[0][:-3] + ("AAA" if not bob_links[0].endswith("AAA") else "BBB")
    response = await page.goto(forged)
    assert response is not None and response.status == 404
    assert "Ce lien ne fonctionne pas" in await page.content()
    assert "Traceback" not in await page.content()
    await assert_accessible(page)
    await page.goto(f"{site.url}/r/n'importe quoi")
    await assert_accessible(page)
    site.clock.advance(timedelta(days=91))  # a poll's link lasts 90 days
    response = await page.goto(bob_links[0])
    assert response is not None and response.status == 404
    en = await english(browser)
    await en.goto(bob_links[0])
    assert "This link does not work" in await en.content()
    await assert_accessible(en)

    # The unsubscribe link still works: its data page, and erasure with confirmation.
    await page.goto(f"{bob_links[-1]}/donnees")
    await assert_accessible(page)
    await page.click("button[type=submit]")
    assert "effacées" in await page.inner_text("[role=status]")
    assert await book.entry(site.pseudonym("bob@example.org")) is None
    status, _ = await fetch(bob_links[-1])
    assert status == 404  # the erased resident's links no longer name anyone


async def test_sign_up_with_double_opt_in_by_email_and_by_sms(
    site: Site, browser: Browser,
) -> None:
    book = AddressBook(site.core.database)
    page = await (await new_context(browser)).new_page()
    await page.goto(f"{site.url}/inscription")
    await assert_accessible(page)
    await page.click("text=Centre-ville")
    await assert_accessible(page)
    assert "Centre-ville" in await page.inner_text("h1")

    # Without the consent box the browser refuses; a bad address is said in words.
    await page.check("#channel-email")
    await page.fill("#address", "pas-une-adresse")
    await page.check("#consent")
    await page.click("button[type=submit]")
    assert await page.locator("[role=alert]").count() == 1
    await assert_accessible(page)

    await page.check("#channel-email")
    await page.fill("#address", "Chloe@Example.org")
    await page.check("#consent")
    await page.click("button[type=submit]")
    assert "e-mail" in (await page.inner_text("[role=status]")).lower() or \
        "courriel" in (await page.inner_text("[role=status]")).lower()
    await assert_accessible(page)
    pseudonym = site.core.pseudonymize("email", "Chloe@example.org")
    pending = await book.entry(pseudonym)
    assert pending is not None and pending.status == AddressStatus.PENDING
    mails = site.mails("Chloe@example.org")
    assert len(mails) == 1 and "List-Unsubscribe" not in mails[0]
    link = site.links(mails[0])[0]
    status, _ = await fetch(link)  # the mail scanner again: not confirmed
    assert status == 200
    assert (await book.entry(pseudonym)).status == AddressStatus.PENDING  # type: ignore[union-attr]
    await page.goto(link)
    await assert_accessible(page)
    await page.click("button[type=submit]")
    assert "confirmée" in await page.inner_text("[role=status]")
    await assert_accessible(page)
    assert (await book.entry(pseudonym)).status == AddressStatus.ACTIVE  # type: ignore[union-attr]

    # By SMS, in English: the code typed on the page; a wrong one first.
    en = await english(browser)
    await en.goto(f"{site.url}/inscription/centre")
    await assert_accessible(en)
    await en.check("#channel-sms")
    await en.fill("#address", "06 12 34 56 78")
    await en.select_option("#language", "en")
    await en.check("#consent")
    await en.click("button[type=submit]")
    await assert_accessible(en)
    await site.gateway.wait_until(lambda: len(site.gateway.sent_to("+33612345678")) == 1)
    text = site.gateway.sent_to("+33612345678")[0]
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None and "sign-up code" in text  # in the language chosen
    phone = site.core.pseudonymize("sms", "+33612345678")
    wrong = "000000" if code.group(1) != "000000" else "111111"
    await en.fill("#code", wrong)
    await en.click("button[type=submit]")
    assert "not the right one" in await en.inner_text("[role=alert]")
    await assert_accessible(en)
    assert (await book.entry(phone)).status == AddressStatus.PENDING  # type: ignore[union-attr]
    await en.fill("#code", code.group(1))
    await en.click("button[type=submit]")
    assert "confirmed" in await en.inner_text("[role=status]")
    assert (await book.entry(phone)).status == AddressStatus.ACTIVE  # type: ignore[union-attr]

    # The gateway's signed webhook reaches the pages' listener: STOP unsubscribes.
    event = site.gateway.resident_sends("+33612345678", "STOP")
    await site.gateway.wait_until(lambda: event in site.gateway.acknowledged)
    assert (await book.entry(phone)).status == AddressStatus.UNSUBSCRIBED  # type: ignore[union-attr]


async def test_the_posters_lead_to_the_sign_up_page(site: Site) -> None:
    import zxingcpp
    from PIL import Image

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{site.url}/affiche/centre.png") as response:
            assert response.status == 200 and response.content_type == "image/png"
            png = await response.read()
        async with http.get(f"{site.url}/affiche/centre.pdf") as response:
            assert response.status == 200 and response.content_type == "application/pdf"
            pdf = await response.read()
        async with http.get(f"{site.url}/affiche/lune.pdf") as response:
            assert response.status == 404
    image = Image.open(io.BytesIO(png))
    assert image.size == (1240, 1754)  # A4 at 150 dpi
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [
        f"{site.url}/inscription/centre"]
    assert pdf.startswith(b"%PDF") and b"/MediaBox [0 0 595.28 841.89]" in pdf


async def test_every_public_page_passes_axe_in_french_and_english_on_a_phone(
    site: Site, browser: Browser,
) -> None:
    """Each kind of page, in both languages, at a phone's width: no violation, no sideways
    scrolling, the skip link first under the keyboard."""
    site.clock.advance(timedelta(days=1))  # the training's message
    await site.drain()
    poll, training = (next(m for m in site.mails("bob@example.org") if word in str(m["Subject"]))
                      for word in ("Poll", "Composting"))
    vote, *_, page_link, unsubscribe = site.links(poll)
    status, _ = await fetch(f"{site.url}/inscription/centre")
    assert status == 200
    pages = [vote, page_link, site.links(training)[0], unsubscribe, f"{unsubscribe}/donnees",
             f"{site.url}/inscription", f"{site.url}/inscription/centre",
             f"{site.url}/inscription/lune", f"{site.url}/r/forged", f"{site.url}/nowhere"]
    phone = await english(browser)
    for url in pages:
        for language in ("fr", "en"):
            address = f"{url}{'&' if '?' in url else '?'}lang={language}"
            await phone.goto(address)
            assert await phone.get_attribute("html", "lang") == language, address
            await assert_accessible(phone)
            assert await phone.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"), address
            await phone.keyboard.press("Tab")
            assert await phone.evaluate("document.activeElement.className") == "skip", address
    assert await site.votes() == 0  # all of that opened pages, none voted
    await phone.context.close()


SERVICE = "voirie@ville.test"
REPORTS = f"""
[reports]
max_photo_bytes = 1000000
[[reports.categories]]
id = "voirie"
name = "Voirie (trous, trottoirs)"
email = "{SERVICE}"
[[reports.categories]]
id = "eclairage"
name = "Éclairage"
email = "eclairage@ville.test"
"""
LAT, LON = "48,85661", "2.35222"  # a French keyboard's comma is read too


def noise(width: int, height: int) -> bytes:
    """A PNG that does not compress: its size is about 3 bytes a pixel."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def report_link(site: Site, mail: EmailMessage) -> str:
    text = mail.get_body(("plain",))
    assert text is not None
    found = re.search(r"(?:Signaler un problème|Report a problem) : (\S+)", text.get_content())
    assert found is not None, "the e-mail's footer offers the report page"
    return found.group(1)


async def post_report(url: str, fields: dict[str, str], photo: bytes | None
                      ) -> tuple[int, str]:
    """The report form sent again as a browser sends it (multipart), e.g. a resent POST."""
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        form.add_field(name, value)
    if photo is not None:
        form.add_field("photo", photo, filename="IMG_0001.jpg", content_type="image/jpeg")
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as response:
        return response.status, await response.text()


async def wait_for(check: Any, what: str, ceiling: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + ceiling
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"waited {ceiling}s for {what}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("extra_config", [REPORTS])
async def test_an_email_resident_reports_a_pothole_from_the_report_link_of_an_email(
    site: Site, browser: Browser, tmp_path: Path,
) -> None:
    """The footer's link, the form (category, text, photo with GPS EXIF, coordinates), the
    number; the photo kept without EXIF; the service's e-mail; each change of status told by
    e-mail; the same form sent twice is one report; forged links refused."""
    core = site.core
    link = report_link(site, site.mails("ana@example.org")[1])
    status, html = await fetch(link)  # a mail scanner opens it: nothing happens
    assert status == 200 and "Voirie (trous, trottoirs)" in html
    assert await core.stores.problem_reports.find() == []

    page = await (await new_context(browser)).new_page()
    await page.goto(link)
    assert await page.inner_text("h1") == "Signaler un problème"
    await assert_accessible(page)
    # Sent empty (the browser's own checks bypassed): each error beside its field.
    await page.evaluate("document.querySelector('form').noValidate = true")
    await page.fill("#latitude", "91")
    await page.click("button[type=submit]")
    assert await page.locator("[role=alert]").count() == 1
    assert await page.get_attribute("#text", "aria-invalid") == "true"
    assert "text-error" in (await page.get_attribute("#text", "aria-describedby") or "")
    assert "latitude-error" in (await page.get_attribute("#latitude", "aria-describedby")
                                or "")
    assert await page.locator("#category-error").count() == 1
    await assert_accessible(page)
    assert await core.stores.problem_reports.find() == []

    original = photo_with_gps()
    assert has_metadata(original)
    await page.check("#category-voirie")
    await page.fill("#text", "Un nid-de-poule profond devant l'école Jaurès")
    await page.set_input_files("#photo", files=[{
        "name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": original}])
    await page.fill("#place", "12 rue Jaurès")
    await page.fill("#latitude", LAT)
    await page.fill("#longitude", LON)
    fields = {name: await page.get_attribute(f"input[name={name}]", "value") or ""
              for name in ("csrf_token", "nonce", "lang")}
    await page.click("button[type=submit]")
    assert "enregistré sous le n° 1" in await page.inner_text("[role=status]")
    await assert_accessible(page)

    [report] = await core.stores.problem_reports.find()
    assert (report.platform, report.category, report.neighbourhood_id) == (
        "email", "voirie", "centre")
    assert report.pseudonym == site.pseudonym("ana@example.org")
    assert (report.latitude, report.longitude) == (48.85661, 2.35222)
    assert report.text == "Un nid-de-poule profond devant l'école Jaurès\nLieu : 12 rue Jaurès"
    assert report.photo_ref is not None
    folder = photo_folder(core.settings.reports, core.settings.storage)
    stored = (folder / report.photo_ref).read_bytes()
    assert not has_metadata(stored) and stored != original
    assert [p.name for p in folder.iterdir()] == [report.photo_ref]  # the original: never

    # The same form sent again (a double click, a resent POST): the same report, once.
    action = link + "/signaler"
    status, html = await post_report(action, {
        **fields, "category": "voirie", "text": "Un nid-de-poule profond devant l'école Jaurès",
        "place": "12 rue Jaurès", "latitude": LAT, "longitude": LON}, original)
    assert status == 200 and "n° 1" in html
    assert len(await core.stores.problem_reports.find()) == 1
    assert [p.name for p in folder.iterdir()] == [report.photo_ref]
    # Without the page's form token: refused.
    status, _ = await post_report(action, {**fields, "csrf_token": "x", "nonce": "other",
                                           "category": "voirie", "text": "x"}, None)
    assert status == 403

    # The service receives it on the real SMTP server.
    assert await core.report_router().route_due() == 1
    [mail] = site.mails(SERVICE)
    assert mail["Subject"] == "[Signalement 1] Voirie (trous, trottoirs)"
    body = mail.get_body(("plain",))
    assert body is not None and "nid-de-poule" in body.get_content()
    [attached] = [part.get_content() for part in mail.iter_attachments()]
    assert not has_metadata(attached)

    # Each change reaches her by e-mail (the worker's personal path, with its footer).
    before = len(site.mails("ana@example.org"))
    await site.drain()
    await change_status(core.database, 1, ReportStatus.IN_PROGRESS, "cli:anne",
                        site.clock.now(), "fr")
    await site.drain()
    await wait_for(lambda: _has_mail(site, "ana@example.org", before + 2),
                   "the notices by e-mail")
    notices = [m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
               for m in site.mails("ana@example.org")[before:]]
    assert "Votre signalement n° 1 est maintenant : transmis au service concerné." in notices[0]
    assert "Votre signalement n° 1 est maintenant : en cours." in notices[1]
    assert "Signaler un problème : " in notices[1]

    # Forged or altered report links are refused, by GET and by POST.
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = await page.goto(forged)
    assert response is not None and response.status == 404
    assert "Ce lien ne fonctionne pas" in await page.content()
    status, _ = await post_report(forged + "/signaler", {**fields, "nonce": "n2",
                                                         "category": "voirie", "text": "x"},
                                  None)
    assert status == 404
    # A poll's link does not open the report form.
    poll = site.links(site.mails("ana@example.org")[1])[0]
    status, _ = await post_report(poll + "/signaler", {**fields, "category": "voirie",
                                                       "text": "x"}, None)
    assert status == 404
    assert len(await core.stores.problem_reports.find()) == 1

    # Her data page offers the report page too.
    await page.goto(f"{link}/donnees")
    await page.click("text=Signaler un problème dans la rue")
    assert await page.inner_text("h1") == "Signaler un problème"
    await page.context.close()


async def _has_mail(site: Site, address: str, count: int) -> bool:
    await site.drain()
    return len(site.mails(address)) >= count


@pytest.mark.parametrize("extra_config", [REPORTS])
async def test_an_sms_resident_reports_on_the_page_and_hears_of_changes_by_sms(
    site: Site, browser: Browser,
) -> None:
    core, number = site.core, "+33698765432"
    pseudonym = core.pseudonymize("sms", number)
    await AddressBook(core.database).enrol_all([Enrolment(
        pseudonym, "sms", number, "centre", "en", START - timedelta(days=3))], START)
    # « SIGNALER » by SMS: the core answers with the link of the report page.
    event = site.gateway.resident_sends(number, "REPORT")
    await site.gateway.wait_until(lambda: event in site.gateway.acknowledged)
    await site.drain()
    await site.gateway.wait_until(lambda: any(
        "/r/" in text for text in site.gateway.sent_to(number)))
    [answer] = [text for text in site.gateway.sent_to(number) if "/r/" in text]
    found = re.search(re.escape(site.url) + r"/r/\S+", answer)
    assert found is not None and "report a problem" in answer
    link = found.group(0)

    context = await browser.new_context(  # a phone that may share its position
        locale="en-GB", bypass_csp=True, viewport={"width": 390, "height": 844},
        geolocation={"latitude": 48.8566, "longitude": 2.3522}, permissions=["geolocation"])
    phone = await context.new_page()
    await phone.goto(link)
    assert await phone.get_attribute("html", "lang") == "en"
    await assert_accessible(phone)
    await phone.click("text=Use my current position")  # the progressive button (script)
    await phone.wait_for_function(
        "document.getElementById('latitude').value === '48.856600'", timeout=30_000)
    assert await phone.input_value("#longitude") == "2.352200"
    assert "check it" in await phone.inner_text("#locate-status")
    await assert_accessible(phone)
    await phone.check("#category-eclairage")
    await phone.fill("#text", "The street light at the corner is out")
    await phone.click("button[type=submit]")
    assert "recorded as #1" in await phone.inner_text("[role=status]")
    await assert_accessible(phone)
    [report] = await core.stores.problem_reports.find()
    assert (report.platform, report.photo_ref, report.latitude) == ("sms", None, 48.8566)

    await change_status(core.database, 1, ReportStatus.IN_PROGRESS, "cli:anne",
                        site.clock.now(), "fr")
    await site.drain()
    await site.gateway.wait_until(lambda: any(
        "#1 is now: in progress" in text for text in site.gateway.sent_to(number)))
    await phone.context.close()


@pytest.mark.parametrize("extra_config", [REPORTS])
async def test_the_report_pages_pass_axe_in_french_and_english(
    site: Site, browser: Browser,
) -> None:
    link = report_link(site, site.mails("bob@example.org")[1])
    phone = await english(browser)
    for language in ("fr", "en"):
        await phone.goto(f"{link}?lang={language}")
        assert await phone.get_attribute("html", "lang") == language
        await assert_accessible(phone)
        assert await phone.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth")
        order = []
        for _ in range(4):  # the skip link, the language switch, then the form in order
            await phone.keyboard.press("Tab")
            order.append(await phone.evaluate("document.activeElement.id || "
                                              "document.activeElement.className"))
        assert order[0] == "skip" and order[2] == "category-voirie", order
        await phone.evaluate("document.querySelector('form').noValidate = true")
        await phone.click("button[type=submit]")  # the errors page
        assert await phone.locator("[role=alert]").count() == 1
        await assert_accessible(phone)
        await phone.check("#category-voirie")
        await phone.fill("#text", "x")
        await phone.set_input_files("#photo", files=[{  # over [reports] max_photo_bytes
            "name": "big.png", "mimeType": "image/png", "buffer": noise(800, 600)}])
        await phone.click("button[type=submit]")
        assert await phone.locator("#photo-error").count() == 1
        assert await phone.input_value("#text") == "x"  # what was typed before it: kept
        assert "photo-error" in (await phone.get_attribute("#photo", "aria-describedby")
                                 or "")
        await assert_accessible(phone)
        await phone.check("#category-voirie")
        await phone.fill("#text", "x")
        await phone.set_input_files("#photo", files=[{  # larger than a plain form's limit
            "name": "ok.png", "mimeType": "image/png", "buffer": noise(300, 300)}])
        await phone.click("button[type=submit]")  # the confirmation page
        assert await phone.locator("[role=status]").count() == 1
        await assert_accessible(phone)
    await phone.context.close()
