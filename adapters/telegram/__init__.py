"""Residents and facilitators on Telegram, through python-telegram-bot.

Nothing is imported here: the entry point (``factory``) must load without the library, so
that an install without the ``telegram`` extra still runs the other adapters. Import the
adapter from ``adapters.telegram.adapter``.
"""

import os

# PTB 22 warns on every integer time period unless told to use timedelta (its future default);
# opting in keeps logs quiet and our error mapping handles timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")
