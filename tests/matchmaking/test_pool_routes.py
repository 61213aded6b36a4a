"""The pool over HTTP: guards, contact details by sign-in, field errors in both languages, moves and reasons."""

from __future__ import annotations

import httpx

from tests.events.support import organiser
from tests.matchmaking.support import NEED, SOLUTION, company, published_over_http
from tests.support import sign_up


async def test_a_need_goes_from_draft_to_published_and_is_found_with_contacts_for_signed_in_readers(
    client: httpx.AsyncClient,
) -> None:
    hospital, hospital_id = await company(client, "it@hospital.cn")
    curator, _ = await organiser(client)
    entry_id = await published_over_http(client, hospital, curator, {**NEED, "organisation_id": hospital_id})
    anonymous = await client.get("/api/v1/pool-entries", params={"q": "影像诊断", "kind": "need"})
    assert anonymous.status_code == 200
    page = anonymous.json()
    assert (page["total"], page["page"], [item["id"] for item in page["items"]]) == (1, 1, [entry_id])
    assert "contact" not in page["items"][0]
    assert page["items"][0]["description_html"].startswith("<p>我院放射科每日新增<strong>CT影像</strong>")
    reader = await sign_up(client, "reader@company.cn")
    one = (await client.get(f"/api/v1/pool-entries/{entry_id}", headers=reader)).json()
    assert one["contact"] == {"name": "王敏", "phone": "0531-8888 6666", "email": "wangmin@hospital.cn"}
    assert (one["state"], one["budget_band"], one["region"]) == ("published", "100k_500k", "lixia")
    assert "contact" not in (await client.get(f"/api/v1/pool-entries/{entry_id}")).json()


async def test_a_draft_is_hidden_from_strangers_and_only_its_organisation_edits_it(client: httpx.AsyncClient) -> None:
    hospital, hospital_id = await company(client, "it@hospital.cn")
    curator, _ = await organiser(client)
    stranger = await sign_up(client, "stranger@other.cn")
    created = await client.post("/api/v1/pool-entries", json={**NEED, "organisation_id": hospital_id}, headers=hospital)
    entry_id = created.json()["id"]
    assert (await client.get(f"/api/v1/pool-entries/{entry_id}")).status_code == 404
    assert (await client.get(f"/api/v1/pool-entries/{entry_id}", headers=stranger)).status_code == 404
    patch = {"expected_timing": "2027年"}
    assert (await client.patch(f"/api/v1/pool-entries/{entry_id}", json=patch, headers=stranger)).status_code == 404
    assert (await client.patch(f"/api/v1/pool-entries/{entry_id}", json=patch, headers=curator)).status_code == 403
    edited = await client.patch(f"/api/v1/pool-entries/{entry_id}", json=patch, headers=hospital)
    assert (edited.status_code, edited.json()["expected_timing"]) == (200, "2027年")
    anonymous = await client.patch(f"/api/v1/pool-entries/{entry_id}", json=patch)
    assert anonymous.status_code == 401


async def test_creating_for_another_organisation_is_refused(client: httpx.AsyncClient) -> None:
    _, hospital_id = await company(client, "it@hospital.cn")
    stranger = await sign_up(client, "stranger@other.cn")
    answer = await client.post("/api/v1/pool-entries", json={**NEED, "organisation_id": hospital_id}, headers=stranger)
    assert answer.status_code == 403


async def test_bad_input_gets_field_errors_in_chinese_and_english(client: httpx.AsyncClient) -> None:
    hospital, hospital_id = await company(client, "it@hospital.cn")
    body = {
        **NEED,
        "organisation_id": hospital_id,
        "title": {"zh": "影" * 201},
        "contact": {**NEED["contact"], "phone": "call me"},
    }
    answer = await client.post("/api/v1/pool-entries", json=body, headers=hospital)
    assert answer.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in answer.json()["errors"]}
    assert errors[("body", "title", "zh")] == "不能超过 200 个字符"
    assert ("body", "contact", "phone") in errors
    vendor, vendor_id = await company(client, "sales@ai.cn", locale="en")  # the account's language wins
    wrong_kind = {**NEED, "organisation_id": vendor_id, "region": None, "maturity": "scaled"}
    english = await client.post("/api/v1/pool-entries", json=wrong_kind, headers={**vendor, "Accept-Language": "zh"})
    assert english.status_code == 422
    assert {tuple(e["loc"]): e["msg"] for e in english.json()["errors"]} == {
        ("body", "region"): "Required for a need",
        ("body", "maturity"): "Not part of a need",
    }


