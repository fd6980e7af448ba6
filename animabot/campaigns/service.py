"""Start, list, show and cancel campaigns: what the CLI and (later) facilitators' chats call."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..clock import Clock
from ..domain.window import DeliveryWindow
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..scenario.loader import unknown_actor_fix
from ..scenario.model import Scenario
from ..scenario.snapshot import scenario_of
from ..store.campaigns import PENDING_APPROVAL, SCHEDULED, CampaignRecord
from ..store.chats import ChatRecord
from ..store.database import Database
from ..store.ideas import ACCEPTED, IdeaRepository
from ..store.stores import Stores, stores_of
from .planner import plan_campaign


@dataclass(frozen=True)
class StartedCampaign:
    id: str
    deliveries: int
    chats: int
    first_due: datetime | None
    pending_approval: bool = False


def no_campaign(campaign_id: str) -> CampaignError:
    """The error for an unknown campaign; also for one beyond the asker's commune, which must
    not learn that it exists."""
    return CampaignError(_(
        "no campaign {id!r}: `animabot campaign list` shows the ids", id=campaign_id))


def unknown_neighbourhoods(unknown: Sequence[str], known: Sequence[str]) -> CampaignError:
    """The error for targets that are not (the asker's) neighbourhoods, with the known ones."""
    return CampaignError(_(
        "unknown neighbourhood(s): {unknown}; known: {known}", unknown=", ".join(unknown),
        known=", ".join(known) or _("none (add [[neighbourhoods]] to the config)")))


def new_campaign_id(scenario_id: str) -> str:
    return f"{scenario_id[:24]}-{secrets.token_hex(3)}"


class CampaignService:
    def __init__(
        self, source: Database | Stores, window: DeliveryWindow, clock: Clock,
        approval_above: int = 3,
    ) -> None:
        stores = stores_of(source)
        self.approval_above = approval_above
        self.database = stores.database
        self.window = window
        self.clock = clock
        self.campaigns = stores.campaigns
        self.chats = stores.chats
        self.deliveries = stores.deliveries
        self.actors = stores.actors

    async def start(
        self, scenario: Scenario, targets: Sequence[str], start: datetime | None = None,
        source: str = "", campaign_id: str | None = None, author: str | None = None,
        series_id: str | None = None,
    ) -> StartedCampaign:
        """Plan every delivery in one transaction; raise CampaignError with the fix if the
        targets are unknown or have no chat. A campaign to more than ``approval_above``
        neighbourhoods is only recorded: it is planned when a second facilitator approves."""
        now = self.clock.now()
        start = start or now
        wanted = [t.strip() for t in targets if t.strip()]
        chats = await self.check_targets(wanted)
        await self._check_actors(scenario)
        await self._check_ideas(scenario)
        campaign_id = campaign_id or new_campaign_id(scenario.id)
        if await self.campaigns.get(campaign_id) is not None:
            raise CampaignError(_("a campaign {id!r} already exists", id=campaign_id))
        pending = len(wanted) > self.approval_above
        record = CampaignRecord(
            id=campaign_id, scenario_id=scenario.id, title=scenario.title,
            scenario_json=scenario.model_dump_json(), source=source, targets=tuple(wanted),
            start_at=start, status=PENDING_APPROVAL if pending else SCHEDULED,
            created_at=now, cancelled_at=None, author=author, series_id=series_id,
        )
        rows = [] if pending else plan_campaign(campaign_id, scenario, start, self.window,
                                                chats)[1]
        await self.campaigns.add(record, rows)
        first = min((r.due_at for r in rows), default=None)
        return StartedCampaign(campaign_id, len(rows), len(chats), first, pending)

    async def check_targets(self, wanted: list[str]) -> list[ChatRecord]:
        if not wanted:
            raise CampaignError(_("no target neighbourhood: give --to with neighbourhood ids"))
        known = await self.chats.neighbourhoods()
        unknown = [t for t in wanted if t not in known]
        if unknown:
            raise unknown_neighbourhoods(unknown, list(known))
        chats = await self.chats.active_in(wanted)
        silent = [t for t in wanted if not any(c.neighbourhood_id == t for c in chats)]
        if silent:
            raise CampaignError(_(
                "no active chat in {hoods}: add the bot to the neighbourhood's group and link "
                "it (/quartier ID), or list it in the config's neighbourhoods",
                hoods=", ".join(silent)))
        return chats

    async def approve(self, campaign_id: str, approver: str) -> StartedCampaign:
        """The second pair of eyes: plan a pending campaign. Its author cannot approve it."""
        record = await self.get(campaign_id)
        if record.status != PENDING_APPROVAL:
            raise CampaignError(_("campaign {id!r} is {status}: nothing to approve",
                                  id=campaign_id, status=record.status))
        if record.author is not None and record.author == approver:
            raise CampaignError(_("the author of a campaign cannot approve it: ask another "
                                  "facilitator"))
        chats = await self.check_targets(list(record.targets))
        start = max(record.start_at, self.clock.now())
        rows = plan_campaign(record.id, scenario_of(record), start, self.window, chats)[1]
        if not await self.campaigns.approve(record.id, approver, self.clock.now(), rows):
            raise CampaignError(_("campaign {id!r} was approved meanwhile", id=campaign_id))
        first = min((r.due_at for r in rows), default=None)
        return StartedCampaign(record.id, len(rows), len(chats), first)

    async def _check_ideas(self, scenario: Scenario) -> None:
        """Every idea an outcome names must be an accepted idea: residents would otherwise
        read of an idea that was refused, or of none."""
        ideas = IdeaRepository(self.database)
        wrong = []
        for index, number in scenario.idea_refs():
            idea = await ideas.get(number)
            if idea is None or idea.status != ACCEPTED:
                state = _("unknown") if idea is None else idea.status
                wrong.append(f"steps[{index}].ideas: {number} ({state})")
        if wrong:
            raise CampaignError(_(
                "an outcome names ideas that are not accepted: {where}; see `animabot ideas "
                "list --status accepted`, or write ideas = true", where=", ".join(wrong)))

    async def _check_actors(self, scenario: Scenario) -> None:
        """Every actor the scenario names must be in the directory: residents would
        otherwise get no contact line."""
        refs = scenario.actor_refs()
        if not refs:
            return
        known = await self.actors.ids()
        unknown = [(i, a) for i, a in refs if a not in known]
        if unknown:
            actor_id = unknown[0][1]
            where = ", ".join(f"steps[{i}].actor = {a!r}" for i, a in unknown)
            raise CampaignError(_("unknown actor(s) in the scenario: {where}; {fix}",
                                  where=where, fix=unknown_actor_fix(actor_id, known)))

    async def get(self, campaign_id: str) -> CampaignRecord:
        record = await self.campaigns.get(campaign_id)
        if record is None:
            raise no_campaign(campaign_id)
        return record

    async def cancel(self, campaign_id: str) -> CampaignRecord:
        record = await self.get(campaign_id)
        if record.status == "cancelled":
            raise CampaignError(_("campaign {id!r} is already cancelled", id=campaign_id))
        await self.campaigns.cancel(campaign_id, self.clock.now())
        return await self.get(campaign_id)


