"""A town hall's e-mail list reached through its SMTP relay: residents imported from CSV
with the real command, a campaign started to their neighbourhood, the worker sending to a
real SMTP server on 127.0.0.1; what arrives is checked as a resident's mail client sees it."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from animabot.chat.registry import create_adapter, enabled_adapters
from animabot.clock import FakeClock
from animabot.config import load_settings
from animabot.core import open_core
from animabot.delivery.worker import DeliveryWorker
from animabot.domain.addresses import AddressStatus
from animabot.privacy.links import LinkSigner
from animabot.store.address_book import AddressBook
from animabot.store.residents import ResidentRepository
from tests.support.smtp_server import SmtpServer, smtp_server

from .conftest import animabot, base_config, received_count

pytestmark = pytest.mark.slow
# Tuesday 1 June 2027, 10:00 in Paris: the campaign's start.
START = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
PUBLIC = "https://participer.ville.test"
SCENARIO = """
id = "jardin"
title = "Un jardin ?"
[[steps]]
id = "annonce"
kind = "announcement"
at = "+0"
text.fr = "Un jardin partagé au square ?"
text.en = "A shared garden in the square?"
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
[[steps]]
id = "resultats"
kind = "results"
of = "envie"
"""
RESIDENTS = """courriel;téléphone;quartier;langue;consentement
ana@example.org;;centre;;2026-03-01
bob@Example.ORG;;centre;en;2026-03-01
bad@example.org;;centre;fr;2026-03-01
temp@example.org;;centre;fr;2026-03-01
;06 12 34 56 78;centre;fr;2026-03-01
pas-une-adresse;;centre;fr;2026-03-01
zoe@example.org;;lune;fr;2026-03-01
"""
PEOPLE = ("ana@example.org", "bob@example.org", "bad@example.org", "temp@example.org")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


def write_files(tmp_path: Path, port: int) -> tuple[Path, Path, Path]:
    config = tmp_path / "config.toml"
    config.write_text(base_config(tmp_path) + f"""
