"""Read the directory from the CSV a facilitator keeps in a spreadsheet, and write it back.

Spreadsheets differ: LibreOffice and French Excel write ``;``, others ``,``; Excel adds a BOM;
people title columns in French ("Nom", "Quartier", "Étiquettes"). All of that is accepted.
A faulty row never stops the others: it is reported with its line (the header is line 1) and
what to change, and the valid rows are imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..csv_cells import safe_row, unescape_cell
from ..domain.actor import (
    ACTOR_ID_PATTERN,
    KINDS,
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_NAME,
    TAG_SEPARATOR,
    Actor,
    fold,
)
from ..errors import AnimabotError
from .search import slug

COLUMNS: tuple[str, ...] = (
    "id", "name", "kind", "tags", "neighbourhood", "contact", "description",
)
REQUIRED: tuple[str, ...] = ("name", "kind")
EXAMPLE = "scenarios/acteurs-exemple.csv"
# Folded header -> column. French first: that is what facilitators write.
_HEADER_ALIASES: dict[str, str] = {
    "id": "id", "identifiant": "id", "slug": "id", "code": "id",
    "name": "name", "nom": "name", "structure": "name", "raison sociale": "name",
    "kind": "kind", "type": "kind", "categorie": "kind", "category": "kind", "genre": "kind",
    "tags": "tags", "tag": "tags", "etiquettes": "tags", "etiquette": "tags",
    "mots cles": "tags", "mot cle": "tags", "themes": "tags", "thematiques": "tags",
    "neighbourhood": "neighbourhood", "neighborhood": "neighbourhood",
    "quartier": "neighbourhood",
    "contact": "contact", "contacts": "contact", "coordonnees": "contact",
    "description": "description", "presentation": "description", "activite": "description",
    "activites": "description",
}
# Folded kind -> stored kind.
_KIND_ALIASES: dict[str, str] = {
    "association": "association", "associations": "association", "asso": "association",
    "commerce": "commerce", "commerces": "commerce", "commercant": "commerce",
    "entreprise": "commerce", "business": "commerce", "shop": "commerce",
    "service public": "service_public", "services publics": "service_public",
    "public service": "service_public", "administration": "service_public",
    "autre": "autre", "autres": "autre", "other": "autre",
}
_ID_RE = re.compile(ACTOR_ID_PATTERN)
_TAG_SPLIT = re.compile(r"[|,;]")
_LIMITS = (("name", MAX_NAME), ("contact", MAX_CONTACT), ("description", MAX_DESCRIPTION))


class ActorFileError(AnimabotError):
    """The CSV file cannot be read at all (missing, not UTF-8, empty, no usable header)."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.reasons)


@dataclass
class ParsedFile:
    """The rows to import (with the line each came from) and the rows refused."""

    actors: list[Actor] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    delimiter: str = ";"


