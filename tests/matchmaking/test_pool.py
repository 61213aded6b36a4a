"""Pool entries: who writes them, the one transition table pair by pair, audit, limits and what the public sees."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from tortoise.transactions import in_transaction

from events.matchmaking import pool
from events.matchmaking.models import EntryKind, EntryState, PoolEntry
from events.matchmaking.pool import EntryNotEditable, EntryTransitionForbidden, Side
from events.matchmaking.schemas import ContactIn, EntryIn, EntryOut, EntryPatch, EntryTitle, EntryWithContactOut
from server.errors import InvalidInput, NotFound, PermissionDenied, problem
from server.models import AuditEntry, OrganisationKind, Role
from tests.matchmaking.support import IMAGING_NEED, NODULE_SOLUTION, curator, member, need, solution

D, S, P, M, C = (
    EntryState.DRAFT,
    EntryState.SUBMITTED,
    EntryState.PUBLISHED,
    EntryState.MATCHED,
    EntryState.CLOSED,
)
# Written out here rather than read from the module: the moves allowed, and who may make each.
ALLOWED: dict[tuple[EntryState, EntryState], set[Side]] = {
    (D, S): {Side.OWNER},
    (D, C): {Side.OWNER},
    (S, P): {Side.CURATOR},
    (S, D): {Side.OWNER, Side.CURATOR},  # withdrawn by its owner, or returned by a curator
    (S, C): {Side.OWNER, Side.CURATOR},
    (P, M): {Side.OWNER, Side.CURATOR},
    (P, C): {Side.OWNER, Side.CURATOR},
    (M, C): {Side.OWNER, Side.CURATOR},
}


def field_errors(error: InvalidInput) -> dict[tuple[str | int, ...], str]:
    return {tuple(loc): key for loc, key, _ in error.field_errors}


async def test_a_member_creates_a_draft_need_with_its_domains_and_an_audit_entry(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn", role=Role.REPORTER)
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED, budget_band="100k_500k"))
    assert (entry.kind, entry.state, entry.organisation_id) == (EntryKind.NEED, EntryState.DRAFT, organisation.id)
    assert [d.code for d in entry.domains] == ["healthcare"] and entry.region and entry.region.code == "lixia"
    assert entry.description_html.startswith("<p>我院放射科")
    audit = await AuditEntry.get(object_type="PoolEntry", object_id=str(entry.id))
    assert (audit.action, audit.actor_id, audit.organisation_id) == ("pool_entry.create", owner.id, organisation.id)
    assert audit.after and audit.after["budget_band"] == "100k_500k"


async def test_only_members_of_the_organisation_create_its_entries(db: str) -> None:
    _, organisation = await member("owner@hospital.cn")
    outsider, _ = await member("outsider@other.cn")
    with pytest.raises(PermissionDenied):
        await pool.create_entry(outsider, need(organisation.id, *IMAGING_NEED))
    with pytest.raises(InvalidInput) as unknown:
        await pool.create_entry(outsider, need(10_000, *IMAGING_NEED))
    assert field_errors(unknown.value) == {("body", "organisation_id"): "validation.unknown_organisation"}
    assert not await PoolEntry.exists()


async def test_each_kind_requires_its_own_fields_and_refuses_the_other_kind_s_in_one_answer(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    with pytest.raises(InvalidInput) as bad_need:
        await pool.create_entry(
            owner,
            need(organisation.id, "影像辅助诊断", "", ["mars"], region=None, expected_timing="", maturity="pilot"),
        )
    assert field_errors(bad_need.value) == {
        ("body", "region"): "validation.required_for_kind",
        ("body", "expected_timing"): "validation.required_for_kind",
        ("body", "maturity"): "validation.not_for_kind",
        ("body", "domains"): "validation.unknown_tag",
    }
    with pytest.raises(InvalidInput) as bad_solution:
        await pool.create_entry(
            owner, solution(organisation.id, *NODULE_SOLUTION, maturity=None, budget_band="over_2m", region="atlantis")
        )
    assert field_errors(bad_solution.value) == {
        ("body", "maturity"): "validation.required_for_kind",
        ("body", "budget_band"): "validation.not_for_kind",
        ("body", "region"): "validation.unknown_region",
    }
    messages = {locale: [e.msg for e in problem(bad_need.value, locale).errors] for locale in ("zh-CN", "en")}
    assert messages["zh-CN"][:3] == ["需求必须填写此项", "需求必须填写此项", "需求不填写此项"]
    assert messages["en"][:3] == ["Required for a need", "Required for a need", "Not part of a need"]
    assert not await PoolEntry.exists()


@pytest.mark.parametrize("before", list(EntryState))
@pytest.mark.parametrize("to", list(EntryState))
async def test_transition_table(db: str, before: EntryState, to: EntryState) -> None:
    owner, organisation = await member("owner@hospital.cn")
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    for side in (Side.OWNER, Side.CURATOR):
        await PoolEntry.filter(id=entry.id).update(state=before)
        await AuditEntry.all().delete()
        await entry.refresh_from_db()
        expected: type[Exception] | None = None
        if (before, to) not in ALLOWED:
            expected = EntryTransitionForbidden
        elif side not in ALLOWED[(before, to)]:
            expected = PermissionDenied
        if expected is None:
            async with in_transaction():
                await pool.transition(entry, to, actor=owner, acting_as=frozenset({side}), reason="why")
            assert (await PoolEntry.get(id=entry.id)).state is to
            audit = await AuditEntry.get()
            assert (audit.action, audit.before, audit.after) == (
                f"pool_entry.{to.value}",
                {"state": before.value},
                {"state": to.value, "reason": "why"},
            )
        else:
            with pytest.raises(expected):
                async with in_transaction():
                    await pool.transition(entry, to, actor=owner, acting_as=frozenset({side}))
            assert (await PoolEntry.get(id=entry.id)).state is before
            assert not await AuditEntry.exists()


async def test_who_acts_as_owner_and_who_as_curator(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn", role=Role.CHECKER)
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    bureau = await curator()
    organiser, _ = await member("host@organiser.cn", OrganisationKind.ORGANISER, Role.ORGANISER)
    company_organiser, _ = await member("events@company.cn", OrganisationKind.COMPANY, Role.ORGANISER)
    bureau_reporter, _ = await member("stats@bureau.gov.cn", OrganisationKind.BUREAU, Role.REPORTER)
    assert await pool.sides(owner, entry) == {Side.OWNER}
    assert await pool.sides(bureau, entry) == {Side.CURATOR}
    assert await pool.sides(organiser, entry) == {Side.CURATOR}
    assert await pool.sides(company_organiser, entry) == set()
    assert await pool.sides(bureau_reporter, entry) == set()
    with pytest.raises(NotFound):
        await pool.move(company_organiser, entry.id, EntryState.SUBMITTED)


async def test_publishing_stamps_the_time_and_a_returned_entry_is_editable_again(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    bureau = await curator()
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    await pool.move(owner, entry.id, EntryState.SUBMITTED)
    with pytest.raises(EntryNotEditable) as locked:
        await pool.update_entry(owner, entry.id, EntryPatch(expected_timing="2027年"))
    assert problem(locked.value, "zh-CN").detail.startswith("状态为“待审核”的条目不能修改")
    with pytest.raises(PermissionDenied):
        await pool.move(owner, entry.id, EntryState.PUBLISHED)
    await pool.move(bureau, entry.id, EntryState.DRAFT, reason="请补充预算")
    changed = await pool.update_entry(owner, entry.id, EntryPatch(expected_timing="2027年", budget_band="under_100k"))
    assert (changed.expected_timing, changed.budget_band) == ("2027年", "under_100k")
    await pool.move(owner, entry.id, EntryState.SUBMITTED)
    published = await pool.move(bureau, entry.id, EntryState.PUBLISHED)
    assert published.published_at is not None
    actions = await AuditEntry.filter(object_type="PoolEntry").order_by("id").values_list("action", "actor_id")
    assert actions == [
        ("pool_entry.create", owner.id),
        ("pool_entry.submitted", owner.id),
        ("pool_entry.draft", bureau.id),
        ("pool_entry.update", owner.id),
        ("pool_entry.submitted", owner.id),
        ("pool_entry.published", bureau.id),
    ]
    update = await AuditEntry.get(action="pool_entry.update")
    assert update.before and update.after
    assert (update.before["expected_timing"], update.after["expected_timing"]) == ("2026年下半年", "2027年")


async def test_only_members_edit_and_a_patch_is_validated_as_the_merged_whole(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    outsider, _ = await member("outsider@other.cn")
    bureau = await curator()
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    with pytest.raises(NotFound):
        await pool.update_entry(outsider, entry.id, EntryPatch(expected_timing="明年"))
    with pytest.raises(PermissionDenied):
        await pool.update_entry(bureau, entry.id, EntryPatch(expected_timing="明年"))
    with pytest.raises(InvalidInput) as cleared:
        await pool.update_entry(owner, entry.id, EntryPatch(region=None, reference_cases=["某医院"]))
    assert field_errors(cleared.value) == {
        ("body", "region"): "validation.required_for_kind",
        ("body", "reference_cases"): "validation.not_for_kind",
    }
    with pytest.raises(InvalidInput) as invalid:
        await pool.update_entry(owner, entry.id, EntryPatch.model_validate({"domains": []}))
    assert [e.loc for e in problem(invalid.value, "en").errors] == [["body", "domains"]]
    unchanged = await pool.entry_for(entry.id)
    assert (unchanged.region and unchanged.region.code, [d.code for d in unchanged.domains]) == (
        "lixia",
        ["healthcare"],
    )
    assert await AuditEntry.filter(action="pool_entry.update").count() == 0


async def test_contact_details_are_shown_to_signed_in_users_only(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    reader, _ = await member("reader@other.cn")
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    public = pool.entry_out(entry, None)
    assert type(public) is EntryOut and "contact" not in public.model_dump()
    assert "wangmin" not in public.model_dump_json()
    signed_in = pool.entry_out(entry, reader)
    assert isinstance(signed_in, EntryWithContactOut)
    assert signed_in.contact.model_dump() == {"name": "王敏", "phone": "0531-8888 6666", "email": "wangmin@hospital.cn"}


async def test_drafts_are_seen_by_their_organisation_and_curators_only(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    outsider, _ = await member("outsider@other.cn")
    bureau = await curator()
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    for user in (None, outsider):
        with pytest.raises(NotFound):
            await pool.visible_entry(entry.id, user)
    assert (await pool.visible_entry(entry.id, owner)).id == entry.id
    assert (await pool.visible_entry(entry.id, bureau)).id == entry.id
    await pool.move(owner, entry.id, EntryState.SUBMITTED)
    await pool.move(bureau, entry.id, EntryState.PUBLISHED)
    assert (await pool.visible_entry(entry.id, None)).id == entry.id
    await pool.move(owner, entry.id, EntryState.CLOSED)
    with pytest.raises(NotFound):
        await pool.visible_entry(entry.id, outsider)


def _max_length(schema: type[BaseModel], name: str) -> Any:
    prop = schema.model_json_schema()["properties"][name]
    if "items" in prop:
        prop = prop["items"]
    options = prop.get("anyOf", [prop])
    return next(option["maxLength"] for option in options if "maxLength" in option)


@pytest.mark.parametrize(
    ("schema", "name", "column"),
    [
        (EntryTitle, "zh", "title_zh"),
        (EntryTitle, "en", "title_en"),
        (EntryIn, "expected_timing", "expected_timing"),
        (EntryPatch, "expected_timing", "expected_timing"),
        (ContactIn, "name", "contact_name"),
        (ContactIn, "phone", "contact_phone"),
        (ContactIn, "email", "contact_email"),
    ],
)
def test_schema_limits_equal_column_lengths(schema: type[BaseModel], name: str, column: str) -> None:
    assert _max_length(schema, name) == PoolEntry._meta.fields_map[column].max_length  # type: ignore[attr-defined]


async def test_a_too_long_text_is_refused_with_the_column_s_limit_in_both_languages(db: str) -> None:
    from pydantic import ValidationError

    from server.errors import from_validation

    with pytest.raises(ValidationError) as too_long:
        EntryTitle(zh="影" * 201)
    rendered = problem(from_validation(too_long.value, "body", "title"), "zh-CN").errors
    assert [(e.loc, e.msg) for e in rendered] == [(["body", "title", "zh"], "不能超过 200 个字符")]
    assert problem(from_validation(too_long.value, "body", "title"), "en").errors[0].msg == (
        "Must have at most 200 characters"
    )


async def test_a_refused_move_names_both_states_in_the_reader_s_language(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    await pool.move(owner, entry.id, EntryState.CLOSED)
    with pytest.raises(EntryTransitionForbidden) as refused:
        await pool.move(owner, entry.id, EntryState.SUBMITTED)
    assert problem(refused.value, "zh-CN").detail == "资源池条目状态为“已关闭”，不能变为“待审核”。"
    assert problem(refused.value, "en").detail == "A pool entry that is “Closed” cannot become “Submitted”."
    assert problem(refused.value, "en").status == 409
