"""Chinese-aware search of the pool: jieba segmentation, an inverted table kept on write, BM25 ranking.

Each entry's terms (title counted twice, description, reference cases) are segmented when the entry is written and
stored as `PoolTerm` rows with their counts; a query segments only itself, then reads the rows of its terms. Corpus
statistics (document frequency, average length) are over all published entries, so a filter never changes a score.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import jieba
from tortoise.expressions import Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from events.matchmaking.models import EntryKind, EntryState, Limits, PoolEntry, PoolTerm
from server.markdown import plain_text

K1 = 1.2  # BM25 term-frequency saturation
B = 0.75  # BM25 length normalisation
TITLE_WEIGHT = 2  # a title's terms count this many times: a title says what an entry is about
STOPWORDS = frozenset(
    "我们 你们 他们 以及 或者 并且 可以 进行 通过 实现 提供 相关 一个 一种 这个 那个 没有 需要 希望 主要 其中 "
    "目前 已经 能够 使用 基于 对于 关于 the and for with from that this are was our you into".split()
)
_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary, loaded on first use and once per process; its progress lines on stderr are silenced."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def segment(text: str) -> list[str]:
    """The search terms of a text: jieba's search-mode words, lower-cased, without punctuation, stop words and
    single characters (的, 与, a single letter), each cut to the term column's length."""
    terms = []
    for word in _tokenizer().cut_for_search(text):
        term = word.strip().lower()
        if len(term) >= 2 and _WORD.search(term) and term not in STOPWORDS:
            terms.append(term[: Limits.TERM])
    return terms


def entry_terms(entry: PoolEntry) -> Counter[str]:
    """How often each term occurs in an entry's title (weighted), description and reference cases."""
    counts = Counter(
        {term: n * TITLE_WEIGHT for term, n in Counter(segment(f"{entry.title_zh} {entry.title_en}")).items()}
    )
    counts.update(segment(plain_text(entry.description_md)))
    counts.update(segment(" ".join(entry.reference_cases)))
    return counts


async def index(entry: PoolEntry) -> None:
    """Rewrite an entry's terms and length; call in the transaction that writes its texts."""
    counts = entry_terms(entry)
    await PoolTerm.filter(entry_id=entry.id).delete()
    await PoolTerm.bulk_create([PoolTerm(entry_id=entry.id, term=term, count=n) for term, n in sorted(counts.items())])
    entry.term_count = sum(counts.values())
    await PoolEntry.filter(id=entry.id).update(term_count=entry.term_count)


@dataclass(frozen=True)
class Corpus:
    """BM25's statistics over the published pool."""

    documents: int
    average_length: float
    frequency: dict[str, int]

    def idf(self, term: str) -> float:
        n = self.frequency.get(term, 0)
        return math.log(1 + (self.documents - n + 0.5) / (n + 0.5))


async def corpus(terms: Iterable[str]) -> Corpus:
    published = PoolEntry.filter(state=EntryState.PUBLISHED)
    totals = (
        await published.annotate(documents=Count("id"), length=Sum("term_count")).first().values("documents", "length")
    )
    documents = int(totals["documents"] or 0) if totals else 0
    length = int(totals["length"] or 0) if totals else 0
    rows = (
        await PoolTerm.filter(term__in=sorted(set(terms)), entry__state=EntryState.PUBLISHED)
        .annotate(n=Count("id"))
        .group_by("term")
        .values("term", "n")
    )
    return Corpus(documents, length / documents if documents else 0.0, {row["term"]: row["n"] for row in rows})


def published(
    *, kind: EntryKind | None = None, domain: str | None = None, region: str | None = None
) -> QuerySet[PoolEntry]:
    """Published entries, filtered by kind, domain code and region code."""
    entries = PoolEntry.filter(state=EntryState.PUBLISHED)
    if kind is not None:
        entries = entries.filter(kind=kind)
    if domain:
        entries = entries.filter(domains__code=domain)
    if region:
        entries = entries.filter(region__code=region)
    return entries


@dataclass(frozen=True)
class Hits:
    entries: list[PoolEntry]
    total: int


async def search(
    text: str,
    *,
    kind: EntryKind | None = None,
    domain: str | None = None,
    region: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Hits:
    """Published entries matching any term of `text`, best BM25 score first, equal scores newest entry (larger id)
    first; for an empty text all of them, newest published first; for a text without terms (的, 肺, "?") none."""
    entries = published(kind=kind, domain=domain, region=region)
    terms = sorted(set(segment(text)))
    start = (page - 1) * per_page
    if text.strip() and not terms:
        return Hits([], 0)  # only particles, punctuation or single characters: nothing to search by
    if not terms:
        total = await entries.count()
        page_entries = await entries.order_by("-published_at", "-id").offset(start).limit(per_page)
        return Hits(await load([e.id for e in page_entries]), total)
    stats = await corpus(terms)
    rows = await PoolTerm.filter(term__in=terms, entry_id__in=Subquery(entries.values("id"))).values(
        "entry_id", "term", "count", "entry__term_count"
    )
    scores: dict[int, float] = {}
    for row in rows:
        score = bm25(stats, row["term"], row["count"], row["entry__term_count"])
        scores[row["entry_id"]] = scores.get(row["entry_id"], 0.0) + score
    ranked = sorted(scores, key=lambda i: (-round(scores[i], 9), -i))
    return Hits(await load(ranked[start : start + per_page]), len(ranked))


def bm25(stats: Corpus, term: str, count: int, length: int) -> float:
    norm = 1 - B + B * (length / stats.average_length if stats.average_length else 1.0)
    return stats.idf(term) * count * (K1 + 1) / (count + K1 * norm)


async def load(ids: list[int]) -> list[PoolEntry]:
    """Entries by id in the given order, with what their out-schema shows."""
    found = {
        e.id: e
        for e in await PoolEntry.filter(id__in=ids).select_related("organisation", "region").prefetch_related("domains")
    }
    return [found[i] for i in ids]
