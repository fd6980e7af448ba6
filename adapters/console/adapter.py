"""The console adapter: the terminal user is one resident, in private with the bot and in
the console neighbourhood's group. Buttons are numbered; typing the number presses one.

Lines typed: ``/aide`` (a command), ``3`` (press button 3 of the last message), anything else
(a private message). Ctrl-D at a terminal quits: the bot stops when the console is its only
platform. With no terminal (a container, CI, a closed pipe) it only prints what is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from animabot.chat.contract import InboundHandler
from animabot.chat.events import ButtonPressed, ChatRef, CommandReceived, Sender, TextReceived
from animabot.chat.outgoing import Button, OutgoingMessage, SendResult, Target
from animabot.config import Settings
from animabot.errors import StorageError
from animabot.privacy.pseudonyms import Pseudonymizer

log = logging.getLogger(__name__)
PLATFORM = "console"
GROUP = "group"
MAX_RETRY_DELAY = 60.0


class ConsoleAdapter:
    platform = PLATFORM
    idempotent_sends = True  # a repeated line on a terminal harms nobody
    limits = None

    def __init__(
        self, pseudonymize: Pseudonymizer, user: str, language: str,
        stdin: TextIO | None = None, stdout: TextIO | None = None, facilitator: bool = False,
    ) -> None:
        self.facilitator = facilitator
        self.pseudonym = pseudonymize(PLATFORM, user)
        self.user = user
        self.language = language
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.handler: InboundHandler | None = None
        self.buttons: list[tuple[Button, bool]] = []  # (button, seen in private)
        self._refs = itertools.count(1)
        self._events = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self.quit: Callable[[], None] = lambda: None  # what Ctrl-D does, set by the app

    async def start(self, handler: InboundHandler) -> None:
        self.handler = handler
        self._print("animabot console: /aide for help, a number presses a button, Ctrl-D quits")
        if not self.stdin.closed:
            self._reader = asyncio.create_task(self._read_lines(), name="console-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        where = "privé" if target.private else "quartier"
        heading = f" {message.title}" if message.title else ""
        edited = " (modifié)" if message.edit_ref else ""
        self._print(f"\n[{where}]{heading}{edited}\n{message.text}")
        if message.buttons:
            self.buttons = [(b, target.private) for row in message.buttons for b in row]
            for number, (button, _) in enumerate(self.buttons, start=1):
                self._print(f"  [{number}] {button.unnumbered}")
        return SendResult(message.edit_ref or f"c{next(self._refs)}")

    async def member_count(self, address: str) -> int | None:
        return 1

    async def _read_lines(self) -> None:
        # A daemon thread, not the loop's executor: a blocked readline() must never hold up
        # the shutdown of the bot.
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def pump() -> None:
            for line in iter(self.stdin.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, "")

        threading.Thread(target=pump, name="console-stdin", daemon=True).start()
        while line := await lines.get():
            await self._feed_until_saved(line.strip())
        if self._at_terminal():
            self._print("Au revoir ! · Goodbye!")
            self.quit()

    def _at_terminal(self) -> bool:
        try:
            return self.stdin.isatty()
        except (ValueError, OSError):  # closed or detached
            return False

    async def _feed_until_saved(self, line: str) -> None:
        """A line whose handling could not be saved (a full disk) is kept and tried again."""
        delay = 1.0
        while True:
            try:
                await self.feed(line)
                return
            except StorageError as exc:
                if delay == 1.0:
                    self._print(f"  ! {exc}\n  (réessai automatique / retrying by itself)")
                await asyncio.sleep(delay)
                delay = min(MAX_RETRY_DELAY, delay * 2)
            except Exception:  # the reader must outlive a bug on one line
                log.exception("a console line could not be handled")
                return

    async def feed(self, line: str) -> None:
        """Handle one typed line (also used by tests)."""
        if not line or self.handler is None:
            return
        event_id = f"console-{datetime.now(UTC).timestamp()}-{next(self._events)}"
        now = datetime.now(UTC)
        private = ChatRef(PLATFORM, "", True)
        sender = Sender(self.pseudonym, self.language, private_address=self.user,
                        is_facilitator=self.facilitator)
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            button, in_private = self.buttons[int(line) - 1]
            chat = private if in_private else ChatRef(PLATFORM, GROUP, False, "console")
            event: Any = ButtonPressed(event_id, chat, sender, now, action=button.action)
        elif line.startswith(("/", "!")):
            name, *args = line[1:].split()
            event = CommandReceived(event_id, private, sender, now, command=name, args=tuple(args))
        else:
            event = TextReceived(event_id, private, sender, now, text=line)
        notice = await self.handler(event)
        if notice:
            self._print(f"  → {notice}")

    def _print(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)


class ConsoleAdapterFactory:
    name = PLATFORM
    label = "Console"  # on the dashboard

    def enabled(self, settings: Settings) -> bool:
        return settings.console.enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> ConsoleAdapter:
        adapter = ConsoleAdapter(
            pseudonymize, settings.console.resident, settings.bot.language,
            stdin=options.get("stdin"), stdout=options.get("stdout"),
            facilitator=settings.console.resident in settings.facilitators.ids(PLATFORM),
        )
        if callable(options.get("quit")):
            adapter.quit = options["quit"]
        return adapter
