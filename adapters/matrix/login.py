"""Which device an access token belongs to: the server knows (``/whoami``), the operator need
not. A made-up device id would break encryption: the server refuses keys uploaded for a device
that is not the token's (``M_BAD_JSON … device_id … does not match``)."""

from __future__ import annotations

import logging

from aiohttp import ClientError
from nio import AsyncClient, WhoamiError  # type: ignore[import-untyped]

from animabot.errors import AnimabotError

from .settings import MatrixSettings

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
