"""The address book of residents reached one by one (e-mail, SMS): the only place their
address is kept.

A resident here is an ordinary ``resident`` row (pseudonym = keyed HMAC of the normalised
address, language, neighbourhood, consent time) plus an ``address_book`` row holding the
normalised address and its status (:class:`~animabot.domain.addresses.AddressStatus`).
Erasing the resident (``ResidentRepository.erase``) deletes both. Each neighbourhood that
has such residents on a channel gets a list chat (``residents:<id>``), so that campaigns
plan their rows for it as for a group.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..domain.addresses import AddressStatus, resident_list
from .database import Database, Transaction
from .residents import Reachable
from .timestamps import maybe_from_db, to_db


@dataclass(frozen=True)
class Enrolment:
    """A resident to put in the book, as a list or a sign-up gives them."""

    pseudonym: str
    platform: str  # the address kind: "email", "sms"
    address: str  # normalised by the kind
    neighbourhood_id: str
    language: str | None
    consent_at: datetime
    status: AddressStatus = AddressStatus.ACTIVE


class Enrolled(StrEnum):
    """What enrolling did to one resident."""

    ADDED = "added"
    UPDATED = "updated"  # known: neighbourhood, language or consent changed
    UNCHANGED = "unchanged"  # known, nothing new (a re-import)
    KEPT_OUT = "kept_out"  # unsubscribed or unreachable: a list never brings them back


@dataclass(frozen=True)
class AddressEntry:
    pseudonym: str
    platform: str
    address: str
    status: AddressStatus
    status_at: datetime | None


_UPSERT_LIST = """
    INSERT INTO chat (platform, address, title, neighbourhood_id, registered_at)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (platform, address) DO UPDATE SET active = 1
