"""The resource pool's services: writing entries, the one state transition, who may see and edit what.

Members of the owner organisation write an entry while it is a draft (a curator returning a submitted entry
makes it a draft again); curators (admins, and organisers of the bureau or an organiser organisation) publish.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from tortoise.transactions import in_transaction

from events.matchmaking import search
from events.matchmaking.models import EntryKind, EntryState, PoolEntry
from events.matchmaking.schemas import (
    AnyEntryOut,
    ContactOut,
    EntryIn,
    EntryOut,
    EntryPatch,
    EntryWithContactOut,
    PoolQuery,
)
from server import audit
from server.accounts import require_role
from server.api import Page, PageQuery, paginate
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied, from_validation
from server.i18n import Label
from server.markdown import render
from server.models import Domain, Membership, Organisation, OrganisationKind, Region, Role, User


class Side(StrEnum):
    OWNER = "owner"  # a member of the entry's organisation
    CURATOR = "curator"


OWNER, CURATOR = frozenset({Side.OWNER}), frozenset({Side.CURATOR})
EITHER = OWNER | CURATOR
# Who may move an entry from one state to another; every pair not listed is refused.
TRANSITIONS: dict[EntryState, dict[EntryState, frozenset[Side]]] = {
    EntryState.DRAFT: {EntryState.SUBMITTED: OWNER, EntryState.CLOSED: OWNER},
    EntryState.SUBMITTED: {EntryState.PUBLISHED: CURATOR, EntryState.DRAFT: EITHER, EntryState.CLOSED: EITHER},
    EntryState.PUBLISHED: {EntryState.MATCHED: EITHER, EntryState.CLOSED: EITHER},
    EntryState.MATCHED: {EntryState.CLOSED: EITHER},
    EntryState.CLOSED: {},
}
PUBLIC_STATES = frozenset({EntryState.PUBLISHED, EntryState.MATCHED})
CURATING_KINDS = frozenset({OrganisationKind.BUREAU, OrganisationKind.ORGANISER})
# Fields only one kind of entry has; the other kind must leave them empty.
NEED_ONLY = ("expected_timing", "budget_band")
SOLUTION_ONLY = ("maturity", "reference_cases")


class EntryTransitionForbidden(Conflict):
    key = "error.pool_transition_forbidden"


class EntryNotEditable(Conflict):
    key = "error.pool_not_editable"


async def sides(user: User, entry: PoolEntry) -> frozenset[Side]:
    """The capacities in which `user` acts on `entry`."""
    found: set[Side] = set()
    if await Membership.exists(user=user, organisation_id=entry.organisation_id):
        found.add(Side.OWNER)
    if user.is_admin or await Membership.exists(
        user=user, role=Role.ORGANISER, organisation__kind__in=list(CURATING_KINDS)
    ):
        found.add(Side.CURATOR)
    return frozenset(found)


async def transition(
    entry: PoolEntry, to: EntryState, *, actor: User, acting_as: frozenset[Side], reason: str = ""
) -> None:
    """The only place a pool entry changes state: checks the move against `TRANSITIONS` and who makes it, and
    writes the audit entry. Runs inside the caller's transaction, with the entry row locked by the caller."""
    before = entry.state
    allowed = TRANSITIONS[before].get(to)
    if allowed is None:
        raise EntryTransitionForbidden(before=Label(f"pool_state.{before.value}"), to=Label(f"pool_state.{to.value}"))
    if not allowed & acting_as:
        raise PermissionDenied()
    entry.state = to
    if to is EntryState.PUBLISHED:
        entry.published_at = utcnow()
    await entry.save(update_fields=["state", "published_at", "updated_at"])
    await audit.record(
        actor,
        f"pool_entry.{to.value}",
        entry,
        organisation_id=entry.organisation_id,
        before={"state": before.value},
        after={"state": to.value, "reason": reason},
    )


async def move(user: User, entry_id: int, to: EntryState, *, reason: str = "") -> PoolEntry:
    """Move an entry to another state as `user` (a member of its organisation, or a curator)."""
    async with in_transaction():
        entry = await _locked(entry_id)
        acting_as = await sides(user, entry)
        if not acting_as:
            raise NotFound()
        await transition(entry, to, actor=user, acting_as=acting_as, reason=reason)
    return await entry_for(entry.id)


