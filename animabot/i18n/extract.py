"""Keep the catalogs in step with the code: ``python -m animabot.i18n.extract``.

The code is the template: message ids are the English texts of the ``_("...")`` calls
(``turn._("...")`` too, Babel matches the name ``_`` whatever comes before it), so no ``.pot``
file is kept. Updating adds new ids, keeps every translation, guesses renamed ids as ``fuzzy``
(not used at run time until a translator checks them) and keeps removed ids as obsolete ``#~``
entries, printed so that nothing disappears silently.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from . import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, catalog_path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
I18N_DIR = Path(__file__).resolve().parent
# Adapters bring their own texts (their settings' problems): they share the core's catalogs.
SOURCE_ROOTS = (PACKAGE_DIR, PACKAGE_DIR.parent / "adapters")
KEYWORDS: dict[str, None] = {"_": None}
# "# TRANSLATORS: ..." just above a call reaches the translator as an extracted comment.
COMMENT_TAGS = ("TRANSLATORS:",)
# The language the ids are written in: its catalog simply repeats them.
SOURCE_LANGUAGE = "en"
HEADER_COMMENT = (
    "# {name} messages of {domain}; the ids are the English texts of the code.\n"
    "# Update with: python -m animabot.i18n.extract (never edit ids here)."
)

Locations = dict[str, list[tuple[str, int]]]


def build_template(root: Path | None = None) -> Catalog:
    """Every ``_("...")`` literal under ``root`` (the core and the adapters when not given),
    located from the root's parent."""
    template = Catalog(domain=DOMAIN, project=DOMAIN, fuzzy=False)
    roots = (root,) if root is not None else tuple(r for r in SOURCE_ROOTS if r.is_dir())
    for base in roots:
        found = extract_from_dir(
            base,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, _context in found:
            # One-argument keyword: message is a str; non-literal calls are skipped by Babel.
            if not isinstance(message, str) or not message:
                continue
            location = (Path(base.name, filename).as_posix(), lineno)
            template.add(message, locations=[location], auto_comments=comments)
    return template


def extract_messages(root: Path | None = None) -> Locations:
    """Each message id used in the code, with the ``(file, line)`` pairs that use it."""
    return {
        str(message.id): list(message.locations)
        for message in build_template(root)
        if message.id
    }


@dataclass(frozen=True)
class Changes:
    """What an update did to one catalog, for the person running it."""

    added: list[str]
    fuzzy: list[str]
    was: dict[str, str]
    untranslated: list[str]
    obsolete: list[str]


def merge(catalog: Catalog, template: Catalog, language: str) -> Changes:
    """Bring ``catalog`` in line with ``template`` in place; return what changed."""
    before = {str(m.id) for m in catalog if m.id} | {str(key) for key in catalog.obsolete}
    # A removed id that comes back gets its old translation back.
    for key, message in list(catalog.obsolete.items()):
        if key not in catalog:
            catalog[message.id] = message
    catalog.obsolete.clear()
    catalog.update(template, update_creation_date=False)
    for message in catalog:
        if not message.id:
            continue
        if language == SOURCE_LANGUAGE and (not message.string or message.fuzzy):
            message.string = message.id
            message.flags.discard("fuzzy")
        elif message.string is None:
            message.string = ""
    catalog.header_comment = HEADER_COMMENT.format(
        name=catalog.locale.english_name if catalog.locale else language, domain=DOMAIN
    )
    current = [m for m in catalog if m.id]
    return Changes(
        added=[str(m.id) for m in current if str(m.id) not in before],
        fuzzy=[str(m.id) for m in current if m.fuzzy],
        was={str(m.id): str(m.previous_id[0]) for m in current if m.fuzzy and m.previous_id},
        untranslated=[str(m.id) for m in current if not m.string],
        obsolete=[str(key) for key in catalog.obsolete],
    )


def load_catalog(path: Path, language: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, project=DOMAIN, fuzzy=False)
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def render(catalog: Catalog) -> bytes:
    output = io.BytesIO()
    # No ``#| msgid`` lines: read_po would not read them back but turn them into comments.
    write_po(output, catalog)
    return output.getvalue()


def report(language: str, changes: Changes) -> None:
    sections = [
        ("new", changes.added),
        ("to translate", changes.untranslated),
        ("fuzzy, to check then remove the fuzzy flag", changes.fuzzy),
        ("obsolete, kept as #~ entries: delete them by hand once sure", changes.obsolete),
    ]
    for title, ids in sections:
        if ids:
            print(f"[{language}] {len(ids)} {title}:")
            for msgid in ids:
                was = changes.was.get(msgid) if ids is changes.fuzzy else None
                print(f"    {msgid!r}" + (f" (was {was!r})" if was else ""))


def main(argv: Sequence[str] | None = None) -> int:
    """Update every catalog; exit 1 while the default language has gaps, so CI can insist."""
    del argv  # no options yet; the signature lets a console script pass sys.argv
    template = build_template()
    print(f"{len(template)} message ids in the code.")
    incomplete = False
    for language in LANGUAGES:
        path = I18N_DIR / catalog_path(language)
        catalog = load_catalog(path, language)
        changes = merge(catalog, template, language)
        content = render(catalog)
        if not path.exists() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            print(f"[{language}] updated {path}")
        report(language, changes)
        if language == DEFAULT_LANGUAGE and (changes.untranslated or changes.fuzzy):
            incomplete = True
    return 1 if incomplete else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
