"""A press's answer on the light client: a courtesy, whose failure is told, never raised."""

from __future__ import annotations

import logging
import socket

import pytest

from adapters.telegram.answers import PressAnswers


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the probe is closed


async def test_an_answer_that_cannot_leave_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "adapters.telegram.answers")
    answers = PressAnswers(f"http://127.0.0.1:{_closed_port()}/bot", "123:secret-token", 5.0)
    try:
        assert await answers.send("query", "Merci") is False
    finally:
        await answers.close()
    assert "could not be answered" in caplog.text
    assert "secret-token" not in caplog.text  # the URL carries the token: never logged