async def create_entry(user: User, data: EntryIn) -> PoolEntry:
    """A draft need or solution of an organisation the user is a member of."""
    organisation = await Organisation.get_or_none(id=data.organisation_id)
    if organisation is None:
        raise InvalidInput(errors=[(("body", "organisation_id"), "validation.unknown_organisation")])
    await require_role(user, organisation.id, *Role)
    region, domains = await _checked(data)
    async with in_transaction():
        entry = await PoolEntry.create(organisation=organisation, kind=data.kind, **_columns(data, region))
        await entry.domains.add(*domains)
        await search.index(entry)
        await audit.record(user, "pool_entry.create", entry, organisation_id=organisation.id, after=_audited(data))
    return await entry_for(entry.id)


async def update_entry(user: User, entry_id: int, patch: EntryPatch) -> PoolEntry:
    """Change a draft: the patch merged into the entry is validated as a whole, and the search terms rewritten."""
    async with in_transaction():
        entry = await _locked(entry_id)
        acting_as = await sides(user, entry)
        if Side.OWNER not in acting_as:
            raise PermissionDenied() if acting_as else NotFound()
        if entry.state is not EntryState.DRAFT:
            raise EntryNotEditable(state=Label(f"pool_state.{entry.state.value}"))
        current = await current_fields(entry)
        try:
            data = EntryIn.model_validate({**current, **patch.model_dump(mode="json", exclude_unset=True)})
        except ValidationError as error:
            raise from_validation(error, "body") from None
        region, domains = await _checked(data)
        await PoolEntry.filter(id=entry.id).update(**_columns(data, region), updated_at=utcnow())
        await entry.domains.clear()
        await entry.domains.add(*domains)
        await entry.refresh_from_db()
        await search.index(entry)
        await audit.record(
            user,
            "pool_entry.update",
            entry,
            organisation_id=entry.organisation_id,
            before={name: value for name, value in current.items() if name not in ("organisation_id", "kind")},
            after=_audited(data),
        )
    return await entry_for(entry.id)


async def visible_entry(entry_id: int, user: User | None) -> PoolEntry:
    """A published or matched entry for anyone; any other only for its organisation's members and curators."""
    entry = await entry_for(entry_id)
    if entry.state not in PUBLIC_STATES and (user is None or not await sides(user, entry)):
        raise NotFound()
    return entry


async def published_need(entry_id: int) -> PoolEntry | None:
    """A need of the pool that is published, so open to answers: what a 揭榜挂帅 challenge may be set from."""
    return await PoolEntry.get_or_none(id=entry_id, kind=EntryKind.NEED, state=EntryState.PUBLISHED)


async def browse(query: PoolQuery, user: User | None) -> Page[AnyEntryOut]:
    """One page of the published pool: ranked by the text when there is one, filtered by kind, domain, region."""
    hits = await search.search(
        query.q, kind=query.kind, domain=query.domain, region=query.region, page=query.page, per_page=query.per_page
    )
    items = [entry_out(entry, user) for entry in hits.entries]
    return Page[AnyEntryOut](items=items, total=hits.total, page=query.page, per_page=query.per_page)


async def organisation_entries(organisation_id: int, query: PageQuery, user: User) -> Page[AnyEntryOut]:
    """Every entry of one organisation in any state, most recently changed first: its members' editor list."""
    rows = PoolEntry.filter(organisation_id=organisation_id).order_by("-updated_at", "-id")
    found, total = await paginate(rows, query)
    items = [entry_out(entry, user) for entry in await search.load([e.id for e in found])]
    return Page[AnyEntryOut](items=items, total=total, page=query.page, per_page=query.per_page)


async def entry_for(entry_id: int) -> PoolEntry:
    entry = (
        await PoolEntry.get_or_none(id=entry_id).select_related("organisation", "region").prefetch_related("domains")
    )
    if entry is None:
        raise NotFound()
    return entry


