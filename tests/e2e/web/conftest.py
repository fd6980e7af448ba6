"""The dashboard over a real demo database: one demo per test session, one server per test."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings, WebAgent, load_settings
from animabot.demo.runner import DEMO_NEIGHBOURHOODS, run_demo
from animabot.web.app import build_app
from animabot.web.auth import hash_token

from ...conftest import T0

TOKEN = "jeton-de-test-0123456789abcdefghij"
AGENT = "Agente Martin"
OTHER_TOKEN = "un-autre-jeton-tout-aussi-long"
CAMPAIGN = "demo-1"
Client = TestClient[web.Request, web.Application]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real demo (40 residents, seed 1), played once: every test only reads it."""
    path = tmp_path_factory.mktemp("dashboard") / "d.db"
    asyncio.run(run_demo(residents=40, seed=1, database=path))
    return path


@pytest.fixture(scope="session")
def identifying_strings(demo_database: Path) -> list[str]:
    """What must never reach an agent: pseudonyms and residents' platform addresses."""
    with sqlite3.connect(demo_database) as db:
        pseudonyms = [row[0] for row in db.execute("SELECT pseudonym FROM resident")]
        addresses = [row[0] for row in db.execute("SELECT address FROM address_book")]
    assert pseudonyms and addresses
    return pseudonyms + addresses


def dashboard_settings(database: Path, tmp_path: Path, *, agents: bool = True) -> Settings:
    settings = load_settings(None, database=database)
    settings.privacy.key_file = tmp_path / "absent.key"  # the dashboard never needs the key
    settings.neighbourhoods = [NeighbourhoodSettings(id=hood, name=name)
                               for hood, name, _ in DEMO_NEIGHBOURHOODS]
    if agents:
        settings.web.agents = [
            WebAgent(name=AGENT, token_sha256=hash_token(TOKEN)),
            WebAgent(name="Agent Durand", token_sha256=hash_token(OTHER_TOKEN)),
        ]
    return settings


@pytest.fixture
def settings(demo_database: Path, tmp_path: Path) -> Settings:
    return dashboard_settings(demo_database, tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def client(settings: Settings, clock: FakeClock) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_app(settings, clock))) as opened:
        yield opened
