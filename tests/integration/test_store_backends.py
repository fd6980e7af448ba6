"""The store's contract on both backends: the same schema, the same repository behaviour,
the same transactions, and storage faults told as ours (issue 14, PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from animabot.errors import StorageError, StorageUnavailableError
from animabot.store import migrations
from animabot.store.database import Database, Dialect, open_database, sqlite_path
from animabot.store.deliveries import DeliveryRepository, NewDelivery, expand_delivery
from animabot.store.inbox import InboxRepository
from animabot.store.retention import RetentionStore
from animabot.store.state import PlatformState
from animabot.store.stores import Stores

from ..backends import both_backends  # noqa: F401 (the fixture storage_backend, twice)
from ..conftest import T0
from ..support.postgres import Cluster


async def _columns(database: Database) -> dict[str, list[str]]:
    if database.dialect is Dialect.SQLITE:
        tables = [r["name"] for r in await database.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(r["name"] for r in await database.fetch_all(
            f"SELECT name FROM pragma_table_info('{t}')")) for t in tables}
    rows = await database.fetch_all(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name <> 'schema_version'"
        " ORDER BY table_name, column_name")
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["table_name"], []).append(row["column_name"])
    return found


async def _indexes(database: Database) -> set[str]:
    if database.dialect is Dialect.SQLITE:
        rows = await database.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            " AND name NOT LIKE 'sqlite_autoindex%'")
    else:
        rows = await database.fetch_all(
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'"
            " AND indexname NOT LIKE '%pkey' AND indexname NOT LIKE '%key'")
    return {row["name"] for row in rows}


# --- schema and migrations --------------------------------------------------------------------
@pytest.mark.postgresql
async def test_postgresql_holds_the_schema_sqlite_reaches(
    tmp_path: Path, postgres_url: str,
) -> None:
    async with open_database(tmp_path / "a.db") as lite, open_database(postgres_url) as pg:
        assert await _columns(pg) == await _columns(lite)
        several_workers = migrations.POSTGRESQL_ONLY_INDEXES
        assert await _indexes(pg) - several_workers == await _indexes(lite)
        row = await pg.fetch_one("SELECT version FROM schema_version")
        assert row is not None and row["version"] == migrations.schema_version()


@pytest.mark.postgresql
async def test_an_empty_postgresql_database_is_migrated_once(postgres_cluster: Cluster) -> None:
    name = postgres_cluster.fresh(empty=True)
    try:
        url = postgres_cluster.url(name)
        opened = [open_database(url), open_database(url)]  # two processes starting together
        async with opened[0] as first, opened[1] as second:
            for database in (first, second):
                rows = await database.fetch_all("SELECT version FROM schema_version")
                assert [r["version"] for r in rows] == [migrations.schema_version()]
    finally:
        postgres_cluster.drop(name)


async def test_a_later_migration_applies_to_both(
    database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """A migration appended after the baseline runs on both, told which dialect it speaks."""
    seen: list[Dialect] = []

    async def _m_next(tx: object) -> None:
        from animabot.store.database import Transaction

        assert isinstance(tx, Transaction)
        seen.append(tx.dialect)
        await tx.execute("ALTER TABLE chat ADD COLUMN extra TEXT")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, _m_next))
    where: Path | str = tmp_path / "store.db" if database.dialect is Dialect.SQLITE \
        else request.getfixturevalue("postgres_url")
    async with open_database(where) as again:
        await again.execute("UPDATE chat SET extra = 'x'")
    async with open_database(where):
        pass  # already at the new version: not applied twice
    assert seen == [database.dialect]


async def test_a_newer_schema_is_refused(database: Database) -> None:
    with pytest.raises(StorageError, match="newer animabot"):
        migrations.steps(database.dialect, migrations.schema_version() + 1, "x")


# --- transactions -----------------------------------------------------------------------------
async def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    chats = Stores.over(database).chats
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO neighbourhood (id, name) VALUES (?, ?)", ("a", "A"))
            raise RuntimeError("boom")
    assert await chats.neighbourhoods() == {}


async def test_a_unit_commits_or_undoes_everything_and_nests_savepoints(
    database: Database,
) -> None:
    chats = Stores.over(database).chats
    with pytest.raises(RuntimeError):
        async with database.unit():
            await chats.upsert_neighbourhood("a", "A")
            raise RuntimeError("boom")
    assert await chats.neighbourhoods() == {}
    async with database.unit():
        await chats.upsert_neighbourhood("a", "A")
        with pytest.raises(RuntimeError):
            async with database.transaction() as tx:  # a savepoint: only it is undone
                await tx.execute("INSERT INTO neighbourhood (id, name) VALUES ('b', 'B')")
                raise RuntimeError("inner")
        # reads inside the unit, from tasks it starts, see its writes
        seen = await asyncio.gather(chats.neighbourhoods(), chats.neighbourhoods())
        assert seen == [{"a": "A"}, {"a": "A"}]
    assert await chats.neighbourhoods() == {"a": "A"}


async def test_other_tasks_wait_for_a_unit(database: Database) -> None:
    chats = Stores.over(database).chats
    inside, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with database.unit():
            await chats.upsert_neighbourhood("a", "A")
            inside.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await asyncio.wait_for(inside.wait(), 30)
    writer = asyncio.create_task(chats.upsert_neighbourhood("a", "B"))
    await asyncio.sleep(0.05)
    assert not writer.done()  # the second transaction waits for the unit's commit
    release.set()
    await asyncio.wait_for(asyncio.gather(task, writer), 30)
    assert await chats.neighbourhoods() == {"a": "B"}


async def test_rows_read_by_name_and_position(database: Database) -> None:
    await database.execute("INSERT INTO neighbourhood (id, name) VALUES (?, ?)", ("a", "100%"))
    row = await database.fetch_one(
        "SELECT id, name FROM neighbourhood WHERE name LIKE '%' || ? AND id <> '?'", ("%",))
    assert row is not None
    assert (row["id"], row[1], row.keys()) == ("a", "100%", ["id", "name"])


# --- repositories -----------------------------------------------------------------------------
async def test_deliveries_are_inserted_once_claimed_and_released(database: Database) -> None:
    stores = Stores.over(database)
    hood = "centre"
    await stores.chats.upsert_neighbourhood(hood, "Centre")
    chats = [await stores.chats.register("simulated", f"g{i}", "G", T0, hood) for i in range(4)]
    rows = [NewDelivery(f"k{i}", "send", T0 + timedelta(seconds=i), chat_id=chats[i].id)
            for i in range(3)]
    await stores.deliveries.add(rows)
    await stores.deliveries.add(rows)  # the dedupe key makes it harmless
    await stores.deliveries.add([NewDelivery("r1", "reply", T0 + timedelta(seconds=9),
                                             chat_id=chats[3].id)])
    claimed = await stores.deliveries.claim_due(T0 + timedelta(minutes=1), 3,
                                                timedelta(minutes=5))
    assert [d.dedupe_key for d in claimed] == ["r1", "k0", "k1"]  # replies first
    assert all(d.status == "claimed" and d.attempts == 1 for d in claimed)
    assert await stores.deliveries.release_claimed() == 3
    again = await stores.deliveries.claim_due(T0 + timedelta(minutes=1), 10,
                                              timedelta(minutes=5))
    assert len(again) == 4 and {d.attempts for d in again} == {1}
    await stores.deliveries.mark_sent(again[0].id, "m1", 12, T0, poll_ref="p1")
    assert (await stores.deliveries.by_poll_ref("p1")).id == again[0].id  # type: ignore[union-attr]
    await expand_delivery(database, again[1].id, [NewDelivery("x1", "reminder1", T0)])
    assert (await stores.deliveries.get(again[1].id)).status == "expanded"  # type: ignore[union-attr]
    assert await stores.deliveries.next_due() == T0


@pytest.mark.postgresql
async def test_workers_claim_apart_and_one_row_per_chat_at_a_time(postgres_url: str) -> None:
    """Two workers claiming at once never get the same row (``SKIP LOCKED``); a group chat
    has one row in flight at a time, its earliest (a reply before a broadcast), whichever
    worker holds it, so one chat's messages never overtake each other."""
    async with open_database(postgres_url) as one, open_database(postgres_url) as two:
        stores = Stores.over(one)
        await stores.chats.upsert_neighbourhood("centre", "Centre")
        chats = [await stores.chats.register("simulated", f"g{i}", "G", T0, "centre")
                 for i in range(20)]
        await stores.deliveries.add(
            [NewDelivery(f"k{c.id}-{n}", "send", T0 + timedelta(seconds=n), chat_id=c.id)
             for c in chats for n in range(3)]
            + [NewDelivery("r", "reply", T0 + timedelta(seconds=2), chat_id=chats[0].id)])
        now, lease = T0 + timedelta(minutes=1), timedelta(minutes=1)
        first, second = await asyncio.gather(
            DeliveryRepository(one).claim_due(now, 15, lease, worker="one"),
            DeliveryRepository(two).claim_due(now, 15, lease, worker="two"))
        claimed = first + second
        assert len({d.id for d in claimed}) == len(claimed) == 20
        assert sorted(d.chat_id for d in claimed) == sorted(c.id for c in chats)
        assert next(d for d in claimed if d.chat_id == chats[0].id).dedupe_key == "r"
        assert await DeliveryRepository(one).claim_due(now, 50, lease, worker="one") == []
        await stores.deliveries.mark_sent(claimed[0].id, "m", None, now)
        later = await DeliveryRepository(two).claim_due(now, 50, lease, worker="two")
        assert [d.chat_id for d in later] == [claimed[0].chat_id]
        assert later[0].dedupe_key.endswith("-0" if claimed[0].dedupe_key == "r" else "-1")


