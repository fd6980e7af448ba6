"""Back-office principals of a commune: what each role reaches once its commune is resolved
from the configuration, an agent token's commune, and the commune an OpenID sign-in
mapped from claims must carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from animabot.config import NeighbourhoodSettings, Settings, WebAgent, load_settings
from animabot.config.communes import CommuneSettings, scope_principal
from animabot.domain.access import Access, Origin, Principal, Role
from animabot.errors import ConfigError
from animabot.web.auth import AgentDirectory, hash_token
from animabot.web.belongs import reaches
from animabot.web.oidc import Identity
from animabot.web.signin import CommuneRefused, _claimed_commune


@pytest.fixture
def settings() -> Settings:
    """Two communes (nord: centre and plage; sud: gare) and their intercommunal body."""
    found = load_settings(None)
    found.neighbourhoods = [
        NeighbourhoodSettings(id="centre", name="Centre", commune="nord"),
        NeighbourhoodSettings(id="plage", name="Plage", commune="nord"),
        NeighbourhoodSettings(id="gare", name="Gare", commune="sud")]
    found.communes = {"nord": CommuneSettings(name="Nord"), "sud": CommuneSettings(name="Sud"),
                      "agglo": CommuneSettings(name="Agglo", members=["nord", "sud"])}
    return found


def who(settings: Settings, role: Role, commune: str | None,
        hoods: frozenset[str] = frozenset()) -> Principal:
    return scope_principal(settings, Principal("x", role, Origin.PASSWORD, hoods, commune))


@pytest.mark.parametrize("role", list(Role))
def test_every_role_of_a_commune_reaches_its_neighbourhoods_only(
    settings: Settings, role: Role,
) -> None:
    nord = who(settings, role, "nord")
    assert nord.may(Access.READ, "centre") and nord.may(Access.READ, ["centre", "plage"])
    assert not nord.may(Access.READ, "gare")
    assert not nord.may(Access.READ, ["centre", "gare"])  # an intercommunal campaign
    assert not nord.may(Access.READ, frozenset())  # the whole deployment's
    assert nord.covers("centre") and not nord.covers("gare")
    agglo = who(settings, role, "agglo")
    assert agglo.may(Access.READ, ["centre", "gare"]) and agglo.covers("gare")
    everyone = who(settings, role, None)
    assert everyone.may(Access.READ, ["centre", "gare"]) and everyone.covers("gare")


def test_a_facilitator_of_a_commune_is_held_to_its_neighbourhoods_too(
    settings: Settings,
) -> None:
    plage = who(settings, Role.FACILITATOR, "nord", frozenset({"plage"}))
    assert plage.may(Access.FACILITATE, ["centre", "plage"])  # one of its own is enough
    assert not plage.may(Access.FACILITATE, "centre")
    assert not plage.covers("centre") and plage.covers("plage")


def test_an_unresolved_commune_principal_reaches_nothing() -> None:
    raw = Principal("x", Role.ADMINISTRATOR, Origin.PASSWORD, commune="nord")
    assert raw.may(Access.ADMINISTER)  # its role's pages, but no neighbourhood's data
    assert not raw.may(Access.READ, "centre") and not raw.covers("centre")


def test_an_agent_token_carries_its_configured_commune() -> None:
    agents = AgentDirectory([
        WebAgent(name="Nord", token_sha256=hash_token("n" * 40), commune="nord"),
        WebAgent(name="Partout", token_sha256=hash_token("p" * 40))])
    assert agents.identify("n" * 40) == "Nord"
    assert agents.principal("Nord") == Principal("Nord", Role.AGENT, Origin.TOKEN,
                                                 commune="nord")
    assert agents.principal("Partout").commune is None


def identity(claims: dict[str, Any]) -> Identity:
    return Identity("sub-1", "a@example.org", {"sub": "sub-1", **claims}, "id-token")


def test_a_claim_mapped_sign_in_needs_a_known_commune_once_communes_exist(
    settings: Settings,
) -> None:
    oidc = settings.web.oidc.model_copy(update={"commune_claim": "commune"})
    assert _claimed_commune(identity({"commune": "sud"}), oidc, settings, None) == "sud"
    assert _claimed_commune(identity({"commune": ["agglo"]}), oidc, settings, None) == "agglo"
    assert _claimed_commune(identity({}), oidc, settings, "nord") == "nord"  # registered
    with pytest.raises(CommuneRefused, match="names no commune"):
        _claimed_commune(identity({}), oidc, settings, None)
    with pytest.raises(CommuneRefused, match="unknown commune 'lune'; known: agglo, nord"):
        _claimed_commune(identity({"commune": "lune"}), oidc, settings, None)
    with pytest.raises(CommuneRefused, match="several communes"):
        _claimed_commune(identity({"commune": ["nord", "sud"]}), oidc, settings, None)
    one_town = settings.model_copy(update={"communes": {}})
    assert _claimed_commune(identity({"commune": "sud"}), oidc, one_town, None) is None


def test_what_names_no_neighbourhood_is_the_commune_s_whose_bot_received_it(
    settings: Settings,
) -> None:
    nord = who(settings, Role.FACILITATOR, "nord")
    assert reaches(settings, nord, None, "telegram.nord")
    assert not reaches(settings, nord, None, "telegram.sud")
    assert not reaches(settings, nord, None, "telegram")  # the deployment's bot
    assert not reaches(settings, who(settings, Role.FACILITATOR, "nord", frozenset({"plage"})),
                       None, "telegram.nord")  # held to some neighbourhoods
    assert reaches(settings, who(settings, Role.ADMINISTRATOR, "agglo"), None, "matrix.sud")
    assert not reaches(settings, who(settings, Role.AGENT, "nord"), None, "telegram.nord")
    everyone = who(settings, Role.FACILITATOR, None)
    assert reaches(settings, everyone, None, "telegram") and reaches(
        settings, everyone, None, "telegram.sud")
    assert reaches(settings, nord, "centre", "telegram") and not reaches(
        settings, nord, "gare", "telegram.nord")


def test_an_agent_of_an_unknown_commune_is_a_configuration_fault(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[communes.nord]\nname = "Nord"\n[[web.agents]]\nname = "A"\n'
                    f'token_sha256 = "{"0" * 64}"\ncommune = "lune"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [problem] = caught.value.problems
    assert problem.field == "web.agents[0].commune" and "'lune'" in str(problem.message)
    assert "nord" in str(problem.fix)
