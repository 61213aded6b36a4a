"""Expert review of a competition: who judges which entry, how a sheet adds up, and who ranks where.

Pure functions over typed inputs; no database. The rules here are the published ones:

- Assignment (`assign_judges`): every entry gets exactly `judges_per_entry` (k ≥ 3) judges of its track and never
  one with a conflict of interest (the team's organisation, or a declared or recorded conflict). Within a track the
  judges' loads differ by at most one whenever the conflicts allow it, and otherwise by as little as they allow.
  Pairings that exist already are kept, so a re-run for late entries only adds judges.
- Scoring (`score_entries`): a sheet's total is its weighted share of the rubric's scale, in points out of 100.
  Beside the raw mean, each judge's totals become z-scores over the entries they scored, so a lenient or a harsh
  judge moves nobody; the normalised mean of an entry is the mean of its z-scores.
- Ranking (`rank_track`): the cascade in `TIE_BREAK`, announced before judging.
- Score log (`replay`): sheets are locked once submitted; a correction is a new event that keeps the original.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from statistics import fmean, pstdev
from typing import NamedTuple

from server.errors import Conflict, InvalidInput

MIN_JUDGES_PER_ENTRY = 3
# Means that agree to this many decimal places are equal: float noise must not decide a rank.
DECIMALS = 9


class Pairing(NamedTuple):
    judge: int
    entry: int


@dataclass(frozen=True)
class Entry:
    id: int
    track: str
    organisation: str
    submitted_at: datetime  # the team's final submission


@dataclass(frozen=True)
class Judge:
    id: int
    organisation: str
    tracks: frozenset[str]


@dataclass(frozen=True)
class Assignment:
    judges_of: dict[int, tuple[int, ...]]  # entry id → its judges' ids, ascending
    withdrawn: tuple[Pairing, ...]  # earlier pairings dropped: the judge is now conflicted or left the track

    def pairings(self) -> set[Pairing]:
        return {Pairing(judge, entry) for entry, judges in self.judges_of.items() for judge in judges}


class NotEnoughJudges(Conflict):
    """Fewer than k judges may judge an entry; names the first such entry, `entries` lists them all."""

    key = "error.not_enough_judges"

    def __init__(self, shortages: list[tuple[Entry, int]], needed: int) -> None:
        first, eligible = shortages[0]
        super().__init__(entry=first.id, track=first.track, eligible=eligible, needed=needed)
        self.entries = [entry.id for entry, _ in shortages]


def organisation_key(name: str) -> str:
    """An organisation name without case or spacing, for comparing; blank names never match (see `may_judge`)."""
    return "".join(name.split()).casefold()


def same_organisation(first: str, second: str) -> bool:
    key = organisation_key(first)
    return bool(key) and key == organisation_key(second)


def may_judge(judge: Judge, entry: Entry, conflicts: Collection[Pairing]) -> bool:
    return (
        entry.track in judge.tracks
        and not same_organisation(judge.organisation, entry.organisation)
        and Pairing(judge.id, entry.id) not in conflicts
    )


def assign_judges(
    entries: Iterable[Entry],
    judges: Iterable[Judge],
    conflicts: Iterable[Pairing] = (),
    *,
    judges_per_entry: int = MIN_JUDGES_PER_ENTRY,
    seed: int = 0,
    existing: Iterable[Pairing] = (),
) -> Assignment:
    """Give every entry exactly `judges_per_entry` eligible judges of its track, loads balanced per track.

    Deterministic for the same inputs and seed, whatever their order. `existing` pairings are kept unless the judge
    may no longer judge the entry (then they are `withdrawn` and replaced); an entry that already has k or more
    judges gets none added. Raises `NotEnoughJudges` before assigning anything if some entry cannot reach k.
    Greedy (most constrained entry first, least loaded judge first), then repaired by moving new pairings along
    augmenting paths until no judge carries two more than another judge they could hand an entry to, which is the
    most even spread the conflicts allow.
    """
    if judges_per_entry < MIN_JUDGES_PER_ENTRY:
        raise InvalidInput(
            errors=[(("judges_per_entry",), "validation.greater_than_equal", {"ge": MIN_JUDGES_PER_ENTRY})]
        )
    conflicted = frozenset(conflicts)
    entry_list = sorted(entries, key=lambda entry: entry.id)
    judge_list = sorted(judges, key=lambda judge: judge.id)
    rng = random.Random(seed)
    shuffled = [judge.id for judge in judge_list]
    rng.shuffle(shuffled)
    judge_rank = {judge_id: position for position, judge_id in enumerate(shuffled)}
    judge_by_id = {judge.id: judge for judge in judge_list}
    entry_by_id = {entry.id: entry for entry in entry_list}

    eligible = _eligible_judges(entry_list, judge_list, conflicted)
    shortages = [(entry, len(eligible[entry.id])) for entry in entry_list if len(eligible[entry.id]) < judges_per_entry]
    if shortages:
        raise NotEnoughJudges(shortages, judges_per_entry)

    assigned: dict[int, set[int]] = {entry.id: set() for entry in entry_list}
    withdrawn: list[Pairing] = []
    for pairing in sorted(set(existing)):
        entry = entry_by_id.get(pairing.entry)
        if entry is None:
            continue  # the entry left the competition; nobody is assigned to it any more
        judge = judge_by_id.get(pairing.judge)
        if judge is None or not may_judge(judge, entry, conflicted):
            withdrawn.append(pairing)
        else:
            assigned[entry.id].add(judge.id)

    total_load: dict[int, int] = defaultdict(int)
    for judge_ids in assigned.values():
        for judge_id in judge_ids:
            total_load[judge_id] += 1
    tracks: dict[str, list[Entry]] = defaultdict(list)
    for entry in entry_list:
        tracks[entry.track].append(entry)
    for track in sorted(tracks):
        _assign_track(
            track, tracks[track], judge_list, eligible, assigned, total_load, judge_rank, rng, judges_per_entry
        )

    return Assignment(
        judges_of={entry_id: tuple(sorted(judge_ids)) for entry_id, judge_ids in assigned.items()},
        withdrawn=tuple(withdrawn),
    )


def _eligible_judges(entries: list[Entry], judges: list[Judge], conflicts: Collection[Pairing]) -> dict[int, list[int]]:
    """`may_judge` for every entry at once, ids ascending (organisation names normalised once, not per pair)."""
    of_track: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for judge in judges:
        for track in judge.tracks:
            of_track[track].append((judge.id, organisation_key(judge.organisation)))
    eligible: dict[int, list[int]] = {}
    for entry in entries:
        team = organisation_key(entry.organisation) or None
        eligible[entry.id] = [
            judge_id
            for judge_id, organisation in of_track[entry.track]
            if organisation != team and (judge_id, entry.id) not in conflicts  # equals the Pairing, built faster
        ]
    return eligible


def _assign_track(
    track: str,
    entries: list[Entry],
    judges: list[Judge],
    eligible: dict[int, list[int]],
    assigned: dict[int, set[int]],
    total_load: dict[int, int],
    judge_rank: dict[int, int],
    rng: random.Random,
    judges_per_entry: int,
) -> None:
    load = {judge.id: 0 for judge in judges if track in judge.tracks}
    for entry in entries:
        for judge_id in assigned[entry.id]:
            load[judge_id] += 1
    entry_rank = {entry.id: rng.random() for entry in entries}
    movable: dict[int, set[int]] = {judge_id: set() for judge_id in load}  # judge → entries newly given to them
    for entry in sorted(entries, key=lambda entry: (len(eligible[entry.id]), entry_rank[entry.id], entry.id)):
        missing = judges_per_entry - len(assigned[entry.id])
        if missing <= 0:
            continue
        candidates = [judge_id for judge_id in eligible[entry.id] if judge_id not in assigned[entry.id]]
        chosen = heapq.nsmallest(
            missing, candidates, key=lambda judge_id: (load[judge_id], total_load[judge_id], judge_rank[judge_id])
        )
        for judge_id in chosen:
            assigned[entry.id].add(judge_id)
            movable[judge_id].add(entry.id)
            load[judge_id] += 1
            total_load[judge_id] += 1
    _rebalance(load, movable, eligible, assigned, total_load, judge_rank)


def _rebalance(
    load: dict[int, int],
    movable: dict[int, set[int]],
    eligible: dict[int, list[int]],
    assigned: dict[int, set[int]],
    total_load: dict[int, int],
    judge_rank: dict[int, int],
) -> None:
    """Move new pairings along paths from heavy to light judges until no path lowers a judge by two or more.

    Each move lowers the sum of squared loads, so this ends; when it does, no load can be evened out further (the
    loads form an M-convex set, where this local test is the global one: Frank & Murota, decreasing minimisation).
    """
    while load and max(load.values()) - min(load.values()) > 1:
        # A judge reached from a failed source, and no heavier than it, would fail too: its reach is a subset.
        settled: set[int] = set()
        for source in sorted(load, key=lambda judge_id: (-load[judge_id], judge_rank[judge_id])):
            if source in settled:
                continue
            path, reached = _path_to_lighter(source, load, movable, eligible, assigned)
            settled |= reached
            if path:
                for giver, entry_id, taker in path:
                    assigned[entry_id].remove(giver)
                    assigned[entry_id].add(taker)
                    movable[giver].remove(entry_id)
                    movable[taker].add(entry_id)
                    total_load[giver] -= 1
                    total_load[taker] += 1
                load[source] -= 1
                load[path[-1][2]] += 1
                break
        else:
            return


def _path_to_lighter(
    source: int,
    load: dict[int, int],
    movable: dict[int, set[int]],
    eligible: dict[int, list[int]],
    assigned: dict[int, set[int]],
) -> tuple[list[tuple[int, int, int]], set[int]]:
    """A shortest chain of moves (giver, entry, taker) from `source` to a judge carrying two fewer, or [];
    and the judges reached on the way."""
    reached: dict[int, tuple[int, int]] = {source: (source, -1)}
    queue = deque([source])
    while queue:
        giver = queue.popleft()
        for entry_id in sorted(movable[giver]):
            for taker in eligible[entry_id]:
                if taker in reached or taker in assigned[entry_id] or taker not in load:
                    continue
                reached[taker] = (giver, entry_id)
                if load[taker] <= load[source] - 2:
                    path = []
                    while taker != source:
                        before, moved = reached[taker]
                        path.append((before, moved, taker))
                        taker = before
                    return path[::-1], set(reached)
                queue.append(taker)
    return [], set(reached)


# Scoring


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: float  # relative: weights 30/50/20 and 3/5/2 score alike
    minimum: int
    maximum: int
    anchors: tuple[tuple[int, str], ...] = ()  # (score, what earns it), shown to judges beside the scale


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        problems: list[tuple[tuple[str | int, ...], str, dict[str, object]]] = []
        if not self.criteria:
            problems.append((("criteria",), "validation.missing", {}))
        seen: set[str] = set()
        for index, criterion in enumerate(self.criteria):
            if criterion.key in seen:
                problems.append((("criteria", index, "key"), "validation.criterion_repeated", {}))
            seen.add(criterion.key)
            if not (math.isfinite(criterion.weight) and criterion.weight > 0):
                problems.append((("criteria", index, "weight"), "validation.greater_than", {"gt": 0}))
            if criterion.minimum >= criterion.maximum:
                problems.append((("criteria", index, "maximum"), "validation.greater_than", {"gt": criterion.minimum}))
            for anchor, (score, _) in enumerate(criterion.anchors):
                if not criterion.minimum <= score <= criterion.maximum:
                    problems.append((("criteria", index, "anchors", anchor), "validation.anchor_outside_scale", {}))
        if problems:
            raise InvalidInput(errors=problems)

    @property
    def key_criterion(self) -> Criterion:
        """The top-weighted criterion (the first listed among equals): the ranking's first tie-break."""
        return max(self.criteria, key=lambda criterion: criterion.weight)

    def check(self, scores: Mapping[str, float]) -> None:
        """Raise `InvalidInput` naming each criterion that is missing, unknown, not a number or off its scale."""
        problems: list[tuple[tuple[str | int, ...], str, dict[str, object]]] = []
        for criterion in self.criteria:
            if criterion.key not in scores:
                problems.append((("scores", criterion.key), "validation.missing", {}))
                continue
            score = scores[criterion.key]
            if not math.isfinite(score):
                problems.append((("scores", criterion.key), "validation.float_type", {}))
            elif score < criterion.minimum:
                problems.append((("scores", criterion.key), "validation.greater_than_equal", {"ge": criterion.minimum}))
            elif score > criterion.maximum:
                problems.append((("scores", criterion.key), "validation.less_than_equal", {"le": criterion.maximum}))
        known = {criterion.key for criterion in self.criteria}
        problems += [(("scores", key), "validation.extra_forbidden", {}) for key in sorted(set(scores) - known)]
        if problems:
            raise InvalidInput(errors=problems)

    def total(self, scores: Mapping[str, float]) -> float:
        """Points out of 100: each criterion's share of its own scale, weighted. Checks the sheet first."""
        self.check(scores)
        weights = sum(criterion.weight for criterion in self.criteria)
        earned = sum(
            criterion.weight * (scores[criterion.key] - criterion.minimum) / (criterion.maximum - criterion.minimum)
            for criterion in self.criteria
        )
        return 100 * earned / weights


