"""``[telegram]``: the Telegram adapter's table, and what ``config check`` says about it.

Light on purpose (pydantic and the core only): the configuration is checked on machines
without python-telegram-bot, and reading this table must never import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, SecretStr

from animabot.config import AdapterSection, SectionProblem, Settings
from animabot.i18n.lazy import lazy as _


class TelegramSettings(AdapterSection):
    table: ClassVar[str] = "telegram"
    token: SecretStr | None = None
    token_file: Path | None = None
    base_url: str = "https://api.telegram.org/bot"  # or a self-hosted Bot API server
    # Where files (residents' photos) are downloaded from; empty: derived from base_url
    # ("…/bot" → "…/file/bot"), which also serves a self-hosted Bot API server.
    base_file_url: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: Annotated[int, Field(ge=1, le=50)] = 25  # seconds a getUpdates waits
    read_timeout: Annotated[float, Field(gt=0, le=120)] = 15.0  # then a send is "unknown"
    webhook_listen: str = "127.0.0.1:8443"  # where our webhook endpoint listens
    webhook_url: str = ""  # the public HTTPS URL Telegram posts to (webhook mode)
    secret_token: SecretStr | None = None  # checked on every webhook request
    # Connections Telegram may open to the webhook at once (its own default is 40).
    webhook_max_connections: Annotated[int, Field(ge=1, le=100)] = 100
    global_per_second: Annotated[float, Field(gt=0)] = 30.0
    per_chat_per_second: Annotated[float, Field(gt=0)] = 1.0
    group_per_minute: Annotated[float, Field(gt=0)] = 20.0
    # Sends awaiting their answer at once (a round trip is 50-250 ms; pacing still applies).
    in_flight: Annotated[int, Field(ge=1, le=64)] = 8

    def problems(self) -> list[SectionProblem]:
        """An enabled bot needs its token, and webhook mode its public URL and secret."""
        if not self.enabled:
            return []
        found: list[SectionProblem] = []
        if not (self.token and self.token.get_secret_value()) and self.token_file is None:
            found.append(SectionProblem(
                "token", _("Telegram is enabled but no bot token is given"),
                _('set {variable}, or token_file = "/run/secrets/telegram_token"',
                  variable=self.env("token"))))
        if self.mode == "webhook":
            if not self.webhook_url.startswith("https://"):
                found.append(SectionProblem(
                    "webhook_url", _("webhook mode needs the public HTTPS URL"),
                    _('write webhook_url = "https://bot.example.org/telegram"')))
            if not (self.secret_token and self.secret_token.get_secret_value()):
                found.append(SectionProblem(
                    "secret_token", _("webhook mode needs a secret token"),
                    _("set {variable} to a long random string",
                      variable=self.env("secret_token"))))
        if self.token_file is not None and not Path(self.token_file).is_file():
            found.append(SectionProblem(
                "token_file", _("{path} does not exist", path=self.token_file),
                _("create it or fix the path")))
        return found


def telegram_settings(settings: Settings) -> TelegramSettings:
    """``[telegram]`` of ``settings``, typed."""
    return settings.section("telegram", TelegramSettings)


def file_url(config: TelegramSettings) -> str:
    """``base_file_url``, or the one the Bot API serves beside ``base_url``."""
    if config.base_file_url:
        return config.base_file_url
    base = config.base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("bot")] + "file/bot"
    return base + "/file/bot"
