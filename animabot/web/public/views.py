"""The public pages: personal links (``/r/<token>``, the problem report page among them),
sign-up (``/inscription``) and posters (``/affiche``). Opening a page never changes anything:
only its button's POST does."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from dataclasses import replace

import aiohttp
from aiohttp import web

from ...conversation.personal import Visit
from ...conversation.reports import MAX_TEXT
from ...conversation.signup import Outcome
from ...domain.access import Access
from ...i18n import LANGUAGE_NAMES, LANGUAGES, normalise_language
from ...privacy.links import DATA, REPORT, UNSUBSCRIBE
from ...problems.photos import PhotoError
from ..guard import requires
from . import poster
from .app import (
    CSRF_FIELD,
    PUBLIC,
    form_cookie,
    form_cookie_ok,
    language_of,
    render,
    set_form_cookie,
)
from .report_form import MAX_PLACE, ReportForm, read_report, report_text
from .texts import texts

log = logging.getLogger(__name__)
ONE_CLICK = "One-Click"  # RFC 8058: the body is List-Unsubscribe=One-Click


def _invalid(request: web.Request, language: str) -> web.Response:
    """A forged, altered or expired link, or a resident erased since: said in words."""
    return render(request, "message.html", "invalid_title", language, 404,
                  lines=[texts(language)["invalid"]], role="", data_url="")


async def _form(request: web.Request) -> tuple[dict[str, str], str]:
    data = await request.post()
    fields = {key: value for key, value in data.items() if isinstance(value, str)}
    language = fields.get("lang", "")
    return fields, language if language in LANGUAGES else language_of(request)


def _token_ok(request: web.Request, token: str, given: str) -> bool:
    return hmac.compare_digest(request.app[PUBLIC].form_token(token), given)


@requires(Access.PUBLIC)
async def personal_page(request: web.Request) -> web.StreamResponse:
    language = language_of(request)
    token = request.match_info["token"]
    visit = await request.app[PUBLIC].pages.open(token)
    if visit is None:
        return _invalid(request, language)
    if visit.link.action == DATA:  # the short link an SMS carries to the data page
        return await my_data(request)
    return await _show(request, visit, language)


async def _show(request: web.Request, visit: Visit, language: str, *, notice: str = "",
                feedback: str = "", feedback_for: int = -1, status: int = 200
                ) -> web.Response:
    public = request.app[PUBLIC]
    words = texts(language)
    base = f"/r/{visit.token}"
    common = {"csrf": public.form_token(visit.token), "action_url": base,
              "nonce": secrets.token_urlsafe(12), "data_url": f"{base}/donnees?lang={language}"}
    if visit.link.action == UNSUBSCRIBE:
        return render(request, "confirm.html", "unsubscribe_title", language, status,
                      lines=[words["unsubscribe_ask"]], items=[],
                      button=words["unsubscribe_button"], danger=False, links=[
                          (common["data_url"], words["data_link"])], **common)
    if visit.link.action == REPORT:
        return _report_page(request, visit, language, ReportForm(), status)
    if visit.sign_up is not None:
        return render(request, "confirm.html", "confirm_title", language, status,
                      lines=[words["confirm_ask"]], items=[], button=words["confirm_button"],
                      danger=False, links=[], **common)
    assert visit.action is not None
    if visit.action.verb == "t":
        training = await public.pages.training(visit, language)
        if training is None:
            return render(request, "message.html", "training_title", language, 404,
                          lines=[words["gone"]], role="", data_url=common["data_url"])
        return render(request, "training.html", "training_title", language, status,
                      training=training, feedback=feedback, feedback_for=feedback_for,
                      **common)
    poll = await public.pages.poll(visit, language)
    if poll is None:
        return render(request, "message.html", "poll_title", language, 404,
                      lines=[words["gone"]], role="", data_url=common["data_url"])
    preselected = poll.chosen[0] if poll.chosen and not poll.multiple else -1
    if visit.action.verb == "v" and not poll.chosen:
        preselected = visit.action.int_arg(1)
    current = ", ".join(poll.options[i] for i in poll.chosen if i < len(poll.options))
    return render(request, "poll.html", "poll_title", language, status, poll=poll,
                  preselected=preselected, current=current, notice=notice, **common)


@requires(Access.PUBLIC)
async def personal_action(request: web.Request) -> web.StreamResponse:
    """The button of a personal page; or RFC 8058's one-click unsubscribe."""
    fields, language = await _form(request)
    token = request.match_info["token"]
    pages = request.app[PUBLIC].pages
    visit = await pages.open(token)
    if visit is None or visit.link.action == DATA:  # the data page posts to /oubli
        return _invalid(request, language)
    if fields.get("List-Unsubscribe") == ONE_CLICK and visit.link.action == UNSUBSCRIBE:
        await pages.unsubscribe(visit)
        return web.Response(text="unsubscribed\n")
    if not _token_ok(request, token, fields.get(CSRF_FIELD, "")):
        return render(request, "message.html", "error", language, 403,
                      lines=[texts(language)["form_expired"]], role="alert", data_url="")
    words = texts(language)
    if visit.link.action == UNSUBSCRIBE:
        await pages.unsubscribe(visit)
        return render(request, "message.html", "unsubscribe_title", language,
                      lines=[words["unsubscribed"]], role="status",
                      data_url=f"/r/{token}/donnees?lang={language}")
    if visit.link.action == REPORT:  # its form posts to /signaler
        return await _show(request, visit, language, status=400)
    if visit.sign_up is not None:
        await pages.confirm(visit)
        return render(request, "message.html", "confirm_title", language,
                      lines=[words["confirmed"]], role="status", data_url="")
    nonce = fields.get("nonce", "")[:40]
    option = fields.get("option", "")
    if not (option.isascii() and option.isdigit() and len(option) < 4 and nonce):
        return await _show(request, visit, language, status=400)
    assert visit.action is not None
    if visit.action.verb == "t":
        question = fields.get("question", "")
        if not (question.isascii() and question.isdigit() and len(question) < 3):
            return await _show(request, visit, language, status=400)
        feedback = await pages.quiz(visit, int(question), int(option), nonce, language)
        return await _show(request, visit, language, feedback=feedback or "",
                           feedback_for=int(question))
    notice = await pages.vote(visit, int(option), nonce)
    return await _show(request, visit, language, notice=notice or "")


