"""One status per campaign, whichever face shows it."""

from __future__ import annotations

import pytest

from animabot.domain.lifecycle import (
    CampaignStatus,
    campaign_status,
    delivery_label,
    status_label,
)


@pytest.mark.parametrize(("stored", "counts", "expected"), [
    ("scheduled", {}, CampaignStatus.SCHEDULED),
    ("scheduled", {"pending": 12}, CampaignStatus.SCHEDULED),
    # the first message went out and the poll's close row still waits: being answered
    ("scheduled", {"sent": 3, "pending": 9}, CampaignStatus.RUNNING),
    ("scheduled", {"expanded": 1, "sending": 2}, CampaignStatus.RUNNING),
    ("scheduled", {"sent": 12, "skipped": 2}, CampaignStatus.FINISHED),
    ("cancelled", {"sent": 3, "skipped": 9}, CampaignStatus.CANCELLED),
    ("pending_approval", {}, CampaignStatus.PENDING_APPROVAL),
])
def test_status_from_the_deliveries(stored: str, counts: dict[str, int],
                                    expected: CampaignStatus) -> None:
    assert campaign_status(stored, counts) is expected


def test_one_wording_per_language() -> None:
    assert status_label("running") == "en cours"
    assert status_label(CampaignStatus.FINISHED, "en") == "finished"
    assert status_label(CampaignStatus.SCHEDULED, "de") == "programmée"  # French by default
    assert delivery_label("skipped") != "annulés"  # a skipped row is not a cancellation
    assert all(status_label(status, language) for status in CampaignStatus
               for language in ("fr", "en"))
