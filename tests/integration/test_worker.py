"""The outbox worker against a real SQLite file: sends, retries, skips, never drops."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from animabot.clock import FakeClock
from animabot.core import Core, open_core
from animabot.delivery.pacing import RateLimits
from animabot.errors import (
    ChatUnreachableError,
    DeliveryUnknownError,
    RateLimitedError,
    TransientError,
)
from animabot.store.deliveries import DeliveryRepository

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import T0, ScriptedAdapter, make_settings
from ..helpers import POLL_SCENARIO, People, scenario


async def statuses(core: Core) -> dict[str, str]:
    rows = await core.database.fetch_all("SELECT dedupe_key, status FROM delivery")
    return {row["dedupe_key"]: row["status"] for row in rows}


async def test_drains_due_deliveries_and_records_reference_and_reach(
    core: Core, adapter: ScriptedAdapter
) -> None:
    started = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    worker = core.worker({"simulated": adapter})
    handled = await worker.drain()
    # announcement + poll + the poll's private copies (not needed here: skipped), in two
    # chats; the rest is not due yet
    assert handled == 6 and len(adapter.sent) == 4
    texts = adapter.texts()
    assert texts[0] == "Bonjour <&> *"  # provided text untouched: adapters escape it
    assert sum("Un jardin ?" in t for t in texts) == 2
    rows = await core.database.fetch_all(
        "SELECT platform_ref, reach, status FROM delivery"
        " WHERE campaign_id = ? AND status = 'sent'",
        (started.id,),
    )
    assert len(rows) == 4 and all(r["platform_ref"] and r["reach"] == 12 for r in rows)


async def test_rate_limit_retries_after_the_delay_without_using_an_attempt(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    adapter.failures = [RateLimitedError(30)]
    worker = core.worker({"simulated": adapter})
    await worker.drain()
    row = await core.database.fetch_one(
        "SELECT status, attempts, due_at, error FROM delivery WHERE status = 'pending'"
        " AND error IS NOT NULL")
    assert row is not None and row["attempts"] == 0 and "retry after 30" in row["error"]
    assert len(adapter.sent) == 1
    clock.advance(timedelta(seconds=31))
    await worker.drain()
    assert len(adapter.sent) == 2


async def test_transient_errors_are_retried_then_failed_after_max_attempts(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    only_announcement = {**POLL_SCENARIO, "steps": POLL_SCENARIO["steps"][:1]}
    await core.campaigns.start(scenario(only_announcement), ["centre"])
    adapter.failures = [TransientError("502") for _ in range(10)]
    worker = core.worker({"simulated": adapter})
    for _ in range(core.settings.delivery.max_attempts):
        await worker.drain()
        clock.advance(timedelta(minutes=30))
    assert list((await statuses(core)).values()) == ["failed"]
    assert worker.stats.failed == 1 and adapter.sent == []


async def test_unreachable_chat_is_deactivated_and_its_pending_rows_skipped(
    core: Core, adapter: ScriptedAdapter
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    adapter.failures = [ChatUnreachableError("bot was kicked")]
    await core.worker({"simulated": adapter}).drain()
    chat = await core.services.chats.find("simulated", "g-centre")
    assert chat is not None and not chat.active
    assert set((await statuses(core)).values()) == {"skipped"}
    assert adapter.sent == []


async def test_a_possibly_delivered_send_is_marked_unknown_and_never_retried(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    adapter.failures = [DeliveryUnknownError("read timeout")]
    worker = core.worker({"simulated": adapter})
    await worker.drain()
    clock.advance(timedelta(hours=1))
    await worker.drain()
    values = await statuses(core)
    assert sum(1 for s in values.values() if s == "unknown") == 1
    assert len(adapter.sent) == 1  # the poll went; the announcement was not sent again


async def test_recovery_resends_in_flight_rows_on_idempotent_platforms_only(
    core: Core, adapter: ScriptedAdapter, storage_backend: str
) -> None:
    if storage_backend == "postgresql":
        pytest.skip("several workers: a row comes back when its lease runs out (next test)")
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    deliveries = DeliveryRepository(core.database)
    claimed = await deliveries.claim_due(core.clock.now(), 2, timedelta(minutes=2))
    assert len(claimed) == 2
    await deliveries.mark_sending(claimed[0].id)  # the crash came during this request
    adapter.idempotent_sends = False
    await core.worker({"simulated": adapter}).recover()
    assert (await deliveries.get(claimed[0].id)).status == "unknown"  # type: ignore[union-attr]
    assert (await deliveries.get(claimed[1].id)).status == "pending"  # type: ignore[union-attr]
    claimed = await deliveries.claim_due(core.clock.now(), 1, timedelta(minutes=2))
    await deliveries.mark_sending(claimed[0].id)
    adapter.idempotent_sends = True
    await core.worker({"simulated": adapter}).recover()
    assert (await deliveries.get(claimed[0].id)).status == "pending"  # type: ignore[union-attr]


async def test_a_dead_workers_rows_come_back_when_its_lease_runs_out(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, storage_backend: str
) -> None:
    """Several workers (PostgreSQL): a starting worker leaves the rows of live ones alone;
    once a dead worker's lease has run out, its claimed rows are queued again and the one
    cut while sending is in doubt (Telegram) or queued again (an idempotent platform)."""
    if storage_backend != "postgresql":
        pytest.skip("one process on SQLite: everything in flight is recovered at start")
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    deliveries = DeliveryRepository(core.database)
    lease = timedelta(seconds=core.settings.delivery.lease_seconds)
    claimed = await deliveries.claim_due(clock.now(), 10, lease, worker="dead")
    assert len(claimed) == 2 and len({d.chat_id for d in claimed}) == 2  # one per chat
    await deliveries.mark_sending(claimed[0].id)
    adapter.idempotent_sends = False
    survivor = core.worker({"simulated": adapter})
    await survivor.recover()
    assert (await deliveries.get(claimed[0].id)).status == "sending"  # type: ignore[union-attr]
    await survivor.keep_leases()
    assert (await deliveries.get(claimed[1].id)).status == "claimed"  # type: ignore[union-attr]
    clock.advance(lease + timedelta(seconds=1))
    await survivor.keep_leases()
    assert (await deliveries.get(claimed[0].id)).status == "unknown"  # type: ignore[union-attr]
    again = await deliveries.get(claimed[1].id)
    assert again is not None and again.status == "pending" and again.attempts == 0
    claimed = await deliveries.claim_due(clock.now(), 1, lease, worker="dead too")
    await deliveries.mark_sending(claimed[0].id)
    adapter.idempotent_sends = True
    clock.advance(lease + timedelta(seconds=1))
    await survivor.keep_leases()
    assert (await deliveries.get(claimed[0].id)).status == "pending"  # type: ignore[union-attr]


async def test_a_live_workers_leases_are_renewed(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    worker = core.worker({"simulated": adapter})
    deliveries = DeliveryRepository(core.database)
    claimed = await deliveries.claim_due(clock.now(), 1, worker.lease, worker=worker.name)
    clock.advance(worker.lease * 0.9)
    await worker.keep_leases()
    clock.advance(worker.lease * 0.9)
    await worker.keep_leases()  # past the first lease, renewed: still this worker's
    assert (await deliveries.get(claimed[0].id)).status == "claimed"  # type: ignore[union-attr]


async def test_cancelled_campaign_sends_nothing_more(core: Core, adapter: ScriptedAdapter) -> None:
    started = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await core.campaigns.cancel(started.id)
    await core.worker({"simulated": adapter}).drain()
    assert adapter.sent == []
    assert set((await statuses(core)).values()) == {"skipped"}


async def test_reminder_goes_privately_to_consenting_non_respondents_only(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    people = People(core, clock)
    handle = core.conversation.handle
    for n in (1, 2, 3):
        await handle(people.command(n, "start"))
        await handle(people.press(n, core.signer.sign("c.y")))
        await handle(people.press(n, core.signer.sign("h.centre")))
    await handle(people.command(4, "start"))  # never consents: no reminder
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    worker = core.worker({"simulated": adapter})
    await worker.drain()
    poll_id = (await core.database.fetch_one(
        "SELECT id FROM delivery WHERE step_id = 'envie' AND part = 'send'"))["id"]  # type: ignore[index]
    await handle(people.press(1, core.signer.sign(f"v.{poll_id}.0"), group="g-centre"))
    adapter.sent.clear()
    clock.advance(timedelta(days=1))
    await worker.drain()
    reminded = {target.address for target, message, _ in adapter.sent if target.private}
    assert reminded == {"user2", "user3"}
    assert all(len(message.buttons) == 3 for _, message, _ in adapter.sent)


async def test_delivery_caps_in_the_config_pace_every_platform(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, global_per_second=2.0, per_chat_per_second=0.5)
    async with open_core(settings, FakeClock(T0)) as core:
        worker = core.worker({"simulated": ScriptedAdapter()})
    assert worker.pacers["simulated"].limits == RateLimits(2.0, 0.5)


async def test_a_batch_reads_its_chats_once_not_once_a_row(
    core: Core, adapter: ScriptedAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Composing a group's row needs its chat: the claimed batch's chats come in one read."""
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    worker = core.worker({"simulated": adapter})
    batches: list[int] = []
    one_by_one: list[int] = []
    get_many, get = worker.composer.chats.get_many, worker.composer.chats.get

    async def counted_many(ids: object) -> object:
        batches.append(len(ids))  # type: ignore[arg-type]
        return await get_many(ids)  # type: ignore[arg-type]

    async def counted_one(chat_id: int) -> object:
        one_by_one.append(chat_id)
        return await get(chat_id)

    monkeypatch.setattr(worker.composer.chats, "get_many", counted_many)
    monkeypatch.setattr(worker.composer.chats, "get", counted_one)
    await worker.drain()
    assert len(adapter.sent) == 4  # two chats, two messages each
    assert one_by_one == [] and 2 in batches
