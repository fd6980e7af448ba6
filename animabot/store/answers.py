"""Poll answers and training completions, keyed by pseudonym; the latest vote wins."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .database import Database, for_update
from .timestamps import maybe_from_db, to_db


@dataclass(frozen=True)
class AnswerRecord:
    choices: tuple[int, ...]
    platform: str
    neighbourhood_id: str | None
    after_reminder: bool


@dataclass(frozen=True)
class VoteState:
    """What a vote needs to know before it is recorded, read in one trip (a thousand
    presses come at once after a poll)."""

    previous: tuple[int, ...]  # the resident's current vote, () if none
    reminded_at: datetime | None  # when the first reminder reached them, if one did
    closes_at: datetime | None  # the earliest close planned for the poll in this chat


class AnswerRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def vote_state(self, campaign_id: str, step_id: str, pseudonym: str,
                         chat_id: int | None, close_part: str) -> VoteState:
        """:meth:`vote_of`, the reminder's time and the poll's close (``close_part`` rows,
        of ``chat_id`` when given) in one statement."""
        in_chat = " AND chat_id = ?" if chat_id is not None else ""
        row = await self.database.fetch_one(
            "SELECT (SELECT choices FROM answer WHERE campaign_id = ? AND step_id = ?"
            " AND pseudonym = ?) AS choices,"
            " (SELECT MIN(sent_at) FROM delivery WHERE campaign_id = ? AND step_id = ?"
            " AND pseudonym = ? AND part LIKE 'reminder%' AND status = 'sent') AS reminded,"
            " (SELECT MIN(due_at) FROM delivery WHERE campaign_id = ? AND step_id = ?"
            f" AND part = ?{in_chat}) AS closes",
            (campaign_id, step_id, pseudonym, campaign_id, step_id, pseudonym, campaign_id,
             step_id, close_part, *((chat_id,) if chat_id is not None else ())),
        )
        assert row is not None  # scalar subqueries: always one row
        choices = row["choices"]
        return VoteState(tuple(json.loads(choices)) if choices else (),
                         maybe_from_db(row["reminded"]), maybe_from_db(row["closes"]))

    async def record_vote(
        self, campaign_id: str, step_id: str, pseudonym: str, platform: str,
        neighbourhood_id: str | None, choices: tuple[int, ...], now: datetime,
        after_reminder: bool, voted_at: datetime | None = None,
    ) -> None:
        """Insert or replace the resident's vote; the first answer time is kept.

        ``voted_at`` is the platform's time of the vote: when votes arrive out of order (a gap
        filled after a restart), an older one never replaces a newer one."""
        stamp = to_db(voted_at or now)
        await self.database.execute(
            """
            INSERT INTO answer (campaign_id, step_id, pseudonym, platform, neighbourhood_id,
                                choices, first_answered_at, answered_at, after_reminder,
                                voted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (campaign_id, step_id, pseudonym) DO UPDATE SET
                choices = excluded.choices, answered_at = excluded.answered_at,
                voted_at = excluded.voted_at
            WHERE excluded.voted_at >= COALESCE(answer.voted_at, '')
            """,
            (campaign_id, step_id, pseudonym, platform, neighbourhood_id,
             json.dumps(list(choices)), to_db(now), to_db(now), int(after_reminder), stamp),
        )

    async def vote_of(self, campaign_id: str, step_id: str, pseudonym: str) -> tuple[int, ...]:
        row = await self.database.fetch_one(
            "SELECT choices FROM answer WHERE campaign_id = ? AND step_id = ? AND pseudonym = ?",
            (campaign_id, step_id, pseudonym),
        )
        return tuple(json.loads(row["choices"])) if row else ()

    async def grouped(
        self, campaign_id: str, step_id: str
    ) -> list[tuple[tuple[int, ...], str, str | None, bool, int]]:
        """(choices, platform, neighbourhood, after reminder, how many): the answers counted
        in SQL, so that a million rows come back as a few thousand groups."""
        rows = await self.database.fetch_all(
            "SELECT choices, platform, neighbourhood_id, after_reminder, COUNT(*) AS n"
            " FROM answer WHERE campaign_id = ? AND step_id = ?"
            " GROUP BY choices, platform, neighbourhood_id, after_reminder"
            " ORDER BY choices, platform, neighbourhood_id NULLS FIRST, after_reminder",
            (campaign_id, step_id),
        )
        return [(tuple(json.loads(r["choices"])), r["platform"], r["neighbourhood_id"],
                 bool(r["after_reminder"]), int(r["n"])) for r in rows]

    async def respondents(
        self, campaign_id: str, step_id: str
    ) -> list[tuple[str, str, tuple[int, ...], bool]]:
        """(pseudonym, tag, choices, reachable) per resident who answered the poll, by tag:
        what a follow-up's audience is chosen from. ``reachable``: consent given, no
        ``/stop``, an active private address (erased residents have no pseudonym left)."""
        rows = await self.database.fetch_all(
            "SELECT a.pseudonym, r.tag, a.choices, r.consent_at, r.opted_out, b.address"
            " FROM answer a JOIN resident r ON r.pseudonym = a.pseudonym"
            " LEFT JOIN address_book b ON b.pseudonym = a.pseudonym AND b.status = 'active'"
            " WHERE a.campaign_id = ? AND a.step_id = ? ORDER BY r.tag",
            (campaign_id, step_id),
        )
        return [(r["pseudonym"], r["tag"], tuple(json.loads(r["choices"])),
                 r["consent_at"] is not None and not r["opted_out"] and r["address"] is not None)
                for r in rows]

    async def answers(self, campaign_id: str, step_id: str) -> list[AnswerRecord]:
        rows = await self.database.fetch_all(
            "SELECT choices, platform, neighbourhood_id, after_reminder FROM answer"
            " WHERE campaign_id = ? AND step_id = ?",
            (campaign_id, step_id),
        )
        return [
            AnswerRecord(tuple(json.loads(r["choices"])), r["platform"], r["neighbourhood_id"],
                         bool(r["after_reminder"]))
            for r in rows
        ]

    async def start_training(
        self, campaign_id: str, step_id: str, pseudonym: str, platform: str,
        neighbourhood_id: str | None, now: datetime,
    ) -> None:
        await self.database.execute(
            "INSERT INTO completion (campaign_id, step_id, pseudonym, platform,"
            " neighbourhood_id, started_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (campaign_id, step_id, pseudonym, platform, neighbourhood_id, to_db(now)),
        )

    async def see_card(self, campaign_id: str, step_id: str, pseudonym: str, card: int) -> None:
        await self.database.execute(
            "UPDATE completion SET cards_seen = CASE WHEN cards_seen > ? THEN cards_seen"
            " ELSE ? END WHERE campaign_id = ? AND step_id = ? AND pseudonym = ?",
            (card, card, campaign_id, step_id, pseudonym),
        )

    async def quiz_answer(
        self, campaign_id: str, step_id: str, pseudonym: str, question: int, correct: bool,
        questions: int, now: datetime,
    ) -> bool:
        """Record the first answer to each question; returns True when the quiz is complete."""
        async with self.database.transaction() as db:
            row = await db.fetch_one(
                "SELECT quiz_answers FROM completion WHERE campaign_id = ? AND step_id = ?"
                " AND pseudonym = ?" + for_update(db),  # written back: no lost answer
                (campaign_id, step_id, pseudonym),
            )
            if row is None:
                return False
            answers: dict[str, bool] = json.loads(row["quiz_answers"])
            answers.setdefault(str(question), correct)
            complete = len(answers) >= questions
            await db.execute(
                "UPDATE completion SET quiz_answers = ?, quiz_correct = ?,"
                " completed_at = COALESCE(completed_at, ?)"
                " WHERE campaign_id = ? AND step_id = ? AND pseudonym = ?",
                (json.dumps(answers), sum(answers.values()), to_db(now) if complete else None,
                 campaign_id, step_id, pseudonym),
            )
        return complete

    async def quiz_score(self, campaign_id: str, step_id: str, pseudonym: str) -> int:
        """How many of the quiz's questions the resident answered right first."""
        row = await self.database.fetch_one(
            "SELECT quiz_correct FROM completion WHERE campaign_id = ? AND step_id = ?"
            " AND pseudonym = ?", (campaign_id, step_id, pseudonym))
        return int(row["quiz_correct"]) if row else 0

    async def held_for(self, pseudonym: str) -> tuple[int, int]:
        """(poll answers, trainings followed) kept about one resident, as /mesdonnees says."""
        answers = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM answer WHERE pseudonym = ?", (pseudonym,))
        trainings = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM completion WHERE pseudonym = ?", (pseudonym,))
        return (int(answers["n"]) if answers else 0, int(trainings["n"]) if trainings else 0)

    async def completed(self, campaign_id: str, step_id: str, pseudonym: str) -> bool:
        row = await self.database.fetch_one(
            "SELECT completed_at FROM completion WHERE campaign_id = ? AND step_id = ?"
            " AND pseudonym = ?",
            (campaign_id, step_id, pseudonym),
        )
        return bool(row and row["completed_at"])
