"""End-to-end helpers: a config file on temporary paths and the ``animabot`` command."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ANIMABOT = str(Path(sys.executable).parent / "animabot")
ROOT = Path(__file__).resolve().parents[2]


def base_config(tmp_path: Path) -> str:
    """Database and key in ``tmp_path``, sending window off (CI may run at night)."""
    return f"""
[storage]
database = "{tmp_path / 'animabot.db'}"
[privacy]
key_file = "{tmp_path / 'animabot.key'}"
[delivery]
quiet_hours = ""
closed_days = []
"""


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM a running ``animabot run`` and return its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=20)


def write_config(tmp_path: Path, chats: int = 1, latency_ms: float = 0.0) -> Path:
    """Simulated platform only."""
    chat_list = ", ".join(f'"g{i}"' for i in range(chats))
    path = tmp_path / "config.toml"
    path.write_text(
        base_config(tmp_path) + f"""[simulated]
enabled = true
log = "{tmp_path / 'platform.db'}"
latency_ms = {latency_ms}
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
simulated_chats = [{chat_list}]
[[neighbourhoods]]
id = "gare"
name = "Gare"
""",
        encoding="utf-8",
    )
    return path


def animabot(
    *args: str, timeout: float = 60, check: bool = True, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run the installed command; paths in ``args`` are relative to ``cwd`` (the repository)."""
    result = subprocess.run(
        [ANIMABOT, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
        env={**os.environ, "COLUMNS": "120"}, stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"animabot {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def received_count(platform_db: Path) -> int:
    if not platform_db.exists():
        return 0
    with sqlite3.connect(platform_db, timeout=5) as db:
        try:
            return int(db.execute("SELECT COUNT(*) FROM received").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` (bounded); return the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)
