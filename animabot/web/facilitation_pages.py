"""The rest of a facilitator's work in the back-office: the ideas residents sent (accepted,
or refused with a reason their author receives, as ``animabot ideas review`` does), the
actors directory (each actor edited through the CSV import's own checks, a CSV imported
with the same line-by-line report as ``animabot actors import``), and the chats linked to
each neighbourhood across platforms. A facilitator sees and changes only what belongs to
their neighbourhoods; what belongs to none is the whole commune's."""

from __future__ import annotations

import csv
import io

from aiohttp import web

from ..csv_cells import safe_row
from ..directory.csv_import import (
    COLUMNS,
    ActorFileError,
    ParsedFile,
    Rejected,
    parse_actors,
)
from ..domain.access import Access, AuditAction, Principal
from ..domain.actor import KINDS, TAG_SEPARATOR, Actor
from ..ideas.moderation import decide_idea
from ..store.ideas import PENDING, IdeaRecord, IdeaRepository
from .belongs import reaches
from .guard import PRINCIPAL, requires
from .pages import address, page, see_other
from .state import DASHBOARD, DATABASE, DESK, GATE

SLUG = "[a-z0-9][a-z0-9_-]*"
IDEAS_SHOWN = 100
CSV_LIMIT = 500_000  # characters: thousands of actors


def _covers(who: Principal, hood: str | None) -> bool:
    """What belongs to no neighbourhood is the commune-wide facilitators' (and admins')."""
    return who.may(Access.FACILITATE, frozenset({hood}) if hood else frozenset())


async def idea_neighbourhood(request: web.Request) -> frozenset[str] | None:
    """An idea's neighbourhood; one of none (or no idea) is the handler's to judge."""
    idea = await IdeaRepository(request.app[DATABASE]).get(int(request.match_info["id"]))
    return frozenset({idea.neighbourhood_id}) if idea and idea.neighbourhood_id else None


def _idea_is_theirs(request: web.Request, idea: IdeaRecord) -> bool:
    return reaches(request.app[DASHBOARD].settings, request[PRINCIPAL], idea.neighbourhood_id,
                   idea.platform)


async def actor_neighbourhood(request: web.Request) -> frozenset[str] | None:
    actor = await request.app[DESK].stores.actors.get(request.match_info["id"])
    if actor is None:
        return None
    return frozenset({actor.neighbourhood_id}) if actor.neighbourhood_id else frozenset()


@requires(Access.FACILITATE)
async def ideas(request: web.Request) -> web.Response:
    found = await IdeaRepository(request.app[DATABASE]).find(
        None, limit=IDEAS_SHOWN, newest_first=True)
    mine = [idea for idea in found if _idea_is_theirs(request, idea)]
    return page("ideas.html", request, {
        "pending": [i for i in mine if i.status == PENDING],
        "decided": [i for i in mine if i.status != PENDING],
        "done": request.query.get("done", "")})


