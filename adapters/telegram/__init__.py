"""Residents and facilitators on Telegram, through python-telegram-bot."""

import os

# PTB 22 warns on every integer time period unless told to use timedelta (its future default);
# opting in keeps logs quiet and our error mapping handles timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from .adapter import TelegramAdapter, TelegramAdapterFactory

__all__ = ["TelegramAdapter", "TelegramAdapterFactory"]
