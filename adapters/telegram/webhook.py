"""Webhook mode: Telegram posts updates to our aiohttp endpoint.

The secret token is compared in constant time; we answer 200 only after the update has been
handled (journaled), so Telegram retries what a crash interrupted, and 503 when it could not
be (the storage is unavailable, or an earlier update of the same person or chat was not
journaled). Requests are handled concurrently (Telegram opens up to ``max_connections``), in
arrival order for each person or chat. A button press's answer (``answerCallbackQuery``)
rides on the 200 itself, as the Bot API allows: the resident's toast costs no request of its
own, and comes as soon as the vote is journaled.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update

from animabot.errors import AnimabotError

from .settings import TelegramSettings
from .updates import ALLOWED_UPDATES, PressUpdate

if TYPE_CHECKING:
    from .adapter import TelegramAdapter

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    def __init__(self, adapter: TelegramAdapter, config: TelegramSettings) -> None:
        self.adapter = adapter
        self.config = config
        self.secret = config.secret_token.get_secret_value() if config.secret_token else ""
        self.path = urlparse(config.webhook_url).path or "/"
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        host, _, port = self.config.webhook_listen.rpartition(":")
        site = web.TCPSite(self._runner, host or "127.0.0.1", int(port))
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else int(port)
        await self.adapter.bot.set_webhook(
            self.config.webhook_url, secret_token=self.secret or None,
            allowed_updates=ALLOWED_UPDATES, max_connections=self.config.webhook_max_connections,
        )
        log.info("telegram webhook listening on %s:%s%s", host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook request with a wrong secret token refused")
            return web.Response(status=401)
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise TypeError("an update is a JSON object")
            # A press is read without PTB's parsing of the whole update (see PressUpdate).
            update: Update | PressUpdate | None = PressUpdate.from_json(data, self.adapter.bot)
            if update is None:
                update = Update.de_json(data, self.adapter.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        try:
            answer = await self.adapter.receive(update)
        except AnimabotError as exc:
            log.info("update %d not journaled (%s): Telegram will send it again",
                     update.update_id, exc)
            return web.Response(status=503)
        if answer is not None:  # the press's answer rides on our response: no round trip
            return web.json_response(answer.as_method())
        return web.Response(status=200)
