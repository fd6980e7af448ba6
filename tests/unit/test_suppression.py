"""Small-cell suppression: no hidden count can be computed back from what is published."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from animabot.stats.suppression import format_cell, suppress_counts, suppress_cumulative


def test_small_cells_are_hidden_and_large_ones_shown() -> None:
    published = suppress_counts([14, 7, 3, 0], min_cell=5)
    assert published.cells[0] == 14 and published.cells[2] is None and published.cells[3] == 0


def test_a_single_hidden_cell_gets_a_complement() -> None:
    published = suppress_counts([14, 7, 3], min_cell=5)
    assert published.cells == (14, None, None)
    assert published.total == 24


def test_the_total_is_hidden_when_no_complement_exists() -> None:
    published = suppress_counts([3, 0, 1], min_cell=5)
    assert published.cells == (None, 0, None) and published.total is None


def test_zeros_beside_a_lone_hidden_cell_are_hidden_too() -> None:
    # "mardi : 0 / jeudi : < 5 / samedi : 0" would tell that all who answered chose jeudi.
    published = suppress_counts([0, 3, 0], min_cell=5)
    assert published.cells == (None, None, None) and published.total is None


def test_a_cumulative_series_hides_small_steps() -> None:
    # 1, 2, 3 respondents so far, then 9, then 11: only differences of 5 or more are shown,
    # and the total (11) joins the stretch before it (9 → 11 would give 2 back).
    assert suppress_cumulative([1, 2, 3, 9, 11], min_cell=5) == (None, None, None, None, 11)
    assert suppress_cumulative([5, 5, 12, 20], min_cell=5) == (5, None, 12, 20)


def test_two_hidden_ones_are_protected_by_a_further_complement() -> None:
    published = suppress_counts([1, 1, 10, 20], min_cell=5)
    assert published.cells == (None, None, None, 20)


def test_format() -> None:
    assert format_cell(None, 5) == "< 5" and format_cell(0, 5) == "0"


def _determined(true: list[int], cells: tuple[int | None, ...], total: int | None) -> set[int]:
    """Hidden cells a reader can pin down, knowing hidden cells are >= 1 (zeros are shown)."""
    hidden = [i for i, cell in enumerate(cells) if cell is None]
    if len(hidden) == 1 and all(cell == 0 for cell in cells if cell is not None) \
            and len(cells) > 1:
        return set(hidden)  # the zeros say it holds everyone who answered, total or not
    if total is None or not hidden:
        return set()
    rest = total - sum(cell for cell in cells if cell is not None)
    if len(hidden) == 1 or rest == len(hidden):
        return set(hidden)
    return set()


@given(
    counts=st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=12),
    min_cell=st.integers(min_value=2, max_value=10),
)
def test_no_suppressed_value_is_recoverable(counts: list[int], min_cell: int) -> None:
    published = suppress_counts(counts, min_cell)
    for true, cell in zip(counts, published.cells, strict=True):
        assert cell is None or cell == true  # published values are true values
        if 0 < true < min_cell:
            assert cell is None  # every small cell is hidden
    total = sum(counts)
    if 0 < total < min_cell:
        assert published.total is None
    assert not _determined(counts, published.cells, published.total)


@given(
    steps=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=30),
    min_cell=st.integers(min_value=2, max_value=10),
)
def test_no_small_increment_can_be_differenced_back(steps: list[int], min_cell: int) -> None:
    cumulative, total = [], 0
    for step in steps:
        total += step
        cumulative.append(total)
    published = suppress_cumulative(cumulative, min_cell)
    shown = [0]  # a reader knows the series starts from nobody
    for true, cell in zip(cumulative, published, strict=True):
        assert cell is None or cell == true
        if cell is not None:
            shown.append(cell)
    for earlier, later in pairwise(shown):
        # every published stretch (and so every sum of stretches) is 0 or >= min_cell
        assert later - earlier == 0 or later - earlier >= min_cell
    if total >= min_cell:
        assert published[-1] == total  # the total is not lost
    else:
        assert all(cell is None for cell in published)
