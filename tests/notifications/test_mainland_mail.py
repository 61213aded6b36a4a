"""Mail that mainland clients (QQ Mail, 163/126, Tencent Exmail) show as written and WeChat's browser opens:
each rule checked on the parsed MIME of every template in both languages, and of every kind of mail really made.

The rules: the HTML is laid out with tables and inline styles only (these clients drop `<style>`, classes and
most CSS on `div`s); it loads nothing (no images, fonts or style sheets from anywhere); the plain-text part says
everything the HTML says; the sender's display name is Chinese, RFC 2047 encoded; every link is an absolute
https address whose href is exactly the address the text shows (WeChat opens what the href holds)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

import notifications
from events import mailing
from notifications.mime import build_message
from notifications.models import Channel, OutboxMessage
from notifications.templates import TEMPLATES, _linked, preview
from notifications.transport import FileTransport
from notifications.worker import Worker
from server.i18n import LOCALES
from server.settings import Settings
from tests.notifications.support import BASE, every_kind_of_mail

TEMPLATE_DIR = Path(notifications.__file__).parent / "templates"
CHINESE = re.compile(r"[\u3400-\u9fff]")
URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
LAYOUT_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "h1", "p", "a", "br"}
STYLED = {"table", "td", "h1", "p", "a"}


class Page(HTMLParser):
    """What the rules look at in an HTML part: tags with their attributes, links, and the words a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, str]] = []  # (href, the link's text)
        self.words: list[str] = []
        self._open: list[str] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        if tag == "a":
            self._link = [dict(self.tags[-1][1]).get("href", "")]
        if tag not in ("br", "meta"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], "".join(self._link[1:]).strip()))
            self._link = None
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)
        if data.strip() and not {"title", "h1", "a"} & set(self._open):
            self.words.append(" ".join(data.split()))