async def test_moves_follow_the_table_and_the_side_of_the_caller(client: httpx.AsyncClient) -> None:
    hospital, hospital_id = await company(client, "it@hospital.cn")
    curator, _ = await organiser(client)
    created = await client.post("/api/v1/pool-entries", json={**NEED, "organisation_id": hospital_id}, headers=hospital)
    state = f"/api/v1/pool-entries/{created.json()['id']}/state"
    early = await client.post(state, json={"state": "published"}, headers=curator)  # a draft is not submitted yet
    assert early.status_code == 409
    assert (await client.post(state, json={"state": "submitted"}, headers=hospital)).status_code == 200
    assert (await client.post(state, json={"state": "published"}, headers=hospital)).status_code == 403
    returned = await client.post(state, json={"state": "draft", "reason": "请补充预算"}, headers=curator)
    assert returned.json()["state"] == "draft"
    skipped = await client.post(state, json={"state": "matched"}, headers=hospital)
    assert skipped.status_code == 409
    assert skipped.json()["detail"] == "资源池条目状态为“草稿”，不能变为“已对接”。"
    unknown = await client.post(state, json={"state": "archived"}, headers=hospital)
    assert unknown.status_code == 422


async def test_recommendations_come_with_reasons_in_the_caller_s_language(client: httpx.AsyncClient) -> None:
    hospital, hospital_id = await company(client, "it@hospital.cn")
    vendor, vendor_id = await company(client, "sales@ai.cn")
    curator, _ = await organiser(client)
    need_id = await published_over_http(client, hospital, curator, {**NEED, "organisation_id": hospital_id})
    solution_id = await published_over_http(client, vendor, curator, {**SOLUTION, "organisation_id": vendor_id})
    answer = await client.get(f"/api/v1/pool-entries/{need_id}/recommendations", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    [found] = answer.json()
    assert (found["entry"]["id"], found["shared_domains"]) == (solution_id, ["healthcare"])
    assert found["reason"].startswith(
        "Both work on: Healthcare; The need “AI-assisted imaging diagnosis” is close to the solution “肺结节AI筛查”"
    )
    assert "contact" not in found["entry"]
    signed_in = await client.get(f"/api/v1/pool-entries/{solution_id}/recommendations", headers=vendor)
    [back] = signed_in.json()
    assert back["entry"]["id"] == need_id and back["entry"]["contact"]["name"] == "王敏"
    assert back["reason"].startswith("双方均关注: 医疗健康; 方案『肺结节AI筛查』与需求『影像辅助诊断』相近")
    assert (await client.get("/api/v1/pool-entries/999999/recommendations")).status_code == 404


async def test_an_organisation_lists_its_own_entries_in_every_state(client: httpx.AsyncClient) -> None:
    hospital, hospital_id = await company(client, "it@hospital.cn")
    curator, _ = await organiser(client)
    published_id = await published_over_http(client, hospital, curator, {**NEED, "organisation_id": hospital_id})
    draft = await client.post("/api/v1/pool-entries", json={**NEED, "organisation_id": hospital_id}, headers=hospital)
    listed = await client.get(f"/api/v1/organisations/{hospital_id}/pool-entries", headers=hospital)
    assert listed.status_code == 200
    assert [(item["id"], item["state"]) for item in listed.json()["items"]] == [
        (draft.json()["id"], "draft"),
        (published_id, "published"),
    ]
    assert listed.json()["total"] == 2 and listed.json()["items"][0]["contact"]["name"] == "王敏"
    stranger = await sign_up(client, "stranger@other.cn")
    refused = await client.get(f"/api/v1/organisations/{hospital_id}/pool-entries", headers=stranger)
    assert refused.status_code == 403
    assert (await client.get(f"/api/v1/organisations/{hospital_id}/pool-entries")).status_code == 401
