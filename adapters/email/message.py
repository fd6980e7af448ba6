"""An outgoing message as an e-mail: multipart text + HTML, a Message-ID derived from the
delivery (a resend after a crash carries the same one, so mail clients show it once), and
RFC 8058's one-click unsubscribe headers. Pure: no network."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from animabot.chat.outgoing import OutgoingMessage

SUBJECT_CHARS = 78


def message_id(key: str, from_address: str) -> str:
    """``<hash of the delivery key@sender's domain>``: stable across retries of one
    delivery, and the key (which names the resident's tag) is not readable in it."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}.animabot@{from_address.rpartition('@')[2]}>"


def subject(message: OutgoingMessage) -> str:
    first = next((line for line in message.text.splitlines() if line.strip()), "")
    text = f"{message.title} · {first}" if message.title else first
    return text if len(text) <= SUBJECT_CHARS else text[: SUBJECT_CHARS - 1] + "…"


def plain_text(message: OutgoingMessage) -> str:
    lines = [message.text, ""]
    for row in message.buttons:
        for button in row:
            lines.append(f"{button.label} : {button.url}" if button.url else button.label)
    personal = message.personal
    if personal is not None:
        if personal.page:
            lines += ["", f"{personal.page_label} : {personal.page}"]
        lines += ["", "-- ", personal.why]
        if personal.report:
            lines.append(f"{personal.report_label} : {personal.report}")
        lines.append(f"{personal.unsubscribe_label} : {personal.unsubscribe}")
    return "\n".join(lines).strip() + "\n"


def _html(message: OutgoingMessage) -> str:
    language = message.personal.language if message.personal else "fr"
    parts = [f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
             f"<title>{escape(subject(message))}</title></head>"
             '<body style="font-family:sans-serif;max-width:40em">']
    if message.title:
        parts.append(f"<h1 style=\"font-size:1.3em\">{escape(message.title)}</h1>")
    parts += [f"<p>{escape(line)}</p>" for line in message.text.splitlines() if line.strip()]
    links = [button for row in message.buttons for button in row]
    if links:
        parts.append("<ul>")
        for button in links:
            label = escape(button.unnumbered if message.question else button.label)
            parts.append(f'<li><a href="{escape(button.url)}">{label}</a></li>' if button.url
                         else f"<li>{label}</li>")
        parts.append("</ul>")
    personal = message.personal
    if personal is not None:
        if personal.page:
            parts.append(f'<p><a href="{escape(personal.page)}">'
                         f"{escape(personal.page_label)}</a></p>")
        report = (f'<a href="{escape(personal.report)}">{escape(personal.report_label)}'
                  "</a> · ") if personal.report else ""
        parts.append(f'<hr><p style="font-size:.85em">{escape(personal.why)} {report}'
                     f'<a href="{escape(personal.unsubscribe)}">'
                     f"{escape(personal.unsubscribe_label)}</a></p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def build_email(
    message: OutgoingMessage, to: str, key: str, sender: str, sender_name: str, now: datetime
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = Address(sender_name, addr_spec=sender) if sender_name else sender
    mail["To"] = to
    mail["Subject"] = subject(message)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id(key, sender)
    mail["Auto-Submitted"] = "auto-generated"  # no vacation replies
    if message.personal is not None:
        mail["List-Unsubscribe"] = f"<{message.personal.unsubscribe}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(plain_text(message))
    mail.add_alternative(_html(message), subtype="html")
    if message.personal is not None:  # after the content, which resets Content-* headers
        mail["Content-Language"] = message.personal.language
    return mail
