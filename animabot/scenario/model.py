"""What a scenario file may contain, checked by pydantic.

Every text is French first (``text.fr``), English optional (``text.en``); a plain string is
read as French. Unknown keys are errors, so a typo never silently drops a setting.
Cross-step rules (references, order of times) live in :mod:`animabot.scenario.timeline`
because they need a start date to be judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    field_validator,
    model_validator,
)

from ..errors import FieldValueError
from ..i18n.lazy import lazy as _
from .recurrence import Recurrence, RecurrenceError
from .timespec import TimeSpec, parse_timespec

LANGUAGES: tuple[str, ...] = ("fr", "en")
Language = Literal["fr", "en"]
STEP_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"

T = TypeVar("T")


def _french_if_plain(value: Any) -> Any:
    return {"fr": value} if isinstance(value, str | list) else value


def _needs_french(value: dict[str, Any]) -> dict[str, Any]:
    if "fr" not in value:
        raise FieldValueError(_("a French text is required"),
                              _('add a `fr` entry (e.g. text.fr = "...")'))
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise FieldValueError(
            _("must not be empty"),
            _("write a text between the quotes, or remove the key if it is optional"),
        )
    return value


def _valid_time(value: str) -> str:
    parse_timespec(value)  # its TimeSpecError, a ValueError, carries the fault and the fix
    return value


Line = Annotated[str, AfterValidator(_non_blank)]
Text = Annotated[
    dict[Language, Line], BeforeValidator(_french_if_plain), AfterValidator(_needs_french)
]
Question = Annotated[
    dict[Language, Annotated[Line, Field(max_length=300)]],
    BeforeValidator(_french_if_plain),
    AfterValidator(_needs_french),
]
Explanation = Annotated[
    dict[Language, Annotated[Line, Field(max_length=200)]],
    BeforeValidator(_french_if_plain),
    AfterValidator(_needs_french),
]
Option = Annotated[Line, Field(max_length=100)]
Options = Annotated[
    dict[Language, Annotated[list[Option], Field(min_length=2, max_length=12)]],
    BeforeValidator(_french_if_plain),
    AfterValidator(_needs_french),
]
When = Annotated[str, AfterValidator(_valid_time)]
# The id of an actor of the directory (``animabot actors import``): checked against the
# database by ``scenario check`` and when a campaign starts, not here.
ActorRef = Annotated[str, Field(pattern=STEP_ID_PATTERN)]


def pick(text: Mapping[Language, T], language: str) -> T:
    """The text in ``language``, or the French one when that language is missing."""
    return text.get(cast(Language, language)) or text["fr"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _same_option_count(options: Mapping[Language, list[str]]) -> None:
    counts = {lang: len(items) for lang, items in options.items()}
    if len(set(counts.values())) > 1:
        raise FieldValueError(
            _("every language needs the same number of options, got {counts}",
              counts=", ".join(f"{lang} {count}" for lang, count in counts.items())),
            _("translate each French option once"),
        )


class _Step(_Strict):
    id: Annotated[str, Field(pattern=STEP_ID_PATTERN)]
    at: When = "+0"

    @property
    def when(self) -> TimeSpec:
        return parse_timespec(self.at)


StepRef = Annotated[str, Field(pattern=STEP_ID_PATTERN)]


class Audience(_Strict):
    """Who receives a follow-up: the residents whose latest answer to ``poll`` holds one of
    ``options`` (numbers as residents see them, from 1). Checked against the poll by the
    timeline (:func:`animabot.scenario.timeline.build_timeline`): it needs the other steps."""

    poll: StepRef
    options: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=12)]


class Announcement(_Step):
    """A message posted in every target chat or, with an ``audience``, sent privately to the
    residents who chose given options of an earlier poll (never in a group)."""

    kind: Literal["announcement"]
    text: Text
    actor: ActorRef | None = None
    audience: Audience | None = None


class Poll(_Step):
    """A question with 2-12 options; ``private`` votes go to the bot, ``native`` uses the
    platform's poll (visible to the group on some platforms)."""

    kind: Literal["poll"]
    question: Question
    options: Options
    multiple: bool = False
    mode: Literal["private", "native"] = "private"
    closes: When
    reminders: list[When] = Field(default_factory=list, max_length=5)
    reminder_text: Text | None = None
    actor: ActorRef | None = None
    # False: no running totals in the chats, the statistics or the dashboard until the poll
    # closes (a native poll asks the platform to hide them too, where it can).
    live_results: bool = True

    @model_validator(mode="after")
    def _check_options(self) -> Poll:
        _same_option_count(self.options)
        return self


class Card(_Strict):
    """One short lesson card of a micro-training."""

    text: Annotated[
        dict[Language, Annotated[Line, Field(max_length=1000)]],
        BeforeValidator(_french_if_plain),
        AfterValidator(_needs_french),
    ]


class QuizQuestion(_Strict):
    """A quiz question: ``correct`` is the number of the right option, counting from 1."""

    question: Question
    options: Annotated[
        dict[Language, Annotated[list[Option], Field(min_length=2, max_length=10)]],
        BeforeValidator(_french_if_plain),
        AfterValidator(_needs_french),
    ]
    correct: Annotated[int, Field(ge=1)]
    explanation: Explanation

    @model_validator(mode="after")
    def _check_correct(self) -> QuizQuestion:
        _same_option_count(self.options)
        count = len(self.options["fr"])
        if self.correct > count:
            raise FieldValueError(
                _("correct = {correct} but there are only {count} options",
                  correct=self.correct, count=count),
                _("write a number from 1 to {count}", count=count),
            )
        return self


