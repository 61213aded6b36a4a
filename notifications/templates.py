"""Mail templates: the registry of what each may say (placeholders with sample values) and their rendering.

Each template is `templates/<locale>/<name>.txt`: the subject on the first line, a blank line, then the body.
The HTML part is the same body laid out by `templates/_layout.html`, so the two never disagree and the plain text
says everything the HTML does. The layout keeps to what mainland clients (QQ Mail, 163/126, Tencent Exmail)
render: nested tables with inline styles, no `<style>` or classes, no images or web fonts (see
docs/architecture.md#mail-in-mainland-clients).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from server.i18n import translate
from server.settings import Locale

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)
# The fonts every mainland client has: system fonts only, nothing fetched.
FONTS = "-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif"

EVENT: dict[str, object] = {
    "recipient_name": "李雷",
    "event_title": "人工智能赋能制造业对接会",
    "event_when": "2027-03-18 09:00 – 17:00 (Asia/Shanghai)",
    "event_where": "济南高新区会展中心 A 厅",
    "event_url": "https://events.example.cn/events/12",
    "manage_url": "https://events.example.cn/registrations/6f1c2a90-5b7e-4c3d-9a1f-0e2d4c6b8a10?token=qcl_1805000000_3f9a",
    "organiser_name": "济南人工智能产业联盟",
}

MEETING: dict[str, object] = {
    "recipient_name": "李雷",
    "event_title": "人工智能赋能制造业对接会",
    "counterpart_name": "山东智算科技有限公司",
    "event_url": "https://events.example.cn/events/12",
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
        {
            **EVENT,
            "offer_deadline": "2027-03-10 18:00 (Asia/Shanghai)",
            "accept_url": "https://events.example.cn/registrations/6f1c2a90-5b7e-4c3d-9a1f-0e2d4c6b8a10?token=qcl_1805000000_3f9a",
        },
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
    "meeting_scheduled": MailTemplate(
        {**MEETING, "meeting_when": "2027-03-18 09:20 – 09:40 (Asia/Shanghai)", "table_name": "A3"}, "event_url"
    ),
    "meeting_cancelled": MailTemplate(MEETING, "event_url"),
    "meeting_request_received": MailTemplate(
        {**MEETING, "request_message": "我们有肺结节AI筛查方案，希望了解贵院放射科的需求。"}, "event_url"
    ),
    "meeting_request_answered": MailTemplate({**MEETING, "answer": "接受"}, "event_url"),
    "meeting_outcome_request": MailTemplate(
        {
            "recipient_name": "李雷",
            "event_title": "人工智能赋能制造业对接会",
            "meetings_held": 3,
            "agenda_url": "https://events.example.cn/matchmaking/agenda/7",
            "organiser_name": "济南人工智能产业联盟",
        },
        "agenda_url",
    ),
    "meeting_agenda": MailTemplate(
        {
            "recipient_name": "李雷",
            "event_title": "人工智能赋能制造业对接会",
            "party_name": "济南钢铁集团",
            "agenda": "- 2027-03-18 09:00 – 09:20 (Asia/Shanghai)　洽谈桌 A3　山东智算科技（工业视觉缺陷检测平台）\n"
            "- 2027-03-18 10:10 – 10:30 (Asia/Shanghai)　洽谈桌 B1　泉城数智（产线数字孪生）",
            "agenda_url": "https://events.example.cn/matchmaking/agenda/7",
            "organiser_name": "济南人工智能产业联盟",
        },
        "agenda_url",
    ),
    "team_invitation": MailTemplate(
        {
            "leader_name": "韩梅梅",
            "team_name": "泉城智造队",
            "competition_title": "泉城AI创新应用大赛",
            "expires_at": "2027-03-10 18:00:00 (Asia/Shanghai)",
            "accept_url": "https://events.example.cn/events/12/competition?invite=qci_7Hk2mQ9xLp",
        },
        "accept_url",
    ),
    "account_verify": MailTemplate(
        {"recipient_name": "李雷", "verify_url": "https://events.example.cn/verify?token=qcv_1805000000_8Jd2kq"},
        "verify_url",
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
        {"recipient_name": "李雷", "reset_url": "https://events.example.cn/reset?token=qcr_1805000000_Q7wz4m"},
        "reset_url",
    ),
    "organisation_invitation": MailTemplate(
        {
            "inviter_name": "王经理",
            "organisation_name": "济南人工智能产业联盟",
            "role": "签到员",
            "expires_at": "2027-03-10 10:00 UTC",
            "accept_url": "https://events.example.cn/invitations?token=qco_1805000000_Zp3x9c",
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
    "competition_results": MailTemplate(
        {
            "recipient_name": "韩梅梅",
            "competition_title": "泉城AI创新应用大赛",
            "stage_name": "专家初审",
            "team_name": "泉城智造队",
            "track_name": "智能制造",
            "rank": 2,
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
            "missing": "- 缺少必填项“项目简介”",  # empty for a complete version
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
    lang: Locale = "en" if locale == "en" else "zh-CN"
    source = _ENV.get_template(f"{lang}/{name}.txt").render(context).strip()
    subject, _, body = source.partition("\n\n")
    subject = " ".join(subject.split())  # one line: no header injection through a title
    action = str(context[template.action]) if template.action else None
    html = _ENV.get_template("_layout.html").render(
        lang=lang,
        fonts=FONTS,
        subject=subject,
        paragraphs=[_linked(p) for p in body.split("\n\n") if p.strip()],
        action=action,
        open_label=translate("mail.open", lang),
    )
    return Rendered(subject=subject, text=body.strip() + "\n", html=html)


# A web address ends at the first character a URL cannot hold (a space, Chinese punctuation such as "。" or "）");
# punctuation that ends a sentence is not part of it either. WeChat's browser opens exactly what the href holds.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING = ".,;:!?)]'"


def _link(found: re.Match[str]) -> str:
    url = found.group(0).rstrip(_TRAILING)
    rest = found.group(0)[len(url) :]
    return f'<a href="{url}" style="color:#0b6e4f;text-decoration:underline;">{url}</a>{rest}'


def _linked(paragraph: str) -> Markup:
    """A paragraph as HTML: escaped, line breaks kept, web addresses made links."""
    escaped = str(escape(paragraph.strip())).replace("\n", "<br>\n")
    return Markup(_URL.sub(_link, escaped))


def preview(name: str, locale: str) -> Rendered:
    """A template rendered with its sample values."""
    return render(name, locale, dict(TEMPLATES[name].placeholders))
