"""The e-mail adapter against a real SMTP server on 127.0.0.1: what each answer of the relay
becomes for the worker, and a kept connection the relay closed is replaced unseen."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.email.adapter import EmailAdapter
from adapters.email.settings import EmailSettings
from animabot.chat.outgoing import OutgoingMessage, PersonalLinks, Target
from animabot.config import Settings
from animabot.errors import ChatUnreachableError, RejectedError, TransientError
from tests.conftest import make_settings
from tests.support.smtp_server import SmtpServer, smtp_server

PERSONAL = PersonalLinks("fr", "https://p.test/r/u", "Se désabonner", "Parce que.")
NEWS = OutgoingMessage("Une nouvelle.", personal=PERSONAL)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


def _settings(tmp_path: Path, port: int) -> Settings:
    settings = make_settings(tmp_path)
    settings.web.public_url = "https://p.test"
    setattr(settings, "email", EmailSettings(  # noqa: B010 (the adapter's table)
        enabled=True, smtp_host="127.0.0.1", smtp_port=port, starttls=False,
        from_address="participation@ville.test"))
    return settings


def _to(address: str) -> Target:
    return Target("email", address, True)


async def test_each_answer_of_the_relay_becomes_the_workers_word(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    adapter = EmailAdapter(_settings(tmp_path, smtp.port))
    smtp.handler.refused.add("gone@example.org")
    smtp.handler.later["full@example.org"] = 1
    connect, connections = adapter._connect, []

    async def counted() -> object:
        connections.append(1)
        return await connect()

    adapter._connect = counted  # type: ignore[method-assign,assignment]
    try:
        result = await adapter.send(_to("ana@example.org"), NEWS, key="c:s:send:r:1")
        assert result.ref is not None and result.ref.endswith("@ville.test>")
        with pytest.raises(ChatUnreachableError) as gone:
            await adapter.send(_to("gone@example.org"), NEWS, key="c:s:send:r:2")
        assert "550" in str(gone.value) and "gone@" not in str(gone.value)
        with pytest.raises(TransientError):
            await adapter.send(_to("full@example.org"), NEWS, key="c:s:send:r:3")
        await adapter.send(_to("full@example.org"), NEWS, key="c:s:send:r:3")  # retried
        with pytest.raises(RejectedError):  # never an e-mail without its unsubscribe link
            await adapter.send(_to("ana@example.org"), OutgoingMessage("x"), key="k")
        assert [len(smtp.handler.to(a)) for a in ("ana@example.org", "full@example.org")] \
            == [1, 1]

        smtp.restart()  # the relay drops the idle connection
        await adapter.send(_to("ana@example.org"), NEWS, key="c:s:send:r:4")
        assert len(smtp.handler.to("ana@example.org")) == 2
        assert len(connections) == 2  # refusals keep the connection; the restart did not
    finally:
        await adapter.stop()


async def test_a_relay_that_cannot_be_reached_is_a_temporary_fault(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    adapter = EmailAdapter(_settings(tmp_path, port))  # nobody listens there
    with pytest.raises(TransientError):
        await adapter.send(_to("ana@example.org"), NEWS, key="k")
