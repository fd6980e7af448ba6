"""Finding the line of a key path in a TOML text."""

from __future__ import annotations

from animabot.toml_lines import locate

TEXT = """\
id = "essai"                     # 1
title = "Essai"                  # 2

[[steps]]                        # 4
id = "annonce"                   # 5
text.fr = \"\"\"Bonjour,          # 6
id = "not a key, inside a string"
fin\"\"\"                        # 8
text.en = "Hello"                # 9

[[steps]]                        # 11
id = "formation"                 # 12
options = { fr = ["a", "b"] }    # 13

[[steps.cards]]                  # 15
text = "Fiche 1"                 # 16

[[steps.cards]]                  # 18
text = "Fiche 2"                 # 19

[[steps.quiz]]                   # 21
correct = 1                      # 22

[[steps]]                        # 24
id = "troisieme"                 # 25

[[steps.cards]]                  # 27
text = "Autre fiche"             # 28

[steps.extra]                    # 30
note = "x"                       # 31
"""


def test_top_level_keys() -> None:
    assert locate(TEXT, ("id",)) == 1
    assert locate(TEXT, ("title",)) == 2


def test_keys_of_an_array_of_tables() -> None:
    assert locate(TEXT, ("steps", 0, "id")) == 5
    assert locate(TEXT, ("steps", 1, "id")) == 12
    assert locate(TEXT, ("steps", 2, "id")) == 25


def test_dotted_keys() -> None:
    assert locate(TEXT, ("steps", 0, "text", "fr")) == 6
    assert locate(TEXT, ("steps", 0, "text", "en")) == 9


def test_multiline_strings_are_skipped() -> None:
    # line 7 looks like `id = ...` but is inside a string: steps[0].id stays on line 5
    assert locate(TEXT, ("steps", 0, "id")) == 5


def test_nested_arrays_count_per_parent() -> None:
    assert locate(TEXT, ("steps", 1, "cards", 0, "text")) == 16
    assert locate(TEXT, ("steps", 1, "cards", 1, "text")) == 19
    assert locate(TEXT, ("steps", 1, "quiz", 0, "correct")) == 22
    assert locate(TEXT, ("steps", 2, "cards", 0, "text")) == 28


def test_sub_table_of_an_array_element() -> None:
    assert locate(TEXT, ("steps", 2, "extra", "note")) == 31


def test_deeper_than_the_text_falls_back_to_the_deepest_known_key() -> None:
    assert locate(TEXT, ("steps", 1, "options", "fr", 1)) == 13
    assert locate(TEXT, ("steps", 1, "missing")) == 11  # the step's own header


def test_unknown_places() -> None:
    assert locate(TEXT, ("nothing",)) is None
    assert locate(None, ("id",)) is None
    assert locate("", ("id",)) is None


def test_quoted_keys() -> None:
    assert locate('"id" = "x"\n\'title\' = "y"\n', ("title",)) == 2
