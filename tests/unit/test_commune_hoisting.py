"""--commune is the main command's option, and may be written after the sub-command too."""

from __future__ import annotations

import pytest

from animabot.cli.hoisting import hoist_commune


@pytest.mark.parametrize(("written", "run"), [
    (["campaign", "list", "--commune", "bourg"], ["--commune", "bourg", "campaign", "list"]),
    (["stats", "overview", "--commune=bourg", "--format", "json"],
     ["--commune=bourg", "stats", "overview", "--format", "json"]),
    (["--commune", "bourg", "campaign", "list"], ["--commune", "bourg", "campaign", "list"]),
    (["-v", "campaign", "show", "c1", "--commune", "agglo"],
     ["--commune", "agglo", "-v", "campaign", "show", "c1"]),
])
def test_a_commune_written_after_the_command_is_the_main_option(
    written: list[str], run: list[str]
) -> None:
    assert hoist_commune(written) == run


@pytest.mark.parametrize("written", [
    ["users", "add", "anne", "--role", "agent", "--commune", "bourg"],  # the account's own
    ["web", "token", "anne", "--commune", "bourg"],
    ["campaign", "start", "f.toml", "--to", "centre", "--", "--commune", "x"],
    ["campaign", "list", "--commune"],  # no value: typer says so
    ["--version"],
    ["--commune", "bourg", "users", "add", "anne", "--commune", "bourg"],
])
def test_commands_with_their_own_commune_and_odd_lines_are_left_alone(
    written: list[str],
) -> None:
    assert hoist_commune(written) == written
