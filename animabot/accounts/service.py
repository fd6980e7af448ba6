"""Making, changing and removing accounts, and checking a password: what ``animabot users``
and the back-office's pages both call, each change written to the audit log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from ..clock import Clock
from ..config.communes import commune_neighbourhoods
from ..domain.access import AuditAction, Origin, Principal, Role
from ..errors import AnimabotError
from ..store.accounts import Account, AccountRepository, SessionRepository
from ..store.audit import AuditRepository
from ..store.chats import ChatRepository
from .passwords import hash_password, needs_rehash, verify_password

if TYPE_CHECKING:
    from ..config import Settings

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountError(AnimabotError):
    """An account cannot be made or changed as asked."""


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise AccountError(
            f"{name!r} is not a usable account name: letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit, at most 64 characters")
    return name


class AccountService:
    def __init__(self, accounts: AccountRepository, sessions: SessionRepository,
                 audit: AuditRepository, clock: Clock, chats: ChatRepository | None = None,
                 settings: Settings | None = None) -> None:
        self.chats = chats  # to check a facilitator's neighbourhoods exist, when given
        self.settings = settings  # to check an account's commune, when given
        self.accounts = accounts
        self.sessions = sessions
        self.audit = audit
        self.clock = clock

    async def add(self, name: str, role: Role, neighbourhoods: frozenset[str], *,
                  password: str | None, email: str | None = None, subject: str | None = None,
                  actor: str, commune: str | None = None) -> Account:
        check_name(name)
        if role is not Role.FACILITATOR and neighbourhoods:
            raise AccountError("only a facilitator works in some neighbourhoods: leave "
                               "--neighbourhoods out for an administrator or an agent")
        if neighbourhoods and self.chats is not None:
            known = set(await self.chats.neighbourhoods())
            if unknown := sorted(neighbourhoods - known):
                raise AccountError(
                    f"unknown neighbourhood(s): {', '.join(unknown)}; known: "
                    f"{', '.join(sorted(known)) or 'none (add them to the configuration)'}")
        self.check_commune(commune, role, neighbourhoods)
        if password is None and email is None and subject is None:
            raise AccountError("give a password (--password-stdin), or an --email or "
                               "--subject for a sign-in through OpenID Connect")
        now = self.clock.now()
        account = Account(name, role, neighbourhoods,
                          None if password is None else hash_password(password),
                          email.strip().lower() if email else None, subject, False, now,
                          commune)
        await self.accounts.add(account, now)
        await self.audit.record(now, actor, AuditAction.USER_ADDED, name, _describe(account))
        return account

    def check_commune(self, commune: str | None, role: Role,
                      neighbourhoods: frozenset[str]) -> None:
        """An account's commune is one of ``[communes]``, and a facilitator of a commune
        works in its neighbourhoods (unchecked without the configuration)."""
        if commune is None or self.settings is None:
            return
        communes = self.settings.communes
        if commune not in communes:
            raise AccountError(
                f"unknown commune {commune!r}; known: "
                f"{', '.join(sorted(communes)) or 'none (add [communes.<id>] tables)'}")
        hoods = commune_neighbourhoods(self.settings, commune) or frozenset()
        if role is Role.FACILITATOR and (outside := sorted(neighbourhoods - hoods)):
            raise AccountError(
                f"neighbourhood(s) {', '.join(outside)} are not in the commune {commune}: "
                f"its neighbourhoods are {', '.join(sorted(hoods)) or 'none'}")

    async def set_password(self, name: str, password: str, *, actor: str) -> None:
        now = self.clock.now()
        if not await self.accounts.set_password(name, hash_password(password), now):
            raise AccountError(f"no account named {name!r} (see `animabot users list`)")
        await self.audit.record(now, actor, AuditAction.USER_PASSWORD_CHANGED, name)

    async def remove(self, name: str, *, actor: str) -> None:
        now = self.clock.now()
        if not await self.accounts.remove(name, now):
            raise AccountError(f"no account named {name!r} (see `animabot users list`)")
        await self.audit.record(now, actor, AuditAction.USER_REMOVED, name)

    async def set_disabled(self, name: str, disabled: bool, *, actor: str) -> None:
        """Suspend an account (its sessions stop at once, it cannot sign in) or restore it;
        unlike removal, the account keeps its role and scope for when it comes back."""
        now = self.clock.now()
        if not await self.accounts.set_disabled(name, disabled, now):
            raise AccountError(f"no account named {name!r} (see `animabot users list`)")
        if disabled:
            await self.sessions.revoke_all(name, now)
        action = AuditAction.USER_DISABLED if disabled else AuditAction.USER_ENABLED
        await self.audit.record(now, actor, action, name)

    async def revoke_sessions(self, name: str, *, actor: str, address: str = "") -> int:
        now = self.clock.now()
        count = await self.sessions.revoke_all(name, now)
        await self.audit.record(now, actor, AuditAction.SESSION_REVOKED, name,
                                f"{count} session(s)", address)
        return count

    async def authenticate(self, name: str, password: str) -> Principal | None:
        """The account's principal when the password matches an enabled local account."""
        account = await self.accounts.get(name)
        stored = account.password_hash if account and not account.disabled else None
        if not verify_password(stored, password) or account is None:
            return None
        if stored is not None and needs_rehash(stored):
            await self.accounts.set_password(name, hash_password(password), self.clock.now())
        return principal_of(account, Origin.PASSWORD)

    async def record(self, actor: str, action: AuditAction, target: str = "",
                     detail: str = "", address: str = "", at: datetime | None = None) -> None:
        await self.audit.record(at or self.clock.now(), actor, action, target, detail, address)


def principal_of(account: Account, origin: Origin) -> Principal:
    return Principal(account.name, account.role, origin, account.neighbourhoods,
                     account.commune)


def _describe(account: Account) -> str:
    parts = [f"role={account.role}"]
    if account.neighbourhoods:
        parts.append("neighbourhoods=" + ",".join(sorted(account.neighbourhoods)))
    if account.commune:
        parts.append(f"commune={account.commune}")
    if account.email:
        parts.append(f"email={account.email}")
    if account.password_hash:
        parts.append("password")
    return " ".join(parts)
