"""Sign-up's double opt-in and its limits, on both backends: pending until confirmed, a
code tried a few times only, sign-ups limited per client and per address, a resident who had
unsubscribed comes back only by confirming; the public face's own rules (``[web] listen``,
the language, what an adapter mounts)."""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from animabot.chat.outgoing import OutgoingMessage
from animabot.clock import FakeClock
from animabot.config import load_settings
from animabot.config.sections import listen_address
from animabot.conversation.personal import PersonalPages
from animabot.conversation.signup import CODE_TRIES, PER_ADDRESS, Outcome, SignUps
from animabot.core import Core
from animabot.domain.addresses import AddressStatus
from animabot.errors import ConfigError, TransientError
from animabot.store.address_book import AddressBook, Enrolment
from animabot.web.public import poster
from animabot.web.public.app import build_public_app, mount_adapters, public_state

from ..backends import both_backends  # noqa: F401


@dataclass
class Outbox:
    platform: str
    sent: list[tuple[str, str]] = field(default_factory=list)
    fail: bool = False

    async def send_transactional(self, address: str, message: OutgoingMessage) -> None:
        if self.fail:
            raise TransientError("the relay is down")
        self.sent.append((address, message.text))


def signups(core: Core, *outboxes: Outbox) -> SignUps:
    personalise = core.composer.personalise
    assert personalise is not None
    return SignUps(core.database, core.pseudonymize, personalise.links, core.clock,
                   "https://participer.ville.test", {o.platform: o for o in outboxes})


async def test_an_sms_sign_up_waits_for_its_code_which_is_tried_a_few_times_only(
    core: Core,
) -> None:
    sms = Outbox("sms")
    service = signups(core, sms)
    book = AddressBook(core.database)
    first = await service.request("centre", "sms", "06 12 34 56 78", "fr", "10.0.0.1")
    assert first.outcome is Outcome.CODE_SENT and first.pending
    code = re.search(r"\d{6}", sms.sent[0][1])
    assert code is not None and sms.sent[0][0] == "+33612345678"
    pseudonym = core.pseudonymize("sms", "+33612345678")
    entry = await book.entry(pseudonym)
    assert entry is not None and entry.status is AddressStatus.PENDING
    assert await book.active_in("centre", "sms") == []
    wrong = "000000" if code.group() != "000000" else "111111"
    for _ in range(CODE_TRIES):
        assert await service.check_code(first.pending, wrong) is False
    # Out of tries: even the right code no longer works, the person signs up again.
    assert await service.check_code(first.pending, code.group()) is None
    second = await service.request("centre", "sms", "+33 6 12 34 56 78", "fr", "10.0.0.1")
    code = re.search(r"\d{6}", sms.sent[-1][1])
    assert code is not None
    assert await service.check_code(second.pending, code.group()) is True
    assert [r.pseudonym for r in await book.active_in("centre", "sms")] == [pseudonym]
    # A code page's token is not a confirmation link (the code is needed), and works once.
    assert await service.check_code(second.pending, code.group()) is None
    personalise = core.composer.personalise
    assert personalise is not None
    pages = PersonalPages(core.services, core.conversation, personalise.links)
    assert await pages.open(second.pending) is None


async def test_sign_ups_are_limited_per_client_and_per_address(core: Core) -> None:
    mail = Outbox("email")
    service = signups(core, mail)
    for _ in range(PER_ADDRESS[0]):
        result = await service.request("centre", "email", "a@example.org", "fr", "10.0.0.1")
        assert result.outcome is Outcome.LINK_SENT
    limited = await service.request("centre", "email", "a@Example.ORG", "fr", "10.0.0.2")
    assert limited.outcome is Outcome.LIMITED  # the same address, another client
    for n in range(2):
        result = await service.request("centre", "email", f"b{n}@example.org", "fr",
                                       "10.0.0.1")
        assert result.outcome is Outcome.LINK_SENT
    limited = await service.request("centre", "email", "c@example.org", "fr", "10.0.0.1")
    assert limited.outcome is Outcome.LIMITED  # five from one client within the hour
    assert len(mail.sent) == 5
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(hours=1, seconds=1))
    later = await service.request("centre", "email", "c@example.org", "fr", "10.0.0.1")
    assert later.outcome is Outcome.LINK_SENT


async def test_bad_addresses_missing_channels_and_a_failing_relay_are_told(
    core: Core,
) -> None:
    mail = Outbox("email", fail=True)
    service = signups(core, mail)
    assert service.channels() == ["email"]
    bad = await service.request("centre", "email", "pas-une-adresse", "fr", "1")
    assert bad.outcome is Outcome.INVALID and "@" in bad.detail
    assert (await service.request("centre", "sms", "0612345678", "fr", "1")).outcome \
        is Outcome.UNAVAILABLE
    assert (await service.request("centre", "email", "a@example.org", "fr", "1")).outcome \
        is Outcome.UNAVAILABLE


