"""Roles and scopes, password hashing, the sign-in throttle and the CSRF comparison: the
pieces the back-office's security rests on, each checked alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from animabot.accounts.passwords import (
    WeakPasswordError,
    hash_password,
    needs_rehash,
    verify_password,
)
from animabot.accounts.sessions import new_secret, same_secret, session_key
from animabot.accounts.throttle import SignInThrottle
from animabot.clock import FakeClock
from animabot.domain.access import Access, Origin, Principal, Role, parse_neighbourhoods

from ..conftest import T0

ADMIN = Principal("admin", Role.ADMINISTRATOR, Origin.PASSWORD)
CENTRE = Principal("anna", Role.FACILITATOR, Origin.OIDC, frozenset({"centre"}))
COMMUNE = Principal("carl", Role.FACILITATOR, Origin.PASSWORD)
AGENT = Principal("agent", Role.AGENT, Origin.TOKEN)


@pytest.mark.parametrize(("who", "allowed"), [
    (ADMIN, {Access.PUBLIC, Access.READ, Access.FACILITATE, Access.ADMINISTER}),
    (CENTRE, {Access.PUBLIC, Access.READ, Access.FACILITATE}),
    (AGENT, {Access.PUBLIC, Access.READ}),
], ids=["administrator", "facilitator", "agent"])
def test_each_role_reaches_exactly_its_accesses(who: Principal, allowed: set[Access]) -> None:
    assert {access for access in Access if who.may(access)} == allowed


def test_a_facilitator_reaches_only_its_neighbourhoods_unless_it_has_the_whole_commune(
) -> None:
    assert CENTRE.may(Access.FACILITATE, "centre")
    assert not CENTRE.may(Access.FACILITATE, "gare")
    assert COMMUNE.may(Access.FACILITATE, "gare")
    assert ADMIN.may(Access.FACILITATE, "gare")  # administrators are not scoped
    assert not AGENT.may(Access.FACILITATE, "centre")  # a scope never adds an access


def test_neighbourhoods_are_parsed_from_the_comma_list() -> None:
    assert parse_neighbourhoods(" centre, gare,,") == {"centre", "gare"}
    assert parse_neighbourhoods("") == frozenset() == parse_neighbourhoods(None)


def test_a_password_is_hashed_with_argon2id_and_salted() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse battery")
    assert not verify_password(first, "correct horse batterY")
    assert not needs_rehash(first)


def test_no_hash_and_a_broken_hash_never_match() -> None:
    assert not verify_password(None, "not a password anybody has")  # the dummy's own text
    assert not verify_password("not-a-hash", "anything")


def test_a_short_password_is_refused() -> None:
    with pytest.raises(WeakPasswordError, match="at least 12"):
        hash_password("short")


def test_the_throttle_stops_an_account_after_five_failures_until_the_window_slides() -> None:
    clock = FakeClock(T0)
    throttle = SignInThrottle(clock, limit=5, window=timedelta(minutes=15))
    for _ in range(5):
        assert throttle.allowed("Alice", "10.0.0.1")
        throttle.failed("Alice", "10.0.0.1")
    assert not throttle.allowed("alice", "10.0.0.2")  # per account, whatever the address
    assert throttle.allowed("bob", "10.0.0.1")  # the address is not yet over its own limit
    clock.advance(timedelta(minutes=15, seconds=1))
    assert throttle.allowed("alice", "10.0.0.1")


def test_the_throttle_stops_an_address_spraying_many_accounts() -> None:
    throttle = SignInThrottle(FakeClock(T0), limit=5)
    for n in range(50):
        throttle.failed(f"user{n}", "10.0.0.9")
    assert not throttle.allowed("someone-new", "10.0.0.9")
    assert throttle.allowed("someone-new", "10.0.0.10")


def test_a_success_clears_the_account_s_count() -> None:
    throttle = SignInThrottle(FakeClock(T0), limit=2)
    throttle.failed("alice", "a")
    throttle.succeeded("alice")
    throttle.failed("alice", "a")
    assert throttle.allowed("alice", "a")


def test_csrf_tokens_compare_in_constant_time_and_a_missing_one_fails() -> None:
    token = new_secret()
    assert same_secret(token, token)
    assert not same_secret(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not same_secret(token, None) and not same_secret(token, "")


def test_only_a_hash_of_the_session_id_is_kept() -> None:
    session_id = new_secret()
    assert len(session_id) >= 43 and session_key(session_id) != session_id
    assert len(session_key(session_id)) == 64


def test_a_facilitator_reads_what_concerns_one_of_its_neighbourhoods() -> None:
    assert CENTRE.may(Access.READ, ["gare", "centre"])  # a campaign sent to both
    assert not CENTRE.may(Access.READ, ["gare"])
    assert not CENTRE.may(Access.READ, [])  # about no neighbourhood: not one of its own
    assert COMMUNE.may(Access.READ, []) and AGENT.may(Access.READ, ["gare"])
