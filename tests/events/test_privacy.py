"""The privacy notice registrants accept, a person's copy of their data, erasure on request, and retention."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from events import privacy
from events.models import Event, Quota, Registration
from notifications.models import MailStatus, OutboxMessage
from server.clock import utcnow
from server.models import AuditEntry, User
from tests.events.support import organiser, published_event, register
from tests.support import sign_up

QUESTIONS: list[dict[str, Any]] = [
    {"key": "mobile", "kind": "phone", "label": {"zh": "手机号"}},
    {"key": "company", "kind": "text", "label": {"zh": "单位名称"}},
    {
        "key": "track",
        "kind": "single_choice",
        "label": {"zh": "方向"},
        "choices": [{"key": "mfg", "label": {"zh": "智能制造"}}, {"key": "health", "label": {"zh": "医疗健康"}}],
    },
]
SECTIONS = [
    "account",
    "registrations",
    "mails",
    "calendar_feeds",
    "competition_teams",
    "competition_invitations",
    "competition_submissions",
    "judging",
    "talent_reports",
]
ANSWERS = {"mobile": "+86 138-1234-5678", "company": "济南智造", "track": "mfg"}


async def event_with_questions(
    client: httpx.AsyncClient, host: tuple[dict[str, str], int] | None = None, **fields: Any
) -> tuple[dict[str, str], int]:
    headers, org_id = host or await organiser(client)
    event_id = await published_event(client, headers, org_id, **fields)
    for question in QUESTIONS:
        added = await client.post(f"/api/v1/events/{event_id}/questions", json=question, headers=headers)
        assert added.status_code == 201, added.text
    return headers, event_id


def holder(made: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {made.json()['manage_token']}"}


async def test_the_default_notice_states_purpose_organiser_and_retention_in_both_languages(
    client: httpx.AsyncClient,
) -> None:
    headers, event_id = await event_with_questions(client)
    notice = (await client.get(f"/api/v1/events/{event_id}/privacy-notice")).json()
    assert notice["version"] == 0 and notice["is_default"] and notice["retention_days"] == 180
    assert (
        "180" in notice["text_zh"] and "目的" in notice["text_zh"] and "承办单位 host@organiser.cn" in notice["text_zh"]
    )
    assert "180 days after the event ends" in notice["text_en"] and notice["text_en"].startswith("Purpose")


async def test_registering_requires_the_current_notice_and_records_its_version(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_questions(client)
    url = f"/api/v1/events/{event_id}/registrations"
    refused = await client.post(url, json={"email": "a@x.cn", "name": "甲"}, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422
    assert [(e["loc"], e["msg"]) for e in refused.json()["errors"]] == [
        (["body", "privacy_notice_version"], "此字段为必填项")
    ]
    changed = await client.put(
        f"/api/v1/events/{event_id}/privacy-notice",
        json={"text_zh": "我们只为办会收集信息，活动结束 30 天后匿名化。", "retention_days": 30},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"text_en": ""} == {
        "version": 1,
        "text_zh": "我们只为办会收集信息，活动结束 30 天后匿名化。",
        "text_en": "",
        "retention_days": 30,
        "is_default": False,
    }
    outdated = await register(client, event_id, "b@x.cn", privacy_notice_version=0, headers={"Accept-Language": "en"})
    assert outdated.status_code == 422
    assert outdated.json()["errors"] == [
        {
            "loc": ["body", "privacy_notice_version"],
            "msg": "The privacy notice has changed since the form was opened: please read it again and accept the "
            "new version",
            "type": "privacy_notice_outdated",
        }
    ]
    accepted = await register(client, event_id, "b@x.cn", privacy_notice_version=1)
    assert accepted.status_code == 201, accepted.text
    stored = await Registration.get(id=accepted.json()["id"])
    assert stored.privacy_notice_version == 1
    assert (await Event.get(id=event_id)).retention_days == 30
    other, _ = await organiser(client, "other@organiser.cn")
    foreign = await client.put(f"/api/v1/events/{event_id}/privacy-notice", json={}, headers=other)
    assert foreign.status_code == 403
    bad = await client.put(f"/api/v1/events/{event_id}/privacy-notice", json={"retention_days": 0}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "retention_days"]


async def test_a_signed_in_person_downloads_everything_held_about_them_as_json_and_xlsx(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await event_with_questions(client)
    me = await sign_up(client, "member@x.cn")
    url = f"/api/v1/events/{event_id}/registrations"
    made = await client.post(url, json={"name": "会员", "answers": ANSWERS, "privacy_notice_version": 0}, headers=me)
    assert made.status_code == 201, made.text
    await register(client, event_id, "stranger@x.cn", answers=ANSWERS)

    answer = await client.get("/api/v1/me/data", headers=me)
    assert answer.status_code == 200
    data = answer.json()
    assert list(data) == SECTIONS
    assert data["account"][0]["email"] == "member@x.cn"
    assert [(r["name"], r["email"], r["answers"]["mobile"]) for r in data["registrations"]] == [
        ("会员", "member@x.cn", "+8613812345678")
    ]
    assert {m["to"] for m in data["mails"]} == {"member@x.cn"} and data["mails"]
    assert "stranger@x.cn" not in json.dumps(data)

    sheet = await client.get("/api/v1/me/data.xlsx", headers=me)
    assert "attachment" in sheet.headers["content-disposition"] and sheet.headers["cache-control"] == "no-store"
    workbook = load_workbook(io.BytesIO(sheet.content), read_only=True)
    assert workbook.sheetnames == SECTIONS
    rows = list(workbook["registrations"].iter_rows(values_only=True))
    assert rows[0][:2] == ("id", "event_id") and rows[1][5] == "会员"
    assert (await client.get("/api/v1/me/data")).status_code == 401


async def test_a_registrant_without_an_account_downloads_and_erases_through_the_manage_link_only(
    client: httpx.AsyncClient,
) -> None:
    headers, event_id = await event_with_questions(client)
    made = await register(client, event_id, "guest@x.cn", answers=ANSWERS)
    same_address = await register(client, event_id, "guest@x.cn")  # refused: one active per email
    assert same_address.status_code == 409
    other = await register(client, event_id, "other@x.cn", answers=ANSWERS)
    registration_id = made.json()["id"]

    copy = (await client.get(f"/api/v1/registrations/{registration_id}/data", headers=holder(made))).json()
    assert [r["email"] for r in copy["registrations"]] == ["guest@x.cn"] and copy["account"] == []
    assert copy["mails"] and {m["to"] for m in copy["mails"]} == {"guest@x.cn"}
    organisers_try = await client.get(f"/api/v1/registrations/{registration_id}/data", headers=headers)
    assert organisers_try.status_code == 403  # the organiser sees the registration, not the person's copy
    assert (
        await client.post(f"/api/v1/registrations/{registration_id}/erase", json={"confirm": True}, headers=headers)
    ).status_code == 403
    unconfirmed = await client.post(f"/api/v1/registrations/{registration_id}/erase", json={}, headers=holder(made))
    assert unconfirmed.status_code == 422 and unconfirmed.json()["errors"][0]["loc"] == ["body", "confirm"]

    erased = await client.post(
        f"/api/v1/registrations/{registration_id}/erase", json={"confirm": True}, headers=holder(made)
    )
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"]["registrations"] == 1
    stored = await Registration.get(id=registration_id)
    assert (stored.name, stored.status.value, stored.answers, stored.reason) == (
        "",
        "cancelled",
        {"track": "mfg"},
        "erased",
    )
    assert stored.email.endswith("@erased.invalid") and stored.anonymised_at is not None
    mails = await OutboxMessage.filter(dedupe_key__contains=registration_id)
    assert mails and all(m.to_addr == "forgotten" and m.context == {} for m in mails)
    assert all(m.status in (MailStatus.SUPERSEDED, MailStatus.SENT) for m in mails)  # the cancellation never leaves
    created = await AuditEntry.get(object_id=registration_id, action="registration.create")
    assert created.after is not None and created.after["email"] == "forgotten" and created.after["status"]
    logged = await AuditEntry.filter(object_id=registration_id, action__startswith="personal_data").order_by("id")
    assert [(e.action, e.after) for e in logged] == [
        ("personal_data.erase_requested", None),
        (
            "personal_data.erased",
            {
                "registrations": 1,
                "mails": 0,
                "calendar_feeds": 0,
                "competition_teams": 0,
                "competition_invitations": 0,
                "judging": 0,
            },
        ),
    ]
    gone = await client.get(f"/api/v1/registrations/{registration_id}", headers=holder(made))
    assert gone.status_code == 404  # the manage link died with the identity: nobody can undo it
    untouched = await Registration.get(id=other.json()["id"])
    assert (untouched.email, untouched.answers["company"]) == ("other@x.cn", "济南智造")
    again = await register(client, event_id, "guest@x.cn")
    assert again.status_code == 201  # the address is free again: nothing of the first registration holds it


async def test_erasing_an_account_anonymises_its_registrations_removes_it_and_is_idempotent(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await event_with_questions(client, capacity=1)
    me = await sign_up(client, "member@x.cn")
    made = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        json={"name": "会员", "answers": ANSWERS, "privacy_notice_version": 0},
        headers=me,
    )
    assert made.json()["status"] == "confirmed"
    waiting = await register(client, event_id, "next@x.cn")
    assert waiting.json()["status"] == "waitlisted"
    user = await User.get(email="member@x.cn")

    erased = await client.post("/api/v1/me/erase", json={"confirm": True}, headers=me)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"]["registrations"] == 1 and erased.json()["erased"]["account"] == 1
    gone = await User.get(id=user.id)
    assert (gone.email, gone.name, gone.is_active) == (f"erased-{user.id}@erased.invalid", "", False)
    assert (await client.get("/api/v1/me", headers=me)).status_code == 401
    mine = await Registration.get(id=made.json()["id"])
    assert (mine.user_id, mine.name, mine.status.value) == (None, "", "cancelled")
    # The seat it gave up went to the head of the waiting list, as a cancellation's does; the quota holds one.
    assert (await Registration.get(id=waiting.json()["id"])).status.value == "offered"
    assert [q.used for q in await Quota.filter(event_id=event_id)] == [1]
    assert not await AuditEntry.filter(actor_label="member@x.cn").exists()
    assert await privacy.anonymise_expired() == 0
    from tortoise.transactions import in_transaction

    async with in_transaction():
        assert await privacy.anonymise(mine.id, actor="system", reason="request") is False  # idempotent


async def test_retention_anonymises_registrants_of_events_ended_longer_ago_than_their_period(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    _, event_id = await event_with_questions(client, (headers, org_id))
    _, kept_id = await event_with_questions(client, (headers, org_id))
    made = await register(client, event_id, "old@x.cn", answers=ANSWERS)
    recent = await register(client, kept_id, "recent@x.cn", answers=ANSWERS)
    registration = await Registration.get(id=made.json()["id"])
    await Registration.filter(seq=registration.seq).update(checked_in_at=utcnow())
    long_ago = utcnow() - timedelta(days=181)
    await Event.filter(id=event_id).update(starts_at=long_ago - timedelta(hours=8), ends_at=long_ago)
    await Event.filter(id=kept_id).update(
        starts_at=utcnow() - timedelta(days=100, hours=8), ends_at=utcnow() - timedelta(days=100)
    )

    assert await privacy.anonymise_expired() == 1
    old = await Registration.get(id=made.json()["id"])
    assert (old.name, old.status.value, old.answers) == ("", "confirmed", {"track": "mfg"})
    assert old.checked_in_at is not None  # check-ins and counts keep their numbers
    listed = (await client.get(f"/api/v1/events/{event_id}/registrations", headers=headers)).json()
    assert listed["counts"]["confirmed"] == 1 and listed["checked_in"] == 1
    assert (await Registration.get(id=recent.json()["id"])).name == "recent"  # 100 days < 180: kept
    assert (await Event.get(id=event_id)).personal_data_erased_at is not None
    assert await privacy.anonymise_expired() == 0

    changed = await client.put(f"/api/v1/events/{kept_id}/privacy-notice", json={"retention_days": 90}, headers=headers)
    assert changed.status_code == 200 and "90" in changed.json()["text_zh"] and changed.json()["is_default"]
    assert await privacy.anonymise_expired() == 1
    assert (await Registration.get(id=recent.json()["id"])).name == ""
