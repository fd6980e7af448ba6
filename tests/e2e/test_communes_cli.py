"""Two communes share a deployment, and an intercommunal body speaks for both: run as one
commune (``--commune`` or $ANIMABOT_COMMUNE), the command line neither reads nor changes the
other's campaigns, residents or figures; the body reaches both communes' neighbourhoods."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from animabot.clock import SystemClock
from animabot.config import load_settings
from animabot.core import open_core
from animabot.store.ideas import IdeaRepository
from animabot.store.problem_reports import NewProblemReport

from .conftest import animabot, base_config

pytestmark = pytest.mark.slow
SCENARIO = "scenarios/jardin-partage.toml"
VILLENEUVE, BOURG = ("centre", "gare"), ("bourg-haut",)


def write_communes(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(base_config(tmp_path) + f"""[simulated]
enabled = true
log = "{tmp_path / 'platform.db'}"
[[neighbourhoods]]
id = "centre"
name = "Centre"
commune = "villeneuve"
simulated_chats = ["v-centre"]
[[neighbourhoods]]
id = "gare"
name = "Gare"
commune = "villeneuve"
simulated_chats = ["v-gare"]
[[neighbourhoods]]
id = "bourg-haut"
name = "Bourg haut"
commune = "bourg"
simulated_chats = ["b-haut"]
[communes.villeneuve]
name = "Villeneuve"
[communes.bourg]
name = "Bourg"
[communes.agglo]
name = "Agglomération"
members = ["villeneuve", "bourg"]
""", encoding="utf-8")
    return path


@pytest.fixture
def communes(tmp_path: Path) -> Path:
    return write_communes(tmp_path)


def as_commune(commune: str | None, *args: str, config: Path,
               check: bool = True) -> tuple[int, str, str]:
    """``animabot [--commune X] args --config config``: exit code, stdout, stderr."""
    before = ("--commune", commune) if commune else ()
    done = animabot(*before, *args, "--config", str(config), check=check)
    return done.returncode, done.stdout, done.stderr


def start(commune: str | None, to: str, config: Path) -> dict[str, object]:
    _, stdout, _ = as_commune(commune, "campaign", "start", SCENARIO, "--to", to, "--json",
                              config=config)
    started: dict[str, object] = json.loads(stdout)
    return started


def listed(commune: str | None, config: Path) -> list[str]:
    _, stdout, _ = as_commune(commune, "campaign", "list", "--json", config=config)
    return [row["id"] for row in json.loads(stdout)]


def refused_as_not_found(result: tuple[int, str, str], commune: str = "villeneuve") -> None:
    code, _, stderr = result
    assert code == 1, stderr
    assert f"dans la commune {commune}" in stderr, stderr
    assert "Traceback" not in stderr


def test_a_communes_operator_cannot_read_or_act_on_anothers_campaigns(communes: Path) -> None:
    mine = str(start("villeneuve", "villeneuve", communes)["id"])  # the commune: its hoods
    theirs = str(start("bourg", "bourg", communes)["id"])
    assert listed("villeneuve", communes) == [mine]
    assert listed("bourg", communes) == [theirs]
    assert sorted(listed(None, communes)) == sorted([mine, theirs])  # the whole deployment
    _, shown, _ = as_commune("villeneuve", "campaign", "show", mine, "--json", config=communes)
    assert json.loads(shown)["neighbourhoods"] == list(VILLENEUVE)
    # A beginning shared with the other commune's campaign is not ambiguous: it is not seen.
    _, shown, _ = as_commune("villeneuve", "campaign", "show", "jardin", "--json",
                             config=communes)
    assert json.loads(shown)["id"] == mine

    for command in (("campaign", "show", theirs), ("campaign", "cancel", theirs),
                    ("campaign", "approve", theirs, "--as", "Marie"),
                    ("stats", "campaign", theirs, "--format", "json"),
                    ("report", theirs, "--out", str(communes.parent / "r.html")),
                    ("answers", "list", theirs),
                    ("answers", "record", theirs, "envie", "--neighbourhood", "bourg-haut",
                     "--option", "1", "--count", "3", "--source", "réunion")):
        refused_as_not_found(as_commune("villeneuve", *command, config=communes, check=False))
    assert not (communes.parent / "r.html").exists()

    _, overview, _ = as_commune("villeneuve", "stats", "overview", "--format", "json",
                                config=communes)
    assert theirs not in overview and mine in overview
    export = communes.parent / "overview.csv"
    as_commune("villeneuve", "stats", "overview", "--format", "csv", "--out", str(export),
               config=communes)
    assert mine in export.read_text(encoding="utf-8")
    assert theirs not in export.read_text(encoding="utf-8")
    code, _, stderr = as_commune("villeneuve", "stats", "neighbourhood", "bourg-haut",
                                 config=communes, check=False)
    assert code == 1 and "bourg-haut : hors de la commune villeneuve" in stderr

    # Paper answers: its own campaign's are recorded; the other commune cannot remove them.
    _, recorded, _ = as_commune("villeneuve", "answers", "record", mine, "envie",
                                "--neighbourhood", "centre", "--option", "1", "--count", "4",
                                "--source", "réunion du 12/03", "--by", "Marie",
                                config=communes)
    entry = recorded.split()[1].rstrip(":")
    code, _, stderr = as_commune("bourg", "answers", "remove", entry, config=communes,
                                 check=False)
    assert code == 1 and f"no paper entry {entry} in commune bourg" in stderr
    _, entries, _ = as_commune(None, "answers", "list", mine, "--format", "json",
                               config=communes)
    assert [e["count"] for e in json.loads(entries)] == [4]

    code, _, stderr = as_commune("villeneuve", "campaign", "start", SCENARIO, "--to",
                                 "centre,bourg-haut", config=communes, check=False)
    assert code == 1 and "bourg-haut : hors de la commune villeneuve" in stderr
    assert "ses quartiers : centre, gare" in stderr
    # Nothing the other commune tried changed Bourg's campaign.
    _, shown, _ = as_commune(None, "campaign", "show", theirs, "--json", config=communes)
    assert json.loads(shown)["status"] == "scheduled"
    as_commune("bourg", "campaign", "cancel", theirs, config=communes)  # its own: it may
    assert listed("villeneuve", communes) == [mine]


def seed(config: Path) -> None:
    """An idea and a problem report in each commune, as residents would send them."""

    async def work() -> None:
        clock = SystemClock()
        async with open_core(load_settings(config), clock, sends=False) as core:
            ideas = IdeaRepository(core.database)
            for n, hood in enumerate(("centre", "bourg-haut")):
                await ideas.add_within_limit(f"p{n}", "simulated", hood, f"Idée de {hood}",
                                             clock.now(), clock.now(), 5)
                await core.stores.problem_reports.add(NewProblemReport(
                    f"p{n}", "simulated", hood, "voirie", f"Trou à {hood}", None, 48.8,
                    2.3), clock.now())

    asyncio.run(work())


def test_residents_ideas_reports_and_neighbourhoods_stay_within_the_commune(
    communes: Path, tmp_path: Path
) -> None:
    seed(communes)
    residents = tmp_path / "habitants.csv"
    residents.write_text("email;neighbourhood;language;consent_at\n"
                         "anne@example.org;centre;fr;2026-03-01\n"
                         "paul@example.org;bourg-haut;fr;2026-03-01\n", encoding="utf-8")
    code, stdout, stderr = as_commune("villeneuve", "residents", "import", str(residents),
                                      config=communes, check=False)
    assert code == 1 and "1 resident(s) read" in stdout and "1 new" in stdout
    assert "line 3: unknown neighbourhood 'bourg-haut': write one of the ids centre" in stderr
    assert "bourg" not in stderr.replace("'bourg-haut'", "")  # another commune's ids untold

    _, ideas, _ = as_commune("villeneuve", "ideas", "list", "--status", "all", "--format",
                             "json", config=communes)
    assert [(i["id"], i["neighbourhood"]) for i in json.loads(ideas)] == [(1, "centre")]
    code, _, stderr = as_commune("villeneuve", "ideas", "review", "2", "--accept", "--as",
                                 "Marie", config=communes, check=False)
    assert code == 1 and "no idea 2 in commune villeneuve" in stderr
    _, ideas, _ = as_commune(None, "ideas", "list", "--format", "json", config=communes)
    assert [i["id"] for i in json.loads(ideas)] == [1, 2]  # both still pending

    _, reports, _ = as_commune("villeneuve", "reports", "list", "--format", "json",
                               config=communes)
    assert [r["neighbourhood"] for r in json.loads(reports)] == ["centre"]
    code, _, stderr = as_commune("villeneuve", "reports", "status", "2", "transmis",
                                 config=communes, check=False)
    assert code == 1 and "no report 2 in commune villeneuve" in stderr
    _, exported, _ = as_commune("villeneuve", "reports", "export", "--format", "csv",
                                config=communes)
    rows = list(csv.DictReader(io.StringIO(exported), delimiter=";"))
    assert len(rows) == 1 and "bourg-haut" not in exported
    _, figures, _ = as_commune("villeneuve", "reports", "stats", "--format", "json",
                               config=communes)
    assert [line["id"] for line in json.loads(figures)["neighbourhoods"]] == ["centre"]

    _, hoods, _ = as_commune("villeneuve", "neighbourhood", "list", "--json", config=communes)
    assert [hood["id"] for hood in json.loads(hoods)] == list(VILLENEUVE)
    code, _, stderr = as_commune("villeneuve", "poster", "bourg-haut", "-o",
                                 str(tmp_path / "affiche.pdf"), config=communes, check=False)
    assert code == 1 and "hors de la commune villeneuve" in stderr
    assert not (tmp_path / "affiche.pdf").exists()


def test_an_intercommunal_body_reaches_both_communes_and_ids_are_checked(
    communes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = start("agglo", "agglo", communes)
    assert started["chats"] == 3  # the two communes' three neighbourhoods
    whole = str(started["id"])
    _, shown, _ = as_commune("agglo", "campaign", "show", whole, "--json", config=communes)
    assert json.loads(shown)["neighbourhoods"] == [*VILLENEUVE, *BOURG]
    # Without --commune a commune's id stands for its neighbourhoods too.
    bourg = str(start(None, "bourg", communes)["id"])
    assert listed("agglo", communes) == [whole, bourg]
    # The intercommunal campaign reaches beyond Villeneuve: not Villeneuve's.
    monkeypatch.setenv("ANIMABOT_COMMUNE", "villeneuve")
    assert listed(None, communes) == []
    refused_as_not_found(as_commune(None, "campaign", "cancel", whole, config=communes,
                                    check=False))
    code, _, stderr = as_commune(None, "privacy", "purge", config=communes, check=False)
    assert code == 1 and "sans --commune" in stderr

    code, _, stderr = as_commune("nulle", "campaign", "list", config=communes, check=False)
    assert code == 1 and "--commune 'nulle'" in stderr
    assert "agglo, bourg, villeneuve" in stderr and "Traceback" not in stderr
