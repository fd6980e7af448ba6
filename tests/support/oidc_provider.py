"""A real OpenID Connect provider for the tests: `tests/support/oidc/provider.mjs` (the
certified `oidc-provider` package on Node 20+), started on 127.0.0.1 for one test.

Its Node packages come from `npm ci --prefix tests/support/oidc` (scripts/test-setup.sh).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
AXE_SCRIPT = OIDC_DIR / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_COMMAND = "npm ci --prefix tests/support/oidc"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str


def need_node_packages() -> str:
    """`node`, once the packages are installed; else a skip (a failure in CI)."""
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "`node` (Node.js 20+) is not on PATH"
    elif not (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        missing = f"the OpenID provider's packages are missing: run `{INSTALL_COMMAND}`"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI must run the OpenID tests")
        pytest.skip(missing)
    assert node is not None
    return node


@asynccontextmanager
async def oidc_provider(
    redirect_uris: Sequence[str], post_logout_redirect_uris: Sequence[str],
    accounts: Mapping[str, Mapping[str, object]],
    client_id: str = "animabot-test", client_secret: str = "un secret de test assez long",
) -> AsyncIterator[Provider]:
    node = need_node_packages()
    env = {**os.environ, "CLIENT_ID": client_id, "CLIENT_SECRET": client_secret,
           "REDIRECT_URIS": " ".join(redirect_uris),
           "POST_LOGOUT_REDIRECT_URIS": " ".join(post_logout_redirect_uris),
           "ACCOUNTS": json.dumps(accounts), "NODE_NO_WARNINGS": "1"}
    process = await asyncio.create_subprocess_exec(
        node, str(PROVIDER_SCRIPT), cwd=OIDC_DIR, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    try:
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            line = b""
        if not line:
            errors = (await process.stderr.read()).decode(errors="replace")[-2000:]
            raise RuntimeError(f"the OpenID provider did not start: {errors}")
        yield Provider(json.loads(line)["issuer"], client_id, client_secret)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
