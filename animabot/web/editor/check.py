"""Check the editor's form with the loader the CLI uses, and preview its timeline with the
preview the CLI prints: the back-office cannot accept what ``animabot scenario check``
refuses, nor show times ``animabot scenario preview`` would not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ...config import Settings
from ...domain.window import DeliveryWindow
from ...errors import ScenarioError
from ...scenario.loader import load_scenario_text, relabel_problems
from ...scenario.model import Scenario
from ...scenario.preview import PreviewRow, describe_window, preview_rows
from ...scenario.writer import data_to_toml, scenario_to_toml
from .form import data_of
from .messages import StepMessages, step_messages
from .problems import FieldProblem, place

NAME = "éditeur"  # how the loader labels the form's problems (never shown: fields are)


@dataclass
class Checked:
    """The form judged: the scenario when it is valid, else its problems by field."""

    scenario: Scenario | None
    problems: dict[str, list[FieldProblem]] = field(default_factory=dict)
    preview: list[PreviewRow] = field(default_factory=list)
    messages: list[StepMessages] = field(default_factory=list)
    window: str = ""

    @property
    def toml(self) -> str:
        return scenario_to_toml(self.scenario) if self.scenario else ""


def check(fields: Mapping[str, str], start: datetime | None = None,
          window: DeliveryWindow | None = None, settings: Settings | None = None) -> Checked:
    """The loader's verdict on the form and, given a start, the preview of its timeline
    (faults only that start reveals, such as a time in quiet hours, placed too); given the
    settings, each step's message as each platform shows it."""
    text = data_to_toml(data_of(fields))
    try:
        scenario = load_scenario_text(text, NAME)
    except ScenarioError as exc:
        return Checked(None, place(exc.problems, fields.keys()))
    checked = Checked(scenario)
    if settings is not None:
        checked.messages = step_messages(scenario, settings)
    if start is not None and window is not None:
        checked.window = describe_window(window)
        try:
            checked.preview = preview_rows(scenario, start, window)
        except ScenarioError as exc:
            checked.problems = place(relabel_problems(exc.problems, NAME, text),
                                     fields.keys())
    return checked