async def test_residents_answers_and_erasure(database: Database) -> None:
    stores = Stores.over(database)
    residents = stores.answers.database  # the same database under every store
    assert residents is database
    from animabot.store.residents import ResidentRepository

    people = ResidentRepository(database)
    await stores.chats.upsert_neighbourhood("centre", "Centre")
    first = await people.touch("p1", "simulated", T0, "centre", private_address="u1")
    assert len(first.tag) == 16 and first.neighbourhood_id == "centre"
    await people.update("p1", consent_at=T0, language="fr")
    await database.execute(
        "INSERT INTO campaign (id, scenario_id, title, scenario_json, targets, start_at,"
        " status, created_at) VALUES ('c', 's', 't', '{}', '[]', ?, 'scheduled', ?)",
        ("2026-01-01", "2026-01-01"))
    reachable = await people.reachable_non_respondents("centre", "simulated", "c", "q",
                                                       "answer")
    assert [r.pseudonym for r in reachable] == ["p1"]
    answers = stores.answers
    await answers.record_vote("c", "q", "p1", "simulated", "centre", (1,), T0, False,
                              voted_at=T0 + timedelta(seconds=5))
    await answers.record_vote("c", "q", "p1", "simulated", "centre", (2,), T0, False,
                              voted_at=T0)  # older: ignored
    assert await answers.vote_of("c", "q", "p1") == (1,)
    await answers.start_training("c", "t", "p1", "simulated", "centre", T0)
    await answers.start_training("c", "t", "p1", "simulated", "centre", T0)
    await answers.see_card("c", "t", "p1", 3)
    await answers.see_card("c", "t", "p1", 1)
    row = await database.fetch_one("SELECT cards_seen FROM completion")
    assert row is not None and row["cards_seen"] == 3
    assert await answers.quiz_answer("c", "t", "p1", 0, True, 1, T0)
    assert await answers.held_for("p1") == (1, 1)
    state = PlatformState(database, "sms")
    await state.set("options:p1", '{"ref": "r", "actions": []}')  # about p1: erased with p1
    await state.set("parts_sent", "[]")
    await people.erase("p1")
    assert await people.get("p1") is None
    assert await answers.held_for("p1") == (0, 0)
    assert await state.get("options:p1") is None and await state.get("parts_sent") == "[]"


