"""Keep secrets and people out of every log line, whoever logs it, at any level.

Libraries log what they like: python-telegram-bot logs its API URL, which holds the token,
and every update it receives (user ids, first and last names, usernames) at DEBUG; httpx logs
request URLs at INFO; nio logs sync responses. Two defences, both here:

- the loggers that print platform payloads are held at INFO or WARNING even with
  ``--verbose`` (:func:`hold_platform_loggers`); a developer who needs the payloads sets
  ``ANIMABOT_DEBUG_PLATFORM=1``;
- adapters register the secrets they hold and the identities they see (:func:`register_secret`,
  :func:`register_identity`), and every log record is redacted when it is created, traceback
  included — so even lifted, or through a logger nobody thought of, a known person is masked.

Identities are matched as whole words, case-insensitively: ``Ana`` is masked, ``Analyse`` is
not. Long digit runs only (a Telegram user id), so that times and counts stay readable.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

_secrets: set[str] = set()
_addresses: OrderedDict[str, None] = OrderedDict()  # e-mail addresses, phone numbers (folded)
_identities: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()
_installed = False
MASK = "[secret]"
PERSON = "[person]"
ADDRESS = "[address]"
MAX_IDENTITIES = 100_000  # a bound on memory; the oldest are forgotten first
MIN_DIGITS = 5  # a shorter number is a count or a time, not an account id
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(rf"\d{{{MIN_DIGITS},}}")  # an id glued to letters: "ci987654301"

# Loggers that print whole requests or responses (updates, sync batches, access lines),
# and the level they are held at unless ANIMABOT_DEBUG_PLATFORM=1.
PLATFORM_LOGGERS: dict[str, int] = {
    "telegram": logging.INFO,
    "telegram.Bot": logging.INFO,
    "telegram.ext": logging.INFO,
    "nio": logging.WARNING,
    "nio.crypto": logging.WARNING,
    "nio.client": logging.WARNING,
    "nio.responses": logging.WARNING,
    "nio.rooms": logging.WARNING,
    "nio.events": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "httpx": logging.WARNING,  # request URLs carry the Telegram bot token
    "httpcore": logging.WARNING,
    "aiosqlite": logging.WARNING,  # every statement with its parameters at DEBUG
    "aiosmtplib": logging.WARNING,  # SMTP dialogues (RCPT TO:<address>) at DEBUG
    "mail.log": logging.WARNING,  # aiosmtpd (tests, a local relay)
}
DEBUG_PLATFORM = "ANIMABOT_DEBUG_PLATFORM"


def hold_platform_loggers() -> None:
    """Cap the payload-printing loggers, unless a developer lifted the cap on purpose."""
    if os.environ.get(DEBUG_PLATFORM, "") not in ("", "0"):
        return
    for name, level in PLATFORM_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level < level:  # NOTSET or lower: never loosen a stricter choice
            logger.setLevel(level)


def _install() -> None:
    """Redact every record at creation (called with ``_lock`` held)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def register_secret(value: str | None) -> None:
    """Redact ``value`` (and its part after a ':' as in Telegram tokens) from now on."""
    if not value or len(value) < 8:
        return
    with _lock:
        _secrets.add(value)
        _, _, tail = value.partition(":")
        if len(tail) >= 8:
            _secrets.add(tail)
        _install()


def _words(value: str) -> Iterable[str]:
    for word in _WORD.findall(value):
        if word.isdigit() and len(word) < MIN_DIGITS:
            continue
        if len(word) >= 2:
            yield word.casefold()


def register_identity(*values: object) -> None:
    """Mask these (a user id, a first or last name, a username, a Matrix id) in every log
    line from now on. Each word of a value is masked on its own: "Jean-Luc" masks both."""
    words = [w for v in values if v is not None and v != "" for w in _words(str(v))]
    if not words:
        return
    with _lock:
        for word in words:
            _identities[word] = None
            _identities.move_to_end(word)
        while len(_identities) > MAX_IDENTITIES:
            _identities.popitem(last=False)
        _install()


def register_address(*values: str) -> None:
    """Mask these personal addresses (an e-mail address, a phone number) in every log line
    from now on, whole and case-insensitively; and any e-mail address at all once one is
    registered, so that a relay's answer quoting another spelling is masked too."""
    found = [value.casefold() for value in values if value and len(value) >= 5]
    if not found:
        return
    with _lock:
        for value in found:
            _addresses[value] = None
            _addresses.move_to_end(value)
        while len(_addresses) > MAX_IDENTITIES:
            _addresses.popitem(last=False)
        _install()


def forget_identities() -> None:
    """Tests: start from an empty register."""
    with _lock:
        _identities.clear()
        _addresses.clear()


_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+\d{8,15}")


def mask_addresses(text: str) -> str:
    """``text`` with every e-mail address, and every registered phone number, masked: for
    what a platform says back (an SMTP relay's answer quotes the address it refused)."""
    text = _EMAIL.sub(ADDRESS, text)
    return _PHONE.sub(lambda m: ADDRESS if m.group().casefold() in _addresses else m.group(),
                      text)


def _mask_people(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        return PERSON if match.group().casefold() in _identities else match.group()

    return _DIGITS.sub(mask, _WORD.sub(mask, text))


def scrub(text: str) -> str:
    """``text`` with every registered secret and identity masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    if _addresses:
        text = mask_addresses(text)
    return _mask_people(text) if _identities else text


def redact(record: logging.LogRecord) -> logging.LogRecord:
    if not _secrets and not _identities and not _addresses:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: let logging report it as usual
        return record
    cleaned = scrub(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # Formatters print the traceback later from exc_info: freeze it, redacted, now.
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
    return record
