"""``animabot run`` as a real process: picks up campaigns started from the CLI, and survives
a kill -9 without sending a step twice or losing one."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ANIMABOT, ROOT, animabot, received_count, stop, wait_until, write_config

pytestmark = pytest.mark.slow


def _start_bot(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([ANIMABOT, "run", "--config", str(config)], cwd=ROOT,
                                stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def test_a_campaign_started_from_the_cli_is_picked_up_without_restart(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    bot = _start_bot(config, tmp_path / "bot.log")
    try:
        wait_until(lambda: (tmp_path / "animabot.db").exists(), 15, "the bot to start")
        animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to", "centre",
                 "--at", "now", "--config", str(config))
        took = wait_until(lambda: received_count(tmp_path / "platform.db") >= 1, 5.0,
                          "the announcement to be sent")
        assert took < 5.0
    finally:
        assert stop(bot) == 0, (tmp_path / "bot.log").read_text()


def test_kill_9_then_restart_sends_every_step_once(tmp_path: Path) -> None:
    config = write_config(tmp_path, chats=120, latency_ms=15)
    platform = tmp_path / "platform.db"
    started = json.loads(animabot(
        "campaign", "start", "scenarios/jardin-partage.toml", "--to", "centre", "--at", "now",
        "--json", "--config", str(config)).stdout)
    database = tmp_path / "animabot.db"
    with sqlite3.connect(database) as db:
        due_now = db.execute("SELECT dedupe_key FROM delivery WHERE due_at <= "
                             "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 minute')").fetchall()
    expected = {row[0] for row in due_now}
    assert len(expected) == 120  # the announcement, once per chat

    bot = _start_bot(config, tmp_path / "bot.log")
    wait_until(lambda: received_count(platform) >= 30, 30, "some sends before the kill")
    os.kill(bot.pid, signal.SIGKILL)
    bot.wait(timeout=10)
    at_kill = received_count(platform)
    assert at_kill < len(expected), "the kill came too late to prove anything"

    bot = _start_bot(config, tmp_path / "bot.log")
    try:
        wait_until(lambda: received_count(platform) >= len(expected), 60, "every send")
        with sqlite3.connect(database, timeout=10) as db:
            wait_until(lambda: db.execute(
                "SELECT COUNT(*) FROM delivery WHERE campaign_id = ? AND status = 'sent'",
                (started["id"],)).fetchone()[0] >= len(expected), 10, "rows marked sent")
    finally:
        assert stop(bot) == 0, (tmp_path / "bot.log").read_text()
    with sqlite3.connect(platform) as db:
        received = [row[0] for row in db.execute("SELECT key FROM received")]
        requests = db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
    assert sorted(received) == sorted(expected)  # none lost, none shown twice
    assert requests - len(received) <= 1  # only the one in flight at the kill was asked again


def test_sigterm_with_a_big_backlog_stops_within_seconds(tmp_path: Path) -> None:
    # 1,000 due sends at 30 ms each: half a minute of work. ``docker stop`` kills after 10 s.
    config = write_config(tmp_path, chats=1000, latency_ms=30)
    animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to", "centre", "--at",
             "now", "--config", str(config), timeout=120)
    bot = _start_bot(config, tmp_path / "bot.log")
    try:
        wait_until(lambda: received_count(tmp_path / "platform.db") >= 5, 60, "sends to begin")
        bot.send_signal(signal.SIGTERM)
        start = time.monotonic()
        code = bot.wait(timeout=30)
        took = time.monotonic() - start
    finally:
        stop(bot)
    assert code == 0, (tmp_path / "bot.log").read_text()
    assert took < 8, f"stopped {took:.1f} s after SIGTERM"  # measured: about 1 s
    with sqlite3.connect(tmp_path / "animabot.db") as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM delivery"
                                   " WHERE status IN ('claimed', 'sending', 'pending', 'sent')"
                                   " GROUP BY status").fetchall())
    assert not statuses.get("claimed") and not statuses.get("sending")  # queued again
    assert statuses.get("sent", 0) < 1000  # the rest of the backlog waits for the next start
