"""Mail about meeting requests: the asked party's members learn of a request, the asking party's members of its
answer. Written to the outbox in the transaction that makes the request or the answer."""

from __future__ import annotations

from events.mailing import site
from events.matchmaking.meeting_mail import locale_of, member_mail, members_of
from events.matchmaking.models import Matchmaking, MeetingRequest, Party, RequestState
from events.models import Event
from notifications.outbox import Mail
from server.i18n import pick, translate
from server.models import Organisation

RECEIVED = "meeting_request_received"
ANSWERED = "meeting_request_answered"


async def mails(request: MeetingRequest) -> list[Mail]:
    """A pending request mails the asked party; an answered one the party that asked."""
    pending = request.state is RequestState.PENDING
    to_party, from_party = (
        (request.counterpart_id, request.party_id) if pending else (request.party_id, request.counterpart_id)
    )
    sender = await Party.get(id=from_party).select_related("organisation")
    matchmaking = await Matchmaking.get(id=sender.matchmaking_id)
    event = await Event.get(id=matchmaking.event_id)
    host = await Organisation.get(id=event.organisation_id)
    template = RECEIVED if pending else ANSWERED
    found: list[Mail] = []
    for registration in (await members_of([to_party]))[to_party]:
        locale = locale_of(registration)
        context: dict[str, object] = {
            "counterpart_name": pick({"zh": sender.organisation.name_zh, "en": sender.organisation.name_en}, locale),
            "event_url": f"{site().base_url}/events/{event.id}/matchmaking",  # the requests inbox
        }
        if pending:
            context["request_message"] = request.message
        else:
            context["answer"] = translate(f"request_state.{request.state.value}", locale)
        found.append(member_mail(template, registration, event, host, context, str(request.id)))
    return found
