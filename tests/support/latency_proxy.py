"""A TCP proxy on loopback that delays every byte by a fixed time each way, as a network does.

Loopback answers in microseconds, which hides what a homeserver across a network costs: a
client that waits for each answer before the next request. The proxy holds each chunk it
reads for ``delay`` seconds before passing it on, in order, without holding back the chunks
behind it (a pipe with a latency, not a queue served one request at a time), so that many
requests in flight each pay one round trip, as on a real link.

    async with LatencyProxy("127.0.0.1", 8008, delay=0.05) as proxy:
        url = proxy.url  # http://127.0.0.1:<port>
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import TracebackType
from typing import Self

CHUNK = 65536


class LatencyProxy:
    def __init__(self, host: str, port: int, *, delay: float) -> None:
        if delay < 0:
            raise ValueError("delay is a duration: 0 or more seconds")
        self.upstream = (host, port)
        self.delay = delay
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()  # one per client connection

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._links):
            task.cancel()
        await asyncio.gather(*self._links, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link = asyncio.current_task()
        assert link is not None
        self._links.add(link)
        streams = [writer]
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            streams.append(up_writer)
            pipes = [asyncio.create_task(self._pipe(reader, up_writer)),
                     asyncio.create_task(self._pipe(up_reader, writer))]
            try:
                await asyncio.gather(*pipes)
            finally:
                for pipe in pipes:
                    pipe.cancel()
                await asyncio.gather(*pipes, return_exceptions=True)
        except OSError:
            pass
        finally:
            self._links.discard(link)
            for stream in streams:
                stream.close()
                with contextlib.suppress(OSError, asyncio.CancelledError):
                    await stream.wait_closed()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read as it comes; write each chunk ``delay`` after it was read, in order."""
        chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await chunks.get()
                if not data:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while True:
                data = await reader.read(CHUNK)
                chunks.put_nowait((time.monotonic() + self.delay, data))
                if not data:
                    break
            await delivering
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await delivering