@dataclass(frozen=True)
class ScoreSheet:
    judge: int
    entry: int
    scores: Mapping[str, float]


@dataclass(frozen=True)
class EntryScore:
    entry: int
    sheets: int
    raw_mean: float  # mean of the sheets' totals, points out of 100
    normalised_mean: float  # mean of the judges' z-scores for this entry
    key_criterion_mean: float  # mean raw points on the rubric's top-weighted criterion


def z_scores(sheets: Iterable[ScoreSheet], totals: Mapping[Pairing, float]) -> dict[Pairing, float]:
    """Each total as (total − the judge's mean) / the judge's population standard deviation, over their sheets.

    A judge with a single sheet, or whose totals are all equal, shows no spread to measure against: each of their
    sheets counts as 0, their own average, so they neither lift nor sink an entry relative to the others.
    """
    by_judge: dict[int, list[Pairing]] = defaultdict(list)
    for sheet in sheets:
        by_judge[sheet.judge].append(Pairing(sheet.judge, sheet.entry))
    normalised: dict[Pairing, float] = {}
    for pairings in by_judge.values():
        values = [totals[pairing] for pairing in pairings]
        mean, deviation = fmean(values), pstdev(values)
        flat = len(values) < 2 or round(deviation, DECIMALS) == 0
        for pairing, value in zip(pairings, values, strict=True):
            normalised[pairing] = 0.0 if flat else (value - mean) / deviation
    return normalised


