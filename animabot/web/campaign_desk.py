"""Campaigns from the back-office: schedule a saved scenario on neighbourhoods (with the
chats and members it will reach on each platform), approve a colleague's, follow its
deliveries, settle the messages in doubt, cancel. Every action goes through the campaign
service the CLI uses and into the audit log; a facilitator acts only on campaigns that
reach one of their neighbourhoods (the guard's ``about``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web

from ..campaigns.costs import channel_costs
from ..campaigns.when import parse_start
from ..domain.access import Access, AuditAction, Principal
from ..domain.addresses import AddressStatus
from ..errors import CampaignError, ScenarioError
from ..scenario.loader import load_scenario_text
from ..scenario.snapshot import scenario_of
from ..store.address_book import AddressBook
from ..store.campaigns import CANCELLED, PENDING_APPROVAL
from ..store.chats import ChatRecord
from ..store.scenarios import ScenarioVersion
from .guard import PRINCIPAL, requires
from .pages import address, page, see_other
from .scenario_pages import SLUG, scenario_neighbourhoods
from .state import DASHBOARD, DESK, GATE
from .views import campaign_neighbourhoods

REACH_MEMORY = timedelta(days=90)  # a group's member count older than this is not shown


@dataclass
class Reach:
    """One neighbourhood's chats and their members last counted, by platform."""

    hood: str
    chats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    members: dict[str, int | None] = field(default_factory=dict)
    residents: dict[str, int] = field(default_factory=dict)  # reached one by one (SMS, e-mail)


async def _reach(request: web.Request, hoods: list[str]) -> list[Reach]:
    desk = request.app[DESK]
    now = request.app[GATE].accounts.clock.now()
    counted = {(p, a): n for p, a, n, _at in
               await desk.stores.deliveries.recent_reach(now - REACH_MEMORY)}
    found = {hood: Reach(hood) for hood in hoods}
    for (platform, hood, status), count in (
            await AddressBook(desk.stores.database).counts()).items():
        if hood in found and status == AddressStatus.ACTIVE:
            found[hood].residents[platform] = count
    for chat in await desk.stores.chats.active_in(hoods) if hoods else []:
        reach = found[chat.neighbourhood_id or ""]
        reach.chats[chat.platform] += 1
        members = counted.get((chat.platform, chat.address))
        known = reach.members.get(chat.platform, 0)
        reach.members[chat.platform] = None if members is None or known is None \
            else known + members
    return list(found.values())


async def _mine(request: web.Request) -> list[str]:
    who = request[PRINCIPAL]
    known = await request.app[DESK].stores.chats.neighbourhoods()
    return [hood for hood in known if who.covers(hood)]


@requires(Access.FACILITATE, about=scenario_neighbourhoods)
async def schedule_form(request: web.Request) -> web.Response:
    return await _schedule_page(request, [], "", [])


async def _schedule_page(request: web.Request, chosen: list[str], start: str,
                         errors: list[str], status: int = 200,
                         every: str | None = None) -> web.Response:
    saved = await request.app[DESK].stores.scenarios.latest(request.match_info["id"])
    if saved is None:
        raise web.HTTPNotFound(text="Scénario inconnu.")
    scenario = load_scenario_text(saved.toml, saved.scenario_id)
    if every is None:
        every = scenario.every or ""
    hoods = await _mine(request)
    desk = request.app[DESK]
    costs = channel_costs(request.app[DASHBOARD].settings, scenario,
                          request.app[GATE].accounts.clock.now(), desk.window)
    return page("campaign_schedule.html", request, {
        "saved": saved, "reach": await _reach(request, hoods), "chosen": chosen,
        "costs": costs,
        "start": start, "errors": errors, "every": every,
        "approval_above": request.app[DESK].campaigns.approval_above,
    }, status=status)


