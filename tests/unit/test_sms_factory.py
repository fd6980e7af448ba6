"""The ``sms`` entry point: found like any adapter, light, its table validated with the rest."""

from __future__ import annotations

import subprocess
import sys

import pytest

from animabot.chat.registry import available_adapters, enabled_adapters, platform_labels
from animabot.config import Settings


def test_the_sms_adapter_is_found_and_off_by_default() -> None:
    assert "sms" in available_adapters()
    assert platform_labels()["sms"] == "SMS"
    assert "sms" not in enabled_adapters(Settings())


def test_its_table_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANIMABOT_SMS__PASSWORD", "from-env")
    settings = Settings(sms={"enabled": True, "username": "sms", "webhook_secret": "k"})
    assert "sms" in enabled_adapters(settings)
    from adapters.sms.settings import sms_settings

    config = sms_settings(settings)
    assert config.password is not None and config.password.get_secret_value() == "from-env"


def test_loading_the_factory_does_not_import_the_client() -> None:
    code = ("import sys; import adapters.sms.factory; "
            "assert 'android_sms_gateway' not in sys.modules, 'client imported'; "
            "assert 'phonenumbers' not in sys.modules, 'phonenumbers imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
