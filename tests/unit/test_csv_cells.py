"""Every CSV animabot writes opens in a spreadsheet as text: a cell a resident or a
facilitator wrote starting with a formula sign is escaped by a ``'`` (numbers stay numbers)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from animabot.accounts.audit_csv import audit_csv_text
from animabot.csv_cells import safe_cell, unescape_cell
from animabot.directory.csv_import import actors_to_csv, parse_actors
from animabot.domain.actor import Actor
from animabot.problems.export import csv_text
from animabot.stats.export import to_csv
from animabot.store.audit import AuditEntry
from animabot.store.problem_reports import ProblemReport, ReportStatus

EVIL = ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\ry"]
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _cells(text: str, delimiter: str = ",") -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for cell in row]


def test_text_starting_with_a_formula_sign_is_escaped_and_numbers_are_not() -> None:
    for text in EVIL:
        assert safe_cell(text) == "'" + text
        assert unescape_cell(f"'{text}") == text
    for kept in ["-12", "-0.5", "+33", "1e-3", "Bonjour", "", "'déjà cité'"]:
        assert safe_cell(kept) == kept
    assert safe_cell(-3) == -3 and safe_cell(-2.5) == -2.5 and safe_cell(None) is None


def test_the_audit_reports_actors_and_figures_exports_escape_formulas() -> None:
    audit = audit_csv_text([AuditEntry(NOW, "anna", "export", "=1+1", "@evil", "-x")])
    assert {"'=1+1", "'@evil", "'-x"} <= set(_cells(audit))
    report = ProblemReport(7, None, "web", "centre", "voirie", "=cmd|' /C calc'!A0", None,
                           -1.5, 43.6, ReportStatus(next(iter(ReportStatus))), None, NOW, NOW)
    exported = _cells(csv_text([report], {"voirie": "+Voirie"}, text=True))
    assert "'=cmd|' /C calc'!A0" in exported and "'+Voirie" in exported
    assert "-1.5" in exported
    figures = _cells(to_csv({"title": "=campagne", "rate": -0.25}, "campaign"))
    assert "'=campagne" in figures and "-0.25" in figures


def test_an_actors_export_is_escaped_and_reads_back_as_it_was() -> None:
    actor = Actor("a", "=Atelier", "association", neighbourhood_id="centre",
                  contact="+33 6 12 34 56 78", description="-- le mardi")
    text = actors_to_csv([actor])
    assert {"'=Atelier", "'+33 6 12 34 56 78", "'-- le mardi"} <= set(_cells(text, ";"))
    back = parse_actors(text, {"centre": "Centre"})
    assert back.actors == [actor] and not back.rejected
