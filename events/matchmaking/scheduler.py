"""The matchmaking scheduler: CP-SAT over Boolean meeting-at-slot variables, solved lexicographically.

Stages, most important first, each one's optimum kept as a constraint for the next:
  1. held meetings: every must-meet that can be held, then the most preference weight (one weighted sum:
     a must-meet is worth more than all want-meetings together, so the sum orders exactly as the pair does);
     skipped when `schedule_all`, where every meeting is a hard constraint instead;
  2. fewest breaks (a break is a maximal idle run between two meetings of a party within one session);
     with `schedule_all`, fairness (max - min breaks <= d) is hard here, as in JAIR 2022;
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
# solvers of JAIR 2022) beside the LP-based one: on the B2B instances it proves optima that the default pair (LP
# search plus interleaved LNS) does not reach in time. Events with optional meetings keep the default pair: on the
# generated 300-party event, core search found no schedule in its stage while the default one improved at once.
CORE_SUBSOLVERS = ("core", "default_lp")


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
    """
    if not problem.schedule_all or len(problem.break_windows()) > 1:
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
    return runs - 1


class _Infeasible(Exception):
    """Search proved that no schedule keeps the hard constraints."""


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
        self.firsts: list[cp_model.IntVar] = []
        self.held = [
            sum(self.at.get((index, s), 0) for s in range(problem.slots)) for index in range(len(problem.meetings))
        ]
        self._capacity()
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
        problem, model = self.problem, self.model
        for earlier, later in problem.precedences:
            slot_of = {m: sum(s * self.at[m, s] for s in problem.allowed_slots(m)) for m in (earlier, later)}
            if problem.schedule_all:
                model.add(slot_of[earlier] + 1 <= slot_of[later])
                continue
            # Only binds when both are held: a later meeting at slot s excludes the earlier one at >= s.
            for slot in problem.allowed_slots(later):
                for clash in problem.allowed_slots(earlier):
                    if clash >= slot:
                        model.add_bool_or([self.at[later, slot].Not(), self.at[earlier, clash].Not()])

    def _breaks(self) -> list[cp_model.LinearExprT]:
        """Per party: breaks = (runs of busy slots) - (windows with a meeting), window by window."""
        problem, model = self.problem, self.model
        per_party: list[cp_model.LinearExprT] = []
        for party, own in enumerate(problem.meetings_of()):
            runs: list[cp_model.IntVar] = []
            windows_used: list[cp_model.IntVar] = []
            gaps_possible = 0
            for window in problem.break_windows():
                previous: cp_model.IntVar | None = None
                busy_in_window: list[cp_model.IntVar] = []
                for slot in window:
                    options = [self.at[m, slot] for m in own if (m, slot) in self.at]
                    if not options:
                        previous = None
                        continue
                    busy = model.new_bool_var(f"p{party}s{slot}")
                    self.busy[party, slot] = busy
                    model.add(busy == cp_model.LinearExpr.sum(options))  # at most one meeting per party and slot
                    if previous is None:
                        runs.append(busy)
                    else:
                        run_starts = model.new_bool_var(f"p{party}r{slot}")
                        model.add(run_starts >= busy - previous)
                        model.add(run_starts <= busy)
                        model.add(run_starts + previous <= 1)
                        runs.append(run_starts)
                    busy_in_window.append(busy)
                    previous = busy
                gaps_possible += max(0, (len(window) - 1) // 2)
                if busy_in_window:
                    used = model.new_bool_var(f"p{party}w{window.start}")
                    model.add_max_equality(used, busy_in_window)
                    windows_used.append(used)
            if not runs:
                per_party.append(0)
                continue
            # Implied bounds: k meetings and g gaps need k + g slots and g <= k - 1, so a window of w slots
            # holds at most (w - 1) // 2 gaps; with every meeting held, k is known and g <= slots - k.
            most = max(0, min(len(own) - 1, gaps_possible))
            least = _fewest_breaks(problem, own)
            if problem.schedule_all:
                most = max(0, min(most, problem.slots - len(own)))
            breaks = model.new_int_var(least, max(least, most), f"p{party}breaks")
            model.add(breaks == cp_model.LinearExpr.sum(runs) - cp_model.LinearExpr.sum(windows_used))
            if problem.schedule_all:
                model.add(cp_model.LinearExpr.sum(windows_used) >= 1)
                if len(problem.break_windows()) == 1 and len(own) <= problem.slots:
                    self._span(party, len(own), breaks)
            per_party.append(breaks)
        return per_party

    def _span(self, party: int, meetings: int, breaks: cp_model.IntVar) -> None:
        """Implied: the span from a party's first to last meeting holds its meetings plus idle slots, at least
        one per break, and any idle slot in it means a break. With no break the span is exactly its meetings."""
        model, slots = self.model, self.problem.slots
        first, last = (
            model.new_int_var(0, slots - 1, f"p{party}first"),
            model.new_int_var(0, slots - 1, f"p{party}last"),
        )
        for slot in range(slots):
            busy = self.busy.get((party, slot))
            if busy is not None:
                model.add(first <= slot).only_enforce_if(busy)
                model.add(last >= slot).only_enforce_if(busy)
        self.firsts.append(first)
        idle = model.new_int_var(0, slots - meetings, f"p{party}idle")
        model.add(idle == last - first + 1 - meetings)
        model.add(breaks <= idle)
        model.add(idle <= (slots - meetings) * breaks)

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
            solver = _solver(time_limit, core=False)
            status = solver.solve(completion)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return _values(self.model, solver)
            if repair and status == cp_model.INFEASIBLE:
                raise _Infeasible
        return None


def _solver(time_limit: float, core: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    if core:
        solver.parameters.subsolvers.extend(CORE_SUBSOLVERS)
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
    for position, (name, goal, maximise) in enumerate(goals):
        # the time left is shared equally among the stages left (a stage proved early hands its time on)
        solver = _solver(remaining() / (len(goals) - position), core=problem.schedule_all)
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
