"""Data in square brackets is shown as written by the CLI's tables, never read as rich
markup: a resident's report ``Nid de poule [/rue]`` or a typed username ``[/z]`` kept by the
audit log must neither break ``reports list`` / ``audit list`` nor vanish."""

from __future__ import annotations

import asyncio
from pathlib import Path

from animabot.clock import FakeClock
from animabot.core import open_core
from animabot.domain.access import AuditAction
from animabot.store.problem_reports import NewProblemReport

from ..conftest import T0, make_settings
from .conftest import animabot


def test_brackets_in_a_report_and_in_the_audit_log_are_shown_as_written(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path)

    async def fill() -> None:
        async with open_core(settings, FakeClock(T0), sends=False) as core:
            await core.stores.problem_reports.add(NewProblemReport(
                "pseudo", "telegram", "centre", "voirie", "Nid de poule [/rue] [b]x[/b]",
                None, None, None), T0)
            await core.stores.audit.record(T0, "[/z]", AuditAction.SIGN_IN_FAILED,
                                           detail="[red]typed[/red]")

    asyncio.run(fill())
    db = str(settings.storage.database)
    listed = animabot("reports", "list", "--database", db, check=False)
    assert listed.returncode == 0, listed.stderr
    assert "Nid de poule [/rue] [b]x[/b]" in " ".join(listed.stdout.split())
    audit = animabot("audit", "list", "--database", db, check=False)
    assert audit.returncode == 0, audit.stderr
    assert "[/z]" in audit.stdout and "[red]typed[/red]" in audit.stdout


def test_an_agent_named_with_brackets_gets_its_name_back(tmp_path: Path) -> None:
    shown = animabot("web", "token", "Service [voirie]").stdout
    assert "Token for Service [voirie]" in shown and 'name = "Service [voirie]"' in shown
