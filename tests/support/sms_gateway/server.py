"""An emulator of the SMS Gateway for Android's API (docs.sms-gate.app), over real HTTP.

The same routes answer under the cloud prefix (``/3rdparty/v1``, api.sms-gate.app and the
private server) and without it (the phone's local server, ``http://PHONE:8080``, which also
takes the older ``/message`` and ``/webhook``). Requests need HTTP basic auth. What a real
gateway does and the emulator copies:

- ``POST /messages`` takes ``{"textMessage": {"text"}, "phoneNumbers", "id"?...}``, checks the
  numbers are E.164 (unless ``skipPhoneValidation=true``), answers 202 with the message's
  state, and 409 when a message with that ``id`` exists already (an idempotent resend);
- the phone then sends each message: Pending → Processed → Sent → Delivered, or Failed with
  ``RESULT_ERROR_LIMIT_EXCEEDED`` past Android's limit (30 parts in 30 minutes by default);
- ``GET /messages/{id}`` gives that state (404 for an unknown id);
- ``POST/GET /webhooks``, ``DELETE /webhooks/{id}`` keep one registration per id (a POST
  with a known id replaces it);
- errors are JSON ``{"message": ...}`` with the status the API documents (400, 401, 404, 409,
  500, 503);
- an incoming SMS (:meth:`resident_sends`) is POSTed to every ``sms:received`` webhook,
  signed (``X-Timestamp``, ``X-Signature`` = hex HMAC-SHA256 of the raw body followed by the
  timestamp, under the signing key), and retried with exponential backoff (10 s, 20 s, …,
  14 times in the app; ``retry_base`` shortens it for tests) until a 2xx comes back.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from adapters.sms.segments import segments

from .state import (
    Recipient,
    RegisteredWebhook,
    SmsLimit,
    StoredMessage,
    WebhookAttempt,
    nanoid,
)

CLOUD_PREFIX = "/3rdparty/v1"
EVENTS = ("sms:received", "sms:data-received", "sms:sent", "sms:delivered", "sms:failed",
          "system:ping", "mms:received", "mms:downloaded")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
LIMIT_EXCEEDED = "RESULT_ERROR_LIMIT_EXCEEDED"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class _Fault:
    status: int
    message: str
    left: int


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


class SmsGatewayEmulator:
    """``async with SmsGatewayEmulator() as gateway:``; point the client at ``gateway.cloud_url``
    (or ``gateway.local_url``) with ``gateway.username`` / ``gateway.password``.

    ``latency`` is each call's round trip in seconds (half before the server acts, half
    after); ``processing_delay`` how long the phone takes to send an accepted message;
    ``limit`` Android's check (parts, seconds); ``retry_base`` the first webhook retry delay.
    """

    def __init__(
        self, *, username: str = "sms", password: str = "gateway-password",
        signing_key: str = "signing-key-for-tests", latency: float = 0.0,
        processing_delay: float = 0.0, limit: tuple[int, float] = (30, 30 * 60),
        retry_base: float = 10.0, retry_count: int = 14, device_number: str | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        if latency < 0:
            raise ValueError("latency is a duration: 0 or more seconds")
        self.username, self.password, self.signing_key = username, password, signing_key
        self.latency, self.processing_delay = latency, processing_delay
        self.limit = SmsLimit(*limit)
        self.retry_base, self.retry_count = retry_base, retry_count
        self.device_id = nanoid()
        self.device_number = device_number
        self._now = now
        self.messages: dict[str, StoredMessage] = {}
        self.webhooks: dict[str, RegisteredWebhook] = {}
        self.attempts: list[WebhookAttempt] = []
        self.acknowledged: set[str] = set()  # webhook event ids a receiver answered 2xx
        self.events: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # id -> (url, body)
        self.requests: list[tuple[str, str]] = []  # (method, path) of every call
        self.port = 0
        self._faults: list[_Fault] = []
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- addresses ------------------------------------------------------------------------
    @property
    def local_url(self) -> str:
        """The phone's own server, as the app shows it (local mode)."""
        if not self.port:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def cloud_url(self) -> str:
        """The cloud relay's API base, as ``https://api.sms-gate.app/3rdparty/v1``."""
        return self.local_url + CLOUD_PREFIX

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self) -> SmsGatewayEmulator:
        app = web.Application(middlewares=[self._latency, self._auth])
        for prefix in (CLOUD_PREFIX, ""):
            app.router.add_post(f"{prefix}/messages", self._post_message)
            app.router.add_get(f"{prefix}/messages", self._list_messages)
            app.router.add_get(f"{prefix}/messages/{{id}}", self._get_message)
            app.router.add_get(f"{prefix}/webhooks", self._list_webhooks)
            app.router.add_post(f"{prefix}/webhooks", self._post_webhook)
            app.router.add_delete(f"{prefix}/webhooks/{{id}}", self._delete_webhook)
            app.router.add_get(f"{prefix}/health", self._health)
        app.router.add_post("/message", self._post_message)  # the local server's older path
        app.router.add_get("/message/{id}", self._get_message)
        app.router.add_get("/webhook", self._list_webhooks)
        app.router.add_post("/webhook", self._post_webhook)
        app.router.add_delete("/webhook/{id}", self._delete_webhook)
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
        self._session = ClientSession(timeout=ClientTimeout(total=30.0))
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SmsGatewayEmulator:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- test hooks -----------------------------------------------------------------------
    def fail_next(self, status: int, message: str = "Internal server error",
                  count: int = 1) -> None:
        """The next ``count`` message POSTs answer ``status`` (e.g. 500, 503) unprocessed."""
        self._faults.append(_Fault(status, message, count))

    @property
    def sent(self) -> list[StoredMessage]:
        """Messages the phone has sent (state Sent or Delivered), oldest first."""
        return [m for m in self.messages.values() if m.state in ("Sent", "Delivered")]

    def sent_to(self, phone: str) -> list[str]:
        return [m.text for m in self.sent if any(r.phone_number == phone for r in m.recipients)]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        """Poll ``condition`` every 10 ms until true; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the SMS gateway emulator waited in vain")
            await asyncio.sleep(0.01)

    def resident_sends(self, phone: str, text: str, *, sim_number: int | None = 1) -> str:
        """An SMS from ``phone`` reaches the phone: an ``sms:received`` event goes to every
        webhook registered for it, signed, retried until acknowledged. Returns the event id
        (the webhook body's ``id``; ``payload.messageId`` is derived from the content)."""
        event_id = nanoid()
        content_id = hashlib.sha256(f"{phone}|{text}".encode()).hexdigest()[:16]
        payload = {
            "messageId": content_id, "message": text, "phoneNumber": phone, "sender": phone,
            "recipient": self.device_number, "simNumber": sim_number,
            "receivedAt": datetime.fromtimestamp(self._now()).astimezone().isoformat(
                timespec="milliseconds"),
        }
        for hook in self.webhooks.values():
            if hook.event == "sms:received":
                body = {"deviceId": self.device_id, "event": hook.event, "id": event_id,
                        "payload": payload, "webhookId": hook.id}
                self.events.setdefault(event_id, []).append((hook.url, body))
                self._spawn(self._deliver(hook.url, event_id, body))
        return event_id

    def redeliver(self, event_id: str) -> None:
        """Post an event again, same body and id (the app does after a lost answer)."""
        for url, body in self.events[event_id]:
            self._spawn(self._deliver(url, event_id, body))

    def acknowledgements(self, event_id: str) -> int:
        return sum(1 for a in self.attempts
                   if a.event_id == event_id and a.status is not None and 200 <= a.status < 300)

    def sign(self, body: bytes, timestamp: str) -> str:
        return hmac.new(self.signing_key.encode(), body + timestamp.encode(),
                        hashlib.sha256).hexdigest()

    async def _deliver(self, url: str, event_id: str, body: dict[str, Any]) -> None:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        assert self._session is not None
        for attempt in range(self.retry_count + 1):
            timestamp = str(int(self._now()))  # signed again at each attempt, as the app does
            headers = {"Content-Type": "application/json", "X-Timestamp": timestamp,
                       "X-Signature": self.sign(raw, timestamp)}
            status: int | None = None
            with contextlib.suppress(ClientError, TimeoutError):
                async with self._session.post(url, data=raw, headers=headers) as response:
                    status = response.status
            self.attempts.append(WebhookAttempt(event_id, url, status, time.monotonic()))
            if status is not None and 200 <= status < 300:
                self.acknowledged.add(event_id)
                return
            await asyncio.sleep(self.retry_base * 2 ** attempt)

    # --- middlewares ----------------------------------------------------------------------
    @web.middleware
    async def _latency(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        response = await handler(request)
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        return response

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Basic {expected}".encode()):
            response = _error(401, "Unauthorized")
            response.headers["WWW-Authenticate"] = 'Basic realm="SMS Gateway"'
            return response
        return await handler(request)

    # --- messages -------------------------------------------------------------------------
    async def _post_message(self, request: web.Request) -> web.Response:
        if self._faults:
            fault = self._faults[0]
            fault.left -= 1
            if fault.left <= 0:
                self._faults.pop(0)
            return _error(fault.status, fault.message)
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "Invalid request: body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "Invalid request: body must be an object")
        problem = self._invalid(body, request.query.get("skipPhoneValidation") == "true")
        if problem:
            return _error(400, problem)
        message_id = body.get("id") or nanoid()
        if message_id in self.messages:
            return _error(409, f"message with id {message_id} already exists")
        text = (body.get("textMessage") or {}).get("text") or body.get("message") or ""
        message = StoredMessage(
            id=message_id, text=text, created_at=self._now(), segments=segments(text),
            recipients=[Recipient(p) for p in body["phoneNumbers"]],
            priority=int(body.get("priority") or 0), body=body)
        message.reach("Pending", self._now())
        self.messages[message_id] = message
        self._spawn(self._process(message, bool(body.get("withDeliveryReport", True))))
        return web.json_response(message.json(self.device_id), status=202)

    @staticmethod
    def _invalid(body: dict[str, Any], skip_validation: bool) -> str | None:
        kinds = [k for k in ("textMessage", "dataMessage", "mmsMessage", "message")
                 if body.get(k) is not None]
        if len(kinds) != 1:
            return "Invalid request: exactly one of textMessage, dataMessage or message"
        text = body.get("textMessage")
        if kinds == ["textMessage"] and not (isinstance(text, dict)
                                             and isinstance(text.get("text"), str)
                                             and text["text"]):
            return "Invalid request: textMessage.text is required"
        numbers = body.get("phoneNumbers")
        if not isinstance(numbers, list) or not numbers or not all(
                isinstance(n, str) for n in numbers):
            return "Invalid request: phoneNumbers must be a non-empty list"
        if not skip_validation:
            for number in numbers:
                if not E164.match(number):
                    return f"Invalid request: invalid phone number {number!r}: E.164 expected"
        if body.get("ttl") is not None and body.get("validUntil") is not None:
            return "Invalid request: ttl and validUntil are mutually exclusive"
        message_id = body.get("id")
        if message_id is not None and (not isinstance(message_id, str)
                                       or not 0 < len(message_id) <= 36):
            return "Invalid request: id must be a string of at most 36 characters"
        return None

    async def _process(self, message: StoredMessage, delivery_report: bool) -> None:
        """The phone takes the message from its queue and hands it to Android."""
        if self.processing_delay:
            await asyncio.sleep(self.processing_delay)
        parts = message.segments * len(message.recipients)
        if not self.limit.take(parts):
            message.reach("Failed", self._now(), LIMIT_EXCEEDED)
            return
        message.reach("Processed", self._now())
        message.reach("Sent", self._now())
        if delivery_report:
            message.reach("Delivered", self._now())

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(request.match_info["id"])
        if message is None:
            return _error(404, "message not found")
        return web.json_response(message.json(self.device_id))

    async def _list_messages(self, request: web.Request) -> web.Response:
        listed = [m.json(self.device_id, with_content=False) for m in self.messages.values()]
        response = web.json_response(listed)
        response.headers["X-Total-Count"] = str(len(listed))
        return response

    # --- webhooks -------------------------------------------------------------------------
    async def _list_webhooks(self, request: web.Request) -> web.Response:
        return web.json_response([h.json() for h in self.webhooks.values()])

    async def _post_webhook(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "Invalid request: body is not JSON")
        if not isinstance(body, dict) or body.get("event") not in EVENTS:
            return _error(400, "Invalid request: unknown event")
        url = body.get("url")
        local = isinstance(url, str) and re.match(r"^http://(127\.0\.0\.1|localhost)[:/]", url)
        if not isinstance(url, str) or not (url.startswith("https://") or local):
            return _error(400, "Invalid request: url must be HTTPS (HTTP only for localhost)")
        if body.get("deviceId") not in (None, self.device_id):
            return _error(400, "Device ID mismatch")
        hook = RegisteredWebhook(body.get("id") or nanoid(), url, body["event"],
                                 body.get("deviceId"))
        self.webhooks[hook.id] = hook
        return web.json_response(hook.json(), status=201)

    async def _delete_webhook(self, request: web.Request) -> web.Response:
        self.webhooks.pop(request.match_info["id"], None)
        return web.Response(status=204)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "pass", "version": "emulator", "checks": {}})
