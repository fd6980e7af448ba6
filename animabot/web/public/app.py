"""The residents' public face: its own aiohttp application, templates and middleware, with no
back-office route in it (``animabot web`` serves those; ``animabot run`` serves this one on
``[web] listen``, with the SMS gateway's webhook beside it).

Every route declares ``@requires(Access.PUBLIC)`` as in the back-office; one that does not
is answered 404 here. Forms are protected against cross-site posting without sessions: a
personal page's form carries a token derived from its link (only who holds the link can
post it), the sign-up forms a double-submit cookie. RFC 8058's one-click unsubscribe is the
one POST without either: what a mail client sends when the person chose "unsubscribe".
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from ...chat.contract import ChatAdapter, TransactionalSender, WebMount
from ...config import Settings
from ...conversation.personal import PersonalPages
from ...conversation.signup import SignUps
from ...core import Core
from ...domain.access import Access
from ...errors import AnimabotError
from ...i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..app import SECURITY_HEADERS
from .texts import texts

log = logging.getLogger(__name__)
CSRF_FIELD = "csrf_token"
FORM_COOKIE = "animabot_form"
_ACCESS = "__animabot_access__"  # what animabot.web.guard.requires sets


@dataclass
class Public:
    """What the handlers use: the core's services for personal links and sign-ups."""

    settings: Settings
    pages: PersonalPages
    signups: SignUps
    neighbourhoods: Mapping[str, str]  # id → name, as configured
    form_key: bytes  # derives a personal page's form token from its link
    environment: jinja2.Environment

    def form_token(self, token: str) -> str:
        return hmac.new(self.form_key, token.encode(), hashlib.sha256).hexdigest()[:32]


PUBLIC = web.AppKey("public", Public)
# Routes an adapter mounted (the SMS gateway's webhook): they check their own signature.
MOUNTED = web.AppKey("mounted", frozenset)


def templates_dir() -> Path:
    return Path(str(files("animabot.web.public").joinpath("templates")))


def static_dir() -> Path:
    return Path(str(files("animabot.web.public").joinpath("static")))


def language_of(request: web.Request) -> str:
    """``?lang=`` (the page's switch, or a form's field), else the browser's
    ``Accept-Language`` in its order of preference, else French."""
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("Accept-Language", "").split(",")):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        short = code.split("-")[0].lower()
        if short in LANGUAGES and quality > 0:
            ranked.append((-quality, index, short))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def render(request: web.Request, template: str, title_key: str, language: str,
           status: int = 200, title: str | None = None, **context: Any) -> web.Response:
    public = request.app[PUBLIC]
    words = texts(language)
    other = next(code for code in LANGUAGES if code != language) if len(LANGUAGES) > 1 \
        else language
    html = public.environment.get_template(template).render(
        lang=language, other_lang=other, t=words,
        title=title if title is not None else words[title_key],
        switch_url=request.rel_url.with_query({**request.rel_url.query, "lang": other}),
        **context)
    return web.Response(text=html, status=status, content_type="text/html")


def _declared_public(request: web.Request) -> bool:
    match = request.match_info
    if match.http_exception is not None:
        return True  # answered by aiohttp as 404/405
    resource = match.route.resource
    if resource is not None and resource.name == "static":
        return True
    if match.route in request.app.get(MOUNTED, frozenset()):
        return True
    return getattr(match.handler, _ACCESS, None) is Access.PUBLIC


