"""The parties of a matchmaking event: a confirmed registrant's organisation joins as one party, colleagues
join that party and share its schedule.

One party per organisation and event is the unique (matchmaking, organisation); one party per registration the
unique registration of `PartyMember`: the checks before an insert only pick a clearer message, the constraints
decide a race. What other parties see (`party_out`) never carries a member's name or contact details.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.matchmaking.grid import matchmaking_of, slots_of
from events.matchmaking.meeting_schemas import OwnPartyOut, PartyEntryOut, PartyIn, PartyOut, PartyPatch
from events.matchmaking.models import Matchmaking, Party, PartyMember, PoolEntry
from events.matchmaking.pool import PUBLIC_STATES
from events.models import Event, Registration, RegistrationStatus
from server import audit
from server.accounts import require_role
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.models import Membership, Role, User


class NotConfirmed(Conflict):
    key = "error.matchmaking_not_confirmed"


class AlreadyInParty(Conflict):
    key = "error.matchmaking_already_in_party"


class PartyExists(Conflict):
    key = "error.matchmaking_party_exists"


class TableTaken(Conflict):
    key = "error.matchmaking_table_taken"


async def confirmed_registration(user: User, event_id: int) -> Registration:
    """The user's confirmed registration for the event (through their account); else `NotConfirmed`."""
    found = await Registration.get_or_none(event_id=event_id, user_id=user.id, status=RegistrationStatus.CONFIRMED)
    if found is None:
        raise NotConfirmed()
    return found


async def is_participant(user: User, event: Event) -> bool:
    """Organisers of the event's organisation, admins, and the event's confirmed registrants (by account)."""
    try:
        await require_role(user, event.organisation_id, Role.ORGANISER)
        return True
    except PermissionDenied:
        return await Registration.exists(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED)


async def party_of_member(user: User, party_id: int) -> Party:
    """The party, if the user is in it through a confirmed registration; else 404."""
    party = await Party.get_or_none(id=party_id)
    if party is None or not await PartyMember.exists(
        party_id=party.id, registration__user_id=user.id, registration__status=RegistrationStatus.CONFIRMED
    ):
        raise NotFound()
    return party


async def create_party(user: User, event: Event, data: PartyIn) -> Party:
    """The caller's organisation joins the event as a party, with the caller as its first member."""
    matchmaking = await matchmaking_of(event.id)
    registration = await confirmed_registration(user, event.id)
    if not await Membership.exists(user=user, organisation_id=data.organisation_id):
        raise PermissionDenied()
    unavailable = await _checked(matchmaking, data.organisation_id, data.entry_ids, data.unavailable) or []
    try:
        async with in_transaction():
            if await PartyMember.exists(registration_id=registration.seq):
                raise AlreadyInParty()
            if await Party.exists(matchmaking_id=matchmaking.id, organisation_id=data.organisation_id):
                raise PartyExists()
            party = await Party.create(
                matchmaking=matchmaking, organisation_id=data.organisation_id, side=data.side, unavailable=unavailable
            )
            await PartyMember.create(party=party, registration_id=registration.seq)
            await party.entries.add(*await PoolEntry.filter(id__in=data.entry_ids))
            after = data.model_dump(mode="json") | {"unavailable": unavailable}
            await audit.record(
                user, "matchmaking_party.create", party, organisation_id=data.organisation_id, after=after
            )
    except IntegrityError:
        raise PartyExists() from None  # a colleague's party (or the caller's other one) won the race
    return party


async def join_party(user: User, party: Party) -> Party:
    """A colleague (a member of the party's organisation with a confirmed registration) joins its schedule."""
    matchmaking = await Matchmaking.get(id=party.matchmaking_id)
    registration = await confirmed_registration(user, matchmaking.event_id)
    try:
        async with in_transaction():
            if await PartyMember.exists(registration_id=registration.seq):
                raise AlreadyInParty()
            member = await PartyMember.create(party=party, registration_id=registration.seq)
            await audit.record(
                user, "matchmaking_party.join", member, organisation_id=party.organisation_id, after={"party": party.id}
            )
    except IntegrityError:
        raise AlreadyInParty() from None
    return party


