"""Benchmark: one step (a poll) to 10,000 e-mail residents through a local SMTP server.

The server is aiosmtpd's ``Sink`` in its own process (it accepts and drops every message), so
the CPU measured here is animabot's alone. In the same run, the baseline is a raw aiosmtplib
loop sending as many ready-made messages over one connection: what the SMTP exchange itself
costs, with nothing planned, composed, personalised nor recorded.

For animabot: the campaign is started (one list row for the neighbourhood's e-mail
residents), then the delivery worker drains it through the e-mail adapter as ``animabot run``
would: the list expands to one row per resident, each message is composed in the resident's
language with its signed personal links, sent, and recorded in its own transaction. The
relay's pace (``[email] per_minute``) is lifted so that the pacer does not hide the cost.

    python bench/bench_email.py [--residents 10000] [--repeat 3] [--in-flight 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from adapters.email.factory import EmailAdapterFactory
from adapters.email.settings import email_settings
from animabot.chat.registry import create_adapter
from animabot.clock import FakeClock
from animabot.config import load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.store.address_book import AddressBook, Enrolment

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sink(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
         "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the SMTP sink did not start")


@dataclass
class Run:
    seconds: float
    cpu: float
    messages: int

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def cpu_per_message(self) -> float:
        return self.cpu / self.messages


def scenario() -> Scenario:
    return Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
        {"id": "sondage", "kind": "poll", "at": "+0", "closes": "+30d",
         "question": {"fr": "Un jardin au square ?", "en": "A garden in the square?"},
         "options": {"fr": ["Oui", "Non", "Sans avis"], "en": ["Yes", "No", "No opinion"]}},
    ]})


async def animabot_run(tmp: Path, port: int, residents: int, in_flight: int) -> Run:
    path = tmp / "config.toml"
    path.write_text(f"""
[storage]
database = "{tmp / 'bench.db'}"
[privacy]
key = "bench-key-0123456789abcdef0123456789"
[delivery]
quiet_hours = ""
closed_days = []
[email]
enabled = true
smtp_host = "127.0.0.1"
smtp_port = {port}
starttls = false
from_address = "participation@ville.test"
in_flight = {in_flight}
[web]
public_url = "https://participer.ville.test"
[[neighbourhoods]]
id = "ville"
name = "Ville"
""", encoding="utf-8")
    settings = load_settings(path)
    config = email_settings(settings)
    config.per_minute = 1e9  # the pacer off: the cost, not the relay's allowance
    clock = FakeClock(START)
    async with open_core(settings, clock) as core:
        await AddressBook(core.database).enrol_all([
            Enrolment(core.pseudonymize("email", f"r{i}@example.org"), "email",
                      f"r{i}@example.org", "ville", "en" if i % 5 == 0 else "fr",
                      START - timedelta(days=1))
            for i in range(residents)], START)
        await core.campaigns.start(scenario(), ["ville"], START)
        adapter = create_adapter(EmailAdapterFactory(), settings, core.pseudonymize,
                                 clock=clock)
        worker = core.worker({"email": adapter})
        began, cpu = time.perf_counter(), time.process_time()
        sent = 0
        while (done := await worker.drain()) > 0:
            sent += done
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        await adapter.stop()
        stats = await core.database.fetch_all(
            "SELECT status, COUNT(*) AS n FROM delivery WHERE pseudonym IS NOT NULL"
            " GROUP BY status")
        by_status = {row["status"]: row["n"] for row in stats}
        if by_status.get("sent", 0) != residents:
            raise SystemExit(f"not every message went: {by_status}")
    return Run(elapsed, cpu, residents)


def raw_messages(count: int) -> list[EmailMessage]:
    messages = []
    for i in range(count):
        mail = EmailMessage()
        mail["From"] = "participation@ville.test"
        mail["To"] = f"r{i}@example.org"
        mail["Subject"] = "Sondage · Un jardin au square ?"
        mail.set_content("Un jardin au square ?\n\nOui : https://participer.ville.test/r/x\n")
        mail.add_alternative("<p>Un jardin au square ?</p>", subtype="html")
        messages.append(mail)
    return messages


async def raw_loop(port: int, count: int) -> Run:
    messages = raw_messages(count)
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    began, cpu = time.perf_counter(), time.process_time()
    await client.connect()
    for mail in messages:
        await client.send_message(mail)
    await client.quit()
    return Run(time.perf_counter() - began, time.process_time() - cpu, count)


def line(name: str, runs: list[Run]) -> str:
    rates = [r.rate for r in runs]
    cpus = [r.cpu_per_message * 1e6 for r in runs]
    return (f"{name:<34} {statistics.median(rates):8,.0f} msg/s "
            f"({min(rates):,.0f}–{max(rates):,.0f})   "
            f"CPU {statistics.median(cpus):7,.0f} µs/msg ({min(cpus):,.0f}–{max(cpus):,.0f})")


async def main(residents: int, repeat: int, in_flight: int) -> None:
    port = free_port()
    sink = start_sink(port)
    ours: list[Run] = []
    raw: list[Run] = []
    try:
        for _ in range(repeat):
            raw.append(await raw_loop(port, residents))
            with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
                ours.append(await animabot_run(Path(tmp), port, residents, in_flight))
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    load = os.getloadavg()[0]
    print(f"one poll to {residents:,} e-mail residents, local SMTP sink, {repeat} run(s), "
          f"median (min–max); load average {load:.1f}")
    print(line("baseline: raw aiosmtplib loop", raw))
    print(line(f"animabot: worker + e-mail adapter ({in_flight} conn.)", ours))
    ratio = statistics.median(r.cpu_per_message for r in ours) / statistics.median(
        r.cpu_per_message for r in raw)
    print(f"CPU per message: {ratio:.1f} × the raw loop's")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=2)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.residents, arguments.repeat, arguments.in_flight))
