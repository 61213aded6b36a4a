"""The Markdown preview (what the organiser sees while typing is what the public page will show) and the images a
text may show: the site's own, and remote ones only from MARKDOWN_IMAGE_HOSTS."""

from __future__ import annotations

from pathlib import Path

import httpx

from server import markdown
from server.app import create_app
from server.settings import load_settings
from tests.events.support import event_body, organiser
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


PIXEL = (
    "# 议程\n\n![统计](https://track.example.com/p.gif) ![海报](https://img.jinan.cn/poster.png)"
    " ![标志](/static/favicon.svg)"
)


async def test_an_event_description_drops_remote_images_but_keeps_the_sites_own(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    created = await client.post("/api/v1/events", json=event_body(org_id, description=PIXEL), headers=headers)
    assert created.status_code == 201
    html = created.json()["description_html"]
    assert "track.example.com" not in html and "img.jinan.cn" not in html
    assert '<img src="/static/favicon.svg" alt="标志">' in html
    assert "<p>统计 海报 " in html  # the dropped images leave their alt text


async def test_an_allowed_image_host_keeps_its_images(db: str, tmp_path: Path) -> None:
    settings = load_settings(
        DATABASE_URL=db, DATA_DIR=tmp_path, SECRET_KEY="k" * 40, MARKDOWN_IMAGE_HOSTS="img.jinan.cn"
    )
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers, org_id = await organiser(client)
            body = event_body(org_id, description=PIXEL)
            html = (await client.post("/api/v1/events", json=body, headers=headers)).json()["description_html"]
    finally:
        markdown.allow_image_hosts(())  # the module keeps the last app's list
    assert '<img src="https://img.jinan.cn/poster.png" alt="海报">' in html
    assert "track.example.com" not in html


def test_only_https_paths_and_exact_allowed_hosts_count_as_allowed() -> None:
    markdown.allow_image_hosts(["img.jinan.cn"])
    try:
        allowed = [src for src in SOURCES if markdown.image_allowed(src)]
    finally:
        markdown.allow_image_hosts(())
    assert allowed == ["/static/a.png", "poster.png", "https://img.jinan.cn/a.png", "https://IMG.jinan.cn/a.png"]


SOURCES = [
    "/static/a.png",
    "poster.png",
    "https://img.jinan.cn/a.png",
    "https://IMG.jinan.cn/a.png",
    "http://img.jinan.cn/a.png",  # not over http: the page is https
    "//img.jinan.cn/a.png",
    "/\\track.example.com/p.gif",
    "https://img.jinan.cn.track.example.com/p.gif",
    "https://evil.cn#img.jinan.cn",
    "https://img.jinan.cn@track.example.com/p.gif",
    "data:image/gif;base64,R0lGOD",
]
