"""Reading the directory CSV: spreadsheet quirks accepted, every bad row located with its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from animabot.directory.csv_import import (
    ActorFileError,
    actors_to_csv,
    detect_delimiter,
    parse_actors,
    parse_kind,
    read_csv_text,
    split_tags,
)
from animabot.domain.actor import Actor

ROOT = Path(__file__).resolve().parents[2]
HOODS = {"centre": "Centre-ville", "gare": "Quartier de la Gare"}
SEMICOLONS = """\
id;name;kind;tags;neighbourhood;contact;description
;Épicerie Solidaire;Association;aide alimentaire, courses;centre;04 00;Petits prix, grand cœur.
mediatheque;Médiathèque;Service public;bibliothèque|livres;gare;;Prêt de livres
"""
COMMAS = """\
Nom,Type,Étiquettes,Quartier,Contact,Description,Horaires
Jardins des Lilas,association,"jardin, compost",Centre-ville,"06 12, le soir","Un jardin, ouvert"
Boulangerie,COMMERCE,pain,,,,"7h-19h"
"""


def test_semicolons_kinds_in_french_and_tags_split() -> None:
    parsed = parse_actors(SEMICOLONS, HOODS)
    assert parsed.rejected == [] and parsed.delimiter == ";"
    assert parsed.actors == [
        Actor("epicerie-solidaire", "Épicerie Solidaire", "association",
              ("aide alimentaire", "courses"), "centre", "04 00", "Petits prix, grand cœur."),
        Actor("mediatheque", "Médiathèque", "service_public", ("bibliothèque", "livres"),
              "gare", "", "Prêt de livres"),
    ]
    assert parsed.lines == [2, 3]


def test_commas_french_headers_neighbourhood_by_name_and_extra_columns() -> None:
    parsed = parse_actors(COMMAS, HOODS)
    assert parsed.rejected == [] and parsed.delimiter == ","
    assert parsed.ignored_columns == ["Horaires"]
    jardin, boulangerie = parsed.actors
    assert jardin == Actor("jardins-des-lilas", "Jardins des Lilas", "association",
                           ("jardin", "compost"), "centre", "06 12, le soir", "Un jardin, ouvert")
    assert boulangerie.kind == "commerce" and boulangerie.neighbourhood_id is None


def test_a_bom_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + SEMICOLONS.replace("\n", "\r\n").encode())
    parsed = parse_actors(read_csv_text(path), HOODS)
    assert [a.id for a in parsed.actors] == ["epicerie-solidaire", "mediatheque"]


def test_every_bad_row_is_reported_with_its_line_and_fix() -> None:
    text = "\n".join([
        "id;nom;type;quartier;contact;description",             # 1
        "ok;Bon acteur;autre;;;",                               # 2
        ";;association;;;",                                     # 3 no name
        ";Club;sportif;;;",                                     # 4 unknown kind
        ";Salle;;;;",                                           # 5 no kind
        ";Parc;autre;nord;;",                                   # 6 unknown neighbourhood
        "ok;Doublon;autre;;;",                                  # 7 duplicate id
        f";{'N' * 121};autre;;;",                               # 8 long name
        f";Long;autre;;{'c' * 201};{'d' * 1001}",               # 9 long contact, description
        "Pas Bon;Id;autre;;;",                                  # 10 invalid id
        ";Trop;autre;;;;en trop",                               # 11 too many cells
        ";;;;;",                                                # 12 blank: skipped
        ";!!!;autre;;;",                                        # 13 no id from the name
    ]) + "\n"
    parsed = parse_actors(text, HOODS)
    assert [a.id for a in parsed.actors] == ["ok"]
    reasons = {r.line: " | ".join(r.reasons) for r in parsed.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert "the name is missing" in reasons[3]
    assert "unknown kind 'sportif': write one of association, commerce, service_public, autre" \
        in reasons[4]
    assert "the kind is missing" in reasons[5]
    assert "unknown neighbourhood 'nord': write one of the ids centre, gare" in reasons[6]
    assert "the id 'ok' is already used on line 2" in reasons[7]
    assert "the name is too long (121 characters, at most 120): shorten it by 1" in reasons[8]
    assert "the contact is too long (201 characters, at most 200)" in reasons[9]
    assert "the description is too long (1001 characters, at most 1000)" in reasons[9]
    assert "'Pas Bon' is not a valid id" in reasons[10] and "'pas-bon'" in reasons[10]
    assert "7 cells but the header has 6" in reasons[11]
    assert "no id can be made from this name" in reasons[13]
    assert str(parsed.rejected[0]).startswith("line 3: the name is missing")


def test_a_multi_line_cell_keeps_the_next_rows_line_numbers() -> None:
    text = 'nom;type;description\nA;autre;"deux\nlignes"\n;autre;\n'
    parsed = parse_actors(text, HOODS)
    assert parsed.actors[0].description == "deux\nlignes"
    assert [r.line for r in parsed.rejected] == [4]


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("  \n\n", "is empty"),
    (";;;\n", "has no header line"),
    ("id;contact\nx;y\n", "has no name nor kind column"),
    ("nom;name;type\n", "two columns mean 'name'"),
])
def test_unusable_files_are_refused_as_a_whole(text: str, message: str) -> None:
    with pytest.raises(ActorFileError, match=message):
        parse_actors(text, HOODS)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ActorFileError, match="no such file"):
        read_csv_text(tmp_path / "absent.csv")
    with pytest.raises(ActorFileError, match="is a directory"):
        read_csv_text(tmp_path)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("nom;type\nÉpicerie;association\n".encode("latin-1"))
    with pytest.raises(ActorFileError, match=r"not UTF-8 text \(line 2\)"):
        read_csv_text(latin)


def test_small_parsers() -> None:
    assert detect_delimiter("id;name;kind") == ";"
    assert detect_delimiter("id,name,kind") == ","
    assert detect_delimiter("nom") == ";"
    assert [parse_kind(k) for k in ("Service public", "SERVICES PUBLICS", "Asso", "x")] == [
        "service_public", "service_public", "association", None]
    assert split_tags(" jardin | compost,jardin ;  nature  verte ") == (
        "jardin", "compost", "nature verte")


def test_export_reads_back_identically() -> None:
    tricky = ';Café « Vélo »;commerce;vélo|café;gare;"a; b, c";"ligne 1\nligne 2 ""citée"""\n'
    parsed = parse_actors(SEMICOLONS + tricky, HOODS)
    assert parsed.rejected == [] and len(parsed.actors) == 3
    for delimiter in (";", ","):
        again = parse_actors(actors_to_csv(parsed.actors, delimiter), HOODS)
        assert again.actors == parsed.actors and again.rejected == []


def test_the_shipped_sample_is_valid() -> None:
    path = ROOT / "scenarios" / "acteurs-exemple.csv"
    parsed = parse_actors(read_csv_text(path), HOODS)
    assert parsed.rejected == [] and len(parsed.actors) == 10
    assert {a.neighbourhood_id for a in parsed.actors} == {"centre", "gare", None}
    assert {a.kind for a in parsed.actors} == {"association", "commerce", "service_public",
                                               "autre"}
