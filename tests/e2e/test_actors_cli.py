"""A facilitator keeps the directory of local actors in a spreadsheet and imports it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ROOT, animabot

pytestmark = pytest.mark.slow

SAMPLE = ROOT / "scenarios" / "acteurs-exemple.csv"
WITH_BAD_ROWS = """\
Nom,Type,Quartier,Contact,Description
Amicale des locataires,Association,gare,amicale@exemple.org,"Réunions, fêtes, entraide"
,Association,centre,,Sans nom
Club photo,Loisirs,centre,,
Parc des sports,Service public,nord,,
Amicale des locataires,Autre,,,Doublon
"""
SCENARIO = """\
id = "essai"
title = "Essai"

[[steps]]
id = "annonce"
kind = "announcement"
text.fr = "Bonjour"
actor = "mediatheque"

[[steps]]
id = "atelier"
kind = "announcement"
at = "+1d"
text.fr = "Atelier"
actor = "jardin-des-lilaz"
"""


def test_import_keeps_the_good_rows_and_lists_the_bad_ones(config: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "acteurs.csv"
    csv_file.write_text(WITH_BAD_ROWS, encoding="utf-8")
    result = animabot("actors", "import", str(csv_file), "--config", str(config), check=False)
    assert result.returncode == 1
    assert "1 actor(s) imported" in result.stdout and "1 new, 0 updated" in result.stdout
    assert "line 3: the name is missing" in result.stderr
    assert "line 4: unknown kind 'Loisirs': write one of association, commerce, " \
        "service_public, autre" in result.stderr
    assert "line 5: unknown neighbourhood 'nord': write one of the ids centre, gare" \
        in result.stderr
    assert "line 6: the id 'amicale-des-locataires' is already used on line 2" in result.stderr
    assert "4 row(s) rejected" in result.stderr and "Traceback" not in result.stderr
    listed = json.loads(animabot("actors", "list", "--format", "json",
                                 "--config", str(config)).stdout)
    assert [(a["id"], a["neighbourhood"]) for a in listed] == [("amicale-des-locataires", "gare")]


def test_export_reimports_identically(config: Path, tmp_path: Path) -> None:
    first = animabot("actors", "import", str(SAMPLE), "--config", str(config))
    assert "10 actor(s) imported" in first.stdout and "10 new, 0 updated" in first.stdout
    exported = tmp_path / "export.csv"
    animabot("actors", "export", "--out", str(exported), "--config", str(config))
    before = animabot("actors", "export", "--format", "json", "--config", str(config)).stdout

    other = tmp_path / "other"
    other.mkdir()
    other_db = other / "copy.db"
    again = animabot("actors", "import", str(exported), "--config", str(config),
                     "--database", str(other_db))
    assert "10 new, 0 updated" in again.stdout
    after = animabot("actors", "export", "--format", "json", "--config", str(config),
                     "--database", str(other_db)).stdout
    assert after == before and len(json.loads(after)) == 10
    assert exported.read_bytes().startswith("\ufeff".encode())  # Excel reads the accents

    updated = animabot("actors", "import", str(exported), "--config", str(config))
    assert "0 new, 10 updated" in updated.stdout

    gare = json.loads(animabot("actors", "list", "--neighbourhood", "gare", "--format", "json",
                               "--config", str(config)).stdout)
    assert gare and {a["neighbourhood"] for a in gare} == {"gare"}
    found = animabot("actors", "search", "bibliotheque", "--config", str(config)).stdout
    assert "mediatheque" in found


def test_import_refuses_unreadable_files(config: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("nom;type\nÉpicerie;association\n".encode("latin-1"))
    for path, expected in ((tmp_path / "absent.csv", "no such file"),
                           (latin, "not UTF-8"),
                           (tmp_path / "empty.csv", "is empty")):
        if path.name == "empty.csv":
            path.write_text("", encoding="utf-8")
        result = animabot("actors", "import", str(path), "--config", str(config), check=False)
        assert result.returncode == 1 and expected in result.stderr
        assert "Traceback" not in result.stderr


def test_scenario_check_names_the_unknown_actor_and_its_line(
    config: Path, tmp_path: Path
) -> None:
    scenario = tmp_path / "essai.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    database = tmp_path / "animabot.db"
    # No database yet: actor ids cannot be checked, and nothing is said about them.
    unchecked = animabot("scenario", "check", str(scenario), "--config", str(config))
    assert unchecked.stdout.startswith("OK") and unchecked.stderr == ""

    animabot("actors", "import", str(SAMPLE), "--config", str(config))
    result = animabot("scenario", "check", str(scenario), "--database", str(database),
                      check=False)
    assert result.returncode == 1
    assert f"{scenario}:15: steps[1].actor: acteur inconnu « jardin-des-lilaz »" in result.stderr
    assert ("correction : vouliez-vous dire « jardin-des-lilas » ? importez-le avec "
            "`animabot actors import`") in result.stderr
    assert "steps[0]" not in result.stderr
    via_config = animabot("scenario", "check", str(scenario), "--config", str(config),
                          check=False)
    assert via_config.returncode == 1 and "steps[1].actor" in via_config.stderr

    started = animabot("campaign", "start", str(scenario), "--to", "centre",
                       "--config", str(config), check=False)
    assert started.returncode == 1 and "acteur(s) inconnu(s)" in started.stderr
