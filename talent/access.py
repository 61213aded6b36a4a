"""Who may read and write a training base's reports and programmes: the guards talent routes declare."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from server.access import Guard, role_names
from server.accounts import require_role
from server.api import Context
from server.errors import NotFound, PermissionDenied
from server.models import Role
from talent import reports
from talent.models import Programme

REPORTING = (Role.REPORTER, Role.MANAGER)


@dataclass(frozen=True)
class Reporters(Guard):
    """Admins, and the reporters and managers of the training base in the path; with a programme in the path
    too, it provides `place` (the report's Slot), and `admins_only` keeps reviewing to admins."""

    of_base: str = "base_id"
    of_period: str = "period_id"
    of_programme: str | None = "programme_id"
    admins_only: bool = False
    kind: ClassVar[str] = "base-reporters"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_base, self.of_period, *((self.of_programme,) if self.of_programme else ()))

    def describe(self) -> str:
        if self.admins_only:
            return f"admins only, for the training base `{self.of_base}`."
        return f"admins, and the {role_names(REPORTING)} of the training base `{self.of_base}`."

    def details(self) -> dict[str, Any]:
        roles = [] if self.admins_only else [role.value for role in REPORTING]
        return {"base": self.of_base, "period": self.of_period, "programme": self.of_programme, "roles": roles}

    def provides(self) -> tuple[str, type] | None:
        return ("place", reports.Slot) if self.of_programme else None

    def screen(self, ctx: Context) -> None:
        super().screen(ctx)
        if self.admins_only and not ctx.user.is_admin:
            raise PermissionDenied()

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> reports.Slot | None:
        if self.of_programme is None:
            await reports.slot_checks(ctx.user, path[self.of_base], path[self.of_period])
            return None
        return await reports.slot(ctx.user, path[self.of_base], path[self.of_period], path[self.of_programme])


@dataclass(frozen=True)
class ProgrammeManagers(Guard):
    """Admins, and the managers of the programme's training base. Provides `programme`."""

    of_programme: str = "programme_id"
    kind: ClassVar[str] = "programme-managers"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_programme,)

    def describe(self) -> str:
        return f"admins, and the managers of the training base of the programme `{self.of_programme}`."

    def details(self) -> dict[str, Any]:
        return {"programme": self.of_programme, "roles": [Role.MANAGER.value]}

    def provides(self) -> tuple[str, type]:
        return "programme", Programme

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Programme:
        programme = await Programme.get_or_none(id=path[self.of_programme]).select_related("occupation")
        if programme is None:
            raise NotFound()
        await require_role(ctx.user, programme.base_id, Role.MANAGER)
        return programme
