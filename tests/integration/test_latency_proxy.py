"""The latency proxy of the Matrix bench: every byte delayed each way, many in flight."""

from __future__ import annotations

import asyncio
import time

from tests.support.latency_proxy import LatencyProxy

DELAY = 0.05


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def _round_trip(port: int, payload: bytes) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    began = time.monotonic()
    writer.write(payload)
    await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(len(payload)), 10) == payload
    took = time.monotonic() - began
    writer.close()
    await writer.wait_closed()
    return took


async def test_a_round_trip_pays_the_delay_each_way_and_requests_do_not_queue() -> None:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        async with LatencyProxy("127.0.0.1", port, delay=DELAY) as proxy:
            alone = await _round_trip(proxy.port, b"ping")
            assert alone >= 2 * DELAY
            together = await asyncio.gather(*(_round_trip(proxy.port, b"x" * 10)
                                              for _ in range(10)))
            # ten at once: each pays one round trip, not ten one after another
            assert max(together) < 10 * 2 * DELAY
    finally:
        server.close()
        await server.wait_closed()
