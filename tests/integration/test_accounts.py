"""Accounts, sessions and the audit log over a real SQLite file: expiry, revocation, and an
account's removal stop a session at its next request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from animabot.accounts.service import AccountError, AccountService
from animabot.accounts.sessions import SessionManager
from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.config.communes import CommuneSettings
from animabot.core import Core
from animabot.domain.access import AuditAction, Origin, Principal, Role
from animabot.store.accounts import AccountExistsError

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)

PASSWORD = "un mot de passe assez long"


@pytest.fixture
def service(core: Core, clock: FakeClock) -> AccountService:
    s = core.stores
    return AccountService(s.accounts, s.sessions, s.audit, clock, s.chats)


@pytest.fixture
def sessions(core: Core, clock: FakeClock) -> SessionManager:
    return SessionManager(core.stores.sessions, clock, timedelta(hours=12),
                          timedelta(minutes=60))


async def test_an_account_signs_in_with_its_password_only(service: AccountService) -> None:
    await service.add("alice", Role.FACILITATOR, frozenset({"centre"}), password=PASSWORD,
                      actor="test")
    found = await service.authenticate("alice", PASSWORD)
    assert found == Principal("alice", Role.FACILITATOR, Origin.PASSWORD, frozenset({"centre"}))
    assert await service.authenticate("alice", PASSWORD + "!") is None
    assert await service.authenticate("nobody", PASSWORD) is None
    with pytest.raises(AccountExistsError):
        await service.add("alice", Role.AGENT, frozenset(), password=PASSWORD, actor="test")


async def test_unknown_neighbourhoods_and_scoped_non_facilitators_are_refused(
    service: AccountService,
) -> None:
    with pytest.raises(AccountError, match="unknown neighbourhood"):
        await service.add("f", Role.FACILITATOR, frozenset({"lune"}), password=PASSWORD,
                          actor="test")
    with pytest.raises(AccountError, match="only a facilitator"):
        await service.add("a", Role.AGENT, frozenset({"centre"}), password=PASSWORD,
                          actor="test")


async def test_a_session_ends_when_idle_or_old_and_each_request_keeps_it_alive(
    service: AccountService, sessions: SessionManager, clock: FakeClock,
) -> None:
    await service.add("alice", Role.ADMINISTRATOR, frozenset(), password=PASSWORD, actor="t")
    principal = await service.authenticate("alice", PASSWORD)
    assert principal is not None
    idle = await sessions.open(principal)
    clock.advance(timedelta(minutes=59))
    assert await sessions.resolve(idle.session_id) is not None
    clock.advance(timedelta(minutes=59))
    assert await sessions.resolve(idle.session_id) is not None  # touched at 59 minutes
    clock.advance(timedelta(minutes=61))
    assert await sessions.resolve(idle.session_id) is None
    old = await sessions.open(principal)
    for _ in range(23):
        clock.advance(timedelta(minutes=30))
        assert await sessions.resolve(old.session_id) is not None
    clock.advance(timedelta(minutes=31))
    assert await sessions.resolve(old.session_id) is None  # 12 hours after it opened


async def test_revoking_or_removing_an_account_stops_its_sessions_at_once(
    service: AccountService, sessions: SessionManager,
) -> None:
    await service.add("bob", Role.FACILITATOR, frozenset(), password=PASSWORD, actor="t")
    bob = await service.authenticate("bob", PASSWORD)
    assert bob is not None
    first, second = await sessions.open(bob), await sessions.open(bob)
    agent = await sessions.open(Principal("bob", Role.AGENT, Origin.TOKEN))  # same name
    assert await service.revoke_sessions("bob", actor="admin") == 2
    assert await sessions.resolve(first.session_id) is None
    assert await sessions.resolve(second.session_id) is None
    assert await sessions.resolve(agent.session_id) is not None  # a token's, not the account's
    third = await sessions.open(bob)
    await service.remove("bob", actor="admin")
    assert await sessions.resolve(third.session_id) is None
    assert await service.authenticate("bob", PASSWORD) is None


async def test_a_session_reads_its_account_s_current_role(
    core: Core, service: AccountService, sessions: SessionManager, clock: FakeClock,
) -> None:
    await service.add("carl", Role.FACILITATOR, frozenset(), password=PASSWORD, actor="t")
    carl = await service.authenticate("carl", PASSWORD)
    assert carl is not None
    opened = await sessions.open(carl)
    await core.stores.accounts.update_from_provider("carl", Role.AGENT, frozenset(), None,
                                                    clock.now())
    record = await sessions.resolve(opened.session_id)
    assert record is not None and record.principal.role is Role.AGENT


async def test_every_change_is_in_the_audit_log_newest_first(
    core: Core, service: AccountService,
) -> None:
    await service.add("dora", Role.AGENT, frozenset(), password=PASSWORD, actor="cli:root")
    await service.set_password("dora", PASSWORD + " bis", actor="cli:root")
    await service.revoke_sessions("dora", actor="admin", address="127.0.0.1")
    await service.remove("dora", actor="cli:root")
    entries = await core.stores.audit.latest()
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("cli:root", AuditAction.USER_REMOVED, "dora"),
        ("admin", AuditAction.SESSION_REVOKED, "dora"),
        ("cli:root", AuditAction.USER_PASSWORD_CHANGED, "dora"),
        ("cli:root", AuditAction.USER_ADDED, "dora"),
    ]
    assert PASSWORD not in repr(entries)
    assert [e.action for e in await core.stores.audit.latest(1)] == [AuditAction.USER_REMOVED]


async def test_a_disabled_account_cannot_sign_in_and_its_sessions_stop_until_enabled(
    service: AccountService, sessions: SessionManager,
) -> None:
    await service.add("eve", Role.AGENT, frozenset(), password=PASSWORD, actor="t")
    eve = await service.authenticate("eve", PASSWORD)
    assert eve is not None
    opened = await sessions.open(eve)
    await service.set_disabled("eve", True, actor="admin")
    assert await sessions.resolve(opened.session_id) is None
    assert await service.authenticate("eve", PASSWORD) is None
    await service.set_disabled("eve", False, actor="admin")
    assert await service.authenticate("eve", PASSWORD) is not None
    assert await sessions.resolve(opened.session_id) is None  # revoked, not just paused


async def test_an_account_of_a_commune_keeps_it_in_its_sessions(
    core: Core, settings: Settings, sessions: SessionManager, clock: FakeClock,
) -> None:
    settings.neighbourhoods[0].commune, settings.neighbourhoods[1].commune = "nord", "sud"
    settings.communes = {"nord": CommuneSettings(name="Nord"),
                         "sud": CommuneSettings(name="Sud")}
    s = core.stores
    service = AccountService(s.accounts, s.sessions, s.audit, clock, s.chats, settings)
    await service.add("nina", Role.FACILITATOR, frozenset({"centre"}), password=PASSWORD,
                      actor="t", commune="nord")
    with pytest.raises(AccountError, match="gare are not in the commune nord"):
        await service.add("x", Role.FACILITATOR, frozenset({"gare"}), password=PASSWORD,
                          actor="t", commune="nord")
    with pytest.raises(AccountError, match="unknown commune 'lune'; known: nord, sud"):
        await service.add("y", Role.AGENT, frozenset(), password=PASSWORD, actor="t",
                          commune="lune")
    nina = await service.authenticate("nina", PASSWORD)
    assert nina == Principal("nina", Role.FACILITATOR, Origin.PASSWORD, frozenset({"centre"}),
                             "nord")
    assert (await s.accounts.get("nina")) is not None
    opened = await sessions.open(nina)
    token = await sessions.open(Principal("Agent Sud", Role.AGENT, Origin.TOKEN, commune="sud"))
    record = await sessions.resolve(opened.session_id)
    assert record is not None and record.principal.commune == "nord"
    agent = await sessions.resolve(token.session_id)
    assert agent is not None and agent.principal.commune == "sud"
    # The account's commune is read at each request: a change takes effect at once.
    await s.accounts.update_from_provider("nina", Role.FACILITATOR, frozenset(), None,
                                          clock.now(), "sud")
    record = await sessions.resolve(opened.session_id)
    assert record is not None and record.principal.commune == "sud"
    logged = await s.audit.latest(action=AuditAction.USER_ADDED)
    assert "commune=nord" in logged[0].detail
