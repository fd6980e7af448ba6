"""Recurring campaigns: a series makes one campaign per occurrence, a day ahead, so each
occurrence has its own statistics; cancelling any of them stops the series."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..scenario.model import Scenario
from ..scenario.recurrence import Recurrence, RecurrenceError
from ..store.series import SeriesRepository
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
    def __init__(self, series: SeriesRepository, campaigns: CampaignService, clock: Clock,
                 zone: ZoneInfo) -> None:
        self.series = series
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
        await self.series.add(series_id, scenario.model_dump_json(), source, targets, rule_text,
                              first, author, now)
        started = await self._materialize_one(series_id)
        return StartedSeries(series_id, rule_text, await self.series.next_at(series_id),
                             started)

    async def materialize(self) -> list[StartedCampaign]:
        """Plan every occurrence starting within ``LEAD``: called by the running bot."""
        started: list[StartedCampaign] = []
        for series_id in await self.series.due(self.clock.now() + LEAD):
            started += await self._materialize_one(series_id)
        return started

    async def _materialize_one(self, series_id: str) -> list[StartedCampaign]:
        started: list[StartedCampaign] = []
        for _attempt in range(MAX_PER_PASS):
            record = await self.series.active(series_id)
            if record is None or record.next_at is None:
                break
            at = record.next_at
            if at > self.clock.now() + LEAD:
                break
            scenario = Scenario.model_validate_json(record.scenario_json)
            rule = Recurrence.parse(record.rule)
            campaign_id = f"{series_id}-{at.astimezone(self.zone):%Y%m%d-%H%M}"
            following = rule.next_after(at, self.zone)
            try:
                if await self.campaigns.campaigns.get(campaign_id) is None:
                    started.append(await self.campaigns.start(
                        scenario, record.targets, at, source=record.source,
                        campaign_id=campaign_id, author=record.author, series_id=series_id))
                    log.info("recurring campaign %s planned for %s", campaign_id, at.isoformat())
            except CampaignError as exc:  # e.g. a chat lost since: skip this occurrence
                log.warning("occurrence %s of series %s not planned: %s", campaign_id,
                            series_id, exc)
            await self.series.advance(series_id, following)
        return started

    async def cancel(self, series_id: str) -> int:
        """Stop the series and cancel its occurrences not yet begun; returns how many."""
        if not await self.series.cancel(series_id):
            raise CampaignError(_("no active series {id!r}", id=series_id))
        occurrences = await self.series.campaigns_not_begun(series_id, self.clock.now())
        for campaign_id in occurrences:
            await self.campaigns.cancel(campaign_id)
        return len(occurrences)
