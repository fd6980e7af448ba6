"""pydantic's plain type errors in a facilitator's words, for scenario and configuration files.

pydantic says "Input should be a valid integer"; a facilitator needs "must be a whole number,
not 'deux'" and how to write it. The texts are lazy (:mod:`animabot.i18n.lazy`): English
here, in the reader's language where they are shown.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from pydantic_core import ErrorDetails

from .i18n.lazy import LazyText
from .i18n.lazy import lazy as _

# error type -> (what is wrong, how to write it); {value} is the value shown as written.
_TYPE_FAULTS: dict[str, tuple[str, str]] = {
    "string_type": (_("must be a text, not {value}"),
                    _('write the text between straight double quotes: {key} = "..."')),
    "int_type": (_("must be a whole number, not {value}"),
                 _("write a number without quotes, e.g. {key} = 2")),
    "int_parsing": (_("must be a whole number, not {value}"),
                    _("write a number without quotes, e.g. {key} = 2")),
    "int_from_float": (_("must be a whole number, not {value}"),
                       _("write a number without a decimal part, e.g. {key} = 2")),
    "float_type": (_("must be a number, not {value}"),
                   _("write a number without quotes, e.g. {key} = 1.5")),
    "float_parsing": (_("must be a number, not {value}"),
                      _("write a number without quotes, e.g. {key} = 1.5")),
    "bool_type": (_("must be true or false, not {value}"),
                  _("write {key} = true or {key} = false, without quotes")),
    "bool_parsing": (_("must be true or false, not {value}"),
                     _("write {key} = true or {key} = false, without quotes")),
    "dict_type": (_("must be a table, not {value}"),
                  _("write it as a [table] of keys, as in {example}")),
    "model_type": (_("must be a table, not {value}"),
                   _("write it as a [table] of keys, as in {example}")),
    "model_attributes_type": (_("must be a table, not {value}"),
                              _("write it as a [table] of keys, as in {example}")),
    "list_type": (_("must be a list, not {value}"),
                  _("write it between brackets: {key} = [...]")),
    "greater_than": (_("must be more than {limit}, not {value}"),
                     _("write a number above {limit}")),
    "greater_than_equal": (_("must be {limit} or more, not {value}"),
                           _("write a number of at least {limit}")),
    "less_than": (_("must be less than {limit}, not {value}"),
                  _("write a number below {limit}")),
    "less_than_equal": (_("must be {limit} or less, not {value}"),
                        _("write a number of at most {limit}")),
    "literal_error": (_("{value} is not allowed"), _("write one of: {expected}")),
}
_LIMITS = ("gt", "ge", "lt", "le")
SHOWN_LENGTH = 40  # a value quoted in a message: enough to recognise it


def type_fault(error: ErrorDetails, example: str) -> tuple[LazyText, LazyText] | None:
    """Words and fix for a plain type or bound error; ``None`` for any other kind.

    ``example`` names a file where a facilitator can see the key written right.
    """
    words = _TYPE_FAULTS.get(error["type"])
    if words is None:
        return None
    ctx = error.get("ctx") or {}
    key = str(error["loc"][-1]) if error["loc"] else ""
    limit = next((ctx[name] for name in _LIMITS if name in ctx), "")
    return (
        refill(words[0], value=shown(error.get("input")), limit=limit),
        refill(words[1], key=key, limit=limit, example=example,
               expected=ctx.get("expected", "")),
    )


def refill(text: str, **params: object) -> LazyText:
    """``text`` (an id marked with ``_``) filled with those of ``params`` it names."""
    msgid = text.msgid if isinstance(text, LazyText) else text
    names = {name for _text, name, _spec, _conv in Formatter().parse(msgid) if name}
    return LazyText(msgid, {name: params[name] for name in names})


def shown(value: Any) -> str:
    """A written value, quoted as in the file and cut when long; booleans as TOML has them."""
    text = str(value).lower() if isinstance(value, bool) else repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