@requires(Access.PUBLIC)
async def my_data(request: web.Request) -> web.StreamResponse:
    """/mesdonnees on the web: what is kept, and the button to erase it (/oubli)."""
    language = language_of(request)
    token = request.match_info["token"]
    public = request.app[PUBLIC]
    visit = await public.pages.open(token)
    if visit is None:
        return _invalid(request, language)
    words = texts(language)
    report = public.pages.report_link(visit)
    return render(request, "confirm.html", "data_title", language,
                  lines=[], items=[item.removeprefix("- ") for item in
                                   await public.pages.my_data(visit, language)],
                  button=words["erase_button"], danger=True,
                  links=[(f"/r/{report}?lang={language}", words["report_link"])]
                  if report else [],
                  csrf=public.form_token(token), action_url=f"/r/{token}/oubli")


@requires(Access.PUBLIC)
async def erase(request: web.Request) -> web.StreamResponse:
    fields, language = await _form(request)
    token = request.match_info["token"]
    public = request.app[PUBLIC]
    visit = await public.pages.open(token)
    if visit is None:
        return _invalid(request, language)
    if not _token_ok(request, token, fields.get(CSRF_FIELD, "")):
        return render(request, "message.html", "error", language, 403,
                      lines=[texts(language)["form_expired"]], role="alert", data_url="")
    await public.pages.erase(visit)
    return render(request, "message.html", "data_title", language,
                  lines=[texts(language)["erased"]], role="status", data_url="")


