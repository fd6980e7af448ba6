"""What the adapter remembers about rooms between runs: direct or group, and the actions a
numbered reply maps to (Matrix has no buttons: "2" answers the last list the bot sent, or the
bot's poll the message replies to)."""

from __future__ import annotations

import json

from animabot.store.state import PlatformState

DIRECT, GROUP = "direct", "group"


class RoomBook:
    def __init__(self, state: PlatformState | None) -> None:
        self.state = state
        self._kinds: dict[str, str] = {}
        self._actions: dict[str, list[str]] = {}
        self._polls: dict[str, list[str]] = {}  # the bot's poll event id → its answer ids

    async def load(self) -> None:
        if self.state is None:
            return
        self._kinds = json.loads(await self.state.get("room_kinds") or "{}")

    async def set_kind(self, room_id: str, kind: str) -> None:
        if self._kinds.get(room_id) != kind:
            self._kinds[room_id] = kind
            if self.state is not None:
                await self.state.set("room_kinds", json.dumps(self._kinds))

    def kind(self, room_id: str, joined_members: int | None) -> str:
        """Known kind, else a guess: two members (the bot and one person) is a direct room."""
        known = self._kinds.get(room_id)
        if known is not None:
            return known
        return DIRECT if joined_members is not None and joined_members <= 2 else GROUP

    async def remember_actions(self, room_id: str, actions: list[str]) -> None:
        self._actions[room_id] = actions
        if self.state is not None:
            await self.state.set(f"actions:{room_id}", json.dumps(actions))

    async def action_for(self, room_id: str, number: int) -> str | None:
        actions = self._actions.get(room_id)
        if actions is None and self.state is not None:
            actions = json.loads(await self.state.get(f"actions:{room_id}") or "[]")
            self._actions[room_id] = actions
        if actions and 1 <= number <= len(actions):
            return actions[number - 1]
        return None

    async def remember_poll(self, event_id: str, actions: list[str]) -> None:
        """A poll the bot sent: a numbered reply to it answers it, in any room."""
        self._polls[event_id] = actions
        if self.state is not None:
            await self.state.set(f"poll:{event_id}", json.dumps(actions))

    async def poll_actions(self, event_id: str) -> list[str] | None:
        """The answer ids of the bot's poll ``event_id``; None if it is not one."""
        actions = self._polls.get(event_id)
        if actions is None and self.state is not None:
            stored = await self.state.get(f"poll:{event_id}")
            if stored:
                actions = self._polls[event_id] = json.loads(stored)
        return actions