async def test_confirming_brings_back_a_resident_who_had_unsubscribed(core: Core) -> None:
    book = AddressBook(core.database)
    pseudonym = core.pseudonymize("email", "a@example.org")
    now = core.clock.now()
    await book.enrol_all([Enrolment(pseudonym, "email", "a@example.org", "centre", "fr",
                                    now)], now)
    await book.mark(pseudonym, AddressStatus.UNSUBSCRIBED, now)
    assert await book.active_in("centre", "email") == []
    mail = Outbox("email")
    # Someone else signs the address up elsewhere: nothing changes until its owner confirms.
    result = await signups(core, mail).request("gare", "email", "a@example.org", "en", "1")
    assert result.outcome is Outcome.LINK_SENT
    resident = await core.services.residents.get(pseudonym)
    assert resident is not None and resident.neighbourhood_id == "centre"
    assert resident.language == "fr"
    entry = await book.entry(pseudonym)
    assert entry is not None and entry.status is AddressStatus.UNSUBSCRIBED  # not yet
    await book.confirm(pseudonym, "gare", "en", now)  # what the confirmation link carries
    assert await book.active_in("centre", "email") == []
    assert [r.pseudonym for r in await book.active_in("gare", "email")] == [pseudonym]
    resident = await core.services.residents.get(pseudonym)
    assert resident is not None and resident.language == "en"
    assert await core.stores.chats.find("email", "residents:gare") is not None
    assert await book.tag_of(pseudonym) is not None


def test_listen_is_host_and_port(tmp_path: Path) -> None:
    assert listen_address("127.0.0.1:8081") == ("127.0.0.1", 8081)
    assert listen_address("[::1]:80") == ("::1", 80)
    assert listen_address("8081") is None and listen_address("h:x") is None
    path = tmp_path / "c.toml"
    path.write_text('[web]\nlisten = "8081"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert [p.field for p in caught.value.problems] == ["web.listen"]


@dataclass
class Webhook:
    """What the SMS adapter mounts: its own signed endpoint."""

    calls: list[bytes] = field(default_factory=list)

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/sms/webhook", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append(await request.read())
        return web.Response(status=202)


async def test_the_public_face_mounts_the_webhook_and_follows_the_browser_language(
    core: Core,
) -> None:
    hook = Webhook()
    app = build_public_app(public_state(core, {}), mount_adapters({"sms": hook}))
    async with TestClient(TestServer(app)) as client:
        posted = await client.post("/sms/webhook", data=b'{"event": "sms:received"}')
        assert posted.status == 202 and hook.calls == [b'{"event": "sms:received"}']
        page = await client.get("/inscription/centre",
                                headers={"Accept-Language": "de-DE, en;q=0.8, fr;q=0.5"})
        assert 'lang="en"' in await page.text()
        page = await client.get("/inscription/centre?lang=fr",
                                headers={"Accept-Language": "en"})
        assert 'lang="fr"' in await page.text()
        assert (await client.get("/inscription/lune")).status == 404
        # A sign-up form posted from elsewhere (no cookie) is refused.
        refused = await client.post("/inscription/centre", data={
            "csrf_token": "x", "channel": "email", "address": "a@example.org",
            "consent": "yes"})
        assert refused.status == 403


async def test_a_poster_without_its_library_is_a_page_not_a_traceback(
    core: Core, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "segno", None)  # `import segno` fails
    poster.made.cache_clear()  # a poster drawn by an earlier test would be served as it is
    app = build_public_app(public_state(core, {}))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/affiche/centre.png")
        text = await response.text()
        assert response.status == 503 and 'lang="fr"' in text and "Traceback" not in text


async def test_a_poster_is_drawn_once_off_the_event_loop_then_served_again(
    core: Core, monkeypatch: pytest.MonkeyPatch,
) -> None:
    poster.made.cache_clear()
    drawn: list[str] = []
    draw = poster.make

    def counting(kind: str, name: str, url: str, language: str) -> bytes:
        drawn.append(threading.current_thread().name)
        return draw(kind, name, url, language)

    monkeypatch.setattr(poster, "make", counting)
    core.settings.web.public_url = "https://participer.example.org"
    app = build_public_app(public_state(core, {}))
    async with TestClient(TestServer(app)) as client:
        first = await client.get("/affiche/centre.png")
        again = await client.get("/affiche/centre.png")
        assert first.status == again.status == 200
        assert await first.read() == await again.read()
    assert len(drawn) == 1 and drawn[0] != threading.main_thread().name
    poster.made.cache_clear()
