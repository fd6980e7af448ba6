"""Texts written where a fault is found, translated where they are shown.

A scenario or configuration problem is found deep in the loader, where the reader's language
is unknown; it is printed by a command or a chat reply that knows it. :class:`LazyText` carries
the message id and its parameters to that edge. It *is* the English text (a ``str``), so code
and tests that read ``problem.message`` as text keep working; :func:`render` speaks any
language.

Modules that write such texts import :func:`lazy` as ``_``, so that
``python -m animabot.i18n.extract`` finds the ids as it finds every other ``_("...")``::

    from ..i18n.lazy import lazy as _
    Problem(file, field, _("unknown key {key!r}", key=key), _("remove it"))

Parameters are values as written (shown as they are) or other lazy texts (translated too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Translate = Callable[[str], str]


class LazyText(str):
    """The English text of ``msgid`` with ``params``, remembering both to translate later."""

    msgid: str
    params: Mapping[str, object]

    def __new__(cls, msgid: str, params: Mapping[str, object] | None = None) -> LazyText:
        params = dict(params or {})
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return LazyText, (self.msgid, dict(self.params))


def lazy(msgid: str, /, **params: object) -> LazyText:
    """Mark ``msgid`` for the catalogs and fill it in; translated later by :func:`render`."""
    return LazyText(msgid, params)


def render(text: str, _: Translate) -> str:
    """``text`` in the language of ``_``; plain strings (values, old callers) as they are."""
    if not isinstance(text, LazyText):
        return str(text)
    params = {
        key: render(value, _) if isinstance(value, LazyText) else value
        for key, value in text.params.items()
    }
    translated = _(text.msgid)
    try:
        return translated.format(**params) if params else translated
    except (KeyError, IndexError, ValueError):  # a faulty translation must not hide the fault
        return text.msgid.format(**params) if params else text.msgid
