"""Answers from paper join a poll's tally as a channel of their own: the totals and the
per-channel split published with them still let no hidden count be computed back."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from animabot.report.build import platform_names
from animabot.stats.breakdown import ShareFigures, split_shares
from animabot.stats.campaign import guard_shares, series_give_paper_back, shown_respondents
from animabot.stats.neighbourhoods import tally_by_neighbourhood
from animabot.stats.suppression import Cell
from animabot.stats.tables import channel_label
from animabot.stats.tally import PollTally
from animabot.store.paper_answers import PAPER
from animabot.web.present import filters

from .test_suppression import _determined

OPTIONS = 3
HOODS = ("centre", "gare")
PLATFORMS = ("telegram", "matrix")
# (channel, neighbourhood, option, answers): private votes and paper counts alike.
entries = st.lists(
    st.tuples(st.sampled_from((*PLATFORMS, PAPER)), st.sampled_from(HOODS),
              st.integers(min_value=0, max_value=OPTIONS - 1),
              st.integers(min_value=0, max_value=8)),
    max_size=8,
)


def _tally(rows: list[tuple[str, str, int, int]]) -> PollTally:
    tally = PollTally([0] * OPTIONS)
    for channel, hood, option, count in rows:
        vector = [0] * OPTIONS
        vector[option] = count
        tally.add(channel, hood, vector, count)  # one choice each: a respondent per answer
    return tally


REACH = {"telegram": (40, 2), "matrix": (30, 1)}  # the platforms' groups; paper has none
HOOD_REACH = {"centre": (50, 2), "gare": (20, 1)}


def _solved(shown: dict[str, ShareFigures], total: int | None,
            reach: Mapping[str, tuple[int | None, int]]) -> set[str]:
    """The hidden shares a reader can pin down by arithmetic, knowing the respondents when
    published: a hidden share holds at least one, unless the whole line is hidden (zeros
    may be hidden then) and the share has chats (listed whatever its answers)."""
    hidden = [name for name, share in shown.items() if share.respondents is None]
    if not hidden or total is None:
        return set()
    whole = len(hidden) == len(shown)
    lows = [0 if whole and name in reach else 1 for name in hidden]
    rest = total - sum(share.respondents or 0 for share in shown.values())
    values: list[set[int]] = [set() for _ in hidden]

    def fill(index: int, left: int, chosen: list[int]) -> None:
        if index == len(hidden) - 1:
            if left >= lows[index]:
                for slot, value in enumerate([*chosen, left]):
                    values[slot].add(value)
            return
        for value in range(lows[index], left + 1):
            fill(index + 1, left - value, [*chosen, value])

    fill(0, rest, [])
    return {hidden[slot] for slot, seen in enumerate(values) if len(seen) == 1}


def _known_total(*lines: tuple[Cell, ...]) -> int | None:
    """The respondents as a reader can get them: from any published line that holds them
    all (every cell shown)."""
    for cells in lines:
        if cells and all(cell is not None for cell in cells):
            return sum(cell for cell in cells if cell is not None)
    return None


@settings(max_examples=400, deadline=None)  # rare lines of ones need many tries
@given(rows=entries, min_cell=st.integers(min_value=2, max_value=10))
def test_no_hidden_count_comes_back_from_the_totals_and_the_channels(
    rows: list[tuple[str, str, int, int]], min_cell: int,
) -> None:
    tally = _tally(rows)
    paper = sum(count for channel, _h, _o, count in rows if channel == PAPER)
    in_chats = tally.respondents - paper  # what the phases and the hourly curve add up to
    assert tally.respondents == sum(count for *_rest, count in rows)  # paper in the totals

    answers = shown_respondents(tally, min_cell)
    by_platform = {name: n for name, n in tally.by_platform.items() if n}  # as the store
    by_hood = {name: n for name, n in tally.by_neighbourhood.items() if n}  # groups them
    channels, hoods = guard_shares(
        answers, split_shares(by_platform, tally.respondents, REACH, min_cell),
        split_shares(by_hood, tally.respondents, HOOD_REACH, min_cell))
    names, places = sorted(channels), sorted(hoods)
    channel_cells = tuple(channels[name].respondents for name in names)
    channel_true = [tally.by_platform.get(name, 0) for name in names]
    hood_cells = tuple(hoods[name].respondents for name in places)
    hood_true = [tally.by_neighbourhood.get(name, 0) for name in places]

    for true, cells in ((tally.counts, answers.cells), (channel_true, channel_cells),
                        (hood_true, hood_cells)):
        for value, cell in zip(true, cells, strict=True):
            assert cell is None or cell == value  # what is published is true
            assert not 0 < value < min_cell or cell is None  # a small count is hidden
    if 0 < paper < min_cell and PAPER in channels:
        assert channels[PAPER].respondents is None  # a few ballots on paper stay hidden
    assert channels.get(PAPER) is None or channels[PAPER].reach is None  # paper has no reach

    # The reader knows the respondents if any line gives them; no line may then let a hidden
    # cell be solved for.
    total = answers.total if answers.total is not None else _known_total(
        channel_cells, hood_cells)
    assert answers.total is not None or total is None  # no split gives hidden respondents
    assert not _determined(tally.counts, answers.cells, total)
    assert not _solved(channels, total, REACH)
    assert not _solved(hoods, total, HOOD_REACH)
    # The time series add up to the answers given in a chat: beside the respondents they
    # give the paper answers back, so they are shown only when the paper share is.
    if in_chats and not series_give_paper_back(tally, channels) and total is not None:
        # The paper share is then shown: the difference tells nothing new.
        assert channels.get(PAPER) is None or channels[PAPER].respondents == total - in_chats


@given(rows=entries, min_cell=st.integers(min_value=2, max_value=10))
def test_beside_each_neighbourhoods_line_paper_counts_stay_protected(
    rows: list[tuple[str, str, int, int]], min_cell: int,
) -> None:
    tally = _tally(rows)
    split = tally_by_neighbourhood(tally, min_cell)
    for hood, line in split.rows.items():
        true = tally.counts_by_neighbourhood[hood]
        assert not _determined(true, line.cells, line.total)
    for index, cell in enumerate(split.overall.cells):
        shown = [line.cells[index] for line in split.rows.values()]
        assert cell is None or all(part is not None for part in shown)


def test_the_paper_channel_is_named_papier_wherever_agents_read_it() -> None:
    assert channel_label(PAPER) == "Papier" and channel_label("telegram") == "Telegram"
    assert channel_label("email") == "Courriel" and channel_label("sms") == "SMS"
    assert filters("Europe/Paris", 5)["platform"](PAPER) == "Papier"
    assert platform_names()[PAPER] == "Papier" and platform_names()["sms"] == "SMS"
