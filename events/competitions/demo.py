"""The demo competition's set-up and teams: the three tracks its registration form offers, three stages dated from
today so that 报名 is open, three teams of demo accounts (two approved, one waiting for the organiser) and an
invitation nobody has accepted yet; and a judged first round: the two approved teams' proposals (small generated
PDFs, stored through the storage module) in 报名, a rubric, three judges who declared no conflict and submitted
their sheets, so that the ranking the organiser sees is computed by the real code.

Made as the organiser, the teams' people and the judges would, through the `setup`, `teams`, `submissions`,
`panel` and `sheets` services. And the 揭榜挂帅 challenge: the demo company's published need from the resource pool,
put up by the alliance, with one team that has taken it up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from events.competitions import panel, setup, sheets, submissions, teams
from events.competitions.models import Competition, JudgeAssignment, Stage, Team, Track
from events.competitions.schemas import (
    AnchorIn,
    AssignIn,
    ChallengeIn,
    CompetitionIn,
    CriterionIn,
    DeclarationIn,
    FileSlotIn,
    InviteIn,
    JudgeIn,
    RubricIn,
    StageIn,
    SubmissionIn,
    TeamIn,
    TrackIn,
)
from events.competitions.storage import FileKind, LocalSubmissionStore
from events.demo import CHALLENGE, CONTEST, Calendar
from events.mailing import Site
from events.models import Event, EventKind
from server.clock import utcnow
from server.models import User
from server.schemas import I18nText
from server.settings import Settings

if TYPE_CHECKING:
    from server.demo import Cast

# (zh, en, opens, closes): days from today at 09:00 and 18:00 in the city's zone; the event is on day 35.
STAGES = (
    ("报名", "Registration", -7, 14),
    ("方案提交", "Proposal submission", 15, 27),
    ("初审", "First review", 28, 34),
)
TRACKS = (("工业视觉", "Industrial vision"), ("大模型应用", "Large-model applications"), ("具身智能", "Embodied AI"))
PENDING_INVITEE = "wang.fang@demo.quancheng.cn"
NEWCOMER_TEAM = "历山智眼"
PLAN = FileSlotIn(key="plan", label=I18nText(zh="方案书", en="Proposal"), kinds=[FileKind.PDF], max_mb=20)
# The rubric of the first round: (key, zh, en, weight, anchors as (score, zh, en)).
CRITERIA = (
    (
        "innovation",
        "创新性",
        "Innovation",
        30,
        ((9, "国内领先的原创方法", "Original, leading in China"), (5, "已有方法的改进", "A better known method")),
    ),
    ("technology", "技术先进性", "Technology", 25, ((9, "关键指标优于公开基准", "Beats public benchmarks"),)),
    ("value", "应用价值", "Application value", 20, ((9, "有明确的付费客户", "Paying customers already"),)),
    ("feasibility", "落地可行性", "Feasibility", 15, ()),
    ("team", "团队", "Team", 10, ()),
)
# Each judge's points per team, criterion by criterion (in CRITERIA's order).
SHEETS = {
    "泉眼视觉": ((8, 7, 8, 7, 8), (7, 8, 7, 6, 7), (9, 8, 8, 8, 8)),
    NEWCOMER_TEAM: ((7, 6, 6, 6, 7), (8, 7, 6, 7, 6), (6, 6, 7, 5, 6)),
}
AFFILIATIONS = ("山东大学", "齐鲁工业大学", "浪潮集团")
CHALLENGE_NEED = "钢铁厂热轧带钢表面缺陷检测"  # the demo company's published need in the pool
CHALLENGE_TEAM = "慧眼揭榜组"


async def seed(cast: Cast, settings: Settings, challenge_need_id: int) -> None:
    """Set up the demo's competition event and enter its teams; then the challenge, on the pool's need
    `challenge_need_id` (published, CHALLENGE_NEED)."""
    zone = ZoneInfo(settings.DEFAULT_TIMEZONE)
    days = Calendar(utcnow().astimezone(zone).date(), zone)
    event = await Event.get(kind=EventKind.COMPETITION, title_zh=CONTEST["zh"])
    competition = await setup.set_up(
        cast.organiser,
        event.id,
        CompetitionIn(
            team_min=1,
            team_max=4,
            requires_approval=True,
            tracks=[TrackIn(name=I18nText(zh=zh, en=en)) for zh, en in TRACKS],
            stages=[
                StageIn(
                    name=I18nText(zh=zh, en=en),
                    starts_at=days.at(opens, 9),
                    deadline=days.at(closes, 18),
                    # 报名 asks for the proposal: the first round is judged on it.
                    file_slots=[PLAN] if position == 0 else [],
                )
                for position, (zh, en, opens, closes) in enumerate(STAGES)
            ],
        ),
    )
    entrants = await _teams(cast, competition, Site.of(settings))
    await _judged_round(cast, event, competition, entrants, LocalSubmissionStore.for_settings(settings))
    await _challenge(cast, days, challenge_need_id)


async def _challenge(cast: Cast, days: Calendar, need_id: int) -> None:
    """揭榜挂帅: the alliance puts up the demo company's published need (which makes the company co-organiser and
    fixes the need's text as the terms); 山东慧眼's team has taken it up (揭榜)."""
    event = await Event.get(kind=EventKind.COMPETITION, title_zh=CHALLENGE["zh"])
    competition = await setup.set_up(
        cast.organiser,
        event.id,
        CompetitionIn(
            tracks=[TrackIn(name=I18nText(zh="揭榜方案", en="Solutions"))],
            stages=[  # 揭榜 until the event's registration closes, then the trial on the event's day
                StageIn(
                    name=I18nText(zh="揭榜报名", en="Taking up the challenge"),
                    starts_at=days.at(-3, 9),
                    deadline=event.registration_closes_at,
                    file_slots=[PLAN],
                ),
                StageIn(
                    name=I18nText(zh="现场验证与答辩", en="On-site trial and defence"),
                    starts_at=event.starts_at,
                    deadline=event.ends_at,
                ),
            ],
            challenge=ChallengeIn(scenario_need_id=need_id),
        ),
    )
    track = await Track.get(competition_id=competition.id)
    await teams.create_team(
        cast.supplier_manager, competition.id, TeamIn(name=CHALLENGE_TEAM, track_id=track.id, region="high-tech-zone")
    )


async def _teams(cast: Cast, competition: Competition, site: Site) -> list[tuple[Team, User]]:
    """The teams; returns the approved ones with their leaders."""
    vision, language, _embodied = await Track.filter(competition_id=competition.id).order_by("position")
    supplier_team = await teams.create_team(
        cast.supplier_manager,
        competition.id,
        TeamIn(name="泉眼视觉", track_id=vision.id, region="high-tech-zone"),
    )
    await _join(supplier_team.id, cast.supplier_manager, cast.company_manager, site)
    await teams.decide(cast.organiser, supplier_team.id, approve=True)

    base_team = await teams.create_team(
        cast.reporters[0], competition.id, TeamIn(name="齐鲁智语", track_id=language.id, region="zhangqiu")
    )
    await _join(base_team.id, cast.reporters[0], cast.reporters[1], site)
    await teams.invite(cast.reporters[0], base_team.id, InviteIn(email=PENDING_INVITEE), site)

    newcomer_team = await teams.create_team(
        cast.entrant, competition.id, TeamIn(name=NEWCOMER_TEAM, track_id=vision.id, region="lixia")
    )
    await teams.decide(cast.organiser, newcomer_team.id, approve=True)
    return [(supplier_team, cast.supplier_manager), (newcomer_team, cast.entrant)]


async def _join(team_id: int, leader: User, member: User, site: Site) -> None:
    invitation = await teams.invite(leader, team_id, InviteIn(email=member.email), site)
    await teams.accept(member, teams.invite_token(site.secret, invitation.id, invitation.expires_at), site)


async def _judged_round(
    cast: Cast, event: Event, competition: Competition, entrants: list[tuple[Team, User]], store: LocalSubmissionStore
) -> None:
    """Each approved team enters its proposal in 报名; the organiser sets the rubric, puts the judges on the panel
    and assigns them; each judge declares no conflict, scores as they go and submits."""
    stage = await Stage.filter(competition_id=competition.id).order_by("position").first()
    assert stage is not None
    for team, leader in entrants:
        content = _proposal(team)
        upload = submissions.IncomingFile("plan", f"{team.name}方案书.pdf", _once(content), len(content))
        await submissions.receive(leader, team.id, stage.id, SubmissionIn(), [upload], store)
    criteria = [
        CriterionIn(
            key=key,
            label=I18nText(zh=zh, en=en),
            weight=weight,
            anchors=[AnchorIn(score=score, text=I18nText(zh=a_zh, en=a_en)) for score, a_zh, a_en in anchors],
        )
        for key, zh, en, weight, anchors in CRITERIA
    ]
    await panel.set_rubric(cast.organiser, event, stage.id, RubricIn(criteria=criteria, judges_per_entry=3))
    track_ids = [track.id for track in await Track.filter(competition_id=competition.id)]
    for judge, affiliation in zip(cast.judges, AFFILIATIONS, strict=True):
        on_panel = JudgeIn(user_id=judge.id, track_ids=track_ids, affiliation=affiliation)
        await panel.set_judge(cast.organiser, event, on_panel)
    await panel.assign(cast.organiser, event, stage.id, AssignIn())
    for position, judge in enumerate(cast.judges):
        for assignment in await JudgeAssignment.filter(judge_id=judge.id, stage_id=stage.id).select_related("team"):
            await panel.declare(judge, assignment.id, DeclarationIn(conflict=False))
            points = SHEETS[assignment.team.name][position]
            await sheets.save_draft(judge, assignment.id, {key: points[n] for n, (key, *_) in enumerate(CRITERIA)})
            await sheets.submit(judge, assignment.id)


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


def _proposal(team: Team) -> bytes:
    """A one-page PDF that says whose proposal it is (in Latin letters: the PDF's built-in font has no Chinese)."""
    lines = ["Quancheng AI Innovation Challenge", f"Proposal of team no. {team.id}", "Demo data: generated, not real."]
    text = " ".join(f"({line}) '" for line in lines)
    content = f"BT /F1 16 Tf 72 760 Td 24 TL {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)
