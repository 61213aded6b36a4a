from __future__ import annotations

import csv
import itertools
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from events.matchmaking.dzn import parse_dzn, read_dzn
from events.matchmaking.problem import (
    InvalidProblem,
    Meeting,
    Objective,
    Placement,
    Priority,
    Problem,
    Session,
    count_breaks,
    evaluate,
    violations,
)
from events.matchmaking.scheduler import CORE_SUBSOLVERS, Status, _Model, _solver, assign_tables, solve

# The published instances are not in the repository (no licence): CI keeps shared/ beside the clone.
INSTANCES = Path(
    os.environ.get("QUANCHENG_B2B_INSTANCES", Path(__file__).resolve().parents[2].parent / "shared" / "b2b-instances")
)


# --- small random problems, checked against brute force ---------------------------------------------------


@st.composite
def problems(draw: st.DrawFn, schedule_all: bool = False) -> Problem:
    parties = draw(st.integers(2, 5))
    slots = draw(st.integers(2, 4))
    split = slots >= 3 and draw(st.booleans())
    sessions = (Session(0, slots // 2 - 1), Session(slots // 2, slots - 1)) if split else ()
    pair = st.tuples(st.integers(0, parties - 1), st.integers(0, parties - 1)).filter(lambda p: p[0] != p[1])
    meetings = tuple(
        Meeting(
            first,
            second,
            draw(st.sampled_from(Priority)),
            draw(st.integers(1, 3)),
            draw(st.none() | st.integers(0, len(sessions) - 1)) if sessions else None,
            draw(st.none() | st.integers(0, slots - 1)) if draw(st.integers(0, 4)) == 0 else None,
        )
        for first, second in draw(st.lists(pair, min_size=1, max_size=5))
    )
    unavailable = draw(
        st.dictionaries(st.integers(0, parties - 1), st.frozensets(st.integers(0, slots - 1), max_size=2))
    )
    tables = draw(st.integers(1, 3))
    fixed_tables = draw(st.dictionaries(st.integers(0, parties - 1), st.integers(0, tables - 1), max_size=2))
    order = st.tuples(st.integers(0, len(meetings) - 1), st.integers(0, len(meetings) - 1)).filter(
        lambda p: p[0] != p[1]
    )
    precedences = tuple(draw(st.lists(order, max_size=2)))
    caps = draw(st.dictionaries(st.integers(0, parties - 1), st.integers(0, 2), max_size=2))
    return Problem(
        parties,
        slots,
        tables,
        meetings,
        sessions,
        unavailable,
        fixed_tables,
        precedences,
        schedule_all=schedule_all,
        caps=caps,
    )


def brute_force_best(problem: Problem, fairness_d: int | None) -> tuple[int, int, int, int] | None:
    """The lexicographic optimum over every assignment: (must, weight, -breaks, -excess), or None if none is valid."""
    best: tuple[int, int, int, int] | None = None
    choices = [
        problem.allowed_slots(index) + ([] if problem.schedule_all or meeting.fixed_slot is not None else [-1])
        for index, meeting in enumerate(problem.meetings)
    ]
    for slots in itertools.product(*choices):
        chosen = {index: slot for index, slot in enumerate(slots) if slot >= 0}
        if max(Counter(chosen.values()).values(), default=0) > problem.tables:
            continue
        placements = assign_tables(problem, chosen)
        if violations(problem, placements):
            continue
        objective = evaluate(problem, placements)
        excess = max(0, objective.spread - (fairness_d or 0))
        if problem.schedule_all and fairness_d is not None and excess:
            continue
        key = (
            objective.must_placed,
            objective.weighted_placed,
            -objective.breaks,
            -excess if fairness_d is not None else 0,
        )
        best = key if best is None or key > best else best
    return best


def check_against_brute_force(problem: Problem, fairness_d: int | None) -> None:
    schedule = solve(problem, time_limit=20, fairness_d=fairness_d)
    best = brute_force_best(problem, fairness_d)
    if best is None:
        assert schedule.status is Status.INFEASIBLE
        return
    assert schedule.status is Status.OPTIMAL and schedule.objective is not None
    assert violations(problem, schedule.placements) == []
    for placement in schedule.placements:
        fixed = problem.meetings[placement.meeting].fixed_slot
        assert fixed is None or placement.slot == fixed
    objective = schedule.objective
    excess = -max(0, objective.spread - fairness_d) if fairness_d is not None else 0
    assert (objective.must_placed, objective.weighted_placed, -objective.breaks, excess) == best
    # the solver's own stage values (its encoding) agree with the objective recomputed from the schedule
    stage_values = {stage.name: stage.value for stage in schedule.stages}
    assert stage_values["breaks"] == objective.breaks
    if "fairness_excess" in stage_values:
        assert stage_values["fairness_excess"] == -excess


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), fairness_d=st.none() | st.integers(0, 2))
def test_event_schedule_is_valid_and_lexicographically_optimal(problem: Problem, fairness_d: int | None) -> None:
    check_against_brute_force(problem, fairness_d)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(schedule_all=True), fairness_d=st.none() | st.integers(0, 2))
