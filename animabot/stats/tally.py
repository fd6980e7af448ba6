"""One poll's answers, counted once for every place that shows them (results message,
statistics): private votes per resident plus the totals of anonymous native polls, with the
respondents of each platform and each neighbourhood."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.bots import platform_of
from ..scenario.model import Poll
from ..store.database import Database
from ..store.paper_answers import PAPER
from ..store.stores import Stores, stores_of

UNKNOWN_NEIGHBOURHOOD = "?"


@dataclass
class PollTally:
    counts: list[int]
    respondents: int = 0
    after_reminder: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)  # respondents
    by_neighbourhood: dict[str, int] = field(default_factory=dict)
    counts_by_neighbourhood: dict[str, list[int]] = field(default_factory=dict)

    def add(self, platform: str, neighbourhood: str | None, choices: list[int],
            voters: int) -> None:
        hood_counts = self.counts_by_neighbourhood.setdefault(
            neighbourhood or UNKNOWN_NEIGHBOURHOOD, [0] * len(self.counts))
        for index, count in enumerate(choices):
            self.counts[index] += count
            hood_counts[index] += count
        self.respondents += voters
        channel = platform_of(platform)  # two communes' Telegram bots: one channel
        self.by_platform[channel] = self.by_platform.get(channel, 0) + voters
        hood = neighbourhood or UNKNOWN_NEIGHBOURHOOD
        self.by_neighbourhood[hood] = self.by_neighbourhood.get(hood, 0) + voters


async def tally_poll(source: Database | Stores, campaign_id: str, poll: Poll) -> PollTally:
    stores = stores_of(source)
    size = len(poll.options["fr"])
    tally = PollTally([0] * size)
    grouped = await stores.answers.grouped(campaign_id, poll.id)
    for choices, platform, neighbourhood, after_reminder, count in grouped:
        vector = [0] * size
        for choice in choices:
            vector[choice] = count
        tally.add(platform, neighbourhood, vector, count)
        tally.after_reminder += count if after_reminder else 0
    native = await stores.polls.for_step(campaign_id, poll.id)
    for platform, neighbourhood, counts, voters in native:
        tally.add(platform, neighbourhood, list(counts[:size]), voters)
    # Answers collected on paper or at a meeting: a channel of their own, one choice each
    # (``answers record`` refuses multiple-choice polls: a count per option is no respondent).
    for neighbourhood, choice, count in await stores.paper.grouped(campaign_id, poll.id):
        if 0 <= choice < size:
            vector = [0] * size
            vector[choice] = count
            tally.add(PAPER, neighbourhood, vector, count)
    # Answers past retention, kept as counts.
    for archived in await stores.statistics.archived(campaign_id, poll.id):
        vector = [archived.counts.get(index, 0) for index in range(size)]
        tally.add(archived.platform, archived.neighbourhood_id, vector, archived.respondents)
        tally.after_reminder += archived.after_reminder
    return tally
