"""The dashboard over a real demo database: one demo per test session, copied for each test
(the dashboard writes its sessions and audit log), one server per test."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings, WebAgent, load_settings
from animabot.demo.runner import DEMO_NEIGHBOURHOODS, run_demo
from animabot.web.app import build_app
from animabot.web.auth import hash_token

from ...conftest import T0
from .browser import browser, page  # noqa: F401  (fixtures for the browser tests)

TOKEN = "jeton-de-test-0123456789abcdefghij"
AGENT = "Agente Martin"
OTHER_TOKEN = "un-autre-jeton-tout-aussi-long"
CAMPAIGN = "demo-1"
Client = TestClient[web.Request, web.Application]
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


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


def own_copy(database: Path, tmp_path: Path) -> Path:
    """The dashboard writes sessions and the audit log: each test gets its own copy."""
    copy = tmp_path / "dashboard.db"
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


@pytest.fixture
def settings(demo_database: Path, tmp_path: Path) -> Settings:
    return dashboard_settings(own_copy(demo_database, tmp_path), tmp_path)


def csrf_in(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_FIELD.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


async def csrf_token(client: Client, path: str = "/login") -> str:
    return csrf_in(await (await client.get(path)).text())


async def sign_in_with_token(client: Client, token: str = TOKEN) -> ClientResponse:
    return await client.post("/login", data={"token": token,
                                             "csrf_token": await csrf_token(client)},
                             allow_redirects=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def client(settings: Settings, clock: FakeClock) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_app(settings, clock))) as opened:
        yield opened


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    """Signed-in people's clients of one server (``signed_in`` adds them), closed at the end."""
    opened: list[Client] = []
    yield opened
    for client in opened:
        await client.close()


async def post(client: Client, path: str, data: dict[str, str]) -> tuple[int, str, str]:
    """A form posted as a browser without JavaScript does: the page's CSRF token, no
    redirect followed; the status, the redirect's target and the body."""
    token = csrf_in(await (await client.get("/")).text())
    answer = await client.post(path, data={**data, "csrf_token": token},
                               allow_redirects=False)
    return answer.status, answer.headers.get("Location", ""), await answer.text()
