"""Custom questions: every kind validated on the server, and limited choices that never overbook."""

from __future__ import annotations

from typing import Any

import httpx

from events.models import Quota
from tests.events.support import organiser, published_event, register

QUESTIONS: list[dict[str, Any]] = [
    {"key": "company", "kind": "text", "label": {"zh": "单位名称", "en": "Company"}, "required": True},
    {"key": "needs", "kind": "long_text", "label": {"zh": "需求描述"}},
    {"key": "staff", "kind": "number", "label": {"zh": "员工人数"}, "minimum": 1, "maximum": 100000},
    {
        "key": "track",
        "kind": "single_choice",
        "label": {"zh": "分论坛"},
        "required": True,
        "choices": [
            {"key": "mfg", "label": {"zh": "智能制造"}, "limit": 1},
            {"key": "health", "label": {"zh": "医疗健康"}},
        ],
    },
    {
        "key": "topics",
        "kind": "multi_choice",
        "label": {"zh": "关注方向"},
        "choices": [
            {"key": "llm", "label": {"zh": "大模型", "en": "LLMs"}},
            {"key": "vision", "label": {"zh": "视觉"}},
        ],
    },
    {"key": "lunch", "kind": "bool", "label": {"zh": "是否用餐"}},
    {"key": "arrival", "kind": "date", "label": {"zh": "到达日期"}},
    {"key": "mobile", "kind": "phone", "label": {"zh": "手机号"}},
    {"key": "uscc", "kind": "uscc", "label": {"zh": "统一社会信用代码"}},
    {"key": "contact", "kind": "email", "label": {"zh": "联系人邮箱"}},
]

GOOD = {
    "company": "济南智造",
    "needs": "质检",
    "staff": 120,
    "track": "mfg",
    "topics": ["vision", "llm", "llm"],
    "lunch": True,
    "arrival": "2026-12-01",
    "mobile": "+86 138 1234 5678",
    "uscc": "91350100m000100y43",
    "contact": "HR@Example.cn",
}


async def event_with_questions(client: httpx.AsyncClient) -> tuple[dict[str, str], int]:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    for question in QUESTIONS:
        added = await client.post(f"/api/v1/events/{event_id}/questions", json=question, headers=headers)
        assert added.status_code == 201, added.text
    return headers, event_id


