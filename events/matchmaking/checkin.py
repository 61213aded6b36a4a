"""Meeting check-in at the table, and each party's outcome of a held meeting.

Each party of a published meeting has its own signed code (`QM.<meeting>.<party>.<mac>`, an HMAC under the
server key; shown as a QR on its agenda page). The counterpart scans it on its own agenda page, or an organiser
scans it, or an organiser ticks the meeting: each marks the meeting held, once (`held_at` set by a guarded
UPDATE; a repeat answers the same). A code of another event, of a meeting the scanning party is not the
counterpart of, or with a wrong signature, is refused.
"""

from __future__ import annotations

import hmac

from tortoise.transactions import in_transaction

from events.mailing import site
from events.matchmaking.models import Matchmaking, MeetingEntry, Outcome, Party
from server import audit
from server.auth import sign
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.models import User

PREFIX = "QM"
_MAC_LENGTH = 16


class MeetingNotHeld(Conflict):
    key = "error.matchmaking_meeting_not_held"


def code_of(meeting_id: int, party_id: int) -> str:
    """The party's code for the meeting, signed under the server key (the mails' `site().secret`)."""
    return f"{PREFIX}.{meeting_id}.{party_id}.{_mac(meeting_id, party_id)}"


def _mac(meeting_id: int, party_id: int) -> str:
    return sign(site().secret, f"meeting-checkin:{meeting_id}:{party_id}")[:_MAC_LENGTH]


def _bad_code() -> InvalidInput:
    return InvalidInput(errors=[(("body", "code"), "validation.matchmaking_bad_code")])


async def entry_of_code(matchmaking: Matchmaking, code: str) -> tuple[MeetingEntry, int]:
    """The published meeting a code names at this event, and the party whose code it is; 422 on `code` for a
    forged code, one of another event, or of a cancelled meeting."""
    parts = code.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1].isdigit() or not parts[2].isdigit():
        raise _bad_code()
    meeting_id, party_id = int(parts[1]), int(parts[2])
    if not hmac.compare_digest(parts[3].encode(), _mac(meeting_id, party_id).encode()):
        raise _bad_code()
    entry = await MeetingEntry.get_or_none(id=meeting_id, matchmaking_id=matchmaking.id, cancelled=False)
    if entry is None or party_id not in (entry.party_a_id, entry.party_b_id):
        raise _bad_code()
    return entry, party_id


async def published_entry(matchmaking: Matchmaking, meeting_id: int) -> MeetingEntry:
    entry = await MeetingEntry.get_or_none(id=meeting_id, matchmaking_id=matchmaking.id, cancelled=False)
    if entry is None:
        raise NotFound()
    return entry


async def mark_held(user: User, entry: MeetingEntry, how: str, organisation_id: int) -> MeetingEntry:
    """Mark the meeting held (idempotent: the first check-in's time stays)."""
    async with in_transaction():
        if await MeetingEntry.filter(id=entry.id, held_at__isnull=True).update(held_at=utcnow()):
            await audit.record(
                user, "matchmaking_meeting.check_in", entry, organisation_id=organisation_id, after={"by": how}
            )
    await entry.refresh_from_db()
    return entry


async def scan_by_counterpart(user: User, party: Party, code: str) -> MeetingEntry:
    """The party scans the code its counterpart shows: the code must be the other party's of one of its meetings."""
    matchmaking = await Matchmaking.get(id=party.matchmaking_id)
    entry, owner = await entry_of_code(matchmaking, code)
    if owner == party.id or party.id not in (entry.party_a_id, entry.party_b_id):
        raise _bad_code()
    return await mark_held(user, entry, "counterpart", party.organisation_id)


async def record_outcome(user: User, party: Party, meeting_id: int, outcome: Outcome) -> MeetingEntry:
    """The party's outcome of one of its held meetings (again to change it); 404 for another party's meeting,
    409 for one not checked in."""
    entry = await MeetingEntry.get_or_none(id=meeting_id, matchmaking_id=party.matchmaking_id, cancelled=False)
    if entry is None or party.id not in (entry.party_a_id, entry.party_b_id):
        raise NotFound()
    if entry.held_at is None:
        raise MeetingNotHeld()
    column = "outcome_a" if entry.party_a_id == party.id else "outcome_b"
    before = getattr(entry, column)
    setattr(entry, column, outcome)
    async with in_transaction():
        await entry.save(update_fields=[column])
        await audit.record(
            user,
            "matchmaking_meeting.outcome",
            entry,
            organisation_id=party.organisation_id,
            before={"outcome": before.value if before else None},
            after={"outcome": outcome.value, "party": party.id},
        )
    return entry
