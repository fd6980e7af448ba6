"""Reports for a map and the walk-through's report: GeoJSON (points) and CSV.

Never the reporter (not even as a pseudonym); the resident's text only when
``[reports] export_text`` says so. A report without a place is a feature with a null
geometry in GeoJSON (RFC 7946 allows it) so that counts match the CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from ..csv_cells import safe_dict
from ..store.problem_reports import ProblemReport
from ..store.timestamps import to_db


class ExportFormat(StrEnum):
    GEOJSON = "geojson"
    CSV = "csv"


COLUMNS = ("id", "category", "category_name", "neighbourhood", "status", "reason",
           "created_at", "updated_at", "latitude", "longitude", "photo")


def _properties(report: ProblemReport, names: Mapping[str, str], text: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": report.id, "category": report.category,
        "category_name": names.get(report.category, report.category),
        "neighbourhood": report.neighbourhood_id, "status": report.status.value,
        "reason": report.reason, "created_at": to_db(report.created_at),
        "updated_at": to_db(report.updated_at), "photo": report.photo_ref is not None,
    }
    if text:
        props["text"] = report.text
    return props


def geojson(reports: Iterable[ProblemReport], names: Mapping[str, str], *,
            text: bool = False) -> str:
    features = []
    for report in reports:
        geometry = None
        if report.latitude is not None and report.longitude is not None:
            geometry = {"type": "Point",
                        "coordinates": [round(report.longitude, 6), round(report.latitude, 6)]}
        features.append({"type": "Feature", "id": report.id, "geometry": geometry,
                         "properties": _properties(report, names, text)})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, indent=1)


def csv_text(reports: Iterable[ProblemReport], names: Mapping[str, str], *,
             text: bool = False) -> str:
    out = io.StringIO()
    columns = (*COLUMNS, "text") if text else COLUMNS
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for report in reports:
        row = _properties(report, names, text)
        row["latitude"], row["longitude"] = report.latitude, report.longitude
        row["photo"] = "oui" if row["photo"] else ""
        writer.writerow(safe_dict({key: "" if row.get(key) is None else row[key]
                                   for key in columns}))
    return out.getvalue()


def export(reports: Iterable[ProblemReport], names: Mapping[str, str], fmt: ExportFormat, *,
           text: bool = False) -> str:
    if fmt is ExportFormat.GEOJSON:
        return geojson(reports, names, text=text)
    return csv_text(reports, names, text=text)
