"""The directory search: folding French text, and ranking as a resident would expect."""

from __future__ import annotations

import pytest

from animabot.directory.search import fold, query_words, rank, score, slug
from animabot.domain.actor import Actor, search_text

EPICERIE = Actor("epicerie", "Épicerie Solidaire du Centre", "association",
                 ("aide alimentaire", "courses"), "centre", "04 00 00 00 00",
                 "Produits du quotidien à petits prix.")
MEDIATHEQUE = Actor("mediatheque", "Médiathèque Louise-Michel", "service_public",
                    ("bibliothèque", "livres"), "centre", "", "Prêt de livres et de jeux.")
JARDIN = Actor("jardin", "Les Jardins Partagés", "association", ("potager", "compost"), "gare",
               "", "Parcelles ouvertes à tous.")
CAFE = Actor("cafe", "Café des Lilas", "commerce", (), "gare", "",
             "On y parle de l'épicerie solidaire du quartier.")
ALL = [EPICERIE, MEDIATHEQUE, JARDIN, CAFE]


@pytest.mark.parametrize(("text", "folded"), [
    ("Épicerie Solidaire", "epicerie solidaire"),
    ("L'Œuvre du cœur !", "l oeuvre du coeur"),
    ("Médiathèque — Louise-Michel", "mediatheque louise michel"),
    ("  service_public  ", "service public"),
    ("ÇA VA ? Ça va…", "ca va ca va"),
])
def test_fold_removes_case_accents_and_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_slug_and_search_text() -> None:
    assert slug("Épicerie solidaire du Centre !") == "epicerie-solidaire-du-centre"
    assert len(slug("Très " * 30)) <= 40 and not slug("Très " * 30).endswith("-")
    assert search_text(MEDIATHEQUE) == (
        "mediatheque louise michel service public bibliotheque livres pret de livres et de jeux"
    )


def test_little_words_do_not_count_unless_alone() -> None:
    assert query_words("l'épicerie du centre") == ["epicerie", "centre"]
    assert query_words("de la") == ["de", "la"]
    assert query_words(" ?! ") == []


def test_accentless_query_finds_the_accented_name_first() -> None:
    hits = rank("epicerie solidaire", ALL)
    assert [h.actor.id for h in hits][:2] == ["epicerie", "cafe"]  # name above description
    assert hits[0].score > hits[1].score


def test_a_tag_finds_an_actor_whose_name_does_not_say_it() -> None:
    assert [h.actor.id for h in rank("bibliotheque", ALL)] == ["mediatheque"]


@pytest.mark.parametrize("typo", ["jardn", "jradins", "JARDIN", "jard"])
def test_typos_plurals_and_prefixes_still_match(typo: str) -> None:
    assert rank(typo, ALL)[0].actor.id == "jardin"


def test_exact_beats_prefix_beats_typo() -> None:
    exact = score("jardins", JARDIN)
    prefix = score("jard", JARDIN)
    typo = score("jardn", JARDIN)
    assert exact > prefix > typo > 0


def test_short_words_are_not_matched_approximately() -> None:
    assert score("cafe", CAFE) > 0
    assert score("cafi", CAFE) == 0  # one letter in four is too far: "cafe" ≠ "cage"
    assert score("compot", JARDIN) > 0  # 6 letters: close enough to "compost"
    assert score("jar", CAFE) == 0


def test_nothing_found_gives_nothing() -> None:
    assert rank("piscine", ALL) == []
    assert rank("", ALL) == []


def test_ties_prefer_the_residents_neighbourhood_then_the_name() -> None:
    twins = [
        Actor("b", "Club de foot B", "association", (), "gare"),
        Actor("a", "Club de foot A", "association", (), "gare"),
        Actor("c", "Club de foot C", "association", (), "centre"),
    ]
    assert [h.actor.id for h in rank("foot", twins)] == ["a", "b", "c"]
    assert [h.actor.id for h in rank("foot", twins, prefer="centre")] == ["c", "a", "b"]


def test_at_most_the_limit() -> None:
    many = [Actor(f"a{i}", f"Association {i}", "association") for i in range(9)]
    assert len(rank("association", many)) == 5
    assert len(rank("association", many, limit=2)) == 2
