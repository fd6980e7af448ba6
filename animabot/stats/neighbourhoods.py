"""Each neighbourhood's own results, and the overall figures that may stand beside them.

Each neighbourhood's line (answers per option against its respondents) is suppressed on its
own, with its complements, as the overall line is. The lines share no unknown (a resident
answers in one neighbourhood), so no equation crosses them. The overall line is where the
danger is: it is the sum of the lines, and "overall minus the other neighbourhoods" would
give a hidden cell back. Beside the neighbourhoods' lines, an overall figure is therefore
published only when every neighbourhood's figure it sums is published: it then says nothing
the lines do not. A sound two-way table with hidden cells inside would need an audit by linear
programming (docs/statistics.md); this rule needs none, at the price of hiding more of the
overall line when a neighbourhood is small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .suppression import Cell, SuppressedCounts, suppress_counts
from .tally import PollTally


@dataclass(frozen=True)
class NeighbourhoodResults:
    """``rows``: each neighbourhood's suppressed line; ``overall``: what may go beside them."""

    rows: dict[str, SuppressedCounts]
    overall: SuppressedCounts

    def row(self, hood: str, size: int) -> SuppressedCounts:
        """A neighbourhood's line; one nobody answered in is a line of zeros."""
        return self.rows.get(hood, SuppressedCounts((0,) * size, 0))


def neighbourhood_results(
    lines: Mapping[str, tuple[Sequence[int], int]], size: int, min_cell: int
) -> NeighbourhoodResults:
    """``lines``: per neighbourhood, (answers per option, respondents); ``size``: options."""
    rows = {hood: suppress_counts(counts, min_cell, total=respondents)
            for hood, (counts, respondents) in lines.items()}
    cells: list[Cell] = []
    for index in range(size):
        shown = [row.cells[index] for row in rows.values()]
        cells.append(None if any(cell is None for cell in shown)
                     else sum(cell for cell in shown if cell is not None))
    totals = [row.total for row in rows.values()]
    total: Cell = (None if any(t is None for t in totals)
                   else sum(t for t in totals if t is not None))
    return NeighbourhoodResults(rows, SuppressedCounts(tuple(cells), total))


def tally_by_neighbourhood(tally: PollTally, min_cell: int) -> NeighbourhoodResults:
    """:func:`neighbourhood_results` over a poll's tally (answers of no known neighbourhood
    form a line of their own, never posted, that hides the overall figures it feeds)."""
    lines = {hood: (tally.counts_by_neighbourhood.get(hood, [0] * len(tally.counts)),
                    respondents)
             for hood, respondents in tally.by_neighbourhood.items()}
    return neighbourhood_results(lines, len(tally.counts), min_cell)
