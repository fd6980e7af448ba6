"""A resident reports a pothole on Telegram, end to end over real HTTP: category buttons, a
text, a photo sent as a file (its GPS EXIF intact) and a place; the photo is kept without
any metadata; the roads service receives the report by e-mail through a real SMTP server on
127.0.0.1 (the photo attached, the place as a map link, the reporter as a pseudonym); a
facilitator (chat) and an agent (CLI) move it to résolu and the resident is told of each
change; the GeoJSON export holds the point and no pseudonym."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from adapters.telegram.adapter import TelegramAdapter
from animabot.clock import FakeClock
from animabot.config.reports import ReportCategory, photo_folder
from animabot.core import open_core
from animabot.domain.problem_report import ReportStatus
from animabot.store.state import PlatformState
from tests.support.photos import has_metadata, photo_with_gps
from tests.support.smtp_server import SmtpServer, smtp_server

from ...conftest import T0
from ...support.telegram_emulator import BotApiEmulator
from ..conftest import animabot
from .conftest import FACILITATOR, TelegramWorld, telegram_settings
from .test_residents import _buttons, _onboard

SERVICE = "voirie@ville.example"
RESIDENT = 1  # in the centre (user % 3 != 0)
LAT, LON = 48.85661, 2.35222


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


@pytest.fixture
async def world(tmp_path: Path, emulator: BotApiEmulator, smtp: SmtpServer
                ) -> AsyncIterator[TelegramWorld]:
    settings = telegram_settings(tmp_path, emulator)
    settings.reports.categories = [
        ReportCategory(id="voirie", name="Voirie (trous, trottoirs)", email=SERVICE),
        ReportCategory(id="eclairage", name="Éclairage", email="eclairage@ville.example"),
    ]
    email = settings.email  # type: ignore[attr-defined]
    email.smtp_host, email.smtp_port, email.starttls = "127.0.0.1", smtp.port, False
    email.from_address = "participation@ville.example"
    clock = FakeClock(T0)
    async with open_core(settings, clock) as core:
        state = PlatformState(core.database, "telegram")
        adapter = TelegramAdapter(settings, core.pseudonymize, state)
        worker = core.worker({"telegram": adapter})
        await adapter.start(core.conversation.handle)
        built = TelegramWorld(emulator, core, adapter, worker, clock, state)
        try:
            await built.settle()
            yield built
        finally:
            await adapter.stop()


def _press(world: TelegramWorld, user: int, label_part: str) -> None:
    message = next(m for m in reversed(world.emulator.messages_to(user)) if _buttons(m))
    data = next(d for label, d in _buttons(message) if label_part in label)
    world.emulator.user_presses(user, user, message.message_id, data)


async def test_a_pothole_reported_with_a_photo_reaches_the_service_and_its_resolution(
    world: TelegramWorld, smtp: SmtpServer, tmp_path: Path,
) -> None:
    em, core = world.emulator, world.core
    await _onboard(world, RESIDENT)
    em.user_sends(RESIDENT, RESIDENT, "/signaler")
    await world.settle()
    assert [label for label, _ in _buttons(em.messages_to(RESIDENT)[-1])] == [
        "Voirie (trous, trottoirs)", "Éclairage", "Annuler"]
    _press(world, RESIDENT, "Voirie")
    await world.settle()
    em.user_sends(RESIDENT, RESIDENT, "Un nid-de-poule profond devant l'école Jaurès")
    await world.settle()
    original = photo_with_gps()
    em.user_sends_photo(RESIDENT, original, as_file=True)  # a file keeps its EXIF
    em.user_sends_location(RESIDENT, LAT, LON)
    await world.settle()
    assert any(c.method == "getFile" for c in em.calls)
    assert any(c.method == "download" for c in em.calls)  # through base_file_url
    _press(world, RESIDENT, "Envoyer")
    await world.settle()
    assert "enregistré sous le n° 1" in world.texts(RESIDENT)[-1]

    report = await core.stores.problem_reports.get(1)
    assert report is not None and report.status is ReportStatus.RECEIVED
    assert (report.category, report.neighbourhood_id) == ("voirie", "centre")
    assert (report.latitude, report.longitude) == (LAT, LON)
    assert report.text == "Un nid-de-poule profond devant l'école Jaurès"
    assert report.photo_ref is not None
    stored = (photo_folder(core.settings.reports, core.settings.storage)
              / report.photo_ref).read_bytes()
    assert has_metadata(original) and not has_metadata(stored)
    assert stored != original

    router = core.report_router()
    assert await router.route_due() == 1
    [mail] = smtp.handler.to(SERVICE)
    assert mail["Subject"] == "[Signalement 1] Voirie (trous, trottoirs)"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "openstreetmap.org/?mlat=48.856610&mlon=2.352220" in body
    assert "48.856610, 2.352220" in body and "nid-de-poule" in body
    assert report.pseudonym is not None and report.pseudonym[:12] in body
    assert report.pseudonym not in mail.as_string()
    [photo] = [part for part in mail.iter_attachments()]
    attached = photo.get_content()
    assert not has_metadata(attached)
    with Image.open(io.BytesIO(attached)) as image:
        assert image.format == "JPEG"
    assert await router.route_due() == 0  # sent once

    await world.worker.drain()
    assert "transmis au service concerné" in world.texts(RESIDENT)[-1]

    em.user_sends(FACILITATOR, FACILITATOR, "/statut 1 en_cours")
    await world.settle()
    assert "en cours" in world.texts(FACILITATOR)[-1]
    assert "Votre signalement n° 1 est maintenant : en cours." in world.texts(RESIDENT)[-1]

    database = str(core.settings.storage.database)
    moved = animabot("reports", "status", "1", "résolu", "--as", "anne",
                     "--database", database)
    assert "report 1 is now resolu; its reporter will be told" in moved.stdout
    # The CLI stamped the notice with the real time: the test's clock catches up.
    world.clock.advance(datetime.now(UTC) - world.clock.now() + timedelta(minutes=1))
    await world.worker.drain()
    told = [t for t in world.texts(RESIDENT) if "signalement n° 1" in t]
    assert [t.split(": ")[1].split(".")[0] for t in told] == [
        "transmis au service concerné", "en cours", "résolu"]

    exported = json.loads(animabot("reports", "export", "--format", "geojson",
                                   "--database", database).stdout)
    [feature] = exported["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [LON, LAT]}
    assert feature["properties"]["status"] == "resolu"
    assert feature["properties"]["neighbourhood"] == "centre"
    text = json.dumps(exported)
    assert report.pseudonym[:12] not in text and "nid-de-poule" not in text
    listed = json.loads(animabot("reports", "list", "--which", "all", "--format", "json",
                                 "--database", database).stdout)
    assert [(r["id"], r["status"], r["routed_at"] is not None) for r in listed] == [
        (1, "resolu", True)]


async def test_the_running_bot_routes_a_report_at_once_and_tells_the_resident(
    tmp_path: Path, emulator: BotApiEmulator, smtp: SmtpServer,
) -> None:
    """`run_bot` wires the router: a report sent reaches the service within seconds (woken,
    not waiting for its 5 s tick), and the resident hears it was sent on."""
    from animabot.app import run_bot

    settings = telegram_settings(tmp_path, emulator)
    settings.reports.categories = [ReportCategory(id="voirie", name="Voirie", email=SERVICE)]
    email = settings.email  # type: ignore[attr-defined]
    email.smtp_host, email.smtp_port, email.starttls = "127.0.0.1", smtp.port, False
    email.from_address = "participation@ville.example"
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, stop=stop))

    async def reply_count(count: int) -> Any:
        await emulator.wait_for(lambda: len(emulator.messages_to(RESIDENT)) >= count,
                                timeout=20)
        return emulator.messages_to(RESIDENT)[-1]

    try:
        emulator.user_sends(RESIDENT, RESIDENT, "/signaler")
        choices = await reply_count(1)
        emulator.user_presses(RESIDENT, RESIDENT, choices.message_id, _buttons(choices)[0][1])
        await reply_count(2)
        emulator.user_sends(RESIDENT, RESIDENT, "Un trou")
        await reply_count(3)
        emulator.user_sends_location(RESIDENT, LAT, LON)
        details = await reply_count(4)
        send = next(d for label, d in _buttons(details) if "Envoyer" in label)
        emulator.user_presses(RESIDENT, RESIDENT, details.message_id, send)
        await reply_count(5)
        told = await reply_count(6)
        assert "transmis au service concerné" in (told.text or "")
        assert [m["Subject"] for m in smtp.handler.to(SERVICE)] == ["[Signalement 1] Voirie"]
    finally:
        stop.set()
        await asyncio.wait_for(bot, timeout=15)