@requires(Access.FACILITATE, about=scenario_neighbourhoods)
async def schedule(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    form = await request.post()
    chosen = [str(v) for v in form.getall("neighbourhoods", [])]
    start_text = str(form.get("start", "")).strip()
    every = str(form.get("every", "")).strip()
    who = request[PRINCIPAL]
    saved = await desk.stores.scenarios.latest(request.match_info["id"])
    if saved is None:
        raise web.HTTPNotFound(text="Scénario inconnu.")
    errors = [f"le quartier {hood} n'est pas l'un des vôtres" for hood in chosen
              if not who.covers(hood)]
    now = request.app[GATE].accounts.clock.now()
    try:
        start = parse_start(start_text, desk.window.zone, now) \
            if start_text else now
        if not errors and every:
            return await _start_series(request, saved, chosen, every, start)
        if not errors:
            scenario = load_scenario_text(saved.toml, saved.scenario_id)
            started = await desk.campaigns.start(
                scenario, chosen, start, source=f"back-office v{saved.version}",
                author=who.name)
    except (ValueError, CampaignError, ScenarioError) as exc:
        errors.append(str(exc))
    if errors:
        return await _schedule_page(request, chosen, start_text, errors, status=422,
                                    every=every)
    await request.app[GATE].accounts.record(
        who.name, AuditAction.CAMPAIGN_STARTED, started.id,
        f"scenario {saved.scenario_id} v{saved.version} to {','.join(chosen)}"
        + (" (awaiting approval)" if started.pending_approval else ""), address(request))
    return see_other(f"/campaigns/{started.id}/manage")


async def _start_series(request: web.Request, saved: ScenarioVersion, chosen: list[str],
                        rule: str, start: datetime) -> web.StreamResponse:
    """A recurring series (``animabot series start``): its first occurrence is planned now
    when near, the next ones by the running bot."""
    who = request[PRINCIPAL]
    scenario = load_scenario_text(saved.toml, saved.scenario_id)
    series = await request.app[DESK].series.create(
        scenario, chosen, rule, not_before=start, source=f"back-office v{saved.version}",
        author=who.name)
    await request.app[GATE].accounts.record(
        who.name, AuditAction.SERIES_STARTED, series.id,
        f"scenario {saved.scenario_id} v{saved.version} to {','.join(chosen)}: {rule}",
        address(request))
    if series.campaigns:
        return see_other(f"/campaigns/{series.campaigns[0].id}/manage?done=series")
    return see_other(f"/scenarios/{saved.scenario_id}?series={series.id}")


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def stop_series(request: web.Request) -> web.StreamResponse:
    """Stop the series this campaign belongs to, and cancel its occurrences not begun."""
    campaign_id = request.match_info["id"]
    record = await request.app[DESK].campaigns.campaigns.get(campaign_id)
    if record is None or record.series_id is None:
        raise web.HTTPNotFound(text="Cette campagne n'appartient à aucune série.")
    try:
        cancelled = await request.app[DESK].series.cancel(record.series_id)
    except CampaignError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    await request.app[GATE].accounts.record(
        request[PRINCIPAL].name, AuditAction.SERIES_CANCELLED, record.series_id,
        f"{cancelled} occurrence(s) cancelled", address(request))
    return see_other(f"/campaigns/{campaign_id}/manage?done=series-stopped")


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def manage(request: web.Request) -> web.Response:
    desk = request.app[DESK]
    record = await desk.campaigns.campaigns.get(request.match_info["id"])
    if record is None:
        raise web.HTTPNotFound(text="Campagne inconnue.")
    chats = {c.id: c for c in await desk.stores.chats.active_in(list(record.targets))}
    uncertain = [d for d in await desk.stores.deliveries.uncertain_in_chats(record.id)
                 if d.chat_id is not None and _covers_chat(
                     request[PRINCIPAL], await desk.stores.chats.get(d.chat_id))]
    return page("campaign_manage.html", request, {
        "record": record, "scenario": scenario_of(record),
        "counts": await desk.stores.deliveries.status_counts(record.id),
        "uncertain": uncertain, "chats": chats,
        "pending": record.status == PENDING_APPROVAL,
        "cancelled": record.status == CANCELLED,
        "message": request.query.get("done", ""),
        "hood_names": request.app[DASHBOARD].hood_names,
    })


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def approve(request: web.Request) -> web.StreamResponse:
    campaign_id = request.match_info["id"]
    who = request[PRINCIPAL].name
    try:
        started = await request.app[DESK].campaigns.approve(campaign_id, who)
    except CampaignError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    await request.app[GATE].accounts.record(
        who, AuditAction.CAMPAIGN_APPROVED, campaign_id,
        f"{started.deliveries} messages in {started.chats} chats", address(request))
    return see_other(f"/campaigns/{campaign_id}/manage?done=approved")


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def cancel(request: web.Request) -> web.StreamResponse:
    campaign_id = request.match_info["id"]
    try:
        await request.app[DESK].campaigns.cancel(campaign_id)
    except CampaignError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    await request.app[GATE].accounts.record(
        request[PRINCIPAL].name, AuditAction.CAMPAIGN_CANCELLED, campaign_id, "",
        address(request))
    return see_other(f"/campaigns/{campaign_id}/manage?done=cancelled")


@requires(Access.FACILITATE, about=campaign_neighbourhoods)
async def settle(request: web.Request) -> web.StreamResponse:
    """An uncertain message: marked delivered, or sent again, as the facilitator decides."""
    campaign_id = request.match_info["id"]
    delivery_id = int(request.match_info["delivery"])
    await _check_chat_covered(request, delivery_id, campaign_id)
    resend = (await request.post()).get("outcome") == "resend"
    now = request.app[GATE].accounts.clock.now()
    if not await request.app[DESK].stores.deliveries.settle_uncertain(
            delivery_id, campaign_id, resend, now):
        raise web.HTTPConflict(text="Ce message n'est plus incertain.")
    action = AuditAction.DELIVERY_SENT_AGAIN if resend else AuditAction.DELIVERY_MARKED_SENT
    await request.app[GATE].accounts.record(
        request[PRINCIPAL].name, action, campaign_id, f"delivery {delivery_id}",
        address(request))
    return see_other(f"/campaigns/{campaign_id}/manage?done={'resent' if resend else 'marked'}")


def _covers_chat(who: Principal, chat: ChatRecord | None) -> bool:
    """A chat of no neighbourhood is the commune-wide facilitators' (and admins')."""
    hood = chat.neighbourhood_id if chat else None
    return who.may(Access.FACILITATE, frozenset({hood}) if hood else frozenset())


async def _check_chat_covered(request: web.Request, delivery_id: int,
                              campaign_id: str) -> None:
    """A campaign shared by several neighbourhoods lets each facilitator in, but a
    message in doubt is settled only by one who covers the neighbourhood of its chat."""
    stores = request.app[DESK].stores
    delivery = await stores.deliveries.get(delivery_id)
    if delivery is None or delivery.campaign_id != campaign_id or delivery.chat_id is None:
        raise web.HTTPNotFound(text="Message inconnu.")
    if not _covers_chat(request[PRINCIPAL], await stores.chats.get(delivery.chat_id)):
        raise web.HTTPForbidden(text="Ce message va dans un quartier qui n'est pas le vôtre.")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"/scenarios/{{id:{SLUG}}}/schedule", schedule_form)
    router.add_post(f"/scenarios/{{id:{SLUG}}}/schedule", schedule)
    router.add_get(f"/campaigns/{{id:{SLUG}}}/manage", manage)
    router.add_post(f"/campaigns/{{id:{SLUG}}}/approve", approve)
    router.add_post(f"/campaigns/{{id:{SLUG}}}/cancel", cancel)
    router.add_post(f"/campaigns/{{id:{SLUG}}}/series/stop", stop_series)
    router.add_post(f"/campaigns/{{id:{SLUG}}}/deliveries/{{delivery:[0-9]{{1,12}}}}", settle)
