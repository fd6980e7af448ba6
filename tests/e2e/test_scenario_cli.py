"""A facilitator checks and previews scenario files from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from animabot.cli.scenario_cmd import app

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
DEMO = ROOT / "scenarios" / "demo.toml"

runner = CliRunner()

BAD = """\
id = "essai"
title = "Essai"

[[steps]]
id = "vote"
kind = "poll"
at = "+0"
closes = "+2d 20:00"
question = "Une seule option ?"
options = ["Oui"]
"""


@pytest.fixture(autouse=True)
def _no_local_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no config.toml is lying around, without ANIMABOT_* variables."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("ANIMABOT_")]:
        monkeypatch.delenv(name)


def test_check_shipped_scenarios() -> None:
    result = runner.invoke(app, ["check", *map(str, SHIPPED)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(SHIPPED)
    assert f"OK {DEMO} : 4 étapes, Démonstration : la propreté de la rue des Tilleuls" in lines


def test_check_reports_every_problem_with_its_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["check", str(DEMO), str(bad)])
    assert result.exit_code == 1
    assert f"OK {DEMO}" in result.output
    assert f"{bad}:10: steps[0].options.fr: un sondage a de 2 à 12 options, celui-ci en a 1" in (
        result.stderr
    )
    assert "    correction : ajoutez 1 option" in result.stderr
    assert "Traceback" not in result.output


ODD = BAD.replace('title = "Essai"', "title = 5")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("", ["a.toml:2: title: doit être un texte, pas 5",
              '    correction : écrivez le texte entre guillemets droits : title = "..."',
              "b.toml:10: steps[0].options.fr: un sondage a de 2 à 12 options, celui-ci en a 1",
              "OK demo.toml : 4 étapes, "]),
        ('[bot]\nlanguage = "en"\n',
         ["a.toml:2: title: must be a text, not 5",
          '    fix: write the text between straight double quotes: title = "..."',
          "b.toml:10: steps[0].options.fr: a poll takes 2 to 12 options, this one has 1",
          "OK demo.toml: 4 steps, "]),
    ],
)
def test_check_speaks_the_configured_language(
    tmp_path: Path, language: str, expected: list[str]
) -> None:
    """French by default, English with [bot] language = "en": problems, fixes and headings."""
    (tmp_path / "a.toml").write_text(ODD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(BAD, encoding="utf-8")
    (tmp_path / "demo.toml").write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "config.toml").write_text(language, encoding="utf-8")
    result = runner.invoke(app, ["check", "a.toml", "b.toml", "demo.toml",
                                 "--config", "config.toml"])
    assert result.exit_code == 1
    for line in expected:
        assert line in result.output
    assert "Input should" not in result.output


@pytest.mark.parametrize("target", ["directory", "missing", "binary"])
def test_check_never_shows_a_traceback(tmp_path: Path, target: str) -> None:
    path = {"directory": tmp_path, "missing": tmp_path / "absent.toml",
            "binary": tmp_path / "image.toml"}[target]
    if target == "binary":
        path.write_bytes(b"\x00\x01\x02\xff")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"{path}: ")
    assert "correction : " in result.stderr
    assert "Traceback" not in result.output


def test_check_needs_a_file() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2


def test_preview_with_default_settings() -> None:
    result = runner.invoke(app, ["preview", str(DEMO), "--start", "2026-12-01 18:00"])
    assert result.exit_code == 0, result.output
    assert "départ mar. 01/12 18:00" in result.output
    assert "lun. 07/12 09:00  resultats (résultats, envoi)" in result.output
    assert "reporté : hors plage d'envoi, prévu sam. 05/12 20:00" in result.output


def test_preview_as_a_table_on_a_wide_terminal() -> None:
    result = runner.invoke(
        app, ["preview", str(DEMO), "--start", "01/12/2026 18:00"], env={"COLUMNS": "180"}
    )
    assert result.exit_code == 0, result.output
    header = [line for line in result.output.splitlines() if "Quand" in line]
    assert len(header) == 1 and "Étape" in header[0] and "Remarque" in header[0]
    assert "relance 1" in result.output


def test_preview_uses_the_configured_window(tmp_path: Path) -> None:
    config = tmp_path / "animabot.toml"
    config.write_text(
        '[bot]\nlanguage = "en"\n\n[delivery]\nquiet_hours = "08:00-21:00"\nclosed_days = []\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["preview", str(DEMO), "--start", "2026-12-01 18:00", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert "Sat 05/12 20:00  resultats (results, send)" in result.output
    assert "deferred" not in result.output


@pytest.mark.parametrize("how", ["-c", "env"])
def test_preview_reads_the_config_as_every_command_does(tmp_path: Path, how: str) -> None:
    """-c, like --config; and $ANIMABOT_CONFIG when no option names a file."""
    config = tmp_path / "elsewhere.toml"
    config.write_text('[bot]\nlanguage = "en"\n\n[delivery]\nquiet_hours = "08:00-21:00"\n'
                      'closed_days = []\n', encoding="utf-8")
    args = ["preview", str(DEMO), "--start", "2026-12-01 18:00"]
    result = (runner.invoke(app, [*args, "-c", str(config)]) if how == "-c" else
              runner.invoke(app, args, env={"ANIMABOT_CONFIG": str(config)}))
    assert result.exit_code == 0, result.output
    assert "Sat 05/12 20:00  resultats (results, send)" in result.output


def test_preview_reads_config_toml_in_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[bot]\nlanguage = "en"\n', encoding="utf-8")
    result = runner.invoke(app, ["preview", str(DEMO), "--start", "2026-12-01 18:00"])
    assert result.exit_code == 0, result.output
    assert "start Tue 01/12 18:00" in result.output


def test_preview_in_another_time_zone() -> None:
    result = runner.invoke(
        app, ["preview", str(DEMO), "--start", "2026-12-01 18:00", "--timezone", "America/Cayenne"]
    )
    assert result.exit_code == 0, result.output
    assert "(America/Cayenne)" in result.output
    assert "mar. 01/12 18:00  bienvenue" in result.output


def test_preview_now() -> None:
    result = runner.invoke(app, ["preview", str(DEMO), "--start", "now"])
    assert result.exit_code == 0, result.output
    assert "bienvenue (annonce, envoi)" in result.output


def test_preview_refuses_a_bad_date() -> None:
    result = runner.invoke(app, ["preview", str(DEMO), "--start", "mardi prochain"])
    assert result.exit_code == 2
    assert "is not a date" in result.output


def test_preview_reports_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[delivery]\nquiet_hours = "20:00-09:00"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["preview", str(DEMO), "--start", "2026-12-01 18:00", "--config", str(config)]
    )
    assert result.exit_code == 1
    assert f"{config}:2: delivery.quiet_hours" in result.stderr
    assert "Traceback" not in result.output


def test_preview_reports_a_bad_time_zone() -> None:
    result = runner.invoke(
        app, ["preview", str(DEMO), "--start", "2026-12-01 18:00", "--timezone", "Paris"]
    )
    assert result.exit_code == 1
    assert "« Paris » n’est pas un fuseau horaire" in result.stderr
    english = runner.invoke(app, ["preview", str(DEMO), "--start", "2026-12-01 18:00",
                                  "--timezone", "Paris", "--language", "en"])
    assert "'Paris' is not a time zone" in english.stderr


def test_preview_reports_scenario_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["preview", str(bad), "--start", "2026-12-01 18:00"])
    assert result.exit_code == 1
    assert f"{bad}:10: steps[0].options.fr" in result.stderr


@pytest.mark.slow
def test_module_entry_point_checks_the_shipped_files() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "animabot.cli.scenario_cmd", "check",
         *(str(p.relative_to(ROOT)) for p in SHIPPED)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("OK scenarios/") == len(SHIPPED)
    assert "OK scenarios/demo.toml : 4 étapes" in completed.stdout
