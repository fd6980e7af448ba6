"""The evaluation report on a real demo database: its sections, its privacy, its figures."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from animabot.demo.runner import run_demo
from animabot.report import build_report
from animabot.stats.campaign import campaign_figures
from animabot.stats.export import figures_to_json
from animabot.store.database import Database

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)

ANIMABOT = str(Path(sys.executable).parent / "animabot")
SECTIONS = ("1. Objectifs", "2. Moyens", "3. Actions", "4. Résultats", "5. Effets")
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "d.db"
    asyncio.run(run_demo(residents=40, seed=1, database=path))
    return path


async def report_of(path: Path) -> str:
    async with Database.open(path) as database:
        return await build_report(database, "demo-1", 5)


async def test_report_has_the_five_sections_and_no_external_resource(demo_db: Path) -> None:
    html = await report_of(demo_db)
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == list(SECTIONS)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    sources = re.findall(r'<img src="([^"]*)"', html)
    assert len(sources) >= 3
    assert all(DATA_URI.fullmatch(source) for source in sources)
    assert "Aucune campagne antérieure" in html


async def test_report_names_nobody(demo_db: Path) -> None:
    html = await report_of(demo_db)
    text = DATA_URI.sub("", html)  # base64 may spell anything by chance
    async with Database.open(demo_db) as database:
        pseudonyms = [r["pseudonym"] for r in await database.fetch_all(
            "SELECT pseudonym FROM resident")]
        addresses = [r["address"] for r in await database.fetch_all(
            "SELECT address FROM address_book UNION SELECT address FROM chat")]
    assert pseudonyms and addresses
    assert not [p for p in pseudonyms if p in text]
    assert not [a for a in addresses if a in text]
    assert "user" not in text.lower()


async def test_report_figures_match_the_statistics(demo_db: Path) -> None:
    html = await report_of(demo_db)
    async with Database.open(demo_db) as database:
        data = figures_to_json(await campaign_figures(database, "demo-1", 5))
    poll = data["polls"][0]
    shown = re.search(rf'id="{poll["step"]}-respondents">([^<]*)<', html)
    assert shown is not None
    assert shown.group(1) == str(poll["respondents"]["value"])
    assert "&lt; 5" in html  # the demo hides small options


@pytest.mark.slow
def test_report_command_writes_the_file(demo_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    env = {k: v for k, v in os.environ.items() if k != "ANIMABOT_CONFIG"}
    result = subprocess.run(
        [ANIMABOT, "report", "demo-1", "--database", str(demo_db), "--out", str(target)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.exists() and "5. Effets" in target.read_text(encoding="utf-8")
    assert str(target) in result.stdout
    missing = subprocess.run(
        [ANIMABOT, "report", "nope", "--database", str(demo_db), "--out", str(target) + "2"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
        stdin=subprocess.DEVNULL,
    )
    assert missing.returncode == 1 and "aucune campagne 'nope'" in missing.stderr
    assert not Path(str(target) + "2").exists()


async def test_report_states_the_shared_status_and_fits_the_page(demo_db: Path) -> None:
    html = await report_of(demo_db)
    async with Database.open(demo_db) as database:
        status = (await campaign_figures(database, "demo-1", 5)).status
    if status == "finished":
        assert "menée selon le calendrier prévu" in html
    else:
        assert "menée selon le calendrier prévu" not in html
    assert "table-layout: fixed" in html  # the eight-column actions table fits A4 portrait
    assert " 1 membres" not in html and " 1 répondants" not in html
    async with Database.open(demo_db) as database:  # a poll still open: rows still waiting
        closes = await database.fetch_all("SELECT id, status FROM delivery WHERE part = 'close'")
        await database.execute("UPDATE delivery SET status = 'pending' WHERE part = 'close'")
    try:
        running = await report_of(demo_db)
        assert "<dd>en cours</dd>" in running
    finally:
        async with Database.open(demo_db) as database:
            for row in closes:
                await database.execute("UPDATE delivery SET status = ? WHERE id = ?",
                                       (row["status"], row["id"]))