"""


class AddressBook:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def enrol_all(self, entries: Sequence[Enrolment], now: datetime) -> list[Enrolled]:
        """Add or update every entry in one transaction (all or nothing), and the list chat
        of each neighbourhood × channel they belong to; the outcome per entry."""
        outcomes: list[Enrolled] = []
        async with self.database.transaction() as db:
            for entry in entries:
                outcomes.append(await self._enrol(db, entry, now))
            lists = sorted({(e.platform, e.neighbourhood_id) for e in entries})
            await db.execute_many(_UPSERT_LIST, [
                (platform, resident_list(hood), f"{platform}: {hood}", hood, to_db(now))
                for platform, hood in lists])
        return outcomes

    async def _enrol(self, db: Transaction, entry: Enrolment, now: datetime) -> Enrolled:
        known = await db.fetch_one(
            "SELECT r.neighbourhood_id, r.language, r.consent_at, a.status FROM resident r"
            " LEFT JOIN address_book a ON a.pseudonym = r.pseudonym WHERE r.pseudonym = ?",
            (entry.pseudonym,))
        if known is None:
            await db.execute(
                "INSERT INTO resident (pseudonym, platform, language, neighbourhood_id,"
                " consent_at, first_seen, tag) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.pseudonym, entry.platform, entry.language, entry.neighbourhood_id,
                 to_db(entry.consent_at), to_db(now), secrets.token_hex(8)))
            await db.execute(
                "INSERT INTO address_book (pseudonym, platform, address, status, status_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (entry.pseudonym, entry.platform, entry.address, entry.status, to_db(now)))
            return Enrolled.ADDED
        if known["status"] in (AddressStatus.UNSUBSCRIBED, AddressStatus.UNREACHABLE):
            return Enrolled.KEPT_OUT
        status = known["status"]
        if status != AddressStatus.ACTIVE and entry.status == AddressStatus.ACTIVE:
            status = AddressStatus.ACTIVE  # a list with consent confirms a pending sign-up
        same = (known["neighbourhood_id"] == entry.neighbourhood_id
                and known["language"] == entry.language
                and maybe_from_db(known["consent_at"]) == entry.consent_at
                and status == known["status"])
        if same:
            return Enrolled.UNCHANGED
        await db.execute(
            "UPDATE resident SET neighbourhood_id = ?, language = ?, consent_at = ?"
            " WHERE pseudonym = ?",
            (entry.neighbourhood_id, entry.language, to_db(entry.consent_at), entry.pseudonym))
        await db.execute(
            "INSERT INTO address_book (pseudonym, platform, address, status, status_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (pseudonym) DO UPDATE SET"
            " status = excluded.status, status_at = excluded.status_at",
            (entry.pseudonym, entry.platform, entry.address, status, to_db(now)))
        return Enrolled.UPDATED

    async def entry(self, pseudonym: str) -> AddressEntry | None:
        row = await self.database.fetch_one(
            "SELECT * FROM address_book WHERE pseudonym = ?", (pseudonym,))
        if row is None:
            return None
        return AddressEntry(row["pseudonym"], row["platform"], row["address"],
                            AddressStatus(row["status"]), maybe_from_db(row["status_at"]))

    async def mark(self, pseudonym: str, status: AddressStatus, now: datetime) -> None:
        """Record where an address stands. Unsubscribed or unreachable: the resident is
        also opted out, so that nothing unsolicited is written to them on any path."""
        async with self.database.transaction() as db:
            await db.execute(
                "UPDATE address_book SET status = ?, status_at = ? WHERE pseudonym = ?",
                (status, to_db(now), pseudonym))
            if status in (AddressStatus.UNSUBSCRIBED, AddressStatus.UNREACHABLE):
                await db.execute(
                    "UPDATE resident SET opted_out = 1 WHERE pseudonym = ?", (pseudonym,))

    async def confirm(self, pseudonym: str, neighbourhood_id: str, language: str,
                      now: datetime) -> None:
        """A sign-up confirmed by its owner (double opt-in): the address is active, the
        resident consented now, in the neighbourhood and language they asked for, even one
        who had unsubscribed before (they asked again)."""
        async with self.database.transaction() as db:
            await db.execute(
                "UPDATE address_book SET status = ?, status_at = ? WHERE pseudonym = ?",
                (AddressStatus.ACTIVE, to_db(now), pseudonym))
            await db.execute(
                "UPDATE resident SET opted_out = 0, consent_at = ?, neighbourhood_id = ?,"
                " language = ? WHERE pseudonym = ?",
                (to_db(now), neighbourhood_id, language, pseudonym))
            row = await db.fetch_one(
                "SELECT platform FROM address_book WHERE pseudonym = ?", (pseudonym,))
            if row is not None:
                await db.execute(_UPSERT_LIST, (
                    row["platform"], resident_list(neighbourhood_id),
                    f"{row['platform']}: {neighbourhood_id}", neighbourhood_id, to_db(now)))

    async def tag_of(self, pseudonym: str) -> str | None:
        """The random tag links name the resident by."""
        row = await self.database.fetch_one(
            "SELECT tag FROM resident WHERE pseudonym = ?", (pseudonym,))
        return str(row["tag"]) if row else None

    async def pseudonym_of(self, tag: str) -> str | None:
        """The resident a personal link names (its verified tag), if still there: what the
        answer and unsubscribe pages start from (``privacy.links``)."""
        row = await self.database.fetch_one(
            "SELECT pseudonym FROM resident WHERE tag = ?", (tag,))
        return str(row["pseudonym"]) if row else None

    async def active_in(self, neighbourhood_id: str, platform: str) -> list[Reachable]:
        """The residents of a neighbourhood reached one by one on ``platform`` who can be
        written to now: consented, not opted out, their address active."""
        rows = await self.database.fetch_all(
            "SELECT r.pseudonym, r.tag FROM resident r JOIN address_book a USING (pseudonym)"
            " WHERE r.neighbourhood_id = ? AND r.platform = ? AND r.consent_at IS NOT NULL"
            " AND r.opted_out = 0 AND a.status = ? ORDER BY r.pseudonym",
            (neighbourhood_id, platform, AddressStatus.ACTIVE))
        return [Reachable(row["pseudonym"], row["tag"]) for row in rows]

    async def counts(self) -> dict[tuple[str, str, str], int]:
        """(platform, neighbourhood, status) → residents: figures only, no address."""
        rows = await self.database.fetch_all(
            "SELECT a.platform, r.neighbourhood_id, a.status, COUNT(*) AS n FROM address_book a"
            " JOIN resident r USING (pseudonym) WHERE a.platform = r.platform"
            " GROUP BY a.platform, r.neighbourhood_id, a.status")
        return {(row["platform"], row["neighbourhood_id"] or "", row["status"]): int(row["n"])
                for row in rows}
