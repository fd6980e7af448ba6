"""A report told in several messages, through the core's one entry point, on SQLite and
PostgreSQL: each message's part is journaled with its event (a replay changes nothing, a
handler error is retried and loses nothing), a photo is kept stripped, and a report needs a
category and a text or a photo before it is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from animabot.campaigns.actions import Action
from animabot.chat.events import ChatRef, LocationReceived, PhotoReceived, Sender, TextReceived
from animabot.clock import FakeClock
from animabot.config.reports import ReportCategory, photo_folder
from animabot.core import Core
from animabot.problems import photos
from animabot.store.problem_report_drafts import DraftStep, ReportDraftRepository
from tests.support.photos import has_metadata, photo_with_gps

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..helpers import People

PRIVATE = ChatRef("simulated", "", True)


def _sender(people: People, n: int) -> Sender:
    return Sender(people.pseudonym(n), "fr", private_address=f"user{n}")


@pytest.fixture
def people(core: Core, clock: FakeClock, tmp_path: Path) -> People:
    core.settings.reports.categories = [ReportCategory(id="voirie", name="Voirie",
                                                       email="voirie@ville.example")]
    core.settings.reports.photos = tmp_path / "photos"
    return People(core, clock)


async def test_each_part_is_journaled_with_its_event_and_a_failure_is_retried(
    core: Core, clock: FakeClock, people: People, monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle, sign = core.conversation.handle, core.services.sign
    drafts = ReportDraftRepository(core.database)
    pseudonym = people.pseudonym(1)
    await handle(people.command(1, "signaler"))
    send = people.press(1, sign(Action("rs", ())))
    assert await handle(send) == "Choisissez d'abord une catégorie."
    await handle(people.press(1, sign(Action("r", ("voirie",)))))
    draft = await drafts.get(pseudonym)
    assert draft is not None and (draft.step, draft.category) == (DraftStep.TEXT, "voirie")

    text = TextReceived("t-1", PRIVATE, _sender(people, 1), clock.now(), text="Un trou")
    await handle(text)
    replay = TextReceived("t-1", PRIVATE, _sender(people, 1), clock.now(), text="Autre chose")
    await handle(replay)  # the same event again: nothing changes
    draft = await drafts.get(pseudonym)
    assert draft is not None and draft.text == "Un trou" and draft.step is DraftStep.DETAILS

    real_save, calls = photos.PhotoStore.save, []

    def flaky(self: photos.PhotoStore, data: bytes, max_bytes: int) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk hiccup")
        return real_save(self, data, max_bytes)

    monkeypatch.setattr(photos.PhotoStore, "save", flaky)
    await handle(PhotoReceived("p-1", PRIVATE, _sender(people, 1), clock.now(),
                               data=photo_with_gps()))
    assert len(calls) == 2  # the handler failed once, the event was handled again
    await handle(LocationReceived("l-1", PRIVATE, _sender(people, 1), clock.now(),
                                  latitude=48.85, longitude=2.35))
    await handle(people.press(1, sign(Action("rs", ()))))
    assert await drafts.get(pseudonym) is None
    report = await core.stores.problem_reports.get(1)
    assert report is not None and report.text == "Un trou" and report.latitude == 48.85
    assert report.photo_ref is not None
    stored = (photo_folder(core.settings.reports, core.settings.storage)
              / report.photo_ref).read_bytes()
    assert not has_metadata(stored)
    assert await handle(people.press(1, sign(Action("rs", ())))) == \
        "Ce signalement a déjà été envoyé ou annulé."


async def test_a_photo_without_a_report_under_way_or_unreadable_is_not_kept(
    core: Core, clock: FakeClock, people: People,
) -> None:
    handle = core.conversation.handle
    await handle(PhotoReceived("p-1", PRIVATE, _sender(people, 2), clock.now(),
                               data=photo_with_gps()))
    folder = photo_folder(core.settings.reports, core.settings.storage)
    assert not folder.exists() or not list(folder.iterdir())
    await handle(people.command(2, "signaler"))
    await handle(PhotoReceived("p-2", PRIVATE, _sender(people, 2), clock.now(),
                               data=b"not a photo"))
    await handle(PhotoReceived("p-3", PRIVATE, _sender(people, 2), clock.now(),
                               too_large=True))
    draft = await ReportDraftRepository(core.database).get(people.pseudonym(2))
    assert draft is not None and draft.photo_ref is None
    await handle(people.press(2, core.services.sign(Action("rx", ()))))
    assert await ReportDraftRepository(core.database).get(people.pseudonym(2)) is None
