"""The access record: every time staff are shown registrants' personal data, who, when, which event, how many
people and why (PIPL, 个人信息保护法 art. 51: measures to record the processing of personal information).

`record` is the one writer. The paths that show staff registrants' data call it once per answer, after reading
and before answering, with the number of people the answer holds (see docs/architecture.md#access-record):

- the registrations list and its CSV/XLSX exports (`events.routes.registrations.list_registrations`);
- the door's search for a registrant (`events.routes.checkin.door_search`);
- one registration opened by its event's organisers (`opened`, from `get_registration`): a registrant reading
  their own registration is not staff reading someone else's, and writes nothing.
- the event's failed mail and SMS with their addresses (`events.routes.mail.mail_summary`).

An entry names no registrant, so anonymising one leaves the record as it is. Exports also carry a
`watermark` line naming who downloaded them and when.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet

from events.access import RegistrationAccess
from events.models import Event, PersonalDataRead, Purpose
from server.fields import fit
from server.i18n import translate
from server.logs import request_id
from server.models import User
from server.settings import Locale


async def record(staff: User, event: Event, purpose: Purpose, people: int) -> PersonalDataRead:
    """Write that `staff` was shown the personal data of `people` registrants of `event`, for `purpose`.

    Called before the answer leaves: a read whose record cannot be written fails rather than go unrecorded.
    """
    return await PersonalDataRead.create(
        actor=staff,
        actor_label=fit(PersonalDataRead, "actor_label", staff.email),
        event_id=event.id,
        organisation_id=event.organisation_id,
        purpose=purpose,
        people=people,
        request_id=request_id.get(),
    )


async def opened(staff: User | None, held: RegistrationAccess) -> None:
    """Record a registration opened by its event's staff; the registrant's own reads are theirs to make."""
    if staff is None or held.is_registrant or not held.is_organiser:
        return
    event = await Event.get(id=held.registration.event_id)
    await record(staff, event, Purpose.DETAIL, 1)


def watermark(entry: PersonalDataRead, staff: User, zone: str, locale: Locale) -> str:
    """The line an export opens with: who downloaded it, when (in the event's time zone) and the number of its
    entry in the record, so that a file found elsewhere leads back to the download."""
    when = entry.at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")
    return translate("export.watermark", locale, who=f"{staff.name} <{staff.email}>", when=when, entry=entry.id)


def reads(
    *,
    event_id: int | None = None,
    organisation_id: int | None = None,
    purpose: Purpose | None = None,
) -> QuerySet[PersonalDataRead]:
    """The record, newest first, narrowed to an event, an organisation and a purpose when given."""
    found = PersonalDataRead.all()
    if event_id is not None:
        found = found.filter(event_id=event_id)
    if organisation_id is not None:
        found = found.filter(organisation_id=organisation_id)
    if purpose is not None:
        found = found.filter(purpose=purpose)
    return found.order_by("-at", "-id")
