"""Report photos: re-encoded without their metadata (EXIF, GPS included) before they are kept.

Re-encoding the pixels alone is the only sure way to drop every metadata block a camera or an
app may add (EXIF, XMP, IPTC, comments, thumbnails that keep their own EXIF). The orientation
EXIF carried is applied to the pixels first, so the photo still shows the right way up. A
photo is kept under a random name in a folder beside the database, never its original name.
"""

from __future__ import annotations

import contextlib
import io
import logging
import secrets
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..config import Settings
from ..config.reports import photo_folder as reports_photo_folder
from ..errors import AnimabotError

log = logging.getLogger(__name__)
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
MAX_SIDE = 2560  # larger photos are scaled down: a service needs to see, not to print
QUALITY = 85


class PhotoError(AnimabotError):
    """A file that is not a photo we can read, or one too large."""


def strip_metadata(data: bytes, max_bytes: int) -> bytes:
    """The photo as a JPEG holding pixels only; :class:`PhotoError` when unreadable."""
    if len(data) > max_bytes:
        raise PhotoError(f"the photo is {len(data)} bytes, the limit is {max_bytes}")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError("the photo has too many pixels")
            upright = ImageOps.exif_transpose(image)
            pixels = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"not a photo that can be read ({type(exc).__name__})") from exc
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", pixels.size)  # a fresh image: no info dict carried over
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def photo_folder(settings: Settings) -> Path:
    """``[reports] photos``, or a folder beside the SQLite database."""
    return reports_photo_folder(settings.reports, settings.storage)


class PhotoStore:
    """Photos by reference (a random name); the folder is made private to the bot's user."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, data: bytes, max_bytes: int) -> str:
        clean = strip_metadata(data, max_bytes)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        ref = f"{secrets.token_hex(16)}.jpg"
        target = self.folder / ref
        partial = target.with_suffix(".part")
        partial.write_bytes(clean)
        partial.chmod(0o600)
        partial.replace(target)
        return ref

    def path(self, ref: str) -> Path:
        if "/" in ref or "\\" in ref or ref.startswith("."):
            raise PhotoError("not a photo reference")
        return self.folder / ref

    def read(self, ref: str) -> bytes | None:
        try:
            return self.path(ref).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, ref: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(ref).unlink()

    def refs(self) -> set[str]:
        if not self.folder.is_dir():
            return set()
        return {p.name for p in self.folder.glob("*.jpg")}
