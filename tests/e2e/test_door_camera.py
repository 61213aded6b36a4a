"""Check-in by camera where the browser has no BarcodeDetector (desktop Linux Chromium): Chromium's fake camera
plays a Y4M file that shows a real registration's QR code, and the door page reads it with jsQR."""

from __future__ import annotations

from pathlib import Path

import httpx
import segno
from playwright.async_api import Page, async_playwright, expect

from tests.e2e.support import ADMIN, CHROMIUM, seed_forum

WIDTH, HEIGHT = 640, 480


def write_y4m(path: Path, text: str, frames: int = 3) -> None:
    """A grey-free 4:2:0 video of `frames` identical frames: the QR code of `text`, black on white, centred."""
    rows = [bytes(0 if dark else 255 for dark in row) for row in segno.make_qr(text).matrix_iter(scale=8, border=4)]
    top, left = (HEIGHT - len(rows)) // 2, (WIDTH - len(rows[0])) // 2
    luma = bytearray(b"\xff" * WIDTH * HEIGHT)
    for y, row in enumerate(rows):
        start = (top + y) * WIDTH + left
        luma[start : start + len(row)] = row
    chroma = b"\x80" * (WIDTH // 2) * (HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F1:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


async def open_door(page: Page, base_url: str, event_id: int) -> None:
    """Sign the page in as the admin and open the event's door page."""
    await page.goto(base_url + "/login")
    await page.get_by_label("邮箱").fill(ADMIN[0])
    await page.get_by_label("密码（至少 10 位）").fill(ADMIN[1])
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="我的报名")).to_be_visible()
    await page.goto(f"{base_url}/events/{event_id}/door")


async def test_the_door_checks_a_person_in_by_camera_without_barcode_detector(
    base_url: str, admin: httpx.Client, tmp_path: Path
) -> None:
    event_id = seed_forum(admin, title={"zh": "摄像头签到演练", "en": "Camera check-in drill"})
    made = httpx.post(
        f"{base_url}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "sun.qi@example.cn",
            "name": "孙七",
            "answers": {"company": "济南视觉"},
        },
    ).json()
    shown = httpx.get(
        f"{base_url}/api/v1/registrations/{made['id']}", headers={"Authorization": f"Bearer {made['manage_token']}"}
    ).json()
    camera = tmp_path / "qr.y4m"
    write_y4m(camera, shown["qr"])

    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}",
            ],
        )
        page = await browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
        page.on("pageerror", lambda error: errors.append(str(error)))
        await open_door(page, base_url, event_id)
        assert await page.evaluate("'BarcodeDetector' in window") is False  # so the page must decode by itself
        await page.get_by_role("button", name="用摄像头扫码").click()
        await expect(page.get_by_role("status")).to_have_text("签到成功：孙七")
        assert await page.evaluate("typeof window.jsQR") == "function"
        await page.wait_for_timeout(1000)  # five more frames of the same code, which is not sent again
        await expect(page.get_by_role("status")).to_have_text("签到成功：孙七")
        await page.get_by_role("button", name="停止扫码").click()
        await browser.close()
    assert not errors
    checked = httpx.get(
        f"{base_url}/api/v1/registrations/{made['id']}", headers={"Authorization": f"Bearer {made['manage_token']}"}
    ).json()
    assert checked["checked_in_at"] is not None


async def test_the_door_says_so_when_there_is_no_camera(base_url: str, admin: httpx.Client) -> None:
    event_id = seed_forum(admin, title={"zh": "无摄像头签到演练", "en": "No-camera check-in drill"})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = await browser.new_context(locale="zh-CN")
        page = await context.new_page()
        await open_door(page, base_url, event_id)
        await page.get_by_role("button", name="用摄像头扫码").click()  # headless, no fake device: no camera
        await expect(page.get_by_role("status")).to_have_text("无法打开摄像头，请改用扫码枪或手动输入")
        await expect(page.get_by_role("button", name="用摄像头扫码")).to_be_visible()
        await browser.close()
