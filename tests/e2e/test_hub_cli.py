"""Facilitators' hub commands as real processes: approvals, series, statuses, neighbourhoods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import animabot

pytestmark = pytest.mark.slow


def _with_approval_above_one(config: Path) -> Path:
    text = config.read_text(encoding="utf-8").replace(
        "[delivery]\n", "[delivery]\napproval_above = 1\n")
    text += '\n[[neighbourhoods]]\nid = "nord"\nname = "Nord"\nsimulated_chats = ["n0"]\n'
    config.write_text(text, encoding="utf-8")
    return config


def test_a_campaign_to_two_neighbourhoods_needs_a_second_name(config: Path) -> None:
    config = _with_approval_above_one(config)
    base = ["--config", str(config)]
    started = json.loads(animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to",
                                  "centre,nord", "--as", "anne", "--json", *base).stdout)
    assert started["status"] == "pending_approval"
    shown = json.loads(animabot("campaign", "show", started["id"], "--json", *base).stdout)
    assert shown["status"] == "pending_approval" and shown["author"] == "cli:anne"
    refused = animabot("campaign", "approve", started["id"], "--as", "anne", *base, check=False)
    assert refused.returncode == 1 and "ne peut pas l'approuver" in refused.stderr
    animabot("campaign", "approve", started["id"], "--as", "bruno", *base)
    shown = json.loads(animabot("campaign", "show", started["id"], "--json", *base).stdout)
    assert shown["status"] in ("scheduled", "running") and shown["approved_by"] == "cli:bruno"


def test_a_series_is_started_shown_and_stopped(config: Path) -> None:
    base = ["--config", str(config)]
    started = json.loads(animabot(
        "campaign", "start", "scenarios/reunion-publique.toml", "--to", "centre", "--every",
        "chaque jour à 18:00", "--json", *base).stdout)
    assert started["series"].startswith("serie-reunion-publique")
    assert started["id"].startswith(started["series"])  # today's or tomorrow's occurrence
    shown = json.loads(animabot("campaign", "show", started["id"], "--json", *base).stdout)
    assert shown["series"] == started["series"] and shown["status"] in ("scheduled", "running")
    stopped = animabot("campaign", "cancel", started["id"], *base)
    assert "Série" in stopped.stdout and "arrêtée" in stopped.stdout  # French by default
    bad = animabot("campaign", "start", "scenarios/reunion-publique.toml", "--to", "centre",
                   "--every", "every moonday at 18:00", *base, check=False)
    assert bad.returncode == 1 and "every first monday at 18:00" in bad.stderr


def test_neighbourhoods_are_listed_per_platform(config: Path) -> None:
    listed = json.loads(animabot("neighbourhood", "list", "--json", "--config", str(config)).stdout)
    assert [(h["id"], h["platforms"].get("simulated", {}).get("chats")) for h in listed] == [
        ("centre", 1), ("gare", None)]
    missing = animabot("neighbourhood", "show", "nulle-part", "--config", str(config),
                       check=False)
    assert missing.returncode == 1 and "nulle-part" in missing.stderr
