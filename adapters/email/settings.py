"""``[email]``: the e-mail adapter's table. Light (pydantic and the core only): checking the
configuration never imports the SMTP library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NamedTuple

from pydantic import Field, SecretStr

from animabot.config import AdapterSection, SectionProblem, Settings
from animabot.i18n.lazy import lazy as _


class SmtpTls(NamedTuple):
    """How a connection to the relay is encrypted, as aiosmtplib takes it."""

    use_tls: bool  # TLS from the first byte (port 465)
    start_tls: bool  # STARTTLS after the greeting (port 587)


class EmailSettings(AdapterSection):
    needs_public_pages = True  # polls, unsubscribing: every e-mail carries personal links
    smtp_host: str = ""  # the town hall's relay: "smtp.ville.fr"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True  # upgrade the connection to TLS (port 587); false on a local relay
    # TLS from the first byte (port 465, "SMTPS"); unset: true when smtp_port is 465. When
    # true, starttls is not used (the connection is already encrypted).
    implicit_tls: bool | None = None
    username: str = ""  # empty: the relay takes mail without authentication
    password: SecretStr | None = None  # usually ANIMABOT_EMAIL__PASSWORD
    password_file: Path | None = None
    from_address: str = ""  # "participation@ville.fr"
    from_name: str = ""  # shown before the address: "Mairie de Villeneuve"
    # The relay's pace: messages per minute (a town hall's relay often allows 60 to 600).
    per_minute: Annotated[float, Field(gt=0, le=60_000)] = 120.0
    in_flight: Annotated[int, Field(ge=1, le=16)] = 2  # SMTP connections used at once
    timeout: Annotated[float, Field(gt=0, le=300)] = 30.0  # seconds per SMTP exchange

    def tls(self) -> SmtpTls:
        """aiosmtplib's ``use_tls`` (implicit TLS) and ``start_tls``: never both."""
        implicit = self.smtp_port == 465 if self.implicit_tls is None else self.implicit_tls
        return SmtpTls(use_tls=implicit, start_tls=self.starttls and not implicit)

    def mails_reports(self) -> bool:
        """A relay and a sender are enough for the services' reports: residents' mail
        (``enabled``) is another matter."""
        return bool(self.smtp_host) and "@" in self.from_address

    def problems(self) -> list[SectionProblem]:
        """An enabled adapter needs its relay and sender; a named password file must exist."""
        if not self.enabled:
            return []
        found: list[SectionProblem] = []
        if not self.smtp_host:
            found.append(SectionProblem(
                "smtp_host", _("e-mail is enabled but no SMTP relay is given"),
                _('write smtp_host = "smtp.ville.fr" (ask the town hall\'s IT service)')))
        if "@" not in self.from_address:
            found.append(SectionProblem(
                "from_address", _("e-mail is enabled but has no sender address"),
                _('write from_address = "participation@ville.fr"')))
        if self.password_file is not None and not Path(self.password_file).is_file():
            found.append(SectionProblem(
                "password_file", _("{path} does not exist", path=self.password_file),
                _("create it or fix the path")))
        return found


def email_settings(settings: Settings) -> EmailSettings:
    """``[email]`` of ``settings``, typed."""
    return settings.section("email", EmailSettings)
