"""Configuration: a TOML file, overridden by ``ANIMABOT_*`` environment variables.

Secrets (bot token, Matrix access token or password, pseudonym key) are never required in the
TOML: each can come from the environment (``ANIMABOT_TELEGRAM__TOKEN``) or from a file named
by its ``*_file`` key. :func:`load_settings` reports *every* problem at once, each with its key
path, so ``animabot config check`` is a single round trip for the facilitator.

The core holds its own tables only. An adapter brings its table (``[telegram]``,
``[matrix]``…) as its factory's ``settings_model``: :func:`settings_class` adds one field per
installed adapter, so a new platform is a new folder, not an edit here.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self, cast

from pydantic import BaseModel, Field, SecretStr, ValidationError, create_model
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ..domain.window import DeliveryWindow
from ..errors import AnimabotError, ConfigError, FieldValueError, Problem
from ..field_faults import type_fault
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..i18n.lazy import lazy as _
from ..toml_lines import locate
from ..toml_reading import normalise_newlines, parse_toml
from .communes import CommuneSettings, commune_class, commune_problems
from .reports import ReportCategory, ReportRoute, ReportSettings, report_problems
from .sections import (
    DEFAULT_CONFIG,
    LEGACY_ENDPOINT_KEYS,
    SLUG,
    AdapterSection,
    Address,
    BotSettings,
    ConsoleSettings,
    DeliverySettings,
    FacilitatorSettings,
    IdeaSettings,
    NeighbourhoodSettings,
    OidcSettings,
    PrivacySettings,
    SectionProblem,
    SectionT,
    SimulatedSettings,
    StorageSettings,
    TelegramId,
    UnreadableSection,
    WebAgent,
    WebSettings,
)

__all__ = [  # the tables live in .sections; everything is imported from here
    "DEFAULT_CONFIG",
    "LEGACY_ENDPOINT_KEYS",
    "SLUG",
    "AdapterSection",
    "Address",
    "BotSettings",
    "CommuneSettings",
    "ConfigError",
    "ConsoleSettings",
    "DeliverySettings",
    "FacilitatorSettings",
    "IdeaSettings",
    "NeighbourhoodSettings",
    "OidcSettings",
    "PrivacySettings",
    "ReportCategory",
    "ReportRoute",
    "ReportSettings",
    "SectionProblem",
    "Settings",
    "SimulatedSettings",
    "StorageSettings",
    "TelegramId",
    "UnreadableSection",
    "WebAgent",
    "WebSettings",
    "load_settings",
    "settings_class",
    "settings_summary",
]


class Settings(BaseSettings):
    """The whole configuration. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="ANIMABOT_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )
    # The TOML file's data, read once by load_settings (which reports its faults first).
    toml_data: ClassVar[dict[str, Any] | None] = None

    bot: BotSettings = Field(default_factory=BotSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    simulated: SimulatedSettings = Field(default_factory=SimulatedSettings)
    facilitators: FacilitatorSettings = Field(default_factory=FacilitatorSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    ideas: IdeaSettings = Field(default_factory=IdeaSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    neighbourhoods: list[NeighbourhoodSettings] = Field(default_factory=list)
    communes: dict[Annotated[str, Field(pattern=SLUG)], CommuneSettings] = Field(
        default_factory=dict)  # several communes in one deployment: config/communes.py
    # Then one field per installed adapter that brings its table: see settings_class.

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """``Settings(...)`` builds the class with the installed adapters' tables, so that
        ``Settings(telegram=...)`` and ``settings.telegram`` keep working everywhere."""
        del args, kwargs  # __init__ receives them
        built = settings_class() if cls is Settings else cls
        return cast(Self, super().__new__(built))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_data is not None:
            sources.append(InitSettingsSource(settings_cls, init_kwargs=cls.toml_data))
        return tuple(sources)

    def window(self) -> DeliveryWindow:
        return DeliveryWindow.from_settings(
            self.delivery.quiet_hours, self.bot.timezone, self.delivery.closed_days
        )

    def section(self, name: str, kind: type[SectionT]) -> SectionT:
        """An adapter's table, typed: ``section("telegram", TelegramSettings)``."""
        value = getattr(self, name, None)
        if not isinstance(value, kind):
            raise AnimabotError(f"no [{name}] table in the settings: is its adapter installed?")
        return value

    def adapter_sections(self) -> dict[str, BaseModel]:
        """Every table an installed adapter brought, by adapter name."""
        core = set(Settings.model_fields)
        return {name: getattr(self, name) for name in type(self).model_fields
                if name not in core}

    def secret(self, value: SecretStr | None, file: Path | None) -> str | None:
        """A secret from the environment/TOML value, else from its file (stripped)."""
        if value is not None and value.get_secret_value():
            return value.get_secret_value()
        if file is not None:
            return file.read_text(encoding="utf-8").strip()
        return None


def settings_class() -> type[Settings]:
    """The core's tables plus one per installed adapter (its factory's ``settings_model``),
    built once per set of adapters."""
    from ..chat.registry import settings_models  # the registry's factories import this module

    return _settings_class(tuple(sorted(settings_models().items())))


@cache
def _settings_class(models: tuple[tuple[str, type[BaseModel]], ...]) -> type[Settings]:
    fields: dict[str, Any] = {name: (model, Field(default_factory=model))
                              for name, model in models if name not in Settings.model_fields}
    from ..chat.registry import per_commune_platforms  # the registry imports this module

    per_commune = per_commune_platforms()
    commune = commune_class((name, model) for name, model in models
                            if name in per_commune and name not in CommuneSettings.model_fields)
    fields["communes"] = (dict[Annotated[str, Field(pattern=SLUG)], commune],  # type: ignore[valid-type]
                          Field(default_factory=dict))
    built: type[Settings] = create_model(
        "Settings", __base__=Settings, __module__=__name__, **fields)
    return built


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problems_from_validation(
    exc: ValidationError, file: str, text: str | None
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        message, fix = _explain(error)
        line = locate(text, loc) if text is not None else None
        problems.append(Problem(file, _field_path(loc), message, fix, line))
    return problems


def _explain(error: ErrorDetails) -> tuple[str, str]:
    """What is wrong and how to fix it, in words (lazy texts) rather than pydantic's."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _("unknown key"), _("remove it, or check its spelling in config.example.toml")
    if kind == "missing":
        return _("this key is required"), _("add this key")
    if kind == "value_error" and isinstance(ctx.get("error"), FieldValueError):
        return ctx["error"].message, ctx["error"].fix
    if (words := type_fault(error, "config.example.toml")) is not None:
        return words
    detail = error["msg"].removeprefix("Value error, ")
    if kind == "value_error":  # a validator's own sentence (e.g. the sending window's)
        return detail, ""
    return _("is not valid: {detail}", detail=detail), ""


def _peek_language(data: dict[str, Any] | None) -> str:
    """``[bot] language`` as far as it can be read before the configuration is checked:
    problems are told in it. The environment wins over the file, as it does in Settings."""
    from_env = next((value for name, value in os.environ.items()
                     if name.upper() == "ANIMABOT_BOT__LANGUAGE"), None)
    bot = data.get("bot") if data is not None else None
    from_file = bot.get("language") if isinstance(bot, dict) else None
    language = from_env or from_file
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _semantic_problems(settings: Settings, file: str, text: str | None) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple[int | str, ...], message: str, fix: str) -> None:
        line = locate(text, loc) if text is not None else None
        problems.append(Problem(file, _field_path(loc), message, fix, line))

    for name, section in settings.adapter_sections().items():
        if isinstance(section, AdapterSection):
            for problem in section.problems():
                add((name, problem.key), problem.message, problem.fix)
            if section.enabled and section.needs_public_pages and not settings.web.public_url:
                add((name, "enabled"),
                    _("{name} is enabled but its links need the residents' pages, and "
                      "[web] public_url is not set", name=name),
                    _('in [web], write public_url = "https://participer.ville.fr" (and '
                      'listen = "127.0.0.1:8081", which animabot run serves them on)'))
    installed = set(settings.adapter_sections()) | {"console", "simulated"}
    for platform in settings.facilitators.model_extra or {}:
        if platform not in installed:
            add(("facilitators", platform), _("unknown key"),
                _("use one of: {known}", known=", ".join(sorted(installed))))
    seen: set[str] = set()
    for index, hood in enumerate(settings.neighbourhoods):
        if hood.id in seen:
            add(("neighbourhoods", index, "id"), _("the id {id!r} is used twice", id=hood.id),
                _("give every neighbourhood its own id"))
        seen.add(hood.id)
        for platform in hood.endpoints:
            if platform not in installed:
                add(("neighbourhoods", index, "endpoints", platform),
                    _("no adapter named {platform!r} is installed", platform=platform),
                    _("use one of: {known}", known=", ".join(sorted(installed))))
    commune_problems(settings, add)
    storage = settings.storage
    if storage.password_file is not None and not Path(storage.password_file).is_file():
        add(("storage", "password_file"), _("{path} does not exist", path=storage.password_file),
            _("create it or fix the path"))
    relay = any(isinstance(section, AdapterSection) and section.mails_reports()
                for section in settings.adapter_sections().values())
    report_problems(settings.reports, seen, add, mail_relay=relay)
    return problems


def load_settings(path: Path | None = None, *, database: Path | None = None) -> Settings:
    """Read ``path`` (if given) and the environment; raise :class:`ConfigError` listing all faults.

    ``database`` overrides ``[storage] database`` and ``url`` (the ``--database`` option of
    every command).
    """
    file = str(path) if path is not None else "(environment)"
    text: str | None = None
    data: dict[str, Any] | None = None
    if path is not None:
        text, data = _read_toml(path, file)
    language = _peek_language(data)
    loader: type[Settings] = type("LoadedSettings", (settings_class(),), {"toml_data": data})
    try:
        settings: Settings = loader()
    except ValidationError as exc:
        raise ConfigError(_problems_from_validation(exc, file, text), language) from None
    problems = _semantic_problems(settings, file, text)
    if problems:
        raise ConfigError(problems, settings.bot.language)
    if database is not None:  # an explicit file wins over a configured server
        settings.storage.database = database
        settings.storage.url = None
    return settings


def _read_toml(path: Path, file: str) -> tuple[str, dict[str, Any]]:
    """The text (line ends normalised) and data of a configuration file, or every fault."""
    language = _peek_language(None)  # the file cannot tell yet
    if path.is_dir():
        raise ConfigError([Problem(file, "", _("is a directory, not a configuration file"),
                                   _("give the path of a .toml file"))], language)
    if not path.exists():
        raise ConfigError([Problem(file, "", _("no such file"),
                                   _("copy config.example.toml to this path, or fix the path"))],
                          language)
    try:
        text = normalise_newlines(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError([Problem(file, "", _("is not UTF-8 text"), _("save it as UTF-8"))],
                          language) from None
    except OSError as exc:
        raise ConfigError([Problem(file, "", _("cannot be read: {reason}", reason=exc.strerror),
                                   _("check that the file is readable by this user"))],
                          language) from None
    parsed = parse_toml(text)
    if parsed.faults or parsed.data is None:
        raise ConfigError([Problem(file, "", fault.message, fault.fix, fault.line)
                           for fault in parsed.faults], _peek_language(parsed.data))
    return text, parsed.data


def settings_summary(settings: Settings) -> dict[str, Any]:
    """What ``config check`` prints when all is well: no secret values."""
    return {
        "database": settings.storage.shown(),
        "timezone": settings.bot.timezone,
        "sending window": settings.delivery.quiet_hours or "always",
        "adapters": [
            name for name, section in
            [("console", settings.console), ("simulated", settings.simulated),
             *settings.adapter_sections().items()]
            if getattr(section, "enabled", False)
        ],
        "neighbourhoods": [hood.id for hood in settings.neighbourhoods],
    } | ({"communes": sorted(settings.communes)} if settings.communes else {})
