"""Privacy on Telegram, end to end over real HTTP: the bot at DEBUG through onboarding, votes,
reminders, ideas and /oubli logs no resident's id, name or username; erasure leaves the
pseudonym in no table, key, index or file byte; a button only counts on its own message."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from animabot.redaction import PLATFORM_LOGGERS, forget_identities, hold_platform_loggers

from ...helpers import POLL_SCENARIO, scenario
from .conftest import TelegramWorld

GROUP = -1001  # neighbourhood "centre"
# (id, first name, last name, username): words that appear nowhere else in a log.
PEOPLE = [
    (987654301, "Zéphyrine", "Quillebeuf-Arnaud", "zephy_quill42"),
    (987654302, "Barnabé", "Vautrinelle", "barnab_vtr"),
    (987654303, "Ondine", "Kerbrat", "ondine_kbt"),
]


def _buttons(message: object) -> list[tuple[str, str]]:
    markup = getattr(message, "reply_markup", None) or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
            for b in row]


def _add_people(world: TelegramWorld) -> None:
    for user_id, first, last, username in PEOPLE:
        world.emulator.add_user(user_id, first, username=username, last_name=last)
        world.emulator.state.chats[GROUP].members.add(user_id)


async def _onboard(world: TelegramWorld, user: int) -> None:
    em = world.emulator
    em.user_sends(user, user, "/start")
    await world.settle()
    welcome = em.messages_to(user)[-1]
    em.user_presses(user, user, welcome.message_id, _buttons(welcome)[0][1])
    await world.settle()
    choice = em.messages_to(user)[-1]
    em.user_presses(user, user, choice.message_id,
                    next(d for label, d in _buttons(choice) if label == "Centre"))
    await world.settle()


async def _erase(world: TelegramWorld, user: int) -> None:
    em = world.emulator
    em.user_sends(user, user, "/oubli")
    await world.settle()
    question = em.messages_to(user)[-1]
    labels = [label for label, _ in _buttons(question)]
    assert labels == ["Oui, tout effacer", "Non, garder"]
    em.user_presses(user, user, question.message_id, _buttons(question)[0][1])
    await world.settle()


async def _everything(world: TelegramWorld) -> None:
    """Onboarding, a poll voted in the group, a reminder, an idea, /mesdonnees, /oubli."""
    em, core = world.emulator, world.core
    _add_people(world)
    for user_id, *_ in PEOPLE:
        await _onboard(world, user_id)
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await world.worker.drain()
    poll = next(m for m in em.messages_to(GROUP) if "Un jardin ?" in (m.text or ""))
    for user_id, *_ in PEOPLE[:2]:  # the third one will be reminded
        em.user_presses(user_id, GROUP, poll.message_id, _buttons(poll)[0][1])
    await world.settle()
    world.clock.advance(timedelta(days=1))
    await world.worker.drain()
    reminded = PEOPLE[2][0]
    assert any("Rappel" in (m.text or "") for m in em.messages_to(reminded))
    em.user_sends(reminded, reminded, "/idee Un banc près de l'école")
    em.user_sends(reminded, reminded, "/mesdonnees")
    await world.settle()
    await _erase(world, reminded)


@pytest.fixture
def debug_log() -> Iterator[list[str]]:
    """The root logger at DEBUG, as ``animabot run --verbose`` sets it; every formatted line
    (tracebacks included) is kept. Levels are restored afterwards."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in PLATFORM_LOGGERS}
    saved_root = root.level
    for name in PLATFORM_LOGGERS:  # a fresh process: nothing held yet
        logging.getLogger(name).setLevel(logging.NOTSET)
    forget_identities()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("platform_debug", ["held", "lifted"])
