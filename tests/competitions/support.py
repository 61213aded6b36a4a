"""Helpers for competition tests: people, an organiser's competition event set up, teams and a movable clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from events.competitions import setup, teams
from events.competitions.models import Competition, Stage, Team, TeamInvite
from events.competitions.schemas import CompetitionIn, InviteIn, TeamIn
from events.mailing import Site
from events.models import Event, EventKind, EventStatus
from notifications.models import OutboxMessage
from server.clock import utcnow
from server.identifiers import uscc_check_character
from server.models import Membership, Organisation, OrganisationKind, Region, Role, User
from tests.events.support import organiser, published_event
from tests.support import sign_up

FIRST17 = "91370100MA3C4B5D6"
USCC = FIRST17 + uscc_check_character(FIRST17)
BAD_USCC = FIRST17 + ("0" if USCC[-1] != "0" else "1")


async def person(email: str, *, locale: str = "zh-CN") -> User:
    return await User.create(email=email, name=email.split("@")[0], password_hash="-", locale=locale)


async def organisation(
    kind: OrganisationKind = OrganisationKind.ORGANISER, name: str = "泉城大赛组委会"
) -> Organisation:
    region = await Region.get(code="high-tech-zone")
    return await Organisation.create(name_zh=name, kind=kind, region=region)


async def member_of(organisation: Organisation, email: str, role: Role = Role.ORGANISER) -> User:
    user = await person(email)
    await Membership.create(user=user, organisation=organisation, role=role)
    return user


async def competition_event(
    organisation: Organisation, *, kind: EventKind = EventKind.COMPETITION, starts_at: datetime | None = None
) -> Event:
    """A published event lasting 60 days from `starts_at` (default: 10 days ago), in Asia/Shanghai."""
    starts = starts_at or utcnow() - timedelta(days=10)
    region = await Region.get(code="high-tech-zone")
    return await Event.create(
        organisation=organisation,
        kind=kind,
        status=EventStatus.PUBLISHED,
        title_zh="泉城AI创新应用大赛",
        title_en="Quancheng AI Innovation Challenge",
        region=region,
        starts_at=starts,
        ends_at=starts + timedelta(days=60),
        timezone="Asia/Shanghai",
        uid=f"{uuid.uuid4()}@test",
    )


def set_up_body(event: Event, **fields: Any) -> dict[str, Any]:
    """Two tracks; stage 1 (方案提交) open from the event's start for 30 days, stage 2 (决赛) after it."""
    first_deadline = event.starts_at + timedelta(days=30)
    body: dict[str, Any] = {
        "entrants": "any",
        "team_min": 1,
        "team_max": 3,
        "tracks": [{"name": {"zh": "智能制造", "en": "Smart manufacturing"}}, {"name": {"zh": "智慧医疗"}}],
        "stages": [
            {
                "name": {"zh": "方案提交", "en": "Proposals"},
                "starts_at": event.starts_at.isoformat(),
                "deadline": first_deadline.isoformat(),
                "fact_sheet": [
                    {"key": "summary", "label": {"zh": "项目简介"}, "required": True, "max_length": 200},
                    {"key": "site", "label": {"zh": "应用场景"}},
                ],
                "file_slots": [{"key": "plan", "label": {"zh": "方案书"}, "required": True}],
            },
            {
                "name": {"zh": "决赛路演", "en": "Finals"},
                "starts_at": (first_deadline + timedelta(days=5)).isoformat(),
                "deadline": (first_deadline + timedelta(days=20)).isoformat(),
            },
        ],
    }
    body.update(fields)
    return body


@dataclass
class World:
    host: User
    organisation: Organisation
    event: Event
    competition: Competition
    stages: list[Stage]
    track_ids: list[int]


async def world(**fields: Any) -> World:
    """An organiser's published competition event, set up with `set_up_body(**fields)`."""
    host_organisation = await organisation()
    host = await member_of(host_organisation, "host@organiser.cn")
    event = await competition_event(host_organisation)
    competition = await setup.set_up(host, event.id, CompetitionIn.model_validate(set_up_body(event, **fields)))
    stages = await Stage.filter(competition_id=competition.id).order_by("position")
    track_ids = [track.id for track in await competition.tracks.all().order_by("position")]
    return World(host, host_organisation, event, competition, stages, track_ids)


async def team_of(place: World, leader: User, name: str = "泉城智造队", **fields: Any) -> Team:
    body = {"name": name, "track_id": place.track_ids[0], "region": "lixia", **fields}
    return await teams.create_team(leader, place.competition.id, TeamIn.model_validate(body))


