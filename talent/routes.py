"""Talent API: occupations, programmes, periods and lock exceptions, trainee reports, dashboards, targets."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from server import spreadsheets
from server.access import Admins, Anyone, SignedIn
from server.api import Api, Context, PageQuery
from server.errors import NotFound
from server.i18n import translate
from server.models import AuditEntry, Membership, Role
from server.schemas import In
from talent import dashboard, evidence, planning, reports, sheets
from talent.access import ProgrammeManagers, Reporters
from talent.models import Occupation, Period, Programme, ReportStatus, Target, TraineeReport
from talent.reports import Slot
from talent.schemas import (
    CommentIn,
    Evidence,
    ExceptionIn,
    Expected,
    Finding,
    OccupationIn,
    OccupationOut,
    PeriodIn,
    PeriodOut,
    ProgrammeIn,
    ProgrammeOut,
    ReportIn,
    ReportOut,
    TargetIn,
    TargetOut,
    Validation,
)

api = Api(prefix="/api/v1/talent")
REVIEWERS = Reporters(admins_only=True)


def _occupation_out(occupation: Occupation) -> OccupationOut:
    return OccupationOut(
        id=occupation.id,
        code=occupation.code,
        name={"zh": occupation.name_zh, "en": occupation.name_en},
        levels=occupation.levels,
        tracks=occupation.tracks,
    )


@api.route("GET", "/occupations", guard=Anyone, summary="Occupations and their levels", tag="talent")
async def list_occupations(ctx: Context) -> list[OccupationOut]:
    return [_occupation_out(o) for o in await Occupation.all().order_by("code")]


@api.route("POST", "/occupations", guard=Admins, summary="Add an occupation", tag="talent", status=201)
async def add_occupation(ctx: Context, body: OccupationIn) -> OccupationOut:
    return _occupation_out(await planning.add_occupation(ctx.user, body))


def _programme_out(programme: Programme, occupation: Occupation) -> ProgrammeOut:
    return ProgrammeOut(
        id=programme.id,
        occupation=occupation.code,
        base_id=programme.base_id,
        target_level=programme.target_level,
        track=programme.track,
        cohort=programme.cohort,
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        planned_size=programme.planned_size,
        event_ids=programme.event_ids,
    )


class ProgrammeQuery(PageQuery):
    base_id: int | None = None


@api.route(
    "GET",
    "/programmes",
    guard=SignedIn,
    summary="Programmes",
    tag="talent",
)
async def list_programmes(ctx: Context, query: ProgrammeQuery) -> list[ProgrammeOut]:
    """Admins see all; others the programmes of the bases they report for."""
    found = Programme.all().select_related("occupation").order_by("id")
    if not ctx.user.is_admin:
        bases = await Membership.filter(user=ctx.user, role__in=[Role.REPORTER, Role.MANAGER]).values_list(
            "organisation_id", flat=True
        )
        found = found.filter(base_id__in=list(bases))
    if query.base_id:
        found = found.filter(base_id=query.base_id)
    return [_programme_out(p, p.occupation) for p in await found]


@api.route(
    "POST",
    "/programmes",
    guard=SignedIn,
    summary="Open a programme at a training base",
    tag="talent",
    status=201,
)
async def add_programme(ctx: Context, body: ProgrammeIn) -> ProgrammeOut:
    """Only admins and the managers of the training base named in the body (403 otherwise)."""
    programme = await planning.add_programme(ctx.user, body)
    return _programme_out(programme, programme.occupation)


def _period_out(period: Period) -> PeriodOut:
    return PeriodOut(
        id=period.id,
        kind=period.kind,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        due_on=period.due_on,
        locks_on=period.locks_on,
    )


@api.route("GET", "/periods", guard=Anyone, summary="Reporting periods", tag="talent")
async def list_periods(ctx: Context) -> list[PeriodOut]:
    return [_period_out(p) for p in await Period.all().order_by("id")]


@api.route("POST", "/periods", guard=Admins, summary="Open a reporting period", tag="talent", status=201)
async def add_period(ctx: Context, body: PeriodIn) -> PeriodOut:
    return _period_out(await planning.add_period(ctx.user, body))


@api.route(
    "POST",
    "/periods/{period_id}/exceptions",
    guard=Admins,
    summary="Reopen a locked period for one base",
    tag="talent",
    status=201,
)
async def add_exception(ctx: Context, period_id: str, body: ExceptionIn) -> PeriodOut:
    return _period_out(await planning.add_exception(ctx.user, period_id, body))


async def _findings(ctx: Context, report: TraineeReport, place: reports.Slot) -> list[Finding]:
    return [
        Finding(
            rule=rule.code,
            importance=rule.importance,
            field=field,
            message=translate(f"rule.{rule.code}", ctx.locale, **params),
        )
        for rule, field, params in await reports.findings(report, place)
    ]


async def _report_out(ctx: Context, report: TraineeReport, place: reports.Slot) -> ReportOut:
    return ReportOut(
        id=report.id,
        base_id=report.base_id,
        period=report.period_id,
        programme_id=report.programme_id,
        status=report.status,
        editable=await reports.editable(report, place),
        opening=report.opening,
        new_male=report.new_male,
        new_female=report.new_female,
        completed=report.completed,
        dropped=report.dropped,
        closing=report.closing,
        levels=report.levels,
        employed_jinan=report.employed_jinan,
        employed_elsewhere=report.employed_elsewhere,
        training_hours=report.training_hours,
        comment=report.comment,
        submitted_at=report.submitted_at,
        findings=await _findings(ctx, report, place),
    )


REPORT = "/reports/{base_id:int}/{period_id}/{programme_id:int}"


@api.route("GET", REPORT, guard=Reporters(), summary="A trainee report (a new draft if none yet)", tag="talent")
async def get_report(ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot) -> ReportOut:
    return await _report_out(ctx, await reports.current(place), place)


@api.route(
    "PUT",
    REPORT,
    guard=Reporters(),
    summary="Save a trainee report while it is editable",
    tag="talent",
)
async def put_report(
    ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot, body: ReportIn
) -> ReportOut:
    """Saving is allowed with findings; submitting is not while an error remains."""
    return await _report_out(ctx, await reports.save(ctx.user, place, body), place)


@api.route(
    "POST",
    REPORT + "/validate",
    guard=Reporters(),
    summary="Check values against the rules without saving",
    tag="talent",
)
async def validate_report(
    ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot, body: ReportIn
) -> Validation:
    """A dry run: the rules judge the values as a save would store them; nothing is written."""
    report = await reports.trial(place, body)
    return Validation(opening=report.opening, closing=report.closing, findings=await _findings(ctx, report, place))


@api.route("POST", REPORT + "/submit", guard=Reporters(), summary="Submit for approval", tag="talent")
async def submit_report(ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot) -> ReportOut:
    return await _report_out(ctx, await reports.submit(ctx.user, place), place)


@api.route("POST", REPORT + "/approve", guard=REVIEWERS, summary="Approve (and lock)", tag="talent")
async def approve_report(ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot) -> ReportOut:
    return await _report_out(ctx, await reports.review(ctx.user, place, ReportStatus.APPROVED), place)


@api.route("POST", REPORT + "/return", guard=REVIEWERS, summary="Return with a comment", tag="talent")
async def return_report(
    ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot, body: CommentIn
) -> ReportOut:
    return await _report_out(ctx, await reports.review(ctx.user, place, ReportStatus.RETURNED, body.comment), place)


class HistoryEntry(BaseModel):
    at: str
    who: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@api.route("GET", REPORT + "/history", guard=Reporters(), summary="Every change of the report", tag="talent")
async def report_history(
    ctx: Context, base_id: int, period_id: str, programme_id: int, place: Slot
) -> list[HistoryEntry]:
    report = await reports.current(place)
    if report.id is None:
        return []
    entries = await AuditEntry.filter(object_type="TraineeReport", object_id=str(report.id)).order_by("id")
    return [
        HistoryEntry(at=e.at.isoformat(), who=e.actor_label, action=e.action, before=e.before, after=e.after)
        for e in entries
    ]


class DashboardQuery(BaseModel):
    group_by: str = Field(default="region", description="Comma-separated: region, base, occupation, level, period.")
    period_from: str | None = Field(default=None, alias="from")
    period_to: str | None = Field(default=None, alias="to")
    format: str | None = Field(default=None, pattern="^(json|csv|xlsx)$", description="csv or xlsx downloads it.")

    @field_validator("group_by")
    @classmethod
    def _groups(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names or any(name not in dashboard.GROUPS for name in names) or len(set(names)) != len(names):
            raise PydanticCustomError(
                "literal_error", "choose from {expected}", {"expected": ", ".join(dashboard.GROUPS)}
            )
        return ",".join(names)


@api.route("GET", "/dashboard", guard=Admins, summary="Totals from received reports", tag="talent")
async def talent_dashboard(ctx: Context, query: DashboardQuery) -> list[dict[str, Any]] | Response:
    groups = tuple(query.group_by.split(","))
    table = await dashboard.totals(groups, query.period_from, query.period_to)
    if query.format not in ("csv", "xlsx"):
        return table
    columns = [*groups, *dashboard.TOTALS]
    rows: list[list[object]] = [[translate(f"dashboard.{c}", ctx.locale) for c in columns]]
    named = await dashboard.names(groups, table, ctx.locale)
    rows += [[named.get(c, {}).get(row.get(c), row.get(c, "")) for c in columns] for row in table]
    disposition = {"Content-Disposition": f'attachment; filename="talent-dashboard.{query.format}"'}
    if query.format == "csv":
        return Response(spreadsheets.to_csv(rows), media_type=spreadsheets.CSV, headers=disposition)
    return Response(spreadsheets.to_xlsx(rows, "dashboard"), media_type=spreadsheets.XLSX, headers=disposition)


class CompletenessQuery(BaseModel):
    period: Annotated[str, StringConstraints(max_length=7)]


@api.route("GET", "/completeness", guard=Admins, summary="Who has reported for a period", tag="talent")
async def talent_completeness(ctx: Context, query: CompletenessQuery) -> list[Expected]:
    period = await Period.get_or_none(id=query.period)
    if period is None:
        raise NotFound()
    return await dashboard.completeness(period)


@api.route("GET", "/targets", guard=Admins, summary="Targets and progress", tag="talent")
async def list_targets(ctx: Context) -> list[TargetOut]:
    targets = await Target.all().select_related("occupation").order_by("year", "id")
    return [
        TargetOut(
            id=t.id,
            year=t.year,
            occupation=t.occupation.code,
            level=t.level,
            base_id=t.base_id,
            metric=t.metric,
            value=t.value,
            actual=actual,
        )
        for t, actual in zip(targets, await dashboard.actuals(targets), strict=True)
    ]


@api.route("POST", "/targets", guard=Admins, summary="Set a target", tag="talent", status=201)
async def add_target(ctx: Context, body: TargetIn) -> TargetOut:
    target = await planning.add_target(ctx.user, body)
    return TargetOut(
        id=target.id,
        year=target.year,
        occupation=body.occupation,
        level=target.level,
        base_id=target.base_id,
        metric=target.metric,
        value=target.value,
        actual=(await dashboard.actuals([target]))[0],
    )


SHEET = "/sheets/{base_id:int}/{period_id}"


@api.route(
    "GET",
    SHEET,
    guard=Reporters(of_programme=None),
    summary="The base's XLSX template for a period",
    tag="talent",
    produces=spreadsheets.XLSX,
)
async def download_sheet(ctx: Context, base_id: int, period_id: str) -> Response:
    content = await sheets.template(ctx.user, base_id, period_id, ctx.locale)
    disposition = f'attachment; filename="reports-{base_id}-{period_id}.xlsx"'
    return Response(content, media_type=spreadsheets.XLSX, headers={"Content-Disposition": disposition})


class UploadQuery(BaseModel):
    apply: bool = Field(default=False, description="Without it, a dry run: every row is checked, nothing written.")


class RowProblems(BaseModel):
    row: int
    programme_id: int | None
    problems: list[dict[str, str]]
    warnings: list[dict[str, str]]
    skipped: str = Field(description="Why the row is left as stored (unchanged, or submitted/locked); empty if not.")


@api.route(
    "POST",
    SHEET,
    guard=Reporters(of_programme=None),
    summary="Upload a filled template (dry run unless ?apply=true)",
    tag="talent",
    consumes=spreadsheets.XLSX,
)
async def upload_sheet(
    ctx: Context, base_id: int, period_id: str, query: UploadQuery, body: bytes
) -> list[RowProblems]:
    """Send the .xlsx file as the request body."""
    results = await sheets.upload(ctx.user, base_id, period_id, body, apply=query.apply, locale=ctx.locale)
    return [
        RowProblems(row=r.row, programme_id=r.programme_id, problems=r.problems, warnings=r.warnings, skipped=r.skipped)
        for r in results
    ]


class EventLinksIn(In):
    event_ids: list[int] = Field(max_length=200)


@api.route(
    "PUT",
    "/programmes/{programme_id:int}/events",
    guard=ProgrammeManagers(),
    summary="Name the programme's training events",
    tag="talent",
)
async def link_events(ctx: Context, programme_id: int, programme: Programme, body: EventLinksIn) -> ProgrammeOut:
    await evidence.link_events(ctx.user, programme, body.event_ids)
    return _programme_out(programme, programme.occupation)


@api.route(
    "GET",
    "/evidence",
    guard=Admins,
    summary="Reports against registrations and check-ins",
    tag="talent",
)
async def talent_evidence(ctx: Context, query: CompletenessQuery) -> list[Evidence]:
    """Flags programmes whose report claims more than their Quancheng training events show."""
    period = await Period.get_or_none(id=query.period)
    if period is None:
        raise NotFound()
    return await evidence.check(period)
