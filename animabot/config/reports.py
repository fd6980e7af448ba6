"""``[[reports.categories]]``: the kinds of problem residents can report (signalements) and
where each goes, per neighbourhood when a service differs from one to another.

```toml
[[reports.categories]]
id = "voirie"
name = "Voirie (trous, trottoirs)"
email = "voirie@ville.example"                  # or webhook = "https://…"
neighbourhoods = { gare = { email = "voirie-gare@bailleur.example" } }
```

``[reports]`` itself holds the photos' folder, their size limit, the webhooks' secret and
what the exports may show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr

from ..errors import FieldValueError
from ..i18n.lazy import lazy as _
from .sections import SLUG, StorageSettings, _Section


def _email(value: str) -> str:
    if len(value) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise FieldValueError(_("{value!r} is not an e-mail address", value=value),
                              _('write it as service@ville.example'))
    return value


def _webhook(value: str) -> str:
    if len(value) > 2000 or not re.fullmatch(r"https?://\S+", value):
        raise FieldValueError(_("{value!r} is not a web address", value=value),
                              _('write the full address, starting with https://'))
    return value


Email = Annotated[str, AfterValidator(_email)]
Webhook = Annotated[str, AfterValidator(_webhook)]
Complain = Callable[[tuple[int | str, ...], str, str], None]


class ReportRoute(_Section):
    """Where a category's reports go: an address of the ``[email]`` relay or a webhook."""

    email: Email | None = None
    webhook: Webhook | None = None


class ReportCategory(ReportRoute):
    id: Annotated[str, Field(pattern=SLUG)]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    # neighbourhood id → its own route (another service, a social landlord)
    neighbourhoods: dict[str, ReportRoute] = Field(default_factory=dict)

    def route(self, neighbourhood_id: str | None) -> ReportRoute:
        """The route for a report made in ``neighbourhood_id`` (the category's by default)."""
        return self.neighbourhoods.get(neighbourhood_id or "", self)


class ReportSettings(_Section):
    categories: list[ReportCategory] = Field(default_factory=list)
    # Where photos are kept (stripped of their metadata, under random names); unset: a
    # folder beside the SQLite database ("animabot-photos" for "animabot.db").
    photos: Path | None = None
    max_photo_bytes: Annotated[int, Field(ge=10_000, le=50_000_000)] = 10_000_000
    # Signs webhook bodies (X-Animabot-Signature: sha256=HMAC of the body); usually
    # ANIMABOT_REPORTS__WEBHOOK_SECRET. Unset: the privacy key derives one.
    webhook_secret: SecretStr | None = None
    route_attempts: Annotated[int, Field(ge=1, le=50)] = 8  # then a person must look
    export_text: bool = False  # residents' texts in the GeoJSON and CSV exports
    # Closed reports lose their text and photo after this many days ([privacy]'s if unset).
    retention_days: Annotated[int | None, Field(ge=1)] = None

    def category(self, category_id: str) -> ReportCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)


def photo_folder(reports: ReportSettings, storage: StorageSettings) -> Path:
    """``[reports] photos``, or a folder beside the SQLite database ("animabot-photos" for
    "animabot.db"; in the working folder with PostgreSQL)."""
    if reports.photos is not None:
        return Path(reports.photos)
    database = Path(storage.database)
    if storage.url and storage.backend() == "sqlite":
        database = Path(storage.target())
    elif storage.url:
        return Path("animabot-photos")
    return database.with_name(f"{database.stem}-photos")


def report_problems(reports: ReportSettings, hoods: Collection[str], add: Complain,
                    *, mail_relay: bool = False) -> None:
    """What types cannot say: one route each (e-mail or webhook), ids used once, routes for
    neighbourhoods that exist, a mail relay (``mail_relay``) for the routes by e-mail."""
    seen: set[str] = set()
    for index, category in enumerate(reports.categories):
        base: tuple[int | str, ...] = ("reports", "categories", index)
        if category.id in seen:
            add((*base, "id"), _("the id {id!r} is used twice", id=category.id),
                _("give every category its own id"))
        seen.add(category.id)
        _one_route(category, base, add, mail_relay)
        for hood, route in category.neighbourhoods.items():
            where = (*base, "neighbourhoods", hood)
            if hood not in hoods:
                add(where, _("no neighbourhood {id!r} is configured", id=hood),
                    _("use one of: {known}", known=", ".join(sorted(hoods)) or "-"))
            _one_route(route, where, add, mail_relay)


def _one_route(route: ReportRoute, where: tuple[int | str, ...], add: Complain,
               mail_relay: bool) -> None:
    if (route.email is None) == (route.webhook is None):
        add(where, _("a route needs either `email` or `webhook`, not both nor neither"),
            _('write email = "service@ville.example" or webhook = "https://…"'))
    elif route.email is not None and not mail_relay:
        add((*where, "email"),
            _("reports routed by e-mail need a mail relay, and [email] smtp_host or "
              "from_address is empty"),
            _('in [email], write smtp_host = "smtp.ville.fr" and from_address = '
              '"participation@ville.fr" ([email] enabled may stay false)'))
