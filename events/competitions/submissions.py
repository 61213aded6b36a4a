"""Versioned submissions per team and stage, the deadline rule, the receipt mail and who may read an entry.

The deadline rule (docs/architecture.md#competitions): what counts is the moment a submission is complete, its
files already in storage, and its row being committed: `submitted_at` is read from `server.clock.utcnow` inside
the transaction, after the team's row lock is held, and must fall in [stage start, deadline). An upload that
started before the deadline and finished after it is late.

A version may be incomplete (a required answer or file missing): files arrive one request each and the fact
sheet in another, so a stage that asks for two of them would refuse every first version otherwise. It is kept,
marked `complete=False`, and its receipt and answer list what is missing. The version that counts is the last
COMPLETE one committed before the deadline (`counting`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from events.competitions.models import Competition, JudgeAssignment, Stage, Submission, Team, TeamMember, TeamStatus
from events.competitions.schemas import FactFieldIn, FileSlotIn, SubmissionIn
from events.competitions.setup import local_time
from events.competitions.storage import FileKind, StoredFile, SubmissionStore
from notifications.outbox import Mail, enqueue
from server import audit
from server.accounts import require_role
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.i18n import Label, Named, pick, translate
from server.models import Membership, Role, User
from server.settings import Locale


class SubmissionLate(Conflict):
    key = "error.submission_late"


class StageNotOpen(Conflict):
    key = "error.stage_not_open"


class TeamNotActive(Conflict):
    key = "error.team_not_active"


class TeamTooSmall(Conflict):
    key = "error.team_too_small"


@dataclass(frozen=True)
class Upload:
    """A file already in storage, for one of the stage's file slots, with the name the team gave it."""

    slot: str
    name: str
    stored: StoredFile


@dataclass(frozen=True)
class IncomingFile:
    """A file still arriving: its slot, its name as sent, its bytes as a stream and the size announced."""

    slot: str
    filename: str
    stream: AsyncIterator[bytes]
    declared_size: int | None = None


Problems = list[tuple[tuple[str | int, ...], str]]
Missing = list[tuple[tuple[str | int, ...], str, dict[str, object]]]


async def receive(
    user: User,
    team_id: int,
    stage_id: int,
    data: SubmissionIn,
    incoming: Sequence[IncomingFile],
    store: SubmissionStore,
    *,
    kept: Sequence[Upload] = (),
) -> Submission:
    """Stream each file into storage under its slot's kinds and size limit, then `submit`. A submission that is
    refused at any point (a bad file, a wrong slot, the deadline passed while the bytes arrived) deletes the
    files this attempt stored: nothing of a refused submission stays on disk.

    What can be refused before a byte is read (not a member, wrong stage, already late, unknown slot) is.
    `kept`: files already stored by an earlier version, recorded again and never deleted here."""
    stage = await _stage_for(user, team_id, stage_id)
    now = utcnow()
    if now >= stage.deadline:
        competition = await Competition.get(id=stage.competition_id).select_related("event")
        raise SubmissionLate(deadline=local_time(competition.event, stage.deadline))
    slots = {str(slot["key"]): FileSlotIn.model_validate(slot) for slot in stage.file_slots}
    if unknown := [(("files", part.slot), "validation.unknown_field") for part in incoming if part.slot not in slots]:
        raise InvalidInput(errors=unknown)
    uploads: list[Upload] = []
    try:
        for part in incoming:
            slot = slots[part.slot]
            stored = await store.put(
                part.stream,
                filename=part.filename,
                max_bytes=slot.max_mb * 1024 * 1024,
                allowed=slot.kinds,
                declared_size=part.declared_size,
            )
            uploads.append(Upload(slot=part.slot, name=part.filename, stored=stored))
        return await submit(user, team_id, stage_id, data, [*kept, *uploads])
    except BaseException:
        for upload in uploads:
            await store.delete(upload.stored.key)
        raise


async def upload_file(
    user: User, team_id: int, stage_id: int, incoming: IncomingFile, store: SubmissionStore
) -> Submission:
    """One file for one slot, as the next version: the facts and the other slots' files carry over from the
    latest version, so a team can send its files one request each. Refused, it stores nothing (see `receive`)."""
    latest = await _latest(team_id, stage_id)
    facts = SubmissionIn(facts=latest.facts) if latest else SubmissionIn()
    return await receive(user, team_id, stage_id, facts, [incoming], store, kept=_files_of(latest, but=incoming.slot))


async def submit_facts(user: User, team_id: int, stage_id: int, data: SubmissionIn) -> Submission:
    """New answers to the fact sheet as the next version, the latest version's files carried over (the
    counterpart of `upload_file` for the fact sheet)."""
    return await submit(user, team_id, stage_id, data, _files_of(await _latest(team_id, stage_id)))


