"""Who may see and change an event and a registration: the rules, and the guards that declare them on routes.

Unknown and invisible look the same (404), so that nobody learns of a draft or of someone else's
registration by probing ids; a caller who may see the thing but not do this to it gets 403.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from events import mailing
from events.models import Event, EventStatus, Registration
from server.access import Guard, role_names
from server.accounts import require_role
from server.api import Context
from server.auth import hash_secret
from server.errors import NotFound, PermissionDenied
from server.models import Role, User


async def visible_event(event_id: int, user: User | None) -> Event:
    """A published, cancelled or completed event for anyone; a draft only for those who manage it."""
    event = await Event.get_or_none(id=event_id).select_related("region").prefetch_related("tags")
    if event is None:
        raise NotFound()
    if event.status is EventStatus.DRAFT:
        if user is None:
            raise NotFound()
        try:
            await require_role(user, event.organisation_id, Role.ORGANISER)
        except PermissionDenied:
            raise NotFound() from None
    return event


async def managed_event(event_id: int, user: User, *roles: Role) -> Event:
    """The event, if `user` is an admin or holds one of `roles` (default: organiser) in its organisation."""
    event = await Event.get_or_none(id=event_id).select_related("region").prefetch_related("tags")
    if event is None:
        raise NotFound()
    await require_role(user, event.organisation_id, *(roles or (Role.ORGANISER,)))
    return event


@dataclass(frozen=True)
class RegistrationAccess:
    """A registration and how the caller stands to it."""

    registration: Registration
    is_registrant: bool
    is_organiser: bool


def _manage_token(ctx: Context) -> str | None:
    scheme, _, value = ctx.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip().startswith(("qcm_", "qcl_")):
        return value.strip()
    return ctx.request.query_params.get("token")


async def registration_access(ctx: Context, registration_id: uuid.UUID) -> RegistrationAccess:
    """The registration and whether the caller is its registrant and/or organises its event; else 404."""
    held = await Registration.get_or_none(id=registration_id)
    if held is None:
        raise NotFound()
    token = _manage_token(ctx)
    user = ctx.maybe_user
    is_registrant = (
        bool(token and hmac.compare_digest(hash_secret(token), held.manage_token_hash))
        or bool(token and token.startswith("qcl_") and mailing.link_is_valid(token, held.id))
        or bool(user and held.user_id == user.id)
    )
    is_organiser = False
    if user is not None:
        event = await Event.get(id=held.event_id)
        try:
            await require_role(user, event.organisation_id, Role.ORGANISER)
            is_organiser = True
        except PermissionDenied:
            pass
    if not (is_registrant or is_organiser):
        raise NotFound()
    return RegistrationAccess(held, is_registrant, is_organiser)


@dataclass(frozen=True)
class Viewers(Guard):
    """Anyone may see a published, cancelled or completed event; a draft only its organisers. Provides `event`."""

    of_event: str = "event_id"
    kind: ClassVar[str] = "event-viewers"

    @property
    def signed_in(self) -> bool:
        return False

    def path_params(self) -> tuple[str, ...]:
        return (self.of_event,)

    def describe(self) -> str:
        return f"anyone for a published event `{self.of_event}`; a draft only admins and its organisers."

    def details(self) -> dict[str, Any]:
        return {"event": self.of_event}

    def provides(self) -> tuple[str, type]:
        return "event", Event

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Event:
        return await visible_event(path[self.of_event], ctx.maybe_user)


@dataclass(frozen=True)
class Organisers(Guard):
    """Admins, and members of the event's organisation holding one of `roles`. Provides `event`.

    The event is the path's `of_event`, or that of the registration `of_registration`."""

    of_event: str | None = "event_id"
    of_registration: str | None = None
    roles: tuple[Role, ...] = (Role.ORGANISER,)
    kind: ClassVar[str] = "event-organisers"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_registration,) if self.of_registration else (self.of_event,) if self.of_event else ()

    def describe(self) -> str:
        target = f"the registration `{self.of_registration}`" if self.of_registration else f"`{self.of_event}`"
        return f"admins, and the {role_names(self.roles)} of the organisation of the event of {target}."

    def details(self) -> dict[str, Any]:
        where = {"registration": self.of_registration} if self.of_registration else {"event": self.of_event}
        return {**where, "roles": [role.value for role in self.roles]}

    def provides(self) -> tuple[str, type]:
        return "event", Event

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Event:
        if self.of_registration is not None:
            held = await Registration.get_or_none(id=path[self.of_registration])
            if held is None:
                raise NotFound()
            return await managed_event(held.event_id, ctx.user, *self.roles)
        assert self.of_event is not None
        return await managed_event(path[self.of_event], ctx.user, *self.roles)


@dataclass(frozen=True)
class RegistrationHolder(Guard):
    """The registrant (a manage token as bearer or `?token=`, a signed mail link, or their account) and/or the
    organisers of its event, as `registrant` and `organisers` say; others are told it is not found, and one
    who may see it but not do this gets 403. Provides `held` (a RegistrationAccess)."""

    registrant: bool = True
    organisers: bool = True
    of_registration: str = "registration_id"
    kind: ClassVar[str] = "registration-holder"

    @property
    def signed_in(self) -> bool:
        return not self.registrant  # a registrant may hold only a token

    def path_params(self) -> tuple[str, ...]:
        return (self.of_registration,)

    def describe(self) -> str:
        who = [
            *(["the registrant (manage token as bearer or `?token=`, or their account)"] if self.registrant else []),
            *(["admins and the organisers of its event"] if self.organisers else []),
        ]
        return " or ".join(who) + f" of the registration `{self.of_registration}`."

    def details(self) -> dict[str, Any]:
        return {"registration": self.of_registration, "registrant": self.registrant, "organisers": self.organisers}

    def provides(self) -> tuple[str, type]:
        return "held", RegistrationAccess

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> RegistrationAccess:
        access = await registration_access(ctx, path[self.of_registration])
        if not ((self.registrant and access.is_registrant) or (self.organisers and access.is_organiser)):
            raise PermissionDenied()
        return access
