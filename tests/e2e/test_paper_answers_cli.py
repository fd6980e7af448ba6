"""An agent's story through the real command: the answers given at a public meeting are
recorded by neighbourhood and option, listed, one wrong entry removed, and the statistics
show them as their own channel (« papier ») and in the totals, small counts hidden, as a
table, CSV and JSON; the audit log keeps who entered and removed what."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import animabot, base_config

pytestmark = pytest.mark.slow


@pytest.fixture
def two_hoods(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(base_config(tmp_path) + f"""[simulated]
enabled = true
log = "{tmp_path / 'platform.db'}"
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
simulated_chats = ["g-centre"]
[[neighbourhoods]]
id = "gare"
name = "Gare"
simulated_chats = ["g-gare"]
""", encoding="utf-8")
    return path


def _record(config: Path, campaign: str, hood: str, option: int, count: int,
            *extra: str) -> str:
    return animabot("answers", "record", campaign, "envie", "--neighbourhood", hood,
                    "--option", str(option), "--count", str(count),
                    "--source", "réunion du 12/03", *extra, "--config", str(config)).stdout


def test_paper_answers_are_recorded_and_counted_as_their_own_channel(two_hoods: Path) -> None:
    config = two_hoods
    started = animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to",
                       "centre,gare", "--at", "2026-12-01 18:00", "--json",
                       "--config", str(config))
    campaign_id = json.loads(started.stdout)["id"]
    prefix = campaign_id[: len("jardin-partage-") + 4]

    said = _record(config, prefix, "centre", 1, 8, "--by", "Anne Martin")
    assert "entry 1" in said and "entered by Anne Martin" in said
    _record(config, prefix, "centre", 2, 6)
    _record(config, prefix, "gare", 3, 2)
    _record(config, prefix, "gare", 1, 40)  # a typo: 40 instead of 4
    removed = animabot("answers", "remove", "4", "--by", "Anne Martin", "--config", str(config))
    assert "entry 4 removed" in removed.stdout

    listed = json.loads(animabot("answers", "list", prefix, "--format", "json",
                                 "--config", str(config)).stdout)
    assert [(e["id"], e["neighbourhood"], e["option"], e["count"]) for e in listed] == [
        (1, "centre", 1, 8), (2, "centre", 2, 6), (3, "gare", 3, 2)]
    assert listed[0]["entered_by"] == "Anne Martin" and listed[1]["entered_by"]
    assert listed[0]["source"] == "réunion du 12/03" and listed[0]["entered_at"]
    table = animabot("answers", "list", prefix, "--config", str(config)).stdout
    assert "réunion du 12/03" in table and "Anne Martin" in table

    wrong = animabot("answers", "record", prefix, "envie", "--neighbourhood", "centre",
                     "--option", "5", "--count", "3", "--source", "x", "--config", str(config),
                     check=False)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "a 4 options" in wrong.stderr and "de 1 à 4" in wrong.stderr  # French first
    not_a_poll = animabot("answers", "record", prefix, "annonce", "--neighbourhood", "centre",
                          "--option", "1", "--count", "3", "--source", "x",
                          "--config", str(config), check=False)
    assert not_a_poll.returncode == 1 and "envie" in not_a_poll.stderr

    # 8, 6 and 2 from paper: the 2 is small, hidden with its complement (6); 16 in all.
    stats = json.loads(animabot("stats", "campaign", prefix, "--format", "json",
                                "--config", str(config)).stdout)
    (poll,) = stats["polls"]
    assert poll["respondents"] == {"value": 16, "suppressed": False}
    assert [o["value"] for o in poll["options"]] == [8, None, None, 0]
    assert poll["platforms"]["paper"]["respondents"] == {"value": 16, "suppressed": False}
    assert poll["platforms"]["paper"]["reach"] is None
    assert poll["neighbourhoods"]["gare"]["respondents"] == {"value": None, "suppressed": True}

    rows = list(csv.DictReader(io.StringIO(animabot(
        "stats", "campaign", prefix, "--format", "csv", "--config", str(config)).stdout)))
    paper = [r for r in rows if r["indicator"] == "platforms.paper.respondents"]
    assert [(r["step"], r["value"], r["suppressed"]) for r in paper] == [("envie", "16", "false")]
    total = [r for r in rows if r["indicator"] == "respondents" and r["step"] == "envie"]
    assert [r["value"] for r in total] == ["16"]

    shown = animabot("stats", "campaign", prefix, "--config", str(config)).stdout
    assert "Par plateforme" in shown and "Papier" in shown
    assert "Total répondants" in shown and "16" in shown and "< 5" in shown

    audit = json.loads(animabot("audit", "list", "--format", "json",
                                "--config", str(config)).stdout)
    assert [(e["actor"], e["action"]) for e in audit][:2] == [
        ("cli:Anne Martin", "paper_answers_removed"),
        (audit[1]["actor"], "paper_answers_recorded")]
    assert "gare option 1: 40" in audit[0]["detail"]