def score_entries(rubric: Rubric, sheets: Iterable[ScoreSheet]) -> dict[int, EntryScore]:
    """Raw and normalised means per entry from the current sheets (one per judge and entry)."""
    sheet_list = list(sheets)
    totals = {Pairing(sheet.judge, sheet.entry): rubric.total(sheet.scores) for sheet in sheet_list}
    if len(totals) != len(sheet_list):
        raise ValueError("two sheets for the same judge and entry; replay the score log first")
    normalised = z_scores(sheet_list, totals)
    by_entry: dict[int, list[ScoreSheet]] = defaultdict(list)
    for sheet in sheet_list:
        by_entry[sheet.entry].append(sheet)
    key = rubric.key_criterion.key
    return {
        entry: EntryScore(
            entry=entry,
            sheets=len(entry_sheets),
            raw_mean=fmean(totals[Pairing(sheet.judge, entry)] for sheet in entry_sheets),
            normalised_mean=fmean(normalised[Pairing(sheet.judge, entry)] for sheet in entry_sheets),
            key_criterion_mean=fmean(sheet.scores[key] for sheet in entry_sheets),
        )
        for entry, entry_sheets in sorted(by_entry.items())
    }


# Ranking


class TieBreak(StrEnum):
    NORMALISED_MEAN = "normalised_mean"  # higher first
    KEY_CRITERION = "key_criterion"  # higher mean raw points on the top-weighted criterion first
    SUBMITTED_AT = "submitted_at"  # earlier final submission first
    ENTRY_ID = "entry_id"  # lower id first: never leaves a tie


