"""Mail templates: the registry of what each may say (placeholders with sample values) and their rendering.

Each template is `templates/<locale>/<name>.txt`: the subject on the first line, a blank line, then the body.
The HTML part is the same body laid out by `templates/<locale>/_layout.html`, so the two never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)
LOCALES = ("zh-CN", "en")

EVENT: dict[str, object] = {
    "recipient_name": "李雷",
    "event_title": "人工智能赋能制造业对接会",
    "event_when": "2027-03-18 09:00 – 17:00 (Asia/Shanghai)",
    "event_where": "济南高新区会展中心 A 厅",
    "event_url": "https://events.example.cn/events/12",
    "manage_url": "https://events.example.cn/registrations/6f1c…?token=qcl_…",
    "organiser_name": "济南人工智能产业联盟",
}


REPORT: dict[str, object] = {
    "recipient_name": "张老师",
    "period": "2026-10",
    "base_name": "济南人工智能实训基地",
    "due_on": "2026-11-10",
    "report_url": "https://events.example.cn/talent/reports/7/2026-10",
}


@dataclass(frozen=True)
class MailTemplate:
    placeholders: dict[str, object]  # every name a template may use, with a sample value for previews
    action: str | None = None  # the placeholder whose link the HTML shows as a button


TEMPLATES: dict[str, MailTemplate] = {
    "registration_received": MailTemplate(EVENT, "manage_url"),
    "registration_confirmed": MailTemplate(EVENT, "manage_url"),
    "registration_approved": MailTemplate(EVENT, "manage_url"),
    "registration_waitlisted": MailTemplate({**EVENT, "waitlist_position": 3}, "manage_url"),
    "registration_offered": MailTemplate(
        {**EVENT, "offer_deadline": "2027-03-10 18:00 (Asia/Shanghai)", "accept_url": "https://events.example.cn/…"},
        "accept_url",
    ),
    "registration_rejected": MailTemplate({**EVENT, "reason": "本场名额优先面向制造业企业。"}),
    "registration_cancelled": MailTemplate(EVENT),
    "event_changed": MailTemplate(EVENT, "event_url"),
    "event_cancelled": MailTemplate(EVENT),
    "reminder": MailTemplate(EVENT, "manage_url"),
    "organiser_message": MailTemplate(
        {**EVENT, "subject": "会场变更提醒", "body": "各位嘉宾：\n\n会场改到 B 厅，请提前 15 分钟入场。"}, "event_url"
    ),
    "report_due": MailTemplate(REPORT, "report_url"),
    "report_overdue": MailTemplate(REPORT, "report_url"),
    "report_overdue_digest": MailTemplate(
        {
            "recipient_name": "王处长",
            "period": "2026-10",
            "due_on": "2026-11-10",
            "missing": "- 济南人工智能实训基地（历下区）\n- 章丘职业技能实训基地（章丘区）",
            "dashboard_url": "https://events.example.cn/talent/completeness?period=2026-10",
        },
        "dashboard_url",
    ),
    "team_invitation": MailTemplate(
        {
            "leader_name": "韩梅梅",
            "team_name": "泉城智造队",
            "competition_title": "泉城AI创新应用大赛",
            "expires_at": "2027-03-10 18:00:00 (Asia/Shanghai)",
            "accept_url": "https://events.example.cn/events/12?invite=qci_…",
        },
        "accept_url",
    ),
    "account_verify": MailTemplate(
        {"recipient_name": "李雷", "verify_url": "https://events.example.cn/verify?token=qcv_…"}, "verify_url"
    ),
    "account_exists": MailTemplate(
        {
            "recipient_name": "李雷",
            "login_url": "https://events.example.cn/login",
            "reset_url": "https://events.example.cn/reset",
        },
        "login_url",
    ),
    "password_reset": MailTemplate(
        {"recipient_name": "李雷", "reset_url": "https://events.example.cn/reset?token=qcr_…"}, "reset_url"
    ),
    "organisation_invitation": MailTemplate(
        {
            "inviter_name": "王经理",
            "organisation_name": "济南人工智能产业联盟",
            "role": "签到员",
            "expires_at": "2027-03-10 10:00 UTC",
            "accept_url": "https://events.example.cn/invitations?token=qco_…",
        },
        "accept_url",
    ),
    "deadline_changed": MailTemplate(
        {
            "recipient_name": "韩梅梅",
            "competition_title": "泉城AI创新应用大赛",
            "stage_name": "方案提交",
            "old_deadline": "2027-04-01 18:00:00 (Asia/Shanghai)",
            "new_deadline": "2027-04-03 18:00:00 (Asia/Shanghai)",
            "reason": "清明假期顺延。",
        }
    ),
    "submission_receipt": MailTemplate(
        {
            "recipient_name": "韩梅梅",
            "competition_title": "泉城AI创新应用大赛",
            "team_name": "泉城智造队",
            "stage_name": "方案提交",
            "version": 2,
            "submitted_at": "2027-04-01 17:59:58 (Asia/Shanghai)",
            "deadline": "2027-04-01 18:00:00 (Asia/Shanghai)",
            "files": "- plan: 方案.pdf (1,204,331 bytes) sha256 "
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        }
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(name: str, locale: str, context: dict[str, object]) -> Rendered:
    """Subject, text and HTML of a template; a missing placeholder raises (StrictUndefined)."""
    template = TEMPLATES[name]
    lang = locale if locale in LOCALES else "zh-CN"
    source = _ENV.get_template(f"{lang}/{name}.txt").render(context).strip()
    subject, _, body = source.partition("\n\n")
    subject = " ".join(subject.split())  # one line: no header injection through a title
    action = str(context[template.action]) if template.action else None
    html = _ENV.get_template(f"{lang}/_layout.html").render(
        subject=subject, paragraphs=[_linked(p) for p in body.split("\n\n") if p.strip()], action=action
    )
    return Rendered(subject=subject, text=body.strip() + "\n", html=html)


def _linked(paragraph: str) -> Markup:
    """A paragraph as HTML: escaped, line breaks kept, web addresses made links."""
    escaped = str(escape(paragraph.strip())).replace("\n", "<br>\n")
    return Markup(re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escaped))


def preview(name: str, locale: str) -> Rendered:
    """A template rendered with its sample values."""
    return render(name, locale, dict(TEMPLATES[name].placeholders))
