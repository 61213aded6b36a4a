"""Chinese search of the pool: segmentation, the inverted table kept on write, BM25 ranking, filters, paging."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from pydantic import ValidationError

from events.matchmaking import pool, search
from events.matchmaking.models import EntryKind, EntryState, PoolEntry, PoolTerm
from events.matchmaking.schemas import EntryPatch, PoolQuery
from tests.matchmaking.support import IMAGING_NEED, curator, member, need, published, realistic_pool


def test_segmentation_finds_the_words_of_a_chinese_title_without_punctuation_or_particles() -> None:
    assert search.segment("肺结节AI筛查，基于CT影像的辅助诊断") == ["结节", "ai", "筛查", "ct", "影像", "辅助", "诊断"]


def test_jieba_loads_once_and_says_nothing_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    search._tokenizer.cache_clear()
    search.segment("影像辅助诊断")
    search.segment("工业视觉缺陷检测")
    assert capfd.readouterr().err == ""
    assert search._tokenizer.cache_info().misses == 1


async def test_an_entry_s_terms_are_stored_with_counts_and_rewritten_when_it_changes(db: str) -> None:
    owner, organisation = await member("owner@hospital.cn")
    entry = await pool.create_entry(owner, need(organisation.id, "影像辅助诊断", "放射科医生阅片", ["healthcare"]))
    terms = {t.term: t.count for t in await PoolTerm.filter(entry_id=entry.id)}
    # the title counts twice; search mode yields both 放射 and 放射科
    assert terms == {"影像": 2, "辅助": 2, "诊断": 2, "放射": 1, "放射科": 1, "医生": 1, "阅片": 1}
    assert (await PoolEntry.get(id=entry.id)).term_count == 10

    await pool.update_entry(owner, entry.id, EntryPatch(description="病理切片分析"))
    terms = {t.term: t.count for t in await PoolTerm.filter(entry_id=entry.id)}
    assert terms == {"影像": 2, "辅助": 2, "诊断": 2, "病理": 1, "切片": 1, "病理切片": 1, "分析": 1}
    assert (await PoolEntry.get(id=entry.id)).term_count == 10


async def test_imaging_diagnosis_finds_the_nodule_screening_solution_first_among_solutions(db: str) -> None:
    entries = await realistic_pool()
    hits = await search.search("影像 诊断", kind=EntryKind.SOLUTION)
    assert [e.id for e in hits.entries] == [entries["nodule"].id, entries["annotation"].id]
    assert hits.total == 2


async def test_a_title_match_outranks_a_description_match(db: str) -> None:
    entries = await realistic_pool()
    hits = await search.search("缺陷检测")
    # the defect need and the vision solution say it in their titles; the nodule solution only 检测, in its text
    assert {e.id for e in hits.entries[:2]} == {entries["defect"].id, entries["vision"].id}
    assert [e.id for e in hits.entries[2:]] == [entries["nodule"].id]
    hits = await search.search("肺结节筛查")
    assert hits.entries[0].id == entries["nodule"].id
    assert entries["imaging"].id in {e.id for e in hits.entries}


async def test_filters_by_kind_domain_and_region_combine_with_the_text(db: str) -> None:
    entries = await realistic_pool()
    assert [e.id for e in (await search.search("热线 工单", kind=EntryKind.NEED)).entries] == [entries["hotline"].id]
    assert [e.id for e in (await search.search("热线", domain="city-governance")).entries] == [entries["hotline"].id]
    assert (await search.search("热线", region="laiwu")).total == 0
    only_needs = await search.search("", region="lixia")
    assert {e.kind for e in only_needs.entries} == {EntryKind.NEED} and only_needs.total == 3


async def test_unpublished_entries_are_not_found(db: str) -> None:
    owner, organisation = await member("draft@hospital.cn")
    entry = await pool.create_entry(owner, need(organisation.id, *IMAGING_NEED))
    assert (await search.search("影像")).total == 0
    await pool.move(owner, entry.id, EntryState.SUBMITTED)
    assert (await search.search("影像")).total == 0
    await pool.move(await curator(), entry.id, EntryState.PUBLISHED)
    assert [e.id for e in (await search.search("影像")).entries] == [entry.id]
    await pool.move(owner, entry.id, EntryState.CLOSED)
    assert (await search.search("影像")).total == 0


async def test_pages_cut_the_ranked_list_and_count_every_match(db: str) -> None:
    entries = await realistic_pool()
    everything = await search.search("")
    assert everything.total == 7
    # without a text: newest published first
    assert [e.id for e in everything.entries] == sorted((e.id for e in entries.values()), reverse=True)
    ranked = await search.search("影像 诊断 检测 热线")
    first, second = (
        await search.search("影像 诊断 检测 热线", page=1, per_page=2),
        await search.search("影像 诊断 检测 热线", page=2, per_page=2),
    )
    assert [e.id for e in first.entries + second.entries] == [e.id for e in ranked.entries[:4]]
    assert first.total == second.total == ranked.total == 7


async def test_bm25_prefers_the_rarer_term_and_the_shorter_entry(db: str) -> None:
    by = await curator()
    owner, organisation = await member("corpus@need.cn")
    long_text = "园区能耗监测，以及楼宇照明、空调、电梯、安防设备的统一调度与运维管理"  # as often, but longer
    short = await published(owner, need(organisation.id, "能耗优化", "园区能耗监测", ["energy"]), by)
    long = await published(owner, need(organisation.id, "能耗优化", long_text, ["energy"]), by)
    rare = await published(owner, need(organisation.id, "碳排放核算", "园区能耗监测", ["energy"]), by)
    stats = await search.corpus(["能耗", "排放"])
    assert (stats.documents, stats.frequency) == (3, {"能耗": 3, "排放": 1})
    assert stats.idf("排放") > stats.idf("能耗") > 0
    hits = await search.search("能耗")
    assert [e.id for e in hits.entries][:2] == [short.id, long.id]
    assert hits.total == 3 and hits.entries[2].id == rare.id
    assert (await search.search("碳排放 能耗")).entries[0].id == rare.id


async def test_browsing_gives_a_page_whose_items_carry_contacts_for_signed_in_users_only(db: str) -> None:
    entries = await realistic_pool()
    reader, _ = await member("reader@company.cn")
    query = PoolQuery(q="影像 诊断", kind=EntryKind.SOLUTION, per_page=1)
    anonymous = await pool.browse(query, None)
    assert (anonymous.total, anonymous.page, anonymous.per_page) == (2, 1, 1)
    assert [item.id for item in anonymous.items] == [entries["nodule"].id]
    assert "contact" not in anonymous.model_dump()["items"][0]
    signed_in = await pool.browse(query.model_copy(update={"page": 2}), reader)
    assert [item.id for item in signed_in.items] == [entries["annotation"].id]
    assert signed_in.model_dump()["items"][0]["contact"]["email"] == "liqiang@ai.cn"
    item = signed_in.items[0]
    assert (item.title, item.domains, item.maturity, item.reference_cases) == (
        {"zh": "医学影像数据标注平台", "en": ""},
        ["healthcare"],
        "pilot",
        ["某三甲医院影像科数据治理"],
    )


def test_a_query_longer_than_the_search_limit_is_refused_with_a_field_error() -> None:
    with pytest.raises(ValidationError) as too_long:
        PoolQuery(q="影像" * 51)
    assert [e["loc"] for e in too_long.value.errors()] == [("q",)]


async def test_the_ranking_equals_bm25_computed_from_scratch_over_a_random_pool(db: str) -> None:
    """The stored terms and the SQL that reads them give what segmenting every published text now gives."""
    rng = random.Random(15)
    phrases = ["影像辅助诊断", "肺结节筛查", "带钢表面缺陷检测", "热线工单分派", "电网负荷预测", "大模型问答",
               "机器视觉", "知识图谱", "客流预测", "跌倒监测", "病虫害识别", "路径规划"]  # fmt: skip
    by = await curator()
    owner, organisation = await member("random@need.cn")
    texts: dict[int, str] = {}
    for n in range(24):
        title, description = rng.choice(phrases), "，".join(rng.choices(phrases, k=rng.randint(1, 6)))
        entry = await pool.create_entry(owner, need(organisation.id, title, description, ["energy"]))
        if n % 4:  # every fourth stays a draft, outside the corpus
            await pool.move(owner, entry.id, EntryState.SUBMITTED)
            await pool.move(by, entry.id, EntryState.PUBLISHED)
            texts[entry.id] = f"{title} {title} {description}"  # the title counts twice
    documents = {entry_id: Counter(search.segment(text)) for entry_id, text in texts.items()}
    average = sum(sum(c.values()) for c in documents.values()) / len(documents)
    for query in ("影像 诊断", "缺陷检测", "预测", "大模型 知识图谱 客流"):
        terms = set(search.segment(query))
        scores = {}
        for entry_id, counts in documents.items():
            score = 0.0
            for term in terms & counts.keys():
                frequency = sum(1 for c in documents.values() if term in c)
                idf = math.log(1 + (len(documents) - frequency + 0.5) / (frequency + 0.5))
                length = sum(counts.values())
                score += idf * counts[term] * 2.2 / (counts[term] + 1.2 * (0.25 + 0.75 * length / average))
            if score:
                scores[entry_id] = round(score, 9)
        expected = sorted(scores, key=lambda entry_id: (-scores[entry_id], -entry_id))
        assert [e.id for e in (await search.search(query, per_page=200)).entries] == expected, query


async def test_a_text_of_particles_or_single_characters_finds_nothing_rather_than_everything(db: str) -> None:
    await realistic_pool()
    for text in ("的", "肺", "？！", "a"):
        assert (await search.search(text)).total == 0, text
    assert (await search.search(" ")).total == 7