TIE_BREAK: tuple[TieBreak, ...] = tuple(TieBreak)  # the published order


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: int
    score: EntryScore
    decided_by: TieBreak | None  # the rule that put this entry below the one just above; None for the first


@dataclass(frozen=True)
class Ranking:
    track: str
    ranked: tuple[Ranked, ...]
    unscored: tuple[int, ...]  # entries of the track without any sheet, not ranked

    def advancing(self, places: int) -> tuple[int, ...]:
        """The entry ids of the top `places`, who go on to the next round."""
        return tuple(ranked.entry for ranked in self.ranked[:places])


def rank_track(track: str, entries: Iterable[Entry], scores: Mapping[int, EntryScore]) -> Ranking:
    """Rank a track's scored entries by the `TIE_BREAK` cascade; each place says which rule decided it."""
    in_track = [entry for entry in entries if entry.track == track]
    scored = [entry for entry in in_track if entry.id in scores]

    def cascade(entry: Entry) -> tuple[float, float, datetime, int]:
        score = scores[entry.id]
        return (
            -round(score.normalised_mean, DECIMALS),
            -round(score.key_criterion_mean, DECIMALS),
            entry.submitted_at,
            entry.id,
        )

    ordered = sorted(scored, key=cascade)
    ranked: list[Ranked] = []
    for position, entry in enumerate(ordered):
        decided_by = None
        if position:
            above, here = cascade(ordered[position - 1]), cascade(entry)
            decided_by = next(rule for rule, a, b in zip(TIE_BREAK, above, here, strict=True) if a != b)
        ranked.append(Ranked(rank=position + 1, entry=entry.id, score=scores[entry.id], decided_by=decided_by))
    unscored = tuple(sorted(entry.id for entry in in_track if entry.id not in scores))
    return Ranking(track=track, ranked=tuple(ranked), unscored=unscored)


