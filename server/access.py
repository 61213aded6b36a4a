"""Who may call an endpoint, declared in code: every `api.route` names a guard, which the endpoint machinery
enforces before the handler runs and which the OpenAPI document renders (its prose and `x-access`).

A guard works in two steps, so that answers keep their order: `screen` runs before the request is parsed
(401 for a missing sign-in, 403 for a non-admin), `admit` after it, with the path parameters, for the rules
that need the database (which organisation, whose registration). A guard that finds a resource on the way
hands it to the handler as the parameter it `provides`, so the handler does not load it twice.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from server.accounts import require_role
from server.errors import AuthenticationRequired, NotFound, PermissionDenied
from server.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from server.api import Context


class Guard(abc.ABC):
    """The base of every guard: anyone passes unless a subclass says otherwise."""

    kind: ClassVar[str]

    @property
    def signed_in(self) -> bool:
        """Whether the caller must be signed in (401 otherwise)."""
        return True

    @abc.abstractmethod
    def describe(self) -> str:
        """Who may call, in one English sentence for the OpenAPI description."""

    def details(self) -> dict[str, Any]:
        """What `x-access` shows besides the kind: the path parameter a rule reads, the roles it accepts."""
        return {}

    def path_params(self) -> tuple[str, ...]:
        """The path parameters the rule reads; the route must have them."""
        return ()

    def provides(self) -> tuple[str, type] | None:
        """The handler parameter (name, type) that receives what `admit` found, if anything."""
        return None

    def screen(self, ctx: Context) -> None:
        if self.signed_in and ctx.caller is None:
            raise AuthenticationRequired()

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Any:
        return None

    def access(self) -> dict[str, Any]:
        return {"kind": self.kind, "signed_in": self.signed_in, **self.details()}


def role_names(roles: tuple[Role, ...]) -> str:
    return " or ".join(f"{role.value}s" for role in roles)


class _Anyone(Guard):
    kind = "anyone"

    @property
    def signed_in(self) -> bool:
        return False

    def describe(self) -> str:
        return "anyone, signed in or not."


class _SignedIn(Guard):
    kind = "signed-in"

    def describe(self) -> str:
        return "any signed-in user; the answer covers what is theirs."


class _Admins(Guard):
    kind = "admins"

    def describe(self) -> str:
        return "admins only."

    def screen(self, ctx: Context) -> None:
        super().screen(ctx)
        assert ctx.caller is not None
        if not ctx.caller.user.is_admin:
            raise PermissionDenied()


Anyone: Guard = _Anyone()
SignedIn: Guard = _SignedIn()
Admins: Guard = _Admins()


@dataclass(frozen=True)
class Members(Guard):
    """Admins, and members of the organisation in the path holding one of `roles`; an unknown one is not found."""

    of_organisation: str
    roles: tuple[Role, ...]
    kind: ClassVar[str] = "organisation-members"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_organisation,)

    def describe(self) -> str:
        return f"admins, and the {role_names(self.roles)} of the organisation `{self.of_organisation}`."

    def details(self) -> dict[str, Any]:
        return {"organisation": self.of_organisation, "roles": [role.value for role in self.roles]}

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Any:
        organisation = await Organisation.get_or_none(id=path[self.of_organisation])
        if organisation is None:
            raise NotFound()
        await require_role(ctx.user, organisation.id, *self.roles)
        return None


@dataclass(frozen=True)
class AnyMember(Guard):
    """Admins, and anyone holding one of `roles` in some organisation (the mail templates for organisers)."""

    roles: tuple[Role, ...]
    kind: ClassVar[str] = "role-holders"

    def describe(self) -> str:
        return f"admins, and {role_names(self.roles)} of any organisation."

    def details(self) -> dict[str, Any]:
        return {"roles": [role.value for role in self.roles]}

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Any:
        if not ctx.user.is_admin and not await Membership.exists(user=ctx.user, role__in=self.roles):
            raise PermissionDenied()
        return None
