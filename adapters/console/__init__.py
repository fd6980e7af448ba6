"""Chat with the bot in a terminal, as a resident (like opsdroid's shell connector)."""

from .adapter import ConsoleAdapter, ConsoleAdapterFactory

__all__ = ["ConsoleAdapter", "ConsoleAdapterFactory"]
