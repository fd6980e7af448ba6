"""Several communes in one deployment (``[communes.<id>]``).

A commune owns its neighbourhoods (``commune = "<id>"`` on each), may bring its own bots
(``[communes.<id>.telegram]``, ``[communes.<id>.matrix]``: the same keys as the deployment's
table, for an adapter whose factory says ``bots_per_commune``) and its own facilitators
(``[communes.<id>.facilitators]``). An intercommunal body is a commune with ``members``: it
reaches every neighbourhood of its member communes. Without ``[communes]`` the deployment is
one town, as before.

A commune's bot is named ``<platform>.<commune>`` (``telegram.bourg``): that name is its
platform everywhere in the core (chat rows, pacing, the inbound offset, pseudonyms), so each
bot keeps its own limits and its residents their own pseudonyms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field

from ..domain.access import Principal
from ..domain.bots import bot_name, commune_of_bot, platform_of
from ..i18n.lazy import lazy as _
from .sections import SLUG, AdapterSection, FacilitatorSettings, _Section

if TYPE_CHECKING:
    from . import Settings

__all__ = [
    "CommuneSettings",
    "bot_name",
    "bot_settings",
    "chat_bot",
    "commune_class",
    "commune_neighbourhoods",
    "commune_of_bot",
    "commune_problems",
    "deployment_bot_settings",
    "expand_targets",
    "member_communes",
    "own_bot",
    "platform_of",
    "scope_principal",
]

class CommuneSettings(_Section):
    """One commune, or an intercommunal body when ``members`` lists communes."""

    name: Annotated[str, Field(min_length=1)]
    members: list[Annotated[str, Field(pattern=SLUG)]] = Field(default_factory=list)
    facilitators: FacilitatorSettings = Field(default_factory=FacilitatorSettings)
    # Then one optional table per adapter that runs a bot per commune: see commune_class.

    def bot_tables(self) -> dict[str, AdapterSection]:
        """The adapters' tables this commune writes (its own bots), enabled or not."""
        own = set(CommuneSettings.model_fields)
        return {name: value for name in type(self).model_fields if name not in own
                if isinstance(value := getattr(self, name), AdapterSection)}


def commune_class(models: Iterable[tuple[str, type[BaseModel]]]) -> type[CommuneSettings]:
    """The commune table with an optional table per adapter that runs a bot per commune."""
    from pydantic import create_model

    fields: dict[str, Any] = {name: (model | None, None) for name, model in models}
    built: type[CommuneSettings] = create_model(
        "CommuneSettings", __base__=CommuneSettings, __module__=__name__, **fields)
    return built


def member_communes(settings: Settings, commune: str) -> frozenset[str]:
    """The communes ``commune`` speaks for: itself, and an intercommunal body's members."""
    found = settings.communes.get(commune)
    return frozenset({commune, *(found.members if found else ())})


def commune_neighbourhoods(settings: Settings, commune: str | None) -> frozenset[str] | None:
    """The neighbourhoods a commune (or intercommunal body) reaches; None: the whole
    deployment (no commune named)."""
    if commune is None:
        return None
    communes = member_communes(settings, commune)
    return frozenset(hood.id for hood in settings.neighbourhoods if hood.commune in communes)


def own_bot(settings: Settings, platform: str, commune: str | None) -> bool:
    """Whether ``commune`` runs its own, enabled bot on ``platform``."""
    found = settings.communes.get(commune) if commune else None
    table = found.bot_tables().get(platform) if found else None
    return table is not None and table.enabled


def chat_bot(settings: Settings, platform: str, commune: str | None) -> str:
    """The bot the chats of a commune's neighbourhoods on ``platform`` are reached by: the
    commune's own when it has one, else the deployment's."""
    return bot_name(platform, commune) if own_bot(settings, platform, commune) else platform


def bot_settings(settings: Settings, platform: str, commune: str) -> Settings:
    """The configuration as a commune's own bot reads it: its table in place of the
    deployment's, its commune's facilitators, and only its commune's neighbourhoods."""
    found = settings.communes[commune]
    hoods = [hood for hood in settings.neighbourhoods if hood.commune == commune]
    return settings.model_copy(update={
        platform: found.bot_tables()[platform].placed("communes", commune, platform),
        "facilitators": found.facilitators,
        "neighbourhoods": hoods})


def deployment_bot_settings(settings: Settings, platform: str) -> Settings:
    """The configuration as the deployment's bot on ``platform`` reads it: without the
    neighbourhoods a commune's own bot reaches there (a Matrix bot joins its rooms)."""
    if not settings.communes:
        return settings
    hoods = [hood for hood in settings.neighbourhoods
             if not own_bot(settings, platform, hood.commune)]
    return settings.model_copy(update={"neighbourhoods": hoods})


