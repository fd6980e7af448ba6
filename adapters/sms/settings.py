"""``[sms]``: the SMS adapter's table (the SMS Gateway for Android), and what ``config check``
says about it.

Light on purpose (pydantic and the core only): the configuration is checked on machines
without the gateway's client, and reading this table must never import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr

from animabot.config import AdapterSection, SectionProblem, Settings
from animabot.i18n.lazy import lazy as _

CLOUD_URL = "https://api.sms-gate.app/3rdparty/v1"
# The gateway posts webhooks to HTTPS addresses, and to plain HTTP on the phone itself only.
LOCAL_HTTP = ("http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/")


class SmsSettings(AdapterSection):
    # The API's base: the cloud relay (default), a private server's …/3rdparty/v1, or the
    # town hall's phone on the local network (http://PHONE:8080).
    gateway_url: str = CLOUD_URL
    username: str = ""
    password: SecretStr | None = None
    password_file: Path | None = None
    # The webhook signing key (the app's Settings → Webhooks → Signing Key).
    webhook_secret: SecretStr | None = None
    webhook_secret_file: Path | None = None
    # The public URL the gateway posts incoming SMS to; registered at start-up when given.
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1:8091"  # where our endpoint listens (behind the proxy)
    webhook_path: str = "/sms/webhook"
    webhook_tolerance: Annotated[int, Field(ge=30, le=3600)] = 300  # seconds of clock skew
    # Android lets an app send SMS_OUTGOING_CHECK_MAX_COUNT parts (30 by default) in any
    # 30 minutes before it asks the phone's owner; each segment counts.
    max_per_window: Annotated[int, Field(ge=1, le=10_000)] = 30
    window_minutes: Annotated[float, Field(gt=0, le=24 * 60)] = 30.0
    max_segments: Annotated[int, Field(ge=1, le=10)] = 3  # per message: longer texts are cut
    sender_name: str = ""  # first line of every SMS, e.g. "Mairie de Saint-Ouen"
    stop_hint: bool = True  # "STOP pour ne plus recevoir de SMS" at the end of each SMS
    # simplify: ê → e, ç → c, œ → oe… (é, è, à, ù stay): 160 characters a segment, not 70.
    accents: Literal["keep", "simplify"] = "simplify"
    confirm_answers: bool = True  # an SMS back when a reply is recorded ("Réponse enregistrée")
    in_flight: Annotated[int, Field(ge=1, le=16)] = 2
    request_timeout: Annotated[float, Field(gt=0, le=120)] = 20.0

    def problems(self) -> list[SectionProblem]:
        """An enabled gateway needs its URL, credentials and signing key."""
        if not self.enabled:
            return []
        found: list[SectionProblem] = []
        if not self.gateway_url.startswith(("https://", "http://")):
            found.append(SectionProblem(
                "gateway_url", _("the SMS gateway's address must start with https://"),
                _('write gateway_url = "{url}"', url=CLOUD_URL)))
        if not self.username:
            found.append(SectionProblem(
                "username", _("SMS is enabled but no gateway username is given"),
                _("copy the username shown in the SMS Gateway app")))
        if not (self.password and self.password.get_secret_value()) and \
                self.password_file is None:
            found.append(SectionProblem(
                "password", _("SMS is enabled but no gateway password is given"),
                _('set ANIMABOT_SMS__PASSWORD, or password_file = "/run/secrets/sms_password"')))
        if not (self.webhook_secret and self.webhook_secret.get_secret_value()) and \
                self.webhook_secret_file is None:
            found.append(SectionProblem(
                "webhook_secret", _("SMS is enabled but no webhook signing key is given"),
                _("copy the app's Settings → Webhooks → Signing Key into "
                  "ANIMABOT_SMS__WEBHOOK_SECRET")))
        if self.webhook_url and not self.webhook_url.startswith(("https://", *LOCAL_HTTP)):
            found.append(SectionProblem(
                "webhook_url", _("the gateway posts incoming SMS to HTTPS addresses only"),
                _('write webhook_url = "https://bot.example.org/sms/webhook"')))
        for key, path in (("password_file", self.password_file),
                          ("webhook_secret_file", self.webhook_secret_file)):
            if path is not None and not Path(path).is_file():
                found.append(SectionProblem(
                    key, _("{path} does not exist", path=path), _("create it or fix the path")))
        return found


def sms_settings(settings: Settings) -> SmsSettings:
    """``[sms]`` of ``settings``, typed."""
    return settings.section("sms", SmsSettings)
