"""Memberships: invitations by mail that the invitee accepts, the same answer for any address, leaving, removing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from notifications.models import OutboxMessage
from server import memberships
from server.clock import utcnow
from server.models import AuditEntry, Membership, OrganisationInvite
from tests.support import admin_headers, invitation_token, sign_up


async def company(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    body = {"name": {"zh": "济南智算科技有限公司"}, "kind": "company", "region": "lixia"}
    answer = await client.post("/api/v1/organisations", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def invite(
    client: httpx.AsyncClient, headers: dict[str, str], org_id: int, email: str, role: str = "checker"
) -> httpx.Response:
    return await client.post(
        f"/api/v1/organisations/{org_id}/invitations", json={"email": email, "role": role}, headers=headers
    )


async def accept(client: httpx.AsyncClient, headers: dict[str, str], token: str) -> httpx.Response:
    return await client.post("/api/v1/invitations/accept", json={"token": token}, headers=headers)


async def test_an_invited_person_accepts_the_mailed_link_and_then_holds_the_role(client: httpx.AsyncClient) -> None:
    manager = await sign_up(client, "mgr@example.cn")
    checker = await sign_up(client, "door@example.cn")
    org_id = await company(client, manager)
    invited = await invite(client, manager, org_id, "DOOR@example.cn")
    assert invited.status_code == 202
    assert (invited.json()["email"], invited.json()["role"]) == ("door@example.cn", "checker")
    assert not await Membership.filter(organisation_id=org_id, role="checker").exists()  # not without consent
    mail = await OutboxMessage.get(template="organisation_invitation")
    assert mail.to_addr == "door@example.cn" and mail.context["role"] == "签到员"
    accepted = await accept(client, checker, await invitation_token("door@example.cn"))
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["organisation_id"], accepted.json()["role"]) == (org_id, "checker")
    listed = await client.get(f"/api/v1/organisations/{org_id}/members", headers=checker)
    assert sorted(m["role"] for m in listed.json()) == ["checker", "manager"]
    assert await AuditEntry.filter(action="membership.accept", organisation_id=org_id).count() == 1


async def test_the_answer_is_the_same_for_known_and_unknown_addresses(client: httpx.AsyncClient) -> None:
    manager = await sign_up(client, "m1@example.cn")
    await sign_up(client, "known@example.cn")
    org_id = await company(client, manager)
    known = await invite(client, manager, org_id, "known@example.cn", "judge")
    unknown = await invite(client, manager, org_id, "ghost@example.cn", "judge")
    assert known.status_code == unknown.status_code == 202
    shape = {key for key in known.json() if key not in {"id", "email", "created_at", "expires_at"}}
    assert shape == {"role"} and set(known.json()) == set(unknown.json())
    assert await OutboxMessage.filter(template="organisation_invitation").count() == 2


async def test_a_link_works_once_only_for_its_address_and_not_after_expiry(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = await sign_up(client, "m2@example.cn")
    invitee = await sign_up(client, "judge@example.cn")
    stranger = await sign_up(client, "stranger@example.cn")
    org_id = await company(client, manager)
    await invite(client, manager, org_id, "judge@example.cn", "judge")
    token = await invitation_token("judge@example.cn")
    other = await accept(client, stranger, token)
    assert other.status_code == 403 and other.json()["type"].endswith("invite_for_someone_else")
    forged = await accept(client, invitee, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert forged.status_code == 400 and forged.json()["type"].endswith("organisation_invite_invalid")
    huge = await accept(client, invitee, "qco_1_99999999999_" + "0" * 40)
    assert huge.status_code == 400
    later = utcnow() + memberships.INVITE_LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(memberships, "utcnow", lambda: later)
    expired = await accept(client, invitee, token)
    assert expired.status_code == 409 and expired.json()["type"].endswith("organisation_invite_expired")
    monkeypatch.undo()
    assert (await accept(client, invitee, token)).status_code == 200
    again = await accept(client, invitee, token)
    assert again.status_code == 400


async def test_a_new_invitation_replaces_the_open_one_and_a_withdrawn_link_stops_working(
    client: httpx.AsyncClient,
) -> None:
    manager = await sign_up(client, "m3@example.cn")
    invitee = await sign_up(client, "twice@example.cn")
    org_id = await company(client, manager)
    await invite(client, manager, org_id, "twice@example.cn")
    first = await invitation_token("twice@example.cn")
    second_id = (await invite(client, manager, org_id, "twice@example.cn")).json()["id"]
    listed = await client.get(f"/api/v1/organisations/{org_id}/invitations", headers=manager)
    assert [i["id"] for i in listed.json()] == [second_id]
    assert (await accept(client, invitee, first)).status_code == 400
    withdrawn = await client.delete(f"/api/v1/organisations/{org_id}/invitations/{second_id}", headers=manager)
    assert withdrawn.status_code == 204
    assert (await accept(client, invitee, await invitation_token("twice@example.cn"))).status_code == 400
    assert await OrganisationInvite.filter(revoked_at__not_isnull=True).count() == 2


async def test_only_managers_invite_and_never_into_another_organisation(client: httpx.AsyncClient) -> None:
    admin = await admin_headers(client)
    first = await sign_up(client, "first@example.cn")
    checker = await sign_up(client, "c4@example.cn")
    first_org = await company(client, first)
    second_org = await company(client, admin)
    await invite(client, first, first_org, "c4@example.cn")
    await accept(client, checker, await invitation_token("c4@example.cn"))
    assert (await invite(client, checker, first_org, "x@example.cn", "manager")).status_code == 403
    assert (await invite(client, first, second_org, "first@example.cn", "manager")).status_code == 403
    assert (await client.get(f"/api/v1/organisations/{second_org}/invitations", headers=first)).status_code == 403
    assert (await invite(client, first, 999999, "x@example.cn")).status_code == 404
    direct = await client.post(
        f"/api/v1/organisations/{first_org}/members", json={"email": "c4@example.cn", "role": "judge"}, headers=first
    )
    assert direct.status_code == 403  # placing an account without its consent is for admins only
    bad = await invite(client, first, first_org, "not-an-address", "boss")
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {("body", "email"), ("body", "role")}


async def test_members_leave_but_the_last_manager_cannot_leave_it_ownerless(client: httpx.AsyncClient) -> None:
    manager = await sign_up(client, "m5@example.cn")
    judge = await sign_up(client, "j5@example.cn")
    org_id = await company(client, manager)
    await invite(client, manager, org_id, "j5@example.cn", "judge")
    judge_role = (await accept(client, judge, await invitation_token("j5@example.cn"))).json()["id"]
    manager_role = (await client.get("/api/v1/me", headers=manager)).json()["memberships"][0]["id"]
    stuck = await client.delete(f"/api/v1/me/memberships/{manager_role}", headers=manager)
    assert stuck.status_code == 409 and stuck.json()["type"].endswith("last_manager")
    not_mine = await client.delete(f"/api/v1/me/memberships/{manager_role}", headers=judge)
    assert not_mine.status_code == 404
    left = await client.delete(f"/api/v1/me/memberships/{judge_role}", headers=judge)
    assert left.status_code == 204
    assert (await client.get("/api/v1/me", headers=judge)).json()["memberships"] == []
    assert await AuditEntry.filter(action="membership.leave", organisation_id=org_id).count() == 1


async def test_the_last_manager_stays_and_other_members_can_be_removed(client: httpx.AsyncClient) -> None:
    manager = await sign_up(client, "m4@example.cn")
    judge = await sign_up(client, "j4@example.cn")
    org_id = await company(client, manager)
    await invite(client, manager, org_id, "j4@example.cn", "judge")
    judge_role = (await accept(client, judge, await invitation_token("j4@example.cn"))).json()["id"]
    members = (await client.get(f"/api/v1/organisations/{org_id}/members", headers=manager)).json()
    manager_row = next(m for m in members if m["role"] == "manager")
    last = await client.delete(f"/api/v1/organisations/{org_id}/members/{manager_row['id']}", headers=manager)
    assert last.status_code == 409
    removed = await client.delete(f"/api/v1/organisations/{org_id}/members/{judge_role}", headers=manager)
    assert removed.status_code == 204
    assert await AuditEntry.filter(action="membership.remove").count() == 1
    gone = await client.delete(f"/api/v1/organisations/{org_id}/members/{judge_role}", headers=manager)
    assert gone.status_code == 404


async def test_admins_place_existing_accounts_directly_and_unknown_ones_are_not_found(
    client: httpx.AsyncClient,
) -> None:
    admin = await admin_headers(client)
    await sign_up(client, "placed@example.cn")
    org_id = await company(client, admin)
    placed = await client.post(
        f"/api/v1/organisations/{org_id}/members", json={"email": "placed@example.cn", "role": "judge"}, headers=admin
    )
    assert placed.status_code == 201
    twice = await client.post(
        f"/api/v1/organisations/{org_id}/members", json={"email": "placed@example.cn", "role": "judge"}, headers=admin
    )
    assert twice.status_code == 409
    ghost = await client.post(
        f"/api/v1/organisations/{org_id}/members", json={"email": "ghost@example.cn", "role": "judge"}, headers=admin
    )
    assert ghost.status_code == 404
