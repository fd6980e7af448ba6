"""Figures on reports: by category, by neighbourhood, and time to resolution, suppressed.

Counts go through :func:`~animabot.stats.suppression.suppress_counts` (small cells and their
complements hidden, so the total cannot give one back). A time to resolution is a median over
the resolved reports of a group, shown only when that group holds ``min_cell`` of them or
more: a median of two reports is nearly one resident's story.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median

from ..domain.problem_report import ReportStatus
from ..stats.suppression import Cell, suppress_counts
from ..store.problem_reports import ProblemReport

NO_HOOD = "-"


@dataclass(frozen=True)
class FigureLine:
    key: str
    label: str
    count: Cell
    resolved: Cell
    median_days: float | None  # None: hidden or nothing resolved


@dataclass(frozen=True)
class ReportFigures:
    by_category: tuple[FigureLine, ...]
    by_neighbourhood: tuple[FigureLine, ...]
    total: Cell
    min_cell: int


def _days(report: ProblemReport) -> float:
    return (report.updated_at - report.created_at).total_seconds() / 86_400


def _lines(groups: Mapping[str, list[ProblemReport]], labels: Mapping[str, str],
           min_cell: int) -> tuple[tuple[FigureLine, ...], Cell]:
    keys = sorted(groups)
    counts = suppress_counts([len(groups[k]) for k in keys], min_cell)
    resolved = [[r for r in groups[k] if r.status is ReportStatus.RESOLVED] for k in keys]
    done = suppress_counts([len(r) for r in resolved], min_cell)
    lines = []
    for index, key in enumerate(keys):
        times = [_days(r) for r in resolved[index]]
        shown = round(median(times), 1) if len(times) >= min_cell else None
        lines.append(FigureLine(key, labels.get(key, key), counts.cells[index],
                                done.cells[index], shown))
    return tuple(lines), counts.total


def report_figures(reports: Iterable[ProblemReport], categories: Mapping[str, str],
                   hoods: Mapping[str, str], min_cell: int) -> ReportFigures:
    by_category: dict[str, list[ProblemReport]] = {}
    by_hood: dict[str, list[ProblemReport]] = {}
    for report in reports:
        by_category.setdefault(report.category, []).append(report)
        by_hood.setdefault(report.neighbourhood_id or NO_HOOD, []).append(report)
    categories_lines, total = _lines(by_category, categories, min_cell)
    hood_lines, _ = _lines(by_hood, {**hoods, NO_HOOD: "—"}, min_cell)
    return ReportFigures(categories_lines, hood_lines, total, min_cell)
