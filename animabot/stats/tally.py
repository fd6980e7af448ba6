"""One poll's answers, counted once for every place that shows them (results message,
statistics): private votes per resident plus the totals of anonymous native polls."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scenario.model import Poll
from ..store.answers import AnswerRepository
from ..store.database import Database
from ..store.polls import PollTallyRepository


@dataclass
class PollTally:
    counts: list[int]
    respondents: int = 0
    after_reminder: int = 0
    by_platform: dict[str, list[int]] = field(default_factory=dict)  # platform → counts
    respondents_by_platform: dict[str, int] = field(default_factory=dict)

    def add(self, platform: str, choices: tuple[int, ...] | list[int], voters: int) -> None:
        per_platform = self.by_platform.setdefault(platform, [0] * len(self.counts))
        for index, count in enumerate(choices):
            self.counts[index] += count
            per_platform[index] += count
        self.respondents += voters
        self.respondents_by_platform[platform] = (
            self.respondents_by_platform.get(platform, 0) + voters
        )


async def tally_poll(database: Database, campaign_id: str, poll: Poll) -> PollTally:
    size = len(poll.options["fr"])
    tally = PollTally([0] * size)
    for answer in await AnswerRepository(database).answers(campaign_id, poll.id):
        vector = [0] * size
        for choice in answer.choices:
            vector[choice] = 1
        tally.add(answer.platform, vector, 1)
        tally.after_reminder += int(answer.after_reminder)
    native = await PollTallyRepository(database).for_step(campaign_id, poll.id)
    for platform, counts, voters in native:
        tally.add(platform, list(counts[:size]), voters)
    return tally
