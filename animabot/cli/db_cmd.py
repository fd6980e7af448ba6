"""``animabot db migrate --to postgresql://…``: copy an SQLite deployment to PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from ..store.copying import CopiedTable, copy_database
from ..store.database import open_database
from .common import (
    ConfigOption,
    DatabaseOption,
    err,
    fail,
    out,
    run_async,
    settings_from,
    whole_deployment,
)

app = typer.Typer(help="The database: copy a deployment to PostgreSQL.", no_args_is_help=True)


@app.command("migrate")
def migrate(
    to: Annotated[str, typer.Option(
        "--to", help="The empty PostgreSQL database to copy into: postgresql://user@host/db "
        "(the password there, or in ANIMABOT_STORAGE__PASSWORD).")],
    config: ConfigOption = None, database: DatabaseOption = None,
) -> None:
    """Copy every table of the SQLite database into an empty PostgreSQL one, in one
    transaction, checked by counts per table. Stop the bot first; then set [storage] url."""

    def progress(table: str, done: int, total: int) -> None:
        err.print(f"{table}: {done}/{total}")

    async def work() -> list[CopiedTable]:
        settings = settings_from(config, database)
        whole_deployment(settings, "db migrate")
        storage = settings.storage
        if storage.backend() != "sqlite":
            fail("db migrate copies the SQLite file: this configuration already names a "
                 "PostgreSQL url", settings.bot.language)
        if not to.startswith(("postgresql://", "postgres://")):
            fail(f"--to must be a postgresql:// url, not {to.split(':', 1)[0]!r}",
                 settings.bot.language)
        password = settings.secret(storage.password, storage.password_file)
        async with open_database(storage.target()) as source, \
                open_database(to, password=password) as target:
            return await copy_database(source, target, progress)

    copied = run_async(work)
    for table in copied:
        out.print(f"{table.table:<16} {table.rows:>9} rows")
    out.print(f"copied {sum(t.rows for t in copied)} rows in {len(copied)} tables; counts "
              "checked. Now set [storage] url to the PostgreSQL database.")
