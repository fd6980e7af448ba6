"""Who may do what in the back-office: roles, neighbourhood scopes, and the audit's verbs.

A person signed in is a :class:`Principal`: a role, and for a facilitator the neighbourhoods
they work in (none named: the whole commune). In a deployment of several communes a principal
may belong to one (or to an intercommunal body): then every role, agents and administrators
too, sees and acts only within that commune's neighbourhoods, and a campaign that reaches
beyond them is not theirs. Every route declares the :class:`Access` it needs;
:meth:`Principal.may` is the one place that answers, so no handler checks a role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # everything, the accounts and the audit log included
    FACILITATOR = "facilitator"  # runs campaigns in its neighbourhoods (or the whole commune)
    AGENT = "agent"  # reads the anonymised figures, changes nothing


class Access(StrEnum):
    """What a route needs, from least to most."""

    PUBLIC = "public"  # the sign-in form, the style sheet
    READ = "read"  # the anonymised figures: any role, and the agents' tokens
    FACILITATE = "facilitate"  # the facilitators' pages: facilitator or administrator
    ADMINISTER = "administer"  # accounts, sessions, audit log


class Origin(StrEnum):
    """How the principal proved who they are."""

    PASSWORD = "password"  # a local account
    OIDC = "oidc"  # an OpenID Connect provider (ProConnect, Keycloak, Azure AD…)
    TOKEN = "token"  # a read-only agent token from ``[web] agents``
    CHAT = "chat"  # a facilitator writing to a bot (its allow-list, a group's admins)
    CLI = "cli"  # the command line, run by who operates the deployment (or one commune)


class AuditAction(StrEnum):
    """The audit log's verbs: later features add theirs here, recorded by the same function."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SESSION_REVOKED = "session_revoked"
    USER_ADDED = "user_added"
    USER_REMOVED = "user_removed"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    USER_PASSWORD_CHANGED = "user_password_changed"
    EXPORT = "export"
    REPORT_STATUS = "report_status"  # a problem report's status moved from the back-office
    PAPER_ANSWERS_RECORDED = "paper_answers_recorded"
    PAPER_ANSWERS_REMOVED = "paper_answers_removed"
    SCENARIO_SAVED = "scenario_saved"
    CAMPAIGN_STARTED = "campaign_started"
    CAMPAIGN_APPROVED = "campaign_approved"
    CAMPAIGN_CANCELLED = "campaign_cancelled"
    SERIES_STARTED = "series_started"
    SERIES_CANCELLED = "series_cancelled"
    DELIVERY_MARKED_SENT = "delivery_marked_sent"
    DELIVERY_SENT_AGAIN = "delivery_sent_again"
    IDEA_ACCEPTED = "idea_accepted"
    IDEA_REJECTED = "idea_rejected"
    ACTOR_SAVED = "actor_saved"
    ACTORS_IMPORTED = "actors_imported"


_GRANTS: dict[Role, frozenset[Access]] = {
    Role.ADMINISTRATOR: frozenset(Access),
    Role.FACILITATOR: frozenset({Access.PUBLIC, Access.READ, Access.FACILITATE}),
    Role.AGENT: frozenset({Access.PUBLIC, Access.READ}),
}


def parse_neighbourhoods(text: str | Iterable[str] | None) -> frozenset[str]:
    """``"centre, gare"`` or a list → the ids; empty means the whole commune."""
    if text is None:
        return frozenset()
    parts = text.split(",") if isinstance(text, str) else text
    return frozenset(part.strip() for part in parts if part.strip())


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    origin: Origin
    neighbourhoods: frozenset[str] = frozenset()  # empty: the whole commune
    commune: str | None = None  # None: the whole deployment
    # The neighbourhoods ``commune`` reaches (an intercommunal body: its communes'), read
    # from the configuration by :meth:`within`; a principal of a commune not resolved yet
    # reaches none, so a forgotten resolution shows nothing rather than everything.
    commune_hoods: frozenset[str] | None = None

    def within(self, hoods: frozenset[str] | None) -> Principal:
        """This principal with its commune's neighbourhoods resolved."""
        return replace(self, commune_hoods=hoods)

    def in_commune(self, neighbourhood: str) -> bool:
        """Whether ``neighbourhood`` belongs to this principal's commune (any, without one)."""
        if self.commune is None:
            return True
        return self.commune_hoods is not None and neighbourhood in self.commune_hoods

    def may(self, access: Access, about: str | Iterable[str] | None = None) -> bool:
        """Whether this principal may use a route needing ``access``, about the
        neighbourhood(s) the route concerns (a campaign may concern several: one of the
        facilitator's is enough). Within a commune, every role is held to it, and all of
        what the route concerns must be in it (a campaign's figures beyond the commune would
        tell another's). Facilitators are held to their neighbourhoods besides: agents read
        every figure (they are anonymised), administrators do everything."""
        if access not in _GRANTS[self.role]:
            return False
        if about is None:
            return True
        hoods = {about} if isinstance(about, str) else set(about)
        if self.commune is not None and not (hoods and all(map(self.in_commune, hoods))):
            return False
        if self.role is not Role.FACILITATOR:
            return True
        return any(self.covers(hood) for hood in hoods) if hoods else not self.neighbourhoods

    def covered(self, names: Mapping[str, str]) -> dict[str, str]:
        """The neighbourhoods (id → name) of ``names`` this principal covers."""
        return {hood: name for hood, name in names.items() if self.covers(hood)}

    def uncovered(self, neighbourhoods: Iterable[str]) -> list[str]:
        """Those of ``neighbourhoods`` this principal does not cover (an unknown id neither)."""
        return [hood for hood in neighbourhoods if not self.covers(hood)]

    def covers(self, neighbourhood: str) -> bool:
        return self.in_commune(neighbourhood) and (
            not self.neighbourhoods or neighbourhood in self.neighbourhoods)
