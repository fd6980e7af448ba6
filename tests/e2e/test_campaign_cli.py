"""A facilitator's story through the real command: start, list, show, stats, cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import animabot

pytestmark = pytest.mark.slow


def test_a_facilitator_schedules_a_campaign_and_an_agent_reads_its_figures(config: Path) -> None:
    started = animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to", "centre",
                       "--at", "2026-12-01 18:00", "--json", "--config", str(config))
    campaign_id = json.loads(started.stdout)["id"]
    assert campaign_id.startswith("jardin-partage-")

    listed = json.loads(animabot("campaign", "list", "--json", "--config", str(config)).stdout)
    assert [c["id"] for c in listed] == [campaign_id]
    assert listed[0]["pending"] > 0 and listed[0]["status"] == "scheduled"

    shown = json.loads(
        animabot("campaign", "show", campaign_id, "--json", "--config", str(config)).stdout
    )
    assert shown["timeline"][0]["due_at"].startswith("2026-12-01T17:00")  # 18:00 in Paris
    assert {e["kind"] for e in shown["timeline"]} >= {"announcement", "poll", "results"}

    stats = json.loads(animabot("stats", "campaign", campaign_id, "--format", "json",
                                "--config", str(config)).stdout)
    assert stats["id"] == campaign_id
    assert stats["polls"][0]["respondents"] == {"value": 0, "suppressed": False}

    cancelled = animabot("campaign", "cancel", campaign_id, "--config", str(config))
    assert "annulée" in cancelled.stdout  # the configured language (French by default)
    listed = json.loads(animabot("campaign", "list", "--json", "--config", str(config)).stdout)
    assert listed[0]["status"] == "cancelled" and listed[0]["pending"] == 0


def test_clear_errors_for_unknown_neighbourhood_and_campaign(config: Path) -> None:
    result = animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to", "nulle-part",
                      "--config", str(config), check=False)
    assert result.returncode == 1 and "nulle-part" in result.stderr and "centre" in result.stderr
    assert "Traceback" not in result.stderr
    result = animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to", "gare",
                      "--config", str(config), check=False)
    assert result.returncode == 1 and "aucune discussion active dans gare" in result.stderr
    result = animabot("stats", "campaign", "nope", "--config", str(config), check=False)
    # Facilitators read French by default: the label and the message alike.
    assert result.returncode == 1 and "erreur : aucune campagne 'nope'" in result.stderr
    english = config.parent / "en.toml"
    english.write_text('[bot]\nlanguage = "en"\n' + config.read_text(encoding="utf-8"),
                       encoding="utf-8")
    result = animabot("stats", "campaign", "nope", "--config", str(english), check=False)
    assert result.returncode == 1 and "error: no campaign 'nope'" in result.stderr


def test_a_faulty_scenario_is_refused_in_the_configured_language(
    config: Path, tmp_path: Path
) -> None:
    faulty = tmp_path / "faux.toml"
    faulty.write_text('id = "faux"\ntitle = "Faux"\n\n[[steps]]\nid = "a"\n'
                      'kind = "annonce"\ntext = "x"\n', encoding="utf-8")
    result = animabot("campaign", "start", str(faulty), "--to", "centre",
                      "--config", str(config), check=False)
    assert result.returncode == 1 and result.stderr.startswith("erreur : ")
    assert "faux.toml:6: steps[0].kind: type d’étape inconnu « annonce »" in result.stderr
    assert "    correction : " in result.stderr
    config.write_text('[bot]\nlanguage = "en"\n' + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    english = animabot("campaign", "start", str(faulty), "--to", "centre",
                       "--config", str(config), check=False)
    assert english.stderr.startswith("error: ")
    assert "faux.toml:6: steps[0].kind: unknown step kind 'annonce'" in english.stderr


def test_config_check_lists_every_problem_with_its_key_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[bot]\ntimezone = "Mars/Olympus"\n[delivery]\nquiet_hours = "25:00-09:00"\n'
                   '[telegram]\ntokn = "x"\n', encoding="utf-8")
    result = animabot("config", "check", "--config", str(bad), check=False)
    assert result.returncode == 1
    for expected in ("bad.toml:2: bot.timezone", "bad.toml:4: delivery.quiet_hours",
                     "bad.toml:6: telegram.tokn"):
        assert expected in result.stderr
    assert "Traceback" not in result.stderr
    # Told in French, the default language; in English once [bot] language says so.
    assert "bad.toml:6: telegram.tokn: clé inconnue" in result.stderr
    assert "« Mars/Olympus » n’est pas un fuseau horaire" in result.stderr
    bad.write_text(bad.read_text(encoding="utf-8").replace("[bot]\n", '[bot]\nlanguage = "en"\n'),
                   encoding="utf-8")
    english = animabot("config", "check", "--config", str(bad), check=False)
    assert "bad.toml:7: telegram.tokn: unknown key" in english.stderr
    assert "'Mars/Olympus' is not a time zone" in english.stderr
    ok = animabot("config", "check", "--config", "config.example.toml")
    assert "configuration correcte" in ok.stdout and "plage d'envoi : " in ok.stdout


def test_facilitator_output_is_french_local_and_takes_id_prefixes(config: Path) -> None:
    ids = []
    for at in ("2026-12-01 18:00", "2026-12-02 18:00"):
        started = animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to",
                           "centre", "--at", at, "--json", "--config", str(config))
        ids.append(json.loads(started.stdout)["id"])
    listed = animabot("campaign", "list", "--config", str(config)).stdout
    assert all(campaign_id in listed for campaign_id in ids)  # never cut, even at 80 columns
    assert "programmée" in listed and "scheduled" not in listed

    shown = animabot("campaign", "show", ids[0], "--config", str(config)).stdout
    assert "prévu (Europe/Paris)" in shown and "2026-12-01 18:00" in shown  # local, as previewed
    assert "UTC" not in shown and "{" not in shown  # no raw dict of statuses
    assert "en attente" in shown and "sondage" in shown

    common = ids[0][:len("jardin-partage-")]
    ambiguous = animabot("campaign", "show", common, "--config", str(config), check=False)
    assert ambiguous.returncode == 1
    assert ids[0] in ambiguous.stderr and ids[1] in ambiguous.stderr

    unique = ids[1][:-1] if not ids[0].startswith(ids[1][:-1]) else ids[1]
    stats = json.loads(animabot("stats", "campaign", unique, "--format", "json",
                                "--config", str(config)).stdout)
    assert stats["id"] == ids[1] and stats["status"] == "scheduled"
    cancelled = animabot("campaign", "cancel", unique, "--config", str(config)).stdout
    assert ids[1] in cancelled
