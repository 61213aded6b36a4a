"""Judge assignment and ranking for a large competition, against a plain sort of the same totals.

    python bench/judging.py [--entries 2000] [--judges 120] [--tracks 5] [--seed 1]

Builds a competition of entries over tracks, judges on one or two tracks each from a shared pool of organisations
(so same-organisation conflicts happen) plus declared conflicts, and a five-criterion rubric. Times assigning
three judges per entry, then scoring every sheet (weighted totals, per-judge z-scores) and ranking every track.
The baseline averages the same sheets' totals per entry and sorts them, with no checks, normalisation or
tie-breaks. Prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from statistics import fmean

from events.competitions.judging import (
    Criterion,
    Entry,
    Judge,
    Pairing,
    Rubric,
    ScoreSheet,
    assign_judges,
    rank_track,
    score_entries,
)

RUBRIC = Rubric(
    (
        Criterion("innovation", 25, 1, 10),
        Criterion("technology", 25, 1, 10),
        Criterion("value", 20, 1, 10),
        Criterion("feasibility", 20, 1, 10),
        Criterion("team", 10, 1, 5),
    )
)


def competition(args: argparse.Namespace) -> tuple[list[Entry], list[Judge], set[Pairing]]:
    rng = random.Random(args.seed)
    tracks = [f"track{number}" for number in range(args.tracks)]
    organisations = [f"organisation {number}" for number in range(args.judges // 2)]
    judges = [
        Judge(number, rng.choice(organisations), frozenset(rng.sample(tracks, rng.choice((1, 2)))))
        for number in range(args.judges)
    ]
    start = datetime(2026, 9, 1, tzinfo=UTC)
    entries = [
        Entry(number, rng.choice(tracks), rng.choice(organisations), start + timedelta(seconds=rng.randrange(86_400)))
        for number in range(args.entries)
    ]
    conflicts = {Pairing(rng.randrange(args.judges), rng.randrange(args.entries)) for _ in range(args.entries // 5)}
    return entries, judges, conflicts


def sheets_for(judges_of: dict[int, tuple[int, ...]], seed: int) -> list[ScoreSheet]:
    rng = random.Random(seed)
    leniency: defaultdict[int, float] = defaultdict(lambda: rng.uniform(-2, 2))
    return [
        ScoreSheet(
            judge,
            entry,
            {
                criterion.key: min(
                    criterion.maximum, max(criterion.minimum, round(rng.uniform(3, 9) + leniency[judge]))
                )
                for criterion in RUBRIC.criteria
            },
        )
        for entry, judges in judges_of.items()
        for judge in judges
    ]


def main(args: argparse.Namespace) -> None:
    entries, judges, conflicts = competition(args)

    started = time.perf_counter()
    assignment = assign_judges(entries, judges, conflicts, seed=args.seed)
    assigned = time.perf_counter() - started

    sheets = sheets_for(assignment.judges_of, args.seed)
    started = time.perf_counter()
    scores = score_entries(RUBRIC, sheets)
    rankings = [rank_track(track, entries, scores) for track in sorted({entry.track for entry in entries})]
    ranked = time.perf_counter() - started
    assert sum(len(ranking.ranked) for ranking in rankings) == len(entries)

    totals = [(sheet.entry, RUBRIC.total(sheet.scores)) for sheet in sheets]
    started = time.perf_counter()
    by_entry: dict[int, list[float]] = defaultdict(list)
    for entry, total in totals:
        by_entry[entry].append(total)
    sorted(by_entry, key=lambda entry: -fmean(by_entry[entry]))
    baseline = time.perf_counter() - started

    ours = assigned + ranked
    print(f"{len(entries)} entries × {len(judges)} judges × {len(RUBRIC.criteria)} criteria, {len(sheets)} sheets")
    print(f"assignment:            {assigned * 1000:8.1f} ms")
    print(f"scoring and ranking:   {ranked * 1000:8.1f} ms")
    print(f"together:              {ours * 1000:8.1f} ms  (target < 2000 ms)")
    print(f"plain sort of totals:  {baseline * 1000:8.1f} ms")
    print(f"ratio:                 {ours / baseline:8.1f}  (assignment and ranking / plain sort)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=120)
    parser.add_argument("--tracks", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    main(parser.parse_args())
