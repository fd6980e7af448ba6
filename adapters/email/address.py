"""The ``email`` address kind: how an address is normalised (the one spelling stored and
hashed into the pseudonym) and masked. Standard library only."""

from __future__ import annotations

import re

from animabot.chat.addresses import AddressError

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_LENGTH = 254  # RFC 5321's limit on a path


class EmailKind:
    name = "email"
    column = "email"

    def normalise(self, raw: str) -> str:
        """``Jean.Dupont@Exemple.FR`` → ``Jean.Dupont@exemple.fr``: the domain lower-cased
        (and an internationalised one in its ASCII form); the local part kept as written
        (RFC 5321 lets a server tell cases apart), surrounding spaces dropped."""
        text = raw.strip()
        local, at, domain = text.rpartition("@")
        if not at or not local or not domain:
            raise AddressError("not an e-mail address (no @)")
        if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") \
                or ".." in local:
            raise AddressError("the part before @ is not valid in an e-mail address")
        try:
            domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise AddressError("the domain after @ is not valid") from None
        labels = domain.split(".")
        if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
            raise AddressError("the domain after @ is not valid")
        address = f"{local}@{domain}"
        if len(address) > MAX_LENGTH:
            raise AddressError(f"too long (over {MAX_LENGTH} characters)")
        return address

    def mask(self, address: str) -> str:
        local, _, domain = address.rpartition("@")
        return f"{local[:1]}…@{domain}"


EMAIL = EmailKind()
