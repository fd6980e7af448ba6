"""``animabot reports …`` as an agent types it: the list, a move refused with its fix, a
move that needs a reason, the figures with small counts hidden, the CSV export, routing
again; nothing printed names a reporter."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from animabot.clock import FakeClock
from animabot.core import open_core
from animabot.domain.problem_report import ReportStatus
from animabot.store.problem_reports import NewProblemReport

from ..conftest import T0, make_settings
from .conftest import animabot

PSEUDONYM = "pseudonyme-tres-long-de-la-personne-0123456789abcdef"


def _fill(tmp_path: Path) -> str:
    settings = make_settings(tmp_path)

    async def fill() -> None:
        async with open_core(settings, FakeClock(T0), sends=False) as core:
            reports = core.stores.problem_reports
            for index in range(7):
                hood = "centre" if index < 6 else "gare"
                report = await reports.add(NewProblemReport(
                    PSEUDONYM, "telegram", hood, "voirie" if index < 6 else "proprete",
                    f"Trou n°{index}", None, 48.85 + index / 1000, 2.35), T0)
                if index < 5:
                    await reports.change_status(report.id, ReportStatus.RESOLVED, "cli:anne",
                                                T0.replace(day=3))

    asyncio.run(fill())
    return str(settings.storage.database)


def test_an_agent_lists_moves_exports_and_reads_figures(tmp_path: Path) -> None:
    db = _fill(tmp_path)
    listed = animabot("reports", "list", "--database", db).stdout
    assert "Trou n°5" in listed and "Trou n°0" not in listed  # the open ones
    assert PSEUDONYM[:12] not in listed
    refused = animabot("reports", "status", "1", "en_cours", "--database", db, check=False)
    assert refused.returncode == 1 and "ne peut pas passer à en_cours" in refused.stderr
    no_reason = animabot("reports", "status", "6", "non-retenu", "--database", db, check=False)
    assert no_reason.returncode == 1 and "--reason" in no_reason.stderr
    unknown = animabot("reports", "status", "6", "fini", "--database", db, check=False)
    assert unknown.returncode == 1 and "unknown status 'fini'" in unknown.stderr
    moved = animabot("reports", "status", "6", "non-retenu", "--reason", "Doublon du n° 5",
                     "--database", db)
    assert "report 6 is now non_retenu" in moved.stdout

    figures = json.loads(animabot("reports", "stats", "--format", "json", "--database",
                                  db).stdout)
    categories = {line["id"]: line for line in figures["categories"]}
    assert categories["proprete"]["reports"] == {"value": None, "suppressed": True}
    assert categories["voirie"]["reports"] == {"value": None, "suppressed": True}  # complement
    assert categories["voirie"]["resolved"] == 5
    assert categories["voirie"]["median_days_to_resolution"] == 2.0
    assert figures["total"] == 7
    table = animabot("reports", "stats", "--database", db).stdout
    assert "< 5" in table

    rows = list(csv.DictReader(io.StringIO(animabot(
        "reports", "export", "--format", "csv", "--database", db).stdout)))
    assert len(rows) == 7 and rows[5]["status"] == "non_retenu"
    assert rows[5]["reason"] == "Doublon du n° 5" and "text" not in rows[0]
    again = animabot("reports", "route", "1", "--database", db)
    assert "report 1 will be sent to its service again" in again.stdout
    missing = animabot("reports", "route", "99", "--database", db, check=False)
    assert missing.returncode == 1 and "report 99 does not exist" in missing.stderr
