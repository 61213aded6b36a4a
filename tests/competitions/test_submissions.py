"""Submissions: versions, the deadline at the second (judged at the moment the upload is complete and
committed), wrong stages, fact sheets and file slots, the receipt with hashes, and who may read an entry."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from events.competitions import submissions, teams
from events.competitions.models import Competition, Stage, Submission, Team, TeamStatus
from events.competitions.panel import entries_of
from events.competitions.schemas import SubmissionIn
from events.competitions.storage import FileKind, FileKindRefused, LocalSubmissionStore, StoredFile
from events.competitions.submissions import IncomingFile, Upload
from events.mailing import Site
from notifications.models import OutboxMessage
from notifications.templates import render
from server.errors import InvalidInput, NotFound, problem
from server.models import AuditEntry, Membership, OrganisationKind, Role, User
from tests.competitions.support import Clock, World, competition_event, invited, organisation, person, team_of, world


def plan(content: bytes = b"%PDF-1.7 plan", slot: str = "plan") -> Upload:
    digest = hashlib.sha256(content).hexdigest()
    return Upload(slot=slot, name="方案.pdf", stored=StoredFile(f"ab/{digest}", len(content), digest, FileKind.PDF))


FACTS = SubmissionIn(facts={"summary": "产线视觉质检"})


async def entered(**fields: object) -> tuple[World, User, Team]:
    place = await world(**fields)
    leader = await person("lead@x.cn")
    return place, leader, await team_of(place, leader)


async def test_each_submission_is_the_next_version(db: str) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    first = await submissions.submit(leader, team.id, stage.id, FACTS, [plan(b"v1")])
    second = await submissions.submit(leader, team.id, stage.id, FACTS, [plan(b"v2")])
    assert (first.version, second.version) == (1, 2)
    assert second.files == [
        {
            "slot": "plan",
            "name": "方案.pdf",
            "key": f"ab/{hashlib.sha256(b'v2').hexdigest()}",
            "size": 2,
            "sha256": hashlib.sha256(b"v2").hexdigest(),
            "kind": "pdf",
        }
    ]
    counted = await submissions.counting(team.id, stage.id)
    assert counted is not None and counted.id == second.id
    assert await AuditEntry.filter(action="submission.create").count() == 2


async def test_the_receipt_names_each_file_hash(db: str) -> None:
    place, leader, team = await entered()
    await submissions.submit(leader, team.id, place.stages[0].id, FACTS, [plan(b"bytes")])
    mail = await OutboxMessage.get(template="submission_receipt")
    assert mail.to_addr == "lead@x.cn" and mail.context["version"] == 1
    text = render("submission_receipt", "zh-CN", mail.context).text
    assert hashlib.sha256(b"bytes").hexdigest() in text and "(Asia/Shanghai)" in text


async def test_the_last_second_before_the_deadline_counts_and_the_deadline_itself_is_late(
    db: str, clock: Clock
) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    clock.now = stage.deadline - timedelta(microseconds=1)
    on_time = await submissions.submit(leader, team.id, stage.id, FACTS, [plan()])
    assert on_time.submitted_at == stage.deadline - timedelta(microseconds=1)
    clock.now = stage.deadline
    with pytest.raises(submissions.SubmissionLate) as caught:
        await submissions.submit(leader, team.id, stage.id, FACTS, [plan()])
    local = stage.deadline.astimezone(ZoneInfo("Asia/Shanghai"))
    shown = f"{local:%Y-%m-%d %H:%M:%S} (Asia/Shanghai)"
    zh, en = problem(caught.value, "zh-CN"), problem(caught.value, "en")
    assert (zh.status, en.status) == (409, 409)
    assert zh.title == f"已过截止时间：{shown}" and shown in en.detail
    assert [s.version for s in await Submission.filter(team_id=team.id)] == [1]


async def test_an_upload_started_before_the_deadline_but_complete_after_it_is_late(db: str, clock: Clock) -> None:
    """The rule: the moment the submission is complete and committed counts, not when its upload began."""
    place, leader, team = await entered()
    stage = place.stages[0]
    clock.now = stage.deadline - timedelta(seconds=5)  # the upload begins
    upload = plan()  # ... bytes stream into storage ...
    clock.now = stage.deadline + timedelta(seconds=1)  # ... and are all there one second too late
    with pytest.raises(submissions.SubmissionLate):
        await submissions.submit(leader, team.id, stage.id, FACTS, [upload])
    clock.now = stage.deadline - timedelta(seconds=1)  # the same upload complete one second early is on time
    await submissions.submit(leader, team.id, stage.id, FACTS, [upload])


async def test_a_version_after_a_deadline_moved_earlier_no_longer_counts(db: str) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    first = await submissions.submit(leader, team.id, stage.id, FACTS, [plan(b"1")])
    second = await submissions.submit(leader, team.id, stage.id, FACTS, [plan(b"2")])
    await Stage.filter(id=stage.id).update(deadline=second.submitted_at)
    counted = await submissions.counting(team.id, stage.id)
    assert counted is not None and counted.id == first.id


async def test_a_stage_not_yet_open_is_refused_with_its_opening(db: str) -> None:
    place, leader, team = await entered()
    later = place.stages[1]
    with pytest.raises(submissions.StageNotOpen) as caught:
        await submissions.submit(leader, team.id, later.id, SubmissionIn(), [])
    local = later.starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert problem(caught.value, "en").detail == (
        f"This stage opens for submissions at {local:%Y-%m-%d %H:%M:%S} (Asia/Shanghai)."
    )


async def test_a_stage_of_another_competition_is_not_found(db: str) -> None:
    place, leader, team = await entered()
    other_event_stage = await Stage.create(
        competition_id=(await world_elsewhere()).id,
        name_zh="别处",
        position=0,
        starts_at=place.stages[0].starts_at,
        deadline=place.stages[0].deadline,
    )
    with pytest.raises(NotFound):
        await submissions.submit(leader, team.id, other_event_stage.id, FACTS, [plan()])


async def world_elsewhere() -> Competition:
    return await Competition.create(event=await competition_event(await organisation(name="另一组委会")))


async def test_only_an_active_team_of_enough_members_submits(db: str, site: Site) -> None:
    place, leader, team = await entered(team_min=2, requires_approval=True)
    stage = place.stages[0]
    with pytest.raises(submissions.TeamNotActive):
        await submissions.submit(leader, team.id, stage.id, FACTS, [plan()])
    await teams.decide(place.host, team.id, approve=True)
    with pytest.raises(submissions.TeamTooSmall) as caught:
        await submissions.submit(leader, team.id, stage.id, FACTS, [plan()])
    assert problem(caught.value, "zh-CN").detail == "本赛事的团队至少需要 2 人才能提交。"
    mate = await person("mate@x.cn")
    await teams.accept(mate, await invited(team, leader, "mate@x.cn", site), site)
    assert (await submissions.submit(mate, team.id, stage.id, FACTS, [plan()])).version == 1


async def test_someone_outside_the_team_cannot_submit_for_it(db: str) -> None:
    place, _, team = await entered()
    with pytest.raises(NotFound):
        await submissions.submit(await person("x@x.cn"), team.id, place.stages[0].id, FACTS, [plan()])


async def test_fact_sheet_and_file_slots_are_checked_field_by_field(db: str) -> None:
    place, leader, team = await entered()
    facts = SubmissionIn(facts={"site": "某工厂", "extra": "x"})
    uploads = [plan(slot="video"), plan(slot="video"), plan(), plan()]
    with pytest.raises(InvalidInput) as caught:
        await submissions.submit(leader, team.id, place.stages[0].id, facts, uploads)
    assert [(loc, key) for loc, key, _ in caught.value.field_errors] == [
        (("body", "facts", "extra"), "validation.unknown_field"),
        (("files", "video"), "validation.unknown_field"),
        (("files", "video"), "validation.unknown_field"),
        (("files", "plan"), "validation.duplicate_file"),
        (("files", "video"), "validation.duplicate_file"),
    ]
    too_long = SubmissionIn(facts={"summary": "字" * 201})
    with pytest.raises(InvalidInput) as long_caught:
        await submissions.submit(leader, team.id, place.stages[0].id, too_long, [plan()])
    assert [key for _, key, _ in long_caught.value.field_errors] == ["validation.fact_too_long"]
    assert not await Submission.exists()


TWO_FILES = [
    {"key": "plan", "label": {"zh": "方案书", "en": "Plan"}, "required": True},
    {"key": "deck", "label": {"zh": "路演材料", "en": "Deck"}, "required": True},
]


async def test_files_sent_one_at_a_time_make_a_draft_then_the_complete_version_that_counts(
    db: str, tmp_path: Path
) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    await Stage.filter(id=stage.id).update(file_slots=TWO_FILES)
    store = LocalSubmissionStore(tmp_path / "files")
    await submissions.submit_facts(leader, team.id, stage.id, FACTS)
    first = await submissions.upload_file(
        leader, team.id, stage.id, IncomingFile("plan", "方案.pdf", chunks(PDF)), store
    )
    assert (first.version, first.complete) == (2, False)
    assert await submissions.counting(team.id, stage.id) is None
    stored = await Stage.get(id=stage.id)
    assert [(loc, key) for loc, key, _ in submissions.missing_from(stored, first)] == [
        (("files", "deck"), "submission.missing_file")
    ]
    receipt = await OutboxMessage.filter(template="submission_receipt").order_by("-id").first()
    assert receipt is not None
    text = render("submission_receipt", "zh-CN", receipt.context)
    assert "（未完成）" in text.subject and "不计入评审" in text.text and "- 缺少文件“路演材料”" in text.text

    second = await submissions.upload_file(
        leader, team.id, stage.id, IncomingFile("deck", "deck.pdf", chunks(PDF + b"deck")), store
    )
    assert (second.version, second.complete) == (3, True)
    assert sorted(str(file["slot"]) for file in second.files) == ["deck", "plan"]
    counted = await submissions.counting(team.id, stage.id)
    assert counted is not None and counted.id == second.id
    receipt = await OutboxMessage.filter(template="submission_receipt").order_by("-id").first()
    assert receipt is not None and receipt.context["missing"] == ""
    done = render("submission_receipt", "en", receipt.context)
    assert "(incomplete)" not in done.subject and "Still missing" not in done.text
    entry = await AuditEntry.filter(action="submission.create").order_by("-id").first()
    assert entry is not None and entry.after["complete"] is True


async def test_a_later_incomplete_version_leaves_the_complete_one_counting(db: str, tmp_path: Path) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    complete = await submissions.submit(leader, team.id, stage.id, FACTS, [plan()])
    cleared = await submissions.submit_facts(leader, team.id, stage.id, SubmissionIn(facts={"site": "某工厂"}))
    assert (cleared.version, cleared.complete, cleared.files) == (2, False, complete.files)
    counted = await submissions.counting(team.id, stage.id)
    assert counted is not None and counted.id == complete.id
    lacking = submissions.missing_from(await Stage.get(id=stage.id), cleared)
    assert [(loc, key) for loc, key, _ in lacking] == [(("body", "facts", "summary"), "submission.missing_fact")]
    assert [problem(InvalidInput(errors=lacking), locale).detail for locale in ("zh-CN", "en")] == [
        "缺少必填项“项目简介”",
        "Missing the answer to “项目简介”",
    ]
    await submissions.submit(leader, team.id, stage.id, SubmissionIn(facts={}), [])  # nothing at all: a draft too
    counted = await submissions.counting(team.id, stage.id)
    assert counted is not None and counted.id == complete.id
    [(entered_team, entry)] = await entries_of(await Stage.get(id=stage.id))  # what judging and results read
    assert (entered_team.id, entry.id) == (team.id, complete.id)


async def test_a_stage_with_only_incomplete_versions_has_no_entry(db: str) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    await submissions.submit(leader, team.id, stage.id, FACTS, [])
    assert await submissions.counting(team.id, stage.id) is None
    assert await entries_of(await Stage.get(id=stage.id)) == []


async def test_the_team_and_the_organisers_may_read_an_entry_and_nobody_else(db: str) -> None:
    enterprise = await organisation(OrganisationKind.COMPANY, "济南某智能装备有限公司")
    place, leader, team = await entered(challenge={"enterprise_id": enterprise.id, "need": "质检"})
    submission = await submissions.submit(leader, team.id, place.stages[0].id, FACTS, [plan()])
    enterprise_organiser = await person("need@company.cn")
    await Membership.create(user=enterprise_organiser, organisation=enterprise, role=Role.ORGANISER)
    checker = await person("checker@organiser.cn")
    await Membership.create(user=checker, organisation=place.organisation, role=Role.CHECKER)
    other_leader = await person("rival@x.cn")
    await team_of(place, other_leader, name="对手队")
    admin = await User.create(email="admin@x.cn", name="admin", password_hash="-", is_admin=True)
    for reader, allowed in [
        (leader, True),
        (place.host, True),
        (enterprise_organiser, True),
        (admin, True),
        (checker, False),
        (other_leader, False),
        (await person("nobody@x.cn"), False),
    ]:
        assert await submissions.may_read(reader, team) is allowed, reader.email
        if allowed:
            assert (await submissions.readable_submission(reader, submission.id)).id == submission.id
        else:
            with pytest.raises(NotFound):
                await submissions.readable_submission(reader, submission.id)


async def test_a_former_member_may_no_longer_read(db: str) -> None:
    place, leader, team = await entered()
    await submissions.submit(leader, team.id, place.stages[0].id, FACTS, [plan()])
    await teams.withdraw(leader, team.id)
    assert (await Team.get(id=team.id)).status is TeamStatus.WITHDRAWN
    assert not await submissions.may_read(leader, team)


PDF = b"%PDF-1.7\n" + b"x" * 5000


async def chunks(content: bytes, *, then: Callable[[], None] | None = None) -> AsyncIterator[bytes]:
    """The bytes in 1 KiB chunks; `then` runs after the last one (the moment the upload is complete)."""
    for start in range(0, len(content), 1024):
        yield content[start : start + 1024]
    if then is not None:
        then()


def files_on_disk(store: LocalSubmissionStore) -> list[Path]:
    return [path for path in store.root.rglob("*") if path.is_file()]


async def test_received_files_are_stored_streamed_and_hashed(db: str, tmp_path: Path) -> None:
    place, leader, team = await entered()
    store = LocalSubmissionStore(tmp_path / "files")
    incoming = [IncomingFile("plan", "方案.pdf", chunks(PDF), len(PDF))]
    submission = await submissions.receive(leader, team.id, place.stages[0].id, FACTS, incoming, store)
    [stored] = submission.files
    assert (stored["sha256"], stored["size"], stored["kind"]) == (hashlib.sha256(PDF).hexdigest(), len(PDF), "pdf")
    assert [path.read_bytes() for path in files_on_disk(store)] == [PDF]


async def test_an_upload_that_completes_after_the_deadline_leaves_nothing_on_disk(
    db: str, clock: Clock, tmp_path: Path
) -> None:
    place, leader, team = await entered()
    stage = place.stages[0]
    store = LocalSubmissionStore(tmp_path / "files")
    clock.now = stage.deadline - timedelta(seconds=2)

    def deadline_passes() -> None:
        clock.now = stage.deadline

    incoming = [IncomingFile("plan", "方案.pdf", chunks(PDF, then=deadline_passes), len(PDF))]
    with pytest.raises(submissions.SubmissionLate):
        await submissions.receive(leader, team.id, stage.id, FACTS, incoming, store)
    assert files_on_disk(store) == [] and not await Submission.exists()


async def test_a_refused_second_file_removes_the_first(db: str, tmp_path: Path) -> None:
    slots = [
        {"key": "plan", "label": {"zh": "方案书"}, "required": True},
        {"key": "deck", "label": {"zh": "路演材料"}, "kinds": ["pptx"]},
    ]
    place, leader, team = await entered()
    await Stage.filter(id=place.stages[0].id).update(file_slots=slots)
    store = LocalSubmissionStore(tmp_path / "files")
    incoming = [IncomingFile("plan", "方案.pdf", chunks(PDF)), IncomingFile("deck", "deck.exe", chunks(b"MZ"))]
    with pytest.raises(FileKindRefused) as caught:
        await submissions.receive(leader, team.id, place.stages[0].id, FACTS, incoming, store)
    assert problem(caught.value, "en").detail == "Accepted here: .pptx."
    assert files_on_disk(store) == []


async def test_what_can_be_refused_before_reading_is_refused_unread(db: str, clock: Clock, tmp_path: Path) -> None:
    place, leader, team = await entered()
    store = LocalSubmissionStore(tmp_path / "files")
    read: list[bytes] = []

    async def watched() -> AsyncIterator[bytes]:
        read.append(PDF)
        yield PDF

    with pytest.raises(InvalidInput) as caught:
        await submissions.receive(
            leader, team.id, place.stages[0].id, FACTS, [IncomingFile("video", "a.mp4", watched())], store
        )
    assert [(loc, key) for loc, key, _ in caught.value.field_errors] == [
        (("files", "video"), "validation.unknown_field")
    ]
    clock.now = place.stages[0].deadline
    with pytest.raises(submissions.SubmissionLate):
        await submissions.receive(
            leader, team.id, place.stages[0].id, FACTS, [IncomingFile("plan", "a.pdf", watched())], store
        )
    with pytest.raises(NotFound):
        await submissions.receive(await person("x@x.cn"), team.id, place.stages[0].id, FACTS, [], store)
    assert read == [] and files_on_disk(store) == []
