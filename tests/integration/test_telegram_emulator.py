"""The Bot API emulator, driven over real HTTP by python-telegram-bot's own `Bot`.

Every JSON the emulator produces is parsed back with PTB's `de_json`: if PTB 22.8 can parse
it, our Telegram adapter can.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    ChatFullInfo,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Poll,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Updater,
)

from ..support.telegram_emulator import BotApiEmulator

ALICE, BOB, CAROL = 101, 102, 103
GROUP = -4001


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without it PTB 22.8 warns (an error here) whenever it reads a time period as an int,
    RetryAfter's own constructor included."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(ALICE, "Alice")
        emulator.add_user(BOB, "Bob", language_code="en")
        emulator.add_group(GROUP, "Quartier Gare", members=[ALICE, BOB, CAROL], admins=[ALICE])
        emulator.user_sends(ALICE, ALICE, "/start")
        emulator.pending_updates.clear()
        yield emulator


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        yield bot


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in datas]])


async def test_get_me_and_authorisation(emulator: BotApiEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (emulator.bot_id, True, emulator.bot_username)
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=emulator.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_raw_http_json_get_and_error_shapes(emulator: BotApiEmulator) -> None:
    url = f"{emulator.base_url}{emulator.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={"chat_id": ALICE, "text": "hi"}) as r:
            body = await r.json()
            assert r.status == 200 and body["ok"] and isinstance(body["result"]["date"], int)
        async with http.get(f"{url}/getMe") as r:
            assert (await r.json())["result"]["id"] == emulator.bot_id
        async with http.get(f"{emulator.base_url}1:nope/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.get(f"{url}/frobnicate") as r:
            assert r.status == 404 and (await r.json())["description"] == "Not Found"
    assert emulator.calls[0].params == {"chat_id": ALICE, "text": "hi"}


async def test_send_message_html_becomes_text_and_entities(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    message = await bot.send_message(
        ALICE, "<b>Vote</b> &amp; <a href='https://x.org'>win</a> 🎉", parse_mode=ParseMode.HTML
    )
    assert message.text == "Vote & win 🎉"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 4),
        ("text_link", 7, 3),
    ]
    sent = emulator.sent[-1]
    assert (sent.chat_id, sent.message_id, sent.parse_mode) == (ALICE, message.message_id, "HTML")
    assert sent.text is not None and sent.text.startswith("<b>Vote</b>")
    assert emulator.messages_to(ALICE) == [sent]


@pytest.mark.parametrize("text", ["<blink>x</blink>", "1 < 2", "AT&T", "<b>open", "<i>x</b>"])
async def test_bad_html_is_rejected(emulator: BotApiEmulator, bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)
    assert emulator.sent == []


async def test_inline_keyboard_callback_query_and_answer(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    message = await bot.send_message(ALICE, "Choose", reply_markup=keyboard("yes", "no"))
    assert message.reply_markup == keyboard("yes", "no")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "Too long", reply_markup=keyboard("x" * 65))

    query_id = emulator.user_presses(ALICE, ALICE, message.message_id, "yes")
    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None and (query.id, query.data) == (query_id, "yes")
    assert query.chat_instance and query.message is not None
    assert query.message.message_id == message.message_id and query.from_user.id == ALICE
    assert await bot.answer_callback_query(query_id, text="Merci", show_alert=True)
    answer = emulator.callback_answers[query_id]
    assert (answer.text, answer.show_alert) == ("Merci", True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_edits_are_recorded_and_unchanged_edits_refused(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    message = await bot.send_message(ALICE, "Choose", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text(
        "Chosen: <i>a</i>", ALICE, message.message_id, parse_mode=ParseMode.HTML
    )
    assert isinstance(edited, Message) and edited.text == "Chosen: a"
    assert edited.reply_markup is None and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Chosen: <i>a</i>", ALICE, message.message_id, parse_mode=ParseMode.HTML
        )
    await bot.edit_message_reply_markup(ALICE, message.message_id, reply_markup=keyboard("b"))
    assert [(s.edited, s.method) for s in emulator.messages_to(ALICE)] == [
        (False, "sendMessage"),
        (True, "editMessageText"),
        (True, "editMessageReplyMarkup"),
    ]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)


async def test_regular_and_quiz_polls_parse_and_stop(emulator: BotApiEmulator, bot: Bot) -> None:
    message = await bot.send_poll(
        ALICE,
        "Où planter les arbres ?",
        ["Parc", "Gare", "Marché"],
        is_anonymous=False,
        allows_multiple_answers=True,
    )
    poll = message.poll
    assert poll is not None and not poll.is_anonymous and poll.allows_multiple_answers
    assert [o.persistent_id for o in poll.options] == ["0", "1", "2"]
    recorded = emulator.sent[-1].poll
    assert recorded is not None and Poll.de_json(recorded, bot) == poll

    quiz = await bot.send_poll(
        ALICE,
        "2 + 2 ?",
        ["3", "4"],
        type=Poll.QUIZ,
        correct_option_ids=[1],
        explanation="Simple",
        open_period=60,
    )
    assert quiz.poll is not None and quiz.poll.type == Poll.QUIZ
    assert quiz.poll.correct_option_ids == (1,) and quiz.poll.is_anonymous
    assert quiz.poll.open_period == dtm.timedelta(seconds=60)
    assert isinstance(quiz.poll.close_date, dtm.datetime)

    stopped = await bot.stop_poll(ALICE, message.message_id)
    assert stopped.is_closed and stopped.id == poll.id
    with pytest.raises(BadRequest, match=r"(?i)already been closed"):
        await bot.stop_poll(ALICE, message.message_id)


@pytest.mark.parametrize(
    ("question", "options", "extra"),
    [
        ("Q" * 301, ["a", "b"], {}),
        ("Q", ["a"], {}),
        ("Q", [str(i) for i in range(13)], {}),
        ("Q", ["a", "b"], {"open_period": 601}),
        ("Q", ["a", "b"], {"type": Poll.QUIZ, "correct_option_ids": [1], "explanation": "e" * 201}),
    ],
)
async def test_poll_limits(
    bot: Bot, question: str, options: list[str], extra: dict[str, Any]
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_poll(ALICE, question, options, **extra)


async def test_poll_answers_and_counts(emulator: BotApiEmulator, bot: Bot) -> None:
    message = await bot.send_poll(ALICE, "Q", ["a", "b"], is_anonymous=False)
    assert message.poll is not None
    emulator.user_answers_poll(BOB, message.poll.id, [1])
    answer_update, poll_update = await bot.get_updates(timeout=1)
    answer = answer_update.poll_answer
    assert answer is not None and answer.user is not None and answer.user.id == BOB
    assert (answer.option_ids, answer.option_persistent_ids) == ((1,), ("1",))
    assert poll_update.poll is not None and poll_update.poll.total_voter_count == 1
    assert [o.voter_count for o in poll_update.poll.options] == [0, 1]
    current = emulator.message(ALICE, message.message_id)
    assert current is not None and current["poll"]["options"][1]["voter_count"] == 1


async def test_bot_added_and_removed_from_group(emulator: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(GROUP, "hello")
    emulator.add_bot_to_group(GROUP, by_user=ALICE)
    await bot.send_message(GROUP, "Bonjour le quartier")
    emulator.user_sends(BOB, GROUP, "/vote@animabot_test_bot now")
    emulator.remove_bot_from_group(GROUP, by_user=ALICE)
    added, said, removed = (Update.de_json(u, bot) for u in list(emulator.pending_updates))
    assert added.my_chat_member is not None and removed.my_chat_member is not None
    assert added.my_chat_member.old_chat_member.status == ChatMember.LEFT
    assert added.my_chat_member.new_chat_member.status == ChatMember.MEMBER
    assert removed.my_chat_member.new_chat_member.status == ChatMember.BANNED
    assert removed.my_chat_member.from_user.id == ALICE
    assert isinstance(removed.my_chat_member.date, dtm.datetime)
    assert said.message is not None and said.message.chat.type == "group"
    assert said.message.entities[0].type == "bot_command" and said.message.entities[0].length == 23
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "still there?")


async def test_privacy_mode_hides_plain_group_messages(emulator: BotApiEmulator, bot: Bot) -> None:
    emulator.add_bot_to_group(GROUP, by_user=ALICE)
    emulator.pending_updates.clear()
    emulator.user_sends(BOB, GROUP, "bonjour à tous")
    emulator.user_sends(BOB, GROUP, f"@{emulator.bot_username} tu es là ?")
    emulator.user_sends(BOB, GROUP, "/aide")
    texts = [u["message"]["text"] for u in emulator.pending_updates]
    assert texts == ["@animabot_test_bot tu es là ?", "/aide"]


async def test_chat_queries(emulator: BotApiEmulator, bot: Bot) -> None:
    emulator.add_bot_to_group(GROUP, by_user=ALICE, as_admin=True)
    chat = await bot.get_chat(GROUP)
    assert isinstance(chat, ChatFullInfo) and chat.title == "Quartier Gare"
    assert await bot.get_chat_member_count(GROUP) == 4
    assert (await bot.get_chat_member(GROUP, BOB)).status == ChatMember.MEMBER
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.status for a in admins] == [ChatMember.OWNER, ChatMember.ADMINISTRATOR]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(424242)


async def test_forbidden_users(emulator: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(BOB, "hello")
    blocked = emulator.user_blocks_bot(ALICE)
    assert Update.de_json(blocked, bot).my_chat_member is not None
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "hello")


async def test_long_polling_waits_and_offsets_confirm(emulator: BotApiEmulator, bot: Bot) -> None:
    asyncio.get_running_loop().call_later(0.2, emulator.user_sends, ALICE, ALICE, "salut")
    started = time.monotonic()
    (update,) = await bot.get_updates(timeout=5)
    assert 0.1 < time.monotonic() - started < 2
    assert update.message is not None and update.message.text == "salut"
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert emulator.pending_updates == []


async def test_ptb_updater_does_not_spin(emulator: BotApiEmulator, bot: Bot) -> None:
    queue: asyncio.Queue[object] = asyncio.Queue()
    updater = Updater(bot, queue)
    async with updater:
        await updater.start_polling(timeout=dtm.timedelta(seconds=5))
        try:
            await asyncio.sleep(1.0)
            assert len(emulator.calls_to("getUpdates")) <= 3
            emulator.user_sends(ALICE, ALICE, "/vote")
            update = await asyncio.wait_for(queue.get(), 2)
            assert isinstance(update, Update) and update.message is not None
        finally:
            await updater.stop()
    assert emulator.pending_updates == []


async def test_concurrent_get_updates_conflict(emulator: BotApiEmulator, bot: Bot) -> None:
    async with Bot(emulator.token, base_url=emulator.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await emulator.wait_for(lambda: len(emulator.calls_to("getUpdates")) == 1)
        second = asyncio.create_task(other.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await first
        assert await second == ()


async def test_scripted_failures(emulator: BotApiEmulator, bot: Bot) -> None:
    emulator.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE, "one")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    emulator.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=ALICE)
    with pytest.raises(Forbidden):
        await bot.send_message(ALICE, "two")
    emulator.close_connection_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "three")
    assert emulator.sent == [] and emulator.flood_429s == 0
    await bot.send_message(ALICE, "four")
    assert [s.text for s in emulator.sent] == ["four"]


async def test_delay_loses_the_answer_but_delivers(emulator: BotApiEmulator, bot: Bot) -> None:
    emulator.delay_next("sendMessage", 5.0)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "late", read_timeout=0.3)
    assert [s.text for s in emulator.sent] == ["late"]


async def test_flood_control_answers_429() -> None:
    async with BotApiEmulator(flood_control=True, per_chat_per_second=1) as emulator:
        emulator.add_user(ALICE, "Alice")
        emulator.user_sends(ALICE, ALICE, "/start")
        async with Bot(emulator.token, base_url=emulator.base_url) as bot:
            results = await asyncio.gather(
                *(bot.send_message(ALICE, f"burst {i}") for i in range(5)),
                return_exceptions=True,
            )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 4 and all(isinstance(e, RetryAfter) for e in errors)
    assert all(
        e.retry_after == dtm.timedelta(seconds=1) for e in errors if isinstance(e, RetryAfter)
    )
    assert emulator.flood_429s == 4 and len(emulator.sent) == 1


async def test_commands_per_scope_and_language(emulator: BotApiEmulator, bot: Bot) -> None:
    commands = [BotCommand("vote", "Voter"), BotCommand("aide", "Aide")]
    assert await bot.set_my_commands(commands, language_code="fr")
    assert await bot.set_my_commands(
        [BotCommand("help", "Help")], scope=BotCommandScopeAllGroupChats()
    )
    assert await bot.get_my_commands(language_code="fr") == tuple(commands)
    assert emulator.commands[("all_group_chats", "")] == [
        {"command": "help", "description": "Help"}
    ]
    assert await bot.delete_my_commands(language_code="fr")
    assert await bot.get_my_commands(language_code="fr") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


async def test_webhook_delivery_and_conflict(emulator: BotApiEmulator, bot: Bot) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await received.put((secret, await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret")
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(Conflict):
            await bot.get_updates()
        emulator.user_sends(ALICE, ALICE, "par webhook")
        secret, data = await asyncio.wait_for(received.get(), 5)
        assert secret == "s3cret"
        update = Update.de_json(data, bot)
        assert update.message is not None and update.message.text == "par webhook"
        await emulator.wait_for(lambda: not emulator.pending_updates)
        assert await bot.delete_webhook()
        assert await bot.get_updates() == ()
    finally:
        await runner.cleanup()


async def _hook(handler: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def test_a_method_in_the_webhook_answer_is_run_as_the_bot_api_does(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    """The Bot API runs a method the webhook's answer carries (JSON or a form), with no
    result for the bot; a failing one is simply dropped."""
    message = await bot.send_message(ALICE, "Choose", reply_markup=keyboard("yes"))

    async def receive(request: web.Request) -> web.Response:
        query = (await request.json())["callback_query"]
        if query["data"] == "yes":
            return web.json_response({"method": "answerCallbackQuery",
                                      "callback_query_id": query["id"], "text": "Merci"})
        return web.Response(text=f"method=answerCallbackQuery&callback_query_id={query['id']}",
                            content_type="application/x-www-form-urlencoded")

    runner, url = await _hook(receive)
    try:
        assert await bot.set_webhook(url)
        first = emulator.user_presses(ALICE, ALICE, message.message_id, "yes")
        second = emulator.user_presses(ALICE, ALICE, message.message_id, "no", strict=False)
        await emulator.wait_for(lambda: {first, second} <= emulator.callback_answers.keys())
        assert emulator.callback_answers[first].text == "Merci"
        assert emulator.callback_answers[second].text is None
        answers = emulator.calls_to("answerCallbackQuery")
        assert [c.in_webhook_reply for c in answers] == [True, True]
        assert not emulator.pending_updates
    finally:
        await runner.cleanup()


async def test_webhook_deliveries_run_in_parallel_up_to_max_connections_in_order_per_person(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    emulator.add_user(CAROL, "Carol")
    message = await bot.send_message(ALICE, "Choose", reply_markup=keyboard("a"))
    at_once = 0
    most = 0
    release, two_held = asyncio.Event(), asyncio.Event()
    seen: list[tuple[int, str]] = []

    async def receive(request: web.Request) -> web.Response:
        nonlocal at_once, most
        update = await request.json()
        if "callback_query" not in update:
            return web.Response()
        query = update["callback_query"]
        seen.append((query["from"]["id"], query["data"]))
        if len(seen) == 2:
            two_held.set()
        at_once += 1
        most = max(most, at_once)
        await release.wait()
        at_once -= 1
        return web.Response()

    runner, url = await _hook(receive)
    try:
        assert await bot.set_webhook(url, max_connections=2)
        assert (await bot.get_webhook_info()).max_connections == 2
        for data in ("1", "2", "3"):  # one person's presses: one at a time, in order
            emulator.user_presses(ALICE, ALICE, message.message_id, data, strict=False)
        for data in ("x", "y", "z"):
            emulator.user_presses(BOB, ALICE, message.message_id, data, strict=False)
        emulator.user_presses(CAROL, ALICE, message.message_id, "c", strict=False)
        await asyncio.wait_for(two_held.wait(), 5)  # Alice's 1st, Bob's 1st
        assert sorted(seen) == [(ALICE, "1"), (BOB, "x")]  # two connections, both held
        release.set()
        await emulator.wait_for(lambda: not emulator.pending_updates, timeout=5)
        assert [d for who, d in seen if who == ALICE] == ["1", "2", "3"]
        assert [d for who, d in seen if who == BOB] == ["x", "y", "z"]
        assert most == 2 and (CAROL, "c") in seen
    finally:
        await runner.cleanup()


async def test_stop_ends_pending_long_polls() -> None:
    emulator = await BotApiEmulator().start()
    url = f"{emulator.base_url}{emulator.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        request = asyncio.create_task(http.post(url, data={"timeout": "30"}))
        await emulator.wait_for(lambda: bool(emulator.calls))
        started = time.monotonic()
        await emulator.stop()
        response = await asyncio.wait_for(request, 2)
        async with response:
            assert (await response.json())["result"] == []
        assert time.monotonic() - started < 1.5


async def test_ptb_application_round_trip(emulator: BotApiEmulator) -> None:
    """What our adapter does: an Application on ApplicationBuilder().base_url(...)."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html("<b>Bienvenue</b>", reply_markup=keyboard("ok"))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Noté")
        await update.callback_query.edit_message_text("Merci")

    app = ApplicationBuilder().token(emulator.token).base_url(emulator.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        assert app.updater is not None
        await app.start()
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=5))
        try:
            emulator.user_sends(BOB, BOB, "/start")
            await emulator.wait_for(lambda: len(emulator.messages_to(BOB)) == 1)
            query_id = emulator.user_presses(BOB, BOB, emulator.sent[-1].message_id, "ok")
            await emulator.wait_for(lambda: emulator.sent[-1].edited)
        finally:
            await app.updater.stop()
            await app.stop()
    assert [(s.text, s.parse_mode) for s in emulator.messages_to(BOB)] == [
        ("<b>Bienvenue</b>", "HTML"),
        ("Merci", None),
    ]
    assert emulator.callback_answers[query_id].text == "Noté"


