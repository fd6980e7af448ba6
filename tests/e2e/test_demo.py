"""The newcomer's first command: the demo plays a week and prints suppressed results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import animabot

pytestmark = pytest.mark.slow


def _figures(output: str) -> list[str]:
    return [line for line in output.splitlines() if "│" in line]


def test_the_demo_is_reproducible_for_a_seed_and_suppresses_small_cells(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    first = animabot("demo", "--residents", "40", "--seed", "3", "--database", str(database))
    second = animabot("demo", "--residents", "40", "--seed", "3")
    assert _figures(first.stdout) == _figures(second.stdout)
    out = first.stdout
    for expected in ("relance 1", "Taux de réponse", "Réponses après la relance",
                     "Formation", "Total répondants"):
        assert expected in out
    assert re.search(r"│\s+< 5 │", out) or "< 5" in out
    sent = re.search(r"(\d+) messages envoyés \(étapes et réponses du bot\), (\d+) actions", out)
    assert sent and int(sent.group(1)) > 40 and int(sent.group(2)) > 40
    # Each step line says what that step sent, not a running total.
    per_step = [int(n) for n in re.findall(r"\((\d+) messages? envoyés?\)", out)]
    assert per_step and sum(per_step) <= int(sent.group(1))
    assert " 1 messages" not in out and "-0,0" not in out and "-0.0" not in out
    assert re.search(r"\d+,\d\u00a0h", out)  # French decimal comma
    # The kept database answers the statistics command too.
    stats = json.loads(animabot("stats", "campaign", "demo-3", "--format", "json",
                                "--database", str(database), cwd=tmp_path).stdout)
    poll = stats["polls"][0]
    assert poll["reach"] == 40 and poll["respondents"]["value"] >= 5
    assert "user" not in json.dumps(stats)  # no raw platform id in an export


def test_another_seed_gives_another_week() -> None:
    one = animabot("demo", "--residents", "30", "--seed", "1")
    two = animabot("demo", "--residents", "30", "--seed", "2")
    assert _figures(one.stdout) != _figures(two.stdout)
