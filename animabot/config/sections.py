"""The configuration's tables, one model each: the core's own (``[bot]``, ``[delivery]``…),
the base of an adapter's table, and a neighbourhood with its endpoints per platform.

Each table forbids unknown keys, so a misspelt key is a located problem, never ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, ClassVar, Literal, NamedTuple, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
)

from ..domain.access import Role
from ..domain.window import parse_weekdays, parse_window_range
from ..errors import FieldValueError
from ..i18n.lazy import lazy as _

SLUG = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_WEB_ADDRESS = re.compile(r"^https?://[^\s/]+(/\S*)?$")
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


SQLITE_PREFIX = "sqlite:///"


class AdapterSection(_Section):
    """The base of an adapter's table (its factory's ``settings_model``): ``enabled`` turns
    the adapter on; :meth:`problems` says what ``config check`` should report beyond the
    types (a missing token, a file that does not exist)."""

    enabled: bool = False
    table: ClassVar[str] = ""  # its name in the file ([telegram]): names its variables
    # Where this table is written when not at the top ([communes.bourg.telegram]): see placed
    _place: tuple[str, ...] = PrivateAttr(default=())
    # Its messages carry personal links (votes, pages, unsubscribing): enabled without
    # ``[web] public_url``, every link would be broken (``config check`` says so).
    needs_public_pages: ClassVar[bool] = False

    def problems(self) -> list[SectionProblem]:
        return []

    def placed(self, *where: str) -> Self:
        """This table as written at ``where`` (``communes``, ``bourg``, ``telegram``): the
        variables its problems name are that place's."""
        copy = self.model_copy()
        copy._place = where
        return copy

    def env(self, key: str) -> str:
        """The environment variable that sets ``key`` of this table where it is written:
        ``ANIMABOT_TELEGRAM__TOKEN``, ``ANIMABOT_COMMUNES__BOURG__TELEGRAM__TOKEN``."""
        place = self._place or ((self.table,) if self.table else ())
        return "ANIMABOT_" + "__".join(part.upper() for part in (*place, key))

    def own_files(self) -> dict[str, Path]:
        """The files this bot keeps for itself, by key (a Matrix key store): two bots of one
        platform must not share one (``config check`` says so)."""
        return {}

    def mails_reports(self) -> bool:
        """Whether this table names a mail relay that can send problem reports to the
        services (``[email]`` with smtp_host and from_address, even when not enabled)."""
        return False


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
    database: Path = Path("animabot.db")  # SQLite, the embedded default: one file
    # A PostgreSQL server instead: "postgresql://animabot@db.example.org:5432/animabot". The
    # password may sit in the url, but is better apart: ANIMABOT_STORAGE__PASSWORD or a
    # password_file. "sqlite:///file.db" names an SQLite file (as ``database`` does).
    url: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None

    @field_validator("url")
    @classmethod
    def _known_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        scheme = value.split(":", 1)[0].lower() if "://" in value else ""
        if scheme in ("postgresql", "postgres"):
            try:
                urlsplit(value).port  # noqa: B018 - raises on a port that is not a number
            except ValueError:
                raise FieldValueError(_("the port of {url!r} is not a number", url=_masked(value)),
                                      _('write "postgresql://user@host:5432/database"')) from None
            return value
        if scheme == "sqlite":
            if not value.lower().startswith(SQLITE_PREFIX) or len(value) == len(SQLITE_PREFIX):
                raise FieldValueError(_("{url!r} names no file", url=value),
                                      _('write "sqlite:///animabot.db"'))
            return value
        raise FieldValueError(_("{url!r} is neither a PostgreSQL nor an SQLite url",
                                url=_masked(value)),
                              _('write "postgresql://user@host:5432/database", or remove '
                                'url to use the SQLite file named by database'))

    def backend(self) -> Literal["sqlite", "postgresql"]:
        # The scheme's case is free ("SQLITE:///x.db"), as the validator reads it.
        return "postgresql" if self.url and not self.url.lower().startswith("sqlite:") \
            else "sqlite"

    def target(self) -> Path | str:
        """What the store opens: the SQLite file, or the PostgreSQL url."""
        if self.url is None:
            return self.database
        return Path(self.url[len(SQLITE_PREFIX):]) if self.backend() == "sqlite" \
            else self.url

    def shown(self) -> str:
        """Where the data is, for messages: never a password."""
        return _masked(self.url) if self.backend() == "postgresql" and self.url \
            else str(self.target())


