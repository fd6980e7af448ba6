"""The one place that decides who may use which route: every handler declares the
:class:`~animabot.domain.access.Access` it needs with :func:`requires`, and the middleware
here resolves the principal (a session cookie, or an agent's Bearer token), checks the
declaration, and checks the CSRF token of every form sent.

A handler that declares nothing is for administrators only: forgetting a declaration closes
a page, it never opens one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ..accounts.sessions import same_secret
from ..config.communes import scope_principal
from ..domain.access import Access, Origin, Principal, Role
from ..store.accounts import SessionRecord
from .auth import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, bearer_token
from .state import DASHBOARD, GATE

PRINCIPAL = web.RequestKey("principal", Principal)
SESSION = web.RequestKey("session", SessionRecord)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ACCESS = "__animabot_access__"
_SCOPE = "__animabot_scope__"
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Refusal = Callable[[web.Request, int], Awaitable[web.StreamResponse]]
# The neighbourhoods a request concerns; None: none in particular (an unknown campaign,
# whose handler answers 404).
Scope = Callable[[web.Request], Awaitable[frozenset[str] | None]]


def requires(access: Access, *, about: Scope | None = None
             ) -> Callable[[RouteHandler], RouteHandler]:
    """Declare what a route needs; ``about`` finds the neighbourhoods the request concerns
    (:func:`url_neighbourhood`, or a campaign's), so a facilitator reaches only theirs."""
    def declare(handler: RouteHandler) -> RouteHandler:
        setattr(handler, _ACCESS, access)
        setattr(handler, _SCOPE, about)
        return handler
    return declare


def url_neighbourhood(part: str) -> Scope:
    """The neighbourhood whose id is the URL's ``part``."""
    async def scope(request: web.Request) -> frozenset[str]:
        return frozenset({request.match_info[part]})
    return scope


def _declared(request: web.Request) -> tuple[Access, Scope | None]:
    match = request.match_info
    if match.http_exception is not None:  # unknown URL or method: strangers learn nothing
        return Access.READ, None
    resource = match.route.resource
    if resource is not None and resource.name == "static":
        return Access.PUBLIC, None
    handler: Any = match.handler
    return getattr(handler, _ACCESS, Access.ADMINISTER), getattr(handler, _SCOPE, None)


async def identify(request: web.Request) -> tuple[Principal, SessionRecord | None] | None:
    """The principal behind the request, and its session when it came with a cookie; its
    commune's neighbourhoods resolved from the configuration, whatever the way in, so no
    route ever sees a commune's principal unscoped."""
    dashboard = request.app[DASHBOARD]
    found = await _identified(request)
    if found is None:
        return None
    return scope_principal(dashboard.settings, found[0]), found[1]


async def _identified(request: web.Request) -> tuple[Principal, SessionRecord | None] | None:
    agents = request.app[DASHBOARD].agents
    token = bearer_token(request.headers.get("Authorization"))
    if token is not None:
        agent = agents.identify(token)
        if agent is not None:
            return agents.principal(agent), None
    record = await request.app[GATE].sessions.resolve(request.cookies.get(SESSION_COOKIE))
    if record is None:
        return None
    if record.principal.origin is Origin.TOKEN:
        if record.principal.name not in agents:
            return None  # the agent was taken out of [web] agents since signing in
        return agents.principal(record.principal.name), record
    return record.principal, record


def guard(refuse: Refusal) -> Middleware:
    """The middleware; ``refuse`` renders 401 (sign in) and 403 (not allowed)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        access, scope = _declared(request)
        found = None if access is Access.PUBLIC else await identify(request)
        if found is not None:
            request[PRINCIPAL], session = found
            if session is not None:
                request[SESSION] = session
        if access is not Access.PUBLIC and found is None:
            return await refuse(request, 401)
        if request.method not in SAFE_METHODS and not await _csrf_ok(request):
            return await refuse(request, 403)
        if found is not None:
            who = found[0]
            held = who.role is Role.FACILITATOR or who.commune is not None
            about = await scope(request) if scope and held else None
            if not who.may(access, about):
                return await refuse(request, 403)
        return await handler(request)

    return middleware


async def _csrf_ok(request: web.Request) -> bool:
    """A form carries the session's token; before sign-in, the token of the pre-session
    cookie (double submit), so that nobody can sign a browser in on their own account."""
    form = await request.post()
    given = form.get(CSRF_FIELD)
    given = given if isinstance(given, str) else request.headers.get("X-CSRF-Token")
    session = request.get(SESSION)
    if session is not None:
        return same_secret(session.csrf_token, given)
    cookie = request.cookies.get(CSRF_COOKIE)
    return cookie is not None and same_secret(cookie, given)


def principal(request: web.Request) -> Principal | None:
    return request.get(PRINCIPAL)
