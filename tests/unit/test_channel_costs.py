"""What a campaign costs on a counted channel (SMS), estimated before it starts."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.sms.rendering import configured
from adapters.sms.settings import sms_settings
from animabot.campaigns.costs import ChannelCost, channel_costs, cost_lines, resident_messages
from animabot.config import Settings
from animabot.domain.window import DeliveryWindow
from animabot.scenario.model import Scenario

START = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
SCENARIO = Scenario.model_validate({
    "id": "jardin", "title": "Jardin",
    "steps": [
        {"id": "annonce", "kind": "announcement", "at": "+0",
         "text": {"fr": "Un jardin partagé ? " * 12}},
        {"id": "envie", "kind": "poll", "at": "+0", "question": {"fr": "Un jardin ?"},
         "options": {"fr": ["Oui", "Non"]}, "closes": "+2d", "reminders": ["+1d"]},
        {"id": "bilan", "kind": "results", "of": "envie"},
    ]})


def sms_on() -> Settings:
    return Settings(sms={"enabled": True, "username": "u", "password": "p",
                         "webhook_secret": "k"})


def window() -> DeliveryWindow:
    return Settings().window()


def test_no_counted_channel_no_estimate() -> None:
    assert channel_costs(Settings(), SCENARIO, START, window()) == []


def test_each_message_a_resident_may_receive_is_counted_in_parts() -> None:
    settings = sms_on()
    messages = resident_messages(SCENARIO, START, window(), "fr", "")
    # The announcement, the poll, its reminder and the results: no close, no totals.
    assert [m.title for m in messages] == [None, "Sondage", "Rappel", "Résultats"]
    parts = [configured(m, sms_settings(settings), "fr").count.segments for m in messages]
    assert parts[0] == 2  # 240 GSM-7 characters and the STOP line
    [cost] = channel_costs(settings, SCENARIO, START, window(), {"sms": 12, "email": 40})
    assert cost == ChannelCost("sms", "SMS", sum(parts), 12)
    assert cost.total == 12 * sum(parts)


def test_what_a_facilitator_reads() -> None:
    assert cost_lines([ChannelCost("sms", "SMS", 7, 120)], "fr") == [
        "SMS : jusqu'à 840 à envoyer (120 habitants × 7, relances comprises)"]
    assert cost_lines([ChannelCost("sms", "SMS", 7, 1)], "en") == [
        "SMS: up to 7 to send (1 resident × 7, reminders included)"]
    assert cost_lines([ChannelCost("sms", "SMS", 7)], "fr") == [
        "SMS : jusqu'à 7 par habitant joint ainsi, relances comprises (--to les compte)"]
