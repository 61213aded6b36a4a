"""Trainee reports: rules with importance, carry-over, locks and exceptions, workflow, isolation between bases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from server.clock import utcnow
from talent.models import TraineeReport
from tests.support import admin_headers, sign_up
from tests.talent.support import GOOD, base_with_reporter, setup


async def test_a_report_saves_validates_and_goes_through_the_workflow(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    blank = (await client.get(url, headers=reporter)).json()
    assert (blank["id"], blank["status"], blank["editable"], blank["opening"]) == (None, "draft", True, 0)
    saved = (await client.put(url, json=GOOD, headers=reporter)).json()
    assert (saved["closing"], saved["findings"]) == (38, [])
    submitted = await client.post(url + "/submit", headers=reporter)
    assert submitted.json()["status"] == "submitted" and submitted.json()["editable"] is False
    awaiting = await client.put(url, json=GOOD, headers=reporter)
    assert (awaiting.status_code, awaiting.json()["type"]) == (409, "urn:quancheng:problem:report_awaiting_review")
    assert awaiting.json()["detail"].startswith("该报表已提交，正在等待主管部门审核")
    returned = await client.post(url + "/return", json={"comment": "结业人数请核对"}, headers=admin)
    assert (returned.json()["status"], returned.json()["comment"]) == ("returned", "结业人数请核对")
    await client.put(url, json={**GOOD, "completed": 6}, headers=reporter)
    await client.post(url + "/submit", headers=reporter)
    approved = await client.post(url + "/approve", headers=admin)
    assert approved.json()["status"] == "approved" and approved.json()["editable"] is False
    assert (await client.put(url, json=GOOD, headers=reporter)).json()[
        "type"
    ] == "urn:quancheng:problem:report_approved"
    assert (await client.post(url + "/approve", headers=reporter)).status_code == 403
    history = (await client.get(url + "/history", headers=reporter)).json()
    assert [h["action"] for h in history] == [
        "talent_report.update",
        "talent_report.submitted",
        "talent_report.returned",
        "talent_report.update",
        "talent_report.submitted",
        "talent_report.approved",
    ]
    assert history[3]["before"] == {"completed": 5} and history[3]["after"] == {"completed": 6}
    assert history[3]["who"] == "reporter@base.cn"
    following = (await client.get(f"/api/v1/talent/reports/{base_id}/2026-11/{programme_id}", headers=reporter)).json()
    assert following["opening"] == 37  # carried over from October's closing


async def test_errors_block_submission_and_name_field_and_rule(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    bad = {
        **GOOD,
        "completed": 2,
        "dropped": 50,
        "levels": {"4": {"assessed": 2, "certified": 3}, "9": {"assessed": 1}},
    }
    saved = (await client.put(url, json=bad, headers=reporter)).json()  # a draft may be saved with errors
    assert {(f["rule"], f["importance"], f["field"]) for f in saved["findings"]} == {
        ("closing_negative", "error", "dropped"),
        ("level_unknown", "error", "levels.9"),
        ("certified_above_assessed", "error", "levels.4.certified"),
        ("certified_above_completed", "warning", "levels"),
    }
    refused = await client.post(url + "/submit", headers=reporter)
    assert refused.status_code == 422
    messages = {tuple(e["loc"]): e["msg"] for e in refused.json()["errors"]}
    assert messages[("report", "dropped")] == "期末在训人数为 -7，不能为负：期初 + 新增 − 结业 − 流失须 ≥ 0"
    assert messages[("report", "levels.4.certified")] == "“四级/中级工”的取证人数（3）不能多于参加鉴定人数（2）"
    assert messages[("report", "levels.9")] == "该职业没有等级“9”"
    assert (await TraineeReport.get(programme_id=programme_id)).status == "draft"


async def test_warnings_do_not_block(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    october = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    await client.put(october, json=GOOD, headers=reporter)
    november = f"/api/v1/talent/reports/{base_id}/2026-11/{programme_id}"
    saved = (await client.put(november, json={"opening": 30, "new_male": 4}, headers=reporter)).json()
    assert {(f["rule"], f["importance"]) for f in saved["findings"]} == {
        ("opening_differs", "warning"),
        ("new_without_hours", "warning"),
    }
    assert (await client.post(november + "/submit", headers=reporter)).status_code == 200


async def test_input_types_and_ranges_are_4xx_with_fields(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    answer = await client.put(
        url, json={"new_male": -1, "completed": "many", "levels": {"Bad Level": {}}}, headers=reporter
    )
    assert answer.status_code == 422
    assert {tuple(e["loc"][:2]) for e in answer.json()["errors"]} == {
        ("body", "new_male"),
        ("body", "completed"),
        ("body", "levels"),
    }
    assert (
        await client.get(f"/api/v1/talent/reports/{base_id}/2031-01/{programme_id}", headers=reporter)
    ).status_code == 404


async def test_a_past_period_is_locked_until_the_bureau_grants_an_exception(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    await client.post(
        "/api/v1/talent/periods", json={"id": "2026Q3", "due_days": 5, "lock_days": 10}, headers=admin
    )  # ended 2026-09-30, locked since 2026-10-10
    url = f"/api/v1/talent/reports/{base_id}/2026Q3/{programme_id}"
    assert (await client.get(url, headers=reporter)).json()["editable"] is False
    locked = await client.put(url, json=GOOD, headers=reporter)
    assert (locked.status_code, locked.json()["type"]) == (409, "urn:quancheng:problem:report_locked")
    assert locked.json()["detail"] == "报告期已于 2026-10-10 锁定，不能再修改；如需补报请联系主管部门开放。"
    grant = {"base_id": base_id, "until": (utcnow() + timedelta(days=2)).isoformat(), "reason": "补报九月数据"}
    assert (
        await client.post("/api/v1/talent/periods/2026Q3/exceptions", json=grant, headers=reporter)
    ).status_code == 403
    assert (await client.post("/api/v1/talent/periods/2026Q3/exceptions", json=grant, headers=admin)).status_code == 201
    assert (await client.put(url, json=GOOD, headers=reporter)).status_code == 200
    expired = {**grant, "until": (utcnow() - timedelta(minutes=1)).isoformat()}
    other_admin = await admin_headers(client, "clerk2@bureau.gov.cn")
    await client.post("/api/v1/talent/periods/2026Q3/exceptions", json=expired, headers=other_admin)
    assert (await client.get(url, headers=reporter)).json()["editable"] is True  # the first grant still runs


async def test_a_base_reporter_cannot_touch_another_base(client: httpx.AsyncClient) -> None:
    admin, _, base_id, programme_id = await setup(client)
    other, other_base = await base_with_reporter(client, admin, "other@base.cn", region="shizhong")
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    assert (await client.get(url, headers=other)).status_code == 403
    assert (await client.put(url, json=GOOD, headers=other)).status_code == 403
    assert (await client.post(url + "/submit", headers=other)).status_code == 403
    assert (await client.get(url + "/history", headers=other)).status_code == 403
    crossed = f"/api/v1/talent/reports/{other_base}/2026-10/{programme_id}"  # own base, another base's programme
    assert (await client.get(crossed, headers=other)).status_code == 404
    assert (await client.get("/api/v1/talent/programmes", headers=other)).json() == []
    assert (await client.get("/api/v1/talent/dashboard", headers=other)).status_code == 403
    participant = await sign_up(client, "p@x.cn")
    assert (await client.get(url, headers=participant)).status_code == 403
    assert (await client.get(url)).status_code == 401


async def test_two_submits_at_once_make_one_transition(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    await client.put(url, json=GOOD, headers=reporter)
    answers = await asyncio.gather(*(client.post(url + "/submit", headers=reporter) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    history = (await client.get(url + "/history", headers=reporter)).json()
    assert [h["action"] for h in history].count("talent_report.submitted") == 1


async def test_setup_input_is_checked(client: httpx.AsyncClient) -> None:
    admin = await admin_headers(client)
    for body, loc in (
        ({"id": "2026-13"}, ["body", "id"]),
        ({"id": "2026Q5"}, ["body", "id"]),
        ({"id": "2026-01", "due_days": 20, "lock_days": 5}, ["body", "lock_days"]),
    ):
        answer = await client.post("/api/v1/talent/periods", json=body, headers=admin)
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == loc
    await client.post("/api/v1/talent/periods", json={"id": "2026-01"}, headers=admin)
    assert (await client.post("/api/v1/talent/periods", json={"id": "2026-01"}, headers=admin)).status_code == 422
    company = await client.post(
        "/api/v1/organisations", headers=admin, json={"name": {"zh": "公司"}, "kind": "company", "region": "lixia"}
    )
    programme = {
        "occupation": "4-04-05-05",
        "base_id": company.json()["id"],
        "target_level": "4",
        "cohort": "x",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "planned_size": 10,
    }
    assert (await client.post("/api/v1/talent/programmes", json=programme, headers=admin)).status_code == 422
    _, base_id = await base_with_reporter(client, admin, "r@b.cn")
    for change, field in (
        ({"occupation": "9-99-99-99"}, "occupation"),
        ({"target_level": "senior"}, "target_level"),
        ({"ends_on": "2025-01-01"}, None),
    ):
        answer = await client.post(
            "/api/v1/talent/programmes", json={**programme, "base_id": base_id, **change}, headers=admin
        )
        assert answer.status_code == 422, change
        if field:
            assert answer.json()["errors"][0]["loc"] == ["body", field]
    occupations = (await client.get("/api/v1/talent/occupations")).json()
    assert [o["code"] for o in occupations] == ["2-02-10-09", "4-04-05-05"]
    assert occupations[0]["tracks"] == ["算法工程师", "运维工程师"]


async def test_two_first_saves_at_once_both_succeed(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    answers = await asyncio.gather(*(client.put(url, json={**GOOD, "completed": n}, headers=reporter) for n in (1, 2)))
    assert [a.status_code for a in answers] == [200, 200]
    assert await TraineeReport.filter(programme_id=programme_id).count() == 1


async def test_validate_judges_values_without_saving_them(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    passing = await client.post(url + "/validate", json=GOOD, headers=reporter)
    assert passing.status_code == 200, passing.text
    assert passing.json() == {"opening": 0, "closing": 38, "findings": []}
    failing = (
        await client.post(url + "/validate", json={"new_male": 3, "completed": 2, "dropped": 4}, headers=reporter)
    ).json()
    assert failing["closing"] == -3
    assert [(f["rule"], f["importance"], f["field"], f["message"]) for f in failing["findings"]] == [
        ("closing_negative", "error", "dropped", "期末在训人数为 -3，不能为负：期初 + 新增 − 结业 − 流失须 ≥ 0"),
        ("new_without_hours", "warning", "training_hours", "本期新增 3 人，但培训课时为 0"),
    ]
    assert (await client.get(url, headers=reporter)).json()["id"] is None  # nothing was written
    assert (await client.get(url + "/history", headers=reporter)).json() == []


async def test_validate_refuses_bad_input_and_other_bases(client: httpx.AsyncClient) -> None:
    admin, _, base_id, programme_id = await setup(client)
    other, _ = await base_with_reporter(client, admin, "other@base.cn", region="shizhong")
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}/validate"
    answer = await client.post(url, json={"new_male": -1}, headers=admin)
    assert answer.status_code == 422
    assert [tuple(e["loc"]) for e in answer.json()["errors"]] == [("body", "new_male")]
    assert (await client.post(url, json=GOOD, headers=other)).status_code == 403
    english = await client.post(
        url, json={**GOOD, "dropped": 50}, headers={**admin, "Accept-Language": "en"}
    )  # the admin signed up without a language of their own
    assert english.json()["findings"][0]["field"] == "dropped"
    levels = {**GOOD, "levels": {"5": {"assessed": 1, "certified": 2}}}
    assert (await client.patch("/api/v1/me", json={"locale": "en"}, headers=admin)).status_code == 200
    named = await client.post(url, json=levels, headers=admin)  # the level by its name, in the reader's language
    assert [f["message"] for f in named.json()["findings"] if f["rule"] == "certified_above_assessed"] == [
        "Level 5 / junior worker: certified (2) cannot exceed assessed (1)"
    ]


async def test_a_reporters_copy_of_their_data_lists_the_reports_they_filed_and_erasing_them_keeps_the_report(
    client: httpx.AsyncClient,
) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    await client.put(url, json=GOOD, headers=reporter)
    await client.post(url + "/submit", headers=reporter)
    filed = (await client.get("/api/v1/me/data", headers=reporter)).json()["talent_reports"]
    assert [(r["period"], r["status"], r["completed"]) for r in filed] == [("2026-10", "submitted", GOOD["completed"])]
    assert (await client.get("/api/v1/me/data", headers=admin)).json()["talent_reports"] == []  # not filed by them
    assert (await client.post("/api/v1/me/erase", json={"confirm": True}, headers=reporter)).status_code == 200
    kept = (await client.get(url, headers=admin)).json()
    assert (kept["status"], kept["completed"]) == ("submitted", GOOD["completed"])  # the base's figures stay
    history = (await client.get(url + "/history", headers=admin)).json()
    assert history and {h["who"] for h in history} == {"forgotten"}  # who filed them: forgotten
