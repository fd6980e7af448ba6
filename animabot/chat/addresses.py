"""Address kinds: how a channel that reaches residents one by one (e-mail, SMS) names them.

An adapter brings its own address kinds, as it brings its settings: an object in the
``animabot.address_kinds`` entry-point group (``email = "adapters.email.address:EMAIL"``)
that says which CSV column holds such addresses, how to normalise one and how to show it
masked. Its ``name`` is the platform that writes to it (the adapter's name, the resident's
``platform``), and the pseudonym is the keyed HMAC of ``name:normalised address``
(:class:`~animabot.privacy.pseudonyms.Pseudonymizer`), so the same address always gives the
same resident, and nobody without the key can go back from one to the other.

A kind works without its adapter enabled (phone numbers are accepted into the book whether
or not ``[sms]`` is on); its module must stay light (no network library).
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Protocol, cast

from ..errors import AnimabotError

GROUP = "animabot.address_kinds"


class AddressError(AnimabotError):
    """An address that cannot be normalised; the message says why, never repeating it."""


class AddressKind(Protocol):
    """One kind of personal address (see the module's docstring)."""

    name: str  # the platform that reaches it: "email", "sms"
    column: str  # the CSV column that holds it: "email", "phone"

    def normalise(self, raw: str) -> str:
        """The one spelling stored and hashed; raise :class:`AddressError` when invalid."""
        ...

    def mask(self, address: str) -> str:
        """A spelling safe for a facilitator's screen (``j…@example.org``), never a log."""
        ...


@cache
def address_kinds() -> dict[str, AddressKind]:
    """Every installed kind that loads, by name (cached: ``address_kinds.cache_clear()``
    after installing one in a test)."""
    kinds: dict[str, AddressKind] = {}
    for point in entry_points(group=GROUP):
        try:
            kind = cast(AddressKind, point.load())
        except ImportError:
            continue
        kinds[kind.name] = kind
    return kinds


def kind_for_column(column: str) -> AddressKind | None:
    """The kind whose addresses a CSV column holds."""
    return next((kind for kind in address_kinds().values() if kind.column == column), None)
