"""Files residents send (photos, images as files) and how the bot fetches them, as the Bot
API does: ``getFile`` gives a ``file_path``, valid for an hour, and the bytes are served at
``/file/bot<token>/<file_path>`` (what PTB calls ``base_file_url``). The cloud Bot API
refuses ``getFile`` for files over 20 MB."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from .params import Params, bad_request
from .state import EmulatorState

DOWNLOAD_LIMIT = 20 * 1024 * 1024
PATH_LIFETIME = 3600  # seconds a file_path may be downloaded


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # "photos" or "documents": the folder of its file_path
    path: str | None = None
    path_issued_at: int = 0


def store_file(state: EmulatorState, data: bytes, kind: str) -> StoredFile:
    stored = StoredFile(f"AgAC{state.unique('f')}", f"AQAD{state.unique('u')}", data, kind)
    state.files[stored.file_id] = stored
    return stored


def photo_sizes(state: EmulatorState, data: bytes) -> list[dict[str, Any]]:
    """The PhotoSize array of a photo: a small thumbnail and the photo itself, largest last.
    (Telegram re-encodes photos; the emulator keeps the bytes a test gave, metadata and all,
    so that the bot's own stripping is what a test checks.)"""
    width, height = _dimensions(data)
    thumb = store_file(state, data[:1024], "photos")
    full = store_file(state, data, "photos")
    scale = max(width, height, 1) / 90
    return [
        {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id,
         "file_size": len(thumb.data), "width": max(1, int(width / scale)),
         "height": max(1, int(height / scale))},
        {"file_id": full.file_id, "file_unique_id": full.file_unique_id,
         "file_size": len(data), "width": width, "height": height},
    ]


def _dimensions(data: bytes) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height
    except Exception:
        return 800, 600


def get_file(state: EmulatorState, params: Params) -> dict[str, Any]:
    """getFile."""
    file_id = params.text("file_id", required=True)
    stored = state.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    stored.path = f"{stored.kind}/file_{state.unique('p')}.jpg"
    stored.path_issued_at = state.timestamp()
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data), "file_path": stored.path}


def download(state: EmulatorState, path: str) -> bytes | None:
    """The bytes at a ``file_path`` getFile gave out less than an hour ago, or None."""
    for stored in state.files.values():
        if stored.path == path and state.timestamp() - stored.path_issued_at <= PATH_LIFETIME:
            return stored.data
    return None
