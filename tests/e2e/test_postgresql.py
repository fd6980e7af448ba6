"""A deployment on PostgreSQL, through the CLI: ``[storage] url`` names the server; a
campaign started from the CLI is sent by ``animabot run`` and counted by ``stats``, and no
SQLite file is made on the way."""

from __future__ import annotations

import json
import os
import sqlite3
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


def test_db_migrate_copies_an_sqlite_deployment_checked_by_counts(
    tmp_path: Path, postgres_url: str,
) -> None:
    """The demo's database copied to PostgreSQL gives the same figures there; a second copy
    into the now full database is refused and changes nothing."""
    lite = tmp_path / "demo.db"
    animabot("demo", "--residents", "20", "--seed", "3", "--database", str(lite), cwd=tmp_path)
    copied = animabot("db", "migrate", "--to", postgres_url, "--database", str(lite),
                      cwd=tmp_path)
    assert "delivery: 0/" in copied.stderr and "counts checked" in copied.stdout
    with sqlite3.connect(lite) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        expected = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    with psycopg.connect(postgres_url) as db:
        found = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                 for t in tables}
    assert found == expected and expected["delivery"] > 20 and expected["answer"] > 0

    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{postgres_url}"\n[privacy]\n'
                      f'key_file = "{tmp_path / "k"}"\n', encoding="utf-8")

    def figures(*where: str) -> object:
        return json.loads(animabot("stats", "campaign", "demo-3", "--format", "json", *where,
                                   cwd=tmp_path).stdout)

    assert figures("--config", str(config)) == figures("--database", str(lite))
    # new rows get new ids on PostgreSQL: the identities start past the copy
    with psycopg.connect(postgres_url) as db:
        new = db.execute("INSERT INTO delivery (dedupe_key, part, due_at)"
                         " VALUES ('new', 'reply', 'x') RETURNING id").fetchone()
        db.execute("DELETE FROM delivery WHERE dedupe_key = 'new'")
    assert new is not None and new[0] > expected["delivery"]
    again = animabot("db", "migrate", "--to", postgres_url, "--database", str(lite),
                     cwd=tmp_path, check=False)
    assert again.returncode == 1 and "not empty" in again.stderr
