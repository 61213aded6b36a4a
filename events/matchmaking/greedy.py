"""A greedy first schedule, given to CP-SAT as its solution hint.

Fixed meetings first, then must-meets, then by weight and by how busy the two parties are; each goes to the
allowed slot that keeps its parties' days most compact (next to a meeting they already have), earliest first.
It keeps every hard rule it can see locally but may leave meetings out; the solver does the rest.
"""

from __future__ import annotations

from events.matchmaking.problem import Priority, Problem


def greedy_slots(problem: Problem) -> dict[int, int]:
    """Meeting index -> slot for the meetings the greedy pass could place."""
    by_party = problem.meetings_of()
    busy: set[tuple[int, int]] = set()
    booths_taken: set[tuple[int, int]] = set()
    per_slot = [0] * problem.slots
    placed: dict[int, int] = {}
    held = [0] * problem.parties
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    for earlier, later in problem.precedences:
        after.setdefault(earlier, []).append(later)
        before.setdefault(later, []).append(earlier)

    def rank(index: int) -> tuple[bool, bool, int, int]:
        meeting = problem.meetings[index]
        load = sum(len(by_party[party]) for party in meeting.parties())
        return (meeting.fixed_slot is None, meeting.priority is not Priority.MUST, -meeting.weight, -load)

    for index in sorted(range(len(problem.meetings)), key=rank):
        meeting = problem.meetings[index]
        booth = problem.table_of(index)
        if any(held[party] >= problem.caps.get(party, problem.slots) for party in meeting.parties()):
            continue
        candidates = [
            slot
            for slot in problem.allowed_slots(index)
            if per_slot[slot] < problem.tables
            and all((party, slot) not in busy for party in meeting.parties())
            and (booth is None or (booth, slot) not in booths_taken)
            and all(placed.get(m, -1) < slot for m in before.get(index, ()))
            and all(placed.get(m, problem.slots) > slot for m in after.get(index, ()))
        ]
        if not candidates:
            continue

        def compactness(slot: int, parties: tuple[int, int] = meeting.parties()) -> tuple[int, int]:
            neighbours = sum((party, slot + step) in busy for party in parties for step in (-1, 1))
            return (-neighbours, slot)

        slot = min(candidates, key=compactness)
        placed[index] = slot
        per_slot[slot] += 1
        busy.update((party, slot) for party in meeting.parties())
        for party in meeting.parties():
            held[party] += 1
        if booth is not None:
            booths_taken.add((booth, slot))
    return placed