Add = Callable[[tuple[int | str, ...], str, str], None]


def commune_problems(settings: Settings, add: Add) -> None:
    """What ``config check`` says about communes beyond their types: unknown communes,
    members, ids shared with neighbourhoods, each commune bot's own faults. (A table of an
    adapter that runs once per deployment, ``[communes.x.email]``, is an unknown key.)"""
    communes = settings.communes
    hood_ids = {hood.id for hood in settings.neighbourhoods}
    known = ", ".join(sorted(communes)) or "—"
    for index, hood in enumerate(settings.neighbourhoods):
        if hood.commune is not None and hood.commune not in communes:
            add(("neighbourhoods", index, "commune"),
                _("no commune named {id!r}", id=hood.commune),
                _("add [communes.{id}] with its name, or use one of: {known}",
                  id=hood.commune, known=known))
        elif hood.commune is not None and communes[hood.commune].members:
            add(("neighbourhoods", index, "commune"),
                _("{id!r} is an intercommunal body (it has members): a neighbourhood belongs "
                  "to one of its communes", id=hood.commune),
                _("name one of: {members}", members=", ".join(communes[hood.commune].members)))
    for commune_id, commune in sorted(communes.items()):
        if commune_id in hood_ids:
            add(("communes", commune_id),
                _("{id!r} is also a neighbourhood's id", id=commune_id),
                _("give the commune and the neighbourhood different ids"))
        for index, member in enumerate(commune.members):
            if member not in communes:
                add(("communes", commune_id, "members", index),
                    _("no commune named {id!r}", id=member), _("use one of: {known}",
                                                               known=known))
            elif communes[member].members:
                add(("communes", commune_id, "members", index),
                    _("{id!r} has members itself: an intercommunal body lists communes",
                      id=member), _("list the communes themselves"))
        for platform, table in commune.bot_tables().items():
            for problem in table.placed("communes", commune_id, platform).problems():
                add(("communes", commune_id, platform, problem.key), problem.message,
                    problem.fix)
    for index, agent in enumerate(settings.web.agents):
        if agent.commune is not None and agent.commune not in communes:
            add(("web", "agents", index, "commune"),
                _("no commune named {id!r}", id=agent.commune),
                _("add [communes.{id}] with its name, or use one of: {known}",
                  id=agent.commune, known=known))
    _shared_files(settings, add)


def _shared_files(settings: Settings, add: Add) -> None:
    """Two enabled bots of one platform must not share a file (a Matrix key store, its
    cross-signing seeds): each would overwrite the other's keys."""
    owners: dict[tuple[str, str], str] = {}
    tables: list[tuple[tuple[str, ...], str, AdapterSection]] = [
        ((name,), name, table) for name, table in settings.adapter_sections().items()
        if isinstance(table, AdapterSection)]
    tables += [(("communes", commune_id, name), name, table)
               for commune_id, commune in sorted(settings.communes.items())
               for name, table in commune.bot_tables().items()]
    for where, platform, table in tables:
        if not table.enabled:
            continue
        for key, path in table.own_files().items():
            place = (platform, str(path.resolve()))
            if place in owners:
                add((*where, key), _("{path} is already {other}'s", path=path,
                                     other=owners[place]),
                    _("give each bot its own {key}", key=key))
            else:
                owners[place] = ".".join(where)


def scope_principal(settings: Settings, principal: Principal) -> Principal:
    """A principal with its commune's neighbourhoods, as this configuration says."""
    return principal.within(commune_neighbourhoods(settings, principal.commune))


def owns_row(settings: Settings, principal: Principal, neighbourhood_id: str | None,
             bot: str | None = None) -> bool:
    """Whether an idea, a report or an actor (its neighbourhood; the bot it came through, if
    any) is within ``principal``'s commune: one without a neighbourhood is the commune's
    whose own bot took it, and the whole deployment's otherwise (no commune's)."""
    if neighbourhood_id:
        return principal.covers(neighbourhood_id)
    if principal.commune is None:
        return True
    taken_by = commune_of_bot(bot) if bot else None
    return taken_by is not None and taken_by in member_communes(settings, principal.commune)


def expand_targets(settings: Settings, targets: Iterable[str]) -> list[str]:
    """A campaign's ``--to`` as neighbourhood ids: a commune's id stands for its
    neighbourhoods, an intercommunal body's for all of its communes' (each once, in the
    configuration's order); anything else is kept for the campaign's own check."""
    wanted: list[str] = []
    for target in (t.strip() for t in targets):
        if target in settings.communes:
            hoods = commune_neighbourhoods(settings, target) or frozenset()
            wanted += [h.id for h in settings.neighbourhoods if h.id in hoods]
        elif target:
            wanted.append(target)
    return list(dict.fromkeys(wanted))
