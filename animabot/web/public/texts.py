"""The public pages' words, through the gettext catalogs (French first, English too).

Kept in Python rather than in the templates so that ``python -m animabot.i18n.extract`` finds
them like every other text of the bot.
"""

from __future__ import annotations

from functools import cache

from ...i18n import LANGUAGES, translator


@cache
def texts(language: str) -> dict[str, str]:
    _ = translator(language)
    return {
        "site": _("Neighbourhood participation"),
        "skip": _("Skip to content"),
        "switch": _("Version française") if language == "en" else _("English version"),
        "lang_menu": _("Language"),
        "poll_title": _("Your answer"),
        "current": _("Your current answer: {answer}."),
        "no_answer": _("You have not answered this poll yet."),
        "choose": _("Choose your answer"),
        "choose_many": _("Choose an answer (you may choose several: each choice adds or "
                         "withdraws that answer)"),
        "send_vote": _("Confirm my answer"),
        "closed": _("This poll is closed: answers are no longer taken."),
        "change": _("You can change your answer until the poll closes."),
        "gone": _("This poll or training no longer exists."),
        "training_title": _("Micro-training"),
        "card": _("Card {n} of {total}"),
        "quiz": _("Quiz"),
        "question": _("Question {n} of {total}"),
        "send_quiz": _("Check my answer"),
        "training_closed": _("This micro-training is closed."),
        "unsubscribe_title": _("Unsubscribe"),
        "unsubscribe_ask": _("Do you want to stop receiving the messages of your "
                             "neighbourhood's participation service at this address?"),
        "unsubscribe_button": _("Yes, unsubscribe me"),
        "unsubscribed": _("Done: you will receive no more messages at this address. You can "
                          "sign up again at any time from your neighbourhood's page."),
        "confirm_title": _("Confirm your sign-up"),
        "confirm_ask": _("Press the button to confirm that you want to receive your "
                         "neighbourhood's polls, news and trainings at this address."),
        "confirm_button": _("Confirm my sign-up"),
        "confirmed": _("Thank you! Your sign-up is confirmed. Each message will carry a "
                       "link to unsubscribe."),
        "data_link": _("What is kept about me"),
        "data_title": _("What is kept about you"),
        "erase_ask": _("Erase what is kept about you? Your past answers stay in the "
                       "anonymous totals but are no longer linked to you. This cannot be "
                       "undone."),
        "erase_button": _("Yes, erase everything"),
        "erased": _("Your data has been erased. Goodbye, and thank you!"),
        "invalid_title": _("This link does not work"),
        "invalid": _("This link has expired, was altered, or its data was erased. Links "
                     "in messages work for 90 days; the next message will bring a new "
                     "one."),
        "not_found_title": _("Page not found"),
        "not_found": _("There is nothing at this address."),
        "form_expired": _("This form has expired: please try again."),
        "signup_index_title": _("Take part in your neighbourhood's life"),
        "signup_index_intro": _("Choose your neighbourhood to receive its consultations by "
                                "e-mail or SMS."),
        "signup_title": _("Sign up: {name}"),
        "signup_intro": _("Receive the polls, news and short trainings of the {name} "
                          "neighbourhood, and answer them from your phone or computer."),
        "channel": _("How do you want to receive the messages?"),
        "channel_email": _("By e-mail"),
        "channel_sms": _("By SMS"),
        "address": _("Your e-mail address or mobile number"),
        "address_hint": _("For example: prenom@exemple.fr or 06 12 34 56 78"),
        "language": _("Language of the messages"),
        "consent_title": _("What we keep, why, and how to leave"),
        "consent_1": _("We keep your address, your neighbourhood, your language and the "
                       "date of your consent, only to send you your neighbourhood's "
                       "consultations. Your answers are counted anonymously: results never "
                       "show who answered what."),
        "consent_2": _("Your address is never shared nor used for anything else. Each message "
                       "carries a link to unsubscribe; from it you can also see what is kept "
                       "about you and erase it."),
        "consent_days": _("Your answers are kept {days} days, then only counted in anonymous "
                          "totals."),
        "consent_box": _("I agree to receive these messages and to the keeping of the data "
                         "above."),
        "signup_button": _("Sign up"),
        "link_sent": _("Almost done: we have sent you an e-mail. Open the link it contains "
                       "and press the button to confirm (it works for 2 days)."),
        "code_title": _("Type the code you received by SMS"),
        "code_label": _("6-digit code"),
        "code_button": _("Confirm"),
        "code_wrong": _("This code is not the right one: check it and try again."),
        "code_over": _("This code has expired or was tried too often: please sign up again."),
        "limited": _("Too many sign-ups in a short time: please try again later."),
        "unavailable": _("This channel is not available at the moment: please try the other "
                         "one or come back later."),
        "consent_needed": _("Please tick the box to give your consent."),
        "error": _("Error"),
        "unavailable_page": _("This page is not available at the moment: please try again "
                              "in a few minutes."),
        "unknown_hood": _("This neighbourhood does not exist."),
        "poster_title": _("Take part in your neighbourhood's life"),
        "poster_1": _("Answer the neighbourhood's polls"),
        "poster_2": _("Receive its news and short trainings"),
        "poster_3": _("By e-mail or SMS, free of charge, leave at any time"),
        "poster_scan": _("Scan this code with your phone, or go to:"),
        "report_link": _("Report a problem in the street"),
        "report_title": _("Report a problem"),
        "report_intro": _("A pothole, a broken street light, litter left behind? Tell us: "
                          "your report goes to the service in charge, and you will be told "
                          "of each change by the same way you receive our messages."),
        "report_closed": _("Problem reports are not open here yet."),
        "report_category": _("What is it about?"),
        "report_text": _("Describe the problem in a few words"),
        "report_text_hint": _("What, and where exactly (at most {n} characters). Optional "
                              "if you add a photo."),
        "report_photo": _("A photo (optional)"),
        "report_photo_hint": _("JPEG or PNG, at most {mb} MB. Its hidden data, such as the "
                               "place it was taken, is removed before it is kept."),
        "report_where": _("Where is it? (optional)"),
        "report_place": _("Address or place"),
        "report_place_hint": _("For example: in front of 12 rue des Lilas"),
        "report_latitude": _("Latitude"),
        "report_longitude": _("Longitude"),
        "report_coordinates_hint": _("In decimal degrees, for example 48.8566 and 2.3522, "
                                     "as your phone's map app shows them."),
        "report_locate": _("Use my current position"),
        "report_locate_wait": _("Looking for your position…"),
        "report_locate_done": _("Position filled in: check it, then send the report."),
        "report_locate_failed": _("Your position could not be found: type the place "
                                  "instead."),
        "report_button": _("Send the report"),
        "report_errors": _("The report was not sent: please correct the fields marked "
                           "below."),
        "report_error_category": _("Choose what the problem is about."),
        "report_error_text_needed": _("Describe the problem, or add a photo."),
        "report_error_text_long": _("The description is too long: make it shorter."),
        "report_error_place_long": _("The place is too long: make it shorter."),
        "report_error_latitude": _("Give a latitude between -90 and 90, or leave both "
                                   "coordinates empty."),
        "report_error_longitude": _("Give a longitude between -180 and 180, or leave both "
                                    "coordinates empty."),
        "report_error_photo": _("This file could not be read as a photo: send a JPEG or PNG "
                                "photo."),
        "report_error_photo_large": _("This photo is over {mb} MB: send a smaller one."),
        "report_done_title": _("Report received"),
        "report_done": _("Thank you! Your report is recorded as #{id}. It goes to the "
                         "service in charge, and you will be told of each change."),
        "report_another": _("Report another problem"),
        "report_place_label": _("Place"),
    }


def all_languages() -> tuple[str, ...]:
    return LANGUAGES
