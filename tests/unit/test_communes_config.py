"""``[communes.<id>]``: what ``config check`` says about them (each fault located by file,
line and key), and what the rest of the bot reads from them: a campaign's targets
(``expand_targets``), a commune's neighbourhoods, the bot that reaches a commune's chats and
the bots ``animabot run`` starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.telegram.settings import telegram_settings
from animabot.chat.registry import enabled_bots
from animabot.config import Settings, load_settings
from animabot.config.communes import (
    bot_settings,
    chat_bot,
    commune_neighbourhoods,
    expand_targets,
    member_communes,
    scope_principal,
)
from animabot.domain.access import Origin, Principal, Role
from animabot.errors import ConfigError

BASE = """[privacy]
key = "0123456789abcdef0123456789abcdef"
"""
TOWNS = BASE + """[[neighbourhoods]]
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
[[neighbourhoods]]
id = "hameau"
name = "Hameau"
[communes.villeneuve]
name = "Villeneuve"
[communes.villeneuve.telegram]
enabled = true
token = "1:villeneuve"
[communes.villeneuve.facilitators]
telegram = [111]
[communes.bourg]
name = "Bourg"
[communes.agglo]
name = "Agglomération"
members = ["villeneuve", "bourg"]
"""


def _load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, database=tmp_path / "animabot.db")


def _problems(tmp_path: Path, text: str) -> dict[str, tuple[int | None, str, str]]:
    """key → (line, message, fix) of every fault; the file is named in each."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return {p.field: (p.line, str(p.message), str(p.fix)) for p in caught.value.problems}


def _line(text: str, wanted: str, after: str = "") -> int:
    """The 1-based line of ``wanted``, the first one after the line ``after``."""
    lines = text.splitlines()
    start = lines.index(after) if after else 0
    return lines.index(wanted, start) + 1


def test_a_valid_configuration_of_communes_loads(tmp_path: Path) -> None:
    settings = _load(tmp_path, TOWNS)
    assert sorted(settings.communes) == ["agglo", "bourg", "villeneuve"]
    assert settings.communes["agglo"].members == ["villeneuve", "bourg"]


def test_a_neighbourhood_naming_an_unknown_commune_is_located(tmp_path: Path) -> None:
    text = TOWNS.replace('commune = "bourg"', 'commune = "borug"')
    found = _problems(tmp_path, text)
    assert set(found) == {"neighbourhoods[2].commune"}
    line, message, fix = found["neighbourhoods[2].commune"]
    assert line == _line(text, 'commune = "borug"')
    assert "borug" in message and "[communes.borug]" in fix and "bourg" in fix


def test_a_neighbourhood_of_an_intercommunal_body_is_located(tmp_path: Path) -> None:
    text = TOWNS.replace('commune = "bourg"', 'commune = "agglo"')
    found = _problems(tmp_path, text)
    assert set(found) == {"neighbourhoods[2].commune"}
    line, message, fix = found["neighbourhoods[2].commune"]
    assert line == _line(text, 'commune = "agglo"')
    assert "intercommunal" in message and "villeneuve, bourg" in fix


def test_unknown_and_nested_members_are_located(tmp_path: Path) -> None:
    text = TOWNS + """[communes.pays]
name = "Pays"
members = ["agglo", "nulle-part"]
"""
    found = _problems(tmp_path, text)
    assert set(found) == {"communes.pays.members[0]", "communes.pays.members[1]"}
    members = _line(text, 'members = ["agglo", "nulle-part"]')
    nested, _, fix = found["communes.pays.members[0]"]
    assert nested == members and "agglo" in found["communes.pays.members[0]"][1]
    assert "communes themselves" in fix
    unknown, message, fix = found["communes.pays.members[1]"]
    assert unknown == members and "nulle-part" in message and "villeneuve" in fix


def test_a_commune_id_equal_to_a_neighbourhood_id_is_located(tmp_path: Path) -> None:
    text = TOWNS + """[communes.hameau]
name = "Hameau"
"""
    found = _problems(tmp_path, text)
    assert set(found) == {"communes.hameau"}
    line, message, _ = found["communes.hameau"]
    assert line == _line(text, "[communes.hameau]")
    assert "hameau" in message and "neighbourhood" in message


def test_an_enabled_commune_telegram_table_without_token_is_located(tmp_path: Path) -> None:
    text = TOWNS.replace('[communes.bourg]\nname = "Bourg"\n',
                         '[communes.bourg]\nname = "Bourg"\n[communes.bourg.telegram]\n'
                         'enabled = true\n')
    found = _problems(tmp_path, text)
    assert set(found) == {"communes.bourg.telegram.token"}
    line, message, fix = found["communes.bourg.telegram.token"]
    assert line == _line(text, "[communes.bourg.telegram]")
    assert "token" in message and "token_file" in fix
    # Disabled, it is not checked.
    _load(tmp_path, text.replace("[communes.bourg.telegram]\nenabled = true\n",
                                 "[communes.bourg.telegram]\nenabled = false\n"))


def test_a_commune_table_of_a_once_per_deployment_adapter_is_an_unknown_key(
    tmp_path: Path,
) -> None:
    text = TOWNS + '[communes.bourg.email]\nenabled = true\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert [p.field for p in caught.value.problems] == ["communes.bourg.email"]


