"""A deployment on PostgreSQL, through the CLI: ``[storage] url`` names the server; a
campaign started from the CLI is sent by ``animabot run`` and counted by ``stats``, and no
SQLite file is made on the way."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from .conftest import ANIMABOT, ROOT, animabot, received_count, stop, wait_until, write_config

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]


def _on_postgresql(config: Path, url: str) -> None:
    """The test config, its SQLite file replaced by the server."""
    text = config.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("database = ")]
    at = lines.index("[storage]") + 1
    lines.insert(at, f'url = "{url}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_campaign_runs_on_postgresql_from_the_cli(
    tmp_path: Path, postgres_url: str,
) -> None:
    config = write_config(tmp_path, chats=3)
    _on_postgresql(config, postgres_url)
    checked = animabot("config", "check", "--config", str(config))
    assert "127.0.0.1" in checked.stdout + checked.stderr
    started = json.loads(animabot(
        "campaign", "start", "scenarios/jardin-partage.toml", "--to", "centre", "--at", "now",
        "--json", "--config", str(config)).stdout)
    log = tmp_path / "bot.log"
    env = {**os.environ, "ANIMABOT_STORAGE__PASSWORD": "unused-with-trust"}
    with log.open("ab") as handle:
        bot = subprocess.Popen([ANIMABOT, "run", "--config", str(config)], cwd=ROOT, env=env,
                               stdout=handle, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    try:
        wait_until(lambda: received_count(tmp_path / "platform.db") >= 3, 60,
                   "the announcement in every chat")
    finally:
        assert stop(bot) == 0, log.read_text()
    listed = animabot("campaign", "list", "--config", str(config)).stdout
    assert started["id"] in listed
    figures = json.loads(animabot("stats", "campaign", started["id"], "--format", "json",
                                  "--config", str(config)).stdout)
    assert (figures["id"], figures["status"]) == (started["id"], "running")
    with psycopg.connect(postgres_url) as db:
        sent = db.execute("SELECT COUNT(*) FROM delivery WHERE campaign_id = %s"
                          " AND status = 'sent'", (started["id"],)).fetchone()
    assert sent == (3,)  # marked sent in the server's outbox, once per chat
    assert not (tmp_path / "animabot.db").exists()  # everything went to the server
