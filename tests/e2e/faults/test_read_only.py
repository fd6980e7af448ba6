"""A read-only database: reading commands still work, writing ones end with a clear error
(no traceback), through the real ``animabot`` command."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import animabot, write_config
from .conftest import SmallDisk


def test_reads_work_and_writes_fail_clearly_on_a_read_only_mount(
    tmp_path: Path, small_disk: SmallDisk,
) -> None:
    config = write_config(tmp_path)
    database = small_disk.path / "animabot.db"
    text = config.read_text(encoding="utf-8").replace(
        str(tmp_path / "animabot.db"), str(database))
    config.write_text(text, encoding="utf-8")
    started = json.loads(animabot("campaign", "start", "scenarios/jardin-partage.toml", "--to",
                                  "centre", "--json", "--config", str(config)).stdout)
    small_disk.read_only()

    for reading in (["stats", "campaign", started["id"], "--format", "json"],
                    ["campaign", "list", "--json"], ["campaign", "show", started["id"]],
                    ["neighbourhood", "list"], ["actors", "list"], ["ideas", "list"],
                    ["report", started["id"], "--out", str(tmp_path / "r.html")]):
        result = animabot(*reading, "--config", str(config), check=False)
        assert result.returncode == 0, (reading, result.stderr)
        assert "Traceback" not in result.stderr
    stats = json.loads(animabot("stats", "campaign", started["id"], "--format", "json",
                                "--config", str(config)).stdout)
    assert stats["id"] == started["id"]

    for writing in (["campaign", "start", "scenarios/jardin-partage.toml", "--to", "gare"],
                    ["campaign", "cancel", started["id"]]):
        result = animabot(*writing, "--config", str(config), check=False)
        assert result.returncode == 1, (writing, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert f"the database {database} is read-only" in result.stderr, result.stderr
