"""Keep secrets (bot tokens, access tokens) out of every log line, whoever logs it.

Libraries log what they like: python-telegram-bot logs its API URL, which holds the token, at
DEBUG; httpx logs request URLs at INFO. Rather than chase each logger, adapters register
their secrets here and every log record is redacted when it is created.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False
MASK = "[secret]"


def register_secret(value: str | None) -> None:
    """Redact ``value`` (and its part after a ':' as in Telegram tokens) from now on."""
    global _installed
    if not value or len(value) < 8:
        return
    with _lock:
        _secrets.add(value)
        _, _, tail = value.partition(":")
        if len(tail) >= 8:
            _secrets.add(tail)
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                return redact(record)

            logging.setLogRecordFactory(factory)
            _installed = True


def redact(record: logging.LogRecord) -> logging.LogRecord:
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: let logging report it as usual
        return record
    if any(secret in message for secret in _secrets):
        for secret in sorted(_secrets, key=len, reverse=True):
            message = message.replace(secret, MASK)
        record.msg, record.args = message, ()
    return record
