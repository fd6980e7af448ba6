"""How the bot logs in. Which device an access token belongs to: the server knows
(``/whoami``), the operator need not. A made-up device id would break encryption: the server
refuses keys uploaded for a device that is not the token's (``M_BAD_JSON … device_id … does not
match``). A password login is made once and remembered: ``/login`` is rate-limited per
account."""

from __future__ import annotations

import logging

from aiohttp import ClientError
from nio import AsyncClient, LoginError, WhoamiError  # type: ignore[import-untyped]

from animabot.config import Settings
from animabot.errors import AnimabotError
from animabot.redaction import register_secret
from animabot.store.state import PlatformState

from .e2e import delete_device, store_lost
from .settings import MatrixSettings, matrix_settings

log = logging.getLogger(__name__)


async def token_device(client: AsyncClient, config: MatrixSettings, token: str) -> str:
    """The device of ``token``, asked of the homeserver; ``config.device_id`` only when the
    server does not say (an application service token has no device)."""
    client.access_token = token
    try:
        answer = await client.whoami()
    except (ClientError, TimeoutError) as exc:
        raise AnimabotError(f"cannot reach {config.homeserver} to check the access token:"
                            f" {exc!r}") from exc
    if isinstance(answer, WhoamiError):
        raise AnimabotError(f"the homeserver refused the Matrix access token: {answer.message}"
                            f" ({answer.status_code}); set a valid token, or a password")
    if answer.user_id != config.user_id:
        raise AnimabotError(f"the Matrix access token belongs to {answer.user_id}, not to the"
                            f" configured user_id {config.user_id}")
    device: str = answer.device_id or config.device_id
    if not device:
        raise AnimabotError("the homeserver does not say which device the access token"
                            " belongs to: set [matrix] device_id")
    if config.device_id and config.device_id != device:
        log.warning("[matrix] device_id %s is not the access token's device %s: using %s",
                    config.device_id, device, device)
    return device


async def log_in(client: AsyncClient, settings: Settings, state: PlatformState | None) -> None:
    """A configured token with its device (the server says which); else the token of the
    bot's own last password login (with that login's device); else a password login,
    remembered. A lost key store costs a new device, and the lost one is deleted."""
    config = matrix_settings(settings)
    token = settings.secret(config.access_token, config.access_token_file)
    if token:
        register_secret(token)
        device = await token_device(client, config, token)
    else:
        token = await state.get("access_token") if state is not None else None
        remembered = await state.get("device_id") if state is not None else None
        device = remembered or config.device_id or "ANIMABOT"
    password = settings.secret(config.password, config.password_file)
    lost: str | None = None
    if token:
        register_secret(token)
        if not await store_lost(settings, token, device, password):
            client.restore_login(config.user_id, device, token)
            return
        lost, client.device_id = device, None  # the server makes a new device
        if state is not None:
            await state.set("access_token", "")
    if not password:
        raise AnimabotError("Matrix is enabled but has no access token or password")
    register_secret(password)
    response = await client.login(password, device_name="animabot")
    if isinstance(response, LoginError):
        raise AnimabotError(f"Matrix login as {config.user_id} failed: {response}")
    register_secret(response.access_token)
    if state is not None:  # log in once: /login is rate-limited per account
        await state.set("access_token", response.access_token)
        await state.set("device_id", response.device_id)
    if lost is not None:
        await delete_device(client, lost, password)
