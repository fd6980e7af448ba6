"""Fixtures shared by every test level: settings on a temporary SQLite file, a fake clock,
the core services, and an adapter whose answers a test scripts."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from animabot.chat.contract import InboundHandler
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings, load_settings
from animabot.core import Core, open_core

TEST_KEY = "test-key-0123456789abcdef0123456789abcdef"
# Tuesday 1 December 2026, 09:00 UTC = 10:00 in Paris: inside the default sending window.
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests may only talk to loopback."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and self.family in (socket.AF_INET, socket.AF_INET6)
            and not (host.startswith("127.") or host in ("::1", "localhost"))
        ):
            raise OSError(f"tests may not reach {host}: loopback only")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


def make_settings(tmp_path: Path, **delivery: object) -> Settings:
    settings = load_settings(None, database=tmp_path / "animabot.db")
    settings.privacy.key = SecretStr(TEST_KEY)
    settings.privacy.key_file = tmp_path / "animabot.key"
    settings.simulated.enabled = True
    settings.neighbourhoods = [
        NeighbourhoodSettings(id="centre", name="Centre-ville", simulated_chats=["g-centre"]),
        NeighbourhoodSettings(id="gare", name="Gare", simulated_chats=["g-gare"]),
    ]
    for key, value in delivery.items():
        setattr(settings.delivery, key, value)
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def core(settings: Settings, clock: FakeClock) -> AsyncIterator[Core]:
    async with open_core(settings, clock) as opened:
        yield opened


@dataclass
class ScriptedAdapter:
    """Records sends; raises the exceptions queued in ``failures`` (one per call) first."""

    platform: str = "simulated"
    idempotent_sends: bool = True
    limits: None = None
    sent: list[tuple[Target, OutgoingMessage, str]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    members: int = 12
    handler: InboundHandler | None = None

    async def start(self, handler: InboundHandler) -> None:
        self.handler = handler

    async def stop(self) -> None:
        self.handler = None

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((target, message, key))
        return SendResult(f"ref{len(self.sent)}")

    async def member_count(self, address: str) -> int | None:
        return self.members

    def texts(self) -> list[str]:
        return [message.text for _, message, _ in self.sent]


@pytest.fixture
def adapter() -> ScriptedAdapter:
    return ScriptedAdapter()
