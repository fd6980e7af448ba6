"""The residents' CSV: rows refused by line with the fix, as the actors' import does, and
never an address repeated in the report."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from animabot.directory.residents_csv import ResidentFileError, parse_residents

HOODS = {"centre": "Centre-ville", "gare": "Gare"}
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_good_rows_are_read_and_bad_ones_reported_by_line() -> None:
    text = (
        "Courriel;Téléphone;Quartier;Langue;Consentement\n"       # 1
        "Ana@Example.ORG;;centre;;2026-03-01\n"                    # 2
        ";06 12 34 56 78;Gare;anglais;01/03/2026 10:30\n"          # 3
        "pas-une-adresse;;centre;fr;2026-03-01\n"                  # 4
        "zoe@example.org;;lune;fr;2026-03-01\n"                    # 5
        "Ana@EXAMPLE.org;;centre;fr;2026-03-02\n"                  # 6: same address as 2
        "yann@example.org;;centre;klingon;\n"                      # 7
        ";;centre;fr;2026-03-01\n"                                 # 8
        "lea@example.org;;centre;fr;2030-01-01\n"                  # 9
    )
    parsed = parse_residents(text, HOODS, PARIS, NOW, "liste.csv")
    assert [(r.line, r.kind, r.address, r.neighbourhood_id, r.language) for r in parsed.rows] \
        == [(2, "email", "Ana@example.org", "centre", None),
            (3, "sms", "+33612345678", "gare", "en")]
    assert parsed.rows[1].consent_at == datetime(2026, 3, 1, 10, 30, tzinfo=PARIS)
    report = [str(r) for r in parsed.rejected]
    assert [r.line for r in parsed.rejected] == [4, 5, 6, 7, 8, 9]
    assert report[0].startswith("line 4: email: not an e-mail address")
    assert "unknown neighbourhood 'lune': write one of the ids centre, gare" in report[1]
    assert "already on line 2" in report[2]
    assert "unknown language 'klingon'" in report[3] and "no consent date" in report[3]
    assert "no address" in report[4]
    assert "in the future" in report[5]
    written = ("pas-une-adresse", "example.org", "06 12", "zoe@", "yann@", "lea@")
    assert not any(word in line for word in written for line in report)


def test_a_comma_separated_file_with_english_titles_reads_the_same() -> None:
    parsed = parse_residents("\ufeffemail,neighbourhood,language,consent_at\n"
                             "ana@example.org,centre,en,2026-03-01T10:00:00+01:00\n",
                             HOODS, PARIS, NOW)
    assert [(r.address, r.language) for r in parsed.rows] == [("ana@example.org", "en")]
    assert not parsed.rejected


@pytest.mark.parametrize(("text", "says"), [
    ("", "is empty"),
    ("nom;quartier;consentement\nAna;centre;2026-03-01\n", "no email nor phone column"),
    ("email;langue\nana@example.org;fr\n", "no neighbourhood nor consent_at column"),
])
def test_a_file_without_the_needed_columns_is_refused_whole(text: str, says: str) -> None:
    with pytest.raises(ResidentFileError, match=says):
        parse_residents(text, HOODS, PARIS, NOW)