def _masked(url: str) -> str:
    """The url with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


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
    # Several workers on one PostgreSQL database: a worker renews its claimed rows every
    # third of this; a dead worker's rows come back to the others after it.
    lease_seconds: Annotated[float, Field(ge=3, le=3600)] = 30.0

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
    commune: Annotated[str | None, Field(pattern=SLUG)] = None  # reads only its figures


class OidcSettings(_Section):
    """Sign-in through an OpenID Connect provider (ProConnect, Keycloak, Azure AD…): the
    authorization code flow with PKCE. Who may come in: the accounts registered by e-mail
    or subject (``animabot users add NAME --role … --email …``), and, when ``role_claim``
    is set, anyone whose claim maps to a role in ``claim_roles``."""

    enabled: bool = False
    issuer: str = ""  # https://auth.agentconnect.gouv.fr/api/v2 (discovery is read from it)
    client_id: str = ""
    client_secret: SecretStr | None = None  # better: ANIMABOT_WEB__OIDC__CLIENT_SECRET
    client_secret_file: Path | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "given_name",
                                                       "usual_name"])
    acr_values: str = ""  # ProConnect: "eidas1"
    label: str = "ProConnect"  # the button reads "Se connecter avec <label>"
    role_claim: str = ""  # a claim holding a group or role name, e.g. "groups"
    claim_roles: dict[str, Role] = Field(default_factory=dict)  # claim value → role
    claim_neighbourhoods: dict[str, list[str]] = Field(default_factory=dict)  # value → ids
    # With [communes]: the claim naming the commune (its id) of a claim-mapped sign-in;
    # one without a known commune is refused (never the whole deployment by accident).
    commune_claim: str = ""
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0

    @field_validator("issuer")
    @classmethod
    def _https(cls, value: str) -> str:
        loopback = value.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))
        if value and not value.startswith("https://") and not loopback:
            raise FieldValueError(_("{value!r} is not an https address", value=value),
                                  _("write the provider's issuer as it publishes it, "
                                    "starting with https://"))
        return value

    def missing(self) -> list[str]:
        """The keys an enabled provider still needs."""
        needed = {"issuer": self.issuer, "client_id": self.client_id,
                  "client_secret": self.client_secret or self.client_secret_file}
        return [key for key, value in needed.items() if not value] if self.enabled else []

    def secret(self) -> str | None:
        if self.client_secret is not None:
            return self.client_secret.get_secret_value()
        if self.client_secret_file is not None:
            return self.client_secret_file.read_text(encoding="utf-8").strip()
        return None


def listen_address(value: str) -> tuple[str, int] | None:
    """``host:port`` (``[::1]:8081`` for IPv6) as a pair; None when it is not one."""
    host, colon, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isascii() or not port.isdigit() \
            or not 0 <= int(port) <= 65535:
        return None
    return host, int(port)


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    # The address people type, "https://participer.ville.fr" (behind a reverse proxy): where
    # residents open their personal links (e-mail, SMS), the OpenID redirect address, and
    # https there marks the back-office's cookies Secure.
    public_url: str = ""
    # Where ``animabot run`` serves the residents' public pages (personal links, sign-up,
    # posters) and the SMS gateway's webhook: "127.0.0.1:8081" behind the proxy that answers
    # for public_url. Empty: ``animabot run`` serves no page (``animabot web`` serves the
    # back-office on host and port, apart).
    listen: str = ""
    # Behind a reverse proxy on this machine, every request comes from 127.0.0.1: read the
    # client's address from the X-Forwarded-For header the proxy sets (for the sign-in limit
    # and the audit log). Only trusted from a loopback peer.
    behind_proxy: bool = False
    agents: list[WebAgent] = Field(default_factory=list)
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12.0  # absolute lifetime
    session_idle_minutes: Annotated[float, Field(gt=0, le=24 * 60 * 30)] = 60.0
    oidc: OidcSettings = Field(default_factory=OidcSettings)

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        if value and listen_address(value) is None:
            raise FieldValueError(_("{value!r} is not host:port", value=value),
                                  _('write listen = "127.0.0.1:8081"'))
        return value

    def listen_at(self) -> tuple[str, int] | None:
        """``listen`` as (host, port), or None when the public pages are not served."""
        return listen_address(self.listen) if self.listen else None

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not _WEB_ADDRESS.match(value):
            raise FieldValueError(_("{value!r} is not a web address", value=value),
                                  _('write public_url = "https://participer.ville.fr"'))
        return value


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
    commune: Annotated[str | None, Field(pattern=SLUG)] = None  # a [communes.<id>]'s id
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
