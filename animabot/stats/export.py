"""Figures as stable JSON and as CSV. Exports hold aggregates only: no pseudonym, no address,
no time finer than the hour; a suppressed value is ``null`` (JSON) or empty (CSV) with
``suppressed`` true beside it. The JSON shape is documented in docs/statistics.md."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from ..csv_cells import safe_row
from .breakdown import ShareFigures
from .campaign import HOUR, CampaignFigures
from .overview import CampaignSummary, NeighbourhoodFigures
from .suppression import Cell

CSV_COLUMNS = ("section", "step", "indicator", "label", "value", "suppressed")


def cell(value: Cell) -> dict[str, Any]:
    return {"value": value, "suppressed": value is None}


def share(figures: ShareFigures) -> dict[str, Any]:
    return {"reach": figures.reach, "chats": figures.chats,
            "respondents": cell(figures.respondents), "response_rate": figures.response_rate}


def figures_to_json(figures: CampaignFigures) -> dict[str, Any]:
    """Stable JSON: a suppressed value is ``null`` with ``"suppressed": true`` beside it."""


    return {
        "id": figures.id,
        "title": figures.title,
        "scenario": figures.scenario_id,
        "status": figures.status,
        "start_at": figures.start_at.strftime(HOUR),
        "neighbourhoods": list(figures.targets),
        "neighbourhood_names": {hood: figures.neighbourhood_names.get(hood, hood)
                                for hood in figures.targets},
        "min_cell": figures.min_cell,
        "deliveries": figures.deliveries,
        "polls": [
            {
                "step": p.step_id,
                "question": p.question,
                "reach": p.reach,
                "chats": p.chats,
                "respondents": cell(p.respondents),
                "response_rate": p.response_rate,
                "reminded": cell(p.reminded),
                "answers_after_reminder": cell(p.after_reminder),
                "median_hours_to_answer": p.median_hours_to_answer,
                "quartiles_hours": list(p.quartiles_hours) if p.quartiles_hours else None,
                "results_hidden_until_close": p.results_hidden,
                "options": [
                    {"label": label, **cell(value)}
                    for label, value in zip(p.options, p.answers.cells, strict=True)
                ],
                "reached_privately": cell(p.times.reached_privately),
                "answers_by_phase": [{"phase": phase, **cell(value)}
                                     for phase, value in p.times.phases],
                "reminders_at": [at.strftime(HOUR) for at in p.times.reminders],
                "cumulative_respondents": [{"hour": at.strftime(HOUR), "respondents": cell(n)}
                                           for at, n in p.times.curve],
                "platforms": {name: share(f) for name, f in p.platforms.items()},
                "neighbourhoods": {name: share(f) for name, f in p.neighbourhoods.items()},
            }
            for p in figures.polls
        ],
        "trainings": [
            {
                "step": t.step_id,
                "title": t.title,
                "started": cell(t.started),
                "completed": cell(t.completed),
                "completion_rate": t.completion_rate,
                "quiz_success_rate": t.quiz_success_rate,
            }
            for t in figures.trainings
        ],
    }


def overview_to_json(summaries: list[CampaignSummary]) -> dict[str, Any]:
    return {"campaigns": [
        {"id": s.id, "title": s.title, "scenario": s.scenario_id, "status": s.status,
         "start_at": s.start_at.strftime(HOUR), "neighbourhoods": list(s.neighbourhoods),
         "reach": s.reach, "respondents": cell(s.respondents), "response_rate": s.response_rate,
         "completion_rate": s.completion_rate}
        for s in summaries
    ]}


def neighbourhood_to_json(figures: NeighbourhoodFigures) -> dict[str, Any]:
    return {
        "id": figures.id, "name": figures.name, "chats": figures.chats,
        "residents_in_private": cell(figures.residents_in_private),
        "campaigns": [
            {"id": c.id, "title": c.title, "start_at": c.start_at.strftime(HOUR),
             "reach": c.reach, "respondents": cell(c.respondents),
             "response_rate": c.response_rate}
            for c in figures.campaigns
        ],
    }


def _rows(data: Any, section: str, step: str = "", prefix: str = "") -> Iterator[list[str]]:
    """Flatten the JSON into (section, step, indicator, label, value, suppressed) rows."""
    if isinstance(data, dict) and set(data) == {"value", "suppressed"}:
        value = "" if data["value"] is None else str(data["value"])
        yield [section, step, prefix, "", value, "true" if data["suppressed"] else "false"]
        return
    if isinstance(data, dict) and "label" in data and "suppressed" in data:
        value = "" if data.get("value") is None else str(data["value"])
        yield [section, step, prefix, str(data["label"]), value, str(data["suppressed"]).lower()]
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("polls", "trainings", "campaigns"):
                for item in value:
                    name = str(item.get("step") or item.get("id") or "")
                    yield from _rows({k: v for k, v in item.items() if k not in ("step", "id")},
                                     key, name)
                continue
            yield from _rows(value, section, step, f"{prefix}.{key}" if prefix else key)
        return
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and ("hour" in item or "phase" in item):
                label = str(item.get("hour") or item.get("phase"))
                rest = {k: v for k, v in item.items() if k not in ("hour", "phase")}
                if set(rest) == {"value", "suppressed"}:
                    value = "" if rest["value"] is None else str(rest["value"])
                    yield [section, step, prefix, label, value, str(rest["suppressed"]).lower()]
                elif len(rest) == 1 and isinstance(nested := next(iter(rest.values())), dict):
                    value = "" if nested["value"] is None else str(nested["value"])
                    yield [section, step, f"{prefix}.{next(iter(rest))}", label, value,
                           str(nested["suppressed"]).lower()]
                else:
                    for key, value in rest.items():
                        yield [section, step, f"{prefix}.{key}", label, str(value), "false"]
            else:
                yield from _rows(item, section, step, prefix)
        return
    yield [section, step, prefix, "", "" if data is None else str(data), "false"]


def to_csv(data: dict[str, Any], section: str) -> str:
    """Any of the JSON exports above as long-format CSV (one figure per line, UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(safe_row(row) for row in _rows(data, section))
    return buffer.getvalue()
