"""Rendering a page with what every page needs: the principal, the CSRF token its forms send
back, and cookies marked as the connection allows."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from ..accounts.sessions import new_secret
from ..store.accounts import SessionRecord
from .auth import CSRF_COOKIE
from .guard import PRINCIPAL, SESSION
from .state import DASHBOARD

_NEW_CSRF = web.RequestKey("new_csrf", str)
CSRF_COOKIE_SECONDS = 2 * 3600


def secure(request: web.Request) -> bool:
    """Cookies are Secure when the page is served over https (directly, or behind a proxy
    whose public address, ``[web] public_url``, is https)."""
    public = request.app[DASHBOARD].settings.web.public_url
    return request.secure or public.startswith("https://")


def csrf_token(request: web.Request) -> str:
    """The token forms carry: the session's, or before sign-in the pre-session cookie's."""
    session: SessionRecord | None = request.get(SESSION)
    if session is not None:
        return session.csrf_token
    existing: str | None = request.cookies.get(CSRF_COOKIE) or request.get(_NEW_CSRF)
    if existing:
        return existing
    request[_NEW_CSRF] = token = new_secret()
    return token


def page(template: str, request: web.Request, context: dict[str, Any],
         status: int = 200) -> web.Response:
    dashboard = request.app[DASHBOARD]
    base = {"principal": request.get(PRINCIPAL), "min_cell": dashboard.min_cell,
            "hood_name": dashboard.hood_name, "csrf_token": csrf_token(request)}
    response = aiohttp_jinja2.render_template(template, request, {**base, **context},
                                              status=status)
    remember_csrf(request, response)
    return response


def remember_csrf(request: web.Request, response: web.StreamResponse) -> None:
    new = request.get(_NEW_CSRF)
    if new is not None:
        response.set_cookie(CSRF_COOKIE, new, path="/", httponly=True, samesite="Lax",
                            secure=secure(request), max_age=CSRF_COOKIE_SECONDS)


def public_address(request: web.Request, path: str) -> str:
    """``path`` at the address people use: ``[web] public_url`` behind a proxy, else the one
    this request came to."""
    public = request.app[DASHBOARD].settings.web.public_url.rstrip("/")
    return f"{public}{path}" if public else str(request.url.with_path(path).with_query(None))


def see_other(location: str) -> web.Response:
    """A redirect after a POST (returned: aiohttp deprecates returning its HTTP exceptions)."""
    return web.Response(status=303, headers={"Location": location})


LOOPBACK = ("127.", "::1")


def address(request: web.Request) -> str:
    """The client's address: the peer's, or behind a local reverse proxy (``[web]
    behind_proxy``) the last one the proxy added to X-Forwarded-For."""
    peer = request.remote or ""
    if request.app[DASHBOARD].settings.web.behind_proxy and peer.startswith(LOOPBACK):
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return peer
