"""The back-office's scenarios (table ``scenario_version``): every save is a new version
holding the whole TOML text, so nothing written is ever lost and any version exports as a
file the CLI loads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row
from .timestamps import from_db, to_db


@dataclass(frozen=True)
class ScenarioVersion:
    scenario_id: str
    version: int
    title: str
    toml: str
    author: str
    saved_at: datetime
    neighbourhoods: frozenset[str] = frozenset()  # empty: the whole commune
    note: str = ""

    @classmethod
    def from_row(cls, row: Row) -> ScenarioVersion:
        hoods = frozenset(h for h in row["neighbourhoods"].split(",") if h)
        return cls(row["scenario_id"], row["version"], row["title"], row["toml"],
                   row["author"], from_db(row["saved_at"]), hoods, row["note"])


_COLUMNS = "scenario_id, version, title, toml, author, neighbourhoods, saved_at, note"


class ScenarioRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def save(self, scenario_id: str, title: str, toml: str, author: str,
                   at: datetime, neighbourhoods: frozenset[str] = frozenset(),
                   note: str = "") -> ScenarioVersion:
        """Add the next version of ``scenario_id`` (1 for a new one), in one transaction; a
        scenario keeps the neighbourhoods of its first version."""
        async with self.database.transaction() as db:
            row = await db.fetch_one(
                "SELECT version, neighbourhoods FROM scenario_version WHERE scenario_id = ?"
                " ORDER BY version DESC LIMIT 1", (scenario_id,))
            version = row["version"] + 1 if row is not None else 1
            hoods = row["neighbourhoods"] if row is not None else ",".join(sorted(neighbourhoods))
            await db.execute(
                f"INSERT INTO scenario_version ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (scenario_id, version, title, toml, author, hoods, to_db(at), note))
        kept = frozenset(h for h in hoods.split(",") if h)
        return ScenarioVersion(scenario_id, version, title, toml, author, at, kept, note)

    async def latest(self, scenario_id: str) -> ScenarioVersion | None:
        row = await self.database.fetch_one(
            f"SELECT {_COLUMNS} FROM scenario_version WHERE scenario_id = ?"
            " ORDER BY version DESC LIMIT 1", (scenario_id,))
        return ScenarioVersion.from_row(row) if row else None

    async def version(self, scenario_id: str, version: int) -> ScenarioVersion | None:
        row = await self.database.fetch_one(
            f"SELECT {_COLUMNS} FROM scenario_version WHERE scenario_id = ? AND version = ?",
            (scenario_id, version))
        return ScenarioVersion.from_row(row) if row else None

    async def history(self, scenario_id: str) -> list[ScenarioVersion]:
        """Newest first."""
        rows = await self.database.fetch_all(
            f"SELECT {_COLUMNS} FROM scenario_version WHERE scenario_id = ?"
            " ORDER BY version DESC", (scenario_id,))
        return [ScenarioVersion.from_row(r) for r in rows]

    async def all_latest(self) -> list[ScenarioVersion]:
        """Each scenario's latest version, by id."""
        rows = await self.database.fetch_all(
            f"SELECT {_COLUMNS} FROM scenario_version AS v WHERE version = ("
            " SELECT MAX(version) FROM scenario_version WHERE scenario_id = v.scenario_id)"
            " ORDER BY scenario_id")
        return [ScenarioVersion.from_row(r) for r in rows]
