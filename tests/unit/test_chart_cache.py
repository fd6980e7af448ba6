"""Charts are drawn once per picture: shared by concurrent requests, kept while unchanged."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from animabot.web.chart_cache import ChartCache, chart_key


def test_the_key_changes_with_what_the_chart_shows() -> None:
    assert chart_key("c", "options", (1, 2)) == chart_key("c", "options", (1, 2))
    assert chart_key("c", "options", (1, 2)) != chart_key("c", "options", (1, 3))
    assert chart_key("c", "options", (1, 2)) != chart_key("c", "over-time", (1, 2))


async def test_a_drawing_is_shared_then_kept_and_the_oldest_goes_first() -> None:
    calls: list[str] = []

    def draw(name: str) -> bytes:
        calls.append(name)
        return name.encode()

    with ThreadPoolExecutor(1) as painter:
        cache = ChartCache(painter, kept=2)
        got = await asyncio.gather(*(cache.get("a", lambda: draw("a")) for _ in range(20)))
        assert got == [b"a"] * 20 and calls == ["a"]
        await cache.get("b", lambda: draw("b"))
        await cache.get("c", lambda: draw("c"))  # "a" is the oldest: it goes
        assert await cache.get("a", lambda: draw("a")) == b"a"
        assert calls == ["a", "b", "c", "a"]


async def test_a_failed_drawing_is_tried_again_by_the_next_request() -> None:
    attempts: list[int] = []

    def flaky() -> bytes:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("matplotlib hiccup")
        return b"png"

    with ThreadPoolExecutor(1) as painter:
        cache = ChartCache(painter)
        with pytest.raises(RuntimeError):
            await cache.get("k", flaky)
        assert await cache.get("k", flaky) == b"png" and len(attempts) == 2