@web.middleware
async def public_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Only routes declared public exist here; errors are pages, never tracebacks."""
    if not _declared_public(request):
        log.error("route %s is not declared public: refused", request.path)
        return render(request, "message.html", "not_found_title", language_of(request), 404,
                      lines=[texts(language_of(request))["not_found"]], role="",
                      data_url="")
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status in (404, 405):
            language = language_of(request)
            return render(request, "message.html", "not_found_title", language, exc.status,
                          lines=[texts(language)["not_found"]], role="", data_url="")
        raise
    except AnimabotError as exc:  # the database away, a poster's library missing
        log.error("public page %s failed: %s", request.path, exc)
        language = language_of(request)
        return render(request, "message.html", "error", language, 503,
                      lines=[texts(language)["unavailable_page"]], role="alert", data_url="")


def form_cookie(request: web.Request) -> str:
    """The sign-up forms' double-submit token: the cookie's value (a new one the first
    time), repeated in the form; :func:`set_form_cookie` sends it."""
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)


def set_form_cookie(response: web.StreamResponse, request: web.Request, value: str) -> None:
    secure = request.app[PUBLIC].settings.web.public_url.startswith("https://")
    response.set_cookie(FORM_COOKIE, value, httponly=True, samesite="Strict", secure=secure,
                        path="/")


def form_cookie_ok(request: web.Request, given: str) -> bool:
    cookie = request.cookies.get(FORM_COOKIE)
    return bool(cookie) and hmac.compare_digest(cookie or "", given)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")  # personal pages stay private


def build_public_app(public: Public, extra: Callable[[web.Application], None] | None = None
                     ) -> web.Application:
    """The public application; ``extra`` adds routes (the SMS gateway's webhook)."""
    from . import views

    app = web.Application(middlewares=[public_guard], client_max_size=64 * 1024)
    app[PUBLIC] = public
    app.on_response_prepare.append(_security_headers)
    views.add_routes(app.router)
    app.router.add_static("/static/", static_dir(), name="static")
    if extra is not None:
        before = set(app.router.routes())
        extra(app)
        app[MOUNTED] = frozenset(set(app.router.routes()) - before)
    return app


def public_state(core: Core, senders: Mapping[str, TransactionalSender]) -> Public:
    """The handlers' state over a running core (``animabot run``'s)."""
    personalise = core.composer.personalise
    assert personalise is not None
    links = personalise.links
    settings = core.settings
    return Public(
        settings=settings,
        pages=PersonalPages(core.services, core.conversation, links),
        signups=SignUps(core.database, core.pseudonymize, links, core.clock,
                        settings.web.public_url, senders),
        neighbourhoods={hood.id: hood.name for hood in settings.neighbourhoods},
        form_key=links.derived(b"forms|"),
        environment=environment(),
    )


def mount_adapters(adapters: Mapping[str, object]) -> Callable[[web.Application], None]:
    """What adapters serve on the public listener (:class:`WebMount`)."""
    def extra(app: web.Application) -> None:
        for adapter in adapters.values():
            if isinstance(adapter, WebMount):
                adapter.mount(app)
    return extra


async def serve_public(stack: AsyncExitStack, app: web.Application, host: str, port: int
                       ) -> str:
    """Listen until ``stack`` closes; the address it listens on."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        raise AnimabotError(f"cannot listen on {host}:{port} ([web] listen): "
                            f"{exc.strerror}") from None
    bound = runner.addresses[0][1] if runner.addresses else port
    url = f"http://[{host}]:{bound}" if ":" in host else f"http://{host}:{bound}"
    log.info("residents' pages at %s (public address %s)", url,
             app[PUBLIC].settings.web.public_url or "not set")
    return url


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()), autoescape=True,
        undefined=jinja2.StrictUndefined)


async def public_face(core: Core, adapters: Mapping[str, ChatAdapter],
                      stack: AsyncExitStack) -> None:
    """``animabot run``'s public pages on ``[web] listen`` (nothing when it is empty), with
    what adapters mount there and their transactional sends for sign-ups."""
    where = core.settings.web.listen_at()
    if where is None:
        if core.settings.web.public_url:
            log.warning("[web] public_url is set but [web] listen is not: the residents' "
                        "pages are not served by this process")
        return
    if not core.settings.web.public_url:
        log.warning("[web] listen is set but [web] public_url is not: confirmation links and "
                    "posters need the address residents type; write public_url = "
                    "\"https://participer.ville.fr\"")
    senders = {name: adapter for name, adapter in adapters.items()
               if isinstance(adapter, TransactionalSender)}
    app = build_public_app(public_state(core, senders), mount_adapters(adapters))
    await serve_public(stack, app, *where)
