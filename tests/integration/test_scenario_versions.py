"""The back-office's scenarios on both backends: each save a new version, the first one's
neighbourhoods kept, the latest of each listed."""

from __future__ import annotations

from datetime import timedelta

from animabot.clock import FakeClock
from animabot.core import Core

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)


async def test_each_save_is_a_version_and_the_first_neighbourhoods_stay(
    core: Core, clock: FakeClock,
) -> None:
    scenarios = core.stores.scenarios
    first = await scenarios.save("fete", "Fête", 'id = "fete"\n', "anna", clock.now(),
                                 frozenset({"centre", "gare"}), "éditeur")
    clock.advance(timedelta(minutes=5))
    second = await scenarios.save("fete", "Fête des voisins", 'id = "fete"\n# v2\n', "bruno",
                                  clock.now(), frozenset(), "import")
    await scenarios.save("autre", "Autre", 'id = "autre"\n', "paul", clock.now())
    assert (first.version, second.version) == (1, 2)
    assert second.neighbourhoods == frozenset({"centre", "gare"})
    latest = await scenarios.latest("fete")
    assert latest is not None and latest.toml.endswith("# v2\n") and latest.author == "bruno"
    assert [v.version for v in await scenarios.history("fete")] == [2, 1]
    old = await scenarios.version("fete", 1)
    assert old is not None and old.title == "Fête" and old.note == "éditeur"
    assert [(v.scenario_id, v.version) for v in await scenarios.all_latest()] == [
        ("autre", 1), ("fete", 2)]
    assert await scenarios.latest("personne") is None
