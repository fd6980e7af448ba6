"""The outbox: every message the bot will send is a row here before it is sent.

Life of a row: ``pending`` → ``claimed`` (by a worker, with a lease) → ``sending`` (the
request is about to leave) → ``sent`` | ``failed`` |
``skipped`` (chat gone, campaign cancelled) | ``unknown`` (may have been delivered: never
blind-retried) | ``expanded`` (a reminder fan-out turned into private rows).

On PostgreSQL several workers claim from one table (:meth:`DeliveryRepository.claim_due`,
the one claim query): ``FOR UPDATE SKIP LOCKED``, at most one row in flight per group chat
(the earliest first, so two messages to one chat never overtake each other across workers),
``claimed_by`` and a lease each worker renews while it lives; a dead worker's rows come back
when their lease has run out (:meth:`DeliveryRepository.reap_expired`). SQLite has one
process: it claims as before and recovers every row in flight at start.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .database import Database, Dialect, Row, Transaction
from .timestamps import from_db, maybe_from_db, to_db

PENDING, CLAIMED, SENDING, SENT, FAILED = "pending", "claimed", "sending", "sent", "failed"
SKIPPED, UNKNOWN, EXPANDED = "skipped", "unknown", "expanded"
FINAL_STATUSES = (SENT, FAILED, SKIPPED, UNKNOWN, EXPANDED)
# Answers to something a resident or facilitator just did: claimed before any broadcast.
# (Spelled out in SQL below and in the partial index of migration 12: keep them in step.)
INTERACTIVE_PARTS = ("reply", "notice")
INTERACTIVE = "part IN ('reply', 'notice')"


@dataclass(frozen=True)
class NewDelivery:
    """A row to insert; ``dedupe_key`` makes inserting it twice harmless."""

    dedupe_key: str
    part: str
    due_at: datetime
    campaign_id: str | None = None
    step_id: str | None = None
    chat_id: int | None = None
    pseudonym: str | None = None
    payload: str | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    dedupe_key: str
    campaign_id: str | None
    step_id: str | None
    part: str
    chat_id: int | None
    pseudonym: str | None
    due_at: datetime
    status: str
    attempts: int
    platform_ref: str | None
    sent_at: datetime | None
    payload: str | None
    poll_ref: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Delivery:
        return cls(
            id=row["id"],
            dedupe_key=row["dedupe_key"],
            campaign_id=row["campaign_id"],
            step_id=row["step_id"],
            part=row["part"],
            chat_id=row["chat_id"],
            pseudonym=row["pseudonym"],
            due_at=from_db(row["due_at"]),
            status=row["status"],
            attempts=row["attempts"],
            platform_ref=row["platform_ref"],
            sent_at=maybe_from_db(row["sent_at"]),
            payload=row["payload"],
            poll_ref=row["poll_ref"],
        )


_INSERT = """
    INSERT INTO delivery
        (dedupe_key, campaign_id, step_id, part, chat_id, pseudonym, due_at, payload)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING
"""


def _values(item: NewDelivery) -> tuple[object, ...]:
    return (
        item.dedupe_key, item.campaign_id, item.step_id, item.part, item.chat_id,
        item.pseudonym, to_db(item.due_at), item.payload,
    )


async def insert_deliveries(db: Transaction, items: Iterable[NewDelivery]) -> None:
    """Insert inside a caller's transaction (planning a campaign is all-or-nothing)."""
    await db.execute_many(_INSERT, (_values(item) for item in items))


class DeliveryRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, items: Sequence[NewDelivery]) -> None:
        await self.database.execute_many(_INSERT, [_values(item) for item in items])

    @property
    def shared(self) -> bool:
        """Several processes may claim from this table (PostgreSQL)."""
        return self.database.dialect is Dialect.POSTGRESQL

    async def claim_due(
        self, now: datetime, limit: int, lease: timedelta, *, interactive_only: bool = False,
        worker: str | None = None, skip_platforms: Collection[str] = (),
    ) -> list[Delivery]:
        """Mark up to ``limit`` due rows as ``claimed`` (by ``worker``) and return them:
        replies and notices first, then the rest oldest first. ``interactive_only`` claims
        replies and notices only (the drain looks for them between the sends of a broadcast).
        On PostgreSQL, rows locked by another worker's claim are skipped, and a group chat
        with a row in flight (claimed or sending, by anyone) gets none: its next row waits.
        ``skip_platforms``: the rows of chats on those platforms (bots) wait, replies and
        notices excepted (their lane in this worker is full: the others' rows come first)."""
        claim = _claim_shared if self.shared else _claim_single
        async with self.database.transaction() as db:
            rows = await db.fetch_all(*claim(INTERACTIVE, now, limit, lease, worker))
            if not interactive_only and len(rows) < limit:
                rows += await db.fetch_all(*claim(None, now, limit - len(rows), lease, worker,
                                                  skip_platforms))
        claimed = [Delivery.from_row(r) for r in rows]
        return sorted(claimed, key=lambda d: (d.part not in INTERACTIVE_PARTS, d.due_at, d.id))

    async def keep_leases(self, worker: str, until: datetime) -> int:
        """The rows ``worker`` holds stay its own until ``until`` (a worker renews them while
        it lives). Returns how many."""
        return await self.database.execute(
            "UPDATE delivery SET lease_until = ? WHERE claimed_by = ?"
            " AND status IN ('claimed', 'sending')", (to_db(until), worker))

    async def reap_expired(self, now: datetime, resend: bool) -> tuple[int, int]:
        """Rows whose worker died (their lease ran out): claimed ones never left and are
        queued again, their attempt given back; ``sending`` ones go again where the platform
        drops duplicates (``resend``), else become ``unknown``. Returns (queued, in doubt)."""
        async with self.database.transaction() as db:
            queued = await db.execute(
                "UPDATE delivery SET status = 'pending', lease_until = NULL, claimed_by = NULL,"
                " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
                " WHERE status = 'claimed' AND lease_until < ?", (to_db(now),))
            doubt = await db.execute(_FROM_SENDING[resend] + " AND lease_until < ?",
                                     (to_db(now),))
        return queued, doubt

    async def set_reach(self, found: Sequence[tuple[int, int]]) -> None:
        """Chats' member counts, looked up after the sends (never in their way): (delivery
        id, count) pairs, written in one statement."""
        await self.database.execute_many(
            "UPDATE delivery SET reach = ? WHERE id = ?", [(count, id_) for id_, count in found])

    async def recent_reach(self, since: datetime) -> list[tuple[str, str, int, datetime]]:
        """Each group's member count last recorded since ``since``: (platform, address,
        count, when), oldest first, so that a later count replaces an earlier one."""
        rows = await self.database.fetch_all(
            "SELECT c.platform, c.address, d.reach, d.sent_at FROM delivery d"
            " JOIN chat c ON c.id = d.chat_id WHERE d.pseudonym IS NULL"
            " AND d.reach IS NOT NULL AND d.sent_at >= ? ORDER BY d.sent_at",
            (to_db(since),),
        )
        return [(r["platform"], r["address"], int(r["reach"]), from_db(r["sent_at"]))
                for r in rows]

    async def mark_sent(
        self, delivery_id: int, ref: str | None, reach: int | None, now: datetime,
        poll_ref: str | None = None,
    ) -> None:
        await self.database.execute(
            "UPDATE delivery SET status = 'sent', platform_ref = ?, reach = ?, sent_at = ?,"
            " poll_ref = ?, lease_until = NULL, error = NULL WHERE id = ?",
            (ref, reach, to_db(now), poll_ref, delivery_id),
        )

    async def by_poll_ref(self, poll_ref: str) -> Delivery | None:
        row = await self.database.fetch_one(
            "SELECT * FROM delivery WHERE poll_ref = ? ORDER BY id LIMIT 1", (poll_ref,)
        )
        return Delivery.from_row(row) if row else None

    async def named_and_sent_as(
        self, delivery_id: int, platform_ref: str, *, chat_id: int | None,
        pseudonym: str | None,
    ) -> tuple[Delivery | None, list[Delivery]]:
        """The row ``delivery_id`` (None if gone) and the rows sent as one platform message,
        in a group (``chat_id``) or a resident's private chat (``pseudonym``; a message id
        is unique within its chat), in one statement: a button press checks the row its
        action names against the rows of the message pressed."""
        where, who = (("chat_id = ? AND pseudonym IS NULL", chat_id) if chat_id is not None
                      else ("pseudonym = ?", pseudonym))
        rows = await self.database.fetch_all(
            f"SELECT *, CASE WHEN platform_ref = ? AND {where} THEN 1 ELSE 0 END AS pressed"
            f" FROM delivery WHERE id = ? OR (platform_ref = ? AND {where})",
            (platform_ref, who, delivery_id, platform_ref, who),
        )
        named = next((Delivery.from_row(r) for r in rows if r["id"] == delivery_id), None)
        return named, [Delivery.from_row(r) for r in rows if r["pressed"]]

    async def finish(self, delivery_id: int, status: str, error: str | None = None) -> None:
        await self.database.execute(
            "UPDATE delivery SET status = ?, error = ?, lease_until = NULL WHERE id = ?",
            (status, error, delivery_id),
        )

    async def retry_later(
        self, delivery_id: int, due_at: datetime, error: str, *, refund: bool = False
    ) -> None:
        """Back to ``pending`` at ``due_at``; ``refund`` gives back the attempt the claim
        counted (a rate limit is not a failure). One statement: saving it twice is harmless."""
        await self.database.execute(
            "UPDATE delivery SET status = 'pending', due_at = ?, error = ?, lease_until = NULL,"
            " attempts = attempts - ? WHERE id = ?",
            (to_db(due_at), error, 1 if refund else 0, delivery_id),
        )

    async def release_claimed(self, worker: str | None = None) -> int:
        """Claimed rows whose batch failed before sending them (``worker``'s only, when
        named: other workers' rows are theirs): queued again, the claim's attempt given
        back. Returns how many."""
        mine, params = (" AND claimed_by = ?", (worker,)) if worker else ("", ())
        return await self.database.execute(
            "UPDATE delivery SET status = 'pending', lease_until = NULL, claimed_by = NULL,"
            " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
            " WHERE status = 'claimed'" + mine, params
        )

    async def mark_sending(self, delivery_id: int) -> None:
        """The request is about to leave: from now on, a crash leaves this row in doubt."""
        await self.database.execute(
            "UPDATE delivery SET status = 'sending' WHERE id = ?", (delivery_id,)
        )

    async def unclaim(self, delivery_ids: Sequence[int]) -> None:
        """Claimed rows never started (the bot is stopping): queued again, no attempt spent."""
        marks = ", ".join("?" * len(delivery_ids))
        await self.database.execute(
            "UPDATE delivery SET status = 'pending', lease_until = NULL,"
            f" attempts = attempts - 1 WHERE status = 'claimed' AND id IN ({marks})",
            tuple(delivery_ids),
        )

    async def release_in_flight(self, resend: bool) -> int:
        """After a crash: claimed rows never left and are queued again; rows left
        ``sending`` are re-queued too on an idempotent platform, else marked ``unknown``
        (resending could show them twice). Returns the number of rows in doubt."""
        await self.database.execute(
            "UPDATE delivery SET status = 'pending', lease_until = NULL, claimed_by = NULL"
            " WHERE status = 'claimed'"
        )
        return await self.database.execute(_FROM_SENDING[resend])

    async def uncertain_in_chats(self, campaign_id: str) -> list[Delivery]:
        """The campaign's group messages in doubt (``unknown``): a facilitator checks the
        chat, then settles each one (private rows stay out of sight: they name a resident)."""
        rows = await self.database.fetch_all(
            "SELECT * FROM delivery WHERE campaign_id = ? AND status = 'unknown'"
            " AND pseudonym IS NULL AND chat_id IS NOT NULL ORDER BY due_at, id",
            (campaign_id,))
        return [Delivery.from_row(r) for r in rows]

    async def settle_uncertain(self, delivery_id: int, campaign_id: str, resend: bool,
                               now: datetime) -> bool:
        """An ``unknown`` row of the campaign marked delivered, or queued to go again now
        (the facilitator checked that it never arrived); False when it was not in doubt."""
        if resend:
            sql = ("UPDATE delivery SET status = 'pending', due_at = ?, lease_until = NULL,"
                   " error = NULL WHERE id = ? AND campaign_id = ? AND status = 'unknown'")
        else:
            sql = ("UPDATE delivery SET status = 'sent', sent_at = ?, lease_until = NULL,"
                   " error = NULL WHERE id = ? AND campaign_id = ? AND status = 'unknown'")
        return await self.database.execute(sql, (to_db(now), delivery_id, campaign_id)) > 0

    async def skip_pending_for_chat(self, chat_id: int, reason: str) -> int:
        return await self.database.execute(
            "UPDATE delivery SET status = 'skipped', error = ?"
            " WHERE chat_id = ? AND status = 'pending'",
            (reason, chat_id),
        )

    async def next_due(self) -> datetime | None:
        row = await self.database.fetch_one(
            "SELECT MIN(due_at) AS due FROM delivery WHERE status = 'pending'"
        )
        return maybe_from_db(row["due"]) if row else None

    async def get(self, delivery_id: int) -> Delivery | None:
        row = await self.database.fetch_one("SELECT * FROM delivery WHERE id = ?", (delivery_id,))
        return Delivery.from_row(row) if row else None

    async def find(
        self, campaign_id: str, step_id: str, part: str, chat_id: int | None = None
    ) -> list[Delivery]:
        sql = "SELECT * FROM delivery WHERE campaign_id = ? AND step_id = ? AND part = ?"
        params: list[object] = [campaign_id, step_id, part]
        if chat_id is not None:
            sql += " AND chat_id = ?"
            params.append(chat_id)
        return [Delivery.from_row(r) for r in await self.database.fetch_all(sql, params)]

    async def status_counts(
        self, campaign_id: str, chats_only: bool = False, follow_ups: bool = True
    ) -> dict[str, int]:
        """Rows per status; ``chats_only`` keeps the group messages (what agents may see:
        a count of private rows could point at one resident); ``follow_ups = False`` leaves
        out the private rows of follow-ups aimed by answer (their count says how many chose
        an option: it is shown suppressed, apart)."""
        only = " AND pseudonym IS NULL AND part != 'totals'" if chats_only else ""
        if not follow_ups:
            only += " AND NOT (part = 'audience' AND pseudonym IS NOT NULL)"
        rows = await self.database.fetch_all(
            f"SELECT status, COUNT(*) AS n FROM delivery WHERE campaign_id = ?{only}"
            " GROUP BY status",
            (campaign_id,),
        )
        return {row["status"]: row["n"] for row in rows}

    async def private_counts(self, campaign_id: str, step_id: str, part: str) -> dict[str, int]:
        """A step's private rows of one part per status (a follow-up's progress): shown to
        facilitators suppressed only, since a count can be that of one resident."""
        rows = await self.database.fetch_all(
            "SELECT status, COUNT(*) AS n FROM delivery WHERE campaign_id = ? AND step_id = ?"
            " AND part = ? AND pseudonym IS NOT NULL GROUP BY status",
            (campaign_id, step_id, part),
        )
        return {row["status"]: row["n"] for row in rows}

    async def reminded_at(self, campaign_id: str, step_id: str, pseudonym: str) -> datetime | None:
        row = await self.database.fetch_one(
            "SELECT MIN(sent_at) AS at FROM delivery WHERE campaign_id = ? AND step_id = ?"
            " AND pseudonym = ? AND part LIKE 'reminder%' AND status = 'sent'",
            (campaign_id, step_id, pseudonym),
        )
        return maybe_from_db(row["at"]) if row else None