# The score log


class ScoreEventKind(StrEnum):
    SCORE = "score"  # the judge submits their sheet; it is locked from then on
    CORRECTION = "correction"  # an administrator replaces the current sheet, giving a reason; the original stays


@dataclass(frozen=True)
class ScoreEvent:
    sequence: int  # position in the append-only log
    kind: ScoreEventKind
    judge: int
    entry: int
    scores: Mapping[str, float]
    at: datetime
    by: int  # the account that wrote it: the judge for a score, an administrator for a correction
    reason: str = ""


@dataclass(frozen=True)
class CurrentSheet:
    sheet: ScoreSheet
    original: ScoreEvent
    corrections: tuple[ScoreEvent, ...] = field(default=())


class SheetLocked(Conflict):
    key = "error.sheet_locked"


class NothingToCorrect(Conflict):
    key = "error.nothing_to_correct"


def apply_event(current: Mapping[Pairing, CurrentSheet], event: ScoreEvent) -> CurrentSheet:
    """The sheet after `event`, or a typed error if the log may not take it (check before appending)."""
    pairing = Pairing(event.judge, event.entry)
    before = current.get(pairing)
    if event.kind is ScoreEventKind.SCORE:
        if before is not None:
            raise SheetLocked(judge=event.judge, entry=event.entry)
        return CurrentSheet(sheet=ScoreSheet(event.judge, event.entry, event.scores), original=event)
    if before is None:
        raise NothingToCorrect(judge=event.judge, entry=event.entry)
    if not event.reason.strip():
        raise InvalidInput(errors=[(("reason",), "validation.missing")])
    return CurrentSheet(
        sheet=ScoreSheet(event.judge, event.entry, event.scores),
        original=before.original,
        corrections=(*before.corrections, event),
    )


def replay(events: Iterable[ScoreEvent]) -> dict[Pairing, CurrentSheet]:
    """The current sheet per (judge, entry): the latest correction if any, else the submitted score."""
    current: dict[Pairing, CurrentSheet] = {}
    last = None
    for event in sorted(events, key=lambda event: event.sequence):
        if event.sequence == last:
            raise ValueError(f"score log sequence {event.sequence} appears twice")
        last = event.sequence
        current[Pairing(event.judge, event.entry)] = apply_event(current, event)
    return current
