"""Registrations: the create answer, the waiting list and its offers, approval, the state machine, bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from tortoise.transactions import in_transaction

from events import registering, registration
from events.models import Registration, RegistrationStatus
from notifications.models import OutboxMessage
from server.clock import utcnow
from server.models import AuditEntry
from tests.events.support import event_body, organiser, published_event, register
from tests.support import sign_up


def bearer(created: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {created.json()['manage_token']}"}


async def statuses(
    client: httpx.AsyncClient, event_id: int, headers: dict[str, str]
) -> list[tuple[str, str, int | None]]:
    listed = (await client.get(f"/api/v1/events/{event_id}/registrations", headers=headers)).json()
    return [(r["email"], r["status"], r["waitlist_position"]) for r in listed["items"]]


async def test_the_create_answer_carries_id_status_position_and_a_manage_token(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    first = await register(client, event_id, "Zhang@Example.cn", answers={})
    assert first.status_code == 201
    body = first.json()
    assert (body["status"], body["waitlist_position"]) == ("confirmed", None)
    assert body["manage_token"].startswith("qcm_")
    stored = await Registration.get(id=body["id"])
    assert stored.email == "zhang@example.cn" and body["manage_token"] not in stored.manage_token_hash
    second = await register(client, event_id, "li@example.cn")
    assert (second.json()["status"], second.json()["waitlist_position"]) == ("waitlisted", 1)
    own = await client.get(f"/api/v1/registrations/{body['id']}", headers=bearer(first))
    assert own.json()["status"] == "confirmed" and own.json()["qr"].startswith("QC1.")
    by_query = await client.get(f"/api/v1/registrations/{body['id']}", params={"token": body["manage_token"]})
    assert by_query.status_code == 200
    assert (await client.get(f"/api/v1/registrations/{body['id']}", headers=bearer(second))).status_code == 404
    assert (await client.get(f"/api/v1/registrations/{body['id']}")).status_code == 404
    assert await AuditEntry.filter(action="registration.create").count() == 2


async def test_a_freed_seat_is_offered_to_the_head_of_the_waiting_list_and_accepted(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=2, offer_hours=24)
    made = [await register(client, event_id, f"p{i}@x.cn") for i in range(5)]
    assert [m.json()["waitlist_position"] for m in made] == [None, None, 1, 2, 3]
    cancelled = await client.post(f"/api/v1/registrations/{made[0].json()['id']}/cancel", headers=bearer(made[0]))
    assert cancelled.json()["status"] == "cancelled"
    assert await statuses(client, event_id, headers) == [
        ("p0@x.cn", "cancelled", None),
        ("p1@x.cn", "confirmed", None),
        ("p2@x.cn", "offered", None),
        ("p3@x.cn", "waitlisted", 1),
        ("p4@x.cn", "waitlisted", 2),
    ]
    offered = (await client.get(f"/api/v1/registrations/{made[2].json()['id']}", headers=bearer(made[2]))).json()
    deadline = offered["offered_until"]
    assert utcnow() + timedelta(hours=23) < __import__("datetime").datetime.fromisoformat(deadline)
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    assert (event["ticket_types"][0]["available"], event["waitlist_length"]) == (0, 2)  # the offered seat is held
    accepted = await client.post(f"/api/v1/registrations/{made[2].json()['id']}/accept", headers=bearer(made[2]))
    assert accepted.json()["status"] == "confirmed"
    again = await client.post(f"/api/v1/registrations/{made[2].json()['id']}/accept", headers=bearer(made[2]))
    assert again.status_code == 409
    assert again.json()["detail"] == "报名状态为“已确认”，不能变为“已确认”。"


async def test_an_expired_offer_passes_to_the_next_in_line(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    made = [await register(client, event_id, f"q{i}@x.cn") for i in range(3)]
    await client.post(f"/api/v1/registrations/{made[0].json()['id']}/cancel", headers=bearer(made[0]))
    late = await client.post(f"/api/v1/registrations/{made[1].json()['id']}/accept", headers=bearer(made[1]))
    assert late.status_code == 200  # still in time
    await client.post(f"/api/v1/registrations/{made[1].json()['id']}/cancel", headers=bearer(made[1]))
    await Registration.filter(email="q2@x.cn").update(offered_until=utcnow() - timedelta(minutes=1))
    refused = await client.post(f"/api/v1/registrations/{made[2].json()['id']}/accept", headers=bearer(made[2]))
    assert refused.status_code == 409 and refused.json()["type"] == "urn:quancheng:problem:offer_expired"
    assert await registration.expire_offers() == 1
    assert await registration.expire_offers() == 0
    expired = await Registration.get(email="q2@x.cn")
    assert (expired.status, expired.reason) == (RegistrationStatus.CANCELLED, "offer_expired")
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    assert event["ticket_types"][0]["available"] == 1  # nobody left to offer it to


async def test_raising_capacity_offers_the_new_seats_in_order(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    for i in range(4):
        await register(client, event_id, f"r{i}@x.cn")
    raised = await client.patch(f"/api/v1/events/{event_id}", json={"capacity": 3}, headers=headers)
    assert raised.json()["capacity"] == 3
    assert [s for _, s, _ in await statuses(client, event_id, headers)] == [
        "confirmed",
        "offered",
        "offered",
        "waitlisted",
    ]
    lowered = await client.patch(f"/api/v1/events/{event_id}", json={"capacity": 2}, headers=headers)
    assert lowered.status_code == 409 and lowered.json()["type"] == "urn:quancheng:problem:quota_below_holders"


async def test_approval_holds_capacity_while_pending_and_rejection_frees_it(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1, requires_approval=True)
    first = await register(client, event_id, "a1@x.cn")
    second = await register(client, event_id, "a2@x.cn")
    assert (first.json()["status"], second.json()["status"]) == ("pending", "waitlisted")
    stranger = await sign_up(client, "nosy@x.cn")
    first_id = first.json()["id"]
    assert (await client.post(f"/api/v1/registrations/{first_id}/approve", headers=stranger)).status_code == 404
    as_registrant = await client.post(f"/api/v1/registrations/{first_id}/approve", headers=bearer(first))
    assert as_registrant.status_code == 401
    no_reason = await client.post(f"/api/v1/registrations/{first_id}/reject", json={"reason": " "}, headers=headers)
    assert no_reason.status_code == 422
    rejected = await client.post(
        f"/api/v1/registrations/{first_id}/reject", json={"reason": "名额优先给制造业企业"}, headers=headers
    )
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "名额优先给制造业企业")
    offered_id = second.json()["id"]
    assert (await client.get(f"/api/v1/registrations/{offered_id}", headers=bearer(second))).json()[
        "status"
    ] == "offered"
    accepted = await client.post(f"/api/v1/registrations/{offered_id}/accept", headers=bearer(second))
    assert accepted.json()["status"] == "pending"  # accepting an offer still needs approval here
    approved = await client.post(f"/api/v1/registrations/{offered_id}/approve", headers=headers)
    assert approved.json()["status"] == "confirmed"


ALLOWED = {
    ("pending", "confirmed"),
    ("pending", "rejected"),
    ("pending", "cancelled"),
    ("confirmed", "cancelled"),
    ("waitlisted", "offered"),
    ("waitlisted", "cancelled"),
    ("offered", "confirmed"),
    ("offered", "pending"),
    ("offered", "cancelled"),
}


@pytest.mark.parametrize("before", list(RegistrationStatus))
@pytest.mark.parametrize("after", list(RegistrationStatus))
def test_the_transition_table_is_exactly_the_designed_one(
    before: RegistrationStatus, after: RegistrationStatus
) -> None:
    assert (after in registration.TRANSITIONS[before]) == ((before.value, after.value) in ALLOWED)


async def test_forbidden_transitions_are_refused_with_409_and_change_nothing(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    confirmed = await register(client, event_id, "c@x.cn")
    waitlisted = await register(client, event_id, "w@x.cn")
    cases = [
        (confirmed, "approve", None),
        (confirmed, "reject", {"reason": "x"}),
        (confirmed, "accept", None),
        (waitlisted, "approve", None),
        (waitlisted, "accept", None),
    ]
    for created, action, body in cases:
        who = bearer(created) if action == "accept" else headers
        answer = await client.post(f"/api/v1/registrations/{created.json()['id']}/{action}", json=body, headers=who)
        assert answer.status_code == 409, (action, answer.text)
    await client.post(f"/api/v1/registrations/{confirmed.json()['id']}/cancel", headers=bearer(confirmed))
    twice = await client.post(f"/api/v1/registrations/{confirmed.json()['id']}/cancel", headers=bearer(confirmed))
    assert twice.status_code == 409
    assert [s for _, s, _ in await statuses(client, event_id, headers)] == ["cancelled", "offered"]


async def test_one_active_registration_per_email_but_re_registering_after_cancelling_works(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    first = await register(client, event_id, "dup@x.cn")
    duplicate = await register(client, event_id, "DUP@x.cn")
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"] == [
        {"loc": ["body", "email"], "msg": "该邮箱已报名此活动", "type": "already_registered"}
    ]
    await client.post(f"/api/v1/registrations/{first.json()['id']}/cancel", headers=bearer(first))
    assert (await register(client, event_id, "dup@x.cn")).status_code == 201


async def test_idempotency_key_replays_the_first_answer_and_refuses_a_different_request(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    await register(client, event_id, "seat@x.cn")
    body = {"email": "retry@x.cn", "name": "重试", "privacy_notice_version": 0}
    url = f"/api/v1/events/{event_id}/registrations"
    first = await client.post(url, json=body, headers={"Idempotency-Key": "key-0001-abcdef"})
    replay = await client.post(url, json=body, headers={"Idempotency-Key": "key-0001-abcdef"})
    assert first.status_code == replay.status_code == 201
    assert first.json() == replay.json() and first.json()["waitlist_position"] == 1
    assert await Registration.filter(email="retry@x.cn").count() == 1
    assert (await client.get(f"/api/v1/registrations/{first.json()['id']}", headers=bearer(replay))).status_code == 200
    other = await client.post(url, json={**body, "name": "别人"}, headers={"Idempotency-Key": "key-0001-abcdef"})
    assert other.status_code == 409 and other.json()["type"] == "urn:quancheng:problem:idempotency_mismatch"
    short = await client.post(url, json=body, headers={"Idempotency-Key": "x"})
    assert short.status_code == 400


async def test_registration_refused_outside_its_window_or_event_state(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    soon = utcnow() + timedelta(days=5)
    not_yet = await published_event(
        client, headers, org_id, registration_opens_at=(utcnow() + timedelta(days=1)).isoformat()
    )
    closed = await published_event(
        client, headers, org_id, starts_at=soon, registration_closes_at=(utcnow() - timedelta(minutes=1)).isoformat()
    )
    answer = await register(client, not_yet, "early@x.cn")
    assert answer.status_code == 409 and answer.json()["title"] == "报名尚未开始"
    answer = await register(client, closed, "late@x.cn")
    assert answer.status_code == 409 and answer.json()["title"] == "报名已截止"
    cancelled = await published_event(client, headers, org_id)
    await client.post(f"/api/v1/events/{cancelled}/cancel", headers=headers)
    answer = await register(client, cancelled, "c@x.cn")
    assert answer.status_code == 409 and answer.json()["type"] == "urn:quancheng:problem:event_not_open"
    assert (await register(client, 987654, "ghost@x.cn")).status_code == 404


async def test_every_edit_of_the_registration_form_reaches_the_next_registration(client: httpx.AsyncClient) -> None:
    """Registering keeps the event's form per process under the event's version: each edit must move it."""
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    assert (await register(client, event_id, "first@x.cn")).status_code == 201
    assert event_id in registering._forms  # the form is now kept, so what follows tests that it is refreshed

    question = {"key": "company", "kind": "text", "label": {"zh": "单位名称"}, "required": True}
    added = await client.post(f"/api/v1/events/{event_id}/questions", json=question, headers=headers)
    assert added.status_code == 201
    unanswered = await register(client, event_id, "second@x.cn")
    assert unanswered.status_code == 422 and unanswered.json()["errors"][0]["loc"] == ["body", "answers", "company"]
    assert (await register(client, event_id, "second@x.cn", answers={"company": "泉城"})).status_code == 201

    types = f"/api/v1/events/{event_id}/ticket-types"
    vip = (await client.post(types, json={"name": {"zh": "嘉宾"}}, headers=headers)).json()["id"]
    answer = await register(client, event_id, "vip@x.cn", answers={"company": "泉城"}, ticket_type=vip)
    assert answer.status_code == 201
    spare = (await client.post(types, json={"name": {"zh": "备用"}}, headers=headers)).json()["id"]
    assert (await client.delete(f"{types}/{spare}", headers=headers)).status_code == 204
    answer = await register(client, event_id, "spare@x.cn", answers={"company": "泉城"}, ticket_type=spare)
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "ticket_type"]

    renamed = await client.patch(f"/api/v1/organisations/{org_id}", json={"name": {"zh": "泉城会展"}}, headers=headers)
    assert renamed.status_code == 200, renamed.text
    answer = await register(client, event_id, "renamed@x.cn", answers={"company": "泉城"})
    mail = await OutboxMessage.filter(to_addr="renamed@x.cn").get()
    assert mail.context["organiser_name"] == "泉城会展"  # the mail names the organisation as it is now

    closes = (utcnow() - timedelta(minutes=1)).isoformat()
    patched = await client.patch(f"/api/v1/events/{event_id}", json={"registration_closes_at": closes}, headers=headers)
    assert patched.status_code == 200, patched.text
    answer = await register(client, event_id, "late@x.cn", answers={"company": "泉城"})
    assert answer.status_code == 409 and answer.json()["title"] == "报名已截止"


async def test_drafts_take_no_registrations(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    draft = (await client.post("/api/v1/events", json=event_body(org_id), headers=headers)).json()["id"]
    assert (await register(client, draft, "d@x.cn")).status_code == 404


async def test_sold_out_without_waiting_list_is_a_clear_409(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1, waitlist_enabled=False)
    assert (await register(client, event_id, "one@x.cn")).status_code == 201
    full = await register(client, event_id, "two@x.cn", headers={"Accept-Language": "en"})
    assert full.status_code == 409
    assert (full.json()["title"], full.json()["detail"]) == (
        "Sold out",
        "All places are taken and this event has no waiting list.",
    )
    assert await Registration.filter(event_id=event_id).count() == 1


async def test_closing_the_waiting_list_keeps_the_people_already_on_it(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    first = await register(client, event_id, "first@x.cn")
    waiting = await register(client, event_id, "waiting@x.cn")
    closed = await client.patch(f"/api/v1/events/{event_id}", json={"waitlist_enabled": False}, headers=headers)
    assert closed.status_code == 200
    assert (await register(client, event_id, "late@x.cn")).status_code == 409  # no newcomers
    await client.post(f"/api/v1/registrations/{first.json()['id']}/cancel", headers=bearer(first))
    assert (await Registration.get(id=waiting.json()["id"])).status is RegistrationStatus.OFFERED


async def test_signed_in_users_register_without_typing_their_email_and_see_theirs(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    me = await sign_up(client, "member@x.cn", locale="en")
    made = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"privacy_notice_version": 0, "name": "Member"}, headers=me
    )
    assert made.status_code == 201
    mine = (await client.get("/api/v1/me/registrations", headers=me)).json()
    assert [(r["email"], r["locale"], r["status"]) for r in mine["items"]] == [("member@x.cn", "en", "confirmed")]
    assert mine["items"][0]["qr"].startswith("QC1.")
    anonymous = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"privacy_notice_version": 0, "name": "Nobody"}
    )
    assert anonymous.status_code == 422 and anonymous.json()["errors"][0]["loc"] == ["body", "email"]
    other = await sign_up(client, "other@x.cn")
    assert (await client.get(f"/api/v1/registrations/{made.json()['id']}", headers=other)).status_code == 404


async def test_unknown_ticket_type_and_bad_fields_are_field_errors(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    other_event = await published_event(client, headers, org_id)
    foreign_type = (await client.get(f"/api/v1/events/{other_event}/ticket-types")).json()[0]["id"]
    answer = await register(client, event_id, "t@x.cn", ticket_type=foreign_type)
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "ticket_type"]
    answer = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"privacy_notice_version": 0, "email": "bad", "name": ""}
    )
    assert {tuple(e["loc"]) for e in answer.json()["errors"]} == {("body", "email"), ("body", "name")}


async def test_a_pending_registrant_cannot_approve_themselves_through_accept(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, requires_approval=True)
    pending = await register(client, event_id, "eager@x.cn")
    await client.patch(f"/api/v1/events/{event_id}", json={"requires_approval": False}, headers=headers)
    answer = await client.post(f"/api/v1/registrations/{pending.json()['id']}/accept", headers=bearer(pending))
    assert answer.status_code == 409
    assert (await Registration.get(id=pending.json()["id"])).status is RegistrationStatus.PENDING


async def test_malformed_tokens_and_codes_are_refused_not_crashes(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    made = await register(client, event_id, "m@x.cn")
    url = f"/api/v1/registrations/{made.json()['id']}"
    for token in ("qcl_²_abc", "qcl_1e9_zz", "qcm_é"):
        assert (await client.get(url, params={"token": token})).status_code == 404
    qr = f"QC1.{made.json()['id'].replace('-', '')}.é{'0' * 31}"
    answer = await client.post(
        f"/api/v1/events/{event_id}/check-in", json={"qr": qr, "nonce": "scan-0009"}, headers=headers
    )
    assert answer.status_code == 400


async def test_in_a_group_each_refused_attempt_fails_alone_and_the_rest_get_exact_places(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    await register(client, event_id, "seat@x.cn")
    await register(client, event_id, "taken@x.cn")  # waiting, place 1
    groups: list[int] = []
    decide = registering._rush.decide

    async def counted(key: int, attempts: list[registering._Attempt]) -> list[registering.Created | Exception]:
        groups.append(len(attempts))
        return await decide(key, attempts)

    monkeypatch.setattr(registering._rush, "decide", counted)
    url = f"/api/v1/events/{event_id}/registrations"
    keyed = {"email": "keyed@x.cn", "name": "重试", "privacy_notice_version": 0}
    answers = await asyncio.gather(
        register(client, event_id, "w1@x.cn"),
        register(client, event_id, "TAKEN@x.cn"),  # already registered
        register(client, event_id, "w2@x.cn"),
        register(client, event_id, "w2@x.cn"),  # a twin within the group
        register(client, event_id, "not an email"),
        client.post(url, json=keyed, headers={"Idempotency-Key": "key-0002-abcdef"}),
        client.post(url, json=keyed, headers={"Idempotency-Key": "key-0002-abcdef"}),  # a resent request
        register(client, event_id, "w3@x.cn"),
    )
    assert max(groups) > 1, groups
    codes = [answer.status_code for answer in answers]
    assert codes == [201, 409, 201, 409, 422, 201, 201, 201]
    assert answers[1].json()["errors"][0]["type"] == answers[3].json()["errors"][0]["type"] == "already_registered"
    assert answers[5].json() == answers[6].json()
    told = sorted(answers[i].json()["waitlist_position"] for i in (0, 2, 5, 7))
    assert told == [2, 3, 4, 5]
    shown = {email: place for email, _, place in await statuses(client, event_id, headers)}
    assert {answers[i].json()["waitlist_position"] for i in (0, 2, 5, 7)} == {
        shown[email] for email in ("w1@x.cn", "w2@x.cn", "keyed@x.cn", "w3@x.cn")
    }
    made = await Registration.filter(event_id=event_id).count()
    assert made == 6
    assert await AuditEntry.filter(action="registration.create").count() == made
    assert await OutboxMessage.filter(template="registration_waitlisted").count() == made - 1


async def test_inside_a_callers_transaction_a_registration_rolls_back_with_it(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    with pytest.raises(RuntimeError, match="the caller fails"):
        async with in_transaction():
            created = await registering.register(
                event_id,
                {"email": "a@x.cn", "name": "a", "privacy_notice_version": 0},
                user=None,
                idempotency_key=None,
                secret_key="k" * 40,
            )
            assert created.status is RegistrationStatus.CONFIRMED
            raise RuntimeError("the caller fails")
    assert await Registration.filter(event_id=event_id).count() == 0