# A row cut while sending: resent where the platform drops duplicates, else in doubt.
_FROM_SENDING = {
    True: "UPDATE delivery SET status = 'pending', lease_until = NULL, claimed_by = NULL"
          " WHERE status = 'sending'",
    False: "UPDATE delivery SET status = 'unknown', lease_until = NULL, claimed_by = NULL,"
           " error = 'interrupted while sending: may or may not have been delivered'"
           " WHERE status = 'sending'",
}
_CLAIMED = ("UPDATE delivery SET status = 'claimed', lease_until = ?, claimed_by = ?,"
            " attempts = attempts + 1 WHERE id IN ({}) RETURNING *")
# The earlier of two pending rows of one group chat: replies and notices first, then by
# due time and id (the order the claim takes them in).
_EARLIER = (f"(e.{INTERACTIVE} AND NOT d.{INTERACTIVE}) OR ((e.{INTERACTIVE}) = (d.{INTERACTIVE})"
            " AND (e.due_at < d.due_at OR (e.due_at = d.due_at AND e.id < d.id)))")


def _skip(platforms: Collection[str]) -> tuple[str, tuple[object, ...]]:
    """The condition that leaves out the rows of chats on ``platforms``, and its values."""
    if not platforms:
        return "", ()
    marks = ", ".join("?" * len(platforms))
    return (f" AND (d.chat_id IS NULL OR d.chat_id NOT IN (SELECT id FROM chat WHERE"
            f" platform IN ({marks})))", tuple(platforms))


