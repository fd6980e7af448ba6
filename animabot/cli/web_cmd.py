"""``animabot web``: serve the dashboard and back-office; ``animabot web token NAME``: create an
agent's token and print the configuration lines holding its hash."""

from __future__ import annotations

import json
import logging
import re
from typing import Annotated

import typer

from ..clock import SystemClock
from ..config import Settings
from ..core import open_core
from .common import ConfigOption, DatabaseOption, err, out, run_async, settings_from, setup_logging

app = typer.Typer(
    help="The dashboard and back-office: anonymised figures for agents, accounts for "
    "facilitators and administrators.",
    invoke_without_command=True,
)


@app.callback()
def serve(
    ctx: typer.Context,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on ([web] host).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535,
                                             help="Port to listen on ([web] port).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    """Serve the dashboard until Ctrl-C or SIGTERM (`animabot web token NAME` adds an agent)."""
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose, logging.INFO)

    async def work() -> None:
        from ..web.app import NO_AGENTS
        from ..web.app import serve as serve_dashboard  # aiohttp and matplotlib load here only

        settings = settings_from(config, database)
        if not settings.web.agents and not settings.web.oidc.enabled \
                and not await _has_accounts(settings):
            err.print(f"error: {NO_AGENTS}", markup=False)  # "[web]" is not rich markup
            raise typer.Exit(1)
        await serve_dashboard(settings, host or settings.web.host,
                              settings.web.port if port is None else port)

    run_async(work)


async def _has_accounts(settings: Settings) -> bool:
    async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
        return bool(await core.stores.accounts.all())


@app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="The agent's name, shown on the dashboard.")],
    commune: Annotated[str | None, typer.Option(
        help="The commune of [communes] whose figures alone the agent reads.",
        metavar="ID")] = None,
) -> None:
    """Create a random token for an agent: give the token to the agent, paste the lines."""
    from ..config.sections import SLUG
    from ..web.auth import hash_token, new_token

    if not name.strip():
        raise typer.BadParameter("the name may not be empty", param_hint="NAME")
    if commune is not None and not re.match(SLUG, commune):
        raise typer.BadParameter(f"{commune!r} is not a commune id (lower-case letters, "
                                 "digits, '-' or '_')", param_hint="--commune")
    secret = new_token()
    out.print(f"Token for {name} (shown once, give it to the agent privately):\n",
              markup=False)
    out.print(f"    {secret}\n", markup=False)
    out.print("Add these lines to the configuration file, then restart `animabot web`:\n")
    out.print(f"[[web.agents]]\nname = {json.dumps(name.strip(), ensure_ascii=False)}\n"
              f'token_sha256 = "{hash_token(secret)}"'
              + (f'\ncommune = "{commune}"' if commune else ""), markup=False)
