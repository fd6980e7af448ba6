"""Problem reports' pure parts: photos stripped of their metadata, the webhook's signature,
the GeoJSON and CSV exports (never a pseudonym), the figures' suppression, and where
Telegram files are fetched from."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from adapters.telegram.settings import TelegramSettings, file_url
from animabot.config.reports import ReportCategory
from animabot.domain.problem_report import ReportStatus
from animabot.problems.dispatch import service_message, sign, verify, webhook_body
from animabot.problems.export import ExportFormat, export
from animabot.problems.figures import report_figures
from animabot.problems.photos import PhotoError, PhotoStore, strip_metadata
from animabot.store.problem_reports import ProblemReport
from tests.support.photos import GPS_IFD, has_metadata, photo_with_gps

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PSEUDONYM = "a3f9c2e81b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab"
NAMES = {"voirie": "Voirie", "proprete": "Propreté"}


def _report(id_: int = 1, *, category: str = "voirie", hood: str | None = "centre",
            status: ReportStatus = ReportStatus.RECEIVED, days: float = 0,
            place: bool = True) -> ProblemReport:
    return ProblemReport(
        id=id_, pseudonym=PSEUDONYM, platform="telegram", neighbourhood_id=hood,
        category=category, text="Un trou rue Victor-Hugo", photo_ref="ab.jpg",
        latitude=48.8566 if place else None, longitude=2.3522 if place else None,
        status=status, reason=None, created_at=T0, updated_at=T0 + timedelta(days=days))


# --- photos ---------------------------------------------------------------------------------

def test_a_photo_with_gps_exif_is_kept_without_any_metadata(tmp_path: object) -> None:
    original = photo_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    clean = strip_metadata(original, 10_000_000)
    assert not has_metadata(clean)
    with Image.open(io.BytesIO(clean)) as after:
        assert after.format == "JPEG" and after.size == (320, 240)


def test_the_orientation_is_applied_to_the_pixels_before_it_is_dropped() -> None:
    image = Image.new("RGB", (40, 20), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to show
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif.tobytes())
    clean = strip_metadata(out.getvalue(), 10_000_000)
    with Image.open(io.BytesIO(clean)) as after:
        assert after.size == (20, 40) and not after.getexif()


def test_what_is_not_a_photo_or_too_large_is_refused() -> None:
    with pytest.raises(PhotoError):
        strip_metadata(b"%PDF-1.7 not a photo", 10_000_000)
    with pytest.raises(PhotoError, match="limit"):
        strip_metadata(photo_with_gps(), 100)


def test_the_store_names_photos_at_random_and_keeps_them_private(tmp_path: object) -> None:
    from pathlib import Path

    store = PhotoStore(Path(str(tmp_path)) / "photos")
    first, second = store.save(photo_with_gps(), 10**7), store.save(photo_with_gps(), 10**7)
    assert first != second and first.endswith(".jpg") and len(first) == 36
    assert store.path(first).stat().st_mode & 0o077 == 0
    stored = store.read(first)
    assert stored is not None and not has_metadata(stored)
    with pytest.raises(PhotoError):
        store.path("../animabot.db")
    store.delete(first)
    assert store.refs() == {second}


# --- what services receive --------------------------------------------------------------------

def test_the_webhook_body_is_signed_and_a_changed_body_fails_the_check() -> None:
    category = ReportCategory(id="voirie", name="Voirie", webhook="https://sig.example/hook")
    body = webhook_body(_report(), category, "Centre-ville", b"\xff\xd8jpeg")
    header = sign(body, b"secret")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify(body, b"secret", header)
    assert not verify(body.replace(b"Victor", b"Victoire"), b"secret", header)
    assert not verify(body, b"other secret", header)
    data = json.loads(body)
    assert data["reporter"] == PSEUDONYM[:12] and PSEUDONYM not in body.decode()
    assert data["location"]["latitude"] == 48.8566 and "openstreetmap" in data["location"]["map"]
    assert data["photo"]["content_type"] == "image/jpeg"


def test_the_services_e_mail_gives_the_place_and_a_pseudonym_only() -> None:
    category = ReportCategory(id="voirie", name="Voirie", email="voirie@ville.example")
    message = service_message(_report(7), category, "Centre-ville", b"jpeg")
    assert message.subject == "[Signalement 7] Voirie"
    assert "48.856600, 2.352200" in message.body and "openstreetmap.org" in message.body
    assert PSEUDONYM[:12] in message.body and PSEUDONYM not in message.body
    assert message.photo == b"jpeg"


# --- exports ----------------------------------------------------------------------------------

def test_the_geojson_export_holds_points_without_pseudonym_nor_text() -> None:
    reports = [_report(1), _report(2, place=False, status=ReportStatus.RESOLVED, days=3)]
    text = export(reports, NAMES, ExportFormat.GEOJSON)
    data = json.loads(text)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    point = data["features"][0]
    assert point["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    assert point["properties"] | {} == point["properties"]
    assert {"category", "status", "created_at", "updated_at", "neighbourhood"} <= set(
        point["properties"])
    assert point["properties"]["category_name"] == "Voirie"
    assert data["features"][1]["geometry"] is None
    assert PSEUDONYM[:12] not in text and "Victor-Hugo" not in text and "ab.jpg" not in text
    with_text = json.loads(export(reports, NAMES, ExportFormat.GEOJSON, text=True))
    assert with_text["features"][0]["properties"]["text"] == "Un trou rue Victor-Hugo"


def test_the_csv_export_has_one_row_per_report_and_no_pseudonym() -> None:
    text = export([_report(1), _report(2, hood=None, place=False)], NAMES, ExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["latitude"] == "48.8566" and rows[1]["latitude"] == ""
    assert rows[0]["photo"] == "oui" and "text" not in rows[0]
    assert PSEUDONYM[:12] not in text


# --- figures ----------------------------------------------------------------------------------

def test_figures_hide_small_counts_and_a_median_over_too_few_reports() -> None:
    reports = [_report(i, status=ReportStatus.RESOLVED, days=i) for i in range(1, 7)]
    reports += [_report(10 + i, category="proprete", hood="gare") for i in range(2)]
    figures = report_figures(reports, NAMES, {"centre": "Centre", "gare": "Gare"}, 5)
    by_category = {line.key: line for line in figures.by_category}
    # 2 reports of "propreté" is a small cell; the total would give it back from the 6, so
    # the 6 is hidden too (its complement).
    assert by_category["proprete"].count is None and by_category["voirie"].count is None
    assert figures.total == 8
    assert by_category["voirie"].median_days == 3.5  # six resolved: enough for a median
    assert by_category["proprete"].median_days is None
    few = report_figures(reports[:3], NAMES, {}, 5)
    assert few.by_category[0].count is None and few.by_category[0].median_days is None
    assert few.total is None


# --- Telegram's file endpoint -------------------------------------------------------------------

@pytest.mark.parametrize(("base", "files"), [
    ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
    ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/file/bot"),
    ("http://botapi.local:8081/custom", "http://botapi.local:8081/custom/file/bot"),
])
def test_the_file_url_is_derived_from_the_base_url(base: str, files: str) -> None:
    assert file_url(TelegramSettings(base_url=base)) == files
    assert file_url(TelegramSettings(base_url=base, base_file_url="http://x/f/bot")) == \
        "http://x/f/bot"
