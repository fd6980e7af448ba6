"""A facilitator's story with residents' ideas through the real command: list, review,
turn the accepted ones into a consultation that the scenario checker accepts."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from animabot.clock import SystemClock
from animabot.config import load_settings
from animabot.core import open_core
from animabot.ideas.moderation import decide_idea
from animabot.scenario.loader import load_scenario

from ..helpers import People
from .conftest import animabot

pytestmark = pytest.mark.slow
IDEAS = ("Un composteur collectif", "Une boîte à livres", "Des bancs rue Lamartine",
         "Un \"café\" des voisins")


def seed(config: Path) -> list[str]:
    """Four residents each send an idea in private; a chat facilitator rejects the last one.
    Returns every pseudonym involved."""

    async def work() -> list[str]:
        clock = SystemClock()
        async with open_core(load_settings(config), clock) as core:
            people = People(core, clock)
            for n, text in enumerate(IDEAS, start=1):
                await core.conversation.handle(people.command(n, "start"))
                await core.conversation.handle(people.command(n, "quartier", "centre"))
                await core.conversation.handle(people.command(n, "idee", *text.split()))
            await decide_idea(core.database, 4, False, people.pseudonym(9), clock.now(), "fr")
            return [people.pseudonym(n) for n in (1, 2, 3, 4, 9)]

    return asyncio.run(work())


def test_ideas_are_listed_without_authors_reviewed_and_turned_into_a_consultation(
    config: Path, tmp_path: Path
) -> None:
    pseudonyms = seed(config)
    listed = animabot("ideas", "list", "--status", "all", "--format", "json",
                      "--config", str(config))
    rows = json.loads(listed.stdout)
    assert [r["text"] for r in rows] == list(IDEAS)
    assert rows[3]["reviewed_by"] == "chat" and rows[0]["neighbourhood_name"] == "Centre-ville"
    assert not any(p in listed.stdout or p[:8] in listed.stdout for p in pseudonyms)
    assert "user1" not in listed.stdout

    for idea in ("1", "2"):
        reviewed = animabot("ideas", "review", idea, "--accept", "--as", "Marie",
                            "--config", str(config))
        assert "accepted" in reviewed.stdout and "will be told" in reviewed.stdout
    again = animabot("ideas", "review", "1", "--reject", "--as", "Marie", "--reason", "trop tard",
                     "--config", str(config), check=False)
    assert again.returncode == 1 and "already accepted" in again.stderr
    no_reason = animabot("ideas", "review", "3", "--reject", "--as", "Marie",
                         "--config", str(config), check=False)
    assert no_reason.returncode == 1 and "--reason" in no_reason.stderr
    both = animabot("ideas", "review", "3", "--accept", "--reject", "--as", "Marie",
                    "--config", str(config), check=False)
    assert both.returncode == 1 and "Traceback" not in both.stderr

    accepted = json.loads(animabot("ideas", "list", "--status", "accepted", "--format", "json",
                                   "--config", str(config)).stdout)
    assert [(r["id"], r["reviewed_by"]) for r in accepted] == [(1, "cli:Marie"), (2, "cli:Marie")]
    with sqlite3.connect(tmp_path / "animabot.db") as db:
        told = db.execute("SELECT COUNT(*) FROM delivery WHERE part = 'notice'").fetchone()[0]
    assert told == 3  # the two accepted here, the one rejected in the chat

    out = tmp_path / "idees.toml"
    animabot("ideas", "to-scenario", "--neighbourhood", "centre", "--question",
             "Laquelle réaliser d'abord ?", "--out", str(out), "--config", str(config))
    (poll,) = load_scenario(out).polls()
    assert poll.options["fr"] == list(IDEAS[:2]) and poll.question["fr"].startswith("Laquelle")
    assert "OK" in animabot("scenario", "check", str(out)).stdout

    too_few = animabot("ideas", "to-scenario", "--neighbourhood", "gare",
                       "--config", str(config), check=False)
    assert too_few.returncode == 1 and "at least 2" in too_few.stderr
