"""Pytest fixtures for a real Synapse: `synapse` (one per session), `matrix`, `new_user`.

Import them into a conftest or a test module. However many modules import `synapse`, the
session shares one server, stopped after the last of them is finalised.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from .residents import Residents
from .synapse import MatrixUser, SynapseServer


class _SharedServer:
    """One server for every importer of the fixture, reference counted."""

    def __init__(self) -> None:
        self.server: SynapseServer | None = None
        self.users = 0

    def acquire(self, factory: pytest.TempPathFactory) -> SynapseServer:
        if self.server is None:
            server = SynapseServer(factory.mktemp("synapse"))
            server.start()
            self.server = server
        self.users += 1
        return self.server

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.server is not None:
            self.server.stop()
            self.server = None


_SHARED = _SharedServer()


class UserFactory:
    """Registers accounts whose localparts are unique on the shared server."""

    def __init__(self, server: SynapseServer) -> None:
        self.server = server
        self._token = uuid.uuid4().hex[:8]
        self._count = itertools.count(1)

    def __call__(self, name: str = "resident", *, admin: bool = False) -> MatrixUser:
        """`name` becomes the readable part of the localpart (e.g. `alice-1a2b3c4d-1`)."""
        readable = re.sub(r"[^a-z0-9._=-]", "-", name.lower())
        localpart = f"{readable}-{self._token}-{next(self._count)}"
        return self.server.register(localpart, admin=admin)

    def many(self, count: int, name: str = "resident") -> list[MatrixUser]:
        return [self(name) for _ in range(count)]


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A running Synapse on loopback, shared by the whole test session."""
    server = _SHARED.acquire(tmp_path_factory)
    try:
        yield server
    finally:
        _SHARED.release()


@pytest.fixture
def new_user(synapse: SynapseServer) -> UserFactory:
    """Call it to register a fresh account: `alice = new_user("alice")`."""
    return UserFactory(synapse)


@pytest.fixture
async def matrix(synapse: SynapseServer) -> AsyncIterator[Residents]:
    """Residents acting on the shared server through one aiohttp session."""
    async with aiohttp.ClientSession() as session:
        yield Residents(session, synapse.base_url)
