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
from typing import Annotated, Any, ClassVar, Literal, NamedTuple, Self, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .domain.window import DeliveryWindow, parse_weekdays, parse_window_range
from .errors import AnimabotError, ConfigError, FieldValueError, Problem
from .field_faults import type_fault
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .i18n.lazy import lazy as _
from .toml_lines import locate
from .toml_reading import normalise_newlines, parse_toml

SLUG = r"^[a-z0-9][a-z0-9_-]{0,39}$"
DEFAULT_CONFIG = Path("config.toml")


def _id_as_text(value: object) -> object:
    """Telegram shows chat and user ids as numbers; written unquoted they are still ids."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


TelegramId = Annotated[str, BeforeValidator(_id_as_text)]  # -1001234567890 or "-1001234567890"
Address = Annotated[str, BeforeValidator(_id_as_text)]  # a chat's address on its platform


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionProblem(NamedTuple):
    """A fault an adapter finds in its own table: the key, what is wrong, how to fix it."""

    key: str
    message: str
    fix: str


class AdapterSection(_Section):
    """The base of an adapter's table (its factory's ``settings_model``): ``enabled`` turns
    the adapter on; :meth:`problems` says what ``config check`` should report beyond the
    types (a missing token, a file that does not exist)."""

    enabled: bool = False

    def problems(self) -> list[SectionProblem]:
        return []


class UnreadableSection(AdapterSection):
    """The table of an adapter whose entry point cannot load: accepted as written, so that a
    disabled adapter whose extra is missing does not make its table an unknown key."""

    model_config = ConfigDict(extra="allow")


SectionT = TypeVar("SectionT", bound=BaseModel)


class BotSettings(_Section):
    language: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    scenarios_dir: Path = Path("scenarios")  # where /programmer and /apercu find scenarios

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" names a folder
            raise FieldValueError(_("{value!r} is not a time zone", value=value),
                                  _('write an IANA name such as "Europe/Paris"')) from None
        return value


class StorageSettings(_Section):
    database: Path = Path("animabot.db")


class PrivacySettings(_Section):
    key_file: Path = Path("animabot.key")
    key: SecretStr | None = None  # usually ANIMABOT_PRIVACY__KEY; wins over key_file
    min_cell: Annotated[int, Field(ge=1, le=100)] = 5
    retention_days: Annotated[int, Field(ge=1)] = 365


class DeliverySettings(_Section):
    quiet_hours: str = "09:00-20:00"  # the sending window; "" sends at any hour
    closed_days: list[str] = Field(default_factory=lambda: ["sunday"])
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 6
    # Caps on every platform's own pacing (a platform's limits are never raised); unset: none.
    per_chat_per_second: Annotated[float | None, Field(gt=0)] = None
    global_per_second: Annotated[float | None, Field(gt=0)] = None
    # A campaign to more neighbourhoods than this waits for a second facilitator's approval.
    approval_above: Annotated[int, Field(ge=1)] = 3

    @field_validator("quiet_hours")
    @classmethod
    def _range(cls, value: str) -> str:
        parse_window_range(value)
        return value

    @field_validator("closed_days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        if len(parse_weekdays(value)) == 7:
            raise FieldValueError(_("every day is closed: nothing could ever be sent"))
        return value


class ConsoleSettings(_Section):
    enabled: bool = False
    resident: str = "console"  # the local user the terminal speaks as
    neighbourhood: str = ""


class SimulatedSettings(_Section):
    """A fake platform for demos and tests: sends are recorded, never leave the machine."""

    enabled: bool = False
    log: Path | None = None  # an SQLite file recording every message the platform received
    latency_ms: Annotated[float, Field(ge=0)] = 0.0
    members: Annotated[int, Field(ge=0)] = 25  # reported member count of each group


class WebAgent(_Section):
    """A territorial agent allowed on the dashboard: only the SHA-256 of the token is kept."""

    name: Annotated[str, Field(min_length=1)]
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    agents: list[WebAgent] = Field(default_factory=list)
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12.0


class FacilitatorSettings(_Section):
    """Facilitators' user ids, one list per platform: ``telegram``, ``matrix`` and ``console``
    as before, and any installed adapter's name (checked by ``config check``)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, list[Address]] = Field(init=False)

    telegram: list[TelegramId] = Field(default_factory=list)
    matrix: list[str] = Field(default_factory=list)
    console: list[str] = Field(default_factory=list)

    def ids(self, platform: str) -> list[str]:
        """The facilitators' user ids on ``platform``."""
        listed = getattr(self, platform, None) if platform in type(self).model_fields else None
        if listed is None:
            listed = (self.__pydantic_extra__ or {}).get(platform, [])
        return list(listed)


class IdeaSettings(_Section):
    """Residents' ideas (``/idee``): bounds that keep moderation readable and floods out."""

    max_length: Annotated[int, Field(ge=10, le=2000)] = 500  # characters per idea
    per_day: Annotated[int, Field(ge=1, le=50)] = 3  # ideas per resident in any 24 hours


# The keys that named a platform's chats before ``endpoints``: still read, never extended
# (a new platform's chats go under ``endpoints``).
LEGACY_ENDPOINT_KEYS = {"telegram": "telegram_chats", "matrix": "matrix_rooms",
                        "simulated": "simulated_chats"}


class NeighbourhoodSettings(_Section):
    id: Annotated[str, Field(pattern=SLUG)]
    name: Annotated[str, Field(min_length=1)]
    # platform → the addresses of its group chats there (Telegram chat ids, Matrix room ids…)
    endpoints: dict[str, list[Address]] = Field(default_factory=dict)
    telegram_chats: list[TelegramId] = Field(default_factory=list)
    matrix_rooms: list[str] = Field(default_factory=list)
    simulated_chats: list[str] = Field(default_factory=list)

    def addresses(self, platform: str) -> list[str]:
        """The neighbourhood's chats on ``platform``, under ``endpoints`` or its legacy key."""
        legacy = LEGACY_ENDPOINT_KEYS.get(platform)
        listed: list[str] = list(getattr(self, legacy)) if legacy else []
        listed += [address for address in self.endpoints.get(platform, [])
                   if address not in listed]
        return listed

    def platforms(self) -> list[str]:
        """Every platform this neighbourhood lists a chat on, legacy keys first."""
        named = [platform for platform in LEGACY_ENDPOINT_KEYS if self.addresses(platform)]
        return named + [platform for platform in self.endpoints if platform not in named]


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
    neighbourhoods: list[NeighbourhoodSettings] = Field(default_factory=list)
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
    from .chat.registry import settings_models  # the registry's factories import this module

    return _settings_class(tuple(sorted(settings_models().items())))


@cache
def _settings_class(models: tuple[tuple[str, type[BaseModel]], ...]) -> type[Settings]:
    fields: dict[str, Any] = {name: (model, Field(default_factory=model))
                              for name, model in models if name not in Settings.model_fields}
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
    return problems


def load_settings(path: Path | None = None, *, database: Path | None = None) -> Settings:
    """Read ``path`` (if given) and the environment; raise :class:`ConfigError` listing all faults.

    ``database`` overrides ``[storage] database`` (the ``--database`` option of every command).
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
    if database is not None:
        settings.storage.database = database
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
        "database": str(settings.storage.database),
        "timezone": settings.bot.timezone,
        "sending window": settings.delivery.quiet_hours or "always",
        "adapters": [
            name for name, section in
            [("console", settings.console), ("simulated", settings.simulated),
             *settings.adapter_sections().items()]
            if getattr(section, "enabled", False)
        ],
        "neighbourhoods": [hood.id for hood in settings.neighbourhoods],
    }
