"""The bureau's summary of a matchmaking event: meetings scheduled and held, and their outcomes by application
domain and by region. Counts only: no party, organisation or person is named, so nothing of a party's contact
data can reach the bureau's export.

A meeting's outcome is the furthest either party recorded (signed > negotiating > interested > none), or
`unanswered`; its domains are those of both parties' entries, its regions both organisations' regions (a meeting
counts once under each).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.matchmaking.meeting_schemas import SummaryGroupOut, SummaryOut
from events.matchmaking.models import Matchmaking, MeetingEntry, Outcome, Party
from server.i18n import pick, translate
from server.models import Domain, Organisation, Region
from server.settings import Locale

FURTHEST = (Outcome.SIGNED, Outcome.NEGOTIATING, Outcome.INTERESTED, Outcome.NONE)
UNANSWERED = "unanswered"
OUTCOMES = [o.value for o in FURTHEST] + [UNANSWERED]


@dataclass
class _Tally:
    scheduled: int = 0
    held: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    def add(self, entry: MeetingEntry) -> None:
        self.scheduled += 1
        if entry.held_at is not None:
            self.held += 1
            self.outcomes[outcome_of(entry)] += 1


def outcome_of(entry: MeetingEntry) -> str:
    recorded = {entry.outcome_a, entry.outcome_b}
    return next((o.value for o in FURTHEST if o in recorded), UNANSWERED)


async def summary(matchmaking: Matchmaking) -> SummaryOut:
    parties = await Party.filter(matchmaking_id=matchmaking.id).prefetch_related("entries__domains")
    regions_of = {
        o.id: o.region_id
        for o in await Organisation.filter(id__in=[p.organisation_id for p in parties]).only("id", "region_id")
    }
    domains = {p.id: {d.id for e in p.entries for d in e.domains} for p in parties}
    region = {p.id: regions_of[p.organisation_id] for p in parties}
    total, by_domain, by_region = _Tally(), dict[int, _Tally](), dict[int, _Tally]()
    for entry in await MeetingEntry.filter(matchmaking_id=matchmaking.id, cancelled=False):
        pair = (entry.party_a_id, entry.party_b_id)
        total.add(entry)
        for domain in domains[pair[0]] | domains[pair[1]]:
            by_domain.setdefault(domain, _Tally()).add(entry)
        for place in {region[pair[0]], region[pair[1]]}:
            by_region.setdefault(place, _Tally()).add(entry)
    domain_rows = {d.id: d for d in await Domain.filter(id__in=list(by_domain))}
    region_rows = {r.id: r for r in await Region.filter(id__in=list(by_region))}
    return SummaryOut(
        parties=len(parties),
        scheduled=total.scheduled,
        held=total.held,
        outcomes=total.outcomes,
        by_domain=[_group(domain_rows[k].code, domain_rows[k].name, t) for k, t in sorted(by_domain.items())],
        by_region=[_group(region_rows[k].code, region_rows[k].name, t) for k, t in sorted(by_region.items())],
    )


def _group(code: str, name: dict[str, str], tally: _Tally) -> SummaryGroupOut:
    return SummaryGroupOut(code=code, name=name, scheduled=tally.scheduled, held=tally.held, outcomes=tally.outcomes)


def sheets(found: SummaryOut, locale: Locale) -> dict[str, list[list[object]]]:
    """The summary as workbook sheets (totals, by domain, by region) with headings in `locale`."""
    heads = [translate(f"matchmaking.summary.{key}", locale) for key in ("scheduled", "held")]
    heads += [translate(f"matchmaking.outcome.{key}", locale) for key in OUTCOMES]

    def rows(groups: list[SummaryGroupOut], label: str) -> list[list[object]]:
        head: list[object] = [translate(label, locale), *heads]
        return [head] + [
            [pick(g.name, locale), g.scheduled, g.held, *(g.outcomes[k] for k in OUTCOMES)] for g in groups
        ]

    totals: list[list[object]] = [
        [translate("matchmaking.summary.parties", locale), *heads],
        [found.parties, found.scheduled, found.held, *(found.outcomes[k] for k in OUTCOMES)],
    ]
    return {
        translate("matchmaking.summary.sheet_totals", locale): totals,
        translate("matchmaking.summary.sheet_domains", locale): rows(found.by_domain, "matchmaking.summary.domain"),
        translate("matchmaking.summary.sheet_regions", locale): rows(found.by_region, "matchmaking.summary.region"),
    }
