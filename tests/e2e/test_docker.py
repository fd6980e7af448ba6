"""The container's start (Docker itself cannot run here: no registry to pull a base image).

``docker run -v "$PWD/data:/data" animabot`` mounts a folder Docker creates owned by root:
the entry point gives it to the app user, drops root, writes a first configuration with no
platform enabled, and ``animabot run`` then says so clearly instead of idling.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from animabot.config import load_settings, settings_summary

from .conftest import ANIMABOT, ROOT

pytestmark = pytest.mark.slow

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
FIRST_CONFIG = ROOT / "docker" / "config.toml"


def test_the_images_first_configuration_enables_no_platform() -> None:
    settings = load_settings(FIRST_CONFIG)
    assert settings_summary(settings)["adapters"] == []


def test_run_with_no_platform_enabled_says_so_and_exits_1(tmp_path: Path) -> None:
    shutil.copy(FIRST_CONFIG, tmp_path / "config.toml")
    result = subprocess.run([ANIMABOT, "run"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "no platform is enabled" in result.stderr and "ANIMABOT_TELEGRAM__ENABLED" in (
        result.stderr)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "animabot.db").exists()


@pytest.fixture
def root_owned_data() -> Iterator[Path]:
    """A folder as Docker makes it for a bind mount: owned by root, mode 0755."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (util-linux), as in the image")
    base = Path(tempfile.mkdtemp(prefix="animabot-docker-"))
    base.chmod(0o755)  # the app user must reach the folder inside
    # The entry point re-runs itself as the app user: like the image (/usr/local/bin), it
    # must sit where that user can read it, which a checkout under a 0700 folder is not.
    for source in (ENTRYPOINT, FIRST_CONFIG):
        shutil.copy(source, base / source.name)
        (base / source.name).chmod(0o755)
    try:
        yield base / "data"
    finally:
        shutil.rmtree(base)


def _entrypoint(data: Path, *command: str) -> subprocess.CompletedProcess[str]:
    installed = data.parent  # where the fixture put the entry point and the first config
    env = {**os.environ, "ANIMABOT_DATA": str(data), "ANIMABOT_USER": "nobody",
           "ANIMABOT_CONFIG": str(data / "config.toml"),
           "ANIMABOT_FIRST_CONFIG": str(installed / FIRST_CONFIG.name)}
    return subprocess.run(["sh", str(installed / ENTRYPOINT.name), *command], env=env,
                          capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, cwd="/")


def test_the_entrypoint_gives_a_root_owned_mount_to_the_app_user(root_owned_data: Path) -> None:
    root_owned_data.mkdir(mode=0o755)
    result = _entrypoint(root_owned_data, "sh", "-c", 'id -u; touch "$ANIMABOT_DATA/written"')
    assert result.returncode == 0, result.stderr
    nobody = int(subprocess.run(["id", "-u", "nobody"], capture_output=True, text=True,
                                check=True).stdout)
    assert int(result.stdout) == nobody  # root was dropped before the command ran
    assert (root_owned_data / "written").stat().st_uid == nobody
    assert (root_owned_data / "config.toml").read_text() == FIRST_CONFIG.read_text()
    assert "no platform enabled yet" in result.stderr
    again = _entrypoint(root_owned_data, "true")  # a second start keeps the config, says nothing
    assert again.returncode == 0 and again.stderr == ""

