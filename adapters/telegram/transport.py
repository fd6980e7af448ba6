"""python-telegram-bot's HTTP requests carried by aiohttp instead of httpx.

PTB makes its networking backend pluggable (``telegram.request.BaseRequest``): ``Bot`` builds
each call, parses each answer and raises its errors as before; only the bytes travel another
way. Measured on the Bot API emulator (``bench/README.md``), a ``sendMessage`` through
httpx (its connection pool, anyio, h11: two socket writes a request) costs the process about
twice the CPU it costs through aiohttp — and a broadcast is thousands of them. The answers'
and the member counts' clients were already aiohttp (``.answers``, ``.counts``).

Errors keep the line :mod:`.errors` draws: a connection that could not be had (refused, no
free connection in time) raises ``NetworkError`` / ``TimedOut`` caused by
``aiohttp.ClientConnectorError`` / ``aiohttp.ConnectionTimeoutError``, safe to retry; a
request cut once it may have left (no answer in time, the connection lost) is caused by
anything else, and may have been delivered.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from .identities import register_people


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """One aiohttp session: ``connections`` at once, each answer's people registered for log
    redaction before PTB (which logs answers at DEBUG) sees them."""

    def __init__(self, connections: int = 8, *, read_timeout: float | None = 15.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 5.0) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        # No write time-out (aiohttp has none of its own): a request's body is small next to
        # a socket's buffer, and a stalled write shows up as no answer within the read one.
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect,
            connect=None if connect is None or pool is None else connect + pool,
            sock_read=_given(read_timeout, self._read_timeout))
        try:
            async with self._session.request(method, url, data=_body(request_data),
                                             timeout=timeout) as response:
                payload = await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("no connection to Telegram in time: the request was not sent") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        register_people(payload)
        return response.status, payload


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """A form as PTB's httpx client sends it: url-encoded, or multipart with files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
