"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives and refuses the
addresses a test names: for good (550) or for now (451, a number of times)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    refused: set[str] = field(default_factory=set)  # 550 for ever
    later: dict[str, int] = field(default_factory=dict)  # 451 this many times
    received: list[Received] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)  # every RCPT, accepted or not
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self.lock:
            self.tried.append(address.lower())
            if address.lower() in self.refused:
                return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
            if self.later.get(address.lower(), 0) > 0:
                self.later[address.lower()] -= 1
                return f"451 4.7.1 <{address}>: greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received if address in r.recipients]


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int
    controller: Controller

    def restart(self) -> None:
        """Drop every connection (as a relay does with idle ones) and listen again."""
        self.controller.stop()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()


def smtp_server() -> Iterator[SmtpServer]:
    """Start the server on a free loopback port; stop it after the test."""
    handler = RecordingHandler()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting: name one
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = SmtpServer(handler, port, Controller(handler, hostname="127.0.0.1", port=port))
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()