async def invited(team: Team, leader: User, email: str, site: Site) -> str:
    """Invite `email` to the team; the accept token, read from the mail in the outbox."""
    invitation = await teams.invite(leader, team.id, InviteIn(email=email), site)
    assert isinstance(invitation, TeamInvite)
    mail = await OutboxMessage.get(dedupe_key=f"team_invitation:{invitation.id}")
    url = str(mail.context["accept_url"])
    return url.partition("invite=")[2]


class Clock:
    """Stands in for server.clock.utcnow in the competition services; `now` is moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# Judging over HTTP

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
RUBRIC = {
    "criteria": [
        {"key": "innovation", "label": {"zh": "创新性", "en": "Innovation"}, "weight": 3, "minimum": 0, "maximum": 10},
        {"key": "team", "label": {"zh": "团队"}, "weight": 1, "minimum": 0, "maximum": 10},
    ],
    "judges_per_entry": 3,
}


@dataclass
class Judged:
    """An organiser's competition over HTTP: its headers, organisation, event, set-up answer and stage paths."""

    headers: dict[str, str]
    org_id: int
    event_id: int
    created: dict[str, Any]

    @property
    def stage_id(self) -> int:
        return int(self.created["stages"][0]["id"])

    def stage(self, index: int = 0) -> str:
        return f"/api/v1/events/{self.event_id}/competition/stages/{self.created['stages'][index]['id']}"

    @property
    def base(self) -> str:
        return f"/api/v1/events/{self.event_id}/competition"


async def judged_competition(client: httpx.AsyncClient, *, stages: int = 1, tracks: int = 1) -> Judged:
    """A competition whose first stage is open now (a PDF slot `plan`, not required), with a rubric set."""
    headers, org_id = await organiser(client)
    starts = utcnow() + timedelta(days=10)
    event_id = await published_event(client, headers, org_id, kind="competition", starts_at=starts)
    windows = [(utcnow() - timedelta(hours=1), starts + timedelta(hours=1))]
    windows += [(starts + timedelta(hours=n), starts + timedelta(hours=n + 1)) for n in range(1, stages)]
    body = {
        "team_max": 3,
        "tracks": [{"name": {"zh": f"赛道{n}"}} for n in range(tracks)],
        "stages": [
            {
                "name": {"zh": f"阶段{n}"},
                "starts_at": opens.isoformat(),
                "deadline": closes.isoformat(),
                "file_slots": [{"key": "plan", "label": {"zh": "方案书"}, "kinds": ["pdf"], "max_mb": 1}],
            }
            for n, (opens, closes) in enumerate(windows)
        ],
    }
    created = await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=headers)
    assert created.status_code == 201, created.text
    place = Judged(headers, org_id, event_id, created.json())
    rubric = await client.put(place.stage() + "/rubric", json=RUBRIC, headers=headers)
    assert rubric.status_code == 200, rubric.text
    return place


async def judge(
    client: httpx.AsyncClient, place: Judged, email: str, *, affiliation: str = "", tracks: int = 1
) -> tuple[dict[str, str], int]:
    """A member of the organiser's organisation with the `judge` role, on the panel for the first `tracks`."""
    headers = await sign_up(client, email)
    user = await User.get(email=email)
    await Membership.create(user=user, organisation_id=place.org_id, role=Role.JUDGE)
    track_ids = [track["id"] for track in place.created["tracks"][:tracks]]
    body = {"user_id": user.id, "track_ids": track_ids, "affiliation": affiliation}
    added = await client.post(place.base + "/judges", json=body, headers=place.headers)
    assert added.status_code == 200, added.text
    return headers, user.id


async def entry(
    client: httpx.AsyncClient, place: Judged, email: str, name: str, *, track: int = 0, **fields: Any
) -> tuple[dict[str, str], int, int]:
    """A leader's team with a PDF uploaded to the first stage: the leader's headers, team id, submission id."""
    headers = await sign_up(client, email)
    body = {"name": name, "track_id": place.created["tracks"][track]["id"], "region": "lixia", **fields}
    team = await client.post(f"/api/v1/competitions/{place.created['id']}/teams", json=body, headers=headers)
    assert team.status_code == 201, team.text
    team_id = int(team.json()["id"])
    uploaded = await client.put(
        f"/api/v1/teams/{team_id}/stages/{place.stage_id}/files/plan",
        params={"name": "方案.pdf"},
        content=PDF,
        headers={**headers, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    return headers, team_id, int(uploaded.json()["id"])


async def assigned(client: httpx.AsyncClient, place: Judged, headers: dict[str, str]) -> dict[int, int]:
    """The caller's queue as team id → assignment id."""
    queue = await client.get("/api/v1/judging/queue", headers=headers)
    assert queue.status_code == 200, queue.text
    return {item["team_id"]: item["assignment_id"] for item in queue.json()}