async def update_party(user: User, party: Party, patch: PartyPatch) -> Party:
    """Side, entries and unavailable slots, as its members change them."""
    matchmaking = await Matchmaking.get(id=party.matchmaking_id)
    changes = patch.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    unavailable = await _checked(matchmaking, party.organisation_id, patch.entry_ids, patch.unavailable)
    if unavailable is not None:
        changes["unavailable"] = unavailable
    async with in_transaction():
        locked = await Party.filter(id=party.id).select_for_update().get()
        before = {"side": locked.side.value, "unavailable": locked.unavailable}
        if patch.side is not None:
            locked.side = patch.side
        if "unavailable" in changes:
            locked.unavailable = changes["unavailable"]
        await locked.save(update_fields=["side", "unavailable"])
        if patch.entry_ids is not None:
            await locked.entries.clear()
            await locked.entries.add(*await PoolEntry.filter(id__in=patch.entry_ids))
        await audit.record(
            user,
            "matchmaking_party.update",
            locked,
            organisation_id=party.organisation_id,
            before=before,
            after=changes,
        )
    return locked


async def set_table(user: User, event: Event, party_id: int, table: int | None) -> Party:
    """The organiser gives a supplier its own table (or takes it away); one party per table."""
    matchmaking = await matchmaking_of(event.id)
    if table is not None and table >= len(matchmaking.tables):
        raise InvalidInput(errors=[(("body", "table"), "validation.unknown_table", {"count": len(matchmaking.tables)})])
    async with in_transaction():
        party = await Party.filter(id=party_id, matchmaking_id=matchmaking.id).select_for_update().first()
        if party is None:
            raise NotFound()
        if (
            table is not None
            and await Party.filter(matchmaking_id=matchmaking.id, fixed_table=table).exclude(id=party.id).exists()
        ):
            raise TableTaken(table=matchmaking.tables[table])
        before = party.fixed_table
        party.fixed_table = table
        await party.save(update_fields=["fixed_table"])
        await audit.record(
            user,
            "matchmaking_party.table",
            party,
            organisation_id=event.organisation_id,
            before={"table": before},
            after={"table": table},
        )
    return party


async def parties_of(matchmaking: Matchmaking) -> list[Party]:
    return await Party.filter(matchmaking_id=matchmaking.id).order_by("id")


async def party_outs(parties: Iterable[Party], *, own: int | None = None) -> list[PartyOut]:
    """The parties as anyone at the event sees them; the one with id `own` with its unavailable slots too."""
    listed = list(parties)
    await Party.fetch_for_list(listed, "organisation", "entries__domains")
    counts: dict[int, int] = {}
    for row in await PartyMember.filter(party_id__in=[p.id for p in listed]).values("party_id"):
        counts[row["party_id"]] = counts.get(row["party_id"], 0) + 1
    found: list[PartyOut] = []
    for party in listed:
        shown: dict[str, Any] = {
            "id": party.id,
            "organisation_id": party.organisation_id,
            "organisation_name": {"zh": party.organisation.name_zh, "en": party.organisation.name_en},
            "side": party.side,
            "entries": [
                PartyEntryOut(
                    id=entry.id,
                    kind=entry.kind.value,
                    title={"zh": entry.title_zh, "en": entry.title_en},
                    domains=sorted(d.code for d in entry.domains),
                )
                for entry in sorted(party.entries, key=lambda e: e.id)
            ],
            "fixed_table": party.fixed_table,
            "members": counts.get(party.id, 0),
        }
        found.append(OwnPartyOut(**shown, unavailable=party.unavailable) if party.id == own else PartyOut(**shown))
    return found


async def _checked(
    matchmaking: Matchmaking, organisation_id: int, entry_ids: list[int] | None, unavailable: list[int] | None
) -> list[int] | None:
    """The unavailable slots, sorted and once each, after checking them and the entries a party brings (its
    organisation's own, published or matched); every problem in one answer."""
    errors: list[tuple[tuple[str | int, ...], str, dict[str, Any]]] = []
    if entry_ids:
        own = PoolEntry.filter(id__in=entry_ids, organisation_id=organisation_id, state__in=list(PUBLIC_STATES))
        valid = {entry.id for entry in await own.only("id")}
        errors += [
            (("body", "entry_ids", index), "validation.entry_not_own_published", {})
            for index, entry_id in enumerate(entry_ids)
            if entry_id not in valid
        ]
    count = len(slots_of(matchmaking))
    errors += [
        (("body", "unavailable", index), "validation.unknown_slot", {"count": count})
        for index, number in enumerate(unavailable or ())
        if number >= count
    ]
    if errors:
        raise InvalidInput(errors=errors)
    return None if unavailable is None else sorted(set(unavailable))
