"""The matchmaking scheduler on the published B2B instances (JAIR 2022), and on a generated 对接会.

    python bench/b2b_schedule.py [FOLDER] [--d 2] [--time-limit 60] [--json] [--only NAME ...] [--event]

FOLDER (default ../shared/b2b-instances/noves) holds the .dzn files; optima.csv in it or its parent gives the
published optimum and MaxSAT time per file and d. Prints per file our objective (total breaks or UNSAT), the
optimum, whether ours is proved, and seconds; then how many files reach the optimum and our median and worst
time against the published MaxSAT times (their machine: Xeon E3-1220v2, one core; ours: 2 CP-SAT workers).
--event instead schedules a generated event (fixed seed: 300 parties, 2 sessions x 8 slots, 40 tables, 1,500
wanted meetings) and prints the share of wanted meetings placed.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

from events.matchmaking.dzn import read_dzn
from events.matchmaking.problem import Meeting, Priority, Problem, Session, violations
from events.matchmaking.scheduler import Status, solve

INSTANCES = Path(__file__).resolve().parents[1].parent / "shared" / "b2b-instances" / "noves"


@dataclass(frozen=True)
class Published:
    optimum: int | None  # None: UNSAT
    maxsat_seconds: float


def read_optima(folder: Path) -> dict[tuple[str, int], Published]:
    for candidate in (folder / "optima.csv", folder.parent / "optima.csv"):
        if candidate.exists():
            with candidate.open(encoding="utf-8") as rows:
                return {
                    (row["instance_file"], int(row["fairness_d"])): Published(
                        None
                        if row["optimal_total_breaks_or_UNSAT"] == "UNSAT"
                        else int(row["optimal_total_breaks_or_UNSAT"]),
                        float(row["maxsat_time_s"]),
                    )
                    for row in csv.DictReader(rows)
                }
    return {}


def run_instances(folder: Path, fairness_d: int, time_limit: float, as_json: bool, only: list[str]) -> None:
    optima = read_optima(folder)
    files = sorted(path for path in folder.glob("*.dzn") if not only or any(name in path.name for name in only))
    at_optimum = compared = 0
    ours: list[float] = []
    theirs: list[float] = []
    for path in files:
        problem = read_dzn(path)
        schedule = solve(problem, time_limit=time_limit, fairness_d=fairness_d)
        if schedule.status is Status.FEASIBLE or schedule.status is Status.OPTIMAL:
            assert not violations(problem, schedule.placements), path.name
        objective: int | str = "UNSAT" if schedule.status is Status.INFEASIBLE else "-"
        if schedule.objective is not None:
            objective = schedule.objective.breaks
        published = optima.get((path.name, fairness_d))
        if published is not None:
            compared += 1
            expected: int | str = "UNSAT" if published.optimum is None else published.optimum
            at_optimum += objective == expected and schedule.proved
            ours.append(schedule.seconds)
            theirs.append(published.maxsat_seconds)
        if as_json:
            print(
                json.dumps(
                    {
                        "file": path.name,
                        "d": fairness_d,
                        "objective": objective,
                        "proved": schedule.proved,
                        "seconds": round(schedule.seconds, 2),
                    }
                ),
                flush=True,
            )
        else:
            optimum = "?" if published is None else ("UNSAT" if published.optimum is None else published.optimum)
            maxsat = "" if published is None else f"{published.maxsat_seconds:7.1f}"
            print(
                f"{path.name:34} ours {objective!s:>5} {'proved' if schedule.proved else 'best  '}"
                f"  optimum {optimum!s:>5}  {schedule.seconds:7.1f} s  MaxSAT {maxsat} s",
                flush=True,
            )
    if not as_json and ours:
        print(f"\n{at_optimum}/{compared} files at the published optimum, proved (d={fairness_d})")
        print(
            f"median time {statistics.median(ours):.1f} s (MaxSAT {statistics.median(theirs):.1f} s), "
            f"worst {max(ours):.1f} s (MaxSAT {max(theirs):.1f} s)"
        )


def generated_event(seed: int = 20260, parties: int = 300, wanted: int = 1500) -> Problem:
    """A bipartite 对接会: 60 providers (the first 30 with booths), 240 demand-side firms, 2 x 8 slots, 40 tables.

    A tenth of the wanted meetings are must-meets; one firm in five comes to one half-day only.
    """
    rng = random.Random(seed)
    providers, booths = 60, 30
    demand = range(providers, parties)
    pairs: set[tuple[int, int]] = set()
    popularity = [rng.paretovariate(1.5) for _ in range(providers)]
    while len(pairs) < wanted:
        pairs.add((rng.choices(range(providers), weights=popularity)[0], rng.choice(demand)))
    unavailable = {
        firm: frozenset(range(0, 8) if rng.random() < 0.5 else range(8, 16)) for firm in demand if rng.random() < 0.2
    }
    meetings = tuple(
        Meeting(provider, firm, Priority.MUST if rng.random() < 0.1 else Priority.WANT, weight=rng.randint(1, 3))
        for provider, firm in sorted(pairs)
    )
    return Problem(
        parties=parties,
        slots=16,
        tables=40,
        meetings=meetings,
        sessions=(Session(0, 7), Session(8, 15)),
        unavailable=unavailable,
        fixed_tables={provider: provider for provider in range(booths)},
    )


def run_event(time_limit: float, fairness_d: int) -> None:
    problem = generated_event()
    schedule = solve(problem, time_limit=time_limit, fairness_d=fairness_d)
    assert schedule.objective is not None and not violations(problem, schedule.placements)
    musts = sum(1 for m in problem.meetings if m.priority is Priority.MUST)
    print(
        f"event: {len(problem.meetings)} wanted meetings, {musts} must-meets, {problem.tables} tables x "
        f"{problem.slots} slots; {schedule.status} in {schedule.seconds:.1f} s"
    )
    print(
        f"placed {len(schedule.placements)} ({len(schedule.placements) / len(problem.meetings):.1%}), "
        f"must-meets {schedule.objective.must_placed}/{musts}, breaks {schedule.objective.breaks}, "
        f"spread {schedule.objective.spread}"
    )
    for stage in schedule.stages:
        print(
            f"  stage {stage.name}: {stage.value} (bound {stage.bound}, {'proved' if stage.proved else 'not proved'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=INSTANCES)
    parser.add_argument("--d", type=int, default=2, help="fairness: max - min breaks per party")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument("--only", nargs="*", default=[], help="files whose name contains one of these")
    parser.add_argument("--event", action="store_true", help="the generated 对接会 instead of the files")
    args = parser.parse_args()
    if args.event:
        run_event(args.time_limit, args.d)
    elif not any(args.folder.glob("*.dzn")):
        parser.error(f"no .dzn files in {args.folder} (the instances are kept outside the repository)")
    else:
        run_instances(args.folder, args.d, args.time_limit, args.json, args.only)


if __name__ == "__main__":
    main()
