"""Residents reached one by one (e-mail, SMS): the words the address book and the delivery
flow share. Standard library only, like the rest of ``domain``.

A neighbourhood's residents on such a channel are planned like a group chat, as one *list*
chat (``platform = "email"``, ``address = "residents:<neighbourhood>"``): a campaign's rows
for that chat fan out, when due, into one private row per active resident.
"""

from __future__ import annotations

from enum import StrEnum

RESIDENT_LIST_PREFIX = "residents:"


class AddressStatus(StrEnum):
    """Where an address in the book stands; only ``active`` ones are written to."""

    PENDING = "pending"  # signed up, waiting for the double opt-in's confirmation
    ACTIVE = "active"  # consented: announcements, polls and reminders go there
    UNSUBSCRIBED = "unsubscribed"  # the resident asked to stop (List-Unsubscribe, STOP)
    UNREACHABLE = "unreachable"  # the channel refused it for good (an SMTP 5xx)


def resident_list(neighbourhood_id: str) -> str:
    """The address of the list chat of a neighbourhood's residents on one channel."""
    return f"{RESIDENT_LIST_PREFIX}{neighbourhood_id}"


def is_resident_list(address: str) -> bool:
    return address.startswith(RESIDENT_LIST_PREFIX)
