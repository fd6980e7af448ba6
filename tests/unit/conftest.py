"""Fixtures for the scenario tests: a scenario file writer and the usual sending windows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from animabot.domain.window import DeliveryWindow

# The smallest valid scenario: tests append steps to it. Lines 1-8, the step header on line 4.
MINIMAL = """\
id = "essai"
title = "Essai"

[[steps]]
id = "annonce"
kind = "announcement"
at = "+0"
text.fr = "Bonjour"
"""


@pytest.fixture
def minimal_scenario() -> str:
    return MINIMAL


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str | bytes], Path]:
    """Write a scenario text (or raw bytes) to a fresh file and return its path."""
    counter = iter(range(1000))

    def write(content: str | bytes) -> Path:
        path = tmp_path / f"scenario-{next(counter)}.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def paris_window() -> DeliveryWindow:
    """The default sending window: 09:00-20:00 in Paris, closed on Sundays."""
    return DeliveryWindow.from_settings("09:00-20:00", "Europe/Paris", ["sunday"])


@pytest.fixture
def always_paris() -> DeliveryWindow:
    return DeliveryWindow.always("Europe/Paris")