def read_csv_text(path: Path, hint: str = f"example: {EXAMPLE}") -> str:
    """The file's text; a clear :class:`ActorFileError` when it is not a readable CSV
    (``hint``: what the file should be, the actors' example by default)."""
    if path.is_dir():
        raise ActorFileError(f"{path} is a directory: give the path of a .csv file")
    if not path.exists():
        raise ActorFileError(f"{path}: no such file; check the path ({hint})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ActorFileError(f"{path} cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ActorFileError(
            f"{path} is not UTF-8 text (line {line}): in the spreadsheet, save as CSV "
            "choosing the UTF-8 encoding"
        ) from None


def detect_delimiter(header: str) -> str:
    """``;`` or ``,``, judged on the header line only (cells may hold commas)."""
    try:
        found = csv.Sniffer().sniff(header, delimiters=";,").delimiter
    except csv.Error:
        found = ""
    if found in (";", ","):
        return found
    return "," if header.count(",") > header.count(";") else ";"


def parse_actors(
    text: str, neighbourhoods: Mapping[str, str], name: str = "the file"
) -> ParsedFile:
    """Check every row of ``text``; ``neighbourhoods`` maps the known ids to their names."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ActorFileError(f"{name} is empty: write a header line first, e.g. "
                             + ";".join(COLUMNS))
    header_line = next(line for line in text.splitlines() if line.strip())
    delimiter = detect_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    columns: dict[str, int] = {}
    result = ParsedFile(delimiter=delimiter)
    seen: dict[str, int] = {}
    line = 1  # where the next record starts: a quoted cell may span several lines
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if not header:
            header = cells
            columns, result.ignored_columns = _map_header(header, name)
            continue
        if len(cells) > len(header):
            result.rejected.append(Rejected(start, (
                f"{len(cells)} cells but the header has {len(header)}: a {delimiter!r} "
                "inside a cell? put that cell between double quotes",
            )))
            continue
        values = {column: unescape_cell(cells[i].strip()) if i < len(cells) else ""
                  for column, i in columns.items()}
        actor, reasons = _check_row(values, neighbourhoods)
        actor_id = actor.id if actor else values.get("id") or slug(values.get("name", ""))
        if actor_id and actor_id in seen:
            reasons.append(
                f"the id {actor_id!r} is already used on line {seen[actor_id]}: give each "
                "actor its own id (an empty id is made from the name)"
            )
        elif actor_id:
            seen[actor_id] = start
        if reasons or actor is None:
            result.rejected.append(Rejected(start, tuple(reasons)))
        else:
            result.actors.append(actor)
            result.lines.append(start)
    if not header:
        raise ActorFileError(f"{name} has no header line: the first line must name the "
                             f"columns, e.g. {';'.join(COLUMNS)}")
    return result


def _map_header(header: list[str], name: str) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        column = _HEADER_ALIASES.get(fold(title))
        if column is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if column in columns:
            raise ActorFileError(
                f"{name}: two columns mean {column!r} ({header[columns[column]]!r} and "
                f"{title!r}): keep only one"
            )
        columns[column] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ActorFileError(
            f"{name}: the header line has no {' nor '.join(missing)} column (found: "
            f"{', '.join(repr(h) for h in header)}): the first line must name the columns, "
            f"e.g. {';'.join(COLUMNS)}"
        )
    return columns, ignored


def parse_kind(text: str) -> str | None:
    """A stored kind from what a facilitator wrote ("Service public" → ``service_public``)."""
    return _KIND_ALIASES.get(fold(text))


def split_tags(text: str) -> tuple[str, ...]:
    found = (" ".join(tag.split()) for tag in _TAG_SPLIT.split(text))
    return tuple(dict.fromkeys(tag for tag in found if tag))


def _neighbourhood(text: str, neighbourhoods: Mapping[str, str]) -> str | None:
    """The id for ``text``: an id as written, or an id or a name up to case and accents."""
    if text in neighbourhoods:
        return text
    folded = fold(text)
    return next((hood for hood, label in neighbourhoods.items()
                 if folded in (fold(hood), fold(label))), None)


match_neighbourhood = _neighbourhood  # the residents' import reads neighbourhoods alike


def _check_row(
    values: Mapping[str, str], neighbourhoods: Mapping[str, str]
) -> tuple[Actor | None, list[str]]:
    reasons: list[str] = []
    name = " ".join(values.get("name", "").split())
    if not name:
        reasons.append("the name is missing: write the actor's name in the name column")
    for column, limit in _LIMITS:
        size = len(name if column == "name" else values.get(column, ""))
        if size > limit:
            reasons.append(f"the {column} is too long ({size} characters, at most {limit}): "
                           f"shorten it by {size - limit}")
    kind = parse_kind(values.get("kind", ""))
    if kind is None:
        written = values.get("kind", "")
        what = f"unknown kind {written!r}" if written else "the kind is missing"
        reasons.append(f"{what}: write one of {', '.join(KINDS)}")
    hood_text = values.get("neighbourhood", "")
    hood = _neighbourhood(hood_text, neighbourhoods) if hood_text else None
    if hood_text and hood is None:
        known = (f"write one of the ids {', '.join(neighbourhoods)}" if neighbourhoods
                 else "no neighbourhood is set up yet: add [[neighbourhoods]] to the config")
        reasons.append(f"unknown neighbourhood {hood_text!r}: {known}, or leave it empty")
    actor_id = values.get("id", "")
    if actor_id and not _ID_RE.match(actor_id):
        suggestion = slug(actor_id)
        reasons.append(
            f"{actor_id!r} is not a valid id: use lower-case letters, digits, - and _ "
            f"(at most 40){f', e.g. {suggestion!r}' if suggestion else ''}, or leave it "
            "empty to make it from the name"
        )
    elif not actor_id and name:
        actor_id = slug(name)
        if not actor_id:
            reasons.append("no id can be made from this name: write an id such as "
                           "'maison-du-quartier'")
    if reasons or kind is None:
        return None, reasons
    return Actor(
        id=actor_id, name=name, kind=kind, tags=split_tags(values.get("tags", "")),
        neighbourhood_id=hood, contact=values.get("contact", ""),
        description=values.get("description", ""),
    ), reasons


def actors_to_csv(actors: Iterable[Actor], delimiter: str = ";") -> str:
    """The directory as a CSV :func:`parse_actors` reads back identically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for actor in actors:
        writer.writerow(safe_row([
            actor.id, actor.name, actor.kind, TAG_SEPARATOR.join(actor.tags),
            actor.neighbourhood_id or "", actor.contact, actor.description,
        ]))
    return buffer.getvalue()
