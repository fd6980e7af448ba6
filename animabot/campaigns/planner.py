"""Expand a scenario × target chats into delivery rows. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..domain.window import DeliveryWindow
from ..scenario.model import Announcement, Poll, Scenario, Training
from ..scenario.timeline import AUDIENCE, COPIES, SEND, TimelineEntry, build_timeline
from ..store.chats import ChatRecord
from ..store.deliveries import NewDelivery


def delivery_key(campaign_id: str, step_id: str, part: str, target: str) -> str:
    """Unique per campaign × step × part × target: planning twice inserts nothing new."""
    return f"{campaign_id}:{step_id}:{part}:{target}"


def _parts(entry: TimelineEntry, private_polls: frozenset[str]) -> tuple[str, ...]:
    if entry.part == SEND and entry.step_id in private_polls:
        return (SEND, COPIES)
    return (entry.part,)


def plan_deliveries(
    campaign_id: str, timeline: Sequence[TimelineEntry], chats: Sequence[ChatRecord],
    private_polls: frozenset[str] = frozenset(), follow_ups: frozenset[str] = frozenset(),
) -> list[NewDelivery]:
    """One row per timeline entry and chat. Reminder rows are fan-outs: when due they expand
    into private rows for the residents who have not answered by then. A private poll or a
    training also gets a ``copies`` fan-out, used on platforms whose group buttons are not
    private (Matrix): there, residents answer in their direct room with the bot.

    A follow-up aimed by answer (``follow_ups``) is one ``audience`` row for the campaign,
    in no chat: when due it expands into a private row per resident who chose the options."""
    aimed = [
        NewDelivery(
            dedupe_key=f"{campaign_id}:{entry.step_id}:{AUDIENCE}",
            part=AUDIENCE, due_at=entry.due_at, campaign_id=campaign_id, step_id=entry.step_id,
        )
        for entry in timeline if entry.step_id in follow_ups and entry.part == SEND
    ]
    return aimed + [
        NewDelivery(
            dedupe_key=delivery_key(campaign_id, entry.step_id, part, f"chat{chat.id}"),
            part=part,
            due_at=entry.due_at,
            campaign_id=campaign_id,
            step_id=entry.step_id,
            chat_id=chat.id,
        )
        for entry in timeline if entry.step_id not in follow_ups
        for part in _parts(entry, private_polls)
        for chat in chats
    ]


def plan_campaign(
    campaign_id: str, scenario: Scenario, start: datetime, window: DeliveryWindow,
    chats: Sequence[ChatRecord],
) -> tuple[list[TimelineEntry], list[NewDelivery]]:
    timeline = build_timeline(scenario, start, window)
    private = frozenset(
        step.id for step in scenario.steps
        if (isinstance(step, Poll) and step.mode == "private") or isinstance(step, Training)
    )
    follow_ups = frozenset(
        step.id for step in scenario.steps
        if isinstance(step, Announcement) and step.audience is not None
    )
    return timeline, plan_deliveries(campaign_id, timeline, chats, private, follow_ups)
