"""How figures read on the dashboard: French labels, suppressed cells, rates and local dates.

These are Jinja filters, so templates never do arithmetic nor decide what a missing value
looks like: a suppressed count always reads ``< 5``, an unknown rate always reads ``—``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel.dates import format_datetime, get_timezone

from ..domain.access import AuditAction, Role
from ..domain.lifecycle import delivery_label, status_label
from ..stats.series import phase_label
from ..stats.suppression import Cell, format_cell
from ..stats.tables import channel_label, hours_fr

DASH = "—"
ROLES = {Role.ADMINISTRATOR: "administrateur", Role.FACILITATOR: "animateur",
         Role.AGENT: "agent"}
ACTIONS = {
    AuditAction.SIGN_IN: "connexion", AuditAction.SIGN_IN_FAILED: "connexion refusée",
    AuditAction.SIGN_OUT: "déconnexion", AuditAction.SESSION_REVOKED: "sessions révoquées",
    AuditAction.USER_ADDED: "compte créé", AuditAction.USER_REMOVED: "compte supprimé",
    AuditAction.USER_DISABLED: "compte désactivé", AuditAction.USER_ENABLED: "compte réactivé",
    AuditAction.USER_PASSWORD_CHANGED: "mot de passe changé", AuditAction.EXPORT: "export",
    AuditAction.REPORT_STATUS: "signalement mis à jour",
    AuditAction.PAPER_ANSWERS_RECORDED: "réponses papier saisies",
    AuditAction.PAPER_ANSWERS_REMOVED: "réponses papier retirées",
    AuditAction.SCENARIO_SAVED: "scénario enregistré",
    AuditAction.CAMPAIGN_STARTED: "campagne programmée",
    AuditAction.CAMPAIGN_APPROVED: "campagne approuvée",
    AuditAction.CAMPAIGN_CANCELLED: "campagne annulée",
    AuditAction.SERIES_STARTED: "série programmée", AuditAction.SERIES_CANCELLED: "série arrêtée",
    AuditAction.DELIVERY_MARKED_SENT: "envoi marqué comme reçu",
    AuditAction.DELIVERY_SENT_AGAIN: "envoi relancé",
    AuditAction.IDEA_ACCEPTED: "idée acceptée", AuditAction.IDEA_REJECTED: "idée refusée",
    AuditAction.ACTOR_SAVED: "acteur modifié", AuditAction.ACTORS_IMPORTED: "acteurs importés",
}


def percent(rate: float | None) -> str:
    return DASH if rate is None else f"{rate * 100:.0f} %"


def number(value: int | float | None) -> str:
    return DASH if value is None else str(value)


def hours(value: float) -> str:
    return hours_fr(value)  # French decimal comma, through Babel


def phase(code: str) -> str:
    return phase_label(code, reminders=2)


def filters(timezone: str, min_cell: int) -> dict[str, Callable[..., str]]:
    zone = get_timezone(timezone)

    def cell(value: Cell) -> str:
        return format_cell(value, min_cell)

    def when(moment: datetime) -> str:
        return format_datetime(moment, "d MMM y, HH:mm", tzinfo=zone, locale="fr")

    def day(moment: datetime) -> str:
        return format_datetime(moment, "d MMM y", tzinfo=zone, locale="fr")

    return {
        "cell": cell, "percent": percent, "number": number, "when": when, "day": day,
        "hours": hours, "phase": phase,
        "status": status_label,
        "delivery_status": delivery_label,
        "role": lambda value: ROLES.get(value) or str(value),
        "action": lambda value: ACTIONS.get(value) or str(value),
        "platform": channel_label,
    }
