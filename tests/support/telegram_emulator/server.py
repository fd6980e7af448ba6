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
from urllib.parse import parse_qsl

from aiohttp import ClientError, ClientResponse, ClientSession, ClientTimeout, TCPConnector, web

from . import files
from .faults import FaultPlan
from .flood import FLOOD_METHODS, FloodControl
from .hooks import EmulatorHooks
from .methods import BY_LOWER_NAME
from .params import ApiError, Params, decode_for_log
from .state import EmulatorState, WebhookConfig

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
        self._session = ClientSession(  # the Bot API opens up to 100 connections to a webhook
            timeout=ClientTimeout(total=5.0), connector=TCPConnector(limit=100))
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
        """POST queued updates to the webhook over up to ``max_connections`` connections at
        once, oldest first; retry failures. An update is held back while an earlier one of
        the same chat or person is still being posted or waits for a retry, so each one's
        updates reach the bot in order, as the Bot API delivers them."""
        posting: dict[int, asyncio.Task[None]] = {}
        failed_at: dict[int, float] = {}
        loop = asyncio.get_running_loop()
        try:
            while not self.state.closing and self.state.webhook is not None:
                changed = self.state.changed()
                hook = self.state.webhook
                now = loop.time()
                held: set[tuple[str, Any]] = set()
                kinds = set(hook.allowed_updates or ())
                for update in self.state.updates:
                    if len(posting) >= hook.max_connections:
                        break
                    if kinds and not kinds & update.keys():
                        continue
                    key = _order_key(update)
                    update_id = update["update_id"]
                    if key in held or update_id in posting:
                        held.add(key)
                        continue
                    held.add(key)
                    if failed_at.get(update_id, 0.0) > now:
                        continue
                    task = loop.create_task(self._deliver_one(hook, update, failed_at))
                    posting[update_id] = task
                    task.add_done_callback(lambda _, i=update_id: self._posted(posting, i))
                waiting = min(failed_at.values(), default=now + 1.0) - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), max(0.01, min(1.0, waiting)))
                failed_at = {i: at for i, at in failed_at.items() if at > loop.time()}
        finally:
            for task in list(posting.values()):
                task.cancel()
            await asyncio.gather(*posting.values(), return_exceptions=True)

    def _posted(self, posting: dict[int, asyncio.Task[None]], update_id: int) -> None:
        posting.pop(update_id, None)
        self.state.wake()  # a connection is free

    async def _deliver_one(
        self, hook: WebhookConfig, update: dict[str, Any], failed_at: dict[int, float]
    ) -> None:
        """One delivery: the update travels, the bot answers, its answer travels back and
        the method it may carry is run; on failure, a retry 0.2 s later."""
        headers = (
            {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        )
        if self.latency:
            await self._sleep(self.latency / 2)  # the update on its way to the bot
        error, reply = await self._post_update(hook.url, update, headers)
        if self.latency:
            await self._sleep(self.latency / 2)  # the bot's answer on its way back
        try:
            if error is None:
                self.state.updates = [u for u in self.state.updates if u is not update]
                if reply is not None:
                    await self._run_reply(reply)
                return
            hook.last_error_date = self.state.timestamp()
            hook.last_error_message = error
            failed_at[update["update_id"]] = asyncio.get_running_loop().time() + 0.2
        finally:
            self.state.wake()  # waiters on pending_updates, and the delivery loop

    async def _run_reply(self, params: dict[str, Any]) -> None:
        """A method carried by the webhook's answer, run as if the bot had called it; as
        with the Bot API, nobody learns whether it succeeded."""
        name = str(params.pop("method", ""))
        lower = name.lower()
        if lower not in BY_LOWER_NAME:
            log.info("webhook answer named an unknown method %r: ignored", name)
            return
        self.state.record_call(name, decode_for_log(params), in_webhook_reply=True)
        try:
            await self._dispatch(lower, Params(params))
        except ApiError as error:
            if error.status == 429 and error.description.startswith("Too Many Requests"):
                self.state.flood_429s += 1
            log.info("the method in a webhook answer failed: %s", error.description)

    async def _post_update(
        self, url: str, update: dict[str, Any], headers: dict[str, str]
    ) -> tuple[str | None, dict[str, Any] | None]:
        """One webhook delivery: (the error message or None when it was accepted, the
        method call its answer carries, if any: JSON or a form with a "method" field)."""
        assert self._session is not None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                if not 200 <= response.status < 300:
                    return (f"Wrong response from the webhook: {response.status} "
                            f"{response.reason}"), None
                return None, await _reply_method(response)
        except (ClientError, TimeoutError) as exc:
            return f"Connection error: {exc!r}", None


def _order_key(update: dict[str, Any]) -> tuple[str, Any]:
    """Whose order an update keeps: the person pressing or answering, else the chat."""
    for kind in ("callback_query", "poll_answer"):
        if kind in update:
            who = update[kind].get("from") or update[kind].get("user") or {}
            return "user", who.get("id")
    if "poll" in update:
        return "poll", update["poll"].get("id")
    for kind in ("message", "edited_message", "my_chat_member", "chat_member"):
        if kind in update:
            return "chat", update[kind].get("chat", {}).get("id")
    return "update", None


async def _reply_method(response: ClientResponse) -> dict[str, Any] | None:
    """The method call in a webhook's answer, if its body names one."""
    if response.content_type == "application/json":
        try:
            body = await response.json()
        except ValueError:
            return None
    elif response.content_type == "application/x-www-form-urlencoded":
        body = dict(parse_qsl(await response.text()))
    else:
        return None
    if isinstance(body, dict) and isinstance(body.get("method"), str):
        return body
    return None


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
