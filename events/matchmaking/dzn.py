"""Reads the B2B benchmark instances (MiniZinc .dzn data of Bofill et al., JAIR 2022) into a Problem.

Only the fields the model needs are read; `meetingsxBusiness` and `nMeetingsBusiness` are derived data.
Slots and parties become 0-based; `requested` sessions are 1 = morning, 2 = afternoon, 3 = either.
JAIR counts breaks over the whole day, so the two sessions constrain meetings but are one break window.
"""

from __future__ import annotations

import re
from pathlib import Path

from events.matchmaking.problem import Meeting, Problem, Session

_FIELD = re.compile(r"(\w+)\s*=\s*(.*?);", re.DOTALL)


def _scalar(fields: dict[str, str], name: str) -> int:
    return int(fields[name])


def _numbers(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", text)]


def _sets(text: str) -> list[list[int]]:
    return [_numbers(body) for body in re.findall(r"\{([^}]*)\}", text)]


def parse_dzn(text: str) -> Problem:
    fields = {name: value for name, value in _FIELD.findall(re.sub(r"%[^\n]*", "", text))}
    parties, meetings_count = _scalar(fields, "nBusiness"), _scalar(fields, "nMeetings")
    slots, morning = _scalar(fields, "nTotalSlots"), _scalar(fields, "nMorningSlots")
    requested = _numbers(fields["requested"])
    if len(requested) != 3 * meetings_count:
        raise ValueError(f"requested lists {len(requested) // 3} meetings, nMeetings says {meetings_count}")
    split = 0 < morning < slots
    fixed = _numbers(fields["fixed"]) if "fixed" in fields else [0] * meetings_count
    meetings = tuple(
        Meeting(
            first=requested[3 * index] - 1,
            second=requested[3 * index + 1] - 1,
            session=requested[3 * index + 2] - 1 if split and requested[3 * index + 2] in (1, 2) else None,
            fixed_slot=fixed[index] - 1 if fixed[index] else None,
        )
        for index in range(meetings_count)
    )
    forbidden = _sets(fields["forbidden"]) if "forbidden" in fields else []
    precedences = _sets(fields["precedences"]) if "precedences" in fields else []
    return Problem(
        parties=parties,
        slots=slots,
        tables=_scalar(fields, "nTables"),
        meetings=meetings,
        sessions=(Session(0, morning - 1), Session(morning, slots - 1)) if split else (),
        unavailable={
            party: frozenset(slot - 1 for slot in slot_list if slot > 0)
            for party, slot_list in enumerate(forbidden)
            if any(slot > 0 for slot in slot_list)
        },
        precedences=tuple((earlier - 1, later) for later, befores in enumerate(precedences) for earlier in befores),
        schedule_all=True,
        breaks_across_sessions=True,
    )


def read_dzn(path: Path) -> Problem:
    return parse_dzn(path.read_text(encoding="utf-8"))