async def test_no_resident_id_name_or_username_in_the_log_at_debug(
    world: TelegramWorld, debug_log: list[str], platform_debug: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if platform_debug == "lifted":  # a developer's ANIMABOT_DEBUG_PLATFORM=1: payloads logged
        monkeypatch.setenv("ANIMABOT_DEBUG_PLATFORM", "1")
    hold_platform_loggers()
    await _everything(world)
    log = "\n".join(debug_log).casefold()
    assert "a resident erased their data" in log  # the test saw the bot's log
    if platform_debug == "lifted":
        assert "getupdates" in log and "[person]" in log  # payloads were there, masked
    else:
        assert not any(line.startswith("DEBUG telegram") for line in debug_log)
    for user_id, first, last, username in PEOPLE:
        for word in (str(user_id), first, last, *last.split("-"), username):
            assert word.casefold() not in log, f"{word!r} is in the log"


async def test_erasure_leaves_no_pseudonym_in_any_table_key_index_or_file(
    world: TelegramWorld,
) -> None:
    core = world.core
    user_id = PEOPLE[2][0]
    pseudonym = core.pseudonymize("telegram", str(user_id))
    _add_people(world)
    for person, *_ in PEOPLE:
        await _onboard(world, person)
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await world.worker.drain()
    world.clock.advance(timedelta(days=1))
    await world.worker.drain()  # reminders: private rows keyed per resident
    world.emulator.user_sends(user_id, user_id, "/idee Un banc près de l'école")
    await world.settle()
    resident = await core.services.residents.get(pseudonym)
    assert resident is not None
    traces = [pseudonym, resident.tag, str(user_id)]
    database = Path(core.database.path)
    assert pseudonym.encode() in _file_bytes(database)  # the scan can see it

    await _erase(world, user_id)

    for trace in traces:
        assert trace not in await _every_value(world), trace
        assert trace.encode() not in _file_bytes(database), trace
    keys = await core.database.fetch_all("SELECT dedupe_key FROM delivery")
    assert any(row["dedupe_key"].startswith("erased:") for row in keys)

    world.emulator.user_sends(user_id, user_id, "/mesdonnees")
    await world.settle()
    shown = world.texts(user_id)[-1]
    assert resident.tag[:8] not in shown and pseudonym[:8] not in shown
    assert "messages privés : désactivés" in shown


async def _every_value(world: TelegramWorld) -> str:
    """Every value of every column of every table (index keys are values of their table)."""
    database = world.core.database
    tables = await database.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    values = []
    for table in tables:
        for row in await database.fetch_all(f'SELECT * FROM "{table["name"]}"'):
            values.extend(str(value) for value in tuple(row))
    return "\n".join(values)


def _file_bytes(database: Path) -> bytes:
    """The database file, its write-ahead log and shared-memory index, as raw bytes."""
    return b"".join(
        path.read_bytes() for path in
        (database, database.with_name(database.name + "-wal"),
         database.with_name(database.name + "-shm"))
        if path.exists()
    )


async def test_no_keeps_everything(world: TelegramWorld) -> None:
    em, core = world.emulator, world.core
    _add_people(world)
    user_id = PEOPLE[0][0]
    await _onboard(world, user_id)
    em.user_sends(user_id, user_id, "/oubli")
    await world.settle()
    question = em.messages_to(user_id)[-1]
    em.user_presses(user_id, user_id, question.message_id, _buttons(question)[1][1])
    await world.settle()
    assert any(a.text == "Rien n'a été effacé." for a in em.callback_answers.values())
    resident = await core.services.residents.get(core.pseudonymize("telegram", str(user_id)))
    assert resident is not None and resident.consent_at is not None


async def test_a_button_of_one_campaign_pressed_on_another_campaigns_message_is_refused(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    _add_people(world)
    user_id = PEOPLE[1][0]
    await _onboard(world, user_id)
    first = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await world.worker.drain()
    second = await core.campaigns.start(scenario({**POLL_SCENARIO, "id": "autre"}), ["centre"])
    await world.worker.drain()
    polls = [m for m in em.messages_to(GROUP) if "Un jardin ?" in (m.text or "")]
    assert len(polls) == 2
    on_a, of_b = polls[0], polls[1]
    em.user_presses(user_id, GROUP, on_a.message_id, _buttons(of_b)[0][1], strict=False)
    await world.settle()
    assert any(a.text == "Ce bouton n'est pas valide." for a in em.callback_answers.values())
    pseudonym = core.pseudonymize("telegram", str(user_id))
    for campaign in (first.id, second.id):
        assert await core.services.answers.vote_of(campaign, "envie", pseudonym) == ()
    em.user_presses(user_id, GROUP, of_b.message_id, _buttons(of_b)[0][1])  # its own message
    await world.settle()
    assert await core.services.answers.vote_of(second.id, "envie", pseudonym) == (0,)
