"""The resource pool's endpoints and the guards that say who may read and change an entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from events.matchmaking import pool, recommend
from events.matchmaking.models import EntryState, PoolEntry
from events.matchmaking.pool import Side
from events.matchmaking.schemas import AnyEntryOut, EntryIn, EntryPatch, PoolQuery, RecommendationOut
from server.access import Anyone, Guard, Members, SignedIn
from server.api import Api, Context, Page, PageQuery
from server.errors import PermissionDenied
from server.models import Role
from server.schemas import In, OneLine

api = Api()


@dataclass(frozen=True)
class EntryViewers(Guard):
    """Anyone may see a published or matched entry; any other only its organisation's members and curators.
    Provides `entry`."""

    of_entry: str = "entry_id"
    kind: ClassVar[str] = "pool-entry-viewers"

    @property
    def signed_in(self) -> bool:
        return False

    def path_params(self) -> tuple[str, ...]:
        return (self.of_entry,)

    def describe(self) -> str:
        return f"anyone for a published pool entry `{self.of_entry}`; others only its organisation and curators."

    def details(self) -> dict[str, Any]:
        return {"entry": self.of_entry}

    def provides(self) -> tuple[str, type]:
        return "entry", PoolEntry

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> PoolEntry:
        return await pool.visible_entry(path[self.of_entry], ctx.maybe_user)


@dataclass(frozen=True)
class EntryParties(Guard):
    """Members of the entry's organisation, and curators (admins, organisers of the bureau or an organiser
    organisation), as `sides` says; others are told it is not found, or 403 if they may see it. Provides `entry`."""

    sides: tuple[Side, ...] = (Side.OWNER, Side.CURATOR)
    of_entry: str = "entry_id"
    kind: ClassVar[str] = "pool-entry-parties"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_entry,)

    def describe(self) -> str:
        who = {Side.OWNER: "the members of its organisation", Side.CURATOR: "curators"}
        return " and ".join(who[side] for side in self.sides) + f" of the pool entry `{self.of_entry}`."

    def details(self) -> dict[str, Any]:
        return {"entry": self.of_entry, "sides": [side.value for side in self.sides]}

    def provides(self) -> tuple[str, type]:
        return "entry", PoolEntry

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> PoolEntry:
        entry = await pool.visible_entry(path[self.of_entry], ctx.user)
        if not await pool.sides(ctx.user, entry) & set(self.sides):
            raise PermissionDenied()
        return entry


class MoveIn(In):
    state: EntryState
    reason: Annotated[str, StringConstraints(max_length=500), OneLine] = Field(
        default="", description="Why, e.g. what a returned entry lacks; kept in the audit log."
    )


@api.route("GET", "/pool-entries", guard=Anyone, summary="Search the published pool", tag="pool")
async def list_entries(ctx: Context, query: PoolQuery) -> Page[AnyEntryOut]:
    """Contact details only for signed-in callers."""
    return await pool.browse(query, ctx.maybe_user)


@api.route(
    "GET",
    "/organisations/{organisation_id:int}/pool-entries",
    guard=Members(of_organisation="organisation_id", roles=tuple(Role)),
    summary="An organisation's pool entries in every state",
    tag="pool",
)
async def list_organisation_entries(ctx: Context, organisation_id: int, query: PageQuery) -> Page[AnyEntryOut]:
    """Drafts, submitted and returned entries too, most recently changed first."""
    return await pool.organisation_entries(organisation_id, query, ctx.user)


@api.route("POST", "/pool-entries", guard=SignedIn, summary="Add a draft need or solution", tag="pool", status=201)
async def create_entry(ctx: Context, body: EntryIn) -> AnyEntryOut:
    """Only admins and members of the organisation in the body (403 otherwise)."""
    return pool.entry_out(await pool.create_entry(ctx.user, body), ctx.user)


@api.route("GET", "/pool-entries/{entry_id:int}", guard=EntryViewers(), summary="One pool entry", tag="pool")
async def get_entry(ctx: Context, entry_id: int, entry: PoolEntry) -> AnyEntryOut:
    """Contact details only for signed-in callers."""
    return pool.entry_out(entry, ctx.maybe_user)


@api.route("PATCH", "/pool-entries/{entry_id:int}", guard=EntryParties(sides=(Side.OWNER,)), summary="Edit", tag="pool")
async def update_entry(ctx: Context, entry_id: int, entry: PoolEntry, body: EntryPatch) -> AnyEntryOut:
    """Drafts only (409 otherwise); a returned entry is a draft again."""
    return pool.entry_out(await pool.update_entry(ctx.user, entry.id, body), ctx.user)


@api.route(
    "POST", "/pool-entries/{entry_id:int}/state", guard=EntryParties(), summary="Move to another state", tag="pool"
)
async def move_entry(ctx: Context, entry_id: int, entry: PoolEntry, body: MoveIn) -> AnyEntryOut:
    """Owners submit, withdraw, close and mark matched; curators publish, return, close and mark matched
    (docs/architecture.md#matchmaking-resource-pool). A move the table lacks is 409, one for the other side 403."""
    return pool.entry_out(await pool.move(ctx.user, entry.id, body.state, reason=body.reason), ctx.user)


@api.route(
    "GET",
    "/pool-entries/{entry_id:int}/recommendations",
    guard=EntryViewers(),
    summary="Closest entries of the other kind, with reasons",
    tag="pool",
)
async def list_recommendations(ctx: Context, entry_id: int, entry: PoolEntry) -> list[RecommendationOut]:
    """Published entries of other organisations, best first, each with its reason in the caller's language."""
    return await recommend.recommendations(entry.id, ctx.maybe_user, ctx.locale)
