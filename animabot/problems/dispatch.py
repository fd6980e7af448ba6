"""What a service receives about a report: the same facts by e-mail or by webhook.

The reporter is a pseudonym only (the first characters of the keyed HMAC, never an account
id nor a name); a place is given as coordinates and a map link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol

from ..config.reports import ReportCategory
from ..store.problem_reports import ProblemReport
from ..store.timestamps import to_db

SIGNATURE_HEADER = "X-Animabot-Signature"
EVENT_HEADER = "X-Animabot-Event"
SHOWN_PSEUDONYM = 12  # characters: enough to tell two reporters apart, nothing more


def map_link(latitude: float, longitude: float) -> str:
    return (f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
            f"#map=18/{latitude:.6f}/{longitude:.6f}")


def reporter_tag(report: ProblemReport) -> str:
    return (report.pseudonym or "erased")[:SHOWN_PSEUDONYM]


@dataclass(frozen=True)
class ServiceMessage:
    """One report as a service reads it (an e-mail)."""

    subject: str
    body: str
    photo: bytes | None
    photo_name: str = "photo.jpg"


def service_message(report: ProblemReport, category: ReportCategory, hood_name: str | None,
                    photo: bytes | None) -> ServiceMessage:
    """Written in French: the services are the town's (the bot's texts are French-first)."""
    lines = [
        f"Signalement n° {report.id} — {category.name}",
        f"Quartier : {hood_name or 'non précisé'}",
        f"Reçu le : {to_db(report.created_at)[:16].replace('T', ' ')} (UTC)",
        f"Signalé par : habitant {reporter_tag(report)} (pseudonyme)",
        "",
        report.text or "(pas de texte)",
        "",
    ]
    if report.latitude is not None and report.longitude is not None:
        lines += [f"Lieu : {report.latitude:.6f}, {report.longitude:.6f}",
                  f"Carte : {map_link(report.latitude, report.longitude)}", ""]
    if photo is not None:
        lines.append("Photo jointe (métadonnées retirées).")
    lines.append("Pour donner suite : répondez à l'équipe d'animation avec le numéro du "
                 "signalement.")
    return ServiceMessage(f"[Signalement {report.id}] {category.name}", "\n".join(lines),
                          photo)


def webhook_body(report: ProblemReport, category: ReportCategory, hood_name: str | None,
                 photo: bytes | None) -> bytes:
    """The JSON a webhook receives (the photo base64-encoded, if any)."""
    body: dict[str, Any] = {
        "event": "report.created", "id": report.id, "category": category.id,
        "category_name": category.name, "neighbourhood": report.neighbourhood_id,
        "neighbourhood_name": hood_name, "text": report.text,
        "status": report.status.value, "created_at": to_db(report.created_at),
        "reporter": reporter_tag(report), "location": None, "photo": None,
    }
    if report.latitude is not None and report.longitude is not None:
        body["location"] = {"latitude": report.latitude, "longitude": report.longitude,
                            "map": map_link(report.latitude, report.longitude)}
    if photo is not None:
        body["photo"] = {"content_type": "image/jpeg",
                         "data": base64.b64encode(photo).decode("ascii")}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def sign(body: bytes, secret: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: bytes, header: str) -> bool:
    """What a receiving service checks (constant-time)."""
    return hmac.compare_digest(sign(body, secret), header.strip())


class ReportMailer(Protocol):
    """Sends one e-mail to a service through the ``[email]`` relay. Raises
    :class:`~animabot.errors.RoutingError` (no address in its words) when it could not."""

    async def send(self, to: str, message: ServiceMessage, *, key: str) -> None: ...
