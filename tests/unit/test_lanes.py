"""Send lanes: a bounded number of sends in flight, one at a time per chat, in order; and
concurrent senders reserving pacing slots never let more through a window than allowed."""

from __future__ import annotations

import asyncio
import random

from hypothesis import given
from hypothesis import strategies as st

from animabot.delivery.lanes import SendLanes
from animabot.delivery.pacing import Pacer, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _max_in_window(times: list[float], span: float) -> int:
    return max((sum(1 for t in times if start <= t < start + span) for start in times),
               default=0)


@given(ops=st.lists(st.tuples(st.sampled_from("abcd"), st.floats(0, 0.2)), max_size=120))
def test_senders_reserving_before_any_of_them_sends_never_overshoot(
    ops: list[tuple[str, float]],
) -> None:
    # Eight sends in flight: reservations are made while earlier ones still wait for their
    # instant, the clock moving on by less than a send's wait.
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    times: dict[str, list[float]] = {}
    for chat, advance in ops:
        times.setdefault(chat, []).append(clock.now + pacer.delay_for(chat, True))
        clock.now += advance
    every = sorted(t for chat_times in times.values() for t in chat_times)
    assert _max_in_window(every, 1.0) <= 30
    for chat_times in times.values():
        assert _max_in_window(chat_times, 1.0) <= 1
        assert _max_in_window(chat_times, 60.0) <= 20


async def test_no_more_than_the_lane_in_flight_and_one_per_chat_in_order() -> None:
    lanes = SendLanes({"telegram": 3})
    rng = random.Random(7)
    in_flight, most, per_chat = 0, 0, {c: 0 for c in "abcde"}
    arrived: list[tuple[str, int]] = []

    async def send(chat: str, n: int) -> None:
        nonlocal in_flight, most
        try:
            async with lanes.chat("telegram", chat):
                in_flight += 1
                per_chat[chat] += 1
                most = max(most, in_flight)
                assert per_chat[chat] == 1, "two sends to one chat at once"
                for _ in range(rng.randint(0, 5)):  # answers come back in any order
                    await asyncio.sleep(0)
                arrived.append((chat, n))
                per_chat[chat] -= 1
                in_flight -= 1
        finally:
            lanes.give_slot("telegram")

    tasks = []
    order = [(rng.choice("abcde"), n) for n in range(200)]
    for chat, n in order:
        await lanes.take_slot("telegram")  # as the drain does before starting a send
        tasks.append(asyncio.create_task(send(chat, n)))
    await asyncio.gather(*tasks)
    assert most == 3
    for chat in "abcde":
        assert [n for c, n in arrived if c == chat] == [n for c, n in order if c == chat]
    assert lanes._chats == {}  # locks of idle chats are dropped


async def test_a_platform_that_says_nothing_gets_one_send_at_a_time() -> None:
    lanes = SendLanes({})
    await lanes.take_slot("console")
    waiting = asyncio.create_task(lanes.take_slot("console"))
    await asyncio.sleep(0)
    assert not waiting.done()
    lanes.give_slot("console")
    await asyncio.wait_for(waiting, 5)


async def test_a_reply_waiting_for_a_slot_is_served_before_the_broadcast() -> None:
    lanes = SendLanes({"telegram": 1})
    await lanes.take_slot("telegram")
    served: list[str] = []

    async def wait(name: str, urgent: bool) -> None:
        await lanes.take_slot("telegram", urgent=urgent)
        served.append(name)
        lanes.give_slot("telegram")

    bulk = [asyncio.create_task(wait(f"bulk{n}", False)) for n in range(3)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(wait("reply", True))
    await asyncio.sleep(0)
    assert lanes.waiting("telegram") == 4
    lanes.give_slot("telegram")
    await asyncio.wait_for(asyncio.gather(*bulk, reply), 5)
    assert served == ["reply", "bulk0", "bulk1", "bulk2"]
    assert lanes.waiting("telegram") == 0


async def test_a_waiter_cancelled_as_it_is_handed_the_slot_passes_it_on() -> None:
    lanes = SendLanes({"telegram": 1})
    await lanes.take_slot("telegram")
    first = asyncio.create_task(lanes.take_slot("telegram"))
    second = asyncio.create_task(lanes.take_slot("telegram"))
    await asyncio.sleep(0)
    lanes.give_slot("telegram")  # handed to the first…
    first.cancel()  # …which is cancelled before it runs
    await asyncio.wait_for(second, 5)  # the slot went on to the second
    assert first.cancelled()