async def test_ideas_inbox_facilitators_actors_and_state(database: Database) -> None:
    from animabot.domain.actor import Actor
    from animabot.store.facilitators import FacilitatorRepository
    from animabot.store.ideas import IdeaRepository
    from animabot.store.state import PlatformState

    ideas = IdeaRepository(database)
    first = await ideas.add_within_limit("p", "simulated", None, "un banc", T0,
                                         T0 - timedelta(days=1), 2)
    second = await ideas.add_within_limit("p", "simulated", None, "un arbre",
                                          T0 + timedelta(seconds=1), T0 - timedelta(days=1), 2)
    assert first is not None and second == first + 1
    assert await ideas.add_within_limit("p", "simulated", None, "x", T0 + timedelta(seconds=2),
                                        T0 - timedelta(days=1), 2) is None
    assert await ideas.decide(first, "accepted", "f", T0)
    assert not await ideas.decide(first, "rejected", "f", T0)
    assert await ideas.counts() == {"pending": 1, "accepted": 1, "rejected": 0}
    inbox = InboxRepository(database)
    assert await inbox.first_time("simulated", "e1", T0)
    assert not await inbox.first_time("simulated", "e1", T0)
    from animabot.store.residents import ResidentRepository

    await ResidentRepository(database).touch("f", "simulated", T0, private_address="u")
    await FacilitatorRepository(database).remember("f", T0)
    await FacilitatorRepository(database).remember("f", T0 + timedelta(days=1))
    assert [f.pseudonym for f in await FacilitatorRepository(database).reachable()] == ["f"]
    actors = Stores.over(database).actors
    saved = await actors.save_all([Actor(id="a1", name="Club", kind="asso", tags=("x", "y"))],
                                  T0)
    assert (saved.created, saved.updated) == (1, 0)
    assert (await actors.save_all([Actor(id="a1", name="Club 2", kind="asso")], T0)).updated == 1
    state = PlatformState(database, "simulated")
    await state.set("offset", "1")
    await state.set("offset", "2")
    assert await state.get("offset") == "2"


