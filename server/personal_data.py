"""A person's data across packages: the sections of their copy and the steps of their erasure, registered by the
package that holds each kind of data (docs/architecture.md#personal-data).

The platform knows accounts only; `events` registers registrations and the mails about them, `talent` the reports
a person filed. A composition root imports those packages, so every section is registered before a request comes.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from tortoise.models import Model
from tortoise.transactions import in_transaction

from server import audit
from server.errors import Conflict
from server.i18n import Named
from server.models import AuthToken, Membership, Organisation, Role, User

Row = dict[str, Any]
SUBJECT = "data-subject"  # the actor label of what a person does to their own data


@dataclass(frozen=True)
class Subject:
    """Whose data: a signed-in account (all of theirs), or the holder of one registration's manage link (that
    registration only: the link proves nothing about other registrations with the same address)."""

    user: User | None = None
    registration: Model | None = None  # an events Registration: the platform knows no events, only models

    @property
    def registration_id(self) -> uuid.UUID | None:
        found: uuid.UUID | None = getattr(self.registration, "id", None)
        return found


Collect = Callable[[Subject], Awaitable[list[Row]]]
Erase = Callable[[Subject, str], Awaitable[int]]


@dataclass(frozen=True)
class Section:
    name: str  # the JSON key and the XLSX sheet's title
    collect: Collect
    erase: Erase | None  # anonymises or removes what `collect` finds; answers how many rows it changed


_sections: dict[str, Section] = {}


def register(name: str, collect: Collect, erase: Erase | None = None) -> None:
    """Add a section; registering a name again replaces it (a module imported twice registers once)."""
    _sections[name] = Section(name, collect, erase)


def sections() -> list[Section]:
    """The sections in the order they were registered; erasure runs them in this order too."""
    return list(_sections.values())


async def collect(subject: Subject) -> dict[str, list[Row]]:
    return {section.name: await section.collect(subject) for section in sections()}


def as_sheets(data: dict[str, list[Row]]) -> dict[str, list[list[object]]]:
    """Each section as a table: a header of every key its rows have, then one line per row (nested values as
    JSON text)."""
    sheets: dict[str, list[list[object]]] = {}
    for name, rows in data.items():
        header = list(dict.fromkeys(key for row in rows for key in row))
        cells = [[_cell(row.get(key)) for key in header] for row in rows]
        sheets[name] = [list(header), *cells]
    return sheets


def _cell(value: Any) -> object:
    return orjson.dumps(value).decode() if isinstance(value, dict | list) else value


def plain(value: Any) -> Any:
    """A value as JSON and a spreadsheet both hold it: times as ISO text, UUIDs and enums as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


async def erase(subject: Subject) -> dict[str, int]:
    """Forget a person: every section's erase, then (for an account) the account itself, in one transaction.
    The request is logged before and its outcome (rows changed per section) with the erasure, so a failed
    erasure still leaves its request in the audit log. Nothing here can be undone: no copy is kept. An account
    that the platform or an organisation cannot do without is refused (`_refuse_if_indispensable`)."""
    target = subject.user or subject.registration
    assert target is not None, "a subject is an account or a registration"
    async with in_transaction():
        await audit.record(SUBJECT, "personal_data.erase_requested", target)
    async with in_transaction():
        if subject.user is not None:
            await _refuse_if_indispensable(subject.user)
        outcome = {}
        for section in sections():
            if section.erase is not None:
                outcome[section.name] = await section.erase(subject, SUBJECT)
        if subject.user is not None:
            outcome["account"] = await _remove_account(subject.user)
        await audit.record(SUBJECT, "personal_data.erased", target, after=dict(outcome))
    return outcome


def erased_address(user: User) -> str:
    """The address an erased account keeps: it names nobody and no mail can reach it."""
    return f"erased-{user.id}@erased.invalid"


async def _refuse_if_indispensable(user: User) -> None:
    """An admin, or the only manager of an organisation, cannot erase their own account: the platform or the
    organisation would be left without anyone to run it. The organisations' rows are locked, as when a manager
    leaves (server.memberships), so two managers erasing themselves at once cannot both go."""
    if user.is_admin:
        raise Conflict("error.erase_admin")
    managed = await Membership.filter(user_id=user.id, role=Role.MANAGER).values_list("organisation_id", flat=True)
    for organisation in await Organisation.filter(id__in=managed).order_by("id").select_for_update():
        if await Membership.filter(organisation_id=organisation.id, role=Role.MANAGER).count() == 1:
            raise Conflict(
                "error.erase_last_manager",
                organisation=Named(zh=organisation.name_zh, en=organisation.name_en or organisation.name_zh),
            )


async def _remove_account(user: User) -> int:
    """The account can no longer sign in and holds nothing that identifies: its sessions, tokens and memberships
    go and its row keeps only its id (rows elsewhere that name it, such as a team it led, stay valid)."""
    await AuthToken.filter(user_id=user.id).delete()
    await Membership.filter(user_id=user.id).delete()
    await audit.forget("User", [str(user.id)], actor_id=user.id)
    return await User.filter(id=user.id).update(
        email=erased_address(user),
        name="",
        password_hash="!",
        is_active=False,
        is_admin=False,
        totp_secret=None,
        totp_confirmed_at=None,
        totp_last_step=None,
        totp_recovery_hashes=[],
    )


async def _collect_account(subject: Subject) -> list[Row]:
    if subject.user is None:
        return []
    user = subject.user
    roles = await Membership.filter(user_id=user.id).select_related("organisation").order_by("id")
    account = {
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "created_at": plain(user.created_at),
        "memberships": [{"organisation": m.organisation.name_zh, "role": m.role.value} for m in roles],
    }
    return [account]


register("account", _collect_account)
