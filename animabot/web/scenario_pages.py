"""The scenario editor's pages: the list (saved scenarios, the shipped ones as templates, a
TOML import), the editor itself, each saved version as a TOML file.

The editor works without JavaScript: every button posts the whole form back, which is
checked by the loader and shown again with each problem beside its field. Only a valid
scenario is saved (the saved file loads in the CLI). A scenario belongs to the
neighbourhoods of whoever first saved it: the guard keeps other facilitators out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo

from aiohttp import web

from ..campaigns.when import parse_start
from ..domain.access import Access, AuditAction, Principal
from ..errors import Problem, ScenarioError
from ..scenario.loader import load_scenario_text
from ..scenario.model import STEP_KINDS, Scenario
from ..store.scenarios import ScenarioVersion
from .editor.check import Checked, check
from .editor.form import MAX_STEPS, Fields, fields_of, new_step, slots, step_count, without_step
from .editor.problems import FieldProblem
from .guard import PRINCIPAL, requires
from .pages import address, page, see_other
from .state import DASHBOARD, DESK, GATE

SLUG = "[a-z0-9][a-z0-9_-]*"
IMPORTED = "fichier importé"
IMPORT_LIMIT = 60_000  # characters: the longest shipped scenario is a tenth of that
KINDS = {"announcement": "annonce", "poll": "sondage", "training": "formation",
         "results": "résultats", "outcome": "ce que nous avons fait"}


async def scenario_neighbourhoods(request: web.Request) -> frozenset[str] | None:
    """The neighbourhoods of the scenario of the URL (None: no such scenario)."""
    saved = await request.app[DESK].stores.scenarios.latest(request.match_info["id"])
    return None if saved is None else saved.neighbourhoods


def templates() -> dict[str, Scenario]:
    """The scenarios shipped with animabot (``scenarios/*.toml``), by file name."""
    found = {}
    for entry in files("scenarios").iterdir():
        if entry.name.endswith(".toml"):
            try:
                found[entry.name.removesuffix(".toml")] = load_scenario_text(
                    entry.read_text(encoding="utf-8"), entry.name)
            except ScenarioError:
                continue
    return dict(sorted(found.items()))


@requires(Access.FACILITATE)
async def listing(request: web.Request) -> web.Response:
    who = request[PRINCIPAL]
    saved = [s for s in await request.app[DESK].stores.scenarios.all_latest()
             if who.may(Access.FACILITATE, s.neighbourhoods)]
    return page("scenarios.html", request, {"saved": saved, "templates": templates(),
                                            "problems": [], "toml": ""})


@requires(Access.FACILITATE)
async def new(request: web.Request) -> web.Response:
    fields: Fields = {}
    template = templates().get(request.query.get("template", ""))
    if template is not None:
        fields = fields_of(template)
    return _editor(request, fields, Checked(None), None)


@requires(Access.FACILITATE, about=scenario_neighbourhoods)
async def edit(request: web.Request) -> web.Response:
    saved = await request.app[DESK].stores.scenarios.latest(request.match_info["id"])
    if saved is None:
        raise web.HTTPNotFound(text="Scénario inconnu.")
    scenario = load_scenario_text(saved.toml, saved.scenario_id)
    history = await request.app[DESK].stores.scenarios.history(saved.scenario_id)
    return _editor(request, fields_of(scenario), Checked(scenario), saved.scenario_id,
                   history=history)


@requires(Access.FACILITATE)
async def post_new(request: web.Request) -> web.StreamResponse:
    return await _act(request, None)


@requires(Access.FACILITATE, about=scenario_neighbourhoods)
async def post_edit(request: web.Request) -> web.StreamResponse:
    scenario_id = request.match_info["id"]
    if await request.app[DESK].stores.scenarios.latest(scenario_id) is None:
        raise web.HTTPNotFound(text="Scénario inconnu.")
    return await _act(request, scenario_id)


async def _act(request: web.Request, scenario_id: str | None) -> web.StreamResponse:
    """One button of the editor: add or remove a step, check (with the preview), save."""
    form = await request.post()
    fields: Fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    if scenario_id is not None:
        fields["id"] = scenario_id  # a saved scenario keeps its id: campaigns refer to it
    action = fields.pop("action", "check")
    if action == "add":
        count = step_count(fields)
        if count < MAX_STEPS:
            fields.update(new_step(fields.get("new_kind", "announcement"), count))
        return _editor(request, fields, Checked(None), scenario_id)
    if action.startswith("remove:") and action[7:].isdigit():
        return _editor(request, without_step(fields, int(action[7:])), Checked(None),
                       scenario_id)
    desk = request.app[DESK]
    zone = desk.window.zone
    now = request.app[GATE].accounts.clock.now()
    start = _start(fields.get("preview_start", ""), zone, now)
    checked = check(fields, start, desk.window, request.app[DASHBOARD].settings)
    if action != "save" or checked.scenario is None or checked.problems:
        return _editor(request, fields, checked, scenario_id, status=200 if
                       checked.scenario and not checked.problems else 422)
    scenario = checked.scenario
    if scenario_id is None and await desk.stores.scenarios.latest(scenario.id) is not None:
        checked.problems = {"id": [FieldProblem(
            "id", f"un scénario « {scenario.id} » existe déjà",
            "choisissez un autre identifiant, ou ouvrez celui-là depuis la liste")]}
        return _editor(request, fields, checked, scenario_id, status=422)
    await _save(request, scenario, checked.toml, "éditeur")
    return see_other(f"/scenarios/{scenario.id}?saved=1")


async def _save(request: web.Request, scenario: Scenario, toml: str, how: str) -> int:
    who = request[PRINCIPAL]
    saved = await request.app[DESK].stores.scenarios.save(
        scenario.id, scenario.title, toml, who.name,
        request.app[GATE].accounts.clock.now(), owners(who), how)
    await request.app[GATE].accounts.record(
        who.name, AuditAction.SCENARIO_SAVED, scenario.id, f"version {saved.version} ({how})",
        address(request))
    return saved.version


def owners(who: Principal) -> frozenset[str]:
    """The neighbourhoods a scenario saved by ``who`` belongs to: theirs, or within a
    commune all of the commune's (none would read as the whole deployment's)."""
    if who.neighbourhoods or who.commune is None:
        return who.neighbourhoods
    return who.commune_hoods or frozenset()


def _start(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    if text.strip():
        try:
            return parse_start(text, zone, now)
        except ValueError:
            pass
    return now + timedelta(hours=1)


def _editor(request: web.Request, fields: Fields, checked: Checked, scenario_id: str | None,
            status: int = 200, history: Sequence[ScenarioVersion] = ()) -> web.Response:
    problems = checked.problems
    return page("scenario_edit.html", request, {
        "f": fields, "steps": slots(fields), "kinds": KINDS, "step_kinds": STEP_KINDS,
        "problems": problems, "all_problems": [p for ps in problems.values() for p in ps],
        "checked": checked, "scenario_id": scenario_id, "history": history,
        "saved": request.query.get("saved") == "1",
        "step_ids": [fields.get(f"steps[{i}].id", "") for i in range(step_count(fields))],
    }, status=status)


@requires(Access.FACILITATE, about=scenario_neighbourhoods)
async def export(request: web.Request) -> web.Response:
    scenarios = request.app[DESK].stores.scenarios
    scenario_id = request.match_info["id"]
    number = request.match_info.get("version")
    saved = (await scenarios.version(scenario_id, int(number)) if number
             else await scenarios.latest(scenario_id))
    if saved is None:
        raise web.HTTPNotFound(text="Version inconnue.")
    await request.app[GATE].accounts.record(
        request[PRINCIPAL].name, AuditAction.EXPORT, f"scenario {scenario_id}",
        f"version {saved.version}", address(request))
    return web.Response(
        text=saved.toml, content_type="application/toml", charset="utf-8",
        headers={"Content-Disposition":
                 f'attachment; filename="{scenario_id}-v{saved.version}.toml"'})


@requires(Access.FACILITATE)
async def import_toml(request: web.Request) -> web.StreamResponse:
    """A TOML file (pasted or sent): saved as it is, comments kept, once the loader takes it."""
    form = await request.post()
    sent = form.get("file")
    text = sent.file.read().decode("utf-8-sig", "replace") if isinstance(
        sent, web.FileField) else ""
    text = text or str(form.get("toml", ""))
    who = request[PRINCIPAL]
    listing_context = {"saved": [s for s in await request.app[DESK].stores.scenarios.all_latest()
                                 if who.may(Access.FACILITATE, s.neighbourhoods)],
                       "templates": templates(), "toml": text[:IMPORT_LIMIT]}
    try:
        if len(text) > IMPORT_LIMIT:
            raise ScenarioError([Problem(IMPORTED, "", "le fichier est trop long",
                                         f"un scénario tient en {IMPORT_LIMIT} caractères")])
        scenario = load_scenario_text(text, IMPORTED)
    except ScenarioError as exc:
        return page("scenarios.html", request, {**listing_context, "problems": exc.problems},
                    status=422)
    existing = await request.app[DESK].stores.scenarios.latest(scenario.id)
    if existing is not None and not who.may(Access.FACILITATE, existing.neighbourhoods):
        raise web.HTTPForbidden(text="Ce scénario appartient à d'autres quartiers.")
    await _save(request, scenario, text, "import")
    return see_other(f"/scenarios/{scenario.id}?saved=1")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/scenarios", listing)
    router.add_get("/scenarios/new", new)
    router.add_post("/scenarios/new", post_new)
    router.add_post("/scenarios/import", import_toml)
    router.add_get(f"/scenarios/{{id:{SLUG}}}.toml", export)
    router.add_get(f"/scenarios/{{id:{SLUG}}}/versions/{{version:[0-9]{{1,12}}}}.toml", export)
    router.add_get(f"/scenarios/{{id:{SLUG}}}", edit)
    router.add_post(f"/scenarios/{{id:{SLUG}}}", post_edit)
