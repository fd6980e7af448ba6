"""``animabot campaign list --commune villeneuve`` as well as ``animabot --commune villeneuve
campaign list``: ``--commune`` is the main command's option (every command acts as that
commune), but people write it where they write the others, after the sub-command. It is
moved in front, except for the commands that have a ``--commune`` of their own (an account's
or an agent token's commune)."""

from __future__ import annotations

from collections.abc import Sequence

OPTION = "--commune"
# (group, command) whose own --commune names what they create, not who acts
OWN_OPTION = {("users", "add"), ("web", "token")}


def hoist_commune(argv: Sequence[str]) -> list[str]:
    """``argv`` (without the program's name) with a ``--commune ID`` written after the
    sub-command moved before it; anything else unchanged."""
    args = list(argv)
    if "--" in args:  # after "--" nothing is an option
        head, tail = args[: args.index("--")], args[args.index("--"):]
    else:
        head, tail = args, []
    if any(word == OPTION or word.startswith(OPTION + "=") for word in head[:1]):
        return args  # already the main command's
    words = [word for word in head if not word.startswith("-")]
    if len(words) >= 2 and (words[0], words[1]) in OWN_OPTION:
        return args
    first = next((i for i, word in enumerate(head) if not word.startswith("-")), None)
    if first is None:
        return args
    for index in range(first + 1, len(head)):
        word = head[index]
        if word == OPTION and index + 1 < len(head):
            moved = head[index:index + 2]
            rest = head[:index] + head[index + 2:]
            return moved + rest + tail
        if word.startswith(OPTION + "="):
            return [word, *head[:index], *head[index + 1:], *tail]
    return args
