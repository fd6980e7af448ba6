"""Phone numbers as the address book holds them, and the pseudonyms made from them.

The address book (:mod:`animabot.store.address_book`) owns the numbers: the normalised
number (E.164, the ``sms`` address kind of :mod:`.address`) is stored only there, and a
resident's pseudonym is the keyed HMAC of ``sms:<number>``, so the adapter finds the same
resident for an incoming SMS as the import or the sign-up made. A ``STOP`` goes to the
core's ``stop`` command, which marks the number unsubscribed in the same unit of work.
"""

from __future__ import annotations

from animabot.chat.addresses import AddressError
from animabot.privacy.pseudonyms import Pseudonymizer

from .address import SMS, PhoneKind

PLATFORM = SMS.name


def e164(raw: str, region: str | None = None) -> str | None:
    """``raw`` as the address book spells it (``+33612345678``), or None when it is not a
    valid number; a national number (``06 12 34 56 78``) is read in ``region``, by default
    the address kind's, as ``animabot residents import`` reads it."""
    try:
        return (PhoneKind(region) if region else SMS).normalise(raw)
    except AddressError:
        return None


def pseudonym(pseudonymize: Pseudonymizer, phone: str) -> str:
    """The resident's pseudonym for an E.164 number, as the address book computes it."""
    return pseudonymize(PLATFORM, phone)
