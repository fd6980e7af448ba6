"""Photos as phones make them: a JPEG carrying EXIF with the camera and the GPS position."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
PARIS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}


def photo_with_gps(width: int = 320, height: int = 240) -> bytes:
    image = Image.new("RGB", (width, height), (180, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x8825] = PARIS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    """EXIF (GPS or any), XMP or a comment left in a JPEG."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return (bool(exif) or bool(exif.get_ifd(GPS_IFD)) or "exif" in image.info
                or "xmp" in image.info or "comment" in image.info
                or b"Exif\x00\x00" in data)
