"""Signed personal links: what a resident reached by e-mail or SMS opens instead of pressing
a button. The web side verifies them with :meth:`LinkSigner.verify`.

A token is ``<tag>.<expiry>.<action>~<signature>``:

- ``tag``: the resident's random tag (``resident.tag``, erased with them), never the
  pseudonym nor the address — links end up in mail logs and browser histories;
- ``expiry``: Unix seconds; a token is refused after it;
- ``action``: what the link leads to, in the button actions' words
  (:mod:`animabot.campaigns.actions`): ``v.<delivery>.<option>`` an option of a poll,
  ``p.<delivery>`` the poll's answer page, ``t.<delivery>.<card>`` a training's reading page,
  ``u`` unsubscribing, ``d`` the resident's data page (sent by SMS to ``DONNEES``),
  ``a.<neighbourhood>.<language>`` confirming a sign-up (double
  opt-in: what was asked is applied only then), ``s.<neighbourhood>.<language>`` a sign-up
  waiting for its SMS code (never opened as a link: the code page carries it), ``r`` the
  page where the resident reports a problem in the street (signalement);
- ``signature``: 22 characters of URL-safe base64 of HMAC-SHA256 over ``tag.expiry.action``,
  with a key derived from the pseudonym key (``links|``), distinct from the buttons' one.

Every character is URL-safe, so a token is a path segment as it is:
``{[web] public_url}/r/<token>`` (:func:`personal_url`).

**Opening a link must never act by itself**: mail scanners and link previews open every link.
A GET shows a page with the choice and a button; only that button's POST votes or
unsubscribes. The one exception is RFC 8058's one-click unsubscribe: a POST to the
``List-Unsubscribe`` URL with the body ``List-Unsubscribe=One-Click`` unsubscribes at once
(mail clients send it only when the person chose "unsubscribe").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SIGNATURE_CHARS = 22  # 132 bits
LINK_DAYS = 90  # a poll's or a training's link
UNSUBSCRIBE_DAYS = 400  # an unsubscribe link outlives any campaign (RFC 8058 wants it to work)
UNSUBSCRIBE = "u"
CONFIRM = "a"  # a sign-up's confirmation link (e-mail)
SMS_CODE = "s"  # a sign-up waiting for the code sent by SMS
CONFIRM_DAYS = 2
REPORT = "r"  # the problem report page (e-mail footers, the data page)
REPORT_DAYS = 400  # like an unsubscribe link: a footer's link should still work next year
DATA = "d"  # the data page (/mesdonnees on the web), asked for by SMS
DATA_DAYS = 7
_TAG = re.compile(r"^[0-9a-f]{1,32}$")
_ACTION = re.compile(r"^[a-z](\.[0-9a-z_-]{1,40}){0,4}$")


@dataclass(frozen=True)
class PersonalLink:
    """A verified token: who (the resident's tag), what (the action) and until when."""

    tag: str
    action: str
    expires_at: datetime


class LinkSigner:
    """Signs and verifies personal links (see the module's docstring)."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"links|" + key).digest()

    def derived(self, purpose: bytes) -> bytes:
        """A key for another use of the same secret (the pages' form tokens)."""
        return hashlib.sha256(purpose + self._key).digest()

    def _signature(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_CHARS]

    def sign(self, tag: str, action: str, expires_at: datetime) -> str:
        """A token for the resident ``tag`` to reach ``action`` until ``expires_at``."""
        if not _TAG.match(tag):
            raise ValueError("a link names a resident by their hexadecimal tag")
        if not _ACTION.match(action):
            raise ValueError(f"{action!r} is not an action a link can carry")
        payload = f"{tag}.{int(expires_at.timestamp())}.{action}"
        return f"{payload}~{self._signature(payload)}"

    def verify(self, token: str, now: datetime) -> PersonalLink | None:
        """The link, or ``None`` when the token was forged, altered, malformed or has
        expired: refused, never an exception (tokens come from the outside)."""
        if len(token) > 200 or not token.isascii():
            return None
        payload, _, signature = token.rpartition("~")
        if not payload or not hmac.compare_digest(
            signature.encode("ascii"), self._signature(payload).encode("ascii")
        ):
            return None
        tag, expiry, action = [*payload.split(".", 2), "", ""][:3]
        if not (_TAG.match(tag) and expiry.isdigit() and _ACTION.match(action)):
            return None
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
        if now >= expires_at:
            return None
        return PersonalLink(tag, action, expires_at)


def personal_url(public_url: str, token: str) -> str:
    """Where a token is opened: ``{public_url}/r/<token>``."""
    return f"{public_url.rstrip('/')}/r/{token}"


def link_expiry(now: datetime, action: str) -> datetime:
    """How long a link works: an unsubscribe link much longer than a poll's."""
    days = {UNSUBSCRIBE: UNSUBSCRIBE_DAYS, CONFIRM: CONFIRM_DAYS, SMS_CODE: CONFIRM_DAYS,
            REPORT: REPORT_DAYS, DATA: DATA_DAYS}.get(action.split(".", 1)[0], LINK_DAYS)
    return now + timedelta(days=days)


@dataclass(frozen=True)
class SignUpRequest:
    """What a sign-up's token carries: applied when the person confirms."""

    verb: str  # CONFIRM or SMS_CODE
    neighbourhood_id: str
    language: str

    def action(self) -> str:
        return f"{self.verb}.{self.neighbourhood_id}.{self.language}"


def sign_up_of(action: str) -> SignUpRequest | None:
    """The sign-up an ``a``/``s`` action asks for, or None for any other action."""
    verb, _, rest = action.partition(".")
    hood, _, language = rest.partition(".")
    if verb not in (CONFIRM, SMS_CODE) or not hood or not language or "." in language:
        return None
    return SignUpRequest(verb, hood, language)