async def test_retention_and_statistics_queries(database: Database) -> None:
    stores = Stores.over(database)
    await database.execute(
        "INSERT INTO campaign (id, scenario_id, title, scenario_json, targets, start_at,"
        " status, created_at) VALUES ('c', 's', 't', '{}', '[]', ?, 'scheduled', ?)",
        ("2026-01-01", "2026-01-01"))
    for who, choice in (("p1", 0), ("p2", 1), ("p3", 1)):
        await stores.answers.record_vote("c", "q", who, "simulated", None, (choice,), T0, False)
    assert sorted(await stores.statistics.first_answers_per_minute("c", "q")) == [(
        T0.replace(second=0, microsecond=0), 3)]
    assert await stores.statistics.choices_of([("c", "q")]) == {
        ("c", "q"): [((0,), 1), ((1,), 2)]}
    assert await stores.statistics.status_counts_all() == {}
    await stores.reporting.parts("c")
    await stores.hub.chats()
    counts = await RetentionStore(database).purge(T0 + timedelta(days=1), T0)
    assert counts.answers_archived == 3
    archived = await stores.statistics.archived("c", "q")
    assert [json.dumps(a.counts) for a in archived] == ['{"0": 1, "1": 2}']


# --- faults -----------------------------------------------------------------------------------
@pytest.mark.postgresql
async def test_an_unreachable_server_is_a_storage_fault(postgres_cluster: Cluster) -> None:
    with pytest.raises(StorageUnavailableError) as caught:
        async with open_database("postgresql://nobody@127.0.0.1:1/none"):
            pass
    assert caught.value.kind == "unreachable"


