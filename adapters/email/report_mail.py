"""Problem reports to a service by e-mail, through the same ``[email]`` relay as residents'
mail (entry point ``animabot.report_mailers``): plain text, the stripped photo attached."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate

import aiosmtplib

from animabot.config import Settings
from animabot.errors import RoutingError
from animabot.problems.dispatch import ServiceMessage

from .message import message_id
from .settings import EmailSettings, email_settings


def report_mailer(settings: Settings) -> SmtpReportMailer | None:
    """A mailer when ``[email]`` has a relay and a sender (the adapter may be off: the
    services can get reports even where residents are not written to by e-mail)."""
    config = email_settings(settings)
    if not config.mails_reports():
        return None
    return SmtpReportMailer(config, settings.secret(config.password, config.password_file))


class SmtpReportMailer:
    def __init__(self, config: EmailSettings, password: str | None) -> None:
        self.config = config
        self.password = password

    async def send(self, to: str, message: ServiceMessage, *, key: str) -> None:
        mail = EmailMessage()
        mail["From"] = formataddr((self.config.from_name, self.config.from_address))
        mail["To"] = to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(key, self.config.from_address)
        mail.set_content(message.body)
        if message.photo is not None:
            mail.add_attachment(message.photo, maintype="image", subtype="jpeg",
                                filename=message.photo_name)
        try:
            await aiosmtplib.send(
                mail, hostname=self.config.smtp_host, port=self.config.smtp_port,
                use_tls=self.config.tls().use_tls,
                start_tls=self.config.tls().start_tls, timeout=self.config.timeout,
                username=self.config.username or None,
                password=self.password if self.config.username else None)
        except (aiosmtplib.SMTPException, OSError) as exc:
            code = getattr(exc, "code", None)
            raise RoutingError(f"the e-mail relay refused or could not be reached"
                               f" ({type(exc).__name__}{f' {code}' if code else ''})") from None
