"""Configuration: TOML, environment overrides, secrets from files, every problem at once."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from animabot.config import load_settings
from animabot.errors import ConfigError
from animabot.privacy.keys import load_or_create_key


def test_the_example_configuration_is_valid() -> None:
    settings = load_settings(Path(__file__).parents[2] / "config.example.toml")
    assert settings.console.enabled and (
        [h.id for h in settings.neighbourhoods] == ["centre", "gare"]
    )
    assert settings.privacy.min_cell == 5 and settings.delivery.quiet_hours == "09:00-20:00"


def test_secrets_come_from_the_environment_and_override_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\nenabled = true\n[privacy]\nmin_cell = 7\n', encoding="utf-8")
    monkeypatch.setenv("ANIMABOT_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("ANIMABOT_PRIVACY__MIN_CELL", "9")
    settings = load_settings(path)
    assert settings.secret(settings.telegram.token, settings.telegram.token_file) == "123:abc"
    assert settings.privacy.min_cell == 9
    assert "123:abc" not in repr(settings)


def test_a_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("456:def\n", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(f'[telegram]\nenabled = true\ntoken_file = "{secret}"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.secret(settings.telegram.token, settings.telegram.token_file) == "456:def"


def test_every_problem_is_listed_with_its_key_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[bot]\nlanguage = "de"\n[privacy]\nmin_cell = 0\n'
        '[[neighbourhoods]]\nid = "Centre Ville"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    found = {(p.field, p.line) for p in caught.value.problems}
    assert ("bot.language", 2) in found and ("privacy.min_cell", 4) in found
    assert ("neighbourhoods[0].id", 6) in found and ("neighbourhoods[0].name", 5) in found


def test_enabled_platforms_without_credentials_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\nenabled = true\n[matrix]\nenabled = true\nuser_id = "bot"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        "telegram.token", "matrix.homeserver", "matrix.user_id", "matrix.access_token",
        "matrix.pickle_key",  # encryption is on by default
    }
    assert all(p.fix for p in caught.value.problems)


def test_half_configured_encryption_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "store").write_text("a file, not a directory", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(
        '[matrix]\nenabled = true\nhomeserver = "https://m.example.org"\n'
        'user_id = "@bot:m.example.org"\npassword = "p"\nencryption = true\n'
        f'store_path = "{tmp_path / "store"}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) == {"matrix.pickle_key", "matrix.store_path"}
    assert "ANIMABOT_MATRIX__PICKLE_KEY" in problems["matrix.pickle_key"].fix
    assert problems["matrix.store_path"].line == 7
    path.write_text(path.read_text(encoding="utf-8").replace(
        "encryption = true", 'encryption = true\npickle_key = "short"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert any("shorter than 16" in p.message for p in caught.value.problems)


@pytest.mark.parametrize("content", [b"[bot\n", b"\xff\xfe\x00junk", None])
def test_unreadable_files_get_one_clear_problem(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "c.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert len(caught.value.problems) == 1 and caught.value.problems[0].fix


def test_the_key_file_is_created_once_with_mode_0600(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "secret" / "animabot.key"
    first = load_or_create_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "created a new pseudonym key" in caplog.text
    assert load_or_create_key(path) == first
    assert load_or_create_key(path, "from-the-environment") == b"from-the-environment"


def test_registered_secrets_are_redacted_from_every_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from animabot.redaction import MASK, register_secret

    register_secret("123456:SECRET-token-value")
    caplog.set_level(logging.DEBUG)
    token = "123456:SECRET-token-value"
    logging.getLogger("some.library").debug("calling %s/bot%s", "http://x", token)
    logging.getLogger("other").info("tail only: SECRET-token-value")
    assert "SECRET" not in caplog.text and caplog.text.count(MASK) == 2


def _problems(path: Path, content: str) -> list[tuple[int | None, str, str]]:
    path.write_bytes(content.encode())
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_old_mac_line_ends_are_read(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b'[bot]\rlanguage = "en"\r[privacy]\rmin_cell = 7\r')
    settings = load_settings(path)
    assert (settings.bot.language, settings.privacy.min_cell) == ("en", 7)
    assert _problems(path, '[bot]\rlanguage = "de"\r') == [
        (2, "bot.language", "'de' is not allowed")
    ]


def test_a_time_zone_naming_a_folder_is_a_problem(tmp_path: Path) -> None:
    ((line, field, message),) = _problems(tmp_path / "c.toml", '[bot]\ntimezone = "Europe"\n')
    assert (line, field) == (2, "bot.timezone") and "is not a time zone" in message


def test_deep_nesting_and_huge_numbers_are_located_problems(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    ((line, _, message),) = _problems(path, "[bot]\nx = " + "[" * 3000 + "]" * 3000 + "\n")
    assert line == 2 and "levels deep" in message
    ((line, _, message),) = _problems(path, "[web]\nport = " + "9" * 5000 + "\n")
    assert line == 2 and "digits" in message
    ((line, field, _),) = _problems(path, "[web]\nport = 99999999999999999999999\n")
    assert (line, field) == (2, "web.port")


def test_every_syntax_fault_in_one_round(tmp_path: Path) -> None:
    found = _problems(tmp_path / "c.toml", '[bot]\nlanguage = fr\ntimezone = “Europe/Paris”\n')
    assert [line for line, _, _ in found] == [2, 3]


def test_telegram_ids_may_be_written_as_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[facilitators]\ntelegram = [42, "43"]\n[[neighbourhoods]]\nid = "centre"\n'
                    'name = "Centre"\ntelegram_chats = [-1001234567890]\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.facilitators.telegram == ["42", "43"]
    assert settings.neighbourhoods[0].telegram_chats == ["-1001234567890"]
    monkeypatch.setenv("ANIMABOT_FACILITATORS__TELEGRAM", "[7]")
    assert load_settings(path).facilitators.telegram == ["7"]


def test_a_boolean_is_not_a_telegram_id(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[facilitators]\ntelegram = [true]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.problems[0].field == "facilitators.telegram[0]"


@pytest.mark.parametrize(
    ("bot", "env", "expected"),
    [
        ('timezone = "Mars/Olympus"', None,
         ["c.toml:2: bot.timezone: « Mars/Olympus » n’est pas un fuseau horaire",
          '    correction : écrivez un nom IANA comme "Europe/Paris"',
          "c.toml:3: bot.tokn: clé inconnue", "privacy.min_cell: doit valoir au moins 1, pas 0"]),
        ('language = "en"\ntimezone = "Mars/Olympus"', None,
         ["c.toml:3: bot.timezone: 'Mars/Olympus' is not a time zone",
          '    fix: write an IANA name such as "Europe/Paris"',
          "c.toml:4: bot.tokn: unknown key", "privacy.min_cell: must be 1 or more, not 0"]),
        ('timezone = "Mars/Olympus"', "en",
         ["c.toml:2: bot.timezone: 'Mars/Olympus' is not a time zone"]),
    ],
)
def test_config_problems_speak_the_configured_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bot: str, env: str | None,
    expected: list[str],
) -> None:
    """French by default; the [bot] language of the file (or its variable) once readable."""
    monkeypatch.delenv("ANIMABOT_BOT__LANGUAGE", raising=False)
    if env is not None:
        monkeypatch.setenv("ANIMABOT_BOT__LANGUAGE", env)
    path = tmp_path / "c.toml"
    path.write_text(f"[bot]\n{bot}\ntokn = 1\n[privacy]\nmin_cell = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    shown = str(caught.value).replace(str(tmp_path) + os.sep, "")
    for line in expected:
        assert line in shown
    assert "Input should" not in shown


def test_syntax_faults_are_told_in_the_language_read_around_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The faulty line is set aside: the rest of the file still tells the language."""
    monkeypatch.delenv("ANIMABOT_BOT__LANGUAGE", raising=False)
    path = tmp_path / "c.toml"
    path.write_text('[bot]\ntimezone = "Europe/Paris\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "n’est pas du TOML valide" in str(caught.value)
    assert "correction : vérifiez la ligne 2 : un texte n’est pas fermé" in str(caught.value)
    monkeypatch.setenv("ANIMABOT_BOT__LANGUAGE", "en")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings(path)
    monkeypatch.delenv("ANIMABOT_BOT__LANGUAGE")
    path.write_text('[bot]\nlanguage = "en"\ntimezone = "Europe/Paris\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fix: check line 3: a text is not closed"):
        load_settings(path)


def test_storage_url_chooses_postgresql_and_keeps_the_password_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from animabot.config import settings_summary

    path = tmp_path / "c.toml"
    path.write_text('[storage]\nurl = "postgresql://animabot@db.example.org:5433/animabot"\n',
                    encoding="utf-8")
    monkeypatch.setenv("ANIMABOT_STORAGE__PASSWORD", "s3cret")
    settings = load_settings(path)
    storage = settings.storage
    assert storage.backend() == "postgresql"
    assert storage.target() == "postgresql://animabot@db.example.org:5433/animabot"
    assert settings.secret(storage.password, storage.password_file) == "s3cret"
    assert "s3cret" not in repr(settings)
    # --database names a file: it wins over the server
    assert load_settings(path, database=tmp_path / "x.db").storage.target() == tmp_path / "x.db"
    # a password written in the url is never shown
    path.write_text('[storage]\nurl = "postgresql://u:hidden@h/db"\n', encoding="utf-8")
    assert "hidden" not in str(settings_summary(load_settings(path)))


def test_storage_defaults_to_sqlite_and_accepts_an_sqlite_url(tmp_path: Path) -> None:
    assert load_settings(None).storage.target() == Path("animabot.db")
    path = tmp_path / "c.toml"
    path.write_text('[storage]\nurl = "sqlite:///data/bot.db"\n', encoding="utf-8")
    storage = load_settings(path).storage
    assert (storage.backend(), storage.target()) == ("sqlite", Path("data/bot.db"))


@pytest.mark.parametrize("url", ["mysql://h/db", "postgresql://h:port/db", "sqlite://x.db"])
def test_a_wrong_storage_url_is_a_located_problem(tmp_path: Path, url: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\nlanguage = "en"\n[storage]\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [problem] = caught.value.problems
    assert (problem.field, problem.line) == ("storage.url", 4)
    assert problem.fix


def test_the_sqlite_scheme_is_read_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[storage]\nurl = "SQLite:///data/bot.db"\n', encoding="utf-8")
    storage = load_settings(path).storage
    assert (storage.backend(), storage.target()) == ("sqlite", Path("data/bot.db"))


def test_a_missing_storage_password_file_is_located(tmp_path: Path) -> None:
    """Like [email] and [sms]: config check names the line, rather than a traceback when the
    store opens."""
    path = tmp_path / "c.toml"
    path.write_text('[storage]\nurl = "postgresql://animabot@db/animabot"\n'
                    'password_file = "/nowhere/pg_password"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (3, "storage.password_file")
    assert "/nowhere/pg_password does not exist" in problem.message
