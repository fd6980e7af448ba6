"""Answers collected on paper or at a public meeting, entered by an agent as counts: each
entry is checked against the campaign as started (the poll, its options, its
neighbourhoods), kept with who entered it and when, and written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.access import AuditAction
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..scenario.model import Poll, pick
from ..scenario.snapshot import scenario_of
from ..store.paper_answers import NewPaperAnswers, PaperAnswers
from ..store.stores import Stores
from .lookup import resolve_campaign_id

MAX_COUNT = 100_000  # far above any meeting: a typo (an extra zero or two) is refused


@dataclass(frozen=True)
class PaperEntry:
    """An entry as typed: ``option`` counted from 1, as residents saw the options."""

    campaign: str  # an id or a unique beginning of it
    step_id: str
    neighbourhood_id: str
    option: int
    count: int
    source: str
    entered_by: str


async def record_paper_answers(
    stores: Stores, entry: PaperEntry, now: datetime, actor: str
) -> PaperAnswers:
    """Check and store one entry; a :class:`CampaignError` says what is wrong and the fix.
    ``actor`` signs the audit log's line (``cli:<name>`` from the command line)."""
    campaign_id = await resolve_campaign_id(stores.campaigns, entry.campaign)
    record = await stores.campaigns.get(campaign_id)
    assert record is not None
    poll = _poll(scenario_of(record).polls(), entry.step_id, campaign_id)
    options = len(poll.options["fr"])
    if not 1 <= entry.option <= options:
        raise CampaignError(_(
            "--option {option}: poll {step!r} has {count} options; write a number from 1 to "
            "{count} ({labels})", option=entry.option, step=poll.id, count=options,
            labels="; ".join(f"{n} = {label}" for n, label in
                             enumerate(pick(poll.options, "fr"), start=1))))
    if not 1 <= entry.count <= MAX_COUNT:
        raise CampaignError(_("--count {count}: write the number of answers, from 1 to {most}",
                              count=entry.count, most=MAX_COUNT))
    if entry.neighbourhood_id not in record.targets:
        raise CampaignError(_(
            "--neighbourhood {hood!r}: the campaign was not sent there; write one of: {hoods}",
            hood=entry.neighbourhood_id, hoods=", ".join(record.targets)))
    source, by = " ".join(entry.source.split()), entry.entered_by.strip()
    if not source:
        raise CampaignError(_('--source is empty: say where the answers come from, e.g. '
                              '--source "réunion du 12/03"'))
    if not by:
        raise CampaignError(_("--by is empty: write the name of who enters the answers"))
    new = NewPaperAnswers(campaign_id, poll.id, entry.neighbourhood_id, entry.option - 1,
                          entry.count, source, by, now)
    entry_id = await stores.paper.add(new)
    await stores.audit.record(now, actor, AuditAction.PAPER_ANSWERS_RECORDED,
                              f"{campaign_id}/{poll.id}", _detail(new, entry_id))
    stored = await stores.paper.get(entry_id)
    assert stored is not None
    return stored


async def remove_paper_answers(
    stores: Stores, entry_id: int, now: datetime, actor: str
) -> PaperAnswers:
    """Delete a wrong entry (audited, by ``actor``, with what it held)."""
    removed = await stores.paper.remove(entry_id)
    if removed is None:
        raise CampaignError(_("no paper entry {id}: `animabot answers list CAMPAIGN` shows "
                              "the entries", id=entry_id))
    await stores.audit.record(now, actor, AuditAction.PAPER_ANSWERS_REMOVED,
                              f"{removed.campaign_id}/{removed.step_id}",
                              _detail(removed, entry_id))
    return removed


def _detail(entry: NewPaperAnswers, entry_id: int) -> str:
    return (f"#{entry_id} {entry.neighbourhood_id} option {entry.choice + 1}: {entry.count}"
            f" ({entry.source})")


def _poll(polls: list[Poll], step_id: str, campaign_id: str) -> Poll:
    found = next((poll for poll in polls if poll.id == step_id), None)
    if found is None:
        raise CampaignError(_(
            "{step!r} is not a poll of campaign {campaign!r}; polls: {polls}", step=step_id,
            campaign=campaign_id, polls=", ".join(p.id for p in polls) or _("none")))
    if found.multiple:
        raise CampaignError(_(
            "poll {step!r} takes several answers per person: a count per option does not say "
            "how many people answered, so paper answers are only taken for one-answer polls",
            step=step_id))
    return found
