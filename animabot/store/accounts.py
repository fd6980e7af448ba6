"""The back-office's accounts and their server-side sessions (tables ``web_user`` and
``web_session``).

A session row is keyed by the SHA-256 of the cookie's id: the database alone opens nothing.
An account's session reads the account's current role, scope and commune at each request,
so removing, disabling or changing an account takes effect at once; an agent token's session
carries its own (read-only) role and commune.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.access import Origin, Principal, Role, parse_neighbourhoods
from ..errors import StorageError
from .database import Database, Row
from .timestamps import from_db, to_db


class AccountExistsError(StorageError):
    """An account of that name (or e-mail, or subject) already exists."""


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    neighbourhoods: frozenset[str]
    password_hash: str | None
    email: str | None
    subject: str | None
    disabled: bool
    created_at: datetime
    commune: str | None = None  # None: the whole deployment


@dataclass(frozen=True)
class SessionRecord:
    principal: Principal
    csrf_token: str
    id_token: str | None  # kept for the OpenID provider's logout (id_token_hint)
    created_at: datetime
    seen_at: datetime
    expires_at: datetime


def _hoods(hoods: frozenset[str]) -> str:
    return ",".join(sorted(hoods))


_ACCOUNT_COLUMNS = ("name, role, neighbourhoods, password_hash, email, subject, disabled,"
                    " created_at, commune")


def _account(row: Row) -> Account:
    return Account(
        row["name"], Role(row["role"]), parse_neighbourhoods(row["neighbourhoods"]),
        row["password_hash"], row["email"], row["subject"], bool(row["disabled"]),
        from_db(row["created_at"]), row["commune"],
    )


class AccountRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, account: Account, now: datetime) -> None:
        changed = await self.database.execute(
            f"INSERT INTO web_user ({_ACCOUNT_COLUMNS}, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (account.name, account.role.value, _hoods(account.neighbourhoods),
             account.password_hash, account.email, account.subject, int(account.disabled),
             to_db(now), account.commune, to_db(now)),
        )
        if not changed:
            raise AccountExistsError(f"an account named {account.name!r} (or with that e-mail "
                                     "or subject) already exists")

    async def get(self, name: str) -> Account | None:
        row = await self.database.fetch_one(
            f"SELECT {_ACCOUNT_COLUMNS} FROM web_user WHERE name = ?", (name,))
        return None if row is None else _account(row)

    async def by_identity(self, subject: str | None, email: str | None) -> Account | None:
        """The account registered for an OpenID identity: by subject first, then e-mail."""
        row = await self.database.fetch_one(
            f"SELECT {_ACCOUNT_COLUMNS} FROM web_user WHERE subject = ? OR lower(email) = ?"
            " ORDER BY subject = ? DESC LIMIT 1",
            (subject, (email or "").lower() or None, subject),
        )
        return None if row is None else _account(row)

    async def all(self) -> list[Account]:
        rows = await self.database.fetch_all(
            f"SELECT {_ACCOUNT_COLUMNS} FROM web_user ORDER BY name")
        return [_account(row) for row in rows]

    async def set_password(self, name: str, password_hash: str, now: datetime) -> bool:
        return bool(await self.database.execute(
            "UPDATE web_user SET password_hash = ?, updated_at = ? WHERE name = ?",
            (password_hash, to_db(now), name)))

    async def set_disabled(self, name: str, disabled: bool, now: datetime) -> bool:
        """Suspend or restore an account (its sessions stop reading as live while disabled)."""
        return bool(await self.database.execute(
            "UPDATE web_user SET disabled = ?, updated_at = ? WHERE name = ?",
            (int(disabled), to_db(now), name)))

    async def update_from_provider(self, name: str, role: Role, hoods: frozenset[str],
                                   subject: str | None, now: datetime,
                                   commune: str | None = None) -> None:
        """An OpenID sign-in refreshes the role (and commune) its claims map to, and binds
        the subject."""
        await self.database.execute(
            "UPDATE web_user SET role = ?, neighbourhoods = ?, commune = ?,"
            " subject = COALESCE(subject, ?), updated_at = ? WHERE name = ?",
            (role.value, _hoods(hoods), commune, subject, to_db(now), name))

    async def remove(self, name: str, now: datetime) -> bool:
        """Delete the account and revoke its sessions, in one transaction."""
        async with self.database.transaction() as db:
            await db.execute(
                "UPDATE web_session SET revoked_at = ? WHERE name = ? AND origin != ?"
                " AND revoked_at IS NULL", (to_db(now), name, Origin.TOKEN.value))
            return bool(await db.execute("DELETE FROM web_user WHERE name = ?", (name,)))


class SessionRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def open(self, id_sha256: str, principal: Principal, csrf_token: str,
                   id_token: str | None, now: datetime, expires_at: datetime) -> None:
        await self.database.execute(
            "INSERT INTO web_session (id_sha256, name, origin, role, neighbourhoods,"
            " commune, csrf_token, id_token, created_at, seen_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (id_sha256, principal.name, principal.origin.value, principal.role.value,
             _hoods(principal.neighbourhoods), principal.commune, csrf_token, id_token,
             to_db(now), to_db(now), to_db(expires_at)),
        )

    async def find(self, id_sha256: str) -> SessionRecord | None:
        """The live session (not revoked; its account, if any, still there and enabled);
        expiry is the caller's to judge, with its clock."""
        row = await self.database.fetch_one(
            "SELECT s.name, s.origin, COALESCE(u.role, s.role) AS role,"
            " COALESCE(u.neighbourhoods, s.neighbourhoods) AS neighbourhoods,"
            " CASE WHEN s.origin = ? THEN s.commune ELSE u.commune END AS commune,"
            " s.csrf_token,"
            " s.id_token, s.created_at, s.seen_at, s.expires_at"
            " FROM web_session s LEFT JOIN web_user u ON u.name = s.name AND s.origin != ?"
            " WHERE s.id_sha256 = ? AND s.revoked_at IS NULL"
            " AND (s.origin = ? OR (u.name IS NOT NULL AND u.disabled = 0))",
            (Origin.TOKEN.value, Origin.TOKEN.value, id_sha256, Origin.TOKEN.value),
        )
        if row is None:
            return None
        principal = Principal(row["name"], Role(row["role"]), Origin(row["origin"]),
                              parse_neighbourhoods(row["neighbourhoods"]), row["commune"])
        return SessionRecord(principal, row["csrf_token"], row["id_token"],
                             from_db(row["created_at"]), from_db(row["seen_at"]),
                             from_db(row["expires_at"]))

    async def touch(self, id_sha256: str, now: datetime) -> None:
        await self.database.execute(
            "UPDATE web_session SET seen_at = ? WHERE id_sha256 = ?", (to_db(now), id_sha256))

    async def revoke(self, id_sha256: str, now: datetime) -> None:
        await self.database.execute(
            "UPDATE web_session SET revoked_at = ? WHERE id_sha256 = ? AND revoked_at IS NULL",
            (to_db(now), id_sha256))

    async def revoke_all(self, name: str, now: datetime) -> int:
        """Revoke every live session of an account; how many there were."""
        return await self.database.execute(
            "UPDATE web_session SET revoked_at = ? WHERE name = ? AND origin != ?"
            " AND revoked_at IS NULL", (to_db(now), name, Origin.TOKEN.value))

    async def live_counts(self, now: datetime) -> dict[str, int]:
        """Open sessions per account name (for the administrators' page)."""
        rows = await self.database.fetch_all(
            "SELECT name, COUNT(*) AS n FROM web_session WHERE revoked_at IS NULL"
            " AND expires_at > ? AND origin != ? GROUP BY name",
            (to_db(now), Origin.TOKEN.value))
        return {row["name"]: int(row["n"]) for row in rows}

    async def forget_before(self, moment: datetime) -> int:
        """Delete sessions that ended (expired or revoked) before ``moment``."""
        return await self.database.execute(
            "DELETE FROM web_session WHERE expires_at < ? OR revoked_at < ?",
            (to_db(moment), to_db(moment)))
