"""A resident reports a pothole on the real Synapse: ``!signaler``, the category by its
number, a text, an ``m.image`` uploaded to the media repository (its GPS EXIF intact) and an
``m.location``; the bot downloads the photo through nio's authenticated media API and keeps
it without metadata; the category's service is a webhook here, which receives the report
signed; the resident is told in the direct room of each change up to résolu."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from animabot.config.reports import ReportCategory, photo_folder
from animabot.domain.problem_report import ReportStatus
from animabot.problems.dispatch import SIGNATURE_HEADER, verify
from animabot.problems.status import change_status
from tests.support.photos import has_metadata, photo_with_gps

from ...helpers import until
from ...support.matrix import MatrixUser, Residents, SynapseServer
from .world import MatrixWorld, make_world

LAT, LON = 48.85661, 2.35222


async def _choose(world: MatrixWorld, user: MatrixUser, room: str, label: str) -> None:
    """Answer the bot's last numbered choices with the number of ``label``."""
    last = await world.last_from_bot(user, room)
    lines = last["content"]["body"].split("\n")
    number = next(line.split(".")[0].strip() for line in lines
                  if line.split(". ", 1)[-1].startswith(label))
    await world.say(user, room, number)


async def _upload(residents: Residents, user: MatrixUser, data: bytes) -> str:
    async with residents.session.post(
        f"{residents.base_url}/_matrix/media/v3/upload?filename=IMG_0001.jpg", data=data,
        headers={"Authorization": f"Bearer {user.access_token}",
                 "Content-Type": "image/jpeg"},
    ) as answer:
        assert answer.status == 200, await answer.text()
        return str((await answer.json())["content_uri"])


async def test_a_pothole_reported_with_an_image_and_a_place_on_synapse(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    received: list[tuple[bytes, str]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers.get(SIGNATURE_HEADER, "")))
        return web.Response(status=500 if len(received) == 1 else 204)  # fails once

    app = web.Application()
    app.router.add_post("/signalements", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        world.settings.reports.categories = [ReportCategory(
            id="voirie", name="Voirie", webhook=f"http://127.0.0.1:{port}/signalements")]
        ana = new_user("ana")
        room = await world.onboard(ana)
        await world.say(ana, room, "!signaler")
        await _choose(world, ana, room, "Voirie")
        await world.say(ana, room, "Un nid-de-poule devant la poste")
        original = photo_with_gps()
        url = await _upload(matrix, ana, original)
        image = await matrix.send_event(ana, room, "m.room.message", {
            "msgtype": "m.image", "body": "IMG_0001.jpg", "url": url,
            "info": {"mimetype": "image/jpeg", "size": len(original)}})
        await world.handled(image)
        place = await matrix.send_event(ana, room, "m.room.message", {
            "msgtype": "m.location", "body": "Position", "geo_uri": f"geo:{LAT},{LON};u=12"})
        await world.handled(place)
        await _choose(world, ana, room, "Envoyer")
        assert "n° 1" in (await world.last_from_bot(ana, room))["content"]["body"]

        core = world.core
        report = await core.stores.problem_reports.get(1)
        assert report is not None and report.platform == "matrix"
        assert (report.latitude, report.longitude) == (LAT, LON)
        assert report.photo_ref is not None and report.text == "Un nid-de-poule devant la poste"
        stored = (photo_folder(core.settings.reports, core.settings.storage)
                  / report.photo_ref).read_bytes()
        assert has_metadata(original) and not has_metadata(stored)

        router = core.report_router()
        assert await router.route_due() == 0  # the webhook answered 500: kept, tried later
        failed = await core.stores.problem_reports.get(1)
        assert failed is not None and failed.route_error == "the webhook answered HTTP 500"
        world.clock.advance(timedelta(minutes=1))
        assert await router.route_due() == 1
        body, signature = received[-1]
        assert verify(body, core.webhook_secret, signature)
        sent: dict[str, Any] = json.loads(body)
        assert sent["location"]["latitude"] == LAT and sent["photo"] is not None
        assert report.pseudonym is not None and report.pseudonym not in body.decode()

        for status in (ReportStatus.IN_PROGRESS, ReportStatus.RESOLVED):
            await change_status(core.database, 1, status, "cli:anne", world.clock.now(), "fr")
        await world.worker.drain()

        async def all_told() -> bool:
            bodies = [e["content"].get("body", "") for e in await world.bot_messages(ana, room)]
            return any("est maintenant : résolu" in b for b in bodies)

        await until(all_told, 20, "the resident to be told of the resolution")
        bodies = [e["content"].get("body", "") for e in await world.bot_messages(ana, room)]
        told = [b for b in bodies if "Votre signalement n° 1" in b]
        assert len(told) == 3 and "transmis" in told[0] and "en cours" in told[1]
    finally:
        await world.close()
        await runner.cleanup()
