"""The dashboard and back-office: the aiohttp application and its server.

Every figure page shows what :mod:`animabot.stats` returns and nothing else: aggregates whose
small cells are already suppressed. People sign in with a local account, an OpenID provider or
an agent's token; their sessions and the audit log are the database's (see
:mod:`animabot.accounts`), and :mod:`.guard` decides who reaches which route.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, suppress
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from ..accounts.service import AccountService
from ..accounts.sessions import SessionManager
from ..accounts.throttle import SignInThrottle
from ..clock import Clock, SystemClock
from ..config import Settings
from ..core import open_core
from ..errors import AnimabotError
from ..store.stores import Stores
from . import signin, views
from .auth import AgentDirectory
from .guard import guard
from .oidc import OidcClient
from .present import filters
from .state import DASHBOARD, DATABASE, DESK, GATE, Dashboard, Desk, Gate

log = logging.getLogger(__name__)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
NO_AGENTS = (
    "nobody may sign in to the dashboard: there is no account, no [web.oidc] provider, and "
    "[web] agents is empty. Create an account with "
    "`animabot users add NAME --role administrator --password-stdin`, or an agent's "
    "read-only token with `animabot web token NAME` and paste the lines it prints into the "
    "configuration, or hash a token of your own with "
    "python -c \"import hashlib;print(hashlib.sha256(b'TOKEN').hexdigest())\" and add\n"
    "[[web.agents]]\nname = \"NAME\"\ntoken_sha256 = \"<that hash>\""
)


# A back-office form or upload: a scenario file, an actors' CSV of a few thousand rows.
MAX_BODY = 1024 * 1024


def static_dir() -> Path:
    return Path(str(files("animabot.web").joinpath("static")))


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")  # figures stay off shared caches


def build_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    """The application; the database opens when it starts and closes when it stops."""
    clock = clock or SystemClock()
    app = web.Application(middlewares=[guard(signin.refuse)], client_max_size=MAX_BODY)
    app[DASHBOARD] = Dashboard(settings, AgentDirectory(settings.web.agents))

    async def database(app: web.Application) -> AsyncIterator[None]:
        try:
            async with open_core(settings, clock, sends=False) as core:
                app[DATABASE] = core.database
                app[GATE] = gate(settings, core.stores, clock)
                app[DESK] = Desk(core.stores, core.campaigns, settings.window(), core.series)
                yield
        finally:
            app[DASHBOARD].painter.shutdown(wait=True)

    app.cleanup_ctx.append(database)
    app.on_response_prepare.append(_security_headers)
    aiohttp_jinja2.setup(
        app, loader=jinja2.PackageLoader("animabot.web", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined,
        filters=filters(settings.bot.timezone, settings.privacy.min_cell),
    )
    views.add_routes(app.router)
    app.router.add_static("/static/", static_dir(), name="static")
    return app


def gate(settings: Settings, stores: Stores, clock: Clock) -> Gate:
    web_settings = settings.web
    oidc = None
    if missing := web_settings.oidc.missing():
        raise AnimabotError(
            f"[web.oidc] is enabled but {', '.join(missing)} is not set: see "
            "config.example.toml (the secret goes in ANIMABOT_WEB__OIDC__CLIENT_SECRET or "
            "client_secret_file)")
    if web_settings.oidc.enabled:
        oidc = OidcClient(web_settings.oidc)
    return Gate(
        AccountService(stores.accounts, stores.sessions, stores.audit, clock,
                       settings=settings),
        SessionManager(stores.sessions, clock, timedelta(hours=web_settings.session_hours),
                       timedelta(minutes=web_settings.session_idle_minutes)),
        SignInThrottle(clock), stores.campaigns, oidc)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


async def serve(
    settings: Settings, host: str, port: int, stop: asyncio.Event | None = None,
    ready: asyncio.Future[str] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM or ``stop``; ``ready`` gets the URL once listening."""
    stop = stop or asyncio.Event()
    app = build_app(settings)
    loop = asyncio.get_running_loop()
    async with AsyncExitStack() as stack:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):  # not the main thread
                loop.add_signal_handler(signum, stop.set)
                stack.callback(loop.remove_signal_handler, signum)
        runner = web.AppRunner(app)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise AnimabotError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        bound = runner.addresses[0][1] if runner.addresses else port
        url = _url(host, bound)
        log.info("dashboard at %s (Ctrl-C to stop)", url)
        if ready is not None and not ready.done():
            ready.set_result(url)
        await stop.wait()
        log.info("stopping the dashboard")