class Training(_Step):
    """A micro-training: 2-6 lesson cards then a 1-3 question quiz, followed in private."""

    kind: Literal["training"]
    title: Text
    intro: Text | None = None
    cards: Annotated[list[Card], Field(min_length=2, max_length=6)]
    quiz: Annotated[list[QuizQuestion], Field(min_length=1, max_length=3)]
    closes: When | None = None
    reminders: list[When] = Field(default_factory=list, max_length=5)
    actor: ActorRef | None = None


class Results(_Step):
    """Publishes a poll's results (small counts suppressed) once it has closed."""

    kind: Literal["results"]
    of: StepRef
    at: When = ""  # filled from ``of`` below: "after OF closes"
    text: Text | None = None
    # Each chat also (or only, with overall = false) receives its own neighbourhood's figures.
    per_neighbourhood: bool = False
    overall: bool = True

    @model_validator(mode="after")
    def _publishes_something(self) -> Results:
        if not self.overall and not self.per_neighbourhood:
            raise FieldValueError(
                _("overall = false and per_neighbourhood = false: nothing would be published"),
                _("write per_neighbourhood = true, or remove overall = false"),
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _default_at(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("at") and isinstance(data.get("of"), str):
            data = {**data, "at": f"after {data['of']} closes"}
        return data


_IDEAS_FIX = _("write ideas = true (the accepted ideas of each neighbourhood), a list of "
               "idea numbers (ideas = [12, 15]), or remove the key")
MAX_IDEAS = 12


def _idea_refs(value: Any) -> Literal[True] | list[int] | None:
    """``true`` or a list of idea numbers; one message per fault, not one per union arm."""
    if value is None or value is True:
        return value
    if value is False:
        raise FieldValueError(_("ideas = false links no idea"), _IDEAS_FIX)
    if not isinstance(value, list) or not value or len(value) > MAX_IDEAS or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value):
        raise FieldValueError(
            _("ideas = {value} is neither true nor a list of 1 to {most} idea numbers",
              value=value, most=MAX_IDEAS), _IDEAS_FIX)
    return list(value)


class Outcome(_Step):
    """« Ce que nous avons fait »: tells residents what was decided after a poll or about
    accepted ideas, and what was done. ``figures`` repeats the poll's final figures
    (suppressed); ``ideas`` is ``true`` (the accepted ideas of each chat's neighbourhood,
    when it is sent) or the numbers of accepted ideas (checked when the campaign starts)."""

    kind: Literal["outcome"]
    poll: StepRef | None = None
    ideas: Annotated[Literal[True] | list[int] | None, PlainValidator(_idea_refs)] = None
    at: When = ""  # with a poll: "after POLL closes" (below); else the campaign's start
    decision: Text
    done: Text | None = None
    figures: bool = False
    actor: ActorRef | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_at(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("at"):
            poll = data.get("poll")
            data = {**data, "at": f"after {poll} closes" if isinstance(poll, str) else "+0"}
        return data

    @model_validator(mode="after")
    def _linked(self) -> Outcome:
        if self.poll is None and self.ideas is None:
            raise FieldValueError(
                _("an outcome tells what became of a poll or of ideas: it names neither"),
                _('write poll = "STEP_ID" (the poll it answers), or ideas = true'))
        if self.figures and self.poll is None:
            raise FieldValueError(
                _("figures = true repeats a poll's final figures, but no poll is named"),
                _('write poll = "STEP_ID", or remove figures = true'))
        return self


Step = Annotated[Announcement | Poll | Training | Results | Outcome,
                 Field(discriminator="kind")]
AnyStep = Announcement | Poll | Training | Results | Outcome
STEP_KINDS: tuple[str, ...] = ("announcement", "poll", "training", "results", "outcome")


class Scenario(_Strict):
    """A timed script of steps, started as a campaign on one or many neighbourhoods."""

    id: Annotated[str, Field(pattern=STEP_ID_PATTERN)]
    title: Line
    objective: str = ""
    description: str = ""
    every: str | None = None  # a recurrence, e.g. "every first monday at 18:00"
    steps: Annotated[list[Step], Field(min_length=1)]

    @field_validator("every")
    @classmethod
    def _recurrence(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Recurrence.parse(value)
            except RecurrenceError as exc:
                raise ValueError(str(exc)) from None
        return value

    def step(self, step_id: str) -> AnyStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def polls(self) -> list[Poll]:
        return [s for s in self.steps if isinstance(s, Poll)]

    def per_neighbourhood_results(self, poll_id: str) -> bool:
        """Whether a results step publishes each neighbourhood's own figures of ``poll_id``:
        every overall figure of that poll must then be one the neighbourhoods' give away
        already (see :mod:`animabot.stats.neighbourhoods`)."""
        return any(isinstance(s, Results) and s.of == poll_id and s.per_neighbourhood
                   for s in self.steps)

    def outcomes(self) -> list[Outcome]:
        return [s for s in self.steps if isinstance(s, Outcome)]

    def idea_refs(self) -> list[tuple[int, int]]:
        """(step index, idea number) for every idea an outcome names."""
        return [(i, idea) for i, s in enumerate(self.steps)
                if isinstance(s, Outcome) and isinstance(s.ideas, list) for idea in s.ideas]

    def live_totals(self, poll: Poll) -> bool:
        """Whether the poll's running totals may be shown while it is open."""
        return poll.live_results and not self.per_neighbourhood_results(poll.id)

    def actor_refs(self) -> list[tuple[int, str]]:
        """(step index, actor id) for every step that names an actor."""
        return [(i, s.actor) for i, s in enumerate(self.steps)
                if not isinstance(s, Results) and s.actor is not None]
