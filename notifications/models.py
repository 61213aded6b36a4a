"""The outbox: one row per mail to send, written in the transaction of the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class MailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class Channel(StrEnum):
    MAIL = "mail"
    SMS = "sms"


class SmsNotice(StrEnum):
    """The notices an event may also send by SMS (each a template registered at the SMS provider)."""

    APPROVAL = "approval"
    OFFER = "offer"
    REMINDER = "reminder"
    CANCELLATION = "cancellation"


class OutboxMessage(Model):
    """A message to send: its channel, template, context and recipient, and where its delivery stands.

    `dedupe_key` is unique, so enqueueing the same message twice writes one row. Rendering happens when it is
    sent; a calendar part is named by a builder and its arguments and built then too. An SMS row holds the
    notice kind in `template`, the +86 number in `to_addr` and the template parameters in `context`.
    """

    id = fields.BigIntField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    channel = fields.CharEnumField(Channel, max_length=8, default=Channel.MAIL)
    topic = fields.CharField(max_length=100, db_index=True, description="what the mail is about, e.g. event:12")
    supersede_key = fields.CharField(max_length=200, null=True, db_index=True)
    template = fields.CharField(max_length=60)
    locale = fields.CharField(max_length=8)
    to_addr = fields.CharField(max_length=254)
    to_name = fields.CharField(max_length=100, default="")
    from_name = fields.CharField(max_length=100, default="")
    context = fields.JSONField[dict[str, object]](default=dict)
    calendar = fields.JSONField[dict[str, object]](null=True, description="builder name and arguments")
    message_id = fields.CharField(max_length=200)
    status = fields.CharEnumField(MailStatus, max_length=12, default=MailStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    locked_by = fields.CharField(max_length=100, null=True)
    locked_until = fields.DatetimeField(null=True)
    last_code = fields.IntField(null=True)
    last_error = fields.TextField(default="")
    refused = fields.JSONField[dict[str, object]](null=True, description="recipients the server refused")
    sent_at = fields.DatetimeField(null=True)
    request_id = fields.CharField(max_length=64, null=True, description="X-Request-ID of the request that enqueued it")

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("to_addr", "sent_at"))

    @property
    def sent(self) -> datetime | None:
        """When it was sent: a `sending` SMS's `sent_at` is its place under the send limits, not yet a sending."""
        return self.sent_at if self.status is MailStatus.SENT else None
