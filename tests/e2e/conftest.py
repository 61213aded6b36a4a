"""Browser tests: one running service (the embedded default) for the whole run, Debian's Chromium driven by
Playwright, and pages that fail their test on any console error or uncaught exception."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from tests.e2e.support import (
    ADMIN,
    CHROMIUM,
    LIMITS,
    REPORT_POLICY_VIOLATIONS,
    NewPage,
    expected_failure,
    seed_forum,
)
from tests.server.support import run, serving

# Two cores serve the app, both databases' fixtures and Chromium at once: an answer can take longer than
# Playwright's default 5 s wait without anything being wrong, so assertions wait up to 15 s.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (.ci/run installs it)")
    for item in items:
        if CHROMIUM is None and "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The service's DATA_DIR: its SQLite database, where the tests read the links it mailed."""
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="session")
def base_url(data_dir: Path) -> Iterator[str]:
    """A running service on the embedded default with an admin account."""
    data = data_dir
    run(["migrate"], data)
    run(["createadmin", "--email", ADMIN[0], "--password", ADMIN[1]], data)
    # Every browser test signs up and logs in from 127.0.0.1: as one office behind a NAT, which the defaults would
    # limit to 30 sign-ups and 100 logins in 15 minutes.
    with serving(data, env={"SIGNUP_LIMIT_PER_CLIENT": "1000", "LOGIN_LIMIT_PER_CLIENT": "1000"}) as base:
        yield base


@pytest.fixture(scope="session")
def admin(base_url: str) -> Iterator[httpx.Client]:
    """An API client signed in as the admin."""
    token = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base_url}/api/v1", headers=headers, limits=LIMITS) as client:
        yield client


@pytest.fixture(scope="session")
def site(base_url: str, admin: httpx.Client) -> tuple[str, int]:
    """The service and one published forum of one seat: (url, event id). It is the only event on 2030-03-17, a day
    before the other tests' forums, so a list from that day shows it first however many events the others seed."""
    return base_url, seed_forum(admin, starts_at="2030-03-17T09:00:00+08:00", ends_at="2030-03-17T17:00:00+08:00")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        await launched.close()


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[NewPage]:
    """Open pages like `browser.new_page(...)`; the test fails if any of them logged an error (a violation of the
    Content-Security-Policy included).

    Chromium logs every 4xx answer as a console error, so a failed request fails the test too, unless the test
    names that very answer: `new_page(expected_failures=[(409, "/api/v1/registrations/*/approve")], ...)`.
    """
    errors: list[str] = []

    async def open_page(*, expected_failures: Collection[tuple[int, str]] = (), **options: Any) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and not expected_failure(message, expected_failures):
                errors.append(f"console.error: {message.text} ({message.location.get('url')})")

        page = await browser.new_page(**options)
        await page.add_init_script(REPORT_POLICY_VIOLATIONS)
        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        return page

    yield open_page
    assert not errors, "\n".join(errors)
