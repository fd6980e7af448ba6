"""The store owns the schema (issue 14): no module outside ``animabot/store`` holds an SQL
statement in a string or imports a driver (SQLite's or PostgreSQL's). The modules still
allowed are listed by name, so that each move shrinks the list and nothing new joins it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "animabot"
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|"
                 r"DELETE\s+FROM|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX)|DROP\s+(TABLE|INDEX))\b",
                 re.IGNORECASE | re.DOTALL)
DRIVERS = ("aiosqlite", "sqlite3", "psycopg", "psycopg_pool")
# Modules not moved yet: shrink, never grow (empty since the conversation and notices moved).
STILL_ALLOWED: set[str] = set()


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if text := _text(node):
            if SQL.search(text):
                found.append(f"line {node.lineno}: SQL {text.strip()[:40]!r}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            if any(name.split(".")[0] in DRIVERS for name in names):
                found.append(f"line {node.lineno}: imports the driver")
    return found


def _text(node: ast.AST) -> str | None:
    """A string literal, an f-string's holes written ``{}`` (``SELECT {column} FROM``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{}"
                       for part in node.values)
    return None


def test_no_sql_and_no_driver_outside_the_store() -> None:
    offending = {}
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith("store/") or name in STILL_ALLOWED:
            continue
        if found := _offences(path):
            offending[name] = found
    assert offending == {}, "SQL belongs in animabot/store: " + str(offending)


def test_the_allowed_list_holds_only_modules_that_still_need_it() -> None:
    stale = [name for name in sorted(STILL_ALLOWED) if not _offences(ROOT / name)]
    assert stale == [], f"remove from STILL_ALLOWED: {stale}"
