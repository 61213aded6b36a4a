"""The live entry code in a real browser: it changes with each ten-second window; the door names a refused code."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import expect

from events.entry_codes import WINDOW_SECONDS
from tests.e2e.support import ADMIN, NewPage, seed_forum, sign_in


async def test_the_registrants_page_shows_a_code_that_changes_and_the_door_takes_the_live_one(
    site: tuple[str, int], admin: httpx.Client, new_page: NewPage
) -> None:
    base, _ = site
    event_id = seed_forum(admin, static_entry_code=False)  # only the live code admits: no printable link
    made = httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": f"{uuid.uuid4().hex[:8]}@example.cn",
            "name": "孙七",
            "answers": {"company": "济南数据"},
        },
    ).json()
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    await page.goto(f"{base}/registrations/{made['id']}?token={made['manage_token']}")
    payload = page.locator("[data-test=entry-payload]")
    await expect(page.get_by_role("img", name="入场码")).to_be_visible()
    await expect(page.get_by_text("入场码每隔几秒刷新：请在现场出示实时页面，截图无效。")).to_be_visible()
    await expect(page.get_by_role("link", name="可打印的签到码（离线备用）")).to_have_count(0)
    first_code = await payload.inner_text()
    first_image = await page.get_by_role("img", name="入场码").get_attribute("src")
    assert first_code.startswith(f"QE.{uuid.UUID(made['id']).hex}.")
    await expect(payload).not_to_have_text(first_code, timeout=(WINDOW_SECONDS + 3) * 1000)
    assert await page.get_by_role("img", name="入场码").get_attribute("src") != first_image
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # the payload wraps on a phone
    shown = await payload.inner_text()
    checked = admin.post(f"/events/{event_id}/check-in", json={"qr": shown, "nonce": uuid.uuid4().hex})
    assert checked.status_code == 200 and checked.json()["name"] == "孙七"


async def test_the_door_names_a_printed_code_that_the_event_turned_off(
    site: tuple[str, int], admin: httpx.Client, new_page: NewPage
) -> None:
    base, _ = site
    event_id = seed_forum(admin, static_entry_code=False)
    made = httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": f"{uuid.uuid4().hex[:8]}@example.cn",
            "name": "周八",
            "answers": {"company": "济南数据"},
        },
    ).json()
    manage = {"Authorization": f"Bearer {made['manage_token']}"}
    printed = httpx.get(f"{base}/api/v1/registrations/{made['id']}", headers=manage).json()["qr"]
    check_in = f"/api/v1/events/{event_id}/check-in"
    page = await new_page(locale="zh-CN", expected_failures=[(409, check_in)])  # the printed code, refused
    await sign_in(page, base, ADMIN[0])
    await page.goto(f"{base}/events/{event_id}/door")
    await page.get_by_label("扫码或输入入场码").fill(printed)
    await page.get_by_label("扫码或输入入场码").press("Enter")
    refusal = "本活动只接受报名页面上的实时入场码，打印的静态签到码已停用。"
    await expect(page.get_by_role("status")).to_have_text(refusal)


async def test_an_organiser_turns_the_printed_code_off_in_the_event_editor(
    site: tuple[str, int], admin: httpx.Client, new_page: NewPage
) -> None:
    base, _ = site
    event_id = seed_forum(admin)
    page = await new_page(locale="zh-CN")
    await sign_in(page, base, ADMIN[0])
    await page.goto(f"{base}/console/events/{event_id}/edit")
    printed = page.get_by_label("接受打印的静态签到码（离线备用；关闭后只认报名页面上的实时入场码）")
    await expect(printed).to_be_checked()
    await printed.uncheck()
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_have_text("已保存")
    assert admin.get(f"/events/{event_id}").json()["static_entry_code"] is False
