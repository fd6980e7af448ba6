"""Sub-commands loaded when used, so that ``animabot --help`` (or ``animabot run``) does not
import every command's dependencies (the core, APScheduler, the statistics) first.

Click's types are left as ``Any``: Typer 0.29 vendors its own click, older ones use click's.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 1)].rsplit(" ", 1)[0] + "..."


@dataclass(frozen=True)
class Lazy:
    """``target`` is ``"module:attribute"``: a Typer app (a group) or a command function."""

    target: str
    help: str  # the line ``animabot --help`` shows without importing the module

    def load(self, name: str) -> Any:
        module, _, attribute = self.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        # Attached to a holder as the main app would attach it, so that it inherits the same
        # settings (plain help, no rich boxes).
        holder = typer.Typer(rich_markup_mode=None)
        holder.callback()(lambda: None)
        if isinstance(found, typer.Typer):
            holder.add_typer(found, name=name)
        else:
            holder.command(name)(found)
        return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


class LazyGroup(TyperGroup):
    """A Typer group whose ``lazy`` sub-commands are imported on first use (subclass it with
    the table)."""

    lazy: ClassVar[Mapping[str, Lazy]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = self.lazy[cmd_name].load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The help's command list, from the table for the groups not loaded yet."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                if not self.commands[name].hidden:
                    rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, _short(self.lazy[name].help, limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