MATRIX = """[communes.{id}.matrix]
enabled = true
homeserver = "https://matrix.{id}.fr"
user_id = "@bot:{id}.fr"
access_token = "syt_{id}"
pickle_key = "{id}-pickle-key-0123456789"
cross_signing_seeds_file = "{seeds}"
store_path = "{store}"
"""


def test_two_enabled_matrix_bots_sharing_a_store_path_are_located(tmp_path: Path) -> None:
    store = tmp_path / "store"
    text = TOWNS + MATRIX.format(id="villeneuve", seeds=tmp_path / "v.json", store=store) \
        + MATRIX.format(id="bourg", seeds=tmp_path / "b.json", store=store)
    found = _problems(tmp_path, text)
    assert set(found) == {"communes.villeneuve.matrix.store_path"}
    line, message, fix = found["communes.villeneuve.matrix.store_path"]
    # bourg comes first in the communes' order: the store is its, villeneuve is told.
    assert line == _line(text, f'store_path = "{store}"', after="[communes.villeneuve.matrix]")
    assert "communes.bourg.matrix" in message and "store_path" in fix
    # One of them disabled: nothing shared.
    _load(tmp_path, text.replace("enabled = true\nhomeserver = \"https://matrix.bourg.fr\"",
                                 "enabled = false\nhomeserver = \"https://matrix.bourg.fr\""))
    # The deployment's own [matrix] counts too.
    deployment = MATRIX.format(id="x", seeds=tmp_path / "x.json", store=store).replace(
        "[communes.x.matrix]", "[matrix]")
    found = _problems(tmp_path, TOWNS + deployment + MATRIX.format(
        id="bourg", seeds=tmp_path / "b.json", store=store))
    assert set(found) == {"communes.bourg.matrix.store_path"}
    assert "matrix" in found["communes.bourg.matrix.store_path"][1]


def test_expand_targets_reads_commune_ids_as_their_neighbourhoods(tmp_path: Path) -> None:
    settings = _load(tmp_path, TOWNS)
    assert expand_targets(settings, ["villeneuve"]) == ["centre", "gare"]
    assert expand_targets(settings, ["agglo"]) == ["centre", "gare", "bourg-haut"]
    # Each once, in the configuration's order after what was named first; blanks dropped;
    # anything else kept for the campaign's own check.
    assert expand_targets(settings, [" gare", "agglo", "", "inconnu"]) == [
        "gare", "centre", "bourg-haut", "inconnu"]
    assert expand_targets(settings, ["hameau", "bourg"]) == ["hameau", "bourg-haut"]


def test_commune_neighbourhoods_and_members(tmp_path: Path) -> None:
    settings = _load(tmp_path, TOWNS)
    assert commune_neighbourhoods(settings, None) is None  # the whole deployment
    assert commune_neighbourhoods(settings, "villeneuve") == frozenset({"centre", "gare"})
    assert commune_neighbourhoods(settings, "bourg") == frozenset({"bourg-haut"})
    assert commune_neighbourhoods(settings, "agglo") == frozenset(
        {"centre", "gare", "bourg-haut"})
    assert commune_neighbourhoods(settings, "inconnue") == frozenset()  # reaches nothing
    assert member_communes(settings, "agglo") == {"agglo", "villeneuve", "bourg"}
    # The access rule holds a commune's principal to those neighbourhoods.
    asking = scope_principal(settings, Principal("p", Role.FACILITATOR, Origin.CHAT,
                                                 commune="villeneuve"))
    assert asking.covers("gare") and not asking.covers("bourg-haut")


def test_chat_bot_is_the_communes_own_when_it_has_one_enabled(tmp_path: Path) -> None:
    settings = _load(tmp_path, TOWNS)
    assert chat_bot(settings, "telegram", "villeneuve") == "telegram.villeneuve"
    assert chat_bot(settings, "telegram", "bourg") == "telegram"  # no bot of its own
    assert chat_bot(settings, "telegram", None) == "telegram"
    assert chat_bot(settings, "matrix", "villeneuve") == "matrix"
    disabled = _load(tmp_path, TOWNS.replace('enabled = true\ntoken = "1:villeneuve"',
                                             'enabled = false\ntoken = "1:villeneuve"'))
    assert chat_bot(disabled, "telegram", "villeneuve") == "telegram"


def _token(settings: Settings) -> str:
    token = telegram_settings(settings).token
    return token.get_secret_value() if token else ""


def test_enabled_bots_are_the_deployments_then_each_communes_own(tmp_path: Path) -> None:
    text = TOWNS.replace("[communes.villeneuve]", '[telegram]\nenabled = true\ntoken = "0:dep"\n'
                         '[facilitators]\ntelegram = [999]\n[communes.villeneuve]')
    settings = _load(tmp_path, text)
    bots = enabled_bots(settings)
    assert sorted(bots) == ["telegram", "telegram.villeneuve"]
    _, own = bots["telegram.villeneuve"]
    assert _token(own) == "1:villeneuve"
    assert own.facilitators.ids("telegram") == ["111"]
    assert [hood.id for hood in own.neighbourhoods] == ["centre", "gare"]
    assert own == bot_settings(settings, "telegram", "villeneuve")
    # The deployment's bot leaves out the neighbourhoods Villeneuve's own bot reaches.
    _, deployment = bots["telegram"]
    assert _token(deployment) == "0:dep"
    assert [hood.id for hood in deployment.neighbourhoods] == ["bourg-haut", "hameau"]
    assert deployment.facilitators.ids("telegram") == ["999"]