async def test_good_answers_are_stored_cleaned(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_questions(client)
    made = await register(client, event_id, "ok@x.cn", answers=GOOD)
    assert made.status_code == 201, made.text
    stored = (await client.get(f"/api/v1/registrations/{made.json()['id']}", headers=headers)).json()["answers"]
    assert stored == {
        "company": "济南智造",
        "needs": "质检",
        "staff": 120.0,
        "track": "mfg",
        "topics": ["llm", "vision"],
        "lunch": True,
        "arrival": "2026-12-01",
        "mobile": "+8613812345678",
        "uscc": "91350100M000100Y43",
        "contact": "hr@example.cn",
    }
    listed = (await client.get(f"/api/v1/events/{event_id}/questions")).json()
    assert [q["key"] for q in listed] == [q["key"] for q in QUESTIONS]


async def test_every_kind_refuses_bad_answers_with_a_message_on_that_answer(client: httpx.AsyncClient) -> None:
    _, event_id = await event_with_questions(client)
    bad = {
        "needs": "x" * 5001,
        "staff": 0,
        "track": "space",
        "topics": ["llm", "cooking"],
        "lunch": "maybe",
        "arrival": "tomorrow",
        "mobile": "12345",
        "uscc": "91350100M000100Y44",
        "contact": "nope",
        "extra": 1,
    }
    answer = await register(client, event_id, "bad@x.cn", answers=bad)
    assert answer.status_code == 422
    errors = {tuple(e["loc"][2:]): e["msg"] for e in answer.json()["errors"]}
    assert errors == {
        ("company",): "此字段为必填项",
        ("needs",): "不能超过 5000 个字符",
        ("staff",): "应不小于 1.0",
        ("track",): "取值应为以下之一：'mfg'、'health'",
        ("topics", 1): "取值应为以下之一：'llm'、'vision'",
        ("lunch",): "应为是或否（true/false）",
        ("arrival",): "日期格式不正确（应为 YYYY-MM-DD）",
        ("mobile",): "手机号码格式不正确（仅支持中国大陆手机号，+86 加 1 开头的 11 位数字）",
        ("uscc",): "统一社会信用代码校验位不正确",
        ("contact",): "邮箱地址格式不正确",
        ("extra",): "不允许此字段",
    }
    assert all(e["loc"][:2] == ["body", "answers"] for e in answer.json()["errors"])


async def test_one_answer_lists_the_body_and_the_answer_errors_together_in_either_language(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await event_with_questions(client)
    path = f"/api/v1/events/{event_id}/registrations"
    body = {"email": "not-an-email", "name": "李雷", "answers": {"staff": 0}, "privacy_notice_version": 0}
    expected = {
        "zh-CN": {
            ("body", "email"): "邮箱地址格式不正确",
            ("body", "answers", "company"): "此字段为必填项",
            ("body", "answers", "staff"): "应不小于 1.0",
            ("body", "answers", "track"): "此字段为必填项",
        },
        "en": {
            ("body", "email"): "Not a valid email address",
            ("body", "answers", "company"): "This field is required",
            ("body", "answers", "staff"): "Must be at least 1.0",
            ("body", "answers", "track"): "This field is required",
        },
    }
    for locale, messages in expected.items():
        answer = await client.post(path, json=body, headers={"Accept-Language": locale})
        assert answer.status_code == 422, answer.text
        assert {tuple(e["loc"]): e["msg"] for e in answer.json()["errors"]} == messages
    spec = (await client.get("/api/v1/openapi.json")).json()["paths"]["/api/v1/events/{event_id}/registrations"]
    documented = spec["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert documented["$ref"].endswith("/RegistrationIn")  # still documented, though the handler validates it
    no_email = await client.post(path, json={"name": "李雷"})  # without an account the address is required
    assert {tuple(e["loc"]): e["type"] for e in no_email.json()["errors"]} == {
        ("body", "email"): "missing",
        ("body", "privacy_notice_version"): "missing",  # the notice not accepted
        ("body", "answers", "company"): "missing",
        ("body", "answers", "track"): "missing",
    }


async def test_a_full_choice_is_refused_on_that_answer_while_seats_remain(client: httpx.AsyncClient) -> None:
    _, event_id = await event_with_questions(client)
    assert (await register(client, event_id, "m1@x.cn", answers=GOOD)).status_code == 201
    full = await register(client, event_id, "m2@x.cn", answers=GOOD)
    assert full.status_code == 422
    assert full.json()["errors"] == [
        {"loc": ["body", "answers", "track"], "msg": "该选项名额已满，请选择其他选项", "type": "choice_full"}
    ]
    [track] = [q for q in (await client.get(f"/api/v1/events/{event_id}/questions")).json() if q["key"] == "track"]
    assert {choice["key"]: choice["full"] for choice in track["choices"]} == {"mfg": True, "health": False}
    assert (await register(client, event_id, "m2@x.cn", answers={**GOOD, "track": "health"})).status_code == 201
    choice_quota = await Quota.get(choice_key="mfg")
    assert (choice_quota.used, choice_quota.size) == (1, 1)


async def test_question_definitions_are_validated(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    url = f"/api/v1/events/{event_id}/questions"
    cases = [
        ({"key": "Bad Key", "kind": "text", "label": {"zh": "x"}}, ["body", "key"]),
        ({"key": "c", "kind": "single_choice", "label": {"zh": "x"}}, ["body"]),
        ({"key": "n", "kind": "number", "label": {"zh": "x"}, "minimum": 5, "maximum": 1}, ["body"]),
        ({"key": "t", "kind": "text", "label": {"zh": "x"}, "minimum": 1}, ["body"]),
        (
            {
                "key": "d",
                "kind": "multi_choice",
                "label": {"zh": "x"},
                "choices": [{"key": "a", "label": {"zh": "a"}}, {"key": "a", "label": {"zh": "b"}}],
            },
            ["body"],
        ),
    ]
    for body, loc in cases:
        answer = await client.post(url, json=body, headers=headers)
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == loc, body
    ok = {"key": "k", "kind": "text", "label": {"zh": "x"}}
    assert (await client.post(url, json=ok, headers=headers)).status_code == 201
    again = await client.post(url, json=ok, headers=headers)
    assert again.status_code == 422 and again.json()["errors"][0]["msg"] == "本活动已有相同标识的问题"


async def test_questions_and_ticket_types_are_removed_only_while_nothing_depends_on_them(
    client: httpx.AsyncClient,
) -> None:
    headers, event_id = await event_with_questions(client)
    track = next(q for q in (await client.get(f"/api/v1/events/{event_id}/questions")).json() if q["key"] == "track")
    other = await client.post(f"/api/v1/events/{event_id}/questions", json=QUESTIONS[1] | {"key": "x"}, headers=headers)
    removed = await client.delete(f"/api/v1/events/{event_id}/questions/{track['id']}", headers=headers)
    assert removed.status_code == 204
    keys = [q["key"] for q in (await client.get(f"/api/v1/events/{event_id}/questions")).json()]
    assert "track" not in keys and "x" in keys
    assert not await Quota.filter(event_id=event_id, choice_key="mfg").exists()  # its choice's quota went too

    types = f"/api/v1/events/{event_id}/ticket-types"
    default = (await client.get(types)).json()[0]["id"]
    vip = (await client.post(types, json={"name": {"zh": "嘉宾"}}, headers=headers)).json()["id"]
    spare = (await client.post(types, json={"name": {"zh": "备用"}}, headers=headers)).json()["id"]
    spare_only = {"name": "备用席", "size": 5, "ticket_types": [spare]}
    assert (await client.post(f"/api/v1/events/{event_id}/quotas", json=spare_only, headers=headers)).status_code == 201
    shared = {"name": "嘉宾与备用", "size": 9, "ticket_types": [vip, spare]}
    assert (await client.post(f"/api/v1/events/{event_id}/quotas", json=shared, headers=headers)).status_code == 201
    assert (await client.delete(f"{types}/{spare}", headers=headers)).status_code == 204
    quotas = (await client.get(f"/api/v1/events/{event_id}/quotas", headers=headers)).json()
    assert [(q["name"], q["ticket_types"]) for q in quotas if not q["covers_all"] and not q["question_key"]] == [
        ("嘉宾与备用", [vip])  # the quota over the spare type alone went with it; the shared one stays
    ]
    answers = {k: v for k, v in GOOD.items() if k != "track"}
    assert (await register(client, event_id, "vip@x.cn", answers=answers, ticket_type=vip)).status_code == 201

    refused = await client.delete(f"{types}/{vip}", headers=headers)  # in the organiser's language
    assert (refused.status_code, refused.json()["title"]) == (409, "票种已被使用")
    refused = await client.delete(f"{types}/{default}", headers=headers)
    assert (refused.status_code, refused.json()["title"]) == (409, "不能删除默认票种")
    refused = await client.delete(f"/api/v1/events/{event_id}/questions/{other.json()['id']}", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "活动已有报名，删除问题会丢失已填写的回答，因此不能删除。"
    assert [t["id"] for t in (await client.get(types)).json()] == [default, vip]

    stranger, _ = await organiser(client, "stranger@organiser.cn")
    assert (await client.delete(f"{types}/{vip}", headers=stranger)).status_code == 403
    assert (await client.delete(f"{types}/999999", headers=headers)).status_code == 404
