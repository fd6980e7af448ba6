"""Adapters own their settings: each brings its table (validated and located like the core's)
and its endpoint kind, so a new platform needs no edit of the core (issue 15, step 1)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path

import pytest

from adapters.matrix.settings import MatrixSettings
from adapters.telegram.settings import TelegramSettings
from animabot.chat import registry
from animabot.config import Settings, load_settings, settings_class, settings_summary
from animabot.core import configured_chats
from animabot.errors import ConfigError
from animabot.web.present import filters

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> set[tuple[str, int | None]]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return {(p.field, p.line) for p in caught.value.problems}


@pytest.fixture
def pigeon_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fake ``animabot.adapters`` entry point, as a third-party package would install."""
    real = entry_points

    def with_pigeon(*, group: str) -> EntryPoints:
        fake = EntryPoint("pigeon", "tests.support.pigeon_adapter:PigeonAdapterFactory", group)
        return EntryPoints([*real(group=group), fake])

    monkeypatch.setattr(registry, "entry_points", with_pigeon)
    registry.settings_models.cache_clear()
    registry.platform_labels.cache_clear()
    yield
    registry.settings_models.cache_clear()
    registry.platform_labels.cache_clear()


def test_each_adapter_brings_its_table_read_without_its_library() -> None:
    models = registry.settings_models()
    assert models["telegram"] is TelegramSettings and models["matrix"] is MatrixSettings
    settings = Settings()
    assert isinstance(settings.telegram, TelegramSettings)  # type: ignore[attr-defined]
    assert settings.section("matrix", MatrixSettings).encryption is True
    code = ("import sys; from pathlib import Path; from animabot.config import load_settings;"
            " load_settings(Path('config.example.toml'));"
            " assert not {'telegram', 'nio', 'httpx'} & set(sys.modules), sys.modules.keys()")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_an_adapter_table_is_validated_with_located_faults(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bot]\nlanguage = "fr"\n[telegram]\nin_flight = 0\n'
                            'carrier = "pigeon"\n[matrix]\ntrust = "blind"\n')
    found = _problems(path)
    assert {("telegram.in_flight", 4), ("telegram.carrier", 5), ("matrix.trust", 7)} <= found


def test_an_adapter_checks_its_own_table_and_the_line_is_given(tmp_path: Path) -> None:
    path = _write(tmp_path, '[telegram]\nenabled = true\nmode = "webhook"\n'
                            'webhook_url = "http://plain"\n')
    found = dict(_problems(path))
    assert found["telegram.webhook_url"] == 4  # the keys not written: their table's line
    assert found["telegram.token"] == found["telegram.secret_token"] == 1


def test_an_unknown_table_is_still_refused(tmp_path: Path) -> None:
    assert ("pigeon", 1) in _problems(_write(tmp_path, '[pigeon]\nloft = "roof"\n'))


@pytest.mark.parametrize("name", ["config.example.toml", "docker/config.toml"])
def test_existing_configuration_files_load_unchanged(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANIMABOT_TELEGRAM__TOKEN", "123:abc")  # docker's comes from there
    monkeypatch.setenv("ANIMABOT_MATRIX__ACCESS_TOKEN", "syt_x")
    monkeypatch.setenv("ANIMABOT_MATRIX__PICKLE_KEY", "p" * 32)
    settings = load_settings(ROOT / name)
    assert settings.neighbourhoods and not settings.section("telegram", TelegramSettings).enabled


def test_environment_overrides_reach_an_adapter_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANIMABOT_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("ANIMABOT_MATRIX__SYNC_TIMEOUT", "7")
    settings = load_settings(_write(tmp_path, '[telegram]\nenabled = true\n'))
    telegram = settings.section("telegram", TelegramSettings)
    assert settings.secret(telegram.token, None) == "123:abc"
    assert settings.section("matrix", MatrixSettings).sync_timeout == 7
    assert settings_summary(settings)["adapters"] == ["telegram"]


def test_endpoints_list_chats_like_the_legacy_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[neighbourhoods]]\nid = "centre"\nname = "Centre"\n'
                            'telegram_chats = [-1001]\n'
                            'endpoints = { telegram = [-1002, "-1001"], matrix = ["!r:x"] }\n'
                            '[[neighbourhoods]]\nid = "gare"\nname = "Gare"\n'
                            'matrix_rooms = ["!g:x"]\n')
    settings = load_settings(path)
    centre, gare = settings.neighbourhoods
    assert centre.addresses("telegram") == ["-1001", "-1002"]
    assert centre.platforms() == ["telegram", "matrix"] and gare.platforms() == ["matrix"]
    assert sorted(configured_chats(settings).chats) == [
        ("matrix", "!g:x", "", "gare"), ("matrix", "!r:x", "", "centre"),
        ("telegram", "-1001", "", "centre"), ("telegram", "-1002", "", "centre")]


def test_a_platform_no_adapter_brings_is_a_located_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, '[facilitators]\npigeon = ["alice"]\n'
                            '[[neighbourhoods]]\nid = "centre"\nname = "Centre"\n'
                            'endpoints = { pigeon = ["roof"] }\n')
    found = _problems(path)
    assert ("neighbourhoods[0].endpoints.pigeon", 6) in found
    assert ("facilitators.pigeon", 2) in found


@pytest.mark.usefixtures("pigeon_installed")
def test_a_third_party_adapter_brings_a_table_and_an_endpoint_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, '[pigeon]\nenabled = true\nloft = "roof"\n'
                            '[facilitators]\npigeon = ["alice"]\ntelegram = [42]\n'
                            '[[neighbourhoods]]\nid = "centre"\nname = "Centre"\n'
                            'endpoints = { pigeon = ["loft-1"] }\n')
    monkeypatch.setenv("ANIMABOT_PIGEON__BIRDS", "12")
    settings = load_settings(path)
    assert settings.pigeon.loft == "roof" and settings.pigeon.birds == 12  # type: ignore[attr-defined]
    assert ("pigeon", "loft-1", "", "centre") in configured_chats(settings).chats
    assert "pigeon" in settings_summary(settings)["adapters"]
    assert settings.facilitators.ids("pigeon") == ["alice"]
    assert settings.facilitators.ids("telegram") == ["42"]
    assert "pigeon" in settings_class().model_fields and "pigeon" in type(Settings()).model_fields


@pytest.mark.usefixtures("pigeon_installed")
def test_a_third_party_table_has_located_faults_and_its_own_checks(tmp_path: Path) -> None:
    found = _problems(_write(tmp_path, '[pigeon]\nenabled = true\nbirds = "many"\n'))
    assert ("pigeon.birds", 3) in found
    assert ("pigeon.loft", 1) in _problems(_write(tmp_path, '[pigeon]\nenabled = true\n'))


@pytest.mark.usefixtures("pigeon_installed")
def test_the_dashboard_names_a_platform_as_its_adapter_does() -> None:
    platform = filters("Europe/Paris", 5)["platform"]
    assert platform("pigeon") == "Pigeon voyageur" and platform("simulated") == "Simulée"
    assert platform("telegram") == "Telegram" and platform("gone") == "Gone"
