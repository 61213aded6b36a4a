"""What a matchmaking schedule must respect, and a checker that recomputes a schedule's objective from scratch.

Parties, slots and tables are numbered from 0. A schedule places a meeting at one slot and one table; the
checker here is the single statement of the hard rules, used by the tests and by anyone editing a schedule
by hand, independently of how the solver encodes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Priority(StrEnum):
    MUST = "must"
    WANT = "want"


class InvalidProblem(ValueError):
    """The problem description itself is inconsistent (a party, slot, session or table out of range)."""


@dataclass(frozen=True)
class Session:
    """A half-day: the consecutive slots first..last (inclusive). Breaks are counted within a session."""

    first: int
    last: int

    def slots(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class Meeting:
    first: int
    second: int
    priority: Priority = Priority.WANT
    weight: int = 1
    session: int | None = None  # index into Problem.sessions; None: any session
    fixed_slot: int | None = None

    def parties(self) -> tuple[int, int]:
        return (self.first, self.second)


@dataclass(frozen=True)
class Problem:
    """A 对接会: `schedule_all` makes every meeting mandatory (the JAIR 2022 benchmark model)."""

    parties: int
    slots: int
    tables: int
    meetings: tuple[Meeting, ...]
    sessions: tuple[Session, ...] = ()
    unavailable: Mapping[int, frozenset[int]] = field(default_factory=dict)
    fixed_tables: Mapping[int, int] = field(default_factory=dict)
    precedences: tuple[tuple[int, int], ...] = ()  # (earlier meeting, later meeting), when both are held
    schedule_all: bool = False
    breaks_across_sessions: bool = False  # True: an idle run spanning the session boundary is a break too
    caps: Mapping[int, int] = field(default_factory=dict)  # party -> most meetings it may have

    def __post_init__(self) -> None:
        if self.parties < 0 or self.slots < 1 or self.tables < 1:
            raise InvalidProblem("a problem needs at least one slot and one table")
        for session in self.sessions:
            if not 0 <= session.first <= session.last < self.slots:
                raise InvalidProblem(f"session {session} lies outside slots 0..{self.slots - 1}")
        for index, meeting in enumerate(self.meetings):
            if meeting.first == meeting.second or not all(0 <= p < self.parties for p in meeting.parties()):
                raise InvalidProblem(f"meeting {index} needs two different parties in 0..{self.parties - 1}")
            if meeting.session is not None and not 0 <= meeting.session < len(self.sessions):
                raise InvalidProblem(f"meeting {index} names session {meeting.session}, which does not exist")
            if meeting.fixed_slot is not None and not 0 <= meeting.fixed_slot < self.slots:
                raise InvalidProblem(f"meeting {index} is fixed to slot {meeting.fixed_slot}, which does not exist")
            if meeting.weight < 1:
                raise InvalidProblem(f"meeting {index} has weight {meeting.weight}; weights start at 1")
        for party, table in self.fixed_tables.items():
            if not 0 <= party < self.parties or not 0 <= table < self.tables:
                raise InvalidProblem(f"party {party} cannot own table {table}")
        for party, cap in self.caps.items():
            if not 0 <= party < self.parties or cap < 0:
                raise InvalidProblem(f"party {party} cannot have a cap of {cap}")
        for earlier, later in self.precedences:
            if not (0 <= earlier < len(self.meetings) and 0 <= later < len(self.meetings)) or earlier == later:
                raise InvalidProblem(f"precedence {earlier} -> {later} names a meeting that does not exist")

    def break_windows(self) -> tuple[range, ...]:
        """The slot ranges within which idle gaps count as breaks: each session, or the whole day."""
        if self.breaks_across_sessions or not self.sessions:
            return (range(self.slots),)
        return tuple(session.slots() for session in self.sessions)

    def allowed_slots(self, index: int) -> list[int]:
        """Slots meeting `index` may take: its session, both parties available, its fixed slot if any."""
        meeting = self.meetings[index]
        window = range(self.slots) if meeting.session is None else self.sessions[meeting.session].slots()
        blocked = self.unavailable.get(meeting.first, frozenset()) | self.unavailable.get(meeting.second, frozenset())
        candidates = [meeting.fixed_slot] if meeting.fixed_slot is not None else list(window)
        return [slot for slot in candidates if slot in window and slot not in blocked]

    def table_of(self, index: int) -> int | None:
        """The booth a meeting is held at: the first party's fixed table, else the second's, else any table."""
        meeting = self.meetings[index]
        for party in meeting.parties():
            if party in self.fixed_tables:
                return self.fixed_tables[party]
        return None

    def meetings_of(self) -> list[list[int]]:
        by_party: list[list[int]] = [[] for _ in range(self.parties)]
        for index, meeting in enumerate(self.meetings):
            for party in meeting.parties():
                by_party[party].append(index)
        return by_party


@dataclass(frozen=True)
class Placement:
    meeting: int
    slot: int
    table: int


@dataclass(frozen=True)
class Objective:
    """The lexicographic objective, most important first; `spread` is max minus min breaks over all parties."""

    must_placed: int
    weighted_placed: int
    breaks: int
    spread: int


def count_breaks(busy: Iterable[int], windows: tuple[range, ...]) -> int:
    """Maximal runs of idle slots between two busy slots of the same window."""
    busy_slots = set(busy)
    breaks = 0
    for window in windows:
        held = [slot for slot in window if slot in busy_slots]
        breaks += sum(1 for before, after in zip(held, held[1:], strict=False) if after > before + 1)
    return breaks


def breaks_per_party(problem: Problem, placements: Iterable[Placement]) -> list[int]:
    busy: dict[int, list[int]] = defaultdict(list)
    for placement in placements:
        for party in problem.meetings[placement.meeting].parties():
            busy[party].append(placement.slot)
    windows = problem.break_windows()
    return [count_breaks(busy[party], windows) for party in range(problem.parties)]


def evaluate(problem: Problem, placements: Iterable[Placement]) -> Objective:
    placed = list(placements)
    breaks = breaks_per_party(problem, placed)
    meetings = [problem.meetings[p.meeting] for p in placed]
    return Objective(
        must_placed=sum(1 for m in meetings if m.priority is Priority.MUST),
        weighted_placed=sum(m.weight for m in meetings),
        breaks=sum(breaks),
        spread=max(breaks, default=0) - min(breaks, default=0),
    )


def violations(problem: Problem, placements: Iterable[Placement]) -> list[str]:
    """Every hard rule the placements break, in words; empty for a valid schedule."""
    placed = list(placements)
    found: list[str] = []
    slot_of: dict[int, int] = {}
    party_slots: set[tuple[int, int]] = set()
    table_slots: set[tuple[int, int]] = set()
    for placement in placed:
        index, slot, table = placement.meeting, placement.slot, placement.table
        if index in slot_of:
            found.append(f"meeting {index} is placed twice")
        slot_of[index] = slot
        if slot not in problem.allowed_slots(index):
            found.append(f"meeting {index} at slot {slot} is outside its session, availability or fixed slot")
        if not 0 <= table < problem.tables:
            found.append(f"meeting {index} at table {table}, which does not exist")
        booth = problem.table_of(index)
        if booth is not None and table != booth:
            found.append(f"meeting {index} belongs at table {booth}, not {table}")
        if (slot, table) in table_slots:
            found.append(f"table {table} holds two meetings in slot {slot}")
        table_slots.add((slot, table))
        for party in problem.meetings[index].parties():
            if (party, slot) in party_slots:
                found.append(f"party {party} has two meetings in slot {slot}")
            party_slots.add((party, slot))
    for index, meeting in enumerate(problem.meetings):
        if index not in slot_of and (problem.schedule_all or meeting.fixed_slot is not None):
            found.append(f"meeting {index} must be held but is not placed")
    for party, cap in problem.caps.items():
        held = sum(1 for placement in placed if party in problem.meetings[placement.meeting].parties())
        if held > cap:
            found.append(f"party {party} has {held} meetings, more than its cap of {cap}")
    for earlier, later in problem.precedences:
        if earlier in slot_of and later in slot_of and not slot_of[earlier] < slot_of[later]:
            found.append(f"meeting {earlier} must come before meeting {later}")
    return found
