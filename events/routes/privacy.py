"""A registrant's privacy: the event's notice, and the copy and erasure of one registration through its manage link."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from events import privacy
from events.access import Organisers, RegistrationAccess, RegistrationHolder, Viewers
from events.models import Event
from events.schemas import PrivacyNoticeIn, PrivacyNoticeOut
from server import personal_data
from server.api import Api, Context
from server.responses import personal_data_workbook
from server.schemas import ErasureIn, ErasureOut, PersonalData
from server.spreadsheets import XLSX

api = Api()
HOLDER = RegistrationHolder(organisers=False)  # the person's own: organisers may neither download nor erase it


def _notice_out(notice: privacy.Notice) -> PrivacyNoticeOut:
    return PrivacyNoticeOut(
        version=notice.version,
        text_zh=notice.text["zh-CN"],
        text_en=notice.text["en"],
        retention_days=notice.retention_days,
        is_default=notice.is_default,
    )


@api.route("GET", "/events/{event_id:int}/privacy-notice", guard=Viewers(), summary="The privacy notice", tag="privacy")
async def get_notice(ctx: Context, event_id: int, event: Event) -> PrivacyNoticeOut:
    """What registering accepts: purpose, organiser and how long registrants' data is kept."""
    return _notice_out(await privacy.current_notice(event))


@api.route(
    "PUT",
    "/events/{event_id:int}/privacy-notice",
    guard=Organisers(),
    summary="Publish a new version of the privacy notice",
    tag="privacy",
)
async def set_notice(ctx: Context, event_id: int, event: Event, body: PrivacyNoticeIn) -> PrivacyNoticeOut:
    """Each call makes a new version; registrations from then on must accept it. Empty texts keep the default
    wording with the new retention period."""
    changed = await privacy.set_notice(
        event.id, text_zh=body.text_zh, text_en=body.text_en, retention_days=body.retention_days, actor=ctx.user
    )
    return _notice_out(await privacy.current_notice(changed))


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}/data",
    guard=HOLDER,
    summary="The data held about this registrant",
    tag="privacy",
)
async def registration_data(ctx: Context, registration_id: uuid.UUID, held: RegistrationAccess) -> PersonalData:
    """The registration with its answers and the mails sent about it, by section."""
    return await personal_data.collect(personal_data.Subject(registration=held.registration))


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}/data.xlsx",
    guard=HOLDER,
    summary="The data held about this registrant, as XLSX",
    tag="privacy",
    produces=XLSX,
)
async def registration_data_workbook(ctx: Context, registration_id: uuid.UUID, held: RegistrationAccess) -> Response:
    """The same as `…/data`, one sheet per section."""
    data = await personal_data.collect(personal_data.Subject(registration=held.registration))
    return personal_data_workbook(data, f"registration-{registration_id}")


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/erase",
    guard=HOLDER,
    summary="Delete this registrant's data",
    tag="privacy",
)
async def erase_registration(
    ctx: Context, registration_id: uuid.UUID, held: RegistrationAccess, body: ErasureIn
) -> ErasureOut:
    """The registration is anonymised (a seat of an event still to come is given up, as by cancelling) and the
    mails about it lose their address and content; the manage link stops working. Nobody can undo it."""
    erased = await personal_data.erase(personal_data.Subject(registration=held.registration))
    return ErasureOut(erased=erased)
