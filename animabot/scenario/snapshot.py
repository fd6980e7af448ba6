"""A campaign's scenario as it was when the campaign started: the snapshot it keeps."""

from __future__ import annotations

from ..store.campaigns import CampaignRecord
from .model import Scenario


def scenario_of(record: CampaignRecord) -> Scenario:
    """The snapshot taken when the campaign started (the file may have changed since)."""
    return Scenario.model_validate_json(record.scenario_json)
