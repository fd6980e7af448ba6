"""Signing in and out: a local account's form, an agent's token, an OpenID provider.

Every failure reads the same (« Identifiant ou mot de passe incorrect. »): the answer never
tells whether the account exists. Failures are counted per account and per address and, past
the limit, refused for a while (:mod:`animabot.accounts.throttle`); each is audited.
"""

from __future__ import annotations

import logging

from aiohttp import web

from ..accounts.service import principal_of
from ..config import OidcSettings, Settings
from ..domain.access import Access, AuditAction, Origin, Principal, Role, parse_neighbourhoods
from ..errors import AnimabotError
from ..store.accounts import Account
from .auth import SESSION_COOKIE
from .guard import PRINCIPAL, SESSION, requires
from .oidc import Identity, OidcError
from .pages import address, page, public_address, secure, see_other
from .state import DASHBOARD, GATE

log = logging.getLogger(__name__)
WRONG = "Identifiant ou mot de passe incorrect."
WRONG_EN = "Wrong username or password."
WRONG_TOKEN = "Jeton inconnu : vérifiez-le et réessayez."
THROTTLED = "Trop de tentatives : réessayez dans quelques minutes."
THROTTLED_EN = "Too many attempts: try again in a few minutes."
OIDC_STATE_COOKIE = "animabot_oidc"
OIDC_REFUSED = ("Votre compte n'a pas accès au back-office : demandez à un administrateur "
                "de l'ajouter.")
OIDC_NO_COMMUNE = ("Votre compte n'est rattaché à aucune commune connue de ce back-office : "
                   "demandez à un administrateur de vous rattacher à votre commune.")
OIDC_NO_COMMUNE_EN = "Your account belongs to no commune known here: ask an administrator."


def login_page(request: web.Request, message: str | None = None, english: str | None = None,
               status: int = 200) -> web.Response:
    oidc = request.app[GATE].oidc
    return page("login.html", request, {
        "message": message, "english": english, "error": status >= 400,
        "oidc_label": oidc.settings.label if oidc else None,
    }, status)


