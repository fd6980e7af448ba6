"""What an install without extras can do, and what a start pays for.

``pip install .`` brings neither python-telegram-bot nor matrix-nio: the demo and a
console-only bot must run without them, and an enabled platform whose library is missing is
refused with the extra to install. The processes below make ``import telegram`` and
``import nio`` fail, as in such an install.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from animabot.cli.main import AnimabotCommands

from .conftest import ROOT, base_config, wait_until

pytestmark = pytest.mark.slow

BLOCKED = [sys.executable, "-m", "tests.support.blocked_imports",
           "telegram,nio,psycopg,psycopg_pool", "--"]


def _blocked(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BLOCKED, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_the_demo_runs_without_the_platform_libraries() -> None:
    result = _blocked("demo", "--residents", "6")
    assert result.returncode == 0, result.stderr
    assert "messages envoyés" in result.stdout
    assert "blocked import" not in result.stderr  # nothing even tried


def test_a_console_bot_runs_without_the_platform_libraries(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + "[console]\nenabled = true\n", encoding="utf-8")
    output, errors = tmp_path / "out.txt", tmp_path / "err.txt"
    with output.open("wb") as out, errors.open("wb") as err:
        bot = subprocess.Popen([*BLOCKED, "run", "--config", str(config)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=out, stderr=err)
    try:
        assert bot.stdin is not None
        bot.stdin.write(b"/start\n")
        bot.stdin.flush()
        wait_until(lambda: "[1] J'accepte" in output.read_text(encoding="utf-8"), 30,
                   "the console's welcome")
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=20)
        if bot.stdin is not None:
            bot.stdin.close()
    log = errors.read_text(encoding="utf-8")
    assert code == 0, log
    assert "blocked import" not in log


def test_matrix_enabled_without_its_library_is_refused_with_the_extra(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + """[matrix]
enabled = true
homeserver = "https://matrix.example.org"
user_id = "@animabot:example.org"
access_token = "secret"
encryption = false
""", encoding="utf-8")
    result = _blocked("run", "--config", str(config), timeout=60)
    assert result.returncode == 1
    assert "pip install 'animabot[matrix]'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "animabot.db").exists()  # refused before anything was made


def _modules_after(*args: str) -> set[str]:
    """The top-level modules ``animabot ARGS`` has imported once it is done."""
    script = (
        "import json, sys\n"
        f"sys.argv = ['animabot', *{list(args)!r}]\n"
        "from animabot.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("args", [("--help",), ("run", "--help"), ("config", "--help")])
def test_the_cli_starts_without_the_heavy_libraries(args: tuple[str, ...]) -> None:
    loaded = _modules_after(*args)
    assert not loaded & {"telegram", "nio", "matplotlib", "aiohttp", "apscheduler", "aiosqlite"}


def test_a_command_group_imports_no_platform_library() -> None:
    assert not _modules_after("stats", "--help") & {"telegram", "nio", "matplotlib"}


def test_the_help_lines_kept_for_lazy_groups_are_their_own() -> None:
    for name, lazy in AnimabotCommands.lazy.items():
        command = lazy.load(name)
        assert " ".join((command.help or "").split()).startswith(lazy.help), name
