"""An outgoing message as an e-mail, and what the relay's refusals become."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage

import aiosmtplib
import pytest

from adapters.email.adapter import classify
from adapters.email.message import build_email, message_id
from animabot import redaction
from animabot.chat.outgoing import Button, OutgoingMessage, PersonalLinks
from animabot.errors import ChatUnreachableError, RejectedError, TransientError


def _body(mail: EmailMessage, kind: str) -> str:
    part = mail.get_body((kind,))
    assert part is not None
    return str(part.get_content())


NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PERSONAL = PersonalLinks("en", "https://p.test/r/u-token", "Unsubscribe", "Because.",
                         "https://p.test/r/page", "Answer on the page")
MESSAGE = OutgoingMessage(
    "Do you want a garden?\nOne answer.",
    ((Button("1. Yes", "v.1.0~x", "https://p.test/r/yes"),),
     (Button("2. No <b>", "v.1.1~x", "https://p.test/r/no"),)),
    title="Poll", question=True, personal=PERSONAL)


def test_an_email_is_multipart_with_one_click_unsubscribe_and_a_stable_message_id() -> None:
    mail = build_email(MESSAGE, "ana@example.org", "c:envie:send:r:abc", "p@ville.fr",
                       "Mairie", NOW)
    assert mail["Subject"] == "Poll · Do you want a garden?"
    assert mail["List-Unsubscribe"] == "<https://p.test/r/u-token>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"] == message_id("c:envie:send:r:abc", "p@ville.fr")
    assert "envie" not in mail["Message-ID"]  # the key (and its tag) is hashed
    assert mail["Content-Language"] == "en"
    text = _body(mail, "plain")
    assert "1. Yes : https://p.test/r/yes" in text
    assert "Answer on the page : https://p.test/r/page" in text
    assert "Unsubscribe : https://p.test/r/u-token" in text
    html = _body(mail, "html")
    assert '<a href="https://p.test/r/no">No &lt;b&gt;</a>' in html  # escaped, unnumbered
    assert '<html lang="en">' in html


def _refused(code: int) -> aiosmtplib.SMTPRecipientsRefused:
    return aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(
        code, "<Ana@Example.org>: Recipient address rejected", "ana@example.org")])


@pytest.mark.parametrize(("exc", "kind"), [
    (_refused(550), ChatUnreachableError),
    (_refused(451), TransientError),
    (aiosmtplib.SMTPDataError(554, "spam"), RejectedError),
    (aiosmtplib.SMTPDataError(451, "later"), TransientError),
    (aiosmtplib.SMTPSenderRefused(550, "no", "p@ville.fr"), TransientError),
    (aiosmtplib.SMTPServerDisconnected("gone"), TransientError),
    (aiosmtplib.SMTPConnectError("refused"), TransientError),
    (ConnectionResetError(), TransientError),
])
def test_a_permanent_refusal_of_the_address_only_makes_it_unreachable(
    exc: Exception, kind: type[Exception]
) -> None:
    error = classify(exc, "ana@example.org")
    assert type(error) is kind
    assert "ana@example.org" not in str(error).lower()


def test_logs_mask_every_email_address_once_one_is_registered(
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    redaction.register_address("ana@example.org", "+33612345678")
    try:
        logging.getLogger("aiosmtplib").warning("RCPT TO:<Ana@example.org> for %s, %s",
                                                "other@mail.example", "+33612345678")
    finally:
        redaction.forget_identities()
    assert "example" not in caplog.text and "+336" not in caplog.text
    assert caplog.text.count("[address]") == 3
