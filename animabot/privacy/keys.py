"""The secret key behind pseudonyms: from the environment or a 0600 file, never the database."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from ..errors import ConfigError, Problem

log = logging.getLogger(__name__)
KEY_BYTES = 32


def load_or_create_key(key_file: Path, from_env: str | None = None) -> bytes:
    """The key from ``from_env`` (hex or text), else ``key_file``, created on first run."""
    if from_env:
        return from_env.encode("utf-8")
    if key_file.exists():
        if key_file.is_dir():
            raise ConfigError([Problem(str(key_file), "privacy.key_file", "is a directory",
                                       "name a file; it is created on first run")])
        text = key_file.read_text(encoding="utf-8").strip()
        if len(text) < 32:
            raise ConfigError([Problem(str(key_file), "privacy.key_file",
                                       "the key is too short (under 32 characters)",
                                       "delete the file to have a new one made, or fix it")])
        return text.encode("utf-8")
    key = secrets.token_hex(KEY_BYTES)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    log.warning(
        "created a new pseudonym key in %s (mode 0600): back it up; losing it splits every "
        "resident's history in two", key_file,
    )
    return key.encode("utf-8")
