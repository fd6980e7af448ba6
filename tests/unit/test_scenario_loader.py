"""Every fault in a scenario file becomes a located problem with its fix, never a traceback."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from animabot.errors import Problem, ScenarioError
from animabot.i18n import translator
from animabot.scenario.loader import (
    check_scenario_file,
    field_path,
    load_scenario,
    load_scenario_text,
    locate_in_file,
    parse_field_path,
)

Writer = Callable[[str | bytes], Path]

POLL = """
[[steps]]
id = "envie"
kind = "poll"
at = "+1d 18:00"
closes = "+4d 20:00"
question.fr = "Participeriez-vous ?"
options.fr = {options}
{extra}"""
# With MINIMAL before it (8 lines), POLL's header is on line 10, `at` 13, `closes` 14,
# `question.fr` 15, `options.fr` 16.

TRAINING = """
[[steps]]
id = "formation"
kind = "training"
at = "+2d 10:00"
title = "Compost"

[[steps.cards]]
text = "Fiche 1"

[[steps.cards]]
text = "Fiche 2"

[[steps.quiz]]
question = "Que composter ?"
options = ["Du marc de café", "Un os"]
correct = {correct}
explanation = "{explanation}"
"""
# With MINIMAL before it, `correct` is on line 25 and `explanation` on line 26.


def _poll(options: str = '["Oui", "Non"]', extra: str = "") -> str:
    return POLL.format(options=options, extra=extra)


def _only_problem(path: Path) -> Problem:
    problems = check_scenario_file(path)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_file_loads(write_scenario: Writer, minimal_scenario: str) -> None:
    path = write_scenario(minimal_scenario + _poll())
    scenario = load_scenario(path)
    assert [step.id for step in scenario.steps] == ["annonce", "envie"]
    assert check_scenario_file(path) == []


def test_all_problems_are_raised_together(write_scenario: Writer, minimal_scenario: str) -> None:
    path = write_scenario(minimal_scenario + 'colour = "red"\n' + _poll(options='["Oui"]'))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["steps[0].colour", "steps[1].options.fr"]
    assert str(path) in str(caught.value)


# --- the file itself -------------------------------------------------------------------------


def test_broken_toml_gives_the_line(write_scenario: Writer, minimal_scenario: str) -> None:
    path = write_scenario(minimal_scenario + 'text.en = "not closed\n')
    problem = _only_problem(path)
    assert problem.file == str(path)
    assert problem.line == 9
    assert "is not valid TOML" in problem.message
    assert "line 9" in problem.fix and "double quote" in problem.fix


def test_a_key_written_twice_is_a_toml_error(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario + 'text.fr = "Encore"\n'))
    assert "is not valid TOML" in problem.message
    assert "written twice" in problem.fix


def test_empty_file(write_scenario: Writer) -> None:
    problem = _only_problem(write_scenario(""))
    assert problem.message == "the file is empty"
    assert "demo.toml" in problem.fix


def test_file_with_only_comments(write_scenario: Writer) -> None:
    problem = _only_problem(write_scenario("# à compléter\n\n"))
    assert "only comments" in problem.message
    assert "[[steps]]" in problem.fix


def test_binary_junk(write_scenario: Writer) -> None:
    problem = _only_problem(write_scenario(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert "binary" in problem.message
    assert "text" in problem.fix


def test_not_utf8_gives_the_line(write_scenario: Writer, minimal_scenario: str) -> None:
    latin1 = (minimal_scenario + 'text.en = "Café"\n').encode("latin-1")
    problem = _only_problem(write_scenario(latin1))
    assert "not UTF-8" in problem.message
    assert problem.line == 9
    assert "UTF-8" in problem.fix


def test_a_utf8_bom_is_accepted(write_scenario: Writer, minimal_scenario: str) -> None:
    scenario = load_scenario(write_scenario(b"\xef\xbb\xbf" + minimal_scenario.encode()))
    assert scenario.id == "essai"


def test_a_directory(tmp_path: Path) -> None:
    problem = _only_problem(tmp_path)
    assert problem.file == str(tmp_path)
    assert "directory" in problem.message
    assert ".toml" in problem.fix


def test_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    problem = _only_problem(missing)
    assert problem.file == str(missing)
    assert problem.message == "no such file"
    assert "path" in problem.fix


# --- the model -------------------------------------------------------------------------------


def test_unknown_key_lists_the_allowed_keys(write_scenario: Writer, minimal_scenario: str) -> None:
    path = write_scenario(minimal_scenario + _poll(extra='remiders = ["+3d 18:00"]\n'))
    problem = _only_problem(path)
    assert problem.field == "steps[1].remiders"
    assert problem.line == 17
    assert problem.message == "unknown key 'remiders'"
    assert "did you mean 'reminders'?" in problem.fix
    assert "allowed keys in a poll step:" in problem.fix
    for key in ("question", "options", "closes", "reminders", "mode"):
        assert key in problem.fix


def test_unknown_key_at_the_top(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario('auteur = "moi"\n' + minimal_scenario))
    assert (problem.field, problem.line) == ("auteur", 1)
    assert "allowed keys at the top of the file: id, title" in problem.fix


def test_unknown_kind_lists_the_kinds(write_scenario: Writer, minimal_scenario: str) -> None:
    path = write_scenario(minimal_scenario + '\n[[steps]]\nid = "vote"\nkind = "pol"\n')
    problem = _only_problem(path)
    assert (problem.field, problem.line) == ("steps[1].kind", 12)
    assert problem.message == "unknown step kind 'pol'"
    assert "did you mean 'poll'?" in problem.fix
    assert "announcement, poll, training, results" in problem.fix


def test_missing_kind(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario + '\n[[steps]]\nid = "vote"\n'))
    assert (problem.field, problem.line) == ("steps[1].kind", 10)  # the step's header
    assert problem.message == "this step has no kind"


@pytest.mark.parametrize(("count", "fix"), [(1, "add 1 option"), (13, "remove 1 option")])
def test_poll_option_count(
    write_scenario: Writer, minimal_scenario: str, count: int, fix: str
) -> None:
    options = "[" + ", ".join(f'"choix {i}"' for i in range(count)) + "]"
    problem = _only_problem(write_scenario(minimal_scenario + _poll(options=options)))
    assert (problem.field, problem.line) == ("steps[1].options.fr", 16)
    assert problem.message == f"a poll takes 2 to 12 options, this one has {count}"
    assert problem.fix == fix


def test_too_long_question(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll().replace("Participeriez-vous ?", "q" * 305)
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].question.fr", 15)
    assert problem.message == "is too long: 305 characters, the limit is 300"
    assert "shorten it by at least 5 characters" in problem.fix


def test_too_long_option(write_scenario: Writer, minimal_scenario: str) -> None:
    options = '["Oui", "' + "n" * 101 + '"]'
    problem = _only_problem(write_scenario(minimal_scenario + _poll(options=options)))
    assert (problem.field, problem.line) == ("steps[1].options.fr[1]", 16)
    assert problem.message == "is too long: 101 characters, the limit is 100"
    assert "1 characters" in problem.fix


def test_too_long_explanation(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + TRAINING.format(correct=1, explanation="e" * 250)
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].quiz[0].explanation.fr", 26)
    assert problem.message == "is too long: 250 characters, the limit is 200"
    assert "50 characters" in problem.fix


def test_quiz_correct_out_of_range(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + TRAINING.format(correct=3, explanation="Parce que.")
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].quiz[0].correct", 25)
    assert problem.message == "correct = 3 but there are only 2 options"
    assert problem.fix == "write a number from 1 to 2"


def test_quiz_correct_zero(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + TRAINING.format(correct=0, explanation="Parce que.")
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].quiz[0].correct", 25)
    assert "counted from 1" in problem.fix


def test_unknown_language(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario + 'text.de = "Hallo"\n'))
    assert (problem.field, problem.line) == ("steps[0].text.de", 9)
    assert problem.message == "'de' is not a language"


def test_missing_required_key(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll().replace('closes = "+4d 20:00"\n', "")
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].closes", 10)
    assert problem.message == "a poll step needs the key 'closes'"
    assert problem.fix == 'add closes = "+4d 20:00"'


def test_bad_time_syntax(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll().replace("+1d 18:00", "demain")
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].at", 13)
    assert problem.message == "'demain' is not a valid time"
    assert '"+1d 18:00"' in problem.fix


def test_duplicate_step_ids(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll().replace('id = "envie"', 'id = "annonce"')
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].id", 11)
    assert problem.message == "the id 'annonce' is already used by steps[0]"
    assert "its own id" in problem.fix


def test_duplicates_are_reported_with_model_faults(
    write_scenario: Writer, minimal_scenario: str
) -> None:
    text = minimal_scenario + _poll(options='["Seul"]').replace('id = "envie"', 'id = "annonce"')
    fields = {p.field for p in check_scenario_file(write_scenario(text))}
    assert fields == {"steps[1].id", "steps[1].options.fr"}


# --- the time ordering -----------------------------------------------------------------------


def test_reference_to_an_unknown_step(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll().replace('at = "+1d 18:00"', 'at = "after anonce"')
    problem = _only_problem(write_scenario(text))
    assert problem.file.endswith(".toml")
    assert (problem.field, problem.line) == ("steps[1].at", 13)
    assert problem.message == "refers to an unknown step 'anonce'"
    assert problem.fix == "use one of: annonce"


def test_reference_to_a_later_step(write_scenario: Writer, minimal_scenario: str) -> None:
    later = '\n[[steps]]\nid = "rappel"\nkind = "announcement"\nat = "+2d"\ntext = "Rappel"\n'
    text = minimal_scenario + _poll().replace('"+1d 18:00"', '"after rappel"') + later
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].at", 13)
    assert problem.message == "refers to step 'rappel', which comes later in the file"
    assert "move 'rappel' above" in problem.fix


def test_reminder_after_the_poll_closes(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll(extra='reminders = ["+2d 18:00", "+5d 10:00"]\n')
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].reminders[1]", 17)
    assert problem.message == "reminder '+5d 10:00' comes after the step closes ('+4d 20:00')"
    assert "before `closes`" in problem.fix


def test_results_of_an_announcement(write_scenario: Writer, minimal_scenario: str) -> None:
    results = '\n[[steps]]\nid = "res"\nkind = "results"\nof = "annonce"\n'
    text = minimal_scenario + _poll() + results
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[2].of", 21)
    assert problem.message == "step 'annonce' is not a poll (its kind is 'announcement')"
    assert problem.fix == "write the id of a poll: envie"


def test_results_of_an_unknown_step(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll() + '\n[[steps]]\nid = "res"\nkind = "results"\nof = "envy"\n'
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[2].of", 21)
    assert problem.message == "refers to an unknown step 'envy'"


def test_results_before_their_poll_point_at_of(
    write_scenario: Writer, minimal_scenario: str
) -> None:
    text = minimal_scenario + '\n[[steps]]\nid = "res"\nkind = "results"\nof = "envie"\n' + _poll()
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].of", 13)  # `at` is not in the file
    assert "comes later in the file" in problem.message


def test_first_step_must_be_at_the_start(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario.replace('"+0"', '"+1h"')))
    assert (problem.field, problem.line) == ("steps[0].at", 7)
    assert 'at = "+0"' in problem.fix


def test_closes_before_it_is_sent(write_scenario: Writer, minimal_scenario: str) -> None:
    text = minimal_scenario + _poll().replace("+4d 20:00", "+1d 09:00")
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps[1].closes", 14)
    assert "later than `at`" in problem.fix


# --- helpers -----------------------------------------------------------------------------------


def test_load_from_text_labels_with_the_name(minimal_scenario: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(minimal_scenario + "oops\n", "<web form>")
    assert caught.value.problems[0].file == "<web form>"


@pytest.mark.parametrize(
    "loc", [("steps", 2, "options", "fr"), ("title",), ("steps", 0, "quiz", 1, "correct")]
)
def test_field_paths_round_trip(loc: tuple[int | str, ...]) -> None:
    assert parse_field_path(field_path(loc)) == loc


def test_field_path_reads_like_the_file() -> None:
    assert field_path(("steps", 2, "options", "fr", 0)) == "steps[2].options.fr[0]"


def test_locate_in_file_places_late_problems(write_scenario: Writer, minimal_scenario: str) -> None:
    path = write_scenario(minimal_scenario + _poll())
    late = Problem("scenario 'essai'", "steps[1].closes", "too late", "earlier")
    placed = Problem(str(path), "", "already placed", "", 3)
    assert locate_in_file([late, placed], path) == [
        Problem(str(path), "steps[1].closes", "too late", "earlier", 14),
        placed,
    ]


def test_single_brackets_instead_of_a_list_of_steps(write_scenario: Writer) -> None:
    text = 'id = "essai"\ntitle = "Essai"\n\n[steps]\nid = "a"\nkind = "announcement"\ntext = "t"\n'
    problem = _only_problem(write_scenario(text))
    assert (problem.field, problem.line) == ("steps", 4)
    assert problem.fix == "start each one with [[steps]] (two brackets), not [steps]"


def test_a_single_reminder_without_brackets(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario + _poll(extra='reminders = "+2d"\n')))
    assert (problem.field, problem.line) == ("steps[1].reminders", 17)
    assert problem.fix == 'write it between brackets: reminders = ["+2d"]'


def test_an_empty_text(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario.replace('"Essai"', '"  "')))
    assert (problem.field, problem.line) == ("title", 2)
    assert problem.message == "must not be empty"


# --- every fault in one round ----------------------------------------------------------------


def test_syntax_model_and_timing_faults_come_in_one_round(
    write_scenario: Writer, minimal_scenario: str
) -> None:
    text = (
        minimal_scenario.replace('title = "Essai"', 'title = “Essai”')  # curly quotes: syntax
        + _poll(extra='reminders = ["+5d"]\n')  # a reminder after the poll closes: timing
        + '\n[[steps]]\nid = "merci"\nkind = "announcement"\nat = "+1d"\ncolor = "red"\n'
        'text = "Merci"\n'  # an unknown key: model
        + '\n[[steps]]\nid = "bilan"\nkind = "results"\nof = "envie"\ntext = "Bilan "oui""\n'
    )
    problems = check_scenario_file(write_scenario(text))
    summary = [(p.line, p.field, p.message.split(":")[0]) for p in problems]
    assert summary == [
        (2, "", "is not valid TOML"),
        (17, "steps[1].reminders[0]", "reminder '+5d' comes after the step closes ('+4d 20"),
        (23, "steps[2].color", "unknown key 'color'"),
        (30, "", "is not valid TOML"),
    ]


def test_a_faulty_step_does_not_hide_the_timing_of_the_others(
    write_scenario: Writer, minimal_scenario: str
) -> None:
    text = (
        minimal_scenario + _poll(options='["Seul"]')
        + '\n[[steps]]\nid = "rappel"\nkind = "announcement"\nat = "after envie closes"\n'
        'text = "Fini"\n'
        + '\n[[steps]]\nid = "tard"\nkind = "announcement"\nat = "after bientot"\ntext = "x"\n'
    )
    problems = check_scenario_file(write_scenario(text))
    assert [(p.field, p.message) for p in problems] == [
        ("steps[1].options.fr", "a poll takes 2 to 12 options, this one has 1"),
        ("steps[3].at", "refers to an unknown step 'bientot'"),
    ]


def test_a_blanked_syntax_fault_is_not_reported_again_as_missing(
    write_scenario: Writer, minimal_scenario: str
) -> None:
    problems = check_scenario_file(
        write_scenario(minimal_scenario.replace('text.fr = "Bonjour"', 'text.fr = Bonjour'))
    )
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(8, "is not valid TOML")]


def test_old_mac_and_windows_line_ends_are_read(
    write_scenario: Writer, minimal_scenario: str
) -> None:
    for ending in ("\r", "\r\n"):
        path = write_scenario(minimal_scenario.replace("\n", ending).encode())
        assert load_scenario(path).steps[0].id == "annonce"
    problem = _only_problem(write_scenario(minimal_scenario.replace("\n", "\r") + "oops\r"))
    assert problem.line == 9


def test_deep_nesting_is_a_located_problem(write_scenario: Writer, minimal_scenario: str) -> None:
    deep = minimal_scenario + "extra = " + "[" * 3000 + "]" * 3000 + "\n"
    problem = _only_problem(write_scenario(deep))
    assert problem.line == 9 and "levels deep" in problem.message
    dotted = minimal_scenario + "a" + ".b" * 2000 + " = 1\n"
    problem = _only_problem(write_scenario(dotted))
    assert problem.line == 9 and "levels deep" in problem.message


def test_huge_numbers_are_problems(write_scenario: Writer, minimal_scenario: str) -> None:
    problem = _only_problem(write_scenario(minimal_scenario + "n = " + "9" * 5000 + "\n"))
    assert problem.line == 9 and "digits" in problem.message
    problem = _only_problem(write_scenario(minimal_scenario.replace('"+0"', '"+99999999999d"')))
    assert (problem.field, problem.line) == ("steps[0].at", 7)
    assert (problem.message, problem.fix) == (
        "'+99999999999d' is too far ahead", "write at most 3660 days (ten years)")


def test_thousands_of_faults_are_located_in_one_reading_of_the_file(
    write_scenario: Writer, minimal_scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from animabot import toml_lines

    built: list[int] = []
    real = toml_lines.LineIndex.__init__

    def counting(self: toml_lines.LineIndex, text: str) -> None:
        built.append(len(text))
        real(self, text)

    monkeypatch.setattr(toml_lines.LineIndex, "__init__", counting)
    toml_lines.line_index.cache_clear()
    bad = '\n[[steps]]\nid = "s{n}"\nkind = "announcement"\nat = "after nulle-part"\ncolour = 1\n'
    text = minimal_scenario + "".join(bad.format(n=n) for n in range(3000))
    problems = check_scenario_file(write_scenario(text))
    assert len(problems) == 6000  # each step: an unknown key and an unknown anchor
    assert problems[-1].line == len(text.splitlines())
    assert len(built) == 1


WRONG_TYPES = """\
id = "essai"
title = "Essai"
objective = 3