async def refuse(request: web.Request, status: int) -> web.StreamResponse:
    """401 with the sign-in form in it (a browser can sign in, a script sees the status);
    403 with a page that says so."""
    if status == 401:
        response = login_page(request, "Connectez-vous pour voir cette page.",
                              "Sign in to see this page.", 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="animabot"'
        return response
    return page("forbidden.html", request, {}, 403)


@requires(Access.PUBLIC)
async def login_form(request: web.Request) -> web.Response:
    return login_page(request)


async def _open(request: web.Request, principal: Principal, id_token: str | None = None
                ) -> web.Response:
    gate = request.app[GATE]
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await gate.sessions.close(old)  # a new sign-in never reuses a session id
    opened = await gate.sessions.open(principal, id_token)
    await gate.accounts.record(principal.name, AuditAction.SIGN_IN, principal.name,
                               principal.origin.value, address(request))
    response = see_other("/")
    response.set_cookie(SESSION_COOKIE, opened.session_id, path="/", httponly=True,
                        samesite="Lax", secure=secure(request),
                        max_age=int(gate.sessions.lifetime.total_seconds()))
    return response


@requires(Access.PUBLIC)
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token = form.get("token")
    if isinstance(token, str) and token.strip():
        agent = request.app[DASHBOARD].agents.identify(token.strip())
        if agent is None:
            return login_page(request, WRONG_TOKEN, None, 401)
        return await _open(request, request.app[DASHBOARD].agents.principal(agent))
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        return login_page(request, WRONG, WRONG_EN, 401)
    username = username.strip()[:64]
    gate, where = request.app[GATE], address(request)
    if not gate.throttle.allowed(username, where):
        await gate.accounts.record(username, AuditAction.SIGN_IN_FAILED, username,
                                   "throttled", where)
        return login_page(request, THROTTLED, THROTTLED_EN, 429)
    principal = await gate.accounts.authenticate(username, password)
    if principal is None:
        gate.throttle.failed(username, where)
        await gate.accounts.record(username, AuditAction.SIGN_IN_FAILED, username,
                                   Origin.PASSWORD.value, where)
        return login_page(request, WRONG, WRONG_EN, 401)
    gate.throttle.succeeded(username)
    return await _open(request, principal)


@requires(Access.READ)
async def logout(request: web.Request) -> web.StreamResponse:
    gate = request.app[GATE]
    session = request.get(SESSION)
    session_id = request.cookies.get(SESSION_COOKIE)
    if session is not None and session_id:
        await gate.sessions.close(session_id)
        who = request[PRINCIPAL].name
        await gate.accounts.record(who, AuditAction.SIGN_OUT, who, "", address(request))
    location = "/login"
    if session is not None and session.id_token and gate.oidc is not None:
        location = await gate.oidc.logout_url(
            session.id_token, public_address(request, "/login")) or location
    response = see_other(location)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@requires(Access.PUBLIC)
async def oidc_start(request: web.Request) -> web.StreamResponse:
    oidc = request.app[GATE].oidc
    if oidc is None:
        raise web.HTTPNotFound(text="Aucun fournisseur d'identité n'est configuré.")
    try:
        url, pending = await oidc.start(public_address(request, "/login/oidc/callback"))
    except OidcError as exc:
        log.warning("%s", exc)
        return login_page(request, "Le fournisseur d'identité ne répond pas : réessayez plus "
                          "tard.", "The identity provider does not answer.", 502)
    response = web.Response(status=302, headers={"Location": url})
    # Binds the answer to this browser: a link carrying someone else's code signs no one in.
    response.set_cookie(OIDC_STATE_COOKIE, pending.state, path="/login/oidc", httponly=True,
                        samesite="Lax", secure=secure(request), max_age=600)
    return response


@requires(Access.PUBLIC)
async def oidc_callback(request: web.Request) -> web.StreamResponse:
    gate = request.app[GATE]
    if gate.oidc is None:
        raise web.HTTPNotFound()
    state = request.query.get("state")
    pending = gate.oidc.take(state) if state == request.cookies.get(OIDC_STATE_COOKIE) else None
    code = request.query.get("code")
    if pending is None or not code:
        await gate.accounts.record("?", AuditAction.SIGN_IN_FAILED, "", "oidc: "
                                   + request.query.get("error", "state"), address(request))
        return login_page(request, "La connexion n'a pas abouti : réessayez.",
                          "Sign-in did not complete: try again.", 400)
    try:
        identity = await gate.oidc.finish(pending, code)
    except OidcError as exc:
        log.warning("%s", exc)
        await gate.accounts.record("?", AuditAction.SIGN_IN_FAILED, "", f"oidc: {exc}",
                                   address(request))
        return login_page(request, "La connexion n'a pas abouti : réessayez.",
                          "Sign-in did not complete: try again.", 400)
    try:
        principal = await _admit(request, identity)
    except CommuneRefused as exc:
        log.warning("OpenID sign-in of %s refused: %s", identity.email or identity.subject,
                    exc)
        await gate.accounts.record(identity.email or identity.subject,
                                   AuditAction.SIGN_IN_FAILED, "", f"oidc: {exc}",
                                   address(request))
        return login_page(request, OIDC_NO_COMMUNE, OIDC_NO_COMMUNE_EN, 403)
    if principal is None:
        await gate.accounts.record(identity.email or identity.subject,
                                   AuditAction.SIGN_IN_FAILED, "", "oidc: not registered",
                                   address(request))
        return login_page(request, OIDC_REFUSED, "Your account has no access.", 403)
    response = await _open(request, principal, identity.id_token)
    response.del_cookie(OIDC_STATE_COOKIE, path="/login/oidc")
    return response


class CommuneRefused(AnimabotError):
    """A claim-mapped OpenID sign-in names no commune this deployment knows."""


async def _admit(request: web.Request, identity: Identity) -> Principal | None:
    """A registered account (by subject, then e-mail), or one made from the role claim; with
    ``[communes]``, a claim-mapped one must come with a commune (``commune_claim``, else the
    registered account's), or it is refused (:class:`CommuneRefused`)."""
    gate = request.app[GATE]
    settings = gate.oidc.settings if gate.oidc else None
    account = await gate.accounts.accounts.by_identity(identity.subject, identity.email)
    mapped = _claimed_role(identity, settings) if settings else None
    if account is None and mapped is None:
        return None
    commune = account.commune if account else None
    if mapped is not None and settings is not None:
        commune = _claimed_commune(identity, settings, request.app[DASHBOARD].settings,
                                   commune)
    if account is None and mapped is not None:
        role, hoods = mapped
        name = identity.email or identity.subject
        try:
            account = await gate.accounts.add(name[:64], role, hoods, password=None,
                                              email=identity.email, subject=identity.subject,
                                              actor=f"oidc:{name}", commune=commune)
        except AnimabotError as exc:  # a name that cannot be an account's, an unknown hood
            log.warning("OpenID sign-in of %s refused: %s", name, exc)
            return None
    assert account is not None
    if account.disabled:
        return None
    if mapped is not None and (mapped[0], mapped[1], commune) != (
            account.role, account.neighbourhoods, account.commune):
        try:
            gate.accounts.check_commune(commune, mapped[0], mapped[1])
        except AnimabotError as exc:
            raise CommuneRefused(str(exc)) from None
        await gate.accounts.accounts.update_from_provider(
            account.name, mapped[0], mapped[1], identity.subject, gate.accounts.clock.now(),
            commune)
        account = Account(account.name, mapped[0], mapped[1], account.password_hash,
                          account.email, identity.subject, False, account.created_at, commune)
    return principal_of(account, Origin.OIDC)


def _claimed_commune(identity: Identity, oidc: OidcSettings, settings: Settings,
                     registered: str | None) -> str | None:
    """The commune of a claim-mapped sign-in: the ``commune_claim``'s value, else the
    registered account's. With ``[communes]``, none (or an unknown one) is refused: a
    claim never makes someone a principal of the whole deployment by accident."""
    if not settings.communes:
        return registered  # one town: a commune claim means nothing here
    value = identity.claims.get(oidc.commune_claim) if oidc.commune_claim else None
    values = {v.strip() for v in (value if isinstance(value, list) else [value])
              if isinstance(v, str) and v.strip()}
    if len(values) > 1:
        raise CommuneRefused(f"the claim {oidc.commune_claim!r} names several communes "
                             f"({', '.join(sorted(values))}): it must name one")
    commune = values.pop() if values else registered
    if commune is None:
        raise CommuneRefused(
            "[communes] are configured but the sign-in names no commune: set [web.oidc] "
            "commune_claim, or register the account with `animabot users add … --commune`")
    if commune not in settings.communes:
        raise CommuneRefused(f"unknown commune {commune!r}; known: "
                             f"{', '.join(sorted(settings.communes))}")
    return commune


def _claimed_role(identity: Identity, settings: OidcSettings
                  ) -> tuple[Role, frozenset[str]] | None:
    """The strongest role the ``role_claim``'s values map to; a facilitator's
    neighbourhoods from ``claim_neighbourhoods`` (none: the whole commune)."""
    if not settings.role_claim:
        return None
    value = identity.claims.get(settings.role_claim)
    values = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    found = {settings.claim_roles[v] for v in values if v in settings.claim_roles}
    for role in (Role.ADMINISTRATOR, Role.FACILITATOR, Role.AGENT):
        if role in found:
            hoods = parse_neighbourhoods(
                hood for v in values for hood in settings.claim_neighbourhoods.get(v, []))
            return role, hoods if role is Role.FACILITATOR else frozenset()
    return None


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/login", login_form, name="login")
    router.add_post("/login", login)
    router.add_post("/logout", logout)
    router.add_get("/login/oidc", oidc_start)
    router.add_get("/login/oidc/callback", oidc_callback)