async def _latest(team_id: int, stage_id: int) -> Submission | None:
    return await Submission.filter(team_id=team_id, stage_id=stage_id).order_by("-version").first()


def _files_of(submission: Submission | None, *, but: str | None = None) -> list[Upload]:
    """The files a version recorded, as uploads to record again in the next one (all but the slot `but`)."""
    return [
        Upload(
            slot=str(file["slot"]),
            name=str(file["name"]),
            stored=StoredFile(
                key=str(file["key"]),
                size=int(str(file["size"])),
                sha256=str(file["sha256"]),
                kind=FileKind(str(file["kind"])),
            ),
        )
        for file in (submission.files if submission else [])
        if file["slot"] != but
    ]


async def _stage_for(user: User, team_id: int, stage_id: int) -> Stage:
    """The stage, if the user is a current member of the team and the stage belongs to its competition."""
    team = await Team.get_or_none(id=team_id)
    if team is None or not await TeamMember.exists(team_id=team_id, holder=user.id):
        raise NotFound()
    stage = await Stage.get_or_none(id=stage_id, competition_id=team.competition_id)
    if stage is None:
        raise NotFound()
    return stage


async def submit(user: User, team_id: int, stage_id: int, data: SubmissionIn, uploads: Sequence[Upload]) -> Submission:
    """Record the next version of a team's entry to a stage, if the stage is open at the moment of commit,
    and mail the submitter a receipt with each file's SHA-256 and what the version still lacks. Versions of one
    team are serialised by its row lock, so v1, v2, … have no gaps or repeats. Unknown or repeated fields and
    too long answers are refused; missing required ones only make the version incomplete."""
    async with in_transaction():
        team = await Team.select_for_update().get_or_none(id=team_id)
        if team is None or not await TeamMember.exists(team_id=team_id, holder=user.id):
            raise NotFound()
        stage = await Stage.get_or_none(id=stage_id, competition_id=team.competition_id)
        if stage is None:
            raise NotFound()
        competition = await Competition.get(id=team.competition_id).select_related("event")
        event = competition.event
        now = utcnow()
        if now < stage.starts_at:
            raise StageNotOpen(opens=local_time(event, stage.starts_at))
        if now >= stage.deadline:
            raise SubmissionLate(deadline=local_time(event, stage.deadline))
        if team.status is not TeamStatus.ACTIVE:
            raise TeamNotActive(status=Label(f"team_status.{team.status.value}"))
        members = await TeamMember.filter(team_id=team.id, holder__not_isnull=True).count()
        if members < competition.team_min:
            raise TeamTooSmall(size=competition.team_min)
        problems = _fact_problems(stage, data) + _file_problems(stage, uploads)
        if problems:
            raise InvalidInput(errors=problems)
        lacking = missing(stage, data.facts, [upload.slot for upload in uploads])
        latest = await Submission.filter(team_id=team.id, stage_id=stage.id).order_by("-version").first()
        version = (latest.version if latest else 0) + 1
        files = [
            {
                "slot": upload.slot,
                "name": upload.name,
                "key": upload.stored.key,
                "size": upload.stored.size,
                "sha256": upload.stored.sha256,
                "kind": upload.stored.kind.value,
            }
            for upload in uploads
        ]
        submission = await Submission.create(
            team=team,
            stage=stage,
            version=version,
            facts=data.facts,
            files=files,
            submitted_by=user,
            submitted_at=now,
            complete=not lacking,
        )
        await audit.record(
            user,
            "submission.create",
            submission,
            organisation_id=event.organisation_id,
            after={"team": team.id, "stage": stage.id, "version": version, "files": files, "complete": not lacking},
        )
        locale: Locale = "en" if user.locale == "en" else "zh-CN"
        await enqueue(
            Mail(
                template="submission_receipt",
                to=user.email,
                to_name=user.name,
                locale=locale,
                context={
                    "recipient_name": user.name,
                    "competition_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
                    "team_name": team.name,
                    "stage_name": pick({"zh": stage.name_zh, "en": stage.name_en}, locale),
                    "version": version,
                    "submitted_at": local_time(event, now),
                    "deadline": local_time(event, stage.deadline),
                    "files": "\n".join(
                        f"- {f['slot']}: {f['name']} ({f['size']:,} bytes) sha256 {f['sha256']}" for f in files
                    )
                    or "-",
                    "missing": "\n".join(f"- {translate(key, locale, **params)}" for _, key, params in lacking),
                },
                dedupe_key=f"submission_receipt:{submission.id}",
                topic=f"event:{event.id}",
            )
        )
    return submission


def _fact_problems(stage: Stage, data: SubmissionIn) -> Problems:
    fields = {str(field["key"]): field for field in stage.fact_sheet}
    problems: Problems = [
        (("body", "facts", key), "validation.unknown_field") for key in data.facts if key not in fields
    ]
    problems += [
        (("body", "facts", key), "validation.fact_too_long")
        for key, field in fields.items()
        if len(data.facts.get(key, "")) > int(str(field.get("max_length", 2000)))
    ]
    return problems


