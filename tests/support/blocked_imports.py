"""Run the animabot CLI as if some libraries were not installed (a missing pip extra).

``python -m tests.support.blocked_imports telegram,nio -- demo --residents 4`` makes every
``import telegram`` / ``import nio`` (and their submodules) fail with ModuleNotFoundError, as
in an install without the extras, then runs ``animabot`` with the remaining arguments. Each
attempt is also written to stderr (``blocked import: NAME``), so a test can tell that nothing
even tried.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class Blocker(importlib.abc.MetaPathFinder):
    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in self.names:
            print(f"blocked import: {fullname}", file=sys.stderr)  # a test can see the attempt
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def main() -> None:
    blocked, _, *args = sys.argv[1:]
    sys.meta_path.insert(0, Blocker(set(blocked.split(","))))
    sys.argv = ["animabot", *args]
    from animabot.cli.main import main as animabot

    animabot()


if __name__ == "__main__":
    main()
