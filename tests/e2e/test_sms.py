"""A town hall's SMS list through its Android phone: residents imported from CSV with the
real command, a campaign started to their neighbourhood, the worker sending through the
gateway emulator (the official client, real HTTP); residents answer by replying a number,
signed webhooks bring the replies back, ``STOP`` stops everything to that number."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from animabot.chat.registry import create_adapter, enabled_adapters
from animabot.clock import FakeClock
from animabot.config import load_settings
from animabot.core import open_core
from animabot.delivery.worker import DeliveryWorker
from animabot.domain.addresses import AddressStatus
from animabot.store.address_book import AddressBook
from animabot.store.state import PlatformState
from tests.support.sms_gateway import SmsGatewayEmulator

from .conftest import ANIMABOT, ROOT, animabot, base_config, stop

pytestmark = pytest.mark.slow
START = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)  # Tuesday 1 June 2027, 10:00 in Paris
PUBLIC = "https://participer.ville.test"
SCENARIO = """
id = "jardin"
title = "Un jardin ?"
[[steps]]
id = "annonce"
kind = "announcement"
at = "+0"
text.fr = "Un jardin partagé au square ? Réunion samedi."
text.en = "A shared garden in the square? Meeting on Saturday."
[[steps]]
id = "envie"
kind = "poll"
at = "+0"
question.fr = "Voulez-vous un jardin ?"
question.en = "Do you want a garden?"
options.fr = ["Oui", "Non", "Sans avis"]
options.en = ["Yes", "No", "No opinion"]
closes = "+2d"
reminders = ["+1d"]
[[steps]]
id = "compost"
kind = "training"
at = "+1d"
title.fr = "Composter"
title.en = "Composting"
closes = "+3d"
[[steps.cards]]
text.fr = "Carte un"
text.en = "Card one"
[[steps.cards]]
text.fr = "Carte deux"
text.en = "Card two"
[[steps.quiz]]
question.fr = "Les épluchures ?"
question.en = "Peelings?"
options.fr = ["Oui", "Non"]
options.en = ["Yes", "No"]
correct = 1
explanation.fr = "Au compost."
explanation.en = "Compost them."
"""
RESIDENTS = """téléphone;quartier;langue;consentement
06 12 34 56 78;centre;fr;2026-03-01
+33 6 98 76 54 32;centre;en;2026-03-01
0611223344;centre;fr;2026-03-01
06 00;centre;fr;2026-03-01
"""
ANA, BOB, CLEO = "+33612345678", "+33698765432", "+33611223344"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGatewayEmulator]:
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=5) as gateway:
        yield gateway


def write_files(tmp_path: Path, gateway: SmsGatewayEmulator, port: int) -> tuple[Path, Path, Path]:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + f"""
[sms]
enabled = true
gateway_url = "{gateway.cloud_url}"
username = "{gateway.username}"
password = "{gateway.password}"
webhook_secret = "{gateway.signing_key}"
webhook_url = "http://127.0.0.1:{port}/sms/webhook"
webhook_listen = "127.0.0.1:{port}"
sender_name = "Mairie"
max_per_window = 300
[web]
public_url = "{PUBLIC}"
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
""", encoding="utf-8")
    scenario = tmp_path / "jardin.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    residents = tmp_path / "habitants.csv"
    residents.write_text(RESIDENTS, encoding="utf-8")
    return config, scenario, residents


async def _drain(worker: DeliveryWorker) -> None:
    while await worker.drain():
        pass


async def test_a_campaign_by_sms_answered_by_number_and_stopped_by_stop(
        tmp_path: Path, gateway: SmsGatewayEmulator) -> None:
    port = free_port()
    config, scenario, residents = write_files(tmp_path, gateway, port)
    imported = animabot("residents", "import", str(residents), "--config", str(config),
                        check=False)
    assert "3 new" in imported.stdout, imported.stdout + imported.stderr
    assert "line 5" in imported.stderr  # "06 00" is not a number
    preview = animabot("scenario", "preview", str(scenario), "--start", "01/06/2027 10:00",
                       "--to", "centre", "--plain", "--config", str(config)).stdout
    assert "SMS : jusqu'à " in preview and "(3 habitants × " in preview
    started = json.loads(animabot(
        "campaign", "start", str(scenario), "--to", "centre", "--at", "2027-06-01 10:00",
        "--json", "--config", str(config)).stdout)
    estimate = started["channels"]["sms"]
    assert estimate["residents"] == 3
    assert estimate["total"] == 3 * estimate["per_resident"]
    assert f"SMS : jusqu'à {estimate['total']} à envoyer" in preview

    settings = load_settings(config)
    clock = FakeClock(START)
    async with open_core(settings, clock) as core:
        adapters = {name: create_adapter(factory, settings, core.pseudonymize, clock=clock,
                                         state=PlatformState(core.database, name))
                    for name, factory in enabled_adapters(settings).items()}
        assert set(adapters) == {"sms"}
        sms = adapters["sms"]
        await sms.start(core.conversation.handle)
        try:
            worker = core.worker(adapters)
            await _drain(worker)
            await gateway.wait_until(lambda: len(gateway.sent) == 6)
            ana = gateway.sent_to(ANA)
            assert ana[0] == "Mairie\nUn jardin partagé au square ? Réunion samedi.\n" \
                             "STOP pour ne plus recevoir de SMS"
            assert ana[1].startswith("Mairie: Sondage\nVoulez-vous un jardin ?")
            assert ana[1].endswith("1. Oui\n2. Non\n3. Sans avis\nRépondez 1, 2 ou 3.\n"
                                   "STOP pour ne plus recevoir de SMS")
            assert "Reply 1, 2 or 3." in gateway.sent_to(BOB)[1]  # in Bob's language
            assert PUBLIC not in ana[1]  # a poll is answered by number, no link to pay for

            # Ana answers 2 (Non), then changes her mind: 1 (Oui). Bob says STOP.
            for phone, text in ((ANA, "2"), (ANA, " 1. "), (BOB, "Stop")):
                event = gateway.resident_sends(phone, text)
                await gateway.wait_until(lambda event=event: event in gateway.acknowledged)
            answers = await core.database.fetch_all(
                "SELECT pseudonym, platform, choices FROM answer WHERE campaign_id = ?",
                (started["id"],))
            assert [(a["pseudonym"], a["platform"], a["choices"]) for a in answers] == [
                (core.pseudonymize("sms", ANA), "sms", "[0]")]
            # The core's notice for each answer goes back to Ana by SMS, keyed by her SMS.
            await gateway.wait_until(lambda: len(gateway.sent_to(ANA)) == 4)
            assert gateway.sent_to(ANA)[2].startswith("Mairie\nRéponse enregistrée : Non.")
            assert gateway.sent_to(ANA)[3].startswith("Mairie\nRéponse enregistrée : Oui.")
            bob = await AddressBook(core.database).entry(core.pseudonymize("sms", BOB))
            assert bob is not None and bob.status == AddressStatus.UNSUBSCRIBED

            clock.advance(timedelta(days=1))  # the reminder and the training
            await _drain(worker)
            await gateway.wait_until(lambda: len(gateway.sent_to(CLEO)) == 4)
            cleo = gateway.sent_to(CLEO)
            assert any(t.startswith("Mairie: Rappel") and t.endswith(
                "Répondez 1, 2 ou 3.\nSTOP pour ne plus recevoir de SMS") for t in cleo[2:])
            training = next(t for t in cleo[2:] if "Composter" in t)
            assert f"Commencer: {PUBLIC}/r/" in training  # a short text and its link
            assert len(gateway.sent_to(ANA)) == 5  # the training, no reminder: she answered
            assert len(gateway.sent_to(BOB)) == 2  # nothing after STOP
            assert all(m.state == "Delivered" for m in gateway.messages.values())
            # Cleo answered nothing: she got every message the estimate counted, as many parts.
            cleo_parts = sum(m.segments for m in gateway.sent
                             if m.recipients[0].phone_number == CLEO)
            assert cleo_parts == estimate["per_resident"]
        finally:
            await sms.stop()


async def test_animabot_run_sends_by_sms_and_counts_a_reply(
        tmp_path: Path, gateway: SmsGatewayEmulator) -> None:
    """The real ``animabot run``: the factory builds the adapter, which registers its webhook,
    sends the campaign, hears a reply, and stops on SIGTERM."""
    port = free_port()
    config, scenario, residents = write_files(tmp_path, gateway, port)
    animabot("residents", "import", str(residents), "--config", str(config), check=False)
    started = json.loads(animabot(
        "campaign", "start", str(scenario), "--to", "centre", "--at", "now",
        "--json", "--config", str(config)).stdout)
    log = tmp_path / "bot.log"
    with log.open("ab") as handle:
        bot = subprocess.Popen([ANIMABOT, "run", "--config", str(config)], cwd=ROOT,
                               stdout=handle, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    try:
        await gateway.wait_until(lambda: len(gateway.sent_to(ANA)) >= 2, timeout=60)
        assert "sms:received" in {h.event for h in gateway.webhooks.values()}
        event = gateway.resident_sends(ANA, "3")
        await gateway.wait_until(lambda: event in gateway.acknowledged, timeout=60)

        def answered() -> bool:
            with sqlite3.connect(tmp_path / "animabot.db", timeout=5) as db:
                rows = db.execute("SELECT choices FROM answer WHERE campaign_id = ?",
                                  (started["id"],)).fetchall()
            return rows == [("[2]",)]

        await gateway.wait_until(answered, timeout=30)
        await gateway.wait_until(lambda: any(
            t.startswith("Mairie\nRéponse enregistrée : Sans avis.")
            for t in gateway.sent_to(ANA)), timeout=30)
    finally:  # in a thread: the emulator on this loop must keep answering while it stops
        assert await asyncio.to_thread(stop, bot) == 0, log.read_text(encoding="utf-8")
    assert ANA not in log.read_text(encoding="utf-8")
