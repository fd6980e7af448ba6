"""A facilitator's scenario is read and checked off the event loop: residents are still
answered meanwhile, and thousands of faults make a short reply, not a frozen bot."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from animabot.chat.events import ChatRef, CommandReceived, Sender
from animabot.clock import FakeClock
from animabot.conversation import facilitators
from animabot.core import Core
from animabot.scenario.loader import load_scenario
from animabot.scenario.model import Scenario

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..helpers import People, until

MINIMAL = 'id = "enorme"\ntitle = "Enorme"\n\n[[steps]]\nid = "a"\nkind = "announcement"\n' \
          'at = "+0"\ntext = "Bonjour"\n'
FAULTY_STEP = '\n[[steps]]\nid = "s{n}"\nkind = "announcement"\nat = "after nulle-part"\n' \
              'colour = 1\ntext = "x"\n'


def facilitator(core: Core, clock: FakeClock, command: str, *args: str,
                language: str = "fr") -> CommandReceived:
    return CommandReceived(
        f"f-{command}", ChatRef("simulated", "", True),
        Sender(core.pseudonymize("simulated", "fanny"), language, private_address="fanny",
               is_facilitator=True),
        clock.now(), command=command, args=args)


async def replies_to(core: Core, pseudonym: str) -> list[str]:
    rows = await core.database.fetch_all(
        "SELECT payload FROM delivery WHERE part = 'reply' AND pseudonym = ? ORDER BY id",
        (pseudonym,))
    return [str(json.loads(row["payload"])["text"]) for row in rows]


async def test_a_resident_is_answered_while_a_scenario_is_being_checked(
    core: Core, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_load(path: Path) -> Scenario:
        started.set()
        release.wait(timeout=20)  # on the event loop, this would stall every resident
        return load_scenario(path)

    monkeypatch.setattr(facilitators, "load_scenario", slow_load)
    people = People(core, clock)
    checking = asyncio.create_task(
        core.conversation.handle(facilitator(core, clock, "apercu", "jardin-partage")))
    try:
        await until(lambda: asyncio.sleep(0, started.is_set()), 10, "the check to start")
        await asyncio.wait_for(core.conversation.handle(people.command(1, "aide")), 10)
        assert not checking.done()
        assert len(await replies_to(core, people.pseudonym(1))) == 1
    finally:
        release.set()
    await asyncio.wait_for(checking, 30)
    fanny = str(core.pseudonymize("simulated", "fanny"))
    assert len(await replies_to(core, fanny)) == 1


async def test_thousands_of_faults_make_a_short_reply(
    core: Core, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    text = MINIMAL + "".join(FAULTY_STEP.format(n=n) for n in range(3000))
    (folder / "enorme.toml").write_text(text, encoding="utf-8")
    core.services.settings.bot.scenarios_dir = folder
    await asyncio.wait_for(
        core.conversation.handle(facilitator(core, clock, "apercu", "enorme")), 60)
    (reply,) = await replies_to(core, str(core.pseudonymize("simulated", "fanny")))
    assert "clé inconnue « colour »" in reply and "correction : " in reply
    assert "2990 autres problèmes" in reply and "animabot scenario check" in reply
    assert len(reply) < 4000


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", ["clé inconnue « colour »", "correction : ", "désigne une étape inconnue"]),
     ("en", ["unknown key 'colour'", "fix: ", "refers to an unknown step 'nulle-part'"])],
)
async def test_scenario_problems_speak_the_facilitators_language(
    core: Core, clock: FakeClock, tmp_path: Path, language: str, expected: list[str]
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    lost = '\n[[steps]]\nid = "b"\nkind = "announcement"\nat = "after nulle-part"\ntext = "x"\n'
    (folder / "faux.toml").write_text(MINIMAL + FAULTY_STEP.format(n=1) + lost,
                                      encoding="utf-8")
    core.services.settings.bot.scenarios_dir = folder
    await asyncio.wait_for(core.conversation.handle(
        facilitator(core, clock, "programmer", "faux", "centre", language=language)), 60)
    (reply,) = await replies_to(core, str(core.pseudonymize("simulated", "fanny")))
    for text in expected:
        assert text in reply
    other = "fix: " if language == "fr" else "correction : "
    assert other not in reply
