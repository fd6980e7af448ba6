"""``[email]``: the adapter's own table, checked with the rest of the file; its pace."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.email.adapter import EmailAdapter
from animabot.config import load_settings
from animabot.errors import AnimabotError, ConfigError


def test_an_enabled_email_adapter_needs_its_relay_and_sender(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[email]\nenabled = true\nsmtp_port = 25\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    found = {(p.field, p.line) for p in caught.value.problems}
    assert found == {("email.smtp_host", 1), ("email.from_address", 1), ("email.enabled", 2)}


def test_the_password_comes_from_the_environment_and_the_pace_from_per_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[email]\nenabled = true\nsmtp_host = "smtp.ville.test"\n'
                    'from_address = "p@ville.test"\nusername = "p"\nper_minute = 90\n'
                    '[web]\npublic_url = "https://p.ville.test"\n', encoding="utf-8")
    monkeypatch.setenv("ANIMABOT_EMAIL__PASSWORD", "s3cret-password")
    adapter = EmailAdapter(load_settings(path))
    assert adapter.password == "s3cret-password"
    assert adapter.limits.global_per_second == pytest.approx(1.5)


def test_email_refuses_to_start_without_the_public_url_of_its_links(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[email]\nenabled = true\nsmtp_host = "smtp.ville.test"\n'
                    'from_address = "p@ville.test"\n', encoding="utf-8")
    with pytest.raises(AnimabotError, match="public_url"):
        EmailAdapter(load_settings(path))


def test_config_check_says_an_enabled_email_needs_the_public_url(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[email]\nenabled = true\nsmtp_host = "smtp.ville.fr"\n'
                      'from_address = "mairie@ville.fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    said = str(caught.value)
    assert "c.toml:2: email.enabled" in said and "public_url" in said
    config.write_text(config.read_text() + '[web]\npublic_url = "https://p.ville.fr"\n',
                      encoding="utf-8")
    load_settings(config)  # set: no problem


@pytest.mark.parametrize(("lines", "use_tls", "start_tls"), [
    ("smtp_port = 465\n", True, False),  # SMTPS: TLS from the first byte, by the port
    ("smtp_port = 587\n", False, True),
    ("smtp_port = 25\nstarttls = false\n", False, False),
    ("smtp_port = 2465\nimplicit_tls = true\n", True, False),
    ("smtp_port = 465\nimplicit_tls = false\n", False, True),
])
async def test_the_relay_is_reached_over_implicit_tls_or_starttls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: str, use_tls: bool,
    start_tls: bool,
) -> None:
    import aiosmtplib

    from adapters.email import adapter as adapter_module
    from adapters.email import report_mail
    from animabot.problems.dispatch import ServiceMessage

    path = tmp_path / "c.toml"
    path.write_text('[web]\npublic_url = "https://p.ville.test"\n[email]\n'
                    'smtp_host = "smtp.ville.test"\nfrom_address = "p@ville.test"\n' + lines,
                    encoding="utf-8")
    settings = load_settings(path)
    seen: list[dict[str, object]] = []

    class Recorded(aiosmtplib.SMTP):
        def __init__(self, **kwargs: object) -> None:
            seen.append(kwargs)
            super().__init__(**kwargs)  # type: ignore[arg-type]

        async def connect(self, **kwargs: object) -> aiosmtplib.SMTPResponse:
            return aiosmtplib.SMTPResponse(220, "ready")

    async def send(*args: object, **kwargs: object) -> None:
        seen.append(kwargs)

    monkeypatch.setattr(adapter_module.aiosmtplib, "SMTP", Recorded)
    monkeypatch.setattr(report_mail.aiosmtplib, "send", send)
    await EmailAdapter(settings)._connect()  # residents' mail: the connection only
    mailer = report_mail.report_mailer(settings)
    assert mailer is not None
    await mailer.send("voirie@ville.test", ServiceMessage("s", "b", None), key="r-1")
    assert [(k["use_tls"], k["start_tls"]) for k in seen] == [(use_tls, start_tls)] * 2
