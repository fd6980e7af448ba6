"""``animabot run`` as a real process on an encrypted Matrix set-up: it logs in with its
password, makes its key store and seeds, cross-signs its device and answers a resident in an
encrypted direct room; restarted, it is the same device and still answers."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ...support.matrix import MatrixUser, Residents, SynapseServer
from ...support.matrix.encrypted_resident import EncryptedResident
from ..conftest import ANIMABOT, ROOT, base_config, stop

pytestmark = pytest.mark.slow


def _config(tmp_path: Path, synapse: SynapseServer, bot: MatrixUser) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(base_config(tmp_path) + f"""[matrix]
enabled = true
homeserver = "{synapse.base_url}"
user_id = "{bot.user_id}"
sync_timeout = 1
rate = 1000
burst = 1000
encryption = true
store_path = "{tmp_path / 'matrix-store'}"
cross_signing_seeds_file = "{tmp_path / 'seeds.json'}"
[[neighbourhoods]]
id = "centre"
name = "Centre"
""", encoding="utf-8")
    return path


def _start(config: Path, log: Path, bot: MatrixUser) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ANIMABOT_MATRIX__PASSWORD": bot.password,
           "ANIMABOT_MATRIX__PICKLE_KEY": "a pickle key for the run test"}
    with log.open("ab") as handle:
        return subprocess.Popen([ANIMABOT, "run", "--verbose", "--config", str(config)],
                                cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)


def _body(event: dict[str, object]) -> str:
    content = event.get("content")
    return str(content.get("body", "")) if isinstance(content, dict) else ""


async def test_the_running_bot_answers_in_an_encrypted_room_across_a_restart(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    bot = new_user("bot")
    synapse.override_ratelimit(bot.user_id, 0, 0)
    config, log = _config(tmp_path, synapse, bot), tmp_path / "bot.log"
    alice = EncryptedResident(synapse.base_url, new_user("alice"), tmp_path / "alice")
    process = _start(config, log, bot)
    try:
        await alice.start()
        room = await alice.create_dm(bot.user_id)
        await alice.say(room, "!start")
        await alice.wait_for(room, bot.user_id, lambda e: "Bonjour" in _body(e), timeout=30)
        assert stop(process) == 0, log.read_text()
        text = log.read_text()
        assert "cross-signing of device" in text and "keys uploaded" in text
        assert (tmp_path / "seeds.json").stat().st_mode & 0o777 == 0o600
        devices = (await matrix.request(bot, "GET", "/devices"))["devices"]
        before = len(alice.seen(room, bot.user_id))
        process = _start(config, log, bot)  # it catches up from its saved position
        await alice.say(room, "!aide")
        await alice.wait_for(room, bot.user_id,
                             lambda _: any("/oubli" in _body(e) and "Bonjour" not in _body(e)
                                           for e in alice.seen(room, bot.user_id)[before:]),
                             timeout=30)
        assert (await matrix.request(bot, "GET", "/devices"))["devices"] == devices
        assert "already in place" in log.read_text()
    finally:
        await alice.stop()  # first: a failed assertion below must not leave its session open
        assert stop(process) == 0, log.read_text()
