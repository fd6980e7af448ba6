"""The ``sms`` address kind: phone numbers, normalised to E.164 with ``phonenumbers``
(region FR by default: "06 12 34 56 78" → "+33612345678")."""

from __future__ import annotations

import phonenumbers

from animabot.chat.addresses import AddressError

DEFAULT_REGION = "FR"


class PhoneKind:
    name = "sms"
    column = "phone"

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        self.region = region

    def normalise(self, raw: str) -> str:
        try:
            number = phonenumbers.parse(raw.strip(), self.region)
        except phonenumbers.NumberParseException:
            raise AddressError("not a phone number") from None
        if not phonenumbers.is_valid_number(number):
            raise AddressError("not a valid phone number (check the digits, or write it "
                               "with its country code: +32…)")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def mask(self, address: str) -> str:
        return f"{address[:4]}…{address[-2:]}"


SMS = PhoneKind()
