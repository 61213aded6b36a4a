"""Creating registrations: attempts for the same event that arrive together are decided together, in one
transaction (`_decide`): validated, replayed or admitted, inserted in one statement, seated in FIFO order and told
their exact waiting-list places.

Capacity moves only through `events.capacity`; later state changes go through `events.registration.transition`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events import capacity, mailing
from events.models import (
    Event,
    EventStatus,
    IdempotencyRecord,
    Question,
    Registration,
    RegistrationStatus,
    RegistrationWindow,
    TicketType,
)
from events.questions import validate_registration
from events.schemas import RegistrationIn
from notifications import outbox
from server import audit
from server.auth import hash_secret, sign
from server.batches import GroupCommit
from server.clock import utcnow
from server.db import Rows, in_transaction_now, insert_new, insert_together
from server.errors import Conflict, DomainError, InvalidInput, NotFound, RateLimited
from server.logs import request_id
from server.metrics import counts_registrations
from server.models import Organisation, User
from server.ratelimit import Throttle


class RegistrationClosed(Conflict):
    key = "error.registration_closed"


class SoldOut(Conflict):
    key = "error.sold_out"


class IdempotencyMismatch(Conflict):
    key = "error.idempotency_mismatch"


@dataclass(frozen=True)
class Created:
    registration: Registration
    manage_token: str
    waitlist_position: int | None
    status: RegistrationStatus
    replayed: bool = False  # the answer to an earlier attempt with the same Idempotency-Key


@dataclass
class _Attempt:
    """One registration request waiting for its group (`_rush`)."""

    body: Any
    user: User | None
    idempotency_key: str | None
    secret_key: str
    key_hash: str | None
    request: str | None  # the request id, for the audit entry and the mail
    request_hash: str = ""  # set once the body is validated (with a key only)


class TooManyRegistrations(RateLimited):
    key = "error.too_many_registrations"


@counts_registrations
async def register(
    event_id: int,
    body: Any,
    *,
    user: User | None,
    idempotency_key: str | None,
    secret_key: str,
    throttle: Throttle | None = None,
    client: str = "",
) -> Created:
    """Register for a published event inside its window: a seat if every quota has room, else the waiting list,
    told its exact place there.

    `body` is the request as sent (a RegistrationIn with the event's answers); one 422 lists all its field errors.
    One active registration per (event, email); a repeated Idempotency-Key with the same request replays the
    first answer, with a different request it is refused. Attempts for the same event that arrive together are
    decided together (`_decide`), each failing alone. With a `throttle`, each attempt counts against the limit of
    its `client` address at the event before it goes anywhere near the database; replays do not count.
    """
    key_hash = hash_secret(f"{event_id}:{idempotency_key}") if idempotency_key else None
    counted = throttle is not None and await _within_limit(throttle, (event_id, client), key_hash)
    created = await _register(event_id, _Attempt(body, user, idempotency_key, secret_key, key_hash, request_id.get()))
    if counted and created.replayed:
        assert throttle is not None
        throttle.give_back((event_id, client))
    return created


async def _within_limit(throttle: Throttle, key: tuple[int, str], key_hash: str | None) -> bool:
    """Count the attempt against its client's limit at the event; False if it was not counted. Over the limit it
    is refused, unless it replays an Idempotency-Key answered before (one indexed lookup, only when refused)."""
    wait = throttle.take(key)
    if not wait:
        return True
    if key_hash and await IdempotencyRecord.exists(key_hash=key_hash):
        return False
    raise TooManyRegistrations(retry_after=wait)


async def _register(event_id: int, attempt: _Attempt) -> Created:
    try:
        if not in_transaction_now():
            return await _rush.submit(event_id, attempt)
        # Inside the caller's transaction (seeding the demo): decided alone, to commit or roll back with the caller.
        (outcome,) = await _decide(event_id, [attempt])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    except IntegrityError:
        # A twin of the same key committed first (replayed), or the email is already registered.
        if attempt.key_hash and (
            replay := await _replay(
                attempt.key_hash, attempt.request_hash, attempt.idempotency_key, event_id, attempt.secret_key
            )
        ):
            return replay
        raise Conflict(
            "error.already_registered", errors=[(("body", "email"), "validation.already_registered")]
        ) from None


@dataclass(frozen=True)
class _Admitted:
    """An attempt that passed validation and goes into the group's insert."""

    index: int
    attempt: _Attempt
    data: RegistrationIn
    email: str
    ticket_type: TicketType
    token: str


async def _decide(event_id: int, attempts: list[_Attempt]) -> list[Created | Exception]:
    """Decide a group of attempts for one event in one transaction, in arrival order; each gets its answer or its
    own error (an `IntegrityError` for an email already registered, which `register` turns into its answer).

    Order of the transaction: the event's share lock and form; validation and idempotent replays; then the lock on
    the event's quota rows (`capacity.quota_map(lock=True)`), held to the commit, under which the registrations are
    inserted in one statement, take their seats in FIFO order (`capacity.take`) and learn their waiting-list places
    from the registrations committed before them, which are exactly the waiting list ahead of them.
    """
    outcomes: list[Created | Exception | None] = [None] * len(attempts)
    async with in_transaction():
        # The share lock on the event comes first: a quota added meanwhile (which locks the event exclusively)
        # either counts these registrations or is seen by them, and the event's form cannot change under them.
        form = await _form(event_id, await capacity.share_event(event_id))
        if form is None or form.event.status is EventStatus.DRAFT:
            return [NotFound() for _ in attempts]
        event = form.event
        validated = _validated(form, attempts, outcomes)
        await _replays(event.id, validated, outcomes)
        admitted = _admitted(form, validated, outcomes)
        if admitted:
            await _insert(form, admitted, outcomes)
    return [outcome if outcome is not None else RuntimeError("undecided") for outcome in outcomes]


def _validated(
    form: _Form, attempts: list[_Attempt], outcomes: list[Created | Exception | None]
) -> list[tuple[int, _Attempt, RegistrationIn]]:
    validated = []
    for index, attempt in enumerate(attempts):
        try:
            data = validate_registration(form.questions, attempt.body, signed_in=attempt.user is not None)
        except DomainError as refusal:
            outcomes[index] = refusal
            continue
        if attempt.key_hash:
            attempt.request_hash = _request_hash(data, attempt.user)
        validated.append((index, attempt, data))
    return validated


async def _replays(
    event_id: int, validated: list[tuple[int, _Attempt, RegistrationIn]], outcomes: list[Created | Exception | None]
) -> None:
    """Answer the attempts whose Idempotency-Key was answered before (one query for the group)."""
    keyed = {attempt.key_hash: index for index, attempt, _ in validated if attempt.key_hash}
    if not keyed:
        return
    for record in await IdempotencyRecord.filter(key_hash__in=list(keyed)).select_related("registration"):
        index = keyed[record.key_hash]
        attempt = next(a for i, a, _ in validated if i == index)
        if record.request_hash != attempt.request_hash:
            outcomes[index] = IdempotencyMismatch()
        else:
            token = _manage_token(attempt.secret_key, event_id, attempt.idempotency_key)
            outcomes[index] = Created(
                record.registration, token, record.waitlist_position, record.status, replayed=True
            )


def _admitted(
    form: _Form, validated: list[tuple[int, _Attempt, RegistrationIn]], outcomes: list[Created | Exception | None]
) -> list[_Admitted]:
    """The attempts that go on to the insert: the window is open, the ticket type exists, and no earlier attempt of
    the group has the same email or key (a later twin fails with `IntegrityError`, as it would against a committed
    row, and is answered by `register`)."""
    admitted: list[_Admitted] = []
    emails: set[str] = set()
    keys: set[str] = set()
    for index, attempt, data in validated:
        if outcomes[index] is not None:
            continue
        try:
            _check_open(form.event)
            _check_notice(form.event, data.privacy_notice_version)
            ticket_type = _ticket_type(form, data.ticket_type)
        except DomainError as refusal:
            outcomes[index] = refusal
            continue
        email = data.email or (attempt.user.email if attempt.user else None)
        assert email is not None  # validate_registration requires it of a registrant without an account
        if email in emails or (attempt.key_hash and attempt.key_hash in keys):
            outcomes[index] = IntegrityError("twin in the group")
            continue
        emails.add(email)
        keys.update([attempt.key_hash] if attempt.key_hash else [])
        token = _manage_token(attempt.secret_key, form.event.id, attempt.idempotency_key)
        admitted.append(_Admitted(index, attempt, data, email, ticket_type, token))
    return admitted


_INSERTED = (
    "id",
    "event_id",
    "ticket_type_id",
    "user_id",
    "email",
    "active_email",
    "name",
    "locale",
    "answers",
    "privacy_notice_version",
    "status",
    "manage_token_hash",
)


async def _insert(form: _Form, admitted: list[_Admitted], outcomes: list[Created | Exception | None]) -> None:
    event = form.event
    target = RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED
    # Written as waiting first: after a sell-out most attempts stay waiting and then need no second write.
    initial = RegistrationStatus.WAITLISTED if event.waitlist_enabled else target
    made = {
        one.index: Registration(
            id=uuid.uuid4(),
            event_id=event.id,
            ticket_type_id=one.ticket_type.id,
            user_id=one.attempt.user.id if one.attempt.user else None,
            email=one.email,
            active_email=one.email,
            name=one.data.name,
            locale=one.data.locale or (one.attempt.user.locale if one.attempt.user else "zh-CN"),
            answers=one.data.answers,
            privacy_notice_version=one.data.privacy_notice_version,
            status=initial,
            manage_token_hash=hash_secret(one.token),
        )
        for one in admitted
    }
    rows = [{name: getattr(made[one.index], name) for name in _INSERTED} for one in admitted]
    # The lock is taken once the rows are built: the other workers' groups wait only for the statements.
    quotas = await capacity.quota_map(event.id, lock=True)
    # With the count of the waiting list ahead of the group, taken in the insert's own snapshot (no second
    # statement under the lock): under it, the waiting registrations committed before are exactly that list.
    waiting = {"event_id": event.id, "status": RegistrationStatus.WAITLISTED}
    new = await insert_new(Registration, rows, returning="seq", count_before=waiting)
    seqs = {str(row["id"]): int(row["seq"]) for row in new}
    ahead = int(new[0]["counted"]) if new else 0
    inserted: list[_Admitted] = []
    for one in admitted:
        registration = made[one.index]
        seq = seqs.get(str(registration.id))
        if seq is None:  # the email is already registered: this attempt fails alone
            outcomes[one.index] = IntegrityError("already registered")
            continue
        registration.seq = seq
        registration._saved_in_db = True
        inserted.append(one)
    inserted.sort(key=lambda one: made[one.index].seq)
    wanted = [(made[one.index].seq, quotas.for_registration(one.ticket_type.id, one.data.answers)) for one in inserted]
    seated: list[int] = []
    refused: list[int] = []
    kept: list[_Admitted] = []
    for one, full in zip(inserted, await capacity.take(quotas, wanted), strict=True):
        registration = made[one.index]
        if full is not None and full.question_key is not None:
            outcomes[one.index] = InvalidInput(
                errors=[(("body", "answers", full.question_key), "validation.choice_full")]
            )
        elif full is not None and not event.waitlist_enabled:
            outcomes[one.index] = SoldOut()
        else:
            if full is None and initial is not target:
                registration.status = target
                seated.append(registration.seq)
            kept.append(one)
            continue
        refused.append(registration.seq)
    if refused:
        await Registration.filter(seq__in=refused).delete()
    if seated:
        await Registration.filter(seq__in=seated).update(status=target)
    positions = _places([made[one.index] for one in kept], ahead)
    # The audit entries, the replayable answers and the mails in one round trip: the quota lock is held until the
    # commit.
    entries = [
        audit.entry(
            one.attempt.user or "registrant",
            "registration.create",
            made[one.index],
            organisation_id=event.organisation_id,
            after={"status": made[one.index].status.value, "email": one.email, "ticket_type": one.ticket_type.id},
            request=one.attempt.request,
        )
        for one in kept
    ]
    mails = await outbox.prepare(
        *(
            replace(
                mailing.registration_created(event, form.organisation, registration, positions.get(registration.seq)),
                request=one.attempt.request,
            )
            for one in kept
            for registration in [made[one.index]]
        )
    )
    replays = [
        {
            "key_hash": one.attempt.key_hash,
            "request_hash": one.attempt.request_hash,
            "registration_id": made[one.index].seq,
            "status": made[one.index].status,
            "waitlist_position": positions.get(made[one.index].seq),
        }
        for one in kept
        if one.attempt.key_hash
    ]
    await insert_together(audit.rows(entries), Rows(IdempotencyRecord, replays), mails)
    for one in kept:
        registration = made[one.index]
        outcomes[one.index] = Created(registration, one.token, positions.get(made[one.index].seq), registration.status)


def _places(registrations: list[Registration], ahead: int) -> dict[int, int]:
    """The waiting-list places of a group's new waiting registrations (by seq), after the `ahead` waiting
    registrations committed before the group."""
    waiting = sorted((r for r in registrations if r.status is RegistrationStatus.WAITLISTED), key=lambda r: r.seq)
    return {registration.seq: ahead + place for place, registration in enumerate(waiting, start=1)}


_rush: GroupCommit[int, _Attempt, Created] = GroupCommit(_decide)


@dataclass(frozen=True)
class _Form:
    """What registering needs to know of an event besides its quotas: the event, its organiser, questions and
    ticket types. Kept per process under the event's version (`capacity.share_event`): every edit of these moves
    the event's `updated_at` (`events.editing`), and the version carries the organisation's name and contact."""

    version: tuple[object, ...]
    event: Event
    organisation: Organisation
    questions: list[Question]
    ticket_types: dict[int, TicketType]


_forms: dict[int, _Form] = {}
_FORMS_KEPT = 1000


async def _form(event_id: int, version: tuple[object, ...] | None) -> _Form | None:
    """The event's form as of `version`, read under the event's share lock; None if there is no such event."""
    if version is None:
        return None
    known = _forms.get(event_id)
    if known is not None and known.version == version:
        return known
    event = await Event.get_or_none(id=event_id).select_related("organisation")
    if event is None:
        return None
    questions = await Question.filter(event_id=event_id).order_by("position", "id")
    ticket_types = {ticket_type.id: ticket_type for ticket_type in await TicketType.filter(event_id=event_id)}
    if len(_forms) >= _FORMS_KEPT:
        _forms.clear()
    # Read after `version`, so at least as new as it: a later edit moves the version and is read again.
    _forms[event_id] = form = _Form(version, event, event.organisation, questions, ticket_types)
    return form


def _check_open(event: Event) -> None:
    if event.status is not EventStatus.PUBLISHED:
        raise RegistrationClosed("error.event_not_open", status=event.status.value)
    window = event.window(utcnow())
    if window is RegistrationWindow.NOT_YET:
        assert event.registration_opens_at is not None
        raise RegistrationClosed("error.registration_not_yet_open", opens=event.registration_opens_at.isoformat())
    if window is not RegistrationWindow.OPEN:
        raise RegistrationClosed()


def _check_notice(event: Event, version: int) -> None:
    """Registering needs the privacy notice the event shows now; an older one (the form stayed open while the
    organiser changed it) is refused on its field, so that the person reads the new one."""
    if version != event.privacy_notice_version:
        raise InvalidInput(errors=[(("body", "privacy_notice_version"), "validation.privacy_notice_outdated")])


def _ticket_type(form: _Form, ticket_type_id: int | None) -> TicketType:
    if ticket_type_id is None:
        found = next((t for t in form.ticket_types.values() if t.is_default), None)
    else:
        found = form.ticket_types.get(ticket_type_id)
    if found is None:
        raise InvalidInput(errors=[(("body", "ticket_type"), "validation.unknown_ticket_type")])
    return found


def _request_hash(data: RegistrationIn, user: User | None) -> str:
    body = orjson.dumps([data.model_dump(mode="json"), user.id if user else None], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


def _manage_token(secret_key: str, event_id: int, idempotency_key: str | None) -> str:
    """A fresh secret; derived from the Idempotency-Key when there is one, so that a replay can show it again
    although only its hash is stored."""
    if idempotency_key is None:
        return f"qcm_{secrets.token_urlsafe(32)}"
    digest = bytes.fromhex(sign(secret_key, f"manage:{event_id}:{idempotency_key}"))
    return f"qcm_{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


async def _replay(
    key_hash: str, request_hash: str, idempotency_key: str | None, event_id: int, secret_key: str
) -> Created | None:
    record = await IdempotencyRecord.get_or_none(key_hash=key_hash).select_related("registration")
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyMismatch()
    token = _manage_token(secret_key, event_id, idempotency_key)
    return Created(record.registration, token, record.waitlist_position, record.status, replayed=True)
