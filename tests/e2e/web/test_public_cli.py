"""The public face from the command line: ``animabot run`` serves the residents' pages on
``[web] listen`` (and nothing of the back-office there); ``animabot poster`` makes the A4
poster offline, its QR code leading to the neighbourhood's sign-up page."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from ..conftest import ANIMABOT, ROOT, animabot, base_config, stop, wait_until
from .test_public import free_port

pytestmark = pytest.mark.slow


def write(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + f"""
[simulated]
enabled = true
log = "{tmp_path / 'platform.db'}"
[web]
public_url = "https://participer.ville.test"
listen = "127.0.0.1:{port}"
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
simulated_chats = ["g1"]
""", encoding="utf-8")
    return config


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def test_run_serves_the_residents_pages_on_web_listen(tmp_path: Path) -> None:
    port = free_port()
    config = write(tmp_path, port)
    with (tmp_path / "run.log").open("wb") as log:
        process = subprocess.Popen([ANIMABOT, "run", "--config", str(config)], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(f"{base}/inscription")[0] == 200, 60, "the public pages")
        status, html = get(f"{base}/inscription/centre")
        assert status == 200 and "Centre-ville" in html and 'lang="fr"' in html
        # No back-office route on the public face; no traceback for a wrong address.
        for path in ("/login", "/admin/users", "/campaigns", "/r/forged~token"):
            status, html = get(base + path)
            assert status == 404 and "Traceback" not in html, path
    finally:
        assert stop(process) == 0
    assert "residents' pages at" in (tmp_path / "run.log").read_text()


def test_poster_command_makes_the_pdf_and_the_png(tmp_path: Path) -> None:
    import zxingcpp

    config = write(tmp_path, free_port())
    made = animabot("poster", "centre", "--format", "png", "-o", str(tmp_path / "a.png"),
                    "--config", str(config))
    assert "https://participer.ville.test/inscription/centre" in made.stdout
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "a.png"))
    assert [code.text for code in codes] == ["https://participer.ville.test/inscription/centre"]
    animabot("poster", "centre", "-o", str(tmp_path / "a.pdf"), "--language", "en",
             "--config", str(config))
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    wrong = animabot("poster", "lune", "-o", str(tmp_path / "b.pdf"), "--config", str(config),
                     check=False)
    assert wrong.returncode == 1 and "lune" in wrong.stderr and "centre" in wrong.stderr
    assert not (tmp_path / "b.pdf").exists()
