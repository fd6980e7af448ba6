"""The pacer never lets more sends through a rolling window than the platform allows."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from animabot.delivery.pacing import Pacer, RateLimits, capped


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _send_times(
    pacer: Pacer, clock: Clock, chats: list[str], group: bool
) -> list[tuple[float, str]]:
    times = []
    for chat in chats:
        delay = pacer.delay_for(chat, group)
        clock.now += delay  # the worker sleeps, then sends
        times.append((clock.now, chat))
    return times


def _max_in_window(times: list[float], span: float) -> int:
    return max((sum(1 for t in times if start <= t < start + span) for start in times), default=0)


@given(chats=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=80))
def test_no_rolling_window_is_ever_exceeded(chats: list[str]) -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    times = _send_times(pacer, clock, chats, group=True)
    assert _max_in_window([t for t, _ in times], 1.0) <= 30
    for chat in set(chats):
        mine = [t for t, c in times if c == chat]
        assert _max_in_window(mine, 1.0) <= 1
        assert _max_in_window(mine, 60.0) <= 20


def test_the_global_limit_is_used_to_the_full_but_not_beyond() -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    times = _send_times(pacer, clock, [f"g{i}" for i in range(300)], group=True)
    duration = times[-1][0] - times[0][0]
    rate = (len(times) - 1) / duration
    assert 0.95 * 30 <= rate <= 30


def test_sends_under_an_overall_rate_are_spread_never_bunched() -> None:
    # A bunch reserved at the instant a window frees up reaches the server one request after
    # another, the last ones later than reserved, and over the limit (429s at 0 ms).
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    times = [clock.now + pacer.delay_for(f"g{i}", True) for i in range(90)]  # 8 in flight
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 30


def test_a_send_that_leaves_late_is_counted_from_when_it_left() -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    first = pacer.reserve("g0", True)
    clock.now = first.at + 0.2  # a busy event loop: the request leaves 200 ms late
    pacer.left(first)
    for i in range(1, 30):
        slot = pacer.reserve(f"g{i}", True)
        clock.now = max(clock.now, slot.at)
        pacer.left(slot)
    thirty_first = pacer.reserve("g30", True)
    assert thirty_first.at >= 0.2 + 1.0  # one second after the first really left, not before


@given(ops=st.lists(st.tuples(st.sampled_from("abcdefgh"), st.floats(0, 0.3)), max_size=120))
def test_windows_hold_at_the_instants_sends_really_leave(
    ops: list[tuple[str, float]],
) -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    left: dict[str, list[float]] = {}
    for chat, late in ops:
        slot = pacer.reserve(chat, True)
        clock.now = max(clock.now, slot.at) + late
        pacer.left(slot)
        left.setdefault(chat, []).append(clock.now)
    every = sorted(t for times in left.values() for t in times)
    assert _max_in_window(every, 1.0) <= 30
    for times in left.values():
        assert _max_in_window(times, 1.0) <= 1
        assert _max_in_window(times, 60.0) <= 20


def test_a_rate_below_one_per_second_spaces_sends() -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(per_chat_per_second=0.2), now=clock)
    times = _send_times(pacer, clock, ["room"] * 3, group=False)
    assert [round(t) for t, _ in times] == [0, 5, 10]


def test_a_burst_then_a_slow_rate_like_synapse() -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(global_per_second=0.2, global_burst=10), now=clock)
    times = [t for t, _ in _send_times(pacer, clock, [f"room{i}" for i in range(12)], False)]
    assert times[:10] == [0.0] * 10  # the burst goes at once
    assert times[10] >= 50 and times[11] >= 50  # then the window must roll


def test_delivery_caps_lower_a_platforms_limits_and_never_raise_them() -> None:
    telegram = RateLimits(30, 1, 20)
    assert capped(telegram, 10, None) == RateLimits(10, 1, 20)
    assert capped(telegram, 100, 5) == telegram  # a cap above the platform's limit changes nothing
    matrix = RateLimits(global_per_second=0.2, global_burst=10)
    assert capped(matrix, 5, 0.5) == RateLimits(0.2, 0.5, None, 10)
    assert capped(None, 2, None) == RateLimits(global_per_second=2)  # an unpaced platform
    assert capped(None, None, None) == RateLimits()


def test_a_round_trip_longer_than_usual_counts_the_send_later() -> None:
    # A stall (our process or the server paused) bunches requests that left evenly: the
    # first may reach the platform as late as its answer says, so the 31st keeps a full
    # second from that instant.
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    slots = []
    for i in range(30):
        slot = pacer.reserve(f"g{i}", True)
        clock.now = max(clock.now, slot.at)
        pacer.left(slot)
        slots.append(slot)
    trips = [0.15] * 10 + [0.25] + [0.15] * 19  # the 11th answered 100 ms later than usual
    answers = sorted((slot.at + trip, i) for i, (slot, trip) in enumerate(zip(slots, trips,
                                                                          strict=True)))
    reserving = clock.now
    for at, i in answers:
        if at <= reserving:  # the answers in before the next sends are reserved
            clock.now = at
            pacer.answered(slots[i])
    clock.now = reserving
    left_11th = slots[10].left
    assert left_11th is not None
    later = [pacer.reserve(f"h{i}", True).at for i in range(40)]
    arrivals = [left_11th + 0.1 if i == 10 else slot.at for i, slot in enumerate(slots)]
    assert _max_in_window(arrivals + later, 1.0) <= 30  # the 11th arriving at the latest
    assert later[0] < 1.031  # a usual round trip moves nothing


def test_round_trips_as_usual_cost_no_rate() -> None:
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    flying: list[tuple[float, object]] = []
    first = last = 0.0
    for i in range(300):
        slot = pacer.reserve(f"g{i}", True)
        clock.now = max(clock.now, slot.at)
        pacer.left(slot)
        first, last = (clock.now if i == 0 else first), clock.now
        flying.append((clock.now + 0.15, slot))
        while flying and flying[0][0] <= clock.now:
            pacer.answered(flying.pop(0)[1])  # type: ignore[arg-type]
    assert 299 / (last - first) >= 0.95 * 30


def test_a_late_send_is_counted_from_the_fastest_trip_not_the_typical_one() -> None:
    # Round trips spread between 150 and 220 ms (the typical one 190 ms, a loaded machine).
    # A send that took 220 ms may have reached the platform 70 ms after the fastest would
    # have: the 31st after it, as fast as the fastest, must reach it a second later. From the
    # typical trip it was counted 30 ms late: 31 in the platform's second.
    clock = Clock()
    pacer = Pacer(RateLimits(30, 1, 20), now=clock)
    for i, trip in enumerate([0.150, 0.220, 0.190, 0.200, 0.185, 0.210, 0.180]):  # history
        slot = pacer.reserve(f"warm{i}", True)
        clock.now = max(clock.now, slot.at)
        pacer.left(slot)
        clock.now += trip
        pacer.answered(slot)
    clock.now += 2.0  # the windows are empty again
    late = pacer.reserve("g0", True)
    clock.now = late.at
    pacer.left(late)
    assert late.left is not None
    clock.now += 0.220
    pacer.answered(late)
    assert late.at == pytest.approx(late.left + 0.070 - 0.030)  # the margin covers 30 ms
    thirty_later = [pacer.reserve(f"g{i}", True).at for i in range(1, 31)][-1]
    arrived = late.left + 0.220 - 0.150 / 2  # at the latest: the fastest way back
    assert thirty_later + 0.150 / 2 >= arrived + 1.0 - 1e-9  # the 31st a second later


def test_several_workers_share_a_bots_limits_evenly_with_a_wider_margin() -> None:
    """Telegram's 30/s, 1/s per chat, 20/min per group, spread over several workers: the
    bot's sends at 85 % of its rate, never a burst; a group's at its per-minute interval."""
    from animabot.delivery.pacing import SHARED_SHARE, shared_intervals

    limits = RateLimits(30, 1, 20)
    every, chat_every = shared_intervals(limits, group=True)
    assert every == 1 / (30 * SHARED_SHARE) and 31 * every > 1.15  # 31 sends: over 1 s
    assert chat_every > 3.0  # 20 a minute
    assert 1.2 < shared_intervals(limits, group=False)[1] < 3.0  # a private chat: 1/s
    assert shared_intervals(RateLimits(), group=True) == (0.0, 0.0)  # no limits: no row