[[steps]]
id = "vote"
kind = "poll"
question = 12
options = "Oui"
multiple = "oui"
mode = "public"
closes = 5
reminders = "+1d"

[[steps]]
id = "apprendre"
kind = "training"
title = "Formation"
cards = [{ text = "a" }, { text = "b" }]
quiz = [{ question = "q", options = ["a", "b"], correct = 0, explanation = "e" }]
"""


def test_pydantic_type_errors_become_words_in_both_languages() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(WRONG_TYPES, "essai.toml")
    problems = {p.field: p for p in caught.value.problems}
    assert problems["objective"].message == "must be a text, not 3"
    assert problems["steps[0].question"].message == (
        "must be a table of texts by language, not 12")
    assert problems["steps[0].multiple"].message == "must be true or false, not 'oui'"
    assert problems["steps[0].mode"].message == "'public' is not allowed"
    assert problems["steps[0].closes"].message == "must be a text, not 5"
    assert problems["steps[0].reminders"].fix == 'write it between brackets: reminders = ["+1d"]'
    assert problems["steps[1].quiz[0].correct"].message == "must be 1 or more, not 0"
    french, english = translator("fr"), translator("en")
    for problem in caught.value.problems:
        assert "Input should" not in str(problem)
        assert problem.render(english) == str(problem)
        shown = problem.render(french)
        assert shown != str(problem) and "correction : " in shown, shown
    assert problems["objective"].render(french).endswith(
        "objective: doit être un texte, pas 3\n"
        '    correction : écrivez le texte entre guillemets droits : objective = "..."')
    assert "« public » n’est pas permis" in problems["steps[0].mode"].render(french)


def test_problems_keep_their_translation_when_pickled() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(WRONG_TYPES, "essai.toml")
    problem = caught.value.problems[0]
    again = pickle.loads(pickle.dumps(problem))
    assert again == problem and again.render(translator("fr")) == problem.render(translator("fr"))
