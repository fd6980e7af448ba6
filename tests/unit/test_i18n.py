"""The catalogs cover every text of the code, keep its placeholders, and French comes first."""

from __future__ import annotations

import io
from importlib.resources import files
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from animabot import i18n
from animabot.campaigns.render import poll_message, vote_confirmation
from animabot.i18n import LANGUAGES, catalog_path, normalise_language, translator
from animabot.i18n.extract import Locations, extract_messages, merge
from animabot.scenario.model import Poll

THANKS = "Thank you! You will receive your neighbourhood's polls and reminders."


@pytest.fixture(scope="module")
def code_messages() -> Locations:
    return extract_messages()


def shipped_catalog(language: str) -> Catalog:
    """The catalog exactly as the bot reads it at run time (package data)."""
    source = files(i18n).joinpath(catalog_path(language)).read_bytes()
    return read_po(io.BytesIO(source), locale=language)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def where(locations: list[tuple[str, int]]) -> str:
    return ", ".join(f"{path}:{line}" for path, line in locations)


def test_the_code_has_messages_to_translate(code_messages: Locations) -> None:
    # Guards the other tests: an extraction finding nothing would make them pass vacuously.
    assert THANKS in code_messages
    assert len(code_messages) > 30


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_is_translated(code_messages: Locations, language: str) -> None:
    catalog = shipped_catalog(language)
    gaps = []
    for msgid, locations in code_messages.items():
        message = catalog.get(msgid)
        if message is None:
            gaps.append(f"missing: {msgid!r} ({where(locations)})")
        elif not message.string:
            gaps.append(f"untranslated: {msgid!r} ({where(locations)})")
        elif message.fuzzy:
            # Fuzzy entries are left out of the compiled catalog: the bot would speak English.
            gaps.append(f"fuzzy, to check: {msgid!r} ({where(locations)})")
    assert not gaps, (
        f"{language} catalog is incomplete: run `python -m animabot.i18n.extract`, "
        "then translate:\n" + "\n".join(gaps)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    mismatches = [
        f"{message.id!r}: {sorted(placeholders(str(message.id)))} "
        f"!= {sorted(placeholders(str(message.string)))} in {message.string!r}"
        for message in shipped_catalog(language)
        if message.id and message.string
        and placeholders(str(message.id)) != placeholders(str(message.string))
    ]
    assert not mismatches, f"{language} translations change placeholders:\n" + "\n".join(mismatches)


def test_french_is_spoken_to_french_residents() -> None:
    assert translator("fr")(THANKS) == (
        "Merci ! Vous recevrez les sondages et les rappels de votre quartier."
    )


def test_english_catalog_speaks_english() -> None:
    assert translator("en")(THANKS) == THANKS


@pytest.mark.parametrize("language", ["de", "", None])
def test_unknown_or_missing_language_falls_back_to_french(language: str | None) -> None:
    assert translator(language)(THANKS) == translator("fr")(THANKS)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("en-GB", "en"), ("en_US", "en"), ("EN", "en"), ("fr-BE", "fr"), ("de", "fr"), (None, "fr")],
)
def test_platform_language_hints_are_normalised(hint: str | None, expected: str) -> None:
    assert normalise_language(hint) == expected


def test_poll_message_is_rendered_in_french() -> None:
    poll = Poll(
        id="sondage", kind="poll", question={"fr": "Quel jour ?"},
        options={"fr": ["Lundi", "Mardi"]}, closes="+4d 20:00",
    )
    message = poll_message(poll, "fr", 1, lambda action: "signed", "mar. 5 mars 20:00")
    assert message.text.splitlines() == [
        "Quel jour ?",
        "Une seule réponse.",
        "Votre réponse reste privée : seul le bot la reçoit.",
        "Réponses jusqu'au mar. 5 mars 20:00.",
    ]
    assert message.title == "Sondage"
    assert vote_confirmation(poll, "fr", [1]).startswith("Réponse enregistrée : Mardi.")


# How `python -m animabot.i18n.extract` updates a catalog, on small in-memory catalogs.


def template_of(*msgids: str) -> Catalog:
    template = Catalog(fuzzy=False)
    for msgid in msgids:
        template.add(msgid, locations=[("animabot/x.py", 1)])
    return template


def french(**translations: str) -> Catalog:
    catalog = Catalog(locale="fr", fuzzy=False)
    for msgid, string in translations.items():
        catalog.add(msgid, string)
    return catalog


def entry(catalog: Catalog, msgid: str) -> Message:
    message = catalog.get(msgid)
    assert message is not None, f"{msgid!r} not in the catalog"
    return message


def test_update_adds_new_ids_and_keeps_translations() -> None:
    catalog = french(Hello="Bonjour")
    changes = merge(catalog, template_of("Hello", "Goodbye"), "fr")
    assert entry(catalog, "Hello").string == "Bonjour"
    assert entry(catalog, "Goodbye").string == ""
    assert changes.added == ["Goodbye"]
    assert changes.untranslated == ["Goodbye"]


def test_update_keeps_removed_ids_as_obsolete_and_restores_them() -> None:
    catalog = french(Hello="Bonjour", Goodbye="Au revoir")
    changes = merge(catalog, template_of("Hello"), "fr")
    assert changes.obsolete == ["Goodbye"]
    assert catalog.get("Goodbye") is None

    changes = merge(catalog, template_of("Hello", "Goodbye"), "fr")
    assert entry(catalog, "Goodbye").string == "Au revoir"
    assert changes.obsolete == []
    assert changes.added == []


def test_update_marks_a_reworded_id_fuzzy_with_the_old_translation() -> None:
    catalog = french(**{"This poll is closed.": "Ce sondage est terminé."})
    changes = merge(catalog, template_of("This poll is now closed."), "fr")
    message = entry(catalog, "This poll is now closed.")
    assert message.string == "Ce sondage est terminé."
    assert message.fuzzy
    assert changes.fuzzy == ["This poll is now closed."]
    assert changes.was == {"This poll is now closed.": "This poll is closed."}


def test_update_of_the_english_catalog_repeats_the_ids() -> None:
    catalog = Catalog(locale="en", fuzzy=False)
    changes = merge(catalog, template_of("Hello"), "en")
    assert entry(catalog, "Hello").string == "Hello"
    assert changes.untranslated == []
