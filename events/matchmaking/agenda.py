"""Each party's agenda of the published schedule: read on its page, and mailed to its members on publish.

The agenda is the event's meeting entries (`MeetingEntry`, not cancelled): what the last publish sent as calendar
entries, so an edit of the published run shows only once it is published again. Each meeting carries the
party's own check-in code (`checkin.code_of`) for the counterpart or the organiser to scan at the table.
"""

from __future__ import annotations

from collections.abc import Iterable

import segno

from events.mailing import site
from events.matchmaking import checkin
from events.matchmaking.grid import Slot, slots_of
from events.matchmaking.meeting_mail import locale_of, member_mail, members_of, when
from events.matchmaking.meeting_schemas import AgendaMeetingOut, AgendaOut, PartyOut
from events.matchmaking.models import Matchmaking, MeetingEntry, Party, ScheduleRun
from events.matchmaking.participants import party_outs
from events.models import Event
from notifications.outbox import Mail
from server.i18n import pick, translate
from server.models import Organisation
from server.settings import Locale

TEMPLATE = "meeting_agenda"


async def _held(matchmaking: Matchmaking, party_ids: Iterable[int]) -> dict[int, list[MeetingEntry]]:
    """The published, not cancelled meetings of each party, in time order."""
    wanted = set(party_ids)
    found: dict[int, list[MeetingEntry]] = {party_id: [] for party_id in wanted}
    for entry in await MeetingEntry.filter(matchmaking_id=matchmaking.id, cancelled=False).order_by("slot", "table"):
        for own in (entry.party_a_id, entry.party_b_id):
            if own in wanted:
                found[own].append(entry)
    return found


def other(entry: MeetingEntry, party_id: int) -> int:
    return entry.party_b_id if entry.party_a_id == party_id else entry.party_a_id


def outcome_of(entry: MeetingEntry, party_id: int) -> str | None:
    outcome = entry.outcome_a if entry.party_a_id == party_id else entry.outcome_b
    return outcome.value if outcome else None


async def agenda(party: Party) -> AgendaOut:
    """The party's published meetings in time order: times, table, the counterpart as others see it, whether the
    meeting was held, the party's recorded outcome and its own check-in code."""
    matchmaking = await Matchmaking.get(id=party.matchmaking_id)
    event = await Event.get(id=matchmaking.event_id)
    organisation = await Organisation.get(id=party.organisation_id)
    heading = AgendaOut(
        event_id=event.id,
        event_title={"zh": event.title_zh, "en": event.title_en},
        timezone=event.timezone,
        venue=event.venue,
        party_name={"zh": organisation.name_zh, "en": organisation.name_en},
        published=False,
        meetings=[],
    )
    if not await ScheduleRun.exists(matchmaking_id=matchmaking.id, published_at__not_isnull=True):
        return heading
    slots = slots_of(matchmaking)
    entries = [e for e in (await _held(matchmaking, [party.id]))[party.id] if _placed(e, slots, matchmaking)]
    shown = {out.id: out for out in await party_outs(await Party.filter(id__in={other(e, party.id) for e in entries}))}
    meetings = []
    for entry in entries:
        code = checkin.code_of(entry.id, party.id)
        meetings.append(
            AgendaMeetingOut(
                id=entry.id,
                slot=entry.slot,
                starts_at=slots[entry.slot].starts_at,
                ends_at=slots[entry.slot].ends_at,
                table=matchmaking.tables[entry.table],
                counterpart=shown[other(entry, party.id)],
                held=entry.held_at is not None,
                outcome=outcome_of(entry, party.id),
                check_in_code=code,
                check_in_svg=segno.make(code, error="m").svg_data_uri(scale=6, border=2),
            )
        )
    return heading.model_copy(update={"published": True, "meetings": meetings})


def _placed(entry: MeetingEntry, slots: list[Slot], matchmaking: Matchmaking) -> bool:
    """Whether the entry still fits the grid (a grid change never drops a published meeting's cell silently)."""
    return entry.slot < len(slots) and entry.table < len(matchmaking.tables)


def _line(
    entry: MeetingEntry, slots: list[Slot], tables: list[str], event: Event, counterpart: PartyOut, locale: Locale
) -> str:
    name = pick(counterpart.organisation_name, locale)
    titles = "; ".join(pick(e.title, locale) for e in counterpart.entries)
    who = translate("matchmaking.agenda.with_entries", locale, name=name, titles=titles) if titles else name
    return translate(
        "matchmaking.agenda.line", locale, when=when(slots[entry.slot], event), table=tables[entry.table], who=who
    )


async def mails(event: Event, matchmaking: Matchmaking, party_ids: Iterable[int], stamp: str) -> list[Mail]:
    """One mail per member of each party with all its published meetings (time in the event's zone, table,
    counterpart organisation and entries); `stamp` tells one publish's agenda from the next."""
    wanted = sorted(set(party_ids))
    if not wanted:
        return []
    organisation = await Organisation.get(id=event.organisation_id)
    held = await _held(matchmaking, wanted)
    slots = slots_of(matchmaking)
    counterparts = {other(e, p) for p in wanted for e in held[p]}
    shown = {out.id: out for out in await party_outs(await Party.filter(id__in=counterparts | set(wanted)))}
    found: list[Mail] = []
    for party_id, members in (await members_of(wanted)).items():
        entries = [e for e in held[party_id] if _placed(e, slots, matchmaking)]
        for registration in members:
            locale = locale_of(registration)
            lines = [_line(e, slots, matchmaking.tables, event, shown[other(e, party_id)], locale) for e in entries]
            context: dict[str, object] = {
                "party_name": pick(shown[party_id].organisation_name, locale),
                "agenda": "\n".join(lines) or translate("matchmaking.agenda.empty", locale),
                "agenda_url": f"{site().base_url}/matchmaking/agenda/{party_id}",
            }
            found.append(member_mail(TEMPLATE, registration, event, organisation, context, f"{party_id}:{stamp}"))
    return found