def _claim_single(only: str | None, now: datetime, limit: int, lease: timedelta,
                  worker: str | None, skip: Collection[str] = ()) -> tuple[str, tuple[object, ...]]:
    """One process (SQLite): the due rows, oldest first; the worker keeps each chat's order."""
    skipped, values = _skip(skip)
    pick = ("SELECT d.id FROM delivery d WHERE d.status = 'pending' AND d.due_at <= ?"
            + (f" AND d.{only}" if only else "") + skipped + " ORDER BY d.due_at, d.id LIMIT ?")
    return _CLAIMED.format(pick), (to_db(now + lease), worker, to_db(now), *values, limit)


def _claim_shared(only: str | None, now: datetime, limit: int, lease: timedelta,
                  worker: str | None, skip: Collection[str] = ()) -> tuple[str, tuple[object, ...]]:
    """Several workers (PostgreSQL): rows another claim holds are skipped, not waited for;
    a group chat's row is claimed only when it is the chat's earliest due row and nothing of
    that chat is in flight, so one chat's messages leave one after another whichever worker
    sends them. (A resident's private rows are independent, as in one process.)"""
    skipped, values = _skip(skip)
    pick = f"""
        SELECT d.id FROM delivery d
        WHERE d.status = 'pending' AND d.due_at <= ?{f" AND d.{only}" if only else ""}{skipped}
          AND (d.chat_id IS NULL OR d.pseudonym IS NOT NULL OR (
            NOT EXISTS (SELECT 1 FROM delivery f WHERE f.status IN ('claimed', 'sending')
                        AND f.chat_id = d.chat_id AND f.pseudonym IS NULL)
            AND NOT EXISTS (SELECT 1 FROM delivery e WHERE e.status = 'pending'
                            AND e.chat_id = d.chat_id AND e.pseudonym IS NULL
                            AND e.due_at <= ? AND ({_EARLIER}))))
        ORDER BY d.due_at, d.id LIMIT ? FOR UPDATE SKIP LOCKED"""
    return _CLAIMED.format(pick), (to_db(now + lease), worker, to_db(now), *values,
                                   to_db(now), limit)


UNREACHABLE = "unreachable: no consent, no private chat with the bot, or /stop"


async def expand_delivery(
    database: Database, delivery_id: int, rows: Sequence[NewDelivery],
    unreachable: Sequence[NewDelivery] = (),
) -> None:
    """Replace a fan-out row by its private rows, atomically (a crash leaves one or the other).

    ``unreachable`` rows are kept as ``skipped`` at once: a follow-up's progress counts the
    residents it could not write to (suppressed, like every count shown)."""
    async with database.transaction() as db:
        await insert_deliveries(db, rows)
        if unreachable:
            await insert_deliveries(db, unreachable)
            keys = [row.dedupe_key for row in unreachable]
            await db.execute(
                "UPDATE delivery SET status = 'skipped', error = ?"
                f" WHERE status = 'pending' AND dedupe_key IN ({', '.join('?' * len(keys))})",
                (UNREACHABLE, *keys),
            )
        await db.execute(
            "UPDATE delivery SET status = 'expanded', lease_until = NULL, reach = ? WHERE id = ?",
            (len(rows), delivery_id),
        )
