"""/oubli by SMS in the core: a code to the number, tried a few times, one at a time, and
nothing answered to a code nobody asked for (each SMS costs; a sender can be forged)."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count
from pathlib import Path

from animabot.chat.events import ChatRef, CommandReceived, Sender
from animabot.clock import FakeClock
from animabot.core import Core, open_core
from animabot.delivery.composer import decode_reply
from animabot.store.address_book import AddressBook, Enrolment

from ..conftest import T0, make_settings

PHONE = "+33612345678"
_ids = count()


async def _replies(core: Core) -> list[str]:
    rows = await core.database.fetch_all(
        "SELECT payload FROM delivery WHERE part = 'reply' ORDER BY id")
    return [decode_reply(row["payload"]).text for row in rows if row["payload"]]


async def _sms(core: Core, who: str, *args: str) -> str | None:
    return await core.conversation.handle(CommandReceived(
        f"sms-{next(_ids)}", ChatRef("sms", "", True), Sender(who, private_address=PHONE),
        core.clock.now(), command="forget", args=args))


async def test_codes_are_limited_and_a_wrong_or_late_one_erases_nothing(
        tmp_path: Path) -> None:
    clock = FakeClock(T0)
    async with open_core(make_settings(tmp_path), clock) as core:
        who = core.pseudonymize("sms", PHONE)
        await AddressBook(core.database).enrol_all(
            [Enrolment(who, "sms", PHONE, "centre", "fr", T0)], T0)

        assert await _sms(core, who, "123456") is None  # nobody asked: no SMS at all
        assert await _replies(core) == []

        await _sms(core, who)
        await _sms(core, who)  # again at once: no second code (each costs an SMS)
        asked = await _replies(core)
        assert len(asked) == 1
        found = re.search(r"OUBLI (\d{6})", asked[0])
        assert found is not None
        code = found.group(1)
        wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
        for _ in range(3):
            assert await _sms(core, who, wrong) is None
        assert await _sms(core, who, code) is None  # past the tries: even the right one
        assert len(await _replies(core)) == 1 + 3  # three "not the one", then silence
        assert await core.services.residents.get(who) is not None

        clock.advance(timedelta(minutes=16))  # the request has expired: a new code
        await _sms(core, who)
        fresh = re.search(r"OUBLI (\d{6})", (await _replies(core))[-1])
        assert fresh is not None
        clock.advance(timedelta(minutes=16))
        assert await _sms(core, who, fresh.group(1)) is None  # too late
        assert "expiré" in (await _replies(core))[-1]
        assert await core.services.residents.get(who) is not None

        await _sms(core, who)
        last = re.search(r"OUBLI (\d{6})", (await _replies(core))[-1])
        assert last is not None
        farewell = await _sms(core, who, last.group(1))
        assert farewell is not None and "effacées" in farewell
        assert await core.services.residents.get(who) is None