def breaches(raw: bytes, *, subject_in_body: bool = False) -> list[str]:
    """Every rule a mail's bytes break, in words; none for a good mail."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    found: list[str] = []
    sender = next(line for line in raw.splitlines() if line.startswith(b"From: "))[len(b"From: ") :]
    if not re.match(rb"=\?utf-8\?[bq]\?", sender.strip(), re.IGNORECASE):
        found.append(f"sender name not RFC 2047 encoded: {sender!r}")
    address = message["From"].addresses[0]
    assert isinstance(address, Address)
    if not CHINESE.search(address.display_name):
        found.append(f"sender name not Chinese: {address.display_name!r}")

    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    if text_part is None or html_part is None:
        return [*found, "a plain-text and an HTML part are both needed"]
    text = " ".join(text_part.get_content().split())
    html = html_part.get_content()
    page = Page()
    page.feed(html)

    for tag, attrs in page.tags:
        if tag not in LAYOUT_TAGS:
            found.append(f"<{tag}> is not table layout (or loads something)")
        if "class" in attrs or "id" in attrs:
            found.append(f"<{tag}> styled by class or id, which these clients drop")
        if tag in STYLED and not attrs.get("style"):
            found.append(f"<{tag}> without an inline style")
        for name, value in attrs.items():
            if name == "src" or re.search(r"url\(|@import|@font-face", value, re.IGNORECASE):
                found.append(f"<{tag} {name}> loads from elsewhere: {value[:60]}")
    if not any(tag == "table" and attrs.get("role") == "presentation" for tag, attrs in page.tags):
        found.append("no layout table")

    for href, label in page.links:
        if not href.startswith("https://") or URL.fullmatch(href) is None:
            found.append(f"link not an absolute https address WeChat can open: {href!r}")
        if href not in text:
            found.append(f"link missing from the plain text: {href}")
        if label.startswith("http") and label != href:
            found.append(f"link shows {label!r} but opens {href!r}")
    hrefs = {href for href, _ in page.links}
    for url in URL.findall(text_part.get_content()):
        if url.rstrip(".,;:!?)]'") not in hrefs:
            found.append(f"address in the text is not a link in the HTML: {url}")
    for words in page.words:
        if words not in text:
            found.append(f"the plain text does not say: {words!r}")
    if subject_in_body and message["Subject"] not in html:
        found.append("the subject is not the HTML's heading")
    return found


def template_files() -> list[tuple[str, str]]:
    found = [(path.parent.name, path.stem) for path in sorted(TEMPLATE_DIR.glob("*/*.txt"))]
    return [(locale, name) for locale, name in found if locale in LOCALES]


def test_every_template_file_is_registered_in_both_languages() -> None:
    assert sorted(template_files()) == sorted((locale, name) for locale in LOCALES for name in TEMPLATES)


@pytest.mark.parametrize(("locale", "name"), template_files())
def test_every_template_keeps_the_mainland_rules(locale: str, name: str) -> None:
    rendered = preview(name, locale)
    message = build_message(
        rendered,
        to="li.lei@qq.com",
        to_name="李雷",
        sender="events@quancheng.gov.cn",
        sender_name="济南人工智能产业联盟",
        message_id=f"sample-{name}",
        calendar=None,
    )
    assert breaches(message.as_bytes(), subject_in_body=True) == []


async def test_every_kind_of_mail_really_made_keeps_the_mainland_rules(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "BASE_URL", BASE)  # a deployment's public https address, for the account mails
    mailing.configure(settings)  # and the events' mails
    await every_kind_of_mail(client)
    worker = Worker(FileTransport(settings.DATA_DIR / "mail"), sender="events@quancheng.gov.cn", sender_name="泉城活动")
    rows = await OutboxMessage.filter(channel=Channel.MAIL).order_by("id")
    assert {row.template for row in rows} == set(TEMPLATES)
    found = {row.template: breaches((await worker.compose(row)).as_bytes()) for row in rows}
    assert {template: problems for template, problems in found.items() if problems} == {}


@pytest.mark.parametrize(
    ("paragraph", "href", "after"),
    [
        (
            "报名详情：https://q.example.cn/registrations/1?token=a&b=c。",
            "https://q.example.cn/registrations/1?token=a&amp;b=c",
            "。",
        ),
        ("（见 https://q.example.cn/events/12）", "https://q.example.cn/events/12", "）"),
        ("See https://q.example.cn/events/12.", "https://q.example.cn/events/12", "."),
    ],
)
def test_a_link_ends_where_the_address_ends(paragraph: str, href: str, after: str) -> None:
    linked = str(_linked(paragraph))
    assert f'href="{href}"' in linked and linked.endswith(f"</a>{after}")


def test_a_broken_mail_is_caught() -> None:
    """The negative control: the checker finds each breach in a mail made to break them."""
    html = (
        '<html><head><style>p{color:red}</style></head><body><div class="box"><p>只在网页里的话</p>'
        '<img src="https://cdn.example.com/logo.png"><a href="javascript:alert(1)">打开</a>'
        '<a href="http://q.example.cn/x">http://q.example.cn/x</a></div></body></html>'
    )
    message = EmailMessage()
    message["From"] = "Quancheng <events@quancheng.gov.cn>"
    message["Subject"] = "测试"
    message.set_content("没有链接的纯文本")
    message.add_alternative(html, subtype="html")
    found = "\n".join(breaches(message.as_bytes()))
    for expected in (
        "sender name not RFC 2047 encoded",
        "sender name not Chinese",
        "<style> is not table layout",
        "<div> is not table layout",
        "<div> styled by class or id",
        "<img src> loads from elsewhere",
        "link not an absolute https address WeChat can open: 'javascript:alert(1)'",
        "link not an absolute https address WeChat can open: 'http://q.example.cn/x'",
        "link missing from the plain text: http://q.example.cn/x",
        "the plain text does not say: '只在网页里的话'",
        "no layout table",
    ):
        assert expected in found
