"""Every figure of a campaign on a seeded database, against values computed by hand."""

from __future__ import annotations

from datetime import timedelta

from animabot.clock import FakeClock
from animabot.core import Core
from animabot.privacy.retention import purge
from animabot.stats.campaign import campaign_figures
from animabot.stats.export import figures_to_json, to_csv
from animabot.stats.overview import neighbourhood_figures, overview, summarise
from animabot.store.answers import AnswerRepository
from animabot.store.deliveries import DeliveryRepository

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import T0
from ..helpers import POLL_SCENARIO, scenario

# Votes: (resident, option, hours after the poll went out, chat/neighbourhood, platform)
VOTES = [(n, 0, n, "centre", "simulated") for n in range(1, 9)]  # 8 × Oui, centre
VOTES += [(n, 1, 10 + n, "gare", "simulated") for n in range(9, 15)]  # 6 × Non, gare
VOTES += [(15, 2, 30, "gare", "simulated"), (16, 2, 31, "gare", "simulated")]  # 2 × Sans avis


async def _seed(core: Core, clock: FakeClock) -> str:
    started = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"], T0)
    deliveries = DeliveryRepository(core.database)
    sends = await core.database.fetch_all(
        "SELECT d.id, c.neighbourhood_id FROM delivery d JOIN chat c ON c.id = d.chat_id"
        " WHERE d.step_id = 'envie' AND d.part = 'send'")
    for row in sends:  # 30 members in centre's group, 20 in gare's
        reach = 30 if row["neighbourhood_id"] == "centre" else 20
        await deliveries.mark_sent(row["id"], "ref", reach, T0)
    reminder_at = T0 + timedelta(hours=24)
    for n in (13, 14, 15, 16, 17):  # five reminded privately a day later
        await core.database.execute(
            "INSERT INTO delivery (dedupe_key, campaign_id, step_id, part, pseudonym, due_at,"
            " status, sent_at) VALUES (?, ?, 'envie', 'reminder1', ?, ?, 'sent', ?)",
            (f"r{n}", started.id, f"p{n}", "2026-12-02T09:00:00.000000Z",
             "2026-12-02T09:00:00.000000Z"))
    answers = AnswerRepository(core.database)
    for resident, option, hours, hood, platform in VOTES:
        when = T0 + timedelta(hours=hours)
        await answers.record_vote(started.id, "envie", f"p{resident}", platform, hood,
                                  (option,), when, after_reminder=when > reminder_at)
    return started.id


async def test_every_figure_matches_a_hand_count(core: Core, clock: FakeClock) -> None:
    campaign = await _seed(core, clock)
    figures = await campaign_figures(core.database, campaign, 5)
    poll = figures.polls[0]
    assert poll.reach == 50 and poll.chats == 2
    assert poll.respondents == 16 and poll.response_rate == round(16 / 50, 3)
    # Oui 8, Non 6, Sans avis 2 → 2 is small, hidden with its complement (Non, the smallest
    # visible non-zero); the total stays.
    assert poll.answers.cells == (8, None, None) and poll.answers.total == 16
    assert poll.reminded == 5 and poll.times.reached_privately == 5
    # After the reminder (24 h): residents 15 and 16 (30 h, 31 h) → 2: hidden.
    assert poll.after_reminder is None
    assert poll.times.phases == [("before_reminders", None), ("after_reminder_1", None)]
    # Hours to answer: 1..8, 19..24, 30, 31 (16 values). Inclusive quartiles by hand:
    # Q1 at position 3.75 → 4 + 0.75 × (5 − 4) = 4.75; median at 7.5 → 8 + 0.5 × (19 − 8)
    # = 13.5; Q3 at 11.25 → 22 + 0.25 × (23 − 22) = 22.25.
    assert sorted(hours for _, _, hours, _, _ in VOTES) == [*range(1, 9), *range(19, 25), 30, 31]
    assert poll.median_hours_to_answer == 13.5
    assert poll.quartiles_hours == (round(4.75, 1), round(22.25, 1))
    centre, gare = poll.neighbourhoods["centre"], poll.neighbourhoods["gare"]
    assert (centre.reach, centre.respondents, centre.response_rate) == (30, 8, round(8 / 30, 3))
    assert (gare.reach, gare.respondents, gare.response_rate) == (20, 8, 0.4)
    assert poll.platforms["simulated"].respondents == 16
    assert poll.times.curve[-1][1] == 16 and poll.times.curve[0][0] == T0 + timedelta(hours=1)
    # 1, 2, 3… respondents so far: only points 5 or more apart are published, and the last
    # stretch (15 → 16) is folded into the one before it.
    assert [(moment - T0, n) for moment, n in poll.times.curve if n is not None] == [
        (timedelta(hours=5), 5), (timedelta(hours=20), 10), (timedelta(hours=31), 16)]
    assert figures.status == "running"  # sent, with closes, reminders and results pending


def _published_counts(data: object) -> list[int]:
    """Every count a reader of the JSON sees: shown cells, at any depth."""
    if isinstance(data, dict):
        if set(data) >= {"value", "suppressed"}:
            return [data["value"]] if isinstance(data["value"], int) else []
        return [n for value in data.values() for n in _published_counts(value)]
    if isinstance(data, list):
        return [n for item in data for n in _published_counts(item)]
    return []


async def test_no_published_count_is_small(core: Core, clock: FakeClock) -> None:
    campaign = await _seed(core, clock)
    data = figures_to_json(await campaign_figures(core.database, campaign, 5))
    counts = _published_counts(data)
    assert 16 in counts and not [n for n in counts if 0 < n < 5]
    curve = data["polls"][0]["cumulative_respondents"]
    assert curve[0]["respondents"] == {"value": None, "suppressed": True}


async def test_exports_agree_and_hold_no_pseudonym(core: Core, clock: FakeClock) -> None:
    campaign = await _seed(core, clock)
    data = figures_to_json(await campaign_figures(core.database, campaign, 5))
    text = to_csv(data, "campaign") + str(data)
    assert "p13" not in text and "p1," not in text
    assert "polls,envie,respondents,,16,false" in text
    assert "polls,envie,options,Non,,true" in text
    assert data["start_at"].endswith(":00Z")  # never finer than the hour
    [summary] = await overview(core.database, 5)
    assert summary.respondents == 16 and summary.reach == 50
    hood = await neighbourhood_figures(core.database, "gare", 5)
    assert [(c.id, c.respondents, c.reach) for c in hood.campaigns] == [(campaign, 8, 20)]


async def test_the_overview_reads_all_campaigns_at_once_with_the_pages_figures(
    core: Core, clock: FakeClock
) -> None:
    """The set-based overview says what each campaign's own page says, archived answers
    (past retention) and a campaign without answers included."""
    campaign = await _seed(core, clock)
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"], T0 + timedelta(days=1))
    await purge(core.stores, 1, T0 + timedelta(days=1, hours=20))  # answers before 20 h
    for k in (1, 5, 7):
        expected = [summarise(await campaign_figures(core.stores, record.id, k))
                    for record in await core.stores.campaigns.list()]
        assert await overview(core.stores, k) == expected
        assert expected[0].id == campaign and expected[0].reach == 50