@requires(Access.FACILITATE, about=idea_neighbourhood)
async def decide(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    accept = form.get("decision") == "accept"
    reason = str(form.get("reason", "")).strip()
    who = request[PRINCIPAL].name
    idea = await IdeaRepository(request.app[DATABASE]).get(int(request.match_info["id"]))
    if idea is not None and not _idea_is_theirs(request, idea):
        raise web.HTTPForbidden(text="Cette idée n'est pas de votre ressort.")
    now = request.app[GATE].accounts.clock.now()
    decision = await decide_idea(request.app[DATABASE], int(request.match_info["id"]), accept,
                                 who, now, request.app[DASHBOARD].settings.bot.language,
                                 "" if accept else reason)
    if decision is None:
        raise web.HTTPNotFound(text="Idée inconnue.")
    if not decision.changed:
        raise web.HTTPConflict(text="Cette idée a déjà été examinée.")
    await request.app[GATE].accounts.record(
        who, AuditAction.IDEA_ACCEPTED if accept else AuditAction.IDEA_REJECTED,
        f"idea {decision.idea.id}", reason if not accept else "", address(request))
    return see_other(f"/ideas?done={'accepted' if accept else 'rejected'}")


@requires(Access.FACILITATE)
async def actors(request: web.Request) -> web.Response:
    return await _actors_page(request, None)


async def _actors_page(request: web.Request, report: ParsedFile | None,
                       error: str = "", status: int = 200) -> web.Response:
    who = request[PRINCIPAL]
    everyone = await request.app[DESK].stores.actors.all()
    return page("actors.html", request, {
        "actors": [a for a in everyone if _covers(who, a.neighbourhood_id)],
        "report": report, "error": error, "columns": COLUMNS}, status=status)


@requires(Access.FACILITATE, about=actor_neighbourhood)
async def actor(request: web.Request) -> web.Response:
    found = await request.app[DESK].stores.actors.get(request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound(text="Acteur inconnu.")
    return await _actor_page(request, _actor_fields(found), [])


async def _actor_page(request: web.Request, fields: dict[str, str], problems: list[str],
                      status: int = 200) -> web.Response:
    who = request[PRINCIPAL]
    hoods = who.covered(await request.app[DESK].stores.chats.neighbourhoods())
    return page("actor.html", request, {"a": fields, "problems": problems, "kinds": KINDS,
                                        "hoods": hoods, "saved": request.query.get("saved")},
                status=status)


def _actor_fields(found: Actor) -> dict[str, str]:
    return {"id": found.id, "name": found.name, "kind": found.kind,
            "tags": TAG_SEPARATOR.join(found.tags), "neighbourhood": found.neighbourhood_id
            or "", "contact": found.contact, "description": found.description}


@requires(Access.FACILITATE, about=actor_neighbourhood)
async def save_actor(request: web.Request) -> web.StreamResponse:
    """One actor, checked by the CSV import's rules (as if it were a one-row file)."""
    actor_id = request.match_info["id"]
    if await request.app[DESK].stores.actors.get(actor_id) is None:
        raise web.HTTPNotFound(text="Acteur inconnu.")
    form = await request.post()
    fields = {column: str(form.get(column, "")).strip() for column in COLUMNS}
    fields["id"] = actor_id
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([COLUMNS, safe_row(fields[column] for column in COLUMNS)])
    who = request[PRINCIPAL]
    parsed = parse_actors(buffer.getvalue(), await _known_hoods(request), "formulaire")
    problems = [reason for rejected in parsed.rejected for reason in rejected.reasons]
    if not problems and not _covers(who, parsed.actors[0].neighbourhood_id):
        problems.append("ce quartier n'est pas l'un des vôtres")
    if problems:
        return await _actor_page(request, fields, problems, status=422)
    now = request.app[GATE].accounts.clock.now()
    await request.app[DESK].stores.actors.save_all(parsed.actors, now)
    await request.app[GATE].accounts.record(who.name, AuditAction.ACTOR_SAVED, actor_id, "",
                                            address(request))
    return see_other(f"/actors/{actor_id}?saved=1")


async def _known_hoods(request: web.Request) -> dict[str, str]:
    """The neighbourhoods an actor's row may name: within a commune, the commune's only (an
    unknown one's message lists them, and must not tell another commune's)."""
    who = request[PRINCIPAL]
    return {hood: name for hood, name in
            (await request.app[DESK].stores.chats.neighbourhoods()).items()
            if who.in_commune(hood)}


@requires(Access.FACILITATE)
async def import_actors(request: web.Request) -> web.Response:
    """A CSV file, reported line by line as ``animabot actors import`` does; rows of
    another facilitator's neighbourhood are refused with the others."""
    form = await request.post()
    sent = form.get("file")
    raw = sent.file.read(CSV_LIMIT + 1) if isinstance(sent, web.FileField) else b""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return await _actors_page(request, None, "Le fichier n'est pas en UTF-8 : dans le "
                                  "tableur, enregistrez-le en CSV UTF-8.", 422)
    if len(text) > CSV_LIMIT:
        return await _actors_page(request, None, "Le fichier est trop long.", 422)
    try:
        parsed = parse_actors(text, await _known_hoods(request), "le fichier")
    except ActorFileError as exc:
        return await _actors_page(request, None, str(exc), 422)
    who = request[PRINCIPAL]
    existing = {a.id: a for a in await request.app[DESK].stores.actors.all()}
    _keep_own(parsed, who, existing)
    now = request.app[GATE].accounts.clock.now()
    saved = await request.app[DESK].stores.actors.save_all(parsed.actors, now)
    await request.app[GATE].accounts.record(
        who.name, AuditAction.ACTORS_IMPORTED, "actors",
        f"{saved.created} new, {saved.updated} updated, {len(parsed.rejected)} rejected",
        address(request))
    return await _actors_page(request, parsed, status=200 if not parsed.rejected else 422)


def _keep_own(parsed: ParsedFile, who: Principal, existing: dict[str, Actor]) -> None:
    """A row replaces the actor of its id (written or derived from the name), so the
    facilitator must cover both the row's neighbourhood and the replaced actor's."""
    kept_actors: list[Actor] = []
    kept_lines: list[int] = []
    for found, line in zip(parsed.actors, parsed.lines, strict=True):
        before = existing.get(found.id)
        if not _covers(who, found.neighbourhood_id):
            parsed.rejected.append(Rejected(line, (
                f"the neighbourhood {found.neighbourhood_id or '(none)'} is not yours",)))
        elif before is not None and not _covers(who, before.neighbourhood_id):
            parsed.rejected.append(Rejected(line, (
                f"the actor {found.id} already exists in the neighbourhood "
                f"{before.neighbourhood_id or '(none)'}, which is not yours",)))
        else:
            kept_actors.append(found)
            kept_lines.append(line)
    parsed.actors, parsed.lines = kept_actors, kept_lines
    parsed.rejected.sort(key=lambda r: r.line)


@requires(Access.FACILITATE)
async def chats(request: web.Request) -> web.Response:
    """Each neighbourhood of the facilitator and its chats, whatever their platform."""
    who = request[PRINCIPAL]
    hoods = who.covered(await request.app[DESK].stores.chats.neighbourhoods())
    linked = await request.app[DESK].stores.chats.active_in(list(hoods)) if hoods else []
    return page("chats.html", request, {"hoods": hoods, "chats": linked})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/ideas", ideas)
    router.add_post("/ideas/{id:[0-9]{1,12}}", decide)
    router.add_get("/actors", actors)
    router.add_post("/actors/import", import_actors)
    router.add_get(f"/actors/{{id:{SLUG}}}", actor)
    router.add_post(f"/actors/{{id:{SLUG}}}", save_actor)
    router.add_get("/neighbourhoods", chats)
