"""Demo events in every state, with agendas, ticket types, quotas, questions and registrations, dated from today.

Eight events: an open forum, a full matchmaking session with a waiting list, a competition whose registrations
wait for approval, a 揭榜挂帅 challenge (set up from the resource pool's need by the competitions demo), a training
course, a draft, a cancelled salon and a completed salon with check-ins.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from events import editing, registering, registration
from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.schemas import ChoiceIn, EventIn, EventPatch, QuestionIn, QuotaIn, SessionIn, TicketTypeIn
from server.clock import utcnow
from server.models import User
from server.schemas import I18nText, ShortI18nText
from server.settings import Settings

if TYPE_CHECKING:
    from server.demo import Cast

CONTEST = {"zh": "泉城AI创新应用大赛（初赛）", "en": "Quancheng AI Innovation Challenge (preliminary round)"}
CHALLENGE = {
    "zh": "揭榜挂帅：钢铁厂热轧带钢表面缺陷检测",
    "en": "Open challenge: surface defect detection on hot-rolled steel strip",
}
PEOPLE = [
    ("张伟", "zhang.wei"),
    ("王芳", "wang.fang"),
    ("李娜", "li.na"),
    ("刘洋", "liu.yang"),
    ("陈静", "chen.jing"),
    ("杨帆", "yang.fan"),
    ("赵敏", "zhao.min"),
    ("黄磊", "huang.lei"),
    ("周婷", "zhou.ting"),
    ("吴昊", "wu.hao"),
    ("徐丽", "xu.li"),
    ("孙超", "sun.chao"),
    ("马琳", "ma.lin"),
    ("朱斌", "zhu.bin"),
    ("胡蕾", "hu.lei"),
    ("郭欣", "guo.xin"),
]
COMPANIES = [
    "济南智造云科技有限公司",
    "山东泉数智能科技有限公司",
    "济南明湖数据服务有限公司",
    "济南华山精密机械有限公司",
    "山东趵突泉医疗科技有限公司",
    "济南千佛山物流有限公司",
]


@dataclass(frozen=True)
class Calendar:
    """Dates of the demo: days from today, at a wall-clock time of the city."""

    today: date
    zone: ZoneInfo

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today + timedelta(days=days), time(hour, minute), self.zone)


class Seeder:
    """Makes the demo events as the people in `cast` would, through the organisers' and registrants' services."""

    def __init__(self, cast: Cast, settings: Settings) -> None:
        self.cast = cast
        self.settings = settings
        zone = ZoneInfo(settings.DEFAULT_TIMEZONE)
        self.days = Calendar(utcnow().astimezone(zone).date(), zone)
        self.next_person = 0

    async def event(self, user: User, status: EventStatus, **fields: Any) -> Event:
        data = EventIn.model_validate({"timezone": self.settings.DEFAULT_TIMEZONE, **fields})
        event = await editing.create_event(
            user,
            data,
            default_timezone=self.settings.DEFAULT_TIMEZONE,
            uid_domain=urlsplit(self.settings.BASE_URL).hostname or "quancheng",
        )
        if status is not EventStatus.DRAFT:
            await editing.set_status(user, event.id, EventStatus.PUBLISHED)
        return event

    async def register(
        self, event: Event, count: int, *, company_key: str = "", ticket_type: int | None = None, **answers: str
    ) -> list[Registration]:
        """`count` registrations by the next people of the list; each names their company under `company_key`."""
        made = []
        for _ in range(count):
            name, mailbox = PEOPLE[self.next_person % len(PEOPLE)]
            company = COMPANIES[self.next_person % len(COMPANIES)]
            self.next_person += 1
            data = {  # as a request body: register() validates it with the event's questions
                "email": f"{mailbox}@demo.quancheng.cn",
                "name": name,
                "answers": {**answers, **({company_key: company} if company_key else {})},
                "ticket_type": ticket_type,
                "privacy_notice_version": event.privacy_notice_version,
            }
            created = await registering.register(
                event.id, data, user=None, idempotency_key=None, secret_key=self.settings.secret_key()
            )
            made.append(created.registration)
        return made


async def seed(cast: Cast, settings: Settings) -> None:
    """The eight demo events, newest plans last."""
    seeder = Seeder(cast, settings)
    await _forum(seeder)
    await _matchmaking(seeder)
    await _competition(seeder)
    await _challenge(seeder)
    await _training(seeder)
    await _conference_draft(seeder)
    await _cancelled_salon(seeder)
    await _completed_salon(seeder)


def _text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


async def _forum(seeder: Seeder) -> None:
    """Published, free seats, a full agenda, three ticket types with a press quota, and a limited site visit."""
    cast, days, organiser = seeder.cast, seeder.days, seeder.cast.organiser
    forum = await seeder.event(
        organiser,
        EventStatus.PUBLISHED,
        organisation_id=cast.alliance.id,
        kind="forum",
        title=_text("泉城人工智能产业发展论坛", "Quancheng AI Industry Development Forum"),
        summary=_text(
            "聚焦大模型与制造业深度融合，发布济南人工智能赋能行动最新进展。",
            "Large models meet manufacturing: the latest from Jinan's AI action plan.",
        ),
        description=(
            "## 论坛简介\n\n落实《济南市人工智能赋能行动方案》，邀请政府、高校与企业代表，"
            "围绕大模型在工业制造、医疗健康、城市治理中的落地应用展开交流。\n\n"
            "## 参会须知\n\n- 请携带身份证件，凭电子票二维码入场\n- 下午分论坛请在报名时选择"
        ),
        region="high-tech-zone",
        venue="济南高新区齐鲁软件园大厦 A 座报告厅",
        starts_at=days.at(14, 9),
        ends_at=days.at(14, 17, 30),
        capacity=300,
        tags=["manufacturing", "healthcare", "city-governance"],
        agenda_in_calendar=True,
    )
    sessions = [
        ("开幕致辞", "Opening remarks", ["市工信局领导"], "A 座报告厅", (9, 0), (9, 20)),
        (
            "主旨演讲：大模型赋能制造业",
            "Keynote: large models for manufacturing",
            ["王建华"],
            "A 座报告厅",
            (9, 20),
            (10, 30),
        ),
        (
            "圆桌对话：算力与数据要素",
            "Panel: compute and data",
            ["刘敏", "陈志强", "赵雪"],
            "A 座报告厅",
            (10, 45),
            (12, 0),
        ),
        ("分论坛一：智能制造", "Track 1: smart manufacturing", ["孙立平"], "B 厅", (14, 0), (17, 0)),
        ("分论坛二：智慧医疗", "Track 2: smart healthcare", ["周慧"], "C 厅", (14, 0), (17, 0)),
    ]
    for zh, en, speakers, room, (h1, m1), (h2, m2) in sessions:
        await editing.add_session(
            organiser,
            forum.id,
            SessionIn(
                title=I18nText(zh=zh, en=en),
                speakers=speakers,
                room=room,
                starts_at=days.at(14, h1, m1),
                ends_at=days.at(14, h2, m2),
            ),
        )
    await editing.add_ticket_type(
        organiser, forum.id, TicketTypeIn(name=ShortI18nText(zh="企业代表", en="Company delegate"))
    )
    press = await editing.add_ticket_type(organiser, forum.id, TicketTypeIn(name=ShortI18nText(zh="媒体", en="Press")))
    await editing.add_quota(organiser, forum.id, QuotaIn(name="媒体席位", size=10, ticket_types=[press.id]))
    questions = [
        QuestionIn(key="company", kind="text", label=I18nText(zh="工作单位", en="Organisation"), required=True),
        QuestionIn(
            key="track",
            kind="single_choice",
            label=I18nText(zh="下午分论坛", en="Afternoon track"),
            required=True,
            choices=[
                ChoiceIn(key="manufacturing", label=I18nText(zh="智能制造", en="Smart manufacturing")),
                ChoiceIn(key="healthcare", label=I18nText(zh="智慧医疗", en="Smart healthcare")),
            ],
        ),
        QuestionIn(
            key="visit",
            kind="single_choice",
            label=I18nText(
                zh="会后参观齐鲁软件园企业展厅（限 30 人）", en="Showroom visit after the forum (30 places)"
            ),
            choices=[
                ChoiceIn(key="yes", label=I18nText(zh="参加", en="Yes"), limit=30),
                ChoiceIn(key="no", label=I18nText(zh="不参加", en="No")),
            ],
        ),
    ]
    for question in questions:
        await editing.add_question(organiser, forum.id, question)
    await seeder.register(forum, 4, company_key="company", track="manufacturing", visit="yes")
    await seeder.register(forum, 3, company_key="company", track="healthcare", visit="no")
    await seeder.register(forum, 1, ticket_type=press.id, company="济南日报社", track="healthcare")


async def _matchmaking(seeder: Seeder) -> None:
    """Published and full: twelve confirmed (four of them the matchmaking parties' people), three waiting."""
    cast, days = seeder.cast, seeder.days
    session = await seeder.event(
        cast.organiser,
        EventStatus.PUBLISHED,
        organisation_id=cast.association.id,
        kind="matchmaking",
        title=_text("AI赋能制造业供需对接会", "AI for Manufacturing: Supply and Demand Matchmaking"),
        summary=_text(
            "十二家制造企业发布智能化改造需求，与人工智能解决方案商一对一洽谈。",
            "Twelve manufacturers present their needs to AI solution providers, one table each.",
        ),
        description="## 对接方式\n\n每家需求企业一张洽谈桌，每场 20 分钟。席位已满时可登记候补，有空位将按顺序通知。",
        region="licheng",
        venue="济南国际会展中心 3 号馆洽谈区",
        starts_at=days.at(10, 14),
        ends_at=days.at(10, 17, 30),
        capacity=12,
        offer_hours=24,
        tags=["manufacturing", "logistics"],
    )
    # the matchmaking parties' people first, with their accounts (events.matchmaking.demo makes their parties)
    for user in (cast.company_manager, cast.supplier_manager, cast.organiser, cast.admin):
        data = {"email": user.email, "name": user.name, "privacy_notice_version": session.privacy_notice_version}
        await registering.register(
            session.id, data, user=user, idempotency_key=None, secret_key=seeder.settings.secret_key()
        )
    await seeder.register(session, 11)


async def _competition(seeder: Seeder) -> None:
    """Published, registrations need the organiser's approval: one approved, one declined, four pending."""
    cast, days = seeder.cast, seeder.days
    contest = await seeder.event(
        cast.organiser,
        EventStatus.PUBLISHED,
        organisation_id=cast.alliance.id,
        kind="competition",
        title=CONTEST,
        summary=_text(
            "面向济南企业与高校团队，征集工业视觉、大模型应用与具身智能三个赛道的创新方案。",
            "For Jinan's companies and university teams: industrial vision, large-model applications, embodied AI.",
        ),
        description="## 赛程\n\n1. 报名与资格审核\n2. 初赛路演（每队 8 分钟）\n3. 决赛\n\n报名经组委会审核后确认。",
        region="high-tech-zone",
        venue="济南高新区人工智能创新中心路演厅",
        starts_at=days.at(35, 9),
        ends_at=days.at(35, 18),
        registration_closes_at=days.at(28, 18),
        requires_approval=True,
        capacity=60,
        tags=["manufacturing", "education"],
    )
    await editing.add_question(
        cast.organiser,
        contest.id,
        QuestionIn(key="team", kind="text", label=I18nText(zh="团队名称", en="Team name"), required=True),
    )
    await editing.add_question(
        cast.organiser,
        contest.id,
        QuestionIn(
            key="track",
            kind="single_choice",
            label=I18nText(zh="参赛赛道", en="Track"),
            required=True,
            choices=[
                ChoiceIn(key="vision", label=I18nText(zh="工业视觉", en="Industrial vision")),
                ChoiceIn(key="llm", label=I18nText(zh="大模型应用", en="Large-model applications")),
                ChoiceIn(key="embodied", label=I18nText(zh="具身智能", en="Embodied AI"), limit=10),
            ],
        ),
    )
    teams = [("泉眼视觉", "vision"), ("齐鲁智语", "llm"), ("章丘机器人", "embodied"), ("明湖数智", "llm")]
    made = [
        (await seeder.register(contest, 1, team=team, track=track))[0]
        for team, track in [*teams, ("大明湖算法组", "vision"), ("千佛山团队", "llm")]
    ]
    S = RegistrationStatus
    await registration.change(made[-2].id, S.CONFIRMED, actor=cast.organiser, only_from=frozenset({S.PENDING}))
    await registration.change(
        made[-1].id,
        S.REJECTED,
        actor=cast.organiser,
        reason="参赛方案与赛道要求不符 / The proposal does not fit the track",
        only_from=frozenset({S.PENDING}),
    )


async def _challenge(seeder: Seeder) -> None:
    """Published, open to every team; the on-site trial and defence at the factory in seven weeks."""
    cast, days = seeder.cast, seeder.days
    await seeder.event(
        cast.organiser,
        EventStatus.PUBLISHED,
        organisation_id=cast.alliance.id,
        kind="competition",
        title=CHALLENGE,
        summary=_text(
            "济南智造云科技有限公司张榜：热轧带钢表面缺陷在线检测，检出率不低于 95%，揭榜团队现场验证。",
            "Posted by 济南智造云: online detection of strip surface defects, at least 95 % found, proved on site.",
        ),
        description="## 揭榜方式\n\n1. 揭榜报名并提交技术方案\n2. 产线现场验证与答辩\n\n需求原文见资源池。",
        region="licheng",
        venue="济南智造云科技有限公司热轧车间",
        starts_at=days.at(49, 9),
        ends_at=days.at(49, 17),
        registration_closes_at=days.at(35, 18),
        capacity=30,
        tags=["manufacturing"],
    )


async def _training(seeder: Seeder) -> None:
    """Published by a training base: a three-day course for AI trainers."""
    cast, days = seeder.cast, seeder.days
    course = await seeder.event(
        cast.admin,
        EventStatus.PUBLISHED,
        organisation_id=cast.bases[0].id,
        kind="training",
        title=_text("人工智能训练师（四级）技能提升培训班", "AI Trainer (Level 4) Upskilling Course"),
        summary=_text(
            "数据标注、模型评测与提示工程实操，结业可参加四级职业技能等级认定。",
            "Hands-on labelling, model evaluation and prompting; ends with the Level 4 skills assessment.",
        ),
        region="high-tech-zone",
        venue="泉城人工智能实训基地 2 号实训室",
        starts_at=days.at(21, 9),
        ends_at=days.at(23, 17),
        capacity=40,
        tags=["education"],
    )
    await seeder.register(course, 5)


async def _conference_draft(seeder: Seeder) -> None:
    cast, days = seeder.cast, seeder.days
    await seeder.event(
        cast.organiser,
        EventStatus.DRAFT,
        organisation_id=cast.alliance.id,
        kind="conference",
        title=_text("泉城人工智能大会", "Quancheng AI Conference"),
        summary=_text("筹备中：全市人工智能年度大会。", "In preparation: the city's yearly AI conference."),
        region="lixia",
        venue="济南奥体中心",
        starts_at=days.at(56, 9),
        ends_at=days.at(57, 17),
        capacity=1000,
        tags=["manufacturing", "digital-government"],
    )


async def _cancelled_salon(seeder: Seeder) -> None:
    cast, days = seeder.cast, seeder.days
    salon = await seeder.event(
        cast.organiser,
        EventStatus.PUBLISHED,
        organisation_id=cast.association.id,
        kind="forum",
        title=_text("AI+医疗健康沙龙", "AI in Healthcare Salon"),
        summary=_text("因场地调整取消，新时间另行通知。", "Cancelled for a change of venue; a new date will follow."),
        region="huaiyin",
        venue="齐鲁医药港会议中心",
        starts_at=days.at(7, 14),
        ends_at=days.at(7, 17),
        capacity=50,
        tags=["healthcare"],
    )
    await seeder.register(salon, 2)
    await editing.set_status(cast.organiser, salon.id, EventStatus.CANCELLED)


async def _completed_salon(seeder: Seeder) -> None:
    """Three weeks ago, completed, seven of ten checked in at the door.

    Registration only opens for events still to come, so the salon is registered for and checked in as planned,
    then moved to its date in the past and completed: the order an organiser entering a past salon would take.
    """
    cast, days = seeder.cast, seeder.days
    salon = await seeder.event(
        cast.organiser,
        EventStatus.PUBLISHED,
        organisation_id=cast.alliance.id,
        kind="forum",
        title=_text("大模型应用落地沙龙（第一期）", "Large Models in Practice Salon #1"),
        summary=_text(
            "三家本地企业分享大模型在客服、质检与排产中的落地经验。",
            "Three local companies on large models in customer service, quality control and scheduling.",
        ),
        region="lixia",
        venue="济南市软件行业协会会议室",
        starts_at=days.at(1, 14),
        ends_at=days.at(1, 17),
        capacity=30,
        tags=["manufacturing", "finance"],
    )
    guests = await seeder.register(salon, 10)
    for guest in guests[:7]:
        await registration.check_in(guest, secrets.token_hex(8), actor=cast.checker, organisation_id=cast.alliance.id)
    await editing.update_event(
        cast.organiser,
        salon.id,
        EventPatch(starts_at=days.at(-21, 14), ends_at=days.at(-21, 17)),
        default_timezone=seeder.settings.DEFAULT_TIMEZONE,
    )
    await editing.set_status(cast.organiser, salon.id, EventStatus.COMPLETED)
