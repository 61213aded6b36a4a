"""Helpers for matchmaking tests: members of organisations and a realistic pool of needs and solutions (through
the services); companies, pool entries and matchmaking events with parties and schedules (through the API)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from events.matchmaking import pool
from events.matchmaking.models import EntryState, PoolEntry, ScheduledMeeting
from events.matchmaking.schemas import EntryIn
from server.clock import utcnow
from server.models import Membership, Organisation, OrganisationKind, Region, Role, User
from tests.events.support import organiser, published_event, register
from tests.support import sign_up

Headers = dict[str, str]


async def member(
    email: str, kind: OrganisationKind = OrganisationKind.COMPANY, role: Role = Role.MANAGER
) -> tuple[User, Organisation]:
    """A user who holds `role` in a new organisation of `kind`."""
    user = await User.create(email=email, name=email.split("@")[0], password_hash="-")
    organisation = await Organisation.create(
        name_zh=f"单位 {email}", name_en=f"Org {email}", kind=kind, region=await Region.get(code="lixia")
    )
    await Membership.create(user=user, organisation=organisation, role=role)
    return user, organisation


async def curator(email: str = "curator@bureau.gov.cn") -> User:
    user, _ = await member(email, OrganisationKind.BUREAU, Role.ORGANISER)
    return user


def need(organisation_id: int, title: str, description: str, domains: list[str], **fields: Any) -> EntryIn:
    contact = {"name": "王敏", "phone": "0531-8888 6666", "email": "wangmin@hospital.cn"}
    own = {"region": "lixia", "expected_timing": "2026年下半年"}
    return _entry(organisation_id, "need", title, description, domains, contact, own | fields)


def solution(
    organisation_id: int, title: str, description: str, domains: list[str], cases: list[str], **fields: Any
) -> EntryIn:
    contact = {"name": "李强", "phone": "13800138000", "email": "liqiang@ai.cn"}
    own = {"maturity": "pilot", "reference_cases": cases}
    return _entry(organisation_id, "solution", title, description, domains, contact, own | fields)


def _entry(
    organisation_id: int,
    kind: str,
    title: str,
    description: str,
    domains: list[str],
    contact: dict[str, str],
    fields: dict[str, Any],
) -> EntryIn:
    body = {"organisation_id": organisation_id, "kind": kind, "title": {"zh": title}, "description": description}
    return EntryIn.model_validate(body | {"domains": domains, "contact": contact} | fields)


async def published(owner: User, data: EntryIn, by: User) -> PoolEntry:
    """An entry created by `owner`, submitted, and published by the curator `by`."""
    entry = await pool.create_entry(owner, data)
    await pool.move(owner, entry.id, EntryState.SUBMITTED)
    return await pool.move(by, entry.id, EntryState.PUBLISHED)


IMAGING_NEED = (
    "影像辅助诊断",
    "我院放射科每日新增CT影像两千余例，希望引入人工智能影像辅助诊断，对肺结节、骨折等病灶进行初筛，减轻医生阅片负担。",
    ["healthcare"],
)
DEFECT_NEED = (
    "带钢表面缺陷检测",
    "冷轧产线带钢表面的划痕、裂纹、氧化皮目前靠人工目检，漏检率高，希望用机器视觉实现在线缺陷检测与分级。",
    ["manufacturing"],
)
HOTLINE_NEED = (
    "12345热线工单智能分派",
    "市民热线每日工单上万件，人工分派到承办部门耗时长、错派多，希望用大模型自动分类工单并智能分派。",
    ["digital-government", "city-governance"],
)
NODULE_SOLUTION = (
    "肺结节AI筛查",
    "基于深度学习的胸部CT影像肺结节检测与良恶性评估，辅助医生诊断，阅片时间缩短六成。",
    ["healthcare"],
    ["山东省立医院放射科肺结节筛查", "济南市中心医院体检中心"],
)
ANNOTATION_SOLUTION = (
    "医学影像数据标注平台",
    "为医院和算法公司提供医学影像的数据脱敏、标注与质控服务。",
    ["healthcare"],
    ["某三甲医院影像科数据治理"],
)
VISION_SOLUTION = (
    "工业视觉缺陷检测平台",
    "面向钢板、带钢和铸件的机器视觉表面缺陷检测，识别划痕、裂纹、夹杂，毫秒级在线判定。",
    ["manufacturing"],
    ["济钢冷轧产线表面检测"],
)
HOTLINE_SOLUTION = (
    "政务热线大模型助手",
    "基于政务大模型的12345热线工单自动分类、智能分派与满意度回访，已在地市级热线试点。",
    ["digital-government"],
    ["某地级市12345热线"],
)


async def realistic_pool() -> dict[str, PoolEntry]:
    """Three needs and four solutions, each from its own company, all published."""
    by = await curator()
    entries: dict[str, PoolEntry] = {}
    for name, (title, description, domains) in {
        "imaging": IMAGING_NEED,
        "defect": DEFECT_NEED,
        "hotline": HOTLINE_NEED,
    }.items():
        owner, organisation = await member(f"{name}@need.cn")
        entries[name] = await published(owner, need(organisation.id, title, description, domains), by)
    for name, (title, description, domains, cases) in {
        "nodule": NODULE_SOLUTION,
        "annotation": ANNOTATION_SOLUTION,
        "vision": VISION_SOLUTION,
        "hotline_ai": HOTLINE_SOLUTION,
    }.items():
        owner, organisation = await member(f"{name}@solution.cn")
        entries[name] = await published(owner, solution(organisation.id, title, description, domains, cases), by)
    return entries


NEED: dict[str, Any] = {
    "kind": "need",
    "title": {"zh": "影像辅助诊断", "en": "AI-assisted imaging diagnosis"},
    "description": "我院放射科每日新增**CT影像**两千余例，希望引入影像辅助诊断，对肺结节进行初筛。",
    "domains": ["healthcare"],
    "region": "lixia",
    "expected_timing": "2026年下半年",
    "budget_band": "100k_500k",
    "contact": {"name": "王敏", "phone": "0531-8888 6666", "email": "WangMin@Hospital.cn"},
}
SOLUTION: dict[str, Any] = {
    "kind": "solution",
    "title": {"zh": "肺结节AI筛查"},
    "description": "基于深度学习的胸部CT影像肺结节检测，辅助医生诊断。",
    "domains": ["healthcare"],
    "maturity": "pilot",
    "reference_cases": ["山东省立医院放射科肺结节筛查"],
    "contact": {"name": "李强", "phone": "13800138000", "email": "liqiang@ai.cn"},
}


async def company(client: httpx.AsyncClient, email: str, *, locale: str = "zh-CN") -> tuple[dict[str, str], int]:
    """A user and the company they manage."""
    headers = await sign_up(client, email, locale=locale)
    created = await client.post(
        "/api/v1/organisations",
        json={"name": {"zh": f"企业 {email}"}, "kind": "company", "region": "lixia"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return headers, created.json()["id"]


async def published_over_http(
    client: httpx.AsyncClient, owner: dict[str, str], curator: dict[str, str], body: dict[str, Any]
) -> int:
    """An entry created by `owner` over the API, submitted, and published by `curator`: its id."""
    created = await client.post("/api/v1/pool-entries", json=body, headers=owner)
    assert created.status_code == 201, created.text
    entry_id: int = created.json()["id"]
    for headers, state in ((owner, "submitted"), (curator, "published")):
        moved = await client.post(f"/api/v1/pool-entries/{entry_id}/state", json={"state": state}, headers=headers)
        assert moved.status_code == 200, moved.text
    return entry_id


def grid_day() -> datetime:
    """The matchmaking day: ten days ahead, starting 09:00 in Jinan (01:00 UTC)."""
    return (utcnow() + timedelta(days=10)).replace(hour=1, minute=0, second=0, microsecond=0)


def grid(**fields: Any) -> dict[str, Any]:
    """上午: three 20-minute slots with a 10-minute break after the second; 下午: two slots; three tables."""
    day = grid_day()
    body: dict[str, Any] = {
        "slot_minutes": 20,
        "sessions": [
            {
                "name": {"zh": "上午", "en": "Morning"},
                "starts_at": day.isoformat(),
                "slots": 3,
                "breaks": [{"after": 2, "minutes": 10}],
            },
            {
                "name": {"zh": "下午", "en": "Afternoon"},
                "starts_at": (day + timedelta(hours=5)).isoformat(),
                "slots": 2,
            },
        ],
        "tables": ["A1", "A2", "A3"],
    }
    return body | fields


async def matchmaking_event(
    client: httpx.AsyncClient, host_email: str = "host@organiser.cn", **rules: Any
) -> tuple[Headers, int]:
    """A published matchmaking event with the `grid` (and `rules`) saved by its host: (host headers, event id)."""
    host, org_id = await organiser(client, host_email)
    event_id = await published_event(client, host, org_id, kind="matchmaking", starts_at=grid_day())
    saved = await client.put(f"/api/v1/events/{event_id}/matchmaking", json=grid(**rules), headers=host)
    assert saved.status_code == 200, saved.text
    return host, event_id


async def party(
    client: httpx.AsyncClient, event_id: int, email: str, side: str, **fields: Any
) -> tuple[Headers, int, int]:
    """A company's manager registers (confirmed) and joins as a party: (headers, organisation id, party id)."""
    headers, org_id = await company(client, email)
    registered = await register(client, event_id, email, headers=headers)
    assert registered.status_code == 201, registered.text
    created = await client.post(
        f"/api/v1/events/{event_id}/matchmaking/parties",
        json={"organisation_id": org_id, "side": side, **fields},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return headers, org_id, created.json()["id"]


async def finished(client: httpx.AsyncClient, host: Headers, event_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Start a schedule run over the API and poll it until it is done or failed: the run as last shown."""
    started = await client.post(f"/api/v1/events/{event_id}/matchmaking/schedules", json=body, headers=host)
    assert started.status_code == 202, started.text
    assert started.json()["state"] in ("queued", "running")
    url = f"/api/v1/events/{event_id}/matchmaking/schedules/{started.json()['id']}"
    for _ in range(400):
        polled = await client.get(url, headers=host)
        if polled.json()["state"] in ("done", "failed"):
            result: dict[str, Any] = polled.json()
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("the schedule did not finish")


@dataclass(frozen=True)
class EditedSchedule:
    """A finished schedule of three meetings laid out for editing: m1 hospital × vendor at (slot 0, table 0), m2
    clinic × vendor2 at (1, 0), m3 hospital × vendor2 at (2, 1), fixed to slot 2 by the organisers. The clinic
    cannot meet in slot 4; the grid has slots 0–4 and tables A1–A3."""

    host: Headers
    event_id: int
    url: str
    hospital_headers: Headers
    hospital: int
    clinic: int
    vendor: int
    vendor2: int
    m1: int
    m2: int
    m3: int


async def edited_schedule(client: httpx.AsyncClient) -> EditedSchedule:
    host, event_id = await matchmaking_event(client)
    hospital_headers, _, hospital = await party(client, event_id, "it@hospital.cn", "demand")
    clinic_headers, _, clinic = await party(client, event_id, "it@clinic.cn", "demand", unavailable=[4])
    _, _, vendor = await party(client, event_id, "sales@ai.cn", "supply")
    _, _, vendor2 = await party(client, event_id, "sales@ai2.cn", "supply")
    for headers, own, other in ((hospital_headers, hospital, vendor), (clinic_headers, clinic, vendor2)):
        url = f"/api/v1/matchmaking-parties/{own}/preferences/{other}"
        assert (await client.put(url, json={"level": "want"}, headers=headers)).status_code == 200
    fixed = await client.post(
        f"/api/v1/events/{event_id}/matchmaking/must-meets",
        json={"party_ids": [hospital, vendor2], "slot": 2},
        headers=host,
    )
    assert fixed.status_code == 201, fixed.text
    schedule = await finished(client, host, event_id, {"time_limit": 5})
    assert schedule["placed"] == 3, schedule
    ids = {tuple(m["party_ids"]): m["id"] for m in schedule["meetings"]}
    layout = {ids[hospital, vendor]: (0, 0), ids[clinic, vendor2]: (1, 0), ids[hospital, vendor2]: (2, 1)}
    for parked, meeting_id in enumerate(layout):
        await ScheduledMeeting.filter(id=meeting_id).update(slot=100 + parked)
    for meeting_id, (slot, table) in layout.items():
        await ScheduledMeeting.filter(id=meeting_id).update(slot=slot, table=table)
    return EditedSchedule(
        host=host,
        event_id=event_id,
        url=f"/api/v1/events/{event_id}/matchmaking/schedules/{schedule['id']}",
        hospital_headers=hospital_headers,
        hospital=hospital,
        clinic=clinic,
        vendor=vendor,
        vendor2=vendor2,
        m1=ids[hospital, vendor],
        m2=ids[clinic, vendor2],
        m3=ids[hospital, vendor2],
    )
