"""End-to-end encryption set-up: refuse to start rather than run without a usable key store.

nio turns encryption off without a word when its crypto extra is missing or it has no store;
the bot would then post plaintext into encrypted rooms. Every check here fails loudly, naming
the setting and the fix.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from nio import AsyncClientConfig  # type: ignore[import-untyped]

from animabot.config import Settings
from animabot.errors import ConfigError, Problem

from .settings import MatrixSettings, matrix_settings

STORE_FIELD = "matrix.store_path"


def crypto_available() -> bool:
    try:
        from nio.crypto import ENCRYPTION_ENABLED  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - nio always has the module
        return False
    return bool(ENCRYPTION_ENABLED)


def pickle_key(settings: Settings) -> str:
    """The secret that encrypts the key store at rest: required, never defaulted."""
    config = matrix_settings(settings)
    try:
        key = settings.secret(config.pickle_key, config.pickle_key_file)
    except OSError as exc:
        raise ConfigError([Problem(str(config.pickle_key_file), "matrix.pickle_key_file",
                                   f"cannot be read: {exc.strerror}",
                                   "name a readable file holding the key")]) from None
    if not key or len(key) < 16:
        raise ConfigError([Problem(
            "config", "matrix.pickle_key",
            "encryption is on but no pickle key (of at least 16 characters) is set",
            "set ANIMABOT_MATRIX__PICKLE_KEY or [matrix] pickle_key_file; keep it with the"
            " store's backup")])
    return key


def prepare_store(config: MatrixSettings) -> Path:
    """The key store's directory, created 0700; it must be a writable directory."""
    if not crypto_available():
        raise ConfigError([Problem(
            "config", "matrix.encryption",
            "encryption is on but matrix-nio's crypto (vodozemac) is not installed",
            "pip install 'animabot[matrix]' (it brings matrix-nio[e2e]), or set"
            " encryption = false")])
    path = config.store_path
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError([Problem(str(path), STORE_FIELD, f"cannot be created: {exc.strerror}",
                                   "name a directory the bot can write")]) from None
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError([Problem(str(path), STORE_FIELD, "is not a writable directory",
                                   "name a directory the bot can write")])
    with contextlib.suppress(OSError):  # a directory made beforehand (a volume) is tightened
        path.chmod(0o700)
    return path


def store_file(config: MatrixSettings, device_id: str) -> Path:
    """Where nio's default store keeps a device's keys."""
    return config.store_path / f"{config.user_id}_{device_id}.db"


def client_config(config: MatrixSettings, key: str | None) -> AsyncClientConfig:
    """nio's settings: bounded retries; the key store only when encryption is on. nio's own
    saving of the sync token stays off: the adapter saves it after the core has journaled."""
    return AsyncClientConfig(
        max_limit_exceeded=0, max_timeouts=0, request_timeout=config.request_timeout,
        encryption_enabled=config.encryption, store_sync_tokens=False,
        **({"pickle_key": key} if key else {}),
    )
