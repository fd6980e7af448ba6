"""``animabot web`` as an administrator runs it: create a token, start, read, stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import tomllib
import urllib.request
from pathlib import Path
from typing import IO

import pytest

from animabot.web.auth import hash_token

from ..conftest import ANIMABOT, animabot
from .conftest import CAMPAIGN, own_copy

pytestmark = pytest.mark.slow


def write_config(tmp_path: Path, database: Path, agents: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\ndatabase = "{database}"\n[privacy]\nkey_file = "{tmp_path / "k.key"}"\n'
        f'[web]\nport = 0\n{agents}', encoding="utf-8")
    return path


class LineReader:
    """A stream's lines, read by a thread, so that waiting for one can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        while True:
            line = self.lines.get(timeout=timeout)
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def rest(self, timeout: float = 10) -> str:
        """Everything up to the end of the stream."""
        self._thread.join(timeout)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "".join(self.seen)


def test_web_token_prints_a_token_once_and_the_lines_holding_its_hash(tmp_path: Path) -> None:
    output = animabot("web", "token", "Agente Martin", cwd=tmp_path).stdout
    token = re.search(r"^\s{4}(\S{40,})$", output, re.MULTILINE)
    assert token is not None, output
    lines = output[output.index("[[web.agents]]"):]
    agent = tomllib.loads(lines)["web"]["agents"][0]
    assert agent == {"name": "Agente Martin", "token_sha256": hash_token(token.group(1))}
    again = animabot("web", "token", "Agente Martin", cwd=tmp_path).stdout
    assert token.group(1) not in again
    nord = animabot("web", "token", "Agent Nord", "--commune", "nord", cwd=tmp_path).stdout
    assert tomllib.loads(nord[nord.index("[[web.agents]]"):])["web"]["agents"][0][
        "commune"] == "nord"


def test_web_refuses_to_start_without_agents_and_says_how_to_add_one(
    tmp_path: Path, demo_database: Path
) -> None:
    config = write_config(tmp_path, own_copy(demo_database, tmp_path), "")
    result = animabot("web", "--config", str(config), check=False, cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert "[web] agents is empty" in result.stderr
    assert "animabot users add NAME --role administrator --password-stdin" in result.stderr
    assert "animabot web token NAME" in result.stderr
    assert "hashlib.sha256(b'TOKEN').hexdigest()" in result.stderr
    assert "[[web.agents]]" in result.stderr


def test_web_serves_until_sigterm(tmp_path: Path, demo_database: Path) -> None:
    token = "un-jeton-de-ligne-de-commande-assez-long"
    config = write_config(
        tmp_path, own_copy(demo_database, tmp_path),
        f'[[web.agents]]\nname = "Agent"\ntoken_sha256 = "{hash_token(token)}"\n')
    process = subprocess.Popen(
        [ANIMABOT, "web", "--config", str(config), "--host", "127.0.0.1"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
        cwd=tmp_path, env={**os.environ, "COLUMNS": "120"},
    )
    assert process.stderr is not None
    try:
        reader = LineReader(process.stderr)
        url = reader.wait_for(r"dashboard at (http://127\.0\.0\.1:\d+/)").group(1)
        request = urllib.request.Request(f"{url}campaigns/{CAMPAIGN}.json",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and b'"min_cell": 5' in response.read()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopping the dashboard" in reader.rest()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
