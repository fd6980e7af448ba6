"""Webhook mode: the emulator posts updates to our endpoint, which checks the secret token."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from ...helpers import POLL_SCENARIO, scenario
from ...support.telegram_emulator import BotApiEmulator
from .conftest import FACILITATOR, GROUPS, open_world


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


LATENCY = 0.15  # seconds per Bot API call and per webhook delivery, as from Europe
RESIDENTS = 60
GROUP = -1001


async def test_presses_by_webhook_are_answered_in_the_response_concurrently_in_order(
    tmp_path: Path,
) -> None:
    """Telegram posts presses over many connections at once; each is journaled, then
    answered in the webhook's own response (no answerCallbackQuery request); one resident's
    two quick presses are handled in order, the later one winning."""
    async with BotApiEmulator(latency=LATENCY) as emulator:
        emulator.add_user(FACILITATOR, "Fanny")
        for chat_id in GROUPS:
            members = range(1, RESIDENTS + 1) if chat_id == GROUP else []
            emulator.add_group(chat_id, f"Groupe {chat_id}", [FACILITATOR, *members],
                               admins=[FACILITATOR])
            emulator.add_bot_to_group(chat_id, FACILITATOR)
        port = _free_port()
        world, manager = await open_world(
            tmp_path, emulator, mode="webhook", webhook_listen=f"127.0.0.1:{port}",
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            secret_token=SecretStr("s3cret-webhook-token"),
        )
        at_once = most = 0
        receive = world.adapter.receive

        async def counting(update: Any) -> Any:
            nonlocal at_once, most
            at_once += 1
            most = max(most, at_once)
            try:
                return await receive(update)
            finally:
                at_once -= 1

        world.adapter.receive = counting  # type: ignore[method-assign]
        try:
            await emulator.wait_for(lambda: not emulator.pending_updates, timeout=30)
            info = await world.adapter.bot.get_webhook_info()
            assert info.max_connections == 100
            await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
            await world.worker.drain()
            poll = next(m for m in emulator.messages_to(GROUP) if m.reply_markup)
            assert poll.reply_markup is not None
            buttons = [b["callback_data"] for row in poll.reply_markup["inline_keyboard"]
                       for b in row]
            queries = []
            for user in range(1, RESIDENTS + 1):
                queries.append(emulator.user_presses(user, GROUP, poll.message_id, buttons[0]))
                if user == 7:  # changes their mind at once
                    queries.append(emulator.user_presses(7, GROUP, poll.message_id, buttons[2]))
            await emulator.wait_for(lambda: set(queries) <= emulator.callback_answers.keys(),
                                    timeout=60)
            assert all((emulator.callback_answers[q].text or "").startswith(
                "Réponse enregistrée") for q in queries)
            answers = emulator.calls_to("answerCallbackQuery")
            assert len(answers) == len(queries)
            assert all(call.in_webhook_reply for call in answers)  # no request of its own
            assert most > 1, "the webhook's requests were handled one at a time"
            rows = await world.core.database.fetch_all("SELECT pseudonym, choices FROM answer")
            assert len(rows) == RESIDENTS == len({row[0] for row in rows})  # once each
            seven = world.core.pseudonymize("telegram", "7")
            assert dict((row[0], row[1]) for row in rows)[seven] == "[2]"  # the later press
        finally:
            await world.adapter.stop()
            await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]
