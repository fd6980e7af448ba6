"""The key endpoints nio does not wrap: a raw ``/keys/query`` (nio keeps only device keys and
drops the cross-signing keys), ``/keys/device_signing/upload`` with user-interactive auth, and
``/keys/signatures/upload``."""

from __future__ import annotations

from typing import Any

import aiohttp

from animabot.errors import AnimabotError, TransientError

API = "/_matrix/client/v3"


class KeysApi:
    """Bound to one homeserver and one access token; opens a short-lived aiohttp session."""

    def __init__(self, homeserver: str, access_token: str, timeout: float = 30.0) -> None:
        self.homeserver = homeserver.rstrip("/")
        self.access_token = access_token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session, session.post(
                f"{self.homeserver}{API}{path}", json=body, headers=headers
            ) as answer:
                data = await answer.json(content_type=None)
                return answer.status, data if isinstance(data, dict) else {}
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"Matrix request {path} failed: {exc!r}") from exc

    async def _ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, data = await self._post(path, body)
        if status >= 300:
            raise AnimabotError(f"Matrix {path} → {status} {data.get('errcode', '')}:"
                                f" {data.get('error', '')}")
        return data

    async def query(self, user_ids: list[str]) -> dict[str, Any]:
        """Device keys and cross-signing keys (master, self-signing) of these users."""
        return await self._ok("/keys/query", {"device_keys": {user: [] for user in user_ids}})

    async def upload_signing_keys(
        self, body: dict[str, Any], user_id: str, password: str | None
    ) -> None:
        """Upload cross-signing keys. A first upload needs no auth (MSC3967); replacing keys
        asks for the account's password through user-interactive auth."""
        status, data = await self._post("/keys/device_signing/upload", body)
        if status == 401 and "session" in data:
            if not password:
                raise AnimabotError(
                    f"the account {user_id} already has other cross-signing keys, and replacing"
                    " them needs its password: set [matrix] password (or password_file), or"
                    " restore the seeds file from its backup")
            auth = {"type": "m.login.password", "session": data["session"],
                    "identifier": {"type": "m.id.user", "user": user_id}, "password": password}
            status, data = await self._post("/keys/device_signing/upload",
                                            {**body, "auth": auth})
        if status >= 300:
            raise AnimabotError(f"uploading the cross-signing keys failed: {status}"
                                f" {data.get('errcode', '')}: {data.get('error', '')}")

    async def upload_signatures(self, body: dict[str, Any]) -> None:
        data = await self._ok("/keys/signatures/upload", body)
        if data.get("failures"):
            raise AnimabotError(f"the homeserver refused a signature: {data['failures']}")
