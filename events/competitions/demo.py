"""The demo competition's set-up and teams: the three tracks its registration form offers, three stages dated from
today so that 报名 is open, two teams of demo accounts (one approved, one waiting for the organiser) and an invitation
nobody has accepted yet.

Made as the organiser and the teams' people would, through `setup.set_up` and the `teams` services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from events.competitions import setup, teams
from events.competitions.models import Competition, Track
from events.competitions.schemas import CompetitionIn, InviteIn, StageIn, TeamIn, TrackIn
from events.demo import Calendar
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


async def seed(cast: Cast, settings: Settings) -> None:
    """Set up the demo's competition event and enter its teams."""
    zone = ZoneInfo(settings.DEFAULT_TIMEZONE)
    days = Calendar(utcnow().astimezone(zone).date(), zone)
    event = await Event.get(kind=EventKind.COMPETITION, organisation_id=cast.alliance.id)
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
                )
                for zh, en, opens, closes in STAGES
            ],
        ),
    )
    await _teams(cast, competition, Site.of(settings))


async def _teams(cast: Cast, competition: Competition, site: Site) -> None:
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


async def _join(team_id: int, leader: User, member: User, site: Site) -> None:
    invitation = await teams.invite(leader, team_id, InviteIn(email=member.email), site)
    await teams.accept(member, teams.invite_token(site.secret, invitation.id, invitation.expires_at), site)
