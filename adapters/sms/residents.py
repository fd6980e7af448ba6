"""What the SMS adapter needs to know about the people behind phone numbers.

Issue 15's address book (residents reached one by one, e-mail and phone) owns the numbers:
the normalised number is stored only there, and a resident's pseudonym is the keyed HMAC of
it. The adapter needs two things from it, named here so that it does not depend on how the
address book is built: the pseudonym of a number, and marking a number unsubscribed.
"""

from __future__ import annotations

from typing import Protocol

import phonenumbers

from animabot.privacy.pseudonyms import Pseudonymizer

PLATFORM = "sms"


def e164(raw: str, region: str = "FR") -> str | None:
    """``raw`` as an E.164 number (``+33612345678``), or None when it is not a valid one;
    a national number (``06 12 34 56 78``) is read in ``region``."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SmsResidents(Protocol):
    """The address book, as the SMS adapter sees it (numbers are E.164)."""

    def pseudonym(self, phone: str) -> str:
        """The pseudonym of the resident at ``phone`` (whether known yet or not)."""
        ...

    async def unsubscribe(self, phone: str) -> None:
        """``phone`` said STOP: no SMS of any kind goes there any more."""
        ...


class PseudonymsOnly:
    """Until the address book is wired in: pseudonyms from the core's key, and STOP left to
    the core's ``stop`` command (the resident's ``opted_out``)."""

    def __init__(self, pseudonymize: Pseudonymizer) -> None:
        self._pseudonymize = pseudonymize

    def pseudonym(self, phone: str) -> str:
        return self._pseudonymize(PLATFORM, phone)

    async def unsubscribe(self, phone: str) -> None:
        return None
