"""Demo data for `quancheng serve --demo`: the bureau, its organisers, two training bases, a company and two AI
suppliers, the demo accounts, and (through `events.demo`, `talent.demo`, `events.matchmaking.demo` and
`events.competitions.demo`) events, talent reports, resource-pool entries and a competition in every state.

Everything is made by the service functions the API calls, as the people it names, in one transaction: the audit
log, the outbox, calendars and quota counts are as real use leaves them, and a failed seeding leaves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from events import demo as event_demo
from events import mailing
from events.competitions import demo as competition_demo
from events.matchmaking import demo as pool_demo
from server import accounts, identity, memberships
from server.models import Organisation, OrganisationKind, Role, User
from server.schemas import I18nText, MemberIn, OrganisationIn
from server.settings import Settings
from talent import demo as talent_demo

PASSWORD = "quancheng-demo"
DOMAIN = "demo.quancheng.cn"
ADMIN_EMAIL = f"admin@{DOMAIN}"


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    does: str  # what the account is for, in the start-up banner and the README


ACCOUNTS = (
    Account(ADMIN_EMAIL, "市工信局管理员", "admin, 济南市工业和信息化局 (events, reviews, talent dashboard)"),
    Account(f"organiser@{DOMAIN}", "李晓婷", "organiser, 济南市人工智能产业联盟 and 济南市软件行业协会"),
    Account(f"checker@{DOMAIN}", "赵磊", "checker at the door, for both organisers"),
    Account(f"reporter@{DOMAIN}", "孙倩", "reporter, 泉城人工智能实训基地 (高新区)"),
    Account(f"zhangqiu@{DOMAIN}", "周明", "reporter, 章丘人工智能技能培训中心 (章丘区)"),
    Account(f"company@{DOMAIN}", "王海涛", "manager, 济南智造云科技有限公司 (its needs in the resource pool)"),
    Account(f"supplier@{DOMAIN}", "陈思远", "manager, the two AI suppliers (their solutions in the resource pool)"),
    Account(f"judge1@{DOMAIN}", "高文博", "judge, 济南市人工智能产业联盟 (the competition's judged first round)"),
    Account(f"judge2@{DOMAIN}", "刘建华", "judge, 济南市人工智能产业联盟"),
    Account(f"judge3@{DOMAIN}", "许静", "judge, 济南市人工智能产业联盟"),
    Account(f"team@{DOMAIN}", "马骁", "leader of the competition team 历山智眼"),
)


@dataclass(frozen=True)
class Cast:
    """The demo's people and organisations, as the event and talent seeding need them."""

    admin: User
    organiser: User
    checker: User
    reporters: tuple[User, User]
    company_manager: User
    supplier_manager: User
    judges: tuple[User, User, User]
    entrant: User  # leads a competition team of their own
    bureau: Organisation
    alliance: Organisation
    association: Organisation
    bases: tuple[Organisation, Organisation]
    company: Organisation
    suppliers: tuple[Organisation, Organisation]


def refusal(settings: Settings) -> str | None:
    """Why the demo may not run here, or None: never in production, and only while mail goes to files."""
    if settings.MODE == "production":
        return "--demo is for trying Quancheng out and is refused when MODE is production"
    if settings.SMTP_URL:
        return "--demo writes its mail to files; unset SMTP_URL so that nothing leaves this machine"
    return None


async def present() -> bool:
    """The demo admin's account is the marker: it is made first, in the transaction that makes all the rest."""
    return await User.exists(email=ADMIN_EMAIL)


async def seed(settings: Settings) -> bool:
    """Add the demo data to the initialised database; False (and nothing added) when it is already there."""
    mailing.configure(settings)  # the registrations' mails carry links signed with this service's key
    async with in_transaction():
        if await present():
            return False
        cast = await _cast()
        await event_demo.seed(cast, settings)
        await talent_demo.seed(cast)
        published = await pool_demo.seed(cast)
        await pool_demo.seed_event(cast)
        await competition_demo.seed(cast, settings, challenge_need_id=published[competition_demo.CHALLENGE_NEED])
    return True


async def _cast() -> Cast:
    admin = await accounts.create_admin(ADMIN_EMAIL, PASSWORD, ACCOUNTS[0].name)
    organiser, checker, reporter, zhangqiu, company_manager, supplier_manager, *judges, entrant = [
        await identity.create_account(a.email, PASSWORD, a.name) for a in ACCOUNTS[1:]
    ]
    first_judge, second_judge, third_judge = judges

    async def organisation(zh: str, en: str, kind: OrganisationKind, region: str, mailbox: str) -> Organisation:
        data = OrganisationIn(
            name=I18nText(zh=zh, en=en), kind=kind, region=region, contact_email=f"{mailbox}@{DOMAIN}"
        )
        return await accounts.create_organisation(admin, data)

    K = OrganisationKind
    cast = Cast(
        admin=admin,
        organiser=organiser,
        checker=checker,
        reporters=(reporter, zhangqiu),
        company_manager=company_manager,
        supplier_manager=supplier_manager,
        judges=(first_judge, second_judge, third_judge),
        entrant=entrant,
        bureau=await organisation(
            "济南市工业和信息化局",
            "Jinan Municipal Bureau of Industry and Information Technology",
            K.BUREAU,
            "lixia",
            "gxj",
        ),
        alliance=await organisation(
            "济南市人工智能产业联盟",
            "Jinan Artificial Intelligence Industry Alliance",
            K.ORGANISER,
            "high-tech-zone",
            "ai",
        ),
        association=await organisation(
            "济南市软件行业协会", "Jinan Software Industry Association", K.ORGANISER, "lixia", "software"
        ),
        bases=(
            await organisation(
                "泉城人工智能实训基地", "Quancheng AI Training Base", K.TRAINING_BASE, "high-tech-zone", "base-gxq"
            ),
            await organisation(
                "章丘人工智能技能培训中心", "Zhangqiu AI Skills Training Centre", K.TRAINING_BASE, "zhangqiu", "base-zq"
            ),
        ),
        company=await organisation(
            "济南智造云科技有限公司", "Jinan Zhizaoyun Technology", K.COMPANY, "licheng", "zhizaoyun"
        ),
        suppliers=(
            await organisation(
                "山东慧眼智能科技有限公司",
                "Shandong Huiyan Intelligent Technology",
                K.COMPANY,
                "high-tech-zone",
                "huiyan",
            ),
            await organisation("济南云图医疗人工智能有限公司", "Jinan Yuntu Medical AI", K.COMPANY, "huaiyin", "yuntu"),
        ),
    )
    roles = [
        (cast.bureau, admin, Role.MANAGER),
        (cast.alliance, organiser, Role.MANAGER),
        (cast.alliance, organiser, Role.ORGANISER),
        (cast.association, organiser, Role.ORGANISER),
        (cast.alliance, checker, Role.CHECKER),
        (cast.association, checker, Role.CHECKER),
        (cast.bases[0], reporter, Role.REPORTER),
        (cast.bases[1], zhangqiu, Role.REPORTER),
        (cast.company, company_manager, Role.MANAGER),
        (cast.suppliers[0], supplier_manager, Role.MANAGER),
        (cast.suppliers[1], supplier_manager, Role.MANAGER),
        *((cast.alliance, judge, Role.JUDGE) for judge in cast.judges),
    ]
    for organisation_row, user, role in roles:
        await memberships.grant(admin, organisation_row.id, MemberIn(email=user.email, role=role))
    return cast
