"""The authorisation matrix: every route × every kind of caller, against real objects of ANOTHER organisation.

The callers all belong to organisation A (or to nothing); the objects in the paths all belong to others. The
expected outcome is stated once per route: derived from the route's guard (`DERIVED`, by the guard's kind and its
declared parameters), or, where the guard cannot say it (a route open to anyone or to any signed-in user whose
handler decides about the object in its path), in `EXPLICIT`. A route with neither fails the test, so a new route
must state one. A caller admitted where the expectation says refused (or the reverse) is a violation.

Each cell is decided by the route's own guard, run as the endpoint machinery runs it (`screen`, then `admit` with
the path's objects), so that no handler runs and the seeded world stays as it is; and every cell the expectation
refuses on a route that reads no body and needs no query is also sent as a real request, which must be refused
with 401, 403 or 404. The routes in `EXPLICIT` are decided by real requests only.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from events.access import Organisers
from events.competitions.models import JudgeAssignment
from server.access import Guard, SignedIn
from server.api import Context, Endpoint
from server.app import ENDPOINTS
from server.auth import authenticate
from server.errors import AuthenticationRequired, NotFound, PermissionDenied
from server.models import AuthToken, Membership, Role, User
from server.settings import Settings
from tests.competitions.support import entry, judge, judged_competition
from tests.events.support import organiser, published_event, register
from tests.matchmaking.support import matchmaking_event, need, party
from tests.support import sign_up
from tests.talent.support import base_with_reporter, setup

ANONYMOUS, PARTICIPANT, MANAGE_LINK, ORGANISER, CHECKER, JUDGE, REPORTER, ADMIN = CALLERS = (
    "anonymous",
    "participant",
    "holder of another registration's manage link",
    "organiser of another organisation",
    "checker",
    "judge",
    "reporter of another base",
    "admin",
)
EVERYONE = frozenset(CALLERS)
SIGNED_IN = EVERYONE - {ANONYMOUS, MANAGE_LINK}
NOBODY: frozenset[str] = frozenset()
ADMINS = frozenset({ADMIN})
# The roles each caller holds in organisation A (the organiser also manages it, as organisers' accounts do).
HOME_ROLES = {ORGANISER: {Role.MANAGER, Role.ORGANISER}, CHECKER: {Role.CHECKER}, JUDGE: {Role.JUDGE}}
HOME_ROLES[REPORTER] = {Role.REPORTER}
# Curators of the resource pool: admins and the organisers of an organiser organisation.
CURATORS = frozenset({ADMIN, ORGANISER})


def _role_holders(guard: Guard) -> frozenset[str]:
    roles = {Role(role) for role in guard.access()["roles"]}
    return ADMINS | {caller for caller, held in HOME_ROLES.items() if held & roles}


def _registration_holder(guard: Guard) -> frozenset[str]:
    return ADMINS if guard.access()["organisers"] else NOBODY  # none of the callers holds this registration


def _entry_parties(guard: Guard) -> frozenset[str]:
    return CURATORS if "curator" in guard.access()["sides"] else NOBODY


# Who passes each kind of guard on another organisation's objects, from the guard's declaration alone.
DERIVED: dict[str, Callable[[Guard], frozenset[str]]] = {
    "anyone": lambda guard: EVERYONE,
    "signed-in": lambda guard: SIGNED_IN,
    "admins": lambda guard: ADMINS,
    "organisation-members": lambda guard: ADMINS,
    "role-holders": _role_holders,
    "event-viewers": lambda guard: EVERYONE,  # the events in the paths are published
    "event-organisers": lambda guard: ADMINS,
    "registration-holder": _registration_holder,
    "pool-entry-viewers": lambda guard: CURATORS,  # the entry in the path is a draft
    "pool-entry-parties": _entry_parties,
    "matchmaking-participants": lambda guard: ADMINS,
    "matchmaking-party-members": lambda guard: NOBODY,
    "matchmaking-party-colleagues": lambda guard: NOBODY,
    "team-members": lambda guard: NOBODY,
    "team-leader": lambda guard: NOBODY,
    "team-organisers": lambda guard: ADMINS,
    "entry-readers": lambda guard: ADMINS,
    "assigned-judge": lambda guard: NOBODY,
    "base-reporters": lambda guard: ADMINS,
    "programme-managers": lambda guard: ADMINS,
}

# Routes open to anyone or any signed-in user whose path names an object the handler decides about.
EXPLICIT: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/organisations/{organisation_id:int}"): EVERYONE,  # public profiles
    ("POST", "/api/v1/events/{event_id:int}/registrations"): EVERYONE,  # registering for a published event
    ("DELETE", "/api/v1/me/tokens/{token_id:int}"): NOBODY,  # only one's own tokens
    ("DELETE", "/api/v1/me/memberships/{membership_id:int}"): NOBODY,  # only one's own memberships
    ("POST", "/api/v1/me/calendar-feeds/{feed_id:int}/rotate"): NOBODY,  # only one's own feeds
    ("DELETE", "/api/v1/me/calendar-feeds/{feed_id:int}"): NOBODY,
    ("GET", "/cal/{token}.ics"): EVERYONE,  # the feed's secret in the path is the credential
    ("POST", "/api/v1/competitions/{competition_id:int}/teams"): SIGNED_IN,  # anyone signed in may enter a team
}


def expected(endpoint: Endpoint) -> frozenset[str] | None:
    explicit = EXPLICIT.get((endpoint.method, endpoint.path))
    if explicit is not None:
        return explicit
    if endpoint.guard.kind in ("anyone", "signed-in") and endpoint.path_params:
        return None  # the guard cannot say: the route must be in EXPLICIT
    rule = DERIVED.get(endpoint.guard.kind)
    return rule(endpoint.guard) if rule else None


@dataclass
class World:
    callers: dict[str, dict[str, str]]
    values: dict[str, Any]  # path parameter → another organisation's object
    events: dict[str, int]  # which event: "competition", "matchmaking" or "plain"

    def path(self, endpoint: Endpoint) -> dict[str, Any]:
        where = next((kind for kind in ("competition", "matchmaking") if f"/{kind}" in endpoint.path), "plain")
        values = {**self.values, "event_id": self.events[where]}
        return {name: values.get(name, 1 if kind is int else "x") for name, kind in endpoint.path_params.items()}

    def url(self, endpoint: Endpoint) -> str:
        path = self.path(endpoint)
        return re.sub(r"{(\w+)(?::\w+)?}", lambda match: str(path[match.group(1)]), endpoint.path)


async def seed(client: httpx.AsyncClient) -> World:
    """Organisation A with one caller of each kind; other organisations with one object of each kind."""
    admin, _, base_b, programme_b = await setup(client)  # base B with its reporter and programme
    host_a, org_a = await organiser(client, "host@a.cn")
    event_a = await published_event(client, host_a, org_a)
    participant = await sign_up(client, "participant@a.cn")
    assert (await register(client, event_a, "participant@a.cn", headers=participant)).status_code == 201
    held = (await register(client, event_a, "holder@a.cn")).json()
    callers = {
        ANONYMOUS: {},
        PARTICIPANT: participant,
        MANAGE_LINK: {"Authorization": f"Bearer {held['manage_token']}"},
        ORGANISER: host_a,
        ADMIN: admin,
    }
    for caller, email, role in ((CHECKER, "checker@a.cn", Role.CHECKER), (JUDGE, "judge@a.cn", Role.JUDGE)):
        callers[caller] = await sign_up(client, email)
        await Membership.create(user=await User.get(email=email), organisation_id=org_a, role=role)
    callers[REPORTER], base_a = await base_with_reporter(client, admin, "reporter@a.cn")
    # The callers are who they claim to be: each is let in at home.
    at_home = {
        ORGANISER: f"/api/v1/events/{event_a}/quotas",
        CHECKER: f"/api/v1/events/{event_a}/check-in/search?q=holder",
        MANAGE_LINK: f"/api/v1/registrations/{held['id']}",
        REPORTER: f"/api/v1/talent/sheets/{base_a}/2026-10",
    }
    for caller, path in at_home.items():
        assert (await client.get(path, headers=callers[caller])).status_code == 200, (caller, path)
    assert (await client.get("/api/v1/me/registrations", headers=participant)).json()["total"] == 1

    competition = await judged_competition(client)  # organisation B (host@organiser.cn)
    event_b = await published_event(client, competition.headers, competition.org_id)
    registration_b = (await register(client, event_b, "guest@b.cn")).json()["id"]
    for n in range(3):  # a rubric asks for three judges per entry
        await judge(client, competition, f"judge{n}@b.cn")
    _, team_b, submission_b = await entry(client, competition, "leader@b.cn", "泉城智造队")
    paired = await client.post(competition.stage() + "/assignment", json={"seed": 7}, headers=competition.headers)
    assert paired.status_code == 200, paired.text
    _, matchmaking_b = await matchmaking_event(client, "host@matchmaking-b.cn")
    company_b, company_org, party_b = await party(client, matchmaking_b, "boss@company-b.cn", "demand")
    draft = need(company_org, "智能质检需求", "钢板表面缺陷检测", ["manufacturing"]).model_dump(mode="json")
    entry_b = await client.post("/api/v1/pool-entries", json=draft, headers=company_b)
    assert entry_b.status_code == 201, entry_b.text
    token_b = await client.post("/api/v1/me/tokens", json={"name": "sync"}, headers=competition.headers)
    feed_b = await client.post("/api/v1/me/calendar-feeds", json={"name": "手机"}, headers=competition.headers)
    host_b = await User.get(email="host@organiser.cn")
    values = {
        "organisation_id": competition.org_id,
        "registration_id": uuid.UUID(registration_b),
        "membership_id": (await Membership.filter(user=host_b).first()).id,  # type: ignore[union-attr]
        "token_id": (await AuthToken.get(id=token_b.json()["id"])).id,
        "feed_id": feed_b.json()["id"],
        "token": feed_b.json()["token"],
        "competition_id": competition.created["id"],
        "stage_id": competition.stage_id,
        "team_id": team_b,
        "submission_id": submission_b,
        "slot": "plan",
        "assignment_id": (await JudgeAssignment.filter(team_id=team_b).first()).id,  # type: ignore[union-attr]
        "party_id": party_b,
        "entry_id": entry_b.json()["id"],
        "base_id": base_b,
        "period_id": "2026-10",
        "programme_id": programme_b,
        "name": "registration_confirmed",
    }
    return World(callers, values, {"plain": event_b, "competition": competition.event_id, "matchmaking": matchmaking_b})


async def passes_guard(
    app: Starlette, settings: Settings, endpoint: Endpoint, headers: dict[str, str], world: World
) -> bool:
    """Whether the route's guard admits the caller, run as the endpoint machinery runs it (no handler)."""
    scope = {
        "type": "http",
        "method": endpoint.method,
        "path": world.url(endpoint),
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "query_string": b"",
        "app": app,
    }
    request = Request(scope)
    ctx = Context(request, settings, await authenticate(request, settings.secret_key()), "zh-CN")
    try:
        endpoint.guard.screen(ctx)
        await endpoint.guard.admit(ctx, world.path(endpoint))
    except (AuthenticationRequired, PermissionDenied, NotFound):
        return False
    return True


