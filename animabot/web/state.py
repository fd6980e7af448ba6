"""What every request handler shares, kept on the application under typed keys."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from aiohttp import web

from ..accounts.service import AccountService
from ..accounts.sessions import SessionManager
from ..accounts.throttle import SignInThrottle
from ..campaigns.series import SeriesService
from ..campaigns.service import CampaignService
from ..config import Settings
from ..domain.window import DeliveryWindow
from ..stats.tally import UNKNOWN_NEIGHBOURHOOD
from ..store.campaigns import CampaignRepository
from ..store.database import Database
from ..store.stores import Stores
from .auth import AgentDirectory
from .chart_cache import ChartCache
from .oidc import OidcClient


@dataclass
class Dashboard:
    settings: Settings
    agents: AgentDirectory
    # Charts are drawn off the event loop, one at a time: matplotlib's rc_context is global.
    painter: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="animabot-charts")
    )
    language: str = "fr"  # the dashboard speaks French, whatever the bot's language
    charts: ChartCache = field(init=False)

    def __post_init__(self) -> None:
        self.charts = ChartCache(self.painter)

    @property
    def min_cell(self) -> int:
        return self.settings.privacy.min_cell

    @property
    def hood_names(self) -> dict[str, str]:
        """Configured neighbourhood names: the figures carry ids only."""
        return {hood.id: hood.name for hood in self.settings.neighbourhoods}

    def hood_name(self, hood_id: str) -> str:
        if hood_id == UNKNOWN_NEIGHBOURHOOD:
            return "quartier non renseigné"
        return self.hood_names.get(hood_id, hood_id)


@dataclass
class Gate:
    """Sign-in and sessions: built once the database is open."""

    accounts: AccountService
    sessions: SessionManager
    throttle: SignInThrottle
    campaigns: CampaignRepository  # a campaign's neighbourhoods, for a facilitator's scope
    oidc: OidcClient | None = None


@dataclass
class Desk:
    """The facilitators' work: the stores, the campaign service the CLI uses, the window."""

    stores: Stores
    campaigns: CampaignService
    window: DeliveryWindow
    series: SeriesService


DASHBOARD = web.AppKey("dashboard", Dashboard)
GATE = web.AppKey("gate", Gate)
DATABASE = web.AppKey("database", Database)
DESK = web.AppKey("desk", Desk)
