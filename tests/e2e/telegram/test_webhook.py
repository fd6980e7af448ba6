"""Webhook mode: the emulator posts updates to our endpoint, which checks the secret token."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
from pydantic import SecretStr

from ...support.telegram_emulator import BotApiEmulator
from .conftest import open_world


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_arrive_by_webhook_and_a_wrong_secret_is_refused(
    tmp_path: Path, emulator: BotApiEmulator,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    world, manager = await open_world(
        tmp_path, emulator, mode="webhook", webhook_listen=f"127.0.0.1:{port}",
        webhook_url=url, secret_token=SecretStr("s3cret-webhook-token"),
    )
    try:
        assert not any(c.method == "getUpdates" for c in emulator.calls)
        emulator.user_sends(1, 1, "/aide")
        for _ in range(3):  # the update is handled when the POST returns; then send
            await emulator.wait_for(lambda: not emulator.pending_updates, timeout=5)
            await world.worker.drain()
        assert any("/langue" in t for t in world.texts(1))
        async with aiohttp.ClientSession() as session:
            forged = {"update_id": 999, "message": {}}
            async with session.post(url, json=forged,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as reply:
                assert reply.status == 401
    finally:
        await world.adapter.stop()
        await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]
