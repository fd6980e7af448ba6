"""Small CLI promises found by a review: clear errors rather than tracebacks, counts that
say what was read, options every command shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import animabot


@pytest.mark.parametrize("command", [("users", "add", "anne", "--role", "administrator"),
                                     ("users", "passwd", "anne")])
def test_an_empty_password_on_standard_input_is_a_clear_error(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = animabot(*command, "--password-stdin", "--database", str(tmp_path / "a.db"),
                      check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "no password on standard input" in result.stderr


def test_run_with_nothing_enabled_names_every_platform(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "a.db"}"\n', encoding="utf-8")
    result = animabot("run", "-c", str(config), check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for table in ("[telegram]", "[matrix]", "[email]", "[sms]", "[console]"):
        assert table in result.stderr, table
    assert "[simulated]" not in result.stderr


def test_residents_import_counts_rows_and_its_missing_file_hint_names_its_columns(
        tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "a.db"}"\n'
                      '[[neighbourhoods]]\nid = "centre"\nname = "Centre"\n', encoding="utf-8")
    residents = tmp_path / "habitants.csv"
    residents.write_text("email;phone;neighbourhood;language;consent_at\n"
                         "anne@example.org;06 12 34 56 78;centre;fr;2026-03-01\n"
                         "paul@example.org;;centre;fr;2026-03-01\n", encoding="utf-8")
    imported = animabot("residents", "import", str(residents), "-c", str(config))
    assert "2 resident(s) read" in imported.stdout, imported.stdout
    assert "3 new" in imported.stdout  # addresses: Anne's e-mail and phone, Paul's e-mail
    missing = animabot("residents", "import", str(tmp_path / "none.csv"), "-c", str(config),
                       check=False)
    assert missing.returncode == 1 and "acteurs" not in missing.stderr
    assert "email or phone, neighbourhood, language, consent_at" in missing.stderr
