"""The web report page's form (residents reached by e-mail or SMS): what is accepted, and the
error shown beside each field otherwise; the report link's kind and lifetime; the e-mail
footer that carries it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.email.message import build_email
from animabot.chat.outgoing import OutgoingMessage, PersonalLinks
from animabot.conversation.reports import MAX_TEXT
from animabot.privacy.links import REPORT, LinkSigner, link_expiry
from animabot.web.public.report_form import MAX_PLACE, read_report, report_text

CATEGORIES = ("voirie", "eclairage")
NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


def test_a_category_and_a_text_make_a_report_without_place_nor_photo() -> None:
    form = read_report({"category": "voirie", "text": "  Nid-de-poule  "}, CATEGORIES,
                       has_photo=False)
    assert form.ok
    assert (form.category, form.text, form.latitude, form.longitude) == (
        "voirie", "Nid-de-poule", None, None)


def test_a_photo_alone_is_enough_but_nothing_at_all_is_not() -> None:
    assert read_report({"category": "voirie"}, CATEGORIES, has_photo=True).ok
    form = read_report({"category": "voirie", "text": "   "}, CATEGORIES, has_photo=False)
    assert form.errors == {"text": "report_error_text_needed"}


@pytest.mark.parametrize("category", ["", "inconnue", "VOIRIE"])
def test_the_category_must_be_one_of_the_configured_ones(category: str) -> None:
    form = read_report({"category": category, "text": "x"}, CATEGORIES, has_photo=False)
    assert form.errors == {"category": "report_error_category"}


def test_too_long_texts_are_refused_and_kept_to_be_shortened() -> None:
    form = read_report({"category": "voirie", "text": "a" * (MAX_TEXT + 1),
                        "place": "b" * (MAX_PLACE + 1)}, CATEGORIES, has_photo=False)
    assert form.errors == {"text": "report_error_text_long", "place": "report_error_place_long"}
    assert form.text == "a" * (MAX_TEXT + 1)  # shown again as typed


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    ("48.8566", "2.3522", (48.8566, 2.3522)),
    ("48,8566", "-2,35", (48.8566, -2.35)),  # a French keyboard's decimal comma
    (" -90 ", "180", (-90.0, 180.0)),
])
def test_coordinates_in_decimal_degrees_are_read(lat: str, lon: str,
                                                  expected: tuple[float, float]) -> None:
    form = read_report({"category": "voirie", "text": "x", "latitude": lat,
                        "longitude": lon}, CATEGORIES, has_photo=False)
    assert form.ok and (form.latitude, form.longitude) == expected


@pytest.mark.parametrize(("lat", "lon", "errors"), [
    ("91", "2", {"latitude"}),
    ("48", "181", {"longitude"}),
    ("48.85", "", {"longitude"}),  # both or neither
    ("", "2.35", {"latitude"}),
    ("nan", "inf", {"latitude", "longitude"}),
    ("48°51'", "abc", {"latitude", "longitude"}),
])
def test_coordinates_off_the_globe_or_half_given_are_refused(lat: str, lon: str,
                                                              errors: set[str]) -> None:
    form = read_report({"category": "voirie", "text": "x", "latitude": lat,
                        "longitude": lon}, CATEGORIES, has_photo=False)
    assert set(form.errors) == errors
    assert form.latitude_text == lat.strip()  # shown again as typed


def test_the_place_typed_becomes_the_last_line_of_the_description() -> None:
    form = read_report({"category": "voirie", "text": "Trou", "place": "12 rue des Lilas"},
                       CATEGORIES, has_photo=False)
    assert report_text(form, "Lieu") == "Trou\nLieu : 12 rue des Lilas"
    alone = read_report({"category": "voirie", "place": "Parc"}, CATEGORIES, has_photo=True)
    assert report_text(alone, "Lieu") == "Lieu : Parc"


def test_a_report_link_is_signed_and_long_lived() -> None:
    signer = LinkSigner(b"k" * 32)
    expires = link_expiry(NOW, REPORT)
    assert expires - NOW == timedelta(days=400)
    token = signer.sign("0123456789abcdef", REPORT, expires)
    link = signer.verify(token, NOW + timedelta(days=399))
    assert link is not None and link.action == REPORT
    assert signer.verify(token.replace("~", "~A", 1), NOW) is None


def test_an_email_footer_offers_the_report_page_when_reports_are_open() -> None:
    personal = PersonalLinks("fr", "https://p.test/r/u", "Se désabonner", "Parce que.",
                             report="https://p.test/r/report", report_label="Signaler un problème")
    mail = build_email(OutgoingMessage("Bonjour", personal=personal), "ana@example.org", "k",
                       "p@ville.fr", "", NOW)
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    assert "Signaler un problème : https://p.test/r/report" in text.get_content()
    assert '<a href="https://p.test/r/report">Signaler un problème</a>' in html.get_content()
    closed = build_email(OutgoingMessage("Bonjour", personal=PersonalLinks(
        "fr", "https://p.test/r/u", "Se désabonner", "Parce que.")), "a@b.fr", "k",
        "p@ville.fr", "", NOW)
    assert "Signaler" not in str(closed)


def test_a_notice_gets_the_footer_links_and_keeps_its_buttons() -> None:
    from animabot.chat.outgoing import Button
    from animabot.delivery.personal import Personaliser
    from animabot.privacy.pseudonyms import ActionSigner

    signer = ActionSigner(b"b" * 32)
    personalise = Personaliser(LinkSigner(b"k" * 32), signer, "https://p.test", True)
    notice = OutgoingMessage("Votre signalement n° 1 est maintenant : en cours.",
                             ((Button("1. Oui", signer.sign("v.1.0")),),))
    told = personalise.footer(notice, "0123456789abcdef", "fr", NOW)
    assert told.buttons == notice.buttons and told.text == notice.text
    assert told.personal is not None and told.personal.unsubscribe.startswith("https://p.test/r/")
    assert told.personal.report is not None and told.personal.report_label == \
        "Signaler un problème"
    closed = Personaliser(LinkSigner(b"k" * 32), signer, "https://p.test").footer(
        notice, "0123456789abcdef", "fr", NOW)
    assert closed.personal is not None and closed.personal.report is None
