"""Every kind of mail, made by real actions, links only to pages the web UI serves or API paths that answer."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from notifications.models import OutboxMessage
from notifications.templates import TEMPLATES, render
from tests.notifications.support import every_kind_of_mail

APP = Path(__file__).resolve().parents[2] / "static" / "app"


def page_table(script: str, table: str) -> list[re.Pattern[str]]:
    """The path patterns of a page table in the web UI (`const PAGES = [[/^...$/, "Page"], ...]`)."""
    source = (APP / script).read_text("utf-8")
    body = source.split(f"const {table} = [", 1)[1].split("];", 1)[0]
    return [re.compile(literal) for literal in re.findall(r"\[/(\^.*?\$)/,", body)]


PAGES = page_table("main.js", "PAGES")
TALENT_PAGES = page_table("talent.js", "ROUTES")


def is_page(path: str) -> bool:
    if path == "/":
        return True
    if not any(pattern.match(path) for pattern in PAGES):
        return False
    return not path.startswith("/talent") or any(pattern.match(path) for pattern in TALENT_PAGES)


async def test_every_link_in_every_mail_opens_a_real_page_or_answers(client: httpx.AsyncClient) -> None:
    await every_kind_of_mail(client)
    mails = await OutboxMessage.all().order_by("id")
    assert {mail.template for mail in mails} == set(TEMPLATES)
    broken = []
    linked = set()
    for mail in mails:
        rendered = render(mail.template, mail.locale, mail.context)
        for url in re.findall(r"https?://[^\s<>\"')]+", rendered.text):
            parts = urlsplit(url)
            linked.add(mail.template)
            if parts.path.startswith("/api/"):
                if not (await client.get(f"{parts.path}?{parts.query}")).is_success:
                    broken.append((mail.template, url))
            elif not is_page(parts.path):
                broken.append((mail.template, url))
    assert {"registration_offered", "reminder", "report_due", "report_overdue", "report_overdue_digest"} <= linked
    assert broken == []
