"""The real-Synapse fixture works: accounts, rooms, polls, kicks, rate limits and nio sync."""

from __future__ import annotations

import pytest
from nio import AsyncClient, SyncResponse  # type: ignore[import-untyped]

from ..support.matrix import MatrixApiError, Residents, SynapseServer
from ..support.matrix.fixtures import UserFactory, matrix, new_user, synapse

__all__ = ["matrix", "new_user", "synapse"]

pytestmark = pytest.mark.slow

POLL_START = "org.matrix.msc3381.poll.start"


def test_server_is_healthy(synapse: SynapseServer) -> None:
    assert synapse.running
    assert synapse.health() == "OK"
    assert synapse.server_name == "animabot.test"
    assert synapse.base_url.startswith("http://127.0.0.1:")


async def test_residents_meet_in_a_room_and_poll_responses_read_back(
    matrix: Residents, new_user: UserFactory
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    assert alice.user_id.startswith("@alice-") and alice.user_id.endswith(":animabot.test")
    room = await matrix.create_room(alice, "Conseil de quartier", invite=[bob.user_id])
    await matrix.join(bob, room)
    assert room in await matrix.joined_rooms(bob)
    assert await matrix.joined_members(alice, room) == sorted([alice.user_id, bob.user_id])

    text_id = await matrix.send_text(bob, room, "Bonjour !")
    poll_id = await matrix.send_event(alice, room, POLL_START, {
        POLL_START: {"question": {"body": "Un banc ?"}, "kind": "org.matrix.msc3381.poll.disclosed",
                     "max_selections": 1, "answers": [{"id": "oui", "body": "Oui"}]},
    })
    unstable_id = await matrix.vote_unstable(bob, room, poll_id, ["oui"])
    stable_id = await matrix.vote_stable(alice, room, poll_id, ["oui"])

    events = {e["event_id"]: e for e in await matrix.messages(alice, room)}
    assert events[text_id]["content"] == {"msgtype": "m.text", "body": "Bonjour !"}
    unstable = events[unstable_id]
    assert unstable["type"] == "org.matrix.msc3381.poll.response"
    assert unstable["sender"] == bob.user_id
    assert unstable["content"] == {
        "m.relates_to": {"rel_type": "m.reference", "event_id": poll_id},
        "org.matrix.msc3381.poll.response": {"answers": ["oui"]},
    }
    stable = events[stable_id]
    assert stable["type"] == "m.poll.response"
    assert stable["content"]["m.selections"] == ["oui"]
    assert stable["content"]["m.relates_to"]["event_id"] == poll_id
    ordered = [e["event_id"] for e in await matrix.messages(alice, room)]
    assert ordered.index(text_id) < ordered.index(unstable_id) < ordered.index(stable_id)

    found = await matrix.wait_for_event(bob, room, lambda e: e["type"] == "m.poll.response",
                                        timeout=5)
    assert found["event_id"] == stable_id


async def test_kick_removes_the_member(matrix: Residents, new_user: UserFactory) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    room = await matrix.create_room(alice, invite=[bob.user_id])
    await matrix.join(bob, room)
    await matrix.kick(alice, room, bob.user_id, "hors sujet")
    assert room not in await matrix.joined_rooms(bob)
    kicked = await matrix.wait_for_event(
        alice, room, lambda e: e["type"] == "m.room.member" and e["state_key"] == bob.user_id
        and e["content"]["membership"] == "leave", timeout=5)
    assert kicked["content"]["reason"] == "hors sujet"
    with pytest.raises(MatrixApiError) as refused:
        await matrix.send_text(bob, room, "encore moi")
    assert refused.value.status == 403


async def test_a_rate_limit_override_answers_429(
    synapse: SynapseServer, matrix: Residents, new_user: UserFactory
) -> None:
    alice = new_user("alice")
    room = await matrix.create_room(alice)
    # The admin API takes integers only: 1 message a second after a burst of 1 is the slowest.
    # The bucket already holds the room creation's events, so which send is refused depends
    # on timing; Synapse also holds every 429 for 0.5 s before answering.
    assert synapse.override_ratelimit(alice.user_id, 1, 1) == {
        "messages_per_second": 1, "burst_count": 1}
    refusals: list[MatrixApiError] = []
    for n in range(3):
        try:
            await matrix.send_text(alice, room, f"message {n}")
        except MatrixApiError as error:
            refusals.append(error)
    assert refusals
    for refusal in refusals:
        assert (refusal.status, refusal.errcode) == (429, "M_LIMIT_EXCEEDED")
        assert refusal.retry_after_ms is not None and 0 < refusal.retry_after_ms <= 1000


async def test_a_nio_client_restores_its_login_and_syncs(
    matrix: Residents, new_user: UserFactory, synapse: SynapseServer
) -> None:
    alice = new_user("alice")
    room = await matrix.create_room(alice, "Gare")
    client = AsyncClient(synapse.base_url)
    try:
        client.restore_login(alice.user_id, alice.device_id, alice.access_token)
        answer = await client.sync(timeout=0, full_state=True)
        assert isinstance(answer, SyncResponse), answer
        assert room in answer.rooms.join
    finally:
        await client.close()
