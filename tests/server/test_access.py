"""Each kind of guard refuses the callers its rule leaves out, before the handler runs."""

from __future__ import annotations

import httpx

from tests.events.support import event_body, organiser, published_event, register
from tests.support import admin_headers, sign_up
from tests.talent.support import setup


async def test_signed_in_guard_refuses_an_anonymous_caller_with_401(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/me/registrations")
    assert answer.status_code == 401
    assert answer.json()["type"] == "urn:quancheng:problem:authentication_required"


async def test_admins_guard_refuses_a_signed_in_user_with_403_before_reading_the_query(
    client: httpx.AsyncClient,
) -> None:
    user = await sign_up(client, "user@example.cn")
    answer = await client.get("/api/v1/talent/completeness?period=far-too-long", headers=user)
    assert answer.status_code == 403


async def test_organisation_members_guard_refuses_an_outsider_and_hides_nothing_unknown(
    client: httpx.AsyncClient,
) -> None:
    _, org_id = await organiser(client)
    outsider = await sign_up(client, "outsider@example.cn")
    assert (await client.get(f"/api/v1/organisations/{org_id}/members", headers=outsider)).status_code == 403
    patched = await client.patch(f"/api/v1/organisations/{org_id}", json={"contact_email": "x@y.cn"}, headers=outsider)
    assert patched.status_code == 403
    assert (await client.get("/api/v1/organisations/999999/members", headers=outsider)).status_code == 404


async def test_role_holders_guard_refuses_a_user_who_organises_nothing(client: httpx.AsyncClient) -> None:
    host, _ = await organiser(client)
    user = await sign_up(client, "user@example.cn")
    assert (await client.get("/api/v1/mail-templates", headers=user)).status_code == 403
    assert (await client.get("/api/v1/mail-templates", headers=host)).status_code == 200


async def test_event_viewers_guard_hides_a_draft_from_everyone_but_its_organisers(client: httpx.AsyncClient) -> None:
    host, org_id = await organiser(client)
    draft = (await client.post("/api/v1/events", json=event_body(org_id), headers=host)).json()["id"]
    stranger = await sign_up(client, "stranger@example.cn")
    for path in (f"/api/v1/events/{draft}", f"/api/v1/events/{draft}/sessions", f"/api/v1/events/{draft}/questions"):
        assert (await client.get(path)).status_code == 404
        assert (await client.get(path, headers=stranger)).status_code == 404
        assert (await client.get(path, headers=host)).status_code == 200


async def test_event_organisers_guard_refuses_another_organisations_organiser(client: httpx.AsyncClient) -> None:
    host, org_id = await organiser(client)
    event_id = await published_event(client, host, org_id)
    rival, _ = await organiser(client, "rival@organiser.cn")
    assert (await client.get(f"/api/v1/events/{event_id}/quotas", headers=rival)).status_code == 403
    assert (await client.get(f"/api/v1/events/{event_id}/quotas")).status_code == 401
    assert (await client.get("/api/v1/events/999999/quotas", headers=rival)).status_code == 404
    search = await client.get(f"/api/v1/events/{event_id}/check-in/search?q=ab", headers=rival)
    assert search.status_code == 403


async def test_registration_holder_guard_tells_strangers_not_found_and_organisers_not_allowed_to_accept(
    client: httpx.AsyncClient,
) -> None:
    host, org_id = await organiser(client)
    event_id = await published_event(client, host, org_id)
    created = (await register(client, event_id, "guest@example.cn")).json()
    path = f"/api/v1/registrations/{created['id']}"
    stranger = await sign_up(client, "stranger@example.cn")
    assert (await client.get(path, headers=stranger)).status_code == 404
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, params={"token": created["manage_token"]})).status_code == 200
    assert (await client.get(path, headers=host)).status_code == 200
    assert (await client.post(f"{path}/accept", headers=host)).status_code == 403
    token = {"Authorization": f"Bearer {created['manage_token']}"}
    assert (await client.post(f"{path}/approve", headers=token)).status_code == 401
    assert (await client.post(f"{path}/approve", headers=stranger)).status_code == 404


async def test_base_reporters_guard_refuses_another_base_and_reviewing_is_for_admins(
    client: httpx.AsyncClient,
) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    report = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    outsider = await sign_up(client, "outsider@example.cn")
    assert (await client.get(report, headers=outsider)).status_code == 403
    assert (await client.get(f"/api/v1/talent/sheets/{base_id}/2026-10", headers=outsider)).status_code == 403
    assert (await client.post(f"{report}/approve", headers=reporter)).status_code == 403
    assert (await client.get(report, headers=reporter)).status_code == 200
    assert (await client.get(report, headers=admin)).status_code == 200


async def test_programme_managers_guard_refuses_a_reporter(client: httpx.AsyncClient) -> None:
    admin, reporter, _, programme_id = await setup(client)
    path = f"/api/v1/talent/programmes/{programme_id}/events"
    assert (await client.put(path, json={"event_ids": []}, headers=reporter)).status_code == 403
    assert (
        await client.put("/api/v1/talent/programmes/999999/events", json={"event_ids": []}, headers=admin)
    ).status_code == 404
    assert (await client.put(path, json={"event_ids": []}, headers=admin)).status_code == 200


async def test_admins_see_what_every_guard_guards(client: httpx.AsyncClient) -> None:
    host, org_id = await organiser(client)
    event_id = await published_event(client, host, org_id)
    admin = await admin_headers(client, "another-admin@bureau.gov.cn")
    assert (await client.get(f"/api/v1/events/{event_id}/quotas", headers=admin)).status_code == 200
    assert (await client.get(f"/api/v1/organisations/{org_id}/members", headers=admin)).status_code == 200
