"""The matchmaking scheduler: CP-SAT over Boolean meeting-at-slot variables, solved lexicographically.

Stages, most important first, each one's optimum kept as a constraint for the next:
  1. held meetings: every must-meet that can be held, then the most preference weight (one weighted sum:
     a must-meet is worth more than all want-meetings together, so the sum orders exactly as the pair does);
     skipped when `schedule_all`, where every meeting is a hard constraint instead;
  2. fewest breaks (a break is a maximal idle run between two meetings of a party within one session,
     counted where it ends); with `schedule_all`, fairness (max - min breaks <= d) is hard here, as in
     JAIR 2022, and the stage starts from its lower bound (`_Model.climb`) before the core-guided search;
  3. otherwise fairness last: the least excess of max - min breaks over d.
Tables are assigned after slots (booth meetings at their booth, the others at the free tables left).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ortools.sat.python import cp_model

from events.matchmaking.greedy import greedy_slots
from events.matchmaking.problem import Objective, Placement, Priority, Problem, evaluate

WORKERS = 2
# When every meeting is mandatory, core-guided search (lower bounds from unsatisfiable cores, as the MaxSAT
# solvers of JAIR 2022) on every worker, each with a seed of its own (see `_solver`): on the B2B instances
# the core search proves optima that the default pair (LP search plus interleaved LNS) does not reach in time,
# and its runs vary with the seed (forum-13crafb.forb0007: 30-58 s with one core worker beside interleaved
# neighbourhood search, whose best schedules stayed at 12-14 breaks while the core worker found the optimum, 5;
# 25-34 s with two core workers). Events with optional meetings keep the default pair: on the generated
# 300-party event, core search found no schedule in its stage while the default one improved at once.
CORE_SUBSOLVERS = ("core",) * WORKERS
# Feasibility checks (is there a schedule at all, or one with at most k breaks?) are pure clause reasoning: the
# LP relaxation only slows them down. On forum-13.prec15 a no-LP search finds its 0-break schedule in ~5 s where
# the default pair finds none in 20 s. One full worker; the other interleaves first-solution and repair
# heuristics (the line-up CP-SAT's default count gives too).
FEASIBILITY_SUBSOLVERS = ("no_lp",)


FIRST_STAGE_SHARE = 0.7


class Status(StrEnum):
    OPTIMAL = "optimal"  # every stage proved optimal
    FEASIBLE = "feasible"  # a valid schedule; some stage's optimum not proved (see Stage.bound)
    INFEASIBLE = "infeasible"  # proved: no schedule keeps the hard constraints
    UNKNOWN = "unknown"  # time ran out before any schedule was found or infeasibility proved


@dataclass(frozen=True)
class Stage:
    name: str
    value: int
    bound: int  # best proved bound on this stage's value; equals value when proved
    proved: bool


@dataclass(frozen=True)
class Schedule:
    status: Status
    placements: tuple[Placement, ...]
    objective: Objective | None
    stages: tuple[Stage, ...]
    seconds: float

    @property
    def proved(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.INFEASIBLE)


def _fewest_breaks(problem: Problem, own: list[int]) -> int:
    """A lower bound on a party's breaks when all its meetings are held in one break window.

    A run of meetings cannot cross a slot the party cannot use, so its usable slots fall into segments, and
    k meetings need at least as many runs as the fewest segments (longest first) that together hold k slots.
    One run is possible only if some k consecutive slots give each meeting a slot of its own (a matching:
    sessions and forbidden slots of the other party can rule every block out); if none does, one break at least.
    """
    if not problem.schedule_all or len(problem.break_windows()) > 1 or not own:
        return 0
    usable = {slot for index in own for slot in problem.allowed_slots(index)}
    segments: list[int] = []
    length = 0
    for slot in range(problem.slots + 1):
        if slot in usable:
            length += 1
        elif length:
            segments.append(length)
            length = 0
    segments.sort(reverse=True)
    runs = next((count for count in range(1, len(segments) + 1) if sum(segments[:count]) >= len(own)), 1)
    if runs == 1 and not any(
        _each_gets_a_slot(problem, own, range(first, first + len(own))) for first in range(problem.slots - len(own) + 1)
    ):
        runs = 2
    return runs - 1


def _each_gets_a_slot(problem: Problem, own: list[int], block: range) -> bool:
    """Whether the meetings `own` can take distinct slots of `block` (augmenting paths, Kuhn's matching)."""
    options = {index: [slot for slot in problem.allowed_slots(index) if slot in block] for index in own}
    holder: dict[int, int] = {}

    def place(index: int, tried: set[int]) -> bool:
        for slot in options[index]:
            if slot not in tried:
                tried.add(slot)
                if slot not in holder or place(holder[slot], tried):
                    holder[slot] = index
                    return True
        return False

    return all(place(index, set()) for index in own)


class _Infeasible(Exception):
    """Search proved that no schedule keeps the hard constraints."""


@dataclass(frozen=True)
class _Ladder:
    bound: int  # proved: no schedule has fewer breaks
    values: list[int] | None  # a schedule found on the way (every model variable), if any
    breaks: int | None  # its total breaks

    @property
    def optimal(self) -> bool:
        return self.breaks == self.bound


class _Model:
    """The CP-SAT encoding of one problem; stage objectives are linear expressions over its variables."""

    def __init__(self, problem: Problem, fairness_d: int | None) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        model = self.model
        self.impossible = False  # a hard constraint fails before search (a fixed slot forbidden, ...)
        self.at: dict[tuple[int, int], cp_model.IntVar] = {}
        for index, meeting in enumerate(problem.meetings):
            slots = problem.allowed_slots(index)
            for slot in slots:
                self.at[index, slot] = model.new_bool_var(f"m{index}s{slot}")
            held = sum(self.at[index, slot] for slot in slots)
            if problem.schedule_all or meeting.fixed_slot is not None:
                if not slots:
                    self.impossible = True
                model.add(held == 1)
            else:
                model.add(held <= 1)
        self.busy: dict[tuple[int, int], cp_model.IntVar] = {}
        self.breaks_floor = 0  # the sum of the per-party lower bounds
        # (party, slot) -> "the party met earlier in this break window"; None: it cannot have
        self.met_before: dict[tuple[int, int], cp_model.IntVar | None] = {}
        self.held = [
            sum(self.at.get((index, s), 0) for s in range(problem.slots)) for index in range(len(problem.meetings))
        ]
        self._capacity()
        by_party = problem.meetings_of()
        for party, cap in problem.caps.items():
            own = by_party[party]
            if len(own) > cap:
                model.add(sum(self.held[index] for index in own) <= cap)
        self._precedences()
        self.breaks = self._breaks()
        self.spread = self._spread()
        if fairness_d is not None and problem.schedule_all:
            model.add(self.spread <= fairness_d)
        self.fairness_excess = model.new_int_var(0, problem.slots, "fairness_excess")
        model.add(self.fairness_excess >= self.spread - (fairness_d or 0))
        self._break_reversal_symmetry()

    def _capacity(self) -> None:
        problem, model = self.problem, self.model
        for slot in range(problem.slots):
            in_slot = [index for index in range(len(problem.meetings)) if (index, slot) in self.at]
            model.add(sum(self.at[index, slot] for index in in_slot) <= problem.tables)
            by_booth: dict[int, list[int]] = {}
            for index in in_slot:
                booth = problem.table_of(index)
                if booth is not None:
                    by_booth.setdefault(booth, []).append(index)
            for sharing in by_booth.values():
                if len(sharing) > 1:
                    model.add_at_most_one(self.at[index, slot] for index in sharing)

    def _precedences(self) -> None:
        """A later meeting at slot s excludes the earlier one at any slot >= s (binds only when both are held)."""
        problem, model = self.problem, self.model
        for earlier, later in problem.precedences:
            for slot in problem.allowed_slots(later):
                for clash in problem.allowed_slots(earlier):
                    if clash >= slot:
                        model.add_bool_or([self.at[later, slot].Not(), self.at[earlier, clash].Not()])

    def _breaks(self) -> list[cp_model.LinearExprT]:
        """Per party: breaks = the holes that end, window by window (JAIR 2022's endHole).

        A hole ends at slot t when the party is idle at t, meets at t + 1 and has met earlier in the window;
        each break ends exactly once, so the count is exact (fairness bounds it from both sides).
        """
        problem, model = self.problem, self.model
        per_party: list[cp_model.LinearExprT] = []
        for party, own in enumerate(problem.meetings_of()):
            hole_ends: list[cp_model.IntVar] = []
            for window in problem.break_windows():
                used: list[cp_model.IntVar | None] = []
                for slot in window:
                    options = [self.at[m, slot] for m in own if (m, slot) in self.at]
                    if not options:
                        used.append(None)
                        continue
                    busy = model.new_bool_var(f"p{party}s{slot}")
                    self.busy[party, slot] = busy
                    model.add(busy == cp_model.LinearExpr.sum(options))  # at most one meeting per party and slot
                    used.append(busy)
                hole_ends.extend(self._hole_ends(party, window, used))
            if not hole_ends:
                per_party.append(0)
                continue
            # k meetings and g gaps need k + g slots and g <= k - 1; with every meeting held, k is known.
            most = min(len(own) - 1, len(hole_ends))
            if problem.schedule_all:
                most = min(most, problem.slots - len(own))
                # imp1: a party meets in exactly as many slots as it has meetings
                model.add(sum(self.busy.get((party, slot), 0) for slot in range(problem.slots)) == len(own))
            least = _fewest_breaks(problem, own)
            self.breaks_floor += least
            breaks = model.new_int_var(least, max(least, most, 0), f"p{party}breaks")
            model.add(breaks == cp_model.LinearExpr.sum(hole_ends))
            if problem.schedule_all and len(problem.break_windows()) == 1:
                self._blocks(party, len(own), hole_ends)
            per_party.append(breaks)
        if problem.schedule_all:
            # imp2: each slot hosts at most one meeting per table, that is two busy parties per table
            for slot in range(problem.slots):
                model.add(sum(self.busy.get((p, slot), 0) for p in range(problem.parties)) <= 2 * problem.tables)
        return per_party

    def _blocks(self, party: int, meetings: int, hole_ends: list[cp_model.IntVar]) -> None:
        """Implied: a party without a break meets in one block of consecutive slots from its first meeting on.

        first(t) = busy at t and not before; with no break, first(t) fixes the whole block (JAIR's first-slot
        variables), which lets the search place a party's day at once instead of slot by slot.
        """
        model, slots = self.model, self.problem.slots
        unbroken = model.new_bool_var(f"p{party}unbroken")
        model.add_bool_or([unbroken, *hole_ends])
        for end in hole_ends:
            model.add_implication(end, unbroken.Not())
        starts: list[cp_model.IntVar] = []
        for slot in range(slots):
            busy = self.busy.get((party, slot))
            if busy is None:
                continue
            met_before = self.met_before[party, slot]
            if met_before is None:
                first = busy
            else:
                first = model.new_bool_var(f"p{party}f{slot}")
                model.add_implication(first, busy)
                model.add_implication(first, met_before.Not())
                model.add_bool_or([busy.Not(), met_before, first])
            starts.append(first)
            for later in range(slot + 1, slot + meetings):
                following = self.busy.get((party, later))
                if following is None:
                    model.add_bool_or([first.Not(), unbroken.Not()])
                    break
                model.add_bool_or([first.Not(), unbroken.Not(), following])
        model.add_exactly_one(starts)

    def _hole_ends(self, party: int, window: range, used: list[cp_model.IntVar | None]) -> list[cp_model.IntVar]:
        """endHole(t) <=> met before t and idle at t and busy at t + 1, for t within the window."""
        model = self.model
        ends: list[cp_model.IntVar] = []
        met_before: cp_model.IntVar | None = None  # None: certainly not met yet
        for offset, busy in enumerate(used):
            self.met_before[party, window.start + offset] = met_before
            if offset + 1 == len(used):
                break
            following = used[offset + 1]
            if met_before is not None and following is not None:
                end = model.new_bool_var(f"p{party}e{window.start + offset}")
                model.add_implication(end, met_before)
                model.add_implication(end, following)
                idle_condition = [met_before.Not(), following.Not(), end]
                if busy is not None:
                    model.add_implication(end, busy.Not())
                    idle_condition.append(busy)
                model.add_bool_or(idle_condition)
                ends.append(end)
            if busy is not None:
                if met_before is None:
                    met_before = busy
                else:
                    met_next = model.new_bool_var(f"p{party}m{window.start + offset + 1}")
                    model.add_bool_or([met_before, busy, met_next.Not()])
                    model.add_implication(met_before, met_next)
                    model.add_implication(busy, met_next)
                    met_before = met_next
        return ends

    def _spread(self) -> cp_model.IntVar:
        model, slots = self.model, self.problem.slots
        most, least = model.new_int_var(0, slots, "max_breaks"), model.new_int_var(0, slots, "min_breaks")
        for breaks in self.breaks:
            model.add(most >= breaks)
            model.add(least <= breaks)
        spread = model.new_int_var(0, slots, "spread")
        model.add(spread == most - least)
        return spread

    def _break_reversal_symmetry(self) -> None:
        """Reversing the slots keeps breaks and feasibility when nothing ties a meeting to a time of day."""
        problem = self.problem
        untimed = (
            not problem.precedences
            and not any(problem.unavailable.values())
            and all(m.fixed_slot is None and m.session is None for m in problem.meetings)
            and len(problem.break_windows()) == 1
        )
        if untimed and problem.schedule_all and problem.meetings:
            self.model.add(2 * sum(s * self.at[0, s] for s in range(problem.slots)) <= problem.slots - 1)

    def hint(self, values: Sequence[int]) -> None:
        """Hint every variable (a complete, feasible hint is taken as a first solution straight away)."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for index, value in enumerate(values):
            self.model.add_hint(self.model.get_int_var_from_proto_index(index), value)

    def climb(self, time_limit: float, rung_limit: float) -> _Ladder:
        """Lower bound first, as MaxSAT's UNSAT-SAT search: is there a schedule with at most k breaks, for
        k = the floor, floor + 1, ..., each question given at most `rung_limit` units of deterministic time.
        Every "no" is kept as a cut (breaks >= k + 1); the first "yes" ends the climb and is hinted to the
        optimisation that follows (at the proved bound, it is the optimum). So does the first unanswered rung:
        the rungs above it are no easier, and the core-guided search settles them faster (forum-13.fixed020-Forb:
        two unanswered rungs took 27 s, then core search proved the optimum in 1 s)."""
        started, bound = time.monotonic(), self.breaks_floor
        total = cp_model.LinearExpr.sum(self.breaks)
        while (left := time_limit - (time.monotonic() - started)) > 0.1:
            attempt = self.model.clone()
            attempt.clear_objective()  # type: ignore[no-untyped-call]
            attempt.add(total <= bound)
            solver = _solver(left, FEASIBILITY_SUBSOLVERS)
            # counted in deterministic time, so that a rung gets the same work however loaded the machine is
            solver.parameters.max_deterministic_time = rung_limit
            status = solver.solve(attempt)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                values = _values(self.model, solver)
                self.hint(values)
                return _Ladder(bound, values, round(solver.value(total)))
            if status != cp_model.INFEASIBLE:
                break
            bound += 1
            self.model.add(total >= bound)
        return _Ladder(bound, None, None)

    def completed(self, slots: dict[int, int], time_limit: float) -> list[int] | None:  # raises _Infeasible
        """A full solution from a meeting -> slot assignment: the assignment itself when it keeps every hard
        rule, else the nearest one a short search finds (the greedy pass may leave mandatory meetings out and
        knows nothing of fairness). Returns None when time runs out first."""
        problem = self.problem
        mandatory = (i for i, m in enumerate(problem.meetings) if problem.schedule_all or m.fixed_slot is not None)
        for repair in (False, True):
            if not repair and any(index not in slots for index in mandatory):
                continue
            completion = self.model.clone()
            completion.clear_objective()  # type: ignore[no-untyped-call]
            completion.clear_hints()  # type: ignore[no-untyped-call]
            for (index, slot), var in self.at.items():
                literal, chosen = completion.get_bool_var_from_proto_index(var.index), slots.get(index) == slot
                if repair:
                    completion.add_hint(literal, chosen)
                else:
                    completion.add(literal == int(chosen))
            solver = _solver(time_limit, FEASIBILITY_SUBSOLVERS)
            status = solver.solve(completion)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return _values(self.model, solver)
            if repair and status == cp_model.INFEASIBLE:
                raise _Infeasible
        return None


def _solver(time_limit: float, subsolvers: Sequence[str] = ()) -> cp_model.CpSolver:
    """Two workers; `subsolvers` names the searches that get a thread of their own (empty: CP-SAT's default
    pair). CP-SAT runs a named subsolver on its own thread only up to its count of full subsolvers, one of two
    workers by default (the other then interleaves neighbourhood searches), so the count is the names'; a name
    given twice runs twice, each copy with its own seed from its position."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.subsolvers.extend(subsolvers)
    solver.parameters.num_full_subsolvers = len(subsolvers)
    solver.parameters.max_presolve_iterations = 1
    return solver


def _values(model: cp_model.CpModel, solver: cp_model.CpSolver) -> list[int]:
    return [solver.value(model.get_int_var_from_proto_index(i)) for i in range(len(model.proto.variables))]


def solve(problem: Problem, time_limit: float = 60.0, fairness_d: int | None = None) -> Schedule:
    """Schedule within `time_limit` seconds in all; the result says which stages were proved optimal."""
    started = time.monotonic()
    encoded = _Model(problem, fairness_d)
    if encoded.impossible:
        return Schedule(Status.INFEASIBLE, (), None, (), time.monotonic() - started)
    goals: list[tuple[str, cp_model.LinearExprT, bool]] = []
    if not problem.schedule_all:
        must_bonus = sum(m.weight for m in problem.meetings) + 1
        value = sum(
            (must_bonus + m.weight if m.priority is Priority.MUST else m.weight) * encoded.held[index]
            for index, m in enumerate(problem.meetings)
        )
        goals.append(("held", value, True))
    goals.append(("breaks", sum(encoded.breaks), False))
    if not problem.schedule_all and fairness_d is not None:
        goals.append(("fairness_excess", encoded.fairness_excess, False))

    def remaining() -> float:
        return time_limit - (time.monotonic() - started)

    greedy = greedy_slots(problem)
    try:
        start = encoded.completed(greedy, remaining() * 0.2)
    except _Infeasible:
        return Schedule(Status.INFEASIBLE, (), None, (), time.monotonic() - started)
    if start is not None:
        encoded.hint(start)
    else:
        for (index, slot), var in encoded.at.items():
            encoded.model.add_hint(var, greedy.get(index) == slot)
    stages: list[Stage] = []
    best: dict[int, int] | None = None
    if problem.schedule_all:
        ladder = encoded.climb(remaining() * 0.5, rung_limit=0.05 * time_limit)
        if ladder.values is not None and ladder.breaks is not None and ladder.optimal:
            stages.append(Stage("breaks", ladder.breaks, ladder.bound, True))
            best = {index: slot for (index, slot), var in encoded.at.items() if ladder.values[var.index]}
    for position, (name, goal, maximise) in enumerate(goals):
        if position < len(stages):
            continue  # settled by the ladder
        # The first stage (which meetings are held) matters most and is the hardest on a large event, so it
        # gets most of the time; the later ones share the rest (a stage proved early hands its time on).
        share = FIRST_STAGE_SHARE if position == 0 and len(goals) > 1 else 1 / (len(goals) - position)
        solver = _solver(remaining() * share, CORE_SUBSOLVERS if problem.schedule_all else ())
        encoded.model.clear_objective()  # type: ignore[no-untyped-call]
        encoded.model.maximize(goal) if maximise else encoded.model.minimize(goal)
        status = solver.solve(encoded.model)
        if status == cp_model.INFEASIBLE:
            return Schedule(Status.INFEASIBLE, (), None, tuple(stages), time.monotonic() - started)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break  # keep the previous stage's schedule: it is valid, just not refined
        value = round(solver.objective_value)
        proved = status == cp_model.OPTIMAL
        stages.append(Stage(name, value, value if proved else round(solver.best_objective_bound), proved))
        best = {index: slot for (index, slot), var in encoded.at.items() if solver.boolean_value(var)}
        encoded.hint(_values(encoded.model, solver))
        encoded.model.add(goal >= value if maximise else goal <= value)
    if best is None:
        return Schedule(Status.UNKNOWN, (), None, tuple(stages), time.monotonic() - started)
    placements = assign_tables(problem, best)
    all_proved = len(stages) == len(goals) and all(stage.proved for stage in stages)
    return Schedule(
        Status.OPTIMAL if all_proved else Status.FEASIBLE,
        placements,
        evaluate(problem, placements),
        tuple(stages),
        time.monotonic() - started,
    )


def assign_tables(problem: Problem, slots: dict[int, int]) -> tuple[Placement, ...]:
    """Booth meetings at their booth; the rest, in meeting order, at the lowest tables still free in their slot."""
    taken: dict[int, set[int]] = {}
    for index, slot in slots.items():
        booth = problem.table_of(index)
        if booth is not None:
            taken.setdefault(slot, set()).add(booth)
    placements: list[Placement] = []
    free_tables: dict[int, Sequence[int]] = {}
    for index, slot in sorted(slots.items()):
        booth = problem.table_of(index)
        if booth is None:
            if slot not in free_tables:
                free_tables[slot] = [t for t in range(problem.tables) if t not in taken.get(slot, set())]
            remaining = free_tables[slot]
            booth, free_tables[slot] = remaining[0], remaining[1:]
        placements.append(Placement(index, slot, booth))
    return tuple(placements)