def _plain(endpoint: Endpoint) -> bool:
    """A route a bare request reaches the guard's `admit` with: no body, no required query."""
    required = endpoint.query is not None and any(f.is_required() for f in endpoint.query.model_fields.values())
    return endpoint.body is None and endpoint.consumes is None and not required


async def test_every_route_refuses_every_caller_its_expectation_leaves_out(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    unstated = [f"{e.method} {e.path} ({e.guard.kind})" for e in ENDPOINTS if expected(e) is None]
    assert not unstated, f"routes without an expected outcome (state one in DERIVED or EXPLICIT): {unstated}"
    routes = {(e.method, e.path) for e in ENDPOINTS}
    assert not set(EXPLICIT) - routes, f"EXPLICIT names routes that are gone: {set(EXPLICIT) - routes}"

    world = await seed(client)
    violations: list[str] = []
    requests = 0
    for endpoint in ENDPOINTS:
        allowed = expected(endpoint)
        assert allowed is not None
        explicit = (endpoint.method, endpoint.path) in EXPLICIT
        for caller in CALLERS:
            headers = world.callers[caller]
            if explicit or (caller not in allowed and _plain(endpoint)):
                answer = await client.request(endpoint.method, world.url(endpoint), headers=headers)
                requests += 1
                admitted = answer.status_code not in (401, 403, 404)
                if admitted != (caller in allowed):
                    violations.append(f"{caller}: {endpoint.method} {world.url(endpoint)} → {answer.status_code}")
            if not explicit and await passes_guard(app, settings, endpoint, headers, world) != (caller in allowed):
                violations.append(f"{caller}: {endpoint.method} {endpoint.path} guard {endpoint.guard.kind}")
    cells = len(ENDPOINTS) * len(CALLERS)
    print(f"authorisation matrix: {len(ENDPOINTS)} routes × {len(CALLERS)} callers = {cells} cells, {requests} sent")
    assert not violations, "\n".join(violations)


def test_a_new_route_states_its_expectation_unless_its_guard_says_it() -> None:
    registering = next(e for e in ENDPOINTS if e.path == "/api/v1/events/{event_id:int}/registrations")
    own_thing = dataclasses.replace(registering, path="/api/v1/me/things/{thing_id:int}", path_params={"thing_id": int})
    assert expected(own_thing) is None  # open to anyone, about an object in its path: EXPLICIT must say who
    guarded = dataclasses.replace(own_thing, guard=Organisers())
    assert expected(guarded) == ADMINS  # the guard says it
    assert expected(dataclasses.replace(own_thing, guard=SignedIn, path_params={})) == SIGNED_IN
