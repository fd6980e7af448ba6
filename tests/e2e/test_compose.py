"""compose.yaml: PostgreSQL and two workers (Docker cannot pull images here, so the file is
read as compose would: its services, the database's healthcheck, the workers waiting for it,
their secrets, and the configuration they mount, checked by ``animabot config check`` with
the environment compose gives them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import ANIMABOT, ROOT

yaml = pytest.importorskip("yaml")
COMPOSE = ROOT / "compose.yaml"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def workers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in spec["services"].items() if name.startswith("worker")}


def test_postgresql_with_a_volume_and_a_healthcheck() -> None:
    db = compose()["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")


def test_two_workers_from_the_dockerfile_wait_for_a_healthy_database() -> None:
    spec = compose()
    found = workers(spec)
    assert len(found) == 2
    for worker in found.values():
        assert worker["build"] == "."
        assert worker["depends_on"]["db"]["condition"] == "service_healthy"
        env = worker["environment"]
        assert env["ANIMABOT_STORAGE__URL"].startswith("postgresql://animabot@db:5432/")
        assert ":" not in env["ANIMABOT_STORAGE__URL"].split("//")[1].split("@")[0]  # no password
        assert all(spec["secrets"][s]["file"].startswith("./secrets/") for s in worker["secrets"])
        assert {"db_password", "pseudonym_key", "telegram_token"} <= set(worker["secrets"])
        # One pseudonym key for both: a key per worker would split every resident in two.
        assert env["ANIMABOT_PRIVACY__KEY_FILE"] == "/run/secrets/pseudonym_key"
        assert any(v.endswith(":/data") for v in worker["volumes"])
    mounted = {v.split(":")[0] for w in found.values() for v in w["volumes"]
               if v.split(":")[1] == found["worker-1"]["environment"]["ANIMABOT_CONFIG"]}
    assert mounted == {"./docker/compose.toml"}
    assert "postgresql" in (ROOT / "Dockerfile").read_text(encoding="utf-8")  # the driver


def test_the_mounted_configuration_passes_config_check(tmp_path: Path) -> None:
    worker = workers(compose())["worker-1"]
    secrets = {"db_password": "s3cret", "pseudonym_key": "k" * 64,
               "telegram_token": "123456:ABCdefGhIJKlmNoPQRsTUVwxyZ"}
    for name, value in secrets.items():
        (tmp_path / name).write_text(value + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANIMABOT_")}
    for key, value in worker["environment"].items():
        env[key] = str(value).replace("/run/secrets/", f"{tmp_path}/")
    del env["ANIMABOT_CONFIG"]
    config = ROOT / "docker" / "compose.toml"
    done = subprocess.run([ANIMABOT, "config", "check", "--config", str(config)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "postgresql" in done.stdout.lower() or "db:5432" in done.stdout