def test_benchmark_model_schedules_everything_or_proves_unsat(problem: Problem, fairness_d: int | None) -> None:
    check_against_brute_force(problem, fairness_d)


# --- hand-made cases ---------------------------------------------------------------------------------------


def test_a_break_is_one_idle_run_between_two_meetings_and_edges_are_free() -> None:
    day = (range(8),)
    assert count_breaks([2, 5, 6], day) == 1
    assert count_breaks([1, 3, 5], day) == 2
    assert count_breaks([0, 7], day) == 1
    assert count_breaks([3, 4], day) == 0
    assert count_breaks([], day) == 0
    halves = (range(0, 4), range(4, 8))
    assert count_breaks([2, 6], halves) == 0  # lunch is not a break
    assert count_breaks([0, 2, 6], halves) == 1


def test_solver_counts_the_break_a_fixed_gap_forces() -> None:
    problem = Problem(
        parties=3,
        slots=4,
        tables=2,
        meetings=(Meeting(0, 1, fixed_slot=0), Meeting(0, 2, fixed_slot=2)),
    )
    schedule = solve(problem, time_limit=10)
    assert schedule.status is Status.OPTIMAL
    assert schedule.objective == Objective(must_placed=0, weighted_placed=2, breaks=1, spread=1)


def test_fixed_meeting_in_a_forbidden_slot_is_unsat() -> None:
    problem = Problem(
        parties=2, slots=3, tables=1, meetings=(Meeting(0, 1, fixed_slot=1),), unavailable={1: frozenset({1})}
    )
    schedule = solve(problem, time_limit=10)
    assert schedule.status is Status.INFEASIBLE and schedule.proved and schedule.placements == ()


def test_must_meet_wins_the_last_table_over_heavier_wants() -> None:
    problem = Problem(
        parties=4,
        slots=1,
        tables=1,
        meetings=(Meeting(0, 1, Priority.WANT, weight=3), Meeting(2, 3, Priority.MUST), Meeting(0, 2, weight=3)),
    )
    schedule = solve(problem, time_limit=10)
    assert [placement.meeting for placement in schedule.placements] == [1]


def test_a_party_at_its_cap_keeps_its_heaviest_meetings() -> None:
    meetings = (Meeting(0, 1, weight=1), Meeting(0, 2, weight=3), Meeting(0, 3, weight=2), Meeting(1, 2, weight=1))
    problem = Problem(parties=4, slots=4, tables=2, meetings=meetings, caps={0: 2})
    schedule = solve(problem, time_limit=10)
    assert schedule.status is Status.OPTIMAL and violations(problem, schedule.placements) == []
    assert sorted(p.meeting for p in schedule.placements) == [1, 2, 3]
    over = [Placement(0, 0, 0), Placement(1, 1, 0), Placement(2, 2, 0)]
    assert violations(problem, over) == ["party 0 has 3 meetings, more than its cap of 2"]
    assert "party 0 has 3 meetings, more than its cap of 2" in violations(problem, over)


def test_fewer_breaks_never_cost_a_meeting() -> None:
    # Party 0 can only hold both meetings with a gap; holding both beats holding one without a break.
    problem = Problem(
        parties=3, slots=3, tables=1, meetings=(Meeting(0, 1), Meeting(0, 2)), unavailable={0: frozenset({1})}
    )
    schedule = solve(problem, time_limit=10)
    assert schedule.objective is not None
    assert (schedule.objective.weighted_placed, schedule.objective.breaks) == (2, 1)


