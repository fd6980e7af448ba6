"""The emulator's HTTP side: an aiohttp server on 127.0.0.1, long polling and webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from . import files
from .faults import FaultPlan
from .flood import FLOOD_METHODS, FloodControl
from .hooks import EmulatorHooks
from .methods import BY_LOWER_NAME
from .params import ApiError, Params, decode_for_log
from .state import EmulatorState

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAEmulatorTokenForTests_0123456789ab"
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class BotApiEmulator(EmulatorHooks):
    """A Telegram Bot API server for tests, speaking real HTTP on 127.0.0.1.

    Use `async with BotApiEmulator() as emulator:` and point the bot at `emulator.base_url`.
    `privacy_mode` (Telegram's default) hides plain group messages from a non-admin bot;
    `now` gives Unix time for message dates (pass a fake clock's to align dates).
    `latency` is the round trip of every call in seconds (the public Bot API answers in
    50–250 ms from Europe): half before the server acts, half after, as on a real network,
    so a sender that waits for each request is as slow here as in the field.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "animabot_test_bot",
        flood_control: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        group_per_minute: int = 20,
        max_long_poll: float = 30.0,
        privacy_mode: bool = True,
        now: Callable[[], float] = time.time,
        latency: float = 0.0,
    ) -> None:
        if latency < 0:
            raise ValueError("latency is a duration: 0 or more seconds")
        self.latency = latency
        self.state = EmulatorState(token, bot_username, now)
        self.faults = FaultPlan()
        self.flood = (
            FloodControl(global_per_second, per_chat_per_second, group_per_minute)
            if flood_control
            else None
        )
        self.max_long_poll = max_long_poll
        self.privacy_mode = privacy_mode
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._session: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._poll_generation = 0

    # --- identity -------------------------------------------------------------------------
    @property
    def token(self) -> str:
        """The one token the server accepts."""
        return self.state.token

    @property
    def bot_id(self) -> int:
        """The bot's user id (the token's prefix)."""
        return self.state.bot_id

    @property
    def bot_username(self) -> str:
        """The bot's username, without "@"."""
        return self.state.bot_username

    @property
    def base_url(self) -> str:
        """What PTB takes as `base_url`: it appends `{token}/{method}`."""
        if not self.port:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self.port}/bot"

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self) -> BotApiEmulator:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = int(runner.addresses[0][1])
        self._runner = runner
        self._stopping.clear()
        self.state.closing = False
        self._session = ClientSession(timeout=ClientTimeout(total=5.0))
        return self

    async def stop(self) -> None:
        """Stop: pending long polls and delayed answers return at once."""
        self._stopping.set()
        self.state.closing = True
        self.state.wake()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_file_url(self) -> str:
        """Where the Bot API serves files: PTB's `base_file_url`."""
        return self.base_url.replace("/bot", "/file/bot")

    # --- requests -------------------------------------------------------------------------
    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A file by the `file_path` getFile gave (plain 401/404 bodies, as the Bot API)."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        self.state.record_call("download", {"file_path": request.match_info["path"]})
        data = files.download(self.state, request.match_info["path"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        name = request.match_info["method"]
        lower = name.lower()
        if lower != "getupdates" and lower not in BY_LOWER_NAME:
            return _error(ApiError(404, "Not Found"))
        try:
            params = Params(await _read_params(request))
        except ApiError as error:
            return _error(error)
        if self.latency:
            await self._sleep(self.latency / 2)  # the request on its way to the server
        self.state.record_call(name, decode_for_log(params.raw))
        chat_id = params.raw.get("chat_id")
        if self.faults.take("close", lower, chat_id) is not None:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        fault = self.faults.take("fail", lower, chat_id)
        if fault is not None:
            return _error(ApiError(fault.status, fault.description, fault.retry_after))
        try:
            result = await self._dispatch(lower, params)
        except ApiError as error:
            if error.status == 429 and error.description.startswith("Too Many Requests"):
                self.state.flood_429s += 1
            return _error(error)
        except Exception as exc:  # a bug in the emulator: answer like a broken server
            log.exception("emulator failed on %s", name)
            return _error(ApiError(500, f"Internal Server Error: {exc!r}"))
        finally:
            self.state.wake()
        delay = self.faults.take("delay", lower, chat_id)
        if delay is not None:
            await self._sleep(delay.seconds)
        if self.latency:
            await self._sleep(self.latency / 2)  # the answer on its way back
        return web.json_response({"ok": True, "result": result})

    async def _dispatch(self, lower: str, params: Params) -> Any:
        if lower == "getupdates":
            return await self._get_updates(params)
        _, handler = BY_LOWER_NAME[lower]
        flood_chat = self._flood_chat(lower, params)
        if flood_chat is not None and self.flood is not None:
            self.flood.check(flood_chat, self.state.is_group(flood_chat))
        result = handler(self.state, params)
        if lower in ("setwebhook", "deletewebhook"):
            self._ensure_webhook_worker()
        if flood_chat is not None and self.flood is not None:
            self.flood.record(flood_chat, self.state.is_group(flood_chat))
        return result

    def _flood_chat(self, lower: str, params: Params) -> int | str | None:
        if self.flood is None or lower not in FLOOD_METHODS or not params.has("chat_id"):
            return None
        return params.chat_id()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up when the emulator stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # --- getUpdates -----------------------------------------------------------------------
    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        """Long polling: hold the request until an update comes, the timeout ends, another
        getUpdates takes over (409 for this one) or the emulator stops."""
        if self.state.webhook is not None:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        self.state.confirm(params.integer("offset") or 0)
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = min(max(params.integer("timeout") or 0, 0), self.max_long_poll)
        allowed = params.obj("allowed_updates")
        self._poll_generation += 1
        generation = self._poll_generation
        self.state.wake()  # an older long poll learns it has been superseded
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            changed = self.state.changed()
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)
            updates = self.state.pending(limit, allowed)
            remaining = deadline - asyncio.get_running_loop().time()
            if updates or remaining <= 0 or self.state.closing:
                return updates
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    # --- webhook --------------------------------------------------------------------------
    def _ensure_webhook_worker(self) -> None:
        if self.state.webhook is not None and (
            self._webhook_task is None or self._webhook_task.done()
        ):
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver())

    async def _deliver(self) -> None:
        """POST queued updates to the webhook one by one, in order; retry failures."""
        while not self.state.closing and self.state.webhook is not None:
            changed = self.state.changed()
            hook = self.state.webhook
            updates = self.state.pending(1, hook.allowed_updates)
            if not updates:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), 1.0)
                continue
            update = updates[0]
            headers = (
                {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
            )
            error = await self._post_update(hook.url, update, headers)
            if error is None:
                self.state.updates = [u for u in self.state.updates if u is not update]
                self.state.wake()  # waiters on pending_updates must see the change
                continue
            hook.last_error_date = self.state.timestamp()
            hook.last_error_message = error
            await self._sleep(0.2)

    async def _post_update(
        self, url: str, update: dict[str, Any], headers: dict[str, str]
    ) -> str | None:
        """One webhook delivery; the error message, or None when it was accepted."""
        assert self._session is not None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (ClientError, TimeoutError) as exc:
            return f"Connection error: {exc!r}"


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string, then a JSON or form body (PTB sends forms)."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: the body must be a JSON object")
        params.update(body)
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _error(error: ApiError) -> web.Response:
    return web.Response(
        status=error.status,
        text=json.dumps(error.body()),
        content_type="application/json",
    )
