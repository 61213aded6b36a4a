"""Demo resource pool: needs of the demo's company, bureau and organisers, solutions of two AI suppliers, across
the city's domains. Most are published (so that search and recommendations have something to find and a reason
to give), one waits for curation and one is still a draft. And the full matchmaking event's parties, their
preferences and its published schedule (`seed_event`).

Each entry goes the way a real one does: its organisation's member writes it and submits it, the bureau's admin
publishes it, through `pool.create_entry` and `pool.move`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from events.matchmaking import grid, interest, participants, planning, pool, publishing
from events.matchmaking.meeting_schemas import BreakIn, MatchmakingIn, PartyIn, ScheduleIn, SessionIn
from events.matchmaking.models import (
    BudgetBand,
    EntryKind,
    EntryState,
    Level,
    Maturity,
    Party,
    PartySide,
    PoolEntry,
)
from events.matchmaking.schemas import ContactIn, EntryIn, EntryTitle
from events.models import Event, EventKind, EventStatus
from server.models import Organisation, User
from server.schemas import ShortI18nText

if TYPE_CHECKING:
    from server.demo import Cast


@dataclass(frozen=True)
class Entry:
    """One demo entry; `owner` names the Cast organisation that writes it, `state` where it is left."""

    owner: str
    kind: EntryKind
    zh: str
    en: str
    description: str
    domains: tuple[str, ...]
    contact: tuple[str, str]  # name, phone; the mailbox is the organisation's
    state: EntryState = EntryState.PUBLISHED
    region: str | None = None
    expected_timing: str = ""
    budget_band: BudgetBand | None = None
    maturity: Maturity | None = None
    reference_cases: tuple[str, ...] = field(default=())


NEED, SOLUTION = EntryKind.NEED, EntryKind.SOLUTION
ENTRIES = (
    Entry(
        "company",
        NEED,
        "钢铁厂热轧带钢表面缺陷检测",
        "Surface defect detection on hot-rolled steel strip",
        "## 场景\n\n热轧产线带钢速度 10 米/秒，现靠人工抽检，划伤、结疤、麻点漏检率高。"
        "希望以工业相机加视觉算法在线检测表面缺陷并分类报警。\n\n"
        "## 要求\n\n- 缺陷检出率不低于 95%\n- 可部署在产线边缘服务器",
        ("manufacturing",),
        ("王海涛", "0531-88120001"),
        region="licheng",
        expected_timing="2026年下半年",
        budget_band=BudgetBand.FROM_500K_TO_2M,
    ),
    Entry(
        "company",
        NEED,
        "注塑车间设备预测性维护",
        "Predictive maintenance for an injection-moulding shop",
        "车间 40 台注塑机已接入振动与温度传感器，希望根据运行数据预测故障、安排检修，减少非计划停机和能耗。",
        ("manufacturing", "energy"),
        ("王海涛", "0531-88120001"),
        region="licheng",
        expected_timing="2027年一季度",
        budget_band=BudgetBand.FROM_100K_TO_500K,
    ),
    Entry(
        "company",
        NEED,
        "厂区屋顶光伏发电功率预测",
        "Power forecasting for rooftop solar on the factory site",
        "筹备中：结合天气预报预测次日光伏发电功率，用于错峰排产。",
        ("energy",),
        ("王海涛", "0531-88120001"),
        state=EntryState.DRAFT,
        region="licheng",
        expected_timing="2027年上半年",
    ),
    Entry(
        "bureau",
        NEED,
        "12345 政务热线工单智能分派",
        "Routing 12345 government hotline tickets automatically",
        "热线日均受理工单约 8000 件，人工分派至 200 余个承办单位耗时长、易错派。"
        "希望用大模型理解市民诉求，自动分派工单并提示相似历史案例。",
        ("digital-government", "city-governance"),
        ("市工信局管理员", "0531-51700000"),
        region="lixia",
        expected_timing="2026年下半年",
        budget_band=BudgetBand.OVER_2M,
    ),
    Entry(
        "bureau",
        NEED,
        "重点场所视频智能巡检",
        "Automatic video patrols of key public places",
        "对火车站、商圈等重点场所的监控视频进行智能巡检，识别人员聚集、异常行为与消防通道占用并及时预警。",
        ("public-security", "city-governance"),
        ("市工信局管理员", "0531-51700000"),
        region="lixia",
        expected_timing="2026年四季度",
        budget_band=BudgetBand.FROM_500K_TO_2M,
    ),
    Entry(
        "alliance",
        NEED,
        "医院影像辅助诊断",
        "Computer-aided diagnosis for hospital imaging",
        "联盟代槐荫区一家三甲医院发布：放射科每日 CT 影像逾千例，希望引入影像辅助诊断，"
        "对肺结节、骨折进行筛查与标注，缩短阅片时间。",
        ("healthcare",),
        ("李晓婷", "0531-88996600"),
        region="huaiyin",
        expected_timing="2026年下半年",
        budget_band=BudgetBand.FROM_500K_TO_2M,
    ),
    Entry(
        "alliance",
        NEED,
        "城市路口信号灯自适应配时",
        "Adaptive signal timing at city junctions",
        "经十路沿线 30 个路口高峰拥堵，希望根据实时车流自适应调整信号灯配时，缩短通行时间。",
        ("transport", "city-governance"),
        ("李晓婷", "0531-88996600"),
        region="high-tech-zone",
        expected_timing="2027年上半年",
    ),
    Entry(
        "association",
        NEED,
        "中小学课堂教学质量智能分析",
        "Analysing classroom teaching quality in schools",
        "协会会员学校希望对课堂录像进行分析，统计师生互动与提问情况，为教研提供数据参考；须保护学生隐私。",
        ("education",),
        ("李晓婷", "0531-86001234"),
        state=EntryState.SUBMITTED,
        region="lixia",
        expected_timing="2026年秋季学期",
        budget_band=BudgetBand.UNDER_100K,
    ),
    Entry(
        "huiyan",
        SOLUTION,
        "工业视觉表面缺陷检测平台",
        "Industrial vision platform for surface defect detection",
        "基于深度学习的表面缺陷检测，支持钢板、带钢、铝材与注塑件，线速度最高 15 米/秒，可在边缘服务器部署，"
        "缺陷分类与报警接入产线控制系统。",
        ("manufacturing",),
        ("陈思远", "0531-88697700"),
        maturity=Maturity.SCALED,
        reference_cases=("日照某钢厂热轧产线缺陷检测", "济南某汽车零部件厂注塑件外观检测"),
    ),
    Entry(
        "huiyan",
        SOLUTION,
        "视频结构化与异常行为识别",
        "Video structuring and abnormal behaviour detection",
        "对监控视频进行结构化分析，识别人员聚集、翻越、倒地与消防通道占用，支持千路视频并发巡检与分级预警。",
        ("public-security", "city-governance"),
        ("陈思远", "0531-88697700"),
        maturity=Maturity.PILOT,
        reference_cases=("济南某商圈视频巡检试点",),
    ),
    Entry(
        "huiyan",
        SOLUTION,
        "政务热线工单智能分派大模型",
        "A large model that routes government hotline tickets",
        "在政务语料上微调的大模型，理解市民诉求并推荐承办单位，给出相似历史工单，支持私有化部署。",
        ("digital-government",),
        ("陈思远", "0531-88697700"),
        maturity=Maturity.PILOT,
        reference_cases=("山东某地级市 12345 热线试点",),
    ),
    Entry(
        "yuntu",
        SOLUTION,
        "医学影像辅助诊断系统（肺结节、骨折）",
        "Computer-aided diagnosis for medical imaging (lung nodules, fractures)",
        "对 CT、X 光影像自动检出肺结节与骨折并标注，生成结构化报告，已取得医疗器械注册证，可对接医院 PACS。",
        ("healthcare",),
        ("刘雨桐", "0531-87651234"),
        maturity=Maturity.SCALED,
        reference_cases=("省内 6 家三甲医院放射科", "济南市某区医共体影像中心"),
    ),
    Entry(
        "yuntu",
        SOLUTION,
        "AI 教学课堂行为分析",
        "Classroom behaviour analysis for teaching",
        "分析课堂录像中的师生互动、提问与板书时长，生成教研报告；人脸在本地脱敏处理，保护学生隐私。",
        ("education",),
        ("刘雨桐", "0531-87651234"),
        maturity=Maturity.PROOF_OF_CONCEPT,
    ),
)


async def seed(cast: Cast) -> dict[str, int]:
    """The pool's demo entries, each written by a member of its organisation and curated by the admin; answers the
    published ones' ids by Chinese title."""
    authors: dict[str, User] = {
        "company": cast.company_manager,
        "bureau": cast.admin,
        "alliance": cast.organiser,
        "association": cast.organiser,
        "huiyan": cast.supplier_manager,
        "yuntu": cast.supplier_manager,
    }
    organisations = _organisations(cast)
    published: dict[str, int] = {}
    for entry in ENTRIES:
        author, organisation = authors[entry.owner], organisations[entry.owner]
        created = await pool.create_entry(author, _body(entry, organisation))
        if entry.state is EntryState.DRAFT:
            continue
        await pool.move(author, created.id, EntryState.SUBMITTED)
        if entry.state is EntryState.PUBLISHED:
            await pool.move(cast.admin, created.id, EntryState.PUBLISHED)
            published[entry.zh] = created.id
    return published


