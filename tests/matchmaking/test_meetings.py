"""A matchmaking event over HTTP: rules and grid, parties, preferences and requests, must-meets, and a provisional
schedule computed off the request path."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from events.matchmaking import planning
from events.matchmaking.meeting_schemas import ScheduleIn
from events.matchmaking.models import Matchmaking, RunState, ScheduleRun
from events.matchmaking.planning import ScheduleRunning, start
from events.models import Event
from server.clock import utcnow
from server.models import User
from tests.events.support import lint, organiser, published_event, register
from tests.matchmaking.support import (
    NEED,
    SOLUTION,
    Headers,
    company,
    finished,
    grid,
    grid_day,
    matchmaking_event,
    party,
    published_over_http,
)
from tests.notifications.support import calendar_of, drain
from tests.support import admin_headers, join, sign_up


async def test_the_grid_numbers_slots_across_sessions_and_a_break_shifts_the_slots_after_it(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await matchmaking_event(client)
    shown = (await client.get(f"/api/v1/events/{event_id}/matchmaking")).json()
    day = grid_day()
    starts = [datetime.fromisoformat(slot["starts_at"]) for slot in shown["slots"]]
    assert [slot["number"] for slot in shown["slots"]] == [0, 1, 2, 3, 4]
    assert [slot["session"] for slot in shown["slots"]] == [0, 0, 0, 1, 1]
    assert [start - day for start in starts] == [
        timedelta(minutes=0),
        timedelta(minutes=20),
        timedelta(minutes=50),
        timedelta(hours=5),
        timedelta(hours=5, minutes=20),
    ]
    assert (shown["pairing"], shown["mode"], shown["meeting_cap"]) == ("supply_demand", "preferences", None)


async def test_a_bad_grid_is_refused_field_by_field_in_both_languages_and_only_on_matchmaking_events(
    client: httpx.AsyncClient,
) -> None:
    host, org_id = await organiser(client)
    event_id = await published_event(client, host, org_id, kind="matchmaking", starts_at=grid_day())
    bad = grid(tables=["A1", "a1"])
    bad["sessions"][0]["breaks"] = [{"after": 3, "minutes": 10}]
    bad["sessions"][1]["starts_at"] = (grid_day() - timedelta(days=1)).isoformat()
    for locale, words in (("zh-CN", "洽谈桌名称重复"), ("en", "Two tables have this name")):
        assert (await client.patch("/api/v1/me", json={"locale": locale}, headers=host)).status_code == 200
        refused = await client.put(f"/api/v1/events/{event_id}/matchmaking", json=bad, headers=host)
        assert refused.status_code == 422, refused.text
        fields = {tuple(error["loc"]): error["msg"] for error in refused.json()["errors"]}
        assert set(fields) == {
            ("body", "tables", 1),
            ("body", "sessions", 0, "breaks", 0, "after"),
            ("body", "sessions", 1, "starts_at"),
        }
        assert fields["body", "tables", 1] == words
    forum = await published_event(client, host, org_id)
    assert (await client.put(f"/api/v1/events/{forum}/matchmaking", json=grid(), headers=host)).status_code == 409
    stranger = await sign_up(client, "stranger@x.cn")
    assert (
        await client.put(f"/api/v1/events/{event_id}/matchmaking", json=grid(), headers=stranger)
    ).status_code == 403


async def test_one_party_per_organisation_colleagues_join_it_and_only_confirmed_members_act(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await matchmaking_event(client)
    boss, org_id, party_id = await party(client, event_id, "boss@steel.cn", "demand", unavailable=[4])
    colleague = await sign_up(client, "engineer@steel.cn")
    await join(client, boss, org_id, colleague, "reporter")
    url = f"/api/v1/events/{event_id}/matchmaking/parties"
    body = {"organisation_id": org_id, "side": "demand"}
    unregistered = await client.post(url, json=body, headers=colleague)
    assert unregistered.status_code == 404  # not a participant of the event yet
    assert (await register(client, event_id, "engineer@steel.cn", headers=colleague)).status_code == 201
    twice = await client.post(url, json=body, headers=colleague)
    assert twice.status_code == 409 and twice.json()["type"].endswith("matchmaking_party_exists")
    joined = await client.post(f"/api/v1/matchmaking-parties/{party_id}/members", json={}, headers=colleague)
    assert joined.status_code == 200, joined.text
    assert (joined.json()["members"], joined.json()["unavailable"]) == (2, [4])
    again = await client.post(f"/api/v1/matchmaking-parties/{party_id}/members", json={}, headers=colleague)
    assert again.status_code == 409
    outsider, _ = await company(client, "someone@else.cn")
    assert (await register(client, event_id, "someone@else.cn", headers=outsider)).status_code == 201
    assert (await client.post(url, json=body, headers=outsider)).status_code == 403  # not a member of that org
    assert (await client.get(f"/api/v1/matchmaking-parties/{party_id}", headers=outsider)).status_code == 404
    joining = await client.post(f"/api/v1/matchmaking-parties/{party_id}/members", json={}, headers=outsider)
    assert joining.status_code == 404
    bad = await client.patch(
        f"/api/v1/matchmaking-parties/{party_id}", json={"unavailable": [5], "entry_ids": [999]}, headers=boss
    )
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {("body", "unavailable", 0), ("body", "entry_ids", 0)}


async def test_the_party_list_carries_no_contact_data_of_any_party(client: httpx.AsyncClient) -> None:
    host, event_id = await matchmaking_event(client)
    curator = await admin_headers(client, "curator@bureau.gov.cn")
    hospital, hospital_id = await company(client, "it@hospital.cn")
    need_id = await published_over_http(client, hospital, curator, {**NEED, "organisation_id": hospital_id})
    assert (await register(client, event_id, "it@hospital.cn", headers=hospital)).status_code == 201
    created = await client.post(
        f"/api/v1/events/{event_id}/matchmaking/parties",
        json={"organisation_id": hospital_id, "side": "demand", "entry_ids": [need_id]},
        headers=hospital,
    )
    assert created.status_code == 201, created.text
    assert created.json()["entries"][0]["title"]["zh"] == NEED["title"]["zh"]
    vendor, _, _ = await party(client, event_id, "sales@ai.cn", "supply")
    for reader in (vendor, host):
        listed = await client.get(f"/api/v1/events/{event_id}/matchmaking/parties", headers=reader)
        assert listed.status_code == 200, listed.text
        keys = {"id", "organisation_id", "organisation_name", "side", "entries", "fixed_table", "members"}
        assert all(set(shown) == keys for shown in listed.json())
        assert all(
            set(entry) == {"id", "kind", "title", "domains"} for shown in listed.json() for entry in shown["entries"]
        )
        for secret in ("wangmin", "0531-8888", "王敏", "contact", "email", "phone"):
            assert secret not in listed.text.lower()
    stranger = await sign_up(client, "nobody@x.cn")
    assert (await client.get(f"/api/v1/events/{event_id}/matchmaking/parties", headers=stranger)).status_code == 404


async def test_preferences_only_between_pairable_parties_of_the_event_and_no_mode_mixing(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await matchmaking_event(client)
    hospital, _, hospital_party = await party(client, event_id, "it@hospital.cn", "demand")
    _, _, steel_party = await party(client, event_id, "it@steel.cn", "demand")
    _, _, vendor_party = await party(client, event_id, "sales@ai.cn", "supply")
    _, other_event = await matchmaking_event(client, "other@organiser.cn")
    _, _, elsewhere = await party(client, other_event, "sales@other.cn", "supply")
    base = f"/api/v1/matchmaking-parties/{hospital_party}/preferences"
    marked = await client.put(f"{base}/{vendor_party}", json={"level": "want"}, headers=hospital)
    assert marked.status_code == 200 and marked.json() == {"counterpart_id": vendor_party, "level": "want"}
    remarked = await client.put(f"{base}/{vendor_party}", json={"level": "must"}, headers=hospital)
    assert remarked.json()["level"] == "must"
    for counterpart, reason in (
        (steel_party, "not_pairable"),  # two demand parties under the supply-demand rule
        (elsewhere, "unknown_party"),  # a party of another event
        (hospital_party, "not_pairable"),  # itself
    ):
        refused = await client.put(f"{base}/{counterpart}", json={"level": "want"}, headers=hospital)
        assert refused.status_code == 422, refused.text
        assert [(e["loc"], e["type"]) for e in refused.json()["errors"]] == [(["body", "counterpart_id"], reason)]
    asked = await client.post(
        f"/api/v1/matchmaking-parties/{hospital_party}/requests",
        json={"counterpart_id": vendor_party},
        headers=hospital,
    )
    assert asked.status_code == 409
    listed = await client.get(base, headers=hospital)
    assert listed.json() == [{"counterpart_id": vendor_party, "level": "must"}]
    assert (await client.delete(f"{base}/{vendor_party}", headers=hospital)).status_code in (200, 204)
    assert (await client.get(base, headers=hospital)).json() == []


async def test_requests_are_answered_once_by_the_asked_party_and_a_declined_one_blocks_a_must_meet(
    client: httpx.AsyncClient,
) -> None:
    host, event_id = await matchmaking_event(client, mode="requests")
    hospital, _, hospital_party = await party(client, event_id, "it@hospital.cn", "demand")
    vendor, _, vendor_party = await party(client, event_id, "sales@ai.cn", "supply")
    _, _, other_vendor = await party(client, event_id, "sales@ml.cn", "supply")
    sent = await client.post(
        f"/api/v1/matchmaking-parties/{hospital_party}/requests",
        json={"counterpart_id": vendor_party, "message": "想了解贵司的影像方案"},
        headers=hospital,
    )
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["id"]
    reverse = await client.post(
        f"/api/v1/matchmaking-parties/{vendor_party}/requests", json={"counterpart_id": hospital_party}, headers=vendor
    )
    assert reverse.status_code == 409
    own_answer = await client.post(
        f"/api/v1/matchmaking-parties/{hospital_party}/requests/{request_id}/answer",
        json={"accept": True},
        headers=hospital,
    )
    assert own_answer.status_code == 404  # only the asked party answers
    answer_url = f"/api/v1/matchmaking-parties/{vendor_party}/requests/{request_id}/answer"
    declined = await client.post(answer_url, json={"accept": False}, headers=vendor)
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert (await client.post(answer_url, json={"accept": True}, headers=vendor)).status_code == 409
    must_meets = f"/api/v1/events/{event_id}/matchmaking/must-meets"
    refused = await client.post(must_meets, json={"party_ids": [vendor_party, hospital_party]}, headers=host)
    assert refused.status_code == 409 and refused.json()["type"].endswith("matchmaking_meeting_refused")
    fixed = await client.post(must_meets, json={"party_ids": [hospital_party, other_vendor], "slot": 1}, headers=host)
    assert fixed.status_code == 201, fixed.text
    assert (await client.get(must_meets, headers=vendor)).status_code == 403
    schedule = await finished(client, host, event_id, {"time_limit": 5})
    assert schedule["state"] == "done" and schedule["proved"], schedule
    assert [(m["party_ids"], m["slot"], m["must"]) for m in schedule["meetings"]] == [
        ([hospital_party, other_vendor], 1, True)
    ]


async def test_the_provisional_schedule_keeps_every_rule_and_says_it_is_proved(client: httpx.AsyncClient) -> None:
    host, event_id = await matchmaking_event(client, meeting_cap=3)
    demand = [await party(client, event_id, f"it@need{n}.cn", "demand", unavailable=[n]) for n in range(3)]
    supply = [await party(client, event_id, f"sales@ai{n}.cn", "supply") for n in range(3)]
    tabled = await client.put(
        f"/api/v1/events/{event_id}/matchmaking/parties/{supply[0][2]}/table", json={"table": 2}, headers=host
    )
    assert tabled.status_code == 200 and tabled.json()["fixed_table"] == 2
    taken = await client.put(
        f"/api/v1/events/{event_id}/matchmaking/parties/{supply[1][2]}/table", json={"table": 2}, headers=host
    )
    assert taken.status_code == 409
    for headers, _, own in demand:
        for _, _, other in supply:
            url = f"/api/v1/matchmaking-parties/{own}/preferences/{other}"
            assert (await client.put(url, json={"level": "want"}, headers=headers)).status_code == 200
    no_url = f"/api/v1/matchmaking-parties/{supply[2][2]}/preferences/{demand[0][2]}"
    assert (await client.put(no_url, json={"level": "no"}, headers=supply[2][0])).status_code == 200
    schedule = await finished(client, host, event_id, {"time_limit": 10, "fairness_d": 1})
    assert schedule["state"] == "done", schedule
    assert (schedule["status"], schedule["proved"], schedule["wanted"]) == ("optimal", True, 8)
    meetings = schedule["meetings"]
    assert schedule["placed"] == len(meetings) == 8
    assert sorted(demand[0][2:] + supply[2][2:]) not in [sorted(m["party_ids"]) for m in meetings]
    unavailable = {own: n for n, (_, _, own) in enumerate(demand)}
    seen: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    for meeting in meetings:
        assert (meeting["slot"], meeting["table"]) not in tables
        tables.add((meeting["slot"], meeting["table"]))
        for party_id in meeting["party_ids"]:
            assert (party_id, meeting["slot"]) not in seen
            seen.add((party_id, meeting["slot"]))
            assert unavailable.get(party_id) != meeting["slot"]
        if supply[0][2] in meeting["party_ids"]:
            assert meeting["table"] == 2
    assert all(stage["proved"] and stage["value"] == stage["bound"] for stage in schedule["stages"])
    stranger = await sign_up(client, "nobody@x.cn")
    got = await client.get(f"/api/v1/events/{event_id}/matchmaking/schedules/{schedule['id']}", headers=stranger)
    assert got.status_code == 403


async def test_a_second_run_is_refused_while_one_is_queued_and_allowed_after(client: httpx.AsyncClient) -> None:
    host, event_id = await matchmaking_event(client)
    event = await Event.get(id=event_id)
    matchmaking = await Matchmaking.get(event_id=event_id)
    user = await User.get(email="host@organiser.cn")
    run = await start(user, event, matchmaking, ScheduleIn())
    assert run.state is RunState.QUEUED
    try:
        await start(user, event, matchmaking, ScheduleIn())
    except ScheduleRunning:
        pass
    else:
        raise AssertionError("a second run started while one was queued")
    refused = await client.post(f"/api/v1/events/{event_id}/matchmaking/schedules", json={}, headers=host)
    assert refused.status_code == 409
    await ScheduleRun.filter(id=run.id).update(state=RunState.DONE)
    assert (await finished(client, host, event_id, {"time_limit": 1}))["state"] == "done"


async def test_a_run_lost_with_its_process_no_longer_blocks_a_new_one(client: httpx.AsyncClient) -> None:
    host, event_id = await matchmaking_event(client)
    matchmaking = await Matchmaking.get(event_id=event_id)
    lost = await ScheduleRun.create(matchmaking=matchmaking, time_limit=5, state=RunState.RUNNING)
    await ScheduleRun.filter(id=lost.id).update(created_at=utcnow() - timedelta(minutes=3))
    assert (await finished(client, host, event_id, {"time_limit": 1}))["state"] == "done"
    await lost.refresh_from_db()
    assert (lost.state, lost.error) == (RunState.FAILED, "abandoned")


async def test_a_party_is_recommended_the_pairable_parties_whose_entries_match_with_the_reason(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await matchmaking_event(client)
    curator = await admin_headers(client, "curator@bureau.gov.cn")
    url = f"/api/v1/events/{event_id}/matchmaking/parties"
    parties: dict[str, int] = {}
    for name, email, side, body in (
        ("hospital", "it@hospital.cn", "demand", NEED),
        ("clinic", "it@clinic.cn", "demand", NEED),
        ("vendor", "sales@ai.cn", "supply", SOLUTION),
    ):
        headers, org_id = await company(client, email)
        entry_id = await published_over_http(client, headers, curator, {**body, "organisation_id": org_id})
        assert (await register(client, event_id, email, headers=headers)).status_code == 201
        made = await client.post(
            url, json={"organisation_id": org_id, "side": side, "entry_ids": [entry_id]}, headers=headers
        )
        assert made.status_code == 201, made.text
        parties[name] = made.json()["id"]
        if name == "hospital":
            hospital = headers
    found = await client.get(f"/api/v1/matchmaking-parties/{parties['hospital']}/recommendations", headers=hospital)
    assert found.status_code == 200, found.text
    assert [c["party"]["id"] for c in found.json()] == [parties["vendor"]]  # the clinic is on the same side
    assert found.json()[0]["reason"].startswith("双方均关注: 医疗健康")
    assert "contact" not in found.text
    stranger, _ = await company(client, "nobody@x.cn")
    hidden = await client.get(f"/api/v1/matchmaking-parties/{parties['hospital']}/recommendations", headers=stranger)
    assert hidden.status_code == 404


async def a_wanted_meeting(
    client: httpx.AsyncClient,
) -> tuple[Headers, int, tuple[Headers, int], tuple[Headers, int]]:
    """A matchmaking event where a hospital (demand) wants to meet a vendor (supply): the organiser's headers,
    the event, and (headers, party id) of each."""
    host, event_id = await matchmaking_event(client)
    hospital, _, hospital_party = await party(client, event_id, "it@hospital.cn", "demand")
    vendor, _, vendor_party = await party(client, event_id, "sales@ai.cn", "supply")
    mark = f"/api/v1/matchmaking-parties/{hospital_party}/preferences/{vendor_party}"
    assert (await client.put(mark, json={"level": "want"}, headers=hospital)).status_code == 200
    return host, event_id, (hospital, hospital_party), (vendor, vendor_party)


async def test_a_schedule_is_published_only_while_it_holds_and_each_party_sees_its_agenda(
    client: httpx.AsyncClient,
) -> None:
    host, event_id, (hospital, hospital_party), (vendor, vendor_party) = await a_wanted_meeting(client)
    empty = await client.get(f"/api/v1/matchmaking-parties/{hospital_party}/agenda", headers=hospital)
    assert (empty.json()["published"], empty.json()["meetings"]) == (False, [])
    schedule = await finished(client, host, event_id, {"time_limit": 5})
    (meeting,) = schedule["meetings"]
    publish_url = f"/api/v1/events/{event_id}/matchmaking/schedules/{schedule['id']}/publish"
    # the vendor becomes unavailable in the meeting's slot after the schedule was computed: publishing now clashes
    blocked = await client.patch(
        f"/api/v1/matchmaking-parties/{vendor_party}", json={"unavailable": [meeting["slot"]]}, headers=vendor
    )
    assert blocked.status_code == 200, blocked.text
    refused = await client.post(publish_url, headers=host)
    assert refused.status_code == 409 and refused.json()["type"].endswith("matchmaking_schedule_clashes")
    assert f"slot {meeting['slot']}" in refused.json()["detail"]
    freed = await client.patch(f"/api/v1/matchmaking-parties/{vendor_party}", json={"unavailable": []}, headers=vendor)
    assert freed.status_code == 200
    assert (await client.post(publish_url, headers=vendor)).status_code == 403
    published_ = await client.post(publish_url, headers=host)
    assert published_.status_code == 200, published_.text
    for headers, own, other in ((hospital, hospital_party, vendor_party), (vendor, vendor_party, hospital_party)):
        agenda = (await client.get(f"/api/v1/matchmaking-parties/{own}/agenda", headers=headers)).json()
        assert agenda["published"] is True
        assert [(m["slot"], m["table"], m["counterpart"]["id"]) for m in agenda["meetings"]] == [
            (meeting["slot"], ["A1", "A2", "A3"][meeting["table"]], other)
        ]
    said_no = f"/api/v1/matchmaking-parties/{vendor_party}/preferences/{hospital_party}"
    assert (await client.put(said_no, json={"level": "no"}, headers=vendor)).status_code == 200
    again = await client.post(publish_url, headers=host)
    assert again.status_code == 409 and "no longer want" in again.json()["detail"]


async def test_each_meeting_is_its_own_calendar_entry_requested_moved_and_cancelled_with_its_sequence(
    client: httpx.AsyncClient,
) -> None:
    host, event_id, (hospital, hospital_party), (vendor, vendor_party) = await a_wanted_meeting(client)
    await drain()  # the registration mails

    async def publish_new() -> tuple[dict[str, Any], dict[str, tuple[str, Any]]]:
        schedule = await finished(client, host, event_id, {"time_limit": 5})
        url = f"/api/v1/events/{event_id}/matchmaking/schedules/{schedule['id']}/publish"
        assert (await client.post(url, headers=host)).status_code == 200
        sent: dict[str, tuple[str, Any]] = {}
        for message in await drain():
            found = calendar_of(message)
            if found is None:
                continue  # the party's agenda (tests/matchmaking/test_agenda.py)
            method, content = found
            (entry,) = lint(content, method=method).events
            sent[message["To"].addresses[0].addr_spec] = (method, entry)
        return schedule, sent

    first, sent = await publish_new()
    assert sorted(sent) == ["it@hospital.cn", "sales@ai.cn"]
    uid = sent["sales@ai.cn"][1].uid
    assert {(method, entry.uid, entry.sequence) for method, entry in sent.values()} == {("REQUEST", uid, 0)}
    (meeting,) = first["meetings"]
    moved = await client.patch(
        f"/api/v1/matchmaking-parties/{vendor_party}", json={"unavailable": [meeting["slot"]]}, headers=vendor
    )
    assert moved.status_code == 200
    second, sent = await publish_new()
    assert second["meetings"][0]["slot"] != meeting["slot"]
    assert {(method, entry.uid, entry.sequence) for method, entry in sent.values()} == {("REQUEST", uid, 1)}
    _, unchanged = await publish_new()
    assert unchanged == {}  # the same meeting at the same place and time is not sent again
    said_no = f"/api/v1/matchmaking-parties/{vendor_party}/preferences/{hospital_party}"
    assert (await client.put(said_no, json={"level": "no"}, headers=vendor)).status_code == 200
    _, sent = await publish_new()
    assert {(method, entry.uid, entry.sequence) for method, entry in sent.values()} == {("CANCEL", uid, 2)}
    assert all(str(entry["STATUS"]) == "CANCELLED" for _, entry in sent.values())


async def test_a_run_whose_solver_fails_is_marked_failed_with_the_reason(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, event_id, _, _ = await a_wanted_meeting(client)

    def broken(*args: object) -> None:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(planning, "solve", broken)
    failed = await finished(client, host, event_id, {"time_limit": 1})
    assert (failed["state"], failed["error"], failed["meetings"]) == ("failed", "solver crashed", [])
    publish = await client.post(f"/api/v1/events/{event_id}/matchmaking/schedules/{failed['id']}/publish", headers=host)
    assert publish.status_code == 409 and publish.json()["type"].endswith("matchmaking_schedule_not_done")
    monkeypatch.undo()
    assert (await finished(client, host, event_id, {"time_limit": 5}))["placed"] == 1