@pytest.mark.postgresql
async def test_a_server_gone_mid_run_is_a_storage_fault(postgres_cluster: Cluster) -> None:
    name = postgres_cluster.fresh()
    async with open_database(postgres_cluster.url(name)) as database:
        await database.execute("INSERT INTO neighbourhood (id, name) VALUES ('a', 'A')")
        postgres_cluster.drop(name)  # terminates our connections
        with pytest.raises(StorageUnavailableError):
            async with database.unit():
                await database.execute("INSERT INTO neighbourhood (id, name) VALUES ('b', 'B')")


def test_storage_urls() -> None:
    from animabot.store.postgresql import describe, translate

    assert sqlite_path("sqlite:///a/b.db") == Path("a/b.db")
    assert sqlite_path("sqlite:////abs/b.db") == Path("/abs/b.db")
    with pytest.raises(StorageError):
        sqlite_path("sqlite://b.db")
    assert translate("SELECT '?%', ? WHERE x LIKE 'a%'") == "SELECT '?%%', %s WHERE x LIKE 'a%%'"
    assert translate("SELECT ? -- it's a ?\n, ?") == "SELECT %s -- it's a ?\n, %s"
    assert describe("postgresql://u:secret@h:5433/db") == "h:5433/db"


async def test_campaigns_series_and_native_poll_tallies(database: Database) -> None:
    from animabot.store.campaigns import CampaignRecord

    stores = Stores.over(database)
    await stores.chats.upsert_neighbourhood("centre", "Centre")
    chat = await stores.chats.register("simulated", "g1", "", T0, "centre")
    record = CampaignRecord("c1", "s", "T", "{}", "", ("centre",), T0, "pending_approval", T0,
                            None, author="cli:a")
    await stores.campaigns.add(record, [])
    send = NewDelivery("c1:q:send:1", "send", T0, "c1", "q", chat_id=chat.id)
    assert await stores.campaigns.approve("c1", "cli:b", T0, [send])
    assert not await stores.campaigns.approve("c1", "cli:b", T0, [send])
    [row] = await stores.deliveries.find("c1", "q", "send")
    await stores.deliveries.mark_sent(row.id, "m1", 30, T0, poll_ref="poll-1")
    await stores.polls.record("poll-1", (1, 2), 3, T0)
    await stores.polls.record("poll-1", (2, 2), 4, T0)  # the latest totals win
    assert await stores.polls.for_step("c1", "q") == [("simulated", "centre", (2, 2), 4)]
    assert await stores.statistics.native_tallies_of([("c1", "q")]) == {
        ("c1", "q"): [((2, 2), 4)]}
    assert (await stores.statistics.poll_reach("c1", "q")).reach == 30
    assert await stores.campaigns.cancel("c1", T0)
    assert (await stores.campaigns.get("c1")).status == "cancelled"  # type: ignore[union-attr]

    series = stores.series
    await series.add("s1", "{}", "", ["centre"], "every monday", T0, None, T0)
    assert await series.due(T0 + timedelta(days=1)) == ["s1"]
    await series.advance("s1", T0 + timedelta(days=7))
    assert await series.due(T0 + timedelta(days=1)) == []
    assert await series.cancel("s1") and not await series.cancel("s1")


@pytest.mark.postgresql
async def test_connections_cut_by_the_server_are_replaced(postgres_cluster: Cluster) -> None:
    """A server restart or a killed backend: the pool checks each connection it lends and
    replaces a dead one, so the next write goes through."""
    name = postgres_cluster.fresh()
    try:
        async with open_database(postgres_cluster.url(name)) as database:
            chats = Stores.over(database).chats
            await chats.upsert_neighbourhood("a", "A")
            postgres_cluster.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                   f" WHERE datname = '{name}'")
            faults = 0
            for _ in range(3):  # at most one fault, never a dead end
                try:
                    await chats.upsert_neighbourhood("b", "B")
                    break
                except StorageUnavailableError:
                    faults += 1
            assert faults <= 1
            assert await chats.neighbourhoods() == {"a": "A", "b": "B"}
    finally:
        postgres_cluster.drop(name)
