"""Recommendations: for a need, the published solutions closest to it (and for a solution, the needs), each with
its reason in words.

score = DOMAIN_WEIGHT × Jaccard overlap of the two entries' domains + TEXT_WEIGHT × cosine similarity of their
TF-IDF vectors over the jieba terms of `search` (IDF over the published pool). Ties, after rounding the score to
six places so that both databases order alike, go to more shared domains, then the earlier published entry, then
the smaller id. Entries of the same organisation, and those scoring below MIN_SCORE (no shared domain and only a
word every AI entry uses, such as 智能), are left out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from tortoise.expressions import Subquery

from events.matchmaking import pool
from events.matchmaking.interest import pairable
from events.matchmaking.models import EntryKind, EntryState, Matchmaking, Party, PoolEntry, PoolTerm
from events.matchmaking.schemas import RecommendationOut
from events.matchmaking.search import Corpus, corpus, load
from server.i18n import pick, translate
from server.models import Domain, User
from server.settings import Locale

DOMAIN_WEIGHT = 0.5
TEXT_WEIGHT = 0.5
KEYWORDS_SHOWN = 3
MIN_SCORE = 0.05


@dataclass(frozen=True)
class Recommendation:
    entry: PoolEntry
    score: float
    shared_domains: list[Domain]  # in the order of their codes
    shared_terms: list[str]  # the terms that add most to the similarity, most first

    def reason(self, source: PoolEntry, locale: Locale) -> str:
        """Why, in words, e.g.
        "双方均关注: 医疗健康; 需求『影像辅助诊断』与方案『肺结节AI筛查』相近 (共同关键词: 影像, 诊断)"."""
        separator = translate("recommend.list_separator", locale)
        parts = []
        if self.shared_domains:
            names = separator.join(pick(d.name, locale) for d in self.shared_domains)
            parts.append(translate("recommend.shared_domains", locale, domains=names))
        if self.shared_terms:
            parts.append(
                translate(
                    "recommend.similar_text",
                    locale,
                    source_kind=translate(f"pool_kind.{source.kind.value}", locale),
                    source=pick({"zh": source.title_zh, "en": source.title_en}, locale),
                    target_kind=translate(f"pool_kind.{self.entry.kind.value}", locale),
                    target=pick({"zh": self.entry.title_zh, "en": self.entry.title_en}, locale),
                    terms=separator.join(self.shared_terms),
                )
            )
        return translate("recommend.reason_separator", locale).join(parts)


async def recommendations(
    entry_id: int, user: User | None, locale: Locale, *, limit: int = 10
) -> list[RecommendationOut]:
    """The recommendations for an entry the user may see, each with its reason in `locale`."""
    source = await pool.visible_entry(entry_id, user)
    return [
        RecommendationOut(
            entry=pool.entry_out(found.entry, user),
            score=found.score,
            shared_domains=[d.code for d in found.shared_domains],
            shared_terms=found.shared_terms,
            reason=found.reason(source, locale),
        )
        for found in await recommend(source, limit=limit)
    ]


async def recommend(source: PoolEntry, *, limit: int = 10, among: set[int] | None = None) -> list[Recommendation]:
    """The published entries of the other kind and of other organisations closest to `source`, best first; with
    `among`, only those entries (the entries of an event's parties)."""
    other = EntryKind.SOLUTION if source.kind is EntryKind.NEED else EntryKind.NEED
    source_domains = {d.id: d for d in await source.domains.all()}
    source_counts = {t.term: t.count for t in await PoolTerm.filter(entry_id=source.id)}
    candidates = PoolEntry.filter(state=EntryState.PUBLISHED, kind=other).exclude(
        organisation_id=source.organisation_id
    )
    if among is not None:
        candidates = candidates.filter(id__in=sorted(among))
    # two plain queries rather than one OR over both joins, whose rows multiply (domains × terms)
    sharing_domain = await candidates.filter(domains__id__in=list(source_domains)).values("id")
    sharing_term = await PoolTerm.filter(
        term__in=list(source_counts), entry_id__in=Subquery(candidates.values("id"))
    ).values("entry_id")
    ids: list[int] = sorted({row["id"] for row in sharing_domain} | {row["entry_id"] for row in sharing_term})
    if not ids:
        return []
    vectors: dict[int, dict[str, int]] = defaultdict(dict)
    for row in await PoolTerm.filter(entry_id__in=ids).values("entry_id", "term", "count"):
        vectors[row["entry_id"]][row["term"]] = row["count"]
    domains: dict[int, set[int]] = defaultdict(set)
    published: dict[int, float] = {}
    for row in await PoolEntry.filter(id__in=ids).values("id", "published_at", "domains__id"):
        if row["domains__id"] is not None:
            domains[row["id"]].add(row["domains__id"])
        published[row["id"]] = row["published_at"].timestamp() if row["published_at"] else math.inf
    stats = await corpus({term for vector in vectors.values() for term in vector} | set(source_counts))
    source_vector = _weights(source_counts, stats)
    scored = []
    for entry_id in ids:
        shared = sorted((source_domains[d] for d in domains[entry_id] & source_domains.keys()), key=lambda d: d.code)
        overlap = len(shared) / len(domains[entry_id] | source_domains.keys())
        similarity, terms = _cosine(source_vector, _weights(vectors[entry_id], stats))
        score = round(DOMAIN_WEIGHT * overlap + TEXT_WEIGHT * similarity, 6)
        if score >= MIN_SCORE:
            scored.append((score, shared, terms[:KEYWORDS_SHOWN], entry_id))
    scored.sort(key=lambda s: (-s[0], -len(s[1]), published[s[3]], s[3]))
    best = scored[:limit]
    entries = await load([entry_id for *_, entry_id in best])  # only the entries shown are loaded whole
    return [
        Recommendation(entry, score, shared, terms)
        for entry, (score, shared, terms, _) in zip(entries, best, strict=True)
    ]


def _weights(counts: dict[str, int], stats: Corpus) -> dict[str, float]:
    return {term: (1 + math.log(n)) * stats.idf(term) for term, n in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    """The cosine of two weight vectors, and their shared terms by how much each adds to it (then by term)."""
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    if not norm:
        return 0.0, []
    products = {term: a[term] * b[term] for term in a.keys() & b.keys()}
    terms = sorted(products, key=lambda term: (-products[term], term))
    return sum(products.values()) / norm, terms


@dataclass(frozen=True)
class Counterpart:
    """A party of the same event worth meeting: the best match between one of its entries and one of ours."""

    party: Party
    score: float
    own_entry: PoolEntry
    their_entry: PoolEntry
    recommendation: Recommendation


async def counterparts(party: Party, *, limit: int = 20) -> list[Counterpart]:
    """The parties of `party`'s event that the pairing rule lets it meet, ranked by their best entry match (the
    same score as the pool's recommendations), best first; ties to the smaller party id. Parties without a
    matching entry are left out."""
    matchmaking = await Matchmaking.get(id=party.matchmaking_id)
    own_entries = await party.entries.filter(state=EntryState.PUBLISHED)
    others = [
        other
        for other in await Party.filter(matchmaking_id=matchmaking.id).exclude(id=party.id).prefetch_related("entries")
        if pairable(matchmaking, party, other)
    ]
    party_of_entry = {entry.id: other for other in others for entry in other.entries}
    best: dict[int, Counterpart] = {}
    for own in own_entries:
        for found in await recommend(own, limit=len(party_of_entry) or 1, among=set(party_of_entry)):
            other = party_of_entry[found.entry.id]
            if other.id not in best or found.score > best[other.id].score:
                best[other.id] = Counterpart(other, found.score, own, found.entry, found)
    return sorted(best.values(), key=lambda c: (-c.score, c.party.id))[:limit]