def entry_out(entry: PoolEntry, user: User | None) -> EntryOut:
    """The entry as `user` may see it: contact details for signed-in users only. `entry` comes from `entry_for`
    or a search (organisation, region and domains loaded)."""
    public: dict[str, Any] = {
        "id": entry.id,
        "organisation_id": entry.organisation_id,
        "organisation_name": {"zh": entry.organisation.name_zh, "en": entry.organisation.name_en},
        "kind": entry.kind,
        "state": entry.state,
        "title": {"zh": entry.title_zh, "en": entry.title_en},
        "description": entry.description_md,
        "description_html": entry.description_html,
        "domains": sorted(d.code for d in entry.domains),
        "region": entry.region.code if entry.region else None,
        "expected_timing": entry.expected_timing,
        "budget_band": entry.budget_band,
        "maturity": entry.maturity,
        "reference_cases": entry.reference_cases,
        "published_at": entry.published_at,
        "updated_at": entry.updated_at,
    }
    if user is None:
        return EntryOut(**public)
    contact = ContactOut(name=entry.contact_name, phone=entry.contact_phone, email=entry.contact_email)
    return EntryWithContactOut(**public, contact=contact)


async def current_fields(entry: PoolEntry) -> dict[str, Any]:
    """The entry as the request body that would write it: the base a patch is merged into."""
    await entry.fetch_related("domains", "region")
    return {
        "organisation_id": entry.organisation_id,
        "kind": entry.kind.value,
        "title": {"zh": entry.title_zh, "en": entry.title_en},
        "description": entry.description_md,
        "domains": sorted(d.code for d in entry.domains),
        "region": entry.region.code if entry.region else None,
        "expected_timing": entry.expected_timing,
        "budget_band": entry.budget_band.value if entry.budget_band else None,
        "maturity": entry.maturity.value if entry.maturity else None,
        "reference_cases": list(entry.reference_cases),
        "contact": {"name": entry.contact_name, "phone": entry.contact_phone, "email": entry.contact_email},
    }


async def _locked(entry_id: int) -> PoolEntry:
    entry = await PoolEntry.filter(id=entry_id).select_for_update(no_key=True).first()
    if entry is None:
        raise NotFound()
    return entry


async def _checked(data: EntryIn) -> tuple[Region | None, list[Domain]]:
    """The region and domains the codes name, and the fields the entry's kind requires or forbids; every problem
    in one answer."""
    errors: list[tuple[tuple[str | int, ...], str, dict[str, Any]]] = []
    kind = Label(f"pool_kind.{data.kind.value}")
    required = ("region", "expected_timing") if data.kind is EntryKind.NEED else ("maturity",)
    forbidden = SOLUTION_ONLY if data.kind is EntryKind.NEED else NEED_ONLY
    errors += [
        (("body", name), "validation.required_for_kind", {"kind": kind}) for name in required if not getattr(data, name)
    ]
    errors += [(("body", name), "validation.not_for_kind", {"kind": kind}) for name in forbidden if getattr(data, name)]
    region = None
    if data.region is not None:
        region = await Region.get_or_none(code=data.region)
        if region is None:
            errors.append((("body", "region"), "validation.unknown_region", {}))
    domains = await Domain.filter(code__in=data.domains)
    unknown = sorted(set(data.domains) - {d.code for d in domains})
    if unknown:
        errors.append((("body", "domains"), "validation.unknown_tag", {"codes": ", ".join(unknown)}))
    if errors:
        raise InvalidInput(errors=errors)
    return region, domains


def _columns(data: EntryIn, region: Region | None) -> dict[str, Any]:
    return {
        "title_zh": data.title.zh,
        "title_en": data.title.en,
        "description_md": data.description,
        "description_html": render(data.description),
        "region_id": region.id if region else None,
        "expected_timing": data.expected_timing,
        "budget_band": data.budget_band,
        "maturity": data.maturity,
        "reference_cases": data.reference_cases,
        "contact_name": data.contact.name,
        "contact_phone": data.contact.phone,
        "contact_email": data.contact.email,
    }


def _audited(data: EntryIn) -> dict[str, Any]:
    return data.model_dump(mode="json", exclude={"organisation_id", "kind"})
