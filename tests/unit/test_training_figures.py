"""A training nobody has started yet has figures, not a division by zero (``stats campaign``
failed on any campaign whose training had been sent but not opened)."""

from __future__ import annotations

from animabot.scenario.model import Training
from animabot.stats.campaign import training_figures
from animabot.store.statistics import TrainingCounts
from tests.helpers import TRAINING_SCENARIO, scenario


def test_a_training_nobody_started_has_no_rate() -> None:
    training = scenario(TRAINING_SCENARIO).steps[0]
    assert isinstance(training, Training)
    figures = training_figures(training, TrainingCounts(), min_cell=5, language="fr")
    assert figures.completion_rate is None and figures.quiz_success_rate is None
