"""The command line run as a commune: who the operator is (the web's Principal, resolved
from the configuration), campaigns found only within it, address rows refused beyond it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
import typer

from animabot.campaigns.lookup import resolve_campaign_id
from animabot.cli import common
from animabot.cli.scope import refuse_outside
from animabot.config import Settings, load_settings
from animabot.config.communes import owns_row
from animabot.domain.access import Access, Principal
from animabot.errors import AnimabotError, CampaignError
from animabot.store.campaigns import CampaignRecord, CampaignRepository

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(f"""[storage]
database = "{tmp_path / 'a.db'}"
[[neighbourhoods]]
id = "centre"
name = "Centre"
commune = "villeneuve"
[[neighbourhoods]]
id = "gare"
name = "Gare"
commune = "villeneuve"
[[neighbourhoods]]
id = "bourg-haut"
name = "Bourg haut"
commune = "bourg"
[communes.villeneuve]
name = "Villeneuve"
[communes.bourg]
name = "Bourg"
[communes.agglo]
name = "Agglomération"
members = ["villeneuve", "bourg"]
""", encoding="utf-8")
    return load_settings(path)


@pytest.fixture(autouse=True)
def no_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a group run alone: no callback has chosen, no variable set."""
    monkeypatch.setattr(common, "_chosen", None)
    monkeypatch.delenv(common.COMMUNE_VARIABLE, raising=False)


def as_commune(settings: Settings, commune: str | None) -> Principal:
    common.choose_commune(commune)
    return common.operator(settings)


def test_without_a_commune_the_operator_reaches_the_whole_deployment(
        settings: Settings) -> None:
    who = as_commune(settings, None)
    assert who.commune is None
    assert all(who.covers(hood) for hood in ("centre", "bourg-haut", "anything"))
    assert who.may(Access.ADMINISTER, ("centre", "bourg-haut"))
    assert owns_row(settings, who, None)  # a row of no neighbourhood: the deployment's
    refuse_outside(who, ["centre", "bourg-haut"])  # nothing is beyond


def test_a_communes_operator_reaches_its_neighbourhoods_and_nothing_beyond(
        settings: Settings) -> None:
    who = as_commune(settings, "villeneuve")
    assert who.commune_hoods == {"centre", "gare"}
    assert who.covers("centre") and not who.covers("bourg-haut")
    assert who.may(Access.FACILITATE, ("centre", "gare"))
    assert not who.may(Access.READ, ("centre", "bourg-haut"))  # an intercommunal campaign
    with pytest.raises(CampaignError, match="bourg-haut: not in commune villeneuve; its "
                       "neighbourhoods: centre, gare"):
        refuse_outside(who, ["centre", "bourg-haut"])


def test_an_intercommunal_body_reaches_all_of_its_communes(settings: Settings) -> None:
    who = as_commune(settings, "agglo")
    assert who.may(Access.FACILITATE, ("centre", "gare", "bourg-haut"))


def test_a_row_of_no_neighbourhood_is_the_communes_whose_own_bot_took_it(
        settings: Settings) -> None:
    villeneuve, bourg, agglo = (as_commune(settings, c) for c in ("villeneuve", "bourg", "agglo"))
    assert owns_row(settings, villeneuve, None, "telegram.villeneuve")
    assert owns_row(settings, agglo, None, "telegram.villeneuve")  # its member's
    assert not owns_row(settings, bourg, None, "telegram.villeneuve")
    assert not owns_row(settings, villeneuve, None, "telegram")  # the deployment's bot
    assert not owns_row(settings, villeneuve, None)  # an actor of no neighbourhood
    assert owns_row(settings, villeneuve, "centre", "telegram.bourg")  # its hood decides


def test_the_variable_names_the_commune_when_no_callback_chose(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(common.COMMUNE_VARIABLE, " bourg ")
    assert common.operator(settings).commune_hoods == {"bourg-haut"}
    common.choose_commune(None)  # the main callback ran: its choice (none) wins
    assert common.operator(settings).commune is None


def test_an_unknown_commune_names_the_known_ones(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(AnimabotError, match=r"--commune 'nulle': no such commune; known: "
                       r"agglo, bourg, villeneuve"):
        as_commune(settings, "nulle")
    one_town = load_settings(None, database=tmp_path / "b.db")
    with pytest.raises(AnimabotError, match=r"has no \[communes\]"):
        as_commune(one_town, "villeneuve")


def test_settings_from_ends_the_command_on_an_unknown_commune(
        settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    common.choose_commune("nulle")
    with pytest.raises(typer.Exit) as ended:
        common.settings_from(path)
    assert ended.value.exit_code == 1
    assert "erreur : --commune 'nulle' : commune inconnue" in capsys.readouterr().err


class Campaigns:
    """Just what resolve_campaign_id reads of the repository."""

    def __init__(self, *records: CampaignRecord) -> None:
        self.records = {record.id: record for record in records}

    async def get(self, campaign_id: str) -> CampaignRecord | None:
        return self.records.get(campaign_id)

    async def list(self) -> list[CampaignRecord]:
        return list(self.records.values())


def record(campaign_id: str, *targets: str) -> CampaignRecord:
    return CampaignRecord(campaign_id, "jardin", "Jardin", "{}", "jardin.toml", targets, NOW,
                          "scheduled", NOW, None)


def test_campaigns_are_found_only_within_the_commune(settings: Settings) -> None:
    mine, theirs = record("jardin-a1", "centre"), record("jardin-b2", "bourg-haut")
    both = record("jardin-c3", "centre", "bourg-haut")
    campaigns = cast(CampaignRepository, Campaigns(mine, theirs, both))
    who = as_commune(settings, "villeneuve")

    def resolve(given: str, within: Principal | None) -> str:
        return asyncio.run(resolve_campaign_id(campaigns, given, within))

    assert resolve("jardin", who) == "jardin-a1"  # the others are not seen: not ambiguous
    for hidden in ("jardin-b2", "jardin-c3", "jardin-b"):
        with pytest.raises(CampaignError, match=f"no campaign '{hidden}' in commune "
                           "villeneuve"):
            resolve(hidden, who)
    with pytest.raises(CampaignError, match="matches 3 campaigns"):
        resolve("jardin", None)
    assert resolve("jardin-c3", as_commune(settings, "agglo")) == "jardin-c3"
