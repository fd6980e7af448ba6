"""Adapters' tables and endpoints as a facilitator meets them: ``config check`` locates a
fault in ``[telegram]`` by line, and ``neighbourhood list`` shows chats listed under the
generic ``endpoints`` key beside the older per-platform keys (issue 15, step 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import animabot, base_config

pytestmark = pytest.mark.slow


def test_config_check_locates_a_fault_in_an_adapter_table(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + '[telegram]\nin_flight = 0\n', encoding="utf-8")
    lines = config.read_text(encoding="utf-8").splitlines()
    checked = animabot("config", "check", "--config", str(config), check=False)
    assert checked.returncode != 0
    assert f"{config}:{lines.index('in_flight = 0') + 1}: telegram.in_flight" in checked.stderr
    # Once the types are right, the adapter's own checks speak, in French like the core's.
    config.write_text(base_config(tmp_path) + '[matrix]\nenabled = true\nencryption = false\n'
                      'homeserver = "https://m.example.org"\nuser_id = "animabot"\n'
                      'access_token = "syt_x"\n', encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index('user_id = "animabot"') + 1
    checked = animabot("config", "check", "--config", str(config), check=False)
    assert checked.returncode != 0
    assert f"{config}:{line}: matrix.user_id" in checked.stderr
    assert "n’est pas un identifiant d’utilisateur Matrix" in checked.stderr, checked.stderr


def test_endpoints_list_chats_beside_the_legacy_keys(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + """
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
simulated_chats = ["g0"]
endpoints = { simulated = ["g1", "g0"], telegram = [-1009] }
[[neighbourhoods]]
id = "gare"
name = "Gare"
endpoints = { matrix = ["!gare:example.org"] }
""", encoding="utf-8")
    assert animabot("config", "check", "--config", str(config)).returncode == 0
    listed = json.loads(animabot("neighbourhood", "list", "--json", "--config",
                                 str(config)).stdout)
    chats = {h["id"]: {p: v["chats"] for p, v in h["platforms"].items()} for h in listed}
    assert chats == {"centre": {"simulated": 2, "telegram": 1}, "gare": {"matrix": 1}}
