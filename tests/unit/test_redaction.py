"""Log redaction: people are masked as whole words; payload loggers are held at --verbose."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from animabot.cli.common import setup_logging
from animabot.redaction import (
    PERSON,
    PLATFORM_LOGGERS,
    forget_identities,
    register_identity,
    scrub,
)


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in PLATFORM_LOGGERS}
    forget_identities()
    yield
    forget_identities()
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_registered_people_are_masked_as_words_not_inside_other_words() -> None:
    register_identity(987654301, "Zéphyrine", "Quillebeuf-Arnaud", "zephy_quill42", None)
    line = scrub("{'id': 987654301, 'first_name': 'ZÉPHYRINE', 'last_name': "
                 "'Quillebeuf-Arnaud', 'username': 'zephy_quill42', 'chat_instance': "
                 "'ci987654301'} Arnaudville 1234")
    assert "987654301" not in line and "phyrine" not in line.lower()
    assert "Quillebeuf" not in line and "zephy_quill42" not in line
    assert line.count(PERSON) == 6 and "Arnaudville 1234" in line


def test_tracebacks_are_masked_too() -> None:
    register_identity("Ondine")
    try:
        raise ValueError("Ondine pressed twice")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, "f", 1, "failed", (),
                                                   sys.exc_info())
    assert record.exc_text and "Ondine" not in record.exc_text


def test_verbose_logging_holds_the_payload_printing_loggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in PLATFORM_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    monkeypatch.delenv("ANIMABOT_DEBUG_PLATFORM", raising=False)
    setup_logging(True)
    for name in ("telegram.Bot", "telegram.ext.Application", "nio.crypto", "aiohttp.access"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    for name in PLATFORM_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    monkeypatch.setenv("ANIMABOT_DEBUG_PLATFORM", "1")  # a developer lifts the hold
    setup_logging(True)
    assert logging.getLogger("telegram.Bot").level == logging.NOTSET
