"""A newcomer chats with the bot in the terminal through `animabot run` and the example config."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from .conftest import ANIMABOT, ROOT, wait_until

pytestmark = pytest.mark.slow


def test_a_resident_chats_in_french_through_the_console(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.example.toml", tmp_path / "config.toml")
    output = tmp_path / "out.txt"
    with output.open("wb") as handle:
        bot = subprocess.Popen([ANIMABOT, "run"], cwd=tmp_path, stdin=subprocess.PIPE,
                               stdout=handle, stderr=subprocess.STDOUT)
    def say(line: str, then_expect: str) -> None:
        assert bot.stdin is not None
        bot.stdin.write(line.encode() + b"\n")
        bot.stdin.flush()
        wait_until(lambda: then_expect in output.read_text(encoding="utf-8"), 20, then_expect)

    try:
        say("/start", "[1] J'accepte")
        say("1", "Merci")
        say("/mesdonnees", "Données conservées")
    finally:
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=20)
        if bot.stdin is not None:
            bot.stdin.close()
    text = output.read_text(encoding="utf-8")
    assert code == 0, text
    assert "Bonjour" in text  # the welcome, in French by default
    summary = text.split("Données conservées")[1].split("/oubli")[0]
    assert "consentement donné le : 2" in summary  # the consent was recorded with its date
    assert "console" not in summary  # the pseudonym is shown, never the user's name
    assert (tmp_path / "animabot.key").exists() and (tmp_path / "animabot.db").exists()


def test_ctrl_d_at_the_terminal_stops_a_console_only_bot(tmp_path: Path) -> None:
    """The console promises "Ctrl-D quits": at a real terminal (a pty), end of input stops
    the bot cleanly when the console is all it runs."""
    import os
    import pty

    shutil.copy(ROOT / "config.example.toml", tmp_path / "config.toml")
    controller, terminal = pty.openpty()
    output = tmp_path / "out.txt"
    with output.open("wb") as handle:
        bot = subprocess.Popen([ANIMABOT, "run"], cwd=tmp_path, stdin=terminal,
                               stdout=handle, stderr=subprocess.STDOUT)
    os.close(terminal)
    try:
        wait_until(lambda: "Ctrl-D" in output.read_text(encoding="utf-8"), 20, "the banner")
        os.write(controller, b"/aide\n")
        wait_until(lambda: "/oubli" in output.read_text(encoding="utf-8"), 20, "the help")
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: end of input
        code = bot.wait(timeout=20)
    finally:
        if bot.poll() is None:
            bot.kill()
        os.close(controller)
    text = output.read_text(encoding="utf-8")
    assert code == 0, text
    assert "Au revoir" in text and "Traceback" not in text