def _file_problems(stage: Stage, uploads: Sequence[Upload]) -> Problems:
    slots = {str(slot["key"]): slot for slot in stage.file_slots}
    given = [upload.slot for upload in uploads]
    problems: Problems = [(("files", slot), "validation.unknown_field") for slot in given if slot not in slots]
    problems += [(("files", slot), "validation.duplicate_file") for slot in sorted(set(given)) if given.count(slot) > 1]
    return problems


def missing(stage: Stage, facts: Mapping[str, object], slots: Iterable[str]) -> Missing:
    """The required answers and files a version lacks, each with its field path and the message naming it: what
    keeps the version from counting."""
    given = set(slots)
    fields = [FactFieldIn.model_validate(field) for field in stage.fact_sheet]
    files = [FileSlotIn.model_validate(slot) for slot in stage.file_slots]
    lacking: Missing = [
        (("body", "facts", field.key), "submission.missing_fact", {"label": Named(field.label.model_dump())})
        for field in fields
        if field.required and not facts.get(field.key)
    ]
    lacking += [
        (("files", slot.key), "submission.missing_file", {"label": Named(slot.label.model_dump())})
        for slot in files
        if slot.required and slot.key not in given
    ]
    return lacking


def missing_from(stage: Stage, submission: Submission) -> Missing:
    """What a recorded version of the stage lacks (empty for a complete one)."""
    return missing(stage, submission.facts, [str(file["slot"]) for file in submission.files])


def candidates(stage: Stage) -> QuerySet[Submission]:
    """The versions of a stage that may count: complete and committed before its deadline (a deadline moved
    earlier later on leaves the versions after it on record, but they no longer count). Of a team's, the one
    with the highest version counts; every reader of an entry goes through here."""
    return Submission.filter(stage_id=stage.id, complete=True, submitted_at__lt=stage.deadline)


async def counting(team_id: int, stage_id: int) -> Submission | None:
    """The version that counts: the last complete one committed before the stage's deadline."""
    return await candidates(await Stage.get(id=stage_id)).filter(team_id=team_id).order_by("-version").first()


async def versions(team: Team, stage_id: int) -> tuple[list[Submission], Submission | None]:
    """Every version of a team's entry to a stage of its competition, newest first, and the one that counts."""
    if not await Stage.exists(id=stage_id, competition_id=team.competition_id):
        raise NotFound()
    return (
        await Submission.filter(team_id=team.id, stage_id=stage_id).order_by("-version"),
        await counting(team.id, stage_id),
    )


async def may_read(user: User, team: Team) -> bool:
    """The one rule for who may read a team's entries and download their files: the team's current members,
    and the organisers of the competition (its event's organisation or a challenge's co-organiser). Judges read
    only the entries they are cleared for, per stage (`judge_cleared_for`)."""
    if user.is_admin or await TeamMember.exists(team_id=team.id, holder=user.id):
        return True
    competition = await Competition.get(id=team.competition_id).select_related("event")
    for organisation_id in (competition.event.organisation_id, competition.co_organiser_id):
        if organisation_id is None:
            continue
        try:
            await require_role(user, organisation_id, Role.ORGANISER)
        except PermissionDenied:
            continue
        return True
    return False


async def judge_cleared_for(user: User, team_id: int, stage_id: int) -> bool:
    """The one test that a judge may read a team's entry to a stage: a live pairing (no conflict found since) on
    which they declared no conflict, while they hold the `judge` role (docs/architecture.md#judging)."""
    assignment = await JudgeAssignment.get_or_none(
        judge_id=user.id, team_id=team_id, stage_id=stage_id, cleared_at__not_isnull=True, withdrawn_at__isnull=True
    )
    return assignment is not None and await holds_judge_role(user, stage_id)


async def holds_judge_role(user: User, stage_id: int) -> bool:
    """Whether the user is still a member with the `judge` role of the organisation of the stage's event."""
    stage = await Stage.get(id=stage_id).select_related("competition__event")
    return await Membership.exists(
        user_id=user.id, organisation_id=stage.competition.event.organisation_id, role=Role.JUDGE
    )


async def readable_submission(user: User, submission_id: int) -> Submission:
    """A submission for someone `may_read` allows, or a judge cleared for its entry; NotFound for anyone else,
    so its existence stays hidden."""
    submission = await Submission.get_or_none(id=submission_id).select_related("team")
    if submission is None:
        raise NotFound()
    if not (
        await may_read(user, submission.team) or await judge_cleared_for(user, submission.team_id, submission.stage_id)
    ):
        raise NotFound()
    return submission