def _report_page(request: web.Request, visit: Visit, language: str, form: ReportForm,
                 status: int = 200) -> web.Response:
    public = request.app[PUBLIC]
    reports = public.settings.reports
    if not reports.categories:
        return render(request, "message.html", "report_title", language, 404,
                      lines=[texts(language)["report_closed"]], role="", data_url="")
    base = f"/r/{visit.token}"
    return render(request, "report.html", "report_title", language, status, form=form,
                  categories=[(c.id, c.name) for c in reports.categories],
                  max_text=MAX_TEXT, max_place=MAX_PLACE,
                  mb=max(1, reports.max_photo_bytes // 1_000_000),
                  csrf=public.form_token(visit.token), action_url=f"{base}/signaler",
                  nonce=secrets.token_urlsafe(12),
                  data_url=f"{base}/donnees?lang={language}")


class _TooLarge(Exception):
    """A part over its limit; ``fields`` are those read before it (shown again)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("too large")
        self.fields = fields


async def _report_form(request: web.Request, max_photo: int
                       ) -> tuple[dict[str, str], bytes | None]:
    """The multipart form read as a stream: the fields, and the photo kept in memory only
    (never written before its metadata is stripped), refused past ``max_photo`` bytes."""
    fields: dict[str, str] = {}
    photo: bytes | None = None
    reader = await request.multipart()
    count = 0
    while (part := await reader.next()) is not None:
        count += 1
        if count > 20 or not isinstance(part, aiohttp.BodyPartReader):
            raise _TooLarge(fields)
        if part.name == "photo":
            chunks, size = [], 0
            while chunk := await part.read_chunk(64 * 1024):
                size += len(chunk)
                if size > max_photo:
                    raise _TooLarge(fields)
                chunks.append(chunk)
            if size:
                photo = b"".join(chunks)
        elif part.name:
            value = await part.read(decode=True)
            if len(value) > 8 * 1024:
                raise _TooLarge(fields)
            fields[part.name] = value.decode("utf-8", errors="replace")
    return fields, photo


@requires(Access.PUBLIC)
async def report_send(request: web.Request) -> web.StreamResponse:
    """The report page's button: checked, then recorded through the core (once)."""
    token = request.match_info["token"]
    public = request.app[PUBLIC]
    language = language_of(request)
    visit = await public.pages.open(token)
    if visit is None or visit.link.action != REPORT:
        return _invalid(request, language)
    reports = public.settings.reports
    if not request.content_type.startswith("multipart/"):
        return _report_page(request, visit, language, ReportForm(), 400)
    try:
        fields, photo = await _report_form(request, reports.max_photo_bytes)
    except _TooLarge as exc:  # the fields before the photo (category, text) kept
        typed = read_report(exc.fields, (), has_photo=True)
        return _report_page(request, visit, language, replace(
            typed, errors={"photo": "report_error_photo_large"}), 413)
    if fields.get("lang") in LANGUAGES:
        language = fields["lang"]
    if not _token_ok(request, token, fields.get(CSRF_FIELD, "")):
        return render(request, "message.html", "error", language, 403,
                      lines=[texts(language)["form_expired"]], role="alert", data_url="")
    form = read_report(fields, [c.id for c in reports.categories], has_photo=photo is not None)
    nonce = fields.get("nonce", "")[:40]
    if not form.ok or not nonce:
        return _report_page(request, visit, language, form, 400)
    place_label = texts(public.settings.bot.language)["report_place_label"]
    try:
        number = await public.pages.report(
            visit, form.category, report_text(form, place_label), photo, form.latitude,
            form.longitude, nonce)
    except PhotoError:
        return _report_page(request, visit, language, replace(
            form, errors={"photo": "report_error_photo"}), 400)
    words = texts(language)
    return render(request, "report_done.html", "report_done_title", language,
                  line=words["report_done"].format(id=number),
                  again_url=f"/r/{token}?lang={language}",
                  data_url=f"/r/{token}/donnees?lang={language}")


@requires(Access.PUBLIC)
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/inscription")


@requires(Access.PUBLIC)
async def signup_index(request: web.Request) -> web.StreamResponse:
    language = language_of(request)
    hoods = sorted(request.app[PUBLIC].neighbourhoods.items(), key=lambda item: item[1])
    return render(request, "signup_index.html", "signup_index_title", language, hoods=hoods)


def _channels(request: web.Request, language: str) -> list[tuple[str, str]]:
    words = texts(language)
    return [(name, words[f"channel_{name}"])
            for name in request.app[PUBLIC].signups.channels()]


def _signup_page(request: web.Request, hood: str, language: str, *, error: str = "",
                 channel: str = "", address: str = "", status: int = 200) -> web.Response:
    public = request.app[PUBLIC]
    words = texts(language)
    name = public.neighbourhoods[hood]
    token = form_cookie(request)
    response = render(
        request, "signup.html", "signup_title", language, status,
        title=words["signup_title"].format(name=name),
        intro=words["signup_intro"].format(name=name), error=error,
        channels=_channels(request, language), channel=channel, address=address,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        retention_days=public.settings.privacy.retention_days,
        csrf=token, action_url=f"/inscription/{hood}")
    set_form_cookie(response, request, token)
    return response


def _hood(request: web.Request, language: str) -> str | web.Response:
    hood = request.match_info["hood"]
    if hood not in request.app[PUBLIC].neighbourhoods:
        words = texts(language)
        return render(request, "message.html", "not_found_title", language, 404,
                      lines=[words["unknown_hood"]], role="", data_url="")
    return hood


@requires(Access.PUBLIC)
async def signup_form(request: web.Request) -> web.StreamResponse:
    language = language_of(request)
    hood = _hood(request, language)
    if isinstance(hood, web.Response):
        return hood
    return _signup_page(request, hood, language)


def client_of(request: web.Request) -> str:
    """The client's address for the sign-up limits (the proxy's header when trusted)."""
    peer = request.remote or ""
    if request.app[PUBLIC].settings.web.behind_proxy and peer in ("127.0.0.1", "::1"):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return peer


@requires(Access.PUBLIC)
async def signup_send(request: web.Request) -> web.StreamResponse:
    fields, language = await _form(request)
    hood = _hood(request, language)
    if isinstance(hood, web.Response):
        return hood
    words = texts(language)
    if not form_cookie_ok(request, fields.get(CSRF_FIELD, "")):
        return _signup_page(request, hood, language, error=words["form_expired"], status=403)
    channel, address = fields.get("channel", ""), fields.get("address", "")[:254]
    if fields.get("consent") != "yes":
        return _signup_page(request, hood, language, error=words["consent_needed"],
                            channel=channel, address=address, status=400)
    chosen = normalise_language(fields.get("language", language))
    public = request.app[PUBLIC]
    result = await public.signups.request(hood, channel, address, chosen, client_of(request))
    if result.outcome is Outcome.INVALID:
        return _signup_page(request, hood, language, error=result.detail, channel=channel,
                            address=address, status=400)
    if result.outcome in (Outcome.LIMITED, Outcome.UNAVAILABLE):
        return _signup_page(request, hood, language, error=words[result.outcome.value],
                            channel=channel, status=429 if result.outcome is Outcome.LIMITED
                            else 503)
    if result.outcome is Outcome.LINK_SENT:
        return render(request, "message.html", "confirm_title", language,
                      lines=[words["link_sent"]], role="status", data_url="")
    return _code_page(request, hood, language, result.pending)


def _code_page(request: web.Request, hood: str, language: str, pending: str, *,
               error: str = "", status: int = 200) -> web.Response:
    token = form_cookie(request)
    response = render(request, "code.html", "code_title", language, status, error=error,
                      pending=pending, csrf=token, action_url=f"/inscription/{hood}/code")
    set_form_cookie(response, request, token)
    return response


@requires(Access.PUBLIC)
async def signup_code(request: web.Request) -> web.StreamResponse:
    fields, language = await _form(request)
    hood = _hood(request, language)
    if isinstance(hood, web.Response):
        return hood
    words = texts(language)
    pending = fields.get("pending", "")[:200]
    if not form_cookie_ok(request, fields.get(CSRF_FIELD, "")):
        return _code_page(request, hood, language, pending, error=words["form_expired"],
                          status=403)
    checked = await request.app[PUBLIC].signups.check_code(pending, fields.get("code", "")[:12])
    if checked is None:
        return render(request, "message.html", "error", language, 400,
                      lines=[words["code_over"]], role="alert", data_url="")
    if checked is False:
        return _code_page(request, hood, language, pending, error=words["code_wrong"],
                          status=400)
    return render(request, "message.html", "confirm_title", language,
                  lines=[words["confirmed"]], role="status", data_url="")


@requires(Access.PUBLIC)
async def poster_file(request: web.Request) -> web.StreamResponse:
    public = request.app[PUBLIC]
    hood, kind = request.match_info["hood"], request.match_info["kind"]
    if hood not in public.neighbourhoods:
        raise web.HTTPNotFound()
    language = language_of(request)
    # Drawn off the event loop, which also sends the campaigns; then kept (poster.made).
    made = await asyncio.to_thread(
        poster.made, kind, public.neighbourhoods[hood],
        poster.signup_url(public.settings.web.public_url, hood), language)
    return web.Response(body=made, content_type=poster.CONTENT_TYPES[kind], headers={
        "Cache-Control": "public, max-age=3600",
        "Content-Disposition": f'inline; filename="affiche-{hood}.{kind}"'})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", home)
    router.add_get("/inscription", signup_index)
    router.add_get("/inscription/{hood}", signup_form)
    router.add_post("/inscription/{hood}", signup_send)
    router.add_post("/inscription/{hood}/code", signup_code)
    router.add_get("/r/{token}", personal_page)
    router.add_post("/r/{token}", personal_action)
    router.add_get("/r/{token}/donnees", my_data)
    router.add_post("/r/{token}/oubli", erase)
    router.add_post("/r/{token}/signaler", report_send)
    router.add_get(r"/affiche/{hood}.{kind:pdf|png}", poster_file)
