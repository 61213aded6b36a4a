"""Searching the resource pool through its term table against segmenting every entry at query time.

    python bench/pool_search.py [--entries 1000] [--rounds 5] [--pg postgres://...]

Writes needs and solutions through the services (create, submit, publish: each write segments the entry once and
stores its terms), then times `search.search` for a set of Chinese queries against the naive way, which reads every
published entry and segments it for each query, and checks that both rank the first page alike. Also times
`recommend` for a sample of entries. Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import secrets
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg
from tortoise import Tortoise

from events.matchmaking import pool, search
from events.matchmaking.models import EntryKind, EntryState, PoolEntry
from events.matchmaking.recommend import recommend
from events.matchmaking.schemas import EntryIn
from server.db import migrate, tortoise_config
from server.models import Membership, Organisation, OrganisationKind, Region, Role, User

SCENES = [
    "影像辅助诊断",
    "带钢表面缺陷检测",
    "热线工单智能分派",
    "电网负荷预测",
    "交通信号配时优化",
    "课堂教学质量分析",
    "养老院跌倒监测",
    "农田病虫害识别",
    "仓储物流路径规划",
    "景区客流预测",
    "金融反欺诈",
    "城市内涝预警",
]
PHRASES = [
    "基于深度学习的模型",
    "大模型问答助手",
    "机器视觉在线检测",
    "多源数据融合分析",
    "边缘计算设备部署",
    "知识图谱构建",
    "时间序列预测",
    "语音识别与合成",
    "视频结构化分析",
    "运筹优化求解",
    "隐私计算与数据脱敏",
    "数字孪生平台",
]
QUERIES = [
    "影像 诊断",
    "缺陷检测",
    "热线工单",
    "负荷预测",
    "大模型",
    "机器视觉",
    "客流",
    "跌倒监测",
    "知识图谱",
    "内涝预警",
]
DOMAINS = [
    "healthcare",
    "manufacturing",
    "digital-government",
    "energy",
    "transport",
    "education",
    "elderly-care",
    "agriculture",
    "logistics",
    "culture-tourism",
    "finance",
    "city-governance",
]


def body(organisation_id: int, kind: EntryKind, rng: random.Random) -> EntryIn:
    scene = rng.randrange(len(SCENES))
    text = "，".join(rng.sample(PHRASES, 4)) + f"，用于{SCENES[scene]}等场景。"
    fields: dict[str, object] = {"region": "lixia", "expected_timing": "2026年下半年"}
    if kind is EntryKind.SOLUTION:
        fields = {"maturity": "pilot", "reference_cases": [f"{SCENES[rng.randrange(len(SCENES))]}项目"]}
    return EntryIn.model_validate(
        {
            "organisation_id": organisation_id,
            "kind": kind,
            "title": {"zh": SCENES[scene] + rng.choice(["平台", "系统", "方案", "需求"])},
            "description": text,
            "domains": [DOMAINS[scene], rng.choice(DOMAINS)],
            "contact": {"name": "联系人", "phone": "13800138000", "email": "contact@example.cn"},
            **fields,
        }
    )


async def generate(count: int) -> tuple[list[PoolEntry], float]:
    rng = random.Random(7)
    region = await Region.get(code="lixia")
    curator = await User.create(email="curator@bureau.gov.cn", name="curator", password_hash="-", is_admin=True)
    owners = []
    for n in range(20):
        user = await User.create(email=f"owner{n}@company.cn", name=f"owner{n}", password_hash="-")
        organisation = await Organisation.create(name_zh=f"企业{n}", kind=OrganisationKind.COMPANY, region=region)
        await Membership.create(user=user, organisation=organisation, role=Role.MANAGER)
        owners.append((user, organisation))
    entries, started = [], time.perf_counter()
    for n in range(count):
        user, organisation = owners[n % len(owners)]
        entry = await pool.create_entry(user, body(organisation.id, rng.choice(list(EntryKind)), rng))
        await pool.move(user, entry.id, EntryState.SUBMITTED)
        entries.append(await pool.move(curator, entry.id, EntryState.PUBLISHED))
    return entries, (time.perf_counter() - started) / count


async def naive(text: str) -> list[int]:
    """BM25 over every published entry, each segmented now."""
    documents = {e.id: (e, search.entry_terms(e)) for e in await PoolEntry.filter(state=EntryState.PUBLISHED)}
    average = sum(sum(c.values()) for _, c in documents.values()) / len(documents)
    terms = sorted(set(search.segment(text)))
    frequency = Counter(term for _, counts in documents.values() for term in terms if term in counts)
    stats = search.Corpus(len(documents), average, dict(frequency))
    scores = {
        entry_id: sum(search.bm25(stats, t, counts[t], sum(counts.values())) for t in terms if t in counts)
        for entry_id, (_, counts) in documents.items()
    }
    matched = [i for i in scores if scores[i] > 0]
    return sorted(matched, key=lambda i: (-round(scores[i], 9), -i))[:20]


async def timed(rounds: int, call: object) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL; SQLite in a temporary file otherwise")
    args = parser.parse_args()
    name = f"quancheng_bench_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as folder:
        url = f"{args.pg.rstrip('/')}/{name}" if args.pg else f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        if args.pg:
            admin = await asyncpg.connect(f"{args.pg.rstrip('/')}/postgres")
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
        try:
            await migrate(url)
            await Tortoise.init(config=tortoise_config(url))
            search.segment("预热")  # load jieba's dictionary outside the timings
            entries, per_write = await generate(args.entries)
            indexed, scanned = [], []
            for query in QUERIES:
                hits = await search.search(query, per_page=20)
                assert [e.id for e in hits.entries] == await naive(query), query
                indexed.append(await timed(args.rounds, lambda q=query: search.search(q, per_page=20)))
                scanned.append(await timed(max(1, args.rounds // 2), lambda q=query: naive(q)))
            sample = entries[:: max(1, len(entries) // 10)]
            recommending = statistics.median([await timed(args.rounds, lambda e=e: recommend(e)) for e in sample])
            fast, slow = statistics.median(indexed), statistics.median(scanned)
            print(f"entries {args.entries} on {'PostgreSQL' if args.pg else 'SQLite'}")
            print(f"write (create + submit + publish, segmented once): {per_write * 1000:.1f} ms per entry")
            print(f"search, term table: median {fast * 1000:.1f} ms over {len(QUERIES)} queries")
            print(f"search, segmenting every entry per query: median {slow * 1000:.1f} ms")
            print(f"ratio {slow / fast:.1f}x (same first 20 for every query)")
            print(f"recommend: median {recommending * 1000:.1f} ms over {len(sample)} entries")
            assert math.isfinite(fast)
        finally:
            await Tortoise.close_connections()
            if args.pg:
                admin = await asyncpg.connect(f"{args.pg.rstrip('/')}/postgres")
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
