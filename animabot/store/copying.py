"""Copy a whole deployment from one database to another (``animabot db migrate --to``):
table by table, in one transaction on the target, checked by counts per table.

Both sides are opened (so migrated) to the same schema first. The target must be empty: a
copy never merges. The source is read inside one unit of work, so a bot left running cannot
write between two tables (it waits; stop it first anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import StorageError
from .database import Database, Dialect, Transaction

# Parents before children (foreign keys); a table not named here (added by a later
# migration) is copied after these, in name order.
_ORDER = ("neighbourhood", "chat", "resident", "address_book", "facilitator", "campaign",
          "series", "delivery", "answer", "completion", "answer_archive", "poll_tally",
          "inbox", "platform_state", "actor", "idea")
_BATCH = 5000

Progress = Callable[[str, int, int], None]  # table, rows copied so far, rows in the table


@dataclass(frozen=True)
class CopiedTable:
    table: str
    rows: int


class CopyError(StorageError):
    """The copy was refused or did not check out: nothing was written to the target."""


async def copy_database(source: Database, target: Database,
                        progress: Progress = lambda table, done, total: None,
                        ) -> list[CopiedTable]:
    """Copy every table of ``source`` into the empty ``target``; all or nothing."""
    tables = _ordered(await source.tables())
    missing = sorted(set(tables) - set(await target.tables()))
    if missing:
        raise CopyError(f"the target has no table {', '.join(missing)}: "
                        "is it an older animabot's schema?")
    busy = [table for table in tables if await _count(target, table)]
    if busy:
        raise CopyError(f"the target {target.name} is not empty ({', '.join(busy)}): "
                        "a copy never merges; give an empty database")
    copied: list[CopiedTable] = []
    async with source.unit(), target.transaction() as tx:
        for table in tables:
            rows = await source.fetch_all(f"SELECT * FROM {table}")
            total = len(rows)
            progress(table, 0, total)
            if rows:
                columns = list(rows[0].keys())
                sql = (f"INSERT INTO {table} ({', '.join(columns)})"
                       f" VALUES ({', '.join('?' * len(columns))})")
                for start in range(0, total, _BATCH):
                    batch = rows[start:start + _BATCH]
                    await tx.execute_many(sql, [tuple(row[c] for c in columns)
                                                for row in batch])
                    progress(table, start + len(batch), total)
            written = await _count(tx, table)
            if written != total:
                raise CopyError(f"{table}: {total} rows read but {written} written; "
                                "nothing was copied")
            copied.append(CopiedTable(table, total))
        if tx.dialect is Dialect.POSTGRESQL:
            # Each identity's sequence must start past the copied rows.
            identities = await tx.fetch_all(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_name = 'id'"
                " AND is_identity = 'YES'")
            for table in sorted({row["table_name"] for row in identities} & set(tables)):
                await tx.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}")
    return copied


def _ordered(tables: list[str]) -> list[str]:
    known = [table for table in _ORDER if table in tables]
    return known + sorted(set(tables) - set(known))


async def _count(where: Database | Transaction, table: str) -> int:
    row = await where.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")
    return int(row["n"]) if row is not None else 0
