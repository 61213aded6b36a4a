"""Competition endpoints: set-up, teams and invitations, entries, and their files streamed in and out."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import StreamingResponse

from events import mailing
from events.access import Organisers, Viewers
from events.competitions import setup, submissions, teams
from events.competitions.access import EntryReaders, TeamLeader, TeamMembers, TeamOrganisers
from events.competitions.models import Competition, Results, Stage, Submission, Team, TeamMember
from events.competitions.schemas import (
    MAX_FILE_MB,
    AcceptIn,
    CompetitionIn,
    CompetitionOut,
    DeadlineIn,
    DecisionIn,
    HandOverIn,
    InviteIn,
    InviteOut,
    PersonOut,
    StageOut,
    SubmissionIn,
    SubmissionOut,
    TeamIn,
    TeamOut,
    TeamPageOut,
    TrackOut,
    UploadQuery,
    VersionsOut,
)
from events.competitions.storage import MEDIA_TYPES, FileKind, LocalSubmissionStore, StoredFileNotFound
from events.models import Event
from server.access import SignedIn
from server.api import Api, BodyStream, Context
from server.errors import field_error
from server.models import User
from server.settings import Locale

api = Api()
TAG = "competitions"


async def _competition_out(competition: Competition, event: Event) -> CompetitionOut:
    tracks = await competition.tracks.all().order_by("position")
    stages: list[Stage] = await competition.stages.all().order_by("position")
    results = {found.stage_id: found for found in await Results.filter(stage_id__in=[stage.id for stage in stages])}
    return CompetitionOut(
        id=competition.id,
        event_id=event.id,
        entrants=competition.entrants,
        regions=competition.region_codes,
        team_min=competition.team_min,
        team_max=competition.team_max,
        requires_approval=competition.requires_approval,
        is_challenge=competition.is_challenge,
        co_organiser_id=competition.co_organiser_id,
        need=competition.need_md,
        scenario_need_id=competition.scenario_need_id,
        tracks=[TrackOut(id=track.id, name={"zh": track.name_zh, "en": track.name_en}) for track in tracks],
        stages=[_stage_out(stage, event, results.get(stage.id)) for stage in stages],
    )


def _stage_out(stage: Stage, event: Event, results: Results | None = None) -> StageOut:
    return StageOut(
        id=stage.id,
        name={"zh": stage.name_zh, "en": stage.name_en},
        starts_at=stage.starts_at,
        deadline=stage.deadline,
        deadline_local=setup.local_time(event, stage.deadline),
        fact_sheet=stage.fact_sheet,
        file_slots=stage.file_slots,
        results="none" if results is None else "final" if results.published_at else "notice",
    )


async def _team_out(team: Team) -> TeamOut:
    members = await TeamMember.filter(team_id=team.id, holder__not_isnull=True).order_by("id")
    return TeamOut(
        id=team.id,
        competition_id=team.competition_id,
        track_id=team.track_id,
        name=team.name,
        leader_id=team.leader_id,
        status=team.status,
        member_ids=[member.user_id for member in members],
    )


async def _team_page_out(team: Team, viewer: User) -> TeamPageOut:
    base = await _team_out(team)
    members = await User.filter(id__in=base.member_ids)
    names = {member.id: member.name for member in members}
    competition = await Competition.get(id=team.competition_id).select_related("event")
    event = competition.event
    invites = await teams.pending_invites(team) if team.leader_id == viewer.id else []
    return TeamPageOut(
        **base.model_dump(),
        event_id=event.id,
        event_title={"zh": event.title_zh, "en": event.title_en},
        reason=team.reason,
        members=[PersonOut(id=user_id, name=names[user_id]) for user_id in base.member_ids],
        invites=[InviteOut(id=invite.id, email=invite.email, expires_at=invite.expires_at) for invite in invites],
    )


@api.route(
    "POST",
    "/events/{event_id:int}/competition",
    guard=Organisers(),
    summary="Set up the competition of an event",
    tag=TAG,
    status=201,
)
async def set_up(ctx: Context, event_id: int, event: Event, body: CompetitionIn) -> CompetitionOut:
    """Once per event of kind `competition`: tracks, stages (times with a zone; shown in the event's), who may
    enter, team sizes, approval; with `challenge`, a 揭榜挂帅 challenge with the enterprise as co-organiser."""
    return await _competition_out(await setup.set_up(ctx.user, event_id, body), event)


@api.route("GET", "/events/{event_id:int}/competition", guard=Viewers(), summary="An event's competition", tag=TAG)
async def get_competition(ctx: Context, event_id: int, event: Event) -> CompetitionOut:
    return await _competition_out(await setup.competition_of(event.id), event)


@api.route(
    "POST",
    "/events/{event_id:int}/competition/stages/{stage_id:int}/deadline",
    guard=Organisers(),
    summary="Move a stage's deadline",
    tag=TAG,
)
async def move_deadline(ctx: Context, event_id: int, stage_id: int, event: Event, body: DeadlineIn) -> StageOut:
    """Never silent: audited with its reason, and mailed to every current member of an open team."""
    stage = await setup.move_deadline(ctx.user, event.id, stage_id, body)
    return _stage_out(stage, event)


@api.route(
    "POST",
    "/competitions/{competition_id:int}/teams",
    guard=SignedIn,
    summary="Found a team and lead it",
    tag=TAG,
    status=201,
)
async def create_team(ctx: Context, competition_id: int, body: TeamIn) -> TeamOut:
    """One team per person per competition; a company team names its 统一社会信用代码."""
    return await _team_out(await teams.create_team(ctx.user, competition_id, body))


@api.route(
    "POST", "/teams/{team_id:int}/invites", guard=TeamLeader(), summary="Invite someone by email", tag=TAG, status=201
)
async def invite(ctx: Context, team_id: int, team: Team, body: InviteIn) -> InviteOut:
    """Mails a signed link, valid for seven days, that the invited address accepts once signed in."""
    invitation = await teams.invite(ctx.user, team.id, body, mailing.site())
    return InviteOut(id=invitation.id, email=invitation.email, expires_at=invitation.expires_at)


@api.route("GET", "/me/teams", guard=SignedIn, summary="My teams", tag=TAG)
async def my_teams(ctx: Context) -> list[TeamPageOut]:
    """The open teams (waiting for approval or active) the caller is a member of, newest first."""
    return [await _team_page_out(team, ctx.user) for team in await teams.teams_of(ctx.user)]


@api.route("GET", "/teams/{team_id:int}", guard=TeamMembers(), summary="A team, as its members see it", tag=TAG)
async def get_team(ctx: Context, team_id: int, team: Team) -> TeamPageOut:
    return await _team_page_out(team, ctx.user)


@api.route("POST", "/team-invites/accept", guard=SignedIn, summary="Accept a team invitation", tag=TAG)
async def accept(ctx: Context, body: AcceptIn) -> TeamOut:
    member = await teams.accept(ctx.user, body.token, mailing.site())
    return await _team_out(await Team.get(id=member.team_id))


@api.route("POST", "/teams/{team_id:int}/leader", guard=TeamLeader(), summary="Hand the lead over", tag=TAG)
async def hand_over(ctx: Context, team_id: int, team: Team, body: HandOverIn) -> TeamOut:
    return await _team_out(await teams.hand_over(ctx.user, team.id, body.user_id))


@api.route("POST", "/teams/{team_id:int}/withdraw", guard=TeamLeader(), summary="Withdraw the team", tag=TAG)
async def withdraw(ctx: Context, team_id: int, team: Team) -> TeamOut:
    return await _team_out(await teams.withdraw(ctx.user, team.id))


@api.route("POST", "/teams/{team_id:int}/decision", guard=TeamOrganisers(), summary="Approve or reject a team", tag=TAG)
async def decide(ctx: Context, team_id: int, team: Team, body: DecisionIn) -> TeamOut:
    return await _team_out(await teams.decide(ctx.user, team.id, approve=body.approve, reason=body.reason))


async def submission_out(submission: Submission, locale: Locale) -> SubmissionOut:
    """A version as the API shows it; an incomplete one lists what it lacks, in the reader's language."""
    lacking = (
        [] if submission.complete else submissions.missing_from(await Stage.get(id=submission.stage_id), submission)
    )
    return SubmissionOut(
        id=submission.id,
        team_id=submission.team_id,
        stage_id=submission.stage_id,
        version=submission.version,
        facts=submission.facts,
        files=submission.files,
        submitted_at=submission.submitted_at,
        complete=submission.complete,
        missing=[field_error(loc, key, locale, **params) for loc, key, params in lacking],
    )


@api.route(
    "PUT",
    "/teams/{team_id:int}/stages/{stage_id:int}/files/{slot:str}",
    guard=TeamMembers(),
    summary="Upload a file into a slot, as the next version",
    tag=TAG,
    status=201,
    consumes=", ".join([*MEDIA_TYPES.values(), "application/octet-stream"]),
    body_limit=MAX_FILE_MB * 1024 * 1024,
)
async def upload_file(
    ctx: Context, team_id: int, stage_id: int, slot: str, team: Team, body: BodyStream, query: UploadQuery
) -> SubmissionOut:
    """The file is the raw body, with its Content-Length; `name` gives its name. The bytes stream to storage
    (never held whole) and are cut off at the slot's size limit (413). The new version keeps the facts and the
    other slots' files of the latest one. Late (the deadline passed before the upload was complete): 409 naming
    the deadline in the event's zone. A refused upload leaves nothing on disk."""
    incoming = submissions.IncomingFile(
        slot=slot, filename=query.name, stream=body.chunks(), declared_size=body.declared_size
    )
    store = LocalSubmissionStore.for_settings(ctx.settings)
    return await submission_out(await submissions.upload_file(ctx.user, team.id, stage_id, incoming, store), ctx.locale)


@api.route(
    "PUT",
    "/teams/{team_id:int}/stages/{stage_id:int}/facts",
    guard=TeamMembers(),
    summary="Answer the fact sheet, as the next version",
    tag=TAG,
    status=201,
)
async def put_facts(ctx: Context, team_id: int, stage_id: int, team: Team, body: SubmissionIn) -> SubmissionOut:
    """The answers replace the latest version's; its files carry over. Late: 409 naming the deadline."""
    return await submission_out(await submissions.submit_facts(ctx.user, team.id, stage_id, body), ctx.locale)


@api.route(
    "GET",
    "/teams/{team_id:int}/stages/{stage_id:int}/submissions",
    guard=TeamMembers(),
    summary="A team's versions for a stage",
    tag=TAG,
)
async def list_versions(ctx: Context, team_id: int, stage_id: int, team: Team) -> VersionsOut:
    """Newest first, with the one that counts: the last complete one committed before the deadline;
    each incomplete one lists what it lacks."""
    found, counting = await submissions.versions(team, stage_id)
    return VersionsOut(
        versions=[await submission_out(version, ctx.locale) for version in found], counting_id=counting and counting.id
    )


@api.route(
    "GET",
    "/submissions/{submission_id:int}/files/{slot:str}",
    guard=EntryReaders(),
    summary="Download a file of a submission",
    tag=TAG,
    produces="application/octet-stream",
)
async def download_file(ctx: Context, submission_id: int, slot: str, submission: Submission) -> StreamingResponse:
    """Streamed from storage, with its SHA-256 in `Digest`-style header `X-Content-SHA256`."""
    file = next((file for file in submission.files if file["slot"] == slot), None)
    if file is None:
        raise StoredFileNotFound()
    chunks = await LocalSubmissionStore.for_settings(ctx.settings).open(str(file["key"]))
    headers = {
        "Content-Length": str(file["size"]),
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(str(file['name']))}",
        "X-Content-SHA256": str(file["sha256"]),
    }
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[FileKind(str(file["kind"]))], headers=headers)


@api.route("GET", "/submissions/{submission_id:int}", guard=EntryReaders(), summary="A submission of a team", tag=TAG)
async def get_submission(ctx: Context, submission_id: int, submission: Submission) -> SubmissionOut:
    return await submission_out(submission, ctx.locale)