async def test_latency_makes_each_call_a_round_trip_but_lets_calls_overlap() -> None:
    """The field's 50–250 ms per call: a sender awaiting each request pays it every time,
    concurrent requests pay it once."""
    async with BotApiEmulator(latency=0.2) as emulator:
        emulator.add_user(ALICE, "Alice")
        async with Bot(emulator.token, base_url=emulator.base_url) as bot:
            started = time.monotonic()
            await bot.get_me()
            one = time.monotonic() - started
            started = time.monotonic()
            await asyncio.gather(*(bot.get_me() for _ in range(10)))
            ten_at_once = time.monotonic() - started
    assert one >= 0.2
    assert ten_at_once < 10 * 0.2  # overlapping, not queued one after the other


def test_latency_is_a_duration() -> None:
    with pytest.raises(ValueError, match="0 or more seconds"):
        BotApiEmulator(latency=-1)


async def test_photos_documents_and_places_come_as_the_bot_api_sends_them(
    emulator: BotApiEmulator,
) -> None:
    """A photo is a PhotoSize array, largest last; getFile gives a file_path served under
    base_file_url; an unknown file id is a 400, a wrong token a 401, an unknown path a 404."""
    from ..support.photos import photo_with_gps

    data = photo_with_gps()
    emulator.user_sends_photo(ALICE, data, caption="Un trou")
    emulator.user_sends_photo(ALICE, data, as_file=True)
    emulator.user_sends_location(ALICE, 48.85661, 2.35222)
    async with Bot(emulator.token, base_url=emulator.base_url,
                   base_file_url=emulator.base_file_url) as bot:
        photo, document, place = [u.message for u in await bot.get_updates(timeout=0)]
        assert photo is not None and document is not None and place is not None
        assert [size.width for size in photo.photo] == [90, 320] and photo.caption == "Un trou"
        assert photo.photo[-1].file_size == len(data)
        assert document.document is not None and document.document.mime_type == "image/jpeg"
        assert place.location is not None and place.location.latitude == 48.85661
        for file_id in (photo.photo[-1].file_id, document.document.file_id):
            found = await bot.get_file(file_id)
            # PTB makes the file_path a URL under base_file_url
            assert (found.file_path or "").startswith(
                f"{emulator.base_file_url}{emulator.token}/")
            assert bytes(await found.download_as_bytearray()) == data
        with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
            await bot.get_file("AgACnothing")
    found_path = next(c.params["file_path"] for c in emulator.calls if c.method == "download")
    async with aiohttp.ClientSession() as session:
        base = emulator.base_file_url
        async with session.get(f"{base}999:wrong/{found_path}") as answer:
            assert answer.status == 401
        async with session.get(f"{base}{emulator.token}/photos/nothing.jpg") as answer:
            assert answer.status == 404
