"""Small-cell suppression for published counts.

A count between 1 and ``min_cell - 1`` could single a neighbour out, so it is hidden. Hiding
it is not enough when a total is published: with one hidden cell, total minus the others gives
it back. So *complementary* cells are hidden too (the smallest visible non-zero ones); when there
are none left, the total is hidden instead. Zero counts single nobody out and stay visible, but
they never serve as a complement (hiding a known zero protects nothing) — except when they
disclose: "Tuesday 0 / Thursday < 5 / Saturday 0" tells everyone that all who answered chose
Thursday, so beside a lone hidden cell the zeros are hidden too.

A cumulative series (respondents so far, by the hour) is published only at points that grew by
at least ``min_cell`` since the previous published point, so that no difference between two
published points — the new respondents of a stretch — falls between 1 and ``min_cell - 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Cell = int | None  # None: suppressed


@dataclass(frozen=True)
class SuppressedCounts:
    cells: tuple[Cell, ...]
    total: Cell

    @property
    def any_suppressed(self) -> bool:
        return self.total is None or any(cell is None for cell in self.cells)


def is_small(count: int, min_cell: int) -> bool:
    return 0 < count < min_cell


def suppress_counts(
    counts: Sequence[int], min_cell: int, total: int | None = None
) -> SuppressedCounts:
    """Hide small cells and their complements. ``total`` defaults to ``sum(counts)``; pass it
    when cells may overlap (multiple-choice polls), where the total is the respondents.

    A reader knows that hidden cells are at least 1 (zeros are shown). With the total shown,
    hidden cells are safe only if there are two or more and their sum exceeds their number
    (else every hidden cell must be 1). Complements are added until that holds, and the total
    is hidden when no visible non-zero cell is left to add.
    """
    total_value = sum(counts) if total is None else total
    cells: list[Cell] = [None if is_small(c, min_cell) else c for c in counts]
    shown_total: Cell = None if is_small(total_value, min_cell) else total_value

    def hidden() -> list[int]:
        return [i for i, cell in enumerate(cells) if cell is None]

    while shown_total is not None and hidden():
        indexes = hidden()
        if len(indexes) >= 2 and sum(counts[i] for i in indexes) > len(indexes):
            break
        visible = [(counts[i], i) for i, cell in enumerate(cells) if cell is not None and counts[i]]
        if not visible:
            shown_total = None
            break
        cells[min(visible)[1]] = None
    hidden_now = hidden()
    if len(hidden_now) == 1 and all(cell == 0 for cell in cells if cell is not None):
        # The zeros would say the lone hidden cell holds everyone who answered.
        cells = [None] * len(cells)
    return SuppressedCounts(tuple(cells), shown_total)


def suppress_cumulative(values: Sequence[int], min_cell: int) -> tuple[Cell, ...]:
    """Hide the points of a non-decreasing cumulative series whose publication would let a
    reader difference back an increment between 1 and ``min_cell - 1``: a point is shown when
    it grew by ``min_cell`` or more since the previously shown one (or from zero), and the last
    point (the series' total) is shown when it is ``min_cell`` or more, the shown point before
    it being hidden again if the stretch between them is too small."""
    shown: list[int] = []
    last = 0
    for index, value in enumerate(values):
        if value - last >= min_cell:
            shown.append(index)
            last = value
    if values and values[-1] >= min_cell and (not shown or shown[-1] != len(values) - 1):
        if shown and 0 < values[-1] - values[shown[-1]] < min_cell:
            shown.pop()  # the tail joins the stretch before it: both then reach min_cell
        shown.append(len(values) - 1)
    visible = set(shown)
    return tuple(value if index in visible else None for index, value in enumerate(values))


def format_cell(cell: Cell, min_cell: int) -> str:
    return f"< {min_cell}" if cell is None else str(cell)
