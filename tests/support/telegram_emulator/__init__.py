"""A Telegram Bot API emulator for tests: real HTTP that python-telegram-bot 22.8 talks to.

`BotApiEmulator` serves the Bot API 10.0 methods the bot uses, with the shapes PTB 22.8
requires, real long polling, webhooks, flood control and scripted faults, and test hooks to
make users act and to read what the bot sent.
"""

from .params import ApiError
from .server import DEFAULT_TOKEN, BotApiEmulator
from .state import Call, CallbackAnswer, SentMessage

__all__ = ["DEFAULT_TOKEN", "ApiError", "BotApiEmulator", "Call", "CallbackAnswer", "SentMessage"]
