"""``animabot poster NEIGHBOURHOOD --format pdf|png -o FILE``: the neighbourhood's A4 poster
with its QR code to the sign-up page, made offline (no database, no network)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnimabotError
from ..i18n import LANGUAGES
from ..i18n.lazy import lazy as _
from .common import ConfigOption, fail, operator, out, settings_from
from .scope import refuse_outside


class Format(StrEnum):
    PDF = "pdf"
    PNG = "png"


def poster(
    neighbourhood: Annotated[str, typer.Argument(help="The neighbourhood's id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    format_: Annotated[Format, typer.Option("--format", help="pdf to print, png for a "
                                            "bulletin or a website.")] = Format.PDF,
    language: Annotated[str, typer.Option("--language", help="fr or en.")] = "fr",
    config: ConfigOption = None,
) -> None:
    """Make a neighbourhood's A4 poster: what residents can do, and a QR code to its
    sign-up page under [web] public_url."""
    from ..web.public import poster as posters

    settings = settings_from(config)
    try:
        refuse_outside(operator(settings), [neighbourhood])  # with --commune, its own only
    except AnimabotError as exc:
        fail(exc.told(settings.bot.language), settings.bot.language)
    names = {hood.id: hood.name for hood in settings.neighbourhoods}
    if neighbourhood not in names:
        fail(_("no neighbourhood {id!r} in the configuration: {known}", id=neighbourhood,
               known=", ".join(sorted(names)) or "-"))
    if language not in LANGUAGES:
        fail(_("{value!r} is not a language: fr or en", value=language))
    try:
        url = posters.signup_url(settings.web.public_url, neighbourhood)
        made = posters.make(format_.value, names[neighbourhood], url, language)
    except AnimabotError as exc:
        fail(str(exc))
    output.write_bytes(made)
    out.print(_("{file}: the poster of {name}, its QR code leads to {url}",
                file=output, name=names[neighbourhood], url=url))
