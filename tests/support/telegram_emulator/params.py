"""Request parameters as PTB sends them, and the error every Bot API method may raise."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """A Bot API error: answered with a non-2xx status and an `ok: false` body."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """A 403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {reason}")


def decode_for_log(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode JSON objects and arrays (PTB JSON-encodes them inside forms); keep the rest."""
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        decoded[name] = value
    return decoded


class Params:
    """Typed access to a method's parameters, whether they came as a form, a query or JSON.

    Form values are strings; PTB JSON-encodes every non-string value, so numbers, booleans,
    lists and objects are decoded on access, while text stays as sent.
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)

    def has(self, name: str) -> bool:
        """Whether the parameter was given (a JSON null counts as absent)."""
        return self.raw.get(name) is not None

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string parameter."""
        value = self.raw.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """An integer parameter."""
        value = self._decoded(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool) -> bool:
        """A boolean parameter."""
        value = self._decoded(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if isinstance(value, int):
            return bool(value)
        raise bad_request(f"invalid {name} specified")

    def obj(self, name: str) -> Any:
        """A JSON object or array parameter, or None."""
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id: an integer, or an `@username` string."""
        value = self.raw.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        try:
            return int(text)
        except ValueError:
            if text.startswith("@"):
                return text
            raise bad_request("chat not found") from None

    def _decoded(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
