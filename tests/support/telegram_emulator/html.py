"""Telegram's HTML parse mode: validate like the Bot API and turn markup into text + entities."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .params import ApiError, bad_request

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*>")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);")
_ATTR = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


@dataclass
class _Open:
    tag: str
    offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _entity_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _attrs(raw: str) -> dict[str, str]:
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(raw)}


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities), or raise the Bot API's 400."""
    out: list[str] = []
    length = 0  # UTF-16 length of the plain text so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        char = source[i]
        at = len(source[:i].encode())
        if char == "<":
            match = _TAG.match(source, i)
            if match is None:
                raise _entity_error(f"unexpected character '<' at byte offset {at}")
            closing, tag, raw_attrs = match[1] == "/", match[2].lower(), match[3]
            if closing:
                if not stack or stack[-1].tag != tag:
                    raise _entity_error(f'unexpected end tag "{tag}" at byte offset {at}')
                _close(stack.pop(), length, stack, entities)
            else:
                if tag not in _ENTITY_OF_TAG:
                    raise _entity_error(f'unsupported start tag "{tag}" at byte offset {at}')
                attrs = _attrs(raw_attrs)
                if tag == "span" and attrs.get("class") != "tg-spoiler":
                    raise _entity_error(
                        f'tag "span" must have class "tg-spoiler" at byte offset {at}'
                    )
                if tag == "a" and not attrs.get("href"):
                    raise _entity_error(f'tag "a" must have attribute "href" at byte offset {at}')
                stack.append(_Open(tag, length, attrs))
            i = match.end()
            continue
        if char == "&":
            match = _CHAR_REF.match(source, i)
            if match is None:
                raise _entity_error(f"character '&' must be escaped at byte offset {at}")
            name = match[1]
            if name.startswith("#"):
                decoded = html.unescape(match[0])
            elif name in _NAMED:
                decoded = _NAMED[name]
            else:
                raise _entity_error(f'unsupported HTML entity "{match[0]}" at byte offset {at}')
            out.append(decoded)
            length += utf16_len(decoded)
            i = match.end()
            continue
        out.append(char)
        length += utf16_len(char)
        i += 1
    if stack:
        raise _entity_error(f'can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close(opened: _Open, end: int, stack: list[_Open], entities: list[dict[str, Any]]) -> None:
    kind = _ENTITY_OF_TAG[opened.tag]
    language = opened.attrs.get("class", "")
    if kind == "code" and stack and stack[-1].tag == "pre" and language.startswith("language-"):
        stack[-1].attrs["language"] = language.removeprefix("language-")
        return
    if end == opened.offset:
        return  # Telegram drops empty entities
    entity: dict[str, Any] = {"type": kind, "offset": opened.offset, "length": end - opened.offset}
    if kind == "text_link":
        entity["url"] = opened.attrs["href"]
    elif kind == "pre" and "language" in opened.attrs:
        entity["language"] = opened.attrs["language"]
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = opened.attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)
