"""The SMS adapter's settings, error mapping and parts budget, without a gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from android_sms_gateway import errors as gateway

from adapters.sms.errors import translate
from adapters.sms.memory import PartsBudget
from adapters.sms.settings import SmsSettings
from animabot.errors import (
    ChatUnreachableError,
    RateLimitedError,
    RejectedError,
    TransientError,
)


def test_an_enabled_gateway_needs_credentials_and_the_signing_key(tmp_path: Path) -> None:
    assert SmsSettings().problems() == []  # disabled: nothing to say
    keys = [p.key for p in SmsSettings(enabled=True, gateway_url="ftp://x").problems()]
    assert keys == ["gateway_url", "username", "password", "webhook_secret"]
    secret = tmp_path / "secret"
    secret.write_text("k")
    ok = SmsSettings(enabled=True, username="sms", password="p", webhook_secret_file=secret,
                     webhook_url="https://mairie.example/sms/webhook")
    assert ok.problems() == []
    plain = SmsSettings(enabled=True, username="sms", password="p", webhook_secret="k",
                        webhook_url="http://mairie.example/sms/webhook")
    assert [p.key for p in plain.problems()] == ["webhook_url"]
    local = SmsSettings(enabled=True, username="sms", password="p", webhook_secret="k",
                        webhook_url="http://127.0.0.1:8091/sms/webhook")
    assert local.problems() == []  # the gateway allows plain HTTP to localhost only


def test_defaults_respect_androids_limit() -> None:
    config = SmsSettings()
    assert (config.max_per_window, config.window_minutes) == (30, 30.0)


@pytest.mark.parametrize(("status", "message", "expected"), [
    (400, "invalid phone number '+1': E.164 expected", ChatUnreachableError),
    (400, "textMessage.text is required", RejectedError),
    (401, "Unauthorized", TransientError),
    (500, "Internal server error", TransientError),
    (503, "Queue limits exceeded", RateLimitedError),
    (429, "Too many requests", RateLimitedError),
])
def test_gateway_errors_become_ours(status: int, message: str, expected: type) -> None:
    error = gateway.error_from_status("HTTP", status, {"message": message})
    assert isinstance(translate(error), expected)


def test_a_network_failure_is_safe_to_retry_since_sends_are_idempotent() -> None:
    import aiohttp

    assert isinstance(translate(aiohttp.ServerDisconnectedError()), TransientError)
    assert isinstance(translate(TimeoutError()), TransientError)


def test_the_parts_budget_counts_segments_in_a_rolling_window() -> None:
    now = [1000.0]
    budget = PartsBudget(30, 1800, now=lambda: now[0])
    budget.take(28)
    assert budget.wait_for(2) == 0
    assert budget.wait_for(3) == pytest.approx(1800)
    now[0] += 600
    budget.take(2)
    assert budget.wait_for(1) == pytest.approx(1200)
    now[0] = 1000 + 1800.5  # the first 28 have left the window
    assert budget.wait_for(28) == 0
    assert PartsBudget(3, 60, now=lambda: 0.0).wait_for(10) == 0  # too long: alone, now
