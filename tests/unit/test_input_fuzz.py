"""Mangled scenario and configuration files never make a check crash.

A seeded mutator damages the shipped files the way editors, copy-pastes and impatient hands
do (stray brackets, curly quotes, CR line ends, huge numbers, deep nesting, far-off times)
and runs ``animabot scenario check`` and ``animabot config check`` in-process on each: the
answer must be "OK" (exit 0) or located problems (exit 1), never a traceback.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import typer
from click.testing import CliRunner, Result

from animabot.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
CONFIG = ROOT / "config.example.toml"
SCENARIO_RUNS = 300
CONFIG_RUNS = 150
STRAY = ['[', ']', '[[', '{', '}', '"', "'", '"""', '=', ',', '.', '#', '\\', '\r', '\n', '\t',
         '\x00', 'é', '“', '”', '0', '-', '+', ':', ' ', 'ß', '🙂', '\u2028']
VALUES = ['"+99999999999d"', '"+0"', '"+3j"', '"after envie closes +1h"', '"after x"',
          '99999999999999999999999', '9' * 5000, '-1', '0', '1e999', 'nan', 'inf', 'true',
          '1979-05-27T07:32:00Z', '99999-01-01', '[]', '{}', '""', '"Europe"', '"Europe/Paris"',
          '[' * 2000 + ']' * 2000, '{a = ' * 400 + '1' + '}' * 400, '"' + 'x' * 5000 + '"',
          '["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]']
KEYS = ["at", "closes", "reminders", "kind", "correct", "id", "of", "mode", "options",
        "timezone", "port", "min_cell", "quiet_hours", "closed_days", "enabled", "language"]

Mutation = Callable[[random.Random, list[str]], None]


def _insert_stray(rng: random.Random, lines: list[str]) -> None:
    index = rng.randrange(len(lines))
    line = lines[index]
    cut = rng.randint(0, len(line))
    lines[index] = line[:cut] + rng.choice(STRAY) + line[cut:]


def _delete_span(rng: random.Random, lines: list[str]) -> None:
    index = rng.randrange(len(lines))
    line = lines[index]
    start = rng.randint(0, len(line))
    lines[index] = line[:start] + line[start + rng.randint(1, 8):]


def _replace_value(rng: random.Random, lines: list[str]) -> None:
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*[\w.\"-]+\s*=", line)]
    if candidates:
        index = rng.choice(candidates)
        key = lines[index].split("=", 1)[0]
        lines[index] = f"{key}= {rng.choice(VALUES)}"


def _add_key(rng: random.Random, lines: list[str]) -> None:
    index = rng.randrange(len(lines) + 1)
    lines.insert(index, f"{rng.choice(KEYS)} = {rng.choice(VALUES)}")


def _shuffle_lines(rng: random.Random, lines: list[str]) -> None:
    first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[first], lines[second] = lines[second], lines[first]


def _duplicate_or_drop(rng: random.Random, lines: list[str]) -> None:
    index = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines.insert(index, lines[index])
    else:
        del lines[index]


def _deep_header(rng: random.Random, lines: list[str]) -> None:
    depth = rng.choice([40, 400, 3000])
    lines.insert(rng.randrange(len(lines) + 1), "[" + ".".join(["a"] * depth) + "]")


MUTATIONS: list[Mutation] = [_insert_stray, _delete_span, _replace_value, _add_key,
                             _shuffle_lines, _duplicate_or_drop, _deep_header]


def mutate(rng: random.Random, text: str) -> bytes:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        rng.choice(MUTATIONS)(rng, lines)
        if not lines:
            lines = [""]
    ending = rng.choice(["\n", "\n", "\r\n", "\r"])
    data = ending.join(lines)
    if rng.random() < 0.05:
        data = data[: rng.randrange(len(data) + 1)]
    return data.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def cli() -> click.Command:
    """The click command built once: typer rebuilds it on every ``invoke`` otherwise."""
    return typer.main.get_command(app)


def _assert_answered(result: Result, label: str) -> None:
    exit_code, exception, output = result.exit_code, result.exception, result.output
    assert exception is None or isinstance(exception, SystemExit), (
        f"{label}: {type(exception).__name__}: {exception}"
    )
    assert exit_code in (0, 1), f"{label}: exit {exit_code}"
    assert "Traceback" not in output, label


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no ./config.toml of the developer's is read
    for name in ("ANIMABOT_CONFIG", "ANIMABOT_TELEGRAM__TOKEN", "ANIMABOT_MATRIX__PICKLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_mangled_scenarios_get_an_answer_never_a_traceback(
    runner: CliRunner, cli: click.Command, tmp_path: Path
) -> None:
    rng = random.Random(20261211)
    sources = [path.read_text(encoding="utf-8") for path in SCENARIOS]
    refused = 0
    for run in range(SCENARIO_RUNS):
        path = tmp_path / f"s{run}.toml"
        path.write_bytes(mutate(rng, rng.choice(sources)))
        result = runner.invoke(cli, ["scenario", "check", str(path)])
        _assert_answered(result, f"{path.name} (seed run {run})")
        refused += result.exit_code
    assert refused > SCENARIO_RUNS // 2  # the mutator does damage files


def test_mangled_configurations_get_an_answer_never_a_traceback(
    runner: CliRunner, cli: click.Command, tmp_path: Path
) -> None:
    rng = random.Random(20261212)
    source = CONFIG.read_text(encoding="utf-8")
    refused = 0
    for run in range(CONFIG_RUNS):
        path = tmp_path / f"c{run}.toml"
        path.write_bytes(mutate(rng, source))
        result = runner.invoke(cli, ["config", "check", "--config", str(path)])
        _assert_answered(result, f"{path.name} (seed run {run})")
        refused += result.exit_code
    assert refused > CONFIG_RUNS // 3
