"""Charts drawn once per picture: 200 agents opening the same page asked matplotlib for the
same PNG 200 times, one after the other (p50 24.8 s). A chart is keyed by what it shows (the
campaign's figures at that moment), so concurrent requests share one drawing and later ones
reuse it until an answer changes the figures."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor

Png = bytes | None  # None: not enough answers for this chart
KEPT = 256  # charts kept; a few dozen campaigns × a few charts each


def chart_key(campaign_id: str, chart: str, shown: object) -> str:
    """``shown`` is everything the chart is drawn from; its ``repr`` changes with any figure."""
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"{campaign_id}/{chart}/{digest}"


class ChartCache:
    def __init__(self, painter: Executor, kept: int = KEPT) -> None:
        self._painter = painter
        self._kept = kept
        self._drawn: OrderedDict[str, Png] = OrderedDict()
        self._drawing: dict[str, asyncio.Future[Png]] = {}

    async def get(self, key: str, draw: Callable[[], Png]) -> Png:
        if key in self._drawn:
            self._drawn.move_to_end(key)
            return self._drawn[key]
        drawing = self._drawing.get(key)
        if drawing is None:
            drawing = asyncio.get_running_loop().run_in_executor(self._painter, draw)
            self._drawing[key] = drawing
            drawing.add_done_callback(lambda done: self._keep(key, done))
        # Shielded: a request that goes away does not cancel the drawing the others await.
        return await asyncio.shield(drawing)

    def _keep(self, key: str, done: asyncio.Future[Png]) -> None:
        del self._drawing[key]
        if done.cancelled() or done.exception() is not None:
            return  # drawn again by the next request
        self._drawn[key] = done.result()
        while len(self._drawn) > self._kept:
            self._drawn.popitem(last=False)
