"""The endpoint the gateway posts incoming SMS to (``POST /sms/webhook``).

Checked before anything is read: the signature and its timestamp (see :mod:`.signature`).
We answer 200 once the SMS has been handled (journaled by the core), and 503 when it could
not be (the storage is unavailable): the gateway then retries (10 s, 20 s, 40 s…), and the
core's inbox drops what it has already seen by the webhook's event ``id``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from animabot.errors import AnimabotError

from .signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, Verdict, verify

log = logging.getLogger(__name__)
Receiver = Callable[[dict[str, Any]], Awaitable[None]]


class WebhookEndpoint:
    """The handler, mountable on any aiohttp application (``add_to``)."""

    def __init__(self, key: str, receive: Receiver, *, tolerance: float,
                 now: Callable[[], float] = time.time) -> None:
        self.key = key
        self.receive = receive
        self.tolerance = tolerance
        self._now = now

    def add_to(self, app: web.Application, path: str) -> None:
        app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        verdict = verify(self.key, raw, request.headers.get(TIMESTAMP_HEADER),
                         request.headers.get(SIGNATURE_HEADER), self._now(), self.tolerance)
        if verdict is not Verdict.GOOD:
            log.warning("SMS webhook request refused: signature %s", verdict.value)
            return web.Response(status=401)
        try:
            body = json.loads(raw)
        except ValueError:
            return web.Response(status=400)
        if not isinstance(body, dict):
            return web.Response(status=400)
        try:
            await self.receive(body)
        except AnimabotError as exc:
            log.info("incoming SMS %s not journaled (%s): the gateway will send it again",
                     body.get("id"), exc)
            return web.Response(status=503)
        return web.Response(status=200)


class WebhookServer:
    """Our own listener for the endpoint, on ``[sms] webhook_listen``."""

    def __init__(self, endpoint: WebhookEndpoint, listen: str, path: str) -> None:
        self.endpoint = endpoint
        self.listen = listen
        self.path = path
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        self.endpoint.add_to(app, self.path)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        host, _, port = self.listen.rpartition(":")
        site = web.TCPSite(runner, host or "127.0.0.1", int(port))
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("SMS webhook listening on %s:%s%s", host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
