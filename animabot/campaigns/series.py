"""Recurring campaigns: a series makes one campaign per occurrence, a day ahead, so each
occurrence has its own statistics; cancelling any of them stops the series."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..errors import CampaignError
from ..scenario.model import Scenario
from ..store.database import Database
from ..store.timestamps import maybe_from_db, to_db
from .recurrence import Recurrence, RecurrenceError
from .service import CampaignService, StartedCampaign

log = logging.getLogger(__name__)
LEAD = timedelta(days=1)  # occurrences are planned this long before they start
MAX_PER_PASS = 31  # a bound: a bot down for a month does not plan years of occurrences


@dataclass(frozen=True)
class StartedSeries:
    id: str
    rule: str
    next_at: datetime | None
    campaigns: list[StartedCampaign]


class SeriesService:
    def __init__(self, database: Database, campaigns: CampaignService, clock: Clock,
                 zone: ZoneInfo) -> None:
        self.database = database
        self.campaigns = campaigns
        self.clock = clock
        self.zone = zone

    async def create(
        self, scenario: Scenario, targets: list[str], rule_text: str,
        not_before: datetime | None = None, source: str = "", author: str | None = None,
    ) -> StartedSeries:
        try:
            rule = Recurrence.parse(rule_text)
        except RecurrenceError as exc:
            raise CampaignError(str(exc)) from None
        now = self.clock.now()
        await self.campaigns.check_targets(targets)  # the same checks as a single campaign
        first = rule.next_after((not_before or now) - timedelta(seconds=1), self.zone)
        series_id = f"serie-{scenario.id[:20]}-{secrets.token_hex(3)}"
        await self.database.execute(
            "INSERT INTO series (id, scenario_json, source, targets, rule, next_at, status,"
            " author, created_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            (series_id, scenario.model_dump_json(), source, json.dumps(targets), rule_text,
             to_db(first), author, to_db(now)))
        started = await self._materialize_one(series_id)
        row = await self.database.fetch_one("SELECT next_at FROM series WHERE id = ?",
                                            (series_id,))
        return StartedSeries(series_id, rule_text,
                             maybe_from_db(row["next_at"]) if row else None, started)

    async def materialize(self) -> list[StartedCampaign]:
        """Plan every occurrence starting within ``LEAD``: called by the running bot."""
        rows = await self.database.fetch_all(
            "SELECT id FROM series WHERE status = 'active' AND next_at <= ?",
            (to_db(self.clock.now() + LEAD),))
        started: list[StartedCampaign] = []
        for row in rows:
            started += await self._materialize_one(row["id"])
        return started

    async def _materialize_one(self, series_id: str) -> list[StartedCampaign]:
        started: list[StartedCampaign] = []
        for _ in range(MAX_PER_PASS):
            row = await self.database.fetch_one(
                "SELECT * FROM series WHERE id = ? AND status = 'active'", (series_id,))
            if row is None or row["next_at"] is None:
                break
            at = maybe_from_db(row["next_at"])
            assert at is not None
            if at > self.clock.now() + LEAD:
                break
            scenario = Scenario.model_validate_json(row["scenario_json"])
            rule = Recurrence.parse(row["rule"])
            campaign_id = f"{series_id}-{at.astimezone(self.zone):%Y%m%d-%H%M}"
            following = rule.next_after(at, self.zone)
            try:
                if await self.campaigns.campaigns.get(campaign_id) is None:
                    started.append(await self.campaigns.start(
                        scenario, json.loads(row["targets"]), at, source=row["source"],
                        campaign_id=campaign_id, author=row["author"], series_id=series_id))
                    log.info("recurring campaign %s planned for %s", campaign_id, at.isoformat())
            except CampaignError as exc:  # e.g. a chat lost since: skip this occurrence
                log.warning("occurrence %s of series %s not planned: %s", campaign_id,
                            series_id, exc)
            await self.database.execute("UPDATE series SET next_at = ? WHERE id = ?",
                                        (to_db(following), series_id))
        return started

    async def cancel(self, series_id: str) -> int:
        """Stop the series and cancel its occurrences not yet begun; returns how many."""
        changed = await self.database.execute(
            "UPDATE series SET status = 'cancelled' WHERE id = ? AND status = 'active'",
            (series_id,))
        if not changed:
            raise CampaignError(f"no active series {series_id!r}")
        rows = await self.database.fetch_all(
            "SELECT id FROM campaign WHERE series_id = ? AND start_at > ?"
            " AND status IN ('scheduled', 'pending_approval')",
            (series_id, to_db(self.clock.now())))
        for row in rows:
            await self.campaigns.cancel(row["id"])
        return len(rows)