def _body(entry: Entry, organisation: Organisation) -> EntryIn:
    name, phone = entry.contact
    return EntryIn(
        organisation_id=organisation.id,
        kind=entry.kind,
        title=EntryTitle(zh=entry.zh, en=entry.en),
        description=entry.description,
        domains=list(entry.domains),
        region=entry.region,
        expected_timing=entry.expected_timing,
        budget_band=entry.budget_band,
        maturity=entry.maturity,
        reference_cases=list(entry.reference_cases),
        contact=ContactIn(name=name, phone=phone, email=organisation.contact_email),
    )


# The full matchmaking event's parties: (Cast organisation, its person, side); each brings its published entries.
PARTIES = (
    ("company", "company_manager", PartySide.DEMAND),
    ("alliance", "organiser", PartySide.DEMAND),
    ("bureau", "admin", PartySide.DEMAND),
    ("huiyan", "supplier_manager", PartySide.SUPPLY),
)
# (who marks, whom, level): the factory must meet the vision supplier, the others want to.
MARKS = (
    ("company", "huiyan", Level.MUST),
    ("alliance", "huiyan", Level.WANT),
    ("bureau", "huiyan", Level.WANT),
    ("huiyan", "company", Level.WANT),
)
DEMO_TIME_LIMIT = 10.0  # the real solver; a four-party afternoon is proved optimal in well under a second


