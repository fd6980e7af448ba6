"""A bot's name: its platform, and the commune that runs it when it is a commune's own.

The deployment's bot on a platform is named after it (``telegram``); a commune's own bot is
``<platform>.<commune>`` (``telegram.bourg``). That name is the bot's platform everywhere in
the core (chat rows, pacing, inbound offsets, pseudonyms); figures per channel read it back
as its platform, so two communes' Telegram bots are one channel, « Telegram ».
"""

from __future__ import annotations

BOT_SEPARATOR = "."  # never in an adapter's name nor in a commune's id (a slug)


def bot_name(platform: str, commune: str | None) -> str:
    """``telegram`` (the deployment's bot) or ``telegram.bourg`` (a commune's own)."""
    return platform if commune is None else f"{platform}{BOT_SEPARATOR}{commune}"


def platform_of(bot: str) -> str:
    """The platform a bot runs on: ``telegram.bourg`` → ``telegram``."""
    return bot.partition(BOT_SEPARATOR)[0]


def commune_of_bot(bot: str) -> str | None:
    """The commune whose own bot this is; None for a deployment's bot."""
    return bot.partition(BOT_SEPARATOR)[2] or None
