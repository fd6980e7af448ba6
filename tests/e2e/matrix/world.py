"""A Matrix world: a real Synapse, the real adapter syncing with it, the real core on SQLite
with a fake clock the test moves; the outbox worker is drained by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.matrix.adapter import MatrixAdapter
from animabot.chat.events import InboundEvent
from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings
from animabot.core import Core, open_core
from animabot.delivery.worker import DeliveryWorker
from animabot.store.state import PlatformState

from ...conftest import T0, make_settings
from ...helpers import until
from ...support.matrix import MatrixUser, Residents, SynapseServer


@dataclass
class MatrixWorld:
    synapse: SynapseServer
    residents: Residents
    settings: Settings
    bot: MatrixUser
    facilitator: MatrixUser
    room: str
    clock: FakeClock = field(default_factory=lambda: FakeClock(T0))
    core: Core = field(init=False)
    adapter: MatrixAdapter = field(init=False)
    worker: DeliveryWorker = field(init=False)
    _manager: Any = field(init=False, default=None)
    done: set[str] = field(default_factory=set)  # event ids the core has finished handling

    async def _handle(self, event: InboundEvent) -> str | None:
        try:
            return await self.core.conversation.handle(event)
        finally:
            self.done.add(event.event_id)

    async def start(self, timeline_limit: int | None = None) -> None:
        self._manager = open_core(self.settings, self.clock)
        self.core = await self._manager.__aenter__()
        state = PlatformState(self.core.database, "matrix")
        self.adapter = MatrixAdapter(self.settings, self.core.pseudonymize, state)
        if timeline_limit is not None:
            self.adapter.timeline_limit = timeline_limit
        self.worker = self.core.worker({"matrix": self.adapter})
        await self.worker.recover()
        await self.adapter.start(self._handle)

    async def stop_adapter(self) -> None:
        await self.adapter.stop()

    async def restart_adapter(self, timeline_limit: int | None = None) -> None:
        state = PlatformState(self.core.database, "matrix")
        self.adapter = MatrixAdapter(self.settings, self.core.pseudonymize, state)
        if timeline_limit is not None:
            self.adapter.timeline_limit = timeline_limit
        self.worker = self.core.worker({"matrix": self.adapter})
        await self.adapter.start(self._handle)

    async def close(self) -> None:
        await self.adapter.stop()
        await self._manager.__aexit__(None, None, None)

    async def handled(self, *event_ids: str, timeout: float = 20) -> None:
        """Wait until the core has handled these events (journaled, then acted on: the inbox
        row alone comes before the replies are queued), then send what is due."""
        async def done() -> bool:
            return self.done.issuperset(event_ids)

        await until(done, timeout, f"the bot to handle {len(event_ids)} events")
        await self.worker.drain()

    async def bot_in(self, room_id: str, user: MatrixUser) -> None:
        async def joined() -> bool:
            return self.bot.user_id in await self.residents.joined_members(user, room_id)

        await until(joined, 20, "the bot to join")

    async def bot_messages(self, user: MatrixUser, room_id: str) -> list[dict[str, Any]]:
        return [e for e in await self.residents.messages(user, room_id)
                if e.get("sender") == self.bot.user_id and e["type"] != "m.room.member"]

    async def last_from_bot(self, user: MatrixUser, room_id: str) -> dict[str, Any]:
        return (await self.bot_messages(user, room_id))[-1]

    async def dm(self, user: MatrixUser) -> str:
        room_id = await self.residents.create_dm(user, self.bot.user_id)
        await self.bot_in(room_id, user)
        return room_id

    async def say(self, user: MatrixUser, room_id: str, text: str) -> None:
        event_id = await self.residents.send_text(user, room_id, text)
        await self.handled(event_id)

    async def onboard(self, user: MatrixUser, hood: str = "Centre") -> str:
        """A direct room, !start, consent (1), the neighbourhood by its number."""
        room_id = await self.dm(user)
        await self.say(user, room_id, "!start")
        await self.say(user, room_id, "1")
        choice = await self.last_from_bot(user, room_id)
        lines = choice["content"]["body"].split("\n")
        number = next(line.split(".")[0] for line in lines if line.endswith(f". {hood}"))
        await self.say(user, room_id, number)
        return room_id

    async def join_room(self, user: MatrixUser) -> None:
        await self.residents.invite(self.facilitator, self.room, user.user_id)
        await self.residents.join(user, self.room)


def encrypt(settings: Settings, tmp_path: Path) -> None:
    """End-to-end encryption on, its key store and seeds in the test's directory."""
    settings.matrix.encryption = True
    settings.matrix.store_path = tmp_path / "matrix-store"
    settings.matrix.pickle_key = SecretStr("a test pickle key, long enough")
    settings.matrix.cross_signing_seeds_file = tmp_path / "cross-signing-seeds.json"


async def make_world(
    tmp_path: Path, synapse: SynapseServer, residents: Residents,
    new_user: Callable[..., MatrixUser], *, encrypted: bool = False, cross_signing: bool = True,
    configure: Callable[[Settings, str], None] | None = None,
) -> MatrixWorld:
    """``configure(settings, room)`` changes the settings before the core opens (other
    channels beside Matrix, the public pages' address)."""
    bot = new_user("bot")
    synapse.override_ratelimit(bot.user_id, 0, 0)
    facilitator = new_user("fanny")
    room = await residents.create_room(facilitator, "Quartier Centre", invite=[bot.user_id])
    settings = make_settings(tmp_path, quiet_hours="", closed_days=[])
    settings.simulated.enabled = False
    settings.matrix.enabled = True
    settings.matrix.homeserver = synapse.base_url
    settings.matrix.user_id = bot.user_id
    settings.matrix.access_token = SecretStr(bot.access_token)
    settings.matrix.rate = 1000
    settings.matrix.burst = 1000
    settings.matrix.sync_timeout = 1
    settings.facilitators.matrix = [facilitator.user_id]
    settings.matrix.encryption = False  # plain rooms unless the test asks
    if encrypted:
        encrypt(settings, tmp_path)
        settings.matrix.cross_signing = cross_signing
    settings.neighbourhoods = [
        NeighbourhoodSettings(id="centre", name="Centre", matrix_rooms=[room]),
        NeighbourhoodSettings(id="gare", name="Gare"),
    ]
    if configure is not None:
        configure(settings, room)
    world = MatrixWorld(synapse, residents, settings, bot, facilitator, room)
    await world.start()
    await world.bot_in(room, facilitator)
    return world
