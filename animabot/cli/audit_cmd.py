"""``animabot audit list``: the audit log, newest first, as a table, JSON or CSV."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from ..accounts.audit_csv import COLUMNS, audit_csv_text
from ..clock import SystemClock
from ..core import open_core
from ..domain.access import AuditAction
from ..store.audit import AuditEntry
from .common import ConfigOption, DatabaseOption, Voice, cells, out, run_async, settings_from

app = typer.Typer(help="The audit log: who did what in the back-office, and when.",
                  no_args_is_help=True)


class AuditFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("list")
def list_command(
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
    action: Annotated[AuditAction | None, typer.Option(help="Only this action.")] = None,
    output: Annotated[AuditFormat, typer.Option("--format", help="table, json or csv.")] =
        AuditFormat.table,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Show the latest entries of the audit log (sign-ins, revocations, account changes,
    exports)."""
    settings = settings_from(config, database)

    async def work() -> list[AuditEntry]:
        async with open_core(settings, SystemClock(), sends=False, writes=False) as core:
            return await core.stores.audit.latest(limit, action.value if action else None)

    entries = run_async(work)
    if output is AuditFormat.json:
        out.print(json.dumps([{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                               "target": e.target, "detail": e.detail, "address": e.address}
                              for e in entries], ensure_ascii=False, indent=2), markup=False)
    elif output is AuditFormat.csv:
        out.print(audit_csv_text(entries), markup=False, end="")
    else:
        voice = Voice.of(settings)
        table = Table(*COLUMNS)
        for e in entries:
            table.add_row(*cells(voice.time(e.at), e.actor, e.action, e.target, e.detail,
                                e.address))
        out.print(table)
