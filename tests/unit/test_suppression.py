"""Small-cell suppression: no hidden count can be computed back from what is published."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from animabot.stats.suppression import format_cell, suppress_counts


def test_small_cells_are_hidden_and_large_ones_shown() -> None:
    published = suppress_counts([14, 7, 3, 0], min_cell=5)
    assert published.cells[0] == 14 and published.cells[2] is None and published.cells[3] == 0


def test_a_single_hidden_cell_gets_a_complement() -> None:
    published = suppress_counts([14, 7, 3], min_cell=5)
    assert published.cells == (14, None, None)
    assert published.total == 24


def test_the_total_is_hidden_when_no_complement_exists() -> None:
    published = suppress_counts([3, 0, 0], min_cell=5)
    assert published.cells == (None, 0, 0) and published.total is None


def test_two_hidden_ones_are_protected_by_a_further_complement() -> None:
    published = suppress_counts([1, 1, 10, 20], min_cell=5)
    assert published.cells == (None, None, None, 20)


def test_format() -> None:
    assert format_cell(None, 5) == "< 5" and format_cell(0, 5) == "0"


def _determined(true: list[int], cells: tuple[int | None, ...], total: int | None) -> set[int]:
    """Hidden cells a reader can pin down, knowing hidden cells are >= 1 (zeros are shown)."""
    hidden = [i for i, cell in enumerate(cells) if cell is None]
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
