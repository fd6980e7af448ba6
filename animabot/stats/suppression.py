"""Small-cell suppression for published counts.

A count between 1 and ``min_cell - 1`` could single a neighbour out, so it is hidden. Hiding
it is not enough when a total is published: with one hidden cell, total minus the others gives
it back. So *complementary* cells are hidden too (the smallest visible non-zero ones); when there
are none left, the total is hidden instead. Zero counts single nobody out and stay visible, but
they never serve as a complement (hiding a known zero protects nothing).
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
    return SuppressedCounts(tuple(cells), shown_total)


def format_cell(cell: Cell, min_cell: int) -> str:
    return f"< {min_cell}" if cell is None else str(cell)