def test_booth_meetings_are_held_at_the_booth_and_never_two_at_once() -> None:
    problem = Problem(
        parties=4,
        slots=2,
        tables=3,
        meetings=(Meeting(0, 1), Meeting(0, 2), Meeting(3, 1)),
        fixed_tables={0: 2, 3: 2},
    )
    schedule = solve(problem, time_limit=10)
    assert schedule.status is Status.OPTIMAL and violations(problem, schedule.placements) == []
    assert len(schedule.placements) == 2  # three meetings for booth 2 but only two slots
    assert all(placement.table == 2 for placement in schedule.placements)


def test_violations_name_each_broken_rule() -> None:
    problem = Problem(
        parties=3,
        slots=2,
        tables=1,
        meetings=(Meeting(0, 1), Meeting(0, 2, fixed_slot=1)),
        precedences=((1, 0),),
    )
    found = violations(problem, [Placement(0, 0, 0), Placement(0, 1, 0)])
    assert "meeting 0 is placed twice" in found
    assert "meeting 1 must be held but is not placed" in found
    assert sorted(violations(problem, [Placement(0, 0, 1), Placement(1, 0, 0)])) == [
        "meeting 0 at table 1, which does not exist",
        "meeting 1 at slot 0 is outside its session, availability or fixed slot",
        "meeting 1 must come before meeting 0",
        "party 0 has two meetings in slot 0",
    ]
    two_pairs = Problem(parties=4, slots=1, tables=2, meetings=(Meeting(0, 1), Meeting(2, 3)))
    assert violations(two_pairs, [Placement(0, 0, 1), Placement(1, 0, 1)]) == ["table 1 holds two meetings in slot 0"]
    assert violations(two_pairs, [Placement(0, 0, 1), Placement(1, 0, 0)]) == []


@pytest.mark.parametrize(
    "problem",
    [
        lambda: Problem(parties=2, slots=0, tables=1, meetings=()),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(Meeting(0, 0),)),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(Meeting(0, 2),)),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(Meeting(0, 1, session=0),)),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(Meeting(0, 1, fixed_slot=2),)),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(Meeting(0, 1, weight=0),)),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(), fixed_tables={0: 1}),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(Meeting(0, 1),), precedences=((0, 1),)),
        lambda: Problem(parties=2, slots=2, tables=1, meetings=(), sessions=(Session(1, 2),)),
    ],
)
def test_inconsistent_problems_are_refused(problem: object) -> None:
    assert callable(problem)
    with pytest.raises(InvalidProblem):
        problem()


def test_dzn_reader_maps_sessions_forbidden_fixed_and_precedences() -> None:
    problem = parse_dzn(
        """nBusiness = 3; nMeetings = 2; nTables = 1; nTotalSlots = 4; nMorningSlots = 2;
        requested = [|1, 2,1, |2, 3,3, |];  % a comment
        forbidden = [{0}, {0,4}, {3}];
        fixed = [0,2];
        precedences = [{2}, {}];"""
    )
    assert problem.sessions == (Session(0, 1), Session(2, 3))
    assert problem.meetings == (Meeting(0, 1, session=0), Meeting(1, 2, fixed_slot=1))
    assert problem.unavailable == {1: frozenset({3}), 2: frozenset({2})}
    assert problem.precedences == ((1, 0),)
    assert problem.schedule_all and problem.break_windows() == (range(4),)


# --- the published instances (JAIR 2022) -------------------------------------------------------------------

# Chosen to solve in a few seconds each on two busy cores; the full set is bench/b2b_schedule.py.
FAST_INSTANCES = [
    "tic-12.original.dzn",
    "tic-12.fixed020-Forb.dzn",
    "tic-12.forb0003.dzn",
    "tic-12.prec15.dzn",
    "tic-12crafc.fixed040-Forb.dzn",
    "tic-14crafa.original.dzn",  # 0 breaks, found by the lower-bound-first ladder (the first pass: 17, unproved)
]


