"""Personal links for residents reached one by one (e-mail, SMS): their buttons become signed
links under ``[web] public_url``, with the answer page and the unsubscribe link beside them.

Links name the resident by their random tag (see :mod:`animabot.privacy.links`); opening one
shows a page where the resident confirms, it never votes by itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..campaigns import actions
from ..chat.outgoing import Button, OutgoingMessage, PersonalLinks
from ..i18n import translator
from ..privacy.links import REPORT, UNSUBSCRIBE, LinkSigner, link_expiry, personal_url
from ..privacy.pseudonyms import ActionSigner


class Personaliser:
    def __init__(self, links: LinkSigner, buttons: ActionSigner, public_url: str,
                 reports_open: bool = False) -> None:
        self.links = links
        self.buttons = buttons
        self.public_url = public_url
        self.reports_open = reports_open  # categories configured: footers offer the page

    def url(self, tag: str, action: str, now: datetime) -> str:
        token = self.links.sign(tag, action, link_expiry(now, action))
        return personal_url(self.public_url, token)

    def footer(self, message: OutgoingMessage, tag: str, language: str, now: datetime
               ) -> OutgoingMessage:
        """``message`` (a reply, a notice) with the links every e-mail carries, its buttons
        left as they are: an e-mail is refused without its unsubscribe link."""
        personal = self(OutgoingMessage(""), tag, language, now).personal
        return replace(message, personal=personal)

    def __call__(
        self, message: OutgoingMessage, tag: str, language: str, now: datetime
    ) -> OutgoingMessage:
        """``message`` with a personal link on each button, its page, the page to report a
        problem (when reports are open) and the unsubscribe link."""
        _ = translator(language)
        rows: list[tuple[Button, ...]] = []
        page: str | None = None
        page_label = ""
        for row in message.buttons:
            linked: list[Button] = []
            for button in row:
                action = self.buttons.verify(button.action)
                if action is None:  # not one of ours: shown without a link
                    linked.append(button)
                    continue
                linked.append(replace(button, url=self.url(tag, action, now)))
                decoded = actions.decode(action)
                if page is None and decoded is not None and decoded.verb == "v":
                    page = self.url(tag, actions.page(decoded.int_arg(0)).encode(), now)
                    page_label = _("Answer on the poll's page")
                elif page is None and decoded is not None and decoded.verb == "t":
                    page, page_label = linked[-1].url, _("Read it on its page")
            rows.append(tuple(linked))
        personal = PersonalLinks(
            language=language,
            unsubscribe=self.url(tag, UNSUBSCRIBE, now),
            unsubscribe_label=_("Unsubscribe"),
            why=_("You receive this message because you agreed to hear from your "
                  "neighbourhood's participation service."),
            page=page, page_label=page_label,
            report=self.url(tag, REPORT, now) if self.reports_open else None,
            report_label=_("Report a problem") if self.reports_open else "",
        )
        return replace(message, buttons=tuple(rows), personal=personal)
