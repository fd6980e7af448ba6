"""``[matrix]``: the Matrix adapter's table, and what ``config check`` says about it.

Light on purpose (pydantic and the core only): the configuration is checked on machines
without matrix-nio, and reading this table must never import it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, SecretStr

from animabot.config import AdapterSection, SectionProblem, Settings
from animabot.i18n.lazy import lazy as _


class MatrixSettings(AdapterSection):
    table: ClassVar[str] = "matrix"
    homeserver: str = ""
    user_id: str = ""
    device_id: str = ""
    access_token: SecretStr | None = None
    access_token_file: Path | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    rate: Annotated[float, Field(gt=0)] = 0.2  # messages/s the homeserver allows the bot
    burst: Annotated[int, Field(ge=1)] = 10  # after a burst of this many (Synapse's default)
    in_flight: Annotated[int, Field(ge=1, le=64)] = 4  # sends awaiting their answer at once
    sync_timeout: Annotated[int, Field(ge=1, le=120)] = 30  # seconds a /sync waits
    request_timeout: Annotated[float, Field(gt=0, le=300)] = 30.0
    # End-to-end encryption: on by default, as Element and Tchap encrypt direct chats.
    encryption: bool = True
    store_path: Path = Path("matrix-store")  # the bot's keys: back it up with the database
    pickle_key: SecretStr | None = None  # encrypts the key store at rest
    pickle_key_file: Path | None = None
    cross_signing: bool = True  # strict clients (Element) exclude devices not cross-signed
    cross_signing_seeds_file: Path = Path("matrix-cross-signing-seeds.json")  # mode 0600
    trust: Literal["tofu", "unverified"] = "tofu"  # which residents' devices get room keys

    def own_files(self) -> dict[str, Path]:
        """Each Matrix bot (a commune's own too) keeps its keys apart: the files encryption
        uses, only when it does."""
        if not self.encryption:
            return {}
        files = {"store_path": Path(self.store_path)}
        if self.cross_signing:
            files["cross_signing_seeds_file"] = Path(self.cross_signing_seeds_file)
        return files

    def problems(self) -> list[SectionProblem]:
        """An enabled bot needs its homeserver, its user id and a secret to log in."""
        if not self.enabled:
            return []
        found: list[SectionProblem] = []
        if not self.homeserver:
            found.append(SectionProblem(
                "homeserver", _("Matrix is enabled but no homeserver is given"),
                _('write homeserver = "https://matrix.example.org"')))
        if not re.match(r"^@[^:]+:.+$", self.user_id):
            found.append(SectionProblem(
                "user_id", _("{user_id!r} is not a Matrix user id", user_id=self.user_id),
                _('write user_id = "@animabot:example.org"')))
        has_secret = any(
            (self.access_token and self.access_token.get_secret_value(), self.access_token_file,
             self.password and self.password.get_secret_value(), self.password_file)
        )
        if not has_secret:
            found.append(SectionProblem(
                "access_token", _("Matrix is enabled but has no access token or password"),
                _("set {variable} (or {password})", variable=self.env("access_token"),
                  password=self.env("password"))))
        if self.encryption:
            found.extend(self._encryption_problems())
        return found

    def _encryption_problems(self) -> list[SectionProblem]:
        """Encryption must never start half-configured: the adapter would refuse anyway, but
        ``config check`` should say so first, with the line."""
        found: list[SectionProblem] = []
        key = self.pickle_key.get_secret_value() if self.pickle_key else ""
        if not key and self.pickle_key_file is None:
            found.append(SectionProblem(
                "pickle_key", _("encryption is on but no pickle key encrypts the key store"),
                _("set {variable} (16 characters or more) or pickle_key_file; or encryption ="
                  " false, and the bot leaves encrypted rooms", variable=self.env("pickle_key"))))
        elif key and len(key) < 16:
            found.append(SectionProblem(
                "pickle_key", _("the pickle key is shorter than 16 characters"),
                _("use a long random string, e.g. from `openssl rand -hex 32`")))
        if self.pickle_key_file is not None and not Path(self.pickle_key_file).is_file():
            found.append(SectionProblem(
                "pickle_key_file", _("{path} does not exist", path=self.pickle_key_file),
                _("create it or fix the path")))
        if Path(self.store_path).exists() and not Path(self.store_path).is_dir():
            found.append(SectionProblem(
                "store_path", _("{path} is not a directory", path=self.store_path),
                _("name a directory (it is created on first start)")))
        return found


def matrix_settings(settings: Settings) -> MatrixSettings:
    """``[matrix]`` of ``settings``, typed."""
    return settings.section("matrix", MatrixSettings)
