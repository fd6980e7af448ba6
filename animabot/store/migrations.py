"""Versioned schema changes, applied in order at start; ``PRAGMA user_version`` records the last.

Add a migration by appending a function; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiosqlite

Migration = Callable[[aiosqlite.Connection], Awaitable[None]]


async def _script(db: aiosqlite.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            await db.execute(statement)


async def _m001_initial(db: aiosqlite.Connection) -> None:
    await _script(
        db,
        """
        CREATE TABLE neighbourhood (
            id   TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE chat (
            id               INTEGER PRIMARY KEY,
            platform         TEXT NOT NULL,
            address          TEXT NOT NULL,          -- a group's platform id, never a person's
            title            TEXT NOT NULL DEFAULT '',
            neighbourhood_id TEXT REFERENCES neighbourhood(id),
            active           INTEGER NOT NULL DEFAULT 1,
            registered_at    TEXT NOT NULL,
            UNIQUE (platform, address)
        );
        CREATE TABLE resident (
            pseudonym        TEXT PRIMARY KEY,       -- HMAC-SHA256(key, platform:user_id)
            platform         TEXT NOT NULL,
            language         TEXT,
            neighbourhood_id TEXT REFERENCES neighbourhood(id),
            consent_at       TEXT,
            opted_out        INTEGER NOT NULL DEFAULT 0,
            first_seen       TEXT NOT NULL
        );
        -- The only table that can reach a person; erasure deletes the row.
        CREATE TABLE address_book (
            pseudonym TEXT PRIMARY KEY REFERENCES resident(pseudonym) ON DELETE CASCADE,
            platform  TEXT NOT NULL,
            address   TEXT NOT NULL
        );
        CREATE TABLE campaign (
            id            TEXT PRIMARY KEY,
            scenario_id   TEXT NOT NULL,
            title         TEXT NOT NULL,
            scenario_json TEXT NOT NULL,             -- a snapshot: editing the file later is safe
            source        TEXT NOT NULL DEFAULT '',
            targets       TEXT NOT NULL,             -- JSON list of neighbourhood ids
            start_at      TEXT NOT NULL,
            status        TEXT NOT NULL,             -- scheduled | cancelled
            created_at    TEXT NOT NULL,
            cancelled_at  TEXT
        );
        CREATE TABLE delivery (
            id           INTEGER PRIMARY KEY,
            dedupe_key   TEXT NOT NULL UNIQUE,       -- campaign:step:part:target, or reply:event
            campaign_id  TEXT REFERENCES campaign(id),
            step_id      TEXT,
            part         TEXT NOT NULL,
            chat_id      INTEGER REFERENCES chat(id),
            pseudonym    TEXT,                       -- set for private deliveries
            due_at       TEXT NOT NULL,
            status       TEXT NOT NULL DEFAULT 'pending',
            attempts     INTEGER NOT NULL DEFAULT 0,
            lease_until  TEXT,
            platform_ref TEXT,
            sent_at      TEXT,
            reach        INTEGER,
            error        TEXT,
            payload      TEXT
        );
        CREATE INDEX delivery_due ON delivery (status, due_at);
        CREATE INDEX delivery_campaign ON delivery (campaign_id, step_id, part);
        CREATE TABLE answer (
            id                INTEGER PRIMARY KEY,
            campaign_id       TEXT NOT NULL REFERENCES campaign(id),
            step_id           TEXT NOT NULL,
            pseudonym         TEXT,                  -- NULL once the resident is erased
            platform          TEXT NOT NULL,
            neighbourhood_id  TEXT,
            choices           TEXT NOT NULL,         -- JSON list of option indexes
            first_answered_at TEXT NOT NULL,
            answered_at       TEXT NOT NULL,
            after_reminder    INTEGER NOT NULL DEFAULT 0,
            UNIQUE (campaign_id, step_id, pseudonym)
        );
        CREATE TABLE completion (
            id               INTEGER PRIMARY KEY,
            campaign_id      TEXT NOT NULL REFERENCES campaign(id),
            step_id          TEXT NOT NULL,
            pseudonym        TEXT,
            platform         TEXT NOT NULL,
            neighbourhood_id TEXT,
            started_at       TEXT NOT NULL,
            cards_seen       INTEGER NOT NULL DEFAULT 0,
            quiz_answers     TEXT NOT NULL DEFAULT '{}',
            quiz_correct     INTEGER NOT NULL DEFAULT 0,
            completed_at     TEXT,
            UNIQUE (campaign_id, step_id, pseudonym)
        );
        CREATE TABLE inbox (
            platform    TEXT NOT NULL,
            event_id    TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (platform, event_id)
        );
        """
    )


async def _m002_native_polls_and_state(db: aiosqlite.Connection) -> None:
    await _script(
        db,
        """
        ALTER TABLE delivery ADD COLUMN poll_ref TEXT;
        CREATE INDEX delivery_poll_ref ON delivery (poll_ref);
        -- Totals of anonymous native polls, as the platform reports them.
        CREATE TABLE poll_tally (
            poll_ref   TEXT PRIMARY KEY,
            counts     TEXT NOT NULL,
            voters     INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- Small values adapters keep between runs (e.g. the last update handled).
        CREATE TABLE platform_state (
            platform TEXT NOT NULL,
            key      TEXT NOT NULL,
            value    TEXT NOT NULL,
            PRIMARY KEY (platform, key)
        );
        -- Facilitators who wrote to the bot: whom to tell when a chat is lost.
        CREATE TABLE facilitator (
            pseudonym TEXT PRIMARY KEY REFERENCES resident(pseudonym) ON DELETE CASCADE,
            since     TEXT NOT NULL
        )
        """,
    )


async def _m003_vote_time(db: aiosqlite.Connection) -> None:
    # The platform's time of a vote, so that the latest vote wins whatever the arrival order.
    await db.execute("ALTER TABLE answer ADD COLUMN voted_at TEXT")




async def _m004_answer_archive(db: aiosqlite.Connection) -> None:
    await _script(
        db,
        """
        -- Answers past the retention period, aggregated before their rows are deleted:
        -- counts only, per campaign step, platform and neighbourhood.
        CREATE TABLE answer_archive (
            campaign_id      TEXT NOT NULL,
            step_id          TEXT NOT NULL,
            platform         TEXT NOT NULL,
            neighbourhood_id TEXT,
            counts           TEXT NOT NULL,
            respondents      INTEGER NOT NULL,
            after_reminder   INTEGER NOT NULL,
            archived_at      TEXT NOT NULL
        );
        CREATE INDEX answer_archive_step ON answer_archive (campaign_id, step_id)
        """,
    )



async def _m005_answer_time_index(db: aiosqlite.Connection) -> None:
    # Quartiles of time-to-answer and the hourly curve read answers in time order.
    await db.execute(
        "CREATE INDEX answer_first_time ON answer (campaign_id, step_id, first_answered_at)"
    )



async def _m006_statistics_indexes(db: aiosqlite.Connection) -> None:
    # The statistics' two GROUP BYs read these indexes in order: no table scan, no sort.
    await db.execute(
        "CREATE INDEX answer_tally ON answer"
        " (campaign_id, step_id, choices, platform, neighbourhood_id, after_reminder)"
    )
    await db.execute(
        "CREATE INDEX answer_minute ON answer"
        " (campaign_id, step_id, substr(first_answered_at, 1, 16))"
    )



async def _m007_hub(db: aiosqlite.Connection) -> None:
    await _script(
        db,
        """
        -- The directory of local actors ("forces vives"): public information, no resident.
        CREATE TABLE actor (
            id               TEXT PRIMARY KEY,
            name             TEXT NOT NULL,
            kind             TEXT NOT NULL,
            tags             TEXT NOT NULL DEFAULT '',
            neighbourhood_id TEXT,
            contact          TEXT NOT NULL DEFAULT '',
            description      TEXT NOT NULL DEFAULT '',
            search_text      TEXT NOT NULL DEFAULT '',  -- folded: lower case, no accents
            updated_at       TEXT NOT NULL
        );
        -- Residents' ideas, moderated by facilitators; the author is a pseudonym only.
        CREATE TABLE idea (
            id               INTEGER PRIMARY KEY,
            pseudonym        TEXT,                        -- NULL once the author is erased
            platform         TEXT NOT NULL,
            neighbourhood_id TEXT,
            text             TEXT NOT NULL,
            status           TEXT NOT NULL DEFAULT 'pending',  -- pending|accepted|rejected
            submitted_at     TEXT NOT NULL,
            reviewed_at      TEXT,
            reviewer         TEXT
        );
        CREATE INDEX idea_status ON idea (status, submitted_at);
        CREATE INDEX idea_author ON idea (pseudonym, submitted_at);
        -- Two-person approval and recurring series.
        ALTER TABLE campaign ADD COLUMN author TEXT;
        ALTER TABLE campaign ADD COLUMN approved_by TEXT;
        ALTER TABLE campaign ADD COLUMN approved_at TEXT;
        ALTER TABLE campaign ADD COLUMN series_id TEXT;
        CREATE TABLE series (
            id            TEXT PRIMARY KEY,
            scenario_json TEXT NOT NULL,
            source        TEXT NOT NULL DEFAULT '',
            targets       TEXT NOT NULL,
            rule          TEXT NOT NULL,                  -- as the facilitator wrote it
            next_at       TEXT,                           -- the next occurrence (UTC)
            status        TEXT NOT NULL,                  -- active | cancelled
            author        TEXT,
            created_at    TEXT NOT NULL
        )
        """,
    )


async def _m008_resident_tags(db: aiosqlite.Connection) -> None:
    """Private rows' keys name a resident by a random tag, not by pseudonym, so that erasure
    (which deletes the tag with the resident) leaves no key that leads back to a person.

    Existing keys ``campaign:step:part:r:<pseudonym>`` and ``notice:<key>:<pseudonym>`` are
    rewritten with the resident's new tag; those of residents already erased (pseudonym
    NULL, key still holding it) become ``erased:<row id>``."""
    await _script(
        db,
        """
        ALTER TABLE resident ADD COLUMN tag TEXT;
        UPDATE resident SET tag = lower(hex(randomblob(8)));
        CREATE UNIQUE INDEX resident_tag ON resident (tag);
        UPDATE delivery SET dedupe_key =
            substr(dedupe_key, 1, length(dedupe_key) - length(pseudonym))
            || (SELECT tag FROM resident r WHERE r.pseudonym = delivery.pseudonym)
        WHERE pseudonym IS NOT NULL AND part != 'reply'
          AND substr(dedupe_key, -length(pseudonym)) = pseudonym
          AND EXISTS (SELECT 1 FROM resident r WHERE r.pseudonym = delivery.pseudonym);
        UPDATE delivery SET dedupe_key = 'erased:' || id
        WHERE part != 'reply' AND (pseudonym IS NULL OR NOT EXISTS
                (SELECT 1 FROM resident r WHERE r.pseudonym = delivery.pseudonym))
          AND (dedupe_key GLOB '*:r:*' OR dedupe_key GLOB 'notice:*')
          AND length(dedupe_key) > 32
          AND substr(dedupe_key, -32) GLOB
            '[a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7]'
            || '[a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7]'
            || '[a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7]'
            || '[a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7][a-z2-7]'
        """,
    )


async def _m009_inbox_outcome(db: aiosqlite.Connection) -> None:
    # An event is now journaled with its effects; one whose handler kept failing is kept
    # as 'failed' (so a replay does not loop on it) instead of looking handled.
    await db.execute("ALTER TABLE inbox ADD COLUMN status TEXT NOT NULL DEFAULT 'handled'")


async def _m010_resident_neighbourhood(db: aiosqlite.Connection) -> None:
    """Indexes, each for a query that reads it (issue 14: justify each index).

    - ``resident_neighbourhood``: a reminder's fan-out and the hub read the residents of one
      neighbourhood; without it each is a scan of every resident (10 × at 100k residents).
    - ``answer_first_time`` goes: the per-minute histogram reads ``answer_minute`` (the
      same columns, the minute computed) and the tally reads ``answer_tally``; no query is
      left that reads it, and it cost a fifth of the answers' size.

    Kept, with their readers: ``delivery_due`` (the drain's due rows), ``delivery_campaign``
    (a campaign's or a step's rows: statistics, report, status), ``delivery_poll_ref`` (a
    native poll's tally joined to its send), ``answer_archive_step`` (a step's archived
    counts), ``answer_tally`` (answers per option, platform and neighbourhood, covering),
    ``answer_minute`` (first answers per minute), ``idea_status`` and ``idea_author`` (the
    moderation queue, a resident's ideas), ``resident_tag`` (unique: private rows' keys); the
    UNIQUE constraints are the upserts' conflict targets."""
    await db.execute("CREATE INDEX resident_neighbourhood ON resident (neighbourhood_id)")
    await db.execute("DROP INDEX IF EXISTS answer_first_time")


async def _m011_interactive_lane(db: aiosqlite.Connection) -> None:
    # Replies and notices are claimed before broadcasts: the drain looks for them often,
    # so finding them must not scan a backlog of thousands of pending group messages.
    await db.execute(
        "CREATE INDEX delivery_interactive ON delivery (due_at)"
        " WHERE status = 'pending' AND part IN ('reply', 'notice')"
    )


async def _m012_address_status(db: aiosqlite.Connection) -> None:
    """Residents reached one by one (e-mail, SMS) are in the address book with a status:
    only ``active`` addresses are written to; a permanent refusal makes one ``unreachable``,
    an unsubscribe ``unsubscribed`` (``domain.addresses.AddressStatus``). Existing rows (a
    platform's private chats) are active. No index: rows are read by pseudonym (the key) or
    joined from the residents of one neighbourhood (``resident_neighbourhood``)."""
    await db.execute(
        "ALTER TABLE address_book ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")
    await db.execute("ALTER TABLE address_book ADD COLUMN status_at TEXT")


async def _m013_web_accounts(db: aiosqlite.Connection) -> None:
    """The back-office's people, their sessions and the audit log (issue 16).

    - ``web_user``: local accounts (``password_hash`` argon2) and people known through
      OpenID Connect (``email``/``subject``), with a role and the neighbourhoods they work in
      (comma-separated ids; empty: the whole commune).
    - ``web_session``: only the SHA-256 of the cookie's random id is kept, so a copy of the
      database opens no session. ``web_session_user`` finds a person's sessions to revoke.
    - ``audit``: who did what and when; ``audit_at`` lists it newest first."""
    await _script(
        db,
        """
        CREATE TABLE web_user (
            name           TEXT PRIMARY KEY,
            role           TEXT NOT NULL,
            neighbourhoods TEXT NOT NULL DEFAULT '',
            password_hash  TEXT,
            email          TEXT,
            subject        TEXT,
            disabled       INTEGER NOT NULL DEFAULT 0,
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE UNIQUE INDEX web_user_email ON web_user (email) WHERE email IS NOT NULL;
        CREATE UNIQUE INDEX web_user_subject ON web_user (subject) WHERE subject IS NOT NULL;
        CREATE TABLE web_session (
            id_sha256      TEXT PRIMARY KEY,
            name           TEXT NOT NULL,
            origin         TEXT NOT NULL,
            role           TEXT NOT NULL,
            neighbourhoods TEXT NOT NULL DEFAULT '',
            csrf_token     TEXT NOT NULL,
            id_token       TEXT,
            created_at     TEXT NOT NULL,
            seen_at        TEXT NOT NULL,
            expires_at     TEXT NOT NULL,
            revoked_at     TEXT
        );
        CREATE INDEX web_session_user ON web_session (name);
        CREATE TABLE audit (
            id      INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            actor   TEXT NOT NULL,
            action  TEXT NOT NULL,
            target  TEXT NOT NULL DEFAULT '',
            detail  TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_at ON audit (at)
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial, _m002_native_polls_and_state, _m003_vote_time, _m004_answer_archive,
    _m005_answer_time_index, _m006_statistics_indexes, _m007_hub, _m008_resident_tags,
    _m009_inbox_outcome, _m010_resident_neighbourhood, _m011_interactive_lane,
    _m012_address_status, _m013_web_accounts,
)
