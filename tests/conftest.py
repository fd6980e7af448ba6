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
from animabot.store.database import Database, open_database

from .support.postgres import Cluster, binaries

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
def storage_backend() -> str:
    """SQLite unless a module asks for both (``from ..backends import both_backends``)."""
    return "sqlite"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the whole session (see tests/support/postgres.py)."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb): run scripts/test-setup.sh")
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A fresh database at the current schema (a copy of the migrated template)."""
    name = postgres_cluster.fresh()
    yield postgres_cluster.url(name)
    postgres_cluster.drop(name)


@pytest.fixture
def settings(tmp_path: Path, storage_backend: str, request: pytest.FixtureRequest) -> Settings:
    made = make_settings(tmp_path)
    if storage_backend == "postgresql":
        made.storage.url = request.getfixturevalue("postgres_url")
    return made


@pytest.fixture
async def database(
    storage_backend: str, tmp_path: Path, request: pytest.FixtureRequest,
) -> AsyncIterator[Database]:
    """An open database on the module's backend(s)."""
    where: Path | str = tmp_path / "store.db"
    if storage_backend == "postgresql":
        where = request.getfixturevalue("postgres_url")
    async with open_database(where) as opened:
        yield opened


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
