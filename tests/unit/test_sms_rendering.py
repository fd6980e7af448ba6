"""Each kind of message as an SMS: numbered options to reply with, French first, cut to fit."""

from __future__ import annotations

from dataclasses import replace

from adapters.sms.rendering import choices, render
from adapters.sms.segments import Encoding, segments
from animabot.campaigns.render import announcement_message, poll_message, training_invite
from animabot.chat.outgoing import Button, OutgoingMessage
from animabot.scenario.model import Announcement, Poll, Training


def sign(action: object) -> str:
    return f"signed:{action}"


def poll(options: int = 3) -> Poll:
    return Poll(id="jardin", kind="poll", question={"fr": "Un jardin partagé rue Haute ?",
                                                     "en": "A shared garden on High Street?"},
                options={"fr": ["Oui", "Non", "Sans avis", "Plus tard"][:options],
                         "en": ["Yes", "No", "No opinion", "Later"][:options]},
                closes="+4d 20:00")


def test_a_poll_lists_numbered_options_and_how_to_answer_in_french() -> None:
    sms = render(poll_message(poll(), "fr", 7, sign, "mar. 5 mars 20:00"), "fr")
    lines = sms.text.splitlines()
    assert lines[0] == "Sondage"
    assert lines[1] == "Un jardin partagé rue Haute ?"
    assert lines[-5:] == ["1. Oui", "2. Non", "3. Sans avis", "Répondez 1, 2 ou 3.",
                          "STOP pour ne plus recevoir de SMS"]
    assert len(sms.actions) == 3 and all(a.startswith("signed:") for a in sms.actions)
    assert sms.count.segments == segments(sms.text) <= 3


def test_a_polls_personal_links_are_left_out_replying_is_shorter() -> None:
    message = poll_message(poll(2), "fr", 7, sign, None)
    linked = replace(message, buttons=tuple(
        tuple(replace(b, url="https://ville.example/r/" + "x" * 60) for b in row)
        for row in message.buttons))
    assert render(linked, "fr") == render(message, "fr")


def test_english_too() -> None:
    sms = render(poll_message(poll(2), "en", 7, sign, None), "en")
    assert sms.text.splitlines()[-4:] == ["1. Yes", "2. No", "Reply 1 or 2.",
                                          "STOP to receive no more SMS"]
    assert choices(1, "en") == "1" and choices(4, "fr") == "1, 2, 3 ou 4"


def test_an_announcement_is_its_text_with_the_sender_name() -> None:
    step = Announcement(id="a", kind="announcement", at="+0",
                        text={"fr": "Fête du quartier samedi à 15 h, place de l’Église."})
    sms = render(announcement_message(step, "fr"), "fr", sender_name="Mairie de Saint-Ouen",
                 with_stop_hint=False)
    assert sms.text == ("Mairie de Saint-Ouen\n"
                        "Fête du quartier samedi à 15 h, place de l'Église.")
    assert sms.actions == ()
    assert sms.count.encoding is Encoding.UCS2  # the ê of "Fête"
    simple = render(announcement_message(step, "fr"), "fr", with_stop_hint=False,
                    simplify_accents=True)
    assert simple.count.encoding is Encoding.GSM7 and simple.text.startswith("Fete du")


def test_a_training_is_a_short_text_and_its_link_when_the_page_exists() -> None:
    training = Training(
        id="tri", kind="training", at="+0", title={"fr": "Trier ses déchets"},
        intro={"fr": "Cinq minutes pour tout savoir."},
        cards=[{"text": {"fr": "Carte 1"}}, {"text": {"fr": "Carte 2"}}],
        quiz=[{"question": {"fr": "Le verre ?"}, "options": {"fr": ["Bac vert", "Bac jaune"]},
               "correct": 1, "explanation": {"fr": "Le verre va au bac vert."}}])
    message = training_invite(training, "fr", 9, sign)
    [[start]] = message.buttons
    personal = replace(message, buttons=((replace(start, url="https://ville.example/r/abc"),),))
    linked = render(personal, "fr")
    assert linked.text.splitlines()[-2] == "Commencer: https://ville.example/r/abc"
    assert linked.actions == ()
    unlinked = render(message, "fr")
    assert "1. Commencer" in unlinked.text and "Répondez 1." in unlinked.text
    assert unlinked.actions == (message.buttons[0][0].action,)


def test_results_and_long_texts_are_cut_but_the_options_are_kept() -> None:
    long = OutgoingMessage("Résultats du vote. " + "Merci à toutes et à tous. " * 60,
                           title="Résultats")
    sms = render(long, "fr", max_segments=2)
    assert segments(sms.text) <= 2
    assert sms.text.splitlines()[-2].endswith("Merci...")  # GSM-7: "…" would make it UCS-2
    assert sms.text.endswith("STOP pour ne plus recevoir de SMS")
    buttons = ((Button("1. Oui", "a"),), (Button("2. Non", "b"),))
    cut = render(OutgoingMessage("x " * 400, buttons, question=True), "fr", max_segments=1)
    assert cut.text.endswith("1. Oui\n2. Non\nRépondez 1 ou 2.\nSTOP pour ne plus recevoir de SMS")
    assert segments(cut.text) == 1
