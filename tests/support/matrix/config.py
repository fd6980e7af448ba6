"""The minimal homeserver configuration for a test Synapse, and its logging configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SERVER_NAME = "animabot.test"

# High enough that no test trips a limit it did not set up on purpose.
_FAST: dict[str, float] = {"per_second": 10_000, "burst_count": 10_000}


def homeserver_config(
    directory: Path, port: int, shared_secret: str, server_name: str = SERVER_NAME
) -> dict[str, Any]:
    """Loopback client listener only, SQLite in ``directory``, no federation, no presence."""
    return {
        "server_name": server_name,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log_config.yaml"),
        "media_store_path": str(directory / "media_store"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        "bcrypt_rounds": 4,
        # A restarted client must not be answered from a cached sync response.
        "caches": {"sync_response_cache_duration": 0},
        "rc_message": _FAST,
        "rc_registration": _FAST,
        "rc_login": {"address": _FAST, "account": _FAST, "failed_attempts": _FAST},
        "rc_joins": {"local": _FAST, "remote": _FAST},
        "rc_joins_per_room": _FAST,
        "rc_invites": {"per_room": _FAST, "per_user": _FAST, "per_issuer": _FAST},
        "rc_room_creation": _FAST,
        "rc_admin_redaction": _FAST,
        "rc_3pid_validation": _FAST,
    }


def log_config(log_file: Path) -> dict[str, Any]:
    """Python logging at WARNING into one file."""
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(log_file),
                     "formatter": "plain"},
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def write_config(
    directory: Path, port: int, shared_secret: str, server_name: str = SERVER_NAME
) -> Path:
    """Write ``homeserver.yaml`` and its log config; return the former's path.

    JSON is valid YAML, so the standard library is enough to write both.
    """
    (directory / "log_config.yaml").write_text(
        json.dumps(log_config(directory / "homeserver.log"), indent=2), encoding="utf-8"
    )
    path = directory / "homeserver.yaml"
    path.write_text(
        json.dumps(homeserver_config(directory, port, shared_secret, server_name), indent=2),
        encoding="utf-8",
    )
    return path
