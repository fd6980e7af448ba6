"""Address kinds (e-mail, phone), the pseudonym of an address, and signed personal links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.email.address import EMAIL
from adapters.sms.address import SMS
from animabot.chat.addresses import AddressError, address_kinds, kind_for_column
from animabot.privacy.links import LinkSigner, personal_url
from animabot.privacy.pseudonyms import Pseudonymizer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "normal"), [
    ("ana@example.org", "ana@example.org"),
    ("  Jean.Dupont@Exemple.FR ", "Jean.Dupont@exemple.fr"),
    ("ana+quartier@Mairie.Ville.fr.", "ana+quartier@mairie.ville.fr"),
    ("zoé@café.fr".replace("zoé", "zoe"), "zoe@xn--caf-dma.fr"),
])
def test_an_email_address_has_one_spelling_with_its_domain_lower_cased(
    raw: str, normal: str
) -> None:
    assert EMAIL.normalise(raw) == normal


@pytest.mark.parametrize("raw", ["", "ana", "ana@", "@example.org", "ana@example",
                                 "a b@example.org", "ana..b@example.org", "ana@-x.org",
                                 "ana@exa mple.org", "<ana@example.org>"])
def test_a_bad_email_address_is_refused_without_being_repeated(raw: str) -> None:
    with pytest.raises(AddressError) as caught:
        EMAIL.normalise(raw)
    assert raw.strip() == "" or raw not in str(caught.value)


@pytest.mark.parametrize(("raw", "normal"), [
    ("06 12 34 56 78", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("+32 470 12 34 56", "+32470123456"),
])
def test_a_phone_number_becomes_e164_in_france_by_default(raw: str, normal: str) -> None:
    assert SMS.normalise(raw) == normal


@pytest.mark.parametrize("raw", ["", "12", "06 12 34", "pas un numéro"])
def test_a_bad_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(AddressError):
        SMS.normalise(raw)


def test_kinds_are_found_through_their_entry_points_by_csv_column() -> None:
    assert set(address_kinds()) >= {"email", "sms"}
    email, phone = kind_for_column("email"), kind_for_column("phone")
    assert email is not None and email.name == "email"
    assert phone is not None and phone.name == "sms"
    assert EMAIL.mask("jean.dupont@exemple.fr") == "j…@exemple.fr"


def test_the_pseudonym_is_the_keyed_hmac_of_the_normalised_address() -> None:
    pseudonymize = Pseudonymizer(b"k" * 32)
    one = pseudonymize("email", EMAIL.normalise("Ana@Example.ORG"))
    assert one == pseudonymize("email", EMAIL.normalise(" Ana@example.org "))
    # The local part is kept as written (RFC 5321): only the domain is lower-cased.
    assert one != pseudonymize("email", EMAIL.normalise("ana@example.org"))
    assert one != pseudonymize("email", EMAIL.normalise("Ana@other.org"))
    assert one != Pseudonymizer(b"x" * 32)("email", "Ana@example.org")  # keyed
    assert "ana" not in one and "example" not in one
    phone = pseudonymize("sms", SMS.normalise("06 12 34 56 78"))
    assert phone == pseudonymize("sms", SMS.normalise("+33612345678"))


def test_a_signed_link_names_a_resident_and_an_action_until_it_expires() -> None:
    signer = LinkSigner(b"k" * 32)
    token = signer.sign("0123456789abcdef", "v.42.1", NOW + timedelta(days=1))
    link = signer.verify(token, NOW)
    assert link is not None and (link.tag, link.action) == ("0123456789abcdef", "v.42.1")
    assert signer.verify(token, NOW + timedelta(days=1)) is None  # expired
    assert personal_url("https://p.ville.fr/", token) == f"https://p.ville.fr/r/{token}"
    assert all(c.isalnum() or c in "._-~" for c in token)  # a path segment as it is


def test_a_forged_or_altered_link_is_refused_never_raised() -> None:
    signer = LinkSigner(b"k" * 32)
    token = signer.sign("0123456789abcdef", "v.42.1", NOW + timedelta(days=1))
    payload, _, signature = token.rpartition("~")
    for forged in (payload.replace("v.42.1", "v.42.2") + "~" + signature,
                   payload.replace("0123", "9999") + "~" + signature,
                   LinkSigner(b"x" * 32).sign("0123456789abcdef", "v.42.1",
                                              NOW + timedelta(days=1)),
                   "", "~", "garbage", "é" * 10, token + "x", "a" * 500):
        assert signer.verify(forged, NOW) is None


def test_a_link_refuses_what_it_cannot_carry() -> None:
    signer = LinkSigner(b"k" * 32)
    with pytest.raises(ValueError):
        signer.sign("not-hex!", "v.1.1", NOW)
    with pytest.raises(ValueError):
        signer.sign("abcdef", "v.1.1~x", NOW)