[simulated]
enabled = true
log = "{tmp_path / 'platform.db'}"
[email]
enabled = true
smtp_host = "127.0.0.1"
smtp_port = {port}
starttls = false
from_address = "participation@ville.test"
from_name = "Mairie"
per_minute = 6000
[web]
public_url = "{PUBLIC}"
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
simulated_chats = ["g-centre"]
""", encoding="utf-8")
    scenario = tmp_path / "jardin.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    residents = tmp_path / "habitants.csv"
    residents.write_text(RESIDENTS, encoding="utf-8")
    return config, scenario, residents


def _body(mail: EmailMessage, kind: str) -> str:
    part = mail.get_body((kind,))
    assert part is not None
    return str(part.get_content())


def _links(mail: EmailMessage) -> list[str]:
    text = mail.get_body(("plain",))
    assert text is not None
    return re.findall(re.escape(PUBLIC) + r"/r/(\S+)", text.get_content())


def _check_mail(mail: EmailMessage, signer: LinkSigner, now: datetime) -> set[str]:
    """Multipart, RFC 8058 headers, every link signed and personal: the residents' tags."""
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert mail["From"] == "Mairie <participation@ville.test>"
    assert mail["Message-ID"].endswith("@ville.test>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    token = unsubscribe.removeprefix(f"{PUBLIC}/r/")
    link = signer.verify(token, now)
    assert link is not None and link.action == "u"
    html = mail.get_body(("html",))
    assert html is not None and unsubscribe in html.get_content()
    tags = {link.tag}
    for token in _links(mail):
        verified = signer.verify(token, now)
        assert verified is not None, token
        tags.add(verified.tag)
    assert len(tags) == 1  # every link of a message names its one resident
    return tags


async def _drain(worker: DeliveryWorker) -> None:
    while await worker.drain():
        pass


async def test_a_campaign_reaches_a_neighbourhoods_email_residents_besides_its_group(
    tmp_path: Path, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config, scenario, residents = write_files(tmp_path, smtp.port)
    smtp.handler.refused.add("bad@example.org")
    smtp.handler.later["temp@example.org"] = 1

    imported = animabot("residents", "import", str(residents), "--config", str(config),
                        check=False)
    assert imported.returncode == 1
    assert "5 resident(s) read" in imported.stdout and "5 new" in imported.stdout
    assert "line 7: email: not an e-mail address" in imported.stderr
    assert "line 8: unknown neighbourhood 'lune'" in imported.stderr
    again = animabot("residents", "import", str(residents), "--config", str(config),
                     check=False)
    assert "0 new, 0 updated, 5 unchanged" in again.stdout  # idempotent

    started = json.loads(animabot(
        "campaign", "start", str(scenario), "--to", "centre", "--at", "2027-06-01 10:00",
        "--json", "--config", str(config)).stdout)

    settings = load_settings(config)
    clock = FakeClock(START)
    signer = LinkSigner((tmp_path / "animabot.key").read_text().strip().encode())
    async with open_core(settings, clock) as core:
        adapters = {name: create_adapter(factory, settings, core.pseudonymize, clock=clock)
                    for name, factory in enabled_adapters(settings).items()}
        assert set(adapters) == {"email", "simulated"}
        worker = core.worker(adapters)
        book = AddressBook(core.database)

        def pseudonym(address: str) -> str:
            return str(core.pseudonymize("email", address))

        await _drain(worker)
        # The group got its messages too: the e-mail residents come besides, not instead.
        assert received_count(tmp_path / "platform.db") == 2
        ana, bob = smtp.handler.to("ana@example.org"), smtp.handler.to("bob@example.org")
        assert [m["Subject"] for m in ana] == [
            "Un jardin partagé au square ?", "Sondage · Voulez-vous un jardin ?"]
        assert [m["Subject"] for m in bob] == [
            "A shared garden in the square?", "Poll · Do you want a garden?"]
        assert "Se désabonner" in _body(ana[1], "plain")
        assert "Unsubscribe" in _body(bob[1], "plain")
        tags = [_check_mail(m, signer, clock.now()) for m in (*ana, *bob)]
        assert tags[0] == tags[1] and tags[2] == tags[3] and tags[0] != tags[2]
        poll_links = [signer.verify(t, clock.now()) for t in _links(ana[1])]
        actions = [link.action for link in poll_links if link is not None]
        assert len(actions) == len(poll_links) == 5
        assert [a.rsplit(".", 1)[-1] for a in actions[:3]] == ["0", "1", "2"]  # per option
        assert actions[3].startswith("p.") and actions[4] == "u"  # the page, unsubscribing
        assert len({m["Message-ID"] for m in (*ana, *bob)}) == 4

        # The phone residents' list waits for its adapter as one row, not one per resident.
        sms = await core.stores.chats.find("sms", "residents:centre")
        assert sms is not None
        waiting = await core.stores.deliveries.find(started["id"], "annonce", "send", sms.id)
        assert [(d.status, d.pseudonym) for d in waiting] == [("pending", None)]

        # A permanent refusal: the address is unreachable, recorded, and nothing more goes.
        assert smtp.handler.to("bad@example.org") == []
        bad = await book.entry(pseudonym("bad@example.org"))
        assert bad is not None and bad.status == AddressStatus.UNREACHABLE
        # A temporary one is retried by the worker's backoff.
        assert len(smtp.handler.to("temp@example.org")) == 1  # the poll went, not the news
        clock.advance(timedelta(minutes=1))
        await _drain(worker)
        assert len(smtp.handler.to("temp@example.org")) == 2

        clock.advance(timedelta(days=1))  # the poll's reminder, the training
        await _drain(worker)
        for person in ("ana@example.org", "bob@example.org", "temp@example.org"):
            assert len(smtp.handler.to(person)) == 4, person
        later = sorted(m["Subject"] for m in smtp.handler.to("ana@example.org")[2:])
        assert later == ["Micro-formation · Composter", "Rappel · Rappel : vous n'avez pas "
                         "encore répondu à ce sondage."]
        training = next(m for m in smtp.handler.to("bob@example.org")[2:]
                        if "Composting" in m["Subject"])
        actions = [link.action for t in _links(training)
                   if (link := signer.verify(t, clock.now())) is not None]
        assert actions[0].startswith("t.") and actions[0].endswith(".1")  # its reading page
        clock.advance(timedelta(days=1))  # the poll closes: its results
        await _drain(worker)
        for person in ("ana@example.org", "bob@example.org", "temp@example.org"):
            assert len(smtp.handler.to(person)) == 5, person
        assert smtp.handler.to("bad@example.org") == []
        assert smtp.handler.tried.count("bad@example.org") == 1  # later steps skipped it
        assert "Résultats" in smtp.handler.to("ana@example.org")[4]["Subject"]
        for adapter in adapters.values():
            await adapter.stop()

        exports = [animabot(*command, "--config", str(config)).stdout for command in (
            ("stats", "campaign", started["id"], "--format", "json"),
            ("stats", "campaign", started["id"], "--format", "csv"),
            ("stats", "overview", "--format", "json"),
            ("stats", "neighbourhood", "centre", "--format", "json"),
            ("campaign", "show", started["id"], "--json"),
            ("privacy", "register"),
        )]
        stats = "\n".join(exports)
        split = json.loads(exports[0])["polls"][0]["platforms"]
        assert split["email"]["reach"] == 4 and split["email"]["chats"] == 1  # per channel
        assert "courriel" in exports[-1]
        # The report says which channels reached whom: the group by its count, the e-mail
        # residents one by one as people (3 written to: hidden under the threshold).
        report = tmp_path / "rapport.html"
        animabot("report", started["id"], "--out", str(report), "--config", str(config))
        html = report.read_text(encoding="utf-8")
        channels = html[html.index("<h3>Canaux</h3>"):html.index("<h3>Répondants par canal")]
        rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td>\s*<td class=\"n\">([^<]+)</td>"
                          r"\s*<td class=\"n\">([^<]+)</td>", channels)
        assert ("Courriel", "—", "&lt; 5") in rows and ("Simulation", "1", "—") in rows
        assert "Répondants par canal" in html
        stats += html
        # Erasure leaves no trace of the address, in the tables or the file.
        await ResidentRepository(core.database).erase(pseudonym("ana@example.org"))
        assert await book.entry(pseudonym("ana@example.org")) is None
    for person in PEOPLE:
        assert person not in caplog.text, person
        assert person not in stats
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("animabot.db*"))
    assert b"ana@example.org" not in stored
    assert b"bob@example.org" in stored  # (the check above can see an address)
