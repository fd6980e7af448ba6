"""Answers from paper and public meetings, entered in the back-office: the same checks and
audit line as ``animabot answers record`` (``campaigns.paper``), for the campaign's polls and
the neighbourhoods the person entering them works in. Entering counts is facilitators' work:
agents read figures only."""

from __future__ import annotations

from aiohttp import web

from ..campaigns.paper import MAX_COUNT, PaperEntry, record_paper_answers, remove_paper_answers
from ..domain.access import Access
from ..errors import CampaignError
from ..scenario.model import pick
from ..scenario.snapshot import scenario_of
from ..store.campaigns import CampaignRecord
from .guard import PRINCIPAL, requires
from .pages import page, see_other
from .scenario_pages import SLUG
from .state import DESK, GATE
from .views import campaign_neighbourhoods


async def _campaign(request: web.Request) -> CampaignRecord:
    record = await request.app[DESK].stores.campaigns.get(request.match_info["id"])
    if record is None:
        raise web.HTTPNotFound(text="Campagne inconnue.")
    return record


async def _page(request: web.Request, record: CampaignRecord, *, error: str = "",
                typed: dict[str, str] | None = None, status: int = 200) -> web.Response:
    who = request[PRINCIPAL]
    polls = [poll for poll in scenario_of(record).polls() if not poll.multiple]
    return page("campaign_paper.html", request, {
        "record": record,
        "polls": [(poll.id, pick(poll.question, "fr"), list(enumerate(
            pick(poll.options, "fr"), start=1))) for poll in polls],
        "hoods": [hood for hood in record.targets if who.covers(hood)],
        "entries": await request.app[DESK].stores.paper.of_campaign(record.id),
        "error": error, "typed": typed or {}, "most": MAX_COUNT,
        "message": request.query.get("done", ""),
    }, status=status)


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def paper_form(request: web.Request) -> web.Response:
    return await _page(request, await _campaign(request))


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def record_paper(request: web.Request) -> web.StreamResponse:
    record = await _campaign(request)
    who = request[PRINCIPAL]
    form = await request.post()
    typed = {key: str(form.get(key, "")).strip() for key in
             ("step", "neighbourhood", "option", "count", "source")}
    if not who.covers(typed["neighbourhood"]):
        raise web.HTTPForbidden(text="Ce quartier n'est pas le vôtre.")
    try:
        entry = PaperEntry(record.id, typed["step"], typed["neighbourhood"],
                           _number(typed["option"], "option"), _number(typed["count"], "count"),
                           typed["source"], who.name)
        now = request.app[GATE].accounts.clock.now()
        await record_paper_answers(request.app[DESK].stores, entry, now, who.name)
    except CampaignError as exc:
        return await _page(request, record, error=exc.told("fr"), typed=typed, status=422)
    return see_other(f"/campaigns/{record.id}/paper?done=recorded")


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def remove_paper(request: web.Request) -> web.StreamResponse:
    record = await _campaign(request)
    stores = request.app[DESK].stores
    entry = await stores.paper.get(int(request.match_info["entry"]))
    if entry is None or entry.campaign_id != record.id:
        raise web.HTTPNotFound(text="Saisie inconnue.")
    if not request[PRINCIPAL].covers(entry.neighbourhood_id):
        raise web.HTTPForbidden(text="Ce quartier n'est pas le vôtre.")
    now = request.app[GATE].accounts.clock.now()
    await remove_paper_answers(stores, entry.id, now, request[PRINCIPAL].name)
    return see_other(f"/campaigns/{record.id}/paper?done=removed")


def _number(text: str, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CampaignError(f"--{field} « {text} » : écrivez un nombre entier") from None


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"/campaigns/{{id:{SLUG}}}/paper", paper_form)
    router.add_post(f"/campaigns/{{id:{SLUG}}}/paper", record_paper)
    router.add_post(f"/campaigns/{{id:{SLUG}}}/paper/{{entry:[0-9]{{1,12}}}}/remove", remove_paper)

