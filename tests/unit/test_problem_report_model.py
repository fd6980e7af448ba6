"""Problem reports' data model: the statuses and their moves (pure), and the categories'
configuration with its routes, every fault located."""

from __future__ import annotations

from pathlib import Path

import pytest

from animabot.config import load_settings
from animabot.domain.problem_report import (
    CLOSED,
    ReportStatus,
    can_move,
    needs_reason,
    next_statuses,
    parse_status,
)
from animabot.errors import ConfigError


def test_a_report_moves_forward_and_stays_closed() -> None:
    assert can_move(ReportStatus.RECEIVED, ReportStatus.FORWARDED)
    assert can_move(ReportStatus.FORWARDED, ReportStatus.RESOLVED)
    assert not can_move(ReportStatus.IN_PROGRESS, ReportStatus.FORWARDED)
    assert not can_move(ReportStatus.RECEIVED, ReportStatus.RECEIVED)
    for closed in CLOSED:
        assert next_statuses(closed) == frozenset()
    assert needs_reason(ReportStatus.NOT_RETAINED) and not needs_reason(ReportStatus.RESOLVED)


@pytest.mark.parametrize(("typed", "status"), [
    ("résolu", ReportStatus.RESOLVED), ("Resolu", ReportStatus.RESOLVED),
    ("en cours", ReportStatus.IN_PROGRESS), ("en-cours", ReportStatus.IN_PROGRESS),
    ("non retenu", ReportStatus.NOT_RETAINED), ("reçu", ReportStatus.RECEIVED),
    ("transmis", ReportStatus.FORWARDED), ("resolved", ReportStatus.RESOLVED),
    ("rejected", ReportStatus.NOT_RETAINED), ("fini", None),
])
def test_statuses_as_people_type_them(typed: str, status: ReportStatus | None) -> None:
    assert parse_status(typed) is status


RELAY = """
[email]
smtp_host = "smtp.ville.example"
from_address = "participation@ville.example"
"""
CATEGORIES = RELAY + """
[[neighbourhoods]]
id = "centre"
name = "Centre"

[[neighbourhoods]]
id = "gare"
name = "Gare"

[[reports.categories]]
id = "voirie"
name = "Voirie"
email = "voirie@ville.example"
neighbourhoods = { gare = { webhook = "https://bailleur.example/hook" } }

[[reports.categories]]
id = "eclairage"
name = "Éclairage"
webhook = "https://ville.example/eclairage"
"""


def test_categories_route_per_neighbourhood(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(CATEGORIES, encoding="utf-8")
    reports = load_settings(path).reports
    voirie = reports.category("voirie")
    assert voirie is not None and voirie.route("centre").email == "voirie@ville.example"
    assert voirie.route("gare").webhook == "https://bailleur.example/hook"
    assert voirie.route(None).email == "voirie@ville.example"
    assert reports.category("propreté") is None


def _problems(path: Path, content: str) -> list[tuple[int | None, str, str]]:
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_a_bad_address_is_located(tmp_path: Path) -> None:
    bad = CATEGORIES.replace('"voirie@ville.example"', '"voirie"')
    [(line, field, message)] = _problems(tmp_path / "c.toml", bad)
    assert (line, field) == (17, "reports.categories[0].email")
    assert "'voirie' is not an e-mail address" in message


def test_routes_ids_and_neighbourhoods_are_checked(tmp_path: Path) -> None:
    bad = (CATEGORIES.replace("gare = {", "nord = {")
           .replace('id = "eclairage"', 'id = "voirie"')
           .replace('webhook = "https://ville.example/eclairage"',
                    'webhook = "https://ville.example/e"\nemail = "e@ville.example"'))
    found = {(field, message.split(":")[0]) for _, field, message in
             _problems(tmp_path / "c.toml", bad)}
    assert found == {
        ("reports.categories[0].neighbourhoods.nord", "no neighbourhood 'nord' is configured"),
        ("reports.categories[1].id", "the id 'voirie' is used twice"),
        ("reports.categories[1]", "a route needs either `email` or `webhook`, not both nor "
                                  "neither"),
    }


@pytest.mark.parametrize("relay", [
    "", 'smtp_host = "smtp.ville.example"\n', 'from_address = "p@ville.example"\n'])
def test_a_route_by_email_needs_a_relay(tmp_path: Path, relay: str) -> None:
    """Without [email] smtp_host and from_address no report could reach its service by
    e-mail: config check says so at the route (enabled may stay false)."""
    content = CATEGORIES.replace(RELAY, "[email]\nenabled = false\n" + relay)
    found = {(field, message) for _, field, message in _problems(tmp_path / "c.toml", content)}
    assert found == {("reports.categories[0].email",
                      "reports routed by e-mail need a mail relay, and [email] smtp_host or "
                      "from_address is empty")}
