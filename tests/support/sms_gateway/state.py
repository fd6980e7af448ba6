"""What the emulated phone holds: messages and their states, webhooks, Android's SMS limit."""

from __future__ import annotations

import secrets
import string
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_NANOID = string.ascii_letters + string.digits + "_-"


def nanoid(size: int = 21) -> str:
    """The gateway's ids (messages, webhooks, events, the device) are 21-character nanoids."""
    return "".join(secrets.choice(_NANOID) for _ in range(size))


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


@dataclass
class Recipient:
    phone_number: str
    state: str = "Pending"
    error: str | None = None

    def json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {"phoneNumber": self.phone_number, "state": self.state}
        if self.error is not None:
            shape["error"] = self.error
        return shape


@dataclass
class StoredMessage:
    """One ``POST /messages`` as the device keeps it."""

    id: str
    text: str
    recipients: list[Recipient]
    created_at: float
    segments: int
    priority: int = 0
    body: dict[str, Any] = field(default_factory=dict)  # the request as received
    states: dict[str, str] = field(default_factory=dict)  # state -> when it was reached

    @property
    def state(self) -> str:
        """The message's state: the least advanced of its recipients' (Failed if any)."""
        order = ["Pending", "Processed", "Sent", "Delivered"]
        if any(r.state == "Failed" for r in self.recipients):
            return "Failed"
        return min((r.state for r in self.recipients), key=order.index)

    def reach(self, state: str, now: float, error: str | None = None) -> None:
        for recipient in self.recipients:
            recipient.state = state
            recipient.error = error
        self.states.setdefault(state, iso(now))

    def json(self, device_id: str, with_content: bool = True) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "id": self.id, "deviceId": device_id, "state": self.state,
            "isHashed": False, "isEncrypted": False,
            "recipients": [r.json() for r in self.recipients],
            "states": dict(self.states), "createdAt": iso(self.created_at),
        }
        if with_content:
            shape["textMessage"] = {"text": self.text}
        return shape


@dataclass
class RegisteredWebhook:
    id: str
    url: str
    event: str
    device_id: str | None = None

    def json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {"id": self.id, "url": self.url, "event": self.event}
        if self.device_id is not None:
            shape["deviceId"] = self.device_id
        return shape


@dataclass
class WebhookAttempt:
    """One POST of a webhook to the receiver, and how it answered (None: no answer)."""

    event_id: str
    url: str
    status: int | None
    at: float


class SmsLimit:
    """Android's outgoing SMS check: at most ``count`` parts in any ``span`` seconds per app
    (``SMS_OUTGOING_CHECK_MAX_COUNT``, 30 in 30 minutes by default); past it, the phone
    refuses the send (``RESULT_ERROR_LIMIT_EXCEEDED``) unless someone confirms on screen."""

    def __init__(self, count: int = 30, span: float = 30 * 60,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.count = count
        self.span = span
        self._now = now
        self._sent: deque[float] = deque()

    def take(self, parts: int) -> bool:
        """Count ``parts`` more now if they fit; False (nothing counted) if they do not."""
        now = self._now()
        while self._sent and self._sent[0] <= now - self.span:
            self._sent.popleft()
        if len(self._sent) + parts > self.count:
            return False
        self._sent.extend([now] * parts)
        return True
