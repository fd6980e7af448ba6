"""Read the lists of residents a town hall already holds (a newsletter's, an SMS alert's),
with their consent, to add them to the address book: ``animabot residents import``.

The columns: ``email`` or ``phone`` (or both), ``neighbourhood``, ``language`` and
``consent_at`` (French titles accepted: courriel, téléphone, quartier, langue,
consentement). Spreadsheets' habits are accepted as for the actors' CSV (``;`` or ``,``,
a BOM), and a faulty row never stops the others: it is reported with its line and what to
change. A report never repeats an address: the operator has the file, logs must not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..chat.addresses import AddressError, AddressKind, kind_for_column
from ..domain.actor import fold
from ..i18n import LANGUAGES
from .csv_import import ActorFileError, Rejected, detect_delimiter, match_neighbourhood

COLUMNS: tuple[str, ...] = ("email", "phone", "neighbourhood", "language", "consent_at")
ADDRESS_COLUMNS = ("email", "phone")
# Folded titles (lower case, no accents, punctuation as spaces) → column.
_HEADER_ALIASES: dict[str, str] = {
    "email": "email", "e mail": "email", "mail": "email", "courriel": "email",
    "adresse e-mail": "email", "adresse electronique": "email", "adresse mail": "email",
    "phone": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone",
    "portable": "phone", "numero": "phone",
    "neighbourhood": "neighbourhood", "neighborhood": "neighbourhood",
    "quartier": "neighbourhood",
    "language": "language", "langue": "language",
    "consent at": "consent_at", "consent": "consent_at", "consentement": "consent_at",
    "date de consentement": "consent_at", "date consentement": "consent_at",
}
_LANGUAGE_ALIASES = {"fr": "fr", "francais": "fr", "french": "fr",
                     "en": "en", "anglais": "en", "english": "en"}
_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")


# What ``residents import`` says when the file is not there: the columns it reads.
COLUMNS_HINT = "a CSV whose columns are email or phone, neighbourhood, language, consent_at"


class ResidentFileError(ActorFileError):
    """The residents' CSV cannot be read at all (no usable header)."""


@dataclass(frozen=True)
class ResidentRow:
    """One address to enrol, normalised, with the line it came from."""

    line: int
    kind: str  # the address kind's name: "email", "sms"
    address: str
    neighbourhood_id: str
    language: str | None
    consent_at: datetime


@dataclass
class ParsedResidents:
    rows: list[ResidentRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def residents(self) -> int:
        """The rows read: one resident each, even with both an e-mail and a phone (which
        are two addresses in ``rows``)."""
        return len({row.line for row in self.rows})


def parse_consent(text: str, zone: ZoneInfo) -> datetime | None:
    """ISO 8601 (``2026-03-01``, ``2026-03-01T10:30``, with or without offset) or French
    ``01/03/2026 [10:30]``; a time without offset is the configured zone's."""
    text = text.strip()
    found: datetime | None = None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                found = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if found is None:
        try:
            found = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            return None
    return found if found.tzinfo else found.replace(tzinfo=zone)


def parse_residents(
    text: str, neighbourhoods: Mapping[str, str], zone: ZoneInfo, now: datetime,
    name: str = "the file",
) -> ParsedResidents:
    """Check every row; ``neighbourhoods`` maps the known ids to their names."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ResidentFileError(f"{name} is empty: write a header line first, e.g. "
                                "email;neighbourhood;language;consent_at")
    header_line = next(line for line in text.splitlines() if line.strip())
    delimiter = detect_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    result = ParsedResidents()
    columns: dict[str, int] = {}
    header: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if not header:
            header = cells
            columns = _map_header(header, name, result)
            continue
        if len(cells) > len(header):
            result.rejected.append(Rejected(start, (
                f"{len(cells)} cells but the header has {len(header)}: a {delimiter!r} "
                "inside a cell? put that cell between double quotes",)))
            continue
        values = {column: cells[i].strip() if i < len(cells) else ""
                  for column, i in columns.items()}
        rows, reasons = _check_row(start, values, neighbourhoods, zone, now)
        for row in rows:
            earlier = seen.get((row.kind, row.address))
            if earlier is not None:
                reasons.append(f"the same {_column_of(row.kind)} is already on line {earlier}")
            else:
                seen[(row.kind, row.address)] = start
        if reasons:
            result.rejected.append(Rejected(start, tuple(reasons)))
        else:
            result.rows.extend(rows)
    if not header:
        raise ResidentFileError(f"{name} has no header line")
    return result


def _column_of(kind: str) -> str:
    return "phone number" if kind == "sms" else "e-mail address"


def _map_header(header: list[str], name: str, result: ParsedResidents) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _HEADER_ALIASES.get(fold(title))
        if column is None:
            if title.strip():
                result.ignored_columns.append(title.strip())
            continue
        if column in columns:
            raise ResidentFileError(f"{name}: two columns mean {column!r} "
                                    f"({header[columns[column]]!r} and {title!r}): keep one")
        columns[column] = index
    missing = [c for c in ("neighbourhood", "consent_at") if c not in columns]
    if not any(c in columns for c in ADDRESS_COLUMNS):
        missing.insert(0, "email nor phone")
    if missing:
        raise ResidentFileError(
            f"{name}: the header line has no {' nor '.join(missing)} column (found: "
            f"{', '.join(repr(h) for h in header)}): the first line must name the columns, "
            "e.g. email;neighbourhood;language;consent_at")
    return columns


def _address(column: str, raw: str, reasons: list[str]) -> tuple[AddressKind, str] | None:
    kind = kind_for_column(column)
    if kind is None:
        reasons.append(f"{column}: this kind of address is not installed (pip install "
                       f"'animabot[{'sms' if column == 'phone' else column}]')")
        return None
    try:
        return kind, kind.normalise(raw)
    except AddressError as exc:
        reasons.append(f"{column}: {exc}")
        return None


def _check_row(
    line: int, values: Mapping[str, str], neighbourhoods: Mapping[str, str], zone: ZoneInfo,
    now: datetime,
) -> tuple[list[ResidentRow], list[str]]:
    reasons: list[str] = []
    found = [(column, values[column]) for column in ADDRESS_COLUMNS if values.get(column)]
    if not found:
        reasons.append("no address: write an e-mail address or a phone number")
    addresses = [a for column, raw in found if (a := _address(column, raw, reasons))]
    hood_text = values.get("neighbourhood", "")
    hood = match_neighbourhood(hood_text, neighbourhoods) if hood_text else None
    if hood is None:
        known = ", ".join(neighbourhoods) or "none: add [[neighbourhoods]] to the config"
        what = f"unknown neighbourhood {hood_text!r}" if hood_text else "no neighbourhood"
        reasons.append(f"{what}: write one of the ids {known}")
    language_text = values.get("language", "")
    language = _LANGUAGE_ALIASES.get(fold(language_text)) if language_text else None
    if language_text and language not in LANGUAGES:
        reasons.append(f"unknown language {language_text!r}: write fr or en, or leave it "
                       "empty for the bot's language")
    consent_text = values.get("consent_at", "")
    consent = parse_consent(consent_text, zone) if consent_text else None
    if consent is None:
        reasons.append(
            f"the consent date {consent_text!r} cannot be read: write 2026-03-01 or "
            "01/03/2026" if consent_text else
            "no consent date: only residents who agreed can be added (consent_at)")
    elif consent > now:
        reasons.append("the consent date is in the future")
    if reasons or hood is None or consent is None:
        return [], reasons
    return [ResidentRow(line, kind.name, address, hood, language, consent)
            for kind, address in addresses], reasons
