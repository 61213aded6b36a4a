"""Recommendations: ranked by domain overlap and text similarity, with reasons, in a deterministic order."""

from __future__ import annotations

import pytest

from events.matchmaking import pool
from events.matchmaking.models import EntryState
from events.matchmaking.recommend import recommend, recommendations
from server.errors import NotFound
from tests.matchmaking.support import curator, member, need, published, realistic_pool, solution


async def test_the_imaging_need_is_recommended_the_nodule_screening_first_with_its_reason(db: str) -> None:
    entries = await realistic_pool()
    found = await recommend(entries["imaging"])
    assert [r.entry.id for r in found] == [entries["nodule"].id, entries["annotation"].id]
    best = found[0]
    assert [d.code for d in best.shared_domains] == ["healthcare"]
    # 影像 is in every healthcare entry: rarer shared words say more
    assert best.shared_terms == ["结节", "诊断", "辅助"]
    assert found[1].shared_terms == ["影像"]
    assert found[0].score > found[1].score > 0
    assert best.reason(entries["imaging"], "zh-CN") == (
        "双方均关注: 医疗健康; 需求『影像辅助诊断』与方案『肺结节AI筛查』相近 (共同关键词: 结节, 诊断, 辅助)"
    )
    assert best.reason(entries["imaging"], "en") == (
        "Both work on: Healthcare; The need “影像辅助诊断” is close to the solution “肺结节AI筛查” "
        "(shared keywords: 结节, 诊断, 辅助)"
    )


async def test_each_need_finds_its_own_solution_and_a_solution_finds_needs(db: str) -> None:
    entries = await realistic_pool()
    assert (await recommend(entries["defect"]))[0].entry.id == entries["vision"].id
    assert [r.entry.id for r in await recommend(entries["hotline"])] == [entries["hotline_ai"].id]
    assert [r.entry.id for r in await recommend(entries["vision"])][0] == entries["defect"].id
    hotline = (await recommend(entries["hotline_ai"]))[0]
    assert hotline.entry.id == entries["hotline"].id
    # the need is in two domains, the solution in one of them: half the domains are shared
    assert [d.code for d in hotline.shared_domains] == ["digital-government"]
    assert hotline.reason(entries["hotline_ai"], "zh-CN").startswith(
        "双方均关注: 数字政府; 方案『政务热线大模型助手』与需求『12345热线工单智能分派』相近"
    )


async def test_a_single_common_word_without_a_shared_domain_is_not_a_recommendation(db: str) -> None:
    entries = await realistic_pool()
    # the imaging need and the hotline solution share only 智能
    assert entries["hotline_ai"].id not in {r.entry.id for r in await recommend(entries["imaging"])}
    assert [r.entry.id for r in await recommend(entries["defect"])] == [entries["vision"].id]


async def test_same_organisation_unpublished_and_unrelated_entries_are_left_out(db: str) -> None:
    by = await curator()
    owner, organisation = await member("hospital@need.cn")
    imaging = await published(owner, need(organisation.id, "影像辅助诊断", "CT影像初筛", ["healthcare"]), by)
    await published(owner, solution(organisation.id, "影像诊断系统", "CT影像", ["healthcare"], ["本院"]), by)
    vendor, vendor_org = await member("vendor@solution.cn")
    draft = await pool.create_entry(vendor, solution(vendor_org.id, "影像诊断云", "CT影像", ["healthcare"], ["某院"]))
    await published(vendor, solution(vendor_org.id, "智能排课", "学校排课", ["education"], ["某中学"]), by)
    assert await recommend(imaging) == []
    await pool.move(vendor, draft.id, EntryState.SUBMITTED)
    await pool.move(by, draft.id, EntryState.PUBLISHED)
    assert [r.entry.id for r in await recommend(imaging)] == [draft.id]


async def test_a_domain_alone_or_words_alone_are_each_a_reason(db: str) -> None:
    by = await curator()
    owner, organisation = await member("hospital@need.cn")
    imaging = await published(owner, need(organisation.id, "影像辅助诊断", "CT影像初筛", ["healthcare"]), by)
    vendor, vendor_org = await member("vendor@solution.cn")
    domain_only = await published(
        vendor, solution(vendor_org.id, "智能导诊", "门诊分诊问答", ["healthcare"], ["甲"]), by
    )
    words_only = await published(
        vendor, solution(vendor_org.id, "工业影像诊断", "X光影像", ["manufacturing"], ["乙"]), by
    )
    found = {r.entry.id: r for r in await recommend(imaging)}
    assert found[domain_only.id].shared_terms == [] and found[domain_only.id].reason(imaging, "zh-CN") == (
        "双方均关注: 医疗健康"
    )
    assert found[words_only.id].shared_domains == []
    assert found[words_only.id].reason(imaging, "zh-CN").startswith("需求『影像辅助诊断』与方案『工业影像诊断』相近")


async def test_ties_go_to_the_earlier_published_entry(db: str) -> None:
    by = await curator()
    owner, organisation = await member("hospital@need.cn")
    imaging = await published(owner, need(organisation.id, "影像辅助诊断", "CT影像初筛", ["healthcare"]), by)
    twins = []
    for name in ("first", "second", "third"):
        vendor, vendor_org = await member(f"{name}@solution.cn")
        entry = await pool.create_entry(vendor, solution(vendor_org.id, "影像诊断", "CT影像", ["healthcare"], ["某院"]))
        await pool.move(vendor, entry.id, EntryState.SUBMITTED)
        twins.append(entry)
    for entry in reversed(twins):  # published last to first
        await pool.move(by, entry.id, EntryState.PUBLISHED)
    found = await recommend(imaging)
    assert len({r.score for r in found}) == 1
    assert [r.entry.id for r in found] == [twins[2].id, twins[1].id, twins[0].id]
    assert [r.entry.id for r in await recommend(imaging, limit=2)] == [twins[2].id, twins[1].id]


async def test_recommendations_of_a_visible_entry_are_worded_in_the_reader_s_language(db: str) -> None:
    entries = await realistic_pool()
    english = await recommendations(entries["defect"].id, None, "en")
    assert [(r.entry.id, r.shared_domains, r.shared_terms) for r in english] == [
        (entries["vision"].id, ["manufacturing"], ["缺陷", "表面", "检测"])
    ]
    assert english[0].reason.startswith("Both work on: Industrial manufacturing; The need “带钢表面缺陷检测”")
    assert "contact" not in english[0].model_dump()["entry"]
    reader, _ = await member("reader@company.cn")
    chinese = await recommendations(entries["defect"].id, reader, "zh-CN")
    assert chinese[0].reason.startswith(
        "双方均关注: 工业制造; 需求『带钢表面缺陷检测』与方案『工业视觉缺陷检测平台』相近"
    )
    assert chinese[0].model_dump()["entry"]["contact"]["name"] == "李强"


async def test_a_draft_s_recommendations_are_for_its_organisation_only(db: str) -> None:
    await realistic_pool()
    owner, organisation = await member("new@need.cn")
    draft = await pool.create_entry(owner, need(organisation.id, "钢板表面缺陷", "划痕检测", ["manufacturing"]))
    with pytest.raises(NotFound):
        await recommendations(draft.id, None, "zh-CN")
    assert [r.entry.title["zh"] for r in await recommendations(draft.id, owner, "zh-CN")] == ["工业视觉缺陷检测平台"]