async def seed_event(cast: Cast) -> None:
    """The full matchmaking event gets its grid, parties (bringing their published entries), preferences, and a
    schedule computed by the real solver and published (mailing agendas and calendar entries to the outbox)."""
    event = await Event.get(kind=EventKind.MATCHMAKING, status=EventStatus.PUBLISHED)
    organisations = _organisations(cast)
    people = {
        "company_manager": cast.company_manager,
        "organiser": cast.organiser,
        "admin": cast.admin,
        "supplier_manager": cast.supplier_manager,
    }
    start = event.starts_at
    afternoon = SessionIn(
        name=ShortI18nText(zh="下午", en="Afternoon"),
        starts_at=start,
        slots=8,
        breaks=[BreakIn(after=4, minutes=15)],
    )
    rules = MatchmakingIn(slot_minutes=20, sessions=[afternoon], tables=["A1", "A2", "A3", "A4", "A5", "A6"])
    matchmaking = await grid.set_up(cast.organiser, event, rules)
    parties: dict[str, Party] = {}
    for key, person, side in PARTIES:
        organisation = organisations[key]
        entries = await PoolEntry.filter(organisation_id=organisation.id, state=EntryState.PUBLISHED).order_by("id")
        data = PartyIn(organisation_id=organisation.id, side=side, entry_ids=[e.id for e in entries])
        parties[key] = await participants.create_party(people[person], event, data)
    for marker, marked, level in MARKS:
        user = people[next(person for key, person, _ in PARTIES if key == marker)]
        await interest.set_preference(user, parties[marker], parties[marked].id, level)
    run = await planning.start(cast.organiser, event, matchmaking, ScheduleIn(time_limit=DEMO_TIME_LIMIT))
    await planning.execute(run.id)
    await publishing.publish(cast.organiser, event, matchmaking, run.id)


def _organisations(cast: Cast) -> dict[str, Organisation]:
    return {
        "company": cast.company,
        "bureau": cast.bureau,
        "alliance": cast.alliance,
        "association": cast.association,
        "huiyan": cast.suppliers[0],
        "yuntu": cast.suppliers[1],
    }
