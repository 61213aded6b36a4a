"""The Markdown preview: what the organiser sees while typing is what the public page will show."""

from __future__ import annotations

import httpx

from tests.support import sign_up


async def test_a_signed_in_user_previews_sanitised_html(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "writer@example.cn")
    text = "# 议程\n\n<script>alert(1)</script> [链接](https://example.cn)\r\n"
    answer = await client.post("/api/v1/markdown", json={"text": text}, headers=headers)
    assert answer.status_code == 200
    html = answer.json()["html"]
    assert "<h1>议程</h1>" in html
    assert "<script>" not in html
    assert 'href="https://example.cn"' in html and 'rel="noopener noreferrer nofollow"' in html


async def test_too_long_or_not_text_gets_a_field_message(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "writer@example.cn")
    too_long = await client.post("/api/v1/markdown", json={"text": "字" * 20_001}, headers=headers)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["loc"] == ["body", "text"]
    assert too_long.json()["errors"][0]["msg"] == "不能超过 20000 个字符"
    wrong_type = await client.post("/api/v1/markdown", json={"text": ["# 标题"]}, headers=headers)
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"][0] == {"loc": ["body", "text"], "msg": "应为文本", "type": "string_type"}


async def test_anonymous_callers_are_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/markdown", json={"text": "# 标题"})
    assert answer.status_code == 401
