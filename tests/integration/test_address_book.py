"""The address book: enrolling is idempotent, a refusal or an unsubscribe is final for a
list, only active addresses are written to, and erasure removes the address."""

from __future__ import annotations

from datetime import timedelta

from animabot.core import Core
from animabot.domain.addresses import AddressStatus, resident_list
from animabot.store.address_book import AddressBook, Enrolled, Enrolment
from animabot.store.residents import ResidentRepository
from tests.conftest import T0


def _entry(core: Core, address: str, hood: str = "centre") -> Enrolment:
    return Enrolment(core.pseudonymize("email", address), "email", address, hood, None,
                     T0 - timedelta(days=30))


async def test_enrolling_again_changes_nothing_and_never_brings_back_a_refusal(
    core: Core
) -> None:
    book = AddressBook(core.database)
    ana, bob = _entry(core, "ana@example.org"), _entry(core, "bob@example.org")
    assert await book.enrol_all([ana, bob], T0) == [Enrolled.ADDED, Enrolled.ADDED]
    assert await book.enrol_all([ana, bob], T0) == [Enrolled.UNCHANGED, Enrolled.UNCHANGED]
    chat = await core.stores.chats.find("email", resident_list("centre"))
    assert chat is not None and chat.neighbourhood_id == "centre"

    await book.mark(bob.pseudonym, AddressStatus.UNSUBSCRIBED, T0)
    moved = _entry(core, "ana@example.org", hood="gare")
    assert await book.enrol_all([moved, bob], T0) == [Enrolled.UPDATED, Enrolled.KEPT_OUT]
    assert [r.pseudonym for r in await book.active_in("gare", "email")] == [ana.pseudonym]
    assert await book.active_in("centre", "email") == []
    residents = ResidentRepository(core.database)
    assert await residents.address(bob.pseudonym) is None  # no longer written to
    bob_record = await residents.get(bob.pseudonym)
    assert bob_record is not None and bob_record.opted_out


async def test_erasure_removes_the_address_and_the_resident(core: Core) -> None:
    book = AddressBook(core.database)
    ana = _entry(core, "ana@example.org")
    await book.enrol_all([ana], T0)
    record = await ResidentRepository(core.database).get(ana.pseudonym)
    assert record is not None and await book.pseudonym_of(record.tag) == ana.pseudonym
    await ResidentRepository(core.database).erase(ana.pseudonym)
    assert await book.entry(ana.pseudonym) is None
    assert await book.pseudonym_of(record.tag) is None  # its links lead nowhere now
    assert await book.counts() == {}
