"""The report page's form read and checked: what the resident typed, and the errors to show
beside each field (their keys in :mod:`.texts`). Pure: no request, no database."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ...conversation.reports import MAX_TEXT

MAX_PLACE = 200  # characters: a street and a landmark


@dataclass(frozen=True)
class ReportForm:
    """The fields as typed (shown again when an error is found) and the values read."""

    category: str = ""
    text: str = ""
    place: str = ""
    latitude_text: str = ""
    longitude_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field → texts' key

    @property
    def ok(self) -> bool:
        return not self.errors


def _coordinate(typed: str, bound: float) -> float | None:
    """A decimal degree (a comma is a decimal point too), or None when not one."""
    try:
        value = float(typed.strip().replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) and -bound <= value <= bound else None


def read_report(fields: Mapping[str, str], categories: Collection[str], *,
                has_photo: bool) -> ReportForm:
    """The form's values and its errors: a known category, a description or a photo, a text
    not too long, coordinates both given (or neither) and on the globe."""
    category = fields.get("category", "").strip()
    text = fields.get("text", "").strip()
    place = fields.get("place", "").strip()
    lat_text = fields.get("latitude", "").strip()[:40]
    lon_text = fields.get("longitude", "").strip()[:40]
    errors: dict[str, str] = {}
    if category not in categories:
        errors["category"] = "report_error_category"
    if len(text) > MAX_TEXT:
        errors["text"] = "report_error_text_long"
    elif not text and not has_photo:
        errors["text"] = "report_error_text_needed"
    if len(place) > MAX_PLACE:
        errors["place"] = "report_error_place_long"
    latitude = longitude = None
    if lat_text or lon_text:
        latitude, longitude = _coordinate(lat_text, 90), _coordinate(lon_text, 180)
        if latitude is None:
            errors["latitude"] = "report_error_latitude"
        if longitude is None:
            errors["longitude"] = "report_error_longitude"
    return ReportForm(category, text, place, lat_text, lon_text, latitude, longitude, errors)


def report_text(form: ReportForm, place_label: str) -> str:
    """The description kept, with the place typed as its last line."""
    if not form.place:
        return form.text
    place = f"{place_label} : {form.place}"
    return f"{form.text}\n{place}" if form.text else place
