"""One error hierarchy for the whole project.

AnimabotError
├── ConfigError          a configuration file or variable is wrong (lists every problem)
├── ScenarioError        a scenario file is wrong (lists every problem: file, line, field, fix)
├── StorageError         the database cannot be opened or migrated
│   └── StorageUnavailableError  it cannot be written now (disk full, read-only, I/O error)
├── CampaignError        a campaign cannot be started, found or cancelled
└── PlatformError        a chat platform refused or failed a request (raised by adapters)
    ├── RateLimitedError     retry after ``retry_after`` seconds
    ├── ChatUnreachableError the bot was removed, blocked or banned: do not retry
    ├── TransientError       time-out or 5xx before the request left: safe to retry
    ├── RejectedError        refused for good (bad request): do not retry
    └── DeliveryUnknownError the request may have been delivered: never blind-retry

Adapters translate their library's errors into these, so the core never sees a platform type.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n.lazy import Translate, render


def _english(text: str) -> str:
    return text


class AnimabotError(Exception):
    """Base of every error animabot raises on purpose.

    Its message may be a :class:`~animabot.i18n.lazy.LazyText`: English as text, and in the
    reader's language once the edge that shows it sets ``language`` (or calls :meth:`told`).
    """

    language: str | None = None

    def __str__(self) -> str:
        message = super().__str__()
        if self.language is None or len(self.args) != 1:
            return message
        return self.told(self.language)

    def told(self, language: str) -> str:
        """The message in ``language`` (as it is when it was not written to be translated)."""
        from .i18n import translator  # Babel is loaded only when a text is translated

        return render(self.args[0], translator(language)) if self.args else ""


@dataclass(frozen=True)
class Problem:
    """One fault in a user's file, located and with the fix spelled out.

    ``message`` and ``fix`` are usually :class:`~animabot.i18n.lazy.LazyText`: English as
    text, and in the reader's language through :meth:`render`.
    """

    file: str
    field: str
    message: str
    fix: str = ""
    line: int | None = None

    def __str__(self) -> str:
        return self.render(_english)

    def render(self, _: Translate) -> str:
        """``file:line: field: message`` then the fix, in the language of ``_``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        message = render(self.message, _)
        text = f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"
        if not self.fix:
            return text
        # TRANSLATORS: the line under a problem that says how to put it right.
        return text + "\n    " + _("fix: {fix}").format(fix=render(self.fix, _))


class ProblemsError(AnimabotError):
    """An error that carries every problem found, not only the first.

    ``language``, when the reader's language is known where the error is raised (a
    configuration's ``[bot] language``), is the one its text speaks; else English.
    """

    def __init__(self, problems: list[Problem], language: str | None = None) -> None:
        self.problems = list(problems)
        self.language = language
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        if self.language is None:
            return super().__str__()
        from .i18n import translator  # Babel is loaded only when a text is translated

        return self.render(translator(self.language))

    def render(self, _: Translate) -> str:
        """Every problem in the language of ``_``."""
        return "\n".join(problem.render(_) for problem in self.problems)


class FieldValueError(ValueError):
    """A validator's fault with its fix, both translatable: pydantic wraps only ValueError.

    The text stays ``message`` + ``separator`` + ``fix`` for whoever reads it as English;
    the problem explainers take ``message`` and ``fix`` apart.
    """

    def __init__(self, message: str, fix: str = "", separator: str = ": ") -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}{separator}{fix}" if fix else message)


class ConfigError(ProblemsError):
    """The configuration is invalid."""


class ScenarioError(ProblemsError):
    """A scenario file is invalid."""


class StorageError(AnimabotError):
    """The database cannot be opened or migrated."""


class GroupAbortedError(StorageError):
    """A unit of work that shared its transaction was rolled back by another member's
    failure (group commit): nothing of it was kept, and it should be run again alone."""


class StorageUnavailableError(StorageError):
    """The database cannot be written now (disk full, read-only file or mount, I/O error).

    A fault of the place, not of the data: long-lived tasks back off and try again, and
    nothing they were doing is considered done. ``kind`` names the fault (``full``,
    ``read-only``…): it is reported once while it stays the same."""

    def __init__(self, message: str, kind: str = "") -> None:
        self.kind = kind
        super().__init__(message)


class CampaignError(AnimabotError):
    """A campaign operation cannot be carried out."""


class ProblemReportError(AnimabotError):
    """A problem report cannot be changed so (unknown, closed, a move not allowed, no reason)."""


class PlatformError(AnimabotError):
    """A platform request failed; subclasses say what the worker should do."""


class RateLimitedError(PlatformError):
    """The platform asked us to slow down."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        self.retry_after = retry_after
        super().__init__(f"{message} (retry after {retry_after:g} s)")


class ChatUnreachableError(PlatformError):
    """The bot can no longer write to this chat (removed, blocked, banned)."""


class TransientError(PlatformError):
    """A failure known to have happened before the platform acted: safe to retry."""


class RejectedError(PlatformError):
    """The platform refused this message for good (malformed, too long): do not retry."""


class DeliveryUnknownError(PlatformError):
    """The request may or may not have been delivered (e.g. a read time-out)."""


class RoutingError(AnimabotError):
    """A problem report could not reach its service this time (relay down, webhook refused):
    kept, and tried again later. The message names no address."""