def published_optimum(name: str, fairness_d: int) -> str:
    with (INSTANCES / "optima.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            if row["instance_file"] == name and int(row["fairness_d"]) == fairness_d:
                return row["optimal_total_breaks_or_UNSAT"]
    raise LookupError(name)


@pytest.mark.skipif(not INSTANCES.is_dir(), reason=f"B2B instances not found at {INSTANCES} (kept outside the repo)")
@pytest.mark.parametrize("name", FAST_INSTANCES)
def test_published_instance_reaches_its_proven_optimum(name: str) -> None:
    problem = read_dzn(INSTANCES / "noves" / name)
    schedule = solve(problem, time_limit=30, fairness_d=2)
    assert schedule.proved
    found = "UNSAT" if schedule.status is Status.INFEASIBLE else str(schedule.objective and schedule.objective.breaks)
    assert found == published_optimum(name, 2)
    assert violations(problem, schedule.placements) == (
        []
        if found != "UNSAT"
        else [f"meeting {index} must be held but is not placed" for index in range(len(problem.meetings))]
    )


def test_lower_bound_first_climbs_past_each_proved_impossible_count() -> None:
    # one table: the fixed meeting of 3 and 4 takes slot 1, so party 0 meets at 0 and 2 (one break),
    # although nothing about party 0 alone forbids a day without one
    problem = Problem(
        parties=5,
        slots=3,
        tables=1,
        meetings=(Meeting(0, 1), Meeting(0, 2), Meeting(3, 4, fixed_slot=1)),
        schedule_all=True,
    )
    encoded = _Model(problem, fairness_d=2)
    assert encoded.breaks_floor == 0
    ladder = encoded.climb(time_limit=10, rung_limit=5)
    assert (ladder.bound, ladder.breaks, ladder.optimal) == (1, 1, True)
    schedule = solve(problem, time_limit=10, fairness_d=2)
    assert schedule.status is Status.OPTIMAL and schedule.objective is not None
    assert schedule.objective.breaks == 1 and violations(problem, schedule.placements) == []


def test_the_core_search_runs_on_every_worker() -> None:
    # CP-SAT gives a named subsolver a thread of its own only up to its count of full subsolvers, one of two
    # workers by default: named without the count, the second core search never runs (the negative control)
    problem = Problem(
        parties=6,
        slots=8,
        tables=3,
        meetings=tuple(Meeting(a, b) for a, b in itertools.combinations(range(6), 2)),
        unavailable={0: frozenset({2}), 3: frozenset({5})},
        schedule_all=True,
    )
    encoded = _Model(problem, fairness_d=2)
    encoded.model.minimize(sum(encoded.breaks))

    def full_workers(solver: cp_model.CpSolver) -> list[str]:
        lines: list[str] = []
        solver.parameters.log_search_progress = True
        solver.parameters.log_to_stdout = False
        solver.log_callback = lines.append
        assert solver.solve(encoded.model) == cp_model.OPTIMAL
        return [line for line in lines if "full problem subsolver" in line]

    assert full_workers(_solver(10, CORE_SUBSOLVERS)) == ["2 full problem subsolvers: [core(2)]"]
    uncounted = _solver(10, CORE_SUBSOLVERS)
    uncounted.parameters.num_full_subsolvers = 0  # CP-SAT's default count
    assert full_workers(uncounted) == ["1 full problem subsolver: [core]"]


def test_a_party_whose_meetings_fit_no_block_of_consecutive_slots_starts_the_ladder_at_one_break() -> None:
    # party 0 could use every slot, but its meeting with 1 can only be at slot 0 (morning, 1 away at slot 1)
    # and its meeting with 2 only at slot 3 (afternoon, 2 away at slot 2): no three consecutive slots hold all
    problem = Problem(
        parties=4,
        slots=4,
        tables=2,
        meetings=(Meeting(0, 1, session=0), Meeting(0, 2, session=1), Meeting(0, 3)),
        sessions=(Session(0, 1), Session(2, 3)),
        unavailable={1: frozenset({1}), 2: frozenset({2})},
        schedule_all=True,
        breaks_across_sessions=True,
    )
    encoded = _Model(problem, fairness_d=2)
    assert encoded.breaks_floor == 1
    schedule = solve(problem, time_limit=10, fairness_d=2)
    assert schedule.status is Status.OPTIMAL and schedule.objective is not None
    assert schedule.objective.breaks == 1 and violations(problem, schedule.placements) == []
