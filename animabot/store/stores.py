"""Every role-named store over one database, built once where the core is opened and passed
in: the rest of animabot holds no SQL and reaches the tables only through these.

While modules outside this session's reach still hand a :class:`Database` around, entry
points accept either and call :func:`stores_of` (issue 14: they will take the stores only).
"""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import AccountRepository, SessionRepository
from .actors import ActorRepository
from .answers import AnswerRepository
from .audit import AuditRepository
from .campaigns import CampaignRepository
from .chats import ChatRepository
from .database import Database
from .deliveries import DeliveryRepository
from .facilitators import FacilitatorRepository
from .hub import HubQueries
from .paper_answers import PaperAnswerRepository
from .polls import PollTallyRepository
from .problem_reports import ProblemReportRepository
from .reporting import ReportQueries
from .retention import RetentionStore
from .scenarios import ScenarioRepository
from .series import SeriesRepository
from .statistics import StatisticsQueries


@dataclass(frozen=True)
class Stores:
    database: Database  # transactions and units of work span the stores
    accounts: AccountRepository
    actors: ActorRepository
    answers: AnswerRepository
    audit: AuditRepository
    campaigns: CampaignRepository
    chats: ChatRepository
    deliveries: DeliveryRepository
    facilitators: FacilitatorRepository
    hub: HubQueries
    paper: PaperAnswerRepository
    polls: PollTallyRepository
    problem_reports: ProblemReportRepository
    reporting: ReportQueries
    retention: RetentionStore
    scenarios: ScenarioRepository
    series: SeriesRepository
    sessions: SessionRepository
    statistics: StatisticsQueries

    @classmethod
    def over(cls, database: Database) -> Stores:
        return cls(
            database=database, accounts=AccountRepository(database),
            actors=ActorRepository(database), audit=AuditRepository(database),
            answers=AnswerRepository(database), campaigns=CampaignRepository(database),
            chats=ChatRepository(database), deliveries=DeliveryRepository(database),
            facilitators=FacilitatorRepository(database),
            hub=HubQueries(database), paper=PaperAnswerRepository(database),
            polls=PollTallyRepository(database),
            problem_reports=ProblemReportRepository(database),
            reporting=ReportQueries(database), retention=RetentionStore(database),
            scenarios=ScenarioRepository(database),
            series=SeriesRepository(database),
            sessions=SessionRepository(database), statistics=StatisticsQueries(database),
        )


def stores_of(source: Database | Stores) -> Stores:
    """The stores themselves, or stores over a database still passed by an older caller."""
    return source if isinstance(source, Stores) else Stores.over(source)
